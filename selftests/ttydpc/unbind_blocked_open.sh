#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# unbind_blocked_open.sh: unbind TTYDPC_PCI while an open of TTYDPC_PORT is
# blocked waiting for carrier (CLOCAL clear, no DCD), TTYDPC_UBO_COUNT (3)
# times. The blocked open has started the port (IRQ requested, deferred
# objects live) but the port is not active, so the serial core's hangup
# does not shut it down. The opener must fail, no handler of the removed
# device stay on its IRQ, the rebound port work. QEMU's 16550 always shows
# DCD: the port's debugfs carrier_off hook makes get_mctrl report none.
. "$(dirname "$0")/lib.sh"

need_root
DRV=/sys/bus/pci/drivers/ttydpc
DEV=$TTYDPC_PCI
PORT=$TTYDPC_PORT
COUNT=${TTYDPC_UBO_COUNT:-3}
TMP=${TMPDIR:-/tmp}/ttydpc_ubo.$$

[ -n "$DEV" ] || tap_skip_all "TTYDPC_PCI unset"
[ -n "$PORT" ] || tap_skip_all "TTYDPC_PORT unset"
[ -d "$DRV" ] || tap_skip_all "$DRV missing"
name=$(basename "$PORT")
HOOK=/sys/kernel/debug/ttydpc/$name/carrier_off
[ -w "$HOOK" ] || tap_skip_all "$HOOK missing (debugfs not mounted?)"
command -v stty > /dev/null 2>&1 || tap_skip_all "stty missing"
mkdir -p "$TMP"

tap_header $((COUNT * 4 + 1))
kmsg_mark ubo
irq=$(cat "/sys/bus/pci/devices/$DEV/irq" 2>/dev/null)
log "port $PORT on $DEV, IRQ $irq"

# handlers_of: how many handlers named $DEV are on $irq now
handlers_of() {
	awk -v irq="$irq:" -v dev="$DEV" '$1 == irq {
		n = 0; for (i = 2; i <= NF; i++) { f = $i; sub(/,$/, "", f); if (f == dev) n++ }
		print n }' /proc/interrupts
}

i=1
while [ $i -le "$COUNT" ]; do
	# 1: an open that blocks on carrier
	rc=0
	stty -F "$PORT" -clocal 2>&1 | sed 's/^/# /'
	echo 1 > "$HOOK"
	# a plain open of the node: no O_NONBLOCK
	sh -c "trap 'echo signalled' USR1; exec 3<'$PORT' && echo opened" > "$TMP/open" 2>&1 &
	opid=$!
	sleep 1
	if ! alive $opid; then
		log "the open did not block: $(cat "$TMP/open")"
		rc=1
	fi
	log "before unbind: $(handlers_of) handler(s) of $DEV on IRQ $irq"
	tap_result "round $i: open blocks on carrier" $rc

	# 2: unbind; the opener must end with an error. The serial core's
	# hangup wakes open_wait only for an active port, so an open blocked
	# on carrier sleeps on after the unbind until a signal comes: send
	# one (the shell's trap makes open() fail rather than kill it).
	rc=0
	echo "$DEV" > "$DRV/unbind" || { log "unbind failed"; rc=1; }
	wait_for 20 gone $opid
	if alive $opid; then
		log "opener still blocked 2 s after the unbind: signalling it"
		kill -USR1 $opid 2>/dev/null
		wait_for 50 gone $opid
	fi
	if alive $opid; then
		log "opener still blocked 5 s after a signal"
		kill -9 $opid 2>/dev/null
		rc=1
	fi
	wait $opid
	ost=$?
	if [ $ost -eq 0 ] || grep -q '^opened' "$TMP/open"; then
		log "open succeeded on an unbound device: $(cat "$TMP/open")"
		rc=1
	else
		log "opener: exit $ost: $(tr '\n' ' ' < "$TMP/open")"
	fi
	tap_result "round $i: unbind ends the blocked open with an error" $rc

	# 3: nothing of the removed port is left on the line
	rc=0
	n=$(handlers_of)
	if [ "${n:-0}" -ne 0 ]; then
		log "$n handler(s) of the removed $DEV still on IRQ $irq:"
		grep "^ *$irq:" /proc/interrupts | sed 's/^/#   /'
		rc=1
	fi
	tap_result "round $i: no handler of the removed device on IRQ $irq" $rc

	# 4: rebind; traffic on the line (interrupts reach any stale handler)
	rc=0
	echo "$DEV" > "$DRV/bind" || { log "bind failed"; rc=1; }
	wait_for 50 exists "$PORT" || { log "$PORT did not come back"; rc=1; }
	# The tty driver keeps the termios of the line: set CLOCAL again.
	# The core still marks the line's tty_port initialized (nothing shut
	# it down), so this first open runs no startup and its close runs
	# shutdown on a port that never started: that must be harmless.
	stty -F "$PORT" clocal 2>&1 | sed 's/^/# /'
	if [ $rc -eq 0 ]; then
		port_works "$PORT" 16384 "$i" || rc=1
	fi
	n=$(handlers_of)
	if [ "${n:-0}" -ne 0 ]; then
		log "closed port, yet $n handler(s) of $DEV on IRQ $irq"
		rc=1
	fi
	tap_result "round $i: rebound port works, its handler gone after close" $rc
	i=$((i + 1))
done

[ "$(pci_driver_of "$DEV")" = ttydpc ] || echo "$DEV" > "$DRV/bind" 2>/dev/null
stty -F "$PORT" clocal > /dev/null 2>&1
rm -rf "$TMP"

tap_kernel_log_clean ubo
tap_exit
