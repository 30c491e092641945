/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kselftest_harness.h (Linux 6.12) under -Wall -Wextra -Werror: the harness'
 * generated wrappers leave parameters unused, which -Wextra reports at every
 * TEST() site, and its setjmp around fork() trips -Wclobbered. Only those
 * warnings are silenced, for the whole test file.
 */
#ifndef TTYDPC_HARNESS_H
#define TTYDPC_HARNESS_H
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wclobbered"
#include "kselftest_harness.h"

#include "ttydpc_test.h"

/*
 * Change a TEST_F's harness timeout at run time (before main), e.g. from
 * TTYDPC_SEC_PER_MIB: the harness reads .timeout only when the test starts.
 * The test's object exists once its registration constructor
 * (KSELFTEST_PRIO_TEST) has run, so this one runs after it.
 */
#define TT_SET_TIMEOUT(fixture, test, expr) \
	static void __attribute__((constructor(KSELFTEST_PRIO_TEST + 10))) \
	_tt_timeout_##fixture##_##test(void) \
	{ _##fixture##_##test##_object->timeout = (expr); }

/*
 * Fixture setup steps shared by the tests. Each fails the test through
 * ASSERT_* (or skips it through SKIP) and so returns from the setup.
 *
 * TT_OPEN_RAW: fd = port opened raw at baud (tt_open_raw()).
 */
#define TT_OPEN_RAW(fd, port, baud) do {					\
	(fd) = tt_open_raw((port), (baud));					\
	ASSERT_LE(0, (fd)) TH_LOG("%s: %s", (port), strerror(-(fd)));		\
} while (0)

/* TT_NEED_CTL: skip the case when the fixture found no host peer (have). */
#define TT_NEED_CTL(have) do {							\
	if (!(have))								\
		SKIP(return, "no host peer: %s", tt_ctl_missing());		\
} while (0)

/*
 * TT_NEED_HOST: open the host peer's control line into ctl; skip when the
 * environment names no peer (TTYDPC_CTL, TTYDPC_CHAN), fail when the
 * named one does not answer.
 */
#define TT_NEED_HOST(ctl) do {							\
	int _r = tt_ctl_open_env(ctl);						\
										\
	ASSERT_LE(0, _r) TH_LOG("host peer on %s (TTYDPC_CTL) does not answer: %s", \
				tt_env("TTYDPC_CTL"), strerror(-_r));		\
	TT_NEED_CTL(_r);							\
} while (0)

/* TT_TRACE_ON: serial_write tracing on; *traced says to turn it off again. */
#define TT_TRACE_ON(ctl, traced) do {						\
	ASSERT_EQ(1, tt_ctl_trace((ctl), true))					\
		TH_LOG("TRACE on serial_write: %s", (ctl)->reply);		\
	*(traced) = true;							\
} while (0)

/*
 * TT_EXPECT_ERRNO: call fails (-1) with errno e. Two checks, so a report
 * says which failed; a TH_LOG after it belongs to the errno one. Two
 * statements: not for an unbraced if or loop body.
 */
#define TT_EXPECT_ERRNO(e, call) EXPECT_EQ(-1, (call)); EXPECT_EQ((e), errno)
#endif
