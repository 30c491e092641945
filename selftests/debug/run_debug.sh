#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# run_debug.sh: the guest half of `make check-debug` (busybox sh, as root,
# in the test VM booted with the debug kernel; /init runs it in place of
# run_tests.sh via ttydpc_run=). Prints TAP 13 and a closing "N passed, N
# failed, N skipped" (test cases, the suite's nested ones included).
#
# Stages (TTYDPC_DBG_STAGES, comma list, always in this order, the one most
# likely to wedge the kernel last): suite (run_tests.sh), rebind (PCI
# unbind/bind under traffic), reload (rmmod/insmod with ports open), soak (a
# checksummed transfer through the null modem), fuzz (ttydpc_fuzz on the
# null-modem pair); then the ports must still work, and a kmemleak scan
# (between "==== ttydpc: kmemleak begin/end ====" for the host to judge).
# Knobs: TTYDPC_DBG_<knob> on the kernel command line, from check-debug.sh's
# environment of the same name (SEED, FUZZ_OPS, FUZZ_THREADS, FUZZ_EXCLUDE,
# REBIND, RELOAD, RELOAD_CLOSED, SOAK, SOAK_SECS, SUITE).
# Kernel reports seen during a stage are printed under it as "# " lines; the
# host judges the whole log. A call blocked in the kernel ends the run at
# once with "Bail out!", after SysRq-w has logged the blocked tasks' stacks.
HERE=$(cd "$(dirname "$0")" && pwd)
# selftests/ttydpc helpers: pci_*, ports_now, ports_are, wait_for, port_works...
. "$HERE/lib.sh"

STAGES=$(echo "${TTYDPC_DBG_STAGES:-suite rebind reload soak fuzz}" | tr , ' ')
SEED=${TTYDPC_DBG_SEED:-$(($(date +%s) % 1000000000))}
FUZZ_OPS=${TTYDPC_DBG_FUZZ_OPS:-10000}
FUZZ_THREADS=${TTYDPC_DBG_FUZZ_THREADS:-4}
REBIND=${TTYDPC_DBG_REBIND:-500}
RELOAD=${TTYDPC_DBG_RELOAD:-200}
SOAK_SECS=${TTYDPC_DBG_SOAK_SECS:-0}
if [ "$SOAK_SECS" -gt 0 ]; then
	SOAK=${TTYDPC_DBG_SOAK:-}
	SOAK_WHAT="${SOAK_SECS} s${SOAK:+ (at most $SOAK)}"
else
	SOAK=${TTYDPC_DBG_SOAK:-64M}
	SOAK_WHAT=$SOAK
fi
STRESS=$HERE/ttydpc_stress
TMP=${TMPDIR:-/tmp}/ttydpc_debug.$$
mkdir -p "$TMP"

CASE_PASS=0
CASE_FAIL=0
CASE_SKIP=0
TOP=0
BAILED=
# What counts as a kernel report (check-debug.sh judges with its own list).
KRE='BUG:|WARNING:|Oops|KASAN|UBSAN|ODEBUG|possible circular|inconsistent lock state|possible recursive locking|sleeping function called|scheduling while atomic|list_add corruption|list_del corruption|refcount_t:|general protection|Kernel panic|INFO: task .* blocked|soft lockup|rcu: INFO|nobody cared|Disabling IRQ #|kmemleak: [0-9]+ new suspected'

# ok/nok/skip/result: a top-level line that is also one test case.
# top_ok/top_nok: a top-level line summing up nested cases counted already.
ok() { TOP=$((TOP + 1)); CASE_PASS=$((CASE_PASS + 1)); echo "ok $TOP $*"; }
nok() { TOP=$((TOP + 1)); CASE_FAIL=$((CASE_FAIL + 1)); echo "not ok $TOP $*"; }
skip() { TOP=$((TOP + 1)); CASE_SKIP=$((CASE_SKIP + 1)); echo "ok $TOP $1 # SKIP $2"; }
top_ok() { TOP=$((TOP + 1)); echo "ok $TOP $*"; }
top_nok() { TOP=$((TOP + 1)); echo "not ok $TOP $*"; }
result() { if [ "$2" -eq 0 ]; then ok "$1"; else nok "$1"; fi; }
note() { echo "# $*"; }
now() { cut -d' ' -f1 /proc/uptime | cut -d. -f1; }
has_stage() {
	[ -z "$BAILED" ] || return 1
	case " $STAGES " in *" $1 "*) return 0 ;; esac
	return 1
}

# bg_wait PID SECONDS: wait for a background job; status 1 if it is still
# running after SECONDS (blocked in the kernel: it cannot be killed).
bg_wait() {
	_w=0
	while kill -0 "$1" 2>/dev/null; do
		[ $_w -ge $(($2 * 10)) ] && return 1
		sleep 0.1
		_w=$((_w + 1))
	done
	wait "$1"
}

# bail WHAT: something is stuck in the kernel. Blocked stacks to the
# kernel log, one failure, no further stage.
bail() {
	echo w >/proc/sysrq-trigger 2>/dev/null
	nok "$1 (blocked in the kernel; SysRq-w stacks in the kernel log)"
	echo "Bail out! $1"
	BAILED=1
}

# guarded SECONDS CMD...: run CMD (a sysfs write, rmmod, insmod) so that a
# call that never returns ends the run instead of hanging it. Output in
# $GUARD_OUT; status of CMD, or 124 (and bail) when it hung.
guarded() {
	_t=$1
	shift
	"$@" >"$TMP/guard" 2>&1 &
	_p=$! _rc=0
	bg_wait "$_p" "$_t" || _rc=$?
	GUARD_OUT=$(cat "$TMP/guard")
	if kill -0 "$_p" 2>/dev/null; then
		bail "'$*' did not return in $_t s"
		return 124
	fi
	return $_rc
}
sysfs_write() { echo "$1" >"$2"; }

# stage_begin NAME / stage_end NAME: mark the kernel log; print what a
# stage left in it that looks like a report.
stage_begin() {
	echo "ttydpc-debug: stage $1 begin" >/dev/kmsg
	STAGE_T0=$(now)
	note "==== stage $1 (uptime $(now) s) ===="
}
stage_end() {
	_bad=$(dmesg | awk -v m="ttydpc-debug: stage $1 begin" 'index($0, m) { on = 1; next } on' |
		grep -E "$KRE")
	if [ -n "$_bad" ]; then
		note "kernel reports during stage $1 ($(echo "$_bad" | wc -l) lines, first 40):"
		echo "$_bad" | head -n 40 | sed 's/^/#   /'
	fi
	note "stage $1 took $(($(now) - STAGE_T0)) s"
}

# hung_tasks: how many hung-task reports the kernel log holds
hung_tasks() { dmesg | grep -c 'blocked for more than'; }

# run_nested SECONDS CMD...: run a TAP program, its output nested under ours
# ("# "), in $TMP/out; NESTED_RC its exit status (124: did not end).
run_nested() {
	_t=$1
	shift
	rm -f "$TMP/rc"
	: >"$TMP/out"
	_h0=$(hung_tasks)
	("$@" </dev/null; echo $? >"$TMP/rc") 2>&1 | tee "$TMP/out" | sed 's/^/# /' &
	_p=$! _w=0 _b=0
	while kill -0 "$_p" 2>/dev/null; do
		# a program that bailed out but cannot exit (a thread blocked in
		# the kernel) gets 10 s, anything else its budget; a hung task
		# reported meanwhile ends the wait: nothing after it can be trusted
		grep -q '^Bail out!' "$TMP/out" && _b=$((_b + 1))
		if [ $((_w % 100)) -eq 99 ] && [ "$(hung_tasks)" -gt "$_h0" ]; then
			note "the kernel reported a hung task: not waiting for the rest"
			NESTED_RC=124
			return
		fi
		if [ $_w -ge $((_t * 10)) ] || [ $_b -ge 100 ]; then
			NESTED_RC=124
			return
		fi
		sleep 0.1
		_w=$((_w + 1))
	done
	wait "$_p"
	NESTED_RC=$(cat "$TMP/rc" 2>/dev/null || echo 1)
}

# count_nested NAME WHAT: add the nested TAP's cases to ours, one summary
# line, bail out if the program did not end.
count_nested() {
	_p=$(grep -cE '^ok [0-9]+' "$TMP/out")
	_f=$(grep -cE '^not ok [0-9]+' "$TMP/out")
	CASE_PASS=$((CASE_PASS + _p)) CASE_FAIL=$((CASE_FAIL + _f))
	if [ "$NESTED_RC" -eq 124 ] || grep -q '^Bail out!' "$TMP/out"; then
		bail "$1 did not end ($(grep -m1 '^Bail out!' "$TMP/out"))"
	elif [ "$_f" -eq 0 ] && [ "$NESTED_RC" -eq 0 ]; then
		top_ok "$1: $2: $_p passed"
	else
		[ "$_f" -eq 0 ] && CASE_FAIL=$((CASE_FAIL + 1))
		# what failed, on the summary line: CI shows only that line
		_why=$(grep -m4 -E '^not ok [0-9]+|^# (API:|thread .* stuck|kernel report)' "$TMP/out" |
			sed -E 's/^(not ok [0-9]+ |# )//' | paste -sd';' - | cut -c1-600)
		top_nok "$1: $2: $_p passed, $_f failed (exit $NESTED_RC)${_why:+: $_why}"
	fi
}

# ---- the ports ------------------------------------------------------------

NM_A=$TTYDPC_NM_A
NM_B=$TTYDPC_NM_B
PORT=$TTYDPC_PORT
KO=$TTYDPC_KO
SAVED_PORTS=$(ports_now)
KO_PARAMS=$(ko_params_now)
pci_of() { basename "$(readlink -f "/sys/class/tty/$(basename "$1")/device" 2>/dev/null)"; }
NM_PCI=$(pci_of "$NM_A")
PORT_PCI=${TTYDPC_PCI:-$(pci_of "$PORT")}

# nm_pair STAGE: true when the guest has the null-modem pair; otherwise
# STAGE's skip line.
nm_pair() {
	[ -n "$NM_A" ] && [ -n "$NM_B" ] && return 0
	skip "$1" "no null-modem pair"
	return 1
}

# ports_work SEED: small checksummed transfers, the null modem and
# TTYDPC_PORT through the host peer. Status 0 when every port moved its data.
ports_work() {
	_rc=0
	if [ -n "$NM_A" ] && [ -n "$NM_B" ]; then
		guarded 180 "$STRESS" soak -s "$1" -t 120 "$NM_A" "$NM_B" 16K || _rc=1
		echo "$GUARD_OUT" | sed 's/^/# /'
	fi
	if [ -n "$PORT" ] && [ -z "$BAILED" ]; then
		guarded 120 port_works "$PORT" 4096 "$1" || _rc=1
		echo "$GUARD_OUT"
	fi
	return $_rc
}

# The kernel log, as it is written, to the host on COM4 (check-debug.sh adds
# it): reports survive a guest that wedges before /init can dump dmesg.
for t in /sys/class/tty/ttyS*; do
	[ "$(cat "$t/port" 2>/dev/null)" = 0x2E8 ] || continue
	klog=/dev/$(basename "$t")
	stty -F "$klog" 115200 raw -echo clocal 2>/dev/null
	cat /dev/kmsg >"$klog" 2>/dev/null &
done
# every hung task is reported, not only the first ten
echo -1 >/proc/sys/kernel/hung_task_warnings 2>/dev/null

echo "TAP version 13"
note "ttydpc debug lane: kernel $(uname -r), dpc=$TTYDPC_DPC, seed $SEED (replay: SEED=$SEED)"
note "stages: $STAGES; fuzz $FUZZ_OPS ops x $FUZZ_THREADS threads, rebind $REBIND, reload $RELOAD, soak $SOAK_WHAT each way"
note "ports: $SAVED_PORTS; null modem $NM_A:$NM_B ($NM_PCI); host port $PORT ($PORT_PCI); module params '$KO_PARAMS'"
note "tainted=$(cat /proc/sys/kernel/tainted)"

# kmemleak: one scan now. What the boot left without ttydpc in its trace is
# cleared (shown for the record); anything of ttydpc's stays and counts.
KML=/sys/kernel/debug/kmemleak
if [ -w "$KML" ]; then
	echo scan >"$KML"
	if grep -q ttydpc "$KML"; then
		note "kmemleak after boot and the first probe, ttydpc involved (kept):"
		sed 's/^/#   /' "$KML" | head -n 60
	else
		n=$(grep -c '^unreferenced object' "$KML")
		if [ "$n" -gt 0 ]; then
			note "kmemleak: $n boot-time objects without ttydpc in their trace, cleared (first 3):"
			awk '/^unreferenced object/ { n++ } n <= 3' "$KML" | sed 's/^/#   /'
		fi
		echo clear >"$KML"
	fi
else
	note "no $KML (kmemleak off?)"
fi

# ---- suite ------------------------------------------------------------------
if has_stage suite; then
	stage_begin suite
	if [ -x "$HERE/run_tests.sh" ]; then
		# TTYDPC_DBG_SUITE=a,b: only those tests (make check's short lane)
		set --
		for t in $(echo "${TTYDPC_DBG_SUITE:-}" | tr , ' '); do
			set -- "$@" -t "$t"
		done
		run_nested 3600 "$HERE/run_tests.sh" "$@"
		sum=$(awk '/^[0-9]+ passed, [0-9]+ failed/ { l = $1 " " $3 + 0 " " $5 + 0 } END { print l }' "$TMP/out")
		# shellcheck disable=SC2086 # three numbers or none
		set -- $sum 0 0 0
		p=$1 f=$2 s=$3
		# the suite's cases count as ours; one top-level line sums them up
		CASE_PASS=$((CASE_PASS + p)) CASE_FAIL=$((CASE_FAIL + f)) CASE_SKIP=$((CASE_SKIP + s))
		if [ "$NESTED_RC" -eq 124 ]; then
			bail "selftests/ttydpc suite did not end"
		elif [ "$f" -eq 0 ] && [ "$NESTED_RC" -eq 0 ]; then
			top_ok "selftests/ttydpc suite: $p passed, $f failed, $s skipped"
		else
			[ -z "$sum" ] && nok "selftests/ttydpc suite: no closing count"
			top_nok "selftests/ttydpc suite: $p passed, $f failed, $s skipped (exit $NESTED_RC)"
		fi
	else
		nok "selftests/ttydpc suite: $HERE/run_tests.sh missing"
	fi
	stage_end suite
	# the suite may leave the module reloaded with other parameters
	SAVED_PORTS=$(ports_now)
	KO_PARAMS=$(ko_params_now)
fi

# ---- rebind ------------------------------------------------------------------
# ttydpc_stress rebind: cycles alternate between the null-modem card and
# TTYDPC_PORT's function, a steady and a churning worker on every port.
if has_stage rebind; then
	stage_begin rebind
	funcs=
	for d in $NM_PCI $PORT_PCI; do
		[ -n "$d" ] && [ "$(pci_driver_of "$d")" = ttydpc ] && funcs="${funcs:+$funcs,}$d"
	done
	if [ -z "$funcs" ]; then
		skip "rebind" "no PCI function bound to ttydpc"
	else
		# shellcheck disable=SC2086 # a list of nodes
		run_nested 3600 "$STRESS" rebind -n "$REBIND" -F "$funcs" -s "$SEED" $SAVED_PORTS
		count_nested rebind "$REBIND unbind/bind cycles over $funcs"
		if [ -z "$BAILED" ]; then
			ports_work $((SEED + 1))
			result "rebind: ports work afterwards" $?
		fi
	fi
	stage_end rebind
fi

# ---- reload --------------------------------------------------------------------
# ttydpc_stress reload: rmmod while the workers hold and churn every port,
# insmod with the next design (the boot's last), the PCI functions moved
# back as /init does, the ports come back.
if has_stage reload; then
	stage_begin reload
	if [ -z "$KO" ] || [ ! -r "$KO" ] || ! module_loaded; then
		skip "reload" "TTYDPC_KO unset/unreadable or ttydpc not loaded"
	else
		base=$(echo "$KO_PARAMS" | sed 's/dpc=[^ ]*//; s/^ *//; s/ *$//')
		plist="${base:+$base }dpc=isr;${base:+$base }dpc=custom;${base:+$base }dpc=both"
		final="${base:+$base }${TTYDPC_DPC:+dpc=$TTYDPC_DPC}"
		funcs=$(pci_override_devs | tr '\n' ',' | sed 's/,$//')
		# shellcheck disable=SC2086
		run_nested 3600 "$STRESS" reload -n "$RELOAD" -k "$KO" -o "$plist" -e "$final" \
			${funcs:+-F "$funcs"} -s "$SEED" ${TTYDPC_DBG_RELOAD_CLOSED:+-c} $SAVED_PORTS
		count_nested reload "$RELOAD rmmod/insmod cycles, designs isr/custom/both"
		if [ -z "$BAILED" ]; then
			[ "$(cat /sys/module/ttydpc/parameters/dpc 2>/dev/null)" = "$TTYDPC_DPC" ] ||
				note "dpc now '$(cat /sys/module/ttydpc/parameters/dpc 2>/dev/null)', wanted '$TTYDPC_DPC'"
			ports_work $((SEED + 2))
			result "reload: ports work afterwards" $?
		fi
	fi
	stage_end reload
fi

# ---- soak --------------------------------------------------------------------------
if has_stage soak; then
	stage_begin soak
	if nm_pair soak; then
		if [ "$SOAK_SECS" -gt 0 ]; then
			# shellcheck disable=SC2086 # SOAK: one word or none
			run_nested $((SOAK_SECS + 600)) "$STRESS" soak -s "$SEED" -p 4 -S 60 \
				-T "$SOAK_SECS" "$NM_A" "$NM_B" $SOAK
		else
			run_nested 7200 "$STRESS" soak -s "$SEED" -p 4 -S 60 "$NM_A" "$NM_B" "$SOAK"
		fi
		# "soak result: N bytes A->B (R KiB/s), ..." into the TAP line
		_moved=$(sed -n 's/^# soak result: //p' "$TMP/out" | tail -n 1)
		if [ "$NESTED_RC" -eq 124 ]; then
			bail "soak did not end"
		else
			[ -n "$_moved" ] || _moved="every byte checked"
			result "soak: $SOAK_WHAT each way $NM_A<->$NM_B: $_moved" "$NESTED_RC"
		fi
	fi
	stage_end soak
fi

# ---- fuzz -----------------------------------------------------------------------
if has_stage fuzz; then
	stage_begin fuzz
	if nm_pair fuzz; then
		run_nested 3600 env SEED="$SEED" "$HERE/ttydpc_fuzz" -a "$NM_A" -b "$NM_B" \
			-n "$FUZZ_OPS" -j "$FUZZ_THREADS" ${TTYDPC_DBG_FUZZ_EXCLUDE:+-x "$TTYDPC_DBG_FUZZ_EXCLUDE"}
		count_nested fuzz "$FUZZ_OPS operations, seed $SEED (replay: SEED=$SEED)"
	fi
	stage_end fuzz
fi

# ---- after everything -------------------------------------------------------------
if [ -z "$BAILED" ]; then
	stage_begin final
	ports_work $((SEED + 3))
	result "ports work at the end" $?
	stage_end final
fi

if [ -w "$KML" ]; then
	# two scans: an object referenced only from a register or a list in
	# flight during the first one is not reported by the second. After a
	# bail-out too (guarded: part of the kernel may be stuck).
	guarded 300 sysfs_write scan "$KML" && sleep 6 && guarded 300 sysfs_write scan "$KML"
	n=$(grep -c '^unreferenced object' "$KML")
	echo "==== ttydpc: kmemleak begin ===="
	cat "$KML"
	echo "==== ttydpc: kmemleak end ===="
	note "kmemleak: $n unreferenced objects"
	[ "$n" -eq 0 ]
	result "kmemleak: no leak after the run" $?
fi

rm -rf "$TMP"
echo "1..$TOP"
echo "# guest totals: $CASE_PASS passed, $CASE_FAIL failed, $CASE_SKIP skipped (test cases)"
echo "$CASE_PASS passed, $CASE_FAIL failed, $CASE_SKIP skipped"
[ "$CASE_FAIL" -eq 0 ]
