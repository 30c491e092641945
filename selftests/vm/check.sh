#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check.sh: the ttydpc suite in QEMU (`make check`, `check-quick`,
# `check-full`). Builds ttydpc.ko per kernel lane and the selftests, runs the
# plan's jobs (x86 boots with the host peer, ARM lanes, debug lane, install,
# console and demo) JOBS at a time, prints a table per lane, every failure,
# the stage times and "N passed, N failed[, N skipped]"; exits non-zero on a
# failure or on a skip that selftests/vm/expected-skips does not list.
# TIER=quick|check|full and the plan: selftests/vm/README.
#
# Environment:
#   KERNELS="6.1 6.12 6.12-rt"  lanes (lib.sh: lane_release)
#   DPCS="isr custom both"      designs (ttydpc.dpc=)
#   SMP_LANES="6.1 6.12-rt"     lanes whose boots have 2 vCPUs (others 1)
#   DESIGN_LANES="6.1 6.12-rt"  check: lanes that boot once per design; the
#                               others boot once (whole suite, last design)
#   RESULTS=build/check         logs: <lane>-<dpc>/{console,peer,trace,qemu}.log
#   BOOT_TIMEOUT=900            seconds per x86 boot
#   SKIP_DEPS=1 DEMO=0 CONSOLE=0  no deps.sh, no demo boot, no console job
#   INSTALL_STAGE=0|only        leave out the install stage (install.sh), or
#                               run only it (no suite boots, no demo)
#   ARM=0|armhf|arm64           leave out the ARM lanes, or run one
#   DEBUG=0                     leave out the debug-kernel lane; DEBUG_KERNELS
#                               (6.1; full: 6.1 6.12) its kernels; SEED the
#                               fuzz seed (check: 724555630, full: random)
#   JOBS=nproc                  jobs (VMs, ARM lanes) at a time
#   COUNTS="TTYDPC_X=N ..."     test counts for every guest (tier default)
# For harness development (selftest.sh uses them):
#   NO_MODULE=1               boot without ttydpc.ko
#   SELFTESTS=DIR|none        prebuilt selftests directory, or none
#   CHECK_APPEND="..."        extra kernel command line for every x86 boot
#                             (ttydpc_args=-t,NAME,... runs only those tests)
#   CHECK_EXTRA="f1 f2"       extra programs for the initramfs (/usr/bin)
#   VM_PYTHON=PATH            the guests' python3 (default: Debian's)
set -euo pipefail
# The whole script is one function, read before it runs: editing this file
# while a run is going does not disturb it.
main() {
# shellcheck source=selftests/vm/lib.sh
. "$(dirname "$0")/lib.sh"

TIER=${TIER:-check}
case $TIER in
quick)
	: "${KERNELS:=6.1}" "${DPCS:=both}" "${ARM:=0}" "${DEBUG:=0}" "${DEMO:=0}" "${INSTALL_STAGE:=0}"
	;;
check | full) ;;
*) die "TIER=$TIER: quick, check or full" ;;
esac
read -r -a LANES <<<"${KERNELS:-6.1 6.12 6.12-rt}"
read -r -a DESIGNS <<<"${DPCS:-isr custom both}"
SMP_LANES=" ${SMP_LANES-6.1 6.12-rt} "
DESIGN_LANES=" ${DESIGN_LANES-6.1 6.12-rt} "
RESULTS=${RESULTS:-$TOP_DIR/build/check}
BOOT_TIMEOUT=${BOOT_TIMEOUT:-900}
read -r -a EXTRA <<<"${CHECK_EXTRA:-}"
VM_PYTHON=${VM_PYTHON:-$(readlink -f /usr/bin/python3 || true)}
# Fatal patterns in the guest's dmesg (selftests/vm/README).
FATAL='WARNING:|BUG:|Oops|lockdep|KASAN|UBSAN|general protection|Call Trace|Kernel panic|nobody cared'
BENIGN='RCU lockdep checking is enabled'
# Counts for the guests (TTYDPC_* on the kernel command line reach every
# test through /init). The full counts are the tests' own defaults.
if [[ $TIER == full ]]; then
	COUNTS=${COUNTS-}
else
	COUNTS=${COUNTS-TTYDPC_RACE_CLOSE=8 TTYDPC_RACE_SIGNAL=10 TTYDPC_RACE_UNBIND=15 TTYDPC_RACE_RMMOD=6 TTYDPC_REBIND_COUNT=8 TTYDPC_XFER_KIB=256 TTYDPC_FLOOD_S=30 TTYDPC_RXFO_SEC=25}
fi
# Tests that do not depend on the deferral design: run once per kernel
# (check tier). Everything else (transfers, queues, the API, races, the
# deferred objects themselves) runs once per design.
COMMON_TESTS="lib_test iir_decode pci_boards tty_basic tty_modem tty_termios tty_semantics tty_line_errors tty_modem_events tty_serial_info tty_rs485 tty_pm tty_rx_trigger tty_picocom api_wait32 api_purge32 api_stats32 api_event_file32 pnp_bind.sh rebind.sh pci_cards.sh module_reload.sh bad_params.sh api_python.sh"

t_start=$(date +%s)
mkdir -p "$RESULTS"
RESULTS=$(cd "$RESULTS" && pwd)
# Nothing of an earlier run may count in this one.
for d in "$RESULTS"/*/; do
	[[ ! -f $d/result ]] || rm -rf "$d"
done
rm -rf "$RESULTS/times" "$RESULTS"/debug-* "$RESULTS"/{armhf,arm64}.log
mkdir -p "$RESULTS/times"
# stage_time NAME START [END]: one line of the closing time table.
stage_time() {
	echo "$1 $(($2 - t_start)) $((${3:-$(date +%s)} - $2))" >"$RESULTS/times/${1//\//_}"
}

# One debug lane per source in DEBUG_KERNELS (check-full adds 6.12, whose
# BH-workqueue path 6.1 lacks).
[[ $TIER == full ]] && : "${DEBUG_KERNELS:=6.1 6.12}"
read -r -a DKS <<<"${DEBUG_KERNELS:-6.1}"
[[ ${DEBUG:-1} != 0 ]] || DKS=()

# (Not INSTALL: make takes that as the install program.)
INSTALL_STAGE=${INSTALL_STAGE:-1}
# The install stage's DKMS builds: 6.1 and 6.12, whatever KERNELS is.
DKMS_LANES="6.1 6.12"
if [[ $INSTALL_STAGE == only ]]; then
	ARM=0 DEBUG=0 DEMO=0 DKS=()
fi

t0=$(date +%s)
if [[ ${SKIP_DEPS:-0} != 1 ]]; then
	[[ $INSTALL_STAGE == 0 ]] || export DEPS_HEADERS=$DKMS_LANES
	"$VM_DIR/deps.sh" "${LANES[@]}"
	for k in "${DKS[@]}"; do
		"$TOP_DIR/selftests/debug/build-kernel.sh" -d -k "$k"
	done
fi
stage_time deps "$t0"

# kill_tree PID: PID and its descendants, children first (run-vm.sh's own
# trap then stops its QEMU).
kill_tree() {
	local c
	for c in $(pgrep -P "$1" 2>/dev/null); do
		kill_tree "$c"
	done
	kill "$1" 2>/dev/null || true
}

# The debug kernels (cached) compile from the start, niced so that the VMs'
# timing suffers least; detached, so that `wait` skips them.
DEBUG_DIR=$TOP_DIR/selftests/debug
kbuild_pid=
if ((${#DKS[@]})); then
	( (
		for k in "${DKS[@]}"; do
			t=$(date +%s)
			rc=0
			nice -n 10 "$DEBUG_DIR/build-kernel.sh" -k "$k" \
				>"$RESULTS/debug-$k-kernel.log" 2>&1 </dev/null || rc=$?
			stage_time "debug kernel $k build" "$t"
			echo "$rc" >"$RESULTS/debug-$k-kernel.rc"
		done
	) &
	  echo $! >"$RESULTS/debug-kernel.pid" )
	kbuild_pid=$(cat "$RESULTS/debug-kernel.pid")
fi

# An interrupted make check takes every VM, lane and build with it.
dkms_pid=
cleanup() {
	local p
	for p in $(jobs -rp) $kbuild_pid $dkms_pid; do
		kill_tree "$p"
	done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# arm_job ARCH: one ARM lane (armhf: orangepi-pc, device tree; arm64: virt,
# PCI), its boots one after the other; result in $RESULTS/ARCH/result.
declare -gA ARM_LANE=([armhf]=lane.sh [arm64]=lane64.sh)
declare -gA ARM_DESC=([armhf]="orangepi-pc, device tree" [arm64]="virt, PCI")
arm_job() {
	local a=$1 t0 args=(--out "$RESULTS/$1")
	t0=$(date +%s)
	[[ ${SKIP_DEPS:-0} == 1 ]] && args+=(--no-deps)
	[[ -z $COUNTS ]] || args+=(--append "$COUNTS")
	log "ARM lane $a (${ARM_DESC[$a]}; log: $RESULTS/$a.log)"
	"$VM_DIR/arm/${ARM_LANE[$a]}" "${args[@]}" >"$RESULTS/$a.log" 2>&1 </dev/null || true
	stage_time "$a lane" "$t0"
	# The lane's own stages (deps, build, each boot).
	sed -nE 's/^time: [0-9]+s \((.*)\)$/\1/p' "$RESULTS/$a.log" | tail -n1 >"$RESULTS/$a.stages" || true
}

# The ARM lanes are the longest jobs, and build their own module and
# selftests (cross compilers): they start first, beside the x86 build.
arm_lanes=()
if [[ ${ARM:-1} != 0 ]]; then
	arm_lanes=(armhf arm64)
	[[ ${ARM:-1} == 1 ]] || arm_lanes=("$ARM")
	for a in "${arm_lanes[@]}"; do
		[[ -n ${ARM_LANE[$a]:-} ]] || die "ARM=$a: armhf, arm64, 0 or 1"
		arm_job "$a" &
	done
fi

# --- build --------------------------------------------------------------------

t0=$(date +%s)
case ${SELFTESTS:-} in
none) tests_dir= ;;
'')
	tests_dir=$RESULTS/selftests
	rm -rf "$tests_dir"
	build_selftests "$tests_dir"
	# The Python module's ioctl numbers against the C compiler's, here on
	# the host (api_python.sh does it again in each guest).
	make -s -C "$TOP_DIR/tools" O="$RESULTS/tools" check >"$RESULTS/tools.log" 2>&1 ||
		{ cat "$RESULTS/tools.log" >&2; die "make -C tools check failed (log: $RESULTS/tools.log)"; }
	# The documentation builds with no Sphinx warning (make docs, -W).
	make -s -C "$TOP_DIR" docs >"$RESULTS/docs.log" 2>&1 ||
		{ cat "$RESULTS/docs.log" >&2; die "make docs failed (log: $RESULTS/docs.log)"; }
	;;
*) tests_dir=$(cd "$SELFTESTS" && pwd) ;;
esac

declare -gA REL INITRD LANE_ERR
for lane in "${LANES[@]}"; do
	REL[$lane]=$(lane_release "$lane")
	ldir=$RESULTS/lanes/$lane
	mkdir -p "$ldir"
	[[ -s $(kernel_image "${REL[$lane]}") ]] || die "no kernel image for ${REL[$lane]} (make deps)"
	args=(-o "$ldir/initrd.cpio")
	[[ -n $tests_dir ]] && args+=(-t "$tests_dir")
	# python3 for api_python.sh: Debian's (a python first on PATH may be
	# a pyenv or venv shim). Without it the test skips, which fails.
	[[ -z $tests_dir || ! -x $VM_PYTHON ]] || args+=(-p "$VM_PYTHON")
	for f in "${EXTRA[@]}"; do args+=(-x "$f"); done
	if [[ ${NO_MODULE:-0} != 1 ]]; then
		# A lane whose module does not build fails its boots only.
		if ! (build_module "${REL[$lane]}" "$ldir"); then
			LANE_ERR[$lane]="module build failed (log: $ldir/build.log)"
			continue
		fi
		args+=(-k "$ldir/ttydpc.ko")
	fi
	"$VM_DIR/mkinitramfs.sh" "${args[@]}"
	INITRD[$lane]=$ldir/initrd.cpio
done
stage_time build "$t0"

# The install stage's DKMS builds (a few module builds, niced) run beside
# the boots, detached so that they hold no job slot; the summary waits.
if [[ $INSTALL_STAGE != 0 ]]; then
	( (
		t=$(date +%s)
		read -r -a dl <<<"$DKMS_LANES"
		"$VM_DIR/install.sh" dkms "$RESULTS/dkms" "${dl[@]}" >"$RESULTS/dkms.log" 2>&1 </dev/null || true
		stage_time "install: DKMS builds ($DKMS_LANES)" "$t"
		touch "$RESULTS/dkms/done"
	) &
	  echo $! >"$RESULTS/dkms.pid" )
	dkms_pid=$(cat "$RESULTS/dkms.pid")
fi

# The design group: every test run_tests.sh knows that is not common.
ALL_TESTS=$COMMON_TESTS
[[ -z $tests_dir ]] || ALL_TESTS=$("$tests_dir/run_tests.sh" -l | tr '\n' ' ')
DESIGN_TESTS=
for t in $ALL_TESTS; do
	[[ " $COMMON_TESTS " == *" $t "* ]] || DESIGN_TESTS+="$t "
done

# test_args TESTS...: run_tests.sh arguments for /init (ttydpc_args=).
test_args() {
	local t out=
	for t in "$@"; do out+="${out:+,}-t,$t"; done
	echo "$out"
}

# --- boots --------------------------------------------------------------------

# analyse DIR: reads DIR/console.log (and DIR/timeout), prints
# "pass fail skip note" and writes DIR/result.
analyse() {
	local dir=$1 log tap pass fail skip plan top note=
	log=$(tr -d '\r' <"$dir/console.log")
	tap=$(console_tap "$log")
	printf '%s\n' "$tap" >"$dir/tap.txt"
	read -r pass fail skip < <(tap_count "$tap")
	if [[ -e $dir/timeout ]]; then
		note="timeout after ${BOOT_TIMEOUT}s"
	else
		note=$(run_note "$log" selftests)
	fi
	if [[ -z $note ]] && grep -q '^Bail out!' <<<"$tap"; then
		note="bail out: $(grep -m1 '^Bail out!' <<<"$tap")"
	fi
	# A top-level plan promises a number of top-level results.
	plan=$(grep -m1 -oE '^1\.\.[0-9]+' <<<"$tap" | cut -d. -f3 || true)
	top=$(grep -cE '^(not )?ok [0-9]+' <<<"$tap" || true)
	if [[ -z $note && -n $plan && $top -lt $plan ]]; then
		note="only $top of $plan planned results"
	fi
	if [[ -z $note && $((pass + fail + skip)) -eq 0 ]]; then
		note="no TAP results"
	fi
	local dm
	dm=$(console_dmesg "$log")
	# A lockdep kernel (the debug console job) announces itself at boot.
	dm=$(grep -vE "$BENIGN" <<<"$dm")
	if grep -qE "$FATAL" <<<"$dm"; then
		note="${note:+$note; }kernel: $(grep -m1 -oE "$FATAL" <<<"$dm") in dmesg"
		grep -nE -B2 -A20 "$FATAL" <<<"$dm" | head -n 60 >"$dir/dmesg-fatal.txt"
	fi
	printf '%s %s %s %s\n' "$pass" "$fail" "$skip" "$note"
}

# --- jobs ---------------------------------------------------------------------

# boot LANE DESIGN GROUP SMP: one check-mode x86 boot running GROUP (all,
# common, design, console); "pass fail skip note" in its result file.
boot() {
	local lane=$1 dpc=$2 group=$3 smp=$4 dir res pass fail skip note t0 targs= late=
	dir=$RESULTS/$lane-$dpc
	# The console job: console.sh alone, console=ttyDPC0 on the command
	# line (after CHECK_APPEND, whose ttydpc_args are for the other boots).
	if [[ $group == console ]]; then
		dir=$RESULTS/$lane-console
		late="ttydpc_args=-t,console.sh console=ttyDPC0,115200"
	fi
	rm -rf "$dir"
	mkdir -p "$dir"
	t0=$(date +%s)
	case $group in
	common) read -r -a tl <<<"$COMMON_TESTS"; targs="ttydpc_args=$(test_args "${tl[@]}")" ;;
	design) read -r -a tl <<<"$DESIGN_TESTS"; targs="ttydpc_args=$(test_args "${tl[@]}")" ;;
	esac
	echo "$group" >"$dir/group"
	if [[ -n ${LANE_ERR[$lane]:-} ]]; then
		res="0 0 0 ${LANE_ERR[$lane]}"
	else
		log "boot $lane (${REL[$lane]}) dpc=$dpc tests=$group vcpus=$smp"
		VM_SMP=$smp "$VM_DIR/run-vm.sh" -p -t "$BOOT_TIMEOUT" -o "$dir" \
			-k "$(kernel_image "${REL[$lane]}")" -i "${INITRD[$lane]}" \
			-a "ttydpc.dpc=$dpc ttydpc_mode=check ttydpc_timeout=$((BOOT_TIMEOUT - 30)) $targs $COUNTS ${CHECK_APPEND:-} $late" ||
			true
		res=$(analyse "$dir")
	fi
	echo "$res" >"$dir/result"
	read -r pass fail skip note <<<"$res"
	[[ -z $note ]] || log "  $lane/$dpc BOOT FAILURE: $note (logs: $dir)"
	# With a passing run the register trace is only bulk.
	[[ -n $note || $fail != 0 ]] || rm -f "$dir/trace.log"
	# Show the failures with what they logged; the full TAP is in console.log.
	tr -d '\r' <"$dir/console.log" 2>/dev/null | awk -f "$VM_DIR/tap_failures.awk" |
		sed "s|^|    $lane/$dpc: |" >&2 || true
	log "  $lane/$dpc: $pass passed, $fail failed, $skip skipped in $(($(date +%s) - t0))s"
	stage_time "x86 $lane/$dpc ($group, ${smp} vCPU)" "$t0"
}

# demo_boot: boots in demo mode and types a command into the shell on
# ttyDPC0 (hostpeer.py --demo-check); leaves ok / FAILED in $RESULTS/demo/result.
demo_boot() {
	local lane=${LANES[0]} dpc=${DESIGNS[0]} dir=$RESULTS/demo vm res sock t0
	t0=$(date +%s)
	rm -rf "$dir"
	mkdir -p "$dir"
	if [[ -n ${LANE_ERR[$lane]:-} ]]; then
		echo "FAILED (${LANE_ERR[$lane]})" >"$dir/result"
		return
	fi
	log "boot $lane dpc=$dpc in demo mode"
	"$VM_DIR/run-vm.sh" -t 180 -o "$dir" \
		-k "$(kernel_image "${REL[$lane]}")" -i "${INITRD[$lane]}" \
		-a "ttydpc.dpc=$dpc ttydpc_mode=demo ${CHECK_APPEND:-}" &
	vm=$!
	for _ in $(seq 100); do
		[[ -s $dir/sockdir && -S $(cat "$dir/sockdir")/data0 ]] && break
		sleep 0.1
	done
	sock=$(cat "$dir/sockdir" 2>/dev/null || true)
	if python3 "$VM_DIR/hostpeer.py" --demo-check "data0=$sock/data0" \
		--timeout 120 --then 'poweroff -f' >"$dir/demo-check.log" 2>&1; then
		res=ok
	else
		res="FAILED (see $dir/demo-check.log)"
	fi
	sed 's/^/    /' "$dir/demo-check.log" >&2
	wait "$vm" || true
	echo "$res" >"$dir/result"
	stage_time "demo ($lane/$dpc)" "$t0"
}

# install_boot: make install's tree booted on the first lane (install.sh boot).
install_boot() {
	local lane=${LANES[0]} t0
	t0=$(date +%s)
	if [[ -n ${LANE_ERR[$lane]:-} ]]; then
		mkdir -p "$RESULTS/install"
		echo "0 1 0 ${LANE_ERR[$lane]}" >"$RESULTS/install/result"
		return
	fi
	log "install boot $lane (${REL[$lane]}; log: $RESULTS/install.log)"
	"$VM_DIR/install.sh" boot "$RESULTS/install" "$lane" "$tests_dir" >"$RESULTS/install.log" 2>&1 </dev/null || true
	stage_time "install: make install + boot ($lane)" "$t0"
}

# debug_job K: the debug-kernel lane (selftests/debug/README): short counts
# and a fixed seed (a result replays); check-full: full counts, random seed.
DEBUG_SEED=${SEED:-724555630}
debug_job() {
	local k=$1 t0 knobs log=$RESULTS/debug-$1.log
	t0=$(date +%s)
	if [[ $TIER == full ]]; then
		knobs=(SEED="${SEED:-}")
	else
		# The whole suite takes 20 min under KASAN: the lane runs the
		# tests that exercise teardown and the queues, where a
		# use-after-free or a lock inversion would be.
		knobs=(SEED="$DEBUG_SEED" SPLIT=none REBIND="${REBIND:-50}" RELOAD="${RELOAD:-20}"
			SOAK_SECS="${SOAK_SECS:-120}" FUZZ_OPS="${FUZZ_OPS:-2000}"
			SUITE="${DEBUG_SUITE:-dpc_designs,api_wait,api_purge,api_stats,api_event_file,unbind_blocked_open.sh,module_reload.sh}"
			DEBUG_APPEND="$COUNTS")
	fi
	if [[ $(cat "$RESULTS/debug-$k-kernel.rc") != 0 ]]; then
		{ tail -n 20 "$RESULTS/debug-$k-kernel.log"; echo "not ok 1 debug kernel $k build"; echo "0 passed, 1 failed"; } >"$log"
		return
	fi
	log "debug-kernel lane $k (log: $log)"
	env SKIP_DEPS=1 RESULTS="$RESULTS/debug-$k" DEBUG_KERNEL="$k" \
		BOOT_TIMEOUT="${DEBUG_BOOT_TIMEOUT:-3000}" "${knobs[@]}" \
		"$DEBUG_DIR/check-debug.sh" >"$log" 2>&1 </dev/null || true
	stage_time "debug lane $k" "$t0"
	[[ ${CONSOLE:-1} == 0 ]] || debug_console_job "$k"
}

# debug_console_job K: console.sh on the debug lane's kernel (which has
# KGDB, Debian's do not) and initramfs, with lockdep and KASAN watching.
debug_console_job() {
	local k=$1 dir=$RESULTS/debug-$1-console entry t0
	t0=$(date +%s)
	rm -rf "$dir"
	mkdir -p "$dir"
	entry=$(DEBUG_KERNEL=$k "$DEBUG_DIR/build-kernel.sh" -p 2>/dev/null || true)
	if [[ -z $entry || ! -s $RESULTS/debug-$k/initrd.cpio ]]; then
		echo "0 0 0 no debug kernel or initramfs" >"$dir/result"
		return
	fi
	log "debug console job $k (console.sh, console=ttyDPC0; log: $dir/console.log)"
	# acpi=noirq noapic: as the debug lane boots it (check-debug.sh).
	VM_MEM=1536 "$VM_DIR/run-vm.sh" -p -t 900 -o "$dir" -k "$entry/obj/arch/x86/boot/bzImage" \
		-i "$RESULTS/debug-$k/initrd.cpio" \
		-a "acpi=noirq noapic ttydpc_mode=check ttydpc_timeout=870 ttydpc_args=-t,console.sh console=ttyDPC0,115200" ||
		true
	analyse "$dir" >"$dir/result"
	stage_time "debug console job $k" "$t0"
}
debug_ready() { [[ -e $RESULTS/debug-$1-kernel.rc ]]; }

# lane_smp LANE: the vCPUs of LANE's boots.
lane_smp() { [[ $SMP_LANES == *" $1 "* || $TIER == quick ]] && echo 2 || echo 1; }

# The rest of the plan: one line per job, "KIND ARGS...", longest first so
# that the last jobs to start are short ones.
PLAN=()
for k in "${DKS[@]}"; do PLAN+=("debug $k"); done
declare -gA PLANNED
later=()
i=0
for lane in "${LANES[@]}"; do
	smp=$(lane_smp "$lane")
	dpcs=("${DESIGNS[@]}")
	# check: a lane outside DESIGN_LANES boots once, the whole suite
	# with the last design (both).
	[[ $TIER != check || $DESIGN_LANES == *" $lane "* ]] || dpcs=("${DESIGNS[-1]}")
	for dpc in "${dpcs[@]}"; do
		group=all
		# check: the common group rides along with one design per lane,
		# a different design on each lane.
		if [[ $TIER == check && ${#dpcs[@]} -gt 1 ]]; then
			group=design
			[[ $dpc != "${DESIGNS[i % ${#DESIGNS[@]}]}" ]] || group=all
		fi
		# Whole-suite boots are the longer ones: they go first.
		if [[ $group == all ]]; then
			PLAN+=("x86 $lane $dpc $group $smp")
		else
			later+=("x86 $lane $dpc $group $smp")
		fi
		PLANNED[$lane/$dpc]=1
	done
	i=$((i + 1))
done
# The console job (console, SysRq on break, kgdb: console.sh), one short
# boot of its own on the 6.1 lane; CONSOLE=0 leaves it out.
CONSOLE_JOB=
if [[ $TIER != quick && ${CONSOLE:-1} != 0 && " ${LANES[*]} " == *" 6.1 "* ]]; then
	CONSOLE_JOB=6.1
	later+=("x86 6.1 ${DESIGNS[-1]} console $(lane_smp 6.1)")
fi
PLAN+=("${later[@]}")
if [[ $INSTALL_STAGE == only ]]; then
	PLAN=()
	PLANNED=()
fi
[[ $INSTALL_STAGE == 0 ]] || PLAN+=("install")
[[ ${DEMO:-1} == 0 ]] || PLAN+=("demo")

# Jobs run JOBS at a time (a 2-vCPU TCG guest beside another VM keeps two
# cores busy, not more: the guests often wait on the host peer). A job not
# ready yet (the debug lane before its kernel) lets the next one go first.
JOBS=${JOBS:-$(nproc)}
((JOBS >= 1)) || JOBS=1
pending=("${PLAN[@]}")
while ((${#pending[@]})); do
	while (($(jobs -rp | wc -l) >= JOBS)); do
		wait -n || true
	done
	pick=-1
	for k in "${!pending[@]}"; do
		if [[ ${pending[k]} != debug* ]] || debug_ready "${pending[k]#debug }"; then
			pick=$k
			break
		fi
	done
	if ((pick < 0)); then
		sleep 5
		continue
	fi
	read -r kind a b c d <<<"${pending[pick]}"
	unset 'pending[pick]'
	pending=("${pending[@]}")
	case $kind in
	debug) debug_job "$a" & ;;
	x86) boot "$a" "$b" "$c" "$d" & ;;
	demo) demo_boot & ;;
	install) install_boot & ;;
	esac
done
wait

# --- summary ------------------------------------------------------------------

# unexpected_skips KIND CONSOLE...: the skipped cases of these boots that
# selftests/vm/expected-skips does not list for lane KIND, one per line.
unexpected_skips() {
	local kind=$1 f line prog case why l p c ok
	shift
	for f in "$@"; do
		[[ -f $f ]] || continue
		# The debug lane nests run_tests.sh's TAP one "# " deeper.
		tr -d '\r' <"$f" | { [[ $kind != debug ]] && cat || sed 's/^# //'; } |
			awk -f "$VM_DIR/tap_skips.awk" | while read -r prog case why; do
			ok=0
			while read -r l p c _; do
				[[ -z $l || $l == \#* ]] && continue
				# shellcheck disable=SC2053 # globs on purpose
				if [[ $kind == $l && $prog == $p && $case == $c ]]; then
					ok=1
					break
				fi
			done <"$VM_DIR/expected-skips"
			((ok)) || echo "$kind: ${f#"$RESULTS"/}: $prog $case # SKIP $why"
		done
	done
}

total_pass=0 total_fail=0 total_skip=0
# result FILE: pass, fail, skip and note of a result file ("pass fail skip
# note"; a note is a boot failure, one failure more), added to the totals.
result() {
	read -r pass fail skip note <"$1" 2>/dev/null || { pass=0 fail=0 skip=0 note="no result"; }
	[[ -z $note ]] || fail=$((fail + 1))
	total_pass=$((total_pass + pass)) total_fail=$((total_fail + fail)) total_skip=$((total_skip + skip))
}
declare -gA CELL
for lane in "${LANES[@]}"; do
	for dpc in "${DESIGNS[@]}"; do
		if [[ -z ${PLANNED[$lane/$dpc]:-} ]]; then
			CELL[$lane/$dpc]="-"
			continue
		fi
		result "$RESULTS/$lane-$dpc/result"
		g=$(cat "$RESULTS/$lane-$dpc/group" 2>/dev/null || echo '?')
		CELL[$lane/$dpc]="$pass/$fail/$skip${note:+ !} ${g:0:1}"
	done
done
skips_bad=$(unexpected_skips x86 "$RESULTS"/*-*/console.log)
demo_result=skipped
if [[ ${DEMO:-1} != 0 ]]; then
	demo_result=$(cat "$RESULTS/demo/result" 2>/dev/null || echo "FAILED (no result)")
	if [[ $demo_result == ok ]]; then
		total_pass=$((total_pass + 1))
	else
		total_fail=$((total_fail + 1))
	fi
fi

echo
echo "ttydpc check (TIER=$TIER): passed/failed/skipped test cases per boot, then the tests it ran"
echo "(a = whole suite, d = design group only; ! = boot failure: $RESULTS/<lane>-<dpc>/result)"
printf '%-8s %-24s %-5s' lane kernel vcpus
for dpc in "${DESIGNS[@]}"; do printf ' %-16s' "$dpc"; done
echo
for lane in "${LANES[@]}"; do
	printf '%-8s %-24s %-5s' "$lane" "${REL[$lane]}" "$(lane_smp "$lane")"
	for dpc in "${DESIGNS[@]}"; do printf ' %-16s' "${CELL[$lane/$dpc]}"; done
	echo
	for dpc in "${DESIGNS[@]}"; do
		[[ -n ${PLANNED[$lane/$dpc]:-} ]] || continue
		read -r _ _ _ note <"$RESULTS/$lane-$dpc/result" 2>/dev/null || note=missing
		[[ -z $note ]] || echo "    ! $lane/$dpc: $note"
	done
done
[[ ${DEMO:-1} == 0 ]] || echo "demo shell on ttyDPC0: $demo_result"
if [[ $INSTALL_STAGE != 0 ]]; then
	for _ in $(seq 900); do
		[[ -e $RESULTS/dkms/done ]] && break
		sleep 1
	done
	result "$RESULTS/install/result"
	echo "install boot (make install's tree, ${LANES[0]}: modprobe, ttydpc-bind.service): $pass passed, $fail failed${note:+ ($note)} ($RESULTS/install.log)"
	result "$RESULTS/dkms/result"
	echo "DKMS builds ($DKMS_LANES) from the tracked files: $pass passed, $fail failed${note:+ ($note)} ($RESULTS/dkms.log)"
fi
if [[ -n $CONSOLE_JOB ]]; then
	result "$RESULTS/$CONSOLE_JOB-console/result"
	echo "console job ($CONSOLE_JOB, console=ttyDPC0, console.sh): $pass passed, $fail failed, $skip skipped${note:+ ! $note}"
fi
for a in "${arm_lanes[@]}"; do
	result "$RESULTS/$a/result"
	echo "$a lane (${ARM_DESC[$a]}): $pass passed, $fail failed, $skip skipped ($RESULTS/$a.log)"
	for b in "$RESULTS/$a"/*; do
		[[ ! -f $b/console.log ]] || skips_bad+=$'\n'$(unexpected_skips "$a/$(basename "$b")" "$b/console.log")
	done
done
for k in "${DKS[@]}"; do
	dl=$RESULTS/debug-$k.log
	read -r dp df ds < <(closing_parse 2>/dev/null <"$dl") || { dp=0 df=1 ds=0; }
	total_pass=$((total_pass + dp)) total_fail=$((total_fail + df)) total_skip=$((total_skip + ds))
	echo "debug-kernel lane $k (KASAN, lockdep, UBSAN, kmemleak; fuzz, stress): $dp passed, $df failed, $ds skipped ($dl)"
	# what the guest did (cycles, bytes, operations), every failure, the seed
	grep -E '^((not )?ok [0-9]+ .*guest: |not ok |# .*(seed|total|time:|moved))' "$dl" 2>/dev/null |
		sed 's/^/    /' || true
	skips_bad+=$'\n'$(unexpected_skips debug "$RESULTS/debug-$k"/console.log "$RESULTS/debug-$k"/*/console.log)
	[[ -f $RESULTS/debug-$k-console/result ]] || continue
	result "$RESULTS/debug-$k-console/result"
	echo "debug console job $k (console=ttyDPC0, console.sh with kgdb): $pass passed, $fail failed, $skip skipped${note:+ ! $note}"
	skips_bad+=$'\n'$(unexpected_skips debug-console "$RESULTS/debug-$k-console/console.log")
done
skips_bad=$(grep -v '^$' <<<"$skips_bad" || true)
if [[ -n $skips_bad ]]; then
	n=$(wc -l <<<"$skips_bad")
	echo "unexpected skips ($n; each counts as a failure; expected ones: selftests/vm/expected-skips):"
	sed 's/^/  /' <<<"$skips_bad"
	total_fail=$((total_fail + n))
fi

# Every failure once more, last: a CI log is often read from its tail.
failed_cases() {
	local d r
	for d in "$RESULTS"/*/ "$RESULTS"/arm*/*/; do
		r=$d/result
		[[ -f $r && -f $d/console.log ]] || continue
		read -r _ fail _ note <"$r" || continue
		[[ -n ${note:-} ]] && echo "${d#"$RESULTS"/}: $note"
		[[ ${fail:-0} != 0 ]] || continue
		tr -d '\r' <"$d/console.log" | grep -E '^[[:space:]#]*not ok [0-9]+' |
			sed -E "s|^[[:space:]#]*|${d#"$RESULTS"/}: |"
	done
	[[ ${DEMO:-1} == 0 || $demo_result == ok ]] || echo "demo shell: $demo_result"
	for d in install dkms; do
		grep -E '^not ok ' "$RESULTS/$d/tap.txt" 2>/dev/null | sed -E "s|^|$d: |" || true
	done
	for k in "${DKS[@]}"; do
		grep -E '^not ok ' "$RESULTS/debug-$k.log" 2>/dev/null | sed -E "s|^|debug lane $k: |" || true
	done
}
failed_list=$(failed_cases 2>/dev/null | sed 's|/: |: |' || true)
if [[ -n $failed_list ]]; then
	echo "failed ($(wc -l <<<"$failed_list") lines; logs under $RESULTS):"
	head -n 20 <<<"$failed_list" | cut -c1-200 | sed 's/^/  /'
fi
# Every stage's start after make check began and its wall time.
echo "stage times (start +s, wall s):"

for f in "$RESULTS"/times/*; do
	[[ -f $f ]] || continue
	read -r line <"$f"
	wall=${line##* }
	rest=${line% *}
	start=${rest##* }
	name=${rest% *}
	printf '%6d %6d  %s\n' "$start" "$wall" "$name"
done | sort -n | awk '{ printf "  +%-6s %5ss  ", $1, $2; $1 = ""; $2 = ""; sub(/^  /, ""); print }'
for a in "${arm_lanes[@]}"; do
	[[ ! -s $RESULTS/$a.stages ]] || echo "  ($a lane inside: $(cat "$RESULTS/$a.stages"))"
done
echo "time: $(($(date +%s) - t_start))s"
closing_count "$total_pass" "$total_fail" "$total_skip"
}
main "$@"; exit
