// SPDX-License-Identifier: GPL-2.0
/*
 * ttydpc_dpc.c - deferred procedure calls: the objects, the three designs
 * and the dispatch from causes to completion routines.
 *
 * The hard IRQ handler raises causes and queues the object its port's design
 * maps each to; the object's routine runs every pending cause it owns. An
 * object never runs on two CPUs at once, two different objects do, so each
 * kind of completion belongs to exactly one object. Designs, contexts and
 * coalescing: Documentation/ttydpc/design.rst.
 */
#include <linux/bitops.h>
#include <linux/bottom_half.h>
#include <linux/ktime.h>

#include "ttydpc.h"

const char * const ttydpc_design_names[TTYDPC_NR_DESIGNS] = {
	[TTYDPC_DESIGN_ISR] = "isr",
	[TTYDPC_DESIGN_CUSTOM] = "custom",
	[TTYDPC_DESIGN_BOTH] = "both",
};

const char * const ttydpc_dpc_names[TTYDPC_NR_DPCS] = {
	[TTYDPC_DPC_FOR_ISR] = "dpc_for_isr",
	[TTYDPC_DPC_READ] = "read",
	[TTYDPC_DPC_WRITE] = "write",
	[TTYDPC_DPC_ERROR] = "error",
	[TTYDPC_DPC_MODEM] = "modem",
	[TTYDPC_DPC_PURGE] = "purge",
	[TTYDPC_DPC_TIMER] = "timer",
};

const char * const ttydpc_cause_names[TTYDPC_NR_CAUSES] = {
	[TTYDPC_CAUSE_RX] = "rx",
	[TTYDPC_CAUSE_TX] = "tx",
	[TTYDPC_CAUSE_ERROR] = "error",
	[TTYDPC_CAUSE_MODEM] = "modem",
	[TTYDPC_CAUSE_PURGE] = "purge",
	[TTYDPC_CAUSE_TIMER] = "timer",
};

static const u8 ttydpc_design_map[][TTYDPC_NR_CAUSES] = {
	[TTYDPC_DESIGN_ISR] = {
		TTYDPC_DPC_FOR_ISR, TTYDPC_DPC_FOR_ISR, TTYDPC_DPC_FOR_ISR,
		TTYDPC_DPC_FOR_ISR, TTYDPC_DPC_FOR_ISR, TTYDPC_DPC_FOR_ISR,
	},
	[TTYDPC_DESIGN_CUSTOM] = {
		TTYDPC_DPC_READ, TTYDPC_DPC_WRITE, TTYDPC_DPC_ERROR,
		TTYDPC_DPC_MODEM, TTYDPC_DPC_PURGE, TTYDPC_DPC_TIMER,
	},
	[TTYDPC_DESIGN_BOTH] = {
		TTYDPC_DPC_FOR_ISR, TTYDPC_DPC_FOR_ISR, TTYDPC_DPC_ERROR,
		TTYDPC_DPC_MODEM, TTYDPC_DPC_PURGE, TTYDPC_DPC_TIMER,
	},
};

static void (* const ttydpc_completion[TTYDPC_NR_CAUSES])(struct ttydpc_port *) = {
	[TTYDPC_CAUSE_RX] = ttydpc_dpc_read,
	[TTYDPC_CAUSE_TX] = ttydpc_dpc_write,
	[TTYDPC_CAUSE_ERROR] = ttydpc_dpc_error,
	[TTYDPC_CAUSE_MODEM] = ttydpc_dpc_modem,
	[TTYDPC_CAUSE_PURGE] = ttydpc_dpc_purge,
	[TTYDPC_CAUSE_TIMER] = ttydpc_dpc_timer,
};

static void ttydpc_dpc_account_latency(struct ttydpc_dpc *dpc)
{
	s64 ns = ktime_to_ns(ktime_sub(ktime_get(), dpc->queued_at));
	unsigned int bucket = 0;
	s64 limit = 1000, max;

	while (bucket < TTYDPC_LAT_BUCKETS - 1 && ns >= limit) {
		bucket++;
		limit *= 4;
	}
	atomic_long_inc(&dpc->lat_hist[bucket]);
	max = atomic64_read(&dpc->lat_max_ns);
	while (ns > max) {
		s64 old = atomic64_cmpxchg(&dpc->lat_max_ns, max, ns);

		if (old == max)
			break;
		max = old;
	}
}

/* The one routine behind every deferred object. Context: softirq. */
static void ttydpc_dpc_run(struct ttydpc_dpc *dpc)
{
	struct ttydpc_port *p = dpc->port;
	unsigned int cause;

	ttydpc_dpc_account_latency(dpc);
	/* Clear before looking: a cause raised from here on queues us again. */
	clear_bit(TTYDPC_DPC_QUEUED, &dpc->flags);
	smp_mb__after_atomic();	/* order the clear before reading causes */
	atomic_long_inc(&dpc->runs);

	for_each_set_bit(cause, &dpc->causes, TTYDPC_NR_CAUSES) {
		if (!test_and_clear_bit(cause, &p->pending))
			continue;
		atomic_long_inc(&p->stats.done[cause]);
		ttydpc_completion[cause](p);
	}
}

static void ttydpc_dpc_bh(TTYDPC_BH_ARG *arg)
{
	struct ttydpc_dpc *dpc = ttydpc_bh_from(dpc, arg, bh);

	ttydpc_dpc_run(dpc);
}

/**
 * ttydpc_dpc_init() - set up a port's deferred objects for its design
 * @p: the port, with @p->design set
 * Context: process, before the port is live.
 */
void ttydpc_dpc_init(struct ttydpc_port *p)
{
	unsigned int i;

	for (i = 0; i < TTYDPC_NR_DPCS; i++) {
		p->dpc[i].port = p;
		p->dpc[i].causes = 0;
		ttydpc_bh_init(&p->dpc[i].bh, ttydpc_dpc_bh);
	}
	for (i = 0; i < TTYDPC_NR_CAUSES; i++) {
		struct ttydpc_dpc *dpc = &p->dpc[ttydpc_design_map[p->design][i]];

		dpc->causes |= BIT(i);
		p->dpc_of[i] = dpc;
	}
}

static void ttydpc_dpc_queue(struct ttydpc_dpc *dpc)
{
	atomic_long_inc(&dpc->requests);
	if (test_and_set_bit(TTYDPC_DPC_QUEUED, &dpc->flags)) {
		atomic_long_inc(&dpc->coalesced);
		return;
	}
	dpc->queued_at = ktime_get();
	ttydpc_bh_queue(&dpc->bh);
}

/**
 * ttydpc_dpc_raise_mask() - raise several causes and queue their objects
 * @p: the port
 * @causes: bitmask of enum ttydpc_cause
 *
 * Nothing is queued once the port is stopping; shutdown discards the causes.
 *
 * Context: any, including hard IRQ.
 */
void ttydpc_dpc_raise_mask(struct ttydpc_port *p, unsigned long causes)
{
	unsigned long objects = 0;
	unsigned int cause, i;

	if (!causes)
		return;
	for_each_set_bit(cause, &causes, TTYDPC_NR_CAUSES) {
		set_bit(cause, &p->pending);
		objects |= BIT(p->dpc_of[cause] - p->dpc);
	}
	smp_mb__after_atomic();	/* causes visible before STOPPING is read */
	if (test_bit(TTYDPC_PORT_STOPPING, &p->state))
		return;
	for_each_set_bit(i, &objects, TTYDPC_NR_DPCS)
		ttydpc_dpc_queue(&p->dpc[i]);
}

/**
 * ttydpc_dpc_raise() - raise one cause
 * @p: the port
 * @cause: the cause
 * Context: any, including hard IRQ.
 */
void ttydpc_dpc_raise(struct ttydpc_port *p, enum ttydpc_cause cause)
{
	ttydpc_dpc_raise_mask(p, BIT(cause));
}

/**
 * ttydpc_dpc_stop() - wait for every deferred object of a port to finish
 * @p: the port; TTYDPC_PORT_STOPPING is set and the IRQ is freed
 * Context: process, may sleep.
 */
void ttydpc_dpc_stop(struct ttydpc_port *p)
{
	unsigned int i;

	for (i = 0; i < TTYDPC_NR_DPCS; i++) {
		if (!ttydpc_bh_kill(&p->dpc[i].bh))
			continue;
		/*
		 * A queued BH work run was cancelled: run it here with BH off,
		 * as tasklet_kill() would. Why not flush_work(): design.rst,
		 * 'Deferred objects in parallel'.
		 */
		local_bh_disable();
		ttydpc_dpc_run(&p->dpc[i]);
		local_bh_enable();
	}
	for (i = 0; i < TTYDPC_NR_DPCS; i++)
		clear_bit(TTYDPC_DPC_QUEUED, &p->dpc[i].flags);
	p->pending = 0;
}
