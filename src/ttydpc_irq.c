// SPDX-License-Identifier: GPL-2.0
/*
 * ttydpc_irq.c - the hard IRQ path: only what must happen at interrupt level.
 *
 * Per interrupt it reads IIR, moves received bytes from the RX FIFO into
 * the read queue's ring, latches line and modem status, and feeds or stops
 * the transmitter. Everything else - handing data to the tty layer, waking
 * writers, reporting errors and events, ending requests - is deferred to
 * the port's deferred objects (ttydpc_dpc.c). It calls nothing in the tty
 * layer. The one thing it completes itself is SysRq on a break (on the
 * console's port): ttydpc_read.c says why that cannot be deferred.
 *
 * Upper bound of work per interrupt: TTYDPC_IRQ_PASSES passes over IIR;
 * per pass at most TTYDPC_IRQ_RX_BUDGET bytes read and one TX FIFO load
 * (tx_loadsz bytes) written.
 *
 * Context: hard IRQ (a threaded handler under PREEMPT_RT, where the port
 * lock is a sleeping lock; nothing here depends on which).
 */
#include <linux/serial_reg.h>

#include "ttydpc.h"
#include "ttydpc_iir.h"

/**
 * ttydpc_irq() - interrupt handler of one port
 * @irq: the IRQ number
 * @dev_id: the struct ttydpc_port
 *
 * Context: hard IRQ.
 * Return: IRQ_NONE when the UART has no interrupt pending (a shared line),
 * IRQ_HANDLED otherwise.
 */
irqreturn_t ttydpc_irq(int irq, void *dev_id)
{
	struct ttydpc_port *p = dev_id;
	unsigned int passes = TTYDPC_IRQ_PASSES;
	enum ttydpc_iir_cause cause;
	unsigned long causes = 0;
	unsigned int iir, lsr;

	atomic_long_inc(&p->stats.irq[TTYDPC_IRQ_TOTAL]);
	/*
	 * IIR is read under the lock, never before it: whoever holds the
	 * lock may empty the RX FIFO (a purge, tcflush, the DesignWare LCR
	 * retry, a new trigger level), and an RDI seen before that would
	 * make ttydpc_rx_chars() read rx_trigger bytes from a FIFO that has
	 * fewer: reads of an empty RBR delivered as data. Under the lock an
	 * RDI guarantees the bytes until we are done. A line shared with
	 * another device costs an uncontended lock, not a register read.
	 */
	uart_port_lock(&p->port);
	iir = ttydpc_in(p, UART_IIR);
	cause = ttydpc_iir_decode(iir, p->dw_apb);
	if (cause == TTYDPC_IIR_NONE) {
		uart_port_unlock(&p->port);
		atomic_long_inc(&p->stats.irq[TTYDPC_IRQ_NONE]);
		return IRQ_NONE;
	}

	for (;;) {
		switch (cause) {
		case TTYDPC_IIR_RX_DATA:
			atomic_long_inc(&p->stats.irq[TTYDPC_IRQ_RX_DATA]);
			break;
		case TTYDPC_IIR_RX_TIMEOUT:
			atomic_long_inc(&p->stats.irq[TTYDPC_IRQ_RX_TIMEOUT]);
			break;
		case TTYDPC_IIR_THRE:
			atomic_long_inc(&p->stats.irq[TTYDPC_IRQ_THRE]);
			break;
		case TTYDPC_IIR_LINE:
			atomic_long_inc(&p->stats.irq[TTYDPC_IRQ_LINE]);
			break;
		case TTYDPC_IIR_MODEM:
			atomic_long_inc(&p->stats.irq[TTYDPC_IRQ_MODEM]);
			ttydpc_modem_check(p, ttydpc_in(p, UART_MSR), &causes);
			break;
		case TTYDPC_IIR_BUSY:
			/*
			 * An LCR write hit a busy DesignWare UART: its level
			 * interrupt stays up until USR is read.
			 */
			atomic_long_inc(&p->stats.irq[TTYDPC_IRQ_BUSY]);
			ttydpc_in(p, p->dw_usr);
			break;
		default:
			break;
		}

		lsr = ttydpc_in(p, UART_LSR) | p->lsr_saved;
		p->lsr_saved = 0;
		if (unlikely(p->rs485.rx_muted))
			lsr = ttydpc_rs485_rx_drop(p, lsr);
		else if (lsr & (UART_LSR_DR | UART_LSR_BRK_ERROR_BITS))
			lsr = ttydpc_rx_chars(p, iir, lsr, &causes);
		/*
		 * Feed the transmitter whenever THRE shows, not only on a THRI
		 * cause: some 16550s lose THRI behind a higher-priority cause.
		 */
		if ((lsr & UART_LSR_THRE) && (p->ier & UART_IER_THRI))
			ttydpc_tx_chars(p, &causes);

		if (!--passes) {
			/*
			 * Budget spent. Reading IIR again would clear a THRE
			 * interrupt we will not serve; instead leave it
			 * pending and pulse IER so an edge-triggered line
			 * sees a new edge and calls us back.
			 */
			ttydpc_out(p, UART_IER, 0);
			ttydpc_out(p, UART_IER, p->ier);
			break;
		}
		iir = ttydpc_in(p, UART_IIR);
		cause = ttydpc_iir_decode(iir, p->dw_apb);
		if (cause == TTYDPC_IIR_NONE)
			break;
	}
	/*
	 * A SysRq key the RX path took (ttydpc_rx_sysrq()) runs here, after
	 * the unlock: its handler prints through the console, which takes
	 * this lock, and SysRq-g enters kgdb, which polls this UART.
	 */
	uart_unlock_and_check_sysrq(&p->port);

	ttydpc_dpc_raise_mask(p, causes);
	return IRQ_HANDLED;
}
