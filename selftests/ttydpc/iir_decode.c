// SPDX-License-Identifier: GPL-2.0
/*
 * iir_decode: the driver's IIR decode (include/ttydpc_iir.h, the header
 * ttydpc_irq.c includes: no copy of it) against the 16550 and DesignWare
 * APB datasheets, and against a simulated DesignWare register file.
 *
 * QEMU has no DesignWare UART (the orangepi-pc's UARTs are its plain
 * 16550 model: no USR, no busy detect), so this runs on the host
 * (make host-check) and, needing no hardware, in the guest too.
 *
 * The simulated UART: an LCR write while the UART is busy is ignored and
 * raises the busy-detect interrupt, a level interrupt that only a read of
 * USR (offset 0x7c, register index 31 at reg-shift 2) clears; while it is
 * up IIR reads 0xc7 (FIFOs enabled, id 0x7). The handler below is the
 * shape of ttydpc_irq()'s IIR loop: decode, serve, read IIR again, stop on
 * "none" or after TTYDPC_IRQ_PASSES passes.
 */
#include <linux/serial_reg.h>

#include "ttydpc_harness.h"
#include "../../include/ttydpc_iir.h"

#define SIM_USR		31	/* DesignWare USR as a register index */
#define SIM_PASSES	16	/* TTYDPC_IRQ_PASSES */

/* What the datasheets say each IIR low nibble means (bit 0 = none pending). */
static enum ttydpc_iir_cause spec(unsigned int iir, bool dw)
{
	switch (iir & 0x0f) {
	case 0x00: return TTYDPC_IIR_MODEM;
	case 0x02: return TTYDPC_IIR_THRE;
	case 0x04: return TTYDPC_IIR_RX_DATA;
	case 0x06: return TTYDPC_IIR_LINE;
	case 0x0c: return TTYDPC_IIR_RX_TIMEOUT;
	case 0x07: return dw ? TTYDPC_IIR_BUSY : TTYDPC_IIR_NONE;
	case 0x08: case 0x0a: case 0x0e: return TTYDPC_IIR_OTHER;
	default: return TTYDPC_IIR_NONE;	/* odd: no interrupt pending */
	}
}

TEST(every_iir_value)
{
	int bad = 0;

	for (unsigned int dw = 0; dw < 2; dw++)
		for (unsigned int iir = 0; iir < 256; iir++) {
			enum ttydpc_iir_cause got = ttydpc_iir_decode(iir, dw);

			if (got != spec(iir, dw)) {
				TH_LOG("IIR 0x%02x dw=%u: decode %d, datasheet %d",
				       iir, dw, got, spec(iir, dw));
				bad++;
			}
		}
	EXPECT_EQ(0, bad);
}

/* A DesignWare APB UART, registers by index at reg-shift 2. */
struct sim_dw {
	bool busy;		/* receiving: LCR writes are ignored */
	bool busy_irq;		/* busy-detect interrupt raised (level) */
	unsigned int lcr;
	int usr_reads, iir_reads;
};

static unsigned int sim_in(struct sim_dw *u, unsigned int reg)
{
	switch (reg) {
	case UART_IIR:
		u->iir_reads++;
		return 0xc0 | (u->busy_irq ? UART_IIR_BUSY : UART_IIR_NO_INT);
	case UART_LCR:
		return u->lcr;
	case UART_LSR:
		return UART_LSR_THRE | UART_LSR_TEMT;
	case SIM_USR:
		u->usr_reads++;
		u->busy_irq = false;
		return u->busy ? 1 : 0;
	default:
		return 0;
	}
}

static void sim_write_lcr(struct sim_dw *u, unsigned int lcr)
{
	if (u->busy)
		u->busy_irq = true;
	else
		u->lcr = lcr;
}

/* ttydpc_irq()'s IIR loop. Returns true for IRQ_HANDLED. */
static bool sim_handler(struct sim_dw *u, bool dw)
{
	unsigned int passes = SIM_PASSES;
	enum ttydpc_iir_cause cause;

	cause = ttydpc_iir_decode(sim_in(u, UART_IIR), dw);
	if (cause == TTYDPC_IIR_NONE)
		return false;
	for (;;) {
		if (cause == TTYDPC_IIR_BUSY)
			sim_in(u, SIM_USR);
		sim_in(u, UART_LSR);
		if (!--passes)
			break;
		cause = ttydpc_iir_decode(sim_in(u, UART_IIR), dw);
		if (cause == TTYDPC_IIR_NONE)
			break;
	}
	return true;
}

/*
 * The failure the decode must prevent: an LCR write while busy leaves a
 * level interrupt up; a handler that calls it "none" returns IRQ_NONE
 * every time and the kernel disables the line ("nobody cared").
 */
TEST(busy_detect_is_claimed_and_cleared)
{
	struct sim_dw u = { .busy = true, .lcr = UART_LCR_WLEN8 };

	sim_write_lcr(&u, UART_LCR_WLEN8 | UART_LCR_DLAB);
	ASSERT_TRUE(u.busy_irq);
	EXPECT_TRUE(sim_handler(&u, true))
		TH_LOG("busy-detect interrupt (IIR 0xc7) not claimed");
	EXPECT_FALSE(u.busy_irq)
		TH_LOG("busy-detect interrupt still raised after the handler");
	EXPECT_EQ(1, u.usr_reads);
	/* Line quiet again: the next call is not ours. */
	EXPECT_FALSE(sim_handler(&u, true));
	EXPECT_EQ(1, u.usr_reads);
}

/* Busy raised again while the handler runs: its IIR re-read catches it. */
TEST(busy_detect_in_the_loop)
{
	struct sim_dw u = { .busy = true };
	int handled = 0;

	for (int i = 0; i < 3; i++) {
		sim_write_lcr(&u, UART_LCR_WLEN8);
		handled += sim_handler(&u, true);
		EXPECT_FALSE(u.busy_irq);
	}
	EXPECT_EQ(3, handled);
	EXPECT_EQ(3, u.usr_reads);
}

/* On a 16550 IIR 0x07 is no cause: no USR read (there is no USR). */
TEST(no_usr_read_without_dw)
{
	struct sim_dw u = { .busy_irq = true };

	EXPECT_FALSE(sim_handler(&u, false));
	EXPECT_EQ(0, u.usr_reads);
}

TEST_HARNESS_MAIN
