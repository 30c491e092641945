#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# pnp_bind.sh: the PNP binding. Moves the PNP0501 UART at TTYDPC_PNP_IO
# (0x3e8: COM3 in the VM) to ttydpc's PNP driver through sysfs, checks the
# node, moves data through it (TTYDPC_PNP_CHAN), runs tty_pm on it (the PNP
# bus's suspend and resume around ttydpc's) and hands the device back.
. "$(dirname "$0")/lib.sh"

need_root
IO=${TTYDPC_PNP_IO:-0x3e8}
IOHEX=$(printf '%x' $((IO)))
PDRV=/sys/bus/pnp/drivers/ttydpc

[ -d /sys/bus/pnp/devices ] || tap_skip_all "no PNP bus"
[ -d "$PDRV" ] || tap_skip_all "ttydpc has no PNP driver registered ($PDRV)"

dev=
for d in /sys/bus/pnp/devices/*; do
	grep -qiE "^io 0x0*$IOHEX-" "$d/resources" 2>/dev/null && dev=$(basename "$d") && break
done
[ -n "$dev" ] || tap_skip_all "no PNP device at I/O $IO"
DEVP=/sys/bus/pnp/devices/$dev

no_node_at_io() { ! node_at_io "$IO" > /dev/null; }

tap_header 5
kmsg_mark pnp
orig=$(drv_of "$DEVP")
log "PNP device $dev ($(cat "$DEVP/id" 2>/dev/null | tr '\n' ' ')) at $IO, driver '${orig:-none}'"

# 1: move it to ttydpc
rc=0
if [ -n "$orig" ] && [ "$orig" != ttydpc ]; then
	echo "$dev" > "/sys/bus/pnp/drivers/$orig/unbind" || { log "unbind from $orig failed"; rc=1; }
fi
if [ "$(drv_of "$DEVP")" != ttydpc ]; then
	echo "$dev" > "$PDRV/bind" || { log "bind to ttydpc failed"; rc=1; }
fi
[ "$(drv_of "$DEVP")" = ttydpc ] || { log "$dev bound to '$(drv_of "$DEVP")'"; rc=1; }
node=
if wait_for 50 node_at_io "$IO" > /dev/null; then
	node=$(node_at_io "$IO")
	wait_for 50 exists "$node" || { log "$node missing under /dev"; rc=1; }
	under_dev "$(basename "$node")" "$dev" ||
		{ log "$node belongs to '$(readlink -f "/sys/class/tty/$(basename "$node")/device")'"; rc=1; }
	log "$dev -> $node ($(cat "/sys/class/tty/$(basename "$node")/dpc_design" 2>/dev/null))"
else
	log "no ttyDPC port at $IO after binding"
	rc=1
fi
tap_result "PNP $dev bound to ttydpc gives a port at $IO" $rc

# 2: data through it
if [ -z "$node" ]; then
	tap_skip "data through the PNP port" "no port"
elif [ -z "$TTYDPC_CTL" ] || [ -z "$TTYDPC_PNP_CHAN" ]; then
	rc=0
	"$XFER" --port "$node" --open-only | sed 's/^/# /'
	tap_skip "data through the PNP port" "$([ -z "$TTYDPC_CTL" ] && echo "no host peer: TTYDPC_CTL unset" || echo "no host channel for it: TTYDPC_PNP_CHAN unset")"
else
	out=$("$XFER" --port "$node" --chan "$TTYDPC_PNP_CHAN" --send 65536 --recv 65536 --seed 31 2>&1)
	rc=$?
	echo "$out" | sed 's/^/# /'
	tap_result "64 KiB each way through $node ($TTYDPC_PNP_CHAN)" $rc
fi

# 3: the port open through a suspend to RAM (tty_pm on it; its TAP nested
# deeper than ours, so that its cases are not taken for this program's)
if [ -z "$node" ]; then
	tap_skip "PNP port through suspend/resume" "no port"
elif [ -z "$TTYDPC_CTL" ] || [ -z "$TTYDPC_PNP_CHAN" ]; then
	tap_skip "PNP port through suspend/resume" "no host peer or no host channel for it"
else
	TTYDPC_PORT=$node TTYDPC_CHAN=$TTYDPC_PNP_CHAN "$HERE/tty_pm" > /tmp/pnp_pm.$$ 2>&1
	rc=$?
	sed 's/^/#   /' /tmp/pnp_pm.$$
	if [ $rc = 0 ] && grep -q '^# SKIP\|^ok [0-9]* # SKIP' /tmp/pnp_pm.$$; then
		tap_skip "PNP port through suspend/resume" "$(grep -m1 'SKIP' /tmp/pnp_pm.$$ | sed 's/.*SKIP *//')"
	else
		tap_result "tty_pm on $node: data, settings and a wait through S3 and pm_test" $rc
	fi
	rm -f /tmp/pnp_pm.$$
fi

# 4: hand it back
rc=0
if [ "$(drv_of "$DEVP")" = ttydpc ]; then
	echo "$dev" > "$PDRV/unbind" || { log "unbind from ttydpc failed"; rc=1; }
fi
wait_for 50 no_node_at_io || { log "$(node_at_io "$IO") still there after unbind"; rc=1; }
[ -n "$node" ] && { wait_for 50 absent "$node" || { log "$node still in /dev"; rc=1; }; }
if [ -n "$orig" ]; then
	echo "$dev" > "/sys/bus/pnp/drivers/$orig/bind" || { log "bind back to $orig failed"; rc=1; }
	[ "$(drv_of "$DEVP")" = "$orig" ] || { log "$dev bound to '$(drv_of "$DEVP")', not $orig"; rc=1; }
	if [ "$orig" = ttydpc ]; then
		wait_for 50 node_at_io "$IO" > /dev/null || { log "no port at $IO after binding back"; rc=1; }
	fi
fi
tap_result "PNP $dev handed back to ${orig:-no driver}" $rc

tap_kernel_log_clean pnp
tap_exit
