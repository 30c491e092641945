// SPDX-License-Identifier: GPL-2.0
/*
 * ttydpc_irq.c - the hard IRQ path: only what must happen at interrupt level
 * (FIFO to ring, THR feeding, latching status); everything else is deferred
 * (Documentation/ttydpc/design.rst, 'Data path'). It calls nothing in the tty
 * layer; the one thing it completes itself is SysRq (ttydpc_read.c).
 * Threaded on PREEMPT_RT; nothing here depends on that.
 */
#include <linux/serial_reg.h>

#include "ttydpc.h"
#include "ttydpc_iir.h"

/**
 * ttydpc_irq() - interrupt handler of one port
 * @irq: the IRQ number
 * @dev_id: the struct ttydpc_port
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
	 * IIR only under the lock: its holders may empty the RX FIFO, and a
	 * stale RDI would make the burst read an empty RBR as data.
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
			/* busy DesignWare: the interrupt stays up until USR is read */
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
			 * Budget spent: reading IIR would clear a THRE we will
			 * not serve. A level line stays asserted and calls us
			 * again; an edge line (ISA, MSI) needs an IER pulse.
			 */
			if (!p->irq_level) {
				ttydpc_out(p, UART_IER, 0);
				ttydpc_out(p, UART_IER, p->ier);
			}
			break;
		}
		iir = ttydpc_in(p, UART_IIR);
		cause = ttydpc_iir_decode(iir, p->dw_apb);
		if (cause == TTYDPC_IIR_NONE)
			break;
	}
	/* SysRq after the unlock: it prints via the console, which locks */
	uart_unlock_and_check_sysrq(&p->port);

	ttydpc_dpc_raise_mask(p, causes);
	return IRQ_HANDLED;
}
