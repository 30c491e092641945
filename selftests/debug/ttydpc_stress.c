// SPDX-License-Identifier: GPL-2.0
/*
 * ttydpc_stress: traffic, bind/unbind and module reload cycles, and a long
 * integrity transfer for the debug lane (run_debug.sh). Output is TAP 13
 * (rebind, reload) or "# " lines (soak, traffic); exit 0 on success.
 *
 *   ttydpc_stress soak [-s SEED] [-t TIMEOUT_S] [-S STALL_S] [-p MIB] [-T SECS] A B [BYTES]
 *       BYTES from A to B and BYTES from B to A at once (two ports wired to
 *       each other), xorshift32 streams (seed, seed + 1), every byte checked,
 *       CRC-32 of each direction printed. -p prints progress every MIB MiB.
 *       BYTES takes K/M/G suffixes. -T: no new data after SECS seconds
 *       (BYTES, if given, may end it sooner); every byte sent must still
 *       arrive, in order. The last line gives the bytes moved each way and
 *       the rates. On failure both ports' state is printed twice, a second
 *       apart (queues, hold reasons, counters, debugfs).
 *
 *   ttydpc_stress traffic [-m steady|churn] [-j N] [-s SEED] [-f STOPFILE]
 *                 [-P PAUSEFILE] [-T SECONDS] DEV...
 *       N workers per port keep data flowing until SIGTERM, STOPFILE
 *       appears, or SECONDS pass. steady: hold the port open and move data
 *       until it is hung up (unbind, rmmod), then reopen as soon as the node
 *       is back. churn: open, move data for 20-200 ms, close, again. While
 *       PAUSEFILE exists workers end their session and then only open and
 *       close at once every 50-100 ms. Nodes that come and go are expected:
 *       ENOENT, ENODEV, ENXIO, EIO on open and EIO/hangup on a live fd are
 *       counted, not failures, and so is an open that waits more than 5 s
 *       (for a port mutex held by unbind or rmmod; the timer ends it with
 *       EINTR, the slowest open is printed); any other errno, or a call
 *       blocked for 20 s, is a failure.
 *
 *   ttydpc_stress rebind -n CYCLES -F PCI[,PCI...] [-s SEED] DEV...
 *       CYCLES unbind/bind cycles through /sys/bus/pci/drivers/ttydpc, the
 *       functions in turn, while one steady and one churn worker per DEV
 *       move data. Each cycle: the function's nodes go, the others stay, all
 *       come back after bind. Times of each phase are printed.
 *
 *   ttydpc_stress reload -n CYCLES -k KO [-o PARAMS[;PARAMS...]] [-e FINAL]
 *                 [-F PCI[,PCI...]] [-s SEED] [-c] DEV...
 *       CYCLES rmmod/insmod cycles of ttydpc (delete_module, finit_module)
 *       with the same traffic. Before each rmmod the steady workers hold
 *       every DEV open (so the module goes with ports open and data
 *       flowing); if rmmod is refused, the workers hold off and rmmod is
 *       retried. insmod takes the PARAMS strings in turn (e.g.
 *       "dpc=isr;dpc=custom;dpc=both"), FINAL on the last cycle; then the
 *       PCI functions (driver_override ttydpc) are probed again as /init
 *       does, and every DEV must come back. -c: the workers hold off
 *       before every rmmod (no port open at rmmod; opens still race with
 *       module exit and probe).
 *
 * A system call of the cycle that does not return for 60 s prints what it
 * was and asks for SysRq-w (blocked tasks into the kernel log); after 90 s
 * the program prints "Bail out!" and exits.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>

#include "dbg_common.h"

#define MAX_DEVS	16
#define MAX_FUNCS	8
#define MAX_PARAMS	8

static void usage(void)
{
	fprintf(stderr,
		"usage: ttydpc_stress soak [-s SEED] [-t TIMEOUT_S] [-S STALL_S] [-p MIB] [-T SECS]\n"
		"                          A B [BYTES]\n"
		"       ttydpc_stress traffic [-m steady|churn] [-j N] [-s SEED] [-f STOPFILE]\n"
		"                     [-P PAUSEFILE] [-T SECONDS] DEV...\n"
		"       ttydpc_stress rebind -n CYCLES -F PCI[,PCI...] [-s SEED] DEV...\n"
		"       ttydpc_stress reload -n CYCLES -k KO [-o PARAMS[;PARAMS...]] [-e FINAL]\n"
		"                     [-F PCI[,PCI...]] [-s SEED] [-c] DEV...\n");
	exit(2);
}

static size_t parse_size(const char *s)
{
	char *end;
	double v = strtod(s, &end);

	switch (*end) {
	case 'k': case 'K': v *= 1024; break;
	case 'm': case 'M': v *= 1024 * 1024; break;
	case 'g': case 'G': v *= 1024.0 * 1024 * 1024; break;
	case 0: break;
	default: usage();
	}
	return (size_t)v;
}

static void sysrq_blocked(void)
{
	int fd = open("/proc/sysrq-trigger", O_WRONLY);

	if (fd >= 0) {
		if (write(fd, "w", 1) == 1)
			printf("# SysRq-w: blocked tasks and their stacks are in the kernel log\n");
		close(fd);
	}
	fflush(stdout);
}

/* ---- soak ---------------------------------------------------------------- */

static int do_soak(int argc, char **argv)
{
	uint32_t seed = 1;
	int tmo_s = 0, stall_s = 30, send_s = 0, opt, fa, fb, ret;
	unsigned int progress = 0;
	struct dbg_xfer_res r;
	char msg[512];
	size_t n;

	while ((opt = getopt(argc, argv, "s:t:S:p:T:")) != -1) {
		switch (opt) {
		case 'T': send_s = atoi(optarg); break;
		case 's': seed = strtoul(optarg, NULL, 0); break;
		case 't': tmo_s = atoi(optarg); break;
		case 'S': stall_s = atoi(optarg); break;
		case 'p': progress = atoi(optarg); break;
		default: usage();
		}
	}
	if (argc - optind != 3 && !(send_s > 0 && argc - optind == 2))
		usage();
	n = argc - optind == 3 ? parse_size(argv[optind + 2]) : SIZE_MAX;
	/* stalls are caught sooner; after -T, the queues drain in seconds */
	if (!tmo_s)
		tmo_s = send_s > 0 ? send_s + 120 : 120 + (int)(n >> 20) * 600;
	fa = dbg_open_raw(argv[optind]);
	if (fa < 0) {
		printf("# soak: %s: %s\n", argv[optind], strerror(-fa));
		return 1;
	}
	fb = dbg_open_raw(argv[optind + 1]);
	if (fb < 0) {
		printf("# soak: %s: %s\n", argv[optind + 1], strerror(-fb));
		return 1;
	}
	/* whatever an earlier stage left in flight */
	dbg_drain_input(fa, 200, 5000);
	dbg_drain_input(fb, 200, 5000);
	ioctl(fa, TCFLSH, TCIOFLUSH);
	ioctl(fb, TCFLSH, TCIOFLUSH);
	ret = dbg_pair_xfer_for(fa, fb, n, send_s * 1000, seed, tmo_s * 1000, stall_s * 1000,
				progress, &r);
	dbg_xfer_describe(&r, n, msg, sizeof(msg));
	printf("# soak %s<->%s seed %u: %s\n", argv[optind], argv[optind + 1], seed, msg);
	if (ret) {
		/* twice, a second apart: which counters still move? */
		dbg_port_state(fa, argv[optind]);
		dbg_port_state(fb, argv[optind + 1]);
		dbg_sleep_ms(1000);
		printf("# one second later:\n");
		dbg_port_state(fa, argv[optind]);
		dbg_port_state(fb, argv[optind + 1]);
	} else {
		double secs = r.elapsed_ms ? r.elapsed_ms / 1000.0 : 1;

		/* one line for the caller's TAP: moved, rate, nothing lost */
		printf("# soak result: %zu bytes A->B (%.1f KiB/s), %zu bytes B->A (%.1f KiB/s) in %.1f s, every byte checked, 0 lost\n",
		       r.d[0].recvd, r.d[0].recvd / 1024.0 / secs, r.d[1].recvd,
		       r.d[1].recvd / 1024.0 / secs, secs);
	}
	close(fa);
	close(fb);
	return ret ? 1 : 0;
}

/* ---- traffic ----------------------------------------------------------------- */

enum { E_ENOENT, E_ENODEV, E_ENXIO, E_EIO, E_EBUSY, E_EINTR, E_EAGAIN, E_OTHER, NR_E };
static const char *const ename[NR_E] = { "ENOENT", "ENODEV", "ENXIO", "EIO", "EBUSY",
					 "EINTR(open over 5 s)", "EAGAIN", "other" };

struct tworker {
	pthread_t th;
	const char *dev;
	int id;
	bool churn;
	uint64_t rng;
	struct dbg_alarm alarm;
	atomic_ullong op_start_ms;
	const char *op;
	atomic_int is_open;	/* holds the port open and set up */
	long opens, closes, hangups, tx, rx;
	long open_err[NR_E];
	long unexpected;
	uint64_t max_close_ms, max_open_ms;
};

struct traffic {
	struct tworker *w;
	int n;
	atomic_int stop;
	atomic_int pause;
	const char *stopfile, *pausefile;
	uint64_t t0;
	int stuck;
};

static struct traffic *g_tr;	/* for the signal handler */

static void on_sig(int sig)
{
	if (sig != SIGALRM && g_tr)
		atomic_store(&g_tr->stop, 1);
}

static uint32_t trnd(struct tworker *w, uint32_t n)
{
	uint64_t z = (w->rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	return n ? (uint32_t)(z % n) : 0;
}

static int eclass(int e)
{
	switch (e) {
	case ENOENT: return E_ENOENT;
	case ENODEV: return E_ENODEV;
	case ENXIO: return E_ENXIO;
	case EIO: return E_EIO;
	case EBUSY: return E_EBUSY;
	case EINTR: return E_EINTR;
	case EAGAIN: return E_EAGAIN;
	default: return E_OTHER;
	}
}

/* SIGALRM at this thread after ms, then every 100 ms until t_alarm_off() */
#define t_alarm(w, ms) dbg_alarm(&(w)->alarm, (ms), 100)
#define t_alarm_off(w) dbg_alarm(&(w)->alarm, 0, 0)

static void t_unexpected(struct tworker *w, const char *what, int e)
{
	if (w->unexpected++ < 5)
		printf("# traffic %s: %s: %s\n", w->dev, what, strerror(e));
	fflush(stdout);
}

static void t_close(struct tworker *w, int fd)
{
	uint64_t t0 = tt_now_ms(), d;

	atomic_store(&w->is_open, 0);
	w->op = "close";
	atomic_store(&w->op_start_ms, t0);
	/* pending output to a peer that is not reading would hold close()
	 * for closing_wait: drop it now and then, as applications do */
	if (trnd(w, 2))
		ioctl(fd, TCFLSH, TCOFLUSH);
	t_alarm(w, 5000);
	close(fd);
	t_alarm_off(w);
	atomic_store(&w->op_start_ms, 0);
	d = tt_now_ms() - t0;
	if (d > w->max_close_ms)
		w->max_close_ms = d;
	w->closes++;
}

static bool t_stopping(struct traffic *tr)
{
	if (atomic_load(&tr->stop))
		return true;
	if (tr->stopfile && tt_path_exists(tr->stopfile)) {
		atomic_store(&tr->stop, 1);
		return true;
	}
	return false;
}

static bool t_paused(struct traffic *tr)
{
	return atomic_load(&tr->pause) || (tr->pausefile && tt_path_exists(tr->pausefile));
}

static void *tworker_main(void *arg)
{
	struct tworker *w = arg;
	struct traffic *tr = g_tr;
	struct tt_stream s;
	uint8_t buf[2048];

	dbg_alarm_init(&w->alarm);
	tt_stream_init(&s, (uint32_t)w->rng | 1);

	while (!t_stopping(tr)) {
		uint64_t t0 = tt_now_ms(), until, d;
		int fd, ret;

		w->op = "open";
		atomic_store(&w->op_start_ms, t0);
		t_alarm(w, 5000);
		fd = open(w->dev, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
		t_alarm_off(w);
		atomic_store(&w->op_start_ms, 0);
		d = tt_now_ms() - t0;
		if (d > w->max_open_ms)
			w->max_open_ms = d;
		if (fd < 0) {
			int c = eclass(errno);

			w->open_err[c]++;
			if (c == E_OTHER || c == E_EAGAIN)
				t_unexpected(w, "open", errno);
			dbg_sleep_ms(5 + trnd(w, 20));
			continue;
		}
		w->opens++;
		ret = dbg_set_raw(fd);
		if (ret) {
			if (ret != -EIO)
				t_unexpected(w, "TCSETS2 raw", -ret);
			else
				w->hangups++;
			t_close(w, fd);
			continue;
		}
		if (t_paused(tr)) {
			/* hold off: open and close at once, now and then */
			t_close(w, fd);
			dbg_sleep_ms(50 + trnd(w, 50));
			continue;
		}
		atomic_store(&w->is_open, 1);
		until = w->churn ? tt_now_ms() + 20 + trnd(w, 180) : UINT64_MAX;
		while (!t_stopping(tr) && !t_paused(tr) && tt_now_ms() < until) {
			struct pollfd p = { .fd = fd, .events = POLLIN | POLLOUT };
			ssize_t k;

			w->op = "poll";
			if (poll(&p, 1, 50) < 0) {
				if (errno != EINTR)
					t_unexpected(w, "poll", errno);
				continue;
			}
			if (p.revents & POLLNVAL) {
				t_unexpected(w, "poll", EBADF);
				break;
			}
			if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
				w->op = "read";
				k = read(fd, buf, sizeof(buf));
				if (k > 0) {
					w->rx += k;
				} else if (k == 0 || errno == EIO) {
					w->hangups++;
					break;
				} else if (errno != EAGAIN && errno != EINTR) {
					t_unexpected(w, "read", errno);
					break;
				}
			}
			if (p.revents & POLLOUT) {
				size_t n = 64 + trnd(w, 960);

				tt_stream_fill(&s, buf, n);
				w->op = "write";
				k = write(fd, buf, n);
				if (k > 0) {
					w->tx += k;
				} else if (k < 0 && errno == EIO) {
					w->hangups++;
					break;
				} else if (k < 0 && errno != EAGAIN && errno != EINTR) {
					t_unexpected(w, "write", errno);
					break;
				}
			}
		}
		t_close(w, fd);
	}
	return NULL;
}

static void traffic_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sig;
	sigaction(SIGALRM, &sa, NULL);	/* ends blocking calls, no SA_RESTART */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
}

/* nsteady steady and nchurn churn workers on each of devs. */
static struct traffic *traffic_start(char **devs, int ndev, int nsteady, int nchurn, uint64_t seed)
{
	struct traffic *tr = calloc(1, sizeof(*tr));
	int per = nsteady + nchurn, i;

	if (!tr)
		exit(1);
	tr->n = ndev * per;
	tr->w = calloc(tr->n, sizeof(*tr->w));
	if (!tr->w)
		exit(1);
	g_tr = tr;
	traffic_signals();
	tr->t0 = tt_now_ms();
	for (i = 0; i < tr->n; i++) {
		struct tworker *w = &tr->w[i];

		w->dev = devs[i % ndev];
		w->id = i;
		w->churn = i / ndev >= nsteady;
		w->rng = seed * 0x100000001b3ULL + 0x9e3779b97f4a7c15ULL * (i + 1);
		pthread_create(&w->th, NULL, tworker_main, w);
	}
	return tr;
}

/* Report workers blocked for 20 s (once); call now and then. */
static void traffic_check(struct traffic *tr)
{
	uint64_t now = tt_now_ms();
	int i;

	for (i = 0; i < tr->n; i++) {
		uint64_t st = atomic_load(&tr->w[i].op_start_ms);

		/* st may be later than now: the worker started since */
		if (st && now > st && now - st > 20000 && !(tr->stuck & (1 << (i & 31)))) {
			printf("# traffic %s: worker %d blocked in %s for 20 s\n", tr->w[i].dev, i,
			       tr->w[i].op);
			if (!tr->stuck)
				sysrq_blocked();
			tr->stuck |= 1 << (i & 31);
			fflush(stdout);
		}
	}
}

/* Stop, join, print the summary. Returns 0 when nothing unexpected happened. */
static int traffic_stop(struct traffic *tr)
{
	long tot_err[NR_E] = { 0 };
	long opens = 0, hang = 0, tx = 0, rx = 0, unexp = 0;
	uint64_t mclose = 0, mopen = 0;
	int i, k, bad = 0;

	atomic_store(&tr->stop, 1);
	for (i = 0; i < tr->n; i++) {
		struct tworker *w = &tr->w[i];

		pthread_join(w->th, NULL);
		opens += w->opens;
		hang += w->hangups;
		tx += w->tx;
		rx += w->rx;
		unexp += w->unexpected;
		for (k = 0; k < NR_E; k++)
			tot_err[k] += w->open_err[k];
		if (w->max_close_ms > mclose)
			mclose = w->max_close_ms;
		if (w->max_open_ms > mopen)
			mopen = w->max_open_ms;
	}
	printf("# traffic (%d workers, %.0f s): %ld opens, %ld hangups seen, %ld bytes written, %ld read; "
	       "slowest open %llu ms, close %llu ms; failed opens:",
	       tr->n, (tt_now_ms() - tr->t0) / 1000.0, opens, hang, tx, rx,
	       (unsigned long long)mopen, (unsigned long long)mclose);
	for (i = 0; i < NR_E; i++)
		if (tot_err[i])
			printf(" %s %ld", ename[i], tot_err[i]);
	printf("\n");
	if (unexp) {
		printf("# traffic: %ld unexpected errors\n", unexp);
		bad = 1;
	}
	if (tr->stuck) {
		printf("# traffic: a worker was blocked for more than 20 s\n");
		bad = 1;
	}
	if (!opens) {
		printf("# traffic: no open ever succeeded\n");
		bad = 1;
	}
	fflush(stdout);
	return bad;
}

static int do_traffic(int argc, char **argv)
{
	struct traffic *tr;
	uint64_t seed = 1, t0, max_ms = 0;
	int per = 1, opt, churn = 0;
	const char *stopfile = NULL, *pausefile = NULL;

	while ((opt = getopt(argc, argv, "m:j:s:f:P:T:")) != -1) {
		switch (opt) {
		case 'm':
			if (!strcmp(optarg, "churn"))
				churn = 1;
			else if (strcmp(optarg, "steady"))
				usage();
			break;
		case 'j': per = atoi(optarg); break;
		case 's': seed = strtoull(optarg, NULL, 0); break;
		case 'f': stopfile = optarg; break;
		case 'P': pausefile = optarg; break;
		case 'T': max_ms = strtoull(optarg, NULL, 0) * 1000; break;
		default: usage();
		}
	}
	if (argc - optind < 1 || argc - optind > MAX_DEVS || per < 1 || per > 8)
		usage();
	tr = traffic_start(argv + optind, argc - optind, churn ? 0 : per, churn ? per : 0, seed);
	tr->stopfile = stopfile;
	tr->pausefile = pausefile;
	t0 = tt_now_ms();
	while (!t_stopping(tr)) {
		dbg_sleep_ms(100);
		traffic_check(tr);
		if (max_ms && tt_now_ms() - t0 > max_ms)
			break;
	}
	return traffic_stop(tr);
}

/* ---- cycles: watchdog, sysfs, timing --------------------------------------- */

static atomic_ullong wd_start;		/* 0: no cycle call running */
static char wd_what[256];
static atomic_int wd_done;

static void *watchdog_main(void *arg)
{
	bool warned = false;

	(void)arg;
	while (!atomic_load(&wd_done)) {
		uint64_t st = atomic_load(&wd_start), now = tt_now_ms();

		dbg_sleep_ms(500);
		if (!st) {
			warned = false;
			continue;
		}
		if (now - st > 60000 && !warned) {
			printf("# %s: no return for 60 s\n", wd_what);
			sysrq_blocked();
			warned = true;
		}
		if (now - st > 90000) {
			printf("Bail out! %s did not return in 90 s\n", wd_what);
			fflush(stdout);
			_exit(3);
		}
	}
	return NULL;
}

static void wd_begin(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void wd_begin(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(wd_what, sizeof(wd_what), fmt, ap);
	va_end(ap);
	atomic_store(&wd_start, tt_now_ms());
}

static void wd_end(void)
{
	atomic_store(&wd_start, 0);
}

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return -errno;
	wd_begin("write '%s' to %s", s, path);
	if (write(fd, s, strlen(s)) < 0)
		ret = -errno;
	wd_end();
	close(fd);
	return ret;
}

/* The last component of symlink path's target, in buf ("" if none). */
static const char *link_name(const char *path, char *buf, size_t size)
{
	ssize_t k = readlink(path, buf, size - 1);

	if (k < 0)
		return "";
	buf[k] = 0;
	return tt_basename(buf);
}

/* Driver a PCI function is bound to ("" if none). */
static const char *pci_driver(const char *func)
{
	static char buf[256];
	char path[256];

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver", func);
	return link_name(path, buf, sizeof(buf));
}

/* PCI function behind a tty node ("" if none). */
static void node_func(const char *dev, char *out, size_t size)
{
	char path[256], buf[512];
	const char *name;

	snprintf(path, sizeof(path), "/sys/class/tty/%s/device", tt_basename(dev));
	name = link_name(path, buf, sizeof(buf));
	snprintf(out, size, "%s", strlen(name) < size ? name : "");
}

/* Wait until every dev in mask exists (want) or is gone (!want); ms taken or -1. */
static long wait_nodes(char **devs, int n, unsigned int mask, bool want, int tmo_ms)
{
	uint64_t t0 = tt_now_ms();

	for (;;) {
		int i, ok = 1;

		for (i = 0; i < n; i++)
			if ((mask & (1u << i)) && tt_path_exists(devs[i]) != want)
				ok = 0;
		if (ok)
			return (long)(tt_now_ms() - t0);
		if ((int)(tt_now_ms() - t0) > tmo_ms)
			return -1;
		dbg_sleep_ms(10);
	}
}

struct phase {
	const char *name;
	long n, sum, min, max;
};

static void ph_add(struct phase *p, long ms)
{
	if (ms < 0)
		return;
	if (!p->n || ms < p->min)
		p->min = ms;
	if (ms > p->max)
		p->max = ms;
	p->sum += ms;
	p->n++;
}

static void ph_print(const struct phase *p)
{
	if (p->n)
		printf("# %-22s %5ld times: avg %6.0f ms, min %5ld, max %5ld\n", p->name, p->n,
		       (double)p->sum / p->n, p->min, p->max);
}

/* Split "a,b,c" (sep) into at most max pointers into s (modified). */
static int split(char *s, char sep, char **out, int max)
{
	int n = 0;

	while (s && *s && n < max) {
		char *e = strchr(s, sep);

		out[n++] = s;
		if (!e)
			break;
		*e = 0;
		s = e + 1;
	}
	return n;
}

static int cycles_fail;
static char first_fail[5][320];

static void cycle_fail(long i, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void cycle_fail(long i, const char *fmt, ...)
{
	va_list ap;
	char msg[256];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (cycles_fail < 5)
		snprintf(first_fail[cycles_fail], sizeof(first_fail[0]), "cycle %ld: %s", i, msg);
	cycles_fail++;
	printf("# cycle %ld: %s\n", i, msg);
	fflush(stdout);
}

/*
 * What rebind and reload share: the options -n -F -s, the ports, one steady
 * and one churn worker per port, the watchdog, the phase times and the TAP.
 */
struct cycles {
	long n;
	uint64_t seed, t0;
	char fbuf[512], *funcs[MAX_FUNCS];
	int nfunc, ndev;
	char **devs;
	unsigned int all;		/* mask of every dev */
	struct traffic *tr;
	pthread_t wd;
};

/* Options both take; false for any other. */
static bool cyc_opt(struct cycles *c, int opt)
{
	switch (opt) {
	case 'n': c->n = atol(optarg); return true;
	case 'F': snprintf(c->fbuf, sizeof(c->fbuf), "%s", optarg); return true;
	case 's': c->seed = strtoull(optarg, NULL, 0); return true;
	}
	return false;
}

/* The ports after the options, and the PCI functions of -F. */
static void cyc_args(struct cycles *c, int argc, char **argv)
{
	c->devs = argv + optind;
	c->ndev = argc - optind;
	c->nfunc = split(c->fbuf, ',', c->funcs, MAX_FUNCS);
	if (c->ndev < 1 || c->ndev > MAX_DEVS || c->n < 1)
		usage();
	c->all = (1u << c->ndev) - 1;
}

/* Watchdog and traffic on; the clock starts settle_ms later. */
static void cyc_start(struct cycles *c, unsigned int settle_ms)
{
	fflush(stdout);
	pthread_create(&c->wd, NULL, watchdog_main, NULL);
	c->tr = traffic_start(c->devs, c->ndev, 1, 1, c->seed);
	if (settle_ms)
		dbg_sleep_ms(settle_ms);
	c->t0 = tt_now_ms();
}

static void cyc_progress(const struct cycles *c, long i, long every)
{
	if (i % every == 0 || i == c->n) {
		printf("# %ld cycles in %.0f s\n", i, (tt_now_ms() - c->t0) / 1000.0);
		fflush(stdout);
	}
}

/*
 * Phase times, "# NAME: N cycles in ...EXTRA", test 1 (every cycle of
 * WHAT passed, DESC) and test 2 (the traffic). Returns the exit status.
 */
static int cyc_end(struct cycles *c, const char *name, const char *what, const char *desc,
		   const struct phase *ph, int nph, const char *extra)
{
	uint64_t t = tt_now_ms() - c->t0;
	int k, bad;

	for (k = 0; k < nph; k++)
		ph_print(&ph[k]);
	printf("# %s: %ld cycles in %.1f s, %.2f s per cycle%s\n", name, c->n, t / 1000.0,
	       t / 1000.0 / c->n, extra);
	if (cycles_fail)
		printf("not ok 1 %s: %d of %ld %s cycles failed (first: %s)\n", name, cycles_fail,
		       c->n, what, first_fail[0]);
	else
		printf("ok 1 %s: %ld %s cycles %s\n", name, c->n, what, desc);
	bad = traffic_stop(c->tr);
	printf("%s 2 %s: traffic survived (no unexpected errno, nothing blocked)\n",
	       bad ? "not ok" : "ok", name);
	atomic_store(&wd_done, 1);
	pthread_join(c->wd, NULL);
	return cycles_fail || bad;
}

/* ---- rebind ------------------------------------------------------------------ */

#define PCI_DRV "/sys/bus/pci/drivers/ttydpc/"

/* write_str() timed into ph */
static int timed_write(const char *path, const char *s, struct phase *ph)
{
	uint64_t t = tt_now_ms();
	int ret = write_str(path, s);

	ph_add(ph, tt_now_ms() - t);
	return ret;
}

static int do_rebind(int argc, char **argv)
{
	char nf[MAX_DEVS][64];
	struct phase ph[4] = { { .name = "unbind" }, { .name = "nodes gone" }, { .name = "bind" },
			       { .name = "nodes back" } };
	unsigned int fmask[MAX_FUNCS] = { 0 };
	struct cycles c = { .seed = 1 };
	long i;
	int opt, k;

	while ((opt = getopt(argc, argv, "n:F:s:")) != -1)
		if (!cyc_opt(&c, opt))
			usage();
	cyc_args(&c, argc, argv);
	if (!c.nfunc)
		usage();
	for (k = 0; k < c.ndev; k++) {
		int f;

		node_func(c.devs[k], nf[k], sizeof(nf[k]));
		for (f = 0; f < c.nfunc; f++)
			if (!strcmp(nf[k], c.funcs[f]))
				fmask[f] |= 1u << k;
	}
	printf("TAP version 13\n1..2\n");
	for (k = 0; k < c.nfunc; k++) {
		printf("# %s (%s):", c.funcs[k], pci_driver(c.funcs[k]));
		for (i = 0; i < c.ndev; i++)
			if (fmask[k] & (1u << i))
				printf(" %s", c.devs[i]);
		printf("\n");
	}
	cyc_start(&c, 500);
	for (i = 1; i <= c.n; i++) {
		int f = (i - 1) % c.nfunc;
		const char *fn = c.funcs[f];
		long ms;
		int ret;

		traffic_check(c.tr);
		ret = timed_write(PCI_DRV "unbind", fn, &ph[0]);
		if (ret)
			cycle_fail(i, "unbind %s: %s", fn, strerror(-ret));
		else if (*pci_driver(fn))
			cycle_fail(i, "%s still bound to %s after unbind", fn, pci_driver(fn));
		ms = wait_nodes(c.devs, c.ndev, fmask[f], false, 10000);
		ph_add(&ph[1], ms);
		if (ms < 0)
			cycle_fail(i, "nodes of %s still there 10 s after unbind", fn);
		if (wait_nodes(c.devs, c.ndev, c.all & ~fmask[f], true, 0) < 0)
			cycle_fail(i, "a port of another function vanished while %s was unbound", fn);
		ret = timed_write(PCI_DRV "bind", fn, &ph[2]);
		if (ret)
			cycle_fail(i, "bind %s: %s", fn, strerror(-ret));
		else if (strcmp(pci_driver(fn), "ttydpc"))
			cycle_fail(i, "%s bound to '%s' after bind", fn, pci_driver(fn));
		ms = wait_nodes(c.devs, c.ndev, c.all, true, 10000);
		ph_add(&ph[3], ms);
		if (ms < 0) {
			cycle_fail(i, "ports not all back 10 s after bind of %s", fn);
			if (strcmp(pci_driver(fn), "ttydpc"))
				write_str(PCI_DRV "bind", fn);
		}
		cyc_progress(&c, i, 50);
	}
	return cyc_end(&c, "rebind", "unbind/bind", "under traffic", ph, 4, "");
}
/* ---- reload ------------------------------------------------------------------ */

static bool module_loaded(void)
{
	return tt_path_exists("/sys/module/ttydpc/initstate") || tt_path_exists("/sys/module/ttydpc/refcnt");
}

static int do_reload(int argc, char **argv)
{
	char *params[MAX_PARAMS], pbuf[512] = "", extra[256];
	const char *ko = NULL, *final = NULL;
	struct phase ph[6] = { { .name = "ports open (wait)" }, { .name = "rmmod" },
			       { .name = "rmmod retries" }, { .name = "nodes gone" },
			       { .name = "insmod" }, { .name = "probe + nodes back" } };
	long i, refused = 0, removed_open = 0, all_open_cycles = 0;
	struct cycles c = { .seed = 1 };
	struct traffic *tr;
	int opt, nparam, ndev, k, closed = 0;
	uint64_t t;

	while ((opt = getopt(argc, argv, "n:k:o:e:F:s:c")) != -1) {
		switch (opt) {
		case 'c': closed = 1; break;
		case 'k': ko = optarg; break;
		case 'o': snprintf(pbuf, sizeof(pbuf), "%s", optarg); break;
		case 'e': final = optarg; break;
		default:
			if (!cyc_opt(&c, opt))
				usage();
		}
	}
	cyc_args(&c, argc, argv);
	nparam = split(pbuf, ';', params, MAX_PARAMS);
	if (!ko)
		usage();
	if (!nparam) {
		params[0] = "";
		nparam = 1;
	}
	printf("TAP version 13\n1..2\n");
	cyc_start(&c, 0);
	tr = c.tr;
	ndev = c.ndev;
	for (i = 1; i <= c.n; i++) {
		const char *par = i == c.n && final ? final : params[(i - 1) % nparam];
		long ms, tries = 0;
		int fd, ret, nopen = 0;

		traffic_check(tr);
		/* 1. every steady worker holds its port open */
		t = tt_now_ms();
		while (tt_now_ms() - t < 5000) {
			for (nopen = 0, k = 0; k < tr->n; k++)
				if (!tr->w[k].churn && atomic_load(&tr->w[k].is_open))
					nopen++;
			if (nopen == ndev)
				break;
			dbg_sleep_ms(10);
		}
		ph_add(&ph[0], tt_now_ms() - t);
		if (nopen == ndev)
			all_open_cycles++;
		dbg_sleep_ms(50);	/* data in flight */
		if (closed) {
			/* -c: every worker closes before rmmod */
			atomic_store(&tr->pause, 1);
			t = tt_now_ms();
			do {
				for (nopen = 0, k = 0; k < tr->n; k++)
					nopen += atomic_load(&tr->w[k].is_open);
				if (nopen)
					dbg_sleep_ms(10);
			} while (nopen && tt_now_ms() - t < 5000);
		}
		/* 2. rmmod with the ports open */
		t = tt_now_ms();
		wd_begin("delete_module(ttydpc) with %d ports open, cycle %ld", nopen, i);
		ret = syscall(SYS_delete_module, "ttydpc", O_NONBLOCK);
		wd_end();
		ph_add(&ph[1], tt_now_ms() - t);
		if (!ret) {
			removed_open++;
		} else if (errno == EWOULDBLOCK || errno == EBUSY) {
			/* refused: hold off and retry */
			refused++;
			atomic_store(&tr->pause, 1);
			while (tries < 1000) {
				dbg_sleep_ms(20);
				tries++;
				wd_begin("delete_module(ttydpc), retry %ld, cycle %ld", tries, i);
				ret = syscall(SYS_delete_module, "ttydpc", O_NONBLOCK);
				wd_end();
				if (!ret || (errno != EWOULDBLOCK && errno != EBUSY))
					break;
			}
			ph_add(&ph[2], tries);
			if (ret)
				cycle_fail(i, "rmmod refused %ld times: %s", tries, strerror(errno));
		} else {
			cycle_fail(i, "rmmod: %s", strerror(errno));
		}
		if (!ret) {
			ms = wait_nodes(c.devs, ndev, c.all, false, 10000);
			ph_add(&ph[3], ms);
			if (ms < 0)
				cycle_fail(i, "nodes still there 10 s after rmmod");
			if (module_loaded())
				cycle_fail(i, "rmmod returned 0 but /sys/module/ttydpc is still there");
		}
		atomic_store(&tr->pause, 0);
		/* 3. insmod with the next parameters, PCI functions probed again */
		if (!module_loaded()) {
			fd = open(ko, O_RDONLY | O_CLOEXEC);
			if (fd < 0) {
				cycle_fail(i, "%s: %s", ko, strerror(errno));
				break;
			}
			t = tt_now_ms();
			wd_begin("finit_module(%s, \"%s\"), cycle %ld", ko, par, i);
			ret = syscall(SYS_finit_module, fd, par, 0);
			wd_end();
			ph_add(&ph[4], tt_now_ms() - t);
			close(fd);
			if (ret) {
				cycle_fail(i, "insmod %s %s: %s", ko, par, strerror(errno));
				break;
			}
		}
		t = tt_now_ms();
		for (k = 0; k < c.nfunc; k++)
			if (!*pci_driver(c.funcs[k]))
				write_str("/sys/bus/pci/drivers_probe", c.funcs[k]);
		ms = wait_nodes(c.devs, ndev, c.all, true, 10000);
		if (ms >= 0)
			ph_add(&ph[5], tt_now_ms() - t);
		else
			cycle_fail(i, "ports not all back 10 s after insmod (%s)", par);
		cyc_progress(&c, i, 20);
	}
	snprintf(extra, sizeof(extra),
		 "; rmmod %s: removed %ld, refused %ld; all %d ports open before rmmod in %ld cycles",
		 closed ? "after the workers closed their ports (-c)" : "with ports open",
		 removed_open, refused, ndev, all_open_cycles);
	return cyc_end(&c, "reload", "rmmod/insmod", "with ports open and traffic flowing", ph, 6,
		       extra);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2)
		usage();
	if (!strcmp(argv[1], "soak"))
		return do_soak(argc - 1, argv + 1);
	if (!strcmp(argv[1], "traffic"))
		return do_traffic(argc - 1, argv + 1);
	if (!strcmp(argv[1], "rebind"))
		return do_rebind(argc - 1, argv + 1);
	if (!strcmp(argv[1], "reload"))
		return do_reload(argc - 1, argv + 1);
	usage();
	return 2;
}
