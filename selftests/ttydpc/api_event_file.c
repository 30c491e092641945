// SPDX-License-Identifier: GPL-2.0
/*
 * api_event_file: the event file itself (/dev/ttydpc, include/uapi/ttydpc.h,
 * Documentation/ttydpc/uapi.rst) on TTYDPC_PORT: what api_wait, api_purge
 * and api_stats take for granted.
 *
 *  - ATTACH: EBADF, EINVAL (/dev/null, a pipe, ttyS0), EFAULT, EBUSY;
 *    ENOTCONN before it, ENOTTY for unknown numbers; the tty itself no
 *    longer answers the TTYDPC_IOC_* numbers (ENOTTY);
 *  - poll, epoll and select: nothing readable while nothing happened, the
 *    efd readable once a looped-back byte ended the wait, read() returns
 *    RXCHAR; EPOLLERR when a read would fail at once;
 *  - O_NONBLOCK: EAGAIN while no wait has ended;
 *  - SET_MASK through another event file ends a poll-armed wait (0);
 *  - a signal ends a blocking read (EINTR) and the wait stays pending: the
 *    event that comes afterwards is returned by the next read; under
 *    SA_RESTART the read goes on;
 *  - a blocked read holds nothing the tty needs: tcsetattr, TIOCMSET and
 *    close of a tty fd return at once (the reason for the event file);
 *  - the last close of the tty ends a blocked read with EIO, and later
 *    calls give EIO.
 * This file is built as a 32-bit program too (api_event_file32).
 */
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <termios.h>

#include "ttydpc_harness.h"
#include "ttydpc_api_fixture.h"

#define QUICK_MS 1000u	/* a tty call next to a blocked read */

TA_API_FIXTURE(evf)

/* Readiness of efd within ms, poll(2) bits (0: none, -errno). */
static int poll_in(int efd, int ms)
{
	struct pollfd p = { .fd = efd, .events = POLLIN | POLLRDNORM };
	int r = poll(&p, 1, ms);

	if (r < 0)
		return -errno;
	return r ? p.revents : 0;
}

/* Loopback with RTS up, the mask CTS: dropping RTS is one CTS event. */
static void cts_ready(struct __test_metadata *_metadata, FIXTURE_DATA(evf) *self)
{
	ta_loop_on(_metadata, self->fd);
	ASSERT_EQ(0, ta_mbis(self->fd, TIOCM_RTS));
	usleep(20000);
	ASSERT_EQ(0, ta_set_mask(self->efd, TTYDPC_EV_CTS, 0));
}

/* ---- attach ----------------------------------------------------------- */

TEST_F(evf, attach_errors)
{
	struct ttydpc_stats_user s;
	struct ttydpc_comm_status cs;
	struct ttydpc_event ev;
	int efd, other, pfd[2], v = 0;

	efd = open(TTYDPC_EVENT_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, efd) TH_LOG("%s: %s", TTYDPC_EVENT_DEV, strerror(errno));
	/* not attached: every call but ATTACH is ENOTCONN, unknown ones ENOTTY */
	EXPECT_EQ(-ENOTCONN, ta_set_mask(efd, TTYDPC_EV_CTS, 0));
	EXPECT_EQ(-ENOTCONN, ta_get_mask(efd, NULL, NULL));
	EXPECT_EQ(-ENOTCONN, ta_purge(efd, TTYDPC_PURGE_RXCLEAR));
	EXPECT_EQ(-ENOTCONN, ta_get_stats(efd, &s));
	EXPECT_EQ(-ENOTCONN, ta_clear_stats(efd));
	EXPECT_EQ(-ENOTCONN, ta_commstatus(efd, &cs));
	TT_EXPECT_ERRNO(ENOTCONN, read(efd, &ev, sizeof(ev)))
		TH_LOG("read before ATTACH: %s", strerror(errno));
	/* not a call at all: unknown, attached or not (uapi.rst) */
	TT_EXPECT_ERRNO(ENOTTY, ioctl(efd, _IOWR(TTYDPC_IOC_MAGIC, 0x4f, int), &v))
		TH_LOG("unknown ttydpc number before ATTACH: %s", strerror(errno));
	TT_EXPECT_ERRNO(ENOTTY, ioctl(efd, _IOR('Q', 0x01, int), &v))
		TH_LOG("foreign number before ATTACH: %s", strerror(errno));

	EXPECT_EQ(-EBADF, ta_attach(efd, -1));
	other = dup(self->fd);
	ASSERT_LE(0, other);
	close(other);
	EXPECT_EQ(-EBADF, ta_attach(efd, other)) TH_LOG("a closed fd number");
	other = open("/dev/null", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, other);
	EXPECT_EQ(-EINVAL, ta_attach(efd, other)) TH_LOG("/dev/null");
	close(other);
	ASSERT_EQ(0, pipe(pfd));
	EXPECT_EQ(-EINVAL, ta_attach(efd, pfd[0])) TH_LOG("a pipe");
	close(pfd[0]);
	close(pfd[1]);
	/* another serial driver's tty (8250's ttyS0, when the guest has it) */
	other = open("/dev/ttyS0", O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (other >= 0) {
		EXPECT_EQ(-EINVAL, ta_attach(efd, other)) TH_LOG("/dev/ttyS0");
		close(other);
	}
	/* an event file is not a ttyDPC either */
	EXPECT_EQ(-EINVAL, ta_attach(efd, self->efd));
	TT_EXPECT_ERRNO(EFAULT, ioctl(efd, TTYDPC_IOC_ATTACH, NULL));
	/* none of that attached it */
	EXPECT_EQ(-ENOTCONN, ta_get_mask(efd, NULL, NULL));

	ASSERT_EQ(0, ta_attach(efd, self->fd));
	EXPECT_EQ(-EBUSY, ta_attach(efd, self->fd));
	EXPECT_EQ(0, ta_get_mask(efd, NULL, NULL));
	TT_EXPECT_ERRNO(ENOTTY, ioctl(efd, _IOWR(TTYDPC_IOC_MAGIC, 0x4f, int), &v));
	/* the fixture's file is attached already */
	EXPECT_EQ(-EBUSY, ta_attach(self->efd, self->fd));
	close(efd);
}

/* The tty no longer answers the ttydpc numbers, the old WAIT included. */
TEST_F(evf, tty_rejects_api_ioctls)
{
	struct ttydpc_stats_user s = { .version = 1 };
	struct ttydpc_wait_mask m = { .version = 1, .mask = TTYDPC_EV_CTS };
	uint32_t old_wait[4] = { 1, 0, 0, 0 };	/* 0.9's struct ttydpc_wait */
	uint32_t flags = TTYDPC_PURGE_RXCLEAR;

	TT_EXPECT_ERRNO(ENOTTY, ioctl(self->fd, TTYDPC_IOC_GET_STATS, &s))
		TH_LOG("GET_STATS on the tty: %s", strerror(errno));
	TT_EXPECT_ERRNO(ENOTTY, ioctl(self->fd, TTYDPC_IOC_SET_MASK, &m))
		TH_LOG("SET_MASK on the tty: %s", strerror(errno));
	TT_EXPECT_ERRNO(ENOTTY, ioctl(self->fd, TTYDPC_IOC_PURGE, &flags))
		TH_LOG("PURGE on the tty: %s", strerror(errno));
	alarm(5);	/* were it still a wait, it would block */
	EXPECT_EQ(-1, ioctl(self->fd, _IOWR(TTYDPC_IOC_MAGIC, 0x42, old_wait), old_wait));
	alarm(0);
	EXPECT_EQ(ENOTTY, errno) TH_LOG("0.9's WAIT on the tty: %s", strerror(errno));
	TT_EXPECT_ERRNO(ENOTTY, ioctl(self->fd, TTYDPC_IOC_ATTACH, &self->fd));
}

/* ---- poll, epoll, select ---------------------------------------------- */

TEST_F(evf, epoll_rxchar_loopback)
{
	struct epoll_event e = { .events = EPOLLIN }, got;
	uint32_t events = 0;
	uint8_t b;
	int ep;

	ta_loop_on(_metadata, self->fd);
	ASSERT_EQ(0, ta_set_mask(self->efd, TTYDPC_EV_RXCHAR, 0));
	ep = epoll_create1(EPOLL_CLOEXEC);
	ASSERT_LE(0, ep);
	e.data.fd = self->efd;
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, self->efd, &e));
	EXPECT_EQ(0, epoll_wait(ep, &got, 1, PENDING_MS))
		TH_LOG("readable with nothing received: %#x", got.events);
	/* the poll armed a wait: it is listed like a blocked read */
	EXPECT_EQ(0, ta_wait_waiters(self->port, 1, DONE_MS));
	ASSERT_EQ(1, write(self->fd, "r", 1));
	ASSERT_EQ(1, epoll_wait(ep, &got, 1, DONE_MS)) TH_LOG("a byte came back, no EPOLLIN");
	EXPECT_EQ(self->efd, got.data.fd);
	EXPECT_TRUE((got.events & EPOLLIN) != 0) TH_LOG("events %#x", got.events);
	EXPECT_FALSE((got.events & (EPOLLERR | EPOLLHUP)) != 0) TH_LOG("events %#x", got.events);
	alarm(5);
	ASSERT_EQ(0, ta_wait(self->efd, &events));
	alarm(0);
	EXPECT_EQ((uint32_t)TTYDPC_EV_RXCHAR, events);
	/* read took it: nothing more until the next byte */
	EXPECT_EQ(0, epoll_wait(ep, &got, 1, PENDING_MS)) TH_LOG("still readable: %#x", got.events);
	ASSERT_EQ(1, tt_read_full(self->fd, &b, 1, DONE_MS));
	EXPECT_EQ('r', b);
	close(ep);
}

TEST_F(evf, poll_and_select_rxchar_loopback)
{
	uint32_t events = 0;
	struct timeval tv;
	uint8_t b[2];
	fd_set rd;
	int r;

	ta_loop_on(_metadata, self->fd);
	ASSERT_EQ(0, ta_set_mask(self->efd, TTYDPC_EV_RXCHAR, 0));
	EXPECT_EQ(0, poll_in(self->efd, PENDING_MS));
	ASSERT_EQ(1, write(self->fd, "p", 1));
	r = poll_in(self->efd, DONE_MS);
	EXPECT_EQ(POLLIN | POLLRDNORM, r) TH_LOG("poll: %#x", r);
	ASSERT_EQ(0, ta_wait(self->efd, &events));
	EXPECT_EQ((uint32_t)TTYDPC_EV_RXCHAR, events);

	FD_ZERO(&rd);
	FD_SET(self->efd, &rd);
	tv = (struct timeval){ .tv_usec = PENDING_MS * 1000 };
	EXPECT_EQ(0, select(self->efd + 1, &rd, NULL, NULL, &tv));
	ASSERT_EQ(1, write(self->fd, "s", 1));
	FD_ZERO(&rd);
	FD_SET(self->efd, &rd);
	tv = (struct timeval){ .tv_sec = DONE_MS / 1000 };
	EXPECT_EQ(1, select(self->efd + 1, &rd, NULL, NULL, &tv));
	EXPECT_TRUE(FD_ISSET(self->efd, &rd));
	ASSERT_EQ(0, ta_wait(self->efd, &events));
	EXPECT_EQ((uint32_t)TTYDPC_EV_RXCHAR, events);
	ASSERT_EQ(2, tt_read_full(self->fd, b, 2, DONE_MS));
	EXPECT_EQ(0, memcmp(b, "ps", 2));
}

/* No mask: a read would fail at once (EINVAL), so poll says EPOLLERR. */
TEST_F(evf, poll_err_without_mask)
{
	int r;

	ASSERT_EQ(0, ta_set_mask(self->efd, 0, 0));
	r = poll_in(self->efd, 0);
	EXPECT_TRUE(r > 0 && (r & POLLERR)) TH_LOG("poll with no mask: %#x", r);
	EXPECT_EQ(-EINVAL, ta_wait(self->efd, NULL));
}

TEST_F(evf, nonblock_eagain)
{
	uint32_t events = 0;
	int efd2, r;

	cts_ready(_metadata, self);
	efd2 = ta_event_open_flags(self->fd, O_NONBLOCK);
	ASSERT_LE(0, efd2) TH_LOG("O_NONBLOCK event file: %s", strerror(-efd2));
	EXPECT_EQ(-EAGAIN, ta_wait(efd2, &events));
	/* the same through fcntl on the fixture's file */
	ASSERT_EQ(0, fcntl(self->efd, F_SETFL, fcntl(self->efd, F_GETFL) | O_NONBLOCK));
	EXPECT_EQ(-EAGAIN, ta_wait(self->efd, &events));
	/* a poll arms a wait on each file, so each gets the event */
	EXPECT_EQ(0, poll_in(efd2, 0));
	EXPECT_EQ(0, poll_in(self->efd, 0));
	EXPECT_EQ(0, ta_wait_waiters(self->port, 2, DONE_MS));
	ASSERT_EQ(0, ta_mbic(self->fd, TIOCM_RTS));
	r = poll_in(efd2, DONE_MS);
	EXPECT_TRUE(r > 0 && (r & POLLIN)) TH_LOG("poll: %#x", r);
	EXPECT_EQ(0, ta_wait(efd2, &events));
	EXPECT_EQ((uint32_t)TTYDPC_EV_CTS, events);
	r = poll_in(self->efd, DONE_MS);
	EXPECT_TRUE(r > 0 && (r & POLLIN)) TH_LOG("poll: %#x", r);
	EXPECT_EQ(0, ta_wait(self->efd, &events));
	EXPECT_EQ((uint32_t)TTYDPC_EV_CTS, events);
	/* consumed: EAGAIN again */
	EXPECT_EQ(-EAGAIN, ta_wait(efd2, &events));
	close(efd2);
}

/* SET_MASK through another event file ends the poll-armed wait: events 0. */
TEST_F(evf, set_mask_ends_poll_armed_wait)
{
	uint32_t events = 0xdead;
	int efd2, r;

	efd2 = ta_event_open(self->fd);
	ASSERT_LE(0, efd2);
	ASSERT_EQ(0, ta_set_mask(self->efd, TTYDPC_EV_RING, 0));
	EXPECT_EQ(0, poll_in(efd2, PENDING_MS));
	EXPECT_EQ(0, ta_wait_waiters(self->port, 1, DONE_MS));
	ASSERT_EQ(0, ta_set_mask(self->efd, TTYDPC_EV_CTS | TTYDPC_EV_DSR, 0));
	r = poll_in(efd2, DONE_MS);
	EXPECT_TRUE(r > 0 && (r & POLLIN)) TH_LOG("poll after the new mask: %#x", r);
	alarm(5);
	EXPECT_EQ(0, ta_wait(efd2, &events));
	alarm(0);
	EXPECT_EQ(0u, events);
	close(efd2);
}

/* ---- signals ---------------------------------------------------------- */

TEST_F(evf, signal_then_event_next_read)
{
	uint32_t events = 0;
	uint64_t t0;
	int r;

	cts_ready(_metadata, self);
	t0 = tt_now_ms();
	alarm(1);
	r = ta_wait(self->efd, &events);
	alarm(0);
	ASSERT_EQ(-EINTR, r) TH_LOG("read: %s", ta_errno_name(r));
	EXPECT_LE(900u, tt_now_ms() - t0);
	/* the wait is still listed: the signal ended the read, not the wait */
	EXPECT_EQ(0, ta_wait_waiters(self->port, 1, 1000));
	/* the event comes while nobody reads: the pending wait takes it */
	ASSERT_EQ(0, ta_mbic(self->fd, TIOCM_RTS));
	r = poll_in(self->efd, DONE_MS);
	EXPECT_TRUE(r > 0 && (r & POLLIN)) TH_LOG("poll: %#x", r);
	t0 = tt_now_ms();
	alarm(5);
	r = ta_wait(self->efd, &events);
	alarm(0);
	EXPECT_EQ(0, r) TH_LOG("read after EINTR: %s", ta_errno_name(r));
	EXPECT_EQ((uint32_t)TTYDPC_EV_CTS, events);
	EXPECT_GT(200u, tt_now_ms() - t0) TH_LOG("the event was not kept: the read blocked");
}

static void nop_usr1(int sig)
{
	(void)sig;
}

TEST_F(evf, sa_restart_keeps_reading)
{
	struct sigaction sa = { .sa_handler = nop_usr1, .sa_flags = SA_RESTART }, old;
	struct ta_waiter w;

	cts_ready(_metadata, self);
	sigemptyset(&sa.sa_mask);
	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, &old));
	ASSERT_EQ(0, ta_start_waiter_on(_metadata, self->port, &w, self->fd, self->efd, 1));
	pthread_kill(w.th, SIGUSR1);
	EXPECT_FALSE(ta_waiter_join(&w, PENDING_MS))
		TH_LOG("SA_RESTART: the read ended with %s", ta_errno_name(w.ret));
	ASSERT_EQ(0, ta_mbic(self->fd, TIOCM_RTS));
	TA_EXPECT_ENDED(w, TTYDPC_EV_CTS);
	sigaction(SIGUSR1, &old, NULL);
}

/* ---- the tty next to a blocked read ----------------------------------- */

/* Milliseconds a call took; the tty must not wait for the event file. */
#define TIMED(call, ms) ({ uint64_t _t0 = tt_now_ms(); int _r = (call); \
			   *(ms) = tt_now_ms() - _t0; _r; })

TEST_F(evf, blocked_read_leaves_tty_free)
{
	struct ta_waiter w;
	struct termios t;
	uint64_t ms;
	int bits, fd2;

	ASSERT_EQ(0, ta_set_mask(self->efd, TTYDPC_EV_RING, 0));
	fd2 = open(self->port, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, ta_start_waiter_on(_metadata, self->port, &w, self->fd, self->efd, 1));

	ASSERT_EQ(0, tcgetattr(self->fd, &t));
	cfsetspeed(&t, B57600);
	EXPECT_EQ(0, TIMED(tcsetattr(self->fd, TCSANOW, &t), &ms));
	EXPECT_GT(QUICK_MS, ms) TH_LOG("tcsetattr took %llu ms", (unsigned long long)ms);
	cfsetspeed(&t, B115200);
	EXPECT_EQ(0, TIMED(tcsetattr(fd2, TCSANOW, &t), &ms));
	EXPECT_GT(QUICK_MS, ms) TH_LOG("tcsetattr (2nd fd) took %llu ms", (unsigned long long)ms);
	bits = TIOCM_RTS | TIOCM_DTR | TIOCM_OUT2;
	EXPECT_EQ(0, TIMED(ioctl(self->fd, TIOCMSET, &bits), &ms));
	EXPECT_GT(QUICK_MS, ms) TH_LOG("TIOCMSET took %llu ms", (unsigned long long)ms);
	EXPECT_EQ(0, TIMED(close(fd2), &ms));
	EXPECT_GT(QUICK_MS, ms) TH_LOG("close of a tty fd took %llu ms", (unsigned long long)ms);

	/* none of that ended the wait */
	EXPECT_FALSE(ta_waiter_join(&w, PENDING_MS))
		TH_LOG("the read ended: %s events %#x", ta_errno_name(w.ret), w.events);
	ASSERT_EQ(0, ta_set_mask(self->efd, TTYDPC_EV_RING, 0));
	TA_EXPECT_ENDED(w, 0u);
}

/* The last close of the tty ends a blocked read with EIO; then EIO. */
TEST_F(evf, last_close_gives_eio)
{
	struct ta_waiter w;
	uint64_t ms;
	int r;

	ASSERT_EQ(0, ta_set_mask(self->efd, TTYDPC_EV_RING, 0));
	ASSERT_EQ(0, ta_start_waiter_on(_metadata, self->port, &w, self->fd, self->efd, 1));
	EXPECT_EQ(0, TIMED(close(self->fd), &ms));
	self->fd = -1;
	EXPECT_GT(QUICK_MS, ms) TH_LOG("the last close took %llu ms", (unsigned long long)ms);
	ASSERT_TRUE(ta_join_or_kill(&w, DONE_MS));
	EXPECT_EQ(-EIO, w.ret) TH_LOG("read across the last close: %s", ta_errno_name(w.ret));
	alarm(5);
	r = ta_wait(self->efd, NULL);
	alarm(0);
	EXPECT_EQ(-EIO, r) TH_LOG("read after the close: %s", ta_errno_name(r));
	EXPECT_EQ(-EIO, ta_get_mask(self->efd, NULL, NULL));
	EXPECT_EQ(-EIO, ta_purge(self->efd, TTYDPC_PURGE_RXCLEAR));
	r = poll_in(self->efd, 0);
	EXPECT_TRUE(r > 0 && (r & POLLERR)) TH_LOG("poll on a closed port: %#x", r);
}

TEST_HARNESS_MAIN
