// SPDX-License-Identifier: GPL-2.0
/*
 * peertest: guest-side self-test of the VM harness (selftests/vm).
 *
 * Exercises every verb of the host peer control protocol over TTYDPC_CTL
 * against the port TTYDPC_PORT (host channel TTYDPC_CHAN) and prints TAP.
 * It tests the harness, not ttydpc: selftest.sh runs it with every port on
 * the stock 8250 driver. Built static, so it runs in the busybox initramfs.
 *
 *   peertest [-n bytes]     (default 1 MiB for the bulk transfers)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static int ctl = -1, port = -1;
static const char *chan;
static int test_no, failed;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void result(int ok, const char *name, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d %s", ok ? "" : "not ", ++test_no, name);
	if (fmt) {
		printf(" # ");
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
	}
	printf("\n");
	fflush(stdout);
	failed += !ok;
}

static uint8_t *stream(uint32_t seed, size_t n)
{
	uint8_t *b = malloc(n);
	uint32_t x = seed ? seed : 1;

	for (size_t i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		b[i] = x & 0xff;
	}
	return b;
}

static int open_tty(const char *path, speed_t speed)
{
	struct termios t;
	int fd = open(path, O_RDWR | O_NOCTTY);

	if (fd < 0) {
		printf("# open %s: %s\n", path, strerror(errno));
		return -1;
	}
	tcgetattr(fd, &t);
	cfmakeraw(&t);
	t.c_cflag |= CLOCAL | CREAD;
	t.c_cflag &= ~(CRTSCTS | CSTOPB | PARENB);
	t.c_iflag &= ~(IXON | IXOFF | IGNBRK | BRKINT | PARMRK);
	cfsetspeed(&t, speed);
	tcsetattr(fd, TCSANOW, &t);
	tcflush(fd, TCIOFLUSH);
	return fd;
}

/* Reads up to n bytes, waiting at most tmo seconds in total. */
static size_t read_full(int fd, void *buf, size_t n, double tmo)
{
	double end = now() + tmo;
	size_t got = 0;

	while (got < n) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int ms = (end - now()) * 1000;

		if (ms <= 0 || poll(&p, 1, ms) <= 0)
			break;
		ssize_t k = read(fd, (char *)buf + got, n - got);
		if (k <= 0)
			break;
		got += k;
	}
	return got;
}

static int write_full(int fd, const void *buf, size_t n)
{
	size_t off = 0;

	while (off < n) {
		ssize_t k = write(fd, (const char *)buf + off, n - off);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		off += k;
	}
	return 0;
}

/* One reply line from the control line, without the newline. */
static int ctl_line(char *buf, size_t size, double tmo)
{
	size_t len = 0;
	double end = now() + tmo;

	while (len + 1 < size) {
		struct pollfd p = { .fd = ctl, .events = POLLIN };
		int ms = (end - now()) * 1000;

		if (ms <= 0 || poll(&p, 1, ms) <= 0)
			break;
		if (read(ctl, buf + len, 1) != 1)
			break;
		if (buf[len] == '\n') {
			buf[len] = 0;
			return 0;
		}
		len++;
	}
	buf[len] = 0;
	return -1;
}

/* Sends one request and returns its first reply line in a static buffer. */
static const char *ctl_cmd(double tmo, const char *fmt, ...)
{
	static char reply[65536];
	char req[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(req, sizeof(req) - 1, fmt, ap);
	va_end(ap);
	req[n++] = '\n';
	if (write_full(ctl, req, n) || ctl_line(reply, sizeof(reply), tmo))
		snprintf(reply, sizeof(reply), "(no reply)");
	return reply;
}

/* Sends a request that must be answered "OK"; else false and a failed test name. */
static int ctl_ok(const char *name, const char *fmt, ...)
{
	char req[512];
	const char *r;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(req, sizeof(req), fmt, ap);
	va_end(ap);
	r = ctl_cmd(5, "%s", req);
	if (!strcmp(r, "OK"))
		return 1;
	result(0, name, "%s: %s", req, r);
	return 0;
}

static int starts(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

static void t_ping(void)
{
	const char *r;
	double t;
	int i;

	/* Resynchronise: a previous user may have left a reply behind. */
	tcflush(ctl, TCIOFLUSH);
	r = ctl_cmd(5, "PING");
	if (strcmp(r, "OK PONG"))
		r = ctl_cmd(5, "PING");
	result(!strcmp(r, "OK PONG"), "ping", "%s", r);
	t = now();
	for (i = 0; i < 100 && !strcmp(ctl_cmd(5, "PING"), "OK PONG"); i++)
		;
	result(i == 100, "ping_x100", "%.2f ms per round trip", (now() - t) * 10);
}

static void t_guest_to_host(size_t n)
{
	const char *r;
	char want[64];
	uint8_t *b;
	double t;

	if (!ctl_ok("guest_to_host", "RECV %s %zu 11 120", chan, n))
		return;
	b = stream(11, n);
	t = now();
	write_full(port, b, n);
	r = ctl_cmd(130, "WAIT %s 120", chan);
	t = now() - t;
	snprintf(want, sizeof(want), "OK sent=0 recv=%zu", n);
	result(!strcmp(r, want), "guest_to_host", "%zu bytes in %.2f s (%.0f KiB/s): %s",
	       n, t, n / t / 1024, r);
	free(b);
}

static void t_host_to_guest(size_t n)
{
	uint8_t *want = stream(22, n), *got = malloc(n);
	const char *r;
	size_t k, i;
	double t;

	if (!ctl_ok("host_to_guest", "SEND %s %zu 22", chan, n))
		return;
	t = now();
	k = read_full(port, got, n, 120);
	t = now() - t;
	for (i = 0; i < k && got[i] == want[i]; i++)
		;
	r = ctl_cmd(10, "WAIT %s 5", chan);
	result(k == n && i == n && starts(r, "OK sent="), "host_to_guest",
	       "%zu/%zu bytes in %.2f s (%.0f KiB/s), first difference at %zu: %s",
	       k, n, t, k / t / 1024, i, r);
	free(want);
	free(got);
}

static void t_duplex(size_t n)
{
	uint8_t *out = stream(33, n), *in = stream(44, n), *got = malloc(n);
	size_t off_w = 0, off_r = 0;
	const char *r;
	double t, end;
	int fl = fcntl(port, F_GETFL);

	ctl_cmd(5, "RECV %s %zu 33 120", chan, n);
	ctl_cmd(5, "SEND %s %zu 44", chan, n);
	fcntl(port, F_SETFL, fl | O_NONBLOCK);
	t = now();
	end = t + 120;
	while ((off_w < n || off_r < n) && now() < end) {
		struct pollfd p = { .fd = port, .events = POLLIN | (off_w < n ? POLLOUT : 0) };

		if (poll(&p, 1, 1000) <= 0)
			continue;
		if (p.revents & POLLIN) {
			ssize_t k = read(port, got + off_r, n - off_r);
			if (k > 0)
				off_r += k;
		}
		if (p.revents & POLLOUT) {
			ssize_t k = write(port, out + off_w, n - off_w > 4096 ? 4096 : n - off_w);
			if (k > 0)
				off_w += k;
		}
	}
	t = now() - t;
	fcntl(port, F_SETFL, fl);
	r = ctl_cmd(130, "WAIT %s 120", chan);
	result(off_r == n && !memcmp(got, in, n) && starts(r, "OK sent="), "duplex",
	       "%zu bytes each way in %.2f s, wrote %zu read %zu: %s", n, t, off_w, off_r, r);
	free(out);
	free(in);
	free(got);
}

static void t_params(void)
{
	struct termios t;
	char line[256], all[1024] = "";
	const char *r;
	int n, i, ok;

	r = ctl_cmd(5, "MARK");
	tcgetattr(port, &t);
	cfsetspeed(&t, B9600);
	t.c_cflag = (t.c_cflag & ~CSIZE) | CS7 | PARENB | CSTOPB;
	t.c_cflag &= ~PARODD;
	tcsetattr(port, TCSANOW, &t);
	cfsetspeed(&t, B115200);
	t.c_cflag = (t.c_cflag & ~(CSIZE | PARENB | CSTOPB)) | CS8;
	tcsetattr(port, TCSANOW, &t);
	r = ctl_cmd(5, "PARAMS");
	ok = sscanf(r, "OK %d", &n) == 1;
	for (i = 0; ok && i < n; i++) {
		if (ctl_line(line, sizeof(line), 5))
			ok = 0;
		else if (strlen(all) + strlen(line) + 3 < sizeof(all))
			strcat(strcat(all, line), "; ");
	}
	ok = ok && strstr(all, "baudrate=9600 parity=E data=7 stop=2") &&
	     strstr(all, "baudrate=115200 parity=N data=8 stop=1");
	result(ok, "params", "%s", all);
}

static void t_break(void)
{
	uint8_t c = 0xaa;
	const char *r;
	size_t k;

	/* !IGNBRK !BRKINT !PARMRK: a break reads as one NUL byte. */
	tcflush(port, TCIFLUSH);
	r = ctl_cmd(5, "BREAK %s", chan);
	k = read_full(port, &c, 1, 3);
	result(!strcmp(r, "OK") && k == 1 && c == 0, "break", "%s, read %zu byte(s) 0x%02x", r, k, c);
}

static void t_put_get_expect(void)
{
	char buf[64];
	size_t k;
	const char *r;
	char hex[128] = "";

	r = ctl_cmd(5, "PUT %s 68656c6c6f", chan);
	k = read_full(port, buf, 5, 3);
	result(!strcmp(r, "OK") && k == 5 && !memcmp(buf, "hello", 5), "put", "%s", r);

	ctl_cmd(5, "FLUSH %s", chan);
	write_full(port, "world\n", 6);
	tcdrain(port);
	/* GET returns what has arrived: collect until all six bytes are in. */
	for (int i = 0; i < 10 && strlen(hex) < 12; i++) {
		r = ctl_cmd(5, "GET %s 64 2", chan);
		if (starts(r, "OK "))
			strncat(hex, r + 3, sizeof(hex) - strlen(hex) - 1);
	}
	result(!strcmp(hex, "776f726c640a"), "get", "%s", hex);

	r = ctl_cmd(5, "GET %s 64 0.5", chan);
	result(!strcmp(r, "OK"), "get_empty", "%s", r);

	write_full(port, "noise marker-42 tail", 20);
	r = ctl_cmd(10, "EXPECT %s 5 marker-42", chan);
	result(!strcmp(r, "OK"), "expect", "%s", r);
	r = ctl_cmd(10, "GET %s 64 2", chan);
	result(!strcmp(r, "OK 207461696c"), "expect_consumes", "rest %s", r);
	r = ctl_cmd(10, "EXPECT %s 1 never-sent", chan);
	result(!strcmp(r, "ERR timeout"), "expect_timeout", "%s", r);
}

static void t_stall(void)
{
	static uint8_t buf[4096];
	int fl = fcntl(port, F_GETFL);
	size_t total = 0;
	double end;
	const char *r;

	ctl_cmd(5, "FLUSH %s", chan);
	r = ctl_cmd(5, "STALL %s", chan);
	fcntl(port, F_SETFL, fl | O_NONBLOCK);
	end = now() + 3;
	/* Write until nothing has been accepted for half a second. */
	for (double idle = now(); now() < end && now() - idle < 0.5;) {
		ssize_t k = write(port, buf, sizeof(buf));
		if (k > 0) {
			total += k;
			idle = now();
		} else {
			usleep(10000);
		}
	}
	fcntl(port, F_SETFL, fl);
	ctl_cmd(5, "RESUME %s", chan);
	tcdrain(port);
	usleep(200000);
	ctl_cmd(5, "FLUSH %s", chan);
	/* The tty layer accepts a bounded amount; then writes must block. */
	result(!strcmp(r, "OK") && total > 0 && total < (4 << 20), "stall",
	       "%zu bytes accepted before the output backed up", total);
}

static void t_regs(void)
{
	const char *r;
	char regs[128];
	int rd = -1, wr = -1;

	if (!ctl_ok("regs", "TRACE on serial_read serial_write"))
		return;
	/* Baseline: the control line's own traffic between MARK and REGS. */
	ctl_cmd(5, "MARK");
	r = ctl_cmd(5, "REGS");
	printf("# REGS with nothing in between: %s\n", r);
	ctl_cmd(5, "MARK");
	write_full(port, "0123456789abcdef", 16);
	tcdrain(port);
	r = ctl_cmd(5, "REGS");
	snprintf(regs, sizeof(regs), "%s", r);
	sscanf(regs, "OK reads=%d writes=%d", &rd, &wr);
	ctl_cmd(5, "TRACE off serial_read serial_write");
	usleep(100000);
	ctl_cmd(5, "FLUSH %s", chan);
	/* 16 THR writes at least, plus the control line's own traffic. */
	result(rd > 0 && wr >= 16, "regs", "%s", regs);
}

static void t_errors(void)
{
	uint8_t *b = stream(6, 64);
	const char *r;

	r = ctl_cmd(5, "RECV %s 10 1 1", chan);
	r = ctl_cmd(10, "WAIT %s 5", chan);
	result(!strcmp(r, "ERR timeout recv=0 sent=0"), "wait_timeout", "%s", r);

	ctl_cmd(5, "RECV %s 64 5 10", chan);
	write_full(port, b, 64);
	r = ctl_cmd(15, "WAIT %s 10", chan);
	result(starts(r, "ERR mismatch at=0 got=0x"), "wait_mismatch", "%s", r);
	tcdrain(port);
	usleep(100000);
	ctl_cmd(5, "FLUSH %s", chan);

	r = ctl_cmd(5, "BOGUS 1 2");
	result(starts(r, "ERR"), "unknown_verb", "%s", r);
	r = ctl_cmd(5, "SEND nosuch 1 1");
	result(starts(r, "ERR"), "unknown_channel", "%s", r);
	free(b);
}

/* TTYDPC_NM_A <-> TTYDPC_NM_B: QEMU's in-process null modem (nm0/nm1). */
static void t_null_modem(size_t n)
{
	const char *pa = getenv("TTYDPC_NM_A"), *pb = getenv("TTYDPC_NM_B");
	uint8_t *ab = stream(55, n), *ba = stream(66, n), *got_b = malloc(n), *got_a = malloc(n);
	size_t wa = 0, wb = 0, ra = 0, rb = 0;
	double t, end;
	int a, b;

	if (!pa || !pb || (a = open_tty(pa, B115200)) < 0) {
		result(1, "null_modem", "SKIP no TTYDPC_NM_A/B");
		return;
	}
	if ((b = open_tty(pb, B115200)) < 0) {
		result(0, "null_modem", "cannot open %s", pb);
		return;
	}
	fcntl(a, F_SETFL, O_RDWR | O_NONBLOCK);
	fcntl(b, F_SETFL, O_RDWR | O_NONBLOCK);
	t = now();
	end = t + 60;
	while ((ra < n || rb < n) && now() < end) {
		struct pollfd p[2] = {
			{ .fd = a, .events = POLLIN | (wa < n ? POLLOUT : 0) },
			{ .fd = b, .events = POLLIN | (wb < n ? POLLOUT : 0) },
		};
		ssize_t k;

		if (poll(p, 2, 1000) <= 0)
			continue;
		if ((p[0].revents & POLLOUT) && (k = write(a, ab + wa, n - wa > 4096 ? 4096 : n - wa)) > 0)
			wa += k;
		if ((p[1].revents & POLLOUT) && (k = write(b, ba + wb, n - wb > 4096 ? 4096 : n - wb)) > 0)
			wb += k;
		if ((p[0].revents & POLLIN) && (k = read(a, got_a + ra, n - ra)) > 0)
			ra += k;
		if ((p[1].revents & POLLIN) && (k = read(b, got_b + rb, n - rb)) > 0)
			rb += k;
	}
	t = now() - t;
	result(ra == n && rb == n && !memcmp(got_a, ba, n) && !memcmp(got_b, ab, n), "null_modem",
	       "%s <-> %s: %zu bytes each way in %.2f s, got %zu/%zu", pa, pb, n, t, ra, rb);
	close(a);
	close(b);
	free(ab);
	free(ba);
	free(got_a);
	free(got_b);
}

int main(int argc, char **argv)
{
	const char *ctl_path = getenv("TTYDPC_CTL"), *port_path = getenv("TTYDPC_PORT");
	size_t n = 1 << 20;
	int opt;

	chan = getenv("TTYDPC_CHAN") ? getenv("TTYDPC_CHAN") : "data0";
	while ((opt = getopt(argc, argv, "n:")) != -1)
		if (opt == 'n')
			n = strtoul(optarg, NULL, 0);
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("TAP version 13\n1..20\n");
	if (!ctl_path || !port_path) {
		printf("Bail out! TTYDPC_CTL and TTYDPC_PORT must be set\n");
		return 1;
	}
	ctl = open_tty(ctl_path, B115200);
	port = open_tty(port_path, B115200);
	if (ctl < 0 || port < 0) {
		printf("Bail out! cannot open %s or %s\n", ctl_path, port_path);
		return 1;
	}
	printf("# ctl %s, port %s (channel %s), %zu bytes\n", ctl_path, port_path, chan, n);
	t_ping();
	t_guest_to_host(n);
	t_host_to_guest(n);
	t_duplex(n / 4);
	t_params();
	t_break();
	t_put_get_expect();
	t_stall();
	t_regs();
	t_errors();
	t_null_modem(n / 4);
	printf("# %d of %d failed\n", failed, test_no);
	return failed ? 1 : 0;
}
