#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# dt_of.sh: ttydpc's device-tree binding (the ARM lane runs it from
# run_tests.sh; it also runs on a board). Environment:
#   TTYDPC_OF_DEVS="1c28800.serial ..."  DT devices that must be bound to
#                                        ttydpc-of (one ttyDPC node each)
#   TTYDPC_OF_CHANS="data0 ..."          host channel of each of them (with
#                                        TTYDPC_CTL: data is checked through
#                                        the host peer)
#   TTYDPC_NM_A/B                        or a null-modem pair among them
#   TTYDPC_OF_UARTCLK=24000000           the clock each port must report
#                                        (clock-frequency, or the rate of
#                                        its clocks); unset: not checked
#   TTYDPC_OF_BAD="1c28400.serial=reg-shift ..."  DT devices whose node has
#                                        a bad PROPERTY: probe must fail with
#                                        a message naming it, and keep failing
#   TTYDPC_OF_REBIND_COUNT (6)           unbind/bind cycles
#   TTYDPC_KO                            module for the rmmod/insmod part
# Checks: binding (and the clock), refused bad nodes (also when bound by hand), unbind/bind
# through sysfs (also with the port open), rmmod/insmod bring the DT ports
# back on the same devices and nodes, data moves after each step, and nothing
# bad reaches the kernel log.
# shellcheck disable=SC2086,SC2012 # lists of words are split on purpose
. "$(dirname "$0")/lib.sh"

need_root
DRV=/sys/bus/platform/drivers/ttydpc-of
PDEV=/sys/bus/platform/devices
COUNT=${TTYDPC_OF_REBIND_COUNT:-6}
DEVS=$TTYDPC_OF_DEVS
BAD=$TTYDPC_OF_BAD
KO=$TTYDPC_KO
TMP=${TMPDIR:-/tmp}
mkdir -p "$TMP"

[ -n "$DEVS" ] || tap_skip_all "TTYDPC_OF_DEVS unset"
[ -d "$PDEV" ] || tap_skip_all "no platform bus"

set -- $DEVS
NDEVS=$#
set -- $BAD
NBAD=$#
# binding + per bad node 2 + rebind cycles + open unbind + rmmod + insmod +
# data after reload + kernel log
tap_header $((1 + 2 * NBAD + COUNT + 1 + 3 + 1))
kmsg_mark dtof

# of_tty DEV: tty name of DEV's port (empty if none)
of_tty() {
	ls "$PDEV/$1/tty" 2>/dev/null | head -n1
}

# of_driver DEV: driver DEV is bound to (empty if none)
of_driver() { drv_of "$PDEV/$1"; }

# nth N WORDS...: the Nth word (1-based)
nth() {
	_n=$1
	shift
	[ "$_n" -le $# ] || return 0
	eval "echo \${$_n}"
}

# dev_index DEV: position of DEV in TTYDPC_OF_DEVS (1-based)
dev_index() {
	_i=1
	for _d in $DEVS; do
		[ "$_d" = "$1" ] && { echo $_i; return; }
		_i=$((_i + 1))
	done
	echo 0
}

# dev_works DEV SEED: move data through DEV's port: through the host peer
# when DEV has a channel, across the null modem when it is one end of it,
# else open it. Prints what happened.
dev_works() {
	_t=$(of_tty "$1")
	[ -n "$_t" ] || { log "$1 has no tty"; return 1; }
	_node=/dev/$_t
	_chan=$(nth "$(dev_index "$1")" $TTYDPC_OF_CHANS)
	if [ -n "$TTYDPC_CTL" ] && [ -n "$_chan" ]; then
		_o=$("$XFER" --port "$_node" --chan "$_chan" --send 4096 --recv 1024 --seed "$2" 2>&1)
	elif [ "$_node" = "$TTYDPC_NM_A" ] || [ "$_node" = "$TTYDPC_NM_B" ]; then
		_o=$("$XFER" --nm "$TTYDPC_NM_A:$TTYDPC_NM_B" --size 4096 --seed "$2" 2>&1)
	else
		_o=$("$XFER" --port "$_node" --open-only 2>&1)
	fi
	_rc=$?
	echo "$_o" | sed "s|^|# $_node: |"
	[ $_rc -eq 0 ] || port_state
	return $_rc
}

# port_state: what every ttyDPC port looks like (after a failed transfer)
port_state() {
	for _s in /sys/kernel/debug/ttydpc/*/stats; do
		[ -r "$_s" ] || continue
		echo "# state ${_s%/stats}: $(grep -E '^(irq_total|irq_rx_data|irq_rx_timeout|irq_thre|rx_bytes|tx_bytes|rx_hw_overrun|rx_buf_overrun|rx_held|rx_trigger|queue_[a-z]+_(refs|flags)) ' "$_s" | tr '\n' ' ')"
	done
	grep -E 'ttyDPC|serial' /proc/interrupts | sed 's/^/# irq: /'
}

# Remember which node each DT device has now.
MAP=""
for d in $DEVS; do
	MAP="$MAP $d=$(of_tty "$d")"
done
log "DT devices and nodes:$MAP"

# node_was DEV: the node DEV had at the start
node_was() {
	for _m in $MAP; do
		[ "${_m%%=*}" = "$1" ] && { echo "${_m#*=}"; return; }
	done
}

# 1: every good DT device is bound to ttydpc-of with one ttyDPC node
rc=0
[ -d "$DRV" ] || { log "$DRV missing (module not loaded?)"; rc=1; }
for d in $DEVS; do
	[ -d "$PDEV/$d" ] || { log "no platform device $d (overlay not applied?)"; rc=1; continue; }
	compat=$(tr '\0' ' ' <"$PDEV/$d/of_node/compatible" 2>/dev/null)
	drv=$(of_driver "$d")
	t=$(of_tty "$d")
	log "$d: compatible '$compat', driver '$drv', tty '$t'"
	[ "$drv" = ttydpc-of ] || { log "$d bound to '$drv', not ttydpc-of"; rc=1; }
	case $t in
	ttyDPC[0-9]*) ;;
	*) log "$d has tty '$t', not a ttyDPC node"; rc=1 ;;
	esac
	[ -c "/dev/$t" ] || { log "/dev/$t missing"; rc=1; }
	clk=$(cat "/sys/class/tty/$t/uartclk" 2>/dev/null)
	if [ -n "$TTYDPC_OF_UARTCLK" ] && [ "$clk" != "$TTYDPC_OF_UARTCLK" ]; then
		log "$t: uartclk '$clk', want $TTYDPC_OF_UARTCLK"
		rc=1
	fi
done
tap_result "DT devices bound to ttydpc-of: $DEVS${TTYDPC_OF_UARTCLK:+, uartclk $TTYDPC_OF_UARTCLK}" $rc

# bad_refused DEV PROP SINCE: DEV unbound, no tty, and a ttydpc-of line for
# DEV naming PROP in the kernel log (after mark SINCE, or since boot)
bad_refused() {
	_rc=0
	if [ -n "$3" ]; then
		_msgs=$(dmesg_since "$3")
	else
		_msgs=$(dmesg 2>/dev/null)
	fi
	_drv=$(of_driver "$1")
	[ -z "$_drv" ] || { log "$1 is bound to $_drv"; _rc=1; }
	[ -z "$(of_tty "$1")" ] || { log "$1 has a tty: $(of_tty "$1")"; _rc=1; }
	_lines=$(echo "$_msgs" | grep -F "$1" | grep -F ttydpc)
	echo "$_lines" | grep -v '^$' | sed 's/^/#   dmesg: /'
	echo "$_lines" | grep -qE "ttydpc-of $1: .*$2" ||
		{ log "no ttydpc-of message for $1 naming $2"; _rc=1; }
	if grep -qs "$1" /sys/kernel/debug/devices_deferred; then
		log "$1 is deferred instead of refused"
		_rc=1
	fi
	return $_rc
}

# 2 per bad node: refused at boot, and again when bound by hand
for b in $BAD; do
	dev=${b%%=*}
	prop=${b#*=}
	rc=0
	[ -d "$PDEV/$dev" ] || { log "no platform device $dev"; rc=1; }
	[ $rc -eq 0 ] && { bad_refused "$dev" "$prop" "" || rc=1; }
	tap_result "$dev with a bad $prop: probe refused with a message naming it" $rc

	rc=0
	tag=bind.$dev.$$
	kmsg_mark "$tag"
	if echo "$dev" >"$DRV/bind" 2>/dev/null; then
		log "binding $dev by hand succeeded"
		rc=1
	fi
	[ $rc -eq 0 ] && { bad_refused "$dev" "$prop" "$tag" || rc=1; }
	bad=$(dmesg_bad "$tag")
	[ -z "$bad" ] || { echo "$bad" | sed 's/^/# /'; rc=1; }
	tap_result "$dev bound by hand: refused again ($prop), kernel quiet" $rc
done

# rebind cycles, round robin over the DT devices
i=1
while [ $i -le "$COUNT" ]; do
	dev=$(nth $(((i - 1) % NDEVS + 1)) $DEVS)
	t=$(node_was "$dev")
	rc=0
	if ! echo "$dev" >"$DRV/unbind"; then
		log "unbind $dev failed"
		rc=1
	fi
	wait_for 50 absent "/dev/$t" || { log "/dev/$t still there after unbind"; rc=1; }
	wait_for 50 absent "/sys/class/tty/$t" || { log "/sys/class/tty/$t still there"; rc=1; }
	[ -z "$(of_driver "$dev")" ] || { log "$dev still bound"; rc=1; }
	for o in $DEVS; do
		[ "$o" = "$dev" ] && continue
		[ -c "/dev/$(node_was "$o")" ] || { log "$o lost its node while $dev was unbound"; rc=1; }
	done
	if ! echo "$dev" >"$DRV/bind"; then
		log "bind $dev failed"
		rc=1
	fi
	wait_for 50 exists "/dev/$t" || { log "/dev/$t did not come back"; rc=1; }
	[ "$(of_driver "$dev")" = ttydpc-of ] || { log "$dev bound to '$(of_driver "$dev")'"; rc=1; }
	[ "$(of_tty "$dev")" = "$t" ] || { log "$dev came back as '$(of_tty "$dev")', not $t"; rc=1; }
	[ $rc -eq 0 ] && { dev_works "$dev" "$i" || rc=1; }
	tap_result "unbind/bind $dev ($t) $i" $rc
	i=$((i + 1))
done

# unbind while the port is open: the holder sees a hangup, nothing leaks
dev=$(nth 1 $DEVS)
t=$(node_was "$dev")
rc=0
ready=$TMP/dtof_hold.$$
holdout=$TMP/dtof_hold_out.$$
rm -f "$ready" "$holdout"
"$XFER" --port "/dev/$t" --hold 60 --ready "$ready" >"$holdout" 2>&1 &
hold=$!
if wait_for 100 exists "$ready"; then
	echo "$dev" >"$DRV/unbind" || { log "unbind $dev with /dev/$t open failed"; rc=1; }
	wait_for 50 absent "/sys/class/tty/$t" || { log "/sys/class/tty/$t still there"; rc=1; }
	kill "$hold" 2>/dev/null
	wait "$hold"
	log "holder exit $?"
	echo "$dev" >"$DRV/bind" || { log "bind $dev failed"; rc=1; }
	wait_for 50 exists "/dev/$t" || { log "/dev/$t did not come back"; rc=1; }
	[ $rc -eq 0 ] && { dev_works "$dev" 31 || rc=1; }
else
	log "could not hold /dev/$t open"
	kill "$hold" 2>/dev/null
	wait "$hold"
	rc=1
fi
sed 's/^/# holder: /' "$holdout"
rm -f "$ready" "$holdout"
tap_result "unbind $dev with /dev/$t open, bind again" $rc

# rmmod / insmod
KO_PARAMS=$(ko_params_now)
if [ -z "$KO" ] || [ ! -r "$KO" ] || ! module_loaded; then
	tap_skip "rmmod ttydpc unbinds the DT ports" "TTYDPC_KO unset or ttydpc not a loaded module"
	tap_skip "insmod binds the DT ports again" "not unloaded"
	tap_skip "DT ports usable after reload" "not unloaded"
else
	rc=0
	out=$(rmmod_ttydpc 2>&1) || { log "rmmod: $out"; rc=1; }
	wait_for 50 ports_are "" || { log "nodes left: $(ports_now)"; rc=1; }
	[ -e "$DRV" ] && { log "$DRV still registered"; rc=1; }
	for d in $DEVS; do
		[ -z "$(of_driver "$d")" ] || { log "$d bound to $(of_driver "$d")"; rc=1; }
	done
	tap_result "rmmod ttydpc unbinds the DT ports" $rc

	rc=0
	tag=reload.$$
	kmsg_mark "$tag"
	# shellcheck disable=SC2086
	out=$(insmod "$KO" $KO_PARAMS 2>&1) || { log "insmod $KO $KO_PARAMS: $out"; rc=1; }
	for d in $DEVS; do
		t=$(node_was "$d")
		wait_for 50 exists "/dev/$t" || { log "/dev/$t did not come back"; rc=1; }
		[ "$(of_driver "$d")" = ttydpc-of ] || { log "$d bound to '$(of_driver "$d")'"; rc=1; }
		[ "$(of_tty "$d")" = "$t" ] || { log "$d came back as '$(of_tty "$d")', not $t"; rc=1; }
	done
	for b in $BAD; do
		bad_refused "${b%%=*}" "${b#*=}" "$tag" || rc=1
	done
	tap_result "insmod $(basename "$KO") $KO_PARAMS binds the DT ports again (no drivers_probe)" $rc

	rc=0
	seed=70
	for d in $DEVS; do
		seed=$((seed + 1))
		dev_works "$d" $seed || rc=1
	done
	tap_result "DT ports usable after reload" $rc
fi

tap_kernel_log_clean dtof
tap_exit
