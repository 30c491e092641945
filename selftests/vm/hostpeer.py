#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""ttydpc host peer: the far end of the test VM's serial lines.

Connects to QEMU's unix sockets (the control line, the data channels, QMP)
and serves the control protocol of selftests/README, one request per line on
the control line. Data transfers run in their own threads: the control loop
only ever blocks where the protocol says it waits (WAIT, GET, EXPECT).

    hostpeer.py --ctl SOCK --qmp SOCK --trace LOG --chan data0=SOCK --chan isa=SOCK

A second mode checks the demo shell (make check uses it):

    hostpeer.py --demo-check data0=SOCK [--timeout S] [--then CMD]

Standard library only.
"""

import argparse
import os
import random
import re
import select
import socket
import sys
import threading
import time
import traceback

from qemu_sock import QMP, connect_unix

# ---------------------------------------------------------------------------
# The test byte stream: xorshift32, low byte of each state (selftests/README).

_stream_cache = {}  # seed -> (prefix bytes, state after the prefix)
_stream_lock = threading.Lock()
STREAM_CACHE_MAX = 16 << 20  # bytes kept per seed


def _xorshift_bytes(x, n):
    """n stream bytes starting after state x; returns (bytes, last state)."""
    out = bytearray(n)
    m = 0xFFFFFFFF
    # The tight loop is ~0.13 s per MiB on CPython 3.11; the cache below
    # makes repeated (seed, n) free.
    for i in range(n):
        x = (x ^ (x << 13)) & m
        x ^= x >> 17
        x = (x ^ (x << 5)) & m
        out[i] = x & 0xFF
    return bytes(out), x


def stream(seed, n):
    """The first n bytes of stream(seed); prefixes are cached per seed."""
    seed &= 0xFFFFFFFF
    with _stream_lock:
        have, x = _stream_cache.get(seed, (b"", seed or 1))
    if len(have) < n:
        more, x = _xorshift_bytes(x, n - len(have))
        have += more
        if len(have) <= STREAM_CACHE_MAX:
            with _stream_lock:
                old = _stream_cache.get(seed)
                if old is None or len(old[0]) < len(have):
                    _stream_cache[seed] = (have, x)
    return have[:n]


# ---------------------------------------------------------------------------

LOG = None
_log_lock = threading.Lock()
T0 = time.monotonic()


def log(msg):
    if LOG is None:
        return
    with _log_lock:
        LOG.write("%9.3f %s\n" % (time.monotonic() - T0, msg))
        LOG.flush()


class ProtoError(Exception):
    """Turns into an "ERR ..." reply."""


class Job:
    """A RECV (tmo: its deadline) or SEND (burst, gap_us: a trickle; 0: as
    fast as possible) of the first n bytes of stream(seed)."""

    def __init__(self, seed, n, tmo=0, burst=0, gap_us=0):
        self.seed, self.n = seed, n
        self.deadline = time.monotonic() + tmo
        self.burst, self.gap = burst, gap_us / 1e6
        self.got = self.sent = 0
        self.expected = None  # generated on the first data, in the reader
        self.mismatch = None  # (offset, got, want)
        self.error = None
        self.cancel = self.timed_out = False
        self.done = n == 0


class Channel:
    """One serial line whose far end QEMU exposes as a unix socket.

    A reader thread drains the socket all the time (unless STALLed): bytes go
    to the running RECV job first, the rest to `rx` for GET/EXPECT. A SEND job
    gets a thread of its own. Everything is guarded by one condition.
    """

    def __init__(self, name, path):
        self.name = name
        self.sock = connect_unix(path)
        self.cv = threading.Condition()
        self.wlock = threading.Lock()  # one writer at a time (SEND job, PUT)
        self.rx = bytearray()
        self.stalled = False
        self.closed = False
        self.recv = None
        self.send = None
        self.total_rx = 0
        self.total_tx = 0
        threading.Thread(target=self._reader, name="rx-" + name, daemon=True).start()

    # -- receive side -------------------------------------------------------

    def _reader(self):
        sock = self.sock
        while True:
            with self.cv:
                while self.stalled and not self.closed:
                    self.cv.wait()
                if self.closed:
                    return
            r, _, _ = select.select([sock], [], [], 0.2)
            with self.cv:
                self._check_recv_timeout()
                if not r or self.stalled:
                    continue
                try:
                    data = sock.recv(65536)
                except OSError:
                    data = b""
                if not data:
                    self.closed = True
                    self.cv.notify_all()
                    log("%s: closed" % self.name)
                    return
                self.total_rx += len(data)
                job = self.recv
                if job is not None and not job.done:
                    data = self._feed(job, data)
                if data:
                    self.rx += data
                self.cv.notify_all()

    def _check_recv_timeout(self):
        job = self.recv
        if job is not None and not job.done and time.monotonic() > job.deadline:
            job.timed_out = job.done = True
            log("%s: RECV timeout at %d/%d" % (self.name, job.got, job.n))
            self.cv.notify_all()

    def _feed(self, job, data):
        """Compare data with the job's stream; returns what is left over."""
        if job.expected is None:
            job.expected = stream(job.seed, job.n)
        k = min(len(data), job.n - job.got)
        part = data[:k]
        want = job.expected[job.got : job.got + k]
        if part != want:
            i = next(i for i in range(k) if part[i] != want[i])
            job.mismatch = (job.got + i, part[i], want[i])
            job.got += i
            job.done = True
            log("%s: RECV mismatch at %d got %02x want %02x"
                % (self.name, job.mismatch[0], part[i], want[i]))
            return data[i:]
        job.got += k
        if job.got == job.n:
            job.done = True
            log("%s: RECV complete %d" % (self.name, job.n))
        return data[k:]

    # -- transmit side ------------------------------------------------------

    def write(self, data, tmo):
        """Write all of data (PUT); gives up after tmo seconds."""
        deadline = time.monotonic() + tmo
        view = memoryview(data)
        with self.wlock:
            while view:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise ProtoError("timeout put=%d" % (len(data) - len(view)))
                _, w, _ = select.select([], [self.sock], [], min(left, 0.2))
                if not w:
                    continue
                try:
                    k = self.sock.send(view, socket.MSG_DONTWAIT)
                except BlockingIOError:
                    continue
                except OSError as e:
                    raise ProtoError("write %s" % e.strerror)
                view = view[k:]
                self.total_tx += k

    def _sender(self, job):
        data = stream(job.seed, job.n)
        view = memoryview(data)
        with self.wlock:
            while job.sent < job.n and not job.cancel:
                # The guest UART stalls the socket when its receiver backs up;
                # wait for room with a timeout so a cancel is seen.
                _, w, _ = select.select([], [self.sock], [], 0.2)
                if not w:
                    continue
                chunk = job.burst or 65536
                try:
                    k = self.sock.send(view[job.sent : job.sent + chunk], socket.MSG_DONTWAIT)
                except BlockingIOError:
                    continue
                except OSError as e:
                    job.error = e.strerror
                    break
                with self.cv:
                    job.sent += k
                    self.total_tx += k
                if job.burst:
                    # A trickle: QEMU's FIFO then fills a few bytes at a
                    # time instead of to its trigger level at once.
                    time.sleep(job.gap)
        with self.cv:
            job.done = True
            self.cv.notify_all()
        log("%s: SEND ended sent=%d/%d%s" % (self.name, job.sent, job.n,
                                            " error " + job.error if job.error else ""))

    # -- verbs --------------------------------------------------------------

    def start_send(self, n, seed, burst=0, gap_us=0):
        with self.cv:
            if self.send is not None and not self.send.done:
                raise ProtoError("busy send")
            job = self.send = Job(seed, n, burst=burst, gap_us=gap_us)
            if job.done:
                return
        threading.Thread(target=self._sender, args=(job,), name="tx-" + self.name,
                         daemon=True).start()

    def start_recv(self, n, seed, tmo):
        with self.cv:
            if self.recv is not None and not self.recv.done:
                raise ProtoError("busy recv")
            self.recv = Job(seed, n, tmo)
        # Generate the expected stream now, off the control loop, so that
        # the reader does not pause on the first byte (cached afterwards).
        threading.Thread(target=stream, args=(seed, n), daemon=True).start()

    def wait(self, tmo):
        deadline = time.monotonic() + tmo
        with self.cv:
            while True:
                self._check_recv_timeout()
                busy = [j for j in (self.recv, self.send) if j is not None and not j.done]
                left = deadline - time.monotonic()
                if not busy or left <= 0:
                    break
                self.cv.wait(min(left, 0.2))
            recv, send = self.recv, self.send
            self.recv = self.send = None
            got = recv.got if recv else 0
            sent = send.sent if send else 0
            # Whatever still runs is cancelled: the next test starts clean.
            if recv is not None and not recv.done:
                recv.done = recv.timed_out = True
            if send is not None and not send.done:
                send.cancel = True
                send.timed_out = True
        if recv is not None and recv.mismatch:
            off, g, w = recv.mismatch
            return "ERR mismatch at=%d got=0x%02x want=0x%02x" % (off, g, w)
        if (recv is not None and recv.timed_out) or (send is not None and send.timed_out):
            return "ERR timeout recv=%d sent=%d" % (got, sent)
        if send is not None and send.error:
            return "ERR send %s sent=%d" % (send.error, sent)
        return "OK sent=%d recv=%d" % (sent, got)

    def flush(self):
        with self.cv:
            self.rx.clear()

    def get(self, n, tmo):
        deadline = time.monotonic() + tmo
        with self.cv:
            while not self.rx and not self.closed:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self.cv.wait(left)
            data = bytes(self.rx[:n])
            del self.rx[:n]
        return data

    def expect(self, text, tmo):
        return self.expect_re(re.compile(re.escape(text)), tmo) is not None

    def expect_re(self, pattern, tmo):
        """Waits for a match of a compiled bytes regex in rx, drops rx up to
        its end and returns its groups (None on timeout)."""
        deadline = time.monotonic() + tmo
        with self.cv:
            while True:
                # A match on the bytearray reads its groups from the buffer
                # when asked: take them before the buffer changes.
                m = pattern.search(self.rx)
                if m:
                    groups = tuple(bytes(g) for g in m.groups())
                    del self.rx[: m.end()]
                    return groups
                left = deadline - time.monotonic()
                if left <= 0 or self.closed:
                    return None
                self.cv.wait(left)

    def set_stall(self, on):
        with self.cv:
            self.stalled = on
            self.cv.notify_all()


GDB_PACKET_RE = re.compile(rb"\$([^#$]*)#([0-9a-fA-F]{2})")


def gdb_packet(payload):
    """A gdb remote-protocol packet: $payload#checksum."""
    return b"$%s#%02x" % (payload, sum(payload) & 0xFF)


class KgdbJob:
    """The host side of one kgdb session on a channel (verb KGDB): SysRq-g
    by BREAK + 'g', then '?' (stop reason) and 'c' (continue). Runs in its
    own thread because the guest is frozen while kgdb holds it."""

    def __init__(self, peer, chan, tmo):
        self.peer, self.chan, self.tmo = peer, chan, tmo
        self.result = None
        self.done = threading.Event()
        threading.Thread(target=self._run, name="kgdb-" + chan.name, daemon=True).start()

    def _step(self, what, ok):
        if not ok:
            raise ProtoError("%s timeout" % what)

    def _run(self):
        c, tmo = self.chan, self.tmo
        try:
            # The guest's OK for the request line may still be on its way:
            # give it a moment to go back to its own work first.
            time.sleep(0.3)
            c.flush()
            self.peer.need_qmp().cmd("chardev-send-break", id=c.name)
            time.sleep(0.1)
            c.write(b"g", tmo)
            # The SysRq handler prints "sysrq: DEBUG" through the console on
            # this port before it enters kgdb; bytes sent before that would
            # reach the tty instead of the debugger.
            self._step("sysrq DEBUG line", c.expect(b"DEBUG", tmo))
            time.sleep(0.2)
            c.write(gdb_packet(b"?"), tmo)
            self._step("ack of ?", c.expect(b"+", tmo))
            m = c.expect_re(GDB_PACKET_RE, tmo)
            self._step("stop reply", m)
            payload, csum = m[0], int(m[1], 16)
            if sum(payload) & 0xFF != csum:
                raise ProtoError("stop reply checksum %r#%r" % m)
            c.write(b"+", tmo)
            c.write(gdb_packet(b"c"), tmo)
            self._step("ack of c", c.expect(b"+", tmo))
            self.result = "OK stop=%s" % payload.decode("latin-1")
        except ProtoError as e:
            self.result = "ERR %s" % e
        except Exception as e:  # noqa: BLE001 - reported, never raised
            log("kgdb internal error: %s" % traceback.format_exc())
            self.result = "ERR internal %s" % type(e).__name__
        if not self.result.startswith("OK"):
            # Whatever went wrong, a guest left in kgdb would hang the
            # boot until its timeout: ack anything pending and continue.
            try:
                c.write(b"+" + gdb_packet(b"c"), 2.0)
            except (ProtoError, OSError):
                pass
        log("%s: KGDB %s" % (c.name, self.result))
        self.done.set()


# WRITES replies with the newest this many values (one line stays short).
WRITES_MAX = 64
SEQ_MAX = 2048
SEQ_RE = re.compile(rb"(?:\d+@(\d+\.\d+):)?serial_write write addr 0x([0-9a-f]{2}) "
                    rb"val 0x([0-9a-f]{2})")
PARAMS_RE = re.compile(rb"serial_update_parameters\s+baudrate=(\d+) parity='?(.)'? data=(\d+) stop=(\d+)")


class Peer:
    def __init__(self, args):
        self.chans = {}
        for spec in args.chan:
            name, _, path = spec.partition("=")
            self.chans[name] = Channel(name, path)
            log("channel %s connected" % name)
        self.qmp = QMP(args.qmp, ProtoError) if args.qmp else None
        self.trace = args.trace
        self.mark = 0
        self.kgdb = {}  # channel name -> KgdbJob
        self.ctl = connect_unix(args.ctl)
        log("ctl connected")

    # Each verb: (handler, minimum number of arguments)
    def chan(self, name):
        c = self.chans.get(name)
        if c is None:
            raise ProtoError("no channel %s" % name)
        if c.closed:
            raise ProtoError("channel %s closed" % name)
        return c

    def v_PING(self, a):
        return "OK PONG"

    def v_SEND(self, a):
        burst, gap = (num(a[3]), num(a[4])) if len(a) >= 5 else (0, 0)
        if burst < 0 or gap < 0:
            raise ProtoError("bad burst/gap")
        self.chan(a[0]).start_send(num(a[1]), num(a[2]), burst, gap)
        return "OK"

    def v_RECV(self, a):
        self.chan(a[0]).start_recv(num(a[1]), num(a[2]), float(a[3]))
        return "OK"

    def v_WAIT(self, a):
        return self.chan(a[0]).wait(float(a[1]))

    def v_FLUSH(self, a):
        self.chan(a[0]).flush()
        return "OK"

    def v_PUT(self, a):
        try:
            data = bytes.fromhex(a[1])
        except ValueError:
            raise ProtoError("bad hex")
        c = self.chan(a[0])
        with c.cv:
            if c.send is not None and not c.send.done:
                raise ProtoError("busy send")
        c.write(data, 10.0)
        return "OK"

    def v_GET(self, a):
        data = self.chan(a[0]).get(num(a[1]), float(a[2]))
        return "OK " + data.hex() if data else "OK"

    def v_EXPECT(self, a, rest):
        if not rest:
            raise ProtoError("no text")
        ok = self.chan(a[0]).expect(rest.encode("latin-1"), float(a[1]))
        return "OK" if ok else "ERR timeout"

    def v_STALL(self, a):
        self.chan(a[0]).set_stall(True)
        return "OK"

    def v_RESUME(self, a):
        self.chan(a[0]).set_stall(False)
        return "OK"

    def v_BREAK(self, a):
        # Any chardev id works (nm0/nm1 too), not only the peer's channels.
        self.need_qmp().cmd("chardev-send-break", id=a[0])
        return "OK"

    def v_KGDB(self, a):
        c = self.chan(a[0])
        job = self.kgdb.get(c.name)
        if job is not None and not job.done.is_set():
            raise ProtoError("busy kgdb")
        self.need_qmp()
        self.kgdb[c.name] = KgdbJob(self, c, float(a[1]))
        return "OK"

    def v_KGDBRES(self, a):
        job = self.kgdb.get(a[0])
        if job is None:
            raise ProtoError("no kgdb job on %s" % a[0])
        if not job.done.wait(float(a[1])):
            return "ERR timeout (still running)"
        del self.kgdb[a[0]]
        return job.result

    def need_qmp(self):
        if self.qmp is None:
            raise ProtoError("no qmp")
        return self.qmp

    def need_trace(self):
        if not self.trace:
            raise ProtoError("no trace log")
        return self.trace

    def trace_since_mark(self):
        """The trace log since MARK, in chunks of whole lines (a register
        trace of a long transfer runs into hundreds of MB)."""
        with open(self.need_trace(), "rb") as f:
            f.seek(self.mark)
            carry = b""
            while True:
                chunk = f.read(1 << 20)
                if not chunk:
                    break
                chunk = carry + chunk
                cut = chunk.rfind(b"\n") + 1
                carry = chunk[cut:]
                yield chunk[:cut]
            # A last line without its newline is still being written.

    def v_MARK(self, a):
        self.mark = os.path.getsize(self.need_trace())
        return "OK"

    def v_PARAMS(self, a):
        lines = []
        for chunk in self.trace_since_mark():
            for m in PARAMS_RE.finditer(chunk):
                b, p, d, s = (x.decode("latin-1") for x in m.groups())
                lines.append("baudrate=%s parity=%s data=%s stop=%s" % (b, p, d, s))
        return "\n".join(["OK %d" % len(lines)] + lines)

    def v_REGS(self, a):
        reads = writes = 0
        for chunk in self.trace_since_mark():
            reads += chunk.count(b"serial_read ")
            writes += chunk.count(b"serial_write ")
        return "OK reads=%d writes=%d" % (reads, writes)

    def writes(self, a):
        """serial_write events to the register offsets a (0-7) since MARK,
        oldest first, all UARTs: (QEMU's host time stamp in seconds, -msg
        timestamp=on, or "-"; offset; value in hex)."""
        regs = {int(x, 0) for x in a}
        if not regs <= set(range(8)):
            raise ProtoError("register offset 0-7")
        return [(m.group(1).decode() if m.group(1) else "-", int(m.group(2), 16), m.group(3).decode())
                for chunk in self.trace_since_mark() for m in SEQ_RE.finditer(chunk)
                if int(m.group(2), 16) in regs]

    def v_WRITES(self, a):
        """Values written to one register offset (serial_write traced)."""
        vals = [v for _, _, v in self.writes(a[:1])]
        return " ".join(["OK %d" % len(vals)] + ["0x" + v for v in vals[-WRITES_MAX:]])

    def v_SEQ(self, a):
        """"OK n" and n lines "time reg val"."""
        lines = ["%s %d 0x%s" % w for w in self.writes(a)][-SEQ_MAX:]
        return "\n".join(["OK %d" % len(lines)] + lines)

    def v_WAKE(self, a):
        """Wakes the guest from suspend to RAM (QMP system_wakeup) a[0] ms
        from now, on its own: the guest asks before it suspends and cannot
        ask again while it sleeps. The reply comes at once. At the wakeup
        MARK moves to the end of the trace log."""
        ms = num(a[0])
        if not 0 <= ms <= 60000:
            raise ProtoError("delay 0-60000 ms")
        q = self.need_qmp()

        def wake():
            time.sleep(ms / 1000.0)
            # The guest may not be asleep yet (a slow freeze): try again.
            for _ in range(20):
                st = q.cmd("query-status")
                if st.get("status") == "suspended":
                    # What the guest writes to its UARTs from now on is
                    # its resume: PARAMS/SEQ/WRITES report only that.
                    if self.trace:
                        self.mark = os.path.getsize(self.trace)
                    q.cmd("system_wakeup")
                    log("WAKE: system_wakeup sent")
                    return
                time.sleep(0.5)
            log("WAKE: guest never suspended (status %s)" % st.get("status"))

        threading.Thread(target=wake, daemon=True).start()
        return "OK"

    def v_TRACE(self, a):
        if a[0] not in ("on", "off") or len(a) < 2:
            raise ProtoError("usage TRACE on|off event...")
        self.need_qmp().trace(a[0] == "on", a[1:])
        return "OK"

    VERBS = {  # verb: minimum args (EXPECT: then the rest of the line)
        "PING": 0, "SEND": 3, "RECV": 4, "WAIT": 2, "FLUSH": 1, "PUT": 2, "GET": 3,
        "EXPECT": 2, "STALL": 1, "RESUME": 1, "BREAK": 1, "MARK": 0, "PARAMS": 0, "TRACE": 1,
        "REGS": 0, "WRITES": 1, "SEQ": 1, "WAKE": 1, "KGDB": 2, "KGDBRES": 2,
    }

    def handle(self, line):
        verb = line.split(" ", 1)[0].upper()
        nargs = self.VERBS.get(verb)
        if nargs is None:
            return "ERR unknown verb %s" % verb[:32]
        try:
            if verb == "EXPECT":
                parts = line.split(" ", nargs + 1)
                if len(parts) < nargs + 1:
                    raise ProtoError("usage")
                return getattr(self, "v_" + verb)(parts[1 : nargs + 1],
                                                   parts[nargs + 1] if len(parts) > nargs + 1 else "")
            parts = line.split()
            if len(parts) - 1 < nargs:
                raise ProtoError("usage")
            return getattr(self, "v_" + verb)(parts[1:])
        except ProtoError as e:
            return "ERR %s" % e
        except (ValueError, IndexError) as e:
            return "ERR bad argument (%s)" % e
        except OSError as e:
            return "ERR %s" % (e.strerror or e)
        except Exception as e:  # a bug here must not take the peer down
            log("internal error: %s" % traceback.format_exc())
            return "ERR internal %s" % type(e).__name__

    def run(self):
        buf = b""
        while True:
            try:
                data = self.ctl.recv(4096)
            except OSError:
                data = b""
            if not data:
                log("ctl closed, exiting")
                return
            buf += data
            while b"\n" in buf:
                raw, buf = buf.split(b"\n", 1)
                # Tolerate CR LF, and junk a UART may deliver when it is
                # opened (NULs, noise) before the first verb.
                line = re.sub(r"^[^A-Za-z]+", "", raw.decode("latin-1").rstrip("\r"))
                if not line.strip():
                    continue
                t = time.monotonic()
                reply = self.handle(line)
                log("<- %s\n          -> %s (%.3fs)" % (line[:200], reply[:200], time.monotonic() - t))
                self.ctl.sendall(reply.encode("latin-1") + b"\n")


def num(s):
    return int(s, 0)


def demo_check(spec, timeout, then):
    """Types `echo ttydpc-demo-N` into the demo shell until its output comes
    back on a line of its own (the echoed command line does not count)."""
    name, _, path = spec.partition("=")
    sock = connect_unix(path)
    token = "ttydpc-demo-%d" % random.randrange(32768)
    pat = re.compile(rb"(^|[\r\n])" + token.encode() + rb"\r?\n")
    got = b""
    deadline = time.monotonic() + timeout
    nxt = 0.0
    while time.monotonic() < deadline:
        if time.monotonic() >= nxt:
            # The shell may not be up yet: repeat until it answers.
            sock.sendall(("echo %s\r" % token).encode())
            nxt = time.monotonic() + 3.0
        r, _, _ = select.select([sock], [], [], 0.2)
        if r:
            data = sock.recv(4096)
            if not data:
                break
            got += data
            if pat.search(got):
                print("demo-check: ok, %s came back from the shell on %s" % (token, name))
                if then:
                    sock.sendall(then.encode() + b"\r")
                    time.sleep(0.5)
                return 0
    print("demo-check: FAILED, no %s from the shell on %s; it sent: %r"
          % (token, name, got[-300:]))
    return 1


def main():
    global LOG
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--ctl", help="control line socket")
    ap.add_argument("--qmp", help="QMP socket")
    ap.add_argument("--trace", help="QEMU trace log (-D)")
    ap.add_argument("--chan", action="append", default=[], metavar="NAME=SOCK")
    ap.add_argument("--log", help="request/reply log file (default: stderr)")
    ap.add_argument("--demo-check", metavar="NAME=SOCK")
    ap.add_argument("--timeout", type=float, default=120.0)
    ap.add_argument("--then", help="command typed after a successful demo check")
    args = ap.parse_args()
    if args.demo_check:
        return demo_check(args.demo_check, args.timeout, args.then)
    if not args.ctl:
        ap.error("--ctl is required")
    LOG = open(args.log, "a") if args.log else sys.stderr
    try:
        Peer(args).run()
    except OSError as e:
        log("fatal: %s" % e)
        print("hostpeer: %s" % e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
