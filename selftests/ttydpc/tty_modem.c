// SPDX-License-Identifier: GPL-2.0
/*
 * tty_modem: modem control lines in the UART's internal loopback (MCR bit 4,
 * TIOCM_LOOP). In loopback a 16550 feeds its outputs back to its inputs:
 * RTS->CTS, DTR->DSR, OUT1->RI, OUT2->DCD; TIOCMGET must show exactly that
 * for all sixteen output combinations. Data written in loopback comes back.
 *
 * Needs no host peer: runs on TTYDPC_PORT, else on the first ttyDPC node.
 */
#include <fcntl.h>
#include <sys/ioctl.h>
#include <termios.h>

#include "ttydpc_harness.h"
#include "ttydpc_api.h"


FIXTURE(loop) {
	int fd;
	char port[128];
};

FIXTURE_SETUP(loop)
{
	self->fd = -1;
	ASSERT_EQ(0, tt_pick_port(self->port, sizeof(self->port)))
		TH_LOG("no /dev/ttyDPC* node");
	TT_OPEN_RAW(self->fd, self->port, 115200);
}

FIXTURE_TEARDOWN(loop)
{
	if (self->fd >= 0) {
		int bits = TIOCM_LOOP;

		ioctl(self->fd, TIOCMBIC, &bits);
		bits = TIOCM_RTS | TIOCM_DTR;
		ioctl(self->fd, TIOCMBIS, &bits);
		tcflush(self->fd, TCIOFLUSH);
		close(self->fd);
	}
}

TEST_F(loop, loop_bit_set_and_clear)
{
	int bits = TIOCM_LOOP, v;

	ASSERT_EQ(0, ioctl(self->fd, TIOCMBIS, &bits)) TH_LOG("TIOCMBIS LOOP: %s", strerror(errno));
	v = ta_mget(self->fd);
	ASSERT_LE(0, v) TH_LOG("TIOCMGET: %s", strerror(-v));
	EXPECT_TRUE(v & TIOCM_LOOP) TH_LOG("TIOCMGET 0x%x after TIOCMBIS LOOP", v);
	ASSERT_EQ(0, ioctl(self->fd, TIOCMBIC, &bits));
	v = ta_mget(self->fd);
	ASSERT_LE(0, v) TH_LOG("TIOCMGET: %s", strerror(-v));
	EXPECT_FALSE(v & TIOCM_LOOP) TH_LOG("TIOCMGET 0x%x after TIOCMBIC LOOP", v);
}

/* All 16 combinations of RTS/DTR/OUT1/OUT2, each on and off. */
TEST_F(loop, outputs_loop_to_inputs)
{
	static const struct { int out, in; const char *name; } map[] = {
		{ TIOCM_RTS, TIOCM_CTS, "RTS->CTS" },
		{ TIOCM_DTR, TIOCM_DSR, "DTR->DSR" },
		{ TIOCM_OUT1, TIOCM_RI, "OUT1->RI" },
		{ TIOCM_OUT2, TIOCM_CD, "OUT2->DCD" },
	};
	int bits = TIOCM_LOOP, bad = 0;

	ASSERT_EQ(0, ioctl(self->fd, TIOCMBIS, &bits));
	for (int combo = 0; combo < 16; combo++) {
		int set = TIOCM_LOOP, v;

		for (int k = 0; k < 4; k++)
			if (combo & (1 << k))
				set |= map[k].out;
		ASSERT_EQ(0, ioctl(self->fd, TIOCMSET, &set))
			TH_LOG("TIOCMSET 0x%x: %s", set, strerror(errno));
		v = ta_mget(self->fd);
		ASSERT_LE(0, v) TH_LOG("TIOCMGET: %s", strerror(-v));
		ASSERT_TRUE(v & TIOCM_LOOP) TH_LOG("LOOP dropped by TIOCMSET 0x%x", set);
		for (int k = 0; k < 4; k++) {
			bool on = combo & (1 << k);

			if (!!(v & map[k].out) != on) {
				TH_LOG("combo %2d: %s output reads %d, set %d (TIOCMGET 0x%03x)",
				       combo, map[k].name, !!(v & map[k].out), on, v);
				bad++;
			}
			if (!!(v & map[k].in) != on) {
				TH_LOG("combo %2d: %s input reads %d, want %d (TIOCMGET 0x%03x)",
				       combo, map[k].name, !!(v & map[k].in), on, v);
				bad++;
			}
		}
	}
	EXPECT_EQ(0, bad);
}

/* Bytes written in loopback are received back, and LOOP off ends it. */
TEST_F(loop, data_loops_back)
{
	uint8_t out[200], in[256];
	struct tt_stream s;
	int bits = TIOCM_LOOP;
	ssize_t r;

	ASSERT_EQ(0, ioctl(self->fd, TIOCMBIS, &bits));
	tcflush(self->fd, TCIOFLUSH);
	tt_stream_init(&s, 0x1009);
	tt_stream_fill(&s, out, sizeof(out));
	ASSERT_EQ((ssize_t)sizeof(out), tt_write_full(self->fd, out, sizeof(out), 5000));
	r = tt_read_full(self->fd, in, sizeof(out), 5000);
	ASSERT_EQ((ssize_t)sizeof(out), r) TH_LOG("%zd of %zu bytes came back", r, sizeof(out));
	ASSERT_EQ(0, memcmp(out, in, sizeof(out)));
	/* nothing extra */
	EXPECT_EQ(0, tt_read_full(self->fd, in, sizeof(in), 300));

	ASSERT_EQ(0, ioctl(self->fd, TIOCMBIC, &bits));
	ASSERT_EQ(0, tt_wait_outq_empty(self->fd, 5000));
	tcflush(self->fd, TCIFLUSH);
	ASSERT_EQ(16, tt_write_full(self->fd, out, 16, 5000));
	ASSERT_EQ(0, tt_wait_outq_empty(self->fd, 5000));
	/* with loopback off the bytes leave the port: none come back */
	EXPECT_EQ(0, tt_read_full(self->fd, in, sizeof(in), 300));
}

TEST_HARNESS_MAIN
