// SPDX-License-Identifier: GPL-2.0
/*
 * api_stats: TTYDPC_IOC_GET_STATS / CLEAR_STATS / COMMSTATUS
 * (include/uapi/ttydpc.h, Documentation/ttydpc/uapi.rst) on TTYDPC_PORT.
 *
 *  - received / transmitted equal the bytes moved (host peer, and in UART
 *    loopback without one) and debugfs rx_bytes / tx_bytes;
 *  - CLEAR_STATS zeroes every counter, TIOCGICOUNT keeps counting;
 *  - a received break shows as TTYDPC_ERR_BREAK in COMMSTATUS once, then
 *    the errors read 0; breaks counts it;
 *  - an overrun (loopback flood nobody reads) shows as ERR_OVERRUN and is
 *    counted in overrun_errors, TIOCGICOUNT and debugfs;
 *  - hold reasons (CTS, XOFF, break) and out_queue follow the port;
 *  - version and reserved fields are checked on input, bad pointers give
 *    EFAULT, and output structs carry no stale bytes (filled with 0xa5
 *    before the call, every field written).
 */
#include <limits.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <linux/serial.h>

#include "ttydpc_harness.h"
#include "ttydpc_api_fixture.h"

TA_API_FIXTURE(stats)

static void log_stats(struct __test_metadata *_metadata, const char *when,
		      const struct ttydpc_stats_user *s)
{
	TH_LOG("%s: received %llu transmitted %llu frame %llu overrun %llu buffer %llu parity %llu breaks %llu",
	       when, (unsigned long long)s->received, (unsigned long long)s->transmitted,
	       (unsigned long long)s->frame_errors, (unsigned long long)s->overrun_errors,
	       (unsigned long long)s->buffer_overruns, (unsigned long long)s->parity_errors,
	       (unsigned long long)s->breaks);
}

/* Wait until received reaches n (the deferred routine counts it). */
static int wait_received(int fd, uint64_t n, struct ttydpc_stats_user *s)
{
	int r;

	if (!TT_POLL((r = ta_get_stats(fd, s)) || s->received >= n, DONE_MS, 5000))
		return -ETIMEDOUT;
	return r;
}

static void expect_no_errors(struct __test_metadata *_metadata,
			     const struct ttydpc_stats_user *s)
{
	EXPECT_EQ(0u, s->frame_errors);
	EXPECT_EQ(0u, s->overrun_errors);
	EXPECT_EQ(0u, s->buffer_overruns);
	EXPECT_EQ(0u, s->parity_errors);
	EXPECT_EQ(0u, s->breaks);
}

/* n bytes went each way: once counted, both counters show n and no errors. */
static void expect_moved(struct __test_metadata *_metadata, int efd, uint64_t n,
			 const char *when, struct ttydpc_stats_user *s)
{
	ASSERT_EQ(0, wait_received(efd, n, s));
	usleep(100000);
	ASSERT_EQ(0, ta_get_stats(efd, s));
	log_stats(_metadata, when, s);
	EXPECT_EQ(n, s->received);
	EXPECT_EQ(n, s->transmitted);
	expect_no_errors(_metadata, s);
}

/* ---- counting --------------------------------------------------------- */

TEST_F(stats, counts_host_transfer)
{
	const size_t n = 16 * 1024;
	struct ttydpc_stats_user s;
	struct ta_dbg d;
	char msg[512];
	int r;

	TT_NEED_CTL(self->have_ctl);
	ASSERT_EQ(0, ta_clear_stats(self->efd));
	ASSERT_EQ(0, ta_get_stats(self->efd, &s));
	EXPECT_EQ(0u, s.received);
	EXPECT_EQ(0u, s.transmitted);
	r = tt_host_xfer(&self->ctl, self->fd, self->chan, n, 0x51, n, 0x52,
			 tt_budget_s(2 * n), msg, sizeof(msg));
	TH_LOG("%s", msg);
	ASSERT_EQ(0, r);
	expect_moved(_metadata, self->efd, n, "after 16 KiB each way", &s);
	if (self->have_dbg) {
		ASSERT_EQ(0, ta_dbg_read(self->port, &d));
		EXPECT_EQ((long long)s.received, ta_dbg_get(&d, "rx_bytes"));
		EXPECT_EQ((long long)s.transmitted, ta_dbg_get(&d, "tx_bytes"));
	}
}
TT_SET_TIMEOUT(stats, counts_host_transfer, tt_budget_s(32 * 1024) + 60)

TEST_F(stats, counts_loopback)
{
	const size_t n = 3000;
	static uint8_t out[3000], in[3000];
	struct ttydpc_stats_user s;
	struct tt_stream st;

	ta_loop_on(_metadata, self->fd);
	ASSERT_EQ(0, ta_clear_stats(self->efd));
	tt_stream_init(&st, 0x1005);
	tt_stream_fill(&st, out, n);
	ASSERT_EQ((ssize_t)n, tt_write_full(self->fd, out, n, DONE_MS));
	ASSERT_EQ((ssize_t)n, tt_read_full(self->fd, in, n, DONE_MS));
	ASSERT_EQ(0, memcmp(in, out, n));
	expect_moved(_metadata, self->efd, n, "after 3000 bytes in loopback", &s);
}

TEST_F(stats, clear_zeroes_everything)
{
	struct ttydpc_stats_user s;
	struct serial_icounter_struct ic0, ic1;
	struct ta_dbg d;
	uint8_t buf[64];
	char reply[256];

	ta_loop_on(_metadata, self->fd);
	ASSERT_EQ(64, tt_write_full(self->fd, "0123456789012345678901234567890123456789012345678901234567890123", 64, DONE_MS));
	ASSERT_EQ(64, tt_read_full(self->fd, buf, 64, DONE_MS));
	ASSERT_EQ(0, ta_mbic(self->fd, TIOCM_LOOP));
	if (self->have_ctl) {
		ASSERT_EQ(1, tt_ctl_cmd(&self->ctl, reply, sizeof(reply), 10000, "BREAK %s",
					self->chan)) TH_LOG("BREAK: %s", reply);
		usleep(300000);
	}
	tcflush(self->fd, TCIOFLUSH);
	ASSERT_EQ(0, ta_get_stats(self->efd, &s));
	log_stats(_metadata, "before CLEAR_STATS", &s);
	EXPECT_LE(64u, s.received);
	EXPECT_LE(64u, s.transmitted);
	if (self->have_ctl) {
		EXPECT_LE(1u, s.breaks);
	}
	ASSERT_EQ(0, ioctl(self->fd, TIOCGICOUNT, &ic0));
	ASSERT_EQ(0, ta_clear_stats(self->efd));
	ASSERT_EQ(0, ta_get_stats(self->efd, &s));
	log_stats(_metadata, "after CLEAR_STATS", &s);
	EXPECT_EQ(0u, s.received);
	EXPECT_EQ(0u, s.transmitted);
	expect_no_errors(_metadata, &s);
	if (self->have_dbg) {
		ASSERT_EQ(0, ta_dbg_read(self->port, &d));
		EXPECT_EQ(0, ta_dbg_get(&d, "rx_bytes"));
		EXPECT_EQ(0, ta_dbg_get(&d, "tx_bytes"));
		EXPECT_EQ(0, ta_dbg_get(&d, "break"));
	}
	/* TIOCGICOUNT is not affected */
	ASSERT_EQ(0, ioctl(self->fd, TIOCGICOUNT, &ic1));
	EXPECT_EQ(ic0.rx, ic1.rx);
	EXPECT_EQ(ic0.tx, ic1.tx);
	EXPECT_EQ(ic0.brk, ic1.brk);
	EXPECT_LE(64, ic1.rx);
	/* and counting goes on from zero */
	ta_loop_on(_metadata, self->fd);
	ASSERT_EQ(10, tt_write_full(self->fd, "abcdefghij", 10, DONE_MS));
	ASSERT_EQ(10, tt_read_full(self->fd, buf, 10, DONE_MS));
	ASSERT_EQ(0, wait_received(self->efd, 10, &s));
	usleep(50000);
	ASSERT_EQ(0, ta_get_stats(self->efd, &s));
	EXPECT_EQ(10u, s.received);
	EXPECT_EQ(10u, s.transmitted);
}

/* ---- COMMSTATUS errors ------------------------------------------------ */

TEST_F(stats, break_latched_once)
{
	struct ttydpc_comm_status cs;
	struct ttydpc_stats_user s;
	uint64_t end;
	char reply[256];
	uint32_t errors = 0;

	TT_NEED_CTL(self->have_ctl);
	ASSERT_EQ(0, ta_commstatus(self->efd, &cs));	/* clear what is latched */
	ASSERT_EQ(0, ta_clear_stats(self->efd));
	ASSERT_EQ(1, tt_ctl_cmd(&self->ctl, reply, sizeof(reply), 10000, "BREAK %s",
				self->chan)) TH_LOG("BREAK: %s", reply);
	end = tt_now_ms() + DONE_MS;
	while (!errors && tt_now_ms() < end) {
		ASSERT_EQ(0, ta_commstatus(self->efd, &cs));
		errors = cs.errors;
		if (!errors)
			usleep(5000);
	}
	TH_LOG("COMMSTATUS errors %#x after a break", errors);
	EXPECT_TRUE((errors & TTYDPC_ERR_BREAK) != 0);
	EXPECT_EQ(0u, errors & (TTYDPC_ERR_OVERRUN | TTYDPC_ERR_RXOVER | TTYDPC_ERR_PARITY));
	/* read once: cleared */
	ASSERT_EQ(0, ta_commstatus(self->efd, &cs));
	EXPECT_EQ(0u, cs.errors);
	ASSERT_EQ(0, ta_get_stats(self->efd, &s));
	log_stats(_metadata, "after one break", &s);
	EXPECT_EQ(1u, s.breaks);
	EXPECT_EQ(0u, s.overrun_errors);
	tcflush(self->fd, TCIFLUSH);
}

/* An overrun is reported and counted everywhere. */
TEST_F(stats, overrun_counted)
{
	struct serial_icounter_struct ic0, ic1;
	struct ttydpc_comm_status cs;
	struct ttydpc_stats_user s;
	struct ta_dbg d;
	uint32_t errors = 0;
	long n;

	ta_loop_on(_metadata, self->fd);
	ASSERT_EQ(0, ta_commstatus(self->efd, &cs));
	ASSERT_EQ(0, ta_clear_stats(self->efd));
	ASSERT_EQ(0, ioctl(self->fd, TIOCGICOUNT, &ic0));
	n = ta_flood(self->fd, 8u << 20, 60000, ta_stop_rx_held, &self->efd);
	ASSERT_LT(0, n);
	/* held: the next FIFO loads overrun the UART */
	for (int i = 0; i < 100 && !(errors & TTYDPC_ERR_OVERRUN); i++) {
		ASSERT_LE(0, ta_flood(self->fd, 4096, 1000, NULL, NULL));
		usleep(20000);
		ASSERT_EQ(0, ta_commstatus(self->efd, &cs));
		errors |= cs.errors;
	}
	TH_LOG("after %ld bytes: errors %#x hold %#x in_queue %u", n, errors, cs.hold, cs.in_queue);
	ASSERT_TRUE((errors & TTYDPC_ERR_OVERRUN) != 0) TH_LOG("no overrun reported");
	ASSERT_EQ(0, ta_get_stats(self->efd, &s));
	ASSERT_EQ(0, ioctl(self->fd, TIOCGICOUNT, &ic1));
	log_stats(_metadata, "after the overrun", &s);
	TH_LOG("TIOCGICOUNT overrun %d -> %d, buf_overrun %d -> %d",
	       ic0.overrun, ic1.overrun, ic0.buf_overrun, ic1.buf_overrun);
	EXPECT_LE(1u, s.overrun_errors) TH_LOG("COMMSTATUS said overrun, GET_STATS counts none");
	EXPECT_LT(ic0.overrun, ic1.overrun) TH_LOG("COMMSTATUS said overrun, TIOCGICOUNT counts none");
	if (self->have_dbg) {
		ASSERT_EQ(0, ta_dbg_read(self->port, &d));
		EXPECT_LE(1, ta_dbg_get(&d, "rx_hw_overrun"));
		EXPECT_LE(1, ta_dbg_get(&d, "rx_held"));
	}
	ASSERT_EQ(0, ta_purge(self->efd, TTYDPC_PURGE_ALL));
	tcflush(self->fd, TCIOFLUSH);
}
TT_SET_TIMEOUT(stats, overrun_counted, 120)

/* ---- COMMSTATUS hold and queues --------------------------------------- */

TEST_F(stats, hold_reasons_and_queues)
{
	struct ttydpc_comm_status cs;
	uint8_t buf[200];

	memset(buf, 'h', sizeof(buf));
	ta_loop_on(_metadata, self->fd);
	ASSERT_EQ(0, ta_mbis(self->fd, TIOCM_RTS));
	ASSERT_EQ(0, tt_set_cflag(self->fd, 0, CRTSCTS));
	ASSERT_EQ(0, ta_commstatus(self->efd, &cs));
	EXPECT_EQ(0u, cs.hold) TH_LOG("idle port holds %#x", cs.hold);
	EXPECT_EQ(0u, cs.in_queue);
	EXPECT_EQ(0u, cs.out_queue);

	/* (TIOCSBRK waits for the output to drain: before anything is held) */
	ASSERT_EQ(0, ioctl(self->fd, TIOCSBRK));
	ASSERT_EQ(0, ta_commstatus(self->efd, &cs));
	EXPECT_EQ((uint32_t)TTYDPC_HOLD_BREAK, cs.hold);
	ASSERT_EQ(0, ioctl(self->fd, TIOCCBRK));
	ASSERT_EQ(0, ta_commstatus(self->efd, &cs));
	EXPECT_EQ(0u, cs.hold);

	ASSERT_EQ(0, ta_mbic(self->fd, TIOCM_RTS));
	ASSERT_EQ(0, ta_wait_hold(self->efd, TTYDPC_HOLD_CTS, true, DONE_MS, &cs)) TH_LOG("no HOLD_CTS with CTS off");
	ASSERT_EQ(100, tt_write_full(self->fd, buf, 100, DONE_MS));
	usleep(50000);
	ASSERT_EQ(0, ta_commstatus(self->efd, &cs));
	EXPECT_EQ(100u, cs.out_queue);

	ASSERT_EQ(0, tcflow(self->fd, TCOOFF));
	ASSERT_EQ(0, ta_commstatus(self->efd, &cs));
	EXPECT_EQ((uint32_t)(TTYDPC_HOLD_CTS | TTYDPC_HOLD_XOFF), cs.hold);
	ASSERT_EQ(0, tcflow(self->fd, TCOON));
	ASSERT_EQ(0, ta_commstatus(self->efd, &cs));
	EXPECT_EQ((uint32_t)TTYDPC_HOLD_CTS, cs.hold);
	EXPECT_EQ(100u, cs.out_queue) TH_LOG("output moved with CTS off");

	ASSERT_EQ(0, ta_mbis(self->fd, TIOCM_RTS));
	ASSERT_EQ(0, ta_wait_hold(self->efd, TTYDPC_HOLD_CTS, false, DONE_MS, &cs));
	ASSERT_EQ(100, tt_read_full(self->fd, buf, 100, DONE_MS));
	ASSERT_EQ(0, tt_wait_outq_empty(self->fd, DONE_MS));
	ASSERT_EQ(0, ta_commstatus(self->efd, &cs));
	EXPECT_EQ(0u, cs.hold);
	EXPECT_EQ(0u, cs.out_queue);
	EXPECT_EQ(0u, cs.in_queue);
}

/* ---- arguments -------------------------------------------------------- */

TEST_F(stats, version_and_pointers)
{
	struct ttydpc_stats_user s;
	struct ttydpc_comm_status cs;

	for (uint32_t v = 0; v < 4; v++) {
		if (v == 1)
			continue;
		memset(&s, 0, sizeof(s));
		s.version = v;
		TT_EXPECT_ERRNO(EINVAL, ioctl(self->efd, TTYDPC_IOC_GET_STATS, &s))
			TH_LOG("GET_STATS version %u", v);
		memset(&cs, 0, sizeof(cs));
		cs.version = v;
		TT_EXPECT_ERRNO(EINVAL, ioctl(self->efd, TTYDPC_IOC_COMMSTATUS, &cs))
			TH_LOG("COMMSTATUS version %u", v);
	}
	TT_EXPECT_ERRNO(EFAULT, ioctl(self->efd, TTYDPC_IOC_GET_STATS, NULL));
	TT_EXPECT_ERRNO(EFAULT, ioctl(self->efd, TTYDPC_IOC_GET_STATS, (void *)8));
	TT_EXPECT_ERRNO(EFAULT, ioctl(self->efd, TTYDPC_IOC_COMMSTATUS, NULL));
	TT_EXPECT_ERRNO(EFAULT, ioctl(self->efd, TTYDPC_IOC_COMMSTATUS, (void *)8));
}

/* ioctl req with version 1 and byte off (a reserved field) 1: EINVAL? */
static bool reserved_refused(int efd, unsigned long req, size_t off)
{
	union {
		struct ttydpc_stats_user s;
		struct ttydpc_comm_status cs;
		struct ttydpc_wait_mask m;
	} u;

	memset(&u, 0, sizeof(u));
	u.s.version = 1;	/* the first field of each */
	((uint8_t *)&u)[off] = 1;
	return ioctl(efd, req, &u) == -1 && errno == EINVAL;
}

/* The header: "reserved fields must be zero on input" (else EINVAL). */
TEST_F(stats, reserved_input_rejected)
{
	EXPECT_TRUE(reserved_refused(self->efd, TTYDPC_IOC_GET_STATS,
				     offsetof(struct ttydpc_stats_user, reserved0)))
		TH_LOG("GET_STATS accepted reserved0 = 1");
	for (int i = 0; i < 7; i++) {
		EXPECT_TRUE(i >= 4 || reserved_refused(self->efd, TTYDPC_IOC_GET_STATS,
						       offsetof(struct ttydpc_stats_user, reserved[i])))
			TH_LOG("GET_STATS accepted reserved[%d] = 1", i);
		EXPECT_TRUE(i >= 3 || reserved_refused(self->efd, TTYDPC_IOC_COMMSTATUS,
						       offsetof(struct ttydpc_comm_status, reserved[i])))
			TH_LOG("COMMSTATUS accepted reserved[%d] = 1", i);
		EXPECT_TRUE(reserved_refused(self->efd, TTYDPC_IOC_GET_MASK,
					     offsetof(struct ttydpc_wait_mask, reserved[i])))
			TH_LOG("GET_MASK accepted reserved[%d] = 1", i);
	}
}

static bool has_a5(const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i] == 0xa5)
			return true;
	return false;
}

/*
 * Every output byte is written: the structs are filled with 0xa5 (only
 * version set, reserved zero as required), and no 0xa5 may come back,
 * reserved fields come back zero.
 */
TEST_F(stats, no_stale_bytes_in_output)
{
	struct ttydpc_stats_user s;
	struct ttydpc_comm_status cs;
	struct ttydpc_wait_mask m;
	struct ttydpc_event ev;

	ASSERT_EQ(0, ta_clear_stats(self->efd));

	memset(&s, 0xa5, sizeof(s));
	s.version = 1;
	s.reserved0 = 0;
	memset(s.reserved, 0, sizeof(s.reserved));
	ASSERT_EQ(0, ioctl(self->efd, TTYDPC_IOC_GET_STATS, &s)) TH_LOG("%s", strerror(errno));
	EXPECT_FALSE(has_a5(&s, sizeof(s))) TH_LOG("GET_STATS left input bytes in place");
	EXPECT_EQ(1u, s.version);
	EXPECT_EQ(0u, s.reserved0);
	for (int i = 0; i < 4; i++) {
		EXPECT_EQ(0u, s.reserved[i]);
	}

	memset(&cs, 0xa5, sizeof(cs));
	cs.version = 1;
	memset(cs.reserved, 0, sizeof(cs.reserved));
	ASSERT_EQ(0, ioctl(self->efd, TTYDPC_IOC_COMMSTATUS, &cs)) TH_LOG("%s", strerror(errno));
	EXPECT_FALSE(has_a5(&cs, sizeof(cs))) TH_LOG("COMMSTATUS left input bytes in place");
	for (int i = 0; i < 3; i++) {
		EXPECT_EQ(0u, cs.reserved[i]);
	}

	ASSERT_EQ(0, ta_set_mask(self->efd, TTYDPC_EV_CTS, 0x11));
	memset(&m, 0xa5, sizeof(m));
	m.version = 1;
	memset(m.reserved, 0, sizeof(m.reserved));
	ASSERT_EQ(0, ioctl(self->efd, TTYDPC_IOC_GET_MASK, &m)) TH_LOG("%s", strerror(errno));
	EXPECT_FALSE(has_a5(&m, sizeof(m))) TH_LOG("GET_MASK left input bytes in place");
	EXPECT_EQ((uint32_t)TTYDPC_EV_CTS, m.mask);
	EXPECT_EQ(0x11, m.event_char);

	/* a latched event: the whole struct written, reserved 0 */
	ASSERT_EQ(0, ta_mbis(self->fd, TIOCM_LOOP | TIOCM_RTS));
	usleep(50000);
	ASSERT_EQ(0, ta_set_mask(self->efd, TTYDPC_EV_CTS, 0));
	ASSERT_EQ(0, ta_mbic(self->fd, TIOCM_RTS));
	usleep(200000);	/* latched */
	memset(&ev, 0xa5, sizeof(ev));
	ASSERT_EQ((ssize_t)sizeof(ev), read(self->efd, &ev, sizeof(ev))) TH_LOG("%s", strerror(errno));
	EXPECT_FALSE(has_a5(&ev, sizeof(ev))) TH_LOG("read left bytes of the buffer in place");
	EXPECT_EQ(1u, ev.version);
	EXPECT_EQ((uint32_t)TTYDPC_EV_CTS, ev.events);
	EXPECT_EQ(0u, ev.reserved[0]);
	EXPECT_EQ(0u, ev.reserved[1]);
	ta_set_mask(self->efd, 0, 0);
}

TEST_HARNESS_MAIN
