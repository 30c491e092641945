#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run-vm.sh -k BZIMAGE -i INITRD [options] [-- extra QEMU args]
#
# Boots the ttydpc test VM (selftests/README has the device table) and waits
# for QEMU to exit.
#   -a ARGS     extra kernel command line (e.g. "ttydpc.dpc=isr ttydpc_mode=check")
#   -o DIR      where console.log, trace.log, peer.log, qemu.log go (default:
#               the socket directory, kept after the run)
#   -c MODE     console (COM1): file (default: DIR/console.log only), stdio
#               (terminal, also logged), pty (logged; attach with picocom)
#   -P          data0 is a pty instead of a socket (make demo)
#   -p          run hostpeer.py on the ctl/data0/isa/QMP sockets
#   -t SECS     kill QEMU after SECS seconds (exit status 124)
# Environment: VM_SMP (1), VM_MEM (512), QEMU (qemu-system-x86_64).
#
# Sockets live in a fresh directory under /tmp (unix socket paths are limited
# to 108 bytes); its path is in DIR/sockdir. Exit status: QEMU's, or 124.
set -euo pipefail
# shellcheck source=selftests/vm/lib.sh
. "$(dirname "$0")/lib.sh"

usage() { sed -n '4,19s/^# \{0,1\}//p' "$0" >&2; exit 2; }

kernel='' initrd='' append='' outdir='' console=file pty=0 peer=0 tmo=0
while getopts k:i:a:o:c:Ppt:h opt; do
	case $opt in
	k) kernel=$OPTARG ;;
	i) initrd=$OPTARG ;;
	a) append=$OPTARG ;;
	o) outdir=$OPTARG ;;
	c) console=$OPTARG ;;
	P) pty=1 ;;
	p) peer=1 ;;
	t) tmo=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[[ -f $kernel && -f $initrd ]] || usage

sock=$(mktemp -d /tmp/ttydpc-vm.XXXXXX)
outdir=${outdir:-$sock}
mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd)
echo "$sock" >"$outdir/sockdir"
: >"$outdir/trace.log"
rm -f "$outdir/timeout"

qemu_pid='' peer_pid='' dog_pid=''
# shellcheck disable=SC2317 # called through the trap
cleanup() {
	local p
	for p in $dog_pid $peer_pid $qemu_pid; do
		kill "$p" 2>/dev/null || true
	done
	wait 2>/dev/null || true
	rm -f "$sock"/{ctl,isa,data0,nm,nmq01,nmq23,qmp}
	[[ $sock == "$outdir" ]] || rmdir "$sock" 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# console=ttyS0 gets the kernel log; loglevel=4 keeps warnings and below off
# the console (they are in the dmesg dump) so that TAP lines stay whole.
# panic=-1 + -no-reboot: a panic ends QEMU instead of hanging.
# nr_uarts: four legacy lines + 1 + 2 + 4 PCI ports + bench.py's one.
cmdline="console=ttyS0,115200 loglevel=4 panic=-1 8250.nr_uarts=12 $append"

case $console in
file) con=(-chardev "file,id=con,path=$outdir/console.log") ;;
stdio) con=(-chardev "stdio,id=con,logfile=$outdir/console.log") ;;
pty) con=(-chardev "pty,id=con,logfile=$outdir/console.log") ;;
*) usage ;;
esac
if ((pty)); then
	data0=(-chardev "pty,id=data0")
else
	data0=(-chardev "socket,id=data0,path=$sock/data0,server=on,wait=off")
fi

qemu_args=(
	-accel tcg -machine pc -m "${VM_MEM:-512}" -smp "${VM_SMP:-1}"
	-nodefaults -nographic -no-reboot
	-kernel "$kernel" -initrd "$initrd" -append "$cmdline"
	# COM1 0x3f8 irq 4: ttyS0, console
	"${con[@]}"
	-device "isa-serial,iobase=0x3f8,irq=4,chardev=con"
	# COM2 0x2f8 irq 3: ttyS1, control line to the host peer
	-chardev "socket,id=ctl,path=$sock/ctl,server=on,wait=off"
	-device "isa-serial,iobase=0x2f8,irq=3,chardev=ctl"
	# COM3 0x3e8 irq 5: the PNP/ISA port
	-chardev "socket,id=isa,path=$sock/isa,server=on,wait=off"
	-device "isa-serial,iobase=0x3e8,irq=5,chardev=isa"
	# 00:10.0 pci-serial: ttyDPC0, host channel data0
	"${data0[@]}"
	-device "pci-serial,addr=10.0,chardev=data0"
	# 00:11.0 pci-serial-2x: ttyDPC1 <-> ttyDPC2, a null modem. The server
	# end must exist before the client connects to the same path.
	-chardev "socket,id=nm0,path=$sock/nm,server=on,wait=off"
	-chardev "socket,id=nm1,path=$sock/nm"
	-device "pci-serial-2x,addr=11.0,chardev1=nm0,chardev2=nm1"
	# 00:13.0 pci-serial-4x: stays with 8250 (ttyS7-10); pci_cards.sh
	# moves it. Ports 0<->1 and 2<->3 are null modems. Not 12.0: bench.py
	# adds its reference port there. After 10.0/11.0 in bus order, so
	# neither their ttyS nor their ttyDPC numbers move.
	-chardev "socket,id=nmq0,path=$sock/nmq01,server=on,wait=off"
	-chardev "socket,id=nmq1,path=$sock/nmq01"
	-chardev "socket,id=nmq2,path=$sock/nmq23,server=on,wait=off"
	-chardev "socket,id=nmq3,path=$sock/nmq23"
	-device "pci-serial-4x,addr=13.0,chardev1=nmq0,chardev2=nmq1,chardev3=nmq2,chardev4=nmq3"
	-qmp "unix:$sock/qmp,server=on,wait=off"
	# time stamps on trace lines: the RS-485 test measures RTS delays
	-msg timestamp=on -trace serial_update_parameters -D "$outdir/trace.log"
	"$@"
)

QEMU=${QEMU:-qemu-system-x86_64}
if [[ $console == stdio ]]; then
	"$QEMU" "${qemu_args[@]}" 2>"$outdir/qemu.log" &
else
	"$QEMU" "${qemu_args[@]}" </dev/null >"$outdir/qemu.log" 2>&1 &
fi
qemu_pid=$!

if ((tmo > 0)); then
	# The watchdog must not keep our stdout open (a caller's pipe would
	# wait for it), and its sleep must die with it.
	(
		exec >/dev/null 2>&1
		sleep "$tmo" &
		s=$!
		trap 'kill $s; exit 0' TERM
		wait $s && touch "$outdir/timeout" && kill "$qemu_pid"
	) &
	dog_pid=$!
fi

if ((peer)); then
	chans=(--chan "isa=$sock/isa")
	((pty)) || chans+=(--chan "data0=$sock/data0")
	python3 "$VM_DIR/hostpeer.py" --ctl "$sock/ctl" --qmp "$sock/qmp" \
		--trace "$outdir/trace.log" "${chans[@]}" </dev/null >"$outdir/peer.log" 2>&1 &
	peer_pid=$!
fi

rc=0
wait "$qemu_pid" || rc=$?
qemu_pid=
if [[ -e $outdir/timeout ]]; then
	log "QEMU killed after ${tmo}s"
	rc=124
fi
exit "$rc"
