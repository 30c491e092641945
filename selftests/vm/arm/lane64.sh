#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# lane64.sh [--out DIR] [--dpc DESIGN] [--no-deps] [--tests a,b] [--append ARGS]
#
# The arm64 lane: ttydpc's PCI binding on ARM. Debian's arm64 kernel in
# `qemu-system-aarch64 -M virt -cpu cortex-a57` (TCG), QEMU's PCI 16550s on
# the generic PCIe host bridge:
#   00:10.0 pci-serial     -> ttydpc, ttyDPC0, host channel data0
#   00:11.0 pci-serial-2x  -> ttydpc, ttyDPC1 <-> ttyDPC2, a null modem
#   00:12.0 pci-serial     stays with 8250_pci: the control line
# /init moves 10.0 and 11.0 to ttydpc as on x86; guest.sh runs every
# selftest (ISA/PNP ones skip). Prints "N passed, N failed" last (README).
# Options:
#   --out DIR       results (default: build/arm64): pci/console.log, tap.txt,
#                   dmesg.txt, peer.log, qemu.log; result ("passed failed
#                   skipped" of the lane)
#   --dpc DESIGN    ttydpc.dpc= of the boot (default: both)
#   --no-deps       no apt-get install on the host, no refresh of the arm64
#                   package lists (SKIP_DEPS=1 does the same)
#   --tests LIST    run only these selftests (comma-separated)
#   --append ARGS   extra guest kernel command line
# Environment: TTYDPC_CACHE (~/.cache/ttydpc; this lane uses its arm64/),
#   BOOT_TIMEOUT (1200 s), OOPS_GRACE (20 s), ARM64_KERNEL (a release such
#   as 6.1.0-56-arm64 instead of what linux-image-arm64 depends on),
#   VM_SMP (2), ARM_QEMU_ARGS (more QEMU options).
set -euo pipefail
ARM_DIR=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=selftests/vm/lib.sh
. "$ARM_DIR/../lib.sh"

usage() { sed -n '4,26s/^# \{0,1\}//p' "$0" >&2; exit 2; }

OUT=$TOP_DIR/build/arm64
BOOTS=pci
BOOT_TIMEOUT=${BOOT_TIMEOUT:-1200}
LANE_OPTS="--out --dpc --no-deps --tests --append"
CROSS=aarch64-linux-gnu-
DEB_ARCH=arm64
FLAVOUR=arm64
KERNEL_PIN=${ARM64_KERNEL:-}
# shellcheck source=selftests/vm/arm/cross.sh
. "$ARM_DIR/cross.sh"
lane_args "$@"

# --- 1. host packages, the arm64 guest's packages (cross.sh) ------------------

HOST_PKGS=(qemu-system-arm gcc-aarch64-linux-gnu libc6-dev-arm64-cross
	busybox-static picocom python3 cpio kmod gcc make libc6-dev linux-kbuild-6.1)

# prepare_kernel REL K TMP: the headers' scripts/ and tools/ resolve to the
# host's linux-kbuild-6.1 (its 64-bit modpost has arm64's layouts).
prepare_kernel() {
	ln -sfn "/usr/lib/$KBNAME" "$2/root/usr/lib/$KBNAME"
}

guest_deps prepare_kernel
stage deps

# --- 2. builds ----------------------------------------------------------------

build_guest arm64 "$CROSS" '^pci:v00001B36d00000002'
stage build

guest_initramfs aarch64-linux-gnu ld-linux-aarch64.so.1
stage initramfs

# --- 3. the boot ----------------------------------------------------------------

# boot pci: wired as the header says. TTYDPC_CTL= : guest.sh, not /init,
# finds the control line. The null modem's server end comes first.
boot() {
	local name=$1 sock
	sock=$(mktemp -d /tmp/ttydpc-arm64.XXXXXX)
	log "boot $name (virt, cortex-a57, dpc=$DPC)"
	boot_qemu "$name" "$sock" data0 qemu-system-aarch64 -M virt -cpu cortex-a57 -smp "${VM_SMP:-2}" \
		-append "$(guest_cmdline "$name" ttyAMA0 TTYDPC_CTL=)" \
		-chardev "file,id=con,path=$OUT/$name/console.log" -serial chardev:con \
		-chardev "socket,id=data0,path=$sock/data0,server=on,wait=off" \
		-device pci-serial,addr=10.0,chardev=data0 \
		-chardev "socket,id=nm0,path=$sock/nm,server=on,wait=off" \
		-chardev "socket,id=nm1,path=$sock/nm" \
		-device pci-serial-2x,addr=11.0,chardev1=nm0,chardev2=nm1 \
		-chardev "socket,id=ctl,path=$sock/ctl,server=on,wait=off" \
		-device pci-serial,addr=12.0,chardev=ctl
}

boot_desc() { echo "PCI 10.0 11.0, ctl 12.0"; }
run_boots
stage boots

report "ttydpc arm64 lane: $REL on qemu-system-aarch64 -M virt, dpc=$DPC"
