// SPDX-License-Identifier: GPL-2.0
/*
 * ttydpc_read.c - received bytes from the hard IRQ handler to the tty layer.
 *
 * When the ring or the tty layer is full, data is held back, never dropped:
 * RX interrupts stop and the port timer retries. That hold is the whole
 * input throttling (no ->throttle): Documentation/ttydpc/design.rst,
 * 'Receive backpressure'.
 */
#include <linux/serial_reg.h>
#include <linux/tty_flip.h>

#include "ttydpc.h"

#define TTYDPC_RX_MASK		(TTYDPC_RX_RING - 1)
#define TTYDPC_RX_80PCT		(TTYDPC_RX_RING / 5 * 4)
#define TTYDPC_RX_RETRY_CHARS	32	/* backpressure retry, in char times */

/**
 * ttydpc_read_init() - empty the read queue (port startup)
 * @p: the port
 * Context: process, port not live.
 */
void ttydpc_read_init(struct ttydpc_port *p)
{
	p->rx.head = 0;
	p->rx.tail = 0;
}

static void ttydpc_read_hold_locked(struct ttydpc_port *p, bool hold)
{
	if (hold) {
		if (!test_and_set_bit(TTYDPC_Q_HELD, &p->rx.q.flags))
			atomic_long_inc(&p->stats.rx_held);
		ttydpc_set_ier(p, p->ier & ~(UART_IER_RDI | UART_IER_RLSI));
	} else if (test_and_clear_bit(TTYDPC_Q_HELD, &p->rx.q.flags) &&
		   (p->port.read_status_mask & UART_LSR_DR)) {
		ttydpc_set_ier(p, p->ier | UART_IER_RDI | UART_IER_RLSI);
	}
}

/*
 * SysRq on the console's port: a break opens the serial core's SysRq window
 * and the next byte is the key; neither is data. Hard IRQ work, not deferred,
 * so a machine whose softirqs no longer run still answers SysRq, and SysRq-g
 * stops it where the break came in (design.rst, 'Polled I/O').
 * Return: true when the byte was taken.
 */
static bool ttydpc_rx_sysrq(struct ttydpc_port *p, u8 ch, u8 err)
{
	struct uart_port *port = &p->port;

	if (err & UART_LSR_BI) {
		if (!uart_handle_break(port))
			return false;
		port->icount.brk++;
		atomic_long_inc(&p->stats.brk);
		return true;
	}
	return uart_prepare_sysrq_char(port, ch);
}

/**
 * ttydpc_rx_chars() - move received bytes from the UART into the ring
 * @p: the port
 * @iir: the IIR value of this pass
 * @lsr: the LSR value just read
 * @causes: out: TTYDPC_CAUSE_RX / _ERROR raised
 *
 * A clean trigger-level pass reads rx_trigger bytes with no LSR reads; other
 * bytes get one each, so each error stays with its byte. See
 * Documentation/ttydpc/performance.rst, 'Burst reads'.
 *
 * Context: hard IRQ, uart_port lock held.
 * Return: the last LSR value read.
 */
unsigned int ttydpc_rx_chars(struct ttydpc_port *p, unsigned int iir,
			     unsigned int lsr, unsigned long *causes)
{
	struct ttydpc_read_queue *rx = &p->rx;
	unsigned int head = rx->head;
	/* pairs with the consumer's release: its reads of the slots are done */
	unsigned int tail = smp_load_acquire(&rx->tail);
	unsigned int budget = TTYDPC_IRQ_RX_BUDGET;
	unsigned int got = 0, fast = 0;
	unsigned int errors = 0;
	/* a test's injected PE/FE (debugfs): read once, taken by one byte */
	bool inject = atomic_read(&p->inject_lsr);
	bool rdi = (iir & 0x0f) == UART_IIR_RDI;
	bool burst = false;

	if (rdi && p->rx_trigger > 1 && !(p->port.mctrl & TIOCM_LOOP) &&
	    (lsr & UART_LSR_DR) && !p->port.sysrq &&
	    !(lsr & (UART_LSR_FIFOE | UART_LSR_BRK_ERROR_BITS)) && !inject) {
		/* the tail byte below is read in the loop, on this LSR */
		burst = true;
		budget = p->rx_trigger;
		fast = min(budget - 1, TTYDPC_RX_RING - (head - tail));
	}

	while (fast--) {
		rx->ch[head & TTYDPC_RX_MASK] = ttydpc_in(p, UART_RX);
		rx->lsr[head & TTYDPC_RX_MASK] = 0;
		head++;
		got++;
	}

	while ((lsr & (UART_LSR_DR | UART_LSR_BI)) && got < budget) {
		u8 err = lsr & UART_LSR_BRK_ERROR_BITS;
		u8 ch;

		if (head - tail == TTYDPC_RX_RING) {
			ttydpc_read_hold_locked(p, true);
			break;
		}
		if (inject && (lsr & UART_LSR_DR)) {
			err |= atomic_xchg(&p->inject_lsr, 0);
			inject = false;
		}
		ch = (lsr & UART_LSR_DR) ? ttydpc_in(p, UART_RX) : 0;
		if (unlikely(ttydpc_rx_sysrq(p, ch, err))) {
			got++;
			lsr = ttydpc_in(p, UART_LSR);
			continue;
		}
		rx->ch[head & TTYDPC_RX_MASK] = ch;
		rx->lsr[head & TTYDPC_RX_MASK] = err;
		errors |= err;
		head++;
		got++;
		/* a burst's LSR had no OE: the check below counts none twice */
		if (burst && got == budget)
			break;
		lsr = ttydpc_in(p, UART_LSR);
	}
	/* An overrun with no byte left to carry it still counts. */
	if (lsr & UART_LSR_OE) {
		p->port.icount.overrun++;
		atomic_long_inc(&p->stats.rx_hw_overrun);
		errors |= UART_LSR_OE;
	}

	if (got) {
		if (rdi)
			p->rxmod.rdi++;
		else
			p->rxmod.tmo++;
		p->rxmod.bytes += got;
		/* publish the slots before the new head */
		smp_store_release(&rx->head, head);
		if (head - tail > rx->high_water)
			rx->high_water = head - tail;
		*causes |= BIT(TTYDPC_CAUSE_RX);
	}
	if (errors) {
		atomic_or(errors, &p->latched_lsr);
		*causes |= BIT(TTYDPC_CAUSE_ERROR);
	}
	return lsr;
}

/* Turn one ring entry's LSR bits into a tty flag, counting as 8250 does. */
static u8 ttydpc_rx_flag(struct uart_port *port, u8 *lsr)
{
	struct ttydpc_port *p = to_ttydpc(port);
	u8 flag = TTY_NORMAL;

	if (*lsr & UART_LSR_BI) {
		*lsr &= ~(UART_LSR_FE | UART_LSR_PE);
		port->icount.brk++;
		atomic_long_inc(&p->stats.brk);
	} else if (*lsr & UART_LSR_PE) {
		port->icount.parity++;
		atomic_long_inc(&p->stats.parity);
	} else if (*lsr & UART_LSR_FE) {
		port->icount.frame++;
		atomic_long_inc(&p->stats.frame);
	}
	if (*lsr & UART_LSR_OE) {
		port->icount.overrun++;
		atomic_long_inc(&p->stats.rx_hw_overrun);
	}

	*lsr &= port->read_status_mask;
	if (*lsr & UART_LSR_BI)
		flag = TTY_BREAK;
	else if (*lsr & UART_LSR_PE)
		flag = TTY_PARITY;
	else if (*lsr & UART_LSR_FE)
		flag = TTY_FRAME;
	return flag;
}

/**
 * ttydpc_dpc_read() - hand received bytes to the tty layer
 * @p: the port
 *
 * Runs only in the object owning TTYDPC_CAUSE_RX (or in its place at port
 * stop); what the tty layer has no room for waits in the ring for the timer.
 *
 * Context: softirq, or process with BH disabled (ttydpc_dpc_stop()).
 */
void ttydpc_dpc_read(struct ttydpc_port *p)
{
	struct uart_port *port = &p->port;
	struct tty_port *tport = &port->state->port;
	struct ttydpc_read_queue *rx = &p->rx;
	u32 events = 0, mask = READ_ONCE(p->wait.mask);
	unsigned int head, tail, room, moved = 0, left, refused;
	unsigned long flags;

	if (!ttydpc_queue_enter(&rx->q))
		return;

	uart_port_lock_irqsave(port, &flags);
	/* pairs with the producer's release: the slots are written */
	head = smp_load_acquire(&rx->head);
	tail = rx->tail;
	room = tty_buffer_space_avail(tport);
	refused = port->icount.buf_overrun;
	if (head - tail >= TTYDPC_RX_80PCT)
		events |= TTYDPC_EV_RX80FULL;
	while (tail != head && moved < room) {
		u8 ch = rx->ch[tail & TTYDPC_RX_MASK];
		u8 lsr = rx->lsr[tail & TTYDPC_RX_MASK];
		u8 flag = TTY_NORMAL;

		port->icount.rx++;
		if (unlikely(lsr))
			flag = ttydpc_rx_flag(port, &lsr);
		if ((mask & TTYDPC_EV_RXFLAG) && ch == p->wait.event_char)
			events |= TTYDPC_EV_RXFLAG;
		uart_insert_char(port, lsr | UART_LSR_DR, UART_LSR_OE, ch, flag);
		tail++;
		moved++;
	}
	/* uart_insert_char() counts what the tty layer would not take */
	refused = port->icount.buf_overrun - refused;
	if (refused)
		atomic_long_add(refused, &p->stats.rx_buf_overrun);
	/* slots read before the producer may reuse them */
	smp_store_release(&rx->tail, tail);
	left = head - tail;
	if (!left || left < TTYDPC_RX_RING / 2)
		ttydpc_read_hold_locked(p, false);
	ttydpc_rxmod_sample(p);
	/*
	 * Commit under the lock, as 8250 does: a purge after us finds these
	 * bytes committed, and its tty flush drops them.
	 */
	if (moved)
		tty_flip_buffer_push(tport);
	uart_port_unlock_irqrestore(port, flags);

	if (moved) {
		atomic_long_add(moved, &p->stats.rx_bytes);
		events |= TTYDPC_EV_RXCHAR;
	}
	if (left)
		ttydpc_timer_arm(p, TTYDPC_RX_RETRY_CHARS);
	ttydpc_queue_leave(&rx->q);

	if (events)
		ttydpc_wait_latch(p, events);
}

/**
 * ttydpc_read_queued() - bytes received and not yet handed to the tty layer
 * @p: the port
 * Context: any.
 * Return: the count.
 */
unsigned int ttydpc_read_queued(struct ttydpc_port *p)
{
	/* a snapshot: head may move on at once */
	return smp_load_acquire(&p->rx.head) - READ_ONCE(p->rx.tail);
}

/**
 * ttydpc_read_discard() - drop everything in the read queue and RX FIFO
 * @p: the port
 * Context: uart_port lock held.
 */
void ttydpc_read_discard(struct ttydpc_port *p)
{
	unsigned int n = p->port.fifosize;

	/* consumer side: drop every published slot */
	smp_store_release(&p->rx.tail, smp_load_acquire(&p->rx.head));
	ttydpc_hw_set_fcr(p, UART_FCR_CLEAR_RCVR);
	/* A UART without FIFO keeps one byte; bounded, the line may be busy. */
	while (n-- && (ttydpc_in(p, UART_LSR) & UART_LSR_DR))
		ttydpc_in(p, UART_RX);
	ttydpc_read_hold_locked(p, false);
}

/* The RX retry only raises its cause (design.rst, 'Receive backpressure') */
static void ttydpc_timer_fn(struct timer_list *t)
{
	struct ttydpc_port *p = from_timer(p, t, timer);

	ttydpc_dpc_raise(p, TTYDPC_CAUSE_TIMER);
}

/**
 * ttydpc_timer_init() - set up the port timer (the RX retry)
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
 * ttydpc_dpc_timer() - the timer's deferred routine: queues RX
 * @p: the port
 *
 * Completing reads here would make a second tty buffer producer.
 */
void ttydpc_dpc_timer(struct ttydpc_port *p)
{
	if (ttydpc_read_queued(p))
		ttydpc_dpc_raise(p, TTYDPC_CAUSE_RX);
}
