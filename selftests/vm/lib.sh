# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Helpers shared by deps.sh, check.sh, demo.sh, selftest.sh, the ARM lanes
# (arm/lane.sh, arm/lane64.sh) and ../debug/check-debug.sh. Source it, do
# not run it. Everything here is plain bash plus apt-cache/dpkg.

VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP_DIR=$(cd "$VM_DIR/../.." && pwd)
TTYDPC_CACHE=${TTYDPC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ttydpc}

log()  { printf '%s: %s\n' "${0##*/}" "$*" >&2; }
die()  { log "error: $*"; exit 1; }

# need_pkgs PKG...: apt-get install the Debian packages not installed yet;
# a stale package list gives 404s: then update once and retry.
need_pkgs() {
	local p missing=() apt=(apt-get install -y -qq -o DPkg::Lock::Timeout=600 --no-install-recommends)
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
	done
	((${#missing[@]})) || return 0
	log "installing: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	as_root "${apt[@]}" "${missing[@]}" >&2 ||
		{ as_root apt-get update -qq >&2 && as_root "${apt[@]}" "${missing[@]}" >&2; }
}
as_root() { if ((EUID)); then sudo "$@"; else "$@"; fi; }

# True when apt has package lists at all (a fresh container has none until
# `apt-get update`; apt-cache then knows no package).
apt_has_lists() {
	compgen -G '/var/lib/apt/lists/*_Packages*' >/dev/null
}

apt_known() {
	apt-cache show --no-all-versions "$1" >/dev/null 2>&1
}

# lane_release LANE -> the kernel release (uname -r) of LANE: 6.1, 6.12,
# 6.12-rt (selftests/vm/README, "Lanes"), or a release given directly.
lane_release() {
	local lane=$1 flavour rel pkg
	case $lane in
	6.1)
		rel=$(apt-cache depends linux-image-amd64 2>/dev/null |
			sed -n 's/^ *Depends: linux-image-\([0-9].*-amd64\)$/\1/p' | head -n1)
		[[ -n $rel ]] || die "lane 6.1: apt-cache knows no linux-image-amd64 (apt-get update?)"
		;;
	6.12 | 6.12-rt)
		flavour=amd64
		[[ $lane == 6.12-rt ]] && flavour=rt-amd64
		rel=
		# pkgnames reads the local apt cache only; newest version first.
		for pkg in $(apt-cache pkgnames "linux-image-6.12." 2>/dev/null |
			grep -E "^linux-image-6\.12\.[0-9]+\+deb12-${flavour}-unsigned\$" |
			sort -rV); do
			pkg=${pkg#linux-image-}
			pkg=${pkg%-unsigned}
			if apt_known "linux-headers-$pkg"; then
				rel=$pkg
				break
			fi
		done
		[[ -n $rel ]] || die "lane $lane: no linux-image-6.12.*+deb12-$flavour-unsigned with headers in apt"
		;;
	[0-9]*-*)
		rel=$lane
		;;
	*)
		die "unknown lane '$lane' (known: 6.1 6.12 6.12-rt, or a kernel release)"
		;;
	esac
	printf '%s\n' "$rel"
}

# image_package RELEASE -> the Debian package that carries /boot/vmlinuz-RELEASE.
# 6.12 images are only published signed+unsigned; the unsigned one is the
# plain build (the signed one wraps it). 6.1's meta package points to the
# signed name, which also works, so prefer -unsigned when apt knows it.
image_package() {
	if apt_known "linux-image-$1-unsigned"; then
		printf 'linux-image-%s-unsigned\n' "$1"
	else
		printf 'linux-image-%s\n' "$1"
	fi
}

# Where deps.sh leaves a lane's kernel: $TTYDPC_CACHE/<release>/vmlinuz.
kernel_image() { printf '%s/%s/vmlinuz\n' "$TTYDPC_CACHE" "$1"; }
headers_dir()  { printf '/usr/src/linux-headers-%s\n' "$1"; }

# build_module RELEASE OUTDIR: builds ttydpc.ko against RELEASE's headers in a
# private copy of the source tree (so lanes, and the developer's own in-tree
# build, never share object files) and copies the result to OUTDIR/ttydpc.ko.
build_module() {
	local rel=$1 out=$2 kdir src
	kdir=$(headers_dir "$rel")
	[[ -f $kdir/Makefile ]] || die "no headers for $rel in $kdir (run make deps)"
	src=$out/src
	mkdir -p "$src"
	# The sources, mtimes kept (incremental rebuilds), less what Kbuild never reads.
	tar -C "$TOP_DIR" -cf - \
		--exclude=./.git --exclude=./build --exclude=./selftests \
		--exclude=./.ci --exclude='*.o' --exclude='*.ko' --exclude='*.cmd' \
		--exclude='*.mod' --exclude='*.mod.c' --exclude=./Module.symvers \
		--exclude=./modules.order . | tar -C "$src" -xf -
	log "building ttydpc.ko for $rel"
	make -s -j"$(nproc)" -C "$kdir" M="$src" modules >"$out/build.log" 2>&1 || {
		cat "$out/build.log" >&2
		die "module build failed for $rel (log: $out/build.log)"
	}
	# Warnings are worth seeing even when the build succeeds.
	grep -E 'warning:|error:' "$out/build.log" >&2 || true
	cp "$src/ttydpc.ko" "$out/ttydpc.ko"
}

# build_selftests OUTDIR: the other half of the suite (selftests/ttydpc).
build_selftests() {
	local out=$1
	[[ -f $TOP_DIR/selftests/ttydpc/Makefile ]] ||
		die "selftests/ttydpc/Makefile is missing: cannot build the guest tests"
	mkdir -p "$out"
	log "building selftests into $out"
	make -s -j"$(nproc)" -C "$TOP_DIR/selftests/ttydpc" OUTPUT="$out" >"$out.log" 2>&1 || {
		cat "$out.log" >&2
		die "selftests build failed (log: $out.log)"
	}
	if [[ ! -f $out/run_tests.sh && -f $TOP_DIR/selftests/ttydpc/run_tests.sh ]]; then
		cp "$TOP_DIR/selftests/ttydpc/run_tests.sh" "$out/run_tests.sh"
	fi
	[[ -f $out/run_tests.sh ]] || log "warning: no run_tests.sh in $out"
}

# --- a guest's console: /init brackets its TAP and its dmesg with
# "==== ttydpc: selftests begin/end" and "dmesg begin/end" markers.

# console_tap LOG: the TAP between the selftests markers of console text LOG.
console_tap() {
	sed -n '/^==== ttydpc: selftests begin ====$/,/^==== ttydpc: selftests end/p' <<<"$1"
}

# run_note LOG WHAT: what the markers in console text LOG say went wrong with
# the guest's run, WHAT ("selftests", "run_debug.sh"); nothing when all
# markers are there.
run_note() {
	local log=$1 what=$2
	if ! grep -q '^==== ttydpc: selftests begin ====$' <<<"$log"; then
		echo "no $what start (boot failed?)"
	elif ! grep -q '^==== ttydpc: selftests end' <<<"$log"; then
		echo "$what did not finish (guest crashed?)"
	elif grep -q '^==== ttydpc: selftests killed after' <<<"$log"; then
		echo "$what $(grep -m1 -o 'killed after [0-9]*s' <<<"$log") (guest timeout)"
	elif ! grep -q '^==== ttydpc: dmesg end ====$' <<<"$log"; then
		echo "no dmesg dump"
	fi
}

# console_dmesg LOG: the guest's dmesg dump in console text LOG, or all of
# LOG when the dump never came.
console_dmesg() {
	if grep -q '^==== ttydpc: dmesg end ====$' <<<"$1"; then
		sed -n '/^==== ttydpc: dmesg begin ====$/,/^==== ttydpc: dmesg end ====$/p' <<<"$1"
	else
		printf '%s\n' "$1"
	fi
}

# closing_parse < TEXT: "pass fail skip" of the last "N passed, N failed[,
# N skipped]" line of TEXT (what closing_count prints); false without one.
closing_parse() {
	awk '/^[0-9]+ passed, [0-9]+ failed/ { p = $1; f = $3 + 0; s = $5 + 0; n = 1 }
		END { if (n) print p, f, s; exit !n }'
}

# tap_count TAP: "pass fail skip" of a run_tests.sh run: its closing count
# (the nested TAP's test cases), never fewer failures than failed programs;
# when it was cut short, the top-level results (also indented TAP 14
# subtests, never "# "-commented nested output).
tap_count() {
	local tap=$1 pass fail skip top
	if read -r pass fail skip < <(closing_parse <<<"$tap"); then
		top=$(grep -cE '^not ok [0-9]+' <<<"$tap" || true)
		((fail >= top)) || fail=$top
	else
		pass=$(grep -E '^[[:space:]]*ok [0-9]+' <<<"$tap" | grep -ciE -v '#[[:space:]]*skip' || true)
		skip=$(grep -E '^[[:space:]]*ok [0-9]+' <<<"$tap" | grep -ciE '#[[:space:]]*skip' || true)
		fail=$(grep -cE '^[[:space:]]*not ok [0-9]+' <<<"$tap" || true)
	fi
	echo "$pass $fail $skip"
}

# closing_count PASS FAIL SKIP: the last line of every lane's output
# ("N passed, N failed[, N skipped]"), the line check.sh reads from the ARM
# and debug lanes; false when FAIL is not 0.
closing_count() {
	if (($3)); then
		echo "$1 passed, $2 failed, $3 skipped"
	else
		echo "$1 passed, $2 failed"
	fi
	(($2 == 0))
}
