// SPDX-License-Identifier: GPL-2.0
/*
 * ttydpc_console.c - polled I/O: the kernel console on a ttyDPC port
 * (console=ttyDPC<n>) and the kgdb hooks (poll_init, poll_get_char,
 * poll_put_char; kgdboc=ttyDPC<n>).
 *
 * Both run where the deferred design cannot: with interrupts off, in an
 * oops, in kgdb with every other CPU stopped. So they drive the UART's
 * registers and nothing else of the port: no queue, no deferred object,
 * no xmit buffer, no counter the deferred routines report. A user who
 * has the port open at the same time loses nothing: IER is saved, set to
 * 0 for the few character times of a console write and restored, and
 * whatever the hard IRQ path should have seen meanwhile is still pending
 * in the UART (RX data, THRE) or kept in lsr_saved (LSR error bits the
 * polling read cleared).
 *
 * Registration is the serial core's: the uart_driver's .cons is this
 * console, and uart_add_one_port() registers it when the port whose line
 * the command line names is added, i.e. when a bus binding binds it
 * after the module is loaded; uart_remove_one_port() unregisters it.
 *
 * RS-485: the console drives the direction as a transmission does. When
 * no transmission holds RTS at its on-send level, a console write raises
 * it, waits delay_rts_before_send, writes, waits for the transmitter to
 * empty and delay_rts_after_send, and puts MCR back (see
 * ttydpc_rs485_console_start()). kgdb does not: its output comes one
 * character at a time with no end in sight, and kgdb over a half duplex
 * bus is not supported.
 */
#include <linux/console.h>
#include <linux/delay.h>
#include <linux/nmi.h>
#include <linux/serial_reg.h>

#include "ttydpc.h"

/*
 * How long to wait for the transmitter per character: 10 ms is a character
 * at 1100 baud. A stalled or absent far end (flow control off, but a UART
 * that never gets rid of its byte) costs this per character, never a hang.
 */
#define TTYDPC_POLL_WAIT_US	10000

/*
 * Wait until LSR shows @bits, at most TTYDPC_POLL_WAIT_US. Reading LSR
 * clears its error bits: with the port lock held they are kept for the
 * RX path as tx_empty does; without it (an oops that could not take the
 * lock, kgdb) lsr_saved is not ours to write and they are lost.
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
 * One console write, the port lock held (@locked) or, in an oops, perhaps
 * not. One character at a time behind THRE (the FIFO may be off: a closed
 * port runs without it), then until the transmitter is empty, so that
 * IER goes back with nothing of ours left to raise THRE for.
 */
static void ttydpc_console_emit(struct ttydpc_port *p, const char *s,
				unsigned int count, bool locked)
{
	unsigned int i;
	bool rts;
	u8 ier, mcr = 0;

	/*
	 * The hardware's IER, not the shadow: without the lock the shadow
	 * may be half updated. THRI off keeps the hard IRQ path from feeding
	 * the FIFO under us; RDI off leaves received bytes in the UART.
	 */
	ier = ttydpc_in(p, UART_IER) & 0x0f;
	ttydpc_out(p, UART_IER, 0);
	rts = locked && ttydpc_rs485_console_start(p, &mcr);

	/*
	 * uart_console_write() would do the LF -> CR LF, but its putchar
	 * gets only the port: every LSR read of the THRE waits must know
	 * whether it may keep the error bits (a break, the SysRq prefix,
	 * coming in while the console writes).
	 */
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
 * console.write: any context, interrupts off included. In an oops the
 * lock may be held by the CPU that died, or by this one, interrupted
 * inside the hard IRQ path: it is only tried, and the write goes ahead
 * without it; a garbled line beats a hang.
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

/*
 * console.setup: called by register_console() from uart_add_one_port(),
 * with the options of console=ttyDPC<n>,<options>. The port is bound but
 * perhaps not open: set_termios programs the divisor, LCR and FIFO, and
 * leaves IER at 0 (ttydpc_set_ier() while TTYDPC_PORT_STOPPING).
 */
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
 * The core calls this only for a port nobody has open. Its startup has
 * not run and must not: the IRQ and the deferred objects would then run
 * under the debugger. So only the FIFO is switched on and emptied; IER
 * stays 0 and the line settings are kgdboc's (uart_set_options() after
 * this) or what the console or the last open left.
 *
 * Context: process, tty_port mutex held.
 * Return: 0.
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
 *
 * Every other CPU is stopped, perhaps one of them inside the port lock:
 * no lock is taken. With the port open, bytes that came before the
 * debugger stopped the machine went the usual way; from then on
 * interrupts are off and each one waits in the UART for this read.
 *
 * Context: kgdb (interrupts off, other CPUs stopped), or kgdboc's probe.
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
 *
 * A console write of one character, without the lock (see
 * ttydpc_poll_get_char()).
 *
 * Context: kgdb (interrupts off, other CPUs stopped).
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
