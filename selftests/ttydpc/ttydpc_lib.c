// SPDX-License-Identifier: GPL-2.0
/*
 * ttydpc selftests: tty, stream, control-channel and file helpers.
 * See ttydpc_test.h for the contract of each function.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "ttydpc_test.h"

/* ---- environment ------------------------------------------------------ */

const char *tt_env(const char *name)
{
	const char *v = getenv(name);

	return (v && *v) ? v : NULL;
}

long tt_env_long(const char *name, long def)
{
	const char *v = tt_env(name);
	char *end;
	long l;

	if (!v)
		return def;
	errno = 0;
	l = strtol(v, &end, 0);
	if (errno || *end || l <= 0)
		return def;
	return l;
}

long tt_budget_s(size_t bytes)
{
	long per_mib = tt_env_long("TTYDPC_SEC_PER_MIB", TT_SEC_PER_MIB_DEFAULT);
	long s = (long)(((unsigned long long)bytes * per_mib + (1 << 20) - 1) >> 20);

	return s < 10 ? 10 : s;
}

uint64_t tt_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int tt_left_ms(uint64_t deadline)
{
	uint64_t now = tt_now_ms();

	if (now >= deadline)
		return 0;
	return deadline - now > 0x7fffffff ? 0x7fffffff : (int)(deadline - now);
}

/* ---- stream ----------------------------------------------------------- */

void tt_stream_init(struct tt_stream *s, uint32_t seed)
{
	s->x = seed ? seed : 1;
}

uint8_t tt_stream_next(struct tt_stream *s)
{
	uint32_t x = s->x;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	s->x = x;
	return x & 0xff;
}

void tt_stream_fill(struct tt_stream *s, uint8_t *buf, size_t n)
{
	for (size_t i = 0; i < n; i++)
		buf[i] = tt_stream_next(s);
}

uint32_t tt_crc32(uint32_t crc, const uint8_t *buf, size_t n)
{
	crc = ~crc;
	for (size_t i = 0; i < n; i++) {
		crc ^= buf[i];
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320u & -(crc & 1));
	}
	return ~crc;
}

/* ---- baud arithmetic -------------------------------------------------- */

static const struct {
	unsigned int speed, baud;
} tt_speeds[] = {
	{ B0, 0 }, { B50, 50 }, { B75, 75 }, { B110, 110 }, { B134, 134 },
	{ B150, 150 }, { B200, 200 }, { B300, 300 }, { B600, 600 },
	{ B1200, 1200 }, { B1800, 1800 }, { B2400, 2400 }, { B4800, 4800 },
	{ B9600, 9600 }, { B19200, 19200 }, { B38400, 38400 },
	{ B57600, 57600 }, { B115200, 115200 }, { B230400, 230400 },
	{ B460800, 460800 }, { B500000, 500000 }, { B576000, 576000 },
	{ B921600, 921600 }, { B1000000, 1000000 }, { B1152000, 1152000 },
	{ B1500000, 1500000 }, { B2000000, 2000000 }, { B2500000, 2500000 },
	{ B3000000, 3000000 }, { B3500000, 3500000 }, { B4000000, 4000000 },
};

unsigned int tt_speed_to_baud(unsigned int speed)
{
	for (size_t i = 0; i < sizeof(tt_speeds) / sizeof(tt_speeds[0]); i++)
		if (tt_speeds[i].speed == speed)
			return tt_speeds[i].baud;
	return 0;
}

unsigned int tt_baud_to_speed(unsigned int baud)
{
	for (size_t i = 0; i < sizeof(tt_speeds) / sizeof(tt_speeds[0]); i++)
		if (tt_speeds[i].baud == baud)
			return tt_speeds[i].speed;
	return 0;
}

unsigned int tt_uart_actual_baud(unsigned int uartclk, unsigned int baud)
{
	unsigned long long quot;

	if (!baud)
		return 0;
	quot = ((unsigned long long)uartclk + 8ull * baud) / (16ull * baud);
	if (quot < 1)
		quot = 1;
	if (quot > 0xffff)
		quot = 0xffff;
	return (unsigned int)(uartclk / 16 / quot);
}

/* ---- ttys ------------------------------------------------------------- */

int tt_set_raw(int fd, unsigned int baud)
{
	struct termios t;
	speed_t sp = tt_baud_to_speed(baud);

	if (!sp)
		return -EINVAL;
	if (tcgetattr(fd, &t))
		return -errno;
	cfmakeraw(&t);
	/*
	 * CIBAUD too: a separate input speed left over from an earlier
	 * BOTHER setting would make the kernel keep reporting one, and tools
	 * that compare termios after tcsetattr (busybox stty) then fail.
	 */
	t.c_cflag &= ~(CSIZE | PARENB | PARODD | CMSPAR | CSTOPB | CRTSCTS | CIBAUD);
	t.c_cflag |= CS8 | CLOCAL | CREAD;
	t.c_iflag &= ~(IXON | IXOFF | IXANY | INPCK);
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	if (cfsetispeed(&t, sp) || cfsetospeed(&t, sp))
		return -EINVAL;
	if (tcsetattr(fd, TCSANOW, &t))
		return -errno;
	tcflush(fd, TCIOFLUSH);
	return 0;
}

int tt_set_cflag(int fd, unsigned int clear, unsigned int set)
{
	struct termios t;

	if (tcgetattr(fd, &t))
		return -errno;
	t.c_cflag = (t.c_cflag & ~clear) | set;
	return tcsetattr(fd, TCSANOW, &t) ? -errno : 0;
}

int tt_set_speed(int fd, unsigned int baud)
{
	speed_t sp = tt_baud_to_speed(baud);
	struct termios t;

	if (!sp && baud)
		return -EINVAL;
	if (tcgetattr(fd, &t))
		return -errno;
	cfsetospeed(&t, sp);
	cfsetispeed(&t, sp);
	return tcsetattr(fd, TCSANOW, &t) ? -errno : 0;
}

int tt_open_raw(const char *dev, unsigned int baud)
{
	int fd = open(dev, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	int ret;

	if (fd < 0)
		return -errno;
	ret = tt_set_raw(fd, baud);
	if (ret) {
		close(fd);
		return ret;
	}
	return fd;
}

int tt_wait_outq_empty(int fd, int tmo_ms)
{
	int q, r;

	if (!TT_POLL((r = ioctl(fd, TIOCOUTQ, &q)) || !q, tmo_ms, 2000))
		return -ETIMEDOUT;
	return r ? -errno : 0;
}

/* Poll until deadline, read up to n: bytes, 0 (EOF), -ETIMEDOUT, -EAGAIN (again), -errno. */
static ssize_t tt_poll_read(int fd, void *buf, size_t n, uint64_t deadline)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int left = tt_left_ms(deadline);
	ssize_t r;

	if (!left)
		return -ETIMEDOUT;
	r = poll(&p, 1, left);
	if (r < 0 && errno == EINTR)
		return -EAGAIN;
	if (r < 0)
		return -errno;
	if (r == 0)
		return -ETIMEDOUT;
	r = read(fd, buf, n);
	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return -EAGAIN;
	return r < 0 ? -errno : r;
}

ssize_t tt_read_full(int fd, void *buf, size_t n, int tmo_ms)
{
	uint64_t deadline = tt_now_ms() + tmo_ms;
	size_t got = 0;

	while (got < n) {
		ssize_t r = tt_poll_read(fd, (char *)buf + got, n - got, deadline);

		if (r == -EAGAIN)
			continue;
		if (r < 0 && r != -ETIMEDOUT)
			return got ? (ssize_t)got : r;
		if (r <= 0)
			break;
		got += r;
	}
	return got;
}

ssize_t tt_write_full(int fd, const void *buf, size_t n, int tmo_ms)
{
	uint64_t deadline = tt_now_ms() + tmo_ms;
	size_t done = 0;

	while (done < n) {
		ssize_t r = write(fd, (const char *)buf + done, n - done);

		if (r > 0) {
			done += r;
			continue;
		}
		if (r < 0 && errno != EAGAIN && errno != EINTR)
			return -errno;
		{
			struct pollfd p = { .fd = fd, .events = POLLOUT };
			int left = tt_left_ms(deadline);

			if (!left)
				return -ETIMEDOUT;
			if (poll(&p, 1, left) < 0 && errno != EINTR)
				return -errno;
		}
	}
	return done;
}

/* ---- files ------------------------------------------------------------ */

ssize_t tt_read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t len = 0;

	if (fd < 0)
		return -errno;
	while (len + 1 < size) {
		ssize_t r = read(fd, buf + len, size - 1 - len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;

			close(fd);
			return -e;
		}
		if (r == 0)
			break;
		len += r;
	}
	close(fd);
	buf[len] = 0;
	while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		buf[--len] = 0;
	return len;
}

int tt_write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	size_t n = strlen(text);
	ssize_t r;

	if (fd < 0)
		return -errno;
	r = write(fd, text, n);
	if (r < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	close(fd);
	return (size_t)r == n ? 0 : -EIO;
}

#define DEBUGFS_MAGIC_NR 0x64626720

static bool tt_debugfs_mounted(void)
{
	struct statfs sf;

	return statfs("/sys/kernel/debug", &sf) == 0 &&
	       (unsigned long)sf.f_type == DEBUGFS_MAGIC_NR;
}

bool tt_debugfs_ready(void)
{
	if (tt_debugfs_mounted())
		return true;
	mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL);
	return tt_debugfs_mounted();
}

bool tt_path_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

int tt_stats_parse(const char *text, const char *key, unsigned long long *val)
{
	size_t klen = strlen(key);
	const char *p = text;

	while (p && *p) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!strncmp(p, key, klen) &&
		    (p[klen] == ' ' || p[klen] == '\t' || p[klen] == ':' ||
		     p[klen] == '=')) {
			char *end;

			p += klen;
			while (*p == ' ' || *p == '\t' || *p == ':' || *p == '=')
				p++;
			errno = 0;
			*val = strtoull(p, &end, 0);
			if (errno || end == p)
				return -EPROTO;
			return 0;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return -ENOENT;
}

int tt_stats_get(const char *path, const char *key, unsigned long long *val)
{
	static char buf[16384];
	ssize_t r = tt_read_file(path, buf, sizeof(buf));

	if (r < 0)
		return r;
	return tt_stats_parse(buf, key, val);
}

const char *tt_basename(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

static int tt_port_num(const char *name)
{
	return atoi(name + strlen("ttyDPC"));
}

static int tt_cmp_ports(const void *a, const void *b)
{
	const char *const *x = a, *const *y = b;

	return tt_port_num(tt_basename(*x)) - tt_port_num(tt_basename(*y));
}

int tt_list_ports(char **names, int max)
{
	const char *list = tt_env("TTYDPC_PORTS");
	DIR *d;
	struct dirent *e;
	int n = 0;

	if (list) {
		char *dup = strdup(list), *tok, *save = NULL;

		for (tok = strtok_r(dup, " ,", &save); tok && n < max;
		     tok = strtok_r(NULL, " ,", &save))
			names[n++] = strdup(tok);
		free(dup);
		return n;
	}
	d = opendir("/dev");
	if (!d)
		return 0;
	while ((e = readdir(d)) && n < max) {
		const char *s = e->d_name;

		if (strncmp(s, "ttyDPC", 6) || !s[6])
			continue;
		for (s += 6; *s && isdigit((unsigned char)*s); s++)
			;
		if (*s)
			continue;
		if (asprintf(&names[n], "/dev/%s", e->d_name) < 0)
			break;
		n++;
	}
	closedir(d);
	qsort(names, n, sizeof(*names), tt_cmp_ports);
	return n;
}

void tt_free_list(char **names, int n)
{
	for (int i = 0; i < n; i++)
		free(names[i]);
}

int tt_pick_port(char *port, size_t size)
{
	char *names[64];
	int n;

	if (tt_env("TTYDPC_PORT")) {
		snprintf(port, size, "%s", tt_env("TTYDPC_PORT"));
		return 0;
	}
	n = tt_list_ports(names, 64);
	if (n <= 0)
		return -ENODEV;
	snprintf(port, size, "%s", names[0]);
	tt_free_list(names, n);
	return 0;
}

/* ---- control channel -------------------------------------------------- */

int tt_parse_reply(const char *line, const char **rest)
{
	int ok;

	if (!strncmp(line, "OK", 2) && (!line[2] || line[2] == ' ')) {
		ok = 1;
		line += 2;
	} else if (!strncmp(line, "ERR", 3) && (!line[3] || line[3] == ' ')) {
		ok = 0;
		line += 3;
	} else {
		return -EPROTO;
	}
	while (*line == ' ')
		line++;
	if (rest)
		*rest = line;
	return ok;
}

/* Find "key=" in s as a whole word; returns pointer to the value or NULL. */
static const char *tt_find_kv(const char *s, const char *key)
{
	size_t klen = strlen(key);
	const char *p = s;

	while ((p = strstr(p, key))) {
		if ((p == s || p[-1] == ' ' || p[-1] == '\t') && p[klen] == '=')
			return p + klen + 1;
		p += klen;
	}
	return NULL;
}

static bool tt_kv_long(const char *s, const char *key, long *v)
{
	const char *p = tt_find_kv(s, key);
	char *end;

	if (!p)
		return false;
	errno = 0;
	*v = strtol(p, &end, 0);
	return !errno && end != p;
}

int tt_parse_param_line(const char *line, struct tt_param_ev *ev)
{
	const char *p;
	long v;

	memset(ev, 0, sizeof(*ev));
	if (!tt_kv_long(line, "baudrate", &v) || v < 0)
		return -EPROTO;
	ev->baud = v;
	p = tt_find_kv(line, "parity");
	if (!p)
		return -EPROTO;
	if (*p == '\'' || *p == '"')
		p++;
	if (!strchr("NEOMS", *p) || !*p)
		return -EPROTO;
	ev->parity = *p;
	if (!tt_kv_long(line, "data", &v))
		return -EPROTO;
	ev->data = v;
	if (!tt_kv_long(line, "stop", &v))
		return -EPROTO;
	ev->stop = v;
	return 0;
}

int tt_parse_reg_writes(const char *s, uint8_t *vals, int max, int *total)
{
	char *end;
	long n, v;
	int got = 0;

	errno = 0;
	n = strtol(s, &end, 10);
	if (errno || end == s || n < 0 || n > INT_MAX)
		return -EPROTO;
	if (total)
		*total = n;
	for (s = end; *s == ' '; s = end) {
		v = strtol(s + 1, &end, 0);
		if (end == s + 1 || v < 0 || v > 0xff)
			return -EPROTO;
		if (got < max) {
			vals[got++] = v;
		} else if (max > 0) {
			memmove(vals, vals + 1, max - 1);
			vals[max - 1] = v;
		}
	}
	if (*s)
		return -EPROTO;
	return got;
}

int tt_parse_wait_reply(int okerr, const char *reply, struct tt_wait_res *r)
{
	long v;

	memset(r, 0, sizeof(*r));
	r->sent = r->recv = r->at = r->got = r->want = -1;
	r->ok = okerr == 1;
	if (tt_kv_long(reply, "sent", &v))
		r->sent = v;
	if (tt_kv_long(reply, "recv", &v))
		r->recv = v;
	if (!r->ok) {
		if (!strncmp(reply, "mismatch", 8)) {
			r->mismatch = true;
			if (tt_kv_long(reply, "at", &v))
				r->at = v;
			if (tt_kv_long(reply, "got", &v))
				r->got = v;
			if (tt_kv_long(reply, "want", &v))
				r->want = v;
		} else if (!strncmp(reply, "timeout", 7)) {
			r->timeout = true;
		}
	}
	return 0;
}

void tt_hex_encode(char *dst, const uint8_t *src, size_t n)
{
	static const char hx[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		dst[2 * i] = hx[src[i] >> 4];
		dst[2 * i + 1] = hx[src[i] & 15];
	}
	dst[2 * n] = 0;
}

static int tt_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

ssize_t tt_hex_decode(uint8_t *dst, size_t max, const char *src)
{
	size_t n = 0;

	while (src[0] && src[0] != ' ') {
		int hi = tt_hexval(src[0]), lo = hi < 0 ? -1 : tt_hexval(src[1]);

		if (hi < 0 || lo < 0 || n >= max)
			return -EPROTO;
		dst[n++] = hi << 4 | lo;
		src += 2;
	}
	return n;
}

/* One request line, written at once: fmt's text and a newline. */
static int tt_ctl_vsend(struct tt_ctl *c, const char *fmt, va_list ap)
{
	char *line, *nl;
	int n = vasprintf(&line, fmt, ap);
	ssize_t r;

	if (n < 0)
		return -ENOMEM;
	nl = realloc(line, n + 1);
	if (!nl) {
		free(line);
		return -ENOMEM;
	}
	nl[n++] = '\n';
	r = tt_write_full(c->fd, nl, n, 10000);
	free(nl);
	return r < 0 ? (int)r : 0;
}

int tt_ctl_send(struct tt_ctl *c, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = tt_ctl_vsend(c, fmt, ap);
	va_end(ap);
	return ret;
}

int tt_ctl_readline(struct tt_ctl *c, char *line, size_t size, int tmo_ms)
{
	uint64_t deadline = tt_now_ms() + tmo_ms;

	for (;;) {
		char *nl = c->len ? memchr(c->buf, '\n', c->len) : NULL;
		ssize_t r;

		if (nl) {
			size_t l = nl - c->buf, cp = l, s = 0;

			/* CRs stripped at both ends (CR LF from the peer) */
			while (cp && c->buf[cp - 1] == '\r')
				cp--;
			while (s < cp && c->buf[s] == '\r')
				s++;
			if (cp - s >= size)
				cp = s + size - 1;
			memcpy(line, c->buf + s, cp - s);
			line[cp - s] = 0;
			memmove(c->buf, nl + 1, c->len - l - 1);
			c->len -= l + 1;
			if (!line[0])
				continue;	/* blank line */
			return 0;
		}
		if (c->len + 4096 > c->cap) {
			size_t ncap = c->cap ? c->cap * 2 : 65536;
			char *nb = realloc(c->buf, ncap);

			if (!nb)
				return -ENOMEM;
			c->buf = nb;
			c->cap = ncap;
		}
		r = tt_poll_read(c->fd, c->buf + c->len, c->cap - c->len, deadline);
		if (r == -EAGAIN)
			continue;
		if (r < 0)
			return r;
		c->len += r;
	}
}

int tt_ctl_mark(struct tt_ctl *c)
{
	char reply[128];

	return tt_ctl_cmd(c, reply, sizeof(reply), 10000, "MARK") == 1 ? 0 : -1;
}

int tt_ctl_cmd(struct tt_ctl *c, char *reply, size_t size, int tmo_ms,
	       const char *fmt, ...)
{
	char line[1024];
	const char *rest;
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = tt_ctl_vsend(c, fmt, ap);
	va_end(ap);
	if (ret)
		return ret;
	if (!reply) {
		reply = line;
		size = sizeof(line);
	}
	ret = tt_ctl_readline(c, reply, size, tmo_ms);
	if (ret)
		return ret;
	ret = tt_parse_reply(reply, &rest);
	if (ret < 0)
		return ret;
	memmove(reply, rest, strlen(rest) + 1);
	snprintf(c->reply, sizeof(c->reply), "%.*s", (int)sizeof(c->reply) - 1, reply);
	return ret;
}

int tt_ctl_trace(struct tt_ctl *c, bool on)
{
	return tt_ctl_cmd(c, NULL, 0, 10000, "TRACE %s serial_write", on ? "on" : "off");
}

int tt_ctl_open(struct tt_ctl *c, const char *path)
{
	long sync_s = tt_env_long("TTYDPC_CTL_SYNC_S", 30);
	uint64_t deadline;
	int fd;

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	if (!path)
		path = tt_env("TTYDPC_CTL");
	if (!path)
		return -ENODEV;
	fd = tt_open_raw(path, 115200);
	if (fd < 0)
		return fd;
	c->fd = fd;
	deadline = tt_now_ms() + sync_s * 1000;
	/*
	 * A reply left over from an earlier (killed) test may still arrive:
	 * read until our PONG, discarding everything else.
	 */
	while (tt_left_ms(deadline)) {
		char line[512];
		uint64_t d2 = tt_now_ms() + 5000;
		int r;

		if (tt_ctl_send(c, "PING"))
			break;
		while ((r = tt_ctl_readline(c, line, sizeof(line),
					    tt_left_ms(d2))) == 0) {
			if (!strcmp(line, "OK PONG"))
				return 0;
		}
		if (r != -ETIMEDOUT)
			break;
	}
	tt_ctl_close(c);
	return -ETIMEDOUT;
}

int tt_ctl_open_env(struct tt_ctl *c)
{
	int r;

	c->fd = -1;
	c->buf = NULL;
	if (!tt_env("TTYDPC_CTL") || !tt_env("TTYDPC_CHAN"))
		return 0;
	r = tt_ctl_open(c, NULL);
	return r ? r : 1;
}

const char *tt_ctl_missing(void)
{
	if (!tt_env("TTYDPC_CTL"))
		return tt_env("TTYDPC_CHAN") ? "TTYDPC_CTL unset" : "TTYDPC_CTL and TTYDPC_CHAN unset";
	if (!tt_env("TTYDPC_CHAN"))
		return "TTYDPC_CHAN unset";
	return "none missing";
}

void tt_ctl_close(struct tt_ctl *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	free(c->buf);
	c->buf = NULL;
	c->len = c->cap = 0;
}

/*
 * A request whose reply is "OK n" and n lines: parse each line into the
 * next of max slots of size bytes at ev (the newest max kept). Returns the
 * number kept or -errno; *total (may be NULL) gets n.
 */
static int tt_ctl_list(struct tt_ctl *c, const char *req, void *ev, size_t size,
		       int max, int (*parse)(const char *line, void *ev), int *total)
{
	char line[512];
	long n;
	char *end;
	int r, got = 0;

	r = tt_ctl_cmd(c, line, sizeof(line), 10000, "%s", req);
	if (r < 0)
		return r;
	if (r == 0)
		return -EREMOTEIO;
	errno = 0;
	n = strtol(line, &end, 10);
	if (errno || end == line || n < 0)
		return -EPROTO;
	if (total)
		*total = n;
	for (long i = 0; i < n; i++) {
		r = tt_ctl_readline(c, line, sizeof(line), 10000);
		if (r)
			return r;
		if (max <= 0)
			continue;
		if (got == max) {
			memmove(ev, (char *)ev + size, (max - 1) * size);
			got--;
		}
		if (parse(line, (char *)ev + got * size))
			return -EPROTO;
		got++;
	}
	return got;
}

static int tt_parse_param_slot(const char *line, void *ev)
{
	return tt_parse_param_line(line, ev);
}

int tt_ctl_params(struct tt_ctl *c, struct tt_param_ev *ev, int max,
		  int *total)
{
	return tt_ctl_list(c, "PARAMS", ev, sizeof(*ev), max, tt_parse_param_slot, total);
}

/* "time reg val" of a SEQ reply */
static int tt_parse_seq_slot(const char *line, void *slot)
{
	struct tt_reg_ev *e = slot;
	unsigned int reg, val;
	char ts[32];

	if (sscanf(line, "%31s %u 0x%x", ts, &reg, &val) != 3 || val > 0xff)
		return -EPROTO;
	e->t = strcmp(ts, "-") ? strtod(ts, NULL) : -1.0;
	e->reg = reg;
	e->val = val;
	return 0;
}

int tt_ctl_seq(struct tt_ctl *c, const char *regs, struct tt_reg_ev *ev, int max)
{
	char req[64];

	snprintf(req, sizeof(req), "SEQ %s", regs);
	return tt_ctl_list(c, req, ev, sizeof(*ev), max, tt_parse_seq_slot, NULL);
}

int tt_ctl_reg_writes(struct tt_ctl *c, int reg, uint8_t *vals, int max,
		      int *total)
{
	char line[512];
	int r = tt_ctl_cmd(c, line, sizeof(line), 10000, "WRITES %d", reg);

	if (r < 0)
		return r;
	if (r == 0)
		return -EREMOTEIO;
	return tt_parse_reg_writes(line, vals, max, total);
}

int tt_ctl_wait(struct tt_ctl *c, const char *chan, int tmo_s,
		struct tt_wait_res *res)
{
	char line[512];
	int r = tt_ctl_cmd(c, line, sizeof(line), (tmo_s + 15) * 1000,
			   "WAIT %s %d", chan, tmo_s);

	if (r < 0)
		return r;
	return tt_parse_wait_reply(r, line, res);
}

/* ---- transfer engine -------------------------------------------------- */

static int tt_outq(int fd)
{
	int q;

	return ioctl(fd, TIOCOUTQ, &q) ? -1 : q;
}

int tt_xfer_run(int fd, struct tt_xfer *x)
{
	struct tt_stream tx, rx;
	uint8_t txbuf[4096], rxbuf[4096];
	size_t txlen = 0, txoff = 0;
	uint64_t start = tt_now_ms(), deadline = start + x->tmo_ms;
	uint64_t last_progress = start;
	int stall_ms = x->stall_ms;

	if (!stall_ms)
		stall_ms = tt_env_long("TTYDPC_STALL_S", 20) * 1000;
	x->sent = x->received = 0;
	x->mismatch = x->timed_out = x->stalled = false;
	x->err = 0;
	x->outq = -1;
	x->tx_crc = x->rx_crc = 0;
	tt_stream_init(&tx, x->send_seed);
	tt_stream_init(&rx, x->recv_seed);

	while (x->sent < x->send_n || x->received < x->recv_n) {
		struct pollfd p = { .fd = fd };
		int left = tt_left_ms(deadline), r;
		uint64_t now = tt_now_ms();

		if (x->sent < x->send_n)
			p.events |= POLLOUT;
		if (x->received < x->recv_n)
			p.events |= POLLIN;
		if (!left) {
			x->timed_out = true;
			break;
		}
		if (stall_ms > 0 && now - last_progress >= (uint64_t)stall_ms) {
			x->timed_out = x->stalled = true;
			break;
		}
		r = poll(&p, 1, left > 500 ? 500 : left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			x->err = errno;
			break;
		}
		if (p.revents & (POLLERR | POLLNVAL)) {
			x->err = EIO;
			break;
		}
		if ((p.revents & POLLIN) || (p.revents & POLLHUP)) {
			size_t want = x->recv_n - x->received;
			ssize_t n;

			if (want > sizeof(rxbuf))
				want = sizeof(rxbuf);
			n = read(fd, rxbuf, want);
			if (n < 0 && errno != EAGAIN && errno != EINTR) {
				x->err = errno;
				break;
			}
			if (n == 0 && (p.revents & POLLHUP)) {
				x->err = EPIPE;
				break;
			}
			for (ssize_t i = 0; i < n; i++) {
				uint8_t w = tt_stream_next(&rx);

				if (rxbuf[i] != w) {
					x->mismatch = true;
					x->mismatch_at = x->received + i;
					x->got = rxbuf[i];
					x->want = w;
					x->received += i;
					goto out;
				}
			}
			if (n > 0) {
				x->rx_crc = tt_crc32(x->rx_crc, rxbuf, n);
				x->received += n;
				last_progress = tt_now_ms();
			}
		}
		if (p.revents & POLLOUT) {
			ssize_t n;

			if (txoff == txlen) {
				txlen = x->send_n - x->sent;
				if (txlen > sizeof(txbuf))
					txlen = sizeof(txbuf);
				tt_stream_fill(&tx, txbuf, txlen);
				x->tx_crc = tt_crc32(x->tx_crc, txbuf, txlen);
				txoff = 0;
			}
			n = write(fd, txbuf + txoff, txlen - txoff);
			if (n < 0 && errno != EAGAIN && errno != EINTR) {
				x->err = errno;
				break;
			}
			if (n > 0) {
				txoff += n;
				x->sent += n;
				last_progress = tt_now_ms();
			}
		}
	}
	if (!x->mismatch && !x->err && !x->timed_out && x->drain &&
	    x->send_n) {
		/* wait for the output queue to empty, as long as it moves */
		int q, last_q = tt_outq(fd);

		last_progress = tt_now_ms();
		while ((q = tt_outq(fd)) > 0) {
			uint64_t now = tt_now_ms();

			if (q != last_q) {
				last_q = q;
				last_progress = now;
			}
			if (!tt_left_ms(deadline)) {
				x->timed_out = true;
				break;
			}
			if (stall_ms > 0 && now - last_progress >= (uint64_t)stall_ms) {
				x->timed_out = x->stalled = true;
				break;
			}
			usleep(2000);
		}
		if (q < 0)
			x->err = errno;
	}
out:
	x->outq = tt_outq(fd);
	x->elapsed_ms = tt_now_ms() - start;
	if (x->mismatch || x->err || x->timed_out)
		return -1;
	return 0;
}

void tt_xfer_describe(const struct tt_xfer *x, char *buf, size_t size)
{
	if (x->mismatch)
		snprintf(buf, size,
			 "rx mismatch at offset %zu: got 0x%02x want 0x%02x (sent %zu/%zu)",
			 x->mismatch_at, x->got, x->want, x->sent, x->send_n);
	else if (x->err)
		snprintf(buf, size, "I/O error %s after sent %zu/%zu recv %zu/%zu",
			 strerror(x->err), x->sent, x->send_n, x->received,
			 x->recv_n);
	else if (x->timed_out)
		snprintf(buf, size,
			 "%s after %llu ms: sent %zu/%zu recv %zu/%zu, %d bytes still in the output queue",
			 x->stalled ? "stalled (nothing moved)" : "timeout",
			 (unsigned long long)x->elapsed_ms, x->sent, x->send_n,
			 x->received, x->recv_n, x->outq);
	else
		snprintf(buf, size,
			 "ok: sent %zu recv %zu in %llu ms (tx crc %08x rx crc %08x)",
			 x->sent, x->received,
			 (unsigned long long)x->elapsed_ms, x->tx_crc, x->rx_crc);
}

int tt_host_xfer(struct tt_ctl *c, int fd, const char *chan,
		 size_t h2g, uint32_t h2g_seed, size_t g2h, uint32_t g2h_seed,
		 int tmo_s, char *msg, size_t msgsize)
{
	struct tt_xfer x = {
		.send_n = g2h, .send_seed = g2h_seed,
		.recv_n = h2g, .recv_seed = h2g_seed,
		.tmo_ms = tmo_s * 1000, .drain = true,
	};
	struct tt_wait_res w;
	char reply[512], desc[256], step[64];
	int r, engine;

	snprintf(step, sizeof(step), "FLUSH %s", chan);
	r = tt_ctl_cmd(c, reply, sizeof(reply), 10000, "%s", step);
	if (r == 1) {
		tcflush(fd, TCIFLUSH);
		strcpy(step, "RECV");
		if (g2h)
			r = tt_ctl_cmd(c, reply, sizeof(reply), 10000, "RECV %s %zu %u %d",
				       chan, g2h, g2h_seed, tmo_s);
	}
	if (r == 1 && h2g) {
		strcpy(step, "SEND");
		r = tt_ctl_cmd(c, reply, sizeof(reply), 10000, "SEND %s %zu %u",
			       chan, h2g, h2g_seed);
	}
	if (r != 1) {
		snprintf(msg, msgsize, "%s: %s", step, r < 0 ? strerror(-r) : reply);
		return -1;
	}
	engine = tt_xfer_run(fd, &x);
	tt_xfer_describe(&x, desc, sizeof(desc));
	r = tt_ctl_wait(c, chan, engine ? 5 : 60, &w);
	if (r) {
		snprintf(msg, msgsize, "guest: %s; WAIT failed: %s", desc,
			 strerror(-r));
		return -1;
	}
	if (engine || !w.ok || (h2g && w.sent != (long)h2g) ||
	    (g2h && w.recv != (long)g2h)) {
		if (w.mismatch)
			snprintf(msg, msgsize,
				 "guest: %s; host: mismatch at=%ld got=%ld want=%ld",
				 desc, w.at, w.got, w.want);
		else
			snprintf(msg, msgsize,
				 "guest: %s; host: %s sent=%ld recv=%ld",
				 desc, w.ok ? "OK" : w.timeout ? "timeout" : "ERR",
				 w.sent, w.recv);
		return -1;
	}
	snprintf(msg, msgsize, "%s; host sent=%ld recv=%ld", desc, w.sent,
		 w.recv);
	return 0;
}
