// SPDX-License-Identifier: GPL-2.0
/*
 * api_wait: TTYDPC_IOC_SET_MASK / GET_MASK and read() of the event file
 * (include/uapi/ttydpc.h, Documentation/ttydpc/uapi.rst) on TTYDPC_PORT.
 * Each waiter thread reads an event file of its own unless said otherwise.
 *
 * Events, each produced for real:
 *   RXCHAR    the host peer PUTs bytes (needs TTYDPC_CTL)
 *   RXFLAG    the event character arrives (UART loopback); others do not end it
 *   TXEMPTY   a write drains (loopback)
 *   CTS DSR RLSD RING   loopback RTS/DTR/OUT2/OUT1 toggles (QEMU raises no
 *             modem interrupts; the driver compares MSR); RING only on the
 *             trailing edge of RI
 *   BREAK     the host peer injects a break (QMP chardev-send-break)
 *   RX80FULL, ERR   a loopback flood nobody reads: the tty buffers fill, the
 *             read queue fills (80 %), RX is held and the UART's RX FIFO
 *             overruns. QEMU has no way to produce framing or parity errors,
 *             so the overrun is the only ERR source in the VM.
 * Semantics: latched events return at once and are cleared; events outside
 * the mask are not latched; the last close clears the mask; a new mask ends waits with 0; a signal gives
 * EINTR (no SA_RESTART) and leaves the wait pending on the file; hangup
 * and unbind give EIO (then EIO / ENODEV); several event files all get
 * one event batch. Bad arguments: EINVAL / EFAULT / ENOTTY. The event
 * file's own contract (attach, poll, epoll, O_NONBLOCK) is api_event_file.
 */
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>

#include "ttydpc_harness.h"
#include "ttydpc_api_fixture.h"

TA_API_FIXTURE(ev)

static int start_waiter(struct __test_metadata *_metadata, const char *port,
			struct ta_waiter *w, int ttyfd, int nwaiters)
{
	return ta_start_waiter_on(_metadata, port, w, ttyfd, -1, nwaiters);
}

static uint64_t tt_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* ---- mask ------------------------------------------------------------- */

TEST_F(ev, mask_roundtrip)
{
	struct ttydpc_wait_mask m;

	ASSERT_EQ(0, ta_set_mask(self->efd, TTYDPC_EV_ALL, 'Z'));
	/* output fields hold garbage on input; reserved must be zero */
	memset(&m, 0, sizeof(m));
	m.version = 1;
	m.mask = 0xa5a5a5a5;
	m.event_char = 0xa5;
	ASSERT_EQ(0, ioctl(self->efd, TTYDPC_IOC_GET_MASK, &m)) TH_LOG("GET_MASK: %s", strerror(errno));
	EXPECT_EQ(1u, m.version);
	EXPECT_EQ((uint32_t)(TTYDPC_EV_ALL), m.mask);
	EXPECT_EQ('Z', m.event_char);
	for (int i = 0; i < 7; i++) {
		EXPECT_EQ(0, m.reserved[i]) TH_LOG("GET_MASK reserved[%d] = %#x", i, m.reserved[i]);
	}
	ASSERT_EQ(0, ta_set_mask(self->efd, TTYDPC_EV_CTS | TTYDPC_EV_RING, 0));
	uint32_t mask = 0;
	uint8_t ch = 1;

	ASSERT_EQ(0, ta_get_mask(self->efd, &mask, &ch));
	EXPECT_EQ((uint32_t)(TTYDPC_EV_CTS | TTYDPC_EV_RING), mask);
	EXPECT_EQ(0, ch);
}

/* The mask belongs to the open port: the last close clears it. */
TEST_F(ev, mask_cleared_by_last_close)
{
	uint32_t mask = 1;
	uint8_t ch = 1;

	ASSERT_EQ(0, ta_set_mask(self->efd, TTYDPC_EV_DSR, 'x'));
	close(self->fd);
	/* the event file stays, and answers EIO while the port is closed */
	EXPECT_EQ(-EIO, ta_get_mask(self->efd, &mask, &ch));
	EXPECT_EQ(-EIO, ta_set_mask(self->efd, TTYDPC_EV_CTS, 0));
	EXPECT_EQ(-EIO, ta_wait(self->efd, NULL));
	close(self->efd);
	TT_OPEN_RAW(self->fd, self->port, 115200);
	self->efd = ta_event_open(self->fd);
	ASSERT_LE(0, self->efd);
	ASSERT_EQ(0, ta_get_mask(self->efd, &mask, &ch));
	EXPECT_EQ(0u, mask) TH_LOG("mask %#x survived the last close (another opener?)", mask);
}

TEST_F(ev, set_mask_bad_args)
{
	static const uint32_t bad_versions[] = { 0, 2, 0xffffffff };
	static const uint32_t bad_bits[] = { 0x0200, 0x0800, 0x1000, 0x80000000,
					     TTYDPC_EV_ALL | 0x0200 };
	struct ttydpc_wait_mask m;
	uint32_t mask;

	ASSERT_EQ(0, ta_set_mask(self->efd, TTYDPC_EV_DSR, 'q'));
	for (size_t i = 0; i < sizeof(bad_versions) / sizeof(bad_versions[0]); i++) {
		m = (struct ttydpc_wait_mask){ .version = bad_versions[i], .mask = TTYDPC_EV_CTS };
		TT_EXPECT_ERRNO(EINVAL, ioctl(self->efd, TTYDPC_IOC_SET_MASK, &m))
			TH_LOG("version %u: %s", bad_versions[i], strerror(errno));
	}
	for (int i = 0; i < 7; i++) {
		m = (struct ttydpc_wait_mask){ .version = 1, .mask = TTYDPC_EV_CTS };
		m.reserved[i] = 0x80;
		TT_EXPECT_ERRNO(EINVAL, ioctl(self->efd, TTYDPC_IOC_SET_MASK, &m))
			TH_LOG("reserved[%d] set: %s", i, strerror(errno));
	}
	for (size_t i = 0; i < sizeof(bad_bits) / sizeof(bad_bits[0]); i++) {
		m = (struct ttydpc_wait_mask){ .version = 1, .mask = bad_bits[i] };
		TT_EXPECT_ERRNO(EINVAL, ioctl(self->efd, TTYDPC_IOC_SET_MASK, &m))
			TH_LOG("mask %#x: %s", bad_bits[i], strerror(errno));
	}
	TT_EXPECT_ERRNO(EFAULT, ioctl(self->efd, TTYDPC_IOC_SET_MASK, NULL));
	TT_EXPECT_ERRNO(EFAULT, ioctl(self->efd, TTYDPC_IOC_SET_MASK, (void *)8));
	/* nothing of that changed the mask */
	ASSERT_EQ(0, ta_get_mask(self->efd, &mask, NULL));
	EXPECT_EQ((uint32_t)(TTYDPC_EV_DSR), mask);

	m = (struct ttydpc_wait_mask){ .version = 0 };
	TT_EXPECT_ERRNO(EINVAL, ioctl(self->efd, TTYDPC_IOC_GET_MASK, &m));
	TT_EXPECT_ERRNO(EFAULT, ioctl(self->efd, TTYDPC_IOC_GET_MASK, NULL));
}

/* read(): no mask, or a count below the event's size, is EINVAL */
TEST_F(ev, wait_bad_args)
{
	struct ttydpc_event ev[2];

	ASSERT_EQ(0, ta_set_mask(self->efd, 0, 0));
	EXPECT_EQ(-EINVAL, ta_wait(self->efd, NULL));

	ASSERT_EQ(0, ta_set_mask(self->efd, TTYDPC_EV_CTS, 0));
	TT_EXPECT_ERRNO(EINVAL, read(self->efd, ev, 0))
		TH_LOG("read of 0 bytes: %s", strerror(errno));
	TT_EXPECT_ERRNO(EINVAL, read(self->efd, ev, sizeof(ev[0]) - 1))
		TH_LOG("read of %zu bytes: %s", sizeof(ev[0]) - 1,
					strerror(errno));
	if (self->have_dbg) {
		struct ta_dbg d;

		ASSERT_EQ(0, ta_dbg_read(self->port, &d));
		EXPECT_EQ(0, ta_dbg_get(&d, "queue_wait_pending"))
			TH_LOG("a rejected read left a request in the queue");
	}
}

TEST_F(ev, unknown_ioctl_enotty)
{
	int v = 0;

	TT_EXPECT_ERRNO(ENOTTY, ioctl(self->fd, _IOWR(TTYDPC_IOC_MAGIC, 0x4f, int), &v));
	TT_EXPECT_ERRNO(ENOTTY, ioctl(self->fd, _IO(TTYDPC_IOC_MAGIC, 0x3f)));
	TT_EXPECT_ERRNO(ENOTTY, ioctl(self->fd, _IOR('Q', 0x01, int), &v));
	/* a ttydpc number with another size is another command */
	TT_EXPECT_ERRNO(ENOTTY, ioctl(self->fd, _IOW(TTYDPC_IOC_MAGIC, 0x40, int), &v));
}

/* ---- events ----------------------------------------------------------- */

TEST_F(ev, rxchar_from_host)
{
	struct ta_waiter w;
	char reply[256];
	uint8_t buf[8];

	TT_NEED_CTL(self->have_ctl);
	ASSERT_EQ(0, ta_set_mask(self->efd, TTYDPC_EV_RXCHAR, 0));
	ASSERT_EQ(0, start_waiter(_metadata, self->port, &w, self->fd, 1));
	EXPECT_FALSE(ta_waiter_join(&w, PENDING_MS)) TH_LOG("wait ended with nothing received");
	ASSERT_EQ(1, tt_ctl_cmd(&self->ctl, reply, sizeof(reply), 10000, "PUT %s 414243",
				self->chan)) TH_LOG("PUT: %s", reply);
	TA_EXPECT_ENDED(w, TTYDPC_EV_RXCHAR);
	ASSERT_EQ(3, tt_read_full(self->fd, buf, 3, DONE_MS));
	EXPECT_EQ(0, memcmp(buf, "ABC", 3));
}

TEST_F(ev, rxflag_event_char)
{
	struct ta_waiter w;
	uint8_t buf[8];

	ta_loop_on(_metadata, self->fd);
	ASSERT_EQ(0, ta_set_mask(self->efd, TTYDPC_EV_RXFLAG, '~'));
	ASSERT_EQ(0, start_waiter(_metadata, self->port, &w, self->fd, 1));
	ASSERT_EQ(3, tt_write_full(self->fd, "abc", 3, DONE_MS));
	ASSERT_EQ(3, tt_read_full(self->fd, buf, 3, DONE_MS));
	EXPECT_FALSE(ta_waiter_join(&w, PENDING_MS))
		TH_LOG("ended by bytes that are not the event char: %s events %#x",
		       ta_errno_name(w.ret), w.events);
	ASSERT_EQ(2, tt_write_full(self->fd, "x~", 2, DONE_MS));
	TA_EXPECT_ENDED(w, TTYDPC_EV_RXFLAG);
	ASSERT_EQ(2, tt_read_full(self->fd, buf, 2, DONE_MS));
	EXPECT_EQ(0, memcmp(buf, "x~", 2));
}

TEST_F(ev, txempty_after_write)
{
	struct ta_waiter w;
	uint8_t out[256], in[256];
	struct tt_stream s;
	int q = -1;

	ta_loop_on(_metadata, self->fd);
	ASSERT_EQ(0, ta_set_mask(self->efd, TTYDPC_EV_TXEMPTY, 0));
	ASSERT_EQ(0, start_waiter(_metadata, self->port, &w, self->fd, 1));
	EXPECT_FALSE(ta_waiter_join(&w, PENDING_MS)) TH_LOG("TXEMPTY without a write");
	tt_stream_init(&s, 0x7e);
	tt_stream_fill(&s, out, sizeof(out));
	ASSERT_EQ((ssize_t)sizeof(out), tt_write_full(self->fd, out, sizeof(out), DONE_MS));
	TA_EXPECT_ENDED(w, TTYDPC_EV_TXEMPTY);
	ASSERT_EQ(0, ioctl(self->fd, TIOCOUTQ, &q));
	EXPECT_EQ(0, q) TH_LOG("TXEMPTY reported with %d bytes in the output queue", q);
	ASSERT_EQ((ssize_t)sizeof(in), tt_read_full(self->fd, in, sizeof(in), DONE_MS));
	EXPECT_EQ(0, memcmp(in, out, sizeof(in)));
}

/* RTS->CTS, DTR->DSR, OUT2->DCD in loopback: each edge is one event. */
TEST_F(ev, modem_events_loopback)
{
	static const struct { int out; uint32_t ev; const char *name; } map[] = {
		{ TIOCM_RTS, TTYDPC_EV_CTS, "RTS->CTS" },
		{ TIOCM_DTR, TTYDPC_EV_DSR, "DTR->DSR" },
		{ TIOCM_OUT2, TTYDPC_EV_RLSD, "OUT2->DCD" },
	};
	struct ta_waiter w;

	ta_loop_on(_metadata, self->fd);
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		ASSERT_EQ(0, ta_mbis(self->fd, map[i].out));
		usleep(20000);
		ASSERT_EQ(0, ta_set_mask(self->efd, map[i].ev, 0));
		for (int edge = 0; edge < 2; edge++) {
			ASSERT_EQ(0, start_waiter(_metadata, self->port, &w, self->fd, 1))
				TH_LOG("%s", map[i].name);
			ASSERT_EQ(0, edge ? ta_mbis(self->fd, map[i].out) : ta_mbic(self->fd, map[i].out));
			ASSERT_TRUE(ta_waiter_join(&w, DONE_MS)) {
				TH_LOG("%s %s: no event", map[i].name, edge ? "on" : "off");
				ta_waiter_kill(&w);
			}
			EXPECT_EQ(0, w.ret);
			EXPECT_EQ(map[i].ev, w.events) TH_LOG("%s %s: events %#x", map[i].name,
							    edge ? "on" : "off", w.events);
		}
	}
}

/* RING is the trailing edge of RI (OUT1 in loopback), not the leading one. */
TEST_F(ev, ring_trailing_edge)
{
	struct ta_waiter w;

	ta_loop_on(_metadata, self->fd);
	ASSERT_EQ(0, ta_mbic(self->fd, TIOCM_OUT1));
	usleep(20000);
	ASSERT_EQ(0, ta_set_mask(self->efd, TTYDPC_EV_RING, 0));
	ASSERT_EQ(0, start_waiter(_metadata, self->port, &w, self->fd, 1));
	ASSERT_EQ(0, ta_mbis(self->fd, TIOCM_OUT1));
	ASSERT_TRUE(ta_mget(self->fd) & TIOCM_RI) TH_LOG("RI did not follow OUT1");
	EXPECT_FALSE(ta_waiter_join(&w, PENDING_MS))
		TH_LOG("RING on the leading edge: %s events %#x", ta_errno_name(w.ret), w.events);
	ASSERT_EQ(0, ta_mbic(self->fd, TIOCM_OUT1));
	TA_EXPECT_ENDED(w, TTYDPC_EV_RING);
}

TEST_F(ev, break_from_host)
{
	struct ta_waiter w;
	char reply[256];
	char names[64];

	TT_NEED_CTL(self->have_ctl);
	ASSERT_EQ(0, ta_set_mask(self->efd, TTYDPC_EV_BREAK | TTYDPC_EV_ERR, 0));
	ASSERT_EQ(0, start_waiter(_metadata, self->port, &w, self->fd, 1));
	ASSERT_EQ(1, tt_ctl_cmd(&self->ctl, reply, sizeof(reply), 10000, "BREAK %s",
				self->chan)) TH_LOG("BREAK: %s", reply);
	ASSERT_TRUE(ta_join_or_kill(&w, DONE_MS));
	ta_format_bits(names, sizeof(names), w.events, ta_ev_names);
	TH_LOG("a received break ended the wait with %s", names);
	EXPECT_EQ(0, w.ret);
	EXPECT_TRUE((w.events & TTYDPC_EV_BREAK) != 0);
	tcflush(self->fd, TCIFLUSH);
}

/* Mask @ev, flood the loopback unread until a wait ends: with exactly @ev. Bytes sent. */
static long flood_until(struct __test_metadata *_metadata, FIXTURE_DATA(ev) *self,
			uint32_t ev, const char *name)
{
	struct ta_waiter w;
	long n;

	ASSERT_EQ(0, ta_set_mask(self->efd, ev, 0));
	ASSERT_EQ(0, start_waiter(_metadata, self->port, &w, self->fd, 1));
	n = ta_flood(self->fd, 8u << 20, 60000, ta_stop_waiter_done, &w);
	ASSERT_TRUE(ta_waiter_join(&w, DONE_MS)) {
		TH_LOG("no %s after %ld bytes in loopback", name, n);
		ta_waiter_kill(&w);
	}
	EXPECT_EQ(0, w.ret);
	EXPECT_EQ(ev, w.events);
	return n;
}

TEST_F(ev, rx80full_and_err_from_overrun)
{
	struct ttydpc_comm_status cs;
	long n1, n2;

	ta_loop_on(_metadata, self->fd);
	n1 = flood_until(_metadata, self, TTYDPC_EV_RX80FULL, "RX80FULL");
	TH_LOG("RX80FULL after %ld bytes nobody read", n1);

	/*
	 * Bytes of the first flood still in flight would overrun right after
	 * the mask is set and end the next wait at once (seen on 6.12-rt):
	 * discard the output and let what the UART still sends land first.
	 * Then clear the error word before the mask is set (which also
	 * clears latched events): an ERR seen from here on was counted after
	 * the clear, so the error word must show it.
	 */
	ASSERT_EQ(0, tcflush(self->fd, TCOFLUSH));
	usleep(100000);
	ASSERT_EQ(0, ta_commstatus(self->efd, &cs));
	/*
	 * With nobody reading, the UART overruns once the ring and the tty
	 * layer's buffers (over a MiB) are full; on a loaded host it can
	 * overrun sooner, when the vCPU that drains the FIFO is not running.
	 * Allow as much as above either way.
	 */
	n2 = flood_until(_metadata, self, TTYDPC_EV_ERR, "ERR");
	ASSERT_EQ(0, ta_commstatus(self->efd, &cs));
	TH_LOG("ERR after %ld more bytes; errors %#x hold %#x in_queue %u", n2,
	       cs.errors, cs.hold, cs.in_queue);
	EXPECT_TRUE((cs.errors & TTYDPC_ERR_OVERRUN) != 0);
	/*
	 * An early overrun (above) comes before the buffers are full: keep
	 * sending until they are, and input must then be held back, not
	 * dropped by the driver.
	 */
	if (!(cs.hold & TTYDPC_HOLD_RX)) {
		n2 = ta_flood(self->fd, 8u << 20, 60000, ta_stop_rx_held, &self->efd);
		ASSERT_EQ(0, ta_commstatus(self->efd, &cs));
		TH_LOG("held after %ld more bytes; hold %#x in_queue %u", n2, cs.hold,
		       cs.in_queue);
	}
	EXPECT_TRUE((cs.hold & TTYDPC_HOLD_RX) != 0);
	ASSERT_EQ(0, ta_purge(self->efd, TTYDPC_PURGE_ALL));
	tcflush(self->fd, TCIOFLUSH);
}
TT_SET_TIMEOUT(ev, rx80full_and_err_from_overrun, 180)

/* ---- semantics -------------------------------------------------------- */

TEST_F(ev, latched_returns_at_once)
{
	struct ta_dbg d;
	struct ta_waiter w;
	uint32_t events = 0;
	long long runs = 0;
	uint64_t t0;

	ta_loop_on(_metadata, self->fd);
	ASSERT_EQ(0, ta_mbis(self->fd, TIOCM_RTS));
	ASSERT_EQ(0, ta_set_mask(self->efd, TTYDPC_EV_CTS, 0));
	if (self->have_dbg) {
		ASSERT_EQ(0, ta_dbg_read(self->port, &d));
		runs = ta_dbg_get(&d, "done_modem_runs");
	}
	ASSERT_EQ(0, ta_mbic(self->fd, TIOCM_RTS));
	if (self->have_dbg) {
		ASSERT_EQ(0, ta_dbg_wait_ge(self->port, "done_modem_runs", runs + 1, DONE_MS));
	}
	usleep(100000);	/* the routine latches after its counter moves */

	alarm(5);
	t0 = tt_now_ms();
	ASSERT_EQ(0, ta_wait(self->efd, &events));
	alarm(0);
	EXPECT_EQ((uint32_t)(TTYDPC_EV_CTS), events);
	EXPECT_GT(200u, tt_now_ms() - t0) TH_LOG("a latched event took %llu ms",
						(unsigned long long)(tt_now_ms() - t0));

	/* cleared by that wait: the next one blocks */
	ASSERT_EQ(0, start_waiter(_metadata, self->port, &w, self->fd, 1));
	EXPECT_FALSE(ta_waiter_join(&w, PENDING_MS)) TH_LOG("the latch was not cleared");
	ASSERT_EQ(0, ta_set_mask(self->efd, TTYDPC_EV_CTS, 0));
	ASSERT_TRUE(ta_join_or_kill(&w, DONE_MS));
}

TEST_F(ev, events_outside_mask_ignored)
{
	struct ta_waiter w;

	ta_loop_on(_metadata, self->fd);
	ASSERT_EQ(0, ta_mbis(self->fd, TIOCM_RTS | TIOCM_DTR));
	usleep(20000);
	ASSERT_EQ(0, ta_set_mask(self->efd, TTYDPC_EV_DSR, 0));
	/* CTS changes, not in the mask: not latched either */
	ASSERT_EQ(0, ta_mbic(self->fd, TIOCM_RTS));
	usleep(100000);
	ASSERT_EQ(0, start_waiter(_metadata, self->port, &w, self->fd, 1));
	ASSERT_EQ(0, ta_mbis(self->fd, TIOCM_RTS));
	EXPECT_FALSE(ta_waiter_join(&w, PENDING_MS))
		TH_LOG("a CTS change ended a DSR wait: events %#x", w.events);
	ASSERT_EQ(0, ta_mbic(self->fd, TIOCM_DTR));
	TA_EXPECT_ENDED(w, TTYDPC_EV_DSR);
}

TEST_F(ev, new_mask_ends_wait)
{
	struct ta_waiter w;
	uint32_t mask;

	ASSERT_EQ(0, ta_set_mask(self->efd, TTYDPC_EV_RING, 0));
	ASSERT_EQ(0, start_waiter(_metadata, self->port, &w, self->fd, 1));
	ASSERT_EQ(0, ta_set_mask(self->efd, TTYDPC_EV_CTS | TTYDPC_EV_DSR, 0));
	TA_EXPECT_ENDED(w, 0u);
	ASSERT_EQ(0, ta_get_mask(self->efd, &mask, NULL));
	EXPECT_EQ((uint32_t)(TTYDPC_EV_CTS | TTYDPC_EV_DSR), mask);
	/* the same mask again ends a wait too */
	ASSERT_EQ(0, start_waiter(_metadata, self->port, &w, self->fd, 1));
	ASSERT_EQ(0, ta_set_mask(self->efd, mask, 0));
	TA_EXPECT_ENDED(w, 0u);
}

TEST_F(ev, signal_gives_eintr)
{
	struct ta_dbg d;
	uint32_t events = 0;
	uint64_t t0;
	int r;

	ASSERT_EQ(0, ta_set_mask(self->efd, TTYDPC_EV_RING, 0));
	t0 = tt_now_ms();
	alarm(1);
	r = ta_wait(self->efd, &events);
	alarm(0);
	EXPECT_EQ(-EINTR, r) TH_LOG("wait: %s", ta_errno_name(r));
	EXPECT_LE(900u, tt_now_ms() - t0);
	EXPECT_GT(4000u, tt_now_ms() - t0);
	/* the interrupted wait stays pending on the file, nothing else */
	if (self->have_dbg) {
		ASSERT_EQ(0, ta_dbg_read(self->port, &d));
		EXPECT_EQ(1, ta_dbg_get(&d, "queue_wait_pending"))
			TH_LOG("after EINTR: %lld requests pending",
			       ta_dbg_get(&d, "queue_wait_pending"));
	}
	/* a new mask ends that wait: the next read returns it at once */
	ta_loop_on(_metadata, self->fd);
	ASSERT_EQ(0, ta_mbis(self->fd, TIOCM_RTS));
	usleep(20000);
	ASSERT_EQ(0, ta_set_mask(self->efd, TTYDPC_EV_CTS, 0));
	events = 0xdead;
	alarm(5);
	r = ta_wait(self->efd, &events);
	alarm(0);
	EXPECT_EQ(0, r) TH_LOG("read after the new mask: %s", ta_errno_name(r));
	EXPECT_EQ(0u, events);
	/* and the port still works: a loopback event ends the next wait */
	ASSERT_EQ(0, ta_mbic(self->fd, TIOCM_RTS));
	alarm(5);
	r = ta_wait(self->efd, &events);
	alarm(0);
	EXPECT_EQ(0, r);
	EXPECT_EQ((uint32_t)(TTYDPC_EV_CTS), events);
}

/*
 * A signal racing with an event: the read returns the event, or it gets
 * EINTR and the next read of the same file returns it. Never lost. The
 * window: the signal wakes the reader and, after it saw no completion and
 * before it returns EINTR, the event routine completes the request (which
 * must then stay on the file for the next read, or be returned now). It is
 * a few microseconds wide and both sides must
 * run at once, so it only opens with more than one CPU: the waiter is
 * pinned to CPU 1 and this thread, which raises the event and so runs its
 * deferred routine, to CPU 0; the routine is made to run right after the
 * modem ioctl (sched_yield() to ksoftirqd), not at the next tick. The
 * offset between signal and event is a staircase: a round the event won
 * gives the signal more lead next time, a round EINTR won gives it less,
 * so the rounds gather (with +-3 us of jitter) where the two arrive
 * together, which is where the window is. One CPU: the case still runs,
 * and says the window cannot open.
 * TTYDPC_SIGNAL_ROUNDS: rounds (200).
 */
TEST_F(ev, signal_vs_event_none_lost)
{
	const int rounds = tt_env_long("TTYDPC_SIGNAL_ROUNDS", 200);
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int got = 0, eintr = 0, lost = 0, off = 0, off_min = 0, off_max = 0;
	unsigned int seed = 0x5157;
	cpu_set_t old, cpu0, cpu1;
	bool pinned = false;

	if (ncpu >= 2 && !sched_getaffinity(0, sizeof(old), &old) &&
	    CPU_ISSET(0, &old) && CPU_ISSET(1, &old)) {
		CPU_ZERO(&cpu0);
		CPU_SET(0, &cpu0);
		CPU_ZERO(&cpu1);
		CPU_SET(1, &cpu1);
		pinned = !sched_setaffinity(0, sizeof(cpu0), &cpu0);
	}
	if (!pinned)
		TH_LOG("%ld CPU(s) online, not pinned: the window this case guards cannot open", ncpu);
	ta_loop_on(_metadata, self->fd);
	ASSERT_EQ(0, ta_mbis(self->fd, TIOCM_RTS));
	usleep(20000);
	ASSERT_EQ(0, ta_set_mask(self->efd, TTYDPC_EV_CTS, 0));
	for (int i = 0; i < rounds; i++) {
		struct ta_waiter w, w2;
		/* > 0: the signal leads by o us; < 0: the event leads */
		int o = off + (int)(rand_r(&seed) % 7) - 3;
		uint64_t until;

		ASSERT_EQ(0, ta_start_waiter_on(_metadata, self->port, &w, self->fd, self->efd, 1));
		if (pinned)
			pthread_setaffinity_np(w.th, sizeof(cpu1), &cpu1);
		if (o >= 0)
			pthread_kill(w.th, SIGUSR2);
		until = tt_now_us() + (o < 0 ? -o : o);
		while (tt_now_us() < until)
			;
		ASSERT_EQ(0, (i & 1) ? ta_mbis(self->fd, TIOCM_RTS) : ta_mbic(self->fd, TIOCM_RTS));
		sched_yield();
		if (o < 0)
			pthread_kill(w.th, SIGUSR2);
		ASSERT_TRUE(ta_join_or_kill(&w, DONE_MS));
		if (off < off_min)
			off_min = off;
		if (off > off_max)
			off_max = off;
		if (w.ret == 0 && w.events == TTYDPC_EV_CTS) {
			got++;
			off += i < 40 ? 8 : 2;
			continue;
		}
		off -= i < 40 ? 8 : 2;
		ASSERT_EQ(-EINTR, w.ret) TH_LOG("round %d: %s events %#x", i,
						ta_errno_name(w.ret), w.events);
		eintr++;
		/* the event must still be there, for the wait left pending */
		ASSERT_EQ(0, ta_waiter_start_efd(&w2, self->efd));
		if (!ta_waiter_join(&w2, 1000)) {
			lost++;
			TH_LOG("round %d (%s leading by %d us): EINTR, and the CTS event is gone", i,
			       o >= 0 ? "signal" : "event", o < 0 ? -o : o);
			ASSERT_EQ(0, ta_set_mask(self->efd, TTYDPC_EV_CTS, 0));
			ASSERT_TRUE(ta_waiter_join(&w2, DONE_MS));
			continue;
		}
		EXPECT_EQ(0, w2.ret);
		EXPECT_EQ((uint32_t)(TTYDPC_EV_CTS), w2.events);
	}
	if (pinned)
		sched_setaffinity(0, sizeof(old), &old);
	TH_LOG("%d rounds on %ld CPU(s)%s: %d returned the event, %d EINTR with the event kept, %d lost; signal lead %d..%d us, %d at the end",
	       rounds, ncpu, pinned ? ", waiter on CPU 1, events from CPU 0" : "",
	       got, eintr - lost, lost, off_min, off_max, off);
	EXPECT_EQ(0, lost);
}
TT_SET_TIMEOUT(ev, signal_vs_event_none_lost, 120)

TEST_F(ev, several_waiters_all_end)
{
	struct ta_waiter w[4];
	int fds[3] = { -1, -1, -1 };

	fds[0] = self->fd;
	for (int i = 1; i < 3; i++) {
		fds[i] = open(self->port, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
		ASSERT_LE(0, fds[i]) TH_LOG("open #%d: %s", i + 1, strerror(errno));
	}
	ta_loop_on(_metadata, self->fd);
	ASSERT_EQ(0, ta_mbis(self->fd, TIOCM_RTS));
	usleep(20000);
	ASSERT_EQ(0, ta_set_mask(self->efd, TTYDPC_EV_CTS, 0));
	/* four event files on three tty fds */
	for (int i = 0; i < 4; i++) {
		ASSERT_EQ(0, start_waiter(_metadata, self->port, &w[i], fds[i % 3], i + 1));
	}
	ASSERT_EQ(0, ta_mbic(self->fd, TIOCM_RTS));
	for (int i = 0; i < 4; i++) {
		ASSERT_TRUE(ta_waiter_join(&w[i], DONE_MS)) {
			TH_LOG("waiter %d did not end", i);
			for (int k = i; k < 4; k++)
				ta_waiter_kill(&w[k]);
		}
		EXPECT_EQ(0, w[i].ret) TH_LOG("waiter %d: %s", i, ta_errno_name(w[i].ret));
		EXPECT_EQ((uint32_t)(TTYDPC_EV_CTS), w[i].events) TH_LOG("waiter %d: events %#x", i, w[i].events);
	}
	EXPECT_EQ(0, ta_wait_waiters(self->port, 0, DONE_MS));
	for (int i = 1; i < 3; i++)
		close(fds[i]);
}

TEST_F(ev, hangup_gives_eio)
{
	struct ta_waiter w;
	struct ta_dbg d;
	uint32_t events = 0;
	int fd2, r;

	fd2 = open(self->port, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, ta_set_mask(self->efd, TTYDPC_EV_RING, 0));
	ASSERT_EQ(0, start_waiter(_metadata, self->port, &w, fd2, 1));
	if (ioctl(self->fd, TIOCVHANGUP) && errno == EPERM) {
		ta_set_mask(self->efd, 0, 0);
		ta_waiter_join(&w, DONE_MS);
		close(fd2);
		SKIP(return, "TIOCVHANGUP needs CAP_SYS_ADMIN");
	}
	ASSERT_TRUE(ta_join_or_kill(&w, DONE_MS));
	EXPECT_EQ(-EIO, w.ret) TH_LOG("wait after hangup: %s", ta_errno_name(w.ret));
	/* the port is shut down: a wait on its event file fails at once */
	alarm(5);
	r = ta_wait(self->efd, &events);
	alarm(0);
	EXPECT_EQ(-EIO, r) TH_LOG("read after the hangup: %s", ta_errno_name(r));
	close(fd2);
	close(self->efd);
	close(self->fd);
	self->fd = self->efd = -1;
	if (self->have_dbg) {
		ASSERT_EQ(0, ta_dbg_read(self->port, &d));
		EXPECT_EQ(0, ta_dbg_get(&d, "queue_wait_pending"))
			TH_LOG("closed port: %lld requests pending",
			       ta_dbg_get(&d, "queue_wait_pending"));
	}
	/* a new open works as before */
	TT_OPEN_RAW(self->fd, self->port, 115200);
	self->efd = ta_event_open(self->fd);
	ASSERT_LE(0, self->efd) TH_LOG("attach after the hangup: %s", strerror(-self->efd));
	ta_loop_on(_metadata, self->fd);
	ASSERT_EQ(0, ta_mbis(self->fd, TIOCM_RTS));
	usleep(20000);
	ASSERT_EQ(0, ta_set_mask(self->efd, TTYDPC_EV_CTS, 0));
	ASSERT_EQ(0, start_waiter(_metadata, self->port, &w, self->fd, 1));
	ASSERT_EQ(0, ta_mbic(self->fd, TIOCM_RTS));
	TA_EXPECT_ENDED(w, TTYDPC_EV_CTS);
}

/* Unbinding the port's PCI function ends a wait with EIO; bind it back. */
TEST_F(ev, unbind_gives_eio)
{
	const char *pci = tt_env("TTYDPC_PCI");
	const char *drv = "/sys/bus/pci/drivers/ttydpc";
	char path[256], comp[128], *dev;
	struct ta_waiter w;
	int r;

	if (!pci)
		SKIP(return, "TTYDPC_PCI unset");
	/* the PCI function itself (6.1) or its serial-base port device (6.12) */
	snprintf(path, sizeof(path), "/sys/class/tty/%s/device", tt_basename(self->port));
	dev = realpath(path, NULL);
	ASSERT_NE(NULL, dev) TH_LOG("%s: %s", path, strerror(errno));
	snprintf(comp, sizeof(comp), "/%s/", pci);
	r = strstr(dev, comp) || (strlen(dev) > strlen(pci) &&
				  !strcmp(dev + strlen(dev) - strlen(pci), pci));
	free(dev);
	if (!r)
		SKIP(return, "%.100s is not on %.60s", self->port, pci);
	ASSERT_EQ(0, ta_set_mask(self->efd, TTYDPC_EV_RING, 0));
	ASSERT_EQ(0, start_waiter(_metadata, self->port, &w, self->fd, 1));
	snprintf(path, sizeof(path), "%s/unbind", drv);
	r = tt_write_file(path, pci);
	ASSERT_EQ(0, r) TH_LOG("unbind %s: %s", pci, strerror(-r));
	EXPECT_TRUE(ta_waiter_join(&w, DONE_MS)) {
		ta_waiter_kill(&w);
	}
	EXPECT_EQ(-EIO, w.ret) TH_LOG("wait across unbind: %s", ta_errno_name(w.ret));
	/* the port is gone: every later call on its event file is ENODEV */
	EXPECT_EQ(-ENODEV, ta_get_mask(self->efd, NULL, NULL));
	EXPECT_EQ(-ENODEV, ta_wait(self->efd, NULL));
	close(self->fd);
	self->fd = -1;
	snprintf(path, sizeof(path), "%s/bind", drv);
	r = tt_write_file(path, pci);
	ASSERT_EQ(0, r) TH_LOG("bind %s: %s", pci, strerror(-r));
	for (int i = 0; i < 50 && !tt_path_exists(self->port); i++)
		usleep(100000);
	self->fd = tt_open_raw(self->port, 115200);
	ASSERT_LE(0, self->fd) TH_LOG("%s after bind: %s", self->port, strerror(-self->fd));
	/* rebound: the old file still says ENODEV, a new attach works */
	EXPECT_EQ(-ENODEV, ta_get_mask(self->efd, NULL, NULL));
	close(self->efd);
	self->efd = ta_event_open(self->fd);
	ASSERT_LE(0, self->efd) TH_LOG("attach after bind: %s", strerror(-self->efd));
	EXPECT_EQ(0, ta_get_mask(self->efd, NULL, NULL));
}

TEST_HARNESS_MAIN
