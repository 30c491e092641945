/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * ttydpc user API: Windows-style wait-on-mask, purge and statistics.
 *
 * They live on an event file, not on the tty: open /dev/ttydpc, attach the
 * file to an open /dev/ttyDPC<n> with TTYDPC_IOC_ATTACH, then send it the
 * ioctls below. read() on it waits for an event of the mask (Windows'
 * WaitCommEvent) and returns a struct ttydpc_event; poll/epoll/select
 * report it readable when such a wait has ended, so an event loop needs no
 * thread. Every struct has one size and layout for 32- and 64-bit
 * userspace; reserved fields must be zero on input and are zero on output.
 * Documentation/ttydpc/uapi.rst describes each call.
 */
#ifndef _UAPI_TTYDPC_H
#define _UAPI_TTYDPC_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* Events for TTYDPC_IOC_SET_MASK and read() (serial.sys' EV_*). */
#define TTYDPC_EV_RXCHAR	0x0001	/* a character was received */
#define TTYDPC_EV_RXFLAG	0x0002	/* the event character was received */
#define TTYDPC_EV_TXEMPTY	0x0004	/* the last byte left the transmit queue */
#define TTYDPC_EV_CTS		0x0008	/* CTS changed */
#define TTYDPC_EV_DSR		0x0010	/* DSR changed */
#define TTYDPC_EV_RLSD		0x0020	/* DCD (receive line signal) changed */
#define TTYDPC_EV_BREAK		0x0040	/* a break was received */
#define TTYDPC_EV_ERR		0x0080	/* framing, overrun or parity error */
#define TTYDPC_EV_RING		0x0100	/* ring indicator */
#define TTYDPC_EV_RX80FULL	0x0400	/* receive queue 80% full */
#define TTYDPC_EV_ALL		0x05ff

/* Purge flags (serial.sys' PURGE_*). */
#define TTYDPC_PURGE_TXABORT	0x0001	/* end output and waits on output */
#define TTYDPC_PURGE_RXABORT	0x0002	/* end waits on input, drop input */
#define TTYDPC_PURGE_TXCLEAR	0x0004	/* discard queued output, reset TX FIFO */
#define TTYDPC_PURGE_RXCLEAR	0x0008	/* discard queued input, reset RX FIFO */
#define TTYDPC_PURGE_ALL	0x000f

/* Latched line errors in struct ttydpc_comm_status.errors. */
#define TTYDPC_ERR_FRAME	0x0001
#define TTYDPC_ERR_OVERRUN	0x0002	/* UART overrun */
#define TTYDPC_ERR_RXOVER	0x0004	/* driver queue overrun */
#define TTYDPC_ERR_PARITY	0x0008
#define TTYDPC_ERR_BREAK	0x0010

/* Hold reasons in struct ttydpc_comm_status.hold. */
#define TTYDPC_HOLD_CTS		0x0001	/* output waits for CTS */
#define TTYDPC_HOLD_XOFF	0x0002	/* output stopped by XOFF (or tcflow) */
#define TTYDPC_HOLD_RX		0x0004	/* input held back (queue full/throttled) */
#define TTYDPC_HOLD_BREAK	0x0008	/* a break is being sent */

/**
 * struct ttydpc_wait_mask - event mask and event character
 * @version: must be 1
 * @mask: TTYDPC_EV_* bits
 * @event_char: character that raises TTYDPC_EV_RXFLAG
 * @reserved: must be zero
 */
struct ttydpc_wait_mask {
	__u32 version;
	__u32 mask;
	__u8 event_char;
	__u8 reserved[7];
};

/**
 * struct ttydpc_event - what read() on the event file returns: one ended wait
 * @version: 1
 * @events: the TTYDPC_EV_* that ended the wait (0: a new mask ended it)
 * @reserved: zero
 */
struct ttydpc_event {
	__u32 version;
	__u32 events;
	__u32 reserved[2];
};

/**
 * struct ttydpc_stats_user - performance statistics (serial.sys' SERIALPERF_STATS)
 * @version: must be 1
 * @reserved0: zero
 * @received: bytes received
 * @transmitted: bytes transmitted
 * @frame_errors: framing errors
 * @overrun_errors: UART overruns
 * @buffer_overruns: bytes lost for lack of room in the driver or tty layer
 * @parity_errors: parity errors
 * @breaks: breaks received
 * @reserved: zero
 */
struct ttydpc_stats_user {
	__u32 version;
	__u32 reserved0;
	__u64 received;
	__u64 transmitted;
	__u64 frame_errors;
	__u64 overrun_errors;
	__u64 buffer_overruns;
	__u64 parity_errors;
	__u64 breaks;
	__u64 reserved[4];
};

/**
 * struct ttydpc_comm_status - comm status snapshot (serial.sys' SERIAL_STATUS)
 * @version: must be 1
 * @errors: TTYDPC_ERR_* latched since the last call (reading clears them)
 * @hold: TTYDPC_HOLD_* reasons in force now
 * @in_queue: bytes received and not yet handed to the tty layer
 * @out_queue: bytes waiting to be transmitted
 * @reserved: zero
 */
struct ttydpc_comm_status {
	__u32 version;
	__u32 errors;
	__u32 hold;
	__u32 in_queue;
	__u32 out_queue;
	__u32 reserved[3];
};

/* The event file's device node. */
#define TTYDPC_EVENT_DEV	"/dev/ttydpc"

/*
 * ioctls of the event file. ATTACH takes a pointer to the file descriptor
 * of an open /dev/ttyDPC<n>; every other call needs an attached file.
 * 0x42 was a blocking wait on the tty (0.9); read() replaces it.
 */
#define TTYDPC_IOC_MAGIC	'D'
#define TTYDPC_IOC_SET_MASK	_IOW(TTYDPC_IOC_MAGIC, 0x40, struct ttydpc_wait_mask)
#define TTYDPC_IOC_GET_MASK	_IOWR(TTYDPC_IOC_MAGIC, 0x41, struct ttydpc_wait_mask)
#define TTYDPC_IOC_PURGE	_IOW(TTYDPC_IOC_MAGIC, 0x43, __u32)
#define TTYDPC_IOC_GET_STATS	_IOWR(TTYDPC_IOC_MAGIC, 0x44, struct ttydpc_stats_user)
#define TTYDPC_IOC_CLEAR_STATS	_IO(TTYDPC_IOC_MAGIC, 0x45)
#define TTYDPC_IOC_COMMSTATUS	_IOWR(TTYDPC_IOC_MAGIC, 0x46, struct ttydpc_comm_status)
#define TTYDPC_IOC_ATTACH	_IOW(TTYDPC_IOC_MAGIC, 0x47, __s32)

#endif /* _UAPI_TTYDPC_H */
