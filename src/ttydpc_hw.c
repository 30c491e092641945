// SPDX-License-Identifier: GPL-2.0
/*
 * ttydpc_hw.c - register access (any context; callers racing the hard IRQ
 * handler hold the uart_port lock) and UART detection (probe, no lock).
 */
#include <linux/io.h>
#include <linux/irqflags.h>
#include <linux/serial_reg.h>

#include "ttydpc.h"

/**
 * ttydpc_in() - read a UART register
 * @p: the port
 * @reg: register index (UART_RX, UART_LSR, ...), scaled by regshift
 * Return: the register value.
 */
unsigned int ttydpc_in(struct ttydpc_port *p, unsigned int reg)
{
	unsigned int off = reg << p->port.regshift;

	switch (p->port.iotype) {
	case UPIO_MEM:
		return readb(p->port.membase + off);
	case UPIO_MEM32:
		return readl(p->port.membase + off) & 0xff;
	default:
		return inb(p->port.iobase + off);
	}
}

/**
 * ttydpc_out() - write a UART register
 * @p: the port
 * @reg: register index, scaled by regshift
 * @val: value to write
 */
void ttydpc_out(struct ttydpc_port *p, unsigned int reg, unsigned int val)
{
	unsigned int off = reg << p->port.regshift;

	switch (p->port.iotype) {
	case UPIO_MEM:
		writeb(val, p->port.membase + off);
		break;
	case UPIO_MEM32:
		writel(val, p->port.membase + off);
		break;
	default:
		outb(val, p->port.iobase + off);
		break;
	}
}

/**
 * ttydpc_hw_write_lcr() - write LCR, coping with a busy DesignWare UART
 * @p: the port
 * @lcr: new line control value
 *
 * A busy DesignWare UART ignores LCR writes: retry after emptying the FIFOs.
 * Context: uart_port lock held or port not yet live.
 */
void ttydpc_hw_write_lcr(struct ttydpc_port *p, u8 lcr)
{
	int tries = 10;

	ttydpc_out(p, UART_LCR, lcr);
	if (!p->dw_apb)
		return;
	while ((ttydpc_in(p, UART_LCR) & ~UART_LCR_SPAR) != (lcr & ~UART_LCR_SPAR) &&
	       tries--) {
		ttydpc_out(p, UART_FCR, UART_FCR_ENABLE_FIFO |
			   UART_FCR_CLEAR_RCVR | UART_FCR_CLEAR_XMIT);
		ttydpc_in(p, UART_RX);
		ttydpc_out(p, UART_LCR, lcr);
	}
}

static const unsigned char ttydpc_rx_triggers[] = { 1, 4, 8, 14 };

/**
 * ttydpc_fcr_for_trigger() - FCR trigger bits for a wanted RX trigger level
 * @p: the port
 * @bytes: wanted level in bytes
 * @actual: out: the level the UART will really use
 * Return: the FCR trigger bits (0 on UARTs without a usable FIFO).
 */
unsigned int ttydpc_fcr_for_trigger(struct ttydpc_port *p, unsigned int bytes,
				    unsigned int *actual)
{
	unsigned int i = 0;

	if (!(p->capabilities & TTYDPC_CAP_FIFO)) {
		*actual = 1;
		return 0;
	}
	while (i + 1 < ARRAY_SIZE(ttydpc_rx_triggers) &&
	       ttydpc_rx_triggers[i + 1] <= bytes)
		i++;
	*actual = ttydpc_rx_triggers[i];
	return i << UART_FCR_R_TRIG_SHIFT;
}

/**
 * ttydpc_hw_set_fcr() - program FCR from the port's FIFO settings
 * @p: the port
 * @extra: UART_FCR_CLEAR_* bits to add for this write only
 * Context: uart_port lock held, or port not live.
 */
void ttydpc_hw_set_fcr(struct ttydpc_port *p, unsigned int extra)
{
	if (!(p->capabilities & TTYDPC_CAP_FIFO))
		return;
	ttydpc_out(p, UART_FCR, p->fcr | extra);
}

/*
 * IER 0x0f raises THRI at once on a line that may be live (shared with an
 * open port of the card), whose handler cannot clear it: "irq N: nobody
 * cared". So local interrupts are off until IER is 0 again.
 */
static bool ttydpc_hw_present(struct ttydpc_port *p)
{
	unsigned int ier1, ier2;
	unsigned long flags;

	if (ttydpc_in(p, UART_LSR) == 0xff && ttydpc_in(p, UART_IIR) == 0xff)
		return false;
	local_irq_save(flags);
	ttydpc_out(p, UART_IER, 0);
	ier1 = ttydpc_in(p, UART_IER) & 0x0f;
	ttydpc_out(p, UART_IER, 0x0f);
	ier2 = ttydpc_in(p, UART_IER) & 0x0f;
	ttydpc_out(p, UART_IER, 0);
	local_irq_restore(flags);
	return ier1 == 0 && ier2 == 0x0f;
}

static bool ttydpc_hw_loopback_ok(struct ttydpc_port *p)
{
	unsigned int old_mcr = ttydpc_in(p, UART_MCR);
	unsigned int msr;

	ttydpc_out(p, UART_MCR, UART_MCR_LOOP | UART_MCR_OUT2 | UART_MCR_RTS);
	msr = ttydpc_in(p, UART_MSR) & 0xf0;
	ttydpc_out(p, UART_MCR, old_mcr);
	return msr == (UART_MSR_DCD | UART_MSR_CTS);
}

static bool ttydpc_hw_has_scratch(struct ttydpc_port *p)
{
	unsigned int old = ttydpc_in(p, UART_SCR);
	bool ok;

	ttydpc_out(p, UART_SCR, 0xa5);
	ok = ttydpc_in(p, UART_SCR) == 0xa5;
	ttydpc_out(p, UART_SCR, 0x5a);
	ok = ok && ttydpc_in(p, UART_SCR) == 0x5a;
	ttydpc_out(p, UART_SCR, old);
	return ok;
}

static bool ttydpc_hw_is_16750(struct ttydpc_port *p)
{
	unsigned int with_dlab, without;

	ttydpc_out(p, UART_LCR, UART_LCR_DLAB);
	ttydpc_out(p, UART_FCR, UART_FCR_ENABLE_FIFO | UART_FCR7_64BYTE);
	with_dlab = ttydpc_in(p, UART_IIR) >> 5;
	ttydpc_out(p, UART_LCR, 0);
	ttydpc_out(p, UART_FCR, UART_FCR_ENABLE_FIFO | UART_FCR7_64BYTE);
	without = ttydpc_in(p, UART_IIR) >> 5;
	ttydpc_out(p, UART_FCR, UART_FCR_ENABLE_FIFO);
	return with_dlab == 7 && without == 6;
}

/**
 * ttydpc_hw_detect() - find out whether a 16550-family UART answers, and which
 * @p: the port, with iotype, iobase/membase and regshift set
 *
 * Sets port.type, port.fifosize, tx_loadsz and capabilities.
 *
 * Context: probe; the IRQ line may be live (shared), so nothing here leaves
 * an interrupt source enabled.
 * Return: 0, or -ENODEV when no UART answers.
 */
int ttydpc_hw_detect(struct ttydpc_port *p)
{
	struct uart_port *port = &p->port;
	unsigned int fifo;

	if (!ttydpc_hw_present(p))
		return -ENODEV;
	if (!(port->flags & UPF_SKIP_TEST) && !ttydpc_hw_loopback_ok(p))
		return -ENODEV;

	ttydpc_out(p, UART_LCR, 0);
	ttydpc_out(p, UART_FCR, UART_FCR_ENABLE_FIFO);
	fifo = ttydpc_in(p, UART_IIR) >> 6;
	ttydpc_out(p, UART_FCR, 0);

	p->capabilities = 0;
	port->fifosize = 1;
	switch (fifo) {
	case 3:
		p->capabilities |= TTYDPC_CAP_FIFO;
		if (ttydpc_hw_is_16750(p)) {
			port->type = PORT_16750;
			port->fifosize = 64;
		} else {
			port->type = PORT_16550A;
			port->fifosize = 16;
		}
		ttydpc_out(p, UART_FCR, 0);
		break;
	case 2:
		/* The original 16550's FIFO is broken: run it as a 16450. */
		port->type = PORT_16550;
		break;
	default:
		port->type = ttydpc_hw_has_scratch(p) ? PORT_16450 : PORT_8250;
		break;
	}
	p->tx_loadsz = port->fifosize;
	ttydpc_out(p, UART_IER, 0);
	return 0;
}

/**
 * ttydpc_set_ier() - write IER if it changes
 * @p: the port
 * @ier: the new value
 *
 * While TTYDPC_PORT_STOPPING is set IER stays 0 whatever the caller asks:
 * the serial core calls enable_ms, set_termios and start_tx on a shut-down
 * port too, and with our handler gone a cause left enabled would hold a
 * shared line asserted until the kernel disables the IRQ.
 *
 * Context: uart_port lock held.
 */
void ttydpc_set_ier(struct ttydpc_port *p, u8 ier)
{
	if (test_bit(TTYDPC_PORT_STOPPING, &p->state))
		ier = 0;
	if (ier == p->ier)
		return;
	p->ier = ier;
	ttydpc_out(p, UART_IER, ier);
}
