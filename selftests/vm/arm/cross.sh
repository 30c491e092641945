#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# cross.sh: what the ARM lanes share (sourced by lane.sh and lane64.sh),
# which set:
#   DEB_ARCH   armhf | arm64: Debian architecture of the guest's packages
#   FLAVOUR    armmp | arm64: the kernel flavour (linux-image-<FLAVOUR>)
#   KERNEL_PIN a release to use instead of what linux-image-<FLAVOUR>
#              depends on (empty: the metapackage's)
#   OUT, BOOTS the defaults of --out and the lane's boots
#   LANE_OPTS  the options the lane takes (lane_args)
#   HOST_PKGS  the host packages the lane needs (guest_deps)
#   BOOT_TIMEOUT, and usage()
# and then calls lane_args "$@".
# Guest packages are never installed on the host: apt runs with a private
# package list for DEB_ARCH, and `apt-get download` + `dpkg -x` fill the cache.
ACACHE=$TTYDPC_CACHE/$DEB_ARCH

# The options' defaults (the lanes' headers list the options).
DPC=both
DEPS=1
[[ ${SKIP_DEPS:-0} != 1 ]] || DEPS=0
TESTS=
APPEND=
ADD=()
JOBS=1

# lane_args ARG...: the lane's command line. An option that LANE_OPTS does
# not name (-h and --help too) prints the usage.
lane_args() {
	while (($#)); do
		[[ " $LANE_OPTS " == *" $1 "* ]] || usage
		case $1 in
		--out) OUT=$2; shift ;;
		--boots) BOOTS=$2; shift ;;
		--dpc) DPC=$2; shift ;;
		--no-deps) DEPS=0 ;;
		--tests) TESTS=$2; shift ;;
		--append) APPEND=$2; shift ;;
		--add) ADD+=("$2"); shift ;;
		--jobs) JOBS=$2; shift ;;
		*) usage ;;
		esac
		shift
	done
}

t_start=$(date +%s)
t_last=$t_start
TIMES=()
# stage NAME: NAME took the time since the last stage (for the report).
stage() {
	local now
	now=$(date +%s)
	TIMES+=("$1 $((now - t_last))s")
	t_last=$now
}

# apt with a private package list: the host's dpkg never hears of DEB_ARCH.
APT_ARM=(-oAPT::Architecture="$DEB_ARCH" -oAPT::Architectures="$DEB_ARCH"
	"-oDir::State::Lists=$ACACHE/apt/lists" "-oDir::Cache=$ACACHE/apt/cache"
	-oDir::State::status=/dev/null -oAcquire::Languages=none)

arm_apt_update() {
	mkdir -p "$ACACHE/apt/lists/partial" "$ACACHE/apt/cache/archives/partial"
	# apt drops to user _apt for downloads.
	chmod -R a+rwX "$ACACHE/apt"
	log "apt-get update ($DEB_ARCH lists in $ACACHE/apt)"
	# One index failing (a mirror in sync) is not fatal: what matters is
	# that the packages below are known afterwards.
	apt-get "${APT_ARM[@]}" update -qq 2>&1 | grep -v '^W:' >&2 || true
	touch "$ACACHE/apt/updated"
}

arm_known() { apt-cache "${APT_ARM[@]}" show --no-all-versions "$1" >/dev/null 2>&1; }

# arm_release: the kernel release, what linux-image-FLAVOUR depends on (like
# lib.sh's "6.1"), or KERNEL_PIN.
arm_release() {
	local rel
	[[ -z ${KERNEL_PIN:-} ]] || { echo "$KERNEL_PIN"; return; }
	rel=$(apt-cache "${APT_ARM[@]}" depends "linux-image-$FLAVOUR" 2>/dev/null |
		sed -n "s/^ *Depends: linux-image-\([0-9].*-$FLAVOUR\)\$/\1/p" | head -n1)
	[[ -n $rel ]] || die "apt knows no $DEB_ARCH linux-image-$FLAVOUR (lists in $ACACHE/apt)"
	echo "$rel"
}

# fetch_debs DIR PKG...: apt-get download (DEB_ARCH) into DIR.
fetch_debs() {
	local dir=$1 p
	shift
	mkdir -p "$dir"
	chmod 0777 "$dir"
	(cd "$dir" && apt-get "${APT_ARM[@]}" download -qq "$@" 2>&1 | grep -v unsandboxed >&2) || true
	for p in "$@"; do
		compgen -G "$dir/${p}_*.deb" >/dev/null || die "apt-get download $p ($DEB_ARCH) failed"
	done
}

# fetch_kernel REL K TMP: K/vmlinuz, K/config, K/packages, the headers in
# K/root (their Makefile's include of -common rewritten into K). Sets HDR and
# KBNAME (the linux-kbuild-* the headers' scripts/ link to, relatively: the
# caller puts it at K/root/usr/lib/KBNAME).
fetch_kernel() {
	local rel=$1 k=$2 tmp=$3 common kb
	common=${rel%-"$FLAVOUR"}-common
	log "fetching linux-image-$rel, linux-headers-$rel, linux-headers-$common ($DEB_ARCH)"
	fetch_debs "$tmp/debs" "linux-image-$rel" "linux-headers-$rel" "linux-headers-$common"
	rm -rf "$k"
	mkdir -p "$k/root/usr/lib"
	dpkg-deb --fsys-tarfile "$tmp"/debs/linux-image-"${rel}"_*.deb |
		tar -x -C "$tmp" --wildcards './boot/*'
	cp "$tmp/boot/vmlinuz-$rel" "$k/vmlinuz"
	cp "$tmp/boot/config-$rel" "$k/config"
	dpkg -x "$tmp"/debs/linux-headers-"${rel}"_*.deb "$k/root"
	dpkg -x "$tmp"/debs/linux-headers-"${common}"_*.deb "$k/root"
	(cd "$tmp/debs" && ls ./*.deb) >"$k/packages"
	HDR=$k/root/usr/src/linux-headers-$rel
	sed -i "s|^include /usr/src/|include $k/root/usr/src/|" "$HDR/Makefile"
	kb=$(readlink "$HDR/scripts")
	KBNAME=$(basename "$(dirname "$kb")")
	[[ -d /usr/lib/$KBNAME ]] || die "/usr/lib/$KBNAME missing (apt-get install $KBNAME)"
}

# build_guest ARCH CROSS ALIAS: a fresh OUT; ttydpc.ko built in a private
# copy of the tree (B=OUT/build/src), stripped into B/ttydpc.ko, checked for
# a modalias matching ALIAS and HDR's release in its vermagic; the selftests
# (static; CFLAGS from the environment) into ST=B/selftests, with guest.sh
# as arm_guest.sh and the --add files.
build_guest() {
	local arch=$1 cross=$2 alias=$3 name f
	mkdir -p "$OUT"
	OUT=$(cd "$OUT" && pwd)
	rm -rf "$OUT/build" "$OUT/result"
	for name in $BOOTS; do rm -rf "${OUT:?}/$name"; done
	B=$OUT/build
	mkdir -p "$B/src"
	tar -C "$TOP_DIR" -cf - Kbuild Makefile VERSION src include | tar -C "$B/src" -xf -
	log "building ttydpc.ko for $REL (ARCH=$arch)"
	make -s -C "$HDR" M="$B/src" ARCH="$arch" CROSS_COMPILE="$cross" modules >"$B/module.log" 2>&1 || {
		cat "$B/module.log" >&2
		die "module build failed for $REL (log: $B/module.log)"
	}
	grep -E 'warning:|error:' "$B/module.log" >&2 || true
	"${cross}strip" --strip-debug -o "$B/ttydpc.ko" "$B/src/ttydpc.ko"
	modinfo -F alias "$B/ttydpc.ko" | grep -q "$alias" ||
		die "ttydpc.ko has no modalias matching $alias"
	[[ $(modinfo -F vermagic "$B/ttydpc.ko") == "$REL "* ]] ||
		die "ttydpc.ko vermagic '$(modinfo -F vermagic "$B/ttydpc.ko")' is not for $REL"
	log "building selftests ($DEB_ARCH, static)"
	ST=$B/selftests
	if ! make -s -C "$TOP_DIR/selftests/ttydpc" OUTPUT="$ST" CC="${cross}gcc" >"$B/selftests.log" 2>&1; then
		cat "$B/selftests.log" >&2
		die "selftests build failed for $DEB_ARCH (log: $B/selftests.log)"
	fi
	install -m 0755 "$ARM_DIR/guest.sh" "$ST/arm_guest.sh"
	for f in "${ADD[@]}"; do install -m 0755 "$f" "$ST/"; done
}

# prepare_userland: the guest's busybox (static) and picocom (dynamic: it
# gets the cross toolchain's libc in the initramfs).
prepare_userland() {
	local u=$ACACHE/userland tmp
	[[ -x $u/busybox && -x $u/picocom ]] && return 0
	tmp=$(mktemp -d "$ACACHE/tmp.XXXXXX")
	log "fetching busybox-static, picocom ($DEB_ARCH)"
	fetch_debs "$tmp/debs" busybox-static picocom
	dpkg -x "$tmp"/debs/busybox-static_*.deb "$tmp/root"
	dpkg -x "$tmp"/debs/picocom_*.deb "$tmp/root"
	mkdir -p "$u"
	cp "$tmp/root/bin/busybox" "$tmp/root/usr/bin/picocom" "$u/"
	(cd "$tmp/debs" && ls ./*.deb) >"$u/packages"
	rm -rf "$tmp"
}

# guest_deps PREPARE_KERNEL: HOST_PKGS (unless DEPS=0), then cache_guest.
guest_deps() {
	((DEPS == 0)) || need_pkgs "${HOST_PKGS[@]}"
	cache_guest "$1"
}

# cache_guest PREPARE_KERNEL: under the cache lock, the private lists (once,
# then daily unless DEPS=0: a warm run needs no network), the kernel unless
# cached (fetch_kernel, then PREPARE_KERNEL REL K TMP), the userland. Sets
# REL, K (its cache) and HDR (its headers).
cache_guest() {
	mkdir -p "$ACACHE"
	exec 9>"$ACACHE/.lock"
	flock 9
	if [[ ! -e $ACACHE/apt/updated ]] ||
		{ ((DEPS)) && [[ -n $(find "$ACACHE/apt/updated" -mmin +1440 2>/dev/null) ]]; }; then
		arm_apt_update
	fi
	REL=$(arm_release)
	if [[ ! -s $ACACHE/$REL/ready ]]; then
		local tmp
		arm_known "linux-image-$REL" || arm_apt_update
		tmp=$(mktemp -d "$ACACHE/tmp.XXXXXX")
		fetch_kernel "$REL" "$ACACHE/$REL" "$tmp"
		"$1" "$REL" "$ACACHE/$REL" "$tmp"
		rm -rf "$tmp"
		echo "$REL" >"$ACACHE/$REL/ready"
		log "kernel $REL cached in $ACACHE/$REL"
	fi
	prepare_userland
	flock -u 9
	exec 9>&-
	K=$ACACHE/$REL
	HDR=$K/root/usr/src/linux-headers-$REL
	log "$DEB_ARCH kernel $REL ($(tr '\n' ' ' <"$K/packages"))"
}

# guest_initramfs TRIPLET LOADER: B/initrd.cpio: mkinitramfs.sh's (the
# host's busybox lists the applets), then a second cpio (the kernel unpacks
# them in order, later files win) with the guest's busybox and picocom and
# the cross toolchain's libc and dynamic loader LOADER.
guest_initramfs() {
	local triplet=$1 loader=$2 ov f
	"$VM_DIR/mkinitramfs.sh" -o "$B/initrd.base" -k "$B/ttydpc.ko" -t "$ST"
	ov=$(mktemp -d)
	mkdir -p "$ov/bin" "$ov/usr/bin" "$ov/lib/$triplet"
	cp "$ACACHE/userland/busybox" "$ov/bin/busybox"
	cp "$ACACHE/userland/picocom" "$ov/usr/bin/picocom"
	for f in "$loader" libc.so.6; do
		cp -L "/usr/$triplet/lib/$f" "$ov/lib/$triplet/$f"
	done
	ln -s "$triplet/$loader" "$ov/lib/$loader"
	(cd "$ov" && find . -mindepth 1 -print0 | cpio -o -0 -H newc --owner=0:0 --quiet) >"$B/initrd.guest.cpio"
	rm -rf "$ov"
	cat "$B/initrd.base" "$B/initrd.guest.cpio" >"$B/initrd.cpio"
}

OOPS='Internal error: Oops|Unable to handle kernel|kernel BUG at|Kernel panic'
OOPS_GRACE=${OOPS_GRACE:-20}
FATAL='WARNING:|BUG:|Oops|lockdep|KASAN|UBSAN|general protection|Call Trace|Kernel panic|Internal error|Unable to handle'

# watch_boot PID DIR: wait for QEMU (PID). An oops on the console (only
# those pass loglevel=3) usually wedges its test until the guest's timeout:
# OOPS_GRACE seconds later the boot is stopped (DIR/oops).
watch_boot() {
	local pid=$1 dir=$2 rc=0
	while kill -0 "$pid" 2>/dev/null; do
		if grep -qaE "$OOPS" "$dir/console.log" 2>/dev/null; then
			log "  ${dir##*/}: kernel oops on the console, stopping the boot in ${OOPS_GRACE}s"
			sleep "$OOPS_GRACE"
			touch "$dir/oops"
			kill "$pid" 2>/dev/null || true
			break
		fi
		sleep 1
	done
	wait "$pid" || rc=$?
	return "$rc"
}

# guest_cmdline NAME CONSOLE [ARG...]: boot NAME's kernel command line,
# with ARG..., then --tests and --append.
guest_cmdline() {
	local name=$1 console=$2 line
	shift 2
	line="console=$console loglevel=3 panic=-1 ttydpc.dpc=$DPC ttydpc_mode=check"
	line+=" ttydpc_run=/selftests/arm_guest.sh ttydpc_args=$name ttydpc_timeout=$((BOOT_TIMEOUT - 30))"
	(($# == 0)) || line+=" $*"
	[[ -z $TESTS ]] || line+=" TTYDPC_ARM_TESTS=$TESTS"
	[[ -z $APPEND ]] || line+=" $APPEND"
	echo "$line"
}

# boot_qemu NAME SOCK CHANS QEMU ARG...: one boot of QEMU with the board
# and wiring of ARG..., results in OUT/NAME, at most BOOT_TIMEOUT seconds,
# watched for oopses. With CHANS (names), hostpeer.py serves SOCK/ctl and a
# channel SOCK/<name> each. SOCK is removed afterwards.
boot_qemu() {
	local name=$1 sock=$2 chans=$3 qemu=$4 dir=$OUT/$1 qemu_pid peer_pid='' rc=0 extra=() peer=() c
	shift 4
	mkdir -p "$dir"
	: >"$dir/trace.log"
	read -r -a extra <<<"${ARM_QEMU_ARGS:-}"
	timeout -k 5 "$BOOT_TIMEOUT" "$qemu" "$@" -m 1024 -accel tcg \
		-nodefaults -nographic -no-reboot \
		-kernel "$K/vmlinuz" -initrd "$B/initrd.cpio" \
		-qmp "unix:$sock/qmp,server=on,wait=off" \
		-msg timestamp=on -trace serial_update_parameters -D "$dir/trace.log" \
		"${extra[@]}" </dev/null >"$dir/qemu.log" 2>&1 &
	qemu_pid=$!
	if [[ -n $chans ]]; then
		for c in $chans; do peer+=(--chan "$c=$sock/$c"); done
		python3 "$VM_DIR/hostpeer.py" --ctl "$sock/ctl" --qmp "$sock/qmp" \
			--trace "$dir/trace.log" "${peer[@]}" \
			--log "$dir/peer.log" </dev/null >"$dir/peer.out" 2>&1 &
		peer_pid=$!
	fi
	watch_boot "$qemu_pid" "$dir" || rc=$?
	[[ -z $peer_pid ]] || { kill "$peer_pid" 2>/dev/null || true; wait "$peer_pid" 2>/dev/null || true; }
	rm -rf "$sock"
	[[ $rc -ne 124 || -e $dir/oops ]] || touch "$dir/timeout"
	return 0
}

# analyse NAME: writes tap.txt, dmesg.txt and result ("pass fail skip note").
analyse() {
	local dir=$OUT/$1 log tap pass fail skip note top plan dm
	log=$(tr -d '\r' <"$dir/console.log" 2>/dev/null || true)
	tap=$(console_tap "$log")
	printf '%s\n' "$tap" >"$dir/tap.txt"
	read -r pass fail skip < <(tap_count "$tap")
	if [[ -e $dir/oops ]]; then
		note="boot stopped after a kernel oops"
	elif [[ -e $dir/timeout ]]; then
		note="timeout after ${BOOT_TIMEOUT}s"
	else
		note=$(run_note "$log" selftests)
	fi
	if [[ -z $note ]] && ! closing_parse <<<"$tap" >/dev/null; then
		note="no closing count from run_tests.sh (top-level results counted)"
	fi
	plan=$(grep -m1 -oE '^1\.\.[0-9]+' <<<"$tap" | cut -d. -f3 || true)
	top=$(grep -cE '^(not )?ok [0-9]+' <<<"$tap" || true)
	if [[ -z $note && -n $plan && $top -lt $plan ]]; then
		note="only $top of $plan planned results"
	fi
	dm=$(console_dmesg "$log")
	printf '%s\n' "$dm" >"$dir/dmesg.txt"
	if grep -qE "$FATAL" <<<"$dm"; then
		note="${note:+$note; }kernel: $(grep -m1 -oE "$FATAL" <<<"$dm") in dmesg"
		grep -nE -B2 -A20 "$FATAL" <<<"$dm" | head -n 80 >"$dir/dmesg-fatal.txt"
	fi
	echo "$pass $fail $skip $note" >"$dir/result"
}

# run_boot NAME: boot, analyse, one log line.
run_boot() {
	local name=$1 t0 pass fail skip note
	t0=$(date +%s)
	boot "$name"
	analyse "$name"
	read -r pass fail skip note <"$OUT/$name/result"
	echo "$(($(date +%s) - t0))" >"$OUT/$name/seconds"
	log "  $name: $pass passed, $fail failed, $skip skipped in $(cat "$OUT/$name/seconds")s${note:+ ($note)}"
	# A passing boot's register trace is only bulk.
	[[ -n $note || $fail != 0 ]] || rm -f "$OUT/$name/trace.log"
}
# run_boots: every boot of BOOTS, JOBS at a time, through run_boot.
run_boots() {
	local name
	for name in $BOOTS; do
		while (($(jobs -rp | wc -l) >= JOBS)); do
			wait -n || true
		done
		run_boot "$name" &
	done
	wait
	for name in $BOOTS; do
		TIMES+=("boot-$name $(cat "$OUT/$name/seconds" 2>/dev/null || echo '?')s")
	done
}

# report TITLE: the TAP of every boot (top-level results and every failed
# nested case), a table (boot_desc NAME gives a boot's wiring), the times,
# OUT/result and the closing count. Returns 1 on any failure.
report() {
	local name pass fail skip note total_pass=0 total_fail=0 total_skip=0
	echo
	for name in $BOOTS; do
		echo "# ---- boot $name: TAP ($OUT/$name/tap.txt) ----"
		grep -E '^(ok [0-9]+|1\.\.[0-9]+|# arm boot)' "$OUT/$name/tap.txt" || true
		awk -f "$VM_DIR/tap_failures.awk" "$OUT/$name/tap.txt" || true
	done
	echo
	echo "$1 (results: $OUT)"
	printf '%-7s %-26s %7s %7s %7s  %s\n' boot wiring passed failed skipped note
	for name in $BOOTS; do
		read -r pass fail skip note <"$OUT/$name/result" || { pass=0 fail=0 skip=0 note=missing; }
		[[ -z $note ]] || fail=$((fail + 1))
		total_pass=$((total_pass + pass)) total_fail=$((total_fail + fail)) total_skip=$((total_skip + skip))
		printf '%-7s %-26s %7s %7s %7s  %s\n' "$name" "$(boot_desc "$name")" "$pass" "$fail" "$skip" "${note:-}"
	done
	echo "$total_pass $total_fail $total_skip" >"$OUT/result"
	echo "time: $(($(date +%s) - t_start))s (${TIMES[*]})"
	closing_count "$total_pass" "$total_fail" "$total_skip"
}
