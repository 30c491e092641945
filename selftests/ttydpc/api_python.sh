#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# api_python.sh: the Python module tools/python/ttydpc.py in the VM
# (api_python.py has the cases). Compares the module's ioctl numbers with
# ttydpc_uapi_dump's (the C values of include/uapi/ttydpc.h), then runs
# the module's calls on TTYDPC_PORT, the host peer and the null-modem pair.
# Skips when the image has no python3 (the ARM lanes' initramfs); its
# pyserial case when the image has no pyserial (python3-serial).
# shellcheck source=selftests/ttydpc/lib.sh
. "$(dirname "$0")/lib.sh"

PY=$(command -v python3 || command -v python3.11) ||
	tap_skip_all "no python3 in this image"
[ -x "$HERE/ttydpc_uapi_dump" ] || { echo "# no $HERE/ttydpc_uapi_dump"; exit "$KSFT_FAIL"; }
uapi=${TMPDIR:-/tmp}/ttydpc_uapi.$$
"$HERE/ttydpc_uapi_dump" > "$uapi" || exit "$KSFT_FAIL"
# -I -S: no site, no user paths, no PYTHON* variables: the stdlib the
# image carries and the module beside this script, nothing else.
"$PY" -I -S "$HERE/api_python.py" --uapi "$uapi"
rc=$?
rm -f "$uapi"
exit $rc
