// SPDX-License-Identifier: GPL-2.0
/*
 * tty_serial_info: TIOCSSERIAL's baud_base on a ttydpc port.
 *
 * ttydpc ports are UPF_FIXED_PORT: the serial core never changes their
 * clock, so a baud_base other than the clock's (uartclk / 16) would be
 * accepted and silently ignored; a huge one (baud_base * 16 wraps to a
 * clock of 0 or a few Hz) is what would make uart_get_baud_rate() find
 * no rate and set_termios divide by zero if it were ever applied. Root's
 * TIOCSSERIAL with any baud_base but the port's own must fail with
 * EINVAL, rewriting the same values (what setserial does) must work, and
 * afterwards the port still takes every speed. Run as root; skips
 * otherwise.
 */
#include <fcntl.h>
#include <linux/serial.h>
#include <sys/ioctl.h>
#include <termios.h>

#include "ttydpc_harness.h"

FIXTURE(si) {
	char port[128];
	int fd;
	struct serial_struct orig;
};

FIXTURE_SETUP(si)
{
	self->fd = -1;
	if (geteuid())
		SKIP(return, "needs root (TIOCSSERIAL baud_base)");
	ASSERT_EQ(0, tt_pick_port(self->port, sizeof(self->port)));
	TT_OPEN_RAW(self->fd, self->port, 115200);
	ASSERT_EQ(0, ioctl(self->fd, TIOCGSERIAL, &self->orig));
}

FIXTURE_TEARDOWN(si)
{
	if (self->fd >= 0) {
		ioctl(self->fd, TIOCSSERIAL, &self->orig);
		tt_set_raw(self->fd, 115200);
		close(self->fd);
	}
}

TEST_F(si, same_baud_base_accepted)
{
	struct serial_struct ss = self->orig;

	EXPECT_EQ(0, ioctl(self->fd, TIOCSSERIAL, &ss))
		TH_LOG("rewriting TIOCGSERIAL's own values: %s", strerror(errno));
}

TEST_F(si, other_baud_base_refused)
{
	/* 0x10000000 * 16 wraps to 0; 0x10000001 * 16 to 16 (no rate fits) */
	const int bad[] = { 0x10000000, 0x10000001, 0x7fffffff, 0 };
	int n = sizeof(bad) / sizeof(bad[0]);

	for (int i = 0; i <= n; i++) {
		struct serial_struct ss = self->orig, now;
		int r;

		ss.baud_base = i < n ? bad[i] : self->orig.baud_base * 2;
		r = ioctl(self->fd, TIOCSSERIAL, &ss) ? errno : 0;
		EXPECT_EQ(EINVAL, r)
			TH_LOG("baud_base %d (port's %d): %s", ss.baud_base,
			       self->orig.baud_base, r ? strerror(r) : "accepted");
		ASSERT_EQ(0, ioctl(self->fd, TIOCGSERIAL, &now));
		EXPECT_EQ(self->orig.baud_base, now.baud_base);
		/* every speed still programs a divisor */
		for (unsigned int b = 0; b < 3; b++) {
			static const unsigned int rates[] = { 50, 9600, 115200 };

			EXPECT_EQ(0, tt_set_raw(self->fd, rates[b]))
				TH_LOG("%u baud after baud_base %d", rates[b], ss.baud_base);
		}
	}
}

TEST_HARNESS_MAIN
