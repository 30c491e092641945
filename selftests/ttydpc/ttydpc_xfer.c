// SPDX-License-Identifier: GPL-2.0
/*
 * ttydpc_xfer: the selftest library as a command, for shell tests and for
 * poking at a port by hand.
 *
 *   ttydpc_xfer [--port DEV] [--ctl DEV] [--chan NAME]
 *               [--send N] [--recv N] [--seed S] [--timeout SEC]
 *       guest->host N bytes (--send) and/or host->guest N bytes (--recv) of
 *       the xorshift32 stream through the host peer, checked on both sides.
 *   ttydpc_xfer --port DEV --open-only
 *       open raw at 115200, tcgetattr, close (port usable without a peer).
 *   ttydpc_xfer --port DEV --hold SEC [--ready FILE]
 *       open the port and keep it open SEC seconds (or until SIGTERM);
 *       writes "held" to FILE (or stdout) once open. On exit reports
 *       whether the fd still worked.
 *   ttydpc_xfer --nm A:B [--size N] [--seed S]
 *       N bytes each way between two ports wired to each other.
 *   ttydpc_xfer [--ctl DEV] --ctl-cmd "REQUEST LINE"
 *       one request to the host peer; prints the reply.
 *
 * Defaults come from TTYDPC_PORT, TTYDPC_CTL, TTYDPC_CHAN.
 * Exit status: 0 ok, 1 failure, 2 usage, 4 skipped (no host peer).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "ttydpc_test.h"

#define KSFT_SKIP 4

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: ttydpc_xfer [--port DEV] [--ctl DEV] [--chan NAME] [--send N] [--recv N]\n"
		"                   [--seed S] [--timeout SEC]\n"
		"       ttydpc_xfer --port DEV --open-only\n"
		"       ttydpc_xfer --port DEV --hold SEC [--ready FILE]\n"
		"       ttydpc_xfer --nm DEV_A:DEV_B [--size N] [--seed S]\n"
		"       ttydpc_xfer [--ctl DEV] --ctl-cmd 'REQUEST'\n");
	exit(2);
}

static int do_hold(const char *port, long secs, const char *ready)
{
	struct sigaction sa = { .sa_handler = on_term };
	uint64_t end = tt_now_ms() + secs * 1000;
	struct termios t;
	int fd = tt_open_raw(port, 115200);

	if (fd < 0) {
		fprintf(stderr, "ttydpc_xfer: %s: %s\n", port, strerror(-fd));
		return 1;
	}
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	if (ready) {
		FILE *f = fopen(ready, "w");

		if (f) {
			fprintf(f, "held %s\n", port);
			fclose(f);
		}
	} else {
		printf("held %s\n", port);
		fflush(stdout);
	}
	while (!stop && tt_now_ms() < end)
		usleep(100000);
	if (tcgetattr(fd, &t)) {
		printf("fd of %s after hold: %s\n", port, strerror(errno));
		close(fd);
		return 1;
	}
	printf("fd of %s after hold: usable\n", port);
	close(fd);
	return 0;
}

static int do_nm(const char *spec, size_t size, uint32_t seed)
{
	char *a = strdup(spec), *b = strchr(a, ':');
	struct tt_xfer xa = { 0 }, xb;
	char msg[256];
	int fa, fb, st, ra;
	pid_t pid;

	if (!b)
		usage();
	*b++ = 0;
	fa = tt_open_raw(a, 115200);
	fb = tt_open_raw(b, 115200);
	if (fa < 0 || fb < 0) {
		fprintf(stderr, "ttydpc_xfer: open %s/%s failed\n", a, b);
		return 1;
	}
	xa.send_n = xa.recv_n = size;
	xa.send_seed = seed;
	xa.recv_seed = seed + 1;
	xa.tmo_ms = tt_budget_s(2 * size) * 1000;
	xa.drain = true;
	xb = xa;
	xb.send_seed = seed + 1;
	xb.recv_seed = seed;
	pid = fork();
	if (pid == 0) {
		close(fa);
		_exit(tt_xfer_run(fb, &xb) ? 1 : 0);
	}
	close(fb);
	ra = tt_xfer_run(fa, &xa);
	tt_xfer_describe(&xa, msg, sizeof(msg));
	printf("%s<->%s: %s\n", a, b, msg);
	waitpid(pid, &st, 0);
	close(fa);
	return ra || !WIFEXITED(st) || WEXITSTATUS(st) ? 1 : 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "port", required_argument, NULL, 'p' },
		{ "ctl", required_argument, NULL, 'c' },
		{ "chan", required_argument, NULL, 'C' },
		{ "send", required_argument, NULL, 's' },
		{ "recv", required_argument, NULL, 'r' },
		{ "seed", required_argument, NULL, 'S' },
		{ "timeout", required_argument, NULL, 't' },
		{ "open-only", no_argument, NULL, 'o' },
		{ "hold", required_argument, NULL, 'H' },
		{ "ready", required_argument, NULL, 'R' },
		{ "nm", required_argument, NULL, 'n' },
		{ "size", required_argument, NULL, 'z' },
		{ "ctl-cmd", required_argument, NULL, 'x' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *port = tt_env("TTYDPC_PORT"), *ctl = tt_env("TTYDPC_CTL");
	const char *chan = tt_env("TTYDPC_CHAN"), *ready = NULL, *nm = NULL;
	const char *cmd = NULL;
	size_t send_n = 0, recv_n = 0, size = 4096;
	uint32_t seed = 1;
	long tmo = 0, hold = -1;
	bool open_only = false;
	struct tt_ctl c;
	char msg[512];
	int o, fd, r;

	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'p': port = optarg; break;
		case 'c': ctl = optarg; break;
		case 'C': chan = optarg; break;
		case 's': send_n = strtoul(optarg, NULL, 0); break;
		case 'r': recv_n = strtoul(optarg, NULL, 0); break;
		case 'S': seed = strtoul(optarg, NULL, 0); break;
		case 't': tmo = strtol(optarg, NULL, 0); break;
		case 'o': open_only = true; break;
		case 'H': hold = strtol(optarg, NULL, 0); break;
		case 'R': ready = optarg; break;
		case 'n': nm = optarg; break;
		case 'z': size = strtoul(optarg, NULL, 0); break;
		case 'x': cmd = optarg; break;
		default: usage();
		}
	}
	if (optind != argc)
		usage();

	if (nm)
		return do_nm(nm, size, seed);
	if (hold >= 0) {
		if (!port)
			usage();
		return do_hold(port, hold, ready);
	}
	if (open_only) {
		struct termios t;

		if (!port)
			usage();
		fd = tt_open_raw(port, 115200);
		if (fd < 0) {
			printf("%s: open: %s\n", port, strerror(-fd));
			return 1;
		}
		r = tcgetattr(fd, &t);
		close(fd);
		printf("%s: open/tcgetattr/close %s\n", port, r ? strerror(errno) : "ok");
		return r ? 1 : 0;
	}

	if (!ctl) {
		printf("no host peer (TTYDPC_CTL unset)\n");
		return KSFT_SKIP;
	}
	r = tt_ctl_open(&c, ctl);
	if (r) {
		printf("host peer on %s: %s\n", ctl, strerror(-r));
		return 1;
	}
	if (cmd) {
		char reply[4096];

		r = tt_ctl_cmd(&c, reply, sizeof(reply), 60000, "%s", cmd);
		if (r < 0)
			printf("%s: %s\n", cmd, strerror(-r));
		else
			printf("%s %s\n", r ? "OK" : "ERR", reply);
		tt_ctl_close(&c);
		return r == 1 ? 0 : 1;
	}
	if (!port || !chan || (!send_n && !recv_n))
		usage();
	fd = tt_open_raw(port, 115200);
	if (fd < 0) {
		printf("%s: %s\n", port, strerror(-fd));
		tt_ctl_close(&c);
		return 1;
	}
	if (!tmo)
		tmo = tt_budget_s(send_n + recv_n);
	r = tt_host_xfer(&c, fd, chan, recv_n, seed + 1, send_n, seed, tmo,
			 msg, sizeof(msg));
	printf("%s %s send=%zu recv=%zu seed=%u: %s\n", port, r ? "FAIL" : "ok",
	       send_n, recv_n, seed, msg);
	close(fd);
	tt_ctl_close(&c);
	return r ? 1 : 0;
}
