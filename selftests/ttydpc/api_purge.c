// SPDX-License-Identifier: GPL-2.0
/*
 * api_purge: TTYDPC_IOC_PURGE (include/uapi/ttydpc.h, semantics at the top
 * of src/ttydpc_purge.c and in Documentation/ttydpc/uapi.rst) on
 * TTYDPC_PORT.
 *
 *  - RXCLEAR discards everything received and not yet read: the read
 *    queue, the RX FIFO and the tty layer's buffers. After it a read
 *    returns only bytes that arrive later (host peer: pending input; in the
 *    middle of a transfer the rest is one contiguous tail of the stream;
 *    loopback flood: input held back in the driver, in_queue > 0).
 *  - TXCLEAR discards queued output: loopback with CRTSCTS and CTS off
 *    keeps the output queued (out_queue, TIOCOUTQ) until the purge empties
 *    it; with the host peer not reading (STALL) a write backs up in the
 *    driver, and after TXCLEAR + RESUME the host gets fewer bytes than
 *    were written, the gap being what was queued. (QEMU sends as fast as
 *    the guest feeds it, so without STALL the queue is never seen full.)
 *  - TXABORT / RXABORT end pending waits on their direction with
 *    ECANCELED, and only those; CLEAR ends no wait and no blocked read().
 *  - tcflush(TCIFLUSH) and tcflush(TCIOFLUSH) empty input held back in the
 *    driver the same way (ttydpc_tcflush()).
 *  - Bad flags: EINVAL; bad pointer: EFAULT.
 */
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <termios.h>

#include "ttydpc_harness.h"
#include "ttydpc_api_fixture.h"

TA_API_FIXTURE(purge)

static int inq(int fd)
{
	int q = -1;

	return ioctl(fd, TIOCINQ, &q) ? -errno : q;
}

static int outq(int fd)
{
	int q = -1;

	return ioctl(fd, TIOCOUTQ, &q) ? -errno : q;
}

/* Read until nothing came for quiet_ms (or size bytes); bytes read or -errno. */
static ssize_t read_until_quiet(int fd, uint8_t *buf, size_t size, int quiet_ms)
{
	size_t got = 0;

	while (got < size) {
		ssize_t r = tt_read_full(fd, buf + got, size - got > 1024 ? 1024 : size - got,
					 quiet_ms);

		if (r < 0)
			return got ? (ssize_t)got : r;
		if (r == 0)
			break;
		got += r;
	}
	return got;
}

/* ---- arguments -------------------------------------------------------- */

TEST_F(purge, bad_flags_and_pointers)
{
	static const uint32_t bad[] = { 0, 0x10, 0x80000000, TTYDPC_PURGE_ALL | 0x10, 0xffffffff };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(-EINVAL, ta_purge(self->efd, bad[i])) TH_LOG("flags %#x", bad[i]);
	}
	TT_EXPECT_ERRNO(EFAULT, ioctl(self->efd, TTYDPC_IOC_PURGE, NULL));
	TT_EXPECT_ERRNO(EFAULT, ioctl(self->efd, TTYDPC_IOC_PURGE, (void *)8));
	for (uint32_t f = 1; f <= TTYDPC_PURGE_ALL; f++) {
		EXPECT_EQ(0, ta_purge(self->efd, f)) TH_LOG("flags %#x", f);
	}
	if (self->have_dbg) {
		struct ta_dbg d;

		ASSERT_EQ(0, ta_dbg_read(self->port, &d));
		EXPECT_EQ(1, ta_dbg_get(&d, "queue_purge_refs"))
			TH_LOG("purge queue refs %lld after the purges", ta_dbg_get(&d, "queue_purge_refs"));
	}
}

/* ---- RXCLEAR ---------------------------------------------------------- */

/* Input the host sent and nobody read is gone after RXCLEAR. */
TEST_F(purge, rxclear_discards_pending_input)
{
	const size_t n = 12 * 1024;
	struct ttydpc_comm_status cs;
	struct ta_dbg d;
	char reply[256];
	uint8_t buf[4096];
	long long rx0 = 0;
	ssize_t r;

	TT_NEED_CTL(self->have_ctl);
	if (self->have_dbg) {
		ASSERT_EQ(0, ta_dbg_read(self->port, &d));
		rx0 = ta_dbg_get(&d, "rx_bytes");
	}
	ASSERT_EQ(1, tt_ctl_cmd(&self->ctl, reply, sizeof(reply), 10000, "SEND %s %zu 77",
				self->chan, n)) TH_LOG("SEND: %s", reply);
	/* all of it in the guest, none of it read */
	if (self->have_dbg) {
		ASSERT_EQ(0, ta_dbg_wait_ge(self->port, "rx_bytes", rx0 + n, 30000))
			TH_LOG("the host's %zu bytes did not arrive", n);
	} else {
		sleep(5);
	}
	usleep(100000);
	TH_LOG("before the purge: TIOCINQ %d (the rest waits in the tty buffers)", inq(self->fd));
	ASSERT_EQ(0, ta_purge(self->efd, TTYDPC_PURGE_RXCLEAR));
	EXPECT_EQ(0, inq(self->fd)) TH_LOG("TIOCINQ right after RXCLEAR");
	ASSERT_EQ(0, ta_commstatus(self->efd, &cs));
	EXPECT_EQ(0u, cs.in_queue);
	r = tt_read_full(self->fd, buf, sizeof(buf), 500);
	EXPECT_EQ(0, r) TH_LOG("%zd old bytes readable after RXCLEAR (TIOCINQ now %d)", r, inq(self->fd));
	/* only what comes later */
	ASSERT_EQ(1, tt_ctl_cmd(&self->ctl, reply, sizeof(reply), 10000, "PUT %s cafe",
				self->chan)) TH_LOG("PUT: %s", reply);
	r = tt_read_full(self->fd, buf, sizeof(buf), 1000);
	ASSERT_EQ(2, r) TH_LOG("read %zd bytes after the purge, want the 2 sent after it", r);
	EXPECT_EQ(0xca, buf[0]);
	EXPECT_EQ(0xfe, buf[1]);
	tt_ctl_wait(&self->ctl, self->chan, 5, &(struct tt_wait_res){ 0 });
}
TT_SET_TIMEOUT(purge, rxclear_discards_pending_input, 90)

/*
 * RXCLEAR in the middle of a host->guest stream, while the application has
 * not read for a while (line discipline full, more in the tty buffers):
 * what is read afterwards is one contiguous tail of the stream that starts
 * no earlier than what had reached the tty layer when the purge was made.
 */
TEST_F(purge, rxclear_during_transfer)
{
	const size_t n = 96 * 1024, head = 4096;
	static uint8_t want[96 * 1024], got[96 * 1024];
	struct tt_stream s;
	struct tt_wait_res w;
	struct ta_dbg d;
	char reply[256];
	long long rx0 = -1, rx1 = -1;
	size_t tail = 0, start = 0, good = 0;
	int q = 0;
	ssize_t r;
	bool found = false;

	TT_NEED_CTL(self->have_ctl);
	tt_stream_init(&s, 0x9e11);
	tt_stream_fill(&s, want, n);
	ASSERT_EQ(1, tt_ctl_cmd(&self->ctl, reply, sizeof(reply), 10000, "FLUSH %s", self->chan));
	if (self->have_dbg && !ta_dbg_read(self->port, &d))
		rx0 = ta_dbg_get(&d, "rx_bytes");
	ASSERT_EQ(1, tt_ctl_cmd(&self->ctl, reply, sizeof(reply), 10000, "SEND %s %zu %u",
				self->chan, n, 0x9e11)) TH_LOG("SEND: %s", reply);
	r = tt_read_full(self->fd, got, head, 30000);
	ASSERT_EQ((ssize_t)head, r);
	ASSERT_EQ(0, memcmp(got, want, head)) TH_LOG("the stream is wrong before the purge");
	/* stop reading: the line discipline fills, then the tty buffers */
	for (int i = 0; i < 500 && (q = inq(self->fd)) < 4095; i++)
		usleep(10000);
	usleep(100000);
	if (rx0 >= 0 && !ta_dbg_read(self->port, &d))
		rx1 = ta_dbg_get(&d, "rx_bytes");
	TH_LOG("purging with %d bytes unread in the line discipline, %lld handed to the tty layer",
	       inq(self->fd), rx1 >= 0 ? rx1 - rx0 : -1);
	ASSERT_EQ(0, ta_purge(self->efd, TTYDPC_PURGE_RXCLEAR));
	r = read_until_quiet(self->fd, got, n, 2000);
	ASSERT_LE(0, r);
	tail = r;
	ASSERT_EQ(0, tt_ctl_wait(&self->ctl, self->chan, 10, &w));
	EXPECT_TRUE(w.ok);
	EXPECT_EQ((long)n, w.sent);
	TH_LOG("read %zu bytes before and %zu after the purge, of %zu", head, tail, n);
	EXPECT_GT(n - head, tail) TH_LOG("nothing was discarded");
	if (!tail)
		return;
	/* where does the tail start? */
	if (tail >= 32) {
		for (size_t off = head; off + 32 <= n && !found; off++)
			if (!memcmp(got, want + off, 32)) {
				start = off;
				found = true;
			}
	} else {
		start = n - tail;
		found = !memcmp(got, want + start, tail);
	}
	ASSERT_TRUE(found) TH_LOG("the first bytes after the purge are not from the stream after offset %zu",
				  head);
	while (good < tail && start + good < n && got[good] == want[start + good])
		good++;
	TH_LOG("after the purge: stream offsets %zu..%zu", start, start + good);
	EXPECT_EQ(tail, good)
		TH_LOG("after the purge: %zu bytes match the stream from offset %zu, then byte %zu differs (a hole)",
		       good, start, good);
	EXPECT_EQ(n, start + tail) TH_LOG("the tail starts at %zu and is %zu long: it does not end the stream",
					  start, tail);
	if (rx1 >= 0) {
		EXPECT_LE(rx1 - rx0, (long long)start)
			TH_LOG("bytes %zu..%lld had reached the tty layer before RXCLEAR and were read after it",
			       start, rx1 - rx0);
	}
}
TT_SET_TIMEOUT(purge, rxclear_during_transfer, 120)

/* How held-back input is flushed in held_input_flushed(). */
enum held_flush {
	BY_PURGE,		/* TTYDPC_IOC_PURGE TXCLEAR | RXCLEAR */
	BY_TCIOFLUSH,		/* tcflush(TCIOFLUSH) */
	BY_TCIFLUSH,		/* tcflush(TCOFLUSH), then tcflush(TCIFLUSH) */
};

/*
 * Loopback flood: input held back in the driver (in_queue > 0, HOLD_RX),
 * the tty buffers full. Flushing input (and output, which would refill it
 * in loopback) empties all of it; afterwards a marker written in loopback
 * is all there is to read.
 *
 * The flood stops only once the hold is the lasting kind, with the tty
 * layer full (ta_stop_rx_held_full()). Stopping at the first HOLD_RX (as
 * before) raced the driver on armhf: the ring had filled before the
 * deferred routine ran, the tty layer still had room (143,340 bytes in),
 * and the next retry released the hold during TCOFLUSH's 50 ms.
 */
static void held_input_flushed(struct __test_metadata *_metadata, int fd, int efd,
			       enum held_flush how)
{
	struct ta_held_full held = { .efd = efd };
	struct ttydpc_comm_status cs;
	uint8_t buf[4096];
	long n;
	ssize_t r;

	ta_loop_on(_metadata, fd);
	n = ta_flood(fd, 8u << 20, 60000, ta_stop_rx_held_full, &held);
	ASSERT_LT(0, n);
	ASSERT_EQ(0, ta_commstatus(efd, &cs));
	TH_LOG("after %ld bytes in loopback: hold %#x in_queue %u out_queue %u TIOCINQ %d",
	       n, cs.hold, cs.in_queue, cs.out_queue, inq(fd));
	ASSERT_TRUE(ta_stop_rx_held_full(fd, &held)) TH_LOG("RX never held back with the tty layer full");
	ASSERT_TRUE((cs.hold & TTYDPC_HOLD_RX) != 0) TH_LOG("RX never held back");
	EXPECT_LT(0u, cs.in_queue);
	switch (how) {
	case BY_PURGE:
		ASSERT_EQ(0, ta_purge(efd, TTYDPC_PURGE_TXCLEAR | TTYDPC_PURGE_RXCLEAR));
		break;
	case BY_TCIOFLUSH:
		ASSERT_EQ(0, tcflush(fd, TCIOFLUSH));
		break;
	case BY_TCIFLUSH:
		ASSERT_EQ(0, tcflush(fd, TCOFLUSH));
		usleep(50000);	/* what the TX FIFO held loops back meanwhile */
		ASSERT_EQ(0, ta_commstatus(efd, &cs));
		ASSERT_TRUE((cs.hold & TTYDPC_HOLD_RX) != 0)
			TH_LOG("TCOFLUSH released the held input: hold %#x", cs.hold);
		ASSERT_EQ(0, tcflush(fd, TCIFLUSH));
		break;
	}
	ASSERT_EQ(0, ta_commstatus(efd, &cs));
	EXPECT_EQ(0u, cs.in_queue);
	EXPECT_EQ(0u, cs.out_queue);
	EXPECT_EQ(0u, cs.hold & TTYDPC_HOLD_RX) TH_LOG("still held after the flush: hold %#x", cs.hold);
	EXPECT_EQ(0, inq(fd)) TH_LOG("TIOCINQ right after the flush");
	usleep(200000);
	EXPECT_EQ(0, inq(fd)) TH_LOG("TIOCINQ 200 ms after the flush (held input came back?)");
	ASSERT_EQ(4, tt_write_full(fd, "MARK", 4, DONE_MS));
	r = tt_read_full(fd, buf, sizeof(buf), 1000);
	EXPECT_EQ(4, r) TH_LOG("read %zd bytes, first %#x: old input survived the flush",
			       r, r > 0 ? buf[0] : 0);
	if (r >= 4) {
		EXPECT_EQ(0, memcmp(buf + r - 4, "MARK", 4));
	}
	tcflush(fd, TCIOFLUSH);
}

TEST_F(purge, rxclear_releases_held_input)
{
	held_input_flushed(_metadata, self->fd, self->efd, BY_PURGE);
}
TT_SET_TIMEOUT(purge, rxclear_releases_held_input, 120)

/* tcflush(TCIFLUSH) reaches the driver's read queue and RX FIFO too. */
TEST_F(purge, tciflush_discards_held_input)
{
	held_input_flushed(_metadata, self->fd, self->efd, BY_TCIFLUSH);
}
TT_SET_TIMEOUT(purge, tciflush_discards_held_input, 120)

TEST_F(purge, tcioflush_discards_held_input)
{
	held_input_flushed(_metadata, self->fd, self->efd, BY_TCIOFLUSH);
}
TT_SET_TIMEOUT(purge, tcioflush_discards_held_input, 120)

/* ---- TXCLEAR ---------------------------------------------------------- */

/*
 * Loopback, CRTSCTS, RTS (so CTS) off: output stays queued. TXCLEAR, then
 * TXABORT, empty the queue; with CTS back nothing old comes out.
 */
TEST_F(purge, txclear_discards_held_output)
{
	static const uint32_t how[] = { TTYDPC_PURGE_TXCLEAR, TTYDPC_PURGE_TXABORT };
	struct ttydpc_comm_status cs;
	uint8_t out[3000], in[4096];
	ssize_t r;

	memset(out, 'o', sizeof(out));
	ta_loop_on(_metadata, self->fd);
	ASSERT_EQ(0, ta_mbis(self->fd, TIOCM_RTS));
	ASSERT_EQ(0, tt_set_cflag(self->fd, 0, CRTSCTS));
	for (size_t k = 0; k < 2; k++) {
		ASSERT_EQ(0, ta_mbic(self->fd, TIOCM_RTS));
		ASSERT_EQ(0, ta_wait_hold(self->efd, TTYDPC_HOLD_CTS, true, DONE_MS, &cs))
			TH_LOG("CTS off in loopback with CRTSCTS: no HOLD_CTS");
		ASSERT_EQ((ssize_t)sizeof(out), tt_write_full(self->fd, out, sizeof(out), DONE_MS));
		usleep(50000);
		ASSERT_EQ(0, ta_commstatus(self->efd, &cs));
		EXPECT_EQ(sizeof(out), cs.out_queue);
		EXPECT_EQ((int)sizeof(out), outq(self->fd));
		ASSERT_EQ(0, ta_purge(self->efd, how[k]));
		ASSERT_EQ(0, ta_commstatus(self->efd, &cs));
		EXPECT_EQ(0u, cs.out_queue) TH_LOG("flags %#x", how[k]);
		EXPECT_EQ(0, outq(self->fd));
		ASSERT_EQ(0, ta_mbis(self->fd, TIOCM_RTS));
		ASSERT_EQ(0, ta_wait_hold(self->efd, TTYDPC_HOLD_CTS, false, DONE_MS, &cs));
		r = tt_read_full(self->fd, in, sizeof(in), 300);
		EXPECT_EQ(0, r) TH_LOG("%zd purged bytes came out anyway (flags %#x)", r, how[k]);
		ASSERT_EQ(2, tt_write_full(self->fd, "ok", 2, DONE_MS));
		r = tt_read_full(self->fd, in, sizeof(in), 1000);
		EXPECT_EQ(2, r);
	}
}

/*
 * TXCLEAR while the host is not reading (STALL: QEMU's UART cannot send, the
 * output backs up in the driver): the queue empties at once, and after
 * RESUME the host gets the stream up to the purged part, then what was
 * written after the purge - fewer bytes than were written.
 */
TEST_F(purge, txclear_during_big_write)
{
	const size_t cap = 1u << 20, after = 1024;
	static uint8_t data[(1u << 20) + 1024];
	struct ttydpc_comm_status cs;
	struct tt_stream s;
	struct tt_wait_res w;
	char reply[256];
	size_t done = 0;
	unsigned int queued = 0, stable = 0;
	long lost;

	TT_NEED_CTL(self->have_ctl);
	tt_stream_init(&s, 0x7c1e);
	tt_stream_fill(&s, data, sizeof(data));
	ASSERT_EQ(1, tt_ctl_cmd(&self->ctl, reply, sizeof(reply), 10000, "FLUSH %s", self->chan));
	ASSERT_EQ(1, tt_ctl_cmd(&self->ctl, reply, sizeof(reply), 10000, "STALL %s", self->chan));
	/* write until the output queue is full and stays so */
	while (done < cap && stable < 10) {
		ssize_t k = write(self->fd, data + done, cap - done);

		if (k > 0)
			done += k;
		else if (k < 0 && errno != EAGAIN)
			break;
		usleep(10000);
		if (ta_commstatus(self->efd, &cs))
			break;
		stable = (cs.out_queue >= 2048 && cs.out_queue == queued) ? stable + 1 : 0;
		queued = cs.out_queue;
	}
	TH_LOG("host stalled: wrote %zu, %u bytes queued in the driver", done, queued);
	if (stable < 10) {
		tt_ctl_cmd(&self->ctl, reply, sizeof(reply), 10000, "RESUME %s", self->chan);
		ASSERT_LE(10u, stable) TH_LOG("the output never backed up");
	}
	EXPECT_EQ((int)queued, outq(self->fd));
	ASSERT_EQ(0, ta_purge(self->efd, TTYDPC_PURGE_TXCLEAR));
	ASSERT_EQ(0, ta_commstatus(self->efd, &cs));
	EXPECT_EQ(0u, cs.out_queue) TH_LOG("out_queue right after TXCLEAR");
	EXPECT_EQ(0, outq(self->fd)) TH_LOG("TIOCOUTQ right after TXCLEAR");
	/* more after the purge, then let the host read and check it all */
	ASSERT_EQ((ssize_t)after, tt_write_full(self->fd, data + done, after, DONE_MS));
	ASSERT_EQ(1, tt_ctl_cmd(&self->ctl, reply, sizeof(reply), 10000, "RECV %s %zu %u 20",
				self->chan, done + after, 0x7c1e)) TH_LOG("RECV: %s", reply);
	ASSERT_EQ(1, tt_ctl_cmd(&self->ctl, reply, sizeof(reply), 10000, "RESUME %s", self->chan));
	ASSERT_EQ(0, tt_wait_outq_empty(self->fd, 30000));
	ASSERT_EQ(0, ta_commstatus(self->efd, &cs));
	EXPECT_EQ(0u, cs.out_queue);
	ASSERT_EQ(0, tt_ctl_wait(&self->ctl, self->chan, 10, &w));
	TH_LOG("host: %s recv=%ld at=%ld", w.ok ? "OK" : w.mismatch ? "mismatch" : "timeout",
	       w.recv, w.at);
	ASSERT_TRUE(w.mismatch) TH_LOG("the host got the whole stream: nothing was purged");
	/* the bytes missing are those queued, plus at most a FIFO load */
	lost = (long)done - w.at;
	TH_LOG("the host got %ld of the %zu bytes written before the purge: %ld purged (%u were queued)",
	       w.at, done, lost, queued);
	EXPECT_LE((long)queued, lost);
	EXPECT_GE((long)queued + 64, lost);
}
TT_SET_TIMEOUT(purge, txclear_during_big_write, 120)

/* ---- ABORT and waits -------------------------------------------------- */

TEST_F(purge, abort_ends_waits_on_its_direction)
{
	static const struct {
		uint32_t mask, flags;
		bool ends;
	} cases[] = {
		{ TTYDPC_EV_TXEMPTY, TTYDPC_PURGE_TXABORT, true },
		{ TTYDPC_EV_TXEMPTY | TTYDPC_EV_CTS, TTYDPC_PURGE_TXABORT, true },
		{ TTYDPC_EV_RXCHAR, TTYDPC_PURGE_RXABORT, true },
		{ TTYDPC_EV_RXFLAG, TTYDPC_PURGE_RXABORT, true },
		{ TTYDPC_EV_RX80FULL, TTYDPC_PURGE_RXABORT, true },
		{ TTYDPC_EV_RXCHAR | TTYDPC_EV_TXEMPTY, TTYDPC_PURGE_RXABORT, true },
		{ TTYDPC_EV_RXCHAR, TTYDPC_PURGE_TXABORT, false },
		{ TTYDPC_EV_TXEMPTY, TTYDPC_PURGE_RXABORT, false },
		{ TTYDPC_EV_CTS | TTYDPC_EV_DSR | TTYDPC_EV_RING, TTYDPC_PURGE_ALL, false },
		{ TTYDPC_EV_BREAK | TTYDPC_EV_ERR, TTYDPC_PURGE_TXABORT | TTYDPC_PURGE_RXABORT, false },
	};
	struct ta_waiter w;
	char m[64], f[64];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ta_format_bits(m, sizeof(m), cases[i].mask, ta_ev_names);
		ta_format_bits(f, sizeof(f), cases[i].flags, ta_purge_names);
		ASSERT_EQ(0, ta_set_mask(self->efd, cases[i].mask, 0));
		ASSERT_EQ(0, ta_start_waiter_on(_metadata, self->port, &w, self->fd, -1, 1)) TH_LOG("mask %s", m);
		ASSERT_EQ(0, ta_purge(self->efd, cases[i].flags));
		if (cases[i].ends) {
			ASSERT_TRUE(ta_waiter_join(&w, DONE_MS)) {
				TH_LOG("mask %s, purge %s: the wait goes on", m, f);
				ta_waiter_kill(&w);
			}
			EXPECT_EQ(-ECANCELED, w.ret) TH_LOG("mask %s, purge %s: %s events %#x",
							   m, f, ta_errno_name(w.ret), w.events);
		} else {
			EXPECT_FALSE(ta_waiter_join(&w, PENDING_MS))
				TH_LOG("mask %s, purge %s ended the wait: %s", m, f, ta_errno_name(w.ret));
			ASSERT_EQ(0, ta_set_mask(self->efd, cases[i].mask, 0));
			ASSERT_TRUE(ta_join_or_kill(&w, DONE_MS));
			EXPECT_EQ(0, w.ret);
		}
	}
}

TEST_F(purge, clear_ends_no_wait)
{
	struct ta_waiter w;

	ASSERT_EQ(0, ta_set_mask(self->efd, TTYDPC_EV_ALL, 0));
	ASSERT_EQ(0, ta_start_waiter_on(_metadata, self->port, &w, self->fd, -1, 1));
	ASSERT_EQ(0, ta_purge(self->efd, TTYDPC_PURGE_TXCLEAR));
	ASSERT_EQ(0, ta_purge(self->efd, TTYDPC_PURGE_RXCLEAR));
	ASSERT_EQ(0, ta_purge(self->efd, TTYDPC_PURGE_TXCLEAR | TTYDPC_PURGE_RXCLEAR));
	EXPECT_FALSE(ta_waiter_join(&w, PENDING_MS))
		TH_LOG("a CLEAR purge ended the wait: %s events %#x", ta_errno_name(w.ret), w.events);
	ASSERT_EQ(0, ta_set_mask(self->efd, 0, 0));
	TA_EXPECT_ENDED(w, 0u);
}

struct reader {
	int fd;
	volatile int done;
	ssize_t ret;
	int err;
	uint8_t buf[16];
};

static void *reader_fn(void *arg)
{
	struct reader *rd = arg;

	rd->ret = read(rd->fd, rd->buf, sizeof(rd->buf));
	rd->err = errno;
	__atomic_store_n(&rd->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static bool reader_join(struct reader *rd, pthread_t th, int ms)
{
	if (!TT_POLL(__atomic_load_n(&rd->done, __ATOMIC_ACQUIRE), ms, 1000))
		return false;
	pthread_join(th, NULL);
	return true;
}

/* A blocking read() goes on through RXCLEAR and RXABORT, and gets later data. */
TEST_F(purge, purge_ends_no_blocked_read)
{
	struct reader rd = { 0 };
	pthread_t th;
	int fd2;

	ta_loop_on(_metadata, self->fd);
	fd2 = open(self->port, O_RDWR | O_NOCTTY | O_CLOEXEC);	/* blocking */
	ASSERT_LE(0, fd2);
	rd.fd = fd2;
	ASSERT_EQ(0, pthread_create(&th, NULL, reader_fn, &rd));
	usleep(200000);
	ASSERT_EQ(0, ta_purge(self->efd, TTYDPC_PURGE_RXCLEAR));
	ASSERT_EQ(0, ta_purge(self->efd, TTYDPC_PURGE_RXABORT));
	EXPECT_FALSE(reader_join(&rd, th, PENDING_MS))
		TH_LOG("read() returned %zd (%s) on a purge", rd.ret, strerror(rd.err));
	if (!rd.done) {
		ASSERT_EQ(1, tt_write_full(self->fd, "!", 1, DONE_MS));
		ASSERT_TRUE(reader_join(&rd, th, DONE_MS)) {
			pthread_kill(th, SIGUSR2);
			reader_join(&rd, th, DONE_MS);
		}
		EXPECT_EQ(1, rd.ret);
		EXPECT_EQ('!', rd.buf[0]);
	}
	close(fd2);
}

TEST_HARNESS_MAIN
