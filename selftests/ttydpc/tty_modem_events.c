// SPDX-License-Identifier: GPL-2.0
/*
 * tty_modem_events: the modem status interrupt (IER bit 3, MSI) is on
 * while anyone waits on modem lines, whatever the termios say.
 *
 * A wait on CTS, DSR, RLSD or RING (the wait-on-mask API) or TIOCMIWAIT
 * can only end on a real line change if the UART interrupts for it. QEMU
 * cannot change a PCI port's modem inputs from the host (its socket
 * chardevs carry no modem lines, and in loopback it computes MSR on read
 * and never raises MSI), so the test looks at the register: QEMU's
 * serial_write trace of offset 1 (IER), through the host peer's
 * MARK / WRITES 1 with TRACE on. The trace does not say which UART was
 * written; the other UARTs (8250's ttyS0/ttyS1, opened CLOCAL without
 * flow control) never write MSI, so only IER writes with bit 3 set are
 * counted (the divisor latch shares offset 1: DLM, 0 at these speeds), and
 * ttydpc writes IER only when its value changes:
 *  - N rounds of SET_MASK(CTS|DSR) + a pending wait, ended by SET_MASK(0),
 *    give exactly N writes with MSI: on when armed, off when it ends.
 *  - With such a mask armed, tcsetattr (CLOCAL, no CRTSCTS) must not
 *    clear MSI: K rounds of tcsetattr + SET_MASK again give 1 write, not
 *    K (set_termios clearing it, SET_MASK setting it back).
 *  - The same for TIOCMIWAIT (the serial core's enable_ms): K rounds of
 *    TIOCMIWAIT, tcsetattr, signal give 1 write, not K.
 * Needs the host peer (TTYDPC_CTL) and TTYDPC_PORT.
 */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <termios.h>

#include "ttydpc_harness.h"
#include "ttydpc_api_fixture.h"

#define REG_IER		1	/* UART_IER as QEMU's trace numbers it */
#define IER_MSI		0x08
#define MAX_W		64
#define ROUNDS		3

FIXTURE(ms) {
	char port[128];
	int fd;
	int efd;	/* event file attached to fd */
	struct tt_ctl ctl;
	bool traced;
};

FIXTURE_SETUP(ms)
{
	self->fd = self->efd = -1;
	self->traced = false;
	TT_NEED_HOST(&self->ctl);
	ASSERT_EQ(0, tt_pick_port(self->port, sizeof(self->port)));
	TT_OPEN_RAW(self->fd, self->port, 115200);
	TA_EVENT_OPEN(self->efd, self->fd);
	TT_TRACE_ON(&self->ctl, &self->traced);
	ta_install_nop_handlers();
}

FIXTURE_TEARDOWN(ms)
{
	if (self->traced)
		tt_ctl_trace(&self->ctl, false);
	if (self->efd >= 0) {
		ta_set_mask(self->efd, 0, 0);
		close(self->efd);
	}
	if (self->fd >= 0)
		close(self->fd);
	if (self->ctl.fd >= 0)
		tt_ctl_close(&self->ctl);
}

/* IER writes with MSI set since MARK (all logged), or -1. */
static int msi_writes(struct __test_metadata *_metadata, struct tt_ctl *c,
		      const char *what)
{
	char list[MAX_W * 6 + 1] = "";
	uint8_t v[MAX_W];
	int total = 0, msi = 0;
	int n = tt_ctl_reg_writes(c, REG_IER, v, MAX_W, &total);

	if (n < 0) {
		TH_LOG("%s: WRITES 1: %s", what, strerror(-n));
		return -1;
	}
	for (int i = 0; i < n; i++) {
		snprintf(list + strlen(list), sizeof(list) - strlen(list), " %#04x", v[i]);
		msi += !!(v[i] & IER_MSI);
	}
	TH_LOG("%s: %d IER writes:%s", what, total, list);
	if (total > n) {
		TH_LOG("%s: more IER writes than WRITES reports", what);
		return -1;
	}
	return msi;
}

/*
 * Change the speed (the serial core skips set_termios when nothing it
 * cares about changed), CLOCAL, no CRTSCTS. The port starts at 115200.
 */
static int retermios(int fd, int round)
{
	struct termios t;

	if (tcgetattr(fd, &t))
		return -errno;
	t.c_cflag |= CLOCAL;
	t.c_cflag &= ~CRTSCTS;
	cfsetspeed(&t, round & 1 ? B115200 : B57600);
	return tcsetattr(fd, TCSANOW, &t) ? -errno : 0;
}

TEST_F(ms, wait_mask_turns_msi_on_and_off)
{
	struct ta_waiter w;

	ASSERT_EQ(0, ta_set_mask(self->efd, 0, 0));
	ASSERT_EQ(0, tt_ctl_mark(&self->ctl));
	for (int i = 0; i < ROUNDS; i++) {
		ASSERT_EQ(0, ta_set_mask(self->efd, TTYDPC_EV_CTS | TTYDPC_EV_DSR, 0));
		ASSERT_EQ(0, ta_waiter_start(&w, self->fd));
		ta_wait_waiters(self->port, 1, 5000);
		ASSERT_EQ(0, ta_set_mask(self->efd, 0, 0));
		ASSERT_TRUE(ta_join_or_kill(&w, 5000));
		EXPECT_EQ(0, w.ret);
	}
	EXPECT_EQ(ROUNDS, msi_writes(_metadata, &self->ctl, "mask on/off rounds"))
		TH_LOG("want one IER write with MSI per armed mask (and MSI off in between)");
}

TEST_F(ms, termios_keeps_msi_for_wait_mask)
{
	struct ta_waiter w;

	ASSERT_EQ(0, ta_set_mask(self->efd, 0, 0));
	ASSERT_EQ(0, tt_ctl_mark(&self->ctl));
	ASSERT_EQ(0, ta_set_mask(self->efd, TTYDPC_EV_RLSD | TTYDPC_EV_RING, 0));
	ASSERT_EQ(0, ta_waiter_start(&w, self->fd));
	ta_wait_waiters(self->port, 1, 5000);
	for (int i = 0; i < ROUNDS; i++) {
		ASSERT_EQ(0, retermios(self->fd, i));
		/* a buggy set_termios cleared MSI: the same mask sets it again */
		if (i < ROUNDS - 1) {
			ASSERT_EQ(0, ta_set_mask(self->efd, TTYDPC_EV_RLSD | TTYDPC_EV_RING, 0));
			ASSERT_TRUE(ta_join_or_kill(&w, 5000));
			ASSERT_EQ(0, ta_waiter_start(&w, self->fd));
			ta_wait_waiters(self->port, 1, 5000);
		}
	}
	EXPECT_EQ(1, msi_writes(_metadata, &self->ctl, "termios with a mask armed"))
		TH_LOG("set_termios cleared MSI while a modem wait was armed");
	ta_set_mask(self->efd, 0, 0);
	if (!ta_waiter_join(&w, 5000))
		ta_waiter_kill(&w);
}

struct miwait {
	int fd;
	volatile int armed, ended;
	int ret;
};

static void *miwait_thread(void *arg)
{
	struct miwait *m = arg;

	m->armed = 1;
	m->ret = ioctl(m->fd, TIOCMIWAIT, TIOCM_CTS | TIOCM_DSR | TIOCM_CD | TIOCM_RNG) ?
		 -errno : 0;
	m->ended = 1;
	return NULL;
}

TEST_F(ms, termios_keeps_msi_for_tiocmiwait)
{
	ASSERT_EQ(0, ta_set_mask(self->efd, 0, 0));
	ASSERT_EQ(0, tt_ctl_mark(&self->ctl));
	for (int i = 0; i < ROUNDS; i++) {
		struct miwait m = { .fd = self->fd };
		pthread_t th;

		ASSERT_EQ(0, pthread_create(&th, NULL, miwait_thread, &m));
		while (!m.armed)
			usleep(1000);
		usleep(200000);		/* inside TIOCMIWAIT: enable_ms done */
		ASSERT_EQ(0, retermios(self->fd, i));
		usleep(50000);
		EXPECT_FALSE(m.ended) TH_LOG("TIOCMIWAIT ended: %s", strerror(-m.ret));
		pthread_kill(th, SIGUSR2);
		pthread_join(th, NULL);
		EXPECT_EQ(-EINTR, m.ret) TH_LOG("TIOCMIWAIT: %s", strerror(-m.ret));
	}
	EXPECT_EQ(1, msi_writes(_metadata, &self->ctl, "termios during TIOCMIWAIT"))
		TH_LOG("set_termios cleared MSI while TIOCMIWAIT waited (want one write)");
}

TEST_HARNESS_MAIN
