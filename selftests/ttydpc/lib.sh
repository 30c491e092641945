# SPDX-License-Identifier: GPL-2.0
# ttydpc selftests: helpers for the shell tests (busybox ash, no bash-isms).
# Source with: . "$(dirname "$0")/lib.sh"

KSFT_PASS=0
KSFT_FAIL=1
KSFT_SKIP=4

HERE=$(cd "$(dirname "$0")" && pwd)
XFER="$HERE/ttydpc_xfer"

T_NUM=0
T_PASS=0
T_FAIL=0
T_SKIP=0

log() { echo "# $*"; }

tap_header() {
	echo "TAP version 13"
	echo "1..$1"
}

tap_ok() {
	T_NUM=$((T_NUM + 1)); T_PASS=$((T_PASS + 1))
	echo "ok $T_NUM $*"
}

tap_fail() {
	T_NUM=$((T_NUM + 1)); T_FAIL=$((T_FAIL + 1))
	echo "not ok $T_NUM $*"
}

# tap_skip NAME REASON...
tap_skip() {
	_n=$1; shift
	T_NUM=$((T_NUM + 1)); T_SKIP=$((T_SKIP + 1))
	echo "ok $T_NUM $_n # SKIP $*"
}

# tap_result NAME RC: ok when RC is 0
tap_result() {
	if [ "$2" -eq 0 ]; then tap_ok "$1"; else tap_fail "$1"; fi
}

# Skip a whole script: plan 1..0 with the reason.
tap_skip_all() {
	echo "TAP version 13"
	echo "1..0 # SKIP $*"
	exit $KSFT_SKIP
}

tap_exit() {
	echo "# Totals: pass:$T_PASS fail:$T_FAIL skip:$T_SKIP"
	[ "$T_FAIL" -eq 0 ] || exit $KSFT_FAIL
	[ "$T_PASS" -eq 0 ] && [ "$T_SKIP" -gt 0 ] && exit $KSFT_SKIP
	exit $KSFT_PASS
}

# ---- kernel log -----------------------------------------------------------

# kmsg_mark TAG: put a line into the kernel log to cut it at later.
kmsg_mark() {
	echo "ttydpc-selftest: mark $1" > /dev/kmsg 2>/dev/null
}

# dmesg_since TAG: kernel log after the last mark TAG (whole log if none).
dmesg_since() {
	dmesg 2>/dev/null | awk -v m="ttydpc-selftest: mark $1" '
		index($0, m) { n = 0; delete buf; next }
		{ buf[n++] = $0 }
		END { for (i = 0; i < n; i++) print buf[i] }'
}

# Lines that mean the kernel is unwell.
KBAD='Oops|BUG:|WARNING:|general protection|Call Trace|kernel BUG|KASAN|UBSAN|list_del corruption|refcount_t:|use-after-free|scheduling while atomic|INFO: task .* blocked|lockdep|possible circular locking|Unable to handle'

# dmesg_bad TAG: print bad lines logged since TAG; status 0 when there are some.
dmesg_bad() {
	dmesg_since "$1" | grep -E "$KBAD"
}

# tap_kernel_log_clean TAG: one TAP case, "kernel log clean", failed by
# any bad line logged since the mark TAG (printed as comments).
tap_kernel_log_clean() {
	_bad=$(dmesg_bad "$1")
	if [ -n "$_bad" ]; then
		echo "$_bad" | sed 's/^/# /'
		tap_fail "kernel log clean"
	else
		tap_ok "kernel log clean"
	fi
}

# ---- waiting --------------------------------------------------------------

# wait_for TENTHS CMD...: run CMD every 0.1 s until it succeeds.
wait_for() {
	_t=$1; shift
	while [ "$_t" -gt 0 ]; do
		"$@" && return 0
		sleep 0.1
		_t=$((_t - 1))
	done
	"$@"
}

exists() { [ -e "$1" ]; }
absent() { [ ! -e "$1" ]; }
# alive PID: the process exists and is not a zombie
alive() {
	_st=$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null)
	[ -n "$_st" ] && [ "$_st" != Z ]
}
gone() { ! alive "$1"; }

# ---- driver state ---------------------------------------------------------

module_loaded() { grep -q '^ttydpc ' /proc/modules 2>/dev/null; }

# rmmod_ttydpc: rmmod ttydpc when no port is open. An open tty pins the
# module and the last close drops that reference from a workqueue
# (release_one_tty), so a refusal right after the last user went away is
# retried for up to 2 s. rmmod's last message goes to stderr.
rmmod_ttydpc() {
	_t=20
	until _err=$(rmmod ttydpc 2>&1); do
		_t=$((_t - 1))
		if [ $_t -le 0 ] || ! module_loaded; then
			echo "$_err" >&2
			return 1
		fi
		sleep 0.1
	done
}

# Sorted list of ttyDPC nodes, one line.
ports_now() {
	ls /dev 2>/dev/null | grep -E '^ttyDPC[0-9]+$' | sed 's/^ttyDPC//' | sort -n |
		sed 's|^|/dev/ttyDPC|' | tr '\n' ' ' | sed 's/ *$//'
}

ports_are() { [ "$(ports_now)" = "$1" ]; }

# PCI functions whose driver_override names ttydpc, in bus order.
pci_override_devs() {
	for _d in /sys/bus/pci/devices/*; do
		[ -r "$_d/driver_override" ] || continue
		[ "$(cat "$_d/driver_override" 2>/dev/null)" = ttydpc ] && basename "$_d"
	done
}

# under_dev CLASSDEV NAME: the device of /sys/class/tty/CLASSDEV is device
# NAME or lies below it (6.5+ serial core adds port devices such as
# 0000:00:10.0:0.0 between the controller and the tty).
under_dev() {
	_l=$(readlink -f "/sys/class/tty/$1/device" 2>/dev/null) || return 1
	case "$_l/" in
	*/"$2"/*) return 0 ;;
	esac
	return 1
}

# drv_of DIR: the driver of the device at sysfs DIR (empty if none);
# pci_driver_of BDF: that of a PCI function.
drv_of() {
	_l=$(readlink "$1/driver" 2>/dev/null) || return 0
	basename "$_l"
}
pci_driver_of() { drv_of "/sys/bus/pci/devices/$1"; }

# node_at_io IO: the ttyDPC node at I/O base IO; false if none.
node_at_io() {
	for _p in /sys/class/tty/ttyDPC*; do
		[ -e "$_p/port" ] || continue
		[ $(($(cat "$_p/port"))) -eq $(($1)) ] && { echo "/dev/$(basename "$_p")"; return 0; }
	done
	return 1
}

reprobe_pci() {
	for _d in $(pci_override_devs); do
		[ -n "$(pci_driver_of "$_d")" ] && continue
		echo "$_d" > /sys/bus/pci/drivers_probe 2>/dev/null
	done
}

# "addr irq device" of every ttyDPC port, one per line.
port_tuples() {
	for _p in /sys/class/tty/ttyDPC*; do
		[ -e "$_p" ] || continue
		_a=$(cat "$_p/port" 2>/dev/null)
		_i=$(cat "$_p/irq" 2>/dev/null)
		_dev=$(readlink -f "$_p/device" 2>/dev/null)
		echo "$(basename "$_p") $((${_a:-0})) ${_i:-?} ${_dev:-none}"
	done
}

# Module parameters to load ttydpc with again, as it is loaded now.
# TTYDPC_KO_PARAMS overrides.
ko_params_now() {
	if [ -n "$TTYDPC_KO_PARAMS" ]; then
		echo "$TTYDPC_KO_PARAMS"
		return
	fi
	_out=""
	for _p in dpc io irq; do
		_f=/sys/module/ttydpc/parameters/$_p
		[ -r "$_f" ] || continue
		_v=$(cat "$_f" 2>/dev/null)
		[ -n "$_v" ] && _out="$_out $_p=$_v"
	done
	if [ -z "$_out" ] && [ -n "$TTYDPC_DPC" ]; then
		_out=" dpc=$TTYDPC_DPC"
	fi
	echo "${_out# }"
}

# Load the module as saved in KO_PARAMS, move the PCI functions back, and
# wait until the nodes in SAVED_PORTS are back. Status 0 when they are.
restore_module() {
	if ! module_loaded; then
		log "insmod $TTYDPC_KO $KO_PARAMS"
		# shellcheck disable=SC2086
		insmod "$TTYDPC_KO" $KO_PARAMS || return 1
	fi
	reprobe_pci
	wait_for 100 ports_are "$SAVED_PORTS"
}

# Port usable: a checksummed block each way through the host peer, or at
# least open/close without one. Prints what happened.
port_works() {
	if [ -n "$TTYDPC_CTL" ] && [ -n "$TTYDPC_CHAN" ]; then
		_o=$("$XFER" --port "$1" --send "${2:-4096}" --recv 1024 --seed "${3:-1}" --timeout 8 2>&1)
	else
		_o=$("$XFER" --port "$1" --open-only 2>&1)
	fi
	_rc=$?
	echo "$_o" | sed 's/^/# /'
	return $_rc
}

need_root() {
	[ "$(id -u)" = 0 ] || tap_skip_all "needs root"
}
