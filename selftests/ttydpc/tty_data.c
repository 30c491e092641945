// SPDX-License-Identifier: GPL-2.0
/*
 * tty_data: data integrity.
 *
 *  host fixture (needs TTYDPC_CTL, TTYDPC_PORT, TTYDPC_CHAN): 1 MiB
 *  host->guest, guest->host and both at once, raw 115200, compared byte by
 *  byte with the xorshift32 stream on both sides (the guest reports its first
 *  mismatch offset, the host peer its own through WAIT); debugfs counters
 *  move with the data.
 *
 *  nm fixture (needs TTYDPC_NM_A and TTYDPC_NM_B): 256 KiB each way at once
 *  between two processes, checksummed; data written just before close is
 *  drained, not lost; and a close whose output can never drain (the far end
 *  closed, at 2 baud) still returns, within closing_wait and a bounded
 *  FIFO wait.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/serial.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "ttydpc_harness.h"
#include "ttydpc_test.h"

#define MIB (1024 * 1024)
#define NM_SIZE (256 * 1024)

static long budget(size_t bytes)
{
	return tt_budget_s(bytes);
}

/* ---- host peer ---------------------------------------------------------- */

FIXTURE(host) {
	struct tt_ctl ctl;
	int fd;
	const char *port, *chan;
};

FIXTURE_SETUP(host)
{
	int r;

	self->fd = -1;
	self->ctl.fd = -1;
	self->port = tt_env("TTYDPC_PORT");
	self->chan = tt_env("TTYDPC_CHAN");
	if (!tt_env("TTYDPC_CTL"))
		SKIP(return, "no host peer: TTYDPC_CTL unset");
	if (!self->port || !self->chan)
		SKIP(return, "TTYDPC_PORT / TTYDPC_CHAN unset");
	r = tt_ctl_open(&self->ctl, NULL);
	ASSERT_EQ(0, r) TH_LOG("host peer on %s: %s", tt_env("TTYDPC_CTL"), strerror(-r));
	self->fd = tt_open_raw(self->port, 115200);
	ASSERT_LE(0, self->fd) TH_LOG("%s: %s", self->port, strerror(-self->fd));
}

FIXTURE_TEARDOWN(host)
{
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
	TT_BODY_START();
	ASSERT_EQ(0, run_host(_metadata, self, MIB, 0, 0x1001));
}
TT_SET_TIMEOUT(host, host_to_guest_1m, budget(MIB) + 90)

TEST_F(host, guest_to_host_1m)
{
	TT_BODY_START();
	ASSERT_EQ(0, run_host(_metadata, self, 0, MIB, 0x2002));
}
TT_SET_TIMEOUT(host, guest_to_host_1m, budget(MIB) + 90)

TEST_F(host, both_ways_1m)
{
	TT_BODY_START();
	ASSERT_EQ(0, run_host(_metadata, self, MIB, MIB, 0x3003));
}
TT_SET_TIMEOUT(host, both_ways_1m, budget(2 * MIB) + 90)

/* Many small transfers in a row: stale bytes or a lost tail show up here. */
TEST_F(host, small_blocks)
{
	static const size_t sizes[] = { 1, 2, 15, 16, 17, 63, 64, 65, 255, 256,
					4095, 4096, 4097 };

	TT_BODY_START();
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		ASSERT_EQ(0, run_host(_metadata, self, sizes[i], 0, 100 + i));
		ASSERT_EQ(0, run_host(_metadata, self, 0, sizes[i], 200 + i));
	}
}
TT_SET_TIMEOUT(host, small_blocks, 300)

#define DEBUGFS_MAGIC_NR 0x64626720

static bool debugfs_ready(void)
{
	struct statfs sf;

	if (statfs("/sys/kernel/debug", &sf) == 0 &&
	    (unsigned long)sf.f_type == DEBUGFS_MAGIC_NR)
		return true;
	mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL);
	return statfs("/sys/kernel/debug", &sf) == 0 &&
	       (unsigned long)sf.f_type == DEBUGFS_MAGIC_NR;
}

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

	TT_BODY_START();
	if (!debugfs_ready())
		SKIP(return, "debugfs not available");
	snprintf(path, sizeof(path), "/sys/kernel/debug/ttydpc/%s/stats",
		 tt_basename(self->port));
	r = tt_read_file(path, before, sizeof(before));
	ASSERT_LE(0, r) TH_LOG("%s: %s", path, strerror(-r));
	ASSERT_EQ(0, tt_stats_parse(before, "rx_bytes", &rx0));
	ASSERT_EQ(0, tt_stats_parse(before, "tx_bytes", &tx0));
	ASSERT_EQ(0, tt_stats_parse(before, "irq_total", &irq0));

	ASSERT_EQ(0, run_host(_metadata, self, n, n, 0x4004));

	ASSERT_LE(0, tt_read_file(path, after, sizeof(after)));
	ASSERT_EQ(0, tt_stats_parse(after, "rx_bytes", &rx1));
	ASSERT_EQ(0, tt_stats_parse(after, "tx_bytes", &tx1));
	ASSERT_EQ(0, tt_stats_parse(after, "irq_total", &irq1));
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
	self->fa = tt_open_raw(self->a, 115200);
	ASSERT_LE(0, self->fa) TH_LOG("%s: %s", self->a, strerror(-self->fa));
	self->fb = tt_open_raw(self->b, 115200);
	ASSERT_LE(0, self->fb) TH_LOG("%s: %s", self->b, strerror(-self->fb));
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

	TT_BODY_START();
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

	TT_BODY_START();
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

	TT_BODY_START();
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
	self->fb = tt_open_raw(self->b, 115200);
	ASSERT_LE(0, self->fb);
	while (tt_read_full(self->fb, blk, sizeof(blk), 1500) > 0)
		;
}
TT_SET_TIMEOUT(nm, close_of_stalled_line_is_bounded, 400)

TEST_HARNESS_MAIN
