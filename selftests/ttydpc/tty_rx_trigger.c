// SPDX-License-Identifier: GPL-2.0
/*
 * tty_rx_trigger: the adaptive RX trigger (src/ttydpc_rxmod.c) and its
 * sysfs pin, rx_trig_mode, checked at the UART's FCR.
 *
 * mode fixture (no host needed): rx_trig_mode reads "auto" by default,
 * takes 1/4/8/14 and "auto", and rejects anything else with EINVAL,
 * leaving the mode as it was.
 *
 * fcr fixture (host peer: TTYDPC_CTL, TTYDPC_CHAN, TTYDPC_PORT): QEMU's
 * serial_write trace of offset 2 (FCR) through MARK / WRITES 2.
 *  - Pinning 14, 4, 8, 1 writes FCR 0xc1, 0x41, 0x81, 0x01: FIFO on,
 *    the trigger bits of that level, no CLEAR bits (the FIFO keeps its
 *    bytes). ttydpc writes FCR only when the level changes.
 *  - In auto, a 16 KiB host->guest stream moves the trigger to 8 or more,
 *    and after 100 ms of silence the last FCR write is 0x01, so a lone
 *    byte after idle meets trigger 1; the debugfs switch count grows.
 * The trace does not say which UART was written: the other UARTs (8250's
 * ttyS0/ttyS1) write FCR only when opened or reconfigured, which nothing
 * does during a case, and with CLEAR bits (their set_termios aside).
 */

#include "ttydpc_harness.h"

#define REG_FCR		2	/* UART_FCR as QEMU's trace numbers it */
#define MAX_W		64
#define STREAM		(16 * 1024)

static void mode_path(char *buf, size_t size, const char *port)
{
	snprintf(buf, size, "/sys/class/tty/%s/rx_trig_mode", tt_basename(port));
}

static int read_mode(const char *path, char *buf, size_t size)
{
	ssize_t n = tt_read_file(path, buf, size);

	if (n < 0)
		return (int)n;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return 0;
}

FIXTURE(mode) {
	char port[128];
	char path[256];
	int fd;
};

FIXTURE_SETUP(mode)
{
	ASSERT_EQ(0, tt_pick_port(self->port, sizeof(self->port)));
	mode_path(self->path, sizeof(self->path), self->port);
	TT_OPEN_RAW(self->fd, self->port, 115200);
}

FIXTURE_TEARDOWN(mode)
{
	tt_write_file(self->path, "auto");
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(mode, default_auto_and_pins)
{
	static const char * const good[] = { "1", "4", "8", "14", "auto" };
	char buf[64];

	ASSERT_EQ(0, read_mode(self->path, buf, sizeof(buf)))
		TH_LOG("%s missing", self->path);
	EXPECT_STREQ("auto", buf);
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		ASSERT_EQ(0, tt_write_file(self->path, good[i])) TH_LOG("write %s", good[i]);
		ASSERT_EQ(0, read_mode(self->path, buf, sizeof(buf)));
		EXPECT_STREQ(good[i], buf);
	}
}

TEST_F(mode, bad_values_rejected)
{
	static const char * const bad[] = { "0", "2", "3", "13", "16", "64", "-1",
					    "automatic", "x", "8 4" };
	char buf[64];

	ASSERT_EQ(0, tt_write_file(self->path, "4"));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(-EINVAL, tt_write_file(self->path, bad[i]))
			TH_LOG("rx_trig_mode took \"%s\"", bad[i]);
		ASSERT_EQ(0, read_mode(self->path, buf, sizeof(buf)));
		EXPECT_STREQ("4", buf) TH_LOG("after \"%s\"", bad[i]);
	}
}

FIXTURE(fcr) {
	char port[128];
	char path[256];
	const char *chan;
	int fd;
	struct tt_ctl ctl;
	bool traced;
};

FIXTURE_SETUP(fcr)
{
	self->fd = -1;
	self->traced = false;
	self->chan = tt_env("TTYDPC_CHAN");
	TT_NEED_HOST(&self->ctl);
	ASSERT_EQ(0, tt_pick_port(self->port, sizeof(self->port)));
	mode_path(self->path, sizeof(self->path), self->port);
	TT_OPEN_RAW(self->fd, self->port, 115200);
	TT_TRACE_ON(&self->ctl, &self->traced);
}

FIXTURE_TEARDOWN(fcr)
{
	if (self->traced)
		tt_ctl_trace(&self->ctl, false);
	tt_write_file(self->path, "auto");
	if (self->fd >= 0)
		close(self->fd);
	if (self->ctl.fd >= 0)
		tt_ctl_close(&self->ctl);
}

/* FCR writes since MARK, newest MAX_W kept; the count or -1. */
static int fcr_writes(struct __test_metadata *_metadata, struct tt_ctl *c,
		      uint8_t *v, const char *what)
{
	char list[MAX_W * 6 + 1] = "";
	int total = 0;
	int n = tt_ctl_reg_writes(c, REG_FCR, v, MAX_W, &total);

	if (n < 0) {
		TH_LOG("%s: WRITES 2: %s", what, strerror(-n));
		return -1;
	}
	for (int i = 0; i < n; i++)
		snprintf(list + strlen(list), sizeof(list) - strlen(list), " %#04x", v[i]);
	TH_LOG("%s: %d FCR writes (newest %d):%s", what, total, n, list);
	return n;
}

static unsigned long long switches(const char *port)
{
	char path[256];
	unsigned long long v = 0;

	snprintf(path, sizeof(path), "/sys/kernel/debug/ttydpc/%s/stats", tt_basename(port));
	if (tt_stats_get(path, "rx_trig_switches", &v))
		return ~0ULL;
	return v;
}

TEST_F(fcr, pinned_level_programs_fcr)
{
	static const char * const lv[] = { "14", "4", "8", "1" };
	static const uint8_t want[] = { 0xc1, 0x41, 0x81, 0x01 };
	uint8_t v[MAX_W];
	int n;

	/* start from a known level that is none of the first ones */
	ASSERT_EQ(0, tt_write_file(self->path, "1"));
	ASSERT_EQ(0, tt_ctl_mark(&self->ctl));
	for (size_t i = 0; i < sizeof(lv) / sizeof(lv[0]); i++) {
		ASSERT_EQ(0, tt_write_file(self->path, lv[i])) TH_LOG("pin %s", lv[i]);
	}
	/* the same level again changes nothing */
	ASSERT_EQ(0, tt_write_file(self->path, "1"));
	n = fcr_writes(_metadata, &self->ctl, v, "pin 14, 4, 8, 1, 1");
	ASSERT_EQ(4, n) TH_LOG("want one FCR write per level change");
	for (int i = 0; i < n; i++) {
		EXPECT_EQ(want[i], v[i]) TH_LOG("write %d: got %#04x want %#04x",
						i, v[i], want[i]);
	}
}

TEST_F(fcr, auto_stream_raises_idle_lowers)
{
	uint8_t v[MAX_W];
	unsigned long long sw0, sw1;
	char msg[512];
	int n, top = 0;

	ASSERT_EQ(0, tt_write_file(self->path, "auto"));
	usleep(100 * 1000);
	sw0 = switches(self->port);
	ASSERT_NE(~0ULL, sw0) TH_LOG("no rx_trig_switches in debugfs stats");
	ASSERT_EQ(0, tt_ctl_mark(&self->ctl));
	ASSERT_EQ(0, tt_host_xfer(&self->ctl, self->fd, self->chan, STREAM, 0x5eed,
				  0, 0, 30, msg, sizeof(msg))) TH_LOG("%s", msg);
	usleep(100 * 1000);
	n = fcr_writes(_metadata, &self->ctl, v, "16 KiB stream, then 100 ms idle");
	ASSERT_LT(0, n) TH_LOG("the trigger never moved");
	for (int i = 0; i < n; i++) {
		/* only ttydpc's level writes: FIFO on, no CLEAR bits */
		if ((v[i] & 0x3f) == 0x01 && (v[i] >> 6) > top)
			top = v[i] >> 6;
	}
	EXPECT_LE(2, top) TH_LOG("stream: trigger bits reached %d, want 8 (2) or 14 (3)", top);
	EXPECT_EQ(0x01, v[n - 1]) TH_LOG("after idle the trigger is not 1");
	sw1 = switches(self->port);
	EXPECT_LE(sw0 + 3, sw1) TH_LOG("rx_trig_switches %llu -> %llu", sw0, sw1);
}

TEST_HARNESS_MAIN
