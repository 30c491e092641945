// SPDX-License-Identifier: GPL-2.0
/*
 * ttydpc_event_file.c - /dev/ttydpc: the Windows-style calls on a file the
 * driver owns (Documentation/ttydpc/api-guide.rst). Each file has at most one
 * wait outstanding; a signal interrupts the reader, not the wait. Nothing here
 * runs under serial core locks, which is why blocking waits can live here.
 * The file pins the module, not the port: each call enters the port's wait
 * queue only for its duration, so shutdown and unbind go ahead.
 */
#include <linux/compat.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mutex.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/tty.h>
#include <linux/tty_driver.h>
#include <linux/tty_ldisc.h>
#include <linux/uaccess.h>

#include "ttydpc.h"

#define TTYDPC_PURGE_RX	(TTYDPC_PURGE_RXABORT | TTYDPC_PURGE_RXCLEAR)

/**
 * struct ttydpc_event_file - one open /dev/ttydpc
 * @lock: the file's mutex
 * @attached: @line and @serial set, once
 * @line: the ttyDPC line attached to
 * @serial: the binding attached to (ttydpc_port.serial)
 * @wait: outstanding until read(); the file holds a reference
 * @poll_wq: pollers; the wait's notify
 *
 * Locking: @lock guards every field; it may be held across a port look-up
 * (before ttydpc_lines_lock) but never while sleeping on a wait.
 */
struct ttydpc_event_file {
	struct mutex lock;	/* guards the fields below */
	bool attached;
	unsigned int line;
	u64 serial;
	struct ttydpc_request *wait;
	wait_queue_head_t poll_wq;
};

/* The port, its wait queue entered, or an ERR_PTR. @ef->lock held. */
static struct ttydpc_port *ttydpc_ef_enter(struct ttydpc_event_file *ef)
{
	if (!ef->attached)
		return ERR_PTR(-ENOTCONN);
	return ttydpc_port_enter(ef->line, ef->serial);
}

/* The same, for a call that does not touch @ef otherwise. */
static struct ttydpc_port *ttydpc_ef_pin(struct ttydpc_event_file *ef)
{
	struct ttydpc_port *p;

	mutex_lock(&ef->lock);
	p = ttydpc_ef_enter(ef);
	mutex_unlock(&ef->lock);
	return p;
}

/*
 * Start a wait if none is outstanding. One that a suspend ended (-EAGAIN,
 * ttydpc_port_stop()) is not the user's business: it starts again, so a
 * reader frozen across the sleep goes on waiting. @ef->lock held.
 */
static int ttydpc_ef_start_wait(struct ttydpc_event_file *ef)
{
	struct ttydpc_request *req = ef->wait;
	struct ttydpc_port *p;
	int ret;

	if (req && completion_done(&req->done) && req->status == -EAGAIN) {
		ef->wait = NULL;
		ttydpc_request_put(req);
	}
	if (ef->wait)
		return 0;
	p = ttydpc_ef_enter(ef);
	if (IS_ERR(p))
		return PTR_ERR(p);
	req = ttydpc_request_alloc(0);
	if (!req) {
		ret = -ENOMEM;
	} else {
		req->notify = &ef->poll_wq;
		ret = ttydpc_wait_submit(p, req);
		if (ret)
			ttydpc_request_put(req);
		else
			ef->wait = req;
	}
	ttydpc_queue_leave(&p->wait.q);
	return ret;
}

static ssize_t ttydpc_ef_read(struct file *file, char __user *buf,
			      size_t count, loff_t *ppos)
{
	struct ttydpc_event_file *ef = file->private_data;
	struct ttydpc_event ev = { .version = 1 };
	struct ttydpc_request *req;
	bool mine;
	int ret;

	if (count < sizeof(ev))
		return -EINVAL;
	for (;;) {
		mutex_lock(&ef->lock);
		ret = ttydpc_ef_start_wait(ef);
		req = ef->wait;
		if (!ret)
			refcount_inc(&req->ref);
		mutex_unlock(&ef->lock);
		if (ret)
			return ret;

		if (!completion_done(&req->done)) {
			ret = (file->f_flags & O_NONBLOCK) ? -EAGAIN :
			      wait_for_completion_interruptible(&req->done);
			if (ret) {
				/* the wait stays outstanding for the next read */
				ttydpc_request_put(req);
				return ret;
			}
		}

		/* a second reader of this file may have collected it */
		mutex_lock(&ef->lock);
		mine = ef->wait == req && req->status != -EAGAIN;
		if (mine) {
			ef->wait = NULL;
			ttydpc_request_put(req);	/* the file's reference */
		}
		mutex_unlock(&ef->lock);
		if (mine)
			break;
		ttydpc_request_put(req);
	}
	ret = req->status;
	ev.events = req->result;
	ttydpc_request_put(req);
	if (ret)
		return ret;
	return copy_to_user(buf, &ev, sizeof(ev)) ? -EFAULT : sizeof(ev);
}

static __poll_t ttydpc_ef_poll(struct file *file, poll_table *pt)
{
	struct ttydpc_event_file *ef = file->private_data;
	__poll_t mask = 0;
	int ret;

	poll_wait(file, &ef->poll_wq, pt);
	mutex_lock(&ef->lock);
	ret = ttydpc_ef_start_wait(ef);
	if (ret == -ENODEV)
		mask = EPOLLHUP | EPOLLERR;
	else if (ret)
		mask = EPOLLERR;
	else if (completion_done(&ef->wait->done))
		mask = EPOLLIN | EPOLLRDNORM;
	mutex_unlock(&ef->lock);
	return mask;
}

/*
 * The tty fd names the line: it is a character device of ttydpc's tty
 * driver, and the caller could open it, which is the permission check.
 */
static int ttydpc_ef_attach(struct ttydpc_event_file *ef, int __user *arg)
{
	struct tty_driver *drv = ttydpc_uart_driver.tty_driver;
	unsigned int line = 0;
	struct inode *inode;
	struct file *tty;
	bool ours;
	u64 serial;
	int fd, ret;

	if (get_user(fd, arg))
		return -EFAULT;
	tty = fget(fd);
	if (!tty)
		return -EBADF;
	inode = file_inode(tty);
	ours = S_ISCHR(inode->i_mode) && imajor(inode) == drv->major &&
	       iminor(inode) >= drv->minor_start &&
	       iminor(inode) - drv->minor_start < drv->num;
	if (ours)
		line = iminor(inode) - drv->minor_start;
	fput(tty);
	if (!ours)
		return -EINVAL;

	mutex_lock(&ef->lock);
	if (ef->attached) {
		ret = -EBUSY;
	} else {
		ret = ttydpc_port_serial(line, &serial);
		if (!ret) {
			ef->line = line;
			ef->serial = serial;
			ef->attached = true;
		}
	}
	mutex_unlock(&ef->lock);
	return ret;
}

/*
 * A purge of input also empties what the tty layer holds (flip buffers
 * and line discipline). That flush takes the tty's own locks, so it runs
 * here with nothing held: not inside the port (no queue entered).
 */
static long ttydpc_ef_purge(struct ttydpc_event_file *ef, u32 __user *arg)
{
	struct tty_struct *tty = NULL;
	struct ttydpc_port *p;
	u32 flags;
	int ret;

	if (get_user(flags, arg))
		return -EFAULT;
	p = ttydpc_ef_pin(ef);
	if (IS_ERR(p))
		return PTR_ERR(p);
	ret = ttydpc_purge(p, flags);
	if (!ret && (flags & TTYDPC_PURGE_RX))
		tty = tty_port_tty_get(&p->port.state->port);
	ttydpc_queue_leave(&p->wait.q);
	if (tty) {
		tty_ldisc_flush(tty);
		tty_kref_put(tty);
	}
	return ret;
}

static long ttydpc_ef_ioctl(struct file *file, unsigned int cmd,
			    unsigned long arg)
{
	struct ttydpc_event_file *ef = file->private_data;
	void __user *uarg = (void __user *)arg;
	ttydpc_port_call_fn call;
	struct ttydpc_port *p;
	long ret;

	if (cmd == TTYDPC_IOC_ATTACH)
		return ttydpc_ef_attach(ef, uarg);
	if (cmd == TTYDPC_IOC_PURGE)
		return ttydpc_ef_purge(ef, uarg);
	call = ttydpc_port_call(cmd);
	if (!call)
		return -ENOTTY;
	p = ttydpc_ef_pin(ef);
	if (IS_ERR(p))
		return PTR_ERR(p);
	ret = call(p, uarg);
	ttydpc_queue_leave(&p->wait.q);
	return ret;
}

static int ttydpc_ef_open(struct inode *inode, struct file *file)
{
	struct ttydpc_event_file *ef = kzalloc(sizeof(*ef), GFP_KERNEL);

	if (!ef)
		return -ENOMEM;
	mutex_init(&ef->lock);
	init_waitqueue_head(&ef->poll_wq);
	file->private_data = ef;
	return nonseekable_open(inode, file);
}

/*
 * The outstanding wait may still be listed: cancel it, or, when the port
 * is closing or gone, let shutdown end it. Either way wait for its end:
 * after that no completer touches @ef->poll_wq (ttydpc_request_signal()
 * wakes it before it completes @done).
 */
static int ttydpc_ef_release(struct inode *inode, struct file *file)
{
	struct ttydpc_event_file *ef = file->private_data;
	struct ttydpc_request *req = ef->wait;
	struct ttydpc_port *p;

	if (req) {
		p = ttydpc_ef_enter(ef);
		if (!IS_ERR(p)) {
			ttydpc_request_complete(&p->wait.q, req, -ECANCELED, 0);
			ttydpc_queue_leave(&p->wait.q);
		}
		wait_for_completion(&req->done);
		ttydpc_request_put(req);
	}
	mutex_destroy(&ef->lock);
	kfree(ef);
	return 0;
}

static const struct file_operations ttydpc_ef_fops = {
	.owner		= THIS_MODULE,
	.open		= ttydpc_ef_open,
	.release	= ttydpc_ef_release,
	.read		= ttydpc_ef_read,
	.poll		= ttydpc_ef_poll,
	.unlocked_ioctl	= ttydpc_ef_ioctl,
	/* one struct layout for both ABIs: only the pointer needs converting */
	.compat_ioctl	= compat_ptr_ioctl,
};

static struct miscdevice ttydpc_ef_dev = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= TTYDPC_NAME,
	.fops	= &ttydpc_ef_fops,
	/* attaching needs an open ttyDPC: that is the access check */
	.mode	= 0666,
};

/**
 * ttydpc_event_file_register() - create /dev/ttydpc
 *
 * Context: process, module init, after uart_register_driver().
 * Return: 0 or the misc core's error.
 */
int ttydpc_event_file_register(void)
{
	return misc_register(&ttydpc_ef_dev);
}

/**
 * ttydpc_event_file_unregister() - remove /dev/ttydpc
 *
 * Open files pin the module, so none is left when this runs.
 *
 * Context: process, module exit.
 */
void ttydpc_event_file_unregister(void)
{
	misc_deregister(&ttydpc_ef_dev);
}
