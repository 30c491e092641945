#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# races.sh: the driver's teardown and completion paths under traffic: close
# during floods, purges during a transfer, signals against blocked waits and
# events, unbind/bind and rmmod/insmod during traffic; afterwards debugfs
# consistent, the port works, the kernel log clean.
# Counts: TTYDPC_RACE_CLOSE (20) _SIGNAL (20) _UNBIND (50) _RMMOD (20).
. "$(dirname "$0")/lib.sh"

need_root
CTL_BIN="$HERE/ttydpcctl"
PORT=$TTYDPC_PORT
[ -n "$PORT" ] || tap_skip_all "TTYDPC_PORT unset"
[ -c "$PORT" ] || tap_skip_all "$PORT missing"
[ -x "$CTL_BIN" ] || tap_skip_all "$CTL_BIN missing"
N_CLOSE=${TTYDPC_RACE_CLOSE:-20}
N_SIGNAL=${TTYDPC_RACE_SIGNAL:-20}
N_UNBIND=${TTYDPC_RACE_UNBIND:-50}
N_RMMOD=${TTYDPC_RACE_RMMOD:-20}
TMP=${TMPDIR:-/tmp}/ttydpc_races.$$
mkdir -p "$TMP"
NAME=$(basename "$PORT")
DBG=/sys/kernel/debug/ttydpc/$NAME/stats
HOST=0
[ -n "$TTYDPC_CTL" ] && [ -n "$TTYDPC_CHAN" ] && HOST=1
PCI=$TTYDPC_PCI
PCIDRV=/sys/bus/pci/drivers/ttydpc
SAVED_PORTS=$(ports_now)
KO_PARAMS=$(ko_params_now)
OVERRIDES=$(pci_override_devs)

tap_header 9
kmsg_mark races
T0=$(date +%s)
TP=$T0

# phase_time: PT = seconds since the last call
phase_time() {
	_now=$(date +%s)
	PT="$((_now - TP))s"
	TP=$_now
}
log "port $PORT, host peer $HOST, PCI ${PCI:-none}, ports: $SAVED_PORTS, params: $KO_PARAMS"

# ---- helpers ----------------------------------------------------------------

# wait_pid PID TENTHS: its exit status; 124 after killing it when it is
# still running after TENTHS tenths of a second
wait_pid() {
	_t=$2
	while [ "$_t" -gt 0 ] && alive "$1"; do
		sleep 0.1
		_t=$((_t - 1))
	done
	if alive "$1"; then
		kill -9 "$1" 2>/dev/null
		wait "$1" 2>/dev/null
		return 124
	fi
	wait "$1"
}

# caught PID SIG: PID has a handler for signal number SIG (< 16) installed
caught() {
	_m=$(awk '/^SigCgt:/ { print $2 }' "/proc/$1/status" 2>/dev/null)
	[ -n "$_m" ] || return 1
	_m=${_m#"${_m%????}"}
	[ $((0x$_m & (1 << ($2 - 1)))) -ne 0 ]
}

caught_or_gone() { gone "$1" || caught "$1" "$2"; }

# opened PID DEV: PID has DEV open
opened() {
	for _f in /proc/"$1"/fd/*; do
		[ "$(readlink "$_f" 2>/dev/null)" = "$2" ] && return 0
	done
	return 1
}

# ready PID DEV: PID has DEV open and its signal handlers installed
ready() {
	opened "$1" "$2" && caught "$1" 15
}

# dbg KEY: a debugfs counter of the port (empty without debugfs)
dbg() {
	[ -r "$DBG" ] && awk -v k="$1" '$1 == k { print $2 }' "$DBG"
}

# waiters_are N: N waits are pending in the port's wait queue (true without debugfs)
waiters_are() {
	[ -r "$DBG" ] || return 0
	[ "$(dbg queue_wait_pending)" = "$1" ]
}

hostcmd() {
	[ $HOST -eq 1 ] || return 0
	"$XFER" --ctl-cmd "$*" 2>&1
}

# host_flood_start: the host sends (1 MB, the same stream each time: the
# peer caches it) until host_flood_stop or the next host_flood_start
host_flood_start() {
	[ $HOST -eq 1 ] || return 0
	hostcmd "WAIT $TTYDPC_CHAN 1" > /dev/null
	hostcmd "FLUSH $TTYDPC_CHAN" > /dev/null
	_o=$(hostcmd "SEND $TTYDPC_CHAN 1000000 101")
	[ "$_o" = "OK " ] || log "host: SEND: $_o"
}

host_flood_stop() {
	[ $HOST -eq 1 ] || return 0
	log "host: WAIT $(hostcmd "WAIT $TTYDPC_CHAN 1")"
	hostcmd "FLUSH $TTYDPC_CHAN" > /dev/null
}

# show FILE: a background job's output
show() {
	sed 's/^/#   /' "$1"
}

# ended_with PID TENTHS STATUS ERE FILE WHAT: PID exits with STATUS within
# TENTHS tenths of a second and its output (FILE) matches ERE
ended_with() {
	wait_pid "$1" "$2"
	_st=$?
	if [ $_st -ne "$3" ] || ! grep -q -E "$4" "$5"; then
		log "$6: exit $_st"
		show "$5"
		rc=1
	fi
}

# traffic_ended PID FILE WHAT: a round's flood or drain ended within 10 s,
# cleanly or with the error of a port that went away (its output in FILE).
traffic_ended() {
	wait_pid "$1" 100
	_st=$?
	if [ $_st -ne 0 ] && { [ $_st -eq 124 ] || ! grep -q -E 'EIO|ENOENT|ENXIO|ENODEV' "$2"; }; then
		log "round $i: $3 exit $_st"
		show "$2"
		rc=1
	fi
}

# waiter_ended PID FILE ERE: a round's waiter ended within 10 s, with EIO
# (counted in n_eio) or output matching ERE.
waiter_ended() {
	wait_pid "$1" 100
	_st=$?
	if grep -q 'wait: EIO' "$2"; then
		n_eio=$((n_eio + 1))
	elif [ $_st -eq 124 ] || ! grep -q -E "$3" "$2"; then
		log "round $i: waiter exit $_st"
		show "$2"
		rc=1
	fi
}

# The PCI functions back to ttydpc as selftests/vm/init moves them (the
# override survives rmmod: insmod has usually bound them already).
move_ports_to_ttydpc() {
	for _d in $OVERRIDES; do
		_p=/sys/bus/pci/devices/$_d
		[ -d "$_p" ] || continue
		echo ttydpc > "$_p/driver_override"
		_drv=$(pci_driver_of "$_d")
		[ -n "$_drv" ] && [ "$_drv" != ttydpc ] && echo "$_d" > "$_p/driver/unbind"
		[ -z "$(pci_driver_of "$_d")" ] && echo "$_d" > /sys/bus/pci/drivers_probe
	done
}

# ---- 1: close under traffic -------------------------------------------------

rc=0
# A host peer the environment names must answer: else the floods below are
# silently missing, and that is a failure, not a lighter run.
if [ $HOST -eq 1 ] && ! o=$("$XFER" --ctl-cmd PING 2>&1); then
	log "host peer on $TTYDPC_CTL (TTYDPC_CTL) does not answer: $o"
	rc=1
fi
host_flood_start
rx_total=0
i=1
while [ $i -le "$N_CLOSE" ]; do
	out=$TMP/close.$i
	[ $((i % 5)) -eq 0 ] && host_flood_start
	"$CTL_BIN" "$PORT" raw , flood 0 "$i" > "$out" 2>&1 &
	pid=$!
	wait_for 50 caught $pid 15
	sleep "0.$((i % 5 + 1))"
	kill -TERM $pid 2>/dev/null
	ended_with $pid 300 0 'ended by signal' "$out" "close round $i"
	rx=$(sed -n 's/.* received \([0-9]*\) .*/\1/p' "$out")
	rx_total=$((rx_total + ${rx:-0}))
	i=$((i + 1))
done
log "last round: $(cat "$TMP/close.$N_CLOSE"); received $rx_total in all"
if [ $HOST -eq 1 ] && [ $rx_total -eq 0 ]; then
	log "nothing came from the host"
	rc=1
fi
phase_time
tap_result "close while the host floods RX and the guest writes (${N_CLOSE}x, $PT)" $rc

# ---- 2: purge during a transfer ---------------------------------------------

# A fresh host flood: what is left of the last one may be spent already.
host_flood_start
rc=0
"$CTL_BIN" "$PORT" raw , flood 8 7 > "$TMP/pflood" 2>&1 &
fpid=$!
"$CTL_BIN" "$PORT" mask rxchar txempty , wait 20 , wait 20 , wait 20 > "$TMP/pwait" 2>&1 &
wpid=$!
sleep 0.5
i=0
while [ $i -lt 12 ]; do
	if ! o=$("$CTL_BIN" "$PORT" purge rxclear , purge txclear , purge rxabort , purge txabort , purge all 2>&1); then
		log "purge round $i: $o"
		rc=1
	fi
	sleep 0.2
	i=$((i + 1))
done
wait_pid $fpid 150 || { log "flood: exit $?"; rc=1; }
show "$TMP/pflood"
if [ $HOST -eq 1 ] && grep -q ' received 0 ' "$TMP/pflood"; then
	log "nothing came from the host"
	rc=1
fi
# the waiter ends: by events, or ECANCELED from an ABORT purge
wait_pid $wpid 250
st=$?
show "$TMP/pwait"
if [ $st -eq 124 ] || grep -v -E '^events |ECANCELED' "$TMP/pwait" | grep -q .; then
	log "waiter during the purges: exit $st"
	rc=1
fi
phase_time
tap_result "purges from another process during a transfer ($PT)" $rc

# ---- 3: signals and waits ---------------------------------------------------

rc=0
i=1
while [ $i -le "$N_SIGNAL" ]; do
	out=$TMP/sig.$i
	"$CTL_BIN" "$PORT" mask ring , wait 30 > "$out" 2>&1 &
	pid=$!
	wait_for 50 caught $pid 10
	if ! wait_for 50 waiters_are 1; then
		log "signal round $i: the wait never blocked ($(dbg queue_wait_pending) pending)"
		rc=1
	fi
	kill -USR1 $pid
	ended_with $pid 50 1 'wait: EINTR' "$out" "signal round $i"
	i=$((i + 1))
done
if [ -r "$DBG" ] && [ "$(dbg queue_wait_pending)" != 0 ]; then
	log "$(dbg queue_wait_pending) waits pending with the port closed"
	rc=1
fi
phase_time
tap_result "a signal ends a blocked wait with EINTR (${N_SIGNAL}x, $PT)" $rc

# Signals racing with a loopback RING event and with the wait's own start.
# RING (trailing edge of RI, OUT1 in loopback), not CTS: every open raises
# RTS and DTR (tty_port_block_til_ready()), so each ttydpcctl run would make
# CTS events of its own. The holder keeps the port open, so the mask is
# armed before the waiter starts: whatever the order, the event ends the
# wait, or the wait ends with EINTR and the rewait on the same event file
# returns it. A timeout, or an EINTR with nothing for the rewait, is a lost
# event. Rounds in turn: event before the wait can have begun, then signal;
# event then signal; signal then event.
rc=0
"$CTL_BIN" "$PORT" mctrl +loop +rts , sleep 60000 > /dev/null 2>&1 &
holder=$!
sleep 0.3
n_ev=0 n_intr=0
i=1
while [ $i -le "$N_SIGNAL" ]; do
	out=$TMP/sigev.$i
	# RI up (its leading edge is no event), then the mask
	if ! o=$("$CTL_BIN" "$PORT" mctrl +out1 , mask ring 2>&1); then
		log "signal/event round $i: mask: $o"
		rc=1
	fi
	"$CTL_BIN" "$PORT" wait 3 , rewait 1 > "$out" 2>&1 &
	pid=$!
	case $((i % 3)) in
	0)
		"$CTL_BIN" "$PORT" mctrl -out1 > /dev/null
		# (the latched event may have ended it before its handlers show)
		wait_for 50 caught_or_gone $pid 10
		kill -USR1 $pid 2>/dev/null ;;
	1)
		wait_for 50 caught $pid 10
		"$CTL_BIN" "$PORT" mctrl -out1 > /dev/null
		kill -USR1 $pid 2>/dev/null ;;	# (the event may have ended it)
	2)
		wait_for 50 caught $pid 10
		kill -USR1 $pid
		"$CTL_BIN" "$PORT" mctrl -out1 > /dev/null ;;
	esac
	wait_pid $pid 80
	st=$?
	if grep -q '^events 0x0100 ' "$out"; then
		if grep -q 'wait: EINTR' "$out"; then
			n_intr=$((n_intr + 1))
		else
			n_ev=$((n_ev + 1))
		fi
	else
		if grep -q 'wait: EINTR' "$out"; then
			log "signal/event round $i: EINTR, and the RING event is gone"
		else
			log "signal/event round $i: exit $st (a timeout is a lost event)"
		fi
		show "$out"
		rc=1
	fi
	i=$((i + 1))
done
kill -TERM $holder 2>/dev/null
wait_pid $holder 50
"$CTL_BIN" "$PORT" mctrl -loop -out1 +rts > /dev/null
log "signal vs event: $n_ev events, $n_intr EINTR with the event kept"
phase_time
tap_result "signals racing with events and with the wait's start (${N_SIGNAL}x, $PT)" $rc

# ---- 4: unbind/bind during traffic ------------------------------------------

if [ -z "$PCI" ] || [ ! -d "$PCIDRV" ]; then
	tap_skip "unbind/bind $PCI during traffic" "TTYDPC_PCI unset or no ttydpc PCI driver"
elif ! under_dev "$NAME" "$PCI"; then
	tap_skip "unbind/bind $PCI during traffic" "$PORT is not on $PCI"
else
	host_flood_start
	rc=0
	n_eio=0
	i=1
	while [ $i -le "$N_UNBIND" ]; do
		"$CTL_BIN" "$PORT" raw , flood 0 "$i" > "$TMP/uflood" 2>&1 &
		fpid=$!
		"$CTL_BIN" "$PORT" mask ring , wait 30 > "$TMP/uwait" 2>&1 &
		wpid=$!
		[ $((i % 10)) -eq 0 ] && host_flood_start
		wait_for 30 waiters_are 1
		sleep "0.$((i % 3))"
		if ! echo "$PCI" > "$PCIDRV/unbind"; then
			log "unbind round $i failed"
			rc=1
		fi
		wait_for 50 absent "$PORT" || { log "round $i: $PORT still there"; rc=1; }
		# ended by the hangup, or never got the port open
		traffic_ended $fpid "$TMP/uflood" flood
		waiter_ended $wpid "$TMP/uwait" 'ENOENT|ENXIO|ENODEV|EIO'
		if ! echo "$PCI" > "$PCIDRV/bind"; then
			log "bind round $i failed"
			rc=1
		fi
		wait_for 50 exists "$PORT" || { log "round $i: $PORT did not come back"; rc=1; break; }
		i=$((i + 1))
	done
	[ "$(pci_driver_of "$PCI")" = ttydpc ] || echo "$PCI" > "$PCIDRV/bind" 2>/dev/null
	log "unbind: $n_eio of $N_UNBIND waiters ended with EIO"
	[ $n_eio -gt 0 ] || { log "no waiter ever saw EIO"; rc=1; }
	phase_time
	tap_result "unbind/bind $PCI during traffic (${N_UNBIND}x, $PT)" $rc
fi

# ---- 5: rmmod/insmod during traffic -----------------------------------------

rmmod_ready() {
	ready "$fpid" "$PORT" && { [ -z "$npid" ] || ready "$npid" "$TTYDPC_NM_A"; } &&
		waiters_are 1
}

# An open port pins the module (ttydpc_init()): rmmod is refused until the
# traffic ends, then races with the last close. An rmmod that succeeds while
# the round's processes hold ports open fails the case.
if [ -z "$TTYDPC_KO" ] || [ ! -r "$TTYDPC_KO" ] || ! module_loaded; then
	tap_skip "rmmod/insmod during traffic" "TTYDPC_KO unset/unreadable or ttydpc not a loaded module"
else
	host_flood_start
	rc=0
	n_open=0 n_eio=0
	design0=$(cat "/sys/class/tty/$NAME/dpc_design" 2>/dev/null)
	i=1
	while [ $i -le "$N_RMMOD" ]; do
		# traffic on the host port and on the null-modem pair, a waiter
		"$CTL_BIN" "$PORT" raw , flood 0 "$i" > "$TMP/rflood.0" 2>&1 &
		fpid=$!
		pids=$fpid
		npid= dpid=
		if [ -c "$TTYDPC_NM_A" ] && [ -c "$TTYDPC_NM_B" ]; then
			"$CTL_BIN" "$TTYDPC_NM_A" raw , flood 0 "$i" > "$TMP/rflood.1" 2>&1 &
			npid=$!
			pids="$pids $npid"
			"$CTL_BIN" "$TTYDPC_NM_B" raw , drain 60000 > "$TMP/rflood.2" 2>&1 &
			dpid=$!
			pids="$pids $dpid"
		fi
		# USR1 or the rmmod ends the waiter; its timeout bounds a broken
		# run (a debug kernel's round can pass 30 s).
		"$CTL_BIN" "$PORT" mask ring , wait 300 > "$TMP/rwait" 2>&1 &
		wpid=$!
		[ $((i % 5)) -eq 0 ] && host_flood_start
		if ! wait_for 100 rmmod_ready; then
			log "round $i: the traffic and the waiter never all had their ports open"
			rc=1
		fi
		sleep "0.$((i % 3))"
		if rmmod ttydpc 2> "$TMP/rmmod"; then
			n_open=$((n_open + 1))
			held=
			opened "$fpid" "$PORT" && held="$held $fpid:$PORT"
			opened "$wpid" "$PORT" && held="$held $wpid:$PORT"
			[ -n "$npid" ] && opened "$npid" "$TTYDPC_NM_A" && held="$held $npid:$TTYDPC_NM_A"
			[ -n "$dpid" ] && opened "$dpid" "$TTYDPC_NM_B" && held="$held $dpid:$TTYDPC_NM_B"
			log "round $i: rmmod succeeded with ports open (pid:port${held:- none left after the hangup})"
			rc=1
		else
			# refused: end the traffic and race the last close of
			# the host port. The null-modem pair ends first, writer
			# then reader: A's close drains into B (closing_wait),
			# and QEMU's socket null modem stops A's transmitter
			# while B is not read.
			if [ -n "$dpid" ]; then
				kill -USR1 "$npid" 2>/dev/null
				wait_for 100 gone "$npid"
				kill -USR1 "$dpid" 2>/dev/null
			fi
			for pid in $fpid $wpid; do kill -USR1 "$pid" 2>/dev/null; done
			t=0
			while module_loaded && [ $t -lt 100 ]; do
				rmmod ttydpc 2> /dev/null || sleep 0.05
				t=$((t + 1))
			done
		fi
		k=0
		for pid in $pids; do
			traffic_ended "$pid" "$TMP/rflood.$k" "traffic $k"
			k=$((k + 1))
		done
		waiter_ended $wpid "$TMP/rwait" 'wait: EINTR|ENOENT|ENXIO|ENODEV'
		if module_loaded; then
			log "round $i: rmmod never succeeded: $(cat "$TMP/rmmod")"
			rc=1
			break
		fi
		# shellcheck disable=SC2086 # KO_PARAMS is a list
		if ! insmod "$TTYDPC_KO" $KO_PARAMS; then
			log "round $i: insmod $TTYDPC_KO $KO_PARAMS failed"
			rc=1
			break
		fi
		move_ports_to_ttydpc
		wait_for 100 ports_are "$SAVED_PORTS" || { log "round $i: ports '$(ports_now)', want '$SAVED_PORTS'"; rc=1; break; }
		i=$((i + 1))
	done
	module_loaded || restore_module
	d=$(cat "/sys/class/tty/$NAME/dpc_design" 2>/dev/null)
	[ "$d" = "$design0" ] || { log "design $d after reload, was $design0"; rc=1; }
	log "rmmod with the ports open succeeded in $n_open of $N_RMMOD rounds (must be 0); $n_eio waiters ended with EIO"
	phase_time
	tap_result "rmmod/insmod during traffic (${N_RMMOD}x, $PT)" $rc
fi

# ---- 6: afterwards ----------------------------------------------------------

host_flood_stop
# bytes of the host's flood still on their way: read them away
o=$("$CTL_BIN" "$PORT" raw , drain 1000 2>&1)
log "$PORT: $o"

# debugfs, port closed: no agent inside a queue, every DPC request accounted
rc=0
if [ -r "$DBG" ]; then
	bad=$(awk '
		/^queue_.*_refs / && $2 != 0 { print $1 " " $2 " with the port closed" }
		/^dpc_.*_requests / { o = $1; sub(/^dpc_/, "", o); sub(/_requests$/, "", o); rq[o] = $2 }
		/^dpc_.*_coalesced / { o = $1; sub(/^dpc_/, "", o); sub(/_coalesced$/, "", o); co[o] = $2 }
		/^dpc_.*_runs / { o = $1; sub(/^dpc_/, "", o); sub(/_runs$/, "", o); ru[o] = $2 }
		END { for (o in rq) if (rq[o] != ru[o] + co[o])
			print "dpc_" o ": requests " rq[o] " != runs " ru[o] " + coalesced " co[o] }' "$DBG")
	if [ -n "$bad" ]; then
		echo "$bad" | sed 's/^/# /'
		rc=1
	fi
	tap_result "debugfs: queues empty, requests == runs + coalesced" $rc
else
	tap_skip "debugfs: queues empty, requests == runs + coalesced" "no $DBG"
fi

rc=0
port_works "$PORT" 4096 31 || rc=1
tap_result "$PORT moves a checksummed block afterwards" $rc

tap_kernel_log_clean races
rm -rf "$TMP"
log "races.sh took $(($(date +%s) - T0))s"
tap_exit
