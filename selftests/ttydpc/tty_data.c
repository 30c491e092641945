// SPDX-License-Identifier: GPL-2.0
/*
 * tty_data: data integrity.
 *
 *  host fixture (needs TTYDPC_CTL, TTYDPC_PORT, TTYDPC_CHAN): 1 MiB
 *  (TTYDPC_XFER_KIB, at most 1024: make check moves 256 KiB)
 *  host->guest, guest->host and both at once, raw 115200, compared byte by
 *  byte with the xorshift32 stream on both sides (the guest reports its first
 *  mismatch offset, the host peer its own through WAIT); debugfs counters
 *  move with the data; on a level-triggered IRQ line transmit never pulses
 *  IER (QEMU's register trace).
 *
 *  nm fixture (needs TTYDPC_NM_A and TTYDPC_NM_B): 256 KiB each way at once
 *  between two processes, checksummed; data written just before close is
 *  drained, not lost; and a close whose output can never drain (the far end
 *  closed, at 2 baud) still returns, within closing_wait and a bounded
 *  FIFO wait.
 *
 *  loop fixture (any ttyDPC port, UART loopback, no host peer): input the
 *  driver holds back because the tty layer is full (nobody reads) comes
 *  out intact, once, in order, when the reader finally reads.
 */
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <linux/serial.h>
#include <sys/ioctl.h>
#include <termios.h>

#include "ttydpc_harness.h"
#include "ttydpc_api_fixture.h"

#define MIB (1024 * 1024)

/*
 * Bytes each bulk transfer moves: 1 MiB, or less for a shorter run
 * (TTYDPC_XFER_KIB). The cases keep their names and their 1 MiB timeouts.
 */
static size_t xfer_size(void)
{
	long kib = tt_env_long("TTYDPC_XFER_KIB", 1024);

	return (kib < 1 || kib > 1024 ? 1024 : kib) * 1024;
}
#define NM_SIZE (256 * 1024)

#define budget tt_budget_s

/* ---- host peer ---------------------------------------------------------- */

FIXTURE(host) {
	struct tt_ctl ctl;
	int fd;
	const char *port, *chan;
	bool traced;
};

FIXTURE_SETUP(host)
{
	self->fd = -1;
	self->port = tt_env("TTYDPC_PORT");
	self->chan = tt_env("TTYDPC_CHAN");
	TT_NEED_HOST(&self->ctl);
	if (!self->port)
		SKIP(return, "TTYDPC_PORT unset");
	TT_OPEN_RAW(self->fd, self->port, 115200);
}

FIXTURE_TEARDOWN(host)
{
	if (self->traced)
		tt_ctl_trace(&self->ctl, false);
	if (self->fd >= 0)
		close(self->fd);
	tt_ctl_close(&self->ctl);
}

static int run_host(struct __test_metadata *_metadata,
		    FIXTURE_DATA(host) *self, size_t h2g, size_t g2h,
		    uint32_t seed)
{
	char msg[512];
	int r = tt_host_xfer(&self->ctl, self->fd, self->chan, h2g, seed,
			     g2h, seed ^ 0x5a5a5a5a, budget(h2g + g2h),
			     msg, sizeof(msg));

	TH_LOG("%s h2g=%zu g2h=%zu: %s", self->port, h2g, g2h, msg);
	return r;
}

TEST_F(host, host_to_guest_1m)
{
	ASSERT_EQ(0, run_host(_metadata, self, xfer_size(), 0, 0x1001));
}
TT_SET_TIMEOUT(host, host_to_guest_1m, budget(MIB) + 90)

TEST_F(host, guest_to_host_1m)
{
	ASSERT_EQ(0, run_host(_metadata, self, 0, xfer_size(), 0x2002));
}
TT_SET_TIMEOUT(host, guest_to_host_1m, budget(MIB) + 90)

TEST_F(host, both_ways_1m)
{
	ASSERT_EQ(0, run_host(_metadata, self, xfer_size(), xfer_size(), 0x3003));
}
TT_SET_TIMEOUT(host, both_ways_1m, budget(2 * MIB) + 90)

/* Many small transfers in a row: stale bytes or a lost tail show up here. */
TEST_F(host, small_blocks)
{
	static const size_t sizes[] = { 1, 2, 15, 16, 17, 63, 64, 65, 255, 256,
					4095, 4096, 4097 };

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		ASSERT_EQ(0, run_host(_metadata, self, sizes[i], 0, 100 + i));
		ASSERT_EQ(0, run_host(_metadata, self, 0, sizes[i], 200 + i));
	}
}
TT_SET_TIMEOUT(host, small_blocks, 300)

/* Sum of every "dpc_*<suffix> N" line. */
static unsigned long long sum_dpc(const char *text, const char *suffix)
{
	unsigned long long sum = 0;
	size_t sl = strlen(suffix);

	for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		char key[128];
		unsigned long long v;

		if (sscanf(p, "%127s %llu", key, &v) != 2)
			continue;
		if (strncmp(key, "dpc_", 4) || strlen(key) < sl ||
		    strcmp(key + strlen(key) - sl, suffix))
			continue;
		sum += v;
	}
	return sum;
}

/* debugfs counters follow a 64 KiB transfer each way. */
TEST_F(host, stats_follow_data)
{
	static char before[16384], after[16384];
	const size_t n = 64 * 1024;
	char path[PATH_MAX];
	unsigned long long rx0, tx0, irq0, rx1, tx1, irq1;
	ssize_t r;

	if (!tt_debugfs_ready())
		SKIP(return, "debugfs not available");
	snprintf(path, sizeof(path), "/sys/kernel/debug/ttydpc/%s/stats",
		 tt_basename(self->port));
	r = tt_read_file(path, before, sizeof(before));
	ASSERT_LE(0, r) TH_LOG("%s: %s", path, strerror(-r));
	ASSERT_EQ(0, tt_stats_parse(before, "rx_bytes", &rx0) | tt_stats_parse(before, "tx_bytes", &tx0) |
		     tt_stats_parse(before, "irq_total", &irq0)) TH_LOG("%s: a counter missing", path);
	ASSERT_EQ(0, run_host(_metadata, self, n, n, 0x4004));
	ASSERT_LE(0, tt_read_file(path, after, sizeof(after)));
	ASSERT_EQ(0, tt_stats_parse(after, "rx_bytes", &rx1) | tt_stats_parse(after, "tx_bytes", &tx1) |
		     tt_stats_parse(after, "irq_total", &irq1)) TH_LOG("%s: a counter missing", path);
	TH_LOG("rx_bytes +%llu tx_bytes +%llu irq_total +%llu dpc runs +%llu requests +%llu coalesced +%llu",
	       rx1 - rx0, tx1 - tx0, irq1 - irq0,
	       sum_dpc(after, "_runs") - sum_dpc(before, "_runs"),
	       sum_dpc(after, "_requests") - sum_dpc(before, "_requests"),
	       sum_dpc(after, "_coalesced") - sum_dpc(before, "_coalesced"));
	EXPECT_LE(n, rx1 - rx0);
	EXPECT_LE(n, tx1 - tx0);
	/* Not wildly more than what moved either (a few stray bytes allowed). */
	EXPECT_GE(n + 4096, rx1 - rx0);
	EXPECT_GE(n + 4096, tx1 - tx0);
	EXPECT_LT(irq0, irq1);
	EXPECT_LT(sum_dpc(before, "_runs"), sum_dpc(after, "_runs"))
		TH_LOG("no dpc_*_runs counter moved");
	EXPECT_LE(sum_dpc(after, "_runs") - sum_dpc(before, "_runs"),
		  sum_dpc(after, "_requests") - sum_dpc(before, "_requests"))
		TH_LOG("more DPC runs than requests");
}
TT_SET_TIMEOUT(host, stats_follow_data, budget(128 * 1024) + 90)

/*
 * Transmit on a level-triggered line (PCI INTx, an ARM GIC SPI) leaves a
 * THRE the handler's budget did not serve pending and returns: the line
 * stays asserted and the handler runs again, so IER is never pulsed
 * (written 0 and back). An edge line (ISA, MSI) needs that pulse for its
 * next interrupt; there the transfers above are the check.
 */
TEST_F(host, level_line_tx_without_ier_pulse)
{
	const size_t n = 32 * 1024;
	struct serial_struct ss;
	char path[64], type[16];
	uint8_t v[64];
	int total = 0, zero = 0, got;

	ASSERT_EQ(0, ioctl(self->fd, TIOCGSERIAL, &ss));
	snprintf(path, sizeof(path), "/sys/kernel/irq/%d/type", ss.irq);
	if (tt_read_file(path, type, sizeof(type)) <= 0)
		SKIP(return, "%s unreadable", path);
	TT_TRACE_ON(&self->ctl, &self->traced);
	ASSERT_EQ(0, tt_ctl_mark(&self->ctl));
	ASSERT_EQ(0, run_host(_metadata, self, 0, n, 0x5005));
	got = tt_ctl_reg_writes(&self->ctl, 1, v, 64, &total);
	ASSERT_LE(0, got) TH_LOG("WRITES 1: %s", strerror(-got));
	/* total counts every IER write; v holds the newest 64 */
	for (int i = 0; i < got; i++)
		zero += !v[i];
	TH_LOG("IRQ %d %s-triggered: %d IER writes for %zu bytes, %d of the last %d zero",
	       ss.irq, type, total, n, zero, got);
	if (strcmp(type, "level"))
		return;
	/*
	 * With a pulse per spent budget (about n / 64 of them) half of the
	 * newest writes are 0; a few may be the kernel console's on an 8250.
	 */
	EXPECT_GT(8, zero);
}
TT_SET_TIMEOUT(host, level_line_tx_without_ier_pulse, budget(32 * 1024) + 90)

/* ---- null modem --------------------------------------------------------- */

FIXTURE(nm) {
	const char *a, *b;
	int fa, fb;
};

FIXTURE_SETUP(nm)
{
	self->fa = self->fb = -1;
	self->a = tt_env("TTYDPC_NM_A");
	self->b = tt_env("TTYDPC_NM_B");
	if (!self->a || !self->b)
		SKIP(return, "no null-modem pair: TTYDPC_NM_A/TTYDPC_NM_B unset");
	TT_OPEN_RAW(self->fa, self->a, 115200);
	TT_OPEN_RAW(self->fb, self->b, 115200);
}

FIXTURE_TEARDOWN(nm)
{
	if (self->fa >= 0)
		close(self->fa);
	if (self->fb >= 0)
		close(self->fb);
}

struct nm_report {
	int rc;
	uint32_t tx_crc, rx_crc;
	char msg[256];
};

static uint32_t stream_crc(uint32_t seed, size_t n)
{
	static uint8_t buf[NM_SIZE];
	struct tt_stream s;

	tt_stream_init(&s, seed);
	tt_stream_fill(&s, buf, n);
	return tt_crc32(0, buf, n);
}

/* A -> B and B -> A, 256 KiB each, at once, from two processes. */
TEST_F(nm, exchange_256k)
{
	const uint32_t seed_a = 0xa11a, seed_b = 0xb22b;
	struct tt_xfer xa = {
		.send_n = NM_SIZE, .send_seed = seed_a,
		.recv_n = NM_SIZE, .recv_seed = seed_b,
		.drain = true,
	};
	struct nm_report rb = { .rc = -1 };
	uint32_t crc_a, crc_b;
	char msg[256];
	int pfd[2], status, ra;
	pid_t pid;

	xa.tmo_ms = budget(2 * NM_SIZE) * 1000;
	ASSERT_EQ(0, pipe(pfd));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct tt_xfer xb = {
			.send_n = NM_SIZE, .send_seed = seed_b,
			.recv_n = NM_SIZE, .recv_seed = seed_a,
			.tmo_ms = xa.tmo_ms, .drain = true,
		};
		struct nm_report rep;

		close(pfd[0]);
		close(self->fa);
		rep.rc = tt_xfer_run(self->fb, &xb);
		rep.tx_crc = xb.tx_crc;
		rep.rx_crc = xb.rx_crc;
		tt_xfer_describe(&xb, rep.msg, sizeof(rep.msg));
		if (write(pfd[1], &rep, sizeof(rep)) != sizeof(rep))
			_exit(2);
		_exit(rep.rc ? 1 : 0);
	}
	close(pfd[1]);
	ra = tt_xfer_run(self->fa, &xa);
	tt_xfer_describe(&xa, msg, sizeof(msg));
	TH_LOG("%s: %s", self->a, msg);
	EXPECT_EQ((ssize_t)sizeof(rb), read(pfd[0], &rb, sizeof(rb)));
	close(pfd[0]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	TH_LOG("%s: %s", self->b, rb.msg);
	EXPECT_EQ(0, ra);
	EXPECT_EQ(0, rb.rc);
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);

	/* checksums: what each side sent is what the other received */
	crc_a = stream_crc(seed_a, NM_SIZE);
	crc_b = stream_crc(seed_b, NM_SIZE);
	EXPECT_EQ(crc_a, xa.tx_crc);
	EXPECT_EQ(crc_a, rb.rx_crc);
	EXPECT_EQ(crc_b, rb.tx_crc);
	EXPECT_EQ(crc_b, xa.rx_crc);
}
TT_SET_TIMEOUT(nm, exchange_256k, budget(2 * NM_SIZE) + 60)

/*
 * Open A, write a block, close A at once; repeat. close() must drain what was
 * written (closing_wait), so B sees every block complete and in order.
 */
TEST_F(nm, close_drains_output)
{
	struct tt_stream tx, rx;
	uint8_t blk[512], got[512];

	close(self->fa);
	self->fa = -1;
	tt_stream_init(&tx, 0xc105e);
	tt_stream_init(&rx, 0xc105e);
	for (int i = 0; i < 40; i++) {
		int fd = tt_open_raw(self->a, 115200);
		ssize_t r;

		ASSERT_LE(0, fd) TH_LOG("%s open #%d: %s", self->a, i, strerror(-fd));
		tt_stream_fill(&tx, blk, sizeof(blk));
		r = tt_write_full(fd, blk, sizeof(blk), 5000);
		ASSERT_EQ((ssize_t)sizeof(blk), r) TH_LOG("write #%d: %zd", i, r);
		ASSERT_EQ(0, close(fd));

		r = tt_read_full(self->fb, got, sizeof(got), 10000);
		ASSERT_EQ((ssize_t)sizeof(got), r)
			TH_LOG("round %d: %s got %zd of %zu bytes written before close",
			       i, self->b, r, sizeof(got));
		for (size_t k = 0; k < sizeof(got); k++) {
			uint8_t w = tt_stream_next(&rx);

			ASSERT_EQ(w, got[k])
				TH_LOG("round %d: mismatch at %zu", i, k);
		}
	}
}
TT_SET_TIMEOUT(nm, close_drains_output, 240)

/*
 * B closed: its UART takes no more bytes, so QEMU stops taking A's (a real
 * line would be a peer holding its receiver off). Stall A's output, drop it
 * to 2 baud, where two FIFO times are 160 s, set closing_wait to 1 s and
 * close A: close must return in seconds, not wait out the FIFO at 2 baud.
 */
TEST_F(nm, close_of_stalled_line_is_bounded)
{
	struct serial_struct ss;
	uint64_t t0, idle_since, took;
	uint8_t blk[4096];
	size_t sent = 0;
	ssize_t r;

	close(self->fb);
	self->fb = -1;
	memset(blk, 0x55, sizeof(blk));
	ASSERT_EQ(0, fcntl(self->fa, F_SETFL, O_NONBLOCK));
	t0 = tt_now_ms();
	idle_since = t0;
	while (tt_now_ms() - idle_since < 1500) {
		ASSERT_GT(60000ULL, tt_now_ms() - t0)
			TH_LOG("%s never stalled (%zu bytes taken)", self->a, sent);
		r = write(self->fa, blk, sizeof(blk));
		if (r > 0) {
			sent += r;
			idle_since = tt_now_ms();
		} else {
			ASSERT_EQ(EAGAIN, errno);
			usleep(20000);
		}
	}
	TH_LOG("%s stalled after %zu bytes", self->a, sent);

	ASSERT_EQ(0, tt_tcsets2_baud(self->fa, 2));
	ASSERT_EQ(0, ioctl(self->fa, TIOCGSERIAL, &ss));
	ss.closing_wait = 100;		/* 1 s, in 1/100 s */
	ASSERT_EQ(0, ioctl(self->fa, TIOCSSERIAL, &ss));
	t0 = tt_now_ms();
	ASSERT_EQ(0, close(self->fa));
	self->fa = -1;
	took = tt_now_ms() - t0;
	TH_LOG("close at 2 baud with output stuck took %llu ms",
	       (unsigned long long)took);
	EXPECT_GT(10000ULL, took);

	/* let the pair drain, so that the next test starts clean */
	TT_OPEN_RAW(self->fb, self->b, 115200);
	while (tt_read_full(self->fb, blk, sizeof(blk), 1500) > 0)
		;
}
TT_SET_TIMEOUT(nm, close_of_stalled_line_is_bounded, 400)

/* ---- held input, loopback ------------------------------------------------ */

FIXTURE(loop) {
	char port[128];
	int fd;
	int efd;	/* event file attached to fd */
};

FIXTURE_SETUP(loop)
{
	self->fd = self->efd = -1;
	if (tt_pick_port(self->port, sizeof(self->port)))
		SKIP(return, "no /dev/ttyDPC* node");
	TT_OPEN_RAW(self->fd, self->port, 115200);
	TA_EVENT_OPEN(self->efd, self->fd);
	ta_loop_on(_metadata, self->fd);
}

FIXTURE_TEARDOWN(loop)
{
	if (self->efd >= 0) {
		ta_purge(self->efd, TTYDPC_PURGE_ALL);
		close(self->efd);
	}
	if (self->fd < 0)
		return;
	ta_mbic(self->fd, TIOCM_LOOP);
	tcflush(self->fd, TCIOFLUSH);
	close(self->fd);
}

#define HELD_RING 4096		/* TTYDPC_RX_RING (include/ttydpc.h) */
#define HELD_FIFO 16		/* the 16550's RX FIFO */
#define HELD_CHUNK 3072
#define HELD_MAX (16u << 20)	/* the tty layer takes ~1.3 MB on 6.1 */

struct held_state {
	uint64_t rx0;		/* GET_STATS 'received' at the start */
	uint64_t rx;		/* handed to the tty layer since */
	unsigned int queued;	/* COMMSTATUS in_queue: in the driver's ring */
	uint32_t hold;
};

static int held_sample(int efd, struct held_state *h)
{
	struct ttydpc_comm_status cs;
	struct ttydpc_stats_user st;
	int r = ta_commstatus(efd, &cs);

	if (!r)
		r = ta_get_stats(efd, &st);
	if (r)
		return r;
	h->rx = st.received - h->rx0;
	h->queued = cs.in_queue;
	h->hold = cs.hold;
	return 0;
}

/*
 * After a write has drained (loopback: every byte is in the RX FIFO, the
 * ring or the tty layer), wait until the driver has accounted for it:
 * rx + queued == written, or, while HOLD_RX keeps RX interrupts off, all
 * but what the FIFO holds. Then, with bytes still queued, tell whether the
 * tty layer is full: 'received' does not move for 500 ms of retries
 * (every 32 character times, at least a jiffy).
 * Returns 1 full, 0 not full, -ETIMEDOUT when bytes stay unaccounted for.
 */
static int held_settle(int efd, struct held_state *h, uint64_t written)
{
	uint64_t end = tt_now_ms() + 5000, still = 0, last_rx = ~0ull;

	for (;;) {
		uint64_t now = tt_now_ms();
		uint64_t out;

		if (held_sample(efd, h))
			return -EIO;
		out = written - h->rx - h->queued;
		if (!out && !h->queued)
			return 0;
		if (!out || ((h->hold & TTYDPC_HOLD_RX) && out <= HELD_FIFO)) {
			if (h->rx != last_rx) {
				last_rx = h->rx;
				still = now;
			} else if (now - still >= 500) {
				return 1;
			}
		}
		if (now >= end && !(!out || ((h->hold & TTYDPC_HOLD_RX) && out <= HELD_FIFO)))
			return -ETIMEDOUT;
		usleep(2000);
	}
}

/*
 * Issue item 9: input the driver holds back because the tty layer is full
 * arrives intact and in order once the reader reads. In loopback, nobody
 * reading, the xorshift32 stream is written in paced chunks - never more
 * in flight than the ring has room for, so the UART never overruns and
 * every byte written must come back - until the tty layer takes nothing
 * more and bytes stay in the driver's ring. A last write fills the ring
 * (HOLD_RX: the driver stops taking RX interrupts, a few bytes wait in the
 * UART's FIFO) and the hold is checked to last across the driver's timer
 * retries. Then everything is read and compared with the stream: a held
 * byte lost, duplicated or reordered shows as a short count or as the
 * first offset that differs; CRCs are logged for both sides.
 */
TEST_F(loop, held_input_arrives_intact)
{
	struct ttydpc_stats_user st;
	struct held_state h = { 0 };
	struct ta_held_full full = { .efd = self->efd };
	struct tt_stream tx, want;
	static uint8_t buf[65536], exp[65536];
	uint64_t written = 0, got = 0, bad = ~0ull, rx_full, t0;
	uint32_t crc_tx = 0, crc_rx = 0;
	int r = 0;

	ASSERT_EQ(0, ta_get_stats(self->efd, &st));
	h.rx0 = st.received;
	tt_stream_init(&tx, 0x4e1d);
	tt_stream_init(&want, 0x4e1d);
	t0 = tt_now_ms();
	/*
	 * Fill the tty layer: chunks of the stream, each accounted for. Then
	 * fill the ring; the last few bytes stay in the FIFO: HOLD_RX. Should
	 * the tty layer take more after all (its 'full' was a stall of the
	 * deferred routine on a loaded host), go on filling.
	 */
	for (int attempt = 0;; attempt++) {
		size_t n;

		ASSERT_GT(5, attempt) TH_LOG("the tty layer kept taking bytes after it looked full");
		while (written < HELD_MAX) {
			n = h.queued + HELD_FIFO < HELD_RING ? HELD_RING - HELD_FIFO - h.queued : 0;
			if (n > HELD_CHUNK)
				n = HELD_CHUNK;
			tt_stream_fill(&tx, buf, n);
			crc_tx = tt_crc32(crc_tx, buf, n);
			ASSERT_EQ((ssize_t)n, tt_write_full(self->fd, buf, n, 5000));
			written += n;
			ASSERT_EQ(0, tcdrain(self->fd));
			r = held_settle(self->efd, &h, written);
			ASSERT_LE(0, r) TH_LOG("%llu bytes written, %llu handed to the tty layer, %u queued: %lld vanished",
					       (unsigned long long)written, (unsigned long long)h.rx, h.queued,
					       (long long)(written - h.rx - h.queued));
			if (r == 1)
				break;
		}
		ASSERT_EQ(1, r) TH_LOG("the tty layer was never full after %llu bytes",
				       (unsigned long long)written);
		rx_full = h.rx;
		TH_LOG("tty layer full after %llu bytes (%llu ms): %u held in the ring, hold %#x",
		       (unsigned long long)rx_full, (unsigned long long)(tt_now_ms() - t0),
		       h.queued, h.hold);
		n = HELD_RING - h.queued + HELD_FIFO / 2;
		tt_stream_fill(&tx, buf, n);
		crc_tx = tt_crc32(crc_tx, buf, n);
		ASSERT_EQ((ssize_t)n, tt_write_full(self->fd, buf, n, 5000));
		written += n;
		ASSERT_EQ(0, tcdrain(self->fd));
		full = (struct ta_held_full){ .efd = self->efd };
		for (int i = 0; i < 300 && !ta_stop_rx_held_full(self->fd, &full); i++)
			usleep(10000);
		ASSERT_EQ(0, held_sample(self->efd, &h));
		if (h.rx == rx_full)
			break;
		TH_LOG("the tty layer took %llu more bytes: not full yet",
		       (unsigned long long)(h.rx - rx_full));
	}
	TH_LOG("after %llu bytes: %llu in the tty layer, %u held in the ring, hold %#x",
	       (unsigned long long)written, (unsigned long long)h.rx, h.queued, h.hold);
	ASSERT_TRUE(ta_stop_rx_held_full(self->fd, &full))
		TH_LOG("no lasting HOLD_RX with the ring full");
	EXPECT_EQ((unsigned int)HELD_RING, h.queued);
	EXPECT_GE((uint64_t)HELD_FIFO, written - h.rx - h.queued)
		TH_LOG("%llu bytes neither handed over nor queued (more than the FIFO holds)",
		       (unsigned long long)(written - h.rx - h.queued));

	/* now read: everything, once, in order */
	while (got < written) {
		size_t want_n = written - got < sizeof(buf) ? written - got : sizeof(buf);
		ssize_t n = tt_read_full(self->fd, buf, want_n, 3000);

		ASSERT_LE(0, n) TH_LOG("read: %s", strerror(-n));
		if (n == 0)
			break;
		tt_stream_fill(&want, exp, n);
		for (ssize_t i = 0; i < n && bad == ~0ull; i++)
			if (buf[i] != exp[i])
				bad = got + i;
		crc_rx = tt_crc32(crc_rx, buf, n);
		got += n;
	}
	{
		ssize_t extra = tt_read_full(self->fd, buf, sizeof(buf), 300);

		EXPECT_EQ(0, extra) TH_LOG("%zd bytes more than were written", extra);
	}
	TH_LOG("read %llu of %llu bytes (tx crc %08x rx crc %08x); bytes %llu..%llu were held by the driver",
	       (unsigned long long)got, (unsigned long long)written, crc_tx, crc_rx,
	       (unsigned long long)rx_full, (unsigned long long)written);
	EXPECT_EQ(~0ull, bad) TH_LOG("first byte that differs from the stream: offset %llu (%s)",
				     (unsigned long long)bad,
				     bad >= rx_full ? "held by the driver" : "before the hold");
	EXPECT_EQ(written, got);
	EXPECT_EQ(crc_tx, crc_rx);
	ASSERT_EQ(0, held_sample(self->efd, &h));
	EXPECT_EQ(0u, h.queued);
	EXPECT_EQ(0u, h.hold & TTYDPC_HOLD_RX) TH_LOG("still held after the reader read: hold %#x", h.hold);
}
TT_SET_TIMEOUT(loop, held_input_arrives_intact, 240)

TEST_HARNESS_MAIN
