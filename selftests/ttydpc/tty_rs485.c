// SPDX-License-Identifier: GPL-2.0
/*
 * tty_rs485: RS-485 half duplex (TIOCSRS485): RTS enables the line driver.
 *
 * What a user of an RS-485 transceiver relies on, checked at the UART's
 * registers through QEMU's serial_write trace (host peer MARK / SEQ 0 4:
 * THR and MCR writes in order, with QEMU's time stamps):
 *  - RTS goes to its on-send level before the first byte is written to
 *    THR, stays there until the last one, and returns to its after-send
 *    level only afterwards: no byte is cut off, no byte leaves with the
 *    driver disabled. Both polarities.
 *  - delay_rts_before_send and delay_rts_after_send are kept: the first
 *    byte is written at least that long after RTS rises, RTS falls at
 *    least that long after the last byte.
 *  - without SER_RS485_RX_DURING_TX the port does not hear its own bytes
 *    (the UART's loopback stands in for a two-wire bus); with it, it does.
 *  - switching RS-485 off gives RTS back to TIOCMSET.
 *  - the settings read back as set; unsupported flags and bad pointers are
 *    refused with EINVAL and EFAULT.
 * The trace does not say which UART was written; the payload bytes
 * (0xc0..0xdf) are ones the 8250 console and control lines never send in
 * this window, and no other UART writes MCR while it is open.
 * Needs the host peer (TTYDPC_CTL) for the register tests.
 */
#include <fcntl.h>
#include <linux/serial.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <termios.h>

#include "ttydpc_harness.h"
#include "ttydpc_api_fixture.h"

#define REG_THR		0
#define REG_MCR		4
#define MCR_RTS		0x02
#define PAYLOAD		32
#define PAYLOAD_FIRST	0xc0
#define MAX_EV		2048

FIXTURE(rs485) {
	char port[128];
	int fd;
	struct tt_ctl ctl;
	bool have_ctl;
	bool traced;
	const char *chan;
	struct tt_reg_ev ev[MAX_EV];
};

FIXTURE_SETUP(rs485)
{
	int r;

	self->fd = -1;
	self->ctl.fd = -1;
	self->traced = false;
	ASSERT_EQ(0, tt_pick_port(self->port, sizeof(self->port)));
	TT_OPEN_RAW(self->fd, self->port, 115200);
	self->chan = tt_env("TTYDPC_CHAN");
	r = tt_ctl_open_env(&self->ctl);
	ASSERT_LE(0, r) TH_LOG("host peer (TTYDPC_CTL): %s", strerror(-r));
	self->have_ctl = r > 0 && self->chan;
	if (self->have_ctl)
		TT_TRACE_ON(&self->ctl, &self->traced);
}

FIXTURE_TEARDOWN(rs485)
{
	struct serial_rs485 off = { 0 };

	if (self->fd >= 0) {
		int bits = TIOCM_LOOP;

		ioctl(self->fd, TIOCSRS485, &off);
		ioctl(self->fd, TIOCMBIC, &bits);
		bits = TIOCM_RTS | TIOCM_DTR;
		ioctl(self->fd, TIOCMBIS, &bits);
		tcflush(self->fd, TCIOFLUSH);
		close(self->fd);
	}
	if (self->traced)
		tt_ctl_trace(&self->ctl, false);
	tt_ctl_close(&self->ctl);
}

static int set_rs485(int fd, unsigned int flags, unsigned int before, unsigned int after)
{
	struct serial_rs485 r = {
		.flags = flags,
		.delay_rts_before_send = before,
		.delay_rts_after_send = after,
	};

	return ioctl(fd, TIOCSRS485, &r) ? -errno : 0;
}

/* What one transmission looked like at the registers. */
struct tx_seen {
	int first, last;	/* indexes of the payload's first/last THR write */
	int payload;		/* payload THR writes in between, in order */
	int rts_before;		/* RTS level of the last MCR write before first */
	int rts_dropped_inside;	/* MCR writes inside with RTS flipped */
	int after;		/* index of the first MCR write after last, or -1 */
	int rts_after;		/* its RTS level */
	double lead_s, tail_s;	/* RTS change -> first byte, last byte -> RTS change */
};

/*
 * Send the payload with RS-485 as set, let the host take it and the tail
 * pass, then read the THR/MCR sequence back from the trace.
 */
static void send_and_trace(struct __test_metadata *_metadata,
			   FIXTURE_DATA(rs485) *self, unsigned int tail_ms,
			   struct tx_seen *s)
{
	uint8_t out[PAYLOAD];
	char reply[2 * PAYLOAD + 16];
	int got = 0, n, i, expect;
	int rts_set_at = -1;

	for (i = 0; i < PAYLOAD; i++)
		out[i] = PAYLOAD_FIRST + i;
	ASSERT_EQ(1, tt_ctl_cmd(&self->ctl, reply, sizeof(reply), 10000, "FLUSH %s",
				self->chan));
	ASSERT_EQ(1, tt_ctl_cmd(&self->ctl, reply, sizeof(reply), 10000, "MARK"));
	ASSERT_EQ((ssize_t)PAYLOAD, tt_write_full(self->fd, out, PAYLOAD, 5000));
	ASSERT_EQ(0, tcdrain(self->fd));
	usleep((tail_ms + 100) * 1000);
	n = tt_ctl_seq(&self->ctl, "0 4", self->ev, MAX_EV);
	ASSERT_LE(0, n) TH_LOG("SEQ: %s", strerror(-n));
	/* and the bytes did leave: the host has them all */
	while (got < PAYLOAD) {
		int r = tt_ctl_cmd(&self->ctl, reply, sizeof(reply), 10000, "GET %s %d 5",
				   self->chan, PAYLOAD - got);

		ASSERT_EQ(1, r) TH_LOG("GET: %s", reply);
		ASSERT_LT(0, (int)strlen(reply)) TH_LOG("the host received %d of %d bytes",
							 got, PAYLOAD);
		got += strlen(reply) / 2;
	}
	ASSERT_EQ(PAYLOAD, got);

	memset(s, 0, sizeof(*s));
	s->first = s->last = s->after = -1;
	s->rts_before = -1;
	expect = PAYLOAD_FIRST;
	for (i = 0; i < n; i++) {
		const struct tt_reg_ev *e = &self->ev[i];

		if (e->reg == REG_THR && e->val == expect && expect < PAYLOAD_FIRST + PAYLOAD) {
			if (s->first < 0)
				s->first = i;
			s->last = i;
			s->payload++;
			expect++;
		} else if (e->reg == REG_MCR && s->first < 0) {
			int rts = !!(e->val & MCR_RTS);

			if (rts != s->rts_before)
				rts_set_at = i;
			s->rts_before = rts;
		} else if (e->reg == REG_MCR && expect < PAYLOAD_FIRST + PAYLOAD) {
			s->rts_dropped_inside += !!(e->val & MCR_RTS) != s->rts_before;
		} else if (e->reg == REG_MCR && s->after < 0 &&
			   !!(e->val & MCR_RTS) != s->rts_before) {
			s->after = i;
			s->rts_after = !!(e->val & MCR_RTS);
		}
	}
	ASSERT_EQ(PAYLOAD, s->payload) TH_LOG("%d of %d payload bytes seen in THR, in order",
					      s->payload, PAYLOAD);
	if (rts_set_at >= 0 && self->ev[rts_set_at].t >= 0)
		s->lead_s = self->ev[s->first].t - self->ev[rts_set_at].t;
	if (s->after >= 0 && self->ev[s->after].t >= 0)
		s->tail_s = self->ev[s->after].t - self->ev[s->last].t;
	TH_LOG("%d events; RTS %d before the first byte (%.1f ms ahead), %d flips while sending, RTS %d %.1f ms after the last",
	       n, s->rts_before, s->lead_s * 1e3, s->rts_dropped_inside,
	       s->after >= 0 ? s->rts_after : -1, s->tail_s * 1e3);
}

/*
 * TTYDPC_OF_RS485="NODE:FLAGS:BEFORE:AFTER": NODE's device-tree node asks
 * for RS-485 from boot (the ARM lane's rs485-uart3.dtso); TIOCGRS485 must
 * show exactly that. First in the file: later cases switch RS-485 off.
 */
TEST_F(rs485, dt_settings_applied)
{
	const char *want = tt_env("TTYDPC_OF_RS485");
	unsigned int flags, before, after;
	struct serial_rs485 r = { 0 };
	char node[128];
	int fd;

	if (!want)
		SKIP(return, "TTYDPC_OF_RS485 unset (no device-tree RS-485 port)");
	ASSERT_EQ(4, sscanf(want, "%127[^:]:%x:%u:%u", node, &flags, &before, &after))
		TH_LOG("TTYDPC_OF_RS485='%s'", want);
	fd = open(node, O_RDWR | O_NOCTTY | O_NONBLOCK);
	ASSERT_LE(0, fd) TH_LOG("%s: %s", node, strerror(errno));
	EXPECT_EQ(0, ioctl(fd, TIOCGRS485, &r)) TH_LOG("TIOCGRS485: %s", strerror(errno));
	close(fd);
	EXPECT_EQ(flags, r.flags) TH_LOG("%s: flags %#x, the device tree says %#x", node,
					 r.flags, flags);
	EXPECT_EQ(before, r.delay_rts_before_send);
	EXPECT_EQ(after, r.delay_rts_after_send);
}

TEST_F(rs485, config_roundtrip)
{
	const char *dt = tt_env("TTYDPC_OF_RS485");
	struct serial_rs485 r = { 0 };

	ASSERT_EQ(0, ioctl(self->fd, TIOCGRS485, &r)) TH_LOG("TIOCGRS485: %s", strerror(errno));
	if (!dt || strncmp(dt, self->port, strlen(self->port)))
		EXPECT_EQ(0u, r.flags & SER_RS485_ENABLED)
			TH_LOG("RS-485 on, and nobody asked for it");
	ASSERT_EQ(0, set_rs485(self->fd, SER_RS485_ENABLED | SER_RS485_RTS_ON_SEND |
			       SER_RS485_RX_DURING_TX, 5, 7));
	memset(&r, 0, sizeof(r));
	ASSERT_EQ(0, ioctl(self->fd, TIOCGRS485, &r));
	EXPECT_EQ((unsigned int)(SER_RS485_ENABLED | SER_RS485_RTS_ON_SEND |
				 SER_RS485_RX_DURING_TX), r.flags);
	EXPECT_EQ(5u, r.delay_rts_before_send);
	EXPECT_EQ(7u, r.delay_rts_after_send);
	ASSERT_EQ(0, set_rs485(self->fd, 0, 0, 0));
	ASSERT_EQ(0, ioctl(self->fd, TIOCGRS485, &r));
	EXPECT_EQ(0u, r.flags & SER_RS485_ENABLED);
}

TEST_F(rs485, bad_config_refused)
{
	struct serial_rs485 r = { 0 };

	/* 9-bit addressing is not something a 16550 does */
	EXPECT_EQ(-EINVAL, set_rs485(self->fd, SER_RS485_ENABLED | SER_RS485_ADDRB, 0, 0));
	TT_EXPECT_ERRNO(EFAULT, ioctl(self->fd, TIOCSRS485, (void *)8));
	TT_EXPECT_ERRNO(EFAULT, ioctl(self->fd, TIOCGRS485, (void *)8));
	ASSERT_EQ(0, ioctl(self->fd, TIOCGRS485, &r));
	EXPECT_EQ(0u, r.flags & SER_RS485_ENABLED) TH_LOG("a refused call changed the settings");
}

/* RTS at level on from before the first byte to after the last, then !on. */
static void rts_brackets(struct __test_metadata *_metadata, FIXTURE_DATA(rs485) *self,
			 unsigned int level_flag, int on)
{
	struct tx_seen s;

	if (!self->have_ctl)
		SKIP(return, "no host peer (TTYDPC_CTL, TTYDPC_CHAN)");
	ASSERT_EQ(0, set_rs485(self->fd, SER_RS485_ENABLED | level_flag, 0, 0));
	send_and_trace(_metadata, self, 0, &s);
	EXPECT_EQ(on, s.rts_before) TH_LOG("RTS not at its on-send level before the first byte");
	EXPECT_EQ(0, s.rts_dropped_inside);
	ASSERT_LE(0, s.after) TH_LOG("RTS never left its on-send level after the last byte");
	EXPECT_EQ(!on, s.rts_after);
}

TEST_F(rs485, rts_high_while_sending)
{
	rts_brackets(_metadata, self, SER_RS485_RTS_ON_SEND, 1);
}

TEST_F(rs485, rts_low_while_sending)
{
	rts_brackets(_metadata, self, SER_RS485_RTS_AFTER_SEND, 0);
}

TEST_F(rs485, rts_delays_kept)
{
	const unsigned int before = 20, after = 30;
	struct tx_seen s;

	if (!self->have_ctl)
		SKIP(return, "no host peer (TTYDPC_CTL, TTYDPC_CHAN)");
	ASSERT_EQ(0, set_rs485(self->fd, SER_RS485_ENABLED | SER_RS485_RTS_ON_SEND,
			       before, after));
	send_and_trace(_metadata, self, after, &s);
	ASSERT_EQ(1, s.rts_before);
	EXPECT_EQ(0, s.rts_dropped_inside);
	ASSERT_LE(0, s.after) TH_LOG("RTS never dropped after the last byte");
	if (self->ev[s.first].t < 0)
		SKIP(return, "QEMU trace without time stamps (-msg timestamp=on)");
	/* lower bounds only: a loaded host makes the gaps longer, never shorter */
	EXPECT_LE(before - 1, s.lead_s * 1e3) TH_LOG("first byte %.2f ms after RTS, want %u",
						    s.lead_s * 1e3, before);
	EXPECT_LE(after - 1, s.tail_s * 1e3) TH_LOG("RTS dropped %.2f ms after the last byte, want %u",
						   s.tail_s * 1e3, after);
}

/*
 * A TX purge in the middle of a transmission ends it: no THRE interrupt
 * comes after it, and RTS must still fall, or the port holds the bus.
 */
TEST_F(rs485, purge_mid_send_drops_rts)
{
	static uint8_t out[4096];
	int i, n, q, hits = 0, fl, efd;

	if (!self->have_ctl)
		SKIP(return, "no host peer (TTYDPC_CTL, TTYDPC_CHAN)");
	TA_EVENT_OPEN(efd, self->fd);
	memset(out, PAYLOAD_FIRST, sizeof(out));
	ASSERT_EQ(0, set_rs485(self->fd, SER_RS485_ENABLED | SER_RS485_RTS_ON_SEND, 0, 0));
	fl = fcntl(self->fd, F_GETFL);
	ASSERT_EQ(0, fcntl(self->fd, F_SETFL, fl | O_NONBLOCK));
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(1, tt_ctl_cmd(&self->ctl, NULL, 0, 10000, "MARK"));
		ASSERT_LT(0, write(self->fd, out, sizeof(out)));
		/* still being sent: the purge cuts the transmission short */
		if (ioctl(self->fd, TIOCOUTQ, &q) == 0 && q > 0)
			hits++;
		ASSERT_EQ(0, ta_purge(efd, TTYDPC_PURGE_TXABORT | TTYDPC_PURGE_TXCLEAR));
		usleep(200000);
		n = tt_ctl_seq(&self->ctl, "4", self->ev, MAX_EV);
		ASSERT_LT(0, n) TH_LOG("no MCR write: RTS never rose");
		EXPECT_EQ(0, self->ev[n - 1].val & MCR_RTS)
			TH_LOG("round %d: RTS still up after the purge (MCR %#x)", i,
			       self->ev[n - 1].val);
	}
	fcntl(self->fd, F_SETFL, fl);
	close(efd);
	TH_LOG("%d of 3 purges came with output still queued", hits);
}

/* The UART's loopback stands in for a two-wire bus: TX is heard on RX. */
static int echo_bytes(struct __test_metadata *_metadata, int fd)
{
	uint8_t out[16], in[64];
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int got = 0;

	for (int i = 0; i < (int)sizeof(out); i++)
		out[i] = 0x40 + i;
	tcflush(fd, TCIFLUSH);
	if (tt_write_full(fd, out, sizeof(out), 5000) != (ssize_t)sizeof(out))
		return -1;
	tcdrain(fd);
	while (poll(&p, 1, 300) > 0) {
		ssize_t n = read(fd, in, sizeof(in));

		if (n <= 0)
			break;
		got += n;
	}
	return got;
}

TEST_F(rs485, own_echo_dropped)
{
	int bits = TIOCM_LOOP;

	ASSERT_EQ(0, ioctl(self->fd, TIOCMBIS, &bits));
	usleep(50000);
	ASSERT_EQ(16, echo_bytes(_metadata, self->fd)) TH_LOG("loopback does not echo");
	ASSERT_EQ(0, set_rs485(self->fd, SER_RS485_ENABLED | SER_RS485_RTS_ON_SEND, 0, 0));
	EXPECT_EQ(0, echo_bytes(_metadata, self->fd)) TH_LOG("heard its own bytes");
	ASSERT_EQ(0, set_rs485(self->fd, SER_RS485_ENABLED | SER_RS485_RTS_ON_SEND |
			       SER_RS485_RX_DURING_TX, 0, 0));
	EXPECT_EQ(16, echo_bytes(_metadata, self->fd)) TH_LOG("RX_DURING_TX: echo lost");
	/* and the receiver works once RTS is down again */
	ASSERT_EQ(0, set_rs485(self->fd, SER_RS485_ENABLED | SER_RS485_RTS_ON_SEND, 0, 0));
	EXPECT_EQ(0, echo_bytes(_metadata, self->fd));
	ASSERT_EQ(0, set_rs485(self->fd, 0, 0, 0));
	EXPECT_EQ(16, echo_bytes(_metadata, self->fd)) TH_LOG("RX dead after RS-485");
}

TEST_F(rs485, off_gives_rts_back)
{
	int bits = TIOCM_RTS, n, last_mcr = -1;

	if (!self->have_ctl)
		SKIP(return, "no host peer (TTYDPC_CTL, TTYDPC_CHAN)");
	ASSERT_EQ(0, ioctl(self->fd, TIOCMBIS, &bits));
	ASSERT_EQ(0, set_rs485(self->fd, SER_RS485_ENABLED | SER_RS485_RTS_ON_SEND, 0, 0));
	/* RTS is RS-485's now: the user's RTS does not reach the line */
	ASSERT_EQ(0, ioctl(self->fd, TIOCMBIS, &bits));
	ASSERT_EQ(1, tt_ctl_cmd(&self->ctl, NULL, 0, 10000, "MARK"));
	ASSERT_EQ(0, set_rs485(self->fd, 0, 0, 0));
	n = tt_ctl_seq(&self->ctl, "4", self->ev, MAX_EV);
	ASSERT_LT(0, n) TH_LOG("no MCR write when RS-485 went off");
	last_mcr = self->ev[n - 1].val;
	EXPECT_TRUE(last_mcr & MCR_RTS) TH_LOG("MCR %#x: RTS not given back", last_mcr);
	ASSERT_EQ(0, ioctl(self->fd, TIOCMBIC, &bits));
	ASSERT_EQ(1, tt_ctl_cmd(&self->ctl, NULL, 0, 10000, "MARK"));
	ASSERT_EQ(0, ioctl(self->fd, TIOCMBIS, &bits));
	n = tt_ctl_seq(&self->ctl, "4", self->ev, MAX_EV);
	ASSERT_LT(0, n) TH_LOG("TIOCMBIS RTS wrote no MCR");
	EXPECT_TRUE(self->ev[n - 1].val & MCR_RTS);
}

TEST_HARNESS_MAIN
