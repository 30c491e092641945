#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# demo.sh: `make demo`. Boots the test VM (lane 6.1) in demo mode, with
# 00:10.0's far end as a host pty, and runs picocom on it: you get a shell
# that runs over ttyDPC0, i.e. through ttydpc. QEMU stops when picocom exits
# (C-a C-x).
#
# Environment: DEMO_KERNEL (lane, default 6.1), DPC (isr|custom|both,
# default isr), RESULTS (default build/demo), SKIP_DEPS=1, NO_MODULE=1 with
# DEMO_APPEND="ttydpc_nomod=1 TTYDPC_DEMO_TTY=/dev/ttyS4" for a stock 8250
# demo.
set -euo pipefail
# shellcheck source=selftests/vm/lib.sh
. "$(dirname "$0")/lib.sh"

lane=${DEMO_KERNEL:-6.1}
dpc=${DPC:-isr}
out=${RESULTS:-$TOP_DIR/build/demo}

[[ ${SKIP_DEPS:-0} == 1 ]] || "$VM_DIR/deps.sh" "$lane"
rel=$(lane_release "$lane")
mkdir -p "$out"
out=$(cd "$out" && pwd)

args=(-o "$out/initrd.cpio")
if [[ ${NO_MODULE:-0} != 1 ]]; then
	build_module "$rel" "$out"
	args+=(-k "$out/ttydpc.ko")
fi
# The selftests are handy in the demo guest (/selftests), but optional.
if [[ -f $TOP_DIR/selftests/ttydpc/Makefile ]]; then
	if (build_selftests "$out/selftests"); then
		args+=(-t "$out/selftests")
	else
		log "selftests did not build; the demo goes on without them"
	fi
fi
"$VM_DIR/mkinitramfs.sh" "${args[@]}"

vmdir=$out/vm
rm -rf "$vmdir"
mkdir -p "$vmdir"
# data0 and the console are ptys; the host peer serves the control line so
# that tests can also be run by hand in the guest.
"$VM_DIR/run-vm.sh" -P -p -c pty -o "$vmdir" -k "$(kernel_image "$rel")" \
	-i "$out/initrd.cpio" -a "ttydpc.dpc=$dpc ttydpc_mode=demo ${DEMO_APPEND:-}" &
vm=$!
trap 'kill $vm 2>/dev/null; wait $vm 2>/dev/null' EXIT

# QEMU announces each pty on stderr:
#   char device redirected to /dev/pts/3 (label data0)
pty='' con=''
for _ in $(seq 100); do
	if [[ -f $vmdir/qemu.log ]]; then
		pty=$(sed -n 's|.*redirected to \(/dev/pts/[0-9]*\) (label data0).*|\1|p' "$vmdir/qemu.log")
		con=$(sed -n 's|.*redirected to \(/dev/pts/[0-9]*\) (label con).*|\1|p' "$vmdir/qemu.log")
	fi
	[[ -n $pty ]] && break
	kill -0 "$vm" 2>/dev/null || break
	sleep 0.1
done
[[ -n $pty ]] || { cat "$vmdir/qemu.log" >&2; die "QEMU did not start (no data0 pty)"; }

cat <<EOF

  ttydpc demo: kernel $rel, dpc=$dpc
  ttyDPC0 (PCI 00:10.0) <-> $pty: a guest shell runs on ttyDPC0.
  The shell needs a few seconds to boot; press Enter for a prompt.
  Guest console: $vmdir/console.log (live: picocom -b 115200 $con)
  Quit: C-a C-x (QEMU stops with picocom).

EOF
picocom -b 115200 "$pty" || true
