// SPDX-License-Identifier: GPL-2.0
/*
 * ttydpc_modem.c - modem lines and line status events: latched in the hard
 * IRQ path, completed in ttydpc_dpc_modem() and ttydpc_dpc_error().
 */
#include <linux/serial_reg.h>

#include "ttydpc.h"

#define TTYDPC_MSR_STATUS	(UART_MSR_CTS | UART_MSR_DSR | UART_MSR_RI | UART_MSR_DCD)

/**
 * ttydpc_modem_check() - latch modem line changes
 * @p: the port
 * @msr: an MSR value just read
 * @causes: out: TTYDPC_CAUSE_MODEM when something changed
 *
 * Compares with the last MSR seen: some UARTs (and QEMU's) lose or never
 * set the delta bits.
 * Context: uart_port lock held.
 */
void ttydpc_modem_check(struct ttydpc_port *p, unsigned int msr,
			unsigned long *causes)
{
	unsigned int changed = (msr ^ p->msr) & TTYDPC_MSR_STATUS;
	unsigned int delta = msr & UART_MSR_ANY_DELTA;

	if (changed & UART_MSR_CTS)
		delta |= UART_MSR_DCTS;
	if (changed & UART_MSR_DSR)
		delta |= UART_MSR_DDSR;
	if (changed & UART_MSR_DCD)
		delta |= UART_MSR_DDCD;
	if ((changed & UART_MSR_RI) && !(msr & UART_MSR_RI))
		delta |= UART_MSR_TERI;
	p->msr = msr & TTYDPC_MSR_STATUS;
	if (!delta)
		return;
	atomic_or(delta, &p->latched_msr);
	*causes |= BIT(TTYDPC_CAUSE_MODEM);
}

/**
 * ttydpc_dpc_modem() - complete modem status changes
 * @p: the port
 */
void ttydpc_dpc_modem(struct ttydpc_port *p)
{
	struct uart_port *port = &p->port;
	unsigned int delta = atomic_xchg(&p->latched_msr, 0);
	unsigned long flags;
	u32 events = 0;
	u8 msr;

	if (!delta)
		return;
	uart_port_lock_irqsave(port, &flags);
	msr = p->msr;
	if (delta & UART_MSR_TERI) {
		port->icount.rng++;
		events |= TTYDPC_EV_RING;
	}
	if (delta & UART_MSR_DDSR) {
		port->icount.dsr++;
		events |= TTYDPC_EV_DSR;
	}
	if (delta & UART_MSR_DDCD) {
		uart_handle_dcd_change(port, msr & UART_MSR_DCD);
		events |= TTYDPC_EV_RLSD;
	}
	if (delta & UART_MSR_DCTS) {
		uart_handle_cts_change(port, msr & UART_MSR_CTS);
		events |= TTYDPC_EV_CTS;
	}
	uart_port_unlock_irqrestore(port, flags);
	wake_up_interruptible(&port->state->port.delta_msr_wait);
	ttydpc_wait_latch(p, events);
}

/**
 * ttydpc_dpc_error() - latch line errors and breaks for GET_COMMSTATUS and events
 * @p: the port
 *
 * The errors themselves travel with their bytes through the read queue.
 */
void ttydpc_dpc_error(struct ttydpc_port *p)
{
	unsigned int lsr = atomic_xchg(&p->latched_lsr, 0);
	u32 errors = 0, events = 0;

	if (lsr & UART_LSR_BI) {
		errors |= TTYDPC_ERR_BREAK;
		events |= TTYDPC_EV_BREAK;
	}
	if (lsr & UART_LSR_FE)
		errors |= TTYDPC_ERR_FRAME;
	if (lsr & UART_LSR_PE)
		errors |= TTYDPC_ERR_PARITY;
	if (lsr & UART_LSR_OE)
		errors |= TTYDPC_ERR_OVERRUN;
	if (lsr & (UART_LSR_FE | UART_LSR_PE | UART_LSR_OE))
		events |= TTYDPC_EV_ERR;
	atomic_or(errors, &p->comm_errors);
	ttydpc_wait_latch(p, events);
}

/**
 * ttydpc_set_mctrl() - uart_ops.set_mctrl; RTS is RS-485's when it is on
 * @port: the port
 * @mctrl: TIOCM_* bits
 */
void ttydpc_set_mctrl(struct uart_port *port, unsigned int mctrl)
{
	struct ttydpc_port *p = to_ttydpc(port);

	ttydpc_write_mcr(p, ttydpc_rs485_mctrl(p, mctrl));
}

/**
 * ttydpc_write_mcr() - write MCR from TIOCM_* bits as given
 * @p: the port
 * @mctrl: TIOCM_* bits; RTS is not adjusted for RS-485
 *
 * In loopback MSR follows MCR at once: check it so that TIOCMIWAIT and
 * event waits see the change.
 */
void ttydpc_write_mcr(struct ttydpc_port *p, unsigned int mctrl)
{
	unsigned long causes = 0;
	u8 mcr = p->mcr;

	if (mctrl & TIOCM_RTS)
		mcr |= UART_MCR_RTS;
	if (mctrl & TIOCM_DTR)
		mcr |= UART_MCR_DTR;
	if (mctrl & TIOCM_OUT1)
		mcr |= UART_MCR_OUT1;
	if (mctrl & TIOCM_OUT2)
		mcr |= UART_MCR_OUT2;
	if (mctrl & TIOCM_LOOP)
		mcr |= UART_MCR_LOOP;
	ttydpc_out(p, UART_MCR, mcr);
	if (mcr & UART_MCR_LOOP) {
		ttydpc_modem_check(p, ttydpc_in(p, UART_MSR), &causes);
		ttydpc_dpc_raise_mask(p, causes);
	}
}

/**
 * ttydpc_get_mctrl() - uart_ops.get_mctrl
 * @port: the port
 */
unsigned int ttydpc_get_mctrl(struct uart_port *port)
{
	struct ttydpc_port *p = to_ttydpc(port);
	unsigned int msr = ttydpc_in(p, UART_MSR);
	unsigned long causes = 0;
	unsigned int ret = 0;

	ttydpc_modem_check(p, msr, &causes);
	ttydpc_dpc_raise_mask(p, causes);
	if ((msr & UART_MSR_DCD) && !atomic_read(&p->carrier_off))
		ret |= TIOCM_CAR;
	if (msr & UART_MSR_RI)
		ret |= TIOCM_RNG;
	if (msr & UART_MSR_DSR)
		ret |= TIOCM_DSR;
	if (msr & UART_MSR_CTS)
		ret |= TIOCM_CTS;
	return ret;
}

/**
 * ttydpc_update_msi() - modem status interrupt on while anyone listens
 * @p: the port
 *
 * MSR is read when it goes on: a stale p->msr from when nobody listened
 * would end a new wait with an old change.
 * Context: uart_port lock held.
 */
void ttydpc_update_msi(struct ttydpc_port *p)
{
	bool on = p->ms_termios || p->ms_miwait || p->ms_events;

	if (on && !(p->ier & UART_IER_MSI) &&
	    !test_bit(TTYDPC_PORT_STOPPING, &p->state))
		p->msr = ttydpc_in(p, UART_MSR) & TTYDPC_MSR_STATUS;
	ttydpc_set_ier(p, on ? p->ier | UART_IER_MSI : p->ier & ~UART_IER_MSI);
}

/**
 * ttydpc_enable_ms() - uart_ops.enable_ms
 * @port: the port
 *
 * The core never says when its TIOCMIWAIT ends: MSI stays on until shutdown.
 */
void ttydpc_enable_ms(struct uart_port *port)
{
	struct ttydpc_port *p = to_ttydpc(port);

	p->ms_miwait = true;
	ttydpc_update_msi(p);
}
