#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# lane.sh [--out DIR] [--boots "host nm width ..."] [--dpc DESIGN] [--no-deps]
#
# The armhf lane: ttydpc on Debian's armmp kernel in QEMU's Orange Pi PC
# (Allwinner H3, -M orangepi-pc, TCG), bound through the device tree: the
# cached armhf kernel and a modpost for ARM, cross builds, the boot DTBs
# (the shipped overlay and test overlays), one boot per wiring; prints a
# table and "N passed, N failed" last (README here: the steps and wiring).
# Options:
#   --out DIR       results (default: build/arm): <boot>/console.log,
#                   tap.txt, dmesg.txt, peer.log, qemu.log, result; result
#                   ("passed failed skipped" of the whole lane)
#   --boots LIST    which boots (default "host nm width dwshift clock size")
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
#   BOOT_TIMEOUT (900 s per boot), OOPS_GRACE (20 s: a boot whose console
#   shows a kernel oops is stopped that long after it), ARM_KERNEL (a
#   release such as 6.1.0-50-armmp instead of what linux-image-armmp
#   depends on), SKIP_DEPS=1 (as --no-deps), ARM_QEMU_ARGS (more QEMU
#   options, e.g. "-trace serial_read -trace serial_write").
set -euo pipefail
ARM_DIR=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=selftests/vm/lib.sh
. "$ARM_DIR/../lib.sh"

usage() { sed -n '4,32s/^# \{0,1\}//p' "$0" >&2; exit 2; }

OUT=$TOP_DIR/build/arm
BOOTS="host nm width dwshift clock size"
BOOT_TIMEOUT=${BOOT_TIMEOUT:-900}
LANE_OPTS="--out --boots --dpc --no-deps --tests --append --add --jobs"
CROSS=arm-linux-gnueabihf-
DEB_ARCH=armhf
FLAVOUR=armmp
KERNEL_PIN=${ARM_KERNEL:-}
# shellcheck source=selftests/vm/arm/cross.sh
. "$ARM_DIR/cross.sh"
lane_args "$@"

# --- 1. host packages, the armhf guest's packages (cross.sh) ----------------

HOST_PKGS=(qemu-system-arm gcc-arm-linux-gnueabihf libc6-dev-armhf-cross
	device-tree-compiler busybox-static picocom python3 cpio kmod gcc make
	libc6-dev xz-utils linux-source-6.1 linux-source-6.12 linux-kbuild-6.1)

# prepare_kernel REL K TMP: after cross.sh's fetch_kernel, the board's DTB
# in K (every driver the board needs is built in), and the headers'
# scripts/ and tools/ pointing at a copy of the host's linux-kbuild-6.1
# whose modpost is rebuilt for ARM.
prepare_kernel() {
	local rel=$1 k=$2 tmp=$3
	dpkg-deb --fsys-tarfile "$tmp"/debs/linux-image-"${rel}"_*.deb |
		tar -x -C "$tmp" "./usr/lib/linux-image-$rel/sun8i-h3-orangepi-pc.dtb"
	cp "$tmp/usr/lib/linux-image-$rel/sun8i-h3-orangepi-pc.dtb" "$k/sun8i-h3-orangepi-pc.dtb"
	# A copy of the host's kbuild (same 6.1 series): its modpost is replaced.
	cp -a "/usr/lib/$KBNAME" "$k/root/usr/lib/"
	build_modpost "$rel" "$k" "$tmp"
}

# build_modpost REL K TMP: Debian's host modpost has x86-64 device-table
# layouts (of_device_id 200 bytes, ARM's 196): build one from
# linux-source-6.1 with ARM's offsets and elfconfig.h (README, step 2).
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

guest_deps prepare_kernel
stage deps

# --- 2. builds ----------------------------------------------------------------

# kselftest_harness.h casts the pointers of EXPECT_NE(NULL, p) to
# intmax_t, which -Werror refuses on 32-bit targets.
CFLAGS="-O2 -Wno-pointer-to-int-cast" build_guest arm "$CROSS" '^of:N\*T\*Cttydpc,dw-apb-uart$'
install -m 0755 "$ARM_DIR/dt_of.sh" "$ST/dt_of.sh"
stage build

# --- 3. device trees ------------------------------------------------------------

D=$OUT/dtb
rm -rf "$D"
mkdir -p "$D"
dtbo() { dtc -@ -q -I dts -O dtb -o "$D/$(basename "$1" .dtso).dtbo" "$1"; }
dtbo "$TOP_DIR/dts/ttydpc-orangepi-pc.dtso"
for o in "$ARM_DIR"/*.dtso; do dtbo "$o"; done
BASE_DTB=$K/sun8i-h3-orangepi-pc.dtb
# Test-only overlays applied after the shipped one, per boot (README).
declare -A TEST_OVERLAY=([host]="ctl-uart1 qemu-clock" [nm]="qemu-clock bad-reg-shift rs485-uart3"
	[width]="bad-reg-io-width" [dwshift]="bad-dw-reg-shift" [clock]="bad-clock"
	[size]="bad-reg-size")
for boot in $BOOTS; do
	[[ -n ${TEST_OVERLAY[$boot]:-} ]] || die "unknown boot '$boot' (${!TEST_OVERLAY[*]})"
	ovs=("$D/ttydpc-orangepi-pc.dtbo")
	for o in ${TEST_OVERLAY[$boot]}; do ovs+=("$D/$o.dtbo"); done
	fdtoverlay -i "$BASE_DTB" -o "$D/$boot.dtb" "${ovs[@]}"
done

# --- initramfs ------------------------------------------------------------------

guest_initramfs arm-linux-gnueabihf ld-linux-armhf.so.3
stage "dtb+initramfs"

# --- 4. boots ---------------------------------------------------------------------

# boot NAME: one check-mode boot, its serial lines wired as README says
# (-serial in order: UART0, the console, then UART1, UART2, UART3).
boot() {
	local name=$1 sock serial=() chans='' cmdline=()
	sock=$(mktemp -d /tmp/ttydpc-arm.XXXXXX)
	case $name in
	host)
		chans="data0 data1"
		serial=(
			-chardev "socket,id=ctl,path=$sock/ctl,server=on,wait=off" -serial chardev:ctl
			-chardev "socket,id=data0,path=$sock/data0,server=on,wait=off" -serial chardev:data0
			-chardev "socket,id=data1,path=$sock/data1,server=on,wait=off" -serial chardev:data1
		)
		;;
	nm | width | dwshift | clock | size)
		cmdline=(TTYDPC_CTL=)
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
	log "boot $name (overlays: shipped + ${TEST_OVERLAY[$name]}, dpc=$DPC)"
	boot_qemu "$name" "$sock" "$chans" qemu-system-arm -M orangepi-pc -dtb "$D/$name.dtb" \
		-append "$(guest_cmdline "$name" ttyS0,115200 "${cmdline[@]}")" \
		-chardev "file,id=con,path=$OUT/$name/console.log" -serial chardev:con \
		"${serial[@]}"
}

boot_desc() { echo "${TEST_OVERLAY[$1]// /+}"; }
run_boots
stage boots

# --- 5. results -----------------------------------------------------------------

report "ttydpc ARM lane: $REL on qemu-system-arm -M orangepi-pc, dpc=$DPC"
