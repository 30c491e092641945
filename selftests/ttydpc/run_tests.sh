#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# run_tests.sh: run the ttydpc selftests, print TAP 13 and a closing
#   "N passed, N failed, N skipped" line (counts of individual test cases).
#
# In the test VM the environment (selftests/README) is already set. On a
# board, say what is wired where:
#   run_tests.sh --port /dev/ttyDPC0 [--chan data0 --ctl /dev/ttyS1]
#                --nm /dev/ttyDPC1:/dev/ttyDPC2 [--pci 0000:01:00.0]
#                [--ko /lib/modules/ttydpc.ko] [--dpc both]
# Other options:
#   -t NAME        run only this test (repeatable; see -l)
#   -l             list the tests
#   --timeout SEC  kill a test program after SEC seconds (default 1800)
#   --sec-per-mib N  transfer time budget (default 120 s per MiB)
# Exit status: 0 when nothing failed, 1 otherwise.

HERE=$(cd "$(dirname "$0")" && pwd)
ALL_TESTS="lib_test iir_decode pci_boards tty_basic tty_modem tty_termios tty_semantics tty_line_errors tty_flush_flood tty_modem_events tty_serial_info tty_rs485 tty_pm tty_rx_trigger tty_data tty_picocom dpc_designs api_wait api_purge api_stats api_event_file rx_flush_order api_wait32 api_purge32 api_stats32 api_event_file32 api_python.sh pnp_bind.sh rebind.sh pci_cards.sh unbind_blocked_open.sh module_reload.sh bad_params.sh races.sh"
SELECTED=""
TMO=${TTYDPC_TEST_TIMEOUT:-1800}

usage() {
	sed -n '3,17p' "$0" | sed 's/^# \{0,1\}//'
	exit 2
}

while [ $# -gt 0 ]; do
	case "$1" in
	--port) TTYDPC_PORT=$2; shift ;;
	--chan) TTYDPC_CHAN=$2; shift ;;
	--ctl) TTYDPC_CTL=$2; shift ;;
	--nm)
		TTYDPC_NM_A=${2%%:*}
		TTYDPC_NM_B=${2#*:}
		shift ;;
	--pci) TTYDPC_PCI=$2; shift ;;
	--ko) TTYDPC_KO=$2; shift ;;
	--dpc) TTYDPC_DPC=$2; shift ;;
	--timeout) TMO=$2; shift ;;
	--sec-per-mib) TTYDPC_SEC_PER_MIB=$2; shift ;;
	-t) SELECTED="$SELECTED $2"; shift ;;
	-l|--list) for t in $ALL_TESTS; do echo "$t"; done; exit 0 ;;
	-h|--help) usage ;;
	*) echo "run_tests.sh: unknown option $1" >&2; usage ;;
	esac
	shift
done

# A control line without a channel name: the VM's name for the data port.
if [ -n "$TTYDPC_CTL" ] && [ -z "$TTYDPC_CHAN" ]; then
	TTYDPC_CHAN=data0
fi
# The PCI function of the port, when it is one and nobody said: the device
# of the tty or the nearest PCI device above it (6.5+ port devices).
if [ -z "$TTYDPC_PCI" ] && [ -n "$TTYDPC_PORT" ]; then
	_dev=$(readlink -f "/sys/class/tty/$(basename "$TTYDPC_PORT")/device" 2>/dev/null)
	while [ -n "$_dev" ] && [ "$_dev" != /sys/devices ] && [ "$_dev" != / ]; do
		_sub=$(readlink -f "$_dev/subsystem" 2>/dev/null)
		if [ "$(basename "${_sub:-x}")" = pci ]; then
			TTYDPC_PCI=$(basename "$_dev")
			break
		fi
		_dev=$(dirname "$_dev")
	done
fi
export TTYDPC_CTL TTYDPC_PORT TTYDPC_CHAN TTYDPC_NM_A TTYDPC_NM_B TTYDPC_PCI
export TTYDPC_PNP_CHAN TTYDPC_KO TTYDPC_DPC TTYDPC_SEC_PER_MIB

TESTS=${SELECTED:-$ALL_TESTS}
TMP=${TMPDIR:-/tmp}
mkdir -p "$TMP"
TIMEOUT=
command -v timeout > /dev/null 2>&1 && TIMEOUT="timeout $TMO"

set -- $TESTS
NTESTS=$#
echo "TAP version 13"
echo "1..$((NTESTS + 1))"
for v in TTYDPC_CTL TTYDPC_PORT TTYDPC_CHAN TTYDPC_NM_A TTYDPC_NM_B TTYDPC_PCI TTYDPC_PNP_CHAN TTYDPC_KO TTYDPC_DPC; do
	eval "echo \"# $v=\${$v}\""
done
echo "# kernel $(uname -r)"

MARK="ttydpc-selftest: run $$"
echo "$MARK" > /dev/kmsg 2>/dev/null

PASS=0 FAIL=0 SKIP=0 N=0
for t in $TESTS; do
	N=$((N + 1))
	out=$TMP/ttydpc_st.$$.out
	rcf=$TMP/ttydpc_st.$$.rc
	echo "# selftests: ttydpc: $t"
	if [ ! -x "$HERE/$t" ] && [ "${t%32}" != "$t" ]; then
		echo "ok $N selftests: ttydpc: $t # SKIP no 32-bit build (x86-64 with gcc-multilib only)"
		SKIP=$((SKIP + 1))
		continue
	fi
	if [ ! -x "$HERE/$t" ]; then
		echo "not ok $N selftests: ttydpc: $t # missing $HERE/$t"
		FAIL=$((FAIL + 1))
		continue
	fi
	start=$(date +%s)
	(
		cd "$HERE" || exit 1
		$TIMEOUT "./$t" < /dev/null
		echo $? > "$rcf"
	) 2>&1 | tee "$out" | sed 's/^/# /'
	rc=$(cat "$rcf" 2>/dev/null || echo 1)
	secs=$(( $(date +%s) - start ))

	p=$(grep -cE '^ok [0-9]+' "$out")
	s=$(grep -cE '^ok [0-9]+.*# [Ss][Kk][Ii][Pp]' "$out")
	f=$(grep -cE '^not ok [0-9]+' "$out")
	grep -qE '^1\.\.0 # SKIP' "$out" && s=$((s + 1))
	p=$((p - s))
	case $rc in
	0)
		echo "ok $N selftests: ttydpc: $t # ${secs}s"
		[ $((p + s + f)) -eq 0 ] && p=1 ;;
	4)
		echo "ok $N selftests: ttydpc: $t # SKIP"
		[ $((p + s + f)) -eq 0 ] && s=1 ;;
	124|137|143)
		echo "not ok $N selftests: ttydpc: $t # TIMEOUT ${TMO}s (exit $rc)"
		f=$((f + 1)) ;;
	*)
		echo "not ok $N selftests: ttydpc: $t # exit=$rc ${secs}s"
		[ "$f" -eq 0 ] && f=1 ;;
	esac
	PASS=$((PASS + p)) SKIP=$((SKIP + s)) FAIL=$((FAIL + f))
	rm -f "$out" "$rcf"
done

# The kernel log of the whole run: no oops, BUG, WARNING, lockdep splat...
N=$((N + 1))
KBAD='Oops|BUG:|nobody cared|WARNING:|general protection|Call Trace|kernel BUG|KASAN|UBSAN|list_del corruption|refcount_t:|use-after-free|scheduling while atomic|INFO: task .* blocked|possible circular locking|Unable to handle'
if dmesg 2>/dev/null | grep -qF "$MARK"; then
	bad=$(dmesg | awk -v m="$MARK" 'index($0, m) { on = 1; next } on' | grep -E "$KBAD")
	if [ -n "$bad" ]; then
		echo "$bad" | sed 's/^/# /'
		echo "not ok $N selftests: ttydpc: kernel_log_clean"
		FAIL=$((FAIL + 1))
	else
		echo "ok $N selftests: ttydpc: kernel_log_clean"
		PASS=$((PASS + 1))
	fi
else
	echo "ok $N selftests: ttydpc: kernel_log_clean # SKIP kernel log not readable or not markable"
	SKIP=$((SKIP + 1))
fi

echo "# Totals: pass:$PASS fail:$FAIL skip:$SKIP"
echo "$PASS passed, $FAIL failed, $SKIP skipped"
[ "$FAIL" -eq 0 ]
