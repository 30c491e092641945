#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check-debug.sh: `make check-debug`, ttydpc under a debug kernel.
#
# Builds (or takes from the cache) the debug kernel (build-kernel.sh:
# KASAN, lockdep, UBSAN, DEBUG_OBJECTS, KMEMLEAK, DEBUG_LIST on tinyconfig),
# ttydpc.ko against it, boots the test VM (run-vm.sh, host peer attached)
# and runs run_debug.sh in the guest: the suite, unbind/bind and
# rmmod/insmod cycles under traffic, a checksummed soak, the fuzzer, then a
# kmemleak scan. Any report in the guest's kernel log is a failure, saved
# whole with ttydpc frames decoded in RESULTS/reports.txt. Prints TAP, the
# stage times ("# time: ...") and "N passed, N failed[, N skipped]".
#
# Environment (defaults and timings: selftests/debug/README): SEED (random,
# printed; SEED=<seed> replays), FUZZ_OPS, FUZZ_THREADS, FUZZ_EXCLUDE,
# REBIND, RELOAD, RELOAD_CLOSED=1, SUITE (run_tests.sh names, comma list),
# SOAK (bytes each way), SOAK_SECS (bound the soak by time instead),
# DEBUG_KERNEL (6.1|6.12, or -k), STAGES (suite,rebind,reload,soak,fuzz),
# SPLIT (stage groups, one VM each, side by side, ':'-separated), DPC,
# RESULTS, BOOT_TIMEOUT, VM_MEM, VM_SMP, DEBUG_APPEND, SILENCE_TIMEOUT,
# TTYDPC_CACHE, SKIP_DEPS=1; DEV_KDIR/DEV_BZIMAGE (harness work: another
# kernel).
set -euo pipefail
# The whole script is one function, read before it runs: editing this file
# while a run is going does not disturb it.
main() {
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=selftests/vm/lib.sh
. "$HERE/../vm/lib.sh"

while getopts k: opt; do
	case $opt in
	k) DEBUG_KERNEL=$OPTARG ;;
	*) die "usage: check-debug.sh [-k 6.1|6.12]" ;;
	esac
done
export DEBUG_KERNEL=${DEBUG_KERNEL:-6.1}
RESULTS=${RESULTS:-$TOP_DIR/build/check-debug}
SEED=${SEED:-$(( $(od -An -N4 -tu4 /dev/urandom) % 1000000000 ))}
FUZZ_OPS=${FUZZ_OPS:-10000}
FUZZ_THREADS=${FUZZ_THREADS:-4}
REBIND=${REBIND:-500}
RELOAD=${RELOAD:-200}
SOAK_SECS=${SOAK_SECS:-}
SOAK=${SOAK-}
[[ -n $SOAK || -n $SOAK_SECS ]] || SOAK=64M
STAGES=${STAGES:-suite,rebind,reload,soak,fuzz}
DPC=${DPC:-both}
BOOT_TIMEOUT=${BOOT_TIMEOUT:-3600}
# Two stage groups of about equal length on a machine with two cores or more.
SPLIT=${SPLIT:-$( (($(nproc) >= 2)) && echo "suite,rebind,reload:soak,fuzz" || echo none)}
export VM_MEM=${VM_MEM:-1536}

t_start=$(date +%s)
mkdir -p "$RESULTS"
RESULTS=$(cd "$RESULTS" && pwd)
# Host-side checks, printed as TAP at the end.
HOST_TAP=()
host_ok() { HOST_TAP+=("ok|$*"); }
host_nok() { HOST_TAP+=("not ok|$*"); }
kernel_failed() {
	printf '%s\n' "TAP version 13" "1..1" "not ok 1 debug kernel build (see the messages above)"
	closing_count 0 1
}

# What the VM needs on the host (build-kernel.sh installs the build's own).
[[ ${SKIP_DEPS:-0} == 1 ]] || need_pkgs qemu-system-x86 busybox-static picocom python3 cpio kmod \
	gcc make libc6-dev binutils xz-utils "linux-source-$DEBUG_KERNEL"

# --- 0. one VM per stage group -------------------------------------------------
# A one-vCPU TCG guest uses one host core: SPLIT runs stage groups in VMs
# side by side, each judged on its own kernel log (RESULTS/<group>/). The
# kernel is built (or found) once, first.
split_run() {
	local groups=("$@") g i pids=() names=() rc
	if [[ -z ${DEV_KDIR:-} ]] && ! "$HERE/build-kernel.sh" >/dev/null; then
		kernel_failed
		return 1
	fi
	for g in "${groups[@]}"; do
		names+=("${g//,/-}")
		log "VM ${names[-1]}: stages $g (log: $RESULTS/${names[-1]}.log)"
		TTYDPC_DEBUG_CHILD=1 SPLIT=none SKIP_DEPS=1 STAGES=$g SEED=$SEED \
			FUZZ_OPS=$FUZZ_OPS FUZZ_THREADS=$FUZZ_THREADS REBIND=$REBIND \
			RELOAD=$RELOAD SOAK=$SOAK SOAK_SECS=$SOAK_SECS DPC=$DPC BOOT_TIMEOUT=$BOOT_TIMEOUT \
			RESULTS=$RESULTS/${names[-1]} "$HERE/check-debug.sh" \
			>"$RESULTS/${names[-1]}.log" 2>&1 &
		pids+=($!)
	done
	rc=0
	for i in "${!pids[@]}"; do
		wait "${pids[i]}" || rc=1
	done
	# The children's TAP, one numbering; their "N passed" lines summed.
	local n=0 pass=0 fail=0 skip=0 line p f s
	local out=()
	for i in "${!names[@]}"; do
		local clog=$RESULTS/${names[i]}.log
		if ! read -r p f s < <(closing_parse <"$clog"); then
			n=$((n + 1)) fail=$((fail + 1))
			out+=("not ok $n ${names[i]}: no result (log: $clog)")
			continue
		fi
		pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
		while IFS= read -r line; do
			if [[ $line =~ ^(not\ ok|ok)\ [0-9]+\ (.*)$ ]]; then
				n=$((n + 1))
				out+=("${BASH_REMATCH[1]} $n ${names[i]}: ${BASH_REMATCH[2]}")
			else
				out+=("# ${names[i]}: ${line#\# }")
			fi
		done < <(sed -n '/^TAP version 13$/,$p' "$clog" | grep -E '^((not )?ok [0-9]+ |# )')
	done
	echo
	echo "TAP version 13"
	echo "1..$n"
	printf '%s\n' "${out[@]}"
	echo "# total $(($(date +%s) - t_start))s, ${#names[@]} VMs side by side"
	closing_count "$pass" "$fail" "$skip" && ((rc == 0))
}
# The groups, each cut down to the stages asked for (STAGES).
split_groups=()
if [[ -z ${TTYDPC_DEBUG_CHILD:-} && $SPLIT != none ]]; then
	IFS=: read -r -a sg <<<"$SPLIT"
	for g in "${sg[@]}"; do
		kept=
		IFS=, read -r -a st <<<"$g"
		for x in "${st[@]}"; do
			[[ ,$STAGES, == *",$x,"* ]] && kept=${kept:+$kept,}$x
		done
		[[ -z $kept ]] || split_groups+=("$kept")
	done
fi
if ((${#split_groups[@]} > 1)); then
	split_run "${split_groups[@]}"
	return
fi

# --- 1. the debug kernel ------------------------------------------------------
t0=$(date +%s)
was_cached=$("$HERE/build-kernel.sh" -p 2>/dev/null || true)
if [[ -n ${DEV_KDIR:-} ]]; then
	ENTRY=$RESULTS/dev-kernel
	mkdir -p "$ENTRY/src/scripts"
	ln -sfn "$DEV_KDIR" "$ENTRY/obj"
	echo "dev-$(basename "$DEV_KDIR")" >"$ENTRY/key"
elif ! ENTRY=$("$HERE/build-kernel.sh"); then
	kernel_failed
	exit 1
fi
KDIR=$ENTRY/obj
BZIMAGE=${DEV_BZIMAGE:-$KDIR/arch/x86/boot/bzImage}
t_kernel=$(($(date +%s) - t0))
built=$(cat "$ENTRY/build-seconds" 2>/dev/null || echo '?')
if [[ -n ${DEV_KDIR:-} ]]; then
	host_ok "kernel $(cat "$ENTRY/key") (DEV_KDIR: not the debug kernel)"
elif [[ -z $was_cached ]]; then
	host_ok "debug kernel $(cat "$ENTRY/key"): built in ${t_kernel}s"
else
	host_ok "debug kernel $(cat "$ENTRY/key"): cached (its build took ${built}s)"
fi

# --- 2. ttydpc.ko against it --------------------------------------------------
t0=$(date +%s)
# A private copy of the module sources (never the developer's tree), built
# with -g so that report frames in ttydpc decode to file:line.
mod=$RESULTS/module
rm -rf "$mod"
mkdir -p "$mod/src"
tar -C "$TOP_DIR" -cf - Kbuild Makefile VERSION src include | tar -C "$mod/src" -xf -
if make -C "$KDIR" M="$mod/src" KCFLAGS=-g modules >"$mod/build.log" 2>&1; then
	cp "$mod/src/ttydpc.ko" "$mod/ttydpc-debuginfo.ko"
	strip --strip-debug -o "$mod/ttydpc.ko" "$mod/src/ttydpc.ko"
	nwarn=$(grep -c 'warning:' "$mod/build.log" || true)
	grep -E 'warning:' "$mod/build.log" >&2 || true
	host_ok "ttydpc.ko built against the debug kernel ($nwarn warnings)"
else
	tail -n 40 "$mod/build.log" >&2
	host_nok "ttydpc.ko built against the debug kernel (log: $mod/build.log)"
fi

# --- 3. guest programs and initramfs --------------------------------------------
tests=$RESULTS/selftests
rm -rf "$tests"
ok_build=1
(build_selftests "$tests") || ok_build=0
if ((ok_build)) && ! make -s -C "$HERE" OUTPUT="$tests" >"$RESULTS/debug-progs.log" 2>&1; then
	cat "$RESULTS/debug-progs.log" >&2
	ok_build=0
fi
if ((ok_build)) && [[ -f $mod/ttydpc.ko ]] &&
	"$VM_DIR/mkinitramfs.sh" -o "$RESULTS/initrd.cpio" -k "$mod/ttydpc.ko" -t "$tests" \
		-p "$(readlink -f /usr/bin/python3)"; then
	host_ok "selftests, ttydpc_fuzz, ttydpc_stress and the initramfs built"
else
	host_nok "selftests, ttydpc_fuzz, ttydpc_stress and the initramfs built"
fi

t_prep=$(($(date +%s) - t0))

# --- 4. the run -----------------------------------------------------------------
# silence_watch PID DIR: a guest silent (console, kernel log) for
# SILENCE_TIMEOUT seconds is wedged past its own watchdogs: QEMU's view of
# the vCPU and interrupt controllers into DIR/qemu-state.txt, end the run.
silence_watch() {
	local pid=$1 dir=$2 last=-1 size quiet=0 limit=${SILENCE_TIMEOUT:-600}
	while kill -0 "$pid" 2>/dev/null; do
		sleep 10
		size=$(cat "$dir/console.log" "$dir/kmsg.log" 2>/dev/null | wc -c)
		if [[ $size != "$last" ]]; then
			last=$size quiet=0
			continue
		fi
		quiet=$((quiet + 10))
		((quiet >= limit)) || continue
		log "guest silent for ${limit}s: saving QEMU state, ending the run"
		python3 - "$(cat "$dir/sockdir")/qmp" >"$dir/qemu-state.txt" 2>&1 <<-'EOF' || true
			import json, socket, sys
			s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
			s.settimeout(10)
			s.connect(sys.argv[1])
			f = s.makefile("rw")
			f.readline()
			f.write(json.dumps({"execute": "qmp_capabilities"}) + "\n")
			f.flush()
			f.readline()
			for cmd in ("info registers", "info pic", "info lapic", "info irq"):
			    f.write(json.dumps({"execute": "human-monitor-command",
			                        "arguments": {"command-line": cmd}}) + "\n")
			    f.flush()
			    print("== " + cmd)
			    print(json.loads(f.readline()).get("return", ""))
		EOF
		echo "silent for ${limit}s" >"$dir/silent"
		kill "$pid" 2>/dev/null || true
		return
	done
}

vm=$RESULTS/vm
rm -rf "$vm"
mkdir -p "$vm"
t_boot=0
if [[ ${HOST_TAP[*]} != *"not ok|"* ]]; then
	# acpi=noirq noapic: QEMU's ACPI _PRT times out under KASAN and TCG on
	# every bind of a port (README: "Why acpi=noirq noapic").
	# log_buf_len: nothing of a long run is lost from the dmesg dump.
	# kasan_multi_shot: every KASAN report, not only the first.
	KARGS="acpi=noirq noapic log_buf_len=16M kasan_multi_shot ${DEBUG_APPEND:-}"
	log "seed $SEED (replay: SEED=$SEED make check-debug)"
	log "booting the debug kernel (dpc=$DPC, stages $STAGES; log: $vm/console.log)"
	t0=$(date +%s)
	"$VM_DIR/run-vm.sh" -p -t "$BOOT_TIMEOUT" -o "$vm" -k "$BZIMAGE" -i "$RESULTS/initrd.cpio" \
		-a "$KARGS ttydpc.dpc=$DPC ttydpc_mode=check ttydpc_run=/selftests/run_debug.sh ttydpc_timeout=$((BOOT_TIMEOUT - 60)) TTYDPC_DBG_SEED=$SEED TTYDPC_DBG_FUZZ_OPS=$FUZZ_OPS TTYDPC_DBG_FUZZ_THREADS=$FUZZ_THREADS TTYDPC_DBG_REBIND=$REBIND TTYDPC_DBG_RELOAD=$RELOAD TTYDPC_DBG_STAGES=$STAGES${SOAK:+ TTYDPC_DBG_SOAK=$SOAK}${SOAK_SECS:+ TTYDPC_DBG_SOAK_SECS=$SOAK_SECS}${RELOAD_CLOSED:+ TTYDPC_DBG_RELOAD_CLOSED=1}${FUZZ_EXCLUDE:+ TTYDPC_DBG_FUZZ_EXCLUDE=$FUZZ_EXCLUDE}${SUITE:+ TTYDPC_DBG_SUITE=$SUITE}" \
		-- -chardev "file,id=klog,path=$vm/kmsg.log" -device isa-serial,iobase=0x2e8,irq=7,chardev=klog &
	vm_pid=$!
	silence_watch "$vm_pid" "$vm"
	wait "$vm_pid" || true
	t_boot=$(($(date +%s) - t0))
fi

# --- 5. judge ----------------------------------------------------------------------
log=$(tr -d '\r' <"$vm/console.log" 2>/dev/null || true)
tap=$(console_tap "$log")
printf '%s\n' "$tap" >"$RESULTS/guest-tap.txt"
if [[ -z $log ]]; then
	note="no console output"
elif [[ -e $vm/silent ]]; then
	note="guest $(cat "$vm/silent"), run ended (QEMU state: $vm/qemu-state.txt)"
elif [[ -e $vm/timeout ]]; then
	note="QEMU killed after ${BOOT_TIMEOUT}s"
else
	note=$(run_note "$log" run_debug.sh)
fi
if grep -q '^Bail out!' <<<"$tap"; then
	note="${note:+$note; }$(grep -m1 '^Bail out!' <<<"$tap")"
fi
if [[ -z $note ]]; then
	host_ok "guest run completed in ${t_boot}s"
else
	host_nok "guest run completed ($note; log: $vm/console.log)"
fi

# The kernel log: COM4's copy of /dev/kmsg (kmsg.log, "prio,seq,usec,
# flags;text" records: survives a wedged guest), else the dmesg dump, else
# the console (reports at KERN_ERR reach it).
if [[ -s $vm/kmsg.log ]]; then
	klog=$(tr -d '\r' <"$vm/kmsg.log" | awk '
		/^[0-9]+,[0-9]+,[0-9]+,[^;]*;/ {
			i = index($0, ";"); split(substr($0, 1, i - 1), a, ",")
			t = sprintf("[%5d.%06d] ", a[3] / 1000000, a[3] % 1000000)
			m = substr($0, i + 1)
			gsub(/\\x0a/, "\n" t, m)	# kmsg escapes newlines inside a record
			print t m
		}')
else
	klog=$(console_dmesg "$log")
fi
printf '%s\n' "$klog" >"$RESULTS/kernel-log.txt"

# category|pattern (ERE); a line counts in the first category it matches.
CATS=(
	"KASAN|BUG: KASAN:|KASAN:"
	"lockdep|possible circular locking|inconsistent lock state|possible recursive locking|BUG: sleeping function called|scheduling while atomic|bad unlock balance|held lock freed|suspicious RCU usage|BUG: lock held when returning|BUG: MAX_LOCK|BUG: looking up invalid subclass|DEBUG_LOCKS_WARN_ON|turning off the locking correctness validator"
	"UBSAN|UBSAN:"
	"DEBUG_OBJECTS|ODEBUG:"
	"list corruption|list_add corruption|list_del corruption|list_add double add|DEBUG_LIST"
	"WARNING|WARNING:|refcount_t:"
	"BUG/Oops/panic|BUG:|Oops|kernel BUG at|general protection fault|Kernel panic|Unable to handle|stack-protector|double fault"
	"hung task/lockup/stall|INFO: task .* blocked for|soft lockup|hard LOCKUP|rcu: INFO: rcu_|self-detected stall|detected stalls"
	"IRQ storm|irq [0-9]+: nobody cared|Disabling IRQ #"
)
reports=$RESULTS/reports.txt
: >"$reports"
# Unique report headlines (the console and the dmesg dump both hold them).
all_heads=$(grep -nE "$(printf '%s|' "${CATS[@]#*|}" | sed 's/|$//')" <<<"$klog" || true)
declare -A CAT_N CAT_FIRST
for c in "${CATS[@]}"; do
	name=${c%%|*}
	CAT_N[$name]=0
done
if [[ -n $all_heads ]]; then
	while IFS= read -r hl; do
		line=${hl#*:}
		for c in "${CATS[@]}"; do
			name=${c%%|*}
			if grep -qE "${c#*|}" <<<"$line"; then
				CAT_N[$name]=$((CAT_N[$name] + 1))
				[[ -n ${CAT_FIRST[$name]:-} ]] || CAT_FIRST[$name]=$(sed -E 's/^\[ *[0-9.]+\] //' <<<"$line")
				break
			fi
		done
	done < <(sort -t: -k2 -u <<<"$all_heads" | sort -n)
	# Whole reports, from a headline to its end: a ===== line (KASAN,
	# UBSAN), the end of the last stack trace (others), or 300 lines.
	awk -v re="$(printf '%s|' "${CATS[@]#*|}" | sed 's/|$//')" '
		function flush() { if (n) { print "----"; for (i = 0; i < n; i++) print buf[i]; n = 0 } }
		$0 ~ re && !on { on = 1; n = 0; eqend = $0 ~ /KASAN|UBSAN/ }
		on {
			buf[n++] = $0
			if (n >= 300 || $0 ~ /---\[ end trace/ ||
			    (eqend && $0 ~ /====================/) || (!eqend && $0 ~ /<\/TASK>/)) {
				flush(); on = 0
			}
		}
		END { flush() }' <<<"$klog" >"$reports"
fi
# SysRq-w (the guest asks for it when something stays blocked): the
# blocked tasks' stacks say who waits for whom.
awk '/sysrq: Show Blocked State/ { on = 1; n = 0; print "---- blocked tasks (SysRq-w)" }
	on { print; if (++n >= 400) on = 0 }' <<<"$klog" >>"$reports"
# Frames in ttydpc: "func+0xOFF/0xLEN [ttydpc]" -> file:line
fa=$ENTRY/src/scripts/faddr2line
frames=$(grep -oE '[A-Za-z0-9_.]+\+0x[0-9a-f]+/0x[0-9a-f]+ \[ttydpc\]' "$reports" | sort -u | cut -d' ' -f1 || true)
if [[ -n $frames && -x $fa && -f $mod/ttydpc-debuginfo.ko ]]; then
	{
		echo "==== ttydpc frames decoded (faddr2line $mod/ttydpc-debuginfo.ko) ===="
		for f in $frames; do
			"$fa" "$mod/ttydpc-debuginfo.ko" "$f" 2>&1 | sed "s|$mod/src/||g"
		done
	} >>"$reports"
fi
for c in "${CATS[@]}"; do
	name=${c%%|*}
	if ((CAT_N[$name] == 0)); then
		host_ok "kernel log: no $name report"
	else
		host_nok "kernel log: ${CAT_N[$name]} $name report line(s), first: ${CAT_FIRST[$name]}"
	fi
done

# kmemleak: the guest printed the debugfs file after its last scan.
kml=$(sed -n '/^==== ttydpc: kmemleak begin ====$/,/^==== ttydpc: kmemleak end ====$/p' <<<"$log")
if [[ -z $kml ]]; then
	host_nok "kmemleak: no scan result from the guest"
else
	nleak=$(grep -c 'unreferenced object' <<<"$kml" || true)
	if ((nleak == 0)); then
		host_ok "kmemleak: no unreferenced object after the run"
	else
		host_nok "kmemleak: $nleak unreferenced object(s) (in $reports)"
		{
			echo "==== kmemleak ===="
			printf '%s\n' "$kml"
		} >>"$reports"
	fi
fi

# --- 6. TAP --------------------------------------------------------------------------
# Host checks, then the guest's top-level lines renumbered; test cases: the
# host checks and the guest's own count.
gsum=1
read -r gpass gfail gskip < <(closing_parse <<<"$tap") || gpass=0 gfail=0 gskip=0 gsum=
mapfile -t gtop < <(grep -E '^(not )?ok [0-9]+ ' <<<"$tap" || true)
# a guest that ended early still failed something
gtop_fail=$(printf '%s\n' "${gtop[@]}" | grep -c '^not ok' || true)
((gfail >= gtop_fail)) || gfail=$gtop_fail
[[ -n $gsum ]] || gfail=$((gfail + 1))

echo
echo "TAP version 13"
echo "1..$((${#HOST_TAP[@]} + ${#gtop[@]}))"
n=0 hpass=0 hfail=0
for t in "${HOST_TAP[@]}"; do
	n=$((n + 1))
	echo "${t%%|*} $n ${t#*|}"
	if [[ ${t%%|*} == ok ]]; then hpass=$((hpass + 1)); else hfail=$((hfail + 1)); fi
done
for t in "${gtop[@]}"; do
	n=$((n + 1))
	sed -E "s/^(not ok|ok) [0-9]+ /\1 $n guest: /" <<<"$t"
done
if [[ -s $reports ]]; then
	echo "# kernel reports (whole, with ttydpc frames decoded): $reports"
	grep -m 20 -E '^\[ *[0-9.]+\] ' "$reports" | head -n 20 | sed 's/^/#   /' || true
fi
echo "# seed $SEED (replay: SEED=$SEED make check-debug); logs: $vm"
# Wall time of each guest stage (run_debug.sh's "stage X took N s").
stage_times=$(sed -nE 's/^# stage ([a-z]+) took ([0-9]+) s$/\1 \2s/p' <<<"$tap" | paste -sd, - | sed 's/,/, /g')
echo "# time: kernel ${t_kernel}s ($([[ -z $was_cached && -z ${DEV_KDIR:-} ]] && echo built || echo cached)), module+programs+initramfs ${t_prep}s, guest run ${t_boot}s (boot to power-off), total $(($(date +%s) - t_start))s"
echo "# time: guest stages: ${stage_times:-none recorded}"
pass=$((hpass + gpass)) fail=$((hfail + gfail))
closing_count "$pass" "$fail" "$gskip"
}
main "$@"; exit
