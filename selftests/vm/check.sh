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
#   DEBUG=0                   leave out the debug-kernel lane. It runs
#                             last (selftests/debug/check-debug.sh, at its
#                             full counts but the soak: 32 MiB each way,
#                             16 MiB when its kernel was not cached, not
#                             make check-debug's 64 MiB; its knobs, e.g.
#                             REBIND, SOAK, pass through; its kernel builds
#                             at nice 19 while the other lanes run). Its
#                             fuzz/traffic SEED is fixed here (724555630)
#                             so that a make check result replays; make
#                             check-debug draws a random one each run.
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
# CI's 90 min decide the soak's size here; make check-debug moves the
# issue's 64 MiB each way. Measured (2 cores, TCG): the x86 and ARM lanes
# 33-38 min, then the debug lane's two VMs side by side, the suite, rebind
# and reload VM 31-32 min, the soak VM at 16-30 KiB/s each way (slower
# while the other VM's stress runs). A 64 MiB soak made it the long pole
# at 43 min and make check took 81 min: too close to 90. 32 MiB (18-34 min)
# ends about when the other VM does, so the lane adds at most a few
# minutes to it: make check 70-75 min. A cold cache adds the
# kernel build (41-50 min at nice 19 beside the other lanes) before the
# lane can start; then the soak moves 16 MiB, and says so. SOAK= sets it.
DEBUG_SOAK=32M
if [[ ${DEBUG:-1} != 0 ]]; then
	if [[ -z $("$DEBUG_DIR/build-kernel.sh" -p 2>/dev/null) ]]; then
		DEBUG_SOAK=16M
		log "debug kernel not cached: it builds first, and the debug lane's soak is ${SOAK:-16M} each way, not 32M"
	fi
	[[ ${SKIP_DEPS:-0} == 1 ]] || "$DEBUG_DIR/build-kernel.sh" -d
	( (nice -n 19 "$DEBUG_DIR/build-kernel.sh" >"$RESULTS/debug-kernel.log" 2>&1 &) )
fi

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
# checksummed transfer (selftests/debug/README). Last and alone: its two
# VMs take both cores.
if [[ ${DEBUG:-1} != 0 ]]; then
	log "debug-kernel lane (log: $RESULTS/debug.log)"
	SKIP_DEPS=${SKIP_DEPS:-0} RESULTS=$RESULTS/debug BOOT_TIMEOUT=${DEBUG_BOOT_TIMEOUT:-3600} \
		SOAK=${SOAK:-$DEBUG_SOAK} SEED=${SEED:-724555630} \
		"$DEBUG_DIR/check-debug.sh" >"$RESULTS/debug.log" 2>&1 || true
	dsum=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$RESULTS/debug.log" | tail -n1 || true)
	dp=$(sed -nE 's/^([0-9]+) passed.*/\1/p' <<<"$dsum")
	df=$(sed -nE 's/.* ([0-9]+) failed.*/\1/p' <<<"$dsum")
	ds=$(sed -nE 's/.* ([0-9]+) skipped.*/\1/p' <<<"$dsum")
	dp=${dp:-0} df=${df:-1} ds=${ds:-0}
	total_pass=$((total_pass + dp)) total_fail=$((total_fail + df)) total_skip=$((total_skip + ds))
	echo "debug-kernel lane (KASAN, lockdep, fuzz, stress): $dp passed, $df failed, $ds skipped ($RESULTS/debug.log)"
	# what the guests did (cycles, bytes, operations), every failure, seeds
	grep -E '^((not )?ok [0-9]+ .*guest: |not ok |# .*(seed|total|time:))' "$RESULTS/debug.log" |
		sed 's/^/    /' || true
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
	[[ ${DEBUG:-1} == 0 ]] || grep -E '^not ok ' "$RESULTS/debug.log" | sed 's/^/debug lane: /' || true
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
