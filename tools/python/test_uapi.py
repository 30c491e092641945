#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Compare ttydpc.py's ioctl numbers, struct sizes and flag values with
the C compiler's, as printed by ttydpc_uapi_dump (include/uapi/ttydpc.h).

    test_uapi.py ./ttydpc_uapi_dump [...]   (make -C tools check)

Each dump program given is checked (e.g. a 64-bit and a 32-bit build).
Prints one line per value that differs; exit status 1 if any does.
selftests/ttydpc/api_python.py uses uapi_mismatches() inside the VM.
"""

import os
import sys


def uapi_mismatches(mod, dump_text):
    """(name, C value, module value) for every line of dump_text that the
    module mod does not reproduce; a name the module lacks counts too.
    Raises ValueError on a dump with no values at all."""
    bad = []
    n = 0
    for line in dump_text.splitlines():
        name, value = line.split()
        value = int(value)
        n += 1
        if name.startswith("sizeof_"):
            st = getattr(mod, "_" + name[len("sizeof_"):].upper(), None)
            mine = st.size if st is not None else None
        else:
            mine = getattr(mod, name[len("TTYDPC_"):], None)
        if mine != value:
            bad.append((name, value, mine))
    if not n:
        raise ValueError("the dump printed nothing")
    return bad


def main(argv):
    if len(argv) < 2:
        sys.stderr.write(__doc__)
        return 2
    import subprocess   # here: the VM test imports this file without it

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import ttydpc

    rc = 0
    for dump in argv[1:]:
        out = subprocess.run([dump], check=True, stdout=subprocess.PIPE,
                             universal_newlines=True).stdout
        bad = uapi_mismatches(ttydpc, out)
        for name, c, py in bad:
            print("%s: %s: C %s, ttydpc.py %s" % (dump, name, c, py))
        if bad:
            rc = 1
        else:
            print("%s: %d values agree with ttydpc.py" % (dump, len(out.splitlines())))
    return rc


if __name__ == "__main__":
    sys.exit(main(sys.argv))
