#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# selftest.sh: tests the VM harness itself, without ttydpc.
#
# Boots each lane with every port left to the stock 8250 driver and runs
# peertest (peertest.c) in the guest against the host peer, through the same
# check.sh pipeline as `make check` (demo boot included, on ttyS4). In that
# guest ttyS4 is 00:10.0 (channel data0), ttyS5/ttyS6 the null modem
# 00:11.0, ttyS1 the control line.
#
# Environment: as check.sh; RESULTS defaults to build/vm-selftest,
# PEERTEST_BYTES (1 MiB) sizes the bulk transfers.
set -euo pipefail
# shellcheck source=selftests/vm/lib.sh
. "$(dirname "$0")/lib.sh"

out=${RESULTS:-$TOP_DIR/build/vm-selftest}
mkdir -p "$out"
gcc -O2 -Wall -Wextra -static -o "$out/peertest" "$VM_DIR/peertest.c"
export RESULTS=$out NO_MODULE=1 SELFTESTS=none DPCS=${DPCS:-stock} DEBUG=0
export CHECK_EXTRA="$out/peertest"
export CHECK_APPEND="ttydpc_nomod=1 ttydpc_run=/usr/bin/peertest ttydpc_args=-n,${PEERTEST_BYTES:-1048576} TTYDPC_PORT=/dev/ttyS4 TTYDPC_NM_A=/dev/ttyS5 TTYDPC_NM_B=/dev/ttyS6 TTYDPC_DEMO_TTY=/dev/ttyS4"
exec "$VM_DIR/check.sh"
