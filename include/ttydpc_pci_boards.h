/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ttydpc_pci_boards.h - where the UARTs of a PCI serial card are, and
 * whether ttydpc can drive them.
 *
 * Kept apart from ttydpc.h, with no kernel-only dependency, so that the
 * host-side unit test (selftests/ttydpc/pci_boards.c) decodes every entry
 * of this very table: QEMU has three of these cards, the rest are only
 * ever checked there.
 *
 * A board number is the driver_data of a PCI ID, ttydpc's own as well as
 * one written to new_id. Numbers 1 to TTYDPC_PCI_GENERIC_MAX are a plain
 * 16550 card with that many ports (so a port count is a valid driver_data);
 * the named boards follow. The numbers are an interface (users write them
 * to new_id, Documentation/ttydpc/hardware.rst lists them): append, never
 * renumber.
 *
 * The layouts come from the kernel's 8250_pci.c and 8250_pericom.c, and for
 * the WCH CH351 from WCH's own driver; the clocks are the ones 8250_pci
 * gives (base_baud * 16).
 *
 * The caller provides the fixed-width types (<linux/types.h> or
 * <stdint.h>-style u8/u16/u32 typedefs) and ARRAY_SIZE.
 */
#ifndef TTYDPC_PCI_BOARDS_H
#define TTYDPC_PCI_BOARDS_H

#define TTYDPC_PCI_GENERIC_MAX	8	/* port counts new_id accepts */
#define TTYDPC_PCI_MAX_PORTS	8	/* most ports on one function */
#define TTYDPC_PCI_NR_BARS	6
#define TTYDPC_PCI_UARTCLK	1843200	/* 115200 baud * 16 */
#define TTYDPC_PCI_UARTCLK_8X	14745600	/* 921600 baud * 16 */

/**
 * enum ttydpc_pci_board_id - a board number (driver_data)
 * @TTYDPC_PCI_NONE: no entry: the dummy ID of a driver_override match
 * @TTYDPC_PCI_GENERIC_1: plain 16550s, BAR 0, 8 bytes apart, 1.8432 MHz;
 *	@TTYDPC_PCI_GENERIC_1 + n - 1 has n ports
 * @TTYDPC_PCI_GENERIC_2: two ports
 * @TTYDPC_PCI_GENERIC_4: four ports
 * @TTYDPC_PCI_GENERIC_8: eight ports
 * @TTYDPC_PCI_NETMOS_1S: NetMos/MosChip 99xx, 9865, ASIX AX99100 function
 *	with one UART (subsystem a000:1000)
 * @TTYDPC_PCI_NETMOS_9865_2S: MCS9865 two UARTs, one BAR each
 * @TTYDPC_PCI_NETMOS_9865_4S: MCS9865 four UARTs, one BAR each
 * @TTYDPC_PCI_NETMOS_9900_2S: MCS9900 two UARTs, BARs 0 and 3
 * @TTYDPC_PCI_NETMOS_98X5: NetMos 9835/9845: subsystem device 0x00PS, S
 *	UARTs, one BAR each
 * @TTYDPC_PCI_NETMOS_9835_IBM: NetMos 9835 on IBM's 1014:0299
 * @TTYDPC_PCI_WCH_BT2: WCH CH351, CH352, CH353 2S1PF: two UARTs, one BAR each
 * @TTYDPC_PCI_WCH_BT4: WCH CH353 4S, CH355 4S: four UARTs, one BAR each
 * @TTYDPC_PCI_WCH_CH382_2S: WCH CH382 2S: BAR 0 from 0xc0
 * @TTYDPC_PCI_WCH_CH384_4S: WCH CH384 4S: BAR 0 from 0xc0
 * @TTYDPC_PCI_WCH_CH384_8S: WCH CH384 8S (refused)
 * @TTYDPC_PCI_PERICOM_7951: Pericom PI7C9X7951
 * @TTYDPC_PCI_PERICOM_7952: Pericom PI7C9X7952
 * @TTYDPC_PCI_PERICOM_7954: Pericom PI7C9X7954 (port 3 at 0x38)
 * @TTYDPC_PCI_PERICOM_7958: Pericom PI7C9X7958
 * @TTYDPC_PCI_OXPCIE_1: Oxford OXPCIe952, one UART (refused)
 * @TTYDPC_PCI_OXPCIE_2: Oxford OXPCIe952, two UARTs (refused)
 * @TTYDPC_PCI_OXPCIE_4: Oxford OXPCIe954 (refused)
 * @TTYDPC_PCI_OXPCIE_8: Oxford OXPCIe958 (refused)
 * @TTYDPC_PCI_EXAR_C152: Exar XR17C152 (refused)
 * @TTYDPC_PCI_EXAR_C154: Exar XR17C154 (refused)
 * @TTYDPC_PCI_EXAR_C158: Exar XR17C158 (refused)
 * @TTYDPC_PCI_EXAR_V352: Exar XR17V352 (refused)
 * @TTYDPC_PCI_EXAR_V354: Exar XR17V354 (refused)
 * @TTYDPC_PCI_EXAR_V358: Exar XR17V358 (refused)
 * @TTYDPC_PCI_NR_BOARDS: one past the last number
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

/**
 * enum ttydpc_pci_io - how a board's UART registers are reached
 * @TTYDPC_PCI_IO_BAR: as the BAR says (I/O port or memory)
 * @TTYDPC_PCI_IO_PORT: I/O ports only
 * @TTYDPC_PCI_IO_MEM: memory only
 */
enum ttydpc_pci_io {
	TTYDPC_PCI_IO_BAR,
	TTYDPC_PCI_IO_PORT,
	TTYDPC_PCI_IO_MEM,
};

/**
 * enum ttydpc_pci_refusal - what a board needs that ttydpc does not do
 * @TTYDPC_PCI_OK: a plain 16550 once mapped: supported
 * @TTYDPC_PCI_VENDOR_INIT: interrupts stay off until a vendor register is
 *	written at probe (8250_pci's init quirk)
 * @TTYDPC_PCI_OX950: Oxford Tornado 16C950: the port count is read from the
 *	chip and standard rates need the 950 clock prescaler (CPR/TCR)
 * @TTYDPC_PCI_EXAR: Exar XR17: 8250_exar's setup (sampling mode, MPIO,
 *	wake and interrupt registers) and 64/256-byte FIFOs
 */
enum ttydpc_pci_refusal {
	TTYDPC_PCI_OK,
	TTYDPC_PCI_VENDOR_INIT,
	TTYDPC_PCI_OX950,
	TTYDPC_PCI_EXAR,
};

/* Board layout flags. */
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
 * @offsets: irregular layouts: the offset of each port (overrides
 *	@first and @stride)
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

/**
 * struct ttydpc_pci_fn - what the decode needs to know of a PCI function
 * @subdevice: its subsystem device ID
 * @bar_len: length of each BAR (0: not implemented)
 * @bar_mem: bit n set: BAR n is memory (else I/O ports)
 */
struct ttydpc_pci_fn {
	u16 subdevice;
	u64 bar_len[TTYDPC_PCI_NR_BARS];
	u8 bar_mem;
};

/**
 * struct ttydpc_pci_loc - where one UART is
 * @bar: its BAR
 * @mem: the BAR is memory (else I/O ports)
 * @regshift: registers are 1 << @regshift bytes apart
 * @offset: offset of its first register in @bar
 * @uartclk: input clock in Hz
 */
struct ttydpc_pci_loc {
	u8 bar;
	u8 mem;
	u8 regshift;
	u32 offset;
	u32 uartclk;
};

/**
 * enum ttydpc_pci_err - why a function cannot be decoded (negated)
 * @TTYDPC_PCI_E_NO_BOARD: no board with that number
 * @TTYDPC_PCI_E_REFUSED: the board needs what ttydpc does not do
 * @TTYDPC_PCI_E_NO_PORTS: the function has no serial port (subsystem
 *	device says none)
 * @TTYDPC_PCI_E_BAR_MISSING: a port's BAR is not implemented
 * @TTYDPC_PCI_E_BAR_TYPE: a port's BAR is I/O where memory is needed or
 *	the reverse
 * @TTYDPC_PCI_E_BAR_SHORT: a port's registers run past the end of its BAR
 * @TTYDPC_PCI_E_TOO_MANY: more ports than the caller has room for
 */
enum ttydpc_pci_err {
	TTYDPC_PCI_E_NO_BOARD = 1,
	TTYDPC_PCI_E_REFUSED,
	TTYDPC_PCI_E_NO_PORTS,
	TTYDPC_PCI_E_BAR_MISSING,
	TTYDPC_PCI_E_BAR_TYPE,
	TTYDPC_PCI_E_BAR_SHORT,
	TTYDPC_PCI_E_TOO_MANY,
};

/**
 * ttydpc_pci_board_get() - the board with a number
 * @id: board number (driver_data), any value
 *
 * Context: any.
 * Return: the board, or NULL when @id names none.
 */
static inline const struct ttydpc_pci_board *ttydpc_pci_board_get(unsigned long id)
{
	if (id >= ARRAY_SIZE(ttydpc_pci_boards) || !ttydpc_pci_boards[id].name)
		return NULL;
	return &ttydpc_pci_boards[id];
}

/**
 * ttydpc_pci_refusal_why() - the reason a refused board is refused
 * @r: enum ttydpc_pci_refusal
 *
 * Context: any.
 * Return: a sentence fragment for a message; NULL for %TTYDPC_PCI_OK.
 */
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

/**
 * ttydpc_pci_decode() - where the UARTs of a function are
 * @id: board number (driver_data)
 * @fn: the function's subsystem device and BARs
 * @loc: filled with one entry per port
 * @max: room in @loc
 *
 * Checks the whole layout against the BARs before the caller touches any
 * of it: every port's 8 registers must lie inside an implemented BAR of
 * the kind the board needs.
 *
 * Context: any.
 * Return: the number of ports (at least 1), or a negated enum ttydpc_pci_err.
 */
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

/**
 * ttydpc_pci_strerror() - a decode error in words
 * @err: a negated enum ttydpc_pci_err, as ttydpc_pci_decode() returns
 *
 * Context: any.
 * Return: a sentence fragment for a message.
 */
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
