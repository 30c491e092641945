// SPDX-License-Identifier: GPL-2.0
/*
 * tty_termios: termios settings reach the UART registers.
 *
 * The host peer's MARK/PARAMS report QEMU's serial_update_parameters trace
 * events (divisor and LCR as the model decodes them: "baudrate=B parity=P
 * data=D stop=S"). Each check marks, changes termios on TTYDPC_PORT, and
 * compares the newest event with what was asked for and with what tcgetattr
 * claims. QEMU decodes only LCR bits 0-4, so stick (mark/space) parity shows
 * as O/E there.
 *
 * A break shows in LCR (bit 6, SBC): QEMU has no break event, so
 * hw.break_reaches_lcr turns the serial_write trace on and reads the LCR
 * writes back (WRITES 3).
 *
 * Needs TTYDPC_CTL and TTYDPC_PORT (the events carry no port id: nothing
 * else may change line settings meanwhile).
 */
#include <fcntl.h>
#include <limits.h>
#include <linux/serial_reg.h>
#include <sys/ioctl.h>
#include <termios.h>

#include "ttydpc_harness.h"

#define MAX_EV 64

#define REG_LCR		3	/* UART_LCR as QEMU's trace numbers it */

struct port_ctx {
	struct tt_ctl ctl;
	int fd;
	const char *port;
	unsigned int uartclk;
	bool traced;		/* serial_write tracing is on: off in teardown */
};

static void ctx_setup(struct __test_metadata *_metadata, struct port_ctx *p)
{
	char path[PATH_MAX], val[64];

	p->fd = -1;
	p->port = tt_env("TTYDPC_PORT");
	p->uartclk = TT_UARTCLK;
	TT_NEED_HOST(&p->ctl);
	if (!p->port)
		SKIP(return, "TTYDPC_PORT unset");
	snprintf(path, sizeof(path), "/sys/class/tty/%s/uartclk", tt_basename(p->port));
	if (tt_read_file(path, val, sizeof(val)) > 0 && strtoul(val, NULL, 0))
		p->uartclk = strtoul(val, NULL, 0);
	TT_OPEN_RAW(p->fd, p->port, 115200);
}

static void ctx_teardown(struct port_ctx *p)
{
	if (p->traced)
		tt_ctl_trace(&p->ctl, false);
	if (p->fd >= 0) {
		tt_set_raw(p->fd, 115200);	/* leave the port as we found it */
		close(p->fd);
	}
	tt_ctl_close(&p->ctl);
}

/*
 * Newest PARAMS event since MARK into *ev. Returns the number of events
 * (0: the registers were not touched), or -1 on a protocol failure.
 */
static int last_params(struct __test_metadata *_metadata, struct port_ctx *p,
		       struct tt_param_ev *ev)
{
	static struct tt_param_ev evs[MAX_EV];
	int total = 0, n = tt_ctl_params(&p->ctl, evs, MAX_EV, &total);

	if (n < 0) {
		TH_LOG("PARAMS: %s", strerror(-n));
		return -1;
	}
	for (int i = 0; i < n; i++)
		TH_LOG("  event %d/%d: baudrate=%lu parity=%c data=%d stop=%d",
		       total - n + i + 1, total, evs[i].baud, evs[i].parity,
		       evs[i].data, evs[i].stop);
	if (n)
		*ev = evs[n - 1];
	return total;
}

/* After a request for no rate (what): the UART, if touched, keeps a real one. */
static void expect_no_zero_rate(struct __test_metadata *_metadata, struct port_ctx *p,
				const char *what)
{
	struct tt_param_ev ev;
	int n = last_params(_metadata, p, &ev);

	ASSERT_LE(0, n);
	if (n)
		EXPECT_LT(0UL, ev.baud) TH_LOG("%s programmed the UART to 0 baud", what);
}

/* The UART was reprogrammed since MARK, to baud (what: the step, for the log). */
static void expect_uart_at(struct __test_metadata *_metadata, struct port_ctx *p,
			   unsigned long baud, const char *what)
{
	struct tt_param_ev ev;
	int n = last_params(_metadata, p, &ev);

	ASSERT_LT(0, n) TH_LOG("%s: UART not reprogrammed", what);
	EXPECT_EQ(baud, ev.baud) TH_LOG("%s", what);
}

/* Actual speed tcgetattr/TCGETS2 claims on fd. */
static unsigned int claimed_ospeed(int fd)
{
	struct termios t;
	unsigned int is, os, cflag;

	if (tt_tcgets2_speed(fd, &is, &os, &cflag) == 0 && tt_cflag_is_bother(cflag))
		return os;
	if (tcgetattr(fd, &t))
		return 0;
	return tt_speed_to_baud(cfgetospeed(&t));
}

/*
 * Describe how got differs from want (flags, control chars, speeds), ignoring
 * the bits in cflag_ok. Returns the number of fields that differ.
 */
static int termios_diff(const struct termios *want, const struct termios *got,
			tcflag_t cflag_ok, char *buf, size_t size)
{
	int n = 0;
	size_t len = 0;

	buf[0] = 0;
#define TT_DIFF(field) do { \
	if (want->field != got->field) { \
		n++; \
		len += snprintf(buf + len, len < size ? size - len : 0, \
				" " #field " set 0%o got 0%o (xor 0%o)", \
				(unsigned int)want->field, (unsigned int)got->field, \
				(unsigned int)(want->field ^ got->field)); \
	} } while (0)
	TT_DIFF(c_iflag);
	TT_DIFF(c_oflag);
	TT_DIFF(c_lflag);
	if ((want->c_cflag ^ got->c_cflag) & ~cflag_ok)
		TT_DIFF(c_cflag);
	for (int i = 0; i < NCCS && i < 19; i++)
		TT_DIFF(c_cc[i]);
	if (cfgetospeed(want) != cfgetospeed(got) || cfgetispeed(want) != cfgetispeed(got)) {
		n++;
		len += snprintf(buf + len, len < size ? size - len : 0,
				" speeds set %u/%u got %u/%u",
				tt_speed_to_baud(cfgetispeed(want)),
				tt_speed_to_baud(cfgetospeed(want)),
				tt_speed_to_baud(cfgetispeed(got)),
				tt_speed_to_baud(cfgetospeed(got)));
	}
#undef TT_DIFF
	return n;
}

static bool parity_matches(char want, char got)
{
	if (want == got)
		return true;
	/* QEMU 7.2 ignores LCR stick parity: mark shows as odd, space as even */
	return (want == 'M' && got == 'O') || (want == 'S' && got == 'E');
}

/* Both fixtures are a port_ctx. */
#define PORT_FIXTURE(name)						\
	FIXTURE(name) { struct port_ctx p; };				\
	FIXTURE_SETUP(name) { ctx_setup(_metadata, &self->p); }	\
	FIXTURE_TEARDOWN(name) { ctx_teardown(&self->p); }

/* ---- line settings ------------------------------------------------------ */

PORT_FIXTURE(line)

FIXTURE_VARIANT(line) {
	unsigned int baud;
	tcflag_t cflag;		/* CSIZE | PARENB | PARODD | CMSPAR | CSTOPB */
	char parity;
	int data, stop;
};

/* One row per variant: name, speed, cflag, and what QEMU's event must show. */
#define LINE(name, b, cf, par, d, s) \
	FIXTURE_VARIANT_ADD(line, name) { \
		.baud = b, .cflag = cf, .parity = par, .data = d, .stop = s, \
	}
LINE(b9600_8N1,   9600,   CS8,                              'N', 8, 1);
LINE(b115200_7O2, 115200, CS7 | PARENB | PARODD | CSTOPB,   'O', 7, 2);
LINE(b57600_5E1,  57600,  CS5 | PARENB,                     'E', 5, 1);
LINE(b1200_6N1,   1200,   CS6,                              'N', 6, 1);
LINE(b38400_8M1,  38400,  CS8 | PARENB | PARODD | CMSPAR,   'M', 8, 1);
LINE(b38400_8S1,  38400,  CS8 | PARENB | CMSPAR,            'S', 8, 1);
#undef LINE

TEST_F(line, reaches_uart)
{
	const tcflag_t mask = CSIZE | PARENB | PARODD | CMSPAR | CSTOPB;
	struct tt_param_ev ev;
	struct termios t, got;
	char diff[512];
	speed_t sp = tt_baud_to_speed(variant->baud);
	int n;

	/* start from something different from the target */
	ASSERT_EQ(0, tt_set_raw(self->p.fd, variant->baud == 9600 ? 19200 : 9600));
	ASSERT_EQ(0, tt_ctl_mark(&self->p.ctl)) TH_LOG("MARK: %s", self->p.ctl.reply);

	ASSERT_EQ(0, tcgetattr(self->p.fd, &t));
	t.c_cflag = (t.c_cflag & ~mask) | variant->cflag;
	ASSERT_EQ(0, cfsetospeed(&t, sp));
	ASSERT_EQ(0, cfsetispeed(&t, sp));
	ASSERT_EQ(0, tcsetattr(self->p.fd, TCSANOW, &t)) TH_LOG("tcsetattr: %s", strerror(errno));

	n = last_params(_metadata, &self->p, &ev);
	ASSERT_LT(0, n) TH_LOG("no serial_update_parameters event after tcsetattr");
	EXPECT_EQ(variant->baud, ev.baud);
	EXPECT_TRUE(parity_matches(variant->parity, ev.parity))
		TH_LOG("parity: want %c, UART has %c", variant->parity, ev.parity);
	EXPECT_EQ(variant->data, ev.data);
	EXPECT_EQ(variant->stop, ev.stop);

	/*
	 * tcgetattr returns what was set, as stty and every program that
	 * checks its tcsetattr assume (CMSPAR may be dropped by a UART
	 * without stick parity).
	 */
	ASSERT_EQ(0, tcgetattr(self->p.fd, &got));
	EXPECT_EQ(0, termios_diff(&t, &got, CMSPAR, diff, sizeof(diff)))
		TH_LOG("tcgetattr differs from what tcsetattr set:%s", diff);
	t = got;
	EXPECT_EQ((unsigned int)sp, (unsigned int)cfgetospeed(&t));
	EXPECT_EQ(variant->cflag & (CSIZE | PARENB | CSTOPB),
		  t.c_cflag & (CSIZE | PARENB | CSTOPB));
	EXPECT_EQ(variant->cflag & PARODD, t.c_cflag & PARODD);
	if ((variant->cflag & CMSPAR) && !(t.c_cflag & CMSPAR))
		TH_LOG("driver cleared CMSPAR (no stick parity): UART shows %c",
		       ev.parity);
}

/* ---- other settings ----------------------------------------------------- */

PORT_FIXTURE(hw)

/*
 * 230400 and up cannot be made from 1.8432 MHz / 16. tcsetattr may fail, or
 * succeed with a rate the UART really runs at; tcgetattr must never claim a
 * rate the UART is not programmed for.
 */
TEST_F(hw, speed_above_max_not_claimed)
{
	static const unsigned int speeds[] = { 230400, 460800, 921600 };
	unsigned int max = self->p.uartclk / 16;

	for (size_t i = 0; i < sizeof(speeds) / sizeof(speeds[0]); i++) {
		struct tt_param_ev ev;
		unsigned int claimed, programmed;
		int r, n;

		if (speeds[i] <= max)
			continue;
		ASSERT_EQ(0, tt_set_raw(self->p.fd, 9600));
		ASSERT_EQ(0, tt_ctl_mark(&self->p.ctl)) TH_LOG("MARK: %s", self->p.ctl.reply);
		r = tt_set_speed(self->p.fd, speeds[i]);
		claimed = claimed_ospeed(self->p.fd);
		n = last_params(_metadata, &self->p, &ev);
		ASSERT_LE(0, n);
		programmed = n ? ev.baud : 9600;
		TH_LOG("asked %u: tcsetattr %s, tcgetattr claims %u, UART at %u",
		       speeds[i], r ? strerror(-r) : "ok", claimed, programmed);
		EXPECT_NE(speeds[i], claimed);
		EXPECT_GE(max, claimed);
		EXPECT_GE(1u, (unsigned int)abs((int)programmed - (int)claimed))
			TH_LOG("tcgetattr claims %u but the UART runs at %u",
			       claimed, programmed);
	}
}

/*
 * BOTHER with a rate no divisor makes exactly: TCGETS2 must report the rate
 * the UART really runs at (nearest divisor of uartclk/16), matching PARAMS.
 */
TEST_F(hw, bother_reports_actual_rate)
{
	static const unsigned int asks[] = { 12345, 50000, 31250, 40000, 100 };

	for (size_t i = 0; i < sizeof(asks) / sizeof(asks[0]); i++) {
		unsigned int want = tt_uart_actual_baud(self->p.uartclk, asks[i]);
		unsigned int is = 0, os = 0, cflag = 0;
		struct tt_param_ev ev;
		int r, n;

		ASSERT_EQ(0, tt_set_raw(self->p.fd, 9600));
		ASSERT_EQ(0, tt_ctl_mark(&self->p.ctl)) TH_LOG("MARK: %s", self->p.ctl.reply);
		r = tt_tcsets2_baud(self->p.fd, asks[i]);
		ASSERT_EQ(0, r) TH_LOG("TCSETS2 BOTHER %u: %s", asks[i], strerror(-r));
		ASSERT_EQ(0, tt_tcgets2_speed(self->p.fd, &is, &os, &cflag));
		n = last_params(_metadata, &self->p, &ev);
		ASSERT_LT(0, n) TH_LOG("BOTHER %u: UART not reprogrammed", asks[i]);
		TH_LOG("asked %u: TCGETS2 ospeed %u ispeed %u, UART at %lu, exact rate %u",
		       asks[i], os, is, ev.baud, want);
		EXPECT_GE(1u, (unsigned int)abs((int)ev.baud - (int)want))
			TH_LOG("UART at %lu, nearest divisor gives %u", ev.baud, want);
		EXPECT_GE(1u, (unsigned int)abs((int)os - (int)want))
			TH_LOG("TCGETS2 claims %u, the UART runs at %lu", os, ev.baud);
		EXPECT_GE(1u, (unsigned int)abs((int)is - (int)want))
			TH_LOG("TCGETS2 input speed %u, the UART runs at %lu", is, ev.baud);
	}
}

/*
 * Termios extremes. B0 is "hang up": DTR and RTS drop, tcgetattr keeps B0,
 * and the UART is never given a zero divisor (it stays at a real rate);
 * a real speed afterwards raises DTR and RTS again and reaches the UART.
 */
TEST_F(hw, b0_drops_dtr_rts_and_recovers)
{
	struct termios t;
	int mc = 0;

	ASSERT_EQ(0, tt_set_raw(self->p.fd, 9600));
	ASSERT_EQ(0, ioctl(self->p.fd, TIOCMGET, &mc));
	ASSERT_EQ(TIOCM_DTR | TIOCM_RTS, mc & (TIOCM_DTR | TIOCM_RTS))
		TH_LOG("DTR/RTS not up after open: 0x%x", mc);
	ASSERT_EQ(0, tt_ctl_mark(&self->p.ctl)) TH_LOG("MARK: %s", self->p.ctl.reply);

	ASSERT_EQ(0, tt_set_speed(self->p.fd, 0));
	ASSERT_EQ(0, ioctl(self->p.fd, TIOCMGET, &mc));
	EXPECT_EQ(0, mc & (TIOCM_DTR | TIOCM_RTS)) TH_LOG("B0 left DTR/RTS up: 0x%x", mc);
	ASSERT_EQ(0, tcgetattr(self->p.fd, &t));
	EXPECT_EQ((unsigned int)B0, (unsigned int)cfgetospeed(&t));
	expect_no_zero_rate(_metadata, &self->p, "B0");

	ASSERT_EQ(0, tt_ctl_mark(&self->p.ctl)) TH_LOG("MARK: %s", self->p.ctl.reply);
	ASSERT_EQ(0, tt_set_speed(self->p.fd, 19200));
	ASSERT_EQ(0, ioctl(self->p.fd, TIOCMGET, &mc));
	EXPECT_EQ(TIOCM_DTR | TIOCM_RTS, mc & (TIOCM_DTR | TIOCM_RTS))
		TH_LOG("DTR/RTS not raised again after B0: 0x%x", mc);
	expect_uart_at(_metadata, &self->p, 19200, "19200 after B0");
}

/*
 * BOTHER with a rate of 0 is no rate: the kernel accepts it as it does B0
 * (TCGETS2 then reports 0, nothing is claimed), the UART keeps a real
 * divisor, and the port takes a real rate afterwards.
 */
TEST_F(hw, bother_zero_is_no_rate)
{
	unsigned int is = 1, os = 1, cflag = 0;
	int r;

	ASSERT_EQ(0, tt_set_raw(self->p.fd, 9600));
	ASSERT_EQ(0, tt_ctl_mark(&self->p.ctl)) TH_LOG("MARK: %s", self->p.ctl.reply);
	r = tt_tcsets2_baud(self->p.fd, 0);
	ASSERT_EQ(0, r) TH_LOG("TCSETS2 BOTHER 0: %s", strerror(-r));
	ASSERT_EQ(0, tt_tcgets2_speed(self->p.fd, &is, &os, &cflag));
	TH_LOG("BOTHER 0: TCGETS2 ospeed %u ispeed %u", os, is);
	EXPECT_EQ(0u, os);
	expect_no_zero_rate(_metadata, &self->p, "BOTHER 0");

	ASSERT_EQ(0, tt_ctl_mark(&self->p.ctl)) TH_LOG("MARK: %s", self->p.ctl.reply);
	ASSERT_EQ(0, tt_tcsets2_baud(self->p.fd, 38400));
	expect_uart_at(_metadata, &self->p, 38400, "38400 after BOTHER 0");
}

/* busybox stty changes the port from outside; the UART follows. */
TEST_F(hw, stty_reaches_uart)
{
	char cmd[PATH_MAX + 128], out[512];
	struct tt_param_ev ev;
	struct termios t, before;
	char diff[512];
	FILE *f;
	int rc, n;

	ASSERT_EQ(0, tt_set_raw(self->p.fd, 115200));
	ASSERT_EQ(0, tt_ctl_mark(&self->p.ctl)) TH_LOG("MARK: %s", self->p.ctl.reply);
	snprintf(cmd, sizeof(cmd), "stty -F %s 19200 cs7 parenb -parodd cstopb",
		 self->p.port);
	ASSERT_EQ(0, tcgetattr(self->p.fd, &before));
	rc = system(cmd);
	ASSERT_EQ(0, tcgetattr(self->p.fd, &t));
	termios_diff(&before, &t, 0, diff, sizeof(diff));
	TH_LOG("termios before -> after stty:%s", diff);
	ASSERT_TRUE(rc != -1 && WIFEXITED(rc) && WEXITSTATUS(rc) == 0)
		TH_LOG("'%s' failed (%d)", cmd, rc);

	n = last_params(_metadata, &self->p, &ev);
	ASSERT_LT(0, n) TH_LOG("stty left the UART untouched");
	EXPECT_EQ(19200ul, ev.baud);
	EXPECT_EQ('E', ev.parity);
	EXPECT_EQ(7, ev.data);
	EXPECT_EQ(2, ev.stop);

	EXPECT_EQ((unsigned int)B19200, (unsigned int)cfgetospeed(&t));
	EXPECT_EQ((tcflag_t)(CS7 | PARENB | CSTOPB),
		  t.c_cflag & (CSIZE | PARENB | PARODD | CSTOPB));

	snprintf(cmd, sizeof(cmd), "stty -F %s", self->p.port);
	f = popen(cmd, "r");
	ASSERT_NE(NULL, f);
	n = fread(out, 1, sizeof(out) - 1, f);
	out[n > 0 ? n : 0] = 0;
	pclose(f);
	EXPECT_NE(NULL, strstr(out, "speed 19200 baud")) TH_LOG("stty says: %s", out);
}

/* Index of the first value in v[0..n) equal to want at or after from, or -1. */
static int find_byte(const uint8_t *v, int n, int from, uint8_t want)
{
	for (int i = from; i < n; i++)
		if (v[i] == want)
			return i;
	return -1;
}

static int lcr_writes_since_mark(struct __test_metadata *_metadata,
				 struct port_ctx *p, const char *what,
				 uint8_t *v, int max)
{
	char list[MAX_EV * 6 + 1] = "";
	int total = 0, n = tt_ctl_reg_writes(&p->ctl, REG_LCR, v, max, &total);

	if (n < 0) {
		TH_LOG("%s: WRITES: %s", what, strerror(-n));
		return n;
	}
	for (int i = 0; i < n; i++)
		snprintf(list + strlen(list), sizeof(list) - strlen(list), " %#04x", v[i]);
	TH_LOG("%s: %d LCR writes:%s", what, total, list);
	return n;
}

/*
 * Sending a break is LCR's SBC bit: TIOCSBRK sets it, TIOCCBRK clears it,
 * tcsendbreak(fd, 0) holds it for 250 ms; none of them may disturb the
 * line's format bits (7E2 here, so a driver that rebuilds LCR from a
 * default shows). The values are QEMU's serial_write trace of offset 3.
 */
TEST_F(hw, break_reaches_lcr)
{
	const uint8_t fmt = UART_LCR_WLEN7 | UART_LCR_PARITY | UART_LCR_EPAR | UART_LCR_STOP;
	uint8_t v[MAX_EV];
	uint64_t t0, held;
	int n, on;

	ASSERT_EQ(0, tt_set_raw(self->p.fd, 9600));
	ASSERT_EQ(0, tt_set_cflag(self->p.fd, CSIZE | PARODD, CS7 | PARENB | CSTOPB));
	TT_TRACE_ON(&self->p.ctl, &self->p.traced);

	ASSERT_EQ(0, tt_ctl_mark(&self->p.ctl)) TH_LOG("MARK: %s", self->p.ctl.reply);
	ASSERT_EQ(0, ioctl(self->p.fd, TIOCSBRK));
	n = lcr_writes_since_mark(_metadata, &self->p, "TIOCSBRK", v, MAX_EV);
	ASSERT_LT(0, n) TH_LOG("TIOCSBRK did not write LCR");
	EXPECT_EQ(fmt | UART_LCR_SBC, v[n - 1]) TH_LOG("LCR after TIOCSBRK");

	ASSERT_EQ(0, tt_ctl_mark(&self->p.ctl)) TH_LOG("MARK: %s", self->p.ctl.reply);
	ASSERT_EQ(0, ioctl(self->p.fd, TIOCCBRK));
	n = lcr_writes_since_mark(_metadata, &self->p, "TIOCCBRK", v, MAX_EV);
	ASSERT_LT(0, n) TH_LOG("TIOCCBRK did not write LCR");
	EXPECT_EQ(fmt, v[n - 1]) TH_LOG("LCR after TIOCCBRK");

	ASSERT_EQ(0, tt_ctl_mark(&self->p.ctl)) TH_LOG("MARK: %s", self->p.ctl.reply);
	t0 = tt_now_ms();
	ASSERT_EQ(0, tcsendbreak(self->p.fd, 0));
	held = tt_now_ms() - t0;
	n = lcr_writes_since_mark(_metadata, &self->p, "tcsendbreak", v, MAX_EV);
	ASSERT_LT(0, n);
	on = find_byte(v, n, 0, fmt | UART_LCR_SBC);
	EXPECT_LE(0, on) TH_LOG("tcsendbreak never set SBC");
	EXPECT_LT(on, find_byte(v, n, on < 0 ? 0 : on, fmt))
		TH_LOG("SBC not cleared after it was set");
	EXPECT_EQ(fmt, v[n - 1]) TH_LOG("LCR after tcsendbreak");
	EXPECT_LE(240u, held) TH_LOG("tcsendbreak(fd, 0) returned after %llu ms",
				     (unsigned long long)held);
}

TEST_HARNESS_MAIN
