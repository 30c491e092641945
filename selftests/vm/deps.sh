#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# deps.sh [LANE...]: install what the VM suite needs, idempotently.
#
#   - Debian packages: QEMU, busybox-static, picocom, the toolchain and the
#     kernel headers of each lane (apt-get install, skipped when present);
#   - each lane's kernel image, fetched with `apt-get download` and unpacked
#     with `dpkg -x` into $TTYDPC_CACHE/<release>/ (never installed).
#
# Lanes default to $KERNELS, else "6.1 6.12 6.12-rt" (see lane_release in lib.sh).
# Environment: TTYDPC_CACHE (default ~/.cache/ttydpc), DEPS_EXTRA (more
# packages to install), DEPS_HEADERS (lanes whose headers only are wanted:
# make check's DKMS builds).
set -euo pipefail
# shellcheck source=selftests/vm/lib.sh
. "$(dirname "$0")/lib.sh"

read -r -a LANES <<<"${*:-${KERNELS:-6.1 6.12 6.12-rt}}"

((EUID == 0)) || command -v sudo >/dev/null || die "not root and no sudo: cannot run apt-get"

# Host and guest side (busybox, picocom, python3, python3-serial go into the
# initramfs). linux-source-6.12: kselftest_harness.h, which the headers
# packages lack. The i686 cross compiler (32-bit API tests) coexists with
# the ARM lanes' cross compilers; gcc-multilib does not.
PKGS=(qemu-system-x86 busybox-static picocom python3 python3-serial cpio kmod gcc make
	libc6-dev xz-utils linux-source-6.1 linux-source-6.12 gcc-i686-linux-gnu libc6-dev-i386-cross
	dkms openssl)
read -r -a EXTRA <<<"${DEPS_EXTRA:-}"
PKGS+=("${EXTRA[@]}")
PKGS+=(python3-sphinx)	# make docs

updated=0
apt_update() {
	((updated)) && return 0
	log "apt-get update"
	as_root apt-get update -qq
	updated=1
}
apt_has_lists || apt_update

declare -A REL
for lane in "${LANES[@]}"; do
	REL[$lane]=$(lane_release "$lane")
	PKGS+=("linux-headers-${REL[$lane]}")
	log "lane $lane -> kernel ${REL[$lane]}"
done
read -r -a HDR_LANES <<<"${DEPS_HEADERS:-}"
for lane in "${HDR_LANES[@]}"; do
	PKGS+=("linux-headers-$(lane_release "$lane")")
done

need_pkgs "${PKGS[@]}"

# Kernel images: only boot/ is kept; every driver the VM needs (8250, serial
# core, PNP, PCI, debugfs) is built into Debian's kernels.
for lane in "${LANES[@]}"; do
	rel=${REL[$lane]}
	dst=$TTYDPC_CACHE/$rel
	[[ -s $dst/vmlinuz ]] && continue
	pkg=$(image_package "$rel")
	tmp=$(mktemp -d "$TTYDPC_CACHE.tmp.XXXXXX" 2>/dev/null) || {
		mkdir -p "$(dirname "$TTYDPC_CACHE")"
		tmp=$(mktemp -d "$TTYDPC_CACHE.tmp.XXXXXX")
	}
	log "fetching $pkg"
	# apt-get download writes into the current directory; as root apt
	# drops to user _apt for the download, which needs to write there.
	chmod 0777 "$tmp"
	(cd "$tmp" && apt-get download -qq "$pkg" 2>&1 | grep -v 'unsandboxed' >&2) || true
	deb=$(compgen -G "$tmp/${pkg}_*.deb" | head -n1) || true
	if [[ -z $deb ]]; then
		apt_update
		(cd "$tmp" && apt-get download -qq "$pkg")
		deb=$(compgen -G "$tmp/${pkg}_*.deb" | head -n1) || die "download of $pkg failed"
	fi
	dpkg -x "$deb" "$tmp/root"
	mkdir -p "$dst"
	cp "$tmp/root/boot/vmlinuz-$rel" "$dst/vmlinuz.new"
	for f in config System.map; do
		[[ -f $tmp/root/boot/$f-$rel ]] && cp "$tmp/root/boot/$f-$rel" "$dst/$f"
	done
	basename "$deb" >"$dst/package"
	mv "$dst/vmlinuz.new" "$dst/vmlinuz"
	rm -rf "$tmp"
	log "kernel $rel -> $dst/vmlinuz"
done
