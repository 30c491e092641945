// SPDX-License-Identifier: GPL-2.0
/*
 * ttydpc_uart.c - struct uart_ops: how the serial core drives a ttydpc port.
 * The order of the shutdown steps keeps every routine away from a closed
 * port: Documentation/ttydpc/design.rst, 'Teardown'.
 */
#include <linux/delay.h>
#include <linux/irq.h>
#include <linux/serial_reg.h>
#include <linux/tty.h>

#include "ttydpc.h"

static void ttydpc_clear_pending(struct ttydpc_port *p)
{
	ttydpc_hw_set_fcr(p, UART_FCR_CLEAR_RCVR | UART_FCR_CLEAR_XMIT);
	ttydpc_in(p, UART_LSR);
	ttydpc_in(p, UART_RX);
	ttydpc_in(p, UART_IIR);
	ttydpc_in(p, UART_MSR);
}

/*
 * The core waits for tx_empty only about two FIFO times before shutdown:
 * give the TX FIFO a while more so a close does not cut a write's tail off.
 * Bounded (TTYDPC_DRAIN_MAX_MS): a transmitter held off by CTS may never
 * drain, the core has already waited closing_wait, and close must not hang.
 */
#define TTYDPC_DRAIN_MAX_MS	1000

static void ttydpc_wait_tx_drained(struct ttydpc_port *p)
{
	u64 fifo_ns = (u64)READ_ONCE(p->port.frame_time) * p->port.fifosize;
	unsigned long expire = jiffies + msecs_to_jiffies(200) +
			       min(nsecs_to_jiffies(2 * fifo_ns),
				   msecs_to_jiffies(TTYDPC_DRAIN_MAX_MS));

	while (!(ttydpc_in(p, UART_LSR) & UART_LSR_TEMT) &&
	       time_before(jiffies, expire))
		usleep_range(200, 400);
}

static int ttydpc_startup(struct uart_port *port)
{
	struct ttydpc_port *p = to_ttydpc(port);
	struct ttydpc_queue *q;
	struct irq_data *irqd;
	unsigned long flags;
	unsigned int i;
	int ret;

	p->ier = 0;
	ttydpc_out(p, UART_IER, 0);
	ttydpc_clear_pending(p);
	if (ttydpc_in(p, UART_LSR) == 0xff) {
		dev_err(p->dev, "UART at %s gone (LSR 0xff)\n", port->name);
		return -ENODEV;
	}
	ttydpc_read_init(p);
	ttydpc_rxmod_start(p);
	p->pending = 0;
	p->lsr_saved = 0;
	atomic_set(&p->latched_lsr, 0);
	atomic_set(&p->latched_msr, 0);
	/*
	 * A resume comes through here too: the event mask and latched events
	 * belong to the open file, like its termios, and survive it.
	 */
	if (!tty_port_suspended(&port->state->port)) {
		atomic_set(&p->wait.latched, 0);
		p->wait.mask = 0;
		p->ms_events = false;
	}
	/* set_termios follows startup and says what the termios want */
	p->ms_termios = false;
	p->ms_miwait = false;
	for (i = 0; (q = ttydpc_port_queue(p, i)); i++)
		ttydpc_queue_start(q);

	ret = request_irq(port->irq, ttydpc_irq, port->irqflags,
			  dev_name(p->dev), p);
	if (ret) {
		dev_err(p->dev, "cannot get IRQ %u: %d\n", port->irq, ret);
		goto err;
	}
	irqd = irq_get_irq_data(port->irq);

	/* IER only now: a cause enabled before our handler nobody clears */
	uart_port_lock_irqsave(port, &flags);
	p->irq_level = irqd && irqd_is_level_type(irqd);
	clear_bit(TTYDPC_PORT_STOPPING, &p->state);
	ttydpc_hw_write_lcr(p, UART_LCR_WLEN8);
	p->lcr = UART_LCR_WLEN8;
	ttydpc_hw_set_fcr(p, UART_FCR_CLEAR_RCVR | UART_FCR_CLEAR_XMIT);
	p->msr = ttydpc_in(p, UART_MSR) & 0xf0;
	/* PC serial ports gate their IRQ line with OUT2. */
	if (port->iotype == UPIO_PORT)
		port->mctrl |= TIOCM_OUT2;
	ttydpc_set_mctrl(port, port->mctrl);
	ttydpc_set_ier(p, UART_IER_RDI | UART_IER_RLSI);
	set_bit(TTYDPC_PORT_OPEN, &p->state);
	uart_port_unlock_irqrestore(port, flags);
	return 0;
err:
	set_bit(TTYDPC_PORT_STOPPING, &p->state);
	for (i = 0; (q = ttydpc_port_queue(p, i)); i++)
		ttydpc_queue_stop(q, -EIO);
	return ret;
}

/**
 * ttydpc_port_stop() - undo a successful startup, once
 * @p: the port
 *
 * The body of ->shutdown, also called by ttydpc_port_unregister() for an
 * open that blocked on carrier (no ->shutdown then); TTYDPC_PORT_OPEN makes
 * the second call a no-op. See Documentation/ttydpc/design.rst, 'Teardown'.
 *
 * Context: process, may sleep.
 */
void ttydpc_port_stop(struct ttydpc_port *p)
{
	struct uart_port *port = &p->port;
	struct ttydpc_queue *q;
	unsigned long flags;
	unsigned int i;
	bool suspend;

	if (!test_bit(TTYDPC_PORT_OPEN, &p->state))
		return;

	uart_port_lock_irqsave(port, &flags);
	set_bit(TTYDPC_PORT_STOPPING, &p->state);
	ttydpc_set_ier(p, 0);
	uart_port_unlock_irqrestore(port, flags);

	free_irq(port->irq, p);			/* waits for the handler */
	timer_delete_sync(&p->timer);
	ttydpc_dpc_stop(p);			/* waits for every routine */
	ttydpc_rxmod_stop(p);			/* they arm its timer */
	ttydpc_rs485_stop(p);			/* they may have started it */
	timer_delete_sync(&p->timer);		/* a routine may have armed it */
	/* a suspend ends waits with -EAGAIN: the event file restarts them */
	suspend = tty_port_suspended(&port->state->port);
	for (i = 0; (q = ttydpc_port_queue(p, i)); i++)	/* waits for every agent */
		ttydpc_queue_stop(q, suspend && q == &p->wait.q ? -EAGAIN : -EIO);
	ttydpc_wait_tx_drained(p);

	uart_port_lock_irqsave(port, &flags);
	clear_bit(TTYDPC_PORT_OPEN, &p->state);
	p->lcr &= ~UART_LCR_SBC;
	ttydpc_hw_write_lcr(p, p->lcr);
	if (port->iotype == UPIO_PORT)
		port->mctrl &= ~TIOCM_OUT2;
	ttydpc_set_mctrl(port, port->mctrl);
	ttydpc_clear_pending(p);
	ttydpc_out(p, UART_FCR, 0);
	uart_port_unlock_irqrestore(port, flags);
}

static void ttydpc_shutdown(struct uart_port *port)
{
	ttydpc_port_stop(to_ttydpc(port));
}

static unsigned int ttydpc_tx_empty(struct uart_port *port)
{
	struct ttydpc_port *p = to_ttydpc(port);
	unsigned long flags;
	unsigned int lsr;

	uart_port_lock_irqsave(port, &flags);
	lsr = ttydpc_in(p, UART_LSR);
	/* Reading LSR clears its error bits: keep them for the RX path. */
	p->lsr_saved |= lsr & UART_LSR_BRK_ERROR_BITS;
	uart_port_unlock_irqrestore(port, flags);

	return (lsr & (UART_LSR_TEMT | UART_LSR_THRE)) ==
	       (UART_LSR_TEMT | UART_LSR_THRE) ? TIOCSER_TEMT : 0;
}

static void ttydpc_stop_rx(struct uart_port *port)
{
	struct ttydpc_port *p = to_ttydpc(port);

	port->read_status_mask &= ~UART_LSR_DR;
	ttydpc_set_ier(p, p->ier & ~(UART_IER_RDI | UART_IER_RLSI));
}

static void ttydpc_break_ctl(struct uart_port *port, int ctl)
{
	struct ttydpc_port *p = to_ttydpc(port);
	unsigned long flags;

	uart_port_lock_irqsave(port, &flags);
	if (ctl == -1)
		p->lcr |= UART_LCR_SBC;
	else
		p->lcr &= ~UART_LCR_SBC;
	ttydpc_hw_write_lcr(p, p->lcr);
	uart_port_unlock_irqrestore(port, flags);
}

/* The core has emptied xmit (TCOFLUSH, close): empty the TX FIFO too. */
static void ttydpc_flush_buffer(struct uart_port *port)
{
	ttydpc_hw_set_fcr(to_ttydpc(port), UART_FCR_CLEAR_XMIT);
}

static u8 ttydpc_lcr_from_cflag(tcflag_t cflag)
{
	u8 lcr = UART_LCR_WLEN(tty_get_char_size(cflag));

	if (cflag & CSTOPB)
		lcr |= UART_LCR_STOP;
	if (cflag & PARENB) {
		lcr |= UART_LCR_PARITY;
		if (!(cflag & PARODD))
			lcr |= UART_LCR_EPAR;
		if (cflag & CMSPAR)
			lcr |= UART_LCR_SPAR;
	}
	return lcr;
}

static void ttydpc_set_termios(struct uart_port *port, struct ktermios *termios,
			       const struct ktermios *old)
{
	struct ttydpc_port *p = to_ttydpc(port);
	unsigned int baud, quot, actual;
	unsigned long flags;
	u8 lcr;

	lcr = ttydpc_lcr_from_cflag(termios->c_cflag);
	baud = uart_get_baud_rate(port, termios, old,
				  port->uartclk / 16 / 0xffff, port->uartclk / 16);
	if (!baud) {
		/* a clock no rate fits (bindings refuse them): no div by 0 */
		baud = max(port->uartclk / 16, 1U);
		dev_err_ratelimited(p->dev, "%s: no baud rate fits a %u Hz clock, using %u\n",
				    port->name, port->uartclk, baud);
		tty_termios_encode_baud_rate(termios, baud, baud);
	}
	quot = clamp_t(unsigned int, DIV_ROUND_CLOSEST(port->uartclk, 16 * baud),
		       1, 0xffff);
	actual = port->uartclk / (16 * quot);

	uart_port_lock_irqsave(port, &flags);
	uart_update_timeout(port, termios->c_cflag, actual);

	port->read_status_mask = UART_LSR_OE | UART_LSR_THRE | UART_LSR_DR;
	if (termios->c_iflag & INPCK)
		port->read_status_mask |= UART_LSR_FE | UART_LSR_PE;
	if (termios->c_iflag & (IGNBRK | BRKINT | PARMRK))
		port->read_status_mask |= UART_LSR_BI;
	port->ignore_status_mask = 0;
	if (termios->c_iflag & IGNPAR)
		port->ignore_status_mask |= UART_LSR_PE | UART_LSR_FE;
	if (termios->c_iflag & IGNBRK) {
		port->ignore_status_mask |= UART_LSR_BI;
		if (termios->c_iflag & IGNPAR)
			port->ignore_status_mask |= UART_LSR_OE;
	}
	if (!(termios->c_cflag & CREAD))
		port->ignore_status_mask |= UART_LSR_DR;

	/* a modem wait (TIOCMIWAIT, event mask) keeps MSI on regardless */
	p->ms_termios = UART_ENABLE_MS(port, termios->c_cflag);
	ttydpc_update_msi(p);

	p->lcr = lcr | (p->lcr & UART_LCR_SBC);
	ttydpc_hw_write_lcr(p, p->lcr | UART_LCR_DLAB);
	ttydpc_out(p, UART_DLL, quot & 0xff);
	ttydpc_out(p, UART_DLM, quot >> 8);
	ttydpc_hw_write_lcr(p, p->lcr);
	ttydpc_hw_set_fcr(p, 0);
	uart_port_unlock_irqrestore(port, flags);

	/* Report the rate the divisor really gives, not the one asked for. */
	if (tty_termios_baud_rate(termios))
		tty_termios_encode_baud_rate(termios, actual, actual);
}

static const char *ttydpc_type(struct uart_port *port)
{
	switch (port->type) {
	case PORT_8250:
		return "8250";
	case PORT_16450:
		return "16450";
	case PORT_16550:
		return "16550";
	case PORT_16550A:
		return "16550A";
	case PORT_16750:
		return "16750";
	default:
		return NULL;
	}
}

/* Resources belong to the bus binding (devm); nothing to do here. */
static void ttydpc_release_port(struct uart_port *port)
{
}

static int ttydpc_request_port(struct uart_port *port)
{
	return 0;
}

static void ttydpc_config_port(struct uart_port *port, int flags)
{
}

static int ttydpc_verify_port(struct uart_port *port, struct serial_struct *ser)
{
	if (ser->type != PORT_UNKNOWN && ser->type != port->type)
		return -EINVAL;
	if (ser->irq != port->irq || ser->io_type != port->iotype)
		return -EINVAL;
	if (ser->port != port->iobase || ser->iomem_reg_shift != port->regshift)
		return -EINVAL;
	/*
	 * UPF_FIXED_PORT: the core never changes the clock, so another
	 * baud_base would be silently ignored (a huge one even wraps).
	 */
	if (ser->baud_base != port->uartclk / 16) {
		dev_err_ratelimited(port->dev, "%s: baud_base %d refused: the clock gives %u\n",
				    port->name, ser->baud_base, port->uartclk / 16);
		return -EINVAL;
	}
	return 0;
}

/* Only TCFLSH: the Windows-style calls live on /dev/ttydpc. */
static int ttydpc_uart_ioctl(struct uart_port *port, unsigned int cmd,
			     unsigned long arg)
{
	if (cmd == TCFLSH)
		return ttydpc_tcflush(to_ttydpc(port), arg);
	return -ENOIOCTLCMD;
}

const struct uart_ops ttydpc_uart_ops = {
	.tx_empty	= ttydpc_tx_empty,
	.set_mctrl	= ttydpc_set_mctrl,
	.get_mctrl	= ttydpc_get_mctrl,
	.stop_tx	= ttydpc_stop_tx,
	.start_tx	= ttydpc_start_tx,
	.stop_rx	= ttydpc_stop_rx,
	.enable_ms	= ttydpc_enable_ms,
	.break_ctl	= ttydpc_break_ctl,
	.startup	= ttydpc_startup,
	.shutdown	= ttydpc_shutdown,
	.flush_buffer	= ttydpc_flush_buffer,
	.set_termios	= ttydpc_set_termios,
	.type		= ttydpc_type,
	.release_port	= ttydpc_release_port,
	.request_port	= ttydpc_request_port,
	.config_port	= ttydpc_config_port,
	.verify_port	= ttydpc_verify_port,
	.ioctl		= ttydpc_uart_ioctl,
#ifdef CONFIG_CONSOLE_POLL
	.poll_init	= ttydpc_poll_init,
	.poll_get_char	= ttydpc_poll_get_char,
	.poll_put_char	= ttydpc_poll_put_char,
#endif
};
