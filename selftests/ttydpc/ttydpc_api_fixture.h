/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fixture the API tests share (api_wait, api_purge, api_stats,
 * api_event_file): TTYDPC_PORT opened raw at 115200 (self->fd), an event
 * file attached to it (self->efd), the host peer when TTYDPC_CTL names one.
 * Teardown puts the port back as it was found (ta_port_restore()).
 * Include after ttydpc_harness.h; TA_API_FIXTURE(name) defines the
 * fixture, its setup and its teardown. Helpers that assert take the
 * harness' _metadata.
 */
#ifndef TTYDPC_API_FIXTURE_H
#define TTYDPC_API_FIXTURE_H

#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "ttydpc_test.h"
#include "ttydpc_api.h"

#define PENDING_MS 300	/* a wait that should not end is given this long */
#define DONE_MS 5000	/* a wait that should end is given this long */

#define TA_API_FIXTURE(name)						\
FIXTURE(name) {								\
	char port[128];							\
	const char *chan;						\
	int fd;								\
	int efd;							\
	struct tt_ctl ctl;						\
	bool have_ctl;							\
	bool have_dbg;							\
};									\
FIXTURE_SETUP(name)							\
{									\
	int r;								\
									\
	self->fd = self->efd = self->ctl.fd = -1;			\
	self->chan = tt_env("TTYDPC_CHAN");				\
	if (tt_pick_port(self->port, sizeof(self->port)))		\
		SKIP(return, "no /dev/ttyDPC* node");			\
	ta_install_nop_handlers();					\
	self->have_dbg = ta_dbg_available(self->port);			\
	self->fd = tt_open_raw(self->port, 115200);			\
	ASSERT_LE(0, self->fd) TH_LOG("%s: %s", self->port, strerror(-self->fd)); \
	self->efd = ta_event_open(self->fd);				\
	ASSERT_LE(0, self->efd) TH_LOG("%s attached to %s: %s",	\
				       TTYDPC_EVENT_DEV, self->port,	\
				       strerror(-self->efd));		\
	r = tt_ctl_open_env(&self->ctl);				\
	ASSERT_LE(0, r) TH_LOG("host peer on %s (TTYDPC_CTL) does not answer: %s", \
			       tt_env("TTYDPC_CTL"), strerror(-r));	\
	self->have_ctl = r > 0;						\
}									\
FIXTURE_TEARDOWN(name)							\
{									\
	ta_port_restore(self->fd, self->efd, &self->ctl,		\
			self->have_ctl ? self->chan : NULL);		\
	tt_ctl_close(&self->ctl);					\
}

/*
 * The waiter w ends within DONE_MS (or is killed and the test fails),
 * without an error, with exactly the events ev.
 */
#define TA_EXPECT_ENDED(w, ev) do {						\
	ASSERT_TRUE(ta_join_or_kill(&(w), DONE_MS));				\
	EXPECT_EQ(0, (w).ret) TH_LOG("wait: %s", ta_errno_name((w).ret));	\
	EXPECT_EQ((uint32_t)(ev), (w).events) TH_LOG("events %#x", (w).events); \
} while (0)

/* efd = an event file attached to tty fd; the test fails when there is none. */
#define TA_EVENT_OPEN(efd, fd) do {						\
	(efd) = ta_event_open(fd);						\
	ASSERT_LE(0, (efd)) TH_LOG("event file: %s", strerror(-(efd)));		\
} while (0)

/* UART loopback on; the MSR change it makes is let pass and dropped. */
static inline void ta_loop_on(struct __test_metadata *_metadata, int fd)
{
	ASSERT_EQ(0, ta_mbis(fd, TIOCM_LOOP));
	usleep(50000);
	tcflush(fd, TCIOFLUSH);
}

/*
 * Start a waiter with an event file of its own on ttyfd (efd < 0) or
 * reading efd, and make sure n requests are listed in the wait queue
 * (this one the n-th). -EALREADY when the wait ended at once.
 */
static inline int ta_start_waiter_on(struct __test_metadata *_metadata, const char *port,
				     struct ta_waiter *w, int ttyfd, int efd, int n)
{
	int r = efd >= 0 ? ta_waiter_start_efd(w, efd) : ta_waiter_start(w, ttyfd);

	if (r)
		return r;
	r = ta_wait_waiters(port, n, 5000);
	if (r)
		TH_LOG("%d waiter(s) not seen in the wait queue (debugfs queue_wait_pending)", n);
	if (__atomic_load_n(&w->done, __ATOMIC_ACQUIRE)) {
		ta_waiter_join(w, 0);
		TH_LOG("the wait ended at once: %s events %#x", ta_errno_name(w->ret), w->events);
		return -EALREADY;
	}
	return r;
}

#endif
