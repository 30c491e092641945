#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# guest.sh BOOT: what the ARM lanes' guest runs (/init starts it as
# ttydpc_run=/selftests/arm_guest.sh ttydpc_args=BOOT). It finds the tty of
# each UART through sysfs (the ttyS*/ttyDPC* numbering follows what the
# device tree enables), exports the environment of selftests/README for
# BOOT's wiring (README here: host, nm, width, dwshift, clock, size; pci is
# lane64.sh's) and runs run_tests.sh with the kselftests and dt_of.sh.
UART1=1c28400.serial
UART2=1c28800.serial
UART3=1c28c00.serial
BOOT=${1:-host}
HERE=$(cd "$(dirname "$0")" && pwd)

# tty_of DEV [N]: /dev node of the Nth (default 1st, in name order) tty
# whose device is DEV (a platform or PCI device name).
tty_of() {
	_n=0
	for _t in /sys/class/tty/*; do
		_t=${_t##*/}
		_d=$(readlink -f "/sys/class/tty/$_t/device" 2>/dev/null) || continue
		[ "${_d##*/}" = "$1" ] || continue
		_n=$((_n + 1))
		if [ "$_n" -eq "${2:-1}" ]; then
			echo "/dev/$_t"
			return 0
		fi
	done
	return 1
}

# The x86 defaults of /init mean nothing here.
unset TTYDPC_CTL TTYDPC_PORT TTYDPC_CHAN TTYDPC_NM_A TTYDPC_NM_B TTYDPC_PCI \
	TTYDPC_PNP_CHAN TTYDPC_PNP_PORT
export TTYDPC_KO=/lib/modules/ttydpc.ko
# Transfer budgets: ARM under TCG moves host->guest data about 10x slower
# than the x86 VM (README), and a busy host slows it several-fold more.
export TTYDPC_SEC_PER_MIB="${TTYDPC_SEC_PER_MIB:-480}"
export TTYDPC_OF_DEVS="$UART2 $UART3"
TESTS=$("$HERE/run_tests.sh" -l | tr "\n" " ")
case $BOOT in
host)
	TTYDPC_CTL=$(tty_of $UART1) || echo "# arm: no tty for $UART1 (control line)"
	TTYDPC_PORT=$(tty_of $UART2) || echo "# arm: no tty for $UART2"
	export TTYDPC_CTL TTYDPC_PORT TTYDPC_CHAN=data0
	export TTYDPC_OF_CHANS="data0 data1"
	export TTYDPC_OF_UARTCLK=1843200	# qemu-clock.dtso
	[ -c "$TTYDPC_CTL" ] &&
		stty -F "$TTYDPC_CTL" 115200 raw -echo -echoe -echok cs8 -cstopb -parenb clocal
	;;
nm | width | dwshift | clock | size)
	TTYDPC_NM_A=$(tty_of $UART2) || echo "# arm: no tty for $UART2"
	TTYDPC_NM_B=$(tty_of $UART3) || echo "# arm: no tty for $UART3"
	export TTYDPC_NM_A TTYDPC_NM_B
	if [ "$BOOT" = nm ]; then
		export TTYDPC_OF_BAD="$UART1=reg-shift"
		export TTYDPC_OF_UARTCLK=1843200	# qemu-clock.dtso
		# What the host boot cannot cover: the null-modem cases.
		# (tty_modem stays out: its loopback-off check sends 16 bytes
		# that would land in the other end of the null modem.)
		# rs485-uart3.dtso: UART3 in RS-485 mode from boot, flags
		# ENABLED|RTS_AFTER_SEND|RX_DURING_TX, delays 1 and 2 ms.
		export TTYDPC_OF_RS485="$TTYDPC_NM_B:0x15:1:2"
		TESTS="tty_basic tty_data tty_rs485"
	else
		case $BOOT in
		width) _bad=reg-io-width ;;
		dwshift) _bad=reg-shift ;;
		clock) _bad=clock-frequency ;;
		size) _bad=reg ;;
		esac
		export TTYDPC_OF_BAD="$UART1=$_bad"
		export TTYDPC_OF_UARTCLK=24000000	# the CCU's apb2, as on a board
		TESTS=
	fi
	;;
pci)
	TTYDPC_CTL=$(tty_of 0000:00:12.0) || echo "# arm: no tty for PCI 00:12.0 (control line)"
	TTYDPC_PORT=$(tty_of 0000:00:10.0) || echo "# arm: no tty for PCI 00:10.0"
	TTYDPC_NM_A=$(tty_of 0000:00:11.0 1) || echo "# arm: no first tty for PCI 00:11.0"
	TTYDPC_NM_B=$(tty_of 0000:00:11.0 2) || echo "# arm: no second tty for PCI 00:11.0"
	export TTYDPC_CTL TTYDPC_PORT TTYDPC_CHAN=data0 TTYDPC_NM_A TTYDPC_NM_B
	export TTYDPC_PCI=0000:00:10.0
	unset TTYDPC_OF_DEVS
	[ -c "$TTYDPC_CTL" ] &&
		stty -F "$TTYDPC_CTL" 115200 raw -echo -echoe -echok cs8 -cstopb -parenb clocal
	;;
*)
	echo "arm_guest.sh: unknown boot '$BOOT'" >&2
	exit 2
	;;
esac

# The default list: the kselftests chosen above and dt_of.sh, which goes
# before bad_params.sh (loads with bad parameters: the riskiest, so last).
# TTYDPC_ARM_TESTS=a,b on the kernel command line (lane.sh --tests): only those.
case " $BOOT $TESTS " in
" pci "*) ;;
*" bad_params.sh "*) TESTS=$(echo "$TESTS" | sed 's/bad_params\.sh/dt_of.sh bad_params.sh/') ;;
*) TESTS="$TESTS dt_of.sh" ;;
esac
[ -z "$TTYDPC_ARM_TESTS" ] || TESTS=$(echo "$TTYDPC_ARM_TESTS" | tr , ' ')

echo "# arm boot $BOOT: ctl=${TTYDPC_CTL:-none} port=${TTYDPC_PORT:-none}" \
	"nm=${TTYDPC_NM_A:-none}:${TTYDPC_NM_B:-none} of_devs='$TTYDPC_OF_DEVS'" \
	"bad='${TTYDPC_OF_BAD:-}'"
set --
for t in $TESTS; do
	set -- "$@" -t "$t"
done
exec "$HERE/run_tests.sh" "$@"
