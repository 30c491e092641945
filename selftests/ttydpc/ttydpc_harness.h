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
#endif
