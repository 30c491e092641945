// SPDX-License-Identifier: GPL-2.0
/*
 * ttydpc_wait.c - the wait queue: Windows-style waits on an event mask.
 *
 * Semantics (serial.sys', extended to several waiters):
 * - events in the port's mask are latched even when nobody waits;
 * - a wait with latched events returns at once and clears them;
 * - when events arrive, every pending wait ends with them (one latch,
 *   cleared once);
 * - setting a new mask ends every pending wait with events = 0;
 * - a signal ends a wait with -EINTR, unless a routine completed it first
 *   (then the events are returned: none is lost); a wakeup without a
 *   handler to run (the freezer, SIGSTOP/SIGCONT) restarts it instead;
 * - close, hangup or unbind end it with -EIO; an ABORT purge of the
 *   direction it waits on ends it with -ECANCELED.
 * All of these go through the completion rule in ttydpc_queue.c.
 */
#include <linux/mutex.h>

#include "ttydpc.h"

#define TTYDPC_EV_RX_SIDE	(TTYDPC_EV_RXCHAR | TTYDPC_EV_RXFLAG | TTYDPC_EV_RX80FULL)
#define TTYDPC_EV_MODEM		(TTYDPC_EV_CTS | TTYDPC_EV_DSR | TTYDPC_EV_RLSD | \
				 TTYDPC_EV_RING)

/**
 * ttydpc_wait_latch() - record events and end the waits they satisfy
 * @p: the port
 * @events: TTYDPC_EV_* that happened
 *
 * Context: softirq or process; not hard IRQ (takes the queue lock).
 */
void ttydpc_wait_latch(struct ttydpc_port *p, u32 events)
{
	struct ttydpc_wait_queue *w = &p->wait;

	events &= READ_ONCE(w->mask);
	if (!events)
		return;
	/* Latch before looking for waiters: a wait starting now sees it. */
	atomic_or(events, &w->latched);
	smp_mb__after_atomic();	/* latch before looking at the list */
	ttydpc_queue_complete_events(&w->q, &w->latched, READ_ONCE(w->mask));
}

/**
 * ttydpc_wait_set_mask() - set the event mask; pending waits end with 0
 * @p: the port
 * @mask: TTYDPC_EV_* bits, already validated
 *
 * A mask with modem events (CTS, DSR, RLSD, RING) turns the modem status
 * interrupt on, one without them lets it go (ttydpc_update_msi()).
 *
 * Context: process.
 * Return: 0.
 */
int ttydpc_wait_set_mask(struct ttydpc_port *p, u32 mask)
{
	struct ttydpc_wait_queue *w = &p->wait;
	unsigned long flags;

	spin_lock_irqsave(&w->q.lock, flags);
	WRITE_ONCE(w->mask, mask);
	atomic_set(&w->latched, 0);
	spin_unlock_irqrestore(&w->q.lock, flags);
	ttydpc_queue_complete_all(&w->q, 0, 0);

	/* modem events are latched only if the UART interrupts for them */
	uart_port_lock_irqsave(&p->port, &flags);
	p->ms_events = mask & TTYDPC_EV_MODEM;
	ttydpc_update_msi(p);
	uart_port_unlock_irqrestore(&p->port, flags);
	return 0;
}

/**
 * ttydpc_wait_abort() - end waits on one direction (ABORT purge)
 * @p: the port
 * @rx: true for receive-side waits, false for transmit-side
 *
 * Context: softirq or process.
 */
void ttydpc_wait_abort(struct ttydpc_port *p, bool rx)
{
	u32 side = rx ? TTYDPC_EV_RX_SIDE : TTYDPC_EV_TXEMPTY;

	if (READ_ONCE(p->wait.mask) & side)
		ttydpc_queue_complete_all(&p->wait.q, -ECANCELED, 0);
}

/**
 * ttydpc_wait_on_mask() - wait for any event in the port's mask
 * @p: the port
 * @held: the tty_port mutex the serial core holds around ->ioctl
 * @events: out: the events that ended the wait
 *
 * The serial core calls ->ioctl with the tty_port mutex held; a wait that
 * kept it would block close, hangup and termios for as long as it lasts.
 * So the wait first pins the port (enters the queue: shutdown and unbind
 * wait for it), then drops the mutex while it sleeps, as TIOCMIWAIT runs
 * without it, and takes it back after its last use of the port.
 *
 * Context: process, @held held on entry and on return.
 * Return: 0, -EINVAL without a mask, -ERESTARTNOHAND on a signal (EINTR
 * for the user if a handler runs, else the ioctl restarts), -EIO on close,
 * hangup or unbind, -ECANCELED on an ABORT purge, -ENOMEM.
 */
int ttydpc_wait_on_mask(struct ttydpc_port *p, struct mutex *held, u32 *events)
{
	struct ttydpc_wait_queue *w = &p->wait;
	struct ttydpc_request *req;
	unsigned long flags;
	u32 latched;
	int ret;

	if (!ttydpc_queue_enter(&w->q))
		return -EIO;
	req = ttydpc_request_alloc(0);
	if (!req) {
		ttydpc_queue_leave(&w->q);
		return -ENOMEM;
	}

	spin_lock_irqsave(&w->q.lock, flags);
	req->arg = w->mask;
	latched = atomic_xchg(&w->latched, 0) & w->mask;
	if (!w->mask || latched || !ttydpc_request_submit(&w->q, req)) {
		spin_unlock_irqrestore(&w->q.lock, flags);
		ret = !w->mask ? -EINVAL : latched ? 0 : -EIO;
		*events = latched;
		goto out;
	}
	spin_unlock_irqrestore(&w->q.lock, flags);

	/* the open tty pins the module (ttydpc_init()): safe without the mutex */
	mutex_unlock(held);
	/*
	 * -ERESTARTNOHAND: a signal whose handler runs ends the wait with
	 * EINTR; a wakeup without one (the freezer before a suspend, a stop
	 * and continue) restarts the ioctl, which finds the latched events.
	 */
	if (wait_for_completion_interruptible(&req->done))
		ttydpc_request_complete(&w->q, req, -ERESTARTNOHAND, 0);
	/* Whoever won wrote status and result before completing. */
	wait_for_completion(&req->done);
	ret = req->status;
	*events = req->result;
	ttydpc_request_put(req);
	ttydpc_queue_leave(&w->q);
	mutex_lock(held);
	return ret;
out:
	ttydpc_request_put(req);
	ttydpc_queue_leave(&w->q);
	return ret;
}
