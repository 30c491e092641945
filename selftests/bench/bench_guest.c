// SPDX-License-Identifier: GPL-2.0
/*
 * bench_guest.c - the guest half of `make bench` (selftests/bench/README.rst).
 *
 * Runs inside the test VM as /init's ttydpc_run program and serves the host
 * orchestrator (bench.py) over the control line, one request per line, one
 * reply line per request ("OK ...", "ERR ...", or "READY" then "DONE ..." for
 * the data workloads). It never prints during a measurement: console output
 * would add UART register accesses and CPU time to the figures.
 *
 *   PING                          -> OK PONG
 *   INFO                          -> OK kernel=RELEASE machine=M
 *   OPEN dev|pci:BDF              open, raw 115200 8N1 -> OK dev=D irq=N name=H
 *   TX dev n secs seed mark       write xorshift32 stream(seed): n bytes, or
 *                                 for secs seconds when n is 0; tcdrain
 *   RX dev n idle_ms mark         read n bytes; n 0: until the total the host
 *                                 gives with "END total" on the control line
 *                                 (idle_ms of silence ends it early)
 *   DUP dev secs seed idle_ms     TX for secs and RX until END, at once
 *   ECHO dev n                    echo n bytes back, one read (VMIN=1) each
 *   SLOW dev n chunk us idle_ms   READY, read nothing until the host sends
 *                                 GO, then: read chunk bytes, sleep us, ...
 *   TRIG dev bytes                write the port's sysfs rx_trig_bytes
 *   TRIG dev auto                 ttydpc: rx_trig_mode back to auto
 *   FTRACE on irq kb | off        hard-IRQ handler times (ftrace hist
 *                                 triggers; off -> OK n= median_ns= ...)
 *   STATS dev                     -> OK n, then the n lines of the ttydpc
 *                                 debugfs stats file (ERR for other drivers)
 *   QUIT                          -> OK, exit
 * Data workloads answer READY once armed, then
 *   DONE key=value...             tx/rx counts, CRC-32 of what was sent or
 *                                 received, ns, CPU ticks (system, irq,
 *                                 softirq from /proc/stat, USER_HZ), the
 *                                 port's interrupt count, icount errors.
 * mark != 0 brackets the register work of TX/RX with writes of mark and
 * mark+1 to the scratch register of the otherwise unused COM3 (0x3ef), so
 * the host can cut QEMU's serial_read/serial_write trace exactly.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/serial.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define MARK_PORT	0x3ef	/* COM3 scratch register */
#define MAX_PORTS	8
#define CHUNK		4096

static int ctl = -1;
static int have_io;

struct port {
	char dev[300];
	int fd;
	int irq;
	char name[64];
};
static struct port ports[MAX_PORTS];

/* --- helpers ---------------------------------------------------------- */

static uint32_t crc_table[256];

static void crc_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;

		for (int k = 0; k < 8; k++)
			c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
		crc_table[i] = c;
	}
}

/* zlib-compatible: crc = crc32(crc, buf) with crc starting at 0 */
static uint32_t crc32_update(uint32_t crc, const uint8_t *p, size_t n)
{
	crc = ~crc;
	while (n--)
		crc = crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

static uint32_t xs_state;

static void xs_fill(uint8_t *buf, size_t n)
{
	uint32_t x = xs_state;

	for (size_t i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		buf[i] = x & 0xff;
	}
	xs_state = x;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void reply(const char *fmt, ...)
{
	char buf[4096];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n > (int)sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	for (int off = 0; off < n;) {
		ssize_t w = write(ctl, buf + off, n - off);

		if (w < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return;
		}
		off += w;
	}
	/* the control line's own register work ends before we go on */
	tcdrain(ctl);
}

static void mark(int val)
{
	if (have_io && val)
		outb(val & 0xff, MARK_PORT);
}

static int read_line(int fd, char *buf, size_t len)
{
	size_t n = 0;

	for (;;) {
		char c;
		ssize_t r = read(fd, &c, 1);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		if (c == '\r')
			continue;
		if (c == '\n') {
			buf[n] = 0;
			return n;
		}
		if (n + 1 < len)
			buf[n++] = c;
	}
}

static int write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_TRUNC);
	ssize_t w;

	if (fd < 0)
		return -1;
	w = write(fd, val, strlen(val));
	close(fd);
	return w < 0 ? -1 : 0;
}

/* --- system counters ------------------------------------------------- */

struct snap {
	unsigned long long sys, irq, softirq, user, idle;
	unsigned long long irqs;
	uint64_t ns;
};

static void read_cpu(struct snap *s)
{
	FILE *f = fopen("/proc/stat", "r");
	unsigned long long u = 0, ni = 0, sy = 0, id = 0, io = 0, hi = 0, si = 0;

	if (f) {
		if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu",
			   &u, &ni, &sy, &id, &io, &hi, &si) != 7)
			u = ni = sy = id = io = hi = si = 0;
		fclose(f);
	}
	s->user = u + ni;
	s->sys = sy;
	s->idle = id + io;
	s->irq = hi;
	s->softirq = si;
}

/*
 * The /proc/interrupts line of irq into line (newline stripped); returns
 * what follows "irq:" in it, NULL when there is no such line.
 */
static char *irq_line(int irq, char *line, size_t size)
{
	FILE *f = fopen("/proc/interrupts", "r");
	char *p = NULL, *e;

	while (f && fgets(line, size, f)) {
		p = line + strspn(line, " ");
		if (strtol(p, &e, 10) == irq && e != p && *e == ':') {
			line[strcspn(line, "\n")] = 0;
			p = e + 1;
			break;
		}
		p = NULL;
	}
	if (f)
		fclose(f);
	return p;
}

static unsigned long long irq_count(int irq)
{
	char line[1024], *p = irq_line(irq, line, sizeof(line)), *e;
	unsigned long long sum = 0;

	for (; p; p = e) {
		unsigned long long v = strtoull(p, &e, 10);

		if (e == p)
			break;
		sum += v;
	}
	return sum;
}

static void snap(struct snap *s, struct port *pt)
{
	read_cpu(s);
	s->irqs = pt ? irq_count(pt->irq) : 0;
	s->ns = now_ns();
}

static int fmt_delta(char *buf, size_t len, const struct snap *a, const struct snap *b)
{
	return snprintf(buf, len, "sys=%llu irq=%llu softirq=%llu user=%llu idle=%llu irqs=%llu",
			b->sys - a->sys, b->irq - a->irq, b->softirq - a->softirq,
			b->user - a->user, b->idle - a->idle, b->irqs - a->irqs);
}

static void icount(struct port *pt, char *buf, size_t len)
{
	struct serial_icounter_struct ic;

	memset(&ic, 0, sizeof(ic));
	if (ioctl(pt->fd, TIOCGICOUNT, &ic) < 0) {
		snprintf(buf, len, "ic_rx=-1");
		return;
	}
	snprintf(buf, len, "ic_rx=%d ic_tx=%d ic_overrun=%d ic_buf_overrun=%d ic_frame=%d",
		 ic.rx, ic.tx, ic.overrun, ic.buf_overrun, ic.frame);
}

/* --- ports ----------------------------------------------------------- */

static struct port *find_port(const char *dev)
{
	for (int i = 0; i < MAX_PORTS; i++)
		if (ports[i].fd > 0 && !strcmp(ports[i].dev, dev))
			return &ports[i];
	return NULL;
}

static int set_raw(int fd, int vmin)
{
	struct termios t;

	if (tcgetattr(fd, &t) < 0)
		return -1;
	cfmakeraw(&t);
	t.c_cflag &= ~(CRTSCTS | CSTOPB | PARENB | CSIZE);
	t.c_cflag |= CS8 | CLOCAL | CREAD;
	t.c_iflag &= ~(IXON | IXOFF | IXANY | INPCK | ISTRIP);
	t.c_cc[VMIN] = vmin;
	t.c_cc[VTIME] = 0;
	/* never below 2400: 8250 would drop its RX trigger to 1 for good */
	cfsetispeed(&t, B115200);
	cfsetospeed(&t, B115200);
	return tcsetattr(fd, TCSANOW, &t);
}

/* The handler name /proc/interrupts shows for this irq's last action. */
static void handler_name(int irq, char *out, size_t len)
{
	char line[1024], *p = irq_line(irq, line, sizeof(line));

	/* the last blank-separated word(s): "IO-APIC 11-fasteoi  name[, name]" */
	if (p)
		p = strrchr(line, ' ');
	snprintf(out, len, "%s", p ? p + 1 : "?");
}

/* "pci:0000:00:12.0" -> "/dev/ttyS4": the tty a PCI function's driver made */
static int resolve_pci(const char *spec, char *out, size_t len)
{
	char path[256];
	struct dirent *e;
	DIR *d;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/tty", spec + 4);
	d = opendir(path);
	if (!d)
		return -1;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(out, len, "/dev/%s", e->d_name);
		closedir(d);
		return 0;
	}
	closedir(d);
	return -1;
}

static void cmd_open(char *spec)
{
	struct serial_struct ss;
	char devbuf[300];
	char *dev = spec;
	struct port *pt;
	int i;

	if (!strncmp(spec, "pci:", 4)) {
		if (resolve_pci(spec, devbuf, sizeof(devbuf))) {
			reply("ERR no tty under PCI function %s", spec + 4);
			return;
		}
		dev = devbuf;
	}
	pt = find_port(dev);

	if (!pt) {
		for (i = 0; i < MAX_PORTS && ports[i].fd > 0; i++)
			;
		if (i == MAX_PORTS) {
			reply("ERR too many ports");
			return;
		}
		pt = &ports[i];
		pt->fd = open(dev, O_RDWR | O_NOCTTY | O_NONBLOCK);
		if (pt->fd < 0) {
			pt->fd = 0;
			reply("ERR open %s: %s", dev, strerror(errno));
			return;
		}
		snprintf(pt->dev, sizeof(pt->dev), "%s", dev);
	}
	if (set_raw(pt->fd, 1) < 0) {
		reply("ERR termios %s: %s", dev, strerror(errno));
		return;
	}
	memset(&ss, 0, sizeof(ss));
	pt->irq = ioctl(pt->fd, TIOCGSERIAL, &ss) < 0 ? -1 : ss.irq;
	handler_name(pt->irq, pt->name, sizeof(pt->name));
	tcflush(pt->fd, TCIOFLUSH);
	reply("OK dev=%s irq=%d name=%s", pt->dev, pt->irq, pt->name);
}

static struct port *need_port(const char *dev)
{
	struct port *pt = find_port(dev);

	if (!pt)
		reply("ERR %s not open", dev ? dev : "(null)");
	return pt;
}

/* Wait for fd to become ready; returns poll()'s revents or 0 on timeout. */
static int wait_fd(int fd, short ev, int ms)
{
	struct pollfd p = { .fd = fd, .events = ev };
	int r;

	do {
		r = poll(&p, 1, ms);
	} while (r < 0 && errno == EINTR);
	return r > 0 ? p.revents : 0;
}

static int write_all(int fd, const uint8_t *buf, size_t n)
{
	size_t off = 0;

	while (off < n) {
		ssize_t w = write(fd, buf + off, n - off);

		if (w < 0) {
			if (errno == EAGAIN) {
				if (!wait_fd(fd, POLLOUT, 30000))
					return -1;
				continue;
			}
			if (errno == EINTR)
				continue;
			return -1;
		}
		off += w;
	}
	return 0;
}

/* --- workloads ------------------------------------------------------- */

static uint8_t buf[CHUNK];

/* "END n" on the control line: the host has sent n bytes in all. */
static long read_end(void)
{
	char line[64];

	if (read_line(ctl, line, sizeof(line)) < 0 || strncmp(line, "END ", 4))
		return -1;
	return atol(line + 4);
}

#define POLL_IDLE	(-1)	/* timeout, or poll failed */
#define POLL_END	(-2)	/* the control line ended or said other than END */

/* Poll the port and, until the host's "END total" sets *target, ctl: revents. */
static int poll_port(struct port *pt, short events, long *target, int tmo_ms)
{
	struct pollfd p[2] = {
		{ .fd = pt->fd, .events = events },
		{ .fd = ctl, .events = *target < 0 ? POLLIN : 0 },
	};
	int r = poll(p, 2, tmo_ms);

	if (r < 0 && errno == EINTR)
		return 0;
	if (r <= 0)
		return POLL_IDLE;
	if (p[1].revents & POLLIN) {
		*target = read_end();
		if (*target < 0)
			return POLL_END;
	}
	return p[0].revents;
}

/* n bytes, or as many as secs allow (n == 0), of stream(seed) */
static void cmd_tx(struct port *pt, long n, double secs, unsigned long seed, int mk)
{
	struct snap a, b;
	uint32_t crc = 0;
	long done = 0;
	uint64_t stop;
	char d[256], ic[160];

	xs_state = seed ? seed : 1;
	tcflush(pt->fd, TCIOFLUSH);
	reply("READY");
	usleep(20000);
	mark(mk);
	snap(&a, pt);
	stop = a.ns + (uint64_t)(secs * 1e9);
	while (n ? done < n : now_ns() < stop) {
		/* small chunks near the end of a timed run keep it on time */
		size_t k = n ? (n - done < CHUNK ? n - done : CHUNK) : 1024;

		xs_fill(buf, k);
		crc = crc32_update(crc, buf, k);
		if (write_all(pt->fd, buf, k) < 0)
			break;
		done += k;
	}
	tcdrain(pt->fd);
	snap(&b, pt);
	mark(mk ? mk + 1 : 0);
	fmt_delta(d, sizeof(d), &a, &b);
	icount(pt, ic, sizeof(ic));
	reply("DONE tx=%ld crc=%08x ns=%llu %s %s", done, crc,
	      (unsigned long long)(b.ns - a.ns), d, ic);
}

/* n bytes, or (n == 0) as many as the host's "END total" says */
static void cmd_rx(struct port *pt, long n, int idle_ms, int mk)
{
	struct snap a, b;
	uint32_t crc = 0;
	long got = 0, target = n ? n : -1;
	uint64_t first = 0, last = 0;
	char d[256], ic[160];

	tcflush(pt->fd, TCIFLUSH);
	reply("READY");
	mark(mk);
	snap(&a, pt);
	while (target < 0 || got < target) {
		int ev = poll_port(pt, POLLIN, &target, got ? idle_ms : 30000);

		if (ev < 0)
			break;
		if (ev & POLLIN) {
			ssize_t k = read(pt->fd, buf, CHUNK);

			if (k < 0 && (errno == EAGAIN || errno == EINTR))
				continue;
			if (k <= 0)
				break;
			if (!got)
				first = now_ns();
			crc = crc32_update(crc, buf, k);
			got += k;
			last = now_ns();
		}
	}
	snap(&b, pt);
	mark(mk ? mk + 1 : 0);
	fmt_delta(d, sizeof(d), &a, &b);
	icount(pt, ic, sizeof(ic));
	reply("DONE rx=%ld crc=%08x ns=%llu span_ns=%llu %s %s", got, crc,
	      (unsigned long long)(b.ns - a.ns),
	      (unsigned long long)(got ? last - first : 0), d, ic);
}

/* write for secs; read until the host's "END total" bytes are in */
static void cmd_dup(struct port *pt, double secs, unsigned long seed, int idle_ms)
{
	static uint8_t tbuf[CHUNK];
	struct snap a, b;
	uint32_t tcrc = 0, rcrc = 0;
	long sent = 0, got = 0, target = -1;
	size_t toff = 0, tlen = 0;
	uint64_t t_tx = 0, t_rx = 0, stop;
	int tx_on = 1;
	char d[256], ic[160];

	xs_state = seed ? seed : 1;
	tcflush(pt->fd, TCIOFLUSH);
	reply("READY");
	snap(&a, pt);
	stop = a.ns + (uint64_t)(secs * 1e9);
	while (tx_on || target < 0 || got < target) {
		int ev = poll_port(pt, POLLIN | (tx_on ? POLLOUT : 0), &target, idle_ms);

		if (ev == POLL_END || (ev == POLL_IDLE && !tx_on))
			break;
		if (ev < 0)
			continue;	/* idle while still writing */
		if (ev & POLLIN) {
			ssize_t k = read(pt->fd, buf, CHUNK);

			if (k > 0) {
				rcrc = crc32_update(rcrc, buf, k);
				got += k;
				t_rx = now_ns() - a.ns;
			}
		}
		if (tx_on && (ev & POLLOUT)) {
			ssize_t w;

			if (toff == tlen) {
				if (now_ns() >= stop) {
					/* time is up and every generated byte is written */
					tx_on = 0;
					tcdrain(pt->fd);
					t_tx = now_ns() - a.ns;
					continue;
				}
				tlen = 1024;
				xs_fill(tbuf, tlen);
				tcrc = crc32_update(tcrc, tbuf, tlen);
				toff = 0;
			}
			w = write(pt->fd, tbuf + toff, tlen - toff);
			if (w > 0) {
				toff += w;
				sent += w;
			}
		}
	}
	snap(&b, pt);
	fmt_delta(d, sizeof(d), &a, &b);
	icount(pt, ic, sizeof(ic));
	reply("DONE tx=%ld crc=%08x rx=%ld rcrc=%08x ns=%llu tx_ns=%llu rx_ns=%llu %s %s",
	      sent, tcrc, got, rcrc, (unsigned long long)(b.ns - a.ns),
	      (unsigned long long)t_tx, (unsigned long long)t_rx, d, ic);
}

static void cmd_echo(struct port *pt, long n)
{
	struct snap a, b;
	long done = 0;
	char d[256];
	int fl = fcntl(pt->fd, F_GETFL);

	/* blocking reads with VMIN=1: return as soon as one byte is there */
	fcntl(pt->fd, F_SETFL, fl & ~O_NONBLOCK);
	tcflush(pt->fd, TCIOFLUSH);
	reply("READY");
	snap(&a, pt);
	while (done < n) {
		ssize_t r = read(pt->fd, buf, sizeof(buf));

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (write_all(pt->fd, buf, r) < 0)
			break;
		done += r;
	}
	snap(&b, pt);
	fcntl(pt->fd, F_SETFL, fl);
	fmt_delta(d, sizeof(d), &a, &b);
	reply("DONE echoed=%ld ns=%llu %s", done, (unsigned long long)(b.ns - a.ns), d);
}

static void cmd_slow(struct port *pt, long n, long chunk, long us, int idle_ms)
{
	char go[64];
	uint64_t stall;

	struct snap a, b;
	uint32_t crc = 0;
	long got = 0;
	char d[256], ic[160];

	if (chunk < 1 || chunk > CHUNK)
		chunk = CHUNK;
	tcflush(pt->fd, TCIFLUSH);
	reply("READY");
	snap(&a, pt);
	/* not a byte read until the host says so: the backlog builds up */
	if (read_line(ctl, go, sizeof(go)) < 0 || strcmp(go, "GO")) {
		reply("ERR expected GO");
		return;
	}
	stall = now_ns() - a.ns;
	while (got < n) {
		ssize_t r;

		if (!(wait_fd(pt->fd, POLLIN, got ? idle_ms : 20000) & POLLIN))
			break;
		r = read(pt->fd, buf, chunk);
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (r <= 0)
			break;
		crc = crc32_update(crc, buf, r);
		got += r;
		usleep(us);
	}
	snap(&b, pt);
	fmt_delta(d, sizeof(d), &a, &b);
	icount(pt, ic, sizeof(ic));
	reply("DONE rx=%ld crc=%08x ns=%llu stall_ns=%llu %s %s", got, crc,
	      (unsigned long long)(b.ns - a.ns), (unsigned long long)stall, d, ic);
}

/* --- ftrace: hard-IRQ handler durations -------------------------------- */

static const char *tracefs = "/sys/kernel/tracing";

static int tr(const char *file, const char *val)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", tracefs, file);
	return write_file(path, val);
}

/*
 * A synthetic event carries each handler call's duration in ns: a hist
 * trigger on irq_handler_entry saves common_timestamp per irq, one on
 * irq_handler_exit subtracts it and emits irqlat(lat, irq). The triggers
 * work without the irq events being recorded, so the buffer holds only
 * irqlat lines. (The trace file's own timestamps have 1 us resolution.)
 */
#define SYNTH		"irqlat u64 lat; int irq"
static char trig_entry[128], trig_exit[256];

static int tr_append(const char *file, const char *val)
{
	char path[256];
	int fd;
	ssize_t w;

	snprintf(path, sizeof(path), "%s/%s", tracefs, file);
	fd = open(path, O_WRONLY | O_APPEND);
	if (fd < 0)
		return -1;
	w = write(fd, val, strlen(val));
	close(fd);
	return w < 0 ? -1 : 0;
}

static void ftrace_cleanup(void)
{
	char v[300];

	tr("tracing_on", "0");
	tr("events/synthetic/irqlat/enable", "0");
	if (trig_exit[0]) {
		snprintf(v, sizeof(v), "!%s", trig_exit);
		tr_append("events/irq/irq_handler_exit/trigger", v);
		trig_exit[0] = 0;
	}
	if (trig_entry[0]) {
		snprintf(v, sizeof(v), "!%s", trig_entry);
		tr_append("events/irq/irq_handler_entry/trigger", v);
		trig_entry[0] = 0;
	}
	tr_append("synthetic_events", "!" SYNTH);
}

static void cmd_ftrace_on(int irq, int kb)
{
	char v[64];

	if (access("/sys/kernel/tracing/trace", F_OK) &&
	    mount("nodev", "/sys/kernel/tracing", "tracefs", 0, NULL) &&
	    access("/sys/kernel/debug/tracing/trace", F_OK) == 0)
		tracefs = "/sys/kernel/debug/tracing";
	ftrace_cleanup();
	tr("events/enable", "0");
	tr("trace_clock", "local");
	snprintf(v, sizeof(v), "%d", kb);
	tr("buffer_size_kb", v);
	tr("trace", "");
	if (tr_append("synthetic_events", SYNTH)) {
		reply("ERR synthetic event: %s", strerror(errno));
		return;
	}
	snprintf(trig_entry, sizeof(trig_entry),
		 "hist:keys=irq:ts0=common_timestamp if irq==%d", irq);
	if (tr_append("events/irq/irq_handler_entry/trigger", trig_entry)) {
		reply("ERR entry trigger: %s", strerror(errno));
		trig_entry[0] = 0;
		ftrace_cleanup();
		return;
	}
	snprintf(trig_exit, sizeof(trig_exit),
		 "hist:keys=irq:lat=common_timestamp-$ts0:onmatch(irq.irq_handler_entry).trace(irqlat,$lat,irq) if irq==%d",
		 irq);
	if (tr_append("events/irq/irq_handler_exit/trigger", trig_exit)) {
		reply("ERR exit trigger: %s", strerror(errno));
		trig_exit[0] = 0;
		ftrace_cleanup();
		return;
	}
	if (tr("events/synthetic/irqlat/enable", "1")) {
		reply("ERR enable irqlat: %s", strerror(errno));
		ftrace_cleanup();
		return;
	}
	tr("tracing_on", "1");
	reply("OK %s", tracefs);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void cmd_ftrace_off(void)
{
	char path[256], line[512];
	uint64_t *d = NULL;
	size_t nd = 0, cap = 0;
	unsigned long long overrun = 0, sum = 0;
	FILE *f;

	tr("tracing_on", "0");
	snprintf(path, sizeof(path), "%s/per_cpu/cpu0/stats", tracefs);
	f = fopen(path, "r");
	if (f) {
		while (fgets(line, sizeof(line), f))
			sscanf(line, "overrun: %llu", &overrun);
		fclose(f);
	}
	snprintf(path, sizeof(path), "%s/trace", tracefs);
	f = fopen(path, "r");
	if (!f) {
		reply("ERR %s: %s", path, strerror(errno));
		ftrace_cleanup();
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		char *c = strstr(line, "irqlat: lat=");

		if (line[0] == '#' || !c)
			continue;
		if (nd == cap) {
			cap = cap ? 2 * cap : 65536;
			d = realloc(d, cap * sizeof(*d));
			if (!d) {
				fclose(f);
				reply("ERR out of memory");
				return;
			}
		}
		d[nd++] = strtoull(c + 12, NULL, 10);
	}
	fclose(f);
	ftrace_cleanup();
	tr("trace", "");
	tr("buffer_size_kb", "1408");
	if (!nd) {
		reply("ERR no irqlat events in the trace");
		free(d);
		return;
	}
	qsort(d, nd, sizeof(*d), cmp_u64);
	for (size_t i = 0; i < nd; i++)
		sum += d[i];
	reply("OK n=%zu median_ns=%llu p90_ns=%llu p99_ns=%llu max_ns=%llu mean_ns=%llu overrun=%llu",
	      nd, (unsigned long long)d[nd / 2],
	      (unsigned long long)d[(nd * 90) / 100],
	      (unsigned long long)d[(nd * 99) / 100],
	      (unsigned long long)d[nd - 1], sum / nd, overrun);
	free(d);
}

static void cmd_stats(const char *dev)
{
	char path[256], line[512];
	const char *base = strrchr(dev, '/');
	char *lines[512];
	int n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/kernel/debug/ttydpc/%s/stats",
		 base ? base + 1 : dev);
	f = fopen(path, "r");
	if (!f) {
		reply("ERR %s: %s", path, strerror(errno));
		return;
	}
	while (n < 512 && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		lines[n++] = strdup(line);
	}
	fclose(f);
	reply("OK %d", n);
	for (int i = 0; i < n; i++) {
		reply("%s", lines[i]);
		free(lines[i]);
	}
}

/* --- main loop ------------------------------------------------------- */

int main(int argc, char **argv)
{
	const char *ctl_dev = argc > 1 ? argv[1] : "/dev/ttyS1";
	char line[512];

	crc_init();
	have_io = ioperm(MARK_PORT, 1, 1) == 0;
	ctl = open(ctl_dev, O_RDWR | O_NOCTTY);
	if (ctl < 0) {
		perror(ctl_dev);
		return 1;
	}
	set_raw(ctl, 1);
	tcflush(ctl, TCIOFLUSH);
	printf("bench_guest: serving on %s (marker port %s)\n", ctl_dev,
	       have_io ? "ok" : "unavailable");
	fflush(stdout);
	reply("HELLO bench_guest");

	while (read_line(ctl, line, sizeof(line)) >= 0) {
		char *av[8] = { 0 };
		int ac = 0;

		for (char *t = strtok(line, " "); t && ac < 8; t = strtok(NULL, " "))
			av[ac++] = t;
		if (!ac)
			continue;
		if (!strcmp(av[0], "PING")) {
			reply("OK PONG");
		} else if (!strcmp(av[0], "INFO")) {
			struct utsname u;

			uname(&u);
			reply("OK kernel=%s machine=%s", u.release, u.machine);
		} else if (!strcmp(av[0], "OPEN") && ac >= 2) {
			cmd_open(av[1]);
		} else if (!strcmp(av[0], "TX") && ac >= 6) {
			struct port *pt = need_port(av[1]);

			if (pt)
				cmd_tx(pt, atol(av[2]), atof(av[3]), strtoul(av[4], NULL, 0),
				       atoi(av[5]));
		} else if (!strcmp(av[0], "RX") && ac >= 5) {
			struct port *pt = need_port(av[1]);

			if (pt)
				cmd_rx(pt, atol(av[2]), atoi(av[3]), atoi(av[4]));
		} else if (!strcmp(av[0], "DUP") && ac >= 5) {
			struct port *pt = need_port(av[1]);

			if (pt)
				cmd_dup(pt, atof(av[2]), strtoul(av[3], NULL, 0), atoi(av[4]));
		} else if (!strcmp(av[0], "ECHO") && ac >= 3) {
			struct port *pt = need_port(av[1]);

			if (pt)
				cmd_echo(pt, atol(av[2]));
		} else if (!strcmp(av[0], "SLOW") && ac >= 6) {
			struct port *pt = need_port(av[1]);

			if (pt)
				cmd_slow(pt, atol(av[2]), atol(av[3]), atol(av[4]), atoi(av[5]));
		} else if (!strcmp(av[0], "TRIG") && ac >= 3) {
			struct port *pt = need_port(av[1]);
			char path[400];
			const char *base = strrchr(av[1], '/');

			const char *val = av[2];
			int r;

			/*
			 * "auto": ttydpc's adaptive trigger (rx_trig_mode); a
			 * ttydpc without it (an older build) runs at 8.
			 */
			snprintf(path, sizeof(path), "/sys/class/tty/%s/%s",
				 base ? base + 1 : av[1],
				 strcmp(val, "auto") ? "rx_trig_bytes" : "rx_trig_mode");
			r = write_file(path, val);
			if (r && errno == ENOENT && !strcmp(val, "auto")) {
				snprintf(path, sizeof(path), "/sys/class/tty/%s/rx_trig_bytes",
					 base ? base + 1 : av[1]);
				val = "8";
				r = write_file(path, val);
			}
			if (pt && r)
				reply("ERR %s: %s", path, strerror(errno));
			else if (pt)
				reply("OK");
		} else if (!strcmp(av[0], "FTRACE") && ac >= 3 && !strcmp(av[1], "on")) {
			cmd_ftrace_on(atoi(av[2]), ac >= 4 ? atoi(av[3]) : 16384);
		} else if (!strcmp(av[0], "FTRACE") && ac >= 2 && !strcmp(av[1], "off")) {
			cmd_ftrace_off();
		} else if (!strcmp(av[0], "STATS") && ac >= 2) {
			cmd_stats(av[1]);
		} else if (!strcmp(av[0], "QUIT")) {
			reply("OK BYE");
			break;
		} else {
			reply("ERR unknown request '%s'", av[0]);
		}
	}
	return 0;
}
