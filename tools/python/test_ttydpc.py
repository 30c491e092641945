#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Host-side checks of ttydpc.py that need no ttydpc port (make -C tools check).

- argument checks that fail before any ioctl (OSError EINVAL);
- every ioctl reaches the kernel through fileno(): on a pty, which is not
  an event file, each raises OSError ENOTTY, for a plain fd, an object with
  fileno() and, when pyserial is importable, a serial.Serial on the pty;
- wait() and read_event() decode struct ttydpc_event from a pipe standing
  in for the event file (timeout, no event yet, a bad version);
- Port() on a pty: OSError (no /dev/ttydpc on the host, or EINVAL);
- event_names();
- the ioctl encoding for the other layout (powerpc/mips/sparc/alpha).
The ports themselves are tested in the VM: selftests/ttydpc/api_python.py.
Prints one line per failure; exit status 1 if any.
"""

import errno
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ttydpc  # noqa: E402

FAILS = []


def expect_errno(err, what, fn, *args, **kw):
    try:
        fn(*args, **kw)
    except OSError as e:
        if e.errno != err:
            FAILS.append("%s: %s, want %s" % (what, e, errno.errorcode[err]))
        return
    FAILS.append("%s: no error, want %s" % (what, errno.errorcode[err]))


class Port:
    def __init__(self, fd):
        self.fd = fd

    def fileno(self):
        return self.fd


def main():
    master, slave = os.openpty()
    calls = [
        ("set_mask", ttydpc.set_mask, (ttydpc.EV_CTS,)),
        ("get_mask", ttydpc.get_mask, ()),
        ("purge", ttydpc.purge, (ttydpc.PURGE_ALL,)),
        ("get_stats", ttydpc.get_stats, ()),
        ("clear_stats", ttydpc.clear_stats, ()),
        ("comm_status", ttydpc.comm_status, ()),
    ]
    ports = [("fd", slave), ("fileno()", Port(slave))]
    try:
        import serial
        ports.append(("serial.Serial", serial.Serial(os.ttyname(slave))))
    except ImportError:
        print("test_ttydpc.py: no pyserial here: its case left out")
    for pname, port in ports:
        for cname, fn, args in calls:
            expect_errno(errno.ENOTTY, "%s on a pty via %s" % (cname, pname), fn, port, *args)

    expect_errno(errno.EINVAL, "mask -1", ttydpc.set_mask, slave, -1)
    expect_errno(errno.EINVAL, "mask 2**32", ttydpc.set_mask, slave, 1 << 32)
    expect_errno(errno.EINVAL, "event_char 256", ttydpc.set_mask, slave, 1, 256)
    expect_errno(errno.EINVAL, "event_char 'ab'", ttydpc.set_mask, slave, 1, "ab")
    expect_errno(errno.EINVAL, "purge flags 'x'", ttydpc.purge, slave, "x")

    # a pipe stands in for the event file: read() gives one struct
    r, w = os.pipe()
    if ttydpc.wait(r, timeout=0.1) is not None:
        FAILS.append("wait(timeout) with nothing to read did not return None")
    if ttydpc.read_event(Port(r)) is not None:
        FAILS.append("read_event with nothing to read did not return None")
    os.write(w, ttydpc._EVENT.pack(1, ttydpc.EV_CTS))
    if ttydpc.wait(r, timeout=1) != ttydpc.EV_CTS:
        FAILS.append("wait did not decode EV_CTS")
    os.write(w, ttydpc._EVENT.pack(1, 0))
    if ttydpc.read_event(r) != 0:
        FAILS.append("read_event did not decode events 0")
    os.write(w, ttydpc._EVENT.pack(2, ttydpc.EV_CTS))
    expect_errno(errno.EPROTO, "event version 2", ttydpc.wait, r)
    os.close(r)
    os.close(w)
    try:
        ttydpc.Port(slave).close()
        FAILS.append("Port() attached to a pty")
    except OSError:
        pass

    got = ttydpc.event_names(ttydpc.EV_CTS | ttydpc.EV_RXCHAR | 0x200)
    if got != ["RXCHAR", "CTS", "0x200"]:
        FAILS.append("event_names: %r" % (got,))

    # powerpc: dir 3 bits at 29 (NONE 1, READ 2, WRITE 4), size 13 bits
    sizebits, none, write, read = ttydpc._ioc_layout("ppc64le")
    if (sizebits, none, write, read) != (13, 1, 4, 2):
        FAILS.append("ppc layout %r" % ((sizebits, none, write, read),))
    if ttydpc._ioc_layout("aarch64") != (14, 0, 1, 2):
        FAILS.append("aarch64 layout %r" % (ttydpc._ioc_layout("aarch64"),))

    for p in ports[2:]:
        p[1].close()
    os.close(master)
    os.close(slave)
    for f in FAILS:
        print("test_ttydpc.py: " + f)
    if not FAILS:
        print("test_ttydpc.py: %d checks passed" % (len(ports) * len(calls) + 13))
    return 1 if FAILS else 0


if __name__ == "__main__":
    sys.exit(main())
