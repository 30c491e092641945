/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ttydpc selftests: helpers shared by every test binary.
 *
 * Pure helpers (stream generator, reply parsing, baud arithmetic) have no
 * side effects and are exercised by lib_test on any machine. The rest talks
 * to ttys, sysfs/debugfs and the host peer described in selftests/README.
 *
 * Nothing here includes kselftest_harness.h: the library returns error codes
 * and fills message buffers; the tests turn those into ASSERT_* and TH_LOG.
 */
#ifndef TTYDPC_TEST_H
#define TTYDPC_TEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <unistd.h>

/* ---- environment ------------------------------------------------------ */

/* getenv() that treats an empty value as unset. */
const char *tt_env(const char *name);
/* Integer environment knob with a default (e.g. TTYDPC_SEC_PER_MIB). */
long tt_env_long(const char *name, long def);

/* Seconds the suite allows per MiB moved (TCG host->guest can be slow). */
#define TT_SEC_PER_MIB_DEFAULT 120
long tt_budget_s(size_t bytes);

/* ---- time ------------------------------------------------------------- */
uint64_t tt_now_ms(void);
/*
 * Evaluate cond, then again every step_us, until it holds (true) or tmo_ms
 * have passed (false). cond may set variables the caller then looks at.
 */
#define TT_POLL(cond, tmo_ms, step_us) ({					\
	uint64_t _tt_end = tt_now_ms() + (tmo_ms);				\
	bool _tt_ok;								\
										\
	while (!(_tt_ok = (cond)) && tt_now_ms() < _tt_end)			\
		usleep(step_us);						\
	_tt_ok;									\
})

/* ---- xorshift32 byte stream (selftests/README) ------------------------ */
struct tt_stream {
	uint32_t x;
};

void tt_stream_init(struct tt_stream *s, uint32_t seed);
uint8_t tt_stream_next(struct tt_stream *s);
void tt_stream_fill(struct tt_stream *s, uint8_t *buf, size_t n);
/* CRC-32 (IEEE, reflected), continued from crc (start with 0). */
uint32_t tt_crc32(uint32_t crc, const uint8_t *buf, size_t n);

/* ---- baud arithmetic -------------------------------------------------- */
/* speed_t constant -> bits per second (0 if unknown). */
unsigned int tt_speed_to_baud(unsigned int speed);
/* bits per second -> speed_t constant (0 if there is none). */
unsigned int tt_baud_to_speed(unsigned int baud);
/*
 * The rate a 16550 with clock uartclk really runs at when asked for baud:
 * divisor = round(uartclk / (16 * baud)) clamped to 1..65535, rate =
 * uartclk / 16 / divisor (integer part, as QEMU's trace prints it).
 */
unsigned int tt_uart_actual_baud(unsigned int uartclk, unsigned int baud);
#define TT_UARTCLK 1843200u

/* ---- ttys ------------------------------------------------------------- */
/*
 * Open dev non-blocking (O_RDWR|O_NOCTTY|O_NONBLOCK), set raw 8N1 at baud
 * with CLOCAL|CREAD, VMIN=1 VTIME=0, no flow control, flush both queues.
 * Returns the fd or -errno.
 */
int tt_open_raw(const char *dev, unsigned int baud);
/* Same as above on an fd already open. Returns 0 or -errno. */
int tt_set_raw(int fd, unsigned int baud);
/* c_cflag &= ~clear, |= set, at once (TCSANOW); 0 or -errno. */
int tt_set_cflag(int fd, unsigned int clear, unsigned int set);
/* Both speeds of fd to baud (0: B0), the rest of termios kept; 0 or -errno. */
int tt_set_speed(int fd, unsigned int baud);
/* Wait until the output queue is empty (TIOCOUTQ == 0), up to tmo_ms. */
int tt_wait_outq_empty(int fd, int tmo_ms);
/* Read exactly n bytes (or until tmo_ms passes); returns bytes read or -errno. */
ssize_t tt_read_full(int fd, void *buf, size_t n, int tmo_ms);
/* Write all n bytes on a non-blocking fd; returns n or -errno/-ETIMEDOUT. */
ssize_t tt_write_full(int fd, const void *buf, size_t n, int tmo_ms);

/* termios2 (TCGETS2/TCSETS2), kept in ttydpc_termios2.c. */
int tt_tcgets2_speed(int fd, unsigned int *ispeed, unsigned int *ospeed,
		     unsigned int *cflag);
/* The output speed bits of cflag say BOTHER (c_ospeed holds the rate). */
bool tt_cflag_is_bother(unsigned int cflag);
/* Set an arbitrary rate with BOTHER on both directions; -errno on failure. */
int tt_tcsets2_baud(int fd, unsigned int baud);

/* ---- files ------------------------------------------------------------ */
/* Read a whole (small) file into buf, NUL-terminated, trailing newline
 * stripped. Returns length or -errno. */
ssize_t tt_read_file(const char *path, char *buf, size_t size);
int tt_write_file(const char *path, const char *text);
bool tt_path_exists(const char *path);
/* debugfs at /sys/kernel/debug, mounted here when it is not yet. */
bool tt_debugfs_ready(void);
/* Look up "key value" in a debugfs-style stats file; 0 or -errno. */
int tt_stats_get(const char *path, const char *key, unsigned long long *val);
/* Same, text already in memory. Pure. */
int tt_stats_parse(const char *text, const char *key, unsigned long long *val);
/* Base name of a device node: "/dev/ttyDPC0" -> "ttyDPC0". */
const char *tt_basename(const char *path);
/*
 * Collect /dev/ttyDPC* node paths, sorted by number; names[] gets malloc'd
 * strings. Returns the count (<= max). TTYDPC_PORTS (a list of nodes)
 * replaces the search, e.g. to run the suite against another driver.
 */
int tt_list_ports(char **names, int max);
void tt_free_list(char **names, int n);
/*
 * The port a single-port test uses: TTYDPC_PORT, else the first node
 * tt_list_ports() finds. 0, or -ENODEV when there is none.
 */
int tt_pick_port(char *port, size_t size);

/* ---- host peer control channel --------------------------------------- */
struct tt_ctl {
	int fd;
	char *buf;		/* pending input (partial lines) */
	size_t len, cap;
	char reply[256];	/* text of the last tt_ctl_cmd() reply */
};

/* Result of one PARAMS event: "baudrate=B parity=P data=D stop=S". */
struct tt_param_ev {
	unsigned long baud;
	char parity;		/* 'N', 'E', 'O', 'M', 'S' */
	int data;
	int stop;
};

/* Outcome of WAIT. */
struct tt_wait_res {
	bool ok;
	long sent, recv;	/* -1 when not reported */
	bool mismatch, timeout;
	long at, got, want;	/* on mismatch */
};

/*
 * Open the control tty (TTYDPC_CTL when path is NULL) raw at 115200 and sync
 * with the host peer (PING until "OK PONG"). Returns 0 or -errno;
 * -ENODEV when no control line is configured.
 */
int tt_ctl_open(struct tt_ctl *c, const char *path);
/*
 * The host peer's control line when the environment names one (TTYDPC_CTL
 * and TTYDPC_CHAN): 1 opened, 0 no host peer configured, or -errno. A
 * configured peer that does not answer PING is an error (-ETIMEDOUT), for
 * the caller to fail on: only an unconfigured one may be skipped.
 */
int tt_ctl_open_env(struct tt_ctl *c);
/* Why tt_ctl_open_env() found no host peer: "TTYDPC_CTL unset" etc. */
const char *tt_ctl_missing(void);
void tt_ctl_close(struct tt_ctl *c);
/* Send one request line (no newline in fmt). */
int tt_ctl_send(struct tt_ctl *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Read one reply line (CR/LF stripped) into line; 0, -ETIMEDOUT or -errno. */
int tt_ctl_readline(struct tt_ctl *c, char *line, size_t size, int tmo_ms);
/*
 * Send a request and read its one-line reply. Returns 1 on "OK ...",
 * 0 on "ERR ...", negative on I/O failure or timeout. reply (may be NULL)
 * receives the text after "OK"/"ERR" (leading blank removed).
 */
int tt_ctl_cmd(struct tt_ctl *c, char *reply, size_t size, int tmo_ms,
	       const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* MARK: the host peer's trace checks count from here. 0 or -1. */
int tt_ctl_mark(struct tt_ctl *c);
/* TRACE on|off serial_write: as tt_ctl_cmd(), the reply in c->reply. */
int tt_ctl_trace(struct tt_ctl *c, bool on);
/* PARAMS: fills up to max events; returns the number reported or -errno. */
int tt_ctl_params(struct tt_ctl *c, struct tt_param_ev *ev, int max,
		  int *total);
/*
 * WRITES reg: values written to UART register offset reg since MARK (all
 * UARTs; serial_write must be traced), as tt_parse_reg_writes().
 */
int tt_ctl_reg_writes(struct tt_ctl *c, int reg, uint8_t *vals, int max,
		      int *total);
/* One serial_write event of a SEQ reply; t < 0 when QEMU gave no time. */
struct tt_reg_ev {
	double t;
	int reg;
	uint8_t val;
};
/*
 * SEQ regs ("0 4"): serial_write events to those register offsets since
 * MARK (all UARTs; serial_write must be traced), oldest first, the newest
 * max kept. Returns the number kept or -errno.
 */
int tt_ctl_seq(struct tt_ctl *c, const char *regs, struct tt_reg_ev *ev, int max);
/* WAIT chan tmo, parsed. Returns 0 if a reply was parsed, -errno else. */
int tt_ctl_wait(struct tt_ctl *c, const char *chan, int tmo_s,
		struct tt_wait_res *r);

/* Pure parsers (unit-tested in lib_test). */
int tt_parse_param_line(const char *line, struct tt_param_ev *ev);
/*
 * "n v1 ... vk" (a WRITES reply): *total = n, the newest max values into
 * vals. Returns how many were stored, -EPROTO for anything malformed.
 */
int tt_parse_reg_writes(const char *s, uint8_t *vals, int max, int *total);
int tt_parse_wait_reply(int okerr, const char *reply, struct tt_wait_res *r);
/* Split "OK rest"/"ERR rest": 1/0, -EPROTO for anything else. */
int tt_parse_reply(const char *line, const char **rest);
/* Hex helpers for PUT/GET. dst must hold 2n+1 chars. */
void tt_hex_encode(char *dst, const uint8_t *src, size_t n);
ssize_t tt_hex_decode(uint8_t *dst, size_t max, const char *src);

/* ---- stream transfer engine ------------------------------------------ */
struct tt_xfer {
	size_t send_n;		/* bytes of stream(send_seed) to write */
	uint32_t send_seed;
	size_t recv_n;		/* bytes of stream(recv_seed) to read and check */
	uint32_t recv_seed;
	int tmo_ms;		/* overall deadline */
	int stall_ms;		/* give up after this long without progress;
				 * 0: TTYDPC_STALL_S (default 20 s), <0: never */
	bool drain;		/* wait for TIOCOUTQ == 0 after the last write */

	/* results */
	size_t sent, received;
	bool mismatch;
	size_t mismatch_at;
	uint8_t got, want;
	bool timed_out;
	bool stalled;		/* timed out because nothing moved for stall_ms */
	int outq;		/* TIOCOUTQ when it ended (-1 if unknown) */
	int err;		/* errno of a failed read/write/poll, 0 if none */
	uint32_t tx_crc, rx_crc;
	uint64_t elapsed_ms;
};

/*
 * Write stream(send_seed, send_n) and read/verify stream(recv_seed, recv_n)
 * at the same time on fd (non-blocking). Stops at the first mismatch.
 * Returns 0 when everything moved and matched, -1 otherwise (see fields).
 */
int tt_xfer_run(int fd, struct tt_xfer *x);
/* One-line human description of the outcome. */
void tt_xfer_describe(const struct tt_xfer *x, char *buf, size_t size);

/*
 * Host transfer on channel chan through the control link: host->guest
 * h2g bytes (seed h2g_seed), guest->host g2h bytes (seed g2h_seed), at once
 * when both are non-zero. Uses FLUSH, RECV, SEND, the engine above, WAIT.
 * msg gets a description of a failure. Returns 0 on success.
 */
int tt_host_xfer(struct tt_ctl *c, int fd, const char *chan,
		 size_t h2g, uint32_t h2g_seed, size_t g2h, uint32_t g2h_seed,
		 int tmo_s, char *msg, size_t msgsize);

#endif /* TTYDPC_TEST_H */
