/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ttydpc_iir.h - what an IIR value asks the interrupt handler to do.
 *
 * No kernel-only dependency: the host-side test selftests/ttydpc/iir_decode.c
 * compiles this decode too, as QEMU has no DesignWare UART. The caller
 * provides bool and the UART_IIR_* values.
 */
#ifndef TTYDPC_IIR_H
#define TTYDPC_IIR_H

/* The cause an IIR value reports. */
enum ttydpc_iir_cause {
	TTYDPC_IIR_NONE,	/* nothing pending, or not a cause this UART has */
	TTYDPC_IIR_BUSY,	/* DW busy detect: only reading USR clears it */
	TTYDPC_IIR_LINE,
	TTYDPC_IIR_RX_DATA,
	TTYDPC_IIR_RX_TIMEOUT,
	TTYDPC_IIR_THRE,
	TTYDPC_IIR_MODEM,
	TTYDPC_IIR_OTHER,	/* a reserved code: served like any pass, from LSR */
};

/*
 * Busy detect (0x07) has the "no interrupt pending" bit set: it must be
 * recognised before that bit is looked at, or its level interrupt is never
 * cleared (8250_dw checks it first too). Only a DesignWare UART has it.
 */
static inline enum ttydpc_iir_cause ttydpc_iir_decode(unsigned int iir,
						      bool dw_apb)
{
	if ((iir & 0x0f) == UART_IIR_BUSY)
		return dw_apb ? TTYDPC_IIR_BUSY : TTYDPC_IIR_NONE;
	if (iir & UART_IIR_NO_INT)
		return TTYDPC_IIR_NONE;
	switch (iir & 0x0f) {
	case UART_IIR_RLSI:
		return TTYDPC_IIR_LINE;
	case UART_IIR_RDI:
		return TTYDPC_IIR_RX_DATA;
	case UART_IIR_RX_TIMEOUT:
		return TTYDPC_IIR_RX_TIMEOUT;
	case UART_IIR_THRI:
		return TTYDPC_IIR_THRE;
	case UART_IIR_MSI:
		return TTYDPC_IIR_MODEM;
	default:
		return TTYDPC_IIR_OTHER;
	}
}

#endif /* TTYDPC_IIR_H */
