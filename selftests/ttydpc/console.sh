#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# console.sh: polled I/O on a ttyDPC port: the kernel console on it (with
# a shell on the port, after it closed, across a reload), SysRq on a
# received break, kgdb over the port driven by the host peer. Judged at the
# far end of the port or by a reader of it, never by driver state.
# Needs console=<TTYDPC_PORT's name> on the command line and the host peer:
# check.sh's console job (not in run_tests.sh's list). The kgdb cases skip
# without CONFIG_KGDB_SERIAL_CONSOLE (Debian's stock kernels).

. "$(dirname "$0")/lib.sh"

need_root
PORT=${TTYDPC_PORT:-/dev/ttyDPC0}
NAME=$(basename "$PORT")
CHAN=$TTYDPC_CHAN
TMP=${TMPDIR:-/tmp}/console.$$
KGDBOC=/sys/module/kgdboc/parameters/kgdboc
SYSRQ=/proc/sys/kernel/sysrq
PRINTK=/proc/sys/kernel/printk

grep -qE "(^| )console=$NAME(,| |$)" /proc/cmdline ||
	tap_skip_all "the kernel command line has no console=$NAME"
{ [ -n "$TTYDPC_CTL" ] && [ -n "$CHAN" ]; } || tap_skip_all "no host peer (TTYDPC_CTL, TTYDPC_CHAN)"
[ -c "$PORT" ] || tap_skip_all "no $PORT"

# peer VERB ARGS...: one request to the host peer; prints its reply
# ("OK ..." or "ERR ..."), status 0 for OK.
peer() {
	_r=$("$XFER" --ctl-cmd "$*" 2>&1)
	echo "$_r"
	case $_r in
	OK*) return 0 ;;
	esac
	return 1
}

hex() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n'; }

# expect TEXT [SECS]: TEXT arrives at the host end of the port.
expect() {
	_r=$(peer EXPECT "$CHAN" "${2:-10}" "$1") && return 0
	log "host: no '$1' on $CHAN: $_r"
	return 1
}

# kmsg_reaches_host TOKEN DESC: a kernel message with TOKEN arrives at the
# host end of the console port (one TAP line, DESC)
kmsg_reaches_host() {
	echo "<2>$1" > /dev/kmsg
	rc=0
	expect "$1" || rc=1
	tap_result "$2" $rc
}

mkdir -p "$TMP"
SHPID='' RDPID='' SYSRQ_WAS=$(cat "$SYSRQ" 2>/dev/null)
LOGLEVEL_WAS=$(cut -f1 "$PRINTK" 2>/dev/null)
cleanup() {
	[ -z "$SHPID" ] || kill -9 "$SHPID" 2>/dev/null
	[ -z "$RDPID" ] || kill "$RDPID" 2>/dev/null
	[ -z "$SYSRQ_WAS" ] || echo "$SYSRQ_WAS" > "$SYSRQ"
	[ -z "$LOGLEVEL_WAS" ] || echo "$LOGLEVEL_WAS" > "$PRINTK"
	rm -rf "$TMP"
}
trap cleanup EXIT

tap_header 13
kmsg_mark console

# ---- 1: registered ---------------------------------------------------------

if grep -q "^$NAME " /proc/consoles && dmesg | grep -q "console \[$NAME\] enabled"; then
	tap_ok "console registered: $NAME in /proc/consoles"
else
	sed 's/^/# consoles: /' /proc/consoles
	tap_fail "console registered: $NAME in /proc/consoles"
fi

# ---- 2-4: console and a shell on the same port -----------------------------

# shell_answers A B: the host types "echo ttydpc-shell-$((A*B))"; only a
# shell that ran it prints the product (the echo of the typed line does
# not hold it). The shell may still be starting: a few tries.
shell_answers() {
	_want="ttydpc-shell-$(($1 * $2))"
	for _i in 1 2 3 4 5; do
		peer FLUSH "$CHAN" > /dev/null
		peer PUT "$CHAN" "$(hex "echo ttydpc-shell-\$(($1*$2))")0d" > /dev/null
		peer EXPECT "$CHAN" 3 "$_want" > /dev/null && return 0
	done
	log "no $_want from the shell on $NAME"
	return 1
}

stty -F "$PORT" 115200 sane clocal 2>/dev/null
# setsid makes sh the session leader that opens the port: it becomes the
# shell's controlling tty, as a getty would make it.
setsid sh -c "exec sh -i <$PORT >$PORT 2>&1" &
SHPID=$!

rc=0
shell_answers 6 7 || rc=1
tap_result "a shell on $NAME answers the host" $rc

kmsg_reaches_host "ttydpc-console-$$-1" \
	"a kernel message reaches the host while the shell has $NAME open"

rc=0
shell_answers 7 8 || rc=1
tap_result "the shell still answers after console output" $rc

kill -9 "$SHPID" 2>/dev/null
wait "$SHPID" 2>/dev/null
SHPID=''

# ---- 5: received data intact while the console writes -----------------------

# Each console write turns the port's interrupts off for a while: what
# arrives meanwhile must wait in the UART, then go the usual way intact.
(
	i=0
	while [ $i -lt 20 ]; do
		echo "<2>ttydpc-console-flood-$i" > /dev/kmsg
		i=$((i + 1))
		sleep 0.05
	done
) &
flood=$!
rc=0
o=$("$XFER" --port "$PORT" --recv 65536 --seed 17 --timeout 60 2>&1) || rc=1
echo "$o" | sed 's/^/# /'
wait "$flood"
expect "ttydpc-console-flood-19" || rc=1
tap_result "host->guest 64 KiB intact while the console writes on $NAME" $rc

# ---- 6: console on the closed port ------------------------------------------

# Shutdown switched the FIFO off and IER to 0; the console's settings stay.
sleep 0.5
kmsg_reaches_host "ttydpc-console-$$-2" "a kernel message reaches the host with $NAME closed"

# ---- 7: RS-485 direction around console output -----------------------------

# console_rs485 switches RS-485 on (RTS high on send, 20 ms delays), logs
# a line and finds it in QEMU's register trace between RTS up and down.
rc=0
o=$("$HERE/console_rs485" 2>&1) || rc=1
echo "$o" | sed 's/^/# /'
tap_result "RS-485: the console raises RTS around its output, with the delays" $rc

# ---- 8: the console across a module reload ---------------------------------

# rmmod must unregister the console (a later printk would run freed code);
# insmod and the bind bring it back (the command line still names it).
if [ -z "$TTYDPC_KO" ] || [ ! -r "$TTYDPC_KO" ] || ! module_loaded; then
	tap_skip "the console goes with rmmod and comes back with insmod and bind" \
		"TTYDPC_KO unset or ttydpc not a loaded module"
else
	# shellcheck disable=SC2034 # both read by restore_module (lib.sh)
	SAVED_PORTS=$(ports_now) KO_PARAMS=$(ko_params_now)
	rc=0
	rmmod_ttydpc || rc=1
	if grep -q "^$NAME " /proc/consoles; then
		log "$NAME still a console after rmmod"
		rc=1
	fi
	echo "<2>ttydpc-console-$$-module-gone" > /dev/kmsg
	restore_module || { log "ports after insmod: $(ports_now)"; rc=1; }
	grep -q "^$NAME " /proc/consoles || { log "$NAME not a console after insmod and bind"; rc=1; }
	tok="ttydpc-console-$$-3"
	echo "<2>$tok" > /dev/kmsg
	expect "$tok" || rc=1
	tap_result "the console goes with rmmod and comes back with insmod and bind" $rc
fi

# ---- 9-10: SysRq on a received break ----------------------------------------

# The port must be open: a closed port has no interrupt handler, and
# SysRq comes in through it (as with 8250). A raw reader holds it.
stty -F "$PORT" 115200 raw -echo clocal 2>/dev/null
cat "$PORT" > "$TMP/rx" &
RDPID=$!
sleep 0.3

# break_then CHAR: a break on the line, then CHAR, from the host.
break_then() {
	peer FLUSH "$CHAN" > /dev/null
	peer BREAK "$CHAN" > /dev/null || return 1
	sleep 0.2
	peer PUT "$CHAN" "$(hex "$1")" > /dev/null
}

# SysRq raises the console loglevel around its own lines, but a kernel
# that prints from a thread (PREEMPT_RT) prints them after it has put the
# level back, i.e. not at all: raise it here for the case.
echo 1 > "$SYSRQ"
echo 7 > "$PRINTK"
kmsg_mark sysrq-on
: > "$TMP/rx"
rc=0
break_then h || rc=1
expect "HELP" || rc=1
echo "$LOGLEVEL_WAS" > "$PRINTK"
sleep 0.3
if [ -s "$TMP/rx" ]; then
	log "the reader got $(od -An -c "$TMP/rx" | head -c 80): break and key are not data"
	rc=1
fi
dmesg_since sysrq-on | grep -q 'sysrq: HELP' || { log "no 'sysrq: HELP' in dmesg"; rc=1; }
tap_result "break then h: SysRq help on the console, neither byte reaches the reader" $rc

echo 0 > "$SYSRQ"
kmsg_mark sysrq-off
: > "$TMP/rx"
rc=0
break_then h || rc=1
sleep 1
got=$(peer GET "$CHAN" 4096 1)
case $got in
*"$(hex HELP)"*) log "SysRq help printed with sysrq=0"; rc=1 ;;
esac
dmesg_since sysrq-off | grep -q 'sysrq:' && { log "sysrq ran with sysrq=0"; rc=1; }
grep -q h "$TMP/rx" || { log "the reader did not get h as data"; rc=1; }
tap_result "sysrq=0: break then h does nothing, h is data" $rc
echo "$SYSRQ_WAS" > "$SYSRQ"

# ---- 11-12: kgdb -----------------------------------------------------------------

if [ ! -e "$KGDBOC" ]; then
	tap_skip "kgdboc registers on $NAME" "kernel without CONFIG_KGDB_SERIAL_CONSOLE"
	tap_skip "kgdb: host talks to the stub, then continues" "kernel without CONFIG_KGDB_SERIAL_CONSOLE"
else
	kmsg_mark kgdb
	rc=0
	echo "$NAME" > "$KGDBOC" || rc=1
	[ "$(cat "$KGDBOC")" = "$NAME" ] || { log "kgdboc reads back '$(cat "$KGDBOC")'"; rc=1; }
	dmesg_since kgdb | grep -q 'Registered I/O driver kgdboc' ||
		{ log "no 'Registered I/O driver kgdboc' in dmesg"; rc=1; }
	tap_result "kgdboc registers on $NAME" $rc

	if [ $rc -ne 0 ]; then
		tap_skip "kgdb: host talks to the stub, then continues" "kgdboc did not register"
	else
		# The host sends SysRq-g (break, g) and runs the gdb exchange on
		# its own: this guest is stopped in kgdb meanwhile.
		echo 1 > "$SYSRQ"
		rc=0
		r=$(peer KGDB "$CHAN" 20) || { log "KGDB: $r"; rc=1; }
		if [ $rc -eq 0 ]; then
			r=$(peer KGDBRES "$CHAN" 45)
			log "host: $r"
			case $r in
			"OK stop=S05" | "OK stop=T05"*) ;;
			*) rc=1 ;;
			esac
		fi
		dmesg_since kgdb | grep -q 'sysrq: DEBUG' || { log "no 'sysrq: DEBUG' in dmesg"; rc=1; }
		echo "$SYSRQ_WAS" > "$SYSRQ"
		tap_result "kgdb: host talks to the stub, then continues" $rc
	fi
	# kgdboc stays: after "c" (not "D", detach) gdb counts as connected,
	# and kgdboc refuses to unregister then.
fi

kill "$RDPID" 2>/dev/null
wait "$RDPID" 2>/dev/null
RDPID=''

# ---- 13 ---------------------------------------------------------------------

tap_kernel_log_clean console
tap_exit
