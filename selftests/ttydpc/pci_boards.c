// SPDX-License-Identifier: GPL-2.0
/*
 * pci_boards: the driver's PCI card table and its decode
 * (include/ttydpc_pci_boards.h, the header ttydpc_pci.c includes: no copy
 * of it) against the layouts 8250_pci.c, 8250_pericom.c and the vendors
 * give, written out here a second time by hand.
 *
 * QEMU has three of these cards (pci-serial, -2x, -4x: pci_cards.sh binds
 * them); every other entry is only ever checked here, so every board the
 * table has must have an entry below: a new board comes with its layout.
 * Needs no hardware: runs on the host (make host-check) and in the guest.
 */

#include "ttydpc_harness.h"

/* The table below leaves what a refused card does not need unset. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif
#include "../../include/ttydpc_pci_boards.h"

#define IO(len)		{ (len), false }
#define MEM(len)	{ (len), true }
#define CLK_1X		1843200
#define CLK_8X		14745600

struct bar { u64 len; bool mem; };
struct port { unsigned int bar, offset; };

/* One function as found on a real card, and where its UARTs are. */
struct expect {
	unsigned long id;
	const char *what;
	u16 subdevice;
	struct bar bars[TTYDPC_PCI_NR_BARS];
	bool refused;
	unsigned int uartclk;
	int nports;
	struct port at[TTYDPC_PCI_MAX_PORTS];
};

static const struct expect cards[] = {
	{ 1, "QEMU pci-serial", 0, { IO(8) }, false, CLK_1X, 1, { { 0, 0 } } },
	{ 2, "QEMU pci-serial-2x", 0, { IO(16) }, false, CLK_1X, 2, { { 0, 0 }, { 0, 8 } } },
	{ 3, "plain 3 ports", 0, { IO(32) }, false, CLK_1X, 3,
	  { { 0, 0 }, { 0, 8 }, { 0, 16 } } },
	{ 4, "QEMU pci-serial-4x", 0, { IO(32) }, false, CLK_1X, 4,
	  { { 0, 0 }, { 0, 8 }, { 0, 16 }, { 0, 24 } } },
	{ 5, "plain 5 ports", 0, { IO(64) }, false, CLK_1X, 5,
	  { { 0, 0 }, { 0, 8 }, { 0, 16 }, { 0, 24 }, { 0, 32 } } },
	{ 6, "plain 6 ports", 0, { IO(64) }, false, CLK_1X, 6,
	  { { 0, 0 }, { 0, 8 }, { 0, 16 }, { 0, 24 }, { 0, 32 }, { 0, 40 } } },
	{ 7, "plain 7 ports", 0, { IO(64) }, false, CLK_1X, 7,
	  { { 0, 0 }, { 0, 8 }, { 0, 16 }, { 0, 24 }, { 0, 32 }, { 0, 40 }, { 0, 48 } } },
	{ 8, "plain 8 ports, MMIO", 0, { MEM(4096) }, false, CLK_1X, 8,
	  { { 0, 0 }, { 0, 8 }, { 0, 16 }, { 0, 24 }, { 0, 32 }, { 0, 40 }, { 0, 48 },
	    { 0, 56 } } },
	{ 0x10, "MCS9922 function, a000:1000", 0x1000,
	  { IO(8), MEM(4096), {}, {}, {}, {} }, false, CLK_1X, 1, { { 0, 0 } } },
	{ 0x11, "MCS9865 a000:3002", 0x3002, { IO(8), IO(8), MEM(4096) },
	  false, CLK_1X, 2, { { 0, 0 }, { 1, 0 } } },
	{ 0x12, "MCS9865 a000:3004", 0x3004, { IO(8), IO(8), IO(8), IO(8), MEM(4096) },
	  false, CLK_1X, 4, { { 0, 0 }, { 1, 0 }, { 2, 0 }, { 3, 0 } } },
	{ 0x13, "MCS9900 a000:3002", 0x3002,
	  { IO(8), MEM(4096), IO(8), IO(8), MEM(4096) },
	  false, CLK_1X, 2, { { 0, 0 }, { 3, 0 } } },
	{ 0x14, "NetMos 9835 1P2S (0x0012)", 0x0012,
	  { IO(8), IO(8), IO(8), IO(8) }, false, CLK_1X, 2, { { 0, 0 }, { 1, 0 } } },
	{ 0x14, "NetMos 9845 6S (0x0006)", 0x0006,
	  { IO(8), IO(8), IO(8), IO(8), IO(8), IO(8) }, false, CLK_1X, 6,
	  { { 0, 0 }, { 1, 0 }, { 2, 0 }, { 3, 0 }, { 4, 0 }, { 5, 0 } } },
	{ 0x15, "NetMos 9835 IBM 1014:0299", 0x0299, { IO(8), IO(8), IO(8) },
	  false, CLK_1X, 2, { { 0, 0 }, { 1, 0 } } },
	{ 0x18, "WCH CH351 2S", 0, { IO(8), IO(8) }, false, CLK_1X, 2,
	  { { 0, 0 }, { 1, 0 } } },
	{ 0x19, "WCH CH355 4S", 0, { IO(8), IO(8), IO(8), IO(8), IO(32) },
	  false, CLK_1X, 4, { { 0, 0 }, { 1, 0 }, { 2, 0 }, { 3, 0 } } },
	{ 0x1a, "WCH CH382 2S", 0, { IO(256) }, false, CLK_1X, 2,
	  { { 0, 0xc0 }, { 0, 0xc8 } } },
	{ 0x1b, "WCH CH384 4S", 0, { IO(256) }, false, CLK_1X, 4,
	  { { 0, 0xc0 }, { 0, 0xc8 }, { 0, 0xd0 }, { 0, 0xd8 } } },
	{ 0x1c, "WCH CH384 8S", 0, { IO(256) }, true },
	{ 0x20, "Pericom PI7C9X7951", 0, { IO(8) }, false, CLK_8X, 1, { { 0, 0 } } },
	{ 0x21, "Pericom PI7C9X7952", 0, { IO(16) }, false, CLK_8X, 2, { { 0, 0 }, { 0, 8 } } },
	{ 0x22, "Pericom PI7C9X7954", 0, { IO(64) }, false, CLK_8X, 4,
	  { { 0, 0 }, { 0, 8 }, { 0, 0x10 }, { 0, 0x38 } } },
	{ 0x23, "Pericom PI7C9X7958", 0, { IO(64) }, false, CLK_8X, 8,
	  { { 0, 0 }, { 0, 8 }, { 0, 16 }, { 0, 24 }, { 0, 32 }, { 0, 40 }, { 0, 48 },
	    { 0, 56 } } },
	{ 0x28, "OXPCIe952 1S", 0, { MEM(16384) }, true },
	{ 0x29, "OXPCIe952 2S", 0, { MEM(16384) }, true },
	{ 0x2a, "OXPCIe954", 0, { MEM(16384) }, true },
	{ 0x2b, "OXPCIe958", 0, { MEM(16384) }, true },
	{ 0x30, "XR17C152", 0, { MEM(0x1000) }, true },
	{ 0x31, "XR17C154", 0, { MEM(0x1000) }, true },
	{ 0x32, "XR17C158", 0, { MEM(0x1000) }, true },
	{ 0x33, "XR17V352", 0, { MEM(0x4000) }, true },
	{ 0x34, "XR17V354", 0, { MEM(0x4000) }, true },
	{ 0x35, "XR17V358", 0, { MEM(0x4000) }, true },
};

static void fn_of(const struct expect *e, struct ttydpc_pci_fn *fn)
{
	memset(fn, 0, sizeof(*fn));
	fn->subdevice = e->subdevice;
	for (unsigned int i = 0; i < TTYDPC_PCI_NR_BARS; i++) {
		fn->bar_len[i] = e->bars[i].len;
		if (e->bars[i].mem)
			fn->bar_mem |= 1u << i;
	}
}

static const struct expect *expect_for(unsigned long id)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(cards); i++)
		if (cards[i].id == id)
			return &cards[i];
	return NULL;
}

/* Every board of the table has a card above, and no card names a hole. */
TEST(every_board_has_a_layout_here)
{
	for (unsigned long id = 0; id < TTYDPC_PCI_NR_BOARDS + 4; id++) {
		const struct ttydpc_pci_board *b = ttydpc_pci_board_get(id);
		const struct expect *e = expect_for(id);

		if (b && !e)
			TH_LOG("board 0x%lx (%s) has no expected layout here", id, b->name);
		if (!b && e)
			TH_LOG("0x%lx (%s) is expected but the table has no such board", id, e->what);
		EXPECT_EQ(!!b, !!e);
	}
}

/* Counts, BARs, offsets and clocks as the cards have them; refusals refused. */
TEST(every_card_decodes)
{
	for (unsigned int c = 0; c < ARRAY_SIZE(cards); c++) {
		const struct expect *e = &cards[c];
		struct ttydpc_pci_loc loc[TTYDPC_PCI_MAX_PORTS];
		const struct ttydpc_pci_board *b = ttydpc_pci_board_get(e->id);
		struct ttydpc_pci_fn fn;
		int n;

		fn_of(e, &fn);
		memset(loc, 0xa5, sizeof(loc));
		n = ttydpc_pci_decode(e->id, &fn, loc, TTYDPC_PCI_MAX_PORTS);
		ASSERT_NE(NULL, b);
		if (e->refused) {
			if (n != -TTYDPC_PCI_E_REFUSED)
				TH_LOG("%s: decoded to %d, not refused", e->what, n);
			EXPECT_EQ(-TTYDPC_PCI_E_REFUSED, n);
			EXPECT_NE(NULL, ttydpc_pci_refusal_why(b->refusal));
			continue;
		}
		EXPECT_EQ(NULL, ttydpc_pci_refusal_why(b->refusal));
		if (n != e->nports) {
			TH_LOG("%s: %d ports (%s), want %d", e->what, n,
			       n < 0 ? ttydpc_pci_strerror(n) : "-", e->nports);
			EXPECT_EQ(e->nports, n);
			continue;
		}
		for (int i = 0; i < n; i++) {
			if (loc[i].bar != e->at[i].bar || loc[i].offset != e->at[i].offset ||
			    loc[i].uartclk != e->uartclk || loc[i].regshift != 0 ||
			    loc[i].mem != e->bars[loc[i].bar].mem)
				TH_LOG("%s port %d: BAR %u +0x%x clk %u shift %u mem %u, want BAR %u +0x%x clk %u",
				       e->what, i, loc[i].bar, loc[i].offset, loc[i].uartclk,
				       loc[i].regshift, loc[i].mem, e->at[i].bar, e->at[i].offset,
				       e->uartclk);
			EXPECT_EQ(e->at[i].bar, loc[i].bar);
			EXPECT_EQ(e->at[i].offset, loc[i].offset);
			EXPECT_EQ(e->uartclk, loc[i].uartclk);
			EXPECT_EQ(e->bars[loc[i].bar].mem, loc[i].mem);
		}
	}
}

/* Whatever decodes: inside its BAR, and no two ports share a register. */
TEST(ports_inside_bars_and_apart)
{
	for (unsigned int c = 0; c < ARRAY_SIZE(cards); c++) {
		const struct expect *e = &cards[c];
		struct ttydpc_pci_loc loc[TTYDPC_PCI_MAX_PORTS];
		struct ttydpc_pci_fn fn;
		int n;

		fn_of(e, &fn);
		n = ttydpc_pci_decode(e->id, &fn, loc, TTYDPC_PCI_MAX_PORTS);
		for (int i = 0; i < n; i++) {
			u64 a0 = loc[i].offset, a1 = a0 + (8u << loc[i].regshift);

			EXPECT_LE(a1, fn.bar_len[loc[i].bar]);
			for (int j = 0; j < i; j++) {
				u64 b0 = loc[j].offset, b1 = b0 + (8u << loc[j].regshift);
				bool overlap = loc[i].bar == loc[j].bar && a0 < b1 && b0 < a1;

				if (overlap)
					TH_LOG("%s: ports %d and %d overlap", e->what, j, i);
				EXPECT_FALSE(overlap);
			}
		}
	}
}

/* One byte less BAR than the last port needs: refused, for every card. */
TEST(short_bar_refused)
{
	for (unsigned int c = 0; c < ARRAY_SIZE(cards); c++) {
		const struct expect *e = &cards[c];
		struct ttydpc_pci_loc loc[TTYDPC_PCI_MAX_PORTS];
		struct ttydpc_pci_fn fn;
		unsigned int bar;
		int n;

		if (e->refused)
			continue;
		fn_of(e, &fn);
		bar = e->at[e->nports - 1].bar;
		fn.bar_len[bar] = e->at[e->nports - 1].offset + 7;
		n = ttydpc_pci_decode(e->id, &fn, loc, TTYDPC_PCI_MAX_PORTS);
		if (n != -TTYDPC_PCI_E_BAR_SHORT)
			TH_LOG("%s with BAR %u of %llu bytes: %d", e->what, bar,
			       (unsigned long long)fn.bar_len[bar], n);
		EXPECT_EQ(-TTYDPC_PCI_E_BAR_SHORT, n);
		fn.bar_len[bar] = 0;
		EXPECT_EQ(-TTYDPC_PCI_E_BAR_MISSING,
			  ttydpc_pci_decode(e->id, &fn, loc, TTYDPC_PCI_MAX_PORTS));
	}
}

/* Board numbers that are none: 0 (driver_override's dummy ID), holes, junk. */
TEST(no_such_board)
{
	unsigned long ids[] = { 0, 9, 0xf, 0x16, 0x1f, 0x2c, 0x36, TTYDPC_PCI_NR_BOARDS,
				0xff, 0x10000, ~0UL };
	struct ttydpc_pci_loc loc[TTYDPC_PCI_MAX_PORTS];
	struct ttydpc_pci_fn fn = { .bar_len = { 4096, 4096, 4096, 4096, 4096, 4096 } };

	for (unsigned int i = 0; i < ARRAY_SIZE(ids); i++) {
		EXPECT_EQ(NULL, ttydpc_pci_board_get(ids[i]));
		EXPECT_EQ(-TTYDPC_PCI_E_NO_BOARD,
			  ttydpc_pci_decode(ids[i], &fn, loc, TTYDPC_PCI_MAX_PORTS));
	}
}

/* The generic counts follow the BAR's kind; Pericom's must be I/O. */
TEST(bar_kind)
{
	struct ttydpc_pci_loc loc[TTYDPC_PCI_MAX_PORTS];
	struct ttydpc_pci_fn fn = { .bar_len = { 64 } };

	EXPECT_EQ(2, ttydpc_pci_decode(2, &fn, loc, TTYDPC_PCI_MAX_PORTS));
	EXPECT_EQ(0, loc[1].mem);
	fn.bar_mem = 1;
	EXPECT_EQ(2, ttydpc_pci_decode(2, &fn, loc, TTYDPC_PCI_MAX_PORTS));
	EXPECT_EQ(1, loc[1].mem);
	EXPECT_EQ(-TTYDPC_PCI_E_BAR_TYPE,
		  ttydpc_pci_decode(TTYDPC_PCI_PERICOM_7958, &fn, loc, TTYDPC_PCI_MAX_PORTS));
}

/* NetMos 9835/9845: the subsystem device counts the serial ports. */
TEST(netmos_subdevice_counts)
{
	struct ttydpc_pci_loc loc[TTYDPC_PCI_MAX_PORTS];
	struct ttydpc_pci_fn fn = { .bar_len = { 8, 8, 8, 8, 8, 8 } };

	fn.subdevice = 0x0010;	/* one parallel port, no serial */
	EXPECT_EQ(-TTYDPC_PCI_E_NO_PORTS,
		  ttydpc_pci_decode(TTYDPC_PCI_NETMOS_98X5, &fn, loc, TTYDPC_PCI_MAX_PORTS));
	fn.subdevice = 0x0007;	/* more serial ports than BARs */
	EXPECT_EQ(-TTYDPC_PCI_E_TOO_MANY,
		  ttydpc_pci_decode(TTYDPC_PCI_NETMOS_98X5, &fn, loc, TTYDPC_PCI_MAX_PORTS));
	fn.subdevice = 0x0004;
	EXPECT_EQ(4, ttydpc_pci_decode(TTYDPC_PCI_NETMOS_98X5, &fn, loc, TTYDPC_PCI_MAX_PORTS));
	EXPECT_EQ(3, loc[3].bar);
}

/* A caller with room for fewer ports than the board has is told so. */
TEST(caller_room)
{
	struct ttydpc_pci_loc loc[TTYDPC_PCI_MAX_PORTS];
	struct ttydpc_pci_fn fn = { .bar_len = { 64 } };

	EXPECT_EQ(-TTYDPC_PCI_E_TOO_MANY, ttydpc_pci_decode(8, &fn, loc, 4));
	EXPECT_EQ(4, ttydpc_pci_decode(4, &fn, loc, 4));
}

TEST_HARNESS_MAIN
