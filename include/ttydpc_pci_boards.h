/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ttydpc_pci_boards.h - where the UARTs of a PCI serial card are, and
 * whether ttydpc can drive them (Documentation/ttydpc/hardware.rst).
 *
 * No kernel-only dependency: the host-side test selftests/ttydpc/pci_boards.c
 * decodes every entry, as QEMU has only three of these cards. The caller
 * provides u8/u16/u32/u64 and ARRAY_SIZE.
 */
#ifndef TTYDPC_PCI_BOARDS_H
#define TTYDPC_PCI_BOARDS_H

#define TTYDPC_PCI_GENERIC_MAX	8	/* port counts new_id accepts */
#define TTYDPC_PCI_MAX_PORTS	8	/* most ports on one function */
#define TTYDPC_PCI_NR_BARS	6
#define TTYDPC_PCI_UARTCLK	1843200	/* 115200 baud * 16 */
#define TTYDPC_PCI_UARTCLK_8X	14745600	/* 921600 baud * 16 */

/*
 * A board number is a PCI ID's driver_data, also as written to new_id:
 * 1 to TTYDPC_PCI_GENERIC_MAX is a plain 16550 card with that many ports,
 * the named boards follow. Users write them: append, never renumber.
 */
enum ttydpc_pci_board_id {
	TTYDPC_PCI_NONE = 0,
	TTYDPC_PCI_GENERIC_1 = 1,
	TTYDPC_PCI_GENERIC_2 = 2,
	TTYDPC_PCI_GENERIC_4 = 4,
	TTYDPC_PCI_GENERIC_8 = 8,
	/* 9..0xf: room for more generic counts */
	TTYDPC_PCI_NETMOS_1S = 0x10,
	TTYDPC_PCI_NETMOS_9865_2S = 0x11,
	TTYDPC_PCI_NETMOS_9865_4S = 0x12,
	TTYDPC_PCI_NETMOS_9900_2S = 0x13,
	TTYDPC_PCI_NETMOS_98X5 = 0x14,
	TTYDPC_PCI_NETMOS_9835_IBM = 0x15,
	TTYDPC_PCI_WCH_BT2 = 0x18,
	TTYDPC_PCI_WCH_BT4 = 0x19,
	TTYDPC_PCI_WCH_CH382_2S = 0x1a,
	TTYDPC_PCI_WCH_CH384_4S = 0x1b,
	TTYDPC_PCI_WCH_CH384_8S = 0x1c,
	TTYDPC_PCI_PERICOM_7951 = 0x20,
	TTYDPC_PCI_PERICOM_7952 = 0x21,
	TTYDPC_PCI_PERICOM_7954 = 0x22,
	TTYDPC_PCI_PERICOM_7958 = 0x23,
	TTYDPC_PCI_OXPCIE_1 = 0x28,
	TTYDPC_PCI_OXPCIE_2 = 0x29,
	TTYDPC_PCI_OXPCIE_4 = 0x2a,
	TTYDPC_PCI_OXPCIE_8 = 0x2b,
	TTYDPC_PCI_EXAR_C152 = 0x30,
	TTYDPC_PCI_EXAR_C154 = 0x31,
	TTYDPC_PCI_EXAR_C158 = 0x32,
	TTYDPC_PCI_EXAR_V352 = 0x33,
	TTYDPC_PCI_EXAR_V354 = 0x34,
	TTYDPC_PCI_EXAR_V358 = 0x35,
	TTYDPC_PCI_NR_BOARDS
};

/* How a board's UART registers are reached. */
enum ttydpc_pci_io {
	TTYDPC_PCI_IO_BAR,	/* as the BAR says */
	TTYDPC_PCI_IO_PORT,
	TTYDPC_PCI_IO_MEM,
};

/* What a board needs that ttydpc does not do (hardware.rst says why). */
enum ttydpc_pci_refusal {
	TTYDPC_PCI_OK,
	TTYDPC_PCI_VENDOR_INIT,
	TTYDPC_PCI_OX950,
	TTYDPC_PCI_EXAR,
};

#define TTYDPC_PCI_F_NPORTS_SUBDEV	0x01	/* ports: subsystem device & 0xf */

/**
 * struct ttydpc_pci_board - the layout of one board
 * @name: for messages and the documentation; NULL: no such board
 * @bar: BAR of port 0
 * @bar_step: BARs between ports (0: every port in @bar)
 * @nports: ports (the most, with %TTYDPC_PCI_F_NPORTS_SUBDEV)
 * @regshift: registers are 1 << @regshift bytes apart
 * @iotype: enum ttydpc_pci_io
 * @refusal: enum ttydpc_pci_refusal
 * @flags: TTYDPC_PCI_F_*
 * @first: offset of port 0 in its BAR
 * @stride: bytes between ports in one BAR
 * @offsets: irregular layouts: each port's offset (overrides @first, @stride)
 * @uartclk: UART input clock in Hz
 */
struct ttydpc_pci_board {
	const char *name;
	u8 bar;
	u8 bar_step;
	u8 nports;
	u8 regshift;
	u8 iotype;
	u8 refusal;
	u8 flags;
	u16 first;
	u16 stride;
	const u16 *offsets;
	u32 uartclk;
};

#define TTYDPC_PCI_PLAIN(n)						\
	{ .name = "plain 16550 x" #n, .nports = (n),			\
	  .stride = 8, .uartclk = TTYDPC_PCI_UARTCLK }
#define TTYDPC_PCI_BT(nm, n)						\
	{ .name = (nm), .nports = (n), .bar_step = 1,			\
	  .uartclk = TTYDPC_PCI_UARTCLK }
#define TTYDPC_PCI_PERICOM(nm, n)					\
	{ .name = (nm), .nports = (n), .stride = 8,			\
	  .iotype = TTYDPC_PCI_IO_PORT, .uartclk = TTYDPC_PCI_UARTCLK_8X }
/* Tornado: registers from 0x1000, 0x200 apart, 62.5 MHz * 4 prescaled. */
#define TTYDPC_PCI_OXPCIE(nm, n)					\
	{ .name = (nm), .nports = (n), .first = 0x1000, .stride = 0x200,	\
	  .iotype = TTYDPC_PCI_IO_MEM, .refusal = TTYDPC_PCI_OX950,	\
	  .uartclk = 250000000 }
#define TTYDPC_PCI_EXAR(nm, n, step, clk)				\
	{ .name = (nm), .nports = (n), .stride = (step),		\
	  .iotype = TTYDPC_PCI_IO_MEM, .refusal = TTYDPC_PCI_EXAR,	\
	  .uartclk = (clk) }

/* The PI7C9X7954's fourth UART is at 0x38, not 0x18. */
static const u16 ttydpc_pci_pericom_7954_offsets[] = { 0x00, 0x08, 0x10, 0x38 };

static const struct ttydpc_pci_board ttydpc_pci_boards[TTYDPC_PCI_NR_BOARDS] = {
	[1] = TTYDPC_PCI_PLAIN(1),
	[2] = TTYDPC_PCI_PLAIN(2),
	[3] = TTYDPC_PCI_PLAIN(3),
	[4] = TTYDPC_PCI_PLAIN(4),
	[5] = TTYDPC_PCI_PLAIN(5),
	[6] = TTYDPC_PCI_PLAIN(6),
	[7] = TTYDPC_PCI_PLAIN(7),
	[8] = TTYDPC_PCI_PLAIN(8),
	[TTYDPC_PCI_NETMOS_1S] =
		TTYDPC_PCI_BT("NetMos/MosChip MCS99xx/9865, ASIX AX99100 (1 port)", 1),
	[TTYDPC_PCI_NETMOS_9865_2S] = TTYDPC_PCI_BT("MosChip MCS9865 (2 ports)", 2),
	[TTYDPC_PCI_NETMOS_9865_4S] = TTYDPC_PCI_BT("MosChip MCS9865 (4 ports)", 4),
	[TTYDPC_PCI_NETMOS_9900_2S] = {
		.name = "MosChip MCS9900 (2 ports)", .nports = 2, .bar_step = 3,
		.uartclk = TTYDPC_PCI_UARTCLK,
	},
	[TTYDPC_PCI_NETMOS_98X5] = {
		.name = "NetMos 9835/9845", .nports = 6, .bar_step = 1,
		.flags = TTYDPC_PCI_F_NPORTS_SUBDEV, .uartclk = TTYDPC_PCI_UARTCLK,
	},
	[TTYDPC_PCI_NETMOS_9835_IBM] = TTYDPC_PCI_BT("NetMos 9835 (IBM, 2 ports)", 2),
	[TTYDPC_PCI_WCH_BT2] = TTYDPC_PCI_BT("WCH CH351/CH352/CH353 (2 ports)", 2),
	[TTYDPC_PCI_WCH_BT4] = TTYDPC_PCI_BT("WCH CH353/CH355 (4 ports)", 4),
	[TTYDPC_PCI_WCH_CH382_2S] = {
		.name = "WCH CH382 (2 ports)", .nports = 2, .first = 0xc0,
		.stride = 8, .uartclk = TTYDPC_PCI_UARTCLK,
	},
	[TTYDPC_PCI_WCH_CH384_4S] = {
		.name = "WCH CH384 (4 ports)", .nports = 4, .first = 0xc0,
		.stride = 8, .uartclk = TTYDPC_PCI_UARTCLK,
	},
	[TTYDPC_PCI_WCH_CH384_8S] = {
		.name = "WCH CH384 (8 ports)", .nports = 8, .stride = 8,
		.refusal = TTYDPC_PCI_VENDOR_INIT, .uartclk = TTYDPC_PCI_UARTCLK,
	},
	[TTYDPC_PCI_PERICOM_7951] = TTYDPC_PCI_PERICOM("Pericom PI7C9X7951", 1),
	[TTYDPC_PCI_PERICOM_7952] = TTYDPC_PCI_PERICOM("Pericom PI7C9X7952", 2),
	[TTYDPC_PCI_PERICOM_7954] = {
		.name = "Pericom PI7C9X7954", .nports = 4,
		.offsets = ttydpc_pci_pericom_7954_offsets,
		.iotype = TTYDPC_PCI_IO_PORT, .uartclk = TTYDPC_PCI_UARTCLK_8X,
	},
	[TTYDPC_PCI_PERICOM_7958] = TTYDPC_PCI_PERICOM("Pericom PI7C9X7958", 8),
	[TTYDPC_PCI_OXPCIE_1] = TTYDPC_PCI_OXPCIE("Oxford OXPCIe952 (1 port)", 1),
	[TTYDPC_PCI_OXPCIE_2] = TTYDPC_PCI_OXPCIE("Oxford OXPCIe952 (2 ports)", 2),
	[TTYDPC_PCI_OXPCIE_4] = TTYDPC_PCI_OXPCIE("Oxford OXPCIe954", 4),
	[TTYDPC_PCI_OXPCIE_8] = TTYDPC_PCI_OXPCIE("Oxford OXPCIe958", 8),
	[TTYDPC_PCI_EXAR_C152] = TTYDPC_PCI_EXAR("Exar XR17C152", 2, 0x200, 14745600),
	[TTYDPC_PCI_EXAR_C154] = TTYDPC_PCI_EXAR("Exar XR17C154", 4, 0x200, 14745600),
	[TTYDPC_PCI_EXAR_C158] = TTYDPC_PCI_EXAR("Exar XR17C158", 8, 0x200, 14745600),
	[TTYDPC_PCI_EXAR_V352] = TTYDPC_PCI_EXAR("Exar XR17V352", 2, 0x400, 125000000),
	[TTYDPC_PCI_EXAR_V354] = TTYDPC_PCI_EXAR("Exar XR17V354", 4, 0x400, 125000000),
	[TTYDPC_PCI_EXAR_V358] = TTYDPC_PCI_EXAR("Exar XR17V358", 8, 0x400, 125000000),
};

/* What the decode needs to know of a PCI function. */
struct ttydpc_pci_fn {
	u16 subdevice;
	u64 bar_len[TTYDPC_PCI_NR_BARS];	/* 0: not implemented */
	u8 bar_mem;				/* bit n: BAR n is memory */
};

/* Where one UART is. */
struct ttydpc_pci_loc {
	u8 bar;
	u8 mem;
	u8 regshift;
	u32 offset;
	u32 uartclk;
};

/* Why a function cannot be decoded (negated; ttydpc_pci_strerror()). */
enum ttydpc_pci_err {
	TTYDPC_PCI_E_NO_BOARD = 1,
	TTYDPC_PCI_E_REFUSED,
	TTYDPC_PCI_E_NO_PORTS,
	TTYDPC_PCI_E_BAR_MISSING,
	TTYDPC_PCI_E_BAR_TYPE,
	TTYDPC_PCI_E_BAR_SHORT,
	TTYDPC_PCI_E_TOO_MANY,
};

static inline const struct ttydpc_pci_board *ttydpc_pci_board_get(unsigned long id)
{
	if (id >= ARRAY_SIZE(ttydpc_pci_boards) || !ttydpc_pci_boards[id].name)
		return NULL;
	return &ttydpc_pci_boards[id];
}

static inline const char *ttydpc_pci_refusal_why(unsigned int r)
{
	switch (r) {
	case TTYDPC_PCI_OK:
		return NULL;
	case TTYDPC_PCI_VENDOR_INIT:
		return "its interrupts need a vendor register set at probe";
	case TTYDPC_PCI_OX950:
		return "a 16C950 (Tornado): rates need its CPR/TCR prescaler";
	case TTYDPC_PCI_EXAR:
		return "an Exar XR17 needs 8250_exar's vendor register setup";
	}
	return "unknown";
}

/* The port count, or a negated enum ttydpc_pci_err: every port checked. */
static inline int ttydpc_pci_decode(unsigned long id, const struct ttydpc_pci_fn *fn,
				    struct ttydpc_pci_loc *loc, unsigned int max)
{
	const struct ttydpc_pci_board *b = ttydpc_pci_board_get(id);
	unsigned int n, i;

	if (!b)
		return -TTYDPC_PCI_E_NO_BOARD;
	if (b->refusal != TTYDPC_PCI_OK)
		return -TTYDPC_PCI_E_REFUSED;
	n = b->nports;
	if (b->flags & TTYDPC_PCI_F_NPORTS_SUBDEV) {
		n = fn->subdevice & 0xf;
		if (n > b->nports)
			return -TTYDPC_PCI_E_TOO_MANY;
	}
	if (!n)
		return -TTYDPC_PCI_E_NO_PORTS;
	if (n > max)
		return -TTYDPC_PCI_E_TOO_MANY;

	for (i = 0; i < n; i++) {
		unsigned int bar = b->bar + i * b->bar_step;
		u64 off, end;
		bool mem;

		if (bar >= TTYDPC_PCI_NR_BARS || !fn->bar_len[bar])
			return -TTYDPC_PCI_E_BAR_MISSING;
		mem = fn->bar_mem & (1u << bar);
		if ((b->iotype == TTYDPC_PCI_IO_PORT && mem) ||
		    (b->iotype == TTYDPC_PCI_IO_MEM && !mem))
			return -TTYDPC_PCI_E_BAR_TYPE;
		if (b->offsets)
			off = b->offsets[i];
		else
			off = b->first + (b->bar_step ? 0 : (u64)i * b->stride);
		end = off + (8u << b->regshift);
		if (end > fn->bar_len[bar])
			return -TTYDPC_PCI_E_BAR_SHORT;
		loc[i].bar = bar;
		loc[i].mem = mem;
		loc[i].regshift = b->regshift;
		loc[i].offset = off;
		loc[i].uartclk = b->uartclk;
	}
	return n;
}

static inline const char *ttydpc_pci_strerror(int err)
{
	switch (-err) {
	case TTYDPC_PCI_E_NO_BOARD:
		return "no board with this number";
	case TTYDPC_PCI_E_REFUSED:
		return "board not supported";
	case TTYDPC_PCI_E_NO_PORTS:
		return "the subsystem ID says this function has no serial port";
	case TTYDPC_PCI_E_BAR_MISSING:
		return "a port's BAR is not implemented";
	case TTYDPC_PCI_E_BAR_TYPE:
		return "a port's BAR is of the wrong kind (I/O or memory)";
	case TTYDPC_PCI_E_BAR_SHORT:
		return "a port's registers run past the end of its BAR";
	case TTYDPC_PCI_E_TOO_MANY:
		return "more ports than one function may have";
	}
	return "unknown error";
}

#endif /* TTYDPC_PCI_BOARDS_H */
