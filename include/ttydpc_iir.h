/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ttydpc_iir.h - what an IIR value asks the interrupt handler to do.
 *
 * Kept apart from ttydpc.h, with no kernel-only dependency, so that the
 * host-side unit test (selftests/ttydpc/iir_decode.c) compiles this very
 * decode against a simulated register file: QEMU has no DesignWare UART,
 * so the busy-detect case cannot be shown in a VM.
 *
 * The caller provides bool (the kernel's types, or <stdbool.h>) and the
 * UART_IIR_* values (<linux/serial_reg.h>, kernel or UAPI).
 */
#ifndef TTYDPC_IIR_H
#define TTYDPC_IIR_H

/**
 * enum ttydpc_iir_cause - the cause an IIR value reports
 * @TTYDPC_IIR_NONE: no interrupt pending (or not a cause this UART has)
 * @TTYDPC_IIR_BUSY: DesignWare busy detect: an LCR write while the UART
 *	was busy; only reading USR clears it
 * @TTYDPC_IIR_LINE: receiver line status
 * @TTYDPC_IIR_RX_DATA: RX FIFO at its trigger level
 * @TTYDPC_IIR_RX_TIMEOUT: RX character timeout
 * @TTYDPC_IIR_THRE: transmitter holding register empty
 * @TTYDPC_IIR_MODEM: modem status
 * @TTYDPC_IIR_OTHER: pending, with a reserved code: served like any pass,
 *	from LSR
 */
enum ttydpc_iir_cause {
	TTYDPC_IIR_NONE,
	TTYDPC_IIR_BUSY,
	TTYDPC_IIR_LINE,
	TTYDPC_IIR_RX_DATA,
	TTYDPC_IIR_RX_TIMEOUT,
	TTYDPC_IIR_THRE,
	TTYDPC_IIR_MODEM,
	TTYDPC_IIR_OTHER,
};

/**
 * ttydpc_iir_decode() - classify an IIR value
 * @iir: the value read from IIR
 * @dw_apb: the UART is a DesignWare APB UART (has busy detect and USR)
 *
 * Busy detect is 0x07, which has the "no interrupt pending" bit (bit 0)
 * set: it must be recognised before that bit is looked at, or the level
 * interrupt it raises is never cleared (8250_dw checks it first too).
 * Only a DesignWare UART reports it; elsewhere 0x07 is not a cause.
 *
 * Context: any.
 * Return: the cause; TTYDPC_IIR_NONE when nothing is to be served.
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
