// SPDX-License-Identifier: GPL-2.0
/*
 * ttydpc_wait.c - the wait queue: Windows-style waits on an event mask.
 * Semantics: Documentation/ttydpc/queues.rst, "Event waits".
 */
#include "ttydpc.h"

#define TTYDPC_EV_RX_SIDE	(TTYDPC_EV_RXCHAR | TTYDPC_EV_RXFLAG | TTYDPC_EV_RX80FULL)
#define TTYDPC_EV_MODEM		(TTYDPC_EV_CTS | TTYDPC_EV_DSR | TTYDPC_EV_RLSD | \
				 TTYDPC_EV_RING)

/**
 * ttydpc_wait_latch() - record events and end the waits they satisfy
 * @p: the port
 * @events: TTYDPC_EV_* that happened
 * Context: not hard IRQ (takes the queue lock).
 */
void ttydpc_wait_latch(struct ttydpc_port *p, u32 events)
{
	struct ttydpc_wait_queue *w = &p->wait;

	events &= READ_ONCE(w->mask);
	if (!events)
		return;
	atomic_or(events, &w->latched);
	smp_mb__after_atomic();	/* latch, then look for waiters: a new wait sees it */
	ttydpc_queue_complete_events(&w->q, &w->latched, READ_ONCE(w->mask));
}

/**
 * ttydpc_wait_set_mask() - set the event mask; pending waits end with 0
 * @p: the port
 * @mask: TTYDPC_EV_* bits, already validated
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
 */
void ttydpc_wait_abort(struct ttydpc_port *p, bool rx)
{
	u32 side = rx ? TTYDPC_EV_RX_SIDE : TTYDPC_EV_TXEMPTY;

	if (READ_ONCE(p->wait.mask) & side)
		ttydpc_queue_complete_all(&p->wait.q, -ECANCELED, 0);
}

/**
 * ttydpc_wait_submit() - start one wait on the port's event mask
 * @p: the port, its wait queue entered by the caller
 * @req: a new request, its @notify set if a poller wants to know
 * Return: 0, -EINVAL when no mask is set, -EIO when the port is stopping.
 */
int ttydpc_wait_submit(struct ttydpc_port *p, struct ttydpc_request *req)
{
	struct ttydpc_wait_queue *w = &p->wait;
	unsigned long flags;
	u32 latched = 0;
	int ret = 0;

	spin_lock_irqsave(&w->q.lock, flags);
	req->arg = w->mask;
	if (!w->mask) {
		ret = -EINVAL;
	} else {
		latched = atomic_xchg(&w->latched, 0) & w->mask;
		if (!latched && !ttydpc_request_submit(&w->q, req))
			ret = -EIO;
	}
	spin_unlock_irqrestore(&w->q.lock, flags);
	if (latched)
		ttydpc_request_end(req, 0, latched);
	return ret;
}
