// SPDX-License-Identifier: GPL-2.0
/*
 * ttydpcctl: the ttydpc user API (include/uapi/ttydpc.h) from the shell.
 *
 *   ttydpcctl DEV CMD [ARGS] [, CMD [ARGS]]...
 *
 * The commands run in order on one open file descriptor of DEV, and the
 * Windows-style ones (mask, wait, purge, stats, clear, status) on one event
 * file (/dev/ttydpc) attached to it when the first of them runs. The event
 * mask belongs to the open port and is cleared when its last file
 * descriptor closes, so "mask" and "wait" normally go into one invocation:
 *
 *   ttydpcctl /dev/ttyDPC0 mask cts dsr , wait 10
 *
 * Commands:
 *   mask [EV...] [char=C]  set the event mask (EV: rxchar rxflag txempty cts
 *                          dsr rlsd break err ring rx80full all, or a
 *                          number; C: the RXFLAG character, a number or
 *                          one character); without EV print the mask
 *   wait [SECS]            wait for an event of the mask, print "events ..."
 *   rewait [SECS]          after a wait a signal interrupted: wait again
 *                          (the interrupted wait stayed pending on the event
 *                          file, so its events are not lost); else nothing
 *   purge FLAG...          txabort rxabort txclear rxclear all, or a number
 *   stats                  print the statistics (GET_STATS)
 *   clear                  clear the statistics (CLEAR_STATS)
 *   status                 print errors, hold reasons, queues (COMMSTATUS)
 *   mctrl [+LINE|-LINE]... raise/drop rts dtr out1 out2 loop; print TIOCMGET
 *   raw [BAUD]             raw 8N1, CLOCAL, no flow control (115200)
 *   write N [SEED]         write N bytes of the selftests' xorshift32 stream
 *   read N [SECS]          read up to N bytes (2 s); print the count and CRC
 *   drain MS               read and drop input until none came for MS ms
 *   flood SECS [SEED]      write the stream and read whatever comes for SECS
 *                          seconds (0: until a signal); a hangup ends it
 *   sleep MS               keep the port open for MS milliseconds
 *
 * SIGINT, SIGTERM, SIGUSR1 and SIGALRM are caught without SA_RESTART: a
 * blocked wait then ends with EINTR, which is printed as such. The list
 * stops at the first command that fails, except that an interrupted wait
 * lets a following rewait run.
 * --help prints the summary to stdout, --version the project version (the
 * top-level VERSION file, passed in as -DTTYDPC_VERSION by the Makefiles).
 * Exit status: 0 success, 1 a call failed (message on stderr), 2 usage.
 * The man page is ttydpcctl.8 beside this file.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "ttydpc_test.h"
#include "ttydpc_api.h"

static volatile sig_atomic_t got_signal;
/* The event file, attached to the tty fd by the first command needing it. */
static int event_fd = -1;
/* The last wait ended with EINTR from a signal (not its own timeout). */
static bool interrupted;

static void on_signal(int sig)
{
	got_signal = sig;
}

#ifndef TTYDPC_VERSION
#define TTYDPC_VERSION "unknown"
#endif

static const char usage_text[] =
	"usage: ttydpcctl DEV CMD [ARGS] [, CMD [ARGS]]...\n"
	"       ttydpcctl --help | --version\n"
	"  mask [EV...] [char=C]   EV: rxchar rxflag txempty cts dsr rlsd break err ring\n"
	"                          rx80full all NUMBER; no EV: print the mask\n"
	"  wait [SECS]             wait for an event of the mask\n"
	"  rewait [SECS]           wait again if a signal interrupted the last wait\n"
	"  purge FLAG...           txabort rxabort txclear rxclear all NUMBER\n"
	"  stats | clear | status  GET_STATS | CLEAR_STATS | COMMSTATUS\n"
	"  mctrl [+LINE|-LINE]...  rts dtr out1 out2 loop; print TIOCMGET\n"
	"  raw [BAUD]              raw 8N1 CLOCAL (115200)\n"
	"  write N [SEED] | read N [SECS] | drain MS | flood SECS [SEED] | sleep MS\n"
	"Commands run in order on one open fd of DEV and one event file (/dev/ttydpc);\n"
	"the mask lives while the port is open.\n";

/* A usage error: the summary on stderr, exit status 2. */
static void usage(void)
{
	fputs(usage_text, stderr);
	exit(2);
}

/* --help: the summary and an example on stdout, exit status 0. */
static void help(void)
{
	fputs(usage_text, stdout);
	fputs("Example: ttydpcctl /dev/ttyDPC0 mask cts dsr , wait 10\n"
	      "Exit status: 0 success, 1 a call failed, 2 usage. See ttydpcctl(8).\n",
	      stdout);
	exit(0);
}

static int fail(const char *what, int err)
{
	fprintf(stderr, "ttydpcctl: %s: %s: %s\n", what, ta_errno_name(err), strerror(err < 0 ? -err : err));
	return 1;
}

static int parse_num(const char *s, unsigned long *v)
{
	char *end;

	errno = 0;
	*v = strtoul(s, &end, 0);
	return (errno || end == s || *end) ? -EINVAL : 0;
}

/* The event file of ttyfd, opened and attached once; -errno on failure. */
static int efd_of(int ttyfd)
{
	if (event_fd < 0)
		event_fd = ta_event_open(ttyfd);
	return event_fd;
}

/* ---- commands: argv[0] is the command, argc its word count ------------- */

static int cmd_mask(int efd, int argc, char **argv)
{
	uint32_t mask = 0, bit;
	uint8_t ch = 0;
	char names[128];
	int r;

	if (argc == 1) {
		r = ta_get_mask(efd, &mask, &ch);
		if (r)
			return fail("GET_MASK", r);
		ta_format_bits(names, sizeof(names), mask, ta_ev_names);
		printf("mask 0x%04x %s char 0x%02x\n", mask, names, ch);
		return 0;
	}
	for (int i = 1; i < argc; i++) {
		if (!strncmp(argv[i], "char=", 5)) {
			const char *c = argv[i] + 5;
			unsigned long v;

			if (c[0] && !c[1])
				v = (unsigned char)c[0];
			else if (parse_num(c, &v) || v > 255)
				usage();
			ch = v;
			continue;
		}
		if (ta_parse_bit(argv[i], ta_ev_names, &bit)) {
			fprintf(stderr, "ttydpcctl: unknown event '%s'\n", argv[i]);
			return 2;
		}
		mask |= bit;
	}
	r = ta_set_mask(efd, mask, ch);
	return r ? fail("SET_MASK", r) : 0;
}

static int cmd_wait(int efd, int argc, char **argv)
{
	unsigned long secs = 0;
	uint32_t events = 0;
	char names[128];
	int r;

	if (argc > 1 && parse_num(argv[1], &secs))
		usage();
	if (!strcmp(argv[0], "rewait") && !interrupted)
		return 0;
	interrupted = false;
	got_signal = 0;
	if (secs)
		alarm(secs);
	r = ta_wait(efd, &events);
	alarm(0);
	if (r == -EINTR && got_signal == SIGALRM && secs) {
		fprintf(stderr, "ttydpcctl: wait: timeout after %lu s\n", secs);
		return 1;
	}
	if (r == -EINTR) {
		fprintf(stderr, "ttydpcctl: wait: EINTR: interrupted by signal %d\n", (int)got_signal);
		interrupted = true;
		return 1;
	}
	if (r)
		return fail("wait", r);
	ta_format_bits(names, sizeof(names), events, ta_ev_names);
	printf("events 0x%04x %s%s\n", events, names, events ? "" : " (the mask changed)");
	return 0;
}

static int cmd_purge(int efd, int argc, char **argv)
{
	uint32_t flags = 0, bit;
	int r;

	if (argc < 2)
		usage();
	for (int i = 1; i < argc; i++) {
		if (ta_parse_bit(argv[i], ta_purge_names, &bit)) {
			fprintf(stderr, "ttydpcctl: unknown purge flag '%s'\n", argv[i]);
			return 2;
		}
		flags |= bit;
	}
	r = ta_purge(efd, flags);
	return r ? fail("PURGE", r) : 0;
}

static int cmd_stats(int efd)
{
	struct ttydpc_stats_user s;
	int r = ta_get_stats(efd, &s);

	if (r)
		return fail("GET_STATS", r);
	printf("received %llu\ntransmitted %llu\nframe_errors %llu\noverrun_errors %llu\n"
	       "buffer_overruns %llu\nparity_errors %llu\nbreaks %llu\n",
	       (unsigned long long)s.received, (unsigned long long)s.transmitted,
	       (unsigned long long)s.frame_errors, (unsigned long long)s.overrun_errors,
	       (unsigned long long)s.buffer_overruns, (unsigned long long)s.parity_errors,
	       (unsigned long long)s.breaks);
	return 0;
}

static int cmd_status(int efd)
{
	struct ttydpc_comm_status cs;
	char e[128], h[128];
	int r = ta_commstatus(efd, &cs);

	if (r)
		return fail("COMMSTATUS", r);
	ta_format_bits(e, sizeof(e), cs.errors, ta_err_names);
	ta_format_bits(h, sizeof(h), cs.hold, ta_hold_names);
	printf("errors 0x%04x %s\nhold 0x%04x %s\nin_queue %u\nout_queue %u\n",
	       cs.errors, e, cs.hold, h, cs.in_queue, cs.out_queue);
	return 0;
}

static int cmd_mctrl(int fd, int argc, char **argv)
{
	char names[128];
	int v;

	for (int i = 1; i < argc; i++) {
		uint32_t bit;
		int r;

		if ((argv[i][0] != '+' && argv[i][0] != '-') ||
		    ta_parse_bit(argv[i] + 1, ta_mctrl_names, &bit)) {
			fprintf(stderr, "ttydpcctl: mctrl: want +LINE or -LINE, not '%s'\n", argv[i]);
			return 2;
		}
		r = argv[i][0] == '+' ? ta_mbis(fd, bit) : ta_mbic(fd, bit);
		if (r)
			return fail(argv[i][0] == '+' ? "TIOCMBIS" : "TIOCMBIC", r);
	}
	v = ta_mget(fd);
	if (v < 0)
		return fail("TIOCMGET", v);
	ta_format_bits(names, sizeof(names), v, ta_mctrl_names);
	printf("mctrl 0x%04x %s\n", v, names);
	return 0;
}

static int cmd_raw(int fd, int argc, char **argv)
{
	unsigned long baud = 115200;
	int r;

	if (argc > 1 && parse_num(argv[1], &baud))
		usage();
	r = tt_set_raw(fd, baud);
	return r ? fail("raw", r) : 0;
}

static int cmd_write(int fd, int argc, char **argv)
{
	unsigned long n, seed = 1;
	struct tt_stream s;
	uint8_t buf[4096];
	size_t done = 0;

	if (argc < 2 || parse_num(argv[1], &n) || (argc > 2 && parse_num(argv[2], &seed)))
		usage();
	tt_stream_init(&s, seed);
	while (done < n) {
		size_t k = n - done > sizeof(buf) ? sizeof(buf) : n - done;
		ssize_t r;

		tt_stream_fill(&s, buf, k);
		r = tt_write_full(fd, buf, k, 30000);
		if (r < 0) {
			printf("wrote %zu\n", done);
			return fail("write", (int)r);
		}
		done += k;
	}
	printf("wrote %zu\n", done);
	return 0;
}

static int cmd_read(int fd, int argc, char **argv)
{
	unsigned long n, secs = 2;
	static uint8_t buf[1 << 20];
	ssize_t r;

	if (argc < 2 || parse_num(argv[1], &n) || (argc > 2 && parse_num(argv[2], &secs)))
		usage();
	if (n > sizeof(buf))
		n = sizeof(buf);
	r = tt_read_full(fd, buf, n, secs * 1000);
	if (r < 0)
		return fail("read", (int)r);
	printf("read %zd crc %08x\n", r, tt_crc32(0, buf, r));
	return 0;
}

static int cmd_drain(int fd, int argc, char **argv)
{
	unsigned long ms;
	uint8_t buf[4096];
	size_t total = 0;
	ssize_t r;

	if (argc != 2 || parse_num(argv[1], &ms))
		usage();
	got_signal = 0;
	for (unsigned long quiet = 0; quiet < ms && !got_signal;) {
		r = tt_read_full(fd, buf, sizeof(buf), 100);
		if (r < 0)
			return fail("read", (int)r);
		if (r > 0) {
			total += r;
			quiet = 0;
		} else {
			quiet += 100;
		}
	}
	printf("drained %zu%s\n", total, got_signal ? " (signal)" : "");
	return 0;
}

/* Both ways until secs pass, a signal comes or the tty hangs up. */
static int cmd_flood(int fd, int argc, char **argv)
{
	unsigned long secs, seed = 1;
	struct tt_stream s;
	uint8_t out[4096], in[4096];
	size_t off = sizeof(out), sent = 0, recvd = 0;
	uint64_t start = tt_now_ms();
	const char *why = "time";
	int ret = 0;

	if (argc < 2 || parse_num(argv[1], &secs) || (argc > 2 && parse_num(argv[2], &seed)))
		usage();
	tt_stream_init(&s, seed);
	got_signal = 0;
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN | POLLOUT };
		ssize_t k;

		if (got_signal) {
			why = "signal";
			break;
		}
		if (secs && tt_now_ms() - start >= secs * 1000)
			break;
		if (poll(&p, 1, 100) < 0) {
			if (errno == EINTR)
				continue;
			ret = fail("poll", errno);
			break;
		}
		if (p.revents & (POLLHUP | POLLERR | POLLNVAL)) {
			why = "hangup";
			break;
		}
		if (p.revents & POLLIN) {
			k = read(fd, in, sizeof(in));
			if (k > 0)
				recvd += k;
			else if (k == 0 || errno == EIO) {
				why = "hangup";
				break;
			}
		}
		if (p.revents & POLLOUT) {
			if (off == sizeof(out)) {
				tt_stream_fill(&s, out, sizeof(out));
				off = 0;
			}
			k = write(fd, out + off, sizeof(out) - off);
			if (k > 0) {
				off += k;
				sent += k;
			} else if (k < 0 && errno == EIO) {
				why = "hangup";
				break;
			} else if (k < 0 && errno != EAGAIN && errno != EINTR) {
				ret = fail("write", errno);
				break;
			}
		}
	}
	printf("flood sent %zu received %zu in %llu ms, ended by %s\n", sent, recvd,
	       (unsigned long long)(tt_now_ms() - start), why);
	return ret;
}

static int run(int fd, int argc, char **argv)
{
	static const char *const api_cmds[] = {
		"mask", "wait", "rewait", "purge", "stats", "clear", "status",
	};
	const char *c = argv[0];
	int efd = -1;

	for (size_t i = 0; i < sizeof(api_cmds) / sizeof(api_cmds[0]); i++) {
		if (!strcmp(c, api_cmds[i])) {
			efd = efd_of(fd);
			if (efd < 0)
				return fail(TTYDPC_EVENT_DEV, efd);
		}
	}
	if (!strcmp(c, "mask"))
		return cmd_mask(efd, argc, argv);
	if (!strcmp(c, "wait") || !strcmp(c, "rewait"))
		return cmd_wait(efd, argc, argv);
	if (!strcmp(c, "purge"))
		return cmd_purge(efd, argc, argv);
	if (!strcmp(c, "stats") && argc == 1)
		return cmd_stats(efd);
	if (!strcmp(c, "clear") && argc == 1) {
		int r = ta_clear_stats(efd);

		return r ? fail("CLEAR_STATS", r) : 0;
	}
	if (!strcmp(c, "status") && argc == 1)
		return cmd_status(efd);
	if (!strcmp(c, "mctrl"))
		return cmd_mctrl(fd, argc, argv);
	if (!strcmp(c, "raw"))
		return cmd_raw(fd, argc, argv);
	if (!strcmp(c, "write"))
		return cmd_write(fd, argc, argv);
	if (!strcmp(c, "read"))
		return cmd_read(fd, argc, argv);
	if (!strcmp(c, "drain"))
		return cmd_drain(fd, argc, argv);
	if (!strcmp(c, "flood"))
		return cmd_flood(fd, argc, argv);
	if (!strcmp(c, "sleep") && argc == 2) {
		unsigned long ms;

		if (parse_num(argv[1], &ms))
			usage();
		usleep(ms * 1000);
		return 0;
	}
	fprintf(stderr, "ttydpcctl: unknown command '%s'\n", c);
	usage();
	return 2;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };	/* no SA_RESTART */
	int fd, i, ret = 0;

	if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")))
		help();
	if (argc >= 2 && !strcmp(argv[1], "--version")) {
		printf("ttydpcctl %s\n", TTYDPC_VERSION);
		return 0;
	}
	if (argc < 3)
		usage();
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGALRM, &sa, NULL);
	setvbuf(stdout, NULL, _IOLBF, 0);

	fd = open(argv[1], O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return fail(argv[1], errno);
	/* split the rest at "," words; an interrupted wait lets a rewait run */
	for (i = 2; i < argc && (!ret || (interrupted && !strcmp(argv[i], "rewait")));) {
		int j = i;

		while (j < argc && strcmp(argv[j], ","))
			j++;
		if (j == i)
			usage();
		ret = run(fd, j - i, argv + i);
		i = j + 1;
	}
	if (event_fd >= 0)
		close(event_fd);
	close(fd);
	return ret;
}
