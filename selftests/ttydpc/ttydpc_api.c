// SPDX-License-Identifier: GPL-2.0
/*
 * ttydpc selftests: user API and debugfs helpers. See ttydpc_api.h.
 */
#include <ctype.h>
#include <fcntl.h>
#include <poll.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "ttydpc_api.h"
#include "ttydpc_test.h"

/* ---- the event file --------------------------------------------------- */

int ta_attach(int efd, int ttyfd)
{
	int32_t fd = ttyfd;

	return ioctl(efd, TTYDPC_IOC_ATTACH, &fd) ? -errno : 0;
}

int ta_event_open_flags(int ttyfd, int flags)
{
	int efd = open(TTYDPC_EVENT_DEV, O_RDWR | O_CLOEXEC | flags);
	int r;

	if (efd < 0)
		return -errno;
	r = ta_attach(efd, ttyfd);
	if (r) {
		close(efd);
		return r;
	}
	return efd;
}

int ta_event_open(int ttyfd)
{
	return ta_event_open_flags(ttyfd, 0);
}


int ta_set_mask(int fd, uint32_t mask, uint8_t event_char)
{
	struct ttydpc_wait_mask m = {
		.version = 1, .mask = mask, .event_char = event_char,
	};

	return ioctl(fd, TTYDPC_IOC_SET_MASK, &m) ? -errno : 0;
}

int ta_get_mask(int fd, uint32_t *mask, uint8_t *event_char)
{
	struct ttydpc_wait_mask m = { .version = 1 };

	if (ioctl(fd, TTYDPC_IOC_GET_MASK, &m))
		return -errno;
	if (mask)
		*mask = m.mask;
	if (event_char)
		*event_char = m.event_char;
	return 0;
}

int ta_wait(int efd, uint32_t *events)
{
	struct ttydpc_event ev = { .version = 0 };
	ssize_t n = read(efd, &ev, sizeof(ev));

	if (n < 0)
		return -errno;
	if (n != sizeof(ev) || ev.version != 1)
		return -EPROTO;
	if (events)
		*events = ev.events;
	return 0;
}

int ta_purge(int fd, uint32_t flags)
{
	return ioctl(fd, TTYDPC_IOC_PURGE, &flags) ? -errno : 0;
}

int ta_get_stats(int fd, struct ttydpc_stats_user *s)
{
	memset(s, 0, sizeof(*s));
	s->version = 1;
	return ioctl(fd, TTYDPC_IOC_GET_STATS, s) ? -errno : 0;
}

int ta_clear_stats(int fd)
{
	return ioctl(fd, TTYDPC_IOC_CLEAR_STATS) ? -errno : 0;
}

int ta_commstatus(int fd, struct ttydpc_comm_status *cs)
{
	memset(cs, 0, sizeof(*cs));
	cs->version = 1;
	return ioctl(fd, TTYDPC_IOC_COMMSTATUS, cs) ? -errno : 0;
}

int ta_wait_hold(int efd, uint32_t bit, bool set, int ms, struct ttydpc_comm_status *cs)
{
	int r;

	if (!TT_POLL((r = ta_commstatus(efd, cs)) || !!(cs->hold & bit) == set, ms, 2000))
		return -ETIMEDOUT;
	return r;
}

void ta_port_restore(int ttyfd, int efd, struct tt_ctl *ctl, const char *chan)
{
	struct termios t;

	if (efd >= 0)
		ta_set_mask(efd, 0, 0);
	if (ttyfd >= 0) {
		if (!tcgetattr(ttyfd, &t)) {
			t.c_cflag &= ~CRTSCTS;
			tcsetattr(ttyfd, TCSANOW, &t);
		}
		tcflow(ttyfd, TCOON);
		ioctl(ttyfd, TIOCCBRK);
		ta_mbis(ttyfd, TIOCM_RTS | TIOCM_DTR | TIOCM_OUT2);
	}
	if (efd >= 0) {
		ta_purge(efd, TTYDPC_PURGE_TXCLEAR | TTYDPC_PURGE_RXCLEAR);
		close(efd);
	}
	if (ttyfd >= 0) {
		ta_mbic(ttyfd, TIOCM_LOOP | TIOCM_OUT1);
		tcflush(ttyfd, TCIOFLUSH);
		close(ttyfd);
	}
	if (ctl && ctl->fd >= 0 && chan) {
		tt_ctl_cmd(ctl, NULL, 0, 10000, "RESUME %s", chan);
		tt_ctl_cmd(ctl, NULL, 0, 10000, "FLUSH %s", chan);
	}
}

/* ---- names ------------------------------------------------------------ */

const struct ta_name ta_ev_names[] = {
	{ TTYDPC_EV_RXCHAR, "rxchar" }, { TTYDPC_EV_RXFLAG, "rxflag" },
	{ TTYDPC_EV_TXEMPTY, "txempty" }, { TTYDPC_EV_CTS, "cts" },
	{ TTYDPC_EV_DSR, "dsr" }, { TTYDPC_EV_RLSD, "rlsd" },
	{ TTYDPC_EV_BREAK, "break" }, { TTYDPC_EV_ERR, "err" },
	{ TTYDPC_EV_RING, "ring" }, { TTYDPC_EV_RX80FULL, "rx80full" },
	{ 0, NULL }
};

const struct ta_name ta_purge_names[] = {
	{ TTYDPC_PURGE_TXABORT, "txabort" }, { TTYDPC_PURGE_RXABORT, "rxabort" },
	{ TTYDPC_PURGE_TXCLEAR, "txclear" }, { TTYDPC_PURGE_RXCLEAR, "rxclear" },
	{ 0, NULL }
};

const struct ta_name ta_err_names[] = {
	{ TTYDPC_ERR_FRAME, "frame" }, { TTYDPC_ERR_OVERRUN, "overrun" },
	{ TTYDPC_ERR_RXOVER, "rxover" }, { TTYDPC_ERR_PARITY, "parity" },
	{ TTYDPC_ERR_BREAK, "break" },
	{ 0, NULL }
};

const struct ta_name ta_hold_names[] = {
	{ TTYDPC_HOLD_CTS, "cts" }, { TTYDPC_HOLD_XOFF, "xoff" },
	{ TTYDPC_HOLD_RX, "rx" }, { TTYDPC_HOLD_BREAK, "break" },
	{ 0, NULL }
};

const struct ta_name ta_mctrl_names[] = {
	{ TIOCM_RTS, "rts" }, { TIOCM_DTR, "dtr" }, { TIOCM_OUT1, "out1" },
	{ TIOCM_OUT2, "out2" }, { TIOCM_LOOP, "loop" }, { TIOCM_CTS, "cts" },
	{ TIOCM_DSR, "dsr" }, { TIOCM_CD, "cd" }, { TIOCM_RI, "ri" },
	{ 0, NULL }
};

void ta_format_bits(char *buf, size_t size, uint32_t v,
		    const struct ta_name *names)
{
	size_t len = 0;

	if (!size)
		return;
	buf[0] = 0;
	if (!v) {
		snprintf(buf, size, "0");
		return;
	}
	for (const struct ta_name *n = names; n->name; n++) {
		if (!(v & n->bit))
			continue;
		v &= ~n->bit;
		len += snprintf(buf + len, len < size ? size - len : 0, "%s", len ? "|" : "");
		for (const char *c = n->name; *c && len + 1 < size; c++)
			buf[len++] = toupper((unsigned char)*c);
		if (len < size)
			buf[len] = 0;
	}
	if (v && len < size)
		snprintf(buf + len, size - len, "%s0x%x", len ? "|" : "", v);
}

int ta_parse_bit(const char *word, const struct ta_name *names, uint32_t *bit)
{
	char *end;
	unsigned long v;

	for (const struct ta_name *n = names; n->name; n++) {
		if (!strcasecmp(word, n->name)) {
			*bit = n->bit;
			return 0;
		}
	}
	if (!strcasecmp(word, "all")) {
		*bit = 0;
		for (const struct ta_name *n = names; n->name; n++)
			*bit |= n->bit;
		return 0;
	}
	errno = 0;
	v = strtoul(word, &end, 0);
	if (errno || end == word || *end || v > 0xffffffffUL)
		return -EINVAL;
	*bit = v;
	return 0;
}

const char *ta_errno_name(int err)
{
	static const struct { int e; const char *n; } tab[] = {
		{ 0, "0" }, { EINTR, "EINTR" }, { EIO, "EIO" },
		{ ECANCELED, "ECANCELED" }, { EINVAL, "EINVAL" },
		{ EFAULT, "EFAULT" }, { ENOTTY, "ENOTTY" }, { ENOMEM, "ENOMEM" },
		{ ENODEV, "ENODEV" }, { ENOENT, "ENOENT" }, { EAGAIN, "EAGAIN" },
		{ ETIMEDOUT, "ETIMEDOUT" }, { EBUSY, "EBUSY" }, { ENXIO, "ENXIO" },
		{ EPERM, "EPERM" }, { EACCES, "EACCES" }, { EBADF, "EBADF" },
		{ ENOTCONN, "ENOTCONN" }, { EPROTO, "EPROTO" },
	};

	if (err < 0)
		err = -err;
	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (tab[i].e == err)
			return tab[i].n;
	return "E?";
}

/* ---- modem control ---------------------------------------------------- */

int ta_mbis(int fd, int bits)
{
	return ioctl(fd, TIOCMBIS, &bits) ? -errno : 0;
}

int ta_mbic(int fd, int bits)
{
	return ioctl(fd, TIOCMBIC, &bits) ? -errno : 0;
}

int ta_mget(int fd)
{
	int v;

	return ioctl(fd, TIOCMGET, &v) ? -errno : v;
}

/* ---- debugfs ---------------------------------------------------------- */

void ta_dbg_path(const char *port, char *buf, size_t size)
{
	snprintf(buf, size, "/sys/kernel/debug/ttydpc/%s/stats", tt_basename(port));
}

bool ta_dbg_available(const char *port)
{
	char path[256];

	tt_debugfs_ready();
	ta_dbg_path(port, path, sizeof(path));
	return access(path, R_OK) == 0;
}

int ta_dbg_read(const char *port, struct ta_dbg *d)
{
	char path[256];
	ssize_t r;

	ta_dbg_path(port, path, sizeof(path));
	r = tt_read_file(path, d->text, sizeof(d->text));
	if (r < 0) {
		d->text[0] = 0;
		return (int)r;
	}
	return 0;
}

long long ta_dbg_get(const struct ta_dbg *d, const char *key)
{
	unsigned long long v;

	if (tt_stats_parse(d->text, key, &v))
		return -1;
	return (long long)v;
}

long long ta_dbg_getf(const struct ta_dbg *d, const char *fmt, ...)
{
	char key[128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(key, sizeof(key), fmt, ap);
	va_end(ap);
	return ta_dbg_get(d, key);
}

int ta_dbg_str(const struct ta_dbg *d, const char *key, char *out, size_t size)
{
	size_t klen = strlen(key);
	const char *p = d->text;

	while (p && *p) {
		if (!strncmp(p, key, klen) && p[klen] == ' ') {
			size_t n = 0;

			p += klen + 1;
			while (p[n] && p[n] != '\n' && n + 1 < size) {
				out[n] = p[n];
				n++;
			}
			out[n] = 0;
			return 0;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return -ENOENT;
}

int ta_dbg_wait_ge(const char *port, const char *key, long long val, int tmo_ms)
{
	static struct ta_dbg d;

	return TT_POLL(ta_dbg_read(port, &d) == 0 && ta_dbg_get(&d, key) >= val,
		       tmo_ms, 5000) ? 0 : -ETIMEDOUT;
}

const char *const ta_dpc_names[TA_NR_DPCS] = {
	"dpc_for_isr", "read", "write", "error", "modem", "purge", "timer",
};

const char *const ta_cause_names[TA_NR_CAUSES] = {
	"rx", "tx", "error", "modem", "purge", "timer",
};

const char *const ta_design_names[TA_NR_DESIGNS] = { "isr", "custom", "both" };

int ta_design_index(const char *name)
{
	for (int i = 0; name && i < TA_NR_DESIGNS; i++)
		if (!strcmp(name, ta_design_names[i]))
			return i;
	return -1;
}

int ta_design_obj(int design, int cause)
{
	switch (design) {
	case TA_DESIGN_ISR:
		return TA_DPC_FOR_ISR;
	case TA_DESIGN_CUSTOM:
		return TA_DPC_READ + cause;
	case TA_DESIGN_BOTH:
		return cause <= TA_CAUSE_TX ? TA_DPC_FOR_ISR : TA_DPC_READ + cause;
	}
	return -1;
}

int ta_wait_waiters(const char *port, int n, int tmo_ms)
{
	static struct ta_dbg d;

	if (!ta_dbg_available(port)) {
		usleep(300000);
		return 0;
	}
	return TT_POLL(ta_dbg_read(port, &d) == 0 && ta_dbg_get(&d, "queue_wait_pending") == n,
		       tmo_ms, 2000) ? 0 : -ETIMEDOUT;
}

/* ---- waiter thread ---------------------------------------------------- */

static void ta_nop(int sig)
{
	(void)sig;
}

void ta_install_nop_handlers(void)
{
	struct sigaction sa = { .sa_handler = ta_nop };	/* no SA_RESTART */

	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
}

static void *ta_waiter_fn(void *arg)
{
	struct ta_waiter *w = arg;

	w->ret = ta_wait(w->efd, &w->events);
	/* closed before done is set: a joined waiter holds no file */
	if (w->own_efd)
		close(w->efd);
	__atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

int ta_waiter_start_efd(struct ta_waiter *w, int efd)
{
	int r;

	ta_install_nop_handlers();
	memset(w, 0, sizeof(*w));
	w->efd = efd;
	w->ret = -EINPROGRESS;
	r = pthread_create(&w->th, NULL, ta_waiter_fn, w);
	if (r)
		return -r;
	w->started = true;
	return 0;
}

int ta_waiter_start(struct ta_waiter *w, int ttyfd)
{
	int efd = ta_event_open(ttyfd);
	int r;

	if (efd < 0)
		return efd;
	r = ta_waiter_start_efd(w, efd);
	if (r) {
		close(efd);
		return r;
	}
	w->own_efd = true;
	return 0;
}

bool ta_waiter_join(struct ta_waiter *w, int tmo_ms)
{
	if (!w->started)
		return true;
	if (!TT_POLL(__atomic_load_n(&w->done, __ATOMIC_ACQUIRE), tmo_ms, 1000))
		return false;
	pthread_join(w->th, NULL);
	w->started = false;
	return true;
}

void ta_waiter_kill(struct ta_waiter *w)
{
	while (w->started && !ta_waiter_join(w, 100))
		pthread_kill(w->th, SIGUSR2);
}

bool ta_join_or_kill(struct ta_waiter *w, int tmo_ms)
{
	if (ta_waiter_join(w, tmo_ms))
		return true;
	ta_waiter_kill(w);
	return false;
}

/* ---- loopback flood --------------------------------------------------- */

long ta_flood(int fd, size_t limit, int tmo_ms, bool (*stop)(int fd, void *arg),
	      void *arg)
{
	static uint8_t buf[4096];
	uint64_t end = tt_now_ms() + tmo_ms;
	size_t total = 0;

	memset(buf, 0x5a, sizeof(buf));
	while (total < limit && !(stop && stop(fd, arg)) && tt_now_ms() < end) {
		struct pollfd p = { .fd = fd, .events = POLLOUT };
		ssize_t n;

		if (poll(&p, 1, 100) <= 0)
			continue;
		n = write(fd, buf, sizeof(buf));
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			return -errno;
		if (n > 0)
			total += n;
	}
	return total;
}

bool ta_stop_waiter_done(int fd, void *arg)
{
	struct ta_waiter *w = arg;

	(void)fd;
	return __atomic_load_n(&w->done, __ATOMIC_ACQUIRE);
}

bool ta_stop_rx_held(int fd, void *arg)
{
	struct ttydpc_comm_status cs;

	(void)fd;
	return ta_commstatus(*(int *)arg, &cs) == 0 && (cs.hold & TTYDPC_HOLD_RX);
}

bool ta_stop_rx_held_full(int fd, void *arg)
{
	struct ta_held_full *h = arg;
	struct ttydpc_comm_status cs;
	struct ttydpc_stats_user s;
	uint64_t now = tt_now_ms();

	(void)fd;
	if (ta_commstatus(h->efd, &cs) || ta_get_stats(h->efd, &s))
		return false;
	/* a release needs bytes handed over ('received' moves), or a purge */
	if (!(cs.hold & TTYDPC_HOLD_RX) || !h->since || s.received != h->received) {
		h->since = (cs.hold & TTYDPC_HOLD_RX) ? now : 0;
		h->received = s.received;
		return false;
	}
	return now - h->since >= TA_HELD_FULL_MS;
}
