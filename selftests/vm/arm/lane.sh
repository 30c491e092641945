#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# lane.sh [--out DIR] [--boots "host nm width"] [--dpc DESIGN] [--no-deps]
#
# The armhf lane: ttydpc on Debian's armmp kernel in QEMU's Orange Pi PC
# (Allwinner H3, -M orangepi-pc, TCG), bound through the device tree.
#   1. installs the host packages it needs (apt-get) and caches Debian's
#      armhf kernel image, headers, busybox-static and picocom (apt-get
#      download with a private armhf package list, dpkg -x; nothing armhf is
#      installed on the host) and a modpost that knows ARM's device tables;
#   2. cross-builds ttydpc.ko and the selftests (static, armhf);
#   3. builds the boot DTBs the way a user does: dtc -@ on
#      dts/ttydpc-orangepi-pc.dtso, fdtoverlay onto Debian's shipped
#      sun8i-h3-orangepi-pc.dtb, plus one test-only overlay per boot (here);
#   4. boots each wiring (README here), runs the selftests and dt_of.sh in the
#      guest, collects TAP and the guest's dmesg;
#   5. prints the TAP results, a table and "N passed, N failed" last; exit
#      status 1 on any failure (test case, boot, or WARNING/BUG/Oops/lockdep
#      in the guest's dmesg).
# Options:
#   --out DIR       results (default: build/arm): <boot>/console.log,
#                   tap.txt, dmesg.txt, peer.log, qemu.log, result; result
#                   ("passed failed skipped" of the whole lane)
#   --boots LIST    which boots (default "host nm width")
#   --dpc DESIGN    ttydpc.dpc= for every boot (default: both)
#   --jobs N        boots at a time (default 1; 2 saves wall time on an idle
#                   2-core host, at the price of slower transfers in each)
#   --no-deps       no apt-get install on the host, no refresh of the armhf
#                   package lists (SKIP_DEPS=1 does the same); a missing
#                   armhf kernel is still fetched
#   --tests LIST    run only these selftests in every boot (comma-separated
#                   run_tests.sh names, dt_of.sh included)
#   --append ARGS   extra guest kernel command line
#   --add FILE      copy FILE into the guest's /selftests too (repeatable;
#                   name it in --tests to run it)
# Environment: TTYDPC_CACHE (~/.cache/ttydpc; this lane uses its armhf/),
#   BOOT_TIMEOUT (480 s per boot), OOPS_GRACE (20 s: a boot whose console
#   shows a kernel oops is stopped that long after it), ARM_KERNEL (a
#   release such as 6.1.0-50-armmp instead of what linux-image-armmp
#   depends on), SKIP_DEPS=1 (as --no-deps), ARM_QEMU_ARGS (more QEMU
#   options, e.g. "-trace serial_read -trace serial_write").
set -euo pipefail
ARM_DIR=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=selftests/vm/lib.sh
. "$ARM_DIR/../lib.sh"

usage() { sed -n '4,40s/^# \{0,1\}//p' "$0" >&2; exit 2; }

OUT=$TOP_DIR/build/arm
BOOTS="host nm width"
DPC=both
DEPS=1
[[ ${SKIP_DEPS:-0} != 1 ]] || DEPS=0
TESTS=
APPEND=
ADD=()
JOBS=1
while (($#)); do
	case $1 in
	--out) OUT=$2; shift ;;
	--boots) BOOTS=$2; shift ;;
	--dpc) DPC=$2; shift ;;
	--no-deps) DEPS=0 ;;
	--tests) TESTS=$2; shift ;;
	--append) APPEND=$2; shift ;;
	--add) ADD+=("$2"); shift ;;
	--jobs) JOBS=$2; shift ;;
	-h | --help) usage ;;
	*) usage ;;
	esac
	shift
done
BOOT_TIMEOUT=${BOOT_TIMEOUT:-480}
ACACHE=$TTYDPC_CACHE/armhf
CROSS=arm-linux-gnueabihf-
OOPS='Internal error: Oops|Unable to handle kernel|kernel BUG at|Kernel panic'
OOPS_GRACE=${OOPS_GRACE:-20}
FATAL='WARNING:|BUG:|Oops|lockdep|KASAN|UBSAN|general protection|Call Trace|Kernel panic|Internal error|Unable to handle'

t_start=$(date +%s)
t_last=$t_start
TIMES=()
stage() {
	local now
	now=$(date +%s)
	TIMES+=("$1 $((now - t_last))s")
	t_last=$now
}

SUDO=
if [[ $EUID -ne 0 ]]; then
	SUDO=sudo
fi
export DEBIAN_FRONTEND=noninteractive

# --- 1. host packages -------------------------------------------------------

HOST_PKGS=(qemu-system-arm gcc-arm-linux-gnueabihf libc6-dev-armhf-cross
	device-tree-compiler busybox-static picocom python3 cpio kmod gcc make
	libc6-dev xz-utils linux-source-6.1 linux-kbuild-6.1)

apt_install() {
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			missing+=("$p")
	done
	((${#missing[@]})) || return 0
	[[ -z $SUDO ]] || command -v sudo >/dev/null || die "not root and no sudo: cannot install ${missing[*]}"
	apt_has_lists || $SUDO apt-get update -qq
	log "installing: ${missing[*]}"
	# Other lanes may be running apt at the same time: wait for the lock.
	$SUDO apt-get install -y -qq -o DPkg::Lock::Timeout=600 --no-install-recommends "${missing[@]}" ||
		{ $SUDO apt-get update -qq && $SUDO apt-get install -y -qq -o DPkg::Lock::Timeout=600 \
			--no-install-recommends "${missing[@]}"; }
}

# --- 1b. armhf packages, cached ---------------------------------------------

# apt with a private armhf package list: the host's dpkg never hears of armhf.
APT_ARM=(-oAPT::Architecture=armhf -oAPT::Architectures=armhf
	"-oDir::State::Lists=$ACACHE/apt/lists" "-oDir::Cache=$ACACHE/apt/cache"
	-oDir::State::status=/dev/null -oAcquire::Languages=none)

arm_apt_update() {
	mkdir -p "$ACACHE/apt/lists/partial" "$ACACHE/apt/cache/archives/partial"
	# apt drops to user _apt for downloads.
	chmod -R a+rwX "$ACACHE/apt"
	log "apt-get update (armhf lists in $ACACHE/apt)"
	# One index failing (a mirror in sync) is not fatal: what matters is
	# that the packages below are known afterwards.
	apt-get "${APT_ARM[@]}" update -qq 2>&1 | grep -v '^W:' >&2 || true
	touch "$ACACHE/apt/updated"
}

arm_known() { apt-cache "${APT_ARM[@]}" show --no-all-versions "$1" >/dev/null 2>&1; }

# The armmp release: what linux-image-armmp depends on (like lib.sh's "6.1").
arm_release() {
	local rel
	if [[ -n ${ARM_KERNEL:-} ]]; then
		echo "$ARM_KERNEL"
		return
	fi
	rel=$(apt-cache "${APT_ARM[@]}" depends linux-image-armmp 2>/dev/null |
		sed -n 's/^ *Depends: linux-image-\([0-9].*-armmp\)$/\1/p' | head -n1)
	[[ -n $rel ]] || die "apt knows no armhf linux-image-armmp (armhf lists in $ACACHE/apt)"
	echo "$rel"
}

# fetch_debs DIR PKG...: apt-get download (armhf) into DIR.
fetch_debs() {
	local dir=$1
	shift
	mkdir -p "$dir"
	chmod 0777 "$dir"
	(cd "$dir" && apt-get "${APT_ARM[@]}" download -qq "$@" 2>&1 | grep -v unsandboxed >&2) || true
	local p
	for p in "$@"; do
		compgen -G "$dir/${p}_*.deb" >/dev/null || die "apt-get download $p (armhf) failed"
	done
}

# prepare_kernel REL: $ACACHE/REL/{vmlinuz,config,orangepi-pc.dtb,root/usr/src/...}
# with the headers' scripts/ and tools/ pointing at a copy of the host's
# linux-kbuild-6.1 whose modpost is rebuilt for ARM.
prepare_kernel() {
	local rel=$1 k=$ACACHE/$1 tmp hdr common kb kbname
	[[ -s $k/ready ]] && return 0
	tmp=$(mktemp -d "$ACACHE/tmp.XXXXXX")
	common=${rel%-armmp}-common
	log "fetching linux-image-$rel, linux-headers-$rel, linux-headers-$common (armhf)"
	fetch_debs "$tmp/debs" "linux-image-$rel" "linux-headers-$rel" "linux-headers-$common"
	rm -rf "$k"
	mkdir -p "$k/root"
	# Only the kernel, its config and the board's DTB are needed from the
	# image: every driver the board needs is built in (8250_dw, sunxi CCU,
	# pinctrl, debugfs).
	dpkg-deb --fsys-tarfile "$tmp"/debs/linux-image-"${rel}"_*.deb |
		tar -x -C "$tmp" --wildcards './boot/*' \
			"./usr/lib/linux-image-$rel/sun8i-h3-orangepi-pc.dtb"
	cp "$tmp/boot/vmlinuz-$rel" "$k/vmlinuz"
	cp "$tmp/boot/config-$rel" "$k/config"
	cp "$tmp/usr/lib/linux-image-$rel/sun8i-h3-orangepi-pc.dtb" "$k/sun8i-h3-orangepi-pc.dtb"
	dpkg -x "$tmp"/debs/linux-headers-"${rel}"_*.deb "$k/root"
	dpkg -x "$tmp"/debs/linux-headers-"${common}"_*.deb "$k/root"
	(cd "$tmp/debs" && ls ./*.deb) >"$k/packages"
	hdr=$k/root/usr/src/linux-headers-$rel
	# The flavour Makefile includes the common one by absolute path.
	sed -i "s|^include /usr/src/|include $k/root/usr/src/|" "$hdr/Makefile"
	# scripts -> ../../lib/linux-kbuild-6.1/scripts: resolve it inside the
	# cache, to a copy of the host's kbuild (same 6.1 series).
	kb=$(readlink "$hdr/scripts")
	kbname=$(basename "$(dirname "$kb")")
	[[ -d /usr/lib/$kbname ]] || die "/usr/lib/$kbname missing (apt-get install $kbname)"
	mkdir -p "$k/root/usr/lib"
	cp -a "/usr/lib/$kbname" "$k/root/usr/lib/"
	build_modpost "$rel" "$k" "$tmp"
	rm -rf "$tmp"
	echo "$rel" >"$k/ready"
	log "kernel $rel cached in $k"
}

# build_modpost REL K TMP: Debian's host modpost carries x86-64 device-table
# layouts (sizeof(struct of_device_id) 200, ARM's is 196), so any
# MODULE_DEVICE_TABLE(of) fails at modpost. Build modpost from
# linux-source-6.1 with devicetable-offsets.h generated by the ARM cross
# compiler against the armmp headers and an elfconfig.h for 32-bit LE.
build_modpost() {
	local rel=$1 k=$2 tmp=$3 src=$3/src b=$3/modpost hdr
	hdr=$k/root/usr/src/linux-headers-$rel
	local tarball=/usr/src/linux-source-6.1.tar.xz
	[[ -r $tarball ]] || die "$tarball missing (apt-get install linux-source-6.1)"
	log "building modpost for ARM"
	mkdir -p "$src" "$b/scripts/mod" "$b/include/linux" "$b/dto"
	tar -xJf "$tarball" -C "$src" --wildcards '*/scripts/mod/*' '*/include/linux/license.h'
	cp "$src"/*/scripts/mod/*.[ch] "$b/scripts/mod/"
	cp "$src"/*/include/linux/license.h "$b/include/linux/"
	# The armmp headers' mod_devicetable.h: the one the offsets come from.
	cp "$hdr/../linux-headers-${rel%-armmp}-common/include/linux/mod_devicetable.h" "$b/include/linux/"
	cp "$b/scripts/mod/devicetable-offsets.c" "$b/dto/"
	echo 'obj-m :=' >"$b/dto/Kbuild"
	make -s -C "$hdr" M="$b/dto" ARCH=arm CROSS_COMPILE=$CROSS devicetable-offsets.s >"$b/dto.log" 2>&1 ||
		{ cat "$b/dto.log" >&2; die "devicetable-offsets.s for ARM failed"; }
	# Kbuild's sed-offsets (scripts/Makefile.lib).
	{
		echo "#ifndef __DEVICETABLE_OFFSETS_H__"
		echo "#define __DEVICETABLE_OFFSETS_H__"
		sed -ne 's:^[[:space:]]*\.ascii[[:space:]]*"\(.*\)".*:\1:; /^->/{s:->#\(.*\):/* \1 */:; s:^->\([^ ]*\) [\$#]*\([^ ]*\) \(.*\):#define \1 \2 /* \3 */:; s:->::; p;}' \
			"$b/dto/devicetable-offsets.s"
		echo "#endif"
	} >"$b/scripts/mod/devicetable-offsets.h"
	grep -q '^#define SIZE_of_device_id 196 ' "$b/scripts/mod/devicetable-offsets.h" ||
		die "unexpected ARM of_device_id size: $(grep SIZE_of_device_id "$b/scripts/mod/devicetable-offsets.h")"
	gcc -O2 -o "$b/mk_elfconfig" "$b/scripts/mod/mk_elfconfig.c"
	"${CROSS}gcc" -c -o "$b/empty.o" "$b/scripts/mod/empty.c"
	"$b/mk_elfconfig" <"$b/empty.o" >"$b/scripts/mod/elfconfig.h"
	(cd "$b/scripts/mod" && gcc -O2 -o modpost modpost.c file2alias.c sumversion.c)
	# Replaces Debian's wrapper (which picks an x86-layout modpost.real-*).
	install -m 0755 "$b/scripts/mod/modpost" "$(readlink -f "$hdr/scripts")/mod/modpost"
	cp "$b/scripts/mod/devicetable-offsets.h" "$b/scripts/mod/elfconfig.h" "$k/"
}

# prepare_userland: armhf busybox (static) and picocom (dynamic: it gets the
# cross toolchain's armhf libc in the initramfs).
prepare_userland() {
	local u=$ACACHE/userland tmp
	[[ -x $u/busybox && -x $u/picocom ]] && return 0
	tmp=$(mktemp -d "$ACACHE/tmp.XXXXXX")
	log "fetching busybox-static, picocom (armhf)"
	fetch_debs "$tmp/debs" busybox-static picocom
	dpkg -x "$tmp"/debs/busybox-static_*.deb "$tmp/root"
	dpkg -x "$tmp"/debs/picocom_*.deb "$tmp/root"
	mkdir -p "$u"
	cp "$tmp/root/bin/busybox" "$tmp/root/usr/bin/picocom" "$u/"
	(cd "$tmp/debs" && ls ./*.deb) >"$u/packages"
	rm -rf "$tmp"
}

if ((DEPS)); then
	apt_install "${HOST_PKGS[@]}"
fi
mkdir -p "$ACACHE"
# One lane at a time fills the cache.
exec 9>"$ACACHE/.lock"
flock 9
# The private armhf lists: fetched once, refreshed daily (unless --no-deps),
# so a warm run needs no network at all.
if [[ ! -e $ACACHE/apt/updated ]] ||
	{ ((DEPS)) && [[ -n $(find "$ACACHE/apt/updated" -mmin +1440 2>/dev/null) ]]; }; then
	arm_apt_update
fi
REL=$(arm_release)
if [[ ! -s $ACACHE/$REL/ready ]]; then
	arm_known "linux-image-$REL" || arm_apt_update
	prepare_kernel "$REL"
fi
prepare_userland
flock -u 9
K=$ACACHE/$REL
HDR=$K/root/usr/src/linux-headers-$REL
log "armhf kernel $REL ($(tr '\n' ' ' <"$K/packages"))"
stage deps

# --- 2. builds ----------------------------------------------------------------

mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
rm -rf "$OUT"/{build,dtb,host,nm,width,result}
B=$OUT/build
mkdir -p "$B/src"
# A private copy of the module sources, as lib.sh's build_module does.
tar -C "$TOP_DIR" -cf - \
	--exclude=./.git --exclude=./build --exclude=./selftests \
	--exclude=./.ci --exclude='*.o' --exclude='*.ko' --exclude='*.cmd' \
	--exclude='*.mod' --exclude='*.mod.c' --exclude=./Module.symvers \
	--exclude=./modules.order . | tar -C "$B/src" -xf -
log "building ttydpc.ko for $REL (ARCH=arm)"
make -s -C "$HDR" M="$B/src" ARCH=arm CROSS_COMPILE=$CROSS modules >"$B/module.log" 2>&1 || {
	cat "$B/module.log" >&2
	die "module build failed for $REL (log: $B/module.log)"
}
grep -E 'warning:|error:' "$B/module.log" >&2 || true
"${CROSS}strip" --strip-debug -o "$B/ttydpc.ko" "$B/src/ttydpc.ko"
modinfo -F alias "$B/ttydpc.ko" | grep -q '^of:N\*T\*Cttydpc,dw-apb-uart$' ||
	die "ttydpc.ko has no of: alias for ttydpc,dw-apb-uart"
[[ $(modinfo -F vermagic "$B/ttydpc.ko") == "$REL "* ]] ||
	die "ttydpc.ko vermagic '$(modinfo -F vermagic "$B/ttydpc.ko")' is not for $REL"

log "building selftests (armhf, static)"
# kselftest_harness.h (6.1) casts the pointers of EXPECT_NE(NULL, p) to
# intmax_t, which -Werror refuses on 32-bit targets; CFLAGS from the
# environment is appended to by the Makefile.
ST=$B/selftests
if ! CFLAGS="-O2 -Wno-pointer-to-int-cast" make -s -C "$TOP_DIR/selftests/ttydpc" \
	OUTPUT="$ST" CC="${CROSS}gcc" >"$B/selftests.log" 2>&1; then
	cat "$B/selftests.log" >&2
	die "selftests build failed for armhf (log: $B/selftests.log)"
fi
install -m 0755 "$ARM_DIR/guest.sh" "$ST/arm_guest.sh"
install -m 0755 "$ARM_DIR/dt_of.sh" "$ST/dt_of.sh"
for f in "${ADD[@]}"; do install -m 0755 "$f" "$ST/"; done
stage build

# --- 3. device trees ------------------------------------------------------------

D=$OUT/dtb
mkdir -p "$D"
dtbo() { dtc -@ -q -I dts -O dtb -o "$D/$(basename "$1" .dtso).dtbo" "$1"; }
dtbo "$TOP_DIR/dts/ttydpc-orangepi-pc.dtso"
for o in "$ARM_DIR"/*.dtso; do dtbo "$o"; done
BASE_DTB=$K/sun8i-h3-orangepi-pc.dtb
# Test-only overlays applied after the shipped one, per boot (README).
declare -A TEST_OVERLAY=([host]="ctl-uart1 qemu-clock" [nm]="qemu-clock bad-reg-shift"
	[width]="bad-reg-io-width")
for boot in $BOOTS; do
	[[ -n ${TEST_OVERLAY[$boot]:-} ]] || die "unknown boot '$boot' (host nm width)"
	ovs=("$D/ttydpc-orangepi-pc.dtbo")
	for o in ${TEST_OVERLAY[$boot]}; do ovs+=("$D/$o.dtbo"); done
	fdtoverlay -i "$BASE_DTB" -o "$D/$boot.dtb" "${ovs[@]}"
done

# --- initramfs ------------------------------------------------------------------

# mkinitramfs.sh builds the layout, /init and /selftests with the host's
# busybox (it runs it to list the applets); a second cpio appended to it
# replaces busybox with the armhf one and adds armhf picocom with the cross
# toolchain's libc (the kernel unpacks concatenated archives in order, later
# files replacing earlier ones).
"$VM_DIR/mkinitramfs.sh" -o "$B/initrd.base" -k "$B/ttydpc.ko" -t "$ST"
ov=$B/initrd.arm
rm -rf "$ov"
mkdir -p "$ov/bin" "$ov/usr/bin" "$ov/lib/arm-linux-gnueabihf"
cp "$ACACHE/userland/busybox" "$ov/bin/busybox"
cp "$ACACHE/userland/picocom" "$ov/usr/bin/picocom"
for f in ld-linux-armhf.so.3 libc.so.6; do
	cp -L "/usr/arm-linux-gnueabihf/lib/$f" "$ov/lib/arm-linux-gnueabihf/$f"
done
ln -s arm-linux-gnueabihf/ld-linux-armhf.so.3 "$ov/lib/ld-linux-armhf.so.3"
(cd "$ov" && find . -mindepth 1 -print0 | cpio -o -0 -H newc --owner=0:0 --quiet) >"$B/initrd.arm.cpio"
cat "$B/initrd.base" "$B/initrd.arm.cpio" >"$B/initrd.cpio"
stage "dtb+initramfs"

# --- 4. boots ---------------------------------------------------------------------

# boot NAME: one check-mode boot, its serial lines wired as README says.
boot() {
	local name=$1 dir=$OUT/$1 sock qemu_pid peer_pid="" rc=0 append serial=()
	mkdir -p "$dir"
	sock=$(mktemp -d /tmp/ttydpc-arm.XXXXXX)
	append="console=ttyS0,115200 loglevel=3 panic=-1 ttydpc.dpc=$DPC ttydpc_mode=check"
	append+=" ttydpc_run=/selftests/arm_guest.sh ttydpc_args=$name ttydpc_timeout=$((BOOT_TIMEOUT - 30))"
	[[ -z $TESTS ]] || append+=" TTYDPC_ARM_TESTS=$TESTS"
	[[ -z $APPEND ]] || append+=" $APPEND"
	# -serial in order: UART0 (console), UART1, UART2, UART3.
	case $name in
	host)
		serial=(
			-chardev "socket,id=ctl,path=$sock/ctl,server=on,wait=off" -serial chardev:ctl
			-chardev "socket,id=data0,path=$sock/data0,server=on,wait=off" -serial chardev:data0
			-chardev "socket,id=data1,path=$sock/data1,server=on,wait=off" -serial chardev:data1
		)
		;;
	nm | width)
		append+=" TTYDPC_CTL="
		# UART1 has the bad node and gets no driver; UART2 <-> UART3 is a
		# null modem (the server end exists before the client connects).
		# shellcheck disable=SC2054 # commas inside QEMU options
		serial=(
			-chardev null,id=u1 -serial chardev:u1
			-chardev "socket,id=nm0,path=$sock/nm,server=on,wait=off" -serial chardev:nm0
			-chardev "socket,id=nm1,path=$sock/nm" -serial chardev:nm1
		)
		;;
	esac
	: >"$dir/trace.log"
	local extra=()
	read -r -a extra <<<"${ARM_QEMU_ARGS:-}"
	log "boot $name (overlays: shipped + ${TEST_OVERLAY[$name]}, dpc=$DPC)"
	timeout -k 5 "$BOOT_TIMEOUT" qemu-system-arm -M orangepi-pc -m 1024 -accel tcg \
		-nodefaults -nographic -no-reboot \
		-kernel "$K/vmlinuz" -dtb "$D/$name.dtb" -initrd "$B/initrd.cpio" \
		-append "$append" \
		-chardev "file,id=con,path=$dir/console.log" -serial chardev:con \
		"${serial[@]}" \
		-qmp "unix:$sock/qmp,server=on,wait=off" \
		-trace serial_update_parameters -D "$dir/trace.log" \
		"${extra[@]}" </dev/null >"$dir/qemu.log" 2>&1 &
	qemu_pid=$!
	if [[ $name == host ]]; then
		python3 "$VM_DIR/hostpeer.py" --ctl "$sock/ctl" --qmp "$sock/qmp" \
			--trace "$dir/trace.log" --chan "data0=$sock/data0" --chan "data1=$sock/data1" \
			--log "$dir/peer.log" </dev/null >"$dir/peer.out" 2>&1 &
		peer_pid=$!
	fi
	# A kernel oops on the console (loglevel=3 lets only those through)
	# usually wedges the test that caused it until the guest's timeout:
	# give the guest OOPS_GRACE seconds to print more, then stop the boot.
	while kill -0 "$qemu_pid" 2>/dev/null; do
		if grep -qaE "$OOPS" "$dir/console.log" 2>/dev/null; then
			log "  $name: kernel oops on the console, stopping the boot in ${OOPS_GRACE}s"
			sleep "$OOPS_GRACE"
			touch "$dir/oops"
			kill "$qemu_pid" 2>/dev/null || true
			break
		fi
		sleep 1
	done
	wait "$qemu_pid" || rc=$?
	[[ -z $peer_pid ]] || { kill "$peer_pid" 2>/dev/null || true; wait "$peer_pid" 2>/dev/null || true; }
	rm -rf "$sock"
	[[ $rc -ne 124 || -e $dir/oops ]] || touch "$dir/timeout"
	return 0
}

# analyse NAME: writes tap.txt, dmesg.txt and result ("pass fail skip note").
analyse() {
	local dir=$OUT/$1 log tap sum pass=0 fail=0 skip=0 note="" top plan dm
	log=$(tr -d '\r' <"$dir/console.log" 2>/dev/null || true)
	tap=$(sed -n '/^==== ttydpc: selftests begin ====$/,/^==== ttydpc: selftests end/p' <<<"$log")
	printf '%s\n' "$tap" >"$dir/tap.txt"
	sum=$(grep -E '^[0-9]+ passed, [0-9]+ failed' <<<"$tap" | tail -n1 || true)
	if [[ -n $sum ]]; then
		pass=$(sed -E 's/^([0-9]+) passed.*/\1/' <<<"$sum")
		fail=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$sum")
		skip=$(sed -nE 's/.* ([0-9]+) skipped.*/\1/p' <<<"$sum")
		skip=${skip:-0}
	fi
	if [[ -z $sum ]]; then
		# No closing count (boot stopped): the top-level results.
		pass=$(grep -E '^ok [0-9]+' <<<"$tap" | grep -ciE -v '#[[:space:]]*skip' || true)
		skip=$(grep -E '^ok [0-9]+' <<<"$tap" | grep -ciE '#[[:space:]]*skip' || true)
	fi
	top=$(grep -cE '^not ok [0-9]+' <<<"$tap" || true)
	((fail >= top)) || fail=$top
	if [[ -e $dir/oops ]]; then
		note="boot stopped after a kernel oops"
	elif [[ -e $dir/timeout ]]; then
		note="timeout after ${BOOT_TIMEOUT}s"
	elif ! grep -q '^==== ttydpc: selftests begin ====$' <<<"$log"; then
		note="no selftests start (boot failed)"
	elif ! grep -q '^==== ttydpc: selftests end' <<<"$log"; then
		note="selftests did not finish (crash?)"
	elif grep -q '^==== ttydpc: selftests killed after' <<<"$log"; then
		note="selftests killed by the guest timeout"
	elif ! grep -q '^==== ttydpc: dmesg end ====$' <<<"$log"; then
		note="no dmesg dump"
	elif [[ -z $sum ]]; then
		note="no closing count from run_tests.sh (top-level results counted)"
	fi
	plan=$(grep -m1 -oE '^1\.\.[0-9]+' <<<"$tap" | cut -d. -f3 || true)
	top=$(grep -cE '^(not )?ok [0-9]+' <<<"$tap" || true)
	if [[ -z $note && -n $plan && $top -lt $plan ]]; then
		note="only $top of $plan planned results"
	fi
	if grep -q '^==== ttydpc: dmesg end ====$' <<<"$log"; then
		dm=$(sed -n '/^==== ttydpc: dmesg begin ====$/,/^==== ttydpc: dmesg end ====$/p' <<<"$log")
	else
		dm=$log
	fi
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
stage boots

# --- 5. results -----------------------------------------------------------------

total_pass=0 total_fail=0 total_skip=0
echo
for name in $BOOTS; do
	echo "# ---- boot $name: TAP ($OUT/$name/tap.txt) ----"
	# Top-level results and every failed nested case.
	grep -E '^(not )?ok [0-9]+|^1\.\.[0-9]+|^# arm boot|^[[:space:]#]*not ok [0-9]+' "$OUT/$name/tap.txt" || true
done
echo
echo "ttydpc ARM lane: $REL on qemu-system-arm -M orangepi-pc, dpc=$DPC (results: $OUT)"
printf '%-7s %-26s %7s %7s %7s  %s\n' boot "test overlays" passed failed skipped note
for name in $BOOTS; do
	read -r pass fail skip note <"$OUT/$name/result" || { pass=0 fail=0 skip=0 note=missing; }
	[[ -z $note ]] || fail=$((fail + 1))
	total_pass=$((total_pass + pass))
	total_fail=$((total_fail + fail))
	total_skip=$((total_skip + skip))
	printf '%-7s %-26s %7s %7s %7s  %s\n' "$name" "${TEST_OVERLAY[$name]// /+}" "$pass" "$fail" "$skip" "${note:-}"
done
echo "$total_pass $total_fail $total_skip" >"$OUT/result"
echo "time: $(($(date +%s) - t_start))s (${TIMES[*]})"
if ((total_skip)); then
	echo "$total_pass passed, $total_fail failed, $total_skip skipped"
else
	echo "$total_pass passed, $total_fail failed"
fi
((total_fail == 0))
