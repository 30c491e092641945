// SPDX-License-Identifier: GPL-2.0
/*
 * ttydpc_purge.c - the flush queue: purge requests (serial.sys' PURGE).
 *
 * TXCLEAR / RXCLEAR discard data in the driver (queue and FIFO) and never
 * end a wait or a blocked read; only the ABORT flags end waits on their
 * direction (they discard that direction's data too). The request is
 * executed by dpc_purge, which runs in step with the hard IRQ path (under
 * the uart_port lock), so no byte is half-moved while the queues empty.
 */
#include <linux/tty.h>
#include <linux/tty_ldisc.h>

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
 * dpc_purge() - execute queued purge requests, oldest first
 * @p: the port
 *
 * Context: softirq.
 */
void dpc_purge(struct ttydpc_port *p)
{
	struct ttydpc_queue *q = &p->flush.q;
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
 * @p: the port
 * @flags: TTYDPC_PURGE_* (zero or unknown bits: -EINVAL)
 * @held: the tty_port mutex, held by the caller
 *
 * For RX flags, input the tty layer already holds (flip buffers, line
 * discipline) is flushed too. The tty core's lock order is flip buffer
 * lock, then termios_rwsem (n_tty's flush), then the tty_port mutex
 * (uart_set_termios()), so that flush runs with @held dropped; @p may be
 * unbound and freed meanwhile, and is not touched after it.
 *
 * Context: process (ioctl), @held held on entry and on return.
 * Return: 0 or a negative errno.
 */
int ttydpc_purge(struct ttydpc_port *p, u32 flags, struct mutex *held)
{
	struct ttydpc_queue *q = &p->flush.q;
	struct ttydpc_request *req;
	unsigned long irqflags;
	struct tty_struct *tty;
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

	if (!ret && (flags & TTYDPC_PURGE_RX)) {
		tty = tty_port_tty_get(&p->port.state->port);
		if (tty) {
			mutex_unlock(held);
			tty_ldisc_flush(tty);
			tty_kref_put(tty);
			mutex_lock(held);
		}
	}
	return ret;
}

/**
 * ttydpc_tcflush() - the driver's part of tcflush(TCIFLUSH / TCIOFLUSH)
 * @p: the port
 * @arg: the TCFLSH argument
 * @held: the tty_port mutex, held by the caller
 *
 * The tty layer empties its flip buffers and the line discipline, and the
 * serial core empties its xmit buffer for output; but input this driver
 * holds back (the read queue while the tty layer is full, and the RX FIFO)
 * would still reach the reader after the flush. The serial core has no
 * input-flush operation, so TCFLSH is caught here on its way from
 * uart_ioctl() to the line discipline and run as an RXCLEAR purge (with
 * TXCLEAR for TCIOFLUSH, so output still in flight in loopback or on a
 * looped cable does not refill the input at once).
 *
 * The job-control check (SIGTTOU for a background process) is the line
 * discipline's and comes after this: a stopped background tcflush() has
 * already emptied the driver's queues, which it would do anyway once it
 * is continued. The tty layer flushed its flip buffers before this, while
 * the read queue could still push into them: they are flushed again after
 * the purge, with @held dropped (ttydpc_purge()).
 *
 * Context: process (ioctl), @held (the tty_port mutex) held on entry and
 * on return.
 * Return: -ENOIOCTLCMD so the tty layer does its own part, or the purge's
 * error.
 */
int ttydpc_tcflush(struct ttydpc_port *p, unsigned long arg, struct mutex *held)
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
	ret = ttydpc_purge(p, flags, held);
	return ret ? ret : -ENOIOCTLCMD;
}
