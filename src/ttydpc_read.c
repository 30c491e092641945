// SPDX-License-Identifier: GPL-2.0
/*
 * ttydpc_read.c - the read queue: received bytes from the hard IRQ handler
 * to the tty layer.
 *
 * The hard IRQ handler is the ring's only producer; ttydpc_dpc_read (and
 * a purge, both under the uart_port lock) its only consumer, and
 * ttydpc_dpc_read is the tty flip buffer's only producer (struct
 * ttydpc_read_queue says how that holds). When the ring
 * or the tty layer is full the data is held back, never dropped: the
 * handler stops taking RX interrupts (the UART keeps the bytes, and with
 * flow control the sender stops), and the port timer retries.
 *
 * That hold is the driver's whole input throttling. It has no throttle or
 * unthrottle operation: uart_throttle() calls them only for a port with
 * UPSTAT_AUTORTS, UPSTAT_AUTOXOFF or UPSTAT_SYNC_FIFO set, which ttydpc
 * never sets, so when n_tty fills up the serial core drops RTS (CRTSCTS)
 * or sends XOFF (IXOFF) itself, and the tty buffer's limit reaches us as
 * tty_buffer_space_avail() going to 0.
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
 *
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
 * SysRq on a received break, on the console's port: a break opens the
 * serial core's SysRq window (uart_handle_break()), and the next byte
 * within it is the SysRq key (uart_prepare_sysrq_char()), which
 * ttydpc_irq() hands to handle_sysrq() once it has dropped the port lock
 * (uart_unlock_and_check_sysrq()). Neither byte is data: both stay out of
 * the ring, the break still counted.
 *
 * This is hard IRQ work, not deferred, for what SysRq is for: a machine
 * whose softirqs or workqueues no longer run (a stuck deferred routine, a
 * livelock) must still answer it, and SysRq-g must stop the machine where
 * the break came in. The serial core's helpers keep their state in
 * uart_port (sysrq, sysrq_ch) under the port lock, which only this path
 * holds across the byte reads; a deferred routine would see the break
 * and the key only as ring entries, after the fact.
 *
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
 * Burst path: on a trigger-level interrupt (IIR RDI, read under the port
 * lock) whose LSR shows data and no error anywhere in the FIFO (FIFOE and
 * the top byte's error bits clear), at least rx_trigger error-free bytes
 * are waiting and stay there: whoever empties the FIFO (a purge, a new FCR,
 * the DesignWare LCR retry) holds the same lock. The first rx_trigger - 1
 * are read with no LSR read at all; the last goes through the per-byte
 * loop on the LSR already read (it was in the FIFO when that LSR was
 * read, so FIFOE covers it), and the pass ends there without reading LSR
 * again. What arrived meanwhile is left to the next pass: ttydpc_irq()
 * reads IIR again, and another RDI bursts again, a timeout drains the
 * tail per byte, nothing means the tail is below the trigger and comes
 * with the character timeout. Every byte of a timeout or line-status
 * pass, and every byte while a SysRq window is open (ttydpc_rx_sysrq()),
 * has its own LSR read, so each error stays attached to its byte.
 *
 * Two cases drain the whole FIFO per byte instead: trigger 1, where a
 * second byte means input came faster than interrupts (one byte per pass
 * would spend the pass budget on it), and loopback (TIOCM_LOOP), where
 * the TX load that follows in the same pass lands in the RX FIFO at once
 * and would overrun a tail left there.
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
		/*
		 * A burst ends with the trigger's worth: its LSR had no error
		 * bits, so the overrun check below cannot count one twice.
		 */
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
		/* what the trigger moderation learns from (ttydpc_rxmod.c) */
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
 * Moves as many bytes from the ring into the flip buffer as the tty layer
 * has room for, pushes them, latches RXCHAR/RXFLAG/RX80FULL, and manages
 * the hold: bytes it could not hand over stay in the ring, and the port
 * timer brings it back.
 *
 * Runs only in the deferred object that owns TTYDPC_CAUSE_RX (or in its
 * place at port stop), never on two CPUs at once.
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
	 * Commit under the lock, as 8250 does: a purge takes the lock after
	 * us and finds these bytes committed, so the tty layer's flush that
	 * follows it drops them. Pushed after the unlock, they could be
	 * committed after that flush and read after tcflush(TCIFLUSH).
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
 *
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
 *
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

/*
 * The port timer: the retry of input held back (Documentation/ttydpc/
 * design.rst, "Receive backpressure"). It only raises its cause; its
 * routine hands the retry to the RX object.
 */
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
