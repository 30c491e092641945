#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# rebind.sh: unbind TTYDPC_PCI from the ttydpc PCI driver and bind it again
# through sysfs, TTYDPC_REBIND_COUNT (20) times. Each time the node must go
# away and come back on the same device, the other ports must stay, and the
# port must move a checksummed block to the host (or at least open, without
# a host peer). Nothing bad may reach the kernel log.
. "$(dirname "$0")/lib.sh"

need_root
DRV=/sys/bus/pci/drivers/ttydpc
COUNT=${TTYDPC_REBIND_COUNT:-20}
DEV=$TTYDPC_PCI
PORT=$TTYDPC_PORT

[ -n "$DEV" ] || tap_skip_all "TTYDPC_PCI unset"
[ -n "$PORT" ] || tap_skip_all "TTYDPC_PORT unset"
[ -d "$DRV" ] || { tap_header 1; tap_fail "ttydpc PCI driver present ($DRV missing)"; tap_exit; }

tap_header $((COUNT + 2))
kmsg_mark rebind

name=$(basename "$PORT")
others=$(ports_now | tr ' ' '\n' | grep -v "^$PORT\$" | tr '\n' ' ' | sed 's/ *$//')

# 1: where we start
rc=0
[ "$(pci_driver_of "$DEV")" = ttydpc ] || { log "$DEV bound to '$(pci_driver_of "$DEV")', not ttydpc"; rc=1; }
[ -c "$PORT" ] || { log "$PORT missing"; rc=1; }
under_dev "$name" "$DEV" || { log "$name belongs to '$(readlink -f "/sys/class/tty/$name/device")', not $DEV"; rc=1; }
tap_result "initial binding $DEV -> ttydpc -> $PORT" $rc
if [ $rc -ne 0 ]; then
	i=1
	while [ $i -le "$COUNT" ]; do tap_skip "rebind $i" "initial state wrong"; i=$((i + 1)); done
	tap_skip "kernel log clean" "nothing done"
	tap_exit
fi

i=1
while [ $i -le "$COUNT" ]; do
	rc=0
	if ! echo "$DEV" > "$DRV/unbind"; then
		log "unbind $DEV failed"; rc=1
	fi
	wait_for 50 absent "$PORT" || { log "$PORT still there after unbind"; rc=1; }
	wait_for 50 absent "/sys/class/tty/$name" || { log "/sys/class/tty/$name still there after unbind"; rc=1; }
	[ -z "$(pci_driver_of "$DEV")" ] || { log "$DEV still bound after unbind"; rc=1; }

	if ! echo "$DEV" > "$DRV/bind"; then
		log "bind $DEV failed"; rc=1
	fi
	wait_for 50 exists "$PORT" || { log "$PORT did not come back"; rc=1; }
	[ "$(pci_driver_of "$DEV")" = ttydpc ] || { log "$DEV bound to '$(pci_driver_of "$DEV")'"; rc=1; }
	under_dev "$name" "$DEV" || { log "$name now belongs to '$(readlink -f "/sys/class/tty/$name/device")'"; rc=1; }
	for o in $others; do
		[ -c "$o" ] || { log "$o vanished while $DEV was rebound"; rc=1; }
	done
	if [ $rc -eq 0 ]; then
		port_works "$PORT" 4096 "$i" || rc=1
	fi
	tap_result "rebind $i" $rc
	i=$((i + 1))
done

# leave the function bound whatever happened
[ "$(pci_driver_of "$DEV")" = ttydpc ] || echo "$DEV" > "$DRV/bind" 2>/dev/null

tap_kernel_log_clean rebind
tap_exit
