// SPDX-License-Identifier: GPL-2.0
/*
 * ttydpc_purge.c - the purge queue: tcflush() and serial.sys' PURGE requests.
 *
 * CLEAR never ends a wait or a blocked read; ABORT also ends the waits on
 * its direction. ttydpc_dpc_purge discards under the uart_port lock, so no
 * byte is half-moved by the hard IRQ path meanwhile.
 */
#include <linux/tty.h>
#include <linux/tty_ldisc.h>
#include <linux/workqueue.h>

#include "ttydpc.h"

#define TTYDPC_PURGE_TX	(TTYDPC_PURGE_TXABORT | TTYDPC_PURGE_TXCLEAR)
#define TTYDPC_PURGE_RX	(TTYDPC_PURGE_RXABORT | TTYDPC_PURGE_RXCLEAR)

static void ttydpc_do_purge(struct ttydpc_port *p, u32 flags)
{
	unsigned long irqflags;

	uart_port_lock_irqsave(&p->port, &irqflags);
	if (flags & TTYDPC_PURGE_TX)
		ttydpc_write_discard(p);
	if (flags & TTYDPC_PURGE_RX)
		ttydpc_read_discard(p);
	uart_port_unlock_irqrestore(&p->port, irqflags);

	if (flags & TTYDPC_PURGE_TX)
		uart_write_wakeup(&p->port);
	if (flags & TTYDPC_PURGE_TXABORT)
		ttydpc_wait_abort(p, false);
	if (flags & TTYDPC_PURGE_RXABORT)
		ttydpc_wait_abort(p, true);
}

/**
 * ttydpc_dpc_purge() - execute queued purge requests, oldest first
 * @p: the port
 * Context: softirq.
 */
void ttydpc_dpc_purge(struct ttydpc_port *p)
{
	struct ttydpc_queue *q = &p->purge.q;
	struct ttydpc_request *req;
	unsigned long flags;

	if (!ttydpc_queue_enter(q))
		return;
	for (;;) {
		spin_lock_irqsave(&q->lock, flags);
		req = list_first_entry_or_null(&q->requests,
					       struct ttydpc_request, node);
		if (req)
			refcount_inc(&req->ref);
		spin_unlock_irqrestore(&q->lock, flags);
		if (!req)
			break;
		ttydpc_do_purge(p, req->arg);
		ttydpc_request_complete(q, req, 0, 0);
		ttydpc_request_put(req);
	}
	ttydpc_queue_leave(q);
}

/**
 * ttydpc_purge() - queue a purge and wait for it
 * @p: the port, pinned (a queue entered, or the tty_port mutex held)
 * @flags: TTYDPC_PURGE_* (zero or unknown bits: -EINVAL)
 *
 * Empties the driver's queues and FIFOs only; input the tty layer holds is
 * the caller's to flush.
 *
 * Context: process.
 * Return: 0 or a negative errno.
 */
int ttydpc_purge(struct ttydpc_port *p, u32 flags)
{
	struct ttydpc_queue *q = &p->purge.q;
	struct ttydpc_request *req;
	unsigned long irqflags;
	bool listed;
	int ret;

	if (!flags || (flags & ~TTYDPC_PURGE_ALL))
		return -EINVAL;
	if (!ttydpc_queue_enter(q))
		return -EIO;
	req = ttydpc_request_alloc(flags);
	if (!req) {
		ttydpc_queue_leave(q);
		return -ENOMEM;
	}
	spin_lock_irqsave(&q->lock, irqflags);
	listed = ttydpc_request_submit(q, req);
	spin_unlock_irqrestore(&q->lock, irqflags);
	if (listed) {
		ttydpc_dpc_raise(p, TTYDPC_CAUSE_PURGE);
		if (!wait_for_completion_timeout(&req->done, 5 * HZ))
			ttydpc_request_complete(q, req, -ETIMEDOUT, 0);
		wait_for_completion(&req->done);
		ret = req->status;
	} else {
		ret = -EIO;
	}
	ttydpc_request_put(req);
	ttydpc_queue_leave(q);
	return ret;
}

/*
 * tcflush()'s second flush of the tty layer, for bytes committed since
 * tty_ioctl() flushed. It takes tty locks that rank above the tty_port mutex
 * ->ioctl holds, so it runs here. See Documentation/ttydpc/design.rst,
 * 'tcflush() and the tty layer'.
 */
static void ttydpc_tty_flush_fn(struct work_struct *work)
{
	struct ttydpc_port *p = container_of(work, struct ttydpc_port, tty_flush);
	struct tty_struct *tty = tty_port_tty_get(&p->port.state->port);

	if (tty) {
		tty_ldisc_flush(tty);
		tty_kref_put(tty);
	}
	complete(&p->tty_flushed);
}

/**
 * ttydpc_purge_init() - set up a port's tcflush() work
 * @p: the port, before it is registered
 */
void ttydpc_purge_init(struct ttydpc_port *p)
{
	INIT_WORK(&p->tty_flush, ttydpc_tty_flush_fn);
	init_completion(&p->tty_flushed);
}

/**
 * ttydpc_purge_exit() - wait for a port's tcflush() work
 * @p: the port, removed from the serial core (its state goes away next)
 * Context: process, no serial core lock (the work may wait for termios_rwsem).
 */
void ttydpc_purge_exit(struct ttydpc_port *p)
{
	cancel_work_sync(&p->tty_flush);
}

/**
 * ttydpc_tcflush() - the driver's part of tcflush(TCIFLUSH / TCIOFLUSH)
 * @p: the port
 * @arg: the TCFLSH argument
 *
 * Runs an RXCLEAR purge (TXCLEAR too for TCIOFLUSH) and a second flush of
 * the tty layer, so input held back here is not read after the flush
 * (Documentation/ttydpc/design.rst, 'tcflush() and the tty layer').
 *
 * Context: process, uart_ops.ioctl (tty_port mutex held).
 * Return: -ENOIOCTLCMD so the tty layer does its part, or the purge's error.
 */
int ttydpc_tcflush(struct ttydpc_port *p, unsigned long arg)
{
	u32 flags;
	int ret;

	switch (arg) {
	case TCIFLUSH:
		flags = TTYDPC_PURGE_RXCLEAR;
		break;
	case TCIOFLUSH:
		flags = TTYDPC_PURGE_RXCLEAR | TTYDPC_PURGE_TXCLEAR;
		break;
	default:
		/* TCOFLUSH is uart_ops.flush_buffer; bad values: EINVAL later */
		return -ENOIOCTLCMD;
	}
	ret = ttydpc_purge(p, flags);
	if (ret)
		return ret;
	/* bounded: a termios change may hold termios_rwsem (see design.rst) */
	reinit_completion(&p->tty_flushed);
	schedule_work(&p->tty_flush);
	wait_for_completion_timeout(&p->tty_flushed, msecs_to_jiffies(200));
	return -ENOIOCTLCMD;
}
