/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by ttydpc_fuzz and ttydpc_stress: time, a raw tty setup
 * done with the kernel's own termios ioctls (so that TCSETS2/BOTHER are at
 * hand), and a checked both-ways transfer between two ports wired to each
 * other. The stream of selftests/README and CRC-32 are the selftests
 * library's (selftests/ttydpc/ttydpc_lib.c, linked in by the Makefile).
 *
 * Everything here is static: each program is one translation unit plus this
 * and the library.
 */
#ifndef TTYDPC_DBG_COMMON_H
#define TTYDPC_DBG_COMMON_H

#include <asm/termbits.h>
#include <linux/serial.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "uapi/ttydpc.h"
/* the selftests library: stream (tt_stream_*), tt_crc32(), tt_now_ms(), files */
#include "ttydpc_test.h"

#ifndef sigev_notify_thread_id
#define sigev_notify_thread_id _sigev_un._tid
#endif

/* A SIGALRM timer of the thread that made it (SIGEV_THREAD_ID). */
struct dbg_alarm {
	timer_t timer;
	bool ok;
	pid_t tid;
};

static inline void dbg_alarm_init(struct dbg_alarm *a)
{
	struct sigevent sev;

	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_THREAD_ID;
	sev.sigev_signo = SIGALRM;
	a->tid = (pid_t)syscall(SYS_gettid);
	sev.sigev_notify_thread_id = a->tid;
	a->ok = !timer_create(CLOCK_MONOTONIC, &sev, &a->timer);
}

/*
 * SIGALRM after ms, then every every_ms until disarmed (a signal that lands
 * just before the call blocks is not lost); ms 0 disarms.
 */
static inline void dbg_alarm(struct dbg_alarm *a, unsigned int ms, unsigned int every_ms)
{
	struct itimerspec its = {
		.it_value = { ms / 1000, (long)(ms % 1000) * 1000000 },
		.it_interval = { every_ms / 1000, (long)(every_ms % 1000) * 1000000 },
	};

	if (a->ok)
		timer_settime(a->timer, 0, &its, NULL);
}

static inline void dbg_sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/*
 * Raw 8N1 at B115200 with CLOCAL|CREAD, VMIN=1 VTIME=0, no flow control,
 * nothing in iflag/oflag/lflag. Returns 0 or -errno.
 */
static inline int dbg_set_raw(int fd)
{
	struct termios2 t;

	memset(&t, 0, sizeof(t));
	t.c_cflag = B115200 | CS8 | CREAD | CLOCAL;
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	t.c_cc[VSTART] = 0x11;
	t.c_cc[VSTOP] = 0x13;
	t.c_ispeed = t.c_ospeed = 115200;
	return ioctl(fd, TCSETS2, &t) ? -errno : 0;
}

/* Open a port non-blocking, raw (above), both queues flushed. fd or -errno. */
static inline int dbg_open_raw(const char *dev)
{
	int fd = open(dev, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	int ret;

	if (fd < 0)
		return -errno;
	ret = dbg_set_raw(fd);
	if (ret) {
		close(fd);
		return ret;
	}
	ioctl(fd, TCFLSH, TCIOFLUSH);
	return fd;
}

/* Read and drop input until nothing arrived for quiet_ms (at most max_ms). */
static inline void dbg_drain_input(int fd, int quiet_ms, int max_ms)
{
	uint64_t end = tt_now_ms() + max_ms;
	char buf[4096];
	struct pollfd p = { .fd = fd, .events = POLLIN };

	while (tt_now_ms() < end) {
		if (poll(&p, 1, quiet_ms) <= 0)
			return;
		if (read(fd, buf, sizeof(buf)) <= 0 && errno != EAGAIN && errno != EINTR)
			return;
	}
}

/* One direction of a both-ways transfer. */
struct dbg_dir {
	int wfd, rfd;
	struct tt_stream tx, rx;
	size_t goal;			/* bytes to move: n, or what was sent in time */
	size_t sent, recvd;
	uint32_t tx_crc, rx_crc;
	bool mismatch;
	size_t bad_at;
	uint8_t got, want;
};

/* Outcome of dbg_pair_xfer(). */
struct dbg_xfer_res {
	struct dbg_dir d[2];		/* [0] A->B, [1] B->A */
	uint64_t elapsed_ms;
	bool stalled, timed_out;
	int err;			/* errno of a failed read/write/poll */
	const char *err_what;
};

/*
 * Move n bytes A->B (stream seed) and n bytes B->A (stream seed + 1) at
 * once on two non-blocking fds, checking every byte. send_ms > 0 bounds the
 * transfer by time instead (n may then be SIZE_MAX): after send_ms no new
 * data is written (a block already started is finished), and each
 * direction then has to deliver exactly what it sent. Gives up after
 * tmo_ms, or after stall_ms without any byte moving. progress_mib > 0
 * prints a "# " line every that many MiB moved (both ways counted).
 * Returns 0 when everything sent arrived intact (d[i].goal bytes).
 */
static inline int dbg_pair_xfer_for(int fa, int fb, size_t n, int send_ms, uint32_t seed,
				    int tmo_ms, int stall_ms, unsigned int progress_mib,
				    struct dbg_xfer_res *r)
{
	static uint8_t wbuf[2][4096], rbuf[4096], want[4096];
	uint64_t t0 = tt_now_ms(), last = t0, now;
	size_t wlen[2] = { 0, 0 }, woff[2] = { 0, 0 };
	uint64_t next_report = (uint64_t)progress_mib << 20;
	int i;

	memset(r, 0, sizeof(*r));
	r->d[0].wfd = fa;
	r->d[0].rfd = fb;
	r->d[1].wfd = fb;
	r->d[1].rfd = fa;
	for (i = 0; i < 2; i++) {
		tt_stream_init(&r->d[i].tx, seed + i);
		tt_stream_init(&r->d[i].rx, seed + i);
		r->d[i].goal = n;
	}
	for (;;) {
		struct pollfd p[2] = { { .fd = fa }, { .fd = fb } };
		bool done = true;

		now = tt_now_ms();
		if (send_ms > 0 && (int)(now - t0) >= send_ms)
			for (i = 0; i < 2; i++)
				r->d[i].goal = r->d[i].sent;	/* no new block */
		for (i = 0; i < 2; i++) {
			struct dbg_dir *d = &r->d[i];

			if (d->recvd < d->goal)
				done = false;
			if (d->sent < d->goal || wlen[i] > woff[i])
				p[i].events |= POLLOUT;	/* fd i writes direction i */
			if (d->recvd < d->goal)
				p[!i].events |= POLLIN;	/* the other fd reads it */
		}
		if (done)
			break;
		if ((int)(now - t0) > tmo_ms) {
			r->timed_out = true;
			break;
		}
		if (stall_ms > 0 && (int)(now - last) > stall_ms) {
			r->stalled = true;
			break;
		}
		if (poll(p, 2, 200) < 0) {
			if (errno == EINTR)
				continue;
			r->err = errno;
			r->err_what = "poll";
			break;
		}
		for (i = 0; i < 2; i++) {
			struct dbg_dir *d = &r->d[i];
			ssize_t k;
			size_t j;

			/* writing direction i on fd i */
			if (p[i].revents & (POLLOUT | POLLERR | POLLHUP)) {
				if (woff[i] == wlen[i] && d->sent < d->goal) {
					size_t m = d->goal - d->sent;

					if (m > sizeof(wbuf[i]))
						m = sizeof(wbuf[i]);
					tt_stream_fill(&d->tx, wbuf[i], m);
					d->tx_crc = tt_crc32(d->tx_crc, wbuf[i], m);
					wlen[i] = m;
					woff[i] = 0;
					d->sent += m;
				}
				if (woff[i] < wlen[i]) {
					k = write(d->wfd, wbuf[i] + woff[i], wlen[i] - woff[i]);
					if (k > 0) {
						woff[i] += k;
						last = tt_now_ms();
					} else if (k < 0 && errno != EAGAIN && errno != EINTR) {
						r->err = errno;
						r->err_what = i ? "write B" : "write A";
						goto out;
					}
				}
			}
			/* reading direction i on the other fd */
			if (p[!i].revents & (POLLIN | POLLERR | POLLHUP)) {
				size_t m = d->goal - d->recvd;

				if (!m)
					continue;
				if (m > sizeof(rbuf))
					m = sizeof(rbuf);
				k = read(d->rfd, rbuf, m);
				if (k < 0) {
					if (errno == EAGAIN || errno == EINTR)
						continue;
					r->err = errno;
					r->err_what = i ? "read A" : "read B";
					goto out;
				}
				if (k == 0) {
					r->err = EIO;
					r->err_what = i ? "read A (EOF)" : "read B (EOF)";
					goto out;
				}
				tt_stream_fill(&d->rx, want, k);
				for (j = 0; j < (size_t)k; j++) {
					if (rbuf[j] != want[j]) {
						d->mismatch = true;
						d->bad_at = d->recvd + j;
						d->got = rbuf[j];
						d->want = want[j];
						goto out;
					}
				}
				d->rx_crc = tt_crc32(d->rx_crc, rbuf, k);
				d->recvd += k;
				last = tt_now_ms();
			}
		}
		if (progress_mib && r->d[0].recvd + r->d[1].recvd >= next_report) {
			uint64_t el = tt_now_ms() - t0;

			printf("# %zu KiB A->B, %zu KiB B->A in %.1f s (%.1f KiB/s both ways)\n",
			       r->d[0].recvd >> 10, r->d[1].recvd >> 10, el / 1000.0,
			       (r->d[0].recvd + r->d[1].recvd) / 1024.0 / (el ? el / 1000.0 : 1));
			fflush(stdout);
			next_report += (uint64_t)progress_mib << 20;
		}
	}
out:
	r->elapsed_ms = tt_now_ms() - t0;
	for (i = 0; i < 2; i++)
		if (r->d[i].recvd != r->d[i].goal || r->d[i].mismatch ||
		    r->d[i].tx_crc != r->d[i].rx_crc)
			return -1;
	return r->err ? -1 : 0;
}

/* dbg_pair_xfer_for() with n bytes each way and no time bound. */
static inline int dbg_pair_xfer(int fa, int fb, size_t n, uint32_t seed, int tmo_ms,
				int stall_ms, unsigned int progress_mib,
				struct dbg_xfer_res *r)
{
	return dbg_pair_xfer_for(fa, fb, n, 0, seed, tmo_ms, stall_ms, progress_mib, r);
}

static inline void dbg_xfer_describe(const struct dbg_xfer_res *r, size_t n, char *buf,
				     size_t size)
{
	int o = 0, i;

	for (i = 0; i < 2; i++) {
		const struct dbg_dir *d = &r->d[i];

		o += snprintf(buf + o, size - o, "%s %zu/%zu bytes, crc sent %08x got %08x",
			      i ? "; B->A" : "A->B", d->recvd, d->goal == SIZE_MAX ? n : d->goal,
			      d->tx_crc, d->rx_crc);
		if (d->mismatch)
			o += snprintf(buf + o, size - o, " MISMATCH at %zu got 0x%02x want 0x%02x",
				      d->bad_at, d->got, d->want);
		if ((size_t)o >= size)
			return;
	}
	o += snprintf(buf + o, size - o, "; %.1f s", r->elapsed_ms / 1000.0);
	if (r->timed_out && (size_t)o < size)
		o += snprintf(buf + o, size - o, "; TIMEOUT");
	if (r->stalled && (size_t)o < size)
		o += snprintf(buf + o, size - o, "; STALLED");
	if (r->err && (size_t)o < size)
		snprintf(buf + o, size - o, "; %s: %s", r->err_what, strerror(r->err));
}

/* An event file (/dev/ttydpc) attached to the tty fd: the fd, or -errno. */
static inline int dbg_event_open(int ttyfd, int flags)
{
	int32_t t = ttyfd;
	int efd = open(TTYDPC_EVENT_DEV, O_RDWR | O_CLOEXEC | flags);
	int e;

	if (efd < 0)
		return -errno;
	if (ioctl(efd, TTYDPC_IOC_ATTACH, &t)) {
		e = errno;
		close(efd);
		return -e;
	}
	return efd;
}

/*
 * Print what a port says about itself, for a transfer that stalled: queue
 * lengths (TIOCOUTQ, FIONREAD), ttydpc's comm status (hold reasons, driver
 * queues, latched errors), TIOCGICOUNT, modem lines and the debugfs stats.
 */
static inline void dbg_port_state(int fd, const char *dev)
{
	struct ttydpc_comm_status cs = { .version = 1 };
	struct serial_icounter_struct ic;
	int outq = -1, inq = -1, mctrl = -1;
	char path[256], buf[4096];
	int efd, r;

	ioctl(fd, TIOCOUTQ, &outq);
	ioctl(fd, FIONREAD, &inq);
	ioctl(fd, TIOCMGET, &mctrl);
	printf("# %s: TIOCOUTQ %d, FIONREAD %d, modem lines 0x%x\n", dev, outq, inq, mctrl);
	efd = dbg_event_open(fd, 0);
	r = efd < 0 ? efd : ioctl(efd, TTYDPC_IOC_COMMSTATUS, &cs) ? -errno : 0;
	if (efd >= 0)
		close(efd);
	if (!r)
		printf("# %s: comm status: hold 0x%x (CTS 1, XOFF 2, RX held 4, break 8), "
		       "in_queue %u, out_queue %u, errors 0x%x\n",
		       dev, cs.hold, cs.in_queue, cs.out_queue, cs.errors);
	else
		printf("# %s: TTYDPC_IOC_COMMSTATUS: %s\n", dev, strerror(-r));
	if (!ioctl(fd, TIOCGICOUNT, &ic))
		printf("# %s: icount rx %d tx %d frame %d overrun %d parity %d brk %d buf_overrun %d\n",
		       dev, ic.rx, ic.tx, ic.frame, ic.overrun, ic.parity, ic.brk, ic.buf_overrun);
	snprintf(path, sizeof(path), "/sys/kernel/debug/ttydpc/%s/stats", tt_basename(dev));
	if (tt_read_file(path, buf, sizeof(buf)) > 0) {
		char *line, *save = NULL;

		printf("# %s:", path);
		for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
			printf(" %s;", line);
		printf("\n");
	}
	fflush(stdout);
}

#endif /* TTYDPC_DBG_COMMON_H */
