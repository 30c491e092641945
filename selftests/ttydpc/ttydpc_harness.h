/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kselftest_harness.h (Linux 6.1) under -Wall -Wextra -Werror: the harness'
 * generated wrappers leave parameters unused, which -Wextra reports at every
 * TEST() site. Only that warning is silenced, for the whole test file.
 */
#ifndef TTYDPC_HARNESS_H
#define TTYDPC_HARNESS_H
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "kselftest_harness.h"

/*
 * In 6.1, SKIP() inside FIXTURE_SETUP() marks the test skipped but the
 * harness still runs the body: every TEST_F body starts with this.
 */
#define TT_BODY_START() do { if (_metadata->skip) return; } while (0)

/*
 * Change a TEST_F's harness timeout at run time (before main), e.g. from
 * TTYDPC_SEC_PER_MIB: the harness reads .timeout only when the test starts.
 */
#define TT_SET_TIMEOUT(fixture, test, expr) \
	static void __attribute__((constructor(200))) \
	_tt_timeout_##fixture##_##test(void) \
	{ _##fixture##_##test##_object.timeout = (expr); }
#endif
