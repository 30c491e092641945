// SPDX-License-Identifier: GPL-2.0
/*
 * ttydpc_rxmod.c - adaptive RX trigger level (interrupt moderation).
 *
 * The level moves between 1, 4, 8 and 14 on what the hard IRQ handler saw
 * since the last read routine run: trigger-level (RDI) passes against
 * character timeouts. At 1 the pattern cannot tell a stream from replies,
 * so the level goes up on a guess that the next samples confirm or refute;
 * an idle timer drops it back to 1 so a lone byte never waits out the
 * timeout. The rules and numbers: Documentation/ttydpc/performance.rst,
 * 'The adaptive RX trigger'.
 */
#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/serial_reg.h>

#include "ttydpc.h"

static const u8 ttydpc_rxmod_levels[] = { 1, 4, 8, 14 };

#define TTYDPC_RXMOD_TOP	(ARRAY_SIZE(ttydpc_rxmod_levels) - 1)
#define TTYDPC_RXMOD_PROBE_MIN	32	/* passes at level 1 before a guess */
#define TTYDPC_RXMOD_PROBE_MAX	8192
#define TTYDPC_RXMOD_UP		3	/* RDI-majority samples in a row: up */
#define TTYDPC_RXMOD_DOWN	2	/* timeout-majority samples in a row: down */
#define TTYDPC_RXMOD_IDLE_CHARS	8	/* quiet char times beyond the trigger */
#define TTYDPC_RXMOD_IDLE_MIN_NS (5 * NSEC_PER_MSEC)
#define TTYDPC_RXMOD_FORGET_NS	(50 * NSEC_PER_MSEC) /* probe_at back to min */

/*
 * Quiet time after which the line is idle; at least 5 ms, as gaps inside a
 * stream under emulation or host preemption are longer than char times.
 */
static u64 ttydpc_rxmod_idle_ns(struct ttydpc_port *p)
{
	u64 ns = (u64)READ_ONCE(p->port.frame_time) *
		 (ttydpc_rxmod_levels[p->rxmod.ix] + TTYDPC_RXMOD_IDLE_CHARS);

	return max_t(u64, ns, TTYDPC_RXMOD_IDLE_MIN_NS);
}

/* Program level @ix. Context: uart_port lock held. */
static void ttydpc_rxmod_set(struct ttydpc_port *p, unsigned int ix)
{
	unsigned int actual, bits;

	bits = ttydpc_fcr_for_trigger(p, ttydpc_rxmod_levels[ix], &actual);
	p->rxmod.up = 0;
	p->rxmod.down = 0;
	if (p->rxmod.ix == ix && p->rx_trigger == actual &&
	    p->fcr == (UART_FCR_ENABLE_FIFO | bits))
		return;
	p->rxmod.ix = ix;
	p->fcr = UART_FCR_ENABLE_FIFO | bits;
	p->rx_trigger = actual;
	if (test_bit(TTYDPC_PORT_OPEN, &p->state))
		ttydpc_hw_set_fcr(p, 0);
	atomic_long_inc(&p->rxmod.switches);
}

static void ttydpc_rxmod_to_idle(struct ttydpc_port *p)
{
	p->rxmod.probing = false;
	p->rxmod.busy = 0;
	ttydpc_rxmod_set(p, 0);
}

static enum hrtimer_restart ttydpc_rxmod_idle_fn(struct hrtimer *t)
{
	struct ttydpc_port *p = container_of(t, struct ttydpc_port, rxmod.idle);
	unsigned long flags;
	s64 quiet;

	uart_port_lock_irqsave(&p->port, &flags);
	quiet = ktime_to_ns(ktime_sub(ktime_get(), p->rxmod.last_rx));
	/* a sample that came meanwhile has armed the timer again */
	if (!p->rxmod.pinned && p->rxmod.ix &&
	    !test_bit(TTYDPC_PORT_STOPPING, &p->state) &&
	    quiet >= (s64)ttydpc_rxmod_idle_ns(p))
		ttydpc_rxmod_to_idle(p);
	uart_port_unlock_irqrestore(&p->port, flags);
	return HRTIMER_NORESTART;
}

static bool ttydpc_rxmod_auto(struct ttydpc_port *p)
{
	return !p->rxmod.pinned && (p->capabilities & TTYDPC_CAP_FIFO);
}

/**
 * ttydpc_rxmod_start() - set the RX trigger (p->fcr) for a port being opened
 * @p: the port
 * Context: process, port not live yet; takes the uart_port lock.
 */
void ttydpc_rxmod_start(struct ttydpc_port *p)
{
	struct ttydpc_rxmod *m = &p->rxmod;
	unsigned long flags;

	hrtimer_init(&m->idle, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
	m->idle.function = ttydpc_rxmod_idle_fn;
	m->rdi = 0;
	m->tmo = 0;
	m->bytes = 0;
	m->up = 0;
	m->down = 0;
	m->busy = 0;
	m->probing = false;
	m->probe_at = TTYDPC_RXMOD_PROBE_MIN;
	m->last_rx = ktime_get();
	/* a write to rx_trig_mode may come at any time */
	uart_port_lock_irqsave(&p->port, &flags);
	if (ttydpc_rxmod_auto(p))
		ttydpc_rxmod_set(p, 0);
	uart_port_unlock_irqrestore(&p->port, flags);
}

/**
 * ttydpc_rxmod_stop() - stop the idle timer of a port being closed
 * @p: the port
 * Context: process, after the deferred routines are stopped (they arm
 * the timer) and without the uart_port lock (the timer takes it).
 */
void ttydpc_rxmod_stop(struct ttydpc_port *p)
{
	hrtimer_cancel(&p->rxmod.idle);
}

/**
 * ttydpc_rxmod_sample() - move the RX trigger after a read routine run
 * @p: the port
 * Context: ttydpc_dpc_read(), uart_port lock held.
 */
void ttydpc_rxmod_sample(struct ttydpc_port *p)
{
	struct ttydpc_rxmod *m = &p->rxmod;
	unsigned int rdi = m->rdi, tmo = m->tmo, bytes = m->bytes;
	ktime_t now;

	m->rdi = 0;
	m->tmo = 0;
	m->bytes = 0;
	if (!ttydpc_rxmod_auto(p) || !(rdi + tmo))
		return;

	now = ktime_get();
	if (!m->ix) {
		s64 quiet = ktime_to_ns(ktime_sub(now, m->last_rx));

		/* a pause: what was learnt about the traffic fades */
		if (quiet >= TTYDPC_RXMOD_FORGET_NS) {
			m->busy = 0;
			m->probe_at = TTYDPC_RXMOD_PROBE_MIN;
		} else if (quiet >= (s64)ttydpc_rxmod_idle_ns(p)) {
			m->busy = 0;
			m->probe_at = max(m->probe_at / 2, TTYDPC_RXMOD_PROBE_MIN);
		}
		m->last_rx = now;
		m->busy += rdi + tmo;
		if (m->busy < m->probe_at)
			return;
		m->busy = 0;
		m->probing = true;
		ttydpc_rxmod_set(p, 1);
		goto arm;
	}
	m->last_rx = now;

	if (rdi >= tmo) {
		m->up++;
		m->down = 0;
		if (m->probing) {
			m->probing = false;
			m->probe_at = TTYDPC_RXMOD_PROBE_MIN;
		}
	} else if (!m->probing || (!rdi && bytes <= tmo)) {
		m->down++;
		m->up = 0;
	}
	if (m->probing && m->down >= TTYDPC_RXMOD_DOWN) {
		/* the guess was wrong: replies, not a stream */
		m->probe_at = min(m->probe_at * 2, TTYDPC_RXMOD_PROBE_MAX);
		ttydpc_rxmod_to_idle(p);
		return;
	}
	if (m->up >= TTYDPC_RXMOD_UP) {
		if (m->ix < TTYDPC_RXMOD_TOP)
			ttydpc_rxmod_set(p, m->ix + 1);
		m->up = 0;
	} else if (m->down >= TTYDPC_RXMOD_DOWN) {
		ttydpc_rxmod_set(p, m->ix - 1);
		if (!m->ix)
			return;
	}
arm:
	hrtimer_start(&m->idle, ns_to_ktime(ttydpc_rxmod_idle_ns(p)),
		      HRTIMER_MODE_REL);
}

/**
 * ttydpc_rxmod_pin() - pin the RX trigger level, or give it back to auto
 * @p: the port
 * @bytes: 0 for auto, else 1, 4, 8 or 14
 * Context: process; takes the uart_port lock.
 * Return: 0, or -EINVAL for another level or a UART without FIFO.
 */
int ttydpc_rxmod_pin(struct ttydpc_port *p, unsigned int bytes)
{
	unsigned int ix;
	unsigned long flags;

	if (!(p->capabilities & TTYDPC_CAP_FIFO))
		return -EINVAL;
	for (ix = 0; ix <= TTYDPC_RXMOD_TOP; ix++)
		if (ttydpc_rxmod_levels[ix] == bytes)
			break;
	if (bytes && ix > TTYDPC_RXMOD_TOP)
		return -EINVAL;

	uart_port_lock_irqsave(&p->port, &flags);
	p->rxmod.pinned = bytes;
	p->rxmod.probing = false;
	p->rxmod.busy = 0;
	p->rxmod.probe_at = TTYDPC_RXMOD_PROBE_MIN;
	/* auto starts over at 1, as after idle */
	ttydpc_rxmod_set(p, bytes ? ix : 0);
	uart_port_unlock_irqrestore(&p->port, flags);
	return 0;
}

/**
 * ttydpc_rxmod_level() - the pinned level
 * @p: the port
 * Return: 0 in auto, else the pinned level in bytes.
 */
unsigned int ttydpc_rxmod_level(struct ttydpc_port *p)
{
	return READ_ONCE(p->rxmod.pinned);
}
