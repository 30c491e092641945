/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ttydpc: a 16550 driver following the Windows serial driver's DPC design.
 *
 * Lock order (outer first), written once here:
 *   event file mutex -> ttydpc_lines_lock (the line -> port table)
 *   tty_port mutex -> queue->lock -> uart_port lock (port.lock)
 * The hard IRQ handler takes only port.lock; nothing takes a queue lock
 * while holding port.lock. Serial core locks are taken only by the serial
 * core: the blocking Windows-style calls live on the event file, not in
 * ->ioctl. The console writes under port.lock, so nothing prints with it
 * held (on the console's port that would deadlock).
 */
#ifndef TTYDPC_H
#define TTYDPC_H

#include <linux/atomic.h>
#include <linux/hrtimer.h>
#include <linux/interrupt.h>
#include <linux/list.h>
#include <linux/refcount.h>
#include <linux/serial_core.h>
#include <linux/spinlock.h>
#include <linux/timer.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/completion.h>

#include "ttydpc_compat.h"
#include "uapi/ttydpc.h"

#define TTYDPC_NAME		"ttydpc"
#define TTYDPC_DEV_NAME		"ttyDPC"
#define TTYDPC_NR_PORTS		16
#define TTYDPC_PC_UARTCLK	1843200

/*
 * Hard IRQ work per interrupt: at most TTYDPC_IRQ_PASSES passes over IIR,
 * each reading at most TTYDPC_IRQ_RX_BUDGET bytes and one TX FIFO load:
 * 1024 RX and 256 TX bytes. A UART that empties its TX FIFO at once (an
 * emulator, a very high baud rate) gets 16 loads per interrupt rather
 * than 4; at ordinary rates one pass fills the FIFO and IIR says "none".
 */
#define TTYDPC_IRQ_PASSES	16
#define TTYDPC_IRQ_RX_BUDGET	64

/* RX ring between the hard IRQ handler and ttydpc_dpc_read: power of 2. */
#define TTYDPC_RX_RING		4096

/* How completion work is deferred: Documentation/ttydpc/design.rst */
enum ttydpc_design {
	TTYDPC_DESIGN_ISR,	/* one DpcForIsr per port does everything */
	TTYDPC_DESIGN_CUSTOM,	/* one CustomDpc per kind of completion */
	TTYDPC_DESIGN_BOTH,	/* DpcForIsr: RX/TX; CustomDpcs: rare events */
	TTYDPC_NR_DESIGNS
};

/* Why a deferred routine must run, and which routine handles it */
enum ttydpc_cause {
	TTYDPC_CAUSE_RX,	/* ttydpc_dpc_read: bytes in the RX ring */
	TTYDPC_CAUSE_TX,	/* ttydpc_dpc_write: wakeup, TX empty */
	TTYDPC_CAUSE_ERROR,	/* ttydpc_dpc_error: line error or break */
	TTYDPC_CAUSE_MODEM,	/* ttydpc_dpc_modem: modem lines changed */
	TTYDPC_CAUSE_PURGE,	/* ttydpc_dpc_purge: a purge is queued */
	TTYDPC_CAUSE_TIMER,	/* ttydpc_dpc_timer: the port timer fired */
	TTYDPC_NR_CAUSES
};

/* The deferred objects of a port: the DpcForIsr and the CustomDpcs */
enum ttydpc_dpc_id {
	TTYDPC_DPC_FOR_ISR,
	TTYDPC_DPC_READ,
	TTYDPC_DPC_WRITE,
	TTYDPC_DPC_ERROR,
	TTYDPC_DPC_MODEM,
	TTYDPC_DPC_PURGE,
	TTYDPC_DPC_TIMER,
	TTYDPC_NR_DPCS
};

/* struct ttydpc_dpc.flags bits */
#define TTYDPC_DPC_QUEUED	0	/* queued, not yet started (coalesces) */

#define TTYDPC_LAT_BUCKETS	8	/* <1us, <4, <16, <64, <256us, <1ms, <4ms, more */

/**
 * struct ttydpc_dpc - one deferred procedure call object
 * @port: the port it belongs to
 * @causes: enum ttydpc_cause bits it does
 * @flags: TTYDPC_DPC_QUEUED
 * @bh: tasklet or BH work (ttydpc_compat.h)
 * @queued_at: last queuing that did not coalesce
 * @requests: times queued
 * @coalesced: requests that found it queued
 * @runs: times the routine ran
 * @lat_max_ns: longest queue-to-run latency
 * @lat_hist: queue-to-run latency histogram
 *
 * Locking: @flags and the counters are atomics (hard IRQ and the routine
 * write them); @port and @causes are fixed at bind. The routine clears
 * TTYDPC_DPC_QUEUED before it reads the causes, so a cause raised while it
 * runs queues it again and is never lost.
 */
struct ttydpc_dpc {
	struct ttydpc_port *port;
	unsigned long causes;
	unsigned long flags;
	struct ttydpc_bh bh;
	ktime_t queued_at;
	atomic_long_t requests;
	atomic_long_t coalesced;
	atomic_long_t runs;
	atomic64_t lat_max_ns;
	atomic_long_t lat_hist[TTYDPC_LAT_BUCKETS];
};

/* read, write, purge, wait: ttydpc_port_queue() walks them */
#define TTYDPC_NR_QUEUES	4

/* struct ttydpc_queue.flags bits */
#define TTYDPC_Q_STOPPING	0	/* no new agent may enter */
#define TTYDPC_Q_HELD		1	/* work is held back (RX backpressure) */

/**
 * struct ttydpc_queue - what each of the four queues has
 * @lock: the queue lock
 * @requests: struct ttydpc_request in flight, oldest first
 * @refs: one base reference while the port is up plus one per agent inside
 * @flags: TTYDPC_Q_*
 * @entered: statistics: successful enters
 *
 * Locking: @lock guards @requests and every request's list membership;
 * @flags are atomic bitops. Entering fails once TTYDPC_Q_STOPPING is set
 * and shutdown waits for @refs to reach zero
 * (Documentation/ttydpc/queues.rst, 'Entering and leaving').
 */
struct ttydpc_queue {
	spinlock_t lock;	/* guards requests */
	struct list_head requests;
	refcount_t refs;
	unsigned long flags;
	atomic_long_t entered;
};

/* struct ttydpc_request.flags bits */
#define TTYDPC_REQ_DONE		0	/* completed: the winner set this bit */

/**
 * struct ttydpc_request - one in-flight request (a wait, a purge)
 * @node: on queue->requests, under queue->lock
 * @ref: the issuer's until it has read the result, the queue's while listed
 * @flags: TTYDPC_REQ_DONE
 * @status: 0 or -errno, written once by the winner
 * @arg: event mask (wait), purge flags
 * @result: events that ended a wait
 * @done: completed by the winner
 * @notify: the event file's poll queue
 *
 * Locking, the completion rule: every path that can end it races for
 * test_and_set_bit(TTYDPC_REQ_DONE) under queue->lock; only the winner
 * writes @status and @result, unlinks it, drops the queue's reference and
 * completes @done. Losers change nothing. See
 * Documentation/ttydpc/queues.rst, 'The completion rule'.
 */
struct ttydpc_request {
	struct list_head node;
	refcount_t ref;
	unsigned long flags;
	int status;
	u32 arg;
	u32 result;
	struct completion done;
	wait_queue_head_t *notify;
};

/**
 * struct ttydpc_read_queue - received data on its way to the tty layer
 * @q: the queue; no requests: n_tty owns read()
 * @ch: received characters
 * @lsr: line status error bits per character
 * @head: producer index
 * @tail: consumer index
 * @high_water: most characters ever waiting
 *
 * Locking: single producer (the hard IRQ handler writes @head), single
 * consumer (ttydpc_dpc_read and purge write @tail, both under port.lock);
 * head and tail are published with release/acquire so the hard IRQ path
 * takes no queue lock. Only the object owning TTYDPC_CAUSE_RX fills the
 * flip buffer, committing under port.lock:
 * Documentation/ttydpc/design.rst, 'Deferred objects in parallel'.
 */
struct ttydpc_read_queue {
	struct ttydpc_queue q;
	u8 ch[TTYDPC_RX_RING];
	u8 lsr[TTYDPC_RX_RING];
	unsigned int head;
	unsigned int tail;
	unsigned int high_water;
};

/**
 * struct ttydpc_rxmod - adaptive RX trigger level
 * @idle: level back to 1 after a quiet while
 * @last_rx: when ttydpc_dpc_read() last took bytes
 * @pinned: 0: auto, else the level pinned, in bytes
 * @ix: index into the levels 1/4/8/14
 * @probing: raised from 1 on a guess, unconfirmed
 * @rdi: trigger-level RX passes since the sample
 * @tmo: character-timeout RX passes
 * @bytes: bytes those passes read
 * @busy: bytes at level 1 with no idle gap
 * @probe_at: next guess at this @busy; doubles
 * @up: samples in a row with @rdi >= @tmo
 * @down: samples in a row with @rdi < @tmo
 * @switches: level changes
 *
 * Locking: all but @switches (atomic) under port.lock; the hard IRQ handler
 * counts passes, ttydpc_dpc_read() decides. Policy:
 * Documentation/ttydpc/performance.rst.
 */
struct ttydpc_rxmod {
	struct hrtimer idle;
	ktime_t last_rx;
	u8 pinned;
	u8 ix;
	bool probing;
	unsigned int rdi;
	unsigned int tmo;
	unsigned int bytes;
	unsigned int busy;
	unsigned int probe_at;
	unsigned int up;
	unsigned int down;
	atomic_long_t switches;
};

/**
 * struct ttydpc_write_queue - output: the serial core's xmit buffer
 * @q: the queue
 *
 * Locking: the xmit buffer is touched only under port.lock.
 */
struct ttydpc_write_queue {
	struct ttydpc_queue q;
};

/**
 * struct ttydpc_wait_queue - wait-on-mask requests
 * @q: the queue; a request's arg is its mask
 * @mask: TTYDPC_EV_*
 * @latched: events in @mask not yet reported
 * @event_char: RXFLAG character
 *
 * Locking: @mask under q.lock; @latched is atomic, no lock.
 */
struct ttydpc_wait_queue {
	struct ttydpc_queue q;
	u32 mask;
	atomic_t latched;
	u8 event_char;
};

/**
 * struct ttydpc_purge_queue - purge requests
 * @q: the queue; a request's arg is its flags
 *
 * Locking: that of struct ttydpc_queue.
 */
struct ttydpc_purge_queue {
	struct ttydpc_queue q;
};

/**
 * struct ttydpc_stats - port counters
 * @irq: interrupts, indexed by enum ttydpc_irq_stat
 * @rx_bytes: bytes handed to the tty layer
 * @tx_bytes: bytes written to THR
 * @rx_hw_overrun: overruns the UART reported
 * @rx_buf_overrun: characters the tty layer refused
 * @frame: framing errors
 * @parity: parity errors
 * @brk: breaks
 * @rx_held: times RX was held back: ring full
 * @done: routine runs, indexed by enum ttydpc_cause
 *
 * Locking: all atomic: written in hard IRQ and in the routines.
 */
struct ttydpc_stats {
	atomic_long_t irq[8];
	atomic_long_t rx_bytes;
	atomic_long_t tx_bytes;
	atomic_long_t rx_hw_overrun;
	atomic_long_t rx_buf_overrun;
	atomic_long_t frame;
	atomic_long_t parity;
	atomic_long_t brk;
	atomic_long_t rx_held;
	atomic_long_t done[TTYDPC_NR_CAUSES];
};

/* Interrupt causes counted in ttydpc_stats.irq */
enum ttydpc_irq_stat {
	TTYDPC_IRQ_TOTAL,	/* every call of the handler */
	TTYDPC_IRQ_NONE,	/* IIR: no interrupt pending */
	TTYDPC_IRQ_RX_DATA,
	TTYDPC_IRQ_RX_TIMEOUT,
	TTYDPC_IRQ_THRE,
	TTYDPC_IRQ_LINE,
	TTYDPC_IRQ_MODEM,
	TTYDPC_IRQ_BUSY,	/* DesignWare busy detect */
};

/* Where an RS-485 transmission is (ttydpc_rs485.c) */
enum ttydpc_rs485_state {
	TTYDPC_RS485_IDLE,	/* RTS at its after-send level */
	TTYDPC_RS485_LEAD,	/* RTS on, delay_rts_before_send, then THRI */
	TTYDPC_RS485_SENDING,	/* RTS on, feeding the FIFO */
	TTYDPC_RS485_DRAIN,	/* queue empty, polling LSR for TEMT */
	TTYDPC_RS485_TAIL,	/* transmitter empty, delay_rts_after_send */
};

/**
 * struct ttydpc_rs485 - RS-485 direction control
 * @timer: RTS delays and the TEMT poll
 * @state: where the transmission is
 * @rx_muted: RTS on, no RX during TX: drop
 *
 * Locking: under port.lock. The timer callback takes port.lock, so the
 * timer is cancelled with hrtimer_try_to_cancel() under the lock and with
 * hrtimer_cancel() only outside it (shutdown).
 */
struct ttydpc_rs485 {
	struct hrtimer timer;
	enum ttydpc_rs485_state state;
	bool rx_muted;
};

/* struct ttydpc_port.state bits */
#define TTYDPC_PORT_STOPPING	0	/* not started: no work queued, IER 0 */
#define TTYDPC_PORT_OPEN	1	/* startup done, ttydpc_port_stop() not */

/**
 * struct ttydpc_port - one UART driven by ttydpc
 * @port: the serial core's port
 * @dev: the bus device
 * @design: deferral design
 * @ier: lock; IER shadow, 0 while STOPPING: ttydpc_set_ier()
 * @mcr: lock; bits always set on top of mctrl
 * @lcr: lock; LCR shadow
 * @fcr: lock; FIFO enable and RX trigger
 * @msr: lock; last MSR seen
 * @capabilities: TTYDPC_CAP_*
 * @rx_trigger: RX FIFO trigger level in bytes
 * @tx_loadsz: bytes per TX FIFO load
 * @dw_apb: DesignWare APB: busy detect, USR
 * @dw_usr: DesignWare USR register index
 * @irq_level: lock; set at startup: the IRQ line is level-triggered
 * @ms_termios: lock; termios want MSI (CRTSCTS, !CLOCAL)
 * @ms_miwait: lock; TIOCMIWAIT seen, kept to shutdown
 * @ms_events: lock; event mask has modem events
 * @state: TTYDPC_PORT_*
 * @pending: enum ttydpc_cause bits raised
 * @latched_lsr: line errors, for ttydpc_dpc_error
 * @latched_msr: modem deltas, for ttydpc_dpc_modem
 * @comm_errors: TTYDPC_ERR_* since GET_COMMSTATUS
 * @dpc: the deferred objects
 * @dpc_of: cause -> object
 * @timer: RX backpressure retry
 * @rx: read queue
 * @tx: write queue
 * @wait: wait queue
 * @purge: purge queue
 * @stats: counters
 * @rs485: RS-485 direction; settings: port.rs485
 * @rxmod: adaptive RX trigger
 * @lsr_saved: lock; see Locking
 * @inject_lsr: debugfs: PE/FE for the next byte
 * @carrier_off: debugfs: get_mctrl hides DCD
 * @debugfs: debugfs directory
 * @serial: per binding; set before ttydpc_ports[]
 * @tty_flush: tcflush() outside tty_port mutex
 * @tty_flushed: @tty_flush done; users: under tty_port mutex
 *
 * Locking: port.lock (the serial core's) guards the registers, the xmit
 * buffer and the fields marked "lock"; atomics and bitops need none; the
 * rest is fixed while the port is bound. @lsr_saved keeps LSR error bits
 * read outside the hard IRQ path (tx_empty, RS-485 drain, console write)
 * for the next RX pass; the console's oops path and kgdb, which may not
 * hold port.lock, leave it alone.
 */
struct ttydpc_port {
	struct uart_port port;
	struct device *dev;
	enum ttydpc_design design;
	u8 ier;
	u8 mcr;
	u8 lcr;
	u8 fcr;
	u8 msr;
	u32 capabilities;
	unsigned int rx_trigger;
	unsigned int tx_loadsz;
	bool dw_apb;
	unsigned int dw_usr;
	bool irq_level;
	bool ms_termios;
	bool ms_miwait;
	bool ms_events;
	unsigned long state;
	unsigned long pending;
	atomic_t latched_lsr;
	atomic_t latched_msr;
	atomic_t comm_errors;
	struct ttydpc_dpc dpc[TTYDPC_NR_DPCS];
	struct ttydpc_dpc *dpc_of[TTYDPC_NR_CAUSES];
	struct timer_list timer;
	struct ttydpc_read_queue rx;
	struct ttydpc_write_queue tx;
	struct ttydpc_wait_queue wait;
	struct ttydpc_purge_queue purge;
	struct ttydpc_stats stats;
	struct ttydpc_rs485 rs485;
	struct ttydpc_rxmod rxmod;
	u8 lsr_saved;
	atomic_t inject_lsr;
	atomic_t carrier_off;
	struct dentry *debugfs;
	u64 serial;
	struct work_struct tty_flush;
	struct completion tty_flushed;
};

#define TTYDPC_CAP_FIFO		BIT(0)

static inline struct ttydpc_port *to_ttydpc(struct uart_port *port)
{
	return container_of(port, struct ttydpc_port, port);
}

/* ttydpc_hw.c: register access and detection */
unsigned int ttydpc_in(struct ttydpc_port *p, unsigned int reg);
void ttydpc_out(struct ttydpc_port *p, unsigned int reg, unsigned int val);
int ttydpc_hw_detect(struct ttydpc_port *p);
void ttydpc_hw_set_fcr(struct ttydpc_port *p, unsigned int extra);
unsigned int ttydpc_fcr_for_trigger(struct ttydpc_port *p, unsigned int bytes,
				    unsigned int *actual);
void ttydpc_hw_write_lcr(struct ttydpc_port *p, u8 lcr);
void ttydpc_set_ier(struct ttydpc_port *p, u8 ier);

/* ttydpc_irq.c: the hard IRQ path */
irqreturn_t ttydpc_irq(int irq, void *dev_id);

/* ttydpc_dpc.c: deferred objects and designs */
extern const char * const ttydpc_design_names[TTYDPC_NR_DESIGNS];
extern const char * const ttydpc_dpc_names[TTYDPC_NR_DPCS];
extern const char * const ttydpc_cause_names[TTYDPC_NR_CAUSES];
void ttydpc_dpc_init(struct ttydpc_port *p);
void ttydpc_dpc_raise(struct ttydpc_port *p, enum ttydpc_cause cause);
void ttydpc_dpc_raise_mask(struct ttydpc_port *p, unsigned long causes);
void ttydpc_dpc_stop(struct ttydpc_port *p);

/* ttydpc_queue.c: queues and the request completion rule */
void ttydpc_queue_init(struct ttydpc_queue *q);
void ttydpc_queue_start(struct ttydpc_queue *q);
bool ttydpc_queue_enter(struct ttydpc_queue *q);
void ttydpc_queue_leave(struct ttydpc_queue *q);
struct ttydpc_request *ttydpc_request_alloc(u32 arg);
void ttydpc_request_put(struct ttydpc_request *req);
bool ttydpc_request_submit(struct ttydpc_queue *q, struct ttydpc_request *req);
bool ttydpc_request_complete(struct ttydpc_queue *q, struct ttydpc_request *req,
			     int status, u32 result);
void ttydpc_queue_complete_all(struct ttydpc_queue *q, int status, u32 result);
void ttydpc_queue_stop(struct ttydpc_queue *q, int status);
void ttydpc_queue_complete_events(struct ttydpc_queue *q, atomic_t *latched,
				  u32 mask);
void ttydpc_request_end(struct ttydpc_request *req, int status, u32 result);
unsigned int ttydpc_queue_pending(struct ttydpc_queue *q);
extern const char * const ttydpc_queue_names[TTYDPC_NR_QUEUES];
struct ttydpc_queue *ttydpc_port_queue(struct ttydpc_port *p, unsigned int i);

/* ttydpc_read.c: read queue */
void ttydpc_read_init(struct ttydpc_port *p);
unsigned int ttydpc_rx_chars(struct ttydpc_port *p, unsigned int iir,
			     unsigned int lsr, unsigned long *causes);
void ttydpc_dpc_read(struct ttydpc_port *p);
unsigned int ttydpc_read_queued(struct ttydpc_port *p);
void ttydpc_read_discard(struct ttydpc_port *p);

/* ttydpc_rxmod.c: adaptive RX trigger level */
void ttydpc_rxmod_start(struct ttydpc_port *p);
void ttydpc_rxmod_stop(struct ttydpc_port *p);
void ttydpc_rxmod_sample(struct ttydpc_port *p);
int ttydpc_rxmod_pin(struct ttydpc_port *p, unsigned int bytes);
unsigned int ttydpc_rxmod_level(struct ttydpc_port *p);

/* ttydpc_write.c: write queue */
void ttydpc_tx_chars(struct ttydpc_port *p, unsigned long *causes);
void ttydpc_dpc_write(struct ttydpc_port *p);
void ttydpc_start_tx(struct uart_port *port);
void ttydpc_stop_tx(struct uart_port *port);
unsigned int ttydpc_write_queued(struct ttydpc_port *p);
void ttydpc_write_discard(struct ttydpc_port *p);

/* ttydpc_modem.c: modem lines */
void ttydpc_modem_check(struct ttydpc_port *p, unsigned int msr,
			unsigned long *causes);
void ttydpc_dpc_modem(struct ttydpc_port *p);
void ttydpc_dpc_error(struct ttydpc_port *p);
void ttydpc_set_mctrl(struct uart_port *port, unsigned int mctrl);
void ttydpc_write_mcr(struct ttydpc_port *p, unsigned int mctrl);
unsigned int ttydpc_get_mctrl(struct uart_port *port);
void ttydpc_enable_ms(struct uart_port *port);
void ttydpc_update_msi(struct ttydpc_port *p);

/* ttydpc_wait.c: wait queue */
void ttydpc_wait_latch(struct ttydpc_port *p, u32 events);
int ttydpc_wait_set_mask(struct ttydpc_port *p, u32 mask);
int ttydpc_wait_submit(struct ttydpc_port *p, struct ttydpc_request *req);
void ttydpc_wait_abort(struct ttydpc_port *p, bool rx);

/* ttydpc_purge.c: purge queue */
int ttydpc_purge(struct ttydpc_port *p, u32 flags);
int ttydpc_tcflush(struct ttydpc_port *p, unsigned long arg);
void ttydpc_dpc_purge(struct ttydpc_port *p);
void ttydpc_purge_init(struct ttydpc_port *p);
void ttydpc_purge_exit(struct ttydpc_port *p);

/* ttydpc_read.c: the port timer, the RX retry */
void ttydpc_timer_init(struct ttydpc_port *p);
void ttydpc_timer_arm(struct ttydpc_port *p, unsigned int chars);
void ttydpc_dpc_timer(struct ttydpc_port *p);

/* ttydpc_rs485.c: RS-485 direction control */
int ttydpc_rs485_init(struct ttydpc_port *p);
void ttydpc_rs485_stop(struct ttydpc_port *p);
unsigned int ttydpc_rs485_mctrl(struct ttydpc_port *p, unsigned int mctrl);
void ttydpc_rs485_start_tx(struct ttydpc_port *p);
void ttydpc_rs485_tx_done(struct ttydpc_port *p);
unsigned int ttydpc_rs485_rx_drop(struct ttydpc_port *p, unsigned int lsr);

/* ttydpc_rs485.c: RS-485 direction around a console write */
bool ttydpc_rs485_console_start(struct ttydpc_port *p, u8 *mcr);
void ttydpc_rs485_console_end(struct ttydpc_port *p, u8 mcr);

/* ttydpc_console.c: polled I/O (console, kgdb) */
extern struct console ttydpc_console;
#ifdef CONFIG_CONSOLE_POLL
int ttydpc_poll_init(struct uart_port *port);
int ttydpc_poll_get_char(struct uart_port *port);
void ttydpc_poll_put_char(struct uart_port *port, unsigned char ch);
#endif

/* ttydpc_uart.c: uart_ops */
extern const struct uart_ops ttydpc_uart_ops;
void ttydpc_port_stop(struct ttydpc_port *p);

/* ttydpc_ioctl.c: the event file's calls on a pinned port */
typedef int (*ttydpc_port_call_fn)(struct ttydpc_port *p, void __user *arg);
ttydpc_port_call_fn ttydpc_port_call(unsigned int cmd);

/* ttydpc_event_file.c: /dev/ttydpc */
int ttydpc_event_file_register(void);
void ttydpc_event_file_unregister(void);

/* ttydpc_debugfs.c */
void ttydpc_debugfs_init(void);
void ttydpc_debugfs_exit(void);
void ttydpc_debugfs_add(struct ttydpc_port *p);
void ttydpc_debugfs_remove(struct ttydpc_port *p);

/* ttydpc_sysfs.c */
extern struct attribute_group ttydpc_port_attr_group;

/* ttydpc_port.c: what every bus binding calls */
extern struct uart_driver ttydpc_uart_driver;
extern enum ttydpc_design ttydpc_default_design;
int ttydpc_port_register(struct ttydpc_port *p);
void ttydpc_port_unregister(struct ttydpc_port *p);
struct ttydpc_port *ttydpc_port_of(struct device *dev, unsigned int line);
struct ttydpc_port *ttydpc_port_on_line(unsigned int line);
int ttydpc_port_serial(unsigned int line, u64 *serial);
struct ttydpc_port *ttydpc_port_enter(unsigned int line, u64 serial);

/* ttydpc_pm.c: suspend/resume, for every bus binding's .driver.pm */
extern const struct dev_pm_ops ttydpc_pm_ops;

/* bus bindings */
int ttydpc_pci_register(void);
void ttydpc_pci_unregister(void);
int ttydpc_pnp_register(void);
void ttydpc_pnp_unregister(void);
int ttydpc_isa_register(void);
void ttydpc_isa_unregister(void);
int ttydpc_of_register(void);
void ttydpc_of_unregister(void);

#endif /* TTYDPC_H */
