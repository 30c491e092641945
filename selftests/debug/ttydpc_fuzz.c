// SPDX-License-Identifier: GPL-2.0
/*
 * ttydpc_fuzz: seeded, multi-threaded fuzzer for two ttyDPC ports wired to
 * each other (the null-modem pair), run while data flows between them.
 *
 *   ttydpc_fuzz [-a DEV_A] [-b DEV_B] [-s SEED] [-n OPS] [-j THREADS]
 *               [-T MAX_SECONDS] [-k CHECK_BYTES] [-x OP[,OP...]] [-v]
 *
 * Defaults: TTYDPC_NM_A, TTYDPC_NM_B; SEED (environment) or a fresh seed,
 * printed either way (a failing run replays with SEED=<seed>); FUZZ_OPS or
 * 10000 operations in all; FUZZ_THREADS or 4 fuzzing threads; no time limit.
 * -x (or FUZZ_EXCLUDE) leaves operation kinds out, by the names printed in
 * the summary (e.g. -x dpc_purge,vhangup): a way to fuzz around a known bug.
 *
 * Two pump threads keep one fd open on each port and move data both ways
 * (non-blocking, reopening after a hangup). The fuzzing threads each hold up
 * to four fds on either port and run random sequences of: open/close
 * (blocking and O_NONBLOCK), read/write (blocking under a timer, O_NONBLOCK,
 * bad buffers), TCSETS/W/F with random valid and invalid termios (B0
 * included), TCSETS2 with BOTHER and split speeds, TIOCMGET/SET/BIS/BIC
 * (loopback too), TIOCMIWAIT under a timer, TIOCGICOUNT, TIOCGSERIAL /
 * TIOCSSERIAL (valid changes and ones verify_port must refuse), breaks
 * (TIOCSBRK/TIOCCBRK, TCSBRK, TCSBRKP), TCFLSH, TCXONC, tcdrain under a
 * timer, TIOCVHANGUP, ttydpc's own ioctls (include/uapi/ttydpc.h) on the
 * event file each tty fd mostly has (/dev/ttydpc, attached at open) with
 * random, invalid and bad-pointer arguments, read() of it (blocking under
 * a timer, O_NONBLOCK, odd sizes, bad buffers) and poll, random 'D' ioctl
 * numbers on both files (the tty must refuse them all with ENOTTY),
 * other tty ioctls (FIONREAD, TIOCOUTQ, TIOCEXCL, TIOCSERGETLSR,
 * TIOCSERCONFIG, TIOCG/SRS485, TIOCSTI, TIOCG/SSOFTCAR), poll, fcntl, and
 * the port's sysfs/debugfs files. Blocking calls run under a per-thread
 * timer (timer_create + SIGEV_THREAD_ID, the threaded form of alarm()).
 *
 * Every decision comes from a per-thread splitmix64 seeded from SEED, so a
 * seed replays the same operation sequence per thread; the interleaving of
 * threads, and so the exact kernel state, is up to the scheduler.
 *
 * A monitor thread follows /dev/kmsg; the first kernel report (KASAN,
 * lockdep, UBSAN, ODEBUG, WARNING, BUG, Oops...) makes it print the last
 * operations of every thread. Afterwards every setting is restored (serial
 * settings, termios, modem lines, flow, mask, rx trigger) and the ports
 * must move CHECK_BYTES (16 KiB) each way intact.
 *
 * TAP 13 on stdout; exit 0 when every test passed.
 */
#include <pthread.h>
#include <regex.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <sys/mman.h>

#include "dbg_common.h"

/* asm/termbits.h has no modem bits; these are asm-generic/termios.h's */
#ifndef TIOCM_OUT1
#define TIOCM_OUT1 0x2000
#define TIOCM_OUT2 0x4000
#endif
#ifndef TIOCM_LOOP
#define TIOCM_LOOP 0x8000
#endif

#define MAX_THREADS	32
#define MAX_FD		4
#define RING		24
#define DESC		120

static const char *dev[2];
static const char *devname_[2];
static int verbose;
static atomic_long ops_left;
static atomic_long ops_done;
static atomic_int stop;
static atomic_long pump_bytes[2];
static atomic_long pump_reopens[2];
static atomic_int kernel_reports;
static atomic_int contract_violations;
static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;

/* Pages for bad pointers: no access, read-only (zero / a valid wait), and
 * a read-write page between two no-access ones (copies that straddle). */
static char *pg_none, *pg_ro, *pg_ro_wait, *pg_edge;

enum op {
	OP_OPEN, OP_CLOSE, OP_READ, OP_WRITE, OP_FCNTL, OP_POLL, OP_TCSETS,
	OP_TCSETS2, OP_TCGETS, OP_MODEM, OP_MIWAIT, OP_ICOUNT, OP_SERIAL,
	OP_BREAK, OP_FLUSH, OP_FLOW, OP_DRAIN, OP_VHANGUP, OP_DPC_MASK,
	OP_DPC_WAIT, OP_DPC_PURGE, OP_DPC_STATS, OP_DPC_STATUS, OP_DPC_RANDOM,
	OP_MISC, OP_SYSFS, NR_OPS
};

struct wfd {
	int fd;
	int efd;	/* event file attached to fd, or -1 */
	int port;
	bool nonblock;
	bool enonblock;	/* efd is O_NONBLOCK */
};

struct worker {
	int id;
	pthread_t th;
	uint64_t rng;
	struct wfd f[MAX_FD];
	int n;
	struct dbg_alarm alarm;
	atomic_bool done;		/* its last fd closed, about to return */
	/* the last operations, for a report */
	char ring[RING][DESC];
	atomic_uint ring_pos;
	atomic_ullong op_start_ms;	/* 0: between operations */
	atomic_long cur_op;
	long count[NR_OPS];
	long errs[NR_OPS];
	long eintr;
	uint8_t buf[8192];
};

/* workers[nworkers] stands for the main thread's cleanup (see mainw) */
static struct worker workers[MAX_THREADS + 1];
static int nworkers = 4;
/* entries of workers[] the watch thread looks after: the fuzzing threads,
 * then also the main thread once it starts its cleanup */
static atomic_int nwatched;
static atomic_int watch_stop;
static atomic_ullong stuck;		/* bit i: workers[i] was stuck over 20 s */
static atomic_int tap_n;		/* TAP test number last printed */
static uint64_t max_ms;

/* ---- random ------------------------------------------------------------ */

static uint64_t rnd(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint32_t rn(struct worker *w, uint32_t n)
{
	return n ? (uint32_t)(rnd(&w->rng) % n) : 0;
}

static bool pct(struct worker *w, unsigned int p)
{
	return rn(w, 100) < p;
}

static uint32_t r32(struct worker *w)
{
	return (uint32_t)rnd(&w->rng);
}

/* A pointer the kernel must refuse for size bytes (pg_ro only for writes). */
static void *bad_ptr(struct worker *w, size_t size, bool kernel_writes)
{
	switch (rn(w, kernel_writes ? 6 : 5)) {
	case 0:
		return NULL;
	case 1:
		return (void *)(uintptr_t)(0x10 + rn(w, 0xff0));
	case 2:
		return pg_none + rn(w, 64);
	case 3:
		/*
		 * Starts readable, ends in the no-access page; never before
		 * pg_edge, whatever the size (reads go up to 8 KiB). Below
		 * it lies the next mapping, the first thread's stack with
		 * its struct pthread (TLS, stack guard) at the top: a read()
		 * that started there wrote serial data into it, and the
		 * fuzzer died of SIGSEGV without its crash report. The guard
		 * page below pg_edge now turns any such slip into -EFAULT.
		 */
		if (size > 4096)
			size = 4096;
		return pg_edge + 4096 - (size > 1 ? 1 + rn(w, size - 1) : 1);
	case 4:
		return (void *)(uintptr_t)0xffffffff81000000ULL;
	default:
		return pg_ro;
	}
}

/* ---- per-thread alarm ---------------------------------------------------- */

static void on_alarm(int sig)
{
	(void)sig;
}

/* SIGALRM at this thread after ms, then every 50 ms until alarm_off() */
#define alarm_ms(w, ms) dbg_alarm(&(w)->alarm, (ms), 50)
#define alarm_off(w) dbg_alarm(&(w)->alarm, 0, 0)

/* call, which may block, under the alarm (ms, 0: none): its result and errno */
#define TIMED(w, ms, call) ({							\
	long _r, _e;								\
										\
	alarm_ms((w), (ms));							\
	_r = (call);								\
	_e = errno;								\
	alarm_off(w);								\
	errno = _e;								\
	_r;									\
})

/* ---- logging --------------------------------------------------------------- */

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&out_lock);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fflush(stdout);
	pthread_mutex_unlock(&out_lock);
}

static char *slot(struct worker *w)
{
	return w->ring[atomic_load(&w->ring_pos) % RING];
}

/* Start describing an operation (into the ring). */
static void desc(struct worker *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void desc(struct worker *w, const char *fmt, ...)
{
	char *s;
	va_list ap;
	int o;

	atomic_fetch_add(&w->ring_pos, 1);
	s = slot(w);
	o = snprintf(s, DESC, "t%d#%ld ", w->id, atomic_load(&w->cur_op));
	va_start(ap, fmt);
	vsnprintf(s + o, DESC - o, fmt, ap);
	va_end(ap);
}

/* Record the result of the current operation: returns ret. */
static long res(struct worker *w, enum op op, long ret)
{
	char *s = slot(w);
	size_t l = strlen(s);
	int e = errno;

	if (ret < 0) {
		w->errs[op]++;
		if (e == EINTR)
			w->eintr++;
		snprintf(s + l, DESC - l, " = -%s", strerrorname_np(e) ? strerrorname_np(e) : "?");
	} else {
		snprintf(s + l, DESC - l, " = %ld", ret);
	}
	if (verbose)
		say("# %s\n", s);
	errno = e;
	return ret;
}

/* A result that breaks the documented API (include/uapi/ttydpc.h). */
static void violation(struct worker *w, const char *what)
{
	int n = atomic_fetch_add(&contract_violations, 1);

	if (n < 20)
		say("# API: %s (%s)\n", what, slot(w));
}

/* Acceptable failures on any fd: hung up or closed, interrupted, unbound. */
static bool benign(int e)
{
	return e == EIO || e == EINTR || e == ENODEV;
}

/* out_lock held, or the process is about to die (on_crash()) */
static void dump_rings_unlocked(const char *why)
{
	int i, k;

	printf("# ---- %s: last operations of every thread (oldest first) ----\n", why);
	for (i = 0; i < atomic_load(&nwatched); i++) {
		struct worker *w = &workers[i];
		unsigned int pos = atomic_load(&w->ring_pos);

		for (k = RING - 1; k >= 0; k--) {
			const char *s;

			if ((unsigned int)k >= pos)
				continue;	/* fewer operations than slots */
			s = w->ring[(pos - k) % RING];
			if (*s)
				printf("#   %s%s\n", s,
				       k == 0 && atomic_load(&w->op_start_ms) ? "   <- running" : "");
		}
	}
	printf("# ---- end of operations ----\n");
	fflush(stdout);
}

static void dump_rings(const char *why)
{
	pthread_mutex_lock(&out_lock);
	dump_rings_unlocked(why);
	pthread_mutex_unlock(&out_lock);
}

/*
 * A fault in the fuzzer itself: say where, and what every thread was
 * doing, before dying (not async-signal-safe, but the process is done;
 * out_lock is not taken, as the faulting thread may hold it).
 */
static void on_crash(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	printf("# ttydpc_fuzz: signal %d (%s) at address %p\n", sig, strsignal(sig), si->si_addr);
	dump_rings_unlocked("fuzzer crashed");
	_exit(3);
}

/* ---- fds ----------------------------------------------------------------- */

static struct wfd *pick_fd(struct worker *w)
{
	return w->n ? &w->f[rn(w, w->n)] : NULL;
}

/* Closes the tty fd and its event file, in either order. */
static void close_pair(struct worker *w, struct wfd *f)
{
	bool efd_first = pct(w, 50);

	if (f->efd >= 0 && efd_first)
		close(f->efd);
	close(f->fd);
	if (f->efd >= 0 && !efd_first)
		close(f->efd);
}

static void drop_fd(struct worker *w, struct wfd *f)
{
	int i = f - w->f;

	alarm_ms(w, 1000);
	close_pair(w, f);
	alarm_off(w);
	w->f[i] = w->f[--w->n];
}

/* After a failure with EIO (hung up), sometimes close the fd as an
 * application would; sometimes keep poking the dead fd. */
static void after(struct worker *w, struct wfd *f, long ret)
{
	if (ret < 0 && errno == EIO && f && pct(w, 50))
		drop_fd(w, f);
}

/* ---- operations ------------------------------------------------------------ */

static const unsigned int speeds[] = {
	B0, B50, B75, B110, B134, B150, B200, B300, B600, B1200, B1800, B2400,
	B4800, B9600, B19200, B38400, B57600, B115200, B230400, B460800,
	B500000, B576000, B921600, B1000000, B1152000, B1500000, B2000000,
	B2500000, B3000000, B3500000, B4000000,
};

static const unsigned int bother_rates[] = {
	0, 1, 50, 110, 300, 1200, 9600, 12345, 28800, 31250, 38400, 40000,
	57600, 100000, 115200, 115201, 230400, 1000000, 1843200, 4000000,
	0x7fffffff, 0xffffffff,
};

static unsigned int rand_flags(struct worker *w, const unsigned int *bits, int n, int p)
{
	unsigned int v = 0;
	int i;

	for (i = 0; i < n; i++)
		if (pct(w, p))
			v |= bits[i];
	return v;
}

static const unsigned int ibits[] = { IGNBRK, BRKINT, IGNPAR, PARMRK, INPCK, ISTRIP,
				       INLCR, IGNCR, ICRNL, IUCLC, IXON, IXANY, IXOFF,
				       IMAXBEL, IUTF8 };
static const unsigned int obits[] = { OPOST, OLCUC, ONLCR, OCRNL, ONOCR, ONLRET };
static const unsigned int lbits[] = { ICANON, ECHO, ECHOE, ECHOK, ECHONL, NOFLSH,
				       IEXTEN, ECHOCTL, ECHOKE, TOSTOP, ISIG };
static const unsigned int cbits[] = { CSTOPB, PARENB, PARODD, CMSPAR, CRTSCTS, HUPCL };

/* Random cflag/iflag/oflag/lflag/cc into a termios-like set of fields. */
static void rand_termios_fields(struct worker *w, tcflag_t *i, tcflag_t *o, tcflag_t *c,
				tcflag_t *l, cc_t *cc, int ncc)
{
	int k;

	if (pct(w, 15)) {
		/* anything at all */
		*i = r32(w);
		*o = r32(w);
		*c = r32(w);
		*l = r32(w);
		for (k = 0; k < ncc; k++)
			cc[k] = r32(w);
		return;
	}
	*i = rand_flags(w, ibits, 15, 15);
	*o = rand_flags(w, obits, 6, 20);
	*l = rand_flags(w, lbits, 11, 10);
	*c = rand_flags(w, cbits, 6, 20) | (CS5 + (rn(w, 4) << 4));
	if (pct(w, 90))
		*c |= CLOCAL;
	if (pct(w, 90))
		*c |= CREAD;
	if (pct(w, 20))
		*c |= (speeds[rn(w, sizeof(speeds) / sizeof(speeds[0]))]) << IBSHIFT;
	for (k = 0; k < ncc; k++)
		cc[k] = pct(w, 80) ? 0 : r32(w);
	cc[VMIN] = pct(w, 80) ? rn(w, 4) : r32(w);
	cc[VTIME] = pct(w, 80) ? rn(w, 3) : r32(w);
	cc[VSTART] = 0x11;
	cc[VSTOP] = 0x13;
}

/* A set ioctl (name: its family, for the log) given a bad pointer to size bytes. */
static void set_bad_ptr(struct worker *w, struct wfd *f, enum op op, const char *name,
			unsigned long cmd, size_t size)
{
	desc(w, "%s fd%d(%c) bad pointer", name, f->fd, 'A' + f->port);
	after(w, f, res(w, op, ioctl(f->fd, cmd, bad_ptr(w, size, false))));
}

static void op_tcsets(struct worker *w, struct wfd *f)
{
	static const unsigned long cmds[] = { TCSETS, TCSETS, TCSETSW, TCSETSF };
	unsigned long cmd = cmds[rn(w, 4)];
	struct termios t;

	if (pct(w, 5)) {
		set_bad_ptr(w, f, OP_TCSETS, "TCSETS", cmd, sizeof(t));
		return;
	}
	memset(&t, 0, sizeof(t));
	rand_termios_fields(w, &t.c_iflag, &t.c_oflag, &t.c_cflag, &t.c_lflag, t.c_cc, NCCS);
	t.c_line = pct(w, 90) ? 0 : r32(w);
	if (pct(w, 85)) {
		t.c_cflag &= ~CBAUD;
		t.c_cflag |= speeds[rn(w, sizeof(speeds) / sizeof(speeds[0]))];
	}
	desc(w, "%s fd%d(%c) i=%x o=%x c=%x l=%x min=%u time=%u",
	     cmd == TCSETS ? "TCSETS" : cmd == TCSETSW ? "TCSETSW" : "TCSETSF", f->fd,
	     'A' + f->port, t.c_iflag, t.c_oflag, t.c_cflag, t.c_lflag, t.c_cc[VMIN],
	     t.c_cc[VTIME]);
	after(w, f, res(w, OP_TCSETS, TIMED(w, 300 + rn(w, 300), ioctl(f->fd, cmd, &t))));
}

static void op_tcsets2(struct worker *w, struct wfd *f)
{
	static const unsigned long cmds[] = { TCSETS2, TCSETS2, TCSETSW2, TCSETSF2 };
	unsigned long cmd = cmds[rn(w, 4)];
	const int nr = sizeof(bother_rates) / sizeof(bother_rates[0]);
	struct termios2 t;

	if (pct(w, 5)) {
		set_bad_ptr(w, f, OP_TCSETS2, "TCSETS2", cmd, sizeof(t));
		return;
	}
	memset(&t, 0, sizeof(t));
	rand_termios_fields(w, &t.c_iflag, &t.c_oflag, &t.c_cflag, &t.c_lflag, t.c_cc, NCCS);
	t.c_cflag &= ~(CBAUD | (CBAUD << IBSHIFT));
	t.c_cflag |= pct(w, 80) ? BOTHER : speeds[rn(w, sizeof(speeds) / sizeof(speeds[0]))];
	t.c_ospeed = pct(w, 90) ? bother_rates[rn(w, nr)] : r32(w);
	t.c_ispeed = t.c_ospeed;
	if (pct(w, 30)) {
		/* split input speed */
		t.c_cflag |= BOTHER << IBSHIFT;
		t.c_ispeed = bother_rates[rn(w, nr)];
	}
	desc(w, "TCSETS2 fd%d(%c) c=%x ispeed=%u ospeed=%u", f->fd, 'A' + f->port,
	     t.c_cflag, t.c_ispeed, t.c_ospeed);
	after(w, f, res(w, OP_TCSETS2, TIMED(w, 300 + rn(w, 300), ioctl(f->fd, cmd, &t))));
}

static void op_tcgets(struct worker *w, struct wfd *f)
{
	struct termios2 t2;
	bool two = pct(w, 50);
	void *p = pct(w, 15) ? bad_ptr(w, sizeof(t2), true) : &t2;

	desc(w, "%s fd%d(%c)%s", two ? "TCGETS2" : "TCGETS", f->fd, 'A' + f->port,
	     p == &t2 ? "" : " bad pointer");
	after(w, f, res(w, OP_TCGETS, ioctl(f->fd, two ? TCGETS2 : TCGETS, p)));
}

static void op_modem(struct worker *w, struct wfd *f)
{
	static const unsigned int mbits[] = { TIOCM_DTR, TIOCM_RTS, TIOCM_OUT1, TIOCM_OUT2,
					       TIOCM_CTS, TIOCM_CAR, TIOCM_RNG, TIOCM_DSR };
	static const unsigned long cmds[] = { TIOCMGET, TIOCMSET, TIOCMBIS, TIOCMBIC };
	unsigned long cmd = cmds[rn(w, 4)];
	const char *cn = cmd == TIOCMGET ? "GET" : cmd == TIOCMSET ? "SET" :
			 cmd == TIOCMBIS ? "BIS" : "BIC";
	int v = rand_flags(w, mbits, 8, 50);
	long ret;

	if (pct(w, 10))
		v = r32(w);
	/* loopback cuts the null modem: set it rarely, clear it often */
	if (cmd == TIOCMBIC && pct(w, 30))
		v |= TIOCM_LOOP;
	else if (!pct(w, 4))
		v &= ~TIOCM_LOOP;
	if (pct(w, 5)) {
		desc(w, "TIOCM%s fd%d(%c) bad pointer", cn, f->fd, 'A' + f->port);
		ret = res(w, OP_MODEM, ioctl(f->fd, cmd, bad_ptr(w, 4, cmd == TIOCMGET)));
	} else {
		desc(w, "TIOCM%s fd%d(%c) 0x%x", cn, f->fd, 'A' + f->port, v);
		ret = res(w, OP_MODEM, ioctl(f->fd, cmd, &v));
	}
	after(w, f, ret);
}

static void op_miwait(struct worker *w, struct wfd *f)
{
	static const unsigned int mbits[] = { TIOCM_RNG, TIOCM_DSR, TIOCM_CD, TIOCM_CTS };
	unsigned long mask = pct(w, 10) ? r32(w) : rand_flags(w, mbits, 4, 60);
	unsigned int ms = 20 + rn(w, 200);

	desc(w, "TIOCMIWAIT fd%d(%c) 0x%lx alarm %ums", f->fd, 'A' + f->port, mask, ms);
	after(w, f, res(w, OP_MIWAIT, TIMED(w, ms, ioctl(f->fd, TIOCMIWAIT, mask))));
}

static void op_icount(struct worker *w, struct wfd *f)
{
	struct serial_icounter_struct ic;
	void *p = pct(w, 15) ? bad_ptr(w, sizeof(ic), true) : &ic;
	long ret;

	desc(w, "TIOCGICOUNT fd%d(%c)%s", f->fd, 'A' + f->port, p == &ic ? "" : " bad pointer");
	ret = res(w, OP_ICOUNT, ioctl(f->fd, TIOCGICOUNT, p));
	if (ret == 0 && p != &ic && p != pg_ro)
		violation(w, "TIOCGICOUNT into a bad pointer succeeded");
	after(w, f, ret);
}

static struct serial_struct saved_serial[2];
static bool saved_serial_ok[2];

static unsigned int o_shift(int port)
{
	return saved_serial_ok[port] ? saved_serial[port].iomem_reg_shift : 0;
}

static void op_serial(struct worker *w, struct wfd *f)
{
	struct serial_struct s;
	long ret;
	bool invalid = false;

	if (pct(w, 30) || ioctl(f->fd, TIOCGSERIAL, &s)) {
		void *p = pct(w, 20) ? bad_ptr(w, sizeof(s), true) : &s;

		desc(w, "TIOCGSERIAL fd%d(%c)%s", f->fd, 'A' + f->port,
		     p == &s ? "" : " bad pointer");
		ret = res(w, OP_SERIAL, ioctl(f->fd, TIOCGSERIAL, p));
		after(w, f, ret);
		return;
	}
	if (pct(w, 8)) {
		set_bad_ptr(w, f, OP_SERIAL, "TIOCSSERIAL", TIOCSSERIAL, sizeof(s));
		return;
	}
	/* changes the serial core and the driver accept */
	if (pct(w, 50))
		s.flags = pct(w, 20) ? (int)r32(w) : (int)(s.flags ^ (1u << rn(w, 16)));
	if (pct(w, 30))
		s.close_delay = rn(w, 5);
	if (pct(w, 30)) {
		switch (rn(w, 3)) {
		case 0:
			s.closing_wait = ASYNC_CLOSING_WAIT_NONE;
			break;
		case 1:
			s.closing_wait = ASYNC_CLOSING_WAIT_INF;
			break;
		default:
			s.closing_wait = rn(w, 300);
		}
	}
	if (pct(w, 30))
		s.custom_divisor = pct(w, 70) ? (int)rn(w, 0x10000) : (int)r32(w);
	if (pct(w, 20))
		s.xmit_fifo_size = pct(w, 50) ? (int)rn(w, 128) : (int)r32(w);
	if (pct(w, 10))
		s.baud_base = 9600 + rn(w, 1000000);
	/* changes verify_port (or the core) must refuse */
	if (pct(w, 40)) {
		invalid = true;
		switch (rn(w, 8)) {
		case 6:
			/*
			 * Register spacing: a PCI/PNP port's I/O window is
			 * fixed. Only 1 is tried: if it is accepted, the port
			 * reaches 8 bytes past its window (the other port of
			 * the card, or ttyDPC0) until the geometry is put
			 * back just below. Larger shifts reach any I/O port
			 * (inb/outb take 16 bits): in one run a shift of 8+
			 * hit the PIC masks and the console UART and froze
			 * the guest; 32 and up are an undefined shift.
			 */
			s.iomem_reg_shift = o_shift(f->port) + 1;
			break;
		case 7:
			/* iomem_base: unused by an I/O port, the core still
			 * treats it as a new port (shutdown, startup) */
			s.iomem_base = (void *)(uintptr_t)(0x1000 + rn(w, 0x100000));
			invalid = false;
			break;
		case 0:
			s.type = 1 + rn(w, 200);
			break;
		case 1:
			s.irq = pct(w, 50) ? s.irq + 1 : (int)r32(w);
			break;
		case 2:
			s.port = r32(w);
			break;
		case 3:
			s.baud_base = rn(w, 9600);
			break;
		case 4:
			s.io_type = 1 + rn(w, 8);
			break;
		default:
			s.irq = -1;
		}
	}
	desc(w, "TIOCSSERIAL fd%d(%c) type=%d irq=%d port=0x%x flags=0x%x base=%d cd=%u cw=%u div=%d fifo=%d io=%d shift=%u%s",
	     f->fd, 'A' + f->port, s.type, s.irq, s.port, s.flags, s.baud_base, s.close_delay,
	     s.closing_wait, s.custom_divisor, s.xmit_fifo_size, s.io_type, s.iomem_reg_shift,
	     invalid ? " (invalid)" : "");
	ret = res(w, OP_SERIAL, TIMED(w, 500, ioctl(f->fd, TIOCSSERIAL, &s)));
	/* a changed port type, I/O address, irq or I/O type must be refused */
	if (ret == 0 && invalid && saved_serial_ok[f->port]) {
		const struct serial_struct *o = &saved_serial[f->port];

		if ((s.type != o->type && s.type != 0) || s.irq != o->irq ||
		    s.port != o->port || s.io_type != o->io_type || s.baud_base < 9600)
			violation(w, "TIOCSSERIAL accepted a change verify_port must refuse");
		if (s.iomem_reg_shift != o->iomem_reg_shift) {
			/* the port now reaches outside its I/O window: put the
			 * geometry back at once, then report */
			struct serial_struct back = *o;

			back.flags = s.flags;
			ioctl(f->fd, TIOCSSERIAL, &back);
			violation(w, "TIOCSSERIAL accepted a new iomem_reg_shift for a fixed I/O window: ttydpc_verify_port() checks port, irq, io_type and type only, and ttydpc_in/out() then use reg << regshift outside the BAR");
		}
	}
	after(w, f, ret);
}

static void op_break(struct worker *w, struct wfd *f)
{
	long ret;

	switch (rn(w, 8)) {
	case 0:
		desc(w, "TCSBRK fd%d(%c) 0 (0.25 s break) alarm 600ms", f->fd, 'A' + f->port);
		ret = res(w, OP_BREAK, TIMED(w, 600, ioctl(f->fd, TCSBRK, 0)));
		break;
	case 1: {
		int d = rn(w, 3);

		desc(w, "TCSBRKP fd%d(%c) %d alarm 500ms", f->fd, 'A' + f->port, d);
		ret = res(w, OP_BREAK, TIMED(w, 500, ioctl(f->fd, TCSBRKP, d)));
		break;
	}
	case 2:
		/*
		 * TIOCSBRK first waits for the output to drain, without a
		 * limit: with output stopped (TCOOFF from another thread) or
		 * a slow rate that is the user's wait, not a hung kernel.
		 */
		desc(w, "TIOCSBRK fd%d(%c) (left on) alarm 600ms", f->fd, 'A' + f->port);
		ret = res(w, OP_BREAK, TIMED(w, 600, ioctl(f->fd, TIOCSBRK)));
		break;
	case 3:
	case 4:
		desc(w, "TIOCCBRK fd%d(%c)", f->fd, 'A' + f->port);
		ret = res(w, OP_BREAK, ioctl(f->fd, TIOCCBRK));
		break;
	default: {
		unsigned int ms = rn(w, 30);

		desc(w, "TIOCSBRK fd%d(%c) alarm 600ms; %u ms; TIOCCBRK", f->fd, 'A' + f->port, ms);
		ret = TIMED(w, 600, ioctl(f->fd, TIOCSBRK));	/* the drain before, as above */
		dbg_sleep_ms(ms);
		if (ioctl(f->fd, TIOCCBRK) && !ret)
			ret = -1;
		res(w, OP_BREAK, ret);
	}
	}
	after(w, f, ret);
}

static void op_flush(struct worker *w, struct wfd *f)
{
	long arg = pct(w, 85) ? (long)rn(w, 3) : pct(w, 50) ? 3 : (long)(int)r32(w);

	desc(w, "TCFLSH fd%d(%c) %ld", f->fd, 'A' + f->port, arg);
	after(w, f, res(w, OP_FLUSH, ioctl(f->fd, TCFLSH, arg)));
}

static void op_flow(struct worker *w, struct wfd *f)
{
	/* TCOON/TCION more often than TCOOFF/TCIOFF: output stopped stalls
	 * the pumps until someone starts it again */
	static const long args[] = { TCOOFF, TCOON, TCOON, TCOON, TCIOFF, TCION, TCION, 4, -1 };
	long arg = args[rn(w, 9)];

	desc(w, "TCXONC fd%d(%c) %ld", f->fd, 'A' + f->port, arg);
	after(w, f, res(w, OP_FLOW, TIMED(w, 300, ioctl(f->fd, TCXONC, arg))));
}

static void op_drain(struct worker *w, struct wfd *f)
{
	unsigned int ms = 50 + rn(w, 300);

	desc(w, "tcdrain fd%d(%c) alarm %ums", f->fd, 'A' + f->port, ms);
	after(w, f, res(w, OP_DRAIN, TIMED(w, ms, ioctl(f->fd, TCSBRK, 1))));
}

static void op_vhangup(struct worker *w, struct wfd *f)
{
	desc(w, "TIOCVHANGUP fd%d(%c)", f->fd, 'A' + f->port);
	after(w, f, res(w, OP_VHANGUP, TIMED(w, 1000, ioctl(f->fd, TIOCVHANGUP))));
}

/* ttydpc's ioctls ------------------------------------------------------------ */

/*
 * The fd an API call goes to: mostly the event file; sometimes the tty
 * (*on_tty), which must refuse every ttydpc number now.
 */
static int api_fd(struct worker *w, struct wfd *f, bool *on_tty)
{
	*on_tty = f->efd < 0 || pct(w, 10);
	return *on_tty ? f->fd : f->efd;
}

/* An API call sent to the tty: ENOTTY, or EIO once hung up. */
static bool tty_refused(struct worker *w, long ret)
{
	if (ret == 0 || (errno != ENOTTY && errno != EIO && errno != EINTR)) {
		violation(w, "the tty answered a ttydpc ioctl (want ENOTTY)");
		return false;
	}
	return true;
}

static void op_dpc_mask(struct worker *w, struct wfd *f)
{
	struct ttydpc_wait_mask m;
	bool get = pct(w, 30), bad = false, invalid = false, on_tty;
	void *p = &m;
	long ret;
	int fd;

	memset(&m, 0, sizeof(m));
	m.version = 1;
	m.mask = pct(w, 10) ? 0 : r32(w) & TTYDPC_EV_ALL;
	m.event_char = r32(w);
	if (pct(w, 25)) {
		invalid = true;
		switch (rn(w, 3)) {
		case 0:
			m.version = pct(w, 50) ? 0 : r32(w) | 2;
			break;
		case 1:
			m.reserved[rn(w, 7)] = 1 + rn(w, 255);
			break;
		default:
			if (get) {
				/* mask is output only for GET_MASK */
				m.reserved[rn(w, 7)] = 1 + rn(w, 255);
				break;
			}
			m.mask |= (pct(w, 50) ? 0x0200 : r32(w)) & ~TTYDPC_EV_ALL;
			m.mask |= 0x0200;
		}
	}
	if (get && pct(w, 50))
		m.mask = r32(w);	/* output fields may hold anything on input */
	if (pct(w, 10)) {
		p = bad_ptr(w, sizeof(m), get);
		bad = true;
	}
	fd = api_fd(w, f, &on_tty);
	desc(w, "TTYDPC_IOC_%s %s%d(%c) v=%u mask=0x%x ch=0x%02x%s%s", get ? "GET_MASK" : "SET_MASK",
	     on_tty ? "fd" : "efd", fd, 'A' + f->port, m.version, m.mask, m.event_char,
	     invalid ? " (invalid)" : "", bad ? " bad pointer" : "");
	ret = res(w, OP_DPC_MASK, ioctl(fd, get ? TTYDPC_IOC_GET_MASK : TTYDPC_IOC_SET_MASK, p));
	if (on_tty) {
		tty_refused(w, ret);
		return;
	}
	if (ret == 0 && bad && p != pg_ro)
		violation(w, "mask ioctl with a bad pointer succeeded");
	if (ret == 0 && invalid && !bad)
		violation(w, get ? "GET_MASK accepted a bad version or nonzero reserved field"
				 : "SET_MASK accepted an invalid struct");
	if (ret < 0 && !bad && !invalid && !benign(errno))
		violation(w, "valid mask ioctl failed");
	after(w, f, ret);
}

/* read() of the event file: the wait on the mask (or poll, which arms one). */
static void op_dpc_wait(struct worker *w, struct wfd *f)
{
	static const size_t sizes[] = { 0, 4, 15, 16, 16, 16, 17, 32, 4096 };
	size_t n = sizes[rn(w, 9)];
	struct ttydpc_event ev[2];
	unsigned int ms = 20 + rn(w, 250);
	void *p = ev;
	const char *what = "";
	long ret;

	if (f->efd < 0)
		return;
	if (pct(w, 20)) {
		struct pollfd pf = { .fd = f->efd, .events = POLLIN | POLLRDNORM };

		desc(w, "poll efd%d(%c) %u ms", f->efd, 'A' + f->port, ms / 4);
		res(w, OP_DPC_WAIT, poll(&pf, 1, ms / 4));
		return;
	}
	memset(ev, 0xa5, sizeof(ev));
	switch (rn(w, 12)) {
	case 0:
		p = bad_ptr(w, n ? n : 1, true);
		what = " bad buffer";
		break;
	case 1:
		/* a read-only page: the wait may end, the copy must fail */
		p = pg_ro_wait;
		what = " read-only buffer";
		break;
	}
	if (n > sizeof(ev) && p == ev)
		n = sizeof(ev);
	desc(w, "read efd%d(%c) %zu%s%s alarm %ums", f->efd, 'A' + f->port, n, what,
	     f->enonblock ? " O_NONBLOCK" : "", ms);
	ret = res(w, OP_DPC_WAIT, TIMED(w, ms, read(f->efd, p, n)));
	if (ret >= 0 && ret != (long)sizeof(ev[0]))
		violation(w, "read of the event file returned other than one struct ttydpc_event");
	if (ret >= 0 && n < sizeof(ev[0]))
		violation(w, "read of the event file with a count below 16 succeeded");
	if (ret >= 0 && p != ev)
		violation(w, "read of the event file into a bad or read-only buffer succeeded");
	if (ret == (long)sizeof(ev[0]) && p == ev &&
	    (ev[0].version != 1 || ev[0].reserved[0] || ev[0].reserved[1] ||
	     (ev[0].events & ~TTYDPC_EV_ALL)))
		violation(w, "read of the event file returned a bad version, bits or reserved fields");
	if (ret == (long)sizeof(ev[0]) && p == ev && ev[1].version != 0xa5a5a5a5)
		violation(w, "read of the event file wrote past one event");
}

static void op_dpc_purge(struct worker *w, struct wfd *f)
{
	uint32_t flags;
	bool bad = false, invalid = false, on_tty;
	void *p;
	long ret;
	int fd;

	switch (rn(w, 10)) {
	case 0:
		flags = 0;
		invalid = true;
		break;
	case 1:
		flags = (r32(w) & ~TTYDPC_PURGE_ALL) | 0x10;
		invalid = true;
		break;
	case 2:
		bad = true;
		flags = 0;
		break;
	default:
		flags = 1 + rn(w, TTYDPC_PURGE_ALL);
	}
	fd = api_fd(w, f, &on_tty);
	desc(w, "TTYDPC_IOC_PURGE %s%d(%c) 0x%x%s", on_tty ? "fd" : "efd", fd, 'A' + f->port,
	     flags, bad ? " bad pointer" : "");
	p = bad ? bad_ptr(w, 4, false) : (void *)&flags;
	ret = res(w, OP_DPC_PURGE, TIMED(w, 1000, ioctl(fd, TTYDPC_IOC_PURGE, p)));
	if (on_tty) {
		tty_refused(w, ret);
		return;
	}
	if (ret == 0 && invalid)
		violation(w, "PURGE accepted zero or unknown flags");
	if (ret == 0 && bad && p != pg_ro)
		violation(w, "PURGE with a bad pointer succeeded");
	after(w, f, ret);
}

/*
 * Send a call that fills @buf (a struct starting with its version), now and
 * then at a bad pointer instead. False when it went to the tty, which only
 * has to refuse it.
 */
static bool send_fill(struct worker *w, struct wfd *f, int fd, bool on_tty, enum op op,
		      unsigned long cmd, const char *name, void *buf, size_t size,
		      bool invalid, long *ret, bool *bad)
{
	void *p = buf;

	if (pct(w, 10))
		p = bad_ptr(w, size, true);
	desc(w, "TTYDPC_IOC_%s %s%d(%c) v=%u%s%s", name, on_tty ? "fd" : "efd", fd,
	     'A' + f->port, *(uint32_t *)buf, invalid ? " (invalid)" : "",
	     p == buf ? "" : " bad pointer");
	*ret = res(w, op, ioctl(fd, cmd, p));
	*bad = p != buf;
	if (on_tty) {
		tty_refused(w, *ret);
		return false;
	}
	return true;
}

/*
 * The checks of a call that fills a struct: a bad pointer or an invalid
 * struct must fail; a success must not return unknown bits or reserved
 * fields (@out_bad, looked at only when the struct was ours).
 */
static void check_out(struct worker *w, struct wfd *f, long ret, const char *call,
		      bool bad, bool invalid, bool out_bad)
{
	char m[128];

	if (ret == 0 && bad)
		snprintf(m, sizeof(m), "%s into a bad pointer succeeded", call);
	else if (ret == 0 && invalid)
		snprintf(m, sizeof(m), "%s accepted a bad version or nonzero reserved field", call);
	else if (ret == 0 && out_bad)
		snprintf(m, sizeof(m), "%s returned unknown bits or nonzero reserved fields", call);
	else
		m[0] = 0;
	if (m[0])
		violation(w, m);
	after(w, f, ret);
}

static void op_dpc_stats(struct worker *w, struct wfd *f)
{
	struct ttydpc_stats_user s;
	bool invalid = false, bad, on_tty;
	int fd = api_fd(w, f, &on_tty);
	long ret;

	if (pct(w, 25)) {
		desc(w, "TTYDPC_IOC_CLEAR_STATS %s%d(%c)", on_tty ? "fd" : "efd", fd, 'A' + f->port);
		ret = res(w, OP_DPC_STATS, ioctl(fd, TTYDPC_IOC_CLEAR_STATS));
		if (on_tty)
			tty_refused(w, ret);
		else
			after(w, f, ret);
		return;
	}
	memset(&s, 0, sizeof(s));
	s.version = 1;
	if (pct(w, 30))
		s.received = r32(w);	/* output fields may hold anything */
	if (pct(w, 15)) {
		invalid = true;
		if (pct(w, 40))
			s.version = r32(w) | 2;
		else if (pct(w, 50))
			s.reserved0 = 1 + rn(w, 1000);
		else
			s.reserved[rn(w, 4)] = 1 + rn(w, 1000);
	}
	if (send_fill(w, f, fd, on_tty, OP_DPC_STATS, TTYDPC_IOC_GET_STATS, "GET_STATS", &s,
		      sizeof(s), invalid, &ret, &bad))
		check_out(w, f, ret, "GET_STATS", bad, invalid,
			  s.version != 1 || s.reserved0 || s.reserved[0] || s.reserved[1] ||
			  s.reserved[2] || s.reserved[3]);
}

static void op_dpc_status(struct worker *w, struct wfd *f)
{
	struct ttydpc_comm_status cs;
	bool invalid = false, bad, on_tty;
	int fd = api_fd(w, f, &on_tty);
	long ret;

	memset(&cs, 0, sizeof(cs));
	cs.version = 1;
	if (pct(w, 30))
		cs.errors = r32(w);	/* output fields may hold anything */
	if (pct(w, 15)) {
		invalid = true;
		if (pct(w, 40))
			cs.version = r32(w) | 2;
		else
			cs.reserved[rn(w, 3)] = 1 + rn(w, 1000);
	}
	if (send_fill(w, f, fd, on_tty, OP_DPC_STATUS, TTYDPC_IOC_COMMSTATUS, "COMMSTATUS", &cs,
		      sizeof(cs), invalid, &ret, &bad))
		check_out(w, f, ret, "COMMSTATUS", bad, invalid,
			  cs.reserved[0] || cs.reserved[1] || cs.reserved[2] ||
			  (cs.hold & ~0xfu) || (cs.errors & ~0x1fu));
}

/* Random ioctl numbers in ttydpc's 'D' space: wrong sizes and directions of
 * the real ones, neighbours, and the real ones with garbage; to the event
 * file, or to the tty, which must refuse every one (ENOTTY). */
static void op_dpc_random(struct worker *w, struct wfd *f)
{
	static const unsigned long real[] = {
		TTYDPC_IOC_SET_MASK, TTYDPC_IOC_GET_MASK, TTYDPC_IOC_PURGE,
		TTYDPC_IOC_GET_STATS, TTYDPC_IOC_CLEAR_STATS, TTYDPC_IOC_COMMSTATUS,
		TTYDPC_IOC_ATTACH,
		_IOWR(TTYDPC_IOC_MAGIC, 0x42, struct ttydpc_event),	/* 0.9's WAIT */
	};
	const int nreal = sizeof(real) / sizeof(real[0]);
	bool on_tty = f->efd < 0 || pct(w, 50);
	int fd = on_tty ? f->fd : f->efd;
	unsigned long cmd;
	void *arg;
	long ret;
	unsigned int k;

	switch (rn(w, 3)) {
	case 0:
		cmd = _IOC(rn(w, 4), TTYDPC_IOC_MAGIC, 0x30 + rn(w, 0x30), rn(w, 128));
		break;
	case 1: {
		unsigned long c = real[rn(w, nreal)];

		/* same number, other size or direction */
		cmd = _IOC(pct(w, 50) ? _IOC_DIR(c) : rn(w, 4), TTYDPC_IOC_MAGIC, _IOC_NR(c),
			   pct(w, 50) ? _IOC_SIZE(c) + 1 + rn(w, 16) : rn(w, 64));
		break;
	}
	default:
		cmd = real[rn(w, nreal)];
	}
	if (pct(w, 60)) {
		for (k = 0; k < 128; k++)
			w->buf[k] = pct(w, 50) ? 0 : r32(w);
		/* often a plausible version field */
		if (pct(w, 60))
			memcpy(w->buf, &(uint32_t){ 1 }, 4);
		arg = w->buf;
	} else if (pct(w, 50)) {
		arg = bad_ptr(w, 64, true);
	} else {
		/*
		 * Any number, but never one of our own addresses: below 4 GiB
		 * a random value can land in this static binary's data or
		 * heap, where an ioctl the kernel does not refuse would write.
		 * Above it, up to the mmap area, nothing is mapped.
		 */
		arg = (void *)(uintptr_t)(0x100000000ULL + r32(w));
	}
	desc(w, "ioctl %s%d(%c) 0x%lx (dir %lu nr 0x%lx size %lu) arg %p", on_tty ? "fd" : "efd",
	     fd, 'A' + f->port, cmd, (unsigned long)_IOC_DIR(cmd), (unsigned long)_IOC_NR(cmd),
	     (unsigned long)_IOC_SIZE(cmd), arg);
	ret = res(w, OP_DPC_RANDOM, TIMED(w, 300, ioctl(fd, cmd, arg)));
	if (on_tty)
		tty_refused(w, ret);
	else
		after(w, f, ret);
}

static void op_misc(struct worker *w, struct wfd *f)
{
	int v = r32(w) & 1;
	void *p = &v;
	const char *name;
	unsigned long cmd;
	struct serial_rs485 rs;

	if (pct(w, 10))
		p = bad_ptr(w, sizeof(rs), true);
	switch (rn(w, 12)) {
	case 0: name = "FIONREAD"; cmd = FIONREAD; break;
	case 1: name = "TIOCOUTQ"; cmd = TIOCOUTQ; break;
	case 2: name = "TIOCEXCL"; cmd = TIOCEXCL; break;
	case 3: name = "TIOCNXCL"; cmd = TIOCNXCL; break;
	case 4: name = "TIOCSERGETLSR"; cmd = TIOCSERGETLSR; break;
	case 5: name = "TIOCSERCONFIG"; cmd = TIOCSERCONFIG; break;
	case 6: name = "TIOCGRS485"; cmd = TIOCGRS485;
		if (p == &v)
			p = &rs;
		break;
	case 7:
		name = "TIOCSRS485"; cmd = TIOCSRS485;
		memset(&rs, 0, sizeof(rs));
		rs.flags = r32(w);
		rs.delay_rts_before_send = rn(w, 1000);
		rs.delay_rts_after_send = rn(w, 1000);
		if (p == &v)
			p = &rs;
		break;
	case 8:
		name = "TIOCSTI"; cmd = TIOCSTI;
		v = r32(w) & 0xff;
		break;
	case 9: name = "TIOCGSOFTCAR"; cmd = TIOCGSOFTCAR; break;
	case 10: name = "TIOCSSOFTCAR"; cmd = TIOCSSOFTCAR; v = pct(w, 70); break;
	default: name = "TIOCGEXCL"; cmd = TIOCGEXCL; break;
	}
	desc(w, "%s fd%d(%c)%s", name, f->fd, 'A' + f->port,
	     p == &v || p == &rs ? "" : " bad pointer");
	after(w, f, res(w, OP_MISC, TIMED(w, 1000, ioctl(f->fd, cmd, p))));
}

static void op_open(struct worker *w, struct wfd *unused)
{
	static const int acc[] = { O_RDWR, O_RDWR, O_RDWR, O_RDWR, O_RDONLY, O_WRONLY };
	int port = rn(w, 2);
	int flags = acc[rn(w, 6)] | O_NOCTTY | O_CLOEXEC;
	bool nb = pct(w, 70);
	int fd;

	(void)unused;	/* a new fd: none picked */
	if (w->n == MAX_FD) {
		drop_fd(w, &w->f[rn(w, w->n)]);
		return;
	}
	if (nb)
		flags |= O_NONBLOCK;
	desc(w, "open %s%s%s", dev[port], nb ? " O_NONBLOCK" : "",
	     (flags & O_ACCMODE) == O_RDONLY ? " O_RDONLY" :
	     (flags & O_ACCMODE) == O_WRONLY ? " O_WRONLY" : "");
	fd = res(w, OP_OPEN, TIMED(w, 1000, open(dev[port], flags)));
	if (fd < 0)
		return;
	w->f[w->n].fd = fd;
	w->f[w->n].port = port;
	w->f[w->n].nonblock = nb;
	w->f[w->n].efd = -1;
	/* mostly with an event file; some attaches meet a hung-up port */
	if (pct(w, 85)) {
		bool enb = pct(w, 30);
		int efd;

		desc(w, "open %s + ATTACH fd%d%s", TTYDPC_EVENT_DEV, fd, enb ? " O_NONBLOCK" : "");
		efd = res(w, OP_OPEN, dbg_event_open(fd, enb ? O_NONBLOCK : 0));
		if (efd < 0 && efd != -EIO && efd != -ENODEV)
			violation(w, "ATTACH to a freshly opened ttyDPC failed");
		w->f[w->n].efd = efd < 0 ? -1 : efd;
		w->f[w->n].enonblock = enb;
	}
	w->n++;
}

static void op_close(struct worker *w, struct wfd *f)
{
	desc(w, "close fd%d efd%d(%c) alarm 1000ms", f->fd, f->efd, 'A' + f->port);
	alarm_ms(w, 1000);
	close_pair(w, f);
	res(w, OP_CLOSE, 0);
	alarm_off(w);
	w->f[f - w->f] = w->f[--w->n];
}

static void op_read(struct worker *w, struct wfd *f)
{
	static const size_t sizes[] = { 0, 1, 7, 64, 512, 4096, 8192 };
	size_t n = sizes[rn(w, 7)];
	void *p = w->buf;
	unsigned int ms = 50 + rn(w, 200);

	if (pct(w, 8))
		p = bad_ptr(w, n ? n : 1, true);
	desc(w, "read fd%d(%c) %zu%s%s", f->fd, 'A' + f->port, n, p == w->buf ? "" : " bad buffer",
	     f->nonblock ? "" : " (blocking)");
	after(w, f, res(w, OP_READ, TIMED(w, f->nonblock ? 0 : ms, read(f->fd, p, n))));
}

static void op_write(struct worker *w, struct wfd *f)
{
	static const size_t sizes[] = { 0, 1, 3, 64, 256, 1024, 4096 };
	size_t n = sizes[rn(w, 7)], k;
	const void *p = w->buf;

	for (k = 0; k < n; k++)
		w->buf[k] = pct(w, 5) ? (uint8_t)"\x11\x13\x03\x04\x7f\x00\r\n"[rn(w, 8)] : (uint8_t)r32(w);
	if (pct(w, 8))
		p = bad_ptr(w, n ? n : 1, false);
	desc(w, "write fd%d(%c) %zu%s%s", f->fd, 'A' + f->port, n, p == w->buf ? "" : " bad buffer",
	     f->nonblock ? "" : " (blocking)");
	after(w, f, res(w, OP_WRITE, TIMED(w, f->nonblock ? 0 : 50 + rn(w, 300), write(f->fd, p, n))));
}

static void op_fcntl(struct worker *w, struct wfd *f)
{
	int fl = fcntl(f->fd, F_GETFL);
	bool nb = pct(w, 60);
	long ret;

	desc(w, "fcntl fd%d(%c) %s", f->fd, 'A' + f->port, nb ? "O_NONBLOCK" : "blocking");
	if (fl < 0) {
		res(w, OP_FCNTL, fl);
		return;
	}
	ret = res(w, OP_FCNTL, fcntl(f->fd, F_SETFL, nb ? fl | O_NONBLOCK : fl & ~O_NONBLOCK));
	if (!ret)
		f->nonblock = nb;
}

static void op_poll(struct worker *w, struct wfd *f)
{
	struct pollfd p = { .fd = f->fd, .events = POLLIN | POLLOUT | POLLPRI };
	int ms = rn(w, 40);

	desc(w, "poll fd%d(%c) %d ms", f->fd, 'A' + f->port, ms);
	res(w, OP_POLL, poll(&p, 1, ms));
}

static char saved_trig[2][32], saved_trig_mode[2][32];
static struct serial_rs485 saved_rs485[2];
static bool saved_rs485_ok[2];

static void op_sysfs(struct worker *w, struct wfd *f)
{
	static const char *vals[] = { "0", "1", "4", "8", "14", "16", "17", "64", "1000",
				      "-1", "abc", "0x8", "4294967297", "" };
	char path[256], buf[512];
	int fd, port = f ? f->port : (int)rn(w, 2);
	long ret;

	switch (rn(w, 4)) {
	case 0: {
		const char *v = vals[rn(w, sizeof(vals) / sizeof(vals[0]))];

		snprintf(path, sizeof(path), "/sys/class/tty/%s/rx_trig_bytes", devname_[port]);
		desc(w, "write %s '%s'", path, v);
		fd = open(path, O_WRONLY);
		ret = fd < 0 ? -1 : write(fd, v, strlen(v));
		res(w, OP_SYSFS, ret);
		if (fd >= 0)
			close(fd);
		return;
	}
	case 1:
		snprintf(path, sizeof(path), "/sys/class/tty/%s/rx_trig_bytes", devname_[port]);
		break;
	case 2:
		snprintf(path, sizeof(path), "/sys/class/tty/%s/dpc_design", devname_[port]);
		break;
	default:
		snprintf(path, sizeof(path), "/sys/kernel/debug/ttydpc/%s/stats", devname_[port]);
	}
	desc(w, "read %s", path);
	fd = open(path, O_RDONLY);
	ret = fd < 0 ? -1 : read(fd, buf, sizeof(buf));
	res(w, OP_SYSFS, ret);
	if (fd >= 0)
		close(fd);
}

/* Each kind of operation: its name (-x), its share of the draws, the call. */
static struct {
	const char *name;
	int weight;
	void (*fn)(struct worker *w, struct wfd *f);
} ops[NR_OPS] = {
	[OP_OPEN] = { "open", 12, op_open }, [OP_CLOSE] = { "close", 10, op_close },
	[OP_READ] = { "read", 20, op_read }, [OP_WRITE] = { "write", 20, op_write },
	[OP_FCNTL] = { "fcntl", 5, op_fcntl }, [OP_POLL] = { "poll", 5, op_poll },
	[OP_TCSETS] = { "tcsets", 12, op_tcsets }, [OP_TCSETS2] = { "tcsets2", 10, op_tcsets2 },
	[OP_TCGETS] = { "tcgets", 4, op_tcgets }, [OP_MODEM] = { "modem", 12, op_modem },
	[OP_MIWAIT] = { "miwait", 4, op_miwait }, [OP_ICOUNT] = { "icount", 6, op_icount },
	[OP_SERIAL] = { "serial", 8, op_serial }, [OP_BREAK] = { "break", 3, op_break },
	[OP_FLUSH] = { "flush", 8, op_flush }, [OP_FLOW] = { "flow", 4, op_flow },
	[OP_DRAIN] = { "drain", 4, op_drain }, [OP_VHANGUP] = { "vhangup", 2, op_vhangup },
	[OP_DPC_MASK] = { "dpc_mask", 8, op_dpc_mask },
	[OP_DPC_WAIT] = { "dpc_wait", 6, op_dpc_wait },
	[OP_DPC_PURGE] = { "dpc_purge", 8, op_dpc_purge },
	[OP_DPC_STATS] = { "dpc_stats", 6, op_dpc_stats },
	[OP_DPC_STATUS] = { "dpc_status", 6, op_dpc_status },
	[OP_DPC_RANDOM] = { "dpc_random", 6, op_dpc_random }, [OP_MISC] = { "misc", 8, op_misc },
	[OP_SYSFS] = { "sysfs", 2, op_sysfs },
};

static int total_weight;

static enum op pick_op(struct worker *w)
{
	int i, r = rn(w, total_weight);

	for (i = 0; i < NR_OPS; i++) {
		r -= ops[i].weight;
		if (r < 0)
			return i;
	}
	return OP_READ;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	dbg_alarm_init(&w->alarm);
	while (!atomic_load(&stop) && atomic_fetch_sub(&ops_left, 1) > 0) {
		enum op op = pick_op(w);
		struct wfd *f = pick_fd(w);

		atomic_store(&w->cur_op, atomic_load(&w->cur_op) + 1);
		atomic_store(&w->op_start_ms, tt_now_ms());
		if (!f && op != OP_SYSFS)
			op = OP_OPEN;
		w->count[op]++;
		ops[op].fn(w, f);
		atomic_store(&w->op_start_ms, 0);
		atomic_fetch_add(&ops_done, 1);
	}
	/* The last closes can block too (closing_wait, a stalled line): watched. */
	while (w->n) {
		struct wfd *f = &w->f[w->n - 1];

		desc(w, "close fd%d(%c) at the end, alarm 1000ms", f->fd, 'A' + f->port);
		atomic_store(&w->op_start_ms, tt_now_ms());
		drop_fd(w, f);
		atomic_store(&w->op_start_ms, 0);
	}
	atomic_store(&w->done, true);
	return NULL;
}

/* ---- pumps: data flowing both ways the whole time ----------------------- */

static void *pump_main(void *arg)
{
	int port = (int)(intptr_t)arg;
	struct tt_stream s;
	uint8_t buf[4096];
	int fd = -1;

	tt_stream_init(&s, 0x5eed0000u + port);
	while (!atomic_load(&stop)) {
		struct pollfd p;
		ssize_t k;

		if (fd < 0) {
			fd = open(dev[port], O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
			if (fd < 0) {
				dbg_sleep_ms(20);
				continue;
			}
			atomic_fetch_add(&pump_reopens[port], 1);
		}
		p.fd = fd;
		p.events = POLLIN | POLLOUT;
		p.revents = 0;
		if (poll(&p, 1, 50) < 0)
			continue;
		if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
			k = read(fd, buf, sizeof(buf));
			if (k > 0)
				atomic_fetch_add(&pump_bytes[port], k);
			else if (k == 0 || (errno != EAGAIN && errno != EINTR)) {
				close(fd);
				fd = -1;
				continue;
			}
		}
		if (p.revents & POLLOUT) {
			size_t n = 64 + (s.x & 1023);

			tt_stream_fill(&s, buf, n);
			k = write(fd, buf, n);
			if (k < 0 && errno != EAGAIN && errno != EINTR) {
				close(fd);
				fd = -1;
			}
		}
		if (p.revents & POLLNVAL) {
			close(fd);
			fd = -1;
		}
	}
	if (fd >= 0)
		close(fd);
	return NULL;
}

/* ---- kernel log monitor --------------------------------------------------- */

static const char *kbad_re =
	"BUG:|WARNING:|Oops|KASAN|UBSAN|ODEBUG|possible circular|inconsistent lock state|"
	"possible recursive locking|sleeping function called|scheduling while atomic|"
	"list_add corruption|list_del corruption|refcount_t:|kmemleak|general protection|"
	"Kernel panic|INFO: task .* blocked|soft lockup|rcu.*stall|Call Trace";

static void *kmsg_main(void *arg)
{
	regex_t re;
	char rec[8192];
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	(void)arg;
	if (fd < 0)
		return NULL;
	lseek(fd, 0, SEEK_END);
	regcomp(&re, kbad_re, REG_EXTENDED | REG_NOSUB);
	while (!atomic_load(&stop)) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t k;

		if (poll(&p, 1, 200) <= 0)
			continue;
		while ((k = read(fd, rec, sizeof(rec) - 1)) > 0 || (k < 0 && errno == EPIPE)) {
			char *msg;

			if (k <= 0)
				continue;	/* EPIPE: records overwritten, go on */
			rec[k] = 0;
			msg = strchr(rec, ';');
			msg = msg ? msg + 1 : rec;
			msg[strcspn(msg, "\n")] = 0;
			if (regexec(&re, msg, 0, NULL, 0))
				continue;
			if (atomic_fetch_add(&kernel_reports, 1) == 0) {
				say("# kernel report during the fuzz, after %ld operations: %s\n",
				    atomic_load(&ops_done), msg);
				dump_rings("first kernel report");
			} else if (atomic_load(&kernel_reports) <= 10) {
				say("# kernel: %s\n", msg);
			}
		}
	}
	close(fd);
	return NULL;
}

/* ---- setup and restore ----------------------------------------------------- */

static void save_settings(void)
{
	char path[256];
	int i, fd;

	for (i = 0; i < 2; i++) {
		fd = open(dev[i], O_RDWR | O_NOCTTY | O_NONBLOCK);
		if (fd >= 0) {
			saved_serial_ok[i] = !ioctl(fd, TIOCGSERIAL, &saved_serial[i]);
			saved_rs485_ok[i] = !ioctl(fd, TIOCGRS485, &saved_rs485[i]);
			close(fd);
		}
		snprintf(path, sizeof(path), "/sys/class/tty/%s/rx_trig_bytes", devname_[i]);
		if (tt_read_file(path, saved_trig[i], sizeof(saved_trig[i])) < 0)
			saved_trig[i][0] = 0;
		snprintf(path, sizeof(path), "/sys/class/tty/%s/rx_trig_mode", devname_[i]);
		if (tt_read_file(path, saved_trig_mode[i], sizeof(saved_trig_mode[i])) < 0)
			saved_trig_mode[i][0] = 0;
	}
}

/* Write a port's sysfs attribute back; a failure goes into msg. */
static void write_attr(int i, const char *attr, const char *val, char *msg, size_t size)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "/sys/class/tty/%s/%s", devname_[i], attr);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return;
	if (write(fd, val, strlen(val)) < 0)
		snprintf(msg, size, "restore %s: %s", attr, strerror(errno));
	close(fd);
}

/* Put every setting the fuzz may have changed back; returns an fd per port
 * (raw, flushed) or -errno. */
static int restore_port(int i, char *msg, size_t size)
{
	struct ttydpc_wait_mask m = { .version = 1 };
	int bits = TIOCM_LOOP, fd, efd, ret;

	fd = open(dev[i], O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		snprintf(msg, size, "open %s: %s", dev[i], strerror(errno));
		return -errno;
	}
	if (saved_serial_ok[i] && ioctl(fd, TIOCSSERIAL, &saved_serial[i])) {
		snprintf(msg, size, "TIOCSSERIAL (restore) on %s: %s", dev[i], strerror(errno));
		close(fd);
		return -EINVAL;
	}
	/* RS-485 outlives the fds: muted RX would fail the check below */
	if (saved_rs485_ok[i] && ioctl(fd, TIOCSRS485, &saved_rs485[i]))
		snprintf(msg, size, "TIOCSRS485 (restore) on %s: %s", dev[i], strerror(errno));
	ret = dbg_set_raw(fd);
	if (ret) {
		snprintf(msg, size, "raw termios on %s: %s", dev[i], strerror(-ret));
		close(fd);
		return ret;
	}
	ioctl(fd, TIOCMBIC, &bits);
	bits = TIOCM_DTR | TIOCM_RTS | TIOCM_OUT2;
	ioctl(fd, TIOCMBIS, &bits);
	ioctl(fd, TIOCCBRK);
	ioctl(fd, TCXONC, TCOON);
	ioctl(fd, TCXONC, TCION);
	ioctl(fd, TIOCNXCL);
	efd = dbg_event_open(fd, 0);
	if (efd >= 0) {
		ioctl(efd, TTYDPC_IOC_SET_MASK, &m);
		close(efd);
	}
	/* the level pins the mode: level first, then the mode (auto) */
	if (saved_trig[i][0])
		write_attr(i, "rx_trig_bytes", saved_trig[i], msg, size);
	if (saved_trig_mode[i][0])
		write_attr(i, "rx_trig_mode", saved_trig_mode[i], msg, size);
	return fd;
}

/* What the kernel says of a thread: its state, signals, where it sleeps. */
static void thread_state(struct worker *w)
{
	char path[96], line[256], wchan[64] = "?";
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/task/%d/wchan", (int)w->alarm.tid);
	tt_read_file(path, wchan, sizeof(wchan));
	snprintf(path, sizeof(path), "/proc/self/task/%d/status", (int)w->alarm.tid);
	f = fopen(path, "r");
	if (!f)
		return;
	say("# thread %d (tid %d) sleeps in %s\n", w->id, (int)w->alarm.tid, wchan);
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "State:", 6) || !strncmp(line, "SigPnd:", 7) ||
		    !strncmp(line, "ShdPnd:", 7) || !strncmp(line, "SigBlk:", 7) ||
		    !strncmp(line, "SigCgt:", 7))
			say("#   %s", line);
	fclose(f);
}

/* Blocked tasks with their stacks into the kernel log (SysRq-w). */
static void sysrq_blocked(void)
{
	int fd = open("/proc/sysrq-trigger", O_WRONLY);

	if (fd >= 0) {
		if (write(fd, "w", 1) == 1)
			say("# blocked tasks written to the kernel log (SysRq-w)\n");
		close(fd);
	}
}

/* ---- the watch: progress, time limit, stuck threads ------------------------ */

static uint64_t t_fuzz0;

/*
 * Every 100 ms: a watched thread in one call for over 20 s is reported
 * (with what the kernel says of it, once) and kicked with SIGALRM once a
 * second; after 90 s the run ends. Covers the fuzzing threads and, from
 * its cleanup on, the main thread (its last closes can wait out
 * closing_wait too).
 */
static void *watch_main(void *arg)
{
	uint64_t last_print = 0;
	int i;

	(void)arg;
	while (!atomic_load(&watch_stop)) {
		uint64_t now;

		dbg_sleep_ms(100);
		now = tt_now_ms();
		for (i = 0; i < atomic_load(&nwatched); i++) {
			uint64_t st = atomic_load(&workers[i].op_start_ms);
			/*
			 * A thread may have started its operation after
			 * "now" was read: that is no time at all, not a
			 * negative one wrapped to 584 million years.
			 */
			uint64_t busy = st && now > st ? now - st : 0;

			if (busy > 20000) {
				/* alarms did not end it: kick once a second, report once */
				if (!(atomic_load(&stuck) & (1ULL << i))) {
					say("# thread %d%s stuck for %llu s in: %s\n", i,
					    i == nworkers ? " (main, cleanup)" : "",
					    (unsigned long long)busy / 1000, slot(&workers[i]));
					thread_state(&workers[i]);
					if (!atomic_fetch_or(&stuck, 1ULL << i)) {
						dump_rings("stuck thread");
						sysrq_blocked();
					}
				}
				pthread_kill(workers[i].th, SIGALRM);
			}
			if (busy > 90000) {
				pthread_mutex_lock(&out_lock);
				printf("not ok %d fuzz: thread %d blocked in the kernel for 90 s: %s\n",
				       atomic_fetch_add(&tap_n, 1) + 1, i, slot(&workers[i]));
				printf("Bail out! a fuzz thread cannot be stopped\n");
				fflush(stdout);
				_exit(1);
			}
		}
		if (now - last_print >= 10000 && !atomic_load(&stop)) {
			last_print = now;
			say("# %ld operations done in %.0f s, pumps moved %ld + %ld bytes (reopened %ld + %ld times)\n",
			    atomic_load(&ops_done), (now - t_fuzz0) / 1000.0, atomic_load(&pump_bytes[0]),
			    atomic_load(&pump_bytes[1]), atomic_load(&pump_reopens[0]),
			    atomic_load(&pump_reopens[1]));
		}
		if (max_ms && now - t_fuzz0 > max_ms)
			atomic_store(&stop, 1);
	}
	return NULL;
}

/*
 * The main thread's cleanup calls, under the watch: workers[nworkers]
 * describes them and carries their alarm (after ms, then every 50 ms;
 * none with ms 0: the watch still kicks after 20 s).
 */
static struct worker *mainw;

static void main_begin(unsigned int ms, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void main_begin(unsigned int ms, const char *fmt, ...)
{
	char *s;
	va_list ap;

	atomic_fetch_add(&mainw->ring_pos, 1);
	atomic_store(&mainw->cur_op, atomic_load(&mainw->cur_op) + 1);
	s = slot(mainw);
	snprintf(s, DESC, "main#%ld ", atomic_load(&mainw->cur_op));
	va_start(ap, fmt);
	vsnprintf(s + strlen(s), DESC - strlen(s), fmt, ap);
	va_end(ap);
	atomic_store(&mainw->op_start_ms, tt_now_ms());
	if (ms)
		alarm_ms(mainw, ms);
}

static void main_end(void)
{
	alarm_off(mainw);
	atomic_store(&mainw->op_start_ms, 0);
}

static void main_close(int fd, const char *what)
{
	if (fd < 0)
		return;
	main_begin(1000, "close fd%d (%s)", fd, what);
	close(fd);
	main_end();
}

/*
 * closing_wait NONE on a port, so that the last close does not wait for
 * output to drain (30 s by default, forever if the fuzz left it at
 * ASYNC_CLOSING_WAIT_INF, while a stopped peer holds the line).
 */
static void no_closing_wait(int fd, int port)
{
	struct serial_struct ss;

	main_begin(1000, "TIOCSSERIAL fd%d(%c) closing_wait NONE", fd, 'A' + port);
	if (!ioctl(fd, TIOCGSERIAL, &ss)) {
		ss.closing_wait = ASYNC_CLOSING_WAIT_NONE;
		ioctl(fd, TIOCSSERIAL, &ss);
	}
	main_end();
}

/* The port's closing_wait as it was before the fuzz, with nothing queued
 * (so that this last close has nothing to wait for). */
static void restore_closing_wait(int port)
{
	struct serial_struct ss;
	int fd;

	if (!saved_serial_ok[port])
		return;
	main_begin(1000, "open %s, closing_wait %u again", dev[port],
		   saved_serial[port].closing_wait);
	fd = open(dev[port], O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd >= 0) {
		ioctl(fd, TCFLSH, TCIOFLUSH);
		if (!ioctl(fd, TIOCGSERIAL, &ss)) {
			ss.closing_wait = saved_serial[port].closing_wait;
			ioctl(fd, TIOCSSERIAL, &ss);
		}
	}
	main_end();
	main_close(fd, "after closing_wait");
}

static void usage(void)
{
	fprintf(stderr,
		"usage: ttydpc_fuzz [-a DEV_A] [-b DEV_B] [-s SEED] [-n OPS] [-j THREADS]\n"
		"                   [-T MAX_SECONDS] [-k CHECK_BYTES] [-x OP[,OP...]] [-v]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *env, *exclude;
	uint64_t seed;
	long nops = 10000, check_bytes = 16384;
	pthread_t pumps[2], kmsg, watch;
	struct sigaction sa;
	int opt, i, k, fails = 0, t = 0, ctl[2] = { -1, -1 };
	long total_count[NR_OPS] = { 0 }, total_errs[NR_OPS] = { 0 }, eintr = 0;
	char msg[512];
	long ntests = 5;

	dev[0] = getenv("TTYDPC_NM_A");
	dev[1] = getenv("TTYDPC_NM_B");
	env = getenv("SEED");
	if (env && *env) {
		seed = strtoull(env, NULL, 0);
	} else {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		seed = ((uint64_t)ts.tv_nsec ^ ((uint64_t)getpid() << 20) ^ (uint64_t)ts.tv_sec) %
		       1000000000ULL;
	}
	env = getenv("FUZZ_OPS");
	if (env && *env)
		nops = atol(env);
	env = getenv("FUZZ_THREADS");
	if (env && *env)
		nworkers = atoi(env);
	exclude = getenv("FUZZ_EXCLUDE");
	while ((opt = getopt(argc, argv, "a:b:s:n:j:T:k:x:vh")) != -1) {
		switch (opt) {
		case 'x': exclude = optarg; break;
		case 'a': dev[0] = optarg; break;
		case 'b': dev[1] = optarg; break;
		case 's': seed = strtoull(optarg, NULL, 0); break;
		case 'n': nops = atol(optarg); break;
		case 'j': nworkers = atoi(optarg); break;
		case 'T': max_ms = strtoull(optarg, NULL, 0) * 1000; break;
		case 'k': check_bytes = atol(optarg); break;
		case 'v': verbose = 1; break;
		default: usage();
		}
	}
	if (nworkers < 1 || nworkers > MAX_THREADS)
		usage();

	printf("TAP version 13\n");
	if (!dev[0] || !dev[1] || !*dev[0] || !*dev[1]) {
		printf("1..0 # SKIP no null-modem pair (TTYDPC_NM_A/TTYDPC_NM_B or -a/-b)\n");
		return 4;
	}
	if (exclude && *exclude) {
		char buf[256], *tok, *save = NULL;

		snprintf(buf, sizeof(buf), "%s", exclude);
		for (tok = strtok_r(buf, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
			for (k = 0; k < NR_OPS && strcmp(ops[k].name, tok); k++)
				;
			if (k == NR_OPS || k == OP_OPEN || k == OP_SYSFS) {
				printf("1..0 # SKIP -x %s: unknown or required operation\n", tok);
				return 2;
			}
			ops[k].weight = 0;
		}
	}
	printf("1..%ld\n", ntests);
	printf("# ttydpc_fuzz: seed %llu (replay: SEED=%llu), %ld operations, %d threads, "
	       "ports %s %s%s%s\n", (unsigned long long)seed, (unsigned long long)seed, nops,
	       nworkers, dev[0], dev[1], exclude && *exclude ? ", left out: " : "",
	       exclude && *exclude ? exclude : "");
	fflush(stdout);
	for (i = 0; i < 2; i++)
		devname_[i] = strrchr(dev[i], '/') ? strrchr(dev[i], '/') + 1 : dev[i];

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_crash;
	sa.sa_flags = SA_SIGINFO | SA_RESETHAND;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);	/* no SA_RESTART: blocking calls end */
	signal(SIGPIPE, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	signal(SIGTSTP, SIG_IGN);
	signal(SIGTTIN, SIG_IGN);
	signal(SIGTTOU, SIG_IGN);

	pg_none = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	pg_ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	pg_ro_wait = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	/* pg_edge: a no-access page on each side of the read-write one */
	pg_edge = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (pg_none == MAP_FAILED || pg_ro == MAP_FAILED || pg_ro_wait == MAP_FAILED ||
	    pg_edge == MAP_FAILED) {
		printf("Bail out! mmap: %s\n", strerror(errno));
		return 1;
	}
	mprotect(pg_ro_wait, 4096, PROT_READ);
	mprotect(pg_edge, 4096, PROT_NONE);
	pg_edge += 4096;
	mprotect(pg_edge + 4096, 4096, PROT_NONE);
	memset(pg_edge, 0, 4096);
	((uint32_t *)pg_edge)[1023] = 1;	/* a "version 1" just before the edge */

	/* 1: both ports there, usable before the fuzz */
	for (i = 0; i < 2; i++) {
		int fd = dbg_open_raw(dev[i]);

		if (fd < 0) {
			printf("not ok 1 ports open before the fuzz (%s: %s)\n", dev[i], strerror(-fd));
			for (k = 2; k <= ntests; k++)
				printf("ok %d # SKIP no ports\n", k);
			return 1;
		}
		close(fd);
	}
	printf("ok %d ports %s and %s open raw before the fuzz\n", (t = atomic_fetch_add(&tap_n, 1) + 1), dev[0], dev[1]);
	save_settings();

	for (k = 0; k < NR_OPS; k++)
		total_weight += ops[k].weight;
	atomic_store(&ops_left, nops);
	t_fuzz0 = tt_now_ms();
	atomic_store(&nwatched, nworkers);
	pthread_create(&watch, NULL, watch_main, NULL);
	pthread_create(&kmsg, NULL, kmsg_main, NULL);
	for (i = 0; i < 2; i++)
		pthread_create(&pumps[i], NULL, pump_main, (void *)(intptr_t)i);
	for (i = 0; i < nworkers; i++) {
		struct worker *w = &workers[i];

		w->id = i;
		w->rng = seed * 0x100000001b3ULL + 0x9e3779b97f4a7c15ULL * (i + 1);
		/* main waits for every worker's done flag */
		if (pthread_create(&w->th, NULL, worker_main, w)) {
			printf("Bail out! pthread_create: worker %d\n", i);
			return 1;
		}
	}

	/* the workers end their operations and close their fds */
	for (;;) {
		bool all_done = true;

		for (i = 0; i < nworkers; i++)
			if (!atomic_load(&workers[i].done))
				all_done = false;
		if (all_done)
			break;
		dbg_sleep_ms(100);
	}
	for (i = 0; i < nworkers; i++)
		pthread_join(workers[i].th, NULL);

	/*
	 * From here the main thread's own calls are watched too. A control
	 * fd per port, opened before the pumps stop, makes sure that none of
	 * the pumps' closes is a port's last one, and sets closing_wait to
	 * NONE: the fuzz may have left it at 30 s or infinite with output
	 * held off, and the last close would wait for that output.
	 */
	mainw = &workers[nworkers];
	mainw->id = nworkers;
	mainw->th = pthread_self();
	dbg_alarm_init(&mainw->alarm);
	atomic_store(&nwatched, nworkers + 1);
	for (i = 0; i < 2; i++) {
		main_begin(1000, "open %s (control fd for the cleanup)", dev[i]);
		ctl[i] = open(dev[i], O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
		main_end();
		if (ctl[i] >= 0)
			no_closing_wait(ctl[i], i);
	}
	atomic_store(&stop, 1);
	for (i = 0; i < 2; i++)
		pthread_join(pumps[i], NULL);
	pthread_join(kmsg, NULL);

	for (i = 0; i < nworkers; i++) {
		for (k = 0; k < NR_OPS; k++) {
			total_count[k] += workers[i].count[k];
			total_errs[k] += workers[i].errs[k];
		}
		eintr += workers[i].eintr;
	}
	printf("# operations (calls/failed):");
	for (k = 0; k < NR_OPS; k++)
		printf("%s %s %ld/%ld", k % 6 ? "" : "\n#  ", ops[k].name, total_count[k], total_errs[k]);
	printf("\n# %ld calls ended by the timer (EINTR); pumps moved %ld + %ld bytes, reopened %ld + %ld times\n",
	       eintr, atomic_load(&pump_bytes[0]), atomic_load(&pump_bytes[1]),
	       atomic_load(&pump_reopens[0]), atomic_load(&pump_reopens[1]));

	/* 2: the operations ran */
	if (atomic_load(&ops_done) >= nops || (max_ms && atomic_load(&ops_done) > 0))
		printf("ok %d fuzz: %ld operations from %d threads in %.1f s, seed %llu\n", (t = atomic_fetch_add(&tap_n, 1) + 1),
		       atomic_load(&ops_done), nworkers, (tt_now_ms() - t_fuzz0) / 1000.0,
		       (unsigned long long)seed);
	else {
		printf("not ok %d fuzz: only %ld of %ld operations, seed %llu\n", (t = atomic_fetch_add(&tap_n, 1) + 1),
		       atomic_load(&ops_done), nops, (unsigned long long)seed);
		fails++;
	}
	/* 3: nothing blocked beyond its timer for long */
	if (atomic_load(&stuck) & ((1ULL << nworkers) - 1)) {
		printf("not ok %d fuzz: a thread was stuck in the kernel over 20 s (see above), seed %llu\n",
		       (t = atomic_fetch_add(&tap_n, 1) + 1), (unsigned long long)seed);
		fails++;
	} else {
		printf("ok %d fuzz: every blocking call ended by its timer\n", (t = atomic_fetch_add(&tap_n, 1) + 1));
	}
	/* 4: API contract and kernel log */
	if (atomic_load(&contract_violations) || atomic_load(&kernel_reports)) {
		printf("not ok %d fuzz: %d API contract violations, %d kernel report lines, seed %llu\n",
		       (t = atomic_fetch_add(&tap_n, 1) + 1), atomic_load(&contract_violations), atomic_load(&kernel_reports),
		       (unsigned long long)seed);
		fails++;
	} else {
		printf("ok %d fuzz: no API contract violation, no kernel report\n", (t = atomic_fetch_add(&tap_n, 1) + 1));
	}
	fflush(stdout);

	/* 5: the ports work afterwards, and the cleanup does not hang */
	{
		int fa, fb, ok5 = 0;
		char res5[640];
		struct dbg_xfer_res r;

		msg[0] = 0;
		main_begin(0, "restore the settings of %s", dev[0]);
		fa = restore_port(0, msg, sizeof(msg));
		main_begin(0, "restore the settings of %s", dev[1]);
		fb = fa < 0 ? -1 : restore_port(1, msg, sizeof(msg));
		main_end();
		if (fa < 0 || fb < 0) {
			snprintf(res5, sizeof(res5), "%s", msg);
		} else {
			/* echo storms and queued output may still be in flight */
			dbg_drain_input(fa, 300, 10000);
			dbg_drain_input(fb, 300, 10000);
			ioctl(fa, TCFLSH, TCIOFLUSH);
			ioctl(fb, TCFLSH, TCIOFLUSH);
			if (dbg_pair_xfer(fa, fb, check_bytes, (uint32_t)seed | 1, 120000, 20000, 0,
					  &r)) {
				dbg_xfer_describe(&r, check_bytes, msg, sizeof(msg));
				dbg_port_state(fa, dev[0]);
				dbg_port_state(fb, dev[1]);
				snprintf(res5, sizeof(res5), "%s", msg);
			} else {
				ok5 = 1;
				snprintf(res5, sizeof(res5),
					 "%ld bytes each way %s<->%s, CRC %08x/%08x, %.1f s",
					 check_bytes, dev[0], dev[1], r.d[0].rx_crc, r.d[1].rx_crc,
					 r.elapsed_ms / 1000.0);
			}
			if (msg[0] && ok5)
				printf("# note: %s\n", msg);
		}
		/*
		 * The fuzzer's own last closes: closing_wait NONE first, then
		 * the fds, the control ones last, all watched; then each port
		 * gets its closing_wait back.
		 */
		for (i = 0; i < 2; i++)
			if (ctl[i] >= 0)
				no_closing_wait(ctl[i], i);
		main_close(fa, "after the check");
		main_close(fb, "after the check");
		for (i = 0; i < 2; i++)
			main_close(ctl[i], "control fd");
		for (i = 0; i < 2; i++)
			restore_closing_wait(i);
		atomic_store(&watch_stop, 1);
		pthread_join(watch, NULL);
		if (ok5 && (atomic_load(&stuck) & (1ULL << nworkers))) {
			ok5 = 0;
			snprintf(res5, sizeof(res5), "the fuzzer's own cleanup was stuck over 20 s (see above)");
		}
		if (ok5) {
			printf("ok %d ports work after the fuzz: %s\n", (t = atomic_fetch_add(&tap_n, 1) + 1), res5);
		} else {
			printf("not ok %d ports work after the fuzz: %s\n", (t = atomic_fetch_add(&tap_n, 1) + 1), res5);
			fails++;
		}
	}
	printf("# seed %llu (replay: SEED=%llu)\n", (unsigned long long)seed,
	       (unsigned long long)seed);
	printf("# Totals: pass:%d fail:%d skip:0\n", t - fails, fails);
	return fails ? 1 : 0;
}
