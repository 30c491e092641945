// SPDX-License-Identifier: GPL-2.0
/*
 * tty_semantics: Linux serial semantics a user moving from 8250 relies on,
 * checked in the UART's internal loopback (no host peer needed):
 * TIOCMIWAIT and TIOCGICOUNT, CRTSCTS stopping and resuming output, IXON
 * (a received XOFF stops output; TCION's x_char goes out ahead of the held
 * data and restarts it), tcdrain, the
 * rx_trig_bytes attribute, TIOCGSERIAL/TIOCSSERIAL and their privilege
 * checks.
 */
#include <fcntl.h>
#include <linux/serial.h>
#include <pthread.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>

#include "ttydpc_harness.h"
#include "ttydpc_api_fixture.h"

#ifndef TIOCM_LOOP
#define TIOCM_LOOP 0x8000
#endif
#ifndef PORT_16550A
#define PORT_16550A 4
#endif

FIXTURE(sem) {
	int fd;
	int efd;	/* event file attached to fd */
	char port[64];
};

FIXTURE_SETUP(sem)
{
	self->fd = self->efd = -1;
	if (tt_pick_port(self->port, sizeof(self->port)))
		SKIP(return, "no /dev/ttyDPC* node");
	TT_OPEN_RAW(self->fd, self->port, 115200);
	TA_EVENT_OPEN(self->efd, self->fd);
	ASSERT_EQ(0, ta_mbis(self->fd, TIOCM_RTS | TIOCM_DTR));
	ta_loop_on(_metadata, self->fd);
}

FIXTURE_TEARDOWN(sem)
{
	struct termios t;

	if (self->efd >= 0)
		close(self->efd);
	if (self->fd < 0)
		return;
	tcflow(self->fd, TCOON);
	if (!tcgetattr(self->fd, &t)) {
		t.c_cflag &= ~CRTSCTS;
		t.c_iflag &= ~(IXON | IXOFF);
		tcsetattr(self->fd, TCSANOW, &t);
	}
	ta_mbis(self->fd, TIOCM_RTS | TIOCM_DTR);
	ta_mbic(self->fd, TIOCM_LOOP);
	tcflush(self->fd, TCIOFLUSH);
	close(self->fd);
}

struct miwait {
	int fd;
	int ret;
	int err;
	bool started;		/* about to enter the ioctl */
	bool done;		/* the ioctl returned; ret and err are set */
	pid_t tid;
	pthread_mutex_t lock;
	pthread_cond_t cond;
};

static void *miwait_thread(void *arg)
{
	struct miwait *m = arg;
	int ret, err;

	pthread_mutex_lock(&m->lock);
	m->tid = gettid();
	m->started = true;
	pthread_cond_broadcast(&m->cond);
	pthread_mutex_unlock(&m->lock);
	ret = ioctl(m->fd, TIOCMIWAIT, TIOCM_CTS);
	err = errno;
	pthread_mutex_lock(&m->lock);
	m->ret = ret;
	m->err = err;
	m->done = true;
	pthread_cond_broadcast(&m->cond);
	pthread_mutex_unlock(&m->lock);
	return NULL;
}

/* Wait until m->done, for at most ms; returns m->done. */
static bool miwait_done(struct miwait *m, int ms)
{
	struct timespec ts;
	bool done;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (long)(ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&m->lock);
	while (!m->done && pthread_cond_timedwait(&m->cond, &m->lock, &ts) == 0)
		;
	done = m->done;
	pthread_mutex_unlock(&m->lock);
	return done;
}

/* Sleepers on the port's delta_msr_wait (TIOCMIWAIT): /proc wchan says. */
static bool miwait_blocked(pid_t tid)
{
	char path[64], wchan[64] = "";

	snprintf(path, sizeof(path), "/proc/self/task/%d/wchan", (int)tid);
	if (tt_read_file(path, wchan, sizeof(wchan)) <= 0)
		return false;
	return strstr(wchan, "uart_wait_modem_status") || strstr(wchan, "tty_port");
}

/*
 * TIOCMIWAIT returns on a CTS change, and TIOCGICOUNT counts it. The
 * waiter is synchronised, not slept on: it says when it enters the ioctl,
 * the change is made only once it sleeps there (its wchan, or 300 ms when
 * wchan says nothing), and its result is read only after it returned
 * (condition variable, bounded); a wait that does not end within 5 s of
 * the change fails the case, and the thread is then signalled out.
 */
TEST_F(sem, tiocmiwait_and_icount)
{
	struct serial_icounter_struct before, after;
	struct miwait m = { .fd = self->fd, .ret = -2,
			    .lock = PTHREAD_MUTEX_INITIALIZER,
			    .cond = PTHREAD_COND_INITIALIZER };
	pthread_t th;
	bool done;

	ta_install_nop_handlers();
	ASSERT_EQ(0, ioctl(self->fd, TIOCGICOUNT, &before));
	ASSERT_EQ(0, pthread_create(&th, NULL, miwait_thread, &m));
	pthread_mutex_lock(&m.lock);
	while (!m.started)
		pthread_cond_wait(&m.cond, &m.lock);
	pthread_mutex_unlock(&m.lock);
	/* it must not return by itself, and must sleep in the ioctl */
	done = miwait_done(&m, 300);
	EXPECT_FALSE(done) TH_LOG("TIOCMIWAIT returned before any change: ret %d (%s)",
				  m.ret, strerror(m.err));
	for (int i = 0; i < 100 && !done && !miwait_blocked(m.tid); i++)
		usleep(20000);
	if (!done && !miwait_blocked(m.tid))
		TH_LOG("wchan does not show the waiter asleep; went on after 2.3 s");
	ASSERT_EQ(0, ta_mbic(self->fd, TIOCM_RTS));	/* loopback: CTS drops */
	done = miwait_done(&m, 5000);
	if (!done) {
		/* stuck in the kernel: SIGUSR2 (nop handler) ends the ioctl */
		pthread_kill(th, SIGUSR2);
		if (!miwait_done(&m, 2000))
			pthread_cancel(th);
	}
	pthread_join(th, NULL);
	ASSERT_TRUE(done) TH_LOG("TIOCMIWAIT did not return within 5 s of the CTS change");
	ASSERT_EQ(0, m.ret) TH_LOG("TIOCMIWAIT: ret %d (%s)", m.ret, strerror(m.err));
	ASSERT_EQ(0, ioctl(self->fd, TIOCGICOUNT, &after));
	EXPECT_LT(before.cts, after.cts) TH_LOG("cts count did not grow");
	EXPECT_EQ(0, !!(ta_mget(self->fd) & TIOCM_CTS));
}

/* With CRTSCTS, output waits while CTS is low and resumes when it rises. */
TEST_F(sem, crtscts_stops_and_resumes_tx)
{
	static const char msg[] = "0123456789abcdefghijklmnopqrstuvwxyz-CRTSCTS";
	struct ttydpc_comm_status cs;
	char buf[128];
	int outq = 0;
	ssize_t n;

	ASSERT_EQ(0, tt_set_cflag(self->fd, 0, CRTSCTS));

	ASSERT_EQ(0, ta_mbic(self->fd, TIOCM_RTS));
	usleep(200000);
	ASSERT_EQ((ssize_t)sizeof(msg), write(self->fd, msg, sizeof(msg)));
	usleep(500000);
	ASSERT_EQ(0, ioctl(self->fd, TIOCOUTQ, &outq));
	EXPECT_EQ((int)sizeof(msg), outq) TH_LOG("output moved while CTS was low");
	n = tt_read_full(self->fd, buf, sizeof(buf), 300);
	EXPECT_EQ(0, n) TH_LOG("%zd bytes looped back while CTS was low", n);
	ASSERT_EQ(0, ta_commstatus(self->efd, &cs));
	EXPECT_TRUE(!!(cs.hold & TTYDPC_HOLD_CTS)) TH_LOG("hold 0x%x", cs.hold);

	ASSERT_EQ(0, ta_mbis(self->fd, TIOCM_RTS));
	n = tt_read_full(self->fd, buf, sizeof(msg), 3000);
	ASSERT_EQ((ssize_t)sizeof(msg), n) TH_LOG("after CTS rose: %zd bytes", n);
	EXPECT_EQ(0, memcmp(buf, msg, sizeof(msg)));
}

/* IXON: a received XOFF stops output; a START sent as x_char restarts it. */
TEST_F(sem, ixon_xoff_stops_output)
{
	static const char msg[] = "after-xoff";
	const char xoff = 0x13;
	struct ttydpc_comm_status cs;
	struct termios t;
	char buf[64];
	int outq = 0;
	ssize_t n;

	ASSERT_EQ(0, tcgetattr(self->fd, &t));
	t.c_iflag |= IXON;
	t.c_cc[VSTOP] = xoff;
	t.c_cc[VSTART] = 0x11;
	ASSERT_EQ(0, tcsetattr(self->fd, TCSANOW, &t));

	ASSERT_EQ(1, write(self->fd, &xoff, 1));	/* loops back as input */
	usleep(300000);
	ASSERT_EQ((ssize_t)sizeof(msg), write(self->fd, msg, sizeof(msg)));
	usleep(300000);
	ASSERT_EQ(0, ioctl(self->fd, TIOCOUTQ, &outq));
	EXPECT_EQ((int)sizeof(msg), outq) TH_LOG("output moved after XOFF");
	ASSERT_EQ(0, ta_commstatus(self->efd, &cs));
	EXPECT_TRUE(!!(cs.hold & TTYDPC_HOLD_XOFF)) TH_LOG("hold 0x%x", cs.hold);

	/*
	 * TCION sends START as an x_char, ahead of the held output and past
	 * the stop; it loops back, n_tty restarts output, and msg follows.
	 */
	ASSERT_EQ(0, tcflow(self->fd, TCION));
	n = tt_read_full(self->fd, buf, sizeof(msg), 3000);
	ASSERT_EQ((ssize_t)sizeof(msg), n);
	EXPECT_EQ(0, memcmp(buf, msg, sizeof(msg)));
}

/* tcdrain returns with the transmitter empty (LSR TEMT). */
TEST_F(sem, tcdrain_empties_transmitter)
{
	unsigned char out[2048];
	unsigned int lsr = 0;
	int outq = -1;
	size_t i;

	for (i = 0; i < sizeof(out); i++)
		out[i] = (unsigned char)(i * 7);
	/* the loopback input (2 KiB) fits the tty buffers: no throttling */
	ASSERT_EQ((ssize_t)sizeof(out), tt_write_full(self->fd, out, sizeof(out), 5000));
	ASSERT_EQ(0, tcdrain(self->fd));
	ASSERT_EQ(0, ioctl(self->fd, TIOCOUTQ, &outq));
	EXPECT_EQ(0, outq);
	ASSERT_EQ(0, ioctl(self->fd, TIOCSERGETLSR, &lsr));
	EXPECT_EQ((unsigned int)TIOCSER_TEMT, lsr);
}

static int sysfs_attr(const char *port, const char *attr, char *path, size_t size)
{
	return snprintf(path, size, "/sys/class/tty/%s/%s", tt_basename(port), attr) >= (int)size;
}

/* rx_trig_bytes: the levels a 16550A has, rounded down; bad values refused. */
TEST_F(sem, rx_trig_bytes_attribute)
{
	static const struct { const char *in; const char *out; } ok[] = {
		{ "1", "1" }, { "4", "4" }, { "8", "8" }, { "14", "14" },
		{ "15", "14" }, { "5", "4" },
	};
	char path[128], mode_path[128], mode_old[16], buf[32];
	size_t i;

	ASSERT_EQ(0, sysfs_attr(self->port, "rx_trig_bytes", path, sizeof(path)));
	ASSERT_LT(0, tt_read_file(path, buf, sizeof(buf)));
	/* a level written here is pinned: the mode goes back at the end */
	ASSERT_EQ(0, sysfs_attr(self->port, "rx_trig_mode", mode_path, sizeof(mode_path)));
	ASSERT_LT(0, tt_read_file(mode_path, mode_old, sizeof(mode_old)));
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		ASSERT_EQ(0, tt_write_file(path, ok[i].in));
		ASSERT_LT(0, tt_read_file(path, buf, sizeof(buf)));
		EXPECT_EQ(0, strncmp(buf, ok[i].out, strlen(ok[i].out))) TH_LOG("wrote %s, read %s", ok[i].in, buf);
	}
	EXPECT_NE(0, tt_write_file(path, "0"));
	EXPECT_NE(0, tt_write_file(path, "17"));
	EXPECT_NE(0, tt_write_file(path, "lots"));
	ASSERT_EQ(0, tt_write_file(path, "8"));
	/* data still flows at the restored level */
	ASSERT_EQ(5, write(self->fd, "trig8", 5));
	ASSERT_EQ(5, tt_read_full(self->fd, buf, 5, 3000));
	EXPECT_EQ(0, tt_write_file(mode_path, mode_old));
}

/* TIOCGSERIAL reports the port; TIOCSSERIAL checks privilege and values. */
TEST_F(sem, tiocserial)
{
	struct serial_struct ser, bad;
	pid_t pid;
	int st;

	ASSERT_EQ(0, ioctl(self->fd, TIOCGSERIAL, &ser));
	EXPECT_EQ(PORT_16550A, ser.type);
	EXPECT_EQ(16, ser.xmit_fifo_size);
	EXPECT_NE(0, ser.baud_base);

	bad = ser;
	bad.irq = ser.irq + 1;
	TT_EXPECT_ERRNO(EINVAL, ioctl(self->fd, TIOCSSERIAL, &bad));

	bad = ser;
	bad.close_delay = ser.close_delay + 10;
	ASSERT_EQ(0, ioctl(self->fd, TIOCSSERIAL, &bad)) TH_LOG("%s", strerror(errno));
	ASSERT_EQ(0, ioctl(self->fd, TIOCSSERIAL, &ser));

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		/* an unprivileged process may not change close_delay */
		if (setuid(65534))
			_exit(2);
		bad = ser;
		bad.close_delay = ser.close_delay + 10;
		_exit(ioctl(self->fd, TIOCSSERIAL, &bad) == -1 && errno == EPERM ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) TH_LOG("unprivileged TIOCSSERIAL not refused (%d)", st);
}

TEST_HARNESS_MAIN
