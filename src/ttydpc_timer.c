// SPDX-License-Identifier: GPL-2.0
/*
 * ttydpc_timer.c - the port timer: retries the read queue when received
 * data was held back (Documentation/ttydpc/design.rst, "Receive backpressure").
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
 */
void ttydpc_timer_init(struct ttydpc_port *p)
{
	timer_setup(&p->timer, ttydpc_timer_fn, 0);
}

/**
 * ttydpc_timer_arm() - fire the port timer after @chars character times
 * @p: the port
 * @chars: character times (port.frame_time); at least one jiffy
 *
 * An armed timer is not pushed back: the earliest retry wins.
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
 * ttydpc_dpc_timer() - the timer's deferred routine
 * @p: the port
 *
 * Queues RX: completing reads here would make a second producer of the
 * tty buffer (design.rst, "Receive backpressure").
 */
void ttydpc_dpc_timer(struct ttydpc_port *p)
{
	if (ttydpc_read_queued(p))
		ttydpc_dpc_raise(p, TTYDPC_CAUSE_RX);
}
