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
#endif
