#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# bad_params.sh: insmod ttydpc with bad parameters: refused with a ttydpc
# log line, or loaded without a port for the bad entry and a line naming it;
# never an oops, the control line keeps working; then the module is loaded
# as it was (selftests/ttydpc/README).
. "$(dirname "$0")/lib.sh"

need_root
KO=$TTYDPC_KO
[ -n "$KO" ] && [ -r "$KO" ] || tap_skip_all "TTYDPC_KO unset or unreadable"

NCASES=6
tap_header $((NCASES + 3))
kmsg_mark badparams

if module_loaded; then
	SAVED_PORTS=$(ports_now)
	KO_PARAMS=$(ko_params_now)
	BASE=$(port_tuples)
	out=$(rmmod_ttydpc 2>&1)
	rc=$?
	[ $rc -eq 0 ] || log "rmmod: $out"
	wait_for 50 ports_are "" || { log "nodes left: $(ports_now)"; rc=1; }
	tap_result "rmmod ttydpc before the bad loads" $rc
else
	SAVED_PORTS=""
	KO_PARAMS=${TTYDPC_KO_PARAMS:-${TTYDPC_DPC:+dpc=$TTYDPC_DPC}}
	BASE=""
	tap_ok "ttydpc not loaded to begin with"
	rc=0
fi
log "normal load: insmod $KO $KO_PARAMS -> $SAVED_PORTS"
log "ports of the normal load (name addr irq device):"
echo "$BASE" | sed 's/^/#   /'

ctl_alive() {
	[ -n "$TTYDPC_CTL" ] || return 0
	"$XFER" --ctl-cmd PING > /dev/null 2>&1
}

# run_case N PARAMS EXPECT WATCH NEEDLE
#   EXPECT: refused (insmod must fail, and a ttydpc log line must contain
#           NEEDLE as it is), loaded (insmod must succeed), or either
#   WATCH: I/O addresses that must not get a new port
#   NEEDLE: refused: the exact text of the driver's log line; otherwise
#           words a log line must carry if the module loads (addresses or
#           values)
run_case() {
	_n=$1 _params=$2 _expect=$3 _watch=$4 _needle=$5
	_tag="bad$_n.$$"
	_rc=0
	if ! [ "$rc" -eq 0 ]; then
		tap_skip "insmod $_params" "could not unload ttydpc first"
		return
	fi
	kmsg_mark "$_tag"
	# shellcheck disable=SC2086
	_out=$(insmod "$KO" $_params 2>&1 < /dev/null)
	_irc=$?
	sleep 0.3
	_msgs=$(dmesg_since "$_tag")
	log "insmod $_params: exit $_irc${_out:+: $_out}"
	echo "$_msgs" | grep -v '^$' | sed 's/^/#   dmesg: /'

	_bad=$(echo "$_msgs" | grep -E "$KBAD")
	[ -z "$_bad" ] || { log "kernel complained (see above)"; _rc=1; }

	if [ $_irc -ne 0 ]; then
		module_loaded && { log "insmod failed yet ttydpc is loaded"; _rc=1; }
		[ "$_expect" = loaded ] && { log "refused; the driver accepts $_params"; _rc=1; }
		if [ "$_expect" = refused ]; then
			echo "$_msgs" | grep -i ttydpc | grep -qF -- "$_needle" ||
				{ log "refused without the ttydpc log line '$_needle'"; _rc=1; }
		else
			echo "$_msgs" | grep -qi ttydpc ||
				{ log "refused without a ttydpc line in the kernel log"; _rc=1; }
		fi
		_what=refused
	else
		_what=loaded
		[ "$_expect" = refused ] && { log "loaded; the driver must refuse $_params ('$_needle')"; _rc=1; }
		_tuples=$(port_tuples)
		echo "$_tuples" | grep -v '^$' | sed 's/^/#   port: /'
		for _a in $_watch; do
			_d=$((_a))
			_new=$(echo "$_tuples" | awk -v a="$_d" '$2 == a' | while read -r _l; do
				echo "$BASE" | grep -qxF "$_l" || echo "$_l"
			done)
			[ -z "$_new" ] || { log "port created for bad entry $_a: $_new"; _rc=1; }
		done
		[ "$_expect" = refused ] && _needle=
		for _w in $_needle; do
			case "$_w" in
			0x*|[0-9]*)
				_hex=$(printf '%x' $((_w)))
				_pat="(0x0*|[^0-9a-fx])$_hex([^0-9a-f]|\$)" ;;
			*) _pat="$_w" ;;
			esac
			echo "$_msgs" | grep -qiE "$_pat" ||
				{ log "no log line names $_w"; _rc=1; }
		done
		for _f in /sys/class/tty/ttyDPC*/dpc_design; do
			[ -e "$_f" ] || continue
			case "$(cat "$_f")" in
			isr|custom|both) ;;
			*) log "$_f = '$(cat "$_f")'"; _rc=1 ;;
			esac
		done
	fi
	ctl_alive || { log "control line ($TTYDPC_CTL) stopped answering"; _rc=1; }
	if module_loaded; then
		_out=$(rmmod_ttydpc 2>&1) || { log "rmmod after bad load: $_out"; _rc=1; }
	fi
	tap_result "insmod $_params: $_what" $_rc
}

# io= is a list of ISA I/O bases, each needing its irq= (src/ttydpc_isa.c,
# ttydpc_isa_check_params()); 0 is no ISA UART address (0x100-0xfff8).
# Either mistake refuses the whole load with its own line; elsewhere than
# x86 any io= is refused first.
case "$(uname -m)" in
x86_64|i?86)
	IO0_NOIRQ="ttydpc: io= has 1 entries but irq= has 0: give one IRQ per port"
	IO0_IRQ="ttydpc: io=0x0: not an ISA UART address (0x100-0xfff8, 8-byte aligned)" ;;
*)
	IO0_NOIRQ="ttydpc: io=: legacy ISA ports exist only on x86"
	IO0_IRQ=$IO0_NOIRQ ;;
esac
run_case 1 "io=0" refused "0" "$IO0_NOIRQ"
run_case 2 "io=0 irq=4" refused "0" "$IO0_IRQ"
run_case 3 "io=0x3e8 irq=999" either "0x3e8" "0x3e8"
run_case 4 "io=0x2f8,0x3e8 irq=3" either "0x2f8 0x3e8" "0x2f8 0x3e8"
run_case 5 "io=0x200 irq=5" either "0x200" "0x200"
run_case 6 "dpc=bogus" either "" "bogus"

# restore the normal module and ports
rc=0
if module_loaded; then
	rmmod_ttydpc 2>/dev/null
fi
if [ -n "$SAVED_PORTS" ]; then
	restore_module || { log "ports after reload: '$(ports_now)', wanted '$SAVED_PORTS'"; rc=1; }
	PORT=${TTYDPC_PORT:-${SAVED_PORTS%% *}}
	[ $rc -eq 0 ] && { port_works "$PORT" 4096 55 || rc=1; }
	tap_result "normal module and ports restored" $rc
else
	tap_skip "normal module and ports restored" "module was not loaded at start"
fi

tap_kernel_log_clean badparams
tap_exit
