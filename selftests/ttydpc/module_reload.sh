#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# module_reload.sh: rmmod ttydpc with /dev/ttydpc open and with a port open
# (both refused), rmmod with ports bound, insmod TTYDPC_KO again, move the PCI
# functions back (driver_override survives, so drivers_probe), and use the
# ports again. Nothing bad may reach the kernel log.
. "$(dirname "$0")/lib.sh"

need_root
KO=$TTYDPC_KO
[ -n "$KO" ] && [ -r "$KO" ] || tap_skip_all "TTYDPC_KO unset or unreadable"
module_loaded || tap_skip_all "ttydpc is not a loaded module"

SAVED_PORTS=$(ports_now)
KO_PARAMS=$(ko_params_now)
OVERRIDES=$(pci_override_devs)
PORT=${TTYDPC_PORT:-${SAVED_PORTS%% *}}
TMP=${TMPDIR:-/tmp}
mkdir -p "$TMP"
log "ports: $SAVED_PORTS; PCI functions for ttydpc: $(echo $OVERRIDES); params: $KO_PARAMS"

tap_header 7
kmsg_mark reload

# 1: an open event file pins the module (its file operations are ttydpc's)
rc=0
if [ -c /dev/ttydpc ] && exec 3<>/dev/ttydpc; then
	if out=$(rmmod ttydpc 2>&1); then
		log "rmmod with /dev/ttydpc open succeeded"
		rc=1
	else
		log "rmmod with /dev/ttydpc open: $out"
		module_loaded || { log "rmmod failed yet the module is gone"; rc=1; }
		ports_are "$SAVED_PORTS" || { log "ports now: $(ports_now)"; rc=1; }
	fi
	exec 3>&-
else
	log "cannot open /dev/ttydpc: $(ls -l /dev/ttydpc 2>&1)"
	rc=1
fi
tap_result "rmmod with /dev/ttydpc open refused, ports intact" $rc


# 2-3: rmmod with a port open is refused: the open tty pins the module
# (ttydpc_init()); a removal under it would free the serial core's port
# state while the tty still points into it
ready=$TMP/ttydpc_hold.$$
holdout=$TMP/ttydpc_hold_out.$$
rm -f "$ready" "$holdout"
"$XFER" --port "$PORT" --hold 300 --ready "$ready" > "$holdout" 2>&1 &
hold=$!
refused=0
if ! wait_for 100 exists "$ready"; then
	log "could not hold $PORT open: $(cat "$holdout")"
	tap_fail "rmmod with $PORT open"
	kill $hold 2>/dev/null
else
	out=$(rmmod ttydpc 2>&1)
	rc=$?
	log "rmmod with $PORT open: exit $rc: $out"
	if [ $rc -ne 0 ]; then
		refused=1
		rc=0
		module_loaded || { log "rmmod failed yet the module is gone"; rc=1; }
		ports_are "$SAVED_PORTS" || { log "ports now: $(ports_now)"; rc=1; }
		tap_result "rmmod with $PORT open refused, ports intact" $rc
	else
		# An open tty holds a module reference (its operations live in
		# ttydpc): a removal under it would leave the tty running freed code.
		log "rmmod with $PORT open succeeded: the open tty did not pin the module"
		tap_fail "rmmod with $PORT open refused, ports intact"
	fi
	kill $hold 2>/dev/null
fi
wait $hold
holdrc=$?
sed 's/^/# holder: /' "$holdout"
rm -f "$ready" "$holdout"
if [ $refused -eq 1 ]; then
	tap_result "open port still usable after the refused rmmod" $holdrc
else
	# the fd was hung up under the holder; it must just have ended normally
	[ $holdrc -le 1 ] && rc=0 || rc=1
	tap_result "holder of the removed port ended normally (exit $holdrc)" $rc
fi

# 4: rmmod with ports bound and none open
rc=0
if module_loaded; then
	out=$(rmmod_ttydpc 2>&1) || { log "rmmod: $out"; rc=1; }
fi
if [ $rc -eq 0 ]; then
	module_loaded && { log "ttydpc still loaded"; rc=1; }
	wait_for 50 ports_are "" || { log "nodes left: $(ports_now)"; rc=1; }
	ls -d /sys/class/tty/ttyDPC* >/dev/null 2>&1 && { log "class devices left: $(ls -d /sys/class/tty/ttyDPC*)"; rc=1; }
	[ -e /sys/bus/pci/drivers/ttydpc ] && { log "PCI driver ttydpc still registered"; rc=1; }
	for d in $OVERRIDES; do
		drv=$(pci_driver_of "$d")
		[ -z "$drv" ] || { log "$d now bound to $drv"; rc=1; }
	done
fi
tap_result "rmmod ttydpc with ports bound" $rc

# 5: load again, ports come back
rc=0
restore_module || { log "ports after reload: '$(ports_now)', wanted '$SAVED_PORTS'"; rc=1; }
for d in $OVERRIDES; do
	drv=$(pci_driver_of "$d")
	[ "$drv" = ttydpc ] || { log "$d bound to '$drv' after reload"; rc=1; }
done
tap_result "insmod $(basename "$KO") $KO_PARAMS and drivers_probe bring the ports back" $rc

# 6: and they work
rc=0
port_works "$PORT" 4096 77 || rc=1
if [ -n "$TTYDPC_NM_A" ] && [ -n "$TTYDPC_NM_B" ]; then
	out=$("$XFER" --nm "$TTYDPC_NM_A:$TTYDPC_NM_B" --size 16384 --seed 99 2>&1) || rc=1
	log "$out"
fi
tap_result "ports usable after reload" $rc

# 7
tap_kernel_log_clean reload
tap_exit
