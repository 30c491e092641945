// SPDX-License-Identifier: GPL-2.0
/*
 * tty_line_errors: received parity and framing errors, from the UART's LSR
 * to what read() returns, in the UART's internal loopback.
 *
 * QEMU's 16550 never flags PE or FE, so the error is injected where the
 * UART would report it: debugfs inject_rx_error makes the hard IRQ path
 * attach LSR PE (0x04) or FE (0x08) to the next byte it receives. From
 * there the byte takes the real path: the error routine, TIOCGICOUNT,
 * ttydpc's stats and comm status, and the termios flags as 8250 honours
 * them (INPCK: report, IGNPAR: drop, PARMRK: mark as \377 \0 c).
 */
#include <linux/serial.h>
#include <sys/ioctl.h>
#include <termios.h>

#include "ttydpc_harness.h"
#include "ttydpc_api_fixture.h"

#define LSR_PE 0x04
#define LSR_FE 0x08

FIXTURE(lerr) {
	int fd;
	int efd;	/* event file attached to fd */
	char port[64];
	char inject[128];
};

FIXTURE_SETUP(lerr)
{
	self->fd = self->efd = -1;
	if (tt_pick_port(self->port, sizeof(self->port)))
		SKIP(return, "no /dev/ttyDPC* node");
	snprintf(self->inject, sizeof(self->inject),
		 "/sys/kernel/debug/ttydpc/%s/inject_rx_error", tt_basename(self->port));
	if (access(self->inject, W_OK))
		SKIP(return, "%s: %s (debugfs and root needed)", self->inject, strerror(errno));
	TT_OPEN_RAW(self->fd, self->port, 115200);
	TA_EVENT_OPEN(self->efd, self->fd);
	ASSERT_EQ(0, ta_mbis(self->fd, TIOCM_RTS | TIOCM_DTR));
	ta_loop_on(_metadata, self->fd);
}

FIXTURE_TEARDOWN(lerr)
{
	if (self->efd >= 0)
		close(self->efd);
	if (self->fd < 0)
		return;
	tt_set_raw(self->fd, 115200);
	ta_mbic(self->fd, TIOCM_LOOP);
	tcflush(self->fd, TCIOFLUSH);
	close(self->fd);
}

/* PARENB with the given input flags on top of raw mode. */
static int set_iflags(int fd, tcflag_t iflags)
{
	struct termios t;

	if (tcgetattr(fd, &t))
		return -errno;
	t.c_cflag |= PARENB;
	t.c_iflag &= ~(INPCK | IGNPAR | PARMRK | ISTRIP);
	t.c_iflag |= iflags;
	return tcsetattr(fd, TCSANOW, &t) ? -errno : 0;
}

/*
 * Inject @lsr, send @out through the loopback and read what arrives within
 * 1 s into @in (at most @size bytes). Returns the count or -errno.
 */
static ssize_t loop_with_error(const char *inject, int fd, unsigned int lsr,
			       const char *out, unsigned char *in, size_t size)
{
	char val[8];
	ssize_t n, got = 0;
	int r;

	snprintf(val, sizeof(val), "0x%02x", lsr);
	r = tt_write_file(inject, val);
	if (r)
		return r;
	if (write(fd, out, strlen(out)) != (ssize_t)strlen(out))
		return -errno;
	/* a short read is expected when a byte is dropped: read until quiet */
	while ((size_t)got < size) {
		n = tt_read_full(fd, in + got, 1, got ? 300 : 1000);
		if (n <= 0)
			break;
		got += n;
	}
	return got;
}

static void dump(struct __test_metadata *_metadata, const unsigned char *b, ssize_t n)
{
	char hex[64] = "";

	for (ssize_t i = 0; i < n && i < 16; i++)
		snprintf(hex + strlen(hex), sizeof(hex) - strlen(hex), " %02x", b[i]);
	TH_LOG("read %zd byte(s):%s", n, hex);
}

struct counts {
	struct serial_icounter_struct ic;
	struct ttydpc_stats_user st;
};

/* TIOCGICOUNT from the tty, GET_STATS from its event file */
static int get_counts(int fd, int efd, struct counts *c)
{
	if (ioctl(fd, TIOCGICOUNT, &c->ic))
		return -errno;
	return ta_get_stats(efd, &c->st);
}

/* INPCK + PARMRK: @byte looped back with @lsr arrives marked; counters, status for the checks. */
static void marked_error(struct __test_metadata *_metadata, FIXTURE_DATA(lerr) *self,
			 unsigned int lsr, char byte, struct counts *a, struct counts *b,
			 struct ttydpc_comm_status *cs)
{
	const unsigned char want[] = { 0xff, 0x00, byte };
	const char out[] = { byte, 0 };
	unsigned char in[8];
	ssize_t n;

	ASSERT_EQ(0, set_iflags(self->fd, INPCK | PARMRK));
	ASSERT_EQ(0, ta_commstatus(self->efd, cs));	/* clears latched errors */
	ASSERT_EQ(0, get_counts(self->fd, self->efd, a));
	n = loop_with_error(self->inject, self->fd, lsr, out, in, sizeof(in));
	dump(_metadata, in, n);
	ASSERT_EQ(3, n);
	EXPECT_EQ(0, memcmp(in, want, sizeof(want)));
	ASSERT_EQ(0, get_counts(self->fd, self->efd, b));
	ASSERT_EQ(0, ta_commstatus(self->efd, cs));
}

/* INPCK + PARMRK: the byte arrives marked, and every counter counts it once. */
TEST_F(lerr, parity_error_marked_and_counted)
{
	struct ttydpc_comm_status cs;
	unsigned char in[8];
	struct counts a, b;
	ssize_t n;

	marked_error(_metadata, self, LSR_PE, 'A', &a, &b, &cs);
	EXPECT_EQ(a.ic.parity + 1, b.ic.parity);
	EXPECT_EQ(a.ic.frame, b.ic.frame);
	EXPECT_EQ(a.st.parity_errors + 1, b.st.parity_errors);
	EXPECT_NE(0, !!(cs.errors & TTYDPC_ERR_PARITY)) TH_LOG("comm status errors %#x", cs.errors);
	EXPECT_EQ(0, !!(cs.errors & TTYDPC_ERR_FRAME)) TH_LOG("comm status errors %#x", cs.errors);
	/* the error belonged to that byte only */
	ASSERT_EQ(2, write(self->fd, "CD", 2));
	n = tt_read_full(self->fd, in, 2, 1000);
	dump(_metadata, in, n);
	ASSERT_EQ(2, n);
	EXPECT_EQ(0, memcmp(in, "CD", 2));
}

/* A framing error is counted as one, marked the same way under PARMRK. */
TEST_F(lerr, framing_error_marked_and_counted)
{
	struct ttydpc_comm_status cs;
	struct counts a, b;

	marked_error(_metadata, self, LSR_FE, 'F', &a, &b, &cs);
	EXPECT_EQ(a.ic.frame + 1, b.ic.frame);
	EXPECT_EQ(a.ic.parity, b.ic.parity);
	EXPECT_EQ(a.st.frame_errors + 1, b.st.frame_errors);
	EXPECT_NE(0, !!(cs.errors & TTYDPC_ERR_FRAME)) TH_LOG("comm status errors %#x", cs.errors);
}

/* IGNPAR: the errored byte is dropped, the next one arrives. */
TEST_F(lerr, ignpar_drops_the_byte)
{
	unsigned char in[8];
	struct counts a, b;
	ssize_t n;

	ASSERT_EQ(0, set_iflags(self->fd, INPCK | IGNPAR));
	ASSERT_EQ(0, get_counts(self->fd, self->efd, &a));
	n = loop_with_error(self->inject, self->fd, LSR_PE, "xy", in, sizeof(in));
	dump(_metadata, in, n);
	ASSERT_EQ(1, n);
	EXPECT_EQ('y', in[0]);
	ASSERT_EQ(0, get_counts(self->fd, self->efd, &b));
	EXPECT_EQ(a.ic.parity + 1, b.ic.parity) TH_LOG("a dropped byte is still counted");
}

/* Without INPCK a parity error is not reported: the byte arrives plain. */
TEST_F(lerr, no_inpck_delivers_plain_byte)
{
	unsigned char in[8];
	ssize_t n;

	ASSERT_EQ(0, set_iflags(self->fd, PARMRK));
	n = loop_with_error(self->inject, self->fd, LSR_PE, "p", in, sizeof(in));
	dump(_metadata, in, n);
	ASSERT_EQ(1, n);
	EXPECT_EQ('p', in[0]);
}

/* Only PE and FE can be injected. */
TEST_F(lerr, injection_refuses_other_bits)
{
	EXPECT_EQ(-EINVAL, tt_write_file(self->inject, "0x80"));
	EXPECT_EQ(-EINVAL, tt_write_file(self->inject, "0x02"));
	EXPECT_EQ(-EINVAL, tt_write_file(self->inject, "0"));
}

TEST_HARNESS_MAIN
