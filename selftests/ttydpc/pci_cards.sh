#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# pci_cards.sh: PCI cards bound through ttydpc's card table (QEMU's
# pci-serial, -2x, -4x: port count, BAR 0 + 8 * i, 1.8432 MHz, data) and
# through new_id (driver_data 2 and 3 ports; a driver_data naming no board
# refused), and a card the table lacks refused with a message naming new_id.
# The 4x and the refused function are handed back as they were.
. "$(dirname "$0")/lib.sh"

need_root
DRV=/sys/bus/pci/drivers/ttydpc
[ -n "$(ls /sys/bus/pci/devices 2>/dev/null)" ] || tap_skip_all "no PCI bus"
[ -d "$DRV" ] || { tap_header 1; tap_fail "ttydpc PCI driver present ($DRV missing)"; tap_exit; }

tap_header 8
kmsg_mark pci_cards

# pci_id DEV: "vvvv:dddd" of a PCI function.
pci_id() {
	_v=$(cat "/sys/bus/pci/devices/$1/vendor")
	_d=$(cat "/sys/bus/pci/devices/$1/device")
	echo "${_v#0x}:${_d#0x}"
}

# pci_with_id VVVV:DDDD [DRIVER]: the functions with that ID (bound to
# DRIVER, when given), one per line.
pci_with_id() {
	for _p in /sys/bus/pci/devices/*; do
		_d=$(basename "$_p")
		[ "$(pci_id "$_d")" = "$1" ] || continue
		[ -z "$2" ] || [ "$(pci_driver_of "$_d")" = "$2" ] || continue
		echo "$_d"
	done
}

# override_of DEV: its driver_override, empty when none ("(null)").
override_of() {
	_o=$(cat "/sys/bus/pci/devices/$1/driver_override")
	[ "$_o" = "(null)" ] || echo "$_o"
}

# ports_of DEV: the ttyDPC nodes of a PCI function, in line order.
ports_of() {
	for _p in /sys/class/tty/ttyDPC*; do
		[ -e "$_p" ] || continue
		under_dev "$(basename "$_p")" "$1" && basename "$_p" | sed 's/^ttyDPC//'
	done | sort -n | sed 's|^|/dev/ttyDPC|' | tr '\n' ' ' | sed 's/ *$//'
}

# shellcheck disable=SC2046 # the nodes are a list
nports_of() { set -- $(ports_of "$1"); echo $#; }
nports_is() { [ "$(nports_of "$1")" = "$2" ]; }

# check_layout DEV N: N ports, the i-th at BAR 0 + 8 * i, 1.8432 MHz.
check_layout() {
	_rc=0
	_n=$(nports_of "$1")
	[ "$_n" = "$2" ] || { log "$1: $_n ttyDPC ports, want $2"; return 1; }
	_bar=$(($(head -n 1 "/sys/bus/pci/devices/$1/resource" | cut -d' ' -f1)))
	_i=0
	for _node in $(ports_of "$1"); do
		_c=/sys/class/tty/$(basename "$_node")
		_a=$(($(cat "$_c/port")))
		_clk=$(cat "$_c/uartclk")
		if [ "$_a" -ne $((_bar + 8 * _i)) ] || [ "$_clk" != 1843200 ]; then
			log "$_node: port 0x$(printf %x "$_a") clock $_clk, want 0x$(printf %x $((_bar + 8 * _i))) 1843200"
			_rc=1
		fi
		[ -c "$_node" ] || { log "$_node is no character device"; _rc=1; }
		_i=$((_i + 1))
	done
	return $_rc
}

# nm_pairs DEV SIZE: ports 0<->1 (and 2<->3) of DEV move SIZE bytes each way.
nm_pairs() {
	# shellcheck disable=SC2046 # the nodes are a list
	set -- "$2" $(ports_of "$1")
	_sz=$1; shift
	_rc=0
	while [ $# -ge 2 ]; do
		_o=$("$XFER" --nm "$1:$2" --size "$_sz" --seed $$ 2>&1) || _rc=1
		echo "$_o" | sed 's/^/# /'
		shift 2
	done
	return $_rc
}

# on_ttydpc_with BDF N BYTES: BDF comes up on ttydpc with N ports in the
# board's layout, and its null-modem pairs carry BYTES
on_ttydpc_with() {
	wait_for 50 nports_is "$1" "$2"
	if [ "$(pci_driver_of "$1")" != ttydpc ]; then
		log "$1 bound to '$(pci_driver_of "$1")', not ttydpc"
		return 1
	fi
	check_layout "$1" "$2" && nm_pairs "$1" "$3"
}

# unbind_ttydpc DEV: take DEV from ttydpc; its nodes must go.
unbind_ttydpc() {
	_old=$(ports_of "$1")
	echo "$1" > "$DRV/unbind" || return 1
	for _o in $_old; do
		wait_for 50 absent "$_o" || { log "$_o still there after unbind"; return 1; }
	done
}

# 1: what init bound through the table (the arm64 lane has one more
# pci-serial, its control line, left with 8250)
rc=0
found=0
for id in 1b36:0002:1 1b36:0003:2; do
	for dev in $(pci_with_id "${id%:*}" ttydpc); do
		found=$((found + 1))
		log "$dev (${id%:*}): $(ports_of "$dev")"
		check_layout "$dev" "${id##*:}" || rc=1
	done
done
if [ $found -eq 0 ]; then
	tap_skip "table: pci-serial and pci-serial-2x layout" "no 1b36:0002/0003 function on ttydpc"
else
	tap_result "table: pci-serial and pci-serial-2x layout" $rc
fi

# 2: ... and their ports carry data
rc=0
if [ -n "$TTYDPC_PORT" ] && [ -c "$TTYDPC_PORT" ]; then
	port_works "$TTYDPC_PORT" 4096 11 || rc=1
fi
for dev in $(pci_with_id 1b36:0003 ttydpc); do
	nm_pairs "$dev" 8192 || rc=1
done
tap_result "table: pci-serial and pci-serial-2x ports carry data" $rc

# 3-5: the pci-serial-4x, through the table and through new_id
QX=$(pci_with_id 1b36:0004 | head -n 1)
if [ -z "$QX" ]; then
	tap_skip "table: pci-serial-4x 4 ports carry data" "no pci-serial-4x (1b36:0004) here"
	tap_skip "new_id: pci-serial-4x with driver_data 2 has 2 ports" "no pci-serial-4x here"
	tap_skip "new_id: pci-serial-4x with driver_data 3 has 3 ports" "no pci-serial-4x here"
	tap_skip "new_id: 4x driver_data naming no board refused" "no pci-serial-4x here"
else
	QX_DRV=$(pci_driver_of "$QX")
	QX_OVR=$(override_of "$QX")
	saved=$(ports_now)
	rc=0
	echo ttydpc > "/sys/bus/pci/devices/$QX/driver_override"
	[ -n "$QX_DRV" ] && echo "$QX" > "/sys/bus/pci/devices/$QX/driver/unbind"
	echo "$QX" > /sys/bus/pci/drivers_probe
	on_ttydpc_with "$QX" 4 16384 || rc=1
	tap_result "table: pci-serial-4x 4 ports carry data" $rc

	rc=0
	unbind_ttydpc "$QX" || rc=1
	# The write binds: the function is free and overridden to ttydpc.
	echo "1b36 0004 ffffffff ffffffff 0 0 2" > "$DRV/new_id" || { log "new_id write failed"; rc=1; }
	on_ttydpc_with "$QX" 2 8192 || rc=1
	tap_result "new_id: pci-serial-4x with driver_data 2 has 2 ports" $rc

	# 3: a port count no card in the table has (new_id takes only a
	# driver_data some static entry carries)
	rc=0
	unbind_ttydpc "$QX" || rc=1
	echo "1b36 0004" > "$DRV/remove_id" || { log "remove_id failed"; rc=1; }
	echo "1b36 0004 ffffffff ffffffff 0 0 3" > "$DRV/new_id" || { log "new_id with driver_data 3 refused"; rc=1; }
	wait_for 50 nports_is "$QX" 3
	check_layout "$QX" 3 || rc=1
	[ $rc -eq 0 ] && { nm_pairs "$QX" 4096 || rc=1; }
	tap_result "new_id: pci-serial-4x with driver_data 3 has 3 ports" $rc

	rc=0
	unbind_ttydpc "$QX" || rc=1
	# (no ID to remove when the case before failed to add it)
	echo "1b36 0004" > "$DRV/remove_id" 2>/dev/null
	for dd in 0 9 100; do
		if echo "1b36 0004 ffffffff ffffffff 0 0 $dd" > "$DRV/new_id" 2>/dev/null; then
			log "new_id with driver_data $dd accepted"
			echo "1b36 0004" > "$DRV/remove_id"
			rc=1
		fi
	done
	[ -z "$(pci_driver_of "$QX")" ] || { log "$QX bound to '$(pci_driver_of "$QX")'"; rc=1; }
	tap_result "new_id: 4x driver_data naming no board refused" $rc

	# hand it back
	[ -n "$(pci_driver_of "$QX")" ] && echo "$QX" > "/sys/bus/pci/devices/$QX/driver/unbind"
	echo "$QX_OVR" > "/sys/bus/pci/devices/$QX/driver_override"
	echo "$QX" > /sys/bus/pci/drivers_probe 2>/dev/null
	wait_for 50 ports_are "$saved" || log "ports now '$(ports_now)', were '$saved'"
	[ "$(pci_driver_of "$QX")" = "$QX_DRV" ] || log "$QX back on '$(pci_driver_of "$QX")', was '$QX_DRV'"
fi

# 6: a function the table lacks. A device no driver has, and no serial
# controller (class 07xx): probe must refuse it without touching it.
UNK=
for p in /sys/bus/pci/devices/*; do
	d=$(basename "$p")
	[ -z "$(pci_driver_of "$d")" ] || continue
	case $(cat "$p/class") in 0x07*) continue ;; esac
	UNK=$d
	break
done
if [ -z "$UNK" ]; then
	tap_skip "unknown card refused, message names new_id" "no driverless non-serial PCI function"
else
	rc=0
	ovr=$(override_of "$UNK")
	kmsg_mark pci_cards_unknown
	echo ttydpc > "/sys/bus/pci/devices/$UNK/driver_override"
	echo "$UNK" > /sys/bus/pci/drivers_probe 2>/dev/null
	[ -z "$(pci_driver_of "$UNK")" ] || { log "$UNK ($(pci_id "$UNK")) bound to '$(pci_driver_of "$UNK")'"; rc=1; }
	msg=$(dmesg_since pci_cards_unknown | grep -F "$UNK")
	echo "$msg" | sed 's/^/# dmesg: /'
	echo "$msg" | grep -q "not in ttydpc's card table" || { log "no 'not in ttydpc's card table' line for $UNK"; rc=1; }
	echo "$msg" | grep -q "new_id" || { log "the message does not name new_id"; rc=1; }
	echo "$ovr" > "/sys/bus/pci/devices/$UNK/driver_override"
	tap_result "unknown card refused, message names new_id ($UNK $(pci_id "$UNK"))" $rc
fi

tap_kernel_log_clean pci_cards
tap_exit
