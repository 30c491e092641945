#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check.sh: the whole ttydpc suite in QEMU (`make check`).
#
# For each kernel lane in KERNELS and each DPC design in DPCS: build
# ttydpc.ko against the lane's headers, boot the test VM in check mode with
# the host peer attached, collect the TAP output of selftests/ttydpc and scan
# the guest's dmesg for warnings. Then boot once in demo mode and check that
# a shell answers on ttyDPC0. Prints a per-lane table and a last line
# "N passed, N failed"; exits non-zero on any failure.
#
# Environment:
#   KERNELS="6.1 6.12 6.12-rt" lanes (lib.sh: lane_release)
#   DPCS="isr custom both"    designs (ttydpc.dpc=)
#   RESULTS=build/check       logs: <lane>-<dpc>/{console,peer,trace,qemu}.log
#   BOOT_TIMEOUT=900          seconds per boot (the guest stops its tests 30 s
#                             earlier so that dmesg still gets printed)
#   SKIP_DEPS=1               do not run deps.sh
#   DEMO=0                    skip the demo-mode boot
#   ARM=0|armhf|arm64         leave out the ARM lanes, or run one
#   DEBUG=0                   leave out the debug-kernel lane
#                             (selftests/debug/check-debug.sh) at its
#                             full counts: 64 MiB soak each way, its VM
#                             started at nice 19 beside the other lanes
#                             when the debug kernel is cached (else the
#                             kernel builds there at nice 19, and the soak
#                             moves 16 MiB after them); the other stages
#                             in one VM after the other lanes. Its knobs,
#                             e.g. REBIND, SOAK, STAGES, pass through. Its
#                             fuzz/traffic SEED is fixed here (724555630)
#                             so that a make check result replays; make
#                             check-debug draws a random one each run.
#   EARLY_SOAK=0              the soak's VM waits for the other lanes too
#   JOBS=nproc/VM_SMP         boots at a time (JOBS=1: quieter timings)
#   VM_SMP, VM_MEM            see run-vm.sh
# For harness development (selftest.sh uses them):
#   NO_MODULE=1               boot without ttydpc.ko
#   SELFTESTS=DIR|none        prebuilt selftests directory, or none
#   CHECK_APPEND="..."        extra kernel command line for every boot
#                             (e.g. TTYDPC_RACE_RMMOD=3 for quicker races.sh)
#   CHECK_EXTRA="f1 f2"       extra programs for the initramfs (/usr/bin)
set -euo pipefail
# shellcheck source=selftests/vm/lib.sh
. "$(dirname "$0")/lib.sh"

read -r -a LANES <<<"${KERNELS:-6.1 6.12 6.12-rt}"
read -r -a DESIGNS <<<"${DPCS:-isr custom both}"
RESULTS=${RESULTS:-$TOP_DIR/build/check}
BOOT_TIMEOUT=${BOOT_TIMEOUT:-900}
read -r -a EXTRA <<<"${CHECK_EXTRA:-}"
# Fatal patterns in the guest's dmesg (selftests/vm/README).
FATAL='WARNING:|BUG:|Oops|lockdep|KASAN|UBSAN|general protection|Call Trace|Kernel panic'

t_start=$(date +%s)
[[ ${SKIP_DEPS:-0} == 1 ]] || "$VM_DIR/deps.sh" "${LANES[@]}"

mkdir -p "$RESULTS"
RESULTS=$(cd "$RESULTS" && pwd)

# The debug lane's kernel (cached under ~/.cache/ttydpc after the first
# build) compiles in the background, at the lowest priority, while the
# boots below run: it takes idle cycles only, and check-debug.sh finds it
# built (or waits on the cache's lock). Detached, so that the boots' own
# `wait` does not wait for it.
DEBUG_DIR=$TOP_DIR/selftests/debug
# CI's 90 min decide how the soak runs. Measured (2 cores, TCG): the x86
# and ARM lanes 37-40 min with both cores 20-35% idle (their guests wait
# on timeouts, the host peer, rebinds); the suite, rebind and reload VM
# 31-33 min; the soak 41 KiB/s each way alone, 16-30 beside another VM.
# Run after the other lanes, 64 MiB made make check 81 min; 32 MiB, 70.
# So with the kernel cached, the soak's VM boots now, at nice 19, and
# takes the other lanes' idle cycles (the boots took no longer); it gets a
# normal share once they end, beside the VM that runs the rest of the
# lane. Measured (2026-11-25, .ci/run on a clean clone): the x86 and ARM
# lanes 34.7 min, the soak 20 MiB each way by then and 64 MiB after
# 70 min, the other VM 34 min; make check 73 min.
# A cold cache builds the kernel (41-50 min at nice 19) in that time
# instead; then the soak runs after the other lanes as make check-debug
# runs it, at 16 MiB, and says so. SOAK= sets the size, EARLY_SOAK=0
# keeps the soak for the end.
DEBUG_SOAK=64M
EARLY_SOAK=${EARLY_SOAK:-1}
if [[ ${DEBUG:-1} != 0 ]]; then
	if [[ -z $("$DEBUG_DIR/build-kernel.sh" -p 2>/dev/null) ]]; then
		DEBUG_SOAK=16M EARLY_SOAK=0
		log "debug kernel not cached: it builds first, and the debug lane's soak is ${SOAK:-16M} each way, not 64M"
	fi
	# Back to nice 0 later needs root (CI runs as root).
	((EUID == 0)) || EARLY_SOAK=0
	[[ ${SKIP_DEPS:-0} == 1 ]] || "$DEBUG_DIR/build-kernel.sh" -d
	( (nice -n 19 "$DEBUG_DIR/build-kernel.sh" >"$RESULTS/debug-kernel.log" 2>&1 &) )
else
	EARLY_SOAK=0
fi
DEBUG_SEED=${SEED:-724555630}
# STAGES (check-debug.sh's) without the soak, for the VM that runs them.
DEBUG_STAGES=${STAGES:-suite,rebind,reload,soak,fuzz}
[[ ,$DEBUG_STAGES, == *,soak,* ]] || EARLY_SOAK=0
DEBUG_MAIN_STAGES=$(tr , '\n' <<<"$DEBUG_STAGES" | { grep -vx soak || true; } | paste -sd, -)

# kill_tree PID: PID and its descendants, children first (run-vm.sh's own
# trap then stops its QEMU).
kill_tree() {
	local c
	for c in $(pgrep -P "$1" 2>/dev/null); do
		kill_tree "$c"
	done
	kill "$1" 2>/dev/null || true
}

# renice_tree PRIO PID: PID, its descendants and all their threads (nice
# is per thread: QEMU's vCPU thread must move too).
renice_tree() {
	local prio=$1 pid=$2 c t
	for t in /proc/"$pid"/task/*; do
		renice -n "$prio" -p "${t##*/}" >/dev/null 2>&1 || true
	done
	for c in $(pgrep -P "$pid" 2>/dev/null); do
		renice_tree "$prio" "$c"
	done
}

# --- build --------------------------------------------------------------------

case ${SELFTESTS:-} in
none) tests_dir= ;;
'')
	tests_dir=$RESULTS/selftests
	rm -rf "$tests_dir"
	build_selftests "$tests_dir"
	;;
*) tests_dir=$(cd "$SELFTESTS" && pwd) ;;
esac

declare -A REL INITRD LANE_ERR
for lane in "${LANES[@]}"; do
	REL[$lane]=$(lane_release "$lane")
	ldir=$RESULTS/lanes/$lane
	mkdir -p "$ldir"
	[[ -s $(kernel_image "${REL[$lane]}") ]] || die "no kernel image for ${REL[$lane]} (make deps)"
	args=(-o "$ldir/initrd.cpio")
	[[ -n $tests_dir ]] && args+=(-t "$tests_dir")
	for f in "${EXTRA[@]}"; do args+=(-x "$f"); done
	if [[ ${NO_MODULE:-0} != 1 ]]; then
		# A lane whose module does not build fails its boots; the other
		# lanes still run.
		if ! (build_module "${REL[$lane]}" "$ldir"); then
			LANE_ERR[$lane]="module build failed (log: $ldir/build.log)"
			continue
		fi
		args+=(-k "$ldir/ttydpc.ko")
	fi
	"$VM_DIR/mkinitramfs.sh" "${args[@]}"
	INITRD[$lane]=$ldir/initrd.cpio
done

# The debug lane's soak VM, early and at nice 19 (see DEBUG_SOAK above).
# It starts after the selftests build, which fills the shared kselftest
# header cache.
if ((EARLY_SOAK)); then
	mkdir -p "$RESULTS/debug"
	log "debug lane: the soak's VM starts now at nice 19 (log: $RESULTS/debug/soak.log)"
	# Detached: the boots' throttle and `wait` must not count it.
	( (exec env SKIP_DEPS=1 SPLIT=none STAGES=soak SOAK="${SOAK:-$DEBUG_SOAK}" \
		SEED="$DEBUG_SEED" BOOT_TIMEOUT="${SOAK_BOOT_TIMEOUT:-4800}" \
		SILENCE_TIMEOUT=1800 RESULTS="$RESULTS/debug/soak" \
		nice -n 19 "$DEBUG_DIR/check-debug.sh" >"$RESULTS/debug/soak.log" 2>&1 </dev/null) &
	  echo $! >"$RESULTS/debug/soak.pid" )
	soak_pid=$(cat "$RESULTS/debug/soak.pid")
	# An interrupted make check takes the soak's VM with it.
	trap '[[ -z $soak_pid ]] || kill_tree "$soak_pid"' EXIT
fi

# --- boots --------------------------------------------------------------------

# analyse DIR: reads DIR/console.log (and DIR/timeout), prints
# "pass fail skip note" and writes DIR/result.
analyse() {
	local dir=$1 log tap pass fail skip plan top note=
	log=$(tr -d '\r' <"$dir/console.log")
	tap=$(sed -n '/^==== ttydpc: selftests begin ====$/,/^==== ttydpc: selftests end/p' <<<"$log")
	printf '%s\n' "$tap" >"$dir/tap.txt"
	# run_tests.sh ends with its own count of test cases, taken from the
	# nested TAP of every program: "N passed, N failed, N skipped". Without
	# it, count the top-level TAP results ("ok N" / "not ok N", also
	# indented TAP 14 subtests, never "# "-commented nested output).
	local sum
	sum=$(grep -E '^[0-9]+ passed, [0-9]+ failed' <<<"$tap" | tail -n1 || true)
	if [[ -n $sum ]]; then
		pass=$(sed -E 's/^([0-9]+) passed.*/\1/' <<<"$sum")
		fail=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$sum")
		skip=$(sed -nE 's/.* ([0-9]+) skipped.*/\1/p' <<<"$sum")
		skip=${skip:-0}
		# Never fewer failures than failed programs.
		top=$(grep -cE '^not ok [0-9]+' <<<"$tap" || true)
		((fail >= top)) || fail=$top
	else
		pass=$(grep -E '^[[:space:]]*ok [0-9]+' <<<"$tap" | grep -ciE -v '#[[:space:]]*skip' || true)
		skip=$(grep -E '^[[:space:]]*ok [0-9]+' <<<"$tap" | grep -ciE '#[[:space:]]*skip' || true)
		fail=$(grep -cE '^[[:space:]]*not ok [0-9]+' <<<"$tap" || true)
	fi
	if [[ -e $dir/timeout ]]; then
		note="timeout after ${BOOT_TIMEOUT}s"
	elif ! grep -q '^==== ttydpc: selftests begin ====$' <<<"$log"; then
		note="no selftests start (boot failed)"
	elif ! grep -q '^==== ttydpc: selftests end' <<<"$log"; then
		note="selftests did not finish (crash?)"
	elif grep -q '^==== ttydpc: selftests killed after' <<<"$log"; then
		note="selftests $(grep -m1 -o 'killed after [0-9]*s' <<<"$log") (guest timeout)"
	elif ! grep -q '^==== ttydpc: dmesg end ====$' <<<"$log"; then
		note="no dmesg dump"
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
	# The guest's dmesg dump, or the whole console if it never came.
	local dm
	if grep -q '^==== ttydpc: dmesg end ====$' <<<"$log"; then
		dm=$(sed -n '/^==== ttydpc: dmesg begin ====$/,/^==== ttydpc: dmesg end ====$/p' <<<"$log")
	else
		dm=$log
	fi
	if grep -qE "$FATAL" <<<"$dm"; then
		note="${note:+$note; }kernel: $(grep -m1 -oE "$FATAL" <<<"$dm") in dmesg"
		grep -nE -B2 -A20 "$FATAL" <<<"$dm" | head -n 60 >"$dir/dmesg-fatal.txt"
	fi
	printf '%s %s %s %s\n' "$pass" "$fail" "$skip" "$note"
}

# boot LANE DESIGN: one check-mode boot; leaves "pass fail skip note" in
# $RESULTS/LANE-DESIGN/result. Runs as a background job when JOBS > 1.
boot() {
	local lane=$1 dpc=$2 dir res pass fail skip note t0
	dir=$RESULTS/$lane-$dpc
	rm -rf "$dir"
	mkdir -p "$dir"
	t0=$(date +%s)
	if [[ -n ${LANE_ERR[$lane]:-} ]]; then
		res="0 0 0 ${LANE_ERR[$lane]}"
	else
		log "boot $lane (${REL[$lane]}) dpc=$dpc"
		"$VM_DIR/run-vm.sh" -p -t "$BOOT_TIMEOUT" -o "$dir" \
			-k "$(kernel_image "${REL[$lane]}")" -i "${INITRD[$lane]}" \
			-a "ttydpc.dpc=$dpc ttydpc_mode=check ttydpc_timeout=$((BOOT_TIMEOUT - 30)) ${CHECK_APPEND:-}" ||
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
}

# demo_boot: boots in demo mode and types a command into the shell on
# ttyDPC0 (hostpeer.py --demo-check); leaves ok / FAILED in $RESULTS/demo/result.
demo_boot() {
	local lane=${LANES[0]} dpc=${DESIGNS[0]} dir=$RESULTS/demo vm res sock
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
}

# Boots run JOBS at a time. TCG runs each vCPU in a host thread, so by
# default as many VMs as there are cores for their vCPUs (2 on 2 cores with
# VM_SMP=1: a default run takes half the time). JOBS=1 for quiet timings.
JOBS=${JOBS:-$(($(nproc) / ${VM_SMP:-1}))}
((JOBS >= 1)) || JOBS=1
throttle() {
	while (($(jobs -rp | wc -l) >= JOBS)); do
		wait -n || true
	done
}
for lane in "${LANES[@]}"; do
	for dpc in "${DESIGNS[@]}"; do
		throttle
		boot "$lane" "$dpc" &
	done
done
if [[ ${DEMO:-1} != 0 ]]; then
	throttle
	demo_boot &
fi
wait

# --- summary ------------------------------------------------------------------

total_pass=0 total_fail=0 total_skip=0
declare -A CELL
for lane in "${LANES[@]}"; do
	for dpc in "${DESIGNS[@]}"; do
		read -r pass fail skip note <"$RESULTS/$lane-$dpc/result" || pass=0 fail=0 skip=0 note=missing
		# A boot failure counts as one failure more.
		[[ -z $note ]] || fail=$((fail + 1))
		total_pass=$((total_pass + pass))
		total_fail=$((total_fail + fail))
		total_skip=$((total_skip + skip))
		CELL[$lane/$dpc]="$pass/$fail/$skip${note:+ !}"
	done
done
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
echo "ttydpc check: passed/failed/skipped test cases per boot (! = boot failure: $RESULTS/<lane>-<dpc>/result)"
printf '%-8s %-24s' lane kernel
for dpc in "${DESIGNS[@]}"; do printf ' %-14s' "$dpc"; done
echo
for lane in "${LANES[@]}"; do
	printf '%-8s %-24s' "$lane" "${REL[$lane]}"
	for dpc in "${DESIGNS[@]}"; do printf ' %-14s' "${CELL[$lane/$dpc]}"; done
	echo
	for dpc in "${DESIGNS[@]}"; do
		read -r _ _ _ note <"$RESULTS/$lane-$dpc/result" 2>/dev/null || note=missing
		[[ -z $note ]] || echo "    ! $lane/$dpc: $note"
	done
done
echo "demo shell on ttyDPC0: $demo_result"
# The ARM lanes, side by side: armhf (QEMU orangepi-pc, device tree) and
# arm64 (QEMU virt, PCI). ARM=0 leaves both out, ARM=armhf or ARM=arm64
# runs one.
if [[ ${ARM:-1} != 0 ]]; then
	arm_args=()
	[[ ${SKIP_DEPS:-0} == 1 ]] && arm_args+=(--no-deps)
	declare -A ARM_LANE=([armhf]=lane.sh [arm64]=lane64.sh)
	declare -A ARM_DESC=([armhf]="orangepi-pc, device tree" [arm64]="virt, PCI")
	arm_lanes=(armhf arm64)
	[[ ${ARM:-1} == 1 ]] || arm_lanes=("$ARM")
	for a in "${arm_lanes[@]}"; do
		[[ -n ${ARM_LANE[$a]:-} ]] || die "ARM=$a: armhf, arm64, 0 or 1"
		"$VM_DIR/arm/${ARM_LANE[$a]}" --out "$RESULTS/$a" "${arm_args[@]}" >"$RESULTS/$a.log" 2>&1 &
	done
	wait
	for a in "${arm_lanes[@]}"; do
		read -r ap af as <"$RESULTS/$a/result" 2>/dev/null || { ap=0 af=1 as=0; }
		total_pass=$((total_pass + ap)) total_fail=$((total_fail + af)) total_skip=$((total_skip + as))
		echo "$a lane (${ARM_DESC[$a]}): $ap passed, $af failed, $as skipped ($RESULTS/$a.log)"
	done
fi
# The debug-kernel lane: KASAN, lockdep, UBSAN, DEBUG_OBJECTS, kmemleak;
# the suite, fuzzing, unbind/bind and rmmod/insmod under traffic, a long
# checksummed transfer (selftests/debug/README). Last, as the other lanes'
# VMs are done: with the soak's VM already running (now at a normal
# share), the rest in one VM beside it; else both VMs now, side by side.
if [[ ${DEBUG:-1} != 0 ]]; then
	if ((EARLY_SOAK)); then
		renice_tree 0 "$soak_pid"
		log "debug-kernel lane: the soak runs since the start; the other stages now (log: $RESULTS/debug/main.log)"
		dlogs=()
		if [[ -n $DEBUG_MAIN_STAGES ]]; then
			SKIP_DEPS=${SKIP_DEPS:-0} SPLIT=none STAGES=$DEBUG_MAIN_STAGES \
				RESULTS=$RESULTS/debug/main BOOT_TIMEOUT=${DEBUG_BOOT_TIMEOUT:-3600} \
				SEED=$DEBUG_SEED "$DEBUG_DIR/check-debug.sh" \
				>"$RESULTS/debug/main.log" 2>&1 </dev/null || true
			dlogs+=("$RESULTS/debug/main.log")
		fi
		log "debug-kernel lane: waiting for the soak (log: $RESULTS/debug/soak.log)"
		while kill -0 "$soak_pid" 2>/dev/null; do sleep 5; done
		soak_pid=
		dlogs+=("$RESULTS/debug/soak.log")
	else
		log "debug-kernel lane (log: $RESULTS/debug.log)"
		SKIP_DEPS=${SKIP_DEPS:-0} RESULTS=$RESULTS/debug BOOT_TIMEOUT=${DEBUG_BOOT_TIMEOUT:-3600} \
			SOAK=${SOAK:-$DEBUG_SOAK} SEED=$DEBUG_SEED \
			"$DEBUG_DIR/check-debug.sh" >"$RESULTS/debug.log" 2>&1 </dev/null || true
		dlogs=("$RESULTS/debug.log")
	fi
	dp=0 df=0 ds=0
	for dl in "${dlogs[@]}"; do
		dsum=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$dl" 2>/dev/null | tail -n1 || true)
		if [[ -z $dsum ]]; then
			df=$((df + 1))
			continue
		fi
		dp=$((dp + $(sed -nE 's/^([0-9]+) passed.*/\1/p' <<<"$dsum")))
		df=$((df + $(sed -nE 's/.* ([0-9]+) failed.*/\1/p' <<<"$dsum")))
		n=$(sed -nE 's/.* ([0-9]+) skipped.*/\1/p' <<<"$dsum")
		ds=$((ds + ${n:-0}))
	done
	total_pass=$((total_pass + dp)) total_fail=$((total_fail + df)) total_skip=$((total_skip + ds))
	echo "debug-kernel lane (KASAN, lockdep, fuzz, stress): $dp passed, $df failed, $ds skipped (${dlogs[*]})"
	# what the guests did (cycles, bytes, operations), every failure, seeds
	for dl in "${dlogs[@]}"; do
		vm=
		((${#dlogs[@]} == 1)) || vm="$(basename "$dl" .log): "
		grep -E '^((not )?ok [0-9]+ .*guest: |not ok |# .*(seed|total|time:))' "$dl" 2>/dev/null |
			sed "s/^/    $vm/" || true
	done
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
	[[ ${DEBUG:-1} == 0 ]] || grep -H -E '^not ok ' "${dlogs[@]}" 2>/dev/null |
		sed -E 's|^.*/([a-z]+)\.log:|debug lane (\1): |' || true
}
failed_list=$(failed_cases 2>/dev/null | sed 's|/: |: |' || true)
if [[ -n $failed_list ]]; then
	echo "failed ($(wc -l <<<"$failed_list") lines; logs under $RESULTS):"
	head -n 16 <<<"$failed_list" | cut -c1-200 | sed 's/^/  /'
fi
echo "time: $(($(date +%s) - t_start))s"
if ((total_skip)); then
	echo "$total_pass passed, $total_fail failed, $total_skip skipped"
else
	echo "$total_pass passed, $total_fail failed"
fi
((total_fail == 0))
