// SPDX-License-Identifier: GPL-2.0
/*
 * ttydpc_console.c - polled I/O: the console on ttyDPC<n> and the kgdb hooks.
 * They run where the deferred design cannot (interrupts off, oops, kgdb),
 * so they touch the UART's registers and nothing else of the port
 * (Documentation/ttydpc/design.rst, "Polled I/O").
 */
#include <linux/console.h>
#include <linux/delay.h>
#include <linux/nmi.h>
#include <linux/serial_reg.h>

#include "ttydpc.h"

/* 10 ms a character (1100 baud): a stuck transmitter costs time, not a hang */
#define TTYDPC_POLL_WAIT_US	10000

/*
 * Reading LSR clears its error bits: with the port lock held they are kept
 * for the RX path; without it (oops, kgdb) lsr_saved is not ours to write.
 */
static void ttydpc_poll_wait(struct ttydpc_port *p, unsigned int bits, bool locked)
{
	unsigned int us = TTYDPC_POLL_WAIT_US;
	unsigned int lsr;

	for (;;) {
		lsr = ttydpc_in(p, UART_LSR);
		if (locked)
			p->lsr_saved |= lsr & UART_LSR_BRK_ERROR_BITS;
		if ((lsr & bits) == bits || !us--)
			return;
		udelay(1);
	}
}

static void ttydpc_console_putchar(struct ttydpc_port *p, u8 ch, bool locked)
{
	ttydpc_poll_wait(p, UART_LSR_THRE, locked);
	ttydpc_out(p, UART_TX, ch);
}

/*
 * One character per THRE (a closed port runs without FIFO), then TEMT, so
 * IER goes back with nothing of ours left to raise THRE for.
 */
static void ttydpc_console_emit(struct ttydpc_port *p, const char *s,
				unsigned int count, bool locked)
{
	unsigned int i;
	bool rts;
	u8 ier, mcr = 0;

	/* the hardware's IER: the shadow may be mid-update without the lock */
	ier = ttydpc_in(p, UART_IER) & 0x0f;
	ttydpc_out(p, UART_IER, 0);
	rts = locked && ttydpc_rs485_console_start(p, &mcr);

	/* not uart_console_write(): each LSR read must know @locked */
	for (i = 0; i < count; i++) {
		if (s[i] == '\n')
			ttydpc_console_putchar(p, '\r', locked);
		ttydpc_console_putchar(p, s[i], locked);
	}
	ttydpc_poll_wait(p, UART_LSR_TEMT | UART_LSR_THRE, locked);

	if (rts)
		ttydpc_rs485_console_end(p, mcr);
	/* a THRI restored with THRE set raises THRE again: the user's bytes go on */
	ttydpc_out(p, UART_IER, ier);
}

/*
 * In an oops the lock may be held by a dead CPU or by this one inside the
 * IRQ path: only try it; a garbled line beats a hang.
 */
static void ttydpc_console_write(struct console *co, const char *s,
				 unsigned int count)
{
	struct ttydpc_port *p = ttydpc_port_on_line(co->index);
	unsigned long flags;

	if (!p)
		return;
	touch_nmi_watchdog();
	if (!oops_in_progress) {
		uart_port_lock_irqsave(&p->port, &flags);
		ttydpc_console_emit(p, s, count, true);
		uart_port_unlock_irqrestore(&p->port, flags);
	} else if (uart_port_trylock_irqsave(&p->port, &flags)) {
		ttydpc_console_emit(p, s, count, true);
		uart_port_unlock_irqrestore(&p->port, flags);
	} else {
		ttydpc_console_emit(p, s, count, false);
	}
}

/* The port may be closed: set_termios leaves IER at 0 while stopping. */
static int ttydpc_console_setup(struct console *co, char *options)
{
	int baud = 115200, bits = 8, parity = 'n', flow = 'n';
	struct ttydpc_port *p;

	if (co->index < 0 || co->index >= TTYDPC_NR_PORTS)
		return -ENODEV;
	p = ttydpc_port_on_line(co->index);
	if (!p)
		return -ENODEV;
	if (options)
		uart_parse_options(options, &baud, &parity, &bits, &flow);
	return uart_set_options(&p->port, co, baud, parity, bits, flow);
}

struct console ttydpc_console = {
	.name		= TTYDPC_DEV_NAME,
	.write		= ttydpc_console_write,
	.device		= uart_console_device,
	.setup		= ttydpc_console_setup,
	.flags		= CON_PRINTBUFFER,
	.index		= -1,
	.data		= &ttydpc_uart_driver,
};

#ifdef CONFIG_CONSOLE_POLL
/**
 * ttydpc_poll_init() - uart_ops.poll_init: kgdboc attaches to a closed port
 * @port: the port
 *
 * Only the FIFO is set up: startup would run the IRQ and the deferred
 * objects under the debugger.
 */
int ttydpc_poll_init(struct uart_port *port)
{
	struct ttydpc_port *p = to_ttydpc(port);
	unsigned long flags;

	uart_port_lock_irqsave(port, &flags);
	ttydpc_hw_set_fcr(p, UART_FCR_CLEAR_RCVR | UART_FCR_CLEAR_XMIT);
	uart_port_unlock_irqrestore(port, flags);
	return 0;
}

/**
 * ttydpc_poll_get_char() - uart_ops.poll_get_char: one received byte for kgdb
 * @port: the port
 * Context: kgdb; no lock, as another CPU may have stopped inside it.
 * Return: the byte, or NO_POLL_CHAR.
 */
int ttydpc_poll_get_char(struct uart_port *port)
{
	struct ttydpc_port *p = to_ttydpc(port);

	if (!(ttydpc_in(p, UART_LSR) & UART_LSR_DR))
		return NO_POLL_CHAR;
	return ttydpc_in(p, UART_RX);
}

/**
 * ttydpc_poll_put_char() - uart_ops.poll_put_char: send one byte for kgdb
 * @port: the port
 * @ch: the byte
 * Context: kgdb; no lock (see ttydpc_poll_get_char()).
 */
void ttydpc_poll_put_char(struct uart_port *port, unsigned char ch)
{
	struct ttydpc_port *p = to_ttydpc(port);
	u8 ier = ttydpc_in(p, UART_IER) & 0x0f;

	ttydpc_out(p, UART_IER, 0);
	ttydpc_poll_wait(p, UART_LSR_THRE, false);
	ttydpc_out(p, UART_TX, ch);
	ttydpc_poll_wait(p, UART_LSR_TEMT | UART_LSR_THRE, false);
	ttydpc_out(p, UART_IER, ier);
}
#endif
