#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mkinitramfs.sh -o OUT [-k ttydpc.ko] [-t SELFTESTS_DIR] [-x FILE]... [-p PYTHON] [-r DIR]
#
# Builds the test VM's initramfs (newc cpio):
#   /init                      selftests/vm/init
#   /bin/busybox + applets     from busybox-static
#   /usr/bin/picocom           the host's, with its shared libraries
#   /lib/modules/ttydpc.ko     -k
#   /selftests/                -t: test binaries and run_tests.sh
#   /usr/bin/<name>            -x: any extra host program (libraries included)
#   /usr/bin/python3           -p: the host's python (Debian's python3.11),
#                              only the stdlib the tests' *.py files import
#   /...                       -r: DIR's tree copied over the root last (a
#                              `make install DESTDIR=DIR` staging tree)
# Dynamically linked programs get their libraries at the paths ldd reports,
# so a test binary that is not static still runs.
set -euo pipefail
# shellcheck source=selftests/vm/lib.sh
. "$(dirname "$0")/lib.sh"

usage() { sed -n '4,18s/^# \{0,1\}//p' "$0" >&2; exit 2; }

out='' ko='' tests='' extra=() python='' overlay=''
while getopts o:k:t:x:p:r:h opt; do
	case $opt in
	o) out=$OPTARG ;;
	k) ko=$OPTARG ;;
	t) tests=$OPTARG ;;
	x) extra+=("$OPTARG") ;;
	p) python=$OPTARG ;;
	r) overlay=$OPTARG ;;
	*) usage ;;
	esac
done
[[ -n $out ]] || usage

BUSYBOX=/bin/busybox
[[ -x $BUSYBOX ]] || die "$BUSYBOX missing (apt-get install busybox-static)"
# (A dynamic busybox gets its libraries from the ldd pass below.)
if ldd "$BUSYBOX" >/dev/null 2>&1; then
	log "warning: $BUSYBOX is dynamically linked (busybox-static not installed?)"
fi

root=$(mktemp -d "${TMPDIR:-/tmp}/ttydpc-initramfs.XXXXXX")
trap 'rm -rf "$root"' EXIT

mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,lib/modules,dev,proc,sys,tmp,run,root,etc,var/lock,selftests}
ln -s ../run "$root/var/run"
cp "$BUSYBOX" "$root/bin/busybox"
for a in $("$BUSYBOX" --list-full); do
	[[ -e $root/$a ]] || ln -s /bin/busybox "$root/$a"
done
install -m 0755 "$VM_DIR/init" "$root/init"
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$root/etc/passwd"
printf 'root:x:0:\ndialout:x:20:\n' >"$root/etc/group"
# With a /dev/console node the kernel gives /init stdio before it mounts
# devtmpfs; only root can create it, and /init copes without it.
if [[ $EUID -eq 0 ]]; then
	mknod -m 600 "$root/dev/console" c 5 1
fi

command -v picocom >/dev/null || die "picocom missing (apt-get install picocom)"
cp "$(command -v picocom)" "$root/usr/bin/picocom"

if [[ -n $ko ]]; then
	[[ -f $ko ]] || die "no module $ko"
	cp "$ko" "$root/lib/modules/ttydpc.ko"
fi
if [[ -n $tests ]]; then
	[[ -d $tests ]] || die "no selftests directory $tests"
	cp -a "$tests/." "$root/selftests/"
fi
for f in "${extra[@]}"; do
	cp "$f" "$root/usr/bin/"
done

# python3 for api_python.py without the whole stdlib (about 40 MB): the
# files that importing the tests' *.py loads, found by importing them here
# as the guest runs them (-I -S, empty environment), with their
# __pycache__ copies (no compiling at every boot); os.py stays as the
# stdlib's landmark (os itself is frozen), lib-dynload for extensions.
if [[ -n $python ]]; then
	[[ -x $python ]] || die "no python $python (apt-get install python3)"
	pyname=$(basename "$python")
	cp "$python" "$root/usr/bin/$pyname"
	[[ $pyname == python3 ]] || ln -s "$pyname" "$root/usr/bin/python3"
	mapfile -t pyfiles < <(cd "$root/selftests" && env -i "$python" -I -S -B -c '
import os, sys
sys.path.insert(0, os.getcwd())
for f in sorted(os.listdir(".")):
    if f.endswith(".py"):
        __import__(f[:-3])
stdlib = os.path.dirname(os.__file__)
# the stdlib, and Debian python3-* packages (/usr/lib/python3/dist-packages)
pylib = os.path.join(sys.prefix, "lib", "python3")
files = {os.path.join(stdlib, "os.py")}
for m in list(sys.modules.values()):
    spec = getattr(m, "__spec__", None)
    origin = getattr(spec, "origin", None) or ""
    if origin.startswith(pylib):
        files.add(origin)
import importlib.util
for f in sorted(files):
    print(f)
    if f.endswith(".py"):
        c = importlib.util.cache_from_source(f)
        if os.path.exists(c):
            print(c)
print(os.path.join(stdlib, "lib-dynload"))
') || die "$python could not import the tests' Python files"
	for f in "${pyfiles[@]}"; do
		mkdir -p "$root$(dirname "$f")"
		if [[ -d $f ]]; then
			mkdir -p "$root$f"
		else
			cp -p "$f" "$root$f"
		fi
	done
fi

if [[ -n $overlay ]]; then
	[[ -d $overlay ]] || die "no overlay directory $overlay"
	cp -a "$overlay/." "$root/"
fi

# Shared libraries of every dynamically linked program in the image.
while IFS= read -r -d '' f; do
	# ldd prints "name => /path (addr)" or "/path (addr)"; static ELF and
	# scripts make it fail, which is fine.
	ldd "$f" 2>/dev/null | grep -oE '/[^ ]+' | while read -r lib; do
		[[ -e $root$lib ]] && continue
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done || true
done < <(find "$root" -type f -perm -u+x ! -name busybox -print0)

mkdir -p "$(dirname "$out")"
(cd "$root" && find . -print0 | cpio -o -0 -H newc --owner=0:0 --quiet) >"$out.tmp"
mv "$out.tmp" "$out"
log "initramfs $out ($(du -h "$out" | cut -f1))"
