// SPDX-License-Identifier: GPL-2.0
/*
 * tty_pm: an open port survives a system suspend and resume.
 *
 * The port is set up the way a user leaves it: 57600 8E1, RX trigger 4
 * (rx_trig_bytes; 8 is the default), RTS on and DTR off, an event mask
 * with a process waiting on it. Then the whole machine suspends and
 * resumes, and through the same open descriptor:
 *  - data moves both ways as before (host channel TTYDPC_CHAN);
 *  - termios, modem lines and the trigger level read back as set;
 *  - the waiter is still waiting (the freezer restarted its ioctl, no
 *    EINTR) and the first byte after the resume ends its wait with RXCHAR.
 * s3: a real suspend to RAM (mem_sleep "deep": ACPI S3 on QEMU's pc
 * machine). QEMU resets its devices on the wakeup as hardware loses its
 * registers, so the UART is checked at its registers too: the host peer
 * wakes the guest (WAKE, QMP system_wakeup) and moves MARK to that
 * moment, and QEMU's trace after it must show the divisor and LCR for
 * 57600 8E1 (serial_update_parameters, "parity=E" marks it: the 8250
 * ports run 8N1), an FCR write with trigger 4 (0x40, FIFO on; the 8250
 * ports use 8) and MCR 0x0a (RTS, OUT2, no DTR; the 8250 ports have DTR).
 * Without suspend/resume callbacks the UART stays as reset: no interrupts,
 * 9600 baud, and every one of these fails.
 * pm_test_devices: /sys/power/pm_test=devices, the quicker check of the
 * order of calls: devices suspend and resume, nothing sleeps or resets.
 * Suspends the whole VM: run it on its own or between other tests, not
 * alongside one. Needs the host peer; s3 needs its QMP (WAKE).
 */
#include <fcntl.h>
#include <pthread.h>
#include <sys/ioctl.h>
#include <termios.h>

#include "ttydpc_harness.h"
#include "ttydpc_api_fixture.h"

#define BAUD		57600
#define TRIGGER		4
#define XFER_BYTES	1024
#define WAKE_MS		2000
#define MAX_EV		2048
#define REG_FCR		2
#define REG_MCR		4
#define MCR_SET		0x0a	/* RTS | OUT2 */
#define PM_STATE	"/sys/power/state"
#define PM_MEM_SLEEP	"/sys/power/mem_sleep"
#define PM_TEST		"/sys/power/pm_test"
#define PM_TEST_DELAY	"/sys/module/suspend/parameters/pm_test_delay"

FIXTURE(pm) {
	char port[128];
	char trig_path[192];
	char mode_path[192];
	char trig_old[16];	/* rx_trig_mode before the test: auto or a level */
	char delay_old[16];
	int fd;
	int efd;	/* event file attached to fd */
	struct tt_ctl ctl;
	const char *chan;
	bool traced;
	bool pm_test_set;
	struct ta_waiter w;
	bool waiting;
	struct tt_reg_ev ev[MAX_EV];
};

FIXTURE_SETUP(pm)
{
	char buf[256];
	int bits;

	self->fd = self->efd = -1;
	self->ctl.fd = -1;
	self->traced = self->pm_test_set = self->waiting = false;
	self->trig_old[0] = self->delay_old[0] = 0;
	if (tt_read_file(PM_STATE, buf, sizeof(buf)) < 0 || !strstr(buf, "mem"))
		SKIP(return, "%s does not offer mem", PM_STATE);
	self->chan = tt_env("TTYDPC_CHAN");
	TT_NEED_HOST(&self->ctl);
	ASSERT_EQ(0, tt_pick_port(self->port, sizeof(self->port)));

	snprintf(self->trig_path, sizeof(self->trig_path),
		 "/sys/class/tty/%s/rx_trig_bytes", tt_basename(self->port));
	snprintf(self->mode_path, sizeof(self->mode_path),
		 "/sys/class/tty/%s/rx_trig_mode", tt_basename(self->port));
	/* writing the level pins it: the mode is what goes back at the end */
	ASSERT_LT(0, tt_read_file(self->mode_path, self->trig_old, sizeof(self->trig_old)))
		TH_LOG("%s unreadable", self->mode_path);
	ASSERT_EQ(0, tt_write_file(self->trig_path, "4"));

	TT_OPEN_RAW(self->fd, self->port, BAUD);
	TA_EVENT_OPEN(self->efd, self->fd);
	ASSERT_EQ(0, tt_set_cflag(self->fd, PARODD, PARENB));
	/* OUT1 and loopback too: an earlier test may have left them on */
	bits = TIOCM_DTR | TIOCM_OUT1 | TIOCM_LOOP;
	ASSERT_EQ(0, ioctl(self->fd, TIOCMBIC, &bits));
	bits = TIOCM_RTS;
	ASSERT_EQ(0, ioctl(self->fd, TIOCMBIS, &bits));
}

FIXTURE_TEARDOWN(pm)
{
	if (self->efd >= 0) {
		/* a new mask ends a wait still pending (the failing case) */
		ta_set_mask(self->efd, 0, 0);
		if (self->waiting && !ta_waiter_join(&self->w, 5000))
			ta_waiter_kill(&self->w);
		close(self->efd);
	}
	if (self->fd >= 0) {
		tcflush(self->fd, TCIOFLUSH);
		close(self->fd);
	}
	if (self->trig_old[0])
		tt_write_file(self->mode_path, self->trig_old);
	if (self->pm_test_set) {
		tt_write_file(PM_TEST, "none");
		if (self->delay_old[0])
			tt_write_file(PM_TEST_DELAY, self->delay_old);
	}
	if (self->traced)
		tt_ctl_trace(&self->ctl, false);
	tt_ctl_close(&self->ctl);
}

/* Both directions through the open descriptor, each its own stream. */
static void transfer(struct __test_metadata *_metadata, FIXTURE_DATA(pm) *self,
		     uint32_t seed, const char *when)
{
	char msg[256];

	ASSERT_EQ(0, tt_host_xfer(&self->ctl, self->fd, self->chan, XFER_BYTES, seed,
				  XFER_BYTES, seed + 1, 60, msg, sizeof(msg)))
		TH_LOG("%s: %s", when, msg);
}

/* The event mask, and a process waiting on it across the suspend. */
static void start_waiter(struct __test_metadata *_metadata, FIXTURE_DATA(pm) *self)
{
	ASSERT_EQ(0, ta_set_mask(self->efd, TTYDPC_EV_RXCHAR, 0));
	ASSERT_EQ(0, ta_waiter_start_efd(&self->w, self->efd));
	self->waiting = true;
	ASSERT_EQ(0, ta_wait_waiters(self->port, 1, 5000))
		TH_LOG("the waiter did not start waiting");
}

/*
 * Everything the user set is still set, the waiter still waits, and one
 * byte from the host ends its wait; then data both ways.
 */
static void check_after(struct __test_metadata *_metadata, FIXTURE_DATA(pm) *self)
{
	char reply[128], trig[16];
	struct termios t;
	uint8_t b;
	int i, m;

	ASSERT_EQ(0, tcgetattr(self->fd, &t));
	EXPECT_EQ((speed_t)B57600, cfgetospeed(&t));
	EXPECT_EQ((tcflag_t)PARENB, t.c_cflag & (PARENB | PARODD));
	m = ta_mget(self->fd);
	ASSERT_LE(0, m);
	/* OUT2 is the PC's IRQ gate, on for I/O ports only: not looked at */
	EXPECT_EQ(TIOCM_RTS, m & (TIOCM_RTS | TIOCM_DTR | TIOCM_OUT1 | TIOCM_LOOP))
		TH_LOG("TIOCMGET %#x", m);
	ASSERT_LT(0, tt_read_file(self->trig_path, trig, sizeof(trig)));
	EXPECT_STREQ("4", trig);

	EXPECT_EQ(0, __atomic_load_n(&self->w.done, __ATOMIC_ACQUIRE))
		TH_LOG("the wait ended at the suspend: %s, events %#x",
		       ta_errno_name(self->w.ret), self->w.events);
	ASSERT_EQ(1, tt_ctl_cmd(&self->ctl, reply, sizeof(reply), 10000, "PUT %s a5",
				self->chan));
	for (i = 0; i < 500 && !__atomic_load_n(&self->w.done, __ATOMIC_ACQUIRE); i++)
		usleep(10000);
	ASSERT_TRUE(ta_waiter_join(&self->w, 0)) TH_LOG("a byte arrived and the wait did not end");
	self->waiting = false;
	EXPECT_EQ(0, self->w.ret) TH_LOG("wait: %s", ta_errno_name(self->w.ret));
	EXPECT_EQ((uint32_t)TTYDPC_EV_RXCHAR, self->w.events);
	ASSERT_EQ(1, tt_read_full(self->fd, &b, 1, 5000));
	EXPECT_EQ(0xa5, b);
	ASSERT_EQ(0, ta_set_mask(self->efd, 0, 0));

	transfer(_metadata, self, 0x5eed0100, "after resume");
}

TEST_F_TIMEOUT(pm, s3, 120)
{
	struct tt_param_ev pev[32];
	char reply[128], buf[128];
	int n, total, i, r;
	bool params = false, fcr = false, mcr = false;

	if (tt_read_file(PM_MEM_SLEEP, buf, sizeof(buf)) < 0 || !strstr(buf, "deep"))
		SKIP(return, "no suspend to RAM: %s offers \"%s\"", PM_MEM_SLEEP, buf);
	ASSERT_EQ(0, tt_write_file(PM_MEM_SLEEP, "deep"));

	transfer(_metadata, self, 0x5eed0001, "before suspend");
	start_waiter(_metadata, self);

	TT_TRACE_ON(&self->ctl, &self->traced);
	r = tt_ctl_cmd(&self->ctl, reply, sizeof(reply), 10000, "WAKE %d", WAKE_MS);
	if (r == 0 && strstr(reply, "no qmp"))
		SKIP(return, "the host peer cannot wake the guest (no QMP)");
	ASSERT_EQ(1, r) TH_LOG("WAKE: %s", reply);
	r = tt_write_file(PM_STATE, "mem");
	ASSERT_EQ(0, r) TH_LOG("suspend to RAM failed: %s", strerror(-r));

	/* The UART was reset: was it programmed again, as it was? */
	n = tt_ctl_params(&self->ctl, pev, 32, &total);
	ASSERT_LE(0, n) TH_LOG("PARAMS: %s", strerror(-n));
	for (i = 0; i < n; i++)
		if (pev[i].baud == tt_uart_actual_baud(TT_UARTCLK, BAUD) &&
		    pev[i].parity == 'E' && pev[i].data == 8 && pev[i].stop == 1)
			params = true;
	EXPECT_TRUE(params) {
		TH_LOG("no 57600 8E1 programmed after the wakeup; %d UART settings were:", total);
		for (i = 0; i < n; i++)
			TH_LOG("  baudrate=%lu parity=%c data=%d stop=%d",
			       pev[i].baud, pev[i].parity, pev[i].data, pev[i].stop);
	}
	n = tt_ctl_seq(&self->ctl, "2 4", self->ev, MAX_EV);
	ASSERT_LE(0, n) TH_LOG("SEQ: %s", strerror(-n));
	for (i = 0; i < n; i++) {
		if (self->ev[i].reg == REG_FCR && (self->ev[i].val & 0xc1) == 0x41)
			fcr = true;
		if (self->ev[i].reg == REG_MCR && self->ev[i].val == MCR_SET)
			mcr = true;
	}
	EXPECT_TRUE(fcr) TH_LOG("no FCR write with trigger %d after the wakeup (%d writes)",
				TRIGGER, n);
	EXPECT_TRUE(mcr) {
		TH_LOG("no MCR write of %#x (RTS, OUT2, no DTR) after the wakeup; MCR writes:",
		       MCR_SET);
		for (i = 0; i < n; i++)
			if (self->ev[i].reg == REG_MCR)
				TH_LOG("  %#x", self->ev[i].val);
	}

	check_after(_metadata, self);
}

TEST_F_TIMEOUT(pm, pm_test_devices, 120)
{
	int r;

	if (!tt_path_exists(PM_TEST))
		SKIP(return, "no %s (CONFIG_PM_DEBUG)", PM_TEST);
	transfer(_metadata, self, 0x5eed0002, "before suspend");
	start_waiter(_metadata, self);

	if (tt_read_file(PM_TEST_DELAY, self->delay_old, sizeof(self->delay_old)) > 0)
		tt_write_file(PM_TEST_DELAY, "1");
	ASSERT_EQ(0, tt_write_file(PM_TEST, "devices"));
	self->pm_test_set = true;
	r = tt_write_file(PM_STATE, "mem");
	ASSERT_EQ(0, r) TH_LOG("pm_test devices: %s", strerror(-r));

	check_after(_metadata, self);
}

TEST_HARNESS_MAIN
