// SPDX-License-Identifier: GPL-2.0
/*
 * ttydpc_write.c - the write queue: the serial core's xmit buffer, fed into
 * the TX FIFO by the hard IRQ handler (under the uart_port lock, like every
 * xmit user), completed by ttydpc_dpc_write.
 */
#include <linux/serial_reg.h>

#include "ttydpc.h"

/**
 * ttydpc_tx_chars() - write one FIFO load
 * @p: the port
 * @causes: out: TTYDPC_CAUSE_TX to wake writers or report the queue empty
 * Context: hard IRQ, uart_port lock held.
 */
void ttydpc_tx_chars(struct ttydpc_port *p, unsigned long *causes)
{
	struct uart_port *port = &p->port;
	unsigned int room = p->tx_loadsz, sent = 0, pending;
	u8 ch;

	if (port->x_char) {
		ttydpc_out(p, UART_TX, port->x_char);
		port->icount.tx++;
		port->x_char = 0;
		room--;
		sent++;
	}
	if (uart_tx_stopped(port)) {
		ttydpc_set_ier(p, p->ier & ~UART_IER_THRI);
		goto out;
	}
	while (room && ttydpc_xmit_get(port, &ch)) {
		ttydpc_out(p, UART_TX, ch);
		room--;
		sent++;
	}
	pending = ttydpc_xmit_pending(port);
	if (!pending) {
		ttydpc_set_ier(p, p->ier & ~UART_IER_THRI);
		*causes |= BIT(TTYDPC_CAUSE_TX);
	} else if (sent && pending < WAKEUP_CHARS) {
		*causes |= BIT(TTYDPC_CAUSE_TX);
	}
out:
	if (sent)
		atomic_long_add(sent, &p->stats.tx_bytes);
}

/**
 * ttydpc_dpc_write() - wake writers; report the queue running empty
 * @p: the port
 * Context: softirq.
 */
void ttydpc_dpc_write(struct ttydpc_port *p)
{
	struct uart_port *port = &p->port;
	unsigned long flags;
	bool empty;

	if (!ttydpc_queue_enter(&p->tx.q))
		return;
	uart_port_lock_irqsave(port, &flags);
	empty = !ttydpc_xmit_pending(port) && !(p->ier & UART_IER_THRI);
	if (empty)
		ttydpc_rs485_tx_done(p);
	if (ttydpc_xmit_pending(port) < WAKEUP_CHARS)
		uart_write_wakeup(port);
	uart_port_unlock_irqrestore(port, flags);
	ttydpc_queue_leave(&p->tx.q);

	if (empty)
		ttydpc_wait_latch(p, TTYDPC_EV_TXEMPTY);
}

/**
 * ttydpc_start_tx() - uart_ops.start_tx: let THRE interrupts feed the FIFO
 * @port: the port
 *
 * THRI with THRE set interrupts at once: the hard IRQ path writes the FIFO.
 * Context: uart_port lock held, interrupts off.
 */
void ttydpc_start_tx(struct uart_port *port)
{
	struct ttydpc_port *p = to_ttydpc(port);

	if (port->rs485.flags & SER_RS485_ENABLED)
		ttydpc_rs485_start_tx(p);
	else
		ttydpc_set_ier(p, p->ier | UART_IER_THRI);
}

/**
 * ttydpc_stop_tx() - uart_ops.stop_tx
 * @port: the port
 * Context: uart_port lock held, interrupts off.
 */
void ttydpc_stop_tx(struct uart_port *port)
{
	struct ttydpc_port *p = to_ttydpc(port);

	ttydpc_set_ier(p, p->ier & ~UART_IER_THRI);
}

/**
 * ttydpc_write_queued() - bytes waiting to be transmitted
 * @p: the port
 * Context: uart_port lock held.
 * Return: the count.
 */
unsigned int ttydpc_write_queued(struct ttydpc_port *p)
{
	return ttydpc_xmit_pending(&p->port);
}

/**
 * ttydpc_write_discard() - drop queued output and the TX FIFO
 * @p: the port
 * Context: uart_port lock held.
 */
void ttydpc_write_discard(struct ttydpc_port *p)
{
	ttydpc_xmit_clear(&p->port);
	ttydpc_hw_set_fcr(p, UART_FCR_CLEAR_XMIT);
	ttydpc_set_ier(p, p->ier & ~UART_IER_THRI);
	/* no THRE will come to end an RS-485 transmission: end it here */
	ttydpc_rs485_tx_done(p);
}
