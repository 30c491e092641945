#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# install-guest.sh: the guest half of make check's install boot
# (selftests/vm/install.sh boot). The initramfs holds what
# `make install DESTDIR=<staging>` produced, with an /etc/ttydpc.conf that
# names the PCI data port (00:10.0) and the PNP port at 0x3e8, and a
# modprobe.d file with dpc=custom; /init left every port to 8250
# (ttydpc_nomod=1). This busybox guest has no systemd and no udev, so it
# does what they would at boot: modprobe ttydpc (udev's modalias autoload),
# then the unit's ExecStart line, read from the installed unit file, so
# that the unit is what is tested. Then checks the result at the device
# nodes, in sysfs and with data through the host peer.
# Environment (kernel command line): TTYDPC_VERSION (expected version),
# TTYDPC_INSTALL_PNP (PNP device named in ttydpc.conf, default 00:00).
# shellcheck source=selftests/ttydpc/lib.sh
. /selftests/lib.sh
XFER=/selftests/ttydpc_xfer

UNIT=/etc/systemd/system/ttydpc-bind.service
PCI=0000:00:10.0
PNP=${TTYDPC_INSTALL_PNP:-00:00}
PNP_IO=0x3e8
WANT=${TTYDPC_VERSION:-?}

tap_header 11
kmsg_mark install

# 1: the unit as installed: its ExecStart, and enabled (sysinit.target.wants)
exec_start=$(sed -n 's/^ExecStart=//p' "$UNIT" 2>/dev/null | tail -n1)
rc=0
[ -n "$exec_start" ] || { log "no ExecStart in $UNIT"; rc=1; }
# shellcheck disable=SC2086 # the command's first word
set -- $exec_start
[ -x "$1" ] || { log "ExecStart program '$1' is not installed"; rc=1; }
[ -e /etc/systemd/system/sysinit.target.wants/ttydpc-bind.service ] ||
	{ log "ttydpc-bind.service is not enabled"; rc=1; }
log "ExecStart=$exec_start"
tap_result "installed unit: ExecStart '$exec_start' runnable, unit enabled" $rc

# 2: modprobe ttydpc finds the installed module through modules.dep
rc=0
out=$(modprobe ttydpc 2>&1) || { log "modprobe ttydpc: $out"; rc=1; }
[ -d /sys/module/ttydpc ] || { log "ttydpc not loaded"; rc=1; }
log "modules.dep: $(grep ttydpc "/lib/modules/$(uname -r)/modules.dep" 2>/dev/null)"
tap_result "modprobe ttydpc loads the installed module (modules.dep: $(grep -o '^updates/ttydpc[^:]*' "/lib/modules/$(uname -r)/modules.dep" 2>/dev/null))" $rc

# 3: the version, from sysfs and from modinfo
sv=$(cat /sys/module/ttydpc/version 2>/dev/null)
mv=$(modinfo -F version ttydpc 2>/dev/null)
log "sysfs version '$sv', modinfo version '$mv', VERSION '$WANT'"
[ "$sv" = "$WANT" ] && [ "$mv" = "$WANT" ]
tap_result "module version is VERSION ($WANT) in /sys/module/ttydpc/version and modinfo" $?

# 4: /etc/modprobe.d reached the module
dpc=$(cat /sys/module/ttydpc/parameters/dpc 2>/dev/null)
log "dpc=$dpc ($(grep -v '^#' /etc/modprobe.d/ttydpc.conf | tr '\n' ' '))"
[ "$dpc" = custom ]
tap_result "options from /etc/modprobe.d/ttydpc.conf applied (dpc=$dpc)" $?

# 5: the unit's command at boot
log "ttydpc.conf: $(grep -v '^#' /etc/ttydpc.conf | tr '\n' ';')"
# shellcheck disable=SC2086 # ExecStart is a command line
$exec_start >/tmp/bind1.log 2>&1
rc=$?
sed 's/^/# /' /tmp/bind1.log
tap_result "ExecStart ran: exit $rc" $rc

# 6: ttyDPC0 is the PCI data port, on ttydpc, and stays there on reload
rc=0
d=/sys/bus/pci/devices/$PCI
[ "$(drv_of "$d")" = ttydpc ] || { log "$PCI driver '$(drv_of "$d")'"; rc=1; }
[ "$(cat "$d/driver_override" 2>/dev/null)" = ttydpc ] || { log "$PCI driver_override '$(cat "$d/driver_override")'"; rc=1; }
[ -c /dev/ttyDPC0 ] || { log "no /dev/ttyDPC0"; rc=1; }
under_dev ttyDPC0 "$PCI" || { log "ttyDPC0 is on '$(readlink -f /sys/class/tty/ttyDPC0/device)'"; rc=1; }
tap_result "/dev/ttyDPC0 is PCI $PCI, bound to ttydpc" $rc

# 7: the PNP port: bound to ttydpc, a ttyDPC node at its I/O base, no ttyS
rc=0
p=/sys/bus/pnp/devices/$PNP
grep -qi "^io $PNP_IO-" "$p/resources" 2>/dev/null ||
	{ log "PNP $PNP is not the port at $PNP_IO: $(tr '\n' ' ' <"$p/resources" 2>/dev/null)"; rc=1; }
[ "$(drv_of "$p")" = ttydpc ] || { log "PNP $PNP driver '$(drv_of "$p")'"; rc=1; }
pnode=$(node_at_io $PNP_IO) || { log "no ttyDPC port at $PNP_IO"; rc=1; }
[ -z "$pnode" ] || [ -c "$pnode" ] || { log "$pnode missing"; rc=1; }
# The register window itself: ttydpc holds it, 8250 ("serial") does not.
io=$(printf '%04x' $((PNP_IO)))
grep -q "^ *$io-[0-9a-f]* : ttydpc\$" /proc/ioports ||
	{ log "/proc/ioports: $(grep "$io-" /proc/ioports)"; rc=1; }
tap_result "PNP $PNP ($PNP_IO) bound to ttydpc as ${pnode:-nothing}" $rc

# 8: data both ways through both ports
rc=0
out=$("$XFER" --port /dev/ttyDPC0 --chan data0 --send 32768 --recv 32768 --seed 15 2>&1) || rc=1
echo "$out" | sed 's/^/# /'
if [ -n "$pnode" ]; then
	out=$("$XFER" --port "$pnode" --chan isa --send 16384 --recv 16384 --seed 17 2>&1) || rc=1
	echo "$out" | sed 's/^/# /'
else
	rc=1
fi
tap_result "data both ways: ttyDPC0 <-> data0 (32 KiB), ${pnode:-PNP port} <-> isa (16 KiB)" $rc

# 9: idempotent, and the other line forms name the same ports
before=$(ports_now)
$exec_start >/tmp/bind2.log 2>&1
rc=$?
printf 'pci 00:10.0\npnp io=%s\n' "$PNP_IO" >/tmp/alt.conf
"$1" -c /tmp/alt.conf >>/tmp/bind2.log 2>&1 || rc=1
sed 's/^/# /' /tmp/bind2.log
[ "$(grep -c 'already on ttydpc' /tmp/bind2.log)" -eq 4 ] || { log "not 'already on ttydpc' four times"; rc=1; }
[ "$(ports_now)" = "$before" ] || { log "ports '$before' became '$(ports_now)'"; rc=1; }
under_dev ttyDPC0 "$PCI" || rc=1
tap_result "second run and 'pci 00:10.0'/'pnp io=$PNP_IO' change nothing ($before)" $rc

# 10: bad lines are reported with their number; the good line still runs;
# a device that is no serial controller is left alone
cat >/tmp/bad.conf <<EOF
pci 0000:00:1f.7
pnp zz
frob 1
pci 0000:00:01.1
isa io=0x2e8
isa io=0x2f8 irq=3
pci 0000:00:11.0
EOF
ide_drv=$(drv_of /sys/bus/pci/devices/0000:00:01.1)
"$1" -c /tmp/bad.conf >/tmp/bind3.log 2>&1
brc=$?
sed 's/^/# /' /tmp/bind3.log
rc=0
[ $brc -eq 1 ] || { log "exit $brc, not 1"; rc=1; }
for l in 1 2 3 4 5 6; do
	grep -q "error: /tmp/bad.conf:$l: " /tmp/bind3.log || { log "no error for line $l"; rc=1; }
done
[ "$(drv_of /sys/bus/pci/devices/0000:00:11.0)" = ttydpc ] || { log "00:11.0 not moved after the bad lines"; rc=1; }
# 0x2f8 is the control line, on 8250 with no ttydpc io=: refused, and why
grep -q "error: /tmp/bad.conf:6: isa 0x2f8: I/O region held by 'serial'" /tmp/bind3.log ||
	{ log "isa line 6: no 'held by serial' reason"; rc=1; }
grep -q "2 port(s) on ttydpc, 6 error(s)" /tmp/bind3.log || { log "summary does not count 00:11.0's two ports and six errors"; rc=1; }
[ "$(drv_of /sys/bus/pci/devices/0000:00:01.1)" = "$ide_drv" ] || { log "00:01.1 lost its driver '$ide_drv'"; rc=1; }
tap_result "bad lines: exit 1, one error per line (1-6), line 7 applied, IDE 00:01.1 untouched" $rc

# 11: what it did is in the kernel log; nothing bad there
rc=0
dmesg_since install | grep -q "ttydpc-bind: pci $PCI: moved from serial to ttydpc" || { log "no kernel log line for $PCI"; rc=1; }
dmesg_since install | grep -q "ttydpc-bind: error: /tmp/bad.conf:1: " || { log "no kernel log line for the bad line"; rc=1; }
_bad=$(dmesg_bad install)
[ -z "$_bad" ] || { echo "$_bad" | sed 's/^/# /'; rc=1; }
tap_result "kernel log: ttydpc-bind's actions and errors, nothing bad" $rc

tap_exit
