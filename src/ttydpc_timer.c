// SPDX-License-Identifier: GPL-2.0
/*
 * ttydpc_timer.c - timer-driven completion (serial.sys' KTIMER + DPC).
 *
 * One timer per port. The timer callback does nothing itself but raise
 * TTYDPC_CAUSE_TIMER, so the work runs in whichever deferred object the
 * design gives timers. Today it retries the read queue when received data
 * was held back because the tty layer was full: it raises TTYDPC_CAUSE_RX,
 * so the reads are completed by the one object that owns RX completion
 * (see struct ttydpc_read_queue), never by the timer object itself.
 */
#include "ttydpc.h"

static void ttydpc_timer_fn(struct timer_list *t)
{
	struct ttydpc_port *p = from_timer(p, t, timer);

	ttydpc_dpc_raise(p, TTYDPC_CAUSE_TIMER);
}

/**
 * ttydpc_timer_init() - set up the port timer
 * @p: the port
 *
 * Context: process, before the port is live.
 */
void ttydpc_timer_init(struct ttydpc_port *p)
{
	timer_setup(&p->timer, ttydpc_timer_fn, 0);
}

/**
 * ttydpc_timer_arm() - fire the port timer after a number of character times
 * @p: the port
 * @chars: character times (port.frame_time); at least one jiffy
 *
 * An armed timer is not pushed back: the earliest retry wins.
 *
 * Context: any but hard IRQ.
 */
void ttydpc_timer_arm(struct ttydpc_port *p, unsigned int chars)
{
	unsigned long delay;

	if (test_bit(TTYDPC_PORT_STOPPING, &p->state) || timer_pending(&p->timer))
		return;
	delay = nsecs_to_jiffies((u64)READ_ONCE(p->port.frame_time) * chars);
	mod_timer(&p->timer, jiffies + max(delay, 1UL));
}

/**
 * dpc_timeout() - timer-driven completion
 * @p: the port
 *
 * In the custom and both designs this runs in the TIMER object, which may
 * run on one CPU while the RX object runs on another: completing reads
 * here would make two producers of the tty buffer. Queue the RX owner.
 *
 * Context: softirq.
 */
void dpc_timeout(struct ttydpc_port *p)
{
	if (ttydpc_read_queued(p))
		ttydpc_dpc_raise(p, TTYDPC_CAUSE_RX);
}
