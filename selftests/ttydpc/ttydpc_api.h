/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ttydpc selftests: helpers for the ttydpc user API (include/uapi/ttydpc.h)
 * and the driver's debugfs counters, shared by the tests and ttydpcctl.
 * The Windows-style calls go to an event file (ta_event_open()), not to
 * the tty.
 *
 * Like ttydpc_test.h this does not include kselftest_harness.h: functions
 * return 0 or -errno and the tests turn that into ASSERT_* / TH_LOG.
 */
#ifndef TTYDPC_API_H
#define TTYDPC_API_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../../include/uapi/ttydpc.h"

/* From <asm-generic/termios.h>, which clashes with glibc's <termios.h>. */
#ifndef TIOCM_OUT1
#define TIOCM_OUT1 0x2000
#endif
#ifndef TIOCM_OUT2
#define TIOCM_OUT2 0x4000
#endif
#ifndef TIOCM_LOOP
#define TIOCM_LOOP 0x8000
#endif

/* ---- the event file: 0 or -errno --------------------------------------- */
/*
 * Open TTYDPC_EVENT_DEV (O_RDWR | O_CLOEXEC | flags, e.g. O_NONBLOCK) and
 * attach it to ttyfd, an open /dev/ttyDPC<n>: the event file, or -errno.
 */
int ta_event_open(int ttyfd);
int ta_event_open_flags(int ttyfd, int flags);
int ta_attach(int efd, int ttyfd);
/* The ioctls take the event file. */
int ta_set_mask(int efd, uint32_t mask, uint8_t event_char);
int ta_get_mask(int efd, uint32_t *mask, uint8_t *event_char);
/* One read() of a struct ttydpc_event; *events gets what ended the wait. */
int ta_wait(int efd, uint32_t *events);
int ta_purge(int efd, uint32_t flags);
int ta_get_stats(int efd, struct ttydpc_stats_user *s);
int ta_clear_stats(int efd);
int ta_commstatus(int efd, struct ttydpc_comm_status *cs);
/*
 * Poll COMMSTATUS until hold bit is set (or clear), up to ms; the last
 * status in *cs. 0, -ETIMEDOUT or -errno.
 */
int ta_wait_hold(int efd, uint32_t bit, bool set, int ms, struct ttydpc_comm_status *cs);
/*
 * Put the port back as the API tests found it (mask, flow control, break,
 * modem lines, loopback, queues) and close efd and ttyfd (either may be
 * -1). With chan, also RESUME and FLUSH the host peer's end of it.
 */
struct tt_ctl;
void ta_port_restore(int ttyfd, int efd, struct tt_ctl *ctl, const char *chan);

/* ---- names ------------------------------------------------------------ */
struct ta_name {
	uint32_t bit;
	const char *name;
};

/* Each table ends with { 0, NULL }. */
extern const struct ta_name ta_ev_names[];	/* rxchar ... rx80full */
extern const struct ta_name ta_purge_names[];	/* txabort ... rxclear */
extern const struct ta_name ta_err_names[];	/* frame overrun rxover parity break */
extern const struct ta_name ta_hold_names[];	/* cts xoff rx break */
extern const struct ta_name ta_mctrl_names[];	/* rts dtr out1 out2 loop cts dsr cd ri */

/* "CTS|DSR" (upper case), "0" when v is 0, unknown bits as hex. */
void ta_format_bits(char *buf, size_t size, uint32_t v,
		    const struct ta_name *names);
/* One word: a name of the table (any case) or a number. 0 or -EINVAL. */
int ta_parse_bit(const char *word, const struct ta_name *names, uint32_t *bit);
/* "EINTR" for EINTR and so on (the ones these tests meet), else "E?". */
const char *ta_errno_name(int err);

/* ---- modem control ---------------------------------------------------- */
int ta_mbis(int fd, int bits);
int ta_mbic(int fd, int bits);
int ta_mget(int fd);	/* TIOCMGET bits or -errno */

/* ---- debugfs: /sys/kernel/debug/ttydpc/<port>/stats -------------------- */
#define TA_DBG_SIZE 16384

struct ta_dbg {
	char text[TA_DBG_SIZE];
};

/* Mounts debugfs if needed; true when the port's stats file is readable. */
bool ta_dbg_available(const char *port);
/* Path of the stats file of port ("/dev/ttyDPC0" or "ttyDPC0"). */
void ta_dbg_path(const char *port, char *buf, size_t size);
int ta_dbg_read(const char *port, struct ta_dbg *d);
/* Value of "key N", -1 when absent. */
long long ta_dbg_get(const struct ta_dbg *d, const char *key);
long long ta_dbg_getf(const struct ta_dbg *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Text value of "key word" (e.g. design); 0 or -ENOENT. */
int ta_dbg_str(const struct ta_dbg *d, const char *key, char *out, size_t size);
/* Read the file again until key >= val (0) or tmo_ms passes (-ETIMEDOUT). */
int ta_dbg_wait_ge(const char *port, const char *key, long long val, int tmo_ms);

/* The deferred objects and causes, as debugfs names them. */
#define TA_NR_DPCS 7
#define TA_NR_CAUSES 6
enum { TA_DPC_FOR_ISR, TA_DPC_READ, TA_DPC_WRITE, TA_DPC_ERROR, TA_DPC_MODEM,
       TA_DPC_PURGE, TA_DPC_TIMER };
enum { TA_CAUSE_RX, TA_CAUSE_TX, TA_CAUSE_ERROR, TA_CAUSE_MODEM,
       TA_CAUSE_PURGE, TA_CAUSE_TIMER };
enum { TA_DESIGN_ISR, TA_DESIGN_CUSTOM, TA_DESIGN_BOTH, TA_NR_DESIGNS };
extern const char *const ta_dpc_names[TA_NR_DPCS];
extern const char *const ta_cause_names[TA_NR_CAUSES];
extern const char *const ta_design_names[TA_NR_DESIGNS];
/* Design index from "isr"/"custom"/"both", -1 if none. */
int ta_design_index(const char *name);
/* The object the design gives a cause (Documentation/ttydpc/design.rst). */
int ta_design_obj(int design, int cause);

/*
 * Wait until exactly n requests are listed in the port's wait queue
 * (debugfs queue_wait_pending: a blocked read or an armed poll is one).
 * Without debugfs, sleeps 300 ms and returns 0. -ETIMEDOUT otherwise.
 */
int ta_wait_waiters(const char *port, int n, int tmo_ms);

/* ---- a read() of the event file in a thread ---------------------------- */
struct ta_waiter {
	pthread_t th;
	int efd;
	bool own_efd;		/* opened by ta_waiter_start, closed by the thread */
	volatile int done;
	int ret;		/* 0 or -errno */
	uint32_t events;
	bool started;
};

/*
 * Starts a thread doing one ta_wait() on an event file of its own,
 * attached to ttyfd and closed when the read returns: n waiters are n
 * files.
 */
int ta_waiter_start(struct ta_waiter *w, int ttyfd);
/* The same on efd, which stays open (its pending wait survives an EINTR). */
int ta_waiter_start_efd(struct ta_waiter *w, int efd);
/* Has it ended within tmo_ms? true: joined, ret/events valid. */
bool ta_waiter_join(struct ta_waiter *w, int tmo_ms);
/* Still blocked: interrupt it with a signal and join (last resort). */
void ta_waiter_kill(struct ta_waiter *w);
/* ta_waiter_join(), and ta_waiter_kill() when it did not end: false. */
bool ta_join_or_kill(struct ta_waiter *w, int tmo_ms);

/*
 * Write filler bytes (0x5a) to fd (the tty, non-blocking) without reading,
 * until stop(fd, arg) says so (asked before every write), limit bytes are
 * written or tmo_ms pass. With TIOCM_LOOP set this fills every receive
 * buffer in turn. Returns the bytes written, or -errno.
 */
long ta_flood(int fd, size_t limit, int tmo_ms, bool (*stop)(int fd, void *arg),
	      void *arg);
/* stop functions for ta_flood: the waiter (arg) ended; RX is held back (arg: int *efd). */
bool ta_stop_waiter_done(int fd, void *arg);
bool ta_stop_rx_held(int fd, void *arg);
/*
 * Stop function: RX is held back *because the tty layer is full*, arg a
 * struct ta_held_full zeroed but for efd. A hold alone can be transient (the ring
 * filled before the deferred routine ran while the tty layer still had
 * room): the next retry hands the bytes over and releases it. So this
 * waits until the hold has lasted TA_HELD_FULL_MS with GET_STATS
 * 'received' (bytes handed to the tty layer) not moving across the
 * driver's retries (every 32 character times, at least a jiffy).
 */
#define TA_HELD_FULL_MS 300
struct ta_held_full {
	int efd;		/* the port's event file */
	uint64_t since;		/* first sample of the current hold, ms; 0 none */
	uint64_t received;	/* 'received' at that sample */
};
bool ta_stop_rx_held_full(int fd, void *arg);

/* SIGALRM/SIGUSR2 handlers that do nothing, without SA_RESTART. */
void ta_install_nop_handlers(void);

#endif /* TTYDPC_API_H */
