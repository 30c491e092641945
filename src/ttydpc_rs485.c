// SPDX-License-Identifier: GPL-2.0
/*
 * ttydpc_rs485.c - RS-485 half duplex: RTS enables the line driver. A 16550
 * has no TEMT interrupt, so the end of a transmission is polled from an
 * hrtimer; nothing waits in hard IRQ context. The steps and the muted
 * receiver: Documentation/ttydpc/design.rst, "RS-485".
 */
#include <linux/delay.h>
#include <linux/hrtimer.h>
#include <linux/serial_reg.h>

#include "ttydpc.h"

/* The smallest TEMT poll period: QEMU's and real UARTs' fastest rates. */
#define TTYDPC_RS485_POLL_MIN_NS	10000

static bool ttydpc_rs485_on(struct ttydpc_port *p)
{
	return p->port.rs485.flags & SER_RS485_ENABLED;
}

static unsigned int ttydpc_rs485_rts(u32 flags, u32 level_flag)
{
	return (flags & level_flag) ? TIOCM_RTS : 0;
}

/**
 * ttydpc_rs485_mctrl() - the modem control lines with RTS as RS-485 wants
 * @p: the port
 * @mctrl: TIOCM_* bits the caller asks for
 * Context: uart_port lock held.
 */
unsigned int ttydpc_rs485_mctrl(struct ttydpc_port *p, unsigned int mctrl)
{
	u32 flags = p->port.rs485.flags;

	if (!(flags & SER_RS485_ENABLED))
		return mctrl;
	mctrl &= ~TIOCM_RTS;
	if (p->rs485.state == TTYDPC_RS485_IDLE)
		return mctrl | ttydpc_rs485_rts(flags, SER_RS485_RTS_AFTER_SEND);
	return mctrl | ttydpc_rs485_rts(flags, SER_RS485_RTS_ON_SEND);
}

static void ttydpc_rs485_set_state(struct ttydpc_port *p,
				   enum ttydpc_rs485_state state)
{
	bool was_idle = p->rs485.state == TTYDPC_RS485_IDLE;
	bool idle = state == TTYDPC_RS485_IDLE;

	p->rs485.state = state;
	if (was_idle != idle)
		ttydpc_set_mctrl(&p->port, p->port.mctrl);
}

/* RTS back to the after-send level; the receiver hears the bus again. */
static void ttydpc_rs485_end(struct ttydpc_port *p)
{
	ttydpc_rs485_set_state(p, TTYDPC_RS485_IDLE);
	if (p->rs485.rx_muted) {
		/* what the FIFO holds is our own echo */
		ttydpc_hw_set_fcr(p, UART_FCR_CLEAR_RCVR);
		p->rs485.rx_muted = false;
	}
}

static ktime_t ttydpc_rs485_char_time(struct ttydpc_port *p)
{
	return ns_to_ktime(max_t(u64, READ_ONCE(p->port.frame_time),
				 TTYDPC_RS485_POLL_MIN_NS));
}

/**
 * ttydpc_rs485_rx_drop() - empty the RX FIFO while the receiver is muted
 * @p: the port
 * @lsr: LSR as the hard IRQ path last read it
 * Return: LSR after the FIFO is empty.
 */
unsigned int ttydpc_rs485_rx_drop(struct ttydpc_port *p, unsigned int lsr)
{
	unsigned int n = p->port.fifosize + 1;

	while ((lsr & UART_LSR_DR) && n--) {
		ttydpc_in(p, UART_RX);
		lsr = ttydpc_in(p, UART_LSR);
	}
	return lsr;
}

/**
 * ttydpc_rs485_start_tx() - start_tx with RS-485 on
 * @p: the port
 */
void ttydpc_rs485_start_tx(struct ttydpc_port *p)
{
	struct ttydpc_rs485 *r = &p->rs485;
	u32 flags = p->port.rs485.flags;

	if (test_bit(TTYDPC_PORT_STOPPING, &p->state))
		return;
	switch (r->state) {
	case TTYDPC_RS485_LEAD:
		return;			/* the timer turns THRI on */
	case TTYDPC_RS485_IDLE:
		if (!ttydpc_xmit_pending(&p->port) && !p->port.x_char)
			return;		/* no pulse on RTS for nothing */
		r->rx_muted = !(flags & SER_RS485_RX_DURING_TX);
		if (p->port.rs485.delay_rts_before_send) {
			ttydpc_rs485_set_state(p, TTYDPC_RS485_LEAD);
			hrtimer_start(&r->timer,
				      ms_to_ktime(p->port.rs485.delay_rts_before_send),
				      HRTIMER_MODE_REL);
			return;
		}
		break;
	case TTYDPC_RS485_DRAIN:
	case TTYDPC_RS485_TAIL:
		/* RTS is still on: send on. A running callback sees SENDING. */
		hrtimer_try_to_cancel(&r->timer);
		break;
	case TTYDPC_RS485_SENDING:
		break;
	}
	ttydpc_rs485_set_state(p, TTYDPC_RS485_SENDING);
	ttydpc_set_ier(p, p->ier | UART_IER_THRI);
}

/**
 * ttydpc_rs485_tx_done() - the write queue ran empty: start the drain
 * @p: the port
 *
 * Also called by a TX purge, which leaves no THRE to end the transmission.
 *
 * Context: uart_port lock held.
 */
void ttydpc_rs485_tx_done(struct ttydpc_port *p)
{
	struct ttydpc_rs485 *r = &p->rs485;

	if (!ttydpc_rs485_on(p) || r->state != TTYDPC_RS485_SENDING ||
	    test_bit(TTYDPC_PORT_STOPPING, &p->state))
		return;
	r->state = TTYDPC_RS485_DRAIN;
	hrtimer_start(&r->timer, ttydpc_rs485_char_time(p), HRTIMER_MODE_REL);
}

static enum hrtimer_restart ttydpc_rs485_timer(struct hrtimer *t)
{
	struct ttydpc_port *p = container_of(t, struct ttydpc_port, rs485.timer);
	struct ttydpc_rs485 *r = &p->rs485;
	enum hrtimer_restart ret = HRTIMER_NORESTART;
	unsigned long flags;
	unsigned int lsr;

	uart_port_lock_irqsave(&p->port, &flags);
	if (test_bit(TTYDPC_PORT_STOPPING, &p->state))
		goto out;
	switch (r->state) {
	case TTYDPC_RS485_LEAD:
		r->state = TTYDPC_RS485_SENDING;
		ttydpc_set_ier(p, p->ier | UART_IER_THRI);
		break;
	case TTYDPC_RS485_DRAIN:
		lsr = ttydpc_in(p, UART_LSR);
		/* Reading LSR clears its error bits: keep them for the RX path. */
		p->lsr_saved |= lsr & UART_LSR_BRK_ERROR_BITS;
		if (!(lsr & UART_LSR_TEMT)) {
			hrtimer_forward_now(t, ttydpc_rs485_char_time(p));
			ret = HRTIMER_RESTART;
			break;
		}
		if (p->port.rs485.delay_rts_after_send) {
			r->state = TTYDPC_RS485_TAIL;
			hrtimer_forward_now(t, ms_to_ktime(p->port.rs485.delay_rts_after_send));
			ret = HRTIMER_RESTART;
			break;
		}
		ttydpc_rs485_end(p);
		break;
	case TTYDPC_RS485_TAIL:
		ttydpc_rs485_end(p);
		break;
	default:
		break;			/* start_tx took over */
	}
out:
	uart_port_unlock_irqrestore(&p->port, flags);
	return ret;
}

/* The core has checked and clamped @rs485, and stores it after this returns. */
static int ttydpc_rs485_config(struct uart_port *port, struct ktermios *termios,
			       struct serial_rs485 *rs485)
{
	struct ttydpc_port *p = to_ttydpc(port);
	struct ttydpc_rs485 *r = &p->rs485;

	/* a transmission in flight ends now (RS-485 off: the core sets RTS) */
	hrtimer_try_to_cancel(&r->timer);
	if (r->state == TTYDPC_RS485_LEAD)
		ttydpc_set_ier(p, p->ier | UART_IER_THRI);
	r->state = TTYDPC_RS485_IDLE;
	r->rx_muted = false;
	if (rs485->flags & SER_RS485_ENABLED)
		ttydpc_write_mcr(p, (port->mctrl & ~TIOCM_RTS) |
				 ttydpc_rs485_rts(rs485->flags, SER_RS485_RTS_AFTER_SEND));
	return 0;
}

/**
 * ttydpc_rs485_console_start() - RTS to on-send for a console write
 * @p: the port
 * @mcr: out: MCR as it was, for ttydpc_rs485_console_end()
 *
 * Only when no transmission holds RTS, whose drain ends the console's bytes
 * too. mdelay: interrupts may be off (the core clamps the delays to 100 ms).
 *
 * Context: uart_port lock held.
 * Return: true when RTS was raised (call ttydpc_rs485_console_end()).
 */
bool ttydpc_rs485_console_start(struct ttydpc_port *p, u8 *mcr)
{
	u32 flags = p->port.rs485.flags;
	u8 on;

	if (!(flags & SER_RS485_ENABLED) || p->rs485.state != TTYDPC_RS485_IDLE)
		return false;
	*mcr = ttydpc_in(p, UART_MCR);
	on = *mcr & ~UART_MCR_RTS;
	if (flags & SER_RS485_RTS_ON_SEND)
		on |= UART_MCR_RTS;
	ttydpc_out(p, UART_MCR, on);
	mdelay(p->port.rs485.delay_rts_before_send);
	return true;
}

/**
 * ttydpc_rs485_console_end() - RTS back after a console write
 * @p: the port, its transmitter empty (LSR TEMT)
 * @mcr: MCR as ttydpc_rs485_console_start() found it
 * Context: uart_port lock held.
 */
void ttydpc_rs485_console_end(struct ttydpc_port *p, u8 mcr)
{
	u32 flags = p->port.rs485.flags;

	mdelay(p->port.rs485.delay_rts_after_send);
	ttydpc_out(p, UART_MCR, mcr);
	if (!(flags & SER_RS485_RX_DURING_TX))
		ttydpc_hw_set_fcr(p, UART_FCR_CLEAR_RCVR);
}

/**
 * ttydpc_rs485_init() - what the port supports, and the firmware's settings
 * @p: the port, port.dev set
 * Return: 0 or the serial core's error (an rs485-term GPIO it cannot get).
 */
int ttydpc_rs485_init(struct ttydpc_port *p)
{
	struct uart_port *port = &p->port;

	hrtimer_init(&p->rs485.timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
	p->rs485.timer.function = ttydpc_rs485_timer;
	p->rs485.state = TTYDPC_RS485_IDLE;
	port->rs485_config = ttydpc_rs485_config;
	port->rs485_supported.flags = SER_RS485_ENABLED | SER_RS485_RTS_ON_SEND |
				      SER_RS485_RTS_AFTER_SEND |
				      SER_RS485_RX_DURING_TX;
	port->rs485_supported.delay_rts_before_send = 1;
	port->rs485_supported.delay_rts_after_send = 1;
	return uart_get_rs485_mode(port);
}

/**
 * ttydpc_rs485_stop() - end RS-485 activity at shutdown
 * @p: the port, TTYDPC_PORT_STOPPING set
 * Context: process; the port lock not held (waits for the timer).
 */
void ttydpc_rs485_stop(struct ttydpc_port *p)
{
	unsigned long flags;

	hrtimer_cancel(&p->rs485.timer);
	uart_port_lock_irqsave(&p->port, &flags);
	p->rs485.state = TTYDPC_RS485_IDLE;
	p->rs485.rx_muted = false;
	uart_port_unlock_irqrestore(&p->port, flags);
}
