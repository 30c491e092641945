#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""api_python: the Python module tools/python/ttydpc.py on the VM's ports.

Run by api_python.sh (python3 -I -S api_python.py --uapi FILE, FILE being
ttydpc_uapi_dump's output). TAP 13 on stdout; exit 0, 1 (a case failed)
or 4 (everything skipped). The cases: selftests/ttydpc/README.
"""

import contextlib
import errno
import fcntl
import os
import select
import struct
import sys
import termios
import threading
import time
import types

# at import time, so that mkinitramfs.sh -p copies what it loads
try:
    import asyncio
except ImportError:
    asyncio = None

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import ttydpc  # noqa: E402  (the copy beside this test)
import test_uapi  # noqa: E402

# pyserial, as Debian's python3-serial installs it (-S leaves dist-packages
# off sys.path); mkinitramfs.sh -p copies what this import loads.
sys.path.append("/usr/lib/python3/dist-packages")
try:
    import serial
except ImportError:
    serial = None

N = 0
FAILED = 0
PASSED = 0
SKIPPED = 0


def diag(msg):
    for line in str(msg).splitlines():
        print("# " + line)


class Skip(Exception):
    pass


def case(fn):
    """Run one case: ok, not ok (an AssertionError or OSError), or skip."""
    global N, FAILED, PASSED, SKIPPED
    N += 1
    name = fn.__name__
    try:
        fn()
    except Skip as e:
        SKIPPED += 1
        print("ok %d %s # SKIP %s" % (N, name, e))
    except Exception as e:  # noqa: BLE001: any error fails the case, not the run
        FAILED += 1
        # the line of the case that failed (the frame below case())
        tb = e.__traceback__.tb_next or e.__traceback__
        diag("%s: %s: %s (line %d)" % (name, type(e).__name__, e, tb.tb_lineno))
        print("not ok %d %s" % (N, name))
    else:
        PASSED += 1
        print("ok %d %s" % (N, name))
    sys.stdout.flush()


def check(cond, msg):
    if not cond:
        raise AssertionError(msg)


# ---- ports -----------------------------------------------------------------

# <asm-generic/termios.h>; Python's termios module lacks them.
TIOCM_LOOP = 0x8000

def open_raw(path):
    fd = os.open(path, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK | os.O_CLOEXEC)
    a = termios.tcgetattr(fd)
    a[0] = 0                                            # iflag
    a[1] = 0                                            # oflag
    a[2] = termios.CS8 | termios.CREAD | termios.CLOCAL  # cflag
    a[3] = 0                                            # lflag
    a[4] = a[5] = termios.B115200
    termios.tcsetattr(fd, termios.TCSANOW, a)
    termios.tcflush(fd, termios.TCIOFLUSH)
    return fd


def has_fileno(fd):
    """Stands for a pyserial Serial: the module only calls fileno()."""
    return types.SimpleNamespace(fileno=lambda: fd)


def mctrl(fd, req, bits):
    fcntl.ioctl(fd, req, struct.pack("i", bits))


def inq(fd):
    return struct.unpack("i", fcntl.ioctl(fd, termios.FIONREAD, struct.pack("i", 0)))[0]


def read_n(fd, n, tmo):
    out = b""
    end = time.monotonic() + tmo
    while len(out) < n:
        left = end - time.monotonic()
        if left <= 0:
            break
        r, _, _ = select.select([fd], [], [], left)
        if r:
            out += os.read(fd, n - len(out))
    return out


def write_all(fd, data, tmo=10):
    end = time.monotonic() + tmo
    while data:
        _, w, _ = select.select([], [fd], [], max(0, end - time.monotonic()))
        check(w, "write timed out with %d bytes left" % len(data))
        data = data[os.write(fd, data):]


def env(name):
    return os.environ.get(name) or None


# ---- the host peer (selftests/README: one request line, one reply line) ----

class Ctl:
    def __init__(self, path):
        self.fd = open_raw(path)
        self.buf = b""
        end = time.monotonic() + 30
        while time.monotonic() < end:
            # a reply of an earlier test may still come: read until PONG
            write_all(self.fd, b"PING\n")
            while True:
                line = self.readline(3)
                if line is None or line == "OK PONG":
                    break
            if line == "OK PONG":
                return
        raise AssertionError("host peer on %s does not answer PING" % path)

    def readline(self, tmo):
        end = time.monotonic() + tmo
        while b"\n" not in self.buf:
            left = end - time.monotonic()
            if left <= 0:
                return None
            r, _, _ = select.select([self.fd], [], [], left)
            if r:
                self.buf += os.read(self.fd, 4096)
        line, self.buf = self.buf.split(b"\n", 1)
        line = line.strip(b"\r").decode("ascii", "replace")
        return line if line else self.readline(max(0.0, end - time.monotonic()))

    def cmd(self, req, tmo=10):
        write_all(self.fd, req.encode("ascii") + b"\n")
        line = self.readline(tmo)
        check(line is not None and line.startswith("OK"), "%s -> %s" % (req, line))
        return line

    def close(self):
        os.close(self.fd)


# ---- cases -----------------------------------------------------------------

PORT = env("TTYDPC_PORT")
NM_A, NM_B = env("TTYDPC_NM_A"), env("TTYDPC_NM_B")
UAPI = None


def uapi_values():
    if UAPI is None:
        raise Skip("no --uapi FILE (ttydpc_uapi_dump output)")
    with open(UAPI) as f:
        text = f.read()
    bad = test_uapi.uapi_mismatches(ttydpc, text)
    for name, c, py in bad:
        diag("%s: C %s, ttydpc.py %s" % (name, c, py))
    check(not bad, "%d of %d values differ" % (len(bad), len(text.splitlines())))


def need_port():
    if not PORT or not os.path.exists(PORT):
        raise AssertionError("TTYDPC_PORT %s: no such node" % PORT)
    return open_raw(PORT)


@contextlib.contextmanager
def api_port(loop=False):
    """TTYDPC_PORT raw (fd) with a ttydpc.Port (p) on it, in UART loopback
    when loop; the mask and loopback are put back, both files closed."""
    fd = need_port()
    p = ttydpc.Port(fd)
    try:
        if loop:
            loop_on(fd)
        yield fd, p
    finally:
        try:
            p.set_mask(0)
            if loop:
                loop_off(fd)
        finally:
            p.close()
            os.close(fd)


def need_peer():
    """The host peer's control line and the port's channel, or Skip."""
    ctl_path, chan = env("TTYDPC_CTL"), env("TTYDPC_CHAN")
    if not ctl_path or not chan:
        raise Skip("no host peer (TTYDPC_CTL/TTYDPC_CHAN unset)")
    return Ctl(ctl_path), chan


def diag_events(ev):
    diag("events 0x%04x %s" % (ev, "|".join(ttydpc.event_names(ev))))


def mask_roundtrip():
    fd = need_port()
    try:
        with ttydpc.Port(has_fileno(fd)) as p:
            p.set_mask(ttydpc.EV_RXCHAR | ttydpc.EV_CTS | ttydpc.EV_RXFLAG, "Z")
            m = p.get_mask()
            check(m == (0x000B, 0x5A), "get_mask %r, want (0xb, 0x5a)" % (m,))
            efd = p.fileno()
            ttydpc.set_mask(efd, ttydpc.EV_ALL, 0x7E)
            check(ttydpc.get_mask(efd) == (ttydpc.EV_ALL, 0x7E), "EV_ALL did not read back")
            # the mask is the port's: a second event file sees it
            with ttydpc.Port(fd) as p2:
                check(p2.get_mask() == (ttydpc.EV_ALL, 0x7E), "a second Port sees %r" % (p2.get_mask(),))
            p.set_mask(0)
            check(p.get_mask().mask == 0, "mask 0 did not read back")
    finally:
        os.close(fd)


def loop_on(fd):
    mctrl(fd, termios.TIOCMBIS, TIOCM_LOOP | termios.TIOCM_RTS)
    time.sleep(0.05)            # entering loopback may change MSR
    termios.tcflush(fd, termios.TCIOFLUSH)


def loop_off(fd):
    mctrl(fd, termios.TIOCMBIC, TIOCM_LOOP)
    mctrl(fd, termios.TIOCMBIS, termios.TIOCM_RTS | termios.TIOCM_DTR)


def wait_cts_loopback():
    with api_port(loop=True) as (fd, p):
        p.set_mask(ttydpc.EV_CTS)
        res = {}

        def waiter():
            try:
                res["events"] = p.wait()
            except OSError as e:
                res["err"] = e

        t = threading.Thread(target=waiter, daemon=True)
        t.start()
        time.sleep(0.3)
        # this thread runs while the other one is blocked in read()
        check(t.is_alive(), "the wait ended before any event: %r" % (res,))
        mctrl(fd, termios.TIOCMBIC, termios.TIOCM_RTS)
        t.join(5)
        if t.is_alive():
            p.set_mask(0)       # ends the wait with 0
            t.join(5)
            raise AssertionError("RTS dropped in loopback: the wait did not end in 5 s")
        check("err" not in res, "wait: %r" % (res.get("err"),))
        ev = res["events"]
        diag_events(ev)
        check(ev & ttydpc.EV_CTS, "events 0x%x lack EV_CTS" % ev)


def asyncio_loopback():
    if asyncio is None:
        raise Skip("no asyncio in this image")
    with api_port(loop=True) as (fd, p):
        p.set_mask(ttydpc.EV_RXCHAR)

        async def main():
            loop = asyncio.get_running_loop()
            got = loop.create_future()
            loop.add_reader(p.fileno(), lambda: got.done() or got.set_result(p.read_event()))
            try:
                await asyncio.sleep(0.3)
                check(not got.done(), "readable with nothing received: %r" % (got.result() if got.done() else None,))
                os.write(fd, b"a")
                return await asyncio.wait_for(got, 5)
            finally:
                loop.remove_reader(p.fileno())

        ev = asyncio.run(main())
        diag_events(ev)
        check(ev == ttydpc.EV_RXCHAR, "read_event %r, want EV_RXCHAR" % (ev,))
        check(read_n(fd, 1, 3) == b"a", "the looped-back byte")


def peer_put_and_wait(ctl, chan, p, data):
    """The host peer sends data; the wait must end with EV_RXCHAR."""
    ctl.cmd("PUT %s %s" % (chan, data.hex()))
    ev = p.wait(timeout=5)
    check(ev is not None, "no event in 5 s")
    diag_events(ev)
    check(ev & ttydpc.EV_RXCHAR, "events 0x%x lack EV_RXCHAR" % ev)


def wait_rxchar_peer():
    ctl, chan = need_peer()
    try:
        with api_port() as (fd, p):
            p.set_mask(ttydpc.EV_RXCHAR)
            data = b"ttydpc.py\n"
            peer_put_and_wait(ctl, chan, p, data)
            got = read_n(fd, len(data), 3)
            check(got == data, "read %r, want %r" % (got, data))
    finally:
        ctl.close()


def pyserial():
    if serial is None:
        raise Skip("no pyserial (apt-get install python3-serial)")
    ctl, chan = need_peer()
    ser = serial.Serial(PORT, 115200, timeout=3)
    p = ttydpc.Port(ser)
    try:
        ser.reset_input_buffer()
        p.clear_stats()
        p.set_mask(ttydpc.EV_RXCHAR | ttydpc.EV_RXFLAG, "\n")
        data = b"pyserial and ttydpc\n"
        peer_put_and_wait(ctl, chan, p, data)
        got = ser.read_until(b"\n")
        check(got == data, "ser.read_until: %r, want %r" % (got, data))
        st = p.get_stats()
        check(st.received == len(data), "get_stats().received %d, want %d" % (st.received, len(data)))
    finally:
        p.set_mask(0)
        p.close()
        ser.close()
        ctl.close()


def wait_timeout():
    with api_port() as (fd, p):
        p.set_mask(ttydpc.EV_RING)     # nothing rings here
        t0 = time.monotonic()
        ev = p.wait(timeout=0.5)
        dt = time.monotonic() - t0
        check(ev is None, "events %r, want None (the timeout)" % (ev,))
        check(0.4 <= dt < 3.0, "wait(timeout=0.5) took %.2f s" % dt)
        check(p.get_mask().mask == ttydpc.EV_RING, "the timeout changed the mask")


def need_nm():
    if not NM_A or not NM_B:
        raise Skip("no null-modem pair (TTYDPC_NM_A/B unset)")
    return open_raw(NM_A), open_raw(NM_B)


def purge_rxclear():
    a, b = need_nm()
    try:
        write_all(a, bytes(range(64)))
        end = time.monotonic() + 5
        while inq(b) < 64 and time.monotonic() < end:
            time.sleep(0.05)
        check(inq(b) == 64, "%d of 64 bytes arrived unread" % inq(b))
        with ttydpc.Port(has_fileno(b)) as pb:
            pb.purge(ttydpc.PURGE_RXCLEAR)
        check(inq(b) == 0, "%d bytes left after RXCLEAR" % inq(b))
        try:
            got = os.read(b, 64)
            raise AssertionError("read %d bytes after RXCLEAR" % len(got))
        except BlockingIOError:
            pass
    finally:
        os.close(a)
        os.close(b)


def stats_transfer():
    fa, fb = need_nm()
    a, b = ttydpc.Port(fa), ttydpc.Port(fb)
    try:
        a.clear_stats()
        ttydpc.clear_stats(b)
        s = ttydpc.get_stats(b)
        check(s.received == 0 and s.transmitted == 0, "after clear_stats: %r" % (s,))
        n = 3000
        data = bytes((i * 7) & 0xFF for i in range(n))
        write_all(fa, data)
        got = read_n(fb, n, 10)
        check(got == data, "received %d of %d bytes, intact: %s" % (len(got), n, got == data[:len(got)]))
        termios.tcdrain(fa)
        sa, sb = a.get_stats(), b.get_stats()
        diag("A %r" % (sa,))
        diag("B %r" % (sb,))
        check(sa.transmitted == n, "A transmitted %d, want %d" % (sa.transmitted, n))
        check(sb.received == n, "B received %d, want %d" % (sb.received, n))
        check(sb.frame_errors == sb.overrun_errors == sb.parity_errors == 0, "B errors: %r" % (sb,))
        cs = ttydpc.comm_status(a)
        diag("A %r" % (cs,))
        check(cs.out_queue == 0 and cs.errors == 0, "A after tcdrain: %r" % (cs,))
        check(b.comm_status().in_queue == 0, "B in_queue after reading everything")
    finally:
        a.close()
        b.close()
        os.close(fa)
        os.close(fb)


def expect_errno(err, fn, *args):
    try:
        fn(*args)
    except OSError as e:
        check(e.errno == err, "%s%r: %s, want %s" % (fn.__name__, args[1:], e, errno.errorcode[err]))
        return
    raise AssertionError("%s%r succeeded, want %s" % (fn.__name__, args[1:], errno.errorcode[err]))


def bad_args():
    with api_port() as (fd, p):
        p.set_mask(ttydpc.EV_DSR)
        expect_errno(errno.EINVAL, ttydpc.set_mask, p, 0x0200)          # kernel
        expect_errno(errno.EINVAL, ttydpc.set_mask, p, ttydpc.EV_ALL | 0x1000)
        expect_errno(errno.EINVAL, ttydpc.set_mask, p, -1)              # module
        check(p.get_mask().mask == ttydpc.EV_DSR, "a refused mask changed the mask")
        expect_errno(errno.EINVAL, ttydpc.purge, p, 0)
        expect_errno(errno.EINVAL, ttydpc.purge, p, 0x10)
        p.set_mask(0)
        expect_errno(errno.EINVAL, ttydpc.wait, p)                     # no mask
        # the tty no longer answers the API
        expect_errno(errno.ENOTTY, ttydpc.get_stats, fd)
        null = os.open("/dev/null", os.O_RDWR)
        try:
            expect_errno(errno.EINVAL, ttydpc.Port, null)
        finally:
            os.close(null)


def main(argv):
    global UAPI
    if len(argv) > 2 and argv[1] == "--uapi":
        UAPI = argv[2]
    cases = [uapi_values, mask_roundtrip, wait_cts_loopback, asyncio_loopback,
             wait_rxchar_peer, pyserial, wait_timeout, purge_rxclear, stats_transfer,
             bad_args]
    print("TAP version 13")
    print("1..%d" % len(cases))
    diag("python %s, ttydpc.py from %s" % (sys.version.split()[0], ttydpc.__file__))
    for c in cases:
        case(c)
    print("# Totals: pass:%d fail:%d skip:%d" % (PASSED, FAILED, SKIPPED))
    if FAILED:
        return 1
    return 4 if SKIPPED and not PASSED else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
