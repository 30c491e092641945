#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# build-kernel.sh [-k VERSION] [-p|-d]: builds (or finds in the cache) the
# ttydpc debug kernel and prints the directory of the cache entry on stdout:
#   ENTRY/obj                        the build tree: make -C ENTRY/obj M=...
#   ENTRY/obj/arch/x86/boot/bzImage  the kernel the VM boots
#   ENTRY/obj/System.map, ENTRY/obj/.config, ENTRY/build.log, ENTRY/key
# -p only prints the entry (empty when not built yet) and builds nothing.
# -d only installs the packages the build needs (make check runs it before
# starting the build in the background, so that apt-get never runs twice).
# -k VERSION (or DEBUG_KERNEL=VERSION): 6.1 (default) or 6.12, Debian's
# linux-source-VERSION (/usr/src/linux-source-VERSION.tar.xz, installed
# with apt-get when missing; LINUX_SOURCE names another tarball).
# Config (tinyconfig + debug.config + debug-VERSION.config) and cache
# ($TTYDPC_CACHE/debug-kernel/<source version>-<hash of the fragments,
# RECIPE and gcc version>, complete when ENTRY/complete exists): README,
# step 1. Concurrent callers serialise on ENTRY.lock. Environment: JOBS
# (make -j, default nproc), DEBUG_KERNEL_KEEP (other entries of the same
# version kept, default 1).
set -euo pipefail
# One function, read whole before it runs: editing this file during a build
# does not disturb the build.
main() {

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=selftests/vm/lib.sh
. "$HERE/../vm/lib.sh"
# Bump when the recipe (base config, targets, flags, pruning) changes.
RECIPE=4

print_only=0 deps_only=0
VER=${DEBUG_KERNEL:-6.1}
while getopts pdk: opt; do
	case $opt in
	p) print_only=1 ;;
	d) deps_only=1 ;;
	k) VER=$OPTARG ;;
	*) die "usage: build-kernel.sh [-k 6.1|6.12] [-p|-d]" ;;
	esac
done
[[ $VER =~ ^[0-9]+\.[0-9]+$ ]] || die "DEBUG_KERNEL/-k: a version like 6.1 or 6.12, not '$VER'"
PKG=linux-source-$VER
DEFAULT_SOURCE=/usr/src/$PKG.tar.xz
LINUX_SOURCE=${LINUX_SOURCE:-$DEFAULT_SOURCE}
FRAGMENTS=("$HERE/debug.config")
[[ ! -e $HERE/debug-$VER.config ]] || FRAGMENTS+=("$HERE/debug-$VER.config")

if ((!print_only)); then
	pkgs=(gcc make flex bison bc libelf-dev libssl-dev xz-utils cpio kmod)
	[[ -r $LINUX_SOURCE || $LINUX_SOURCE != "$DEFAULT_SOURCE" ]] ||
		pkgs+=("$PKG")
	need_pkgs "${pkgs[@]}"
fi
((!deps_only)) || exit 0
[[ -r $LINUX_SOURCE ]] || die "no $LINUX_SOURCE (apt-get install $PKG)"

# --- cache key ---------------------------------------------------------------
# Source version: the Debian package's version when the tarball is the
# packaged one, else a hash of the tarball.
srcver=
if [[ $LINUX_SOURCE == "$DEFAULT_SOURCE" ]]; then
	srcver=$(dpkg-query -W -f='${Version}' "$PKG" 2>/dev/null || true)
fi
[[ -n $srcver ]] || srcver=tar$(sha256sum "$LINUX_SOURCE" | cut -c1-12)
cfghash=$({
	echo "recipe $RECIPE"
	cat "${FRAGMENTS[@]}"
	gcc --version | head -n1
} | sha256sum | cut -c1-12)
KEY=$srcver-$cfghash
BASE=$TTYDPC_CACHE/debug-kernel
ENTRY=$BASE/$KEY

if ((print_only)); then
	[[ -e $ENTRY/complete ]] && echo "$ENTRY"
	exit 0
fi

mkdir -p "$BASE"
exec 9>"$ENTRY.lock"
flock 9
if [[ -e $ENTRY/complete ]]; then
	log "cached: $ENTRY"
	echo "$ENTRY"
	exit 0
fi

# --- build -------------------------------------------------------------------
# Built in place (the O= tree records absolute paths to the source tree, so
# it cannot be moved afterwards); ENTRY/complete is written last.
rm -rf "$ENTRY"
mkdir -p "$ENTRY"
echo "$KEY" >"$ENTRY/key"
echo "$VER" >"$ENTRY/version"
t0=$(date +%s)
JOBS=${JOBS:-$(nproc)}
BLOG=$ENTRY/build.log
log "building debug kernel $KEY in $ENTRY (log: $BLOG; a few minutes on 2 cores)"
tar -xJf "$LINUX_SOURCE" -C "$ENTRY"
src=$(compgen -G "$ENTRY/linux-source-*" | head -n1)
[[ -d $src ]] || die "unexpected tarball layout in $LINUX_SOURCE"
mv "$src" "$ENTRY/src"
src=$ENTRY/src
obj=$ENTRY/obj
mkdir -p "$obj"
kmake() { make -C "$src" O="$obj" "$@" >>"$BLOG" 2>&1; }

{
	kmake tinyconfig
	"$src/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" "${FRAGMENTS[@]}" >>"$BLOG" 2>&1
	kmake olddefconfig
} || { tail -n 30 "$BLOG" >&2; die "configuration failed (log: $BLOG)"; }

# Every symbol of the fragment must have survived olddefconfig.
bad=0
while IFS= read -r line; do
	case $line in
	CONFIG_*=*) want=$line ;;
	'# CONFIG_'*' is not set') want=$line ;;
	*) continue ;;
	esac
	sym=${want#\# }
	sym=${sym%%[= ]*}
	if [[ $want == \#* ]]; then
		grep -qE "^$sym=" "$obj/.config" && { log "config: $sym is set, wanted off"; bad=1; }
	else
		grep -qxF "$want" "$obj/.config" ||
			{ log "config: wanted $want, got: $(grep -E "^(# )?${sym}[= ]" "$obj/.config" || echo absent)"; bad=1; }
	fi
done < <(cat "${FRAGMENTS[@]}")
((bad == 0)) || die "${FRAGMENTS[*]##*/} do not apply to this source (see above)"

if ! kmake -j"$JOBS" bzImage modules; then
	grep -E 'error|Error' "$BLOG" | head -n 20 >&2
	die "kernel build failed (log: $BLOG)"
fi
kmake modules_prepare || die "modules_prepare failed (log: $BLOG)"
[[ -s $obj/Module.symvers ]] || cp "$obj/vmlinux.symvers" "$obj/Module.symvers"

# Keep what external module builds and the VM need; drop the objects
# (several GB). scripts/ and tools/objtool hold host programs: kept whole.
find "$obj" -path "$obj/scripts" -prune -o -path "$obj/tools" -prune -o \
	\( -name '*.o' -o -name '*.a' -o -name '.*.cmd' -o -name '*.mod.c' \) -type f -print0 |
	xargs -0 rm -f
rm -f "$obj/vmlinux" "$obj/vmlinux.o" "$obj"/.tmp_vmlinux* "$obj/arch/x86/boot/compressed/vmlinux" \
	"$obj/arch/x86/boot/compressed/vmlinux.bin"*
# The source tree: drop what an out-of-tree module build never reads (it
# needs the top Makefile, scripts/, include/, arch/x86/); about 1 GB less.
rm -rf "$src/Documentation" "$src/drivers" "$src/sound" "$src/net" "$src/fs" \
	"$src/samples" "$src/LICENSES" "$src/rust"
find "$src/arch" -mindepth 1 -maxdepth 1 -type d ! -name x86 ! -name um -exec rm -rf {} +

secs=$(($(date +%s) - t0))
echo "$secs" >"$ENTRY/build-seconds"
date -u +%FT%TZ >"$ENTRY/complete"
log "debug kernel built in ${secs}s: $obj/arch/x86/boot/bzImage ($(du -sh "$ENTRY" | cut -f1) cached)"

# Old entries (other keys) of this version (entries from before the version
# file were 6.1's): keep the newest DEBUG_KERNEL_KEEP of them.
keep=${DEBUG_KERNEL_KEEP:-1}
mapfile -t old < <(find "$BASE" -mindepth 2 -maxdepth 2 -name complete -printf '%T@ %h\n' |
	sort -rn | cut -d' ' -f2- | grep -vxF "$ENTRY" |
	while IFS= read -r d; do
		[[ $(cat "$d/version" 2>/dev/null || echo 6.1) == "$VER" ]] && echo "$d"
	done || true)
for ((i = keep; i < ${#old[@]}; i++)); do
	log "removing old cache entry ${old[i]}"
	rm -rf "${old[i]}" "${old[i]}.lock"
done
echo "$ENTRY"
}
main "$@"; exit
