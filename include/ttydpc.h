/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ttydpc: a 16550 driver whose interrupt handling follows the Windows
 * serial driver's DPC design. Internal interfaces shared by src/.
 *
 * Lock order (outer first), written once here:
 *   event file mutex (ttydpc_event_file.c; its attachment and pending wait)
 *     -> ttydpc_lines_lock (ttydpc_port.c; the line -> port table)
 *   tty_port mutex (serial core, held in startup/shutdown/ioctl)
 *     -> queue->lock (ttydpc_queue; request lists)
 *       -> uart_port lock (port.lock; registers, xmit buffer, shadow regs)
 * The hard IRQ handler takes only the uart_port lock. Deferred routines
 * take a queue lock and then, if they need registers, the uart_port lock.
 * Nothing takes a queue lock while holding the uart_port lock.
 * The serial core's locks are taken only by the serial core: the
 * Windows-style calls, which block, live on the event file, not in
 * ->ioctl, and never hold or drop the tty_port mutex.
 * The console (ttydpc_console.c) takes the uart_port lock to write, so
 * nothing in ttydpc prints (printk, dev_err) with that lock held: on the
 * console's port it would deadlock.
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
 * Work the hard IRQ handler may do per interrupt: at most this many passes
 * over IIR, each reading at most TTYDPC_IRQ_RX_BUDGET bytes and writing at
 * most one TX FIFO load; so at most TTYDPC_IRQ_PASSES * TTYDPC_IRQ_RX_BUDGET
 * bytes are read per interrupt. A pass reads what the FIFO holds, so the
 * per-pass budget binds only when bytes keep arriving while it reads.
 */
#define TTYDPC_IRQ_PASSES	4
#define TTYDPC_IRQ_RX_BUDGET	256

/* RX ring between the hard IRQ handler and ttydpc_dpc_read: power of 2. */
#define TTYDPC_RX_RING		4096

/**
 * enum ttydpc_design - how the hard IRQ handler defers its completion work
 * @TTYDPC_DESIGN_ISR: one DpcForIsr per port completes everything
 * @TTYDPC_DESIGN_CUSTOM: one CustomDpc per kind of completion
 * @TTYDPC_DESIGN_BOTH: DpcForIsr for RX/TX, CustomDpcs for rare events
 * @TTYDPC_NR_DESIGNS: number of designs
 */
enum ttydpc_design {
	TTYDPC_DESIGN_ISR,
	TTYDPC_DESIGN_CUSTOM,
	TTYDPC_DESIGN_BOTH,
	TTYDPC_NR_DESIGNS
};

/**
 * enum ttydpc_cause - why a deferred routine must run
 * @TTYDPC_CAUSE_RX: bytes waiting in the RX ring (ttydpc_dpc_read)
 * @TTYDPC_CAUSE_TX: write wakeup or transmitter empty (ttydpc_dpc_write)
 * @TTYDPC_CAUSE_ERROR: line error or break latched (ttydpc_dpc_error)
 * @TTYDPC_CAUSE_MODEM: modem lines changed (ttydpc_dpc_modem)
 * @TTYDPC_CAUSE_PURGE: a purge request is queued (ttydpc_dpc_purge)
 * @TTYDPC_CAUSE_TIMER: the port timer fired (ttydpc_dpc_timer)
 * @TTYDPC_NR_CAUSES: number of causes
 */
enum ttydpc_cause {
	TTYDPC_CAUSE_RX,
	TTYDPC_CAUSE_TX,
	TTYDPC_CAUSE_ERROR,
	TTYDPC_CAUSE_MODEM,
	TTYDPC_CAUSE_PURGE,
	TTYDPC_CAUSE_TIMER,
	TTYDPC_NR_CAUSES
};

/**
 * enum ttydpc_dpc_id - the deferred objects of a port
 * @TTYDPC_DPC_FOR_ISR: the DpcForIsr (designs isr and both)
 * @TTYDPC_DPC_READ: CustomDpc completing reads
 * @TTYDPC_DPC_WRITE: CustomDpc completing writes
 * @TTYDPC_DPC_ERROR: CustomDpc for line errors
 * @TTYDPC_DPC_MODEM: CustomDpc for modem status and event waits
 * @TTYDPC_DPC_PURGE: CustomDpc for purges
 * @TTYDPC_DPC_TIMER: CustomDpc for timer-driven completion
 * @TTYDPC_NR_DPCS: number of deferred objects
 */
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
 * @causes: bitmask of enum ttydpc_cause this object completes (fixed at bind)
 * @flags: TTYDPC_DPC_QUEUED, atomic bitops: set by whoever queues, cleared
 *	by the routine before it looks at the causes, so a cause raised while
 *	it runs queues it again and is never lost
 * @bh: the tasklet or BH work item behind it (see ttydpc_compat.h)
 * @queued_at: time of the queuing that was not coalesced (latency)
 * @requests: times queued
 * @coalesced: of those, times it was already queued
 * @runs: times the routine ran
 * @lat_max_ns: longest queue-to-run latency seen
 * @lat_hist: queue-to-run latency histogram
 *
 * Counters are atomics: written from hard IRQ and the routine itself.
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
 * struct ttydpc_queue - what every one of the four queues has
 * @lock: guards @requests and every request's list membership
 * @requests: in-flight struct ttydpc_request, oldest first
 * @refs: one base reference while the port is up, plus one for every agent
 *	(hard IRQ pass, deferred routine, timer, waiter) inside the queue.
 *	Agents enter with ttydpc_queue_enter(), which fails once STOPPING is
 *	set; shutdown sets STOPPING, drops the base reference and waits for
 *	zero. Nothing of the queue is touched after that until startup.
 * @flags: TTYDPC_Q_* bits, atomic bitops
 * @entered: statistics: successful enters
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
 * @node: on queue->requests while pending, under queue->lock
 * @ref: references: the issuer holds one until it has read the result;
 *	the queue holds one while @node is listed. The last put frees.
 * @flags: TTYDPC_REQ_DONE. The completion rule: exactly one path (deferred
 *	routine, signal, close, purge, new mask, unbind) wins
 *	test_and_set_bit(TTYDPC_REQ_DONE) under queue->lock; only the winner
 *	writes @status and @result, unlinks the request and drops the queue's
 *	reference. Losers change nothing.
 * @status: 0 or a negative errno, written once by the winner
 * @arg: request argument (event mask for waits, purge flags)
 * @result: request result (events that ended a wait)
 * @done: completed by the winner after it unlocks
 * @notify: woken (for poll) by the winner just before @done; set by the
 *	issuer before it submits, owned by an event file that outlives the
 *	request's completion (ttydpc_event_file.c)
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
 * @q: the queue (no requests: n_tty owns read() calls)
 * @ch: received characters
 * @lsr: line status error bits per character
 * @head: written by the hard IRQ handler only (producer)
 * @tail: written by ttydpc_dpc_read and purge only (consumer), both
 *	under the uart_port lock so they exclude each other
 * @high_water: most characters ever waiting in the ring
 *
 * Single producer, single consumer: head and tail are published with
 * release/acquire so the hard IRQ path never takes a queue lock.
 *
 * The tty flip buffer behind it allows one producer, and its commit
 * (tty_flip_buffer_push()) takes no lock. Two rules make RX completion
 * single-producer: (1) ttydpc_dpc_read runs only in the deferred object
 * the design maps TTYDPC_CAUSE_RX to, which never runs on two CPUs at once;
 * every other path that wants reads completed (the timer, a release of the
 * hold) raises that cause instead of calling it. Two different objects do
 * run in parallel on different CPUs. (2) It fills the flip buffer and
 * commits it under the uart_port lock, which a purge also holds while it
 * empties the ring and the FIFO, so a purge never falls between the two.
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
 * struct ttydpc_rxmod - adaptive RX trigger (ttydpc_rxmod.c)
 * @idle: drops the level to 1 once the line has been quiet a while
 * @last_rx: when the read routine last took bytes (under port.lock)
 * @pinned: 0 for "auto", else the level a user pinned, in bytes
 * @ix: current level, an index into the levels 1/4/8/14 (under port.lock)
 * @probing: the level was raised from 1 on a guess, not yet confirmed
 * @rdi: trigger-level RX passes since the last sample (hard IRQ side)
 * @tmo: character-timeout RX passes since the last sample (hard IRQ side)
 * @bytes: bytes those passes read
 * @busy: bytes received at level 1 with no idle gap between them
 * @probe_at: @busy that makes the next guess; doubles on a wrong guess
 * @up: samples in a row with at least as many trigger-level passes as timeouts
 * @down: samples in a row with more timeout passes
 * @switches: level changes since the port was bound
 *
 * Everything but @switches is under the uart_port lock: the hard IRQ
 * handler counts passes, ttydpc_dpc_read() decides.
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
 * struct ttydpc_write_queue - output: the serial core's xmit buffer plus
 *	the transmitter-empty state
 * @q: the queue
 *
 * The xmit buffer itself belongs to the serial core and is touched only
 * under the uart_port lock (hard IRQ feeding the FIFO, start_tx, purge).
 */
struct ttydpc_write_queue {
	struct ttydpc_queue q;
};

/**
 * struct ttydpc_wait_queue - Windows-style wait-on-mask requests
 * @q: the queue; requests are struct ttydpc_request with @arg the mask
 * @mask: the port's event mask (TTYDPC_EV_*), under q.lock
 * @latched: events that happened while in @mask and not yet reported,
 *	atomic so routines in any context can latch without the lock
 * @event_char: RXFLAG character
 */
struct ttydpc_wait_queue {
	struct ttydpc_queue q;
	u32 mask;
	atomic_t latched;
	u8 event_char;
};

/**
 * struct ttydpc_purge_queue - purge requests
 * @q: the queue; requests are struct ttydpc_request with @arg the flags
 */
struct ttydpc_purge_queue {
	struct ttydpc_queue q;
};

/**
 * struct ttydpc_stats - counters (atomic: written in hard IRQ and routines)
 * @irq: interrupts by cause, indexed by enum ttydpc_irq_stat
 * @rx_bytes: bytes handed to the tty layer
 * @tx_bytes: bytes written to THR
 * @rx_hw_overrun: overruns the UART reported
 * @rx_buf_overrun: characters the tty layer refused in ttydpc_dpc_read
 *	(it only offers what tty_buffer_space_avail() allows, so only an
 *	allocation failure should count); since the last CLEAR_STATS
 * @frame: framing errors
 * @parity: parity errors
 * @brk: breaks
 * @rx_held: times RX was held back because the ring was full
 * @done: runs of each completion routine, indexed by enum ttydpc_cause
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

/**
 * enum ttydpc_irq_stat - interrupt causes counted in struct ttydpc_stats
 * @TTYDPC_IRQ_TOTAL: every call of the handler
 * @TTYDPC_IRQ_NONE: not ours (IIR said no interrupt pending)
 * @TTYDPC_IRQ_RX_DATA: RX trigger level reached
 * @TTYDPC_IRQ_RX_TIMEOUT: RX character timeout
 * @TTYDPC_IRQ_THRE: transmitter holding register empty
 * @TTYDPC_IRQ_LINE: line status
 * @TTYDPC_IRQ_MODEM: modem status
 * @TTYDPC_IRQ_BUSY: DesignWare busy detect
 */
enum ttydpc_irq_stat {
	TTYDPC_IRQ_TOTAL,
	TTYDPC_IRQ_NONE,
	TTYDPC_IRQ_RX_DATA,
	TTYDPC_IRQ_RX_TIMEOUT,
	TTYDPC_IRQ_THRE,
	TTYDPC_IRQ_LINE,
	TTYDPC_IRQ_MODEM,
	TTYDPC_IRQ_BUSY,
};

/**
 * enum ttydpc_rs485_state - where an RS-485 transmission is (ttydpc_rs485.c)
 * @TTYDPC_RS485_IDLE: RTS at its after-send level
 * @TTYDPC_RS485_LEAD: RTS on, waiting delay_rts_before_send before THRI
 * @TTYDPC_RS485_SENDING: RTS on, the FIFO is being fed
 * @TTYDPC_RS485_DRAIN: queue empty, polling LSR for TEMT
 * @TTYDPC_RS485_TAIL: transmitter empty, waiting delay_rts_after_send
 */
enum ttydpc_rs485_state {
	TTYDPC_RS485_IDLE,
	TTYDPC_RS485_LEAD,
	TTYDPC_RS485_SENDING,
	TTYDPC_RS485_DRAIN,
	TTYDPC_RS485_TAIL,
};

/**
 * struct ttydpc_rs485 - RS-485 direction control
 * @timer: the RTS delays and the TEMT poll; its callback takes port.lock,
 *	so it is cancelled only with hrtimer_try_to_cancel() under the lock
 *	and with hrtimer_cancel() outside it (shutdown)
 * @state: enum ttydpc_rs485_state (under port.lock)
 * @rx_muted: received bytes are dropped: RTS is on and the port does not
 *	receive during transmit (under port.lock)
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
 * @port: the serial core's port. Its lock guards the registers, the
 *	shadow registers below and the xmit buffer.
 * @dev: the bus device
 * @design: deferral design, fixed while the port is bound
 * @ier: shadow of IER (under port.lock); 0 while TTYDPC_PORT_STOPPING is
 *	set, see ttydpc_set_ier()
 * @mcr: MCR bits always set on top of mctrl (under port.lock)
 * @lcr: shadow of LCR (under port.lock)
 * @fcr: FCR value: FIFO enable and RX trigger (under port.lock)
 * @msr: last MSR value seen (under port.lock)
 * @capabilities: TTYDPC_CAP_* from detection
 * @rx_trigger: RX FIFO trigger level in bytes
 * @tx_loadsz: bytes written to the TX FIFO per THRE
 * @dw_apb: DesignWare APB UART: busy detect, USR at @dw_usr
 * @dw_usr: DesignWare UART status register index
 * @ms_termios: the termios want modem status interrupts (CRTSCTS, no
 *	CLOCAL, hardpps), under port.lock
 * @ms_miwait: TIOCMIWAIT asked for them (enable_ms) since startup; kept
 *	until shutdown, as the core never says when such a wait ends
 *	(under port.lock)
 * @ms_events: the wait-on-mask mask holds modem events (under port.lock)
 * @state: TTYDPC_PORT_* bits, atomic bitops
 * @pending: enum ttydpc_cause bits raised and not yet handled, atomic
 * @latched_lsr: line error bits seen by the hard IRQ path, for ttydpc_dpc_error
 * @latched_msr: modem delta bits seen, for ttydpc_dpc_modem
 * @comm_errors: TTYDPC_ERR_* since the last GET_COMMSTATUS, atomic
 * @dpc: deferred objects
 * @dpc_of: cause -> object, from @design (fixed while bound)
 * @timer: the port's timer (RX backpressure retry)
 * @rx: read queue
 * @tx: write queue
 * @wait: wait queue
 * @purge: purge queue
 * @stats: counters
 * @rs485: RS-485 direction control (port.rs485 holds the settings)
 * @rxmod: adaptive RX trigger level
 * @lsr_saved: LSR error bits read outside the hard IRQ path (tx_empty,
 *	the RS-485 drain, a console write), handed to the next RX pass so no
 *	error is lost (under port.lock; the console's oops path and kgdb,
 *	which may not hold it, leave it alone)
 * @inject_lsr: test hook (debugfs inject_rx_error): LSR PE/FE bits the
 *	hard IRQ path attaches to the next byte it receives, as if the UART
 *	had flagged it; atomic, taken with atomic_xchg() by that path
 * @carrier_off: test hook (debugfs carrier_off): get_mctrl reports no
 *	carrier while it is non-zero (QEMU's sockets always show DCD)
 * @debugfs: debugfs directory
 * @serial: this binding's number, unique while the module is loaded (an
 *	event file attached to an earlier binding of the same line sees a
 *	different one); written before the port enters ttydpc_ports[]
 * @tty_flush: tcflush()'s flush of the tty layer, run outside the serial
 *	core's tty_port mutex (ttydpc_purge.c)
 * @tty_flushed: @tty_flush is done; the tty_port mutex serialises its users
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

/* ttydpc_purge.c: flush queue */
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
