#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""ttydpc benchmark orchestrator: the host half of `make bench`.

    bench.py run --kernel VMLINUZ --initrd INITRD --out DIR [--designs isr,custom,both]
    bench.py report --out DIR

`run` boots the test VM once per design (selftests/vm/run-vm.sh) with one
more pci-serial at 00:12.0 that stays with the in-tree 8250 driver, while
00:10.0 (ttyDPC0) is moved to ttydpc by the VM's init. It drives the guest
program bench_guest over the control line and runs every workload on both
ports, alternating 8250 and ttydpc so machine noise hits both. Each boot's
raw figures go to DIR/<design>/results.json. `report` turns them into
DIR/results.md, DIR/results.dat and DIR/results.png (gnuplot).

Standard library only. selftests/bench/README.rst explains every figure.
"""

import argparse
import contextlib
import datetime
import json
import os
import random
import re
import select
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zlib

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "vm"))
import qemu_sock  # noqa: E402 (vm/, beside hostpeer.py)

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
VM_DIR = os.path.join(TOP, "selftests", "vm")

DPC_PCI = "0000:00:10.0"    # ttydpc (the VM's init moves it)
REF_PCI = "0000:00:12.0"    # 8250 (added here, left alone)
MiB = 1 << 20
NAN = float("nan")
# RX trigger levels of the what-if runs (both drivers pinned through sysfs)
WHATIF_TRIGS = (1, 4, 8, 14)
# What the tty layer buffers before a driver must drop or hold: the flip
# buffers' 640 KiB limit is counted in 256-byte units of 512-byte buffers
# (1280 KiB of data), plus n_tty's 4 KiB read buffer.
TTY_HOLDS = 1284 << 10

T0 = time.monotonic()
LOGF = None


def log(msg):
    line = "%8.2f %s" % (time.monotonic() - T0, msg)
    print(line, flush=True)
    if LOGF:
        LOGF.write(line + "\n")
        LOGF.flush()


class BenchError(Exception):
    pass


TRACED = ("serial_read", "serial_write")  # QEMU trace events the trace workloads use


def connect_unix(path, timeout=30.0):
    try:
        return qemu_sock.connect_unix(path, timeout)
    except OSError as e:
        raise BenchError("cannot connect to %s: %s" % (path, e)) from e


class Ctl:
    """The control line to bench_guest: one request, one reply line."""

    def __init__(self, path):
        self.s = connect_unix(path)
        self.buf = b""

    def send(self, line):
        self.s.sendall(line.encode() + b"\n")

    def readline(self, timeout):
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise BenchError("control line: no reply in %.0f s" % timeout)
            self.s.settimeout(left)
            try:
                d = self.s.recv(4096)
            except socket.timeout:
                continue
            if not d:
                raise BenchError("control line closed")
            self.buf += d
        line, self.buf = self.buf.split(b"\n", 1)
        return line.decode("latin-1").strip()

    def wait_for(self, prefix, timeout):
        deadline = time.monotonic() + timeout
        while True:
            line = self.readline(max(0.1, deadline - time.monotonic()))
            if line.startswith(prefix):
                return line
            if line.startswith("ERR"):
                raise BenchError("guest: %s" % line)

    def req(self, line, timeout=30):
        self.send(line)
        r = self.readline(timeout)
        if not r.startswith("OK"):
            raise BenchError("guest: %s -> %s" % (line, r))
        return r

    def start(self, line, timeout=30):
        """A data workload: send it, wait for READY."""
        self.send(line)
        r = self.readline(timeout)
        if r != "READY":
            raise BenchError("guest: %s -> %s" % (line, r))

    def done(self, timeout):
        r = self.readline(timeout)
        if not r.startswith("DONE"):
            raise BenchError("guest: expected DONE, got %s" % r)
        return kv(r)


def cpu(d):
    """The guest's interrupt count and /proc/stat ticks from a DONE line."""
    return {k: d[k] for k in ("irqs", "sys", "irq", "softirq", "user", "idle")}


def kv(line):
    out = {}
    for tok in line.split()[1:]:
        if "=" in tok:
            k, v = tok.split("=", 1)
            try:
                out[k] = v if k.endswith("crc") else int(v)
            except ValueError:
                out[k] = v
    return out


class Chan:
    """One data socket (the host end of a UART). The socket stays
    non-blocking; every wait is a select() with a timeout, so a sender and
    a receiver thread can share it, and every loop can be told to stop."""

    def __init__(self, path):
        self.s = connect_unix(path)
        self.s.setblocking(False)

    def recv_some(self, tmo):
        """Up to 64 KiB, b"" at end of file, None after tmo seconds."""
        r, _, _ = select.select([self.s], [], [], tmo)
        if not r:
            return None
        try:
            return self.s.recv(65536)
        except BlockingIOError:
            return None

    def send_some(self, data, tmo):
        """How many bytes of data went out within tmo seconds (maybe 0)."""
        _, w, _ = select.select([], [self.s], [], tmo)
        if not w:
            return 0
        try:
            return self.s.send(data)
        except BlockingIOError:
            return 0

    def drain(self):
        n = 0
        while True:
            d = self.recv_some(0)
            if not d:
                return n
            n += len(d)

    def recv_n(self, want, first_tmo, idle_tmo, stop):
        """Read until want["n"] bytes are in (the caller may set want["n"]
        while we read), first_tmo passes without a first byte, idle_tmo
        without another, or stop is set; returns (got, crc32, t_first,
        t_last)."""
        got, crc, t_first, t_last = 0, 0, None, None
        last = time.monotonic()
        while got < want["n"] and not stop.is_set():
            d = self.recv_some(0.1)
            if d is None:
                if time.monotonic() - last > (idle_tmo if got else first_tmo):
                    break
                continue
            if not d:
                break
            last = time.monotonic()
            if t_first is None:
                t_first = last
            t_last = last
            crc = zlib.crc32(d, crc)
            got += len(d)
        return got, crc, t_first, t_last

    def send_all(self, data, out, progress, stop):
        """Send data (out gets n, crc, t0, t1); progress["sent"] follows."""
        mv = memoryview(data)
        off = 0
        out["t0"] = time.monotonic()
        while off < len(data) and not stop.is_set():
            k = self.send_some(mv[off:off + 4096], 0.1)
            off += k
            if progress is not None:
                progress["sent"] = off
        out.update(n=off, crc=zlib.crc32(mv[:off]), t1=time.monotonic())

    def send_for(self, secs, seed, out, stop):
        """Send random bytes for secs seconds (every chunk started goes out
        whole); out gets n, crc, t0, t1."""
        rng = random.Random(seed)
        n, crc = 0, 0
        t0 = time.monotonic()
        while time.monotonic() < t0 + secs and not stop.is_set():
            chunk = memoryview(rng.randbytes(1024))
            off = 0
            while off < len(chunk) and not stop.is_set():
                off += self.send_some(chunk[off:], 0.1)
            crc = zlib.crc32(chunk[:off], crc)
            n += off
        out.update(n=n, crc=crc, t0=t0, t1=time.monotonic())


class Worker:
    """A thread with a stop flag; finish() stops it for good."""

    def __init__(self, fn, *args):
        self.stop = threading.Event()
        self.t = threading.Thread(target=fn, args=args + (self.stop,), daemon=True)
        self.t.start()

    def join(self, tmo):
        self.t.join(tmo)
        return not self.t.is_alive()

    def finish(self, tmo=5):
        self.stop.set()
        self.t.join(tmo)
        if self.t.is_alive():
            raise BenchError("a host thread does not stop")


# ---------------------------------------------------------------------------
# register accesses from QEMU's trace log

TRACE_RE = re.compile(rb"serial_(read|write) (?:read|write) addr 0x([0-9a-f]+) val 0x([0-9a-f]+)")
REG_R = {0: "RBR", 1: "IER", 2: "IIR", 3: "LCR", 4: "MCR", 5: "LSR", 6: "MSR", 7: "SCR"}
REG_W = {0: "THR", 1: "IER", 2: "FCR", 3: "LCR", 4: "MCR", 5: "LSR", 6: "MSR", 7: "SCR"}


def count_regs(trace_path, offset, mk, timeout=20):
    """Accesses between the guest's markers mk and mk+1 (SCR of COM3)."""
    start_pat = ("write addr 0x07 val 0x%02x" % mk).encode()
    end_pat = ("write addr 0x07 val 0x%02x" % (mk + 1)).encode()
    deadline = time.monotonic() + timeout
    while True:
        with open(trace_path, "rb") as f:
            f.seek(offset)
            data = f.read()
        a = data.find(start_pat)
        b = data.find(end_pat, a + 1) if a >= 0 else -1
        if a >= 0 and b >= 0:
            break
        if time.monotonic() > deadline:
            raise BenchError("markers 0x%02x/0x%02x not in the trace log" % (mk, mk + 1))
        time.sleep(0.2)
    # from the line after the start marker to the line before the end marker
    a = data.find(b"\n", a) + 1
    b = data.rfind(b"\n", 0, b)
    regs = {}
    reads = writes = 0
    for m in TRACE_RE.finditer(data, a, b):
        addr = int(m.group(2), 16)
        if m.group(1) == b"read":
            reads += 1
            name = "r" + REG_R.get(addr, str(addr))
        else:
            writes += 1
            name = "w" + REG_W.get(addr, str(addr))
        regs[name] = regs.get(name, 0) + 1
    return {"reads": reads, "writes": writes, "by_reg": regs}


TRACE_TS_RE = re.compile(rb"@([0-9]+\.[0-9]+):serial_(read|write) (?:read|write) "
                         rb"addr 0x([0-9a-f]+) val 0x([0-9a-f]+)")
FCR_LEVEL = {0: 1, 1: 4, 2: 8, 3: 14}


def mixed_trace(trace_path, offset, t_base, events):
    """From the trace since offset: the RX trigger level over time (FCR
    writes with FIFO enable and no CLEAR bits: ttydpc's level changes) and
    RBR reads per millisecond, times in ms from t_base (QEMU stamps its
    trace with host time: -msg timestamp=on)."""
    with open(trace_path, "rb") as f:
        f.seek(offset)
        data = f.read()
    fcr, rbr = [], {}
    for m in TRACE_TS_RE.finditer(data):
        t = (float(m.group(1)) - t_base) * 1000.0
        addr, val = int(m.group(3), 16), int(m.group(4), 16)
        if m.group(2) == b"write" and addr == 2 and val & 0x3f == 0x01:
            fcr.append((round(t, 3), FCR_LEVEL[val >> 6]))
        elif m.group(2) == b"read" and addr == 0:
            ms = int(t)
            rbr[ms] = rbr.get(ms, 0) + 1
    return {"fcr": fcr, "rbr_per_ms": sorted(rbr.items()),
            "events": [(k, round(t * 1000.0, 3)) for k, t in events]}


# ---------------------------------------------------------------------------


def echo_one(ch, b, what):
    """Send one byte, wait for the guest's echo: (round trip in ns, reply)."""
    t0 = time.perf_counter_ns()
    if not ch.send_some(b, 5):
        raise BenchError("%s: cannot send" % what)
    r = ch.recv_some(5)
    if not r:
        raise BenchError("%s: no echo from the guest" % what)
    return time.perf_counter_ns() - t0, r


class Boot:
    def __init__(self, a, design):
        self.a = a
        self.design = design
        self.dir = os.path.join(a.out, design)
        os.makedirs(self.dir, exist_ok=True)
        self.sockdir = tempfile.mkdtemp(prefix="ttydpc-bench.", dir="/tmp")
        self.ref_sock = os.path.join(self.sockdir, "ref")
        self.mark = 0x10
        self.seed = 1000
        self.res = {"design": design, "runs": []}

    def launch(self):
        sockfile = os.path.join(self.dir, "sockdir")
        if os.path.exists(sockfile):
            os.unlink(sockfile)
        append = ("ttydpc.dpc=%s ttydpc_run=/usr/bin/bench_guest ttydpc_timeout=%d"
                  % (self.design, self.a.boot_timeout - 30))
        cmd = [os.path.join(VM_DIR, "run-vm.sh"), "-k", self.a.kernel, "-i", self.a.initrd,
               "-a", append, "-o", self.dir, "-t", str(self.a.boot_timeout), "--",
               "-chardev", "socket,id=ref,path=%s,server=on,wait=off" % self.ref_sock,
               "-device", "pci-serial,addr=12.0,chardev=ref"]
        env = dict(os.environ, VM_MEM=str(self.a.mem))
        log("boot %s: %s" % (self.design, " ".join(cmd)))
        self.vm = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL,
                                   stdout=open(os.path.join(self.dir, "run-vm.log"), "w"),
                                   stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while not os.path.exists(sockfile):
            if time.monotonic() > deadline or self.vm.poll() is not None:
                raise BenchError("run-vm.sh did not start (see %s/run-vm.log)" % self.dir)
            time.sleep(0.05)
        time.sleep(0.1)
        with open(sockfile) as f:
            sd = f.read().strip()
        self.trace_log = os.path.join(self.dir, "trace.log")
        self.qmp = qemu_sock.QMP(os.path.join(sd, "qmp"), BenchError, 30.0)
        self.qmp.connect()
        self.chan = {"ttydpc": Chan(os.path.join(sd, "data0")), "8250": Chan(self.ref_sock)}
        self.ctl = Ctl(os.path.join(sd, "ctl"))
        self.ctl.wait_for("HELLO", 120)
        log("guest up")

    def open_ports(self):
        self.dev, self.irq, self.hname = {}, {}, {}
        for drv, pci in (("8250", REF_PCI), ("ttydpc", DPC_PCI)):
            r = kv(self.ctl.req("OPEN pci:%s" % pci))
            self.dev[drv] = r["dev"]
            self.irq[drv] = r["irq"]
            self.hname[drv] = r["name"]
        info = kv(self.ctl.req("INFO"))
        self.res.update({"dev": self.dev, "irq": self.irq, "handler": self.hname,
                         "kernel": info.get("kernel", "?")})
        log("ports %s irq %s handlers %s kernel %s" % (self.dev, self.irq, self.hname,
                                                        info.get("kernel")))
        if self.irq["8250"] == self.irq["ttydpc"]:
            log("warning: both ports share irq %d" % self.irq["8250"])

    def record(self, kind, drv, **fig):
        fig.update(kind=kind, drv=drv)
        self.res["runs"].append(fig)
        log("%-8s %-6s %s" % (kind, drv, " ".join("%s=%s" % (k, v) for k, v in fig.items()
                                                  if k not in ("kind", "drv", "by_reg"))))

    def next_mark(self):
        self.mark += 2
        if self.mark > 0xf0:
            self.mark = 0x10
        return self.mark

    def next_seed(self):
        self.seed += 1
        return self.seed

    # --- workloads -----------------------------------------------------

    def w_tx(self, drv, n=0, secs=0.0, mk=0):
        """guest -> host: the guest writes n bytes, or for secs seconds."""
        ch = self.chan[drv]
        ch.drain()
        self.ctl.start("TX %s %d %.3f %d %d" % (self.dev[drv], n, secs, self.next_seed(), mk))
        res = {}
        # a timed run's length is only known at the end: read until DONE
        # says how much, then until that much is in (or 20 s of silence)
        want = {"n": n or (1 << 40)}
        w = Worker(lambda stop: res.update(zip(("got", "crc", "t0", "t1"),
                                               ch.recv_n(want, 60, 20, stop))))
        try:
            d = self.ctl.done(secs + 300)
            want["n"] = d["tx"]
            w.join(60)
        finally:
            w.finish()
        n = d["tx"]
        ok = res.get("got") == n and res.get("crc") == int(d["crc"], 16)
        return dict(n=n, got=res.get("got", 0), ok=ok, lost=n - res.get("got", 0),
                    ns=d["ns"], wall_ns=d["ns"], **cpu(d))

    def w_rx(self, drv, n=0, secs=0.0, mk=0):
        """host -> guest: the host sends n bytes, or for secs seconds."""
        ch = self.chan[drv]
        self.ctl.start("RX %s %d %d %d" % (self.dev[drv], n, 10000, mk))
        if mk:
            time.sleep(0.1)  # the guest writes its start marker after READY
        sres = {}
        if n:
            w = Worker(ch.send_all, random.Random(self.next_seed()).randbytes(n), sres, None)
        else:
            w = Worker(ch.send_for, secs, self.next_seed(), sres)
        try:
            if not n:
                if not w.join(secs + 120):
                    raise BenchError("host sender did not finish")
                self.ctl.send("END %d" % sres["n"])
            d = self.ctl.done(secs + 300)
            w.join(60)
        finally:
            w.finish()
        n = sres["n"]
        ok = d["rx"] == n and int(d["crc"], 16) == sres["crc"]
        return dict(n=n, got=d["rx"], ok=ok, lost=n - d["rx"], ns=d["span_ns"],
                    wall_ns=d["ns"], hw_overrun=d.get("ic_overrun", 0),
                    buf_overrun=d.get("ic_buf_overrun", 0), **cpu(d))

    def w_dup(self, drv, secs):
        ch = self.chan[drv]
        ch.drain()
        self.ctl.start("DUP %s %.3f %d %d" % (self.dev[drv], secs, self.next_seed(), 10000))
        sres, rres = {}, {}
        want = {"n": 1 << 40}
        wr = Worker(lambda stop: rres.update(zip(("got", "crc", "t0", "t1"),
                                                 ch.recv_n(want, 60, 20, stop))))
        ws = Worker(ch.send_for, secs, self.next_seed(), sres)
        try:
            if not ws.join(secs + 120):
                raise BenchError("host sender did not finish")
            self.ctl.send("END %d" % sres["n"])
            d = self.ctl.done(secs + 300)
            want["n"] = d["tx"]
            wr.join(60)
        finally:
            ws.finish()
            wr.finish()
        n_h2g, n_g2h = sres["n"], d["tx"]
        ok = (d["rx"] == n_h2g and int(d["rcrc"], 16) == sres["crc"] and
              rres.get("got") == n_g2h and rres.get("crc") == int(d["crc"], 16))
        lost = (n_h2g - d["rx"]) + (n_g2h - rres.get("got", 0))
        return dict(n=n_h2g + n_g2h, n_h2g=n_h2g, n_g2h=n_g2h, ok=ok, lost=lost, ns=d["ns"],
                    wall_ns=d["ns"], tx_ns=d["tx_ns"], rx_ns=d["rx_ns"], **cpu(d))

    def w_echo(self, drv, n):
        ch = self.chan[drv]
        ch.drain()
        self.ctl.start("ECHO %s %d" % (self.dev[drv], n))
        rng = random.Random(self.next_seed())
        rtt, bad = [], 0
        for _ in range(n):
            b = bytes([rng.randrange(256)])
            ns, r = echo_one(ch, b, "echo")
            rtt.append(ns)
            if r != b:
                bad += 1
        self.ctl.done(60)
        rtt.sort()
        return dict(n=n, bad=bad, median_us=rtt[n // 2] / 1000.0,
                    p99_us=rtt[(n * 99) // 100] / 1000.0, rtt=rtt)

    def w_mixed(self, drv, bursts, burst_n, gap_s, trace=False):
        """Bursts through the guest's echo: after each idle gap, one byte's
        round trip, then burst_n bytes' throughput. With trace, the run's
        FCR writes and RBR reads (the plot of the adaptive RX trigger)."""
        ch = self.chan[drv]
        ch.drain()
        self.ctl.start("ECHO %s %d" % (self.dev[drv], bursts * (1 + burst_n)))
        rng = random.Random(self.next_seed())
        first, kibs, events = [], [], []
        lost = 0
        if trace:
            off = os.path.getsize(self.trace_log)
            self.qmp.trace(True, TRACED)
        t_base = time.time()
        try:
            for _ in range(bursts):
                time.sleep(gap_s)
                b = bytes([rng.randrange(256)])
                events.append(("byte", time.time() - t_base))
                ns, r = echo_one(ch, b, "mixed: the first byte")
                first.append(ns / 1000.0)
                lost += 0 if r == b else 1
                data = rng.randbytes(burst_n)
                events.append(("burst", time.time() - t_base))
                t0 = time.perf_counter_ns()
                sres = {}
                w = Worker(ch.send_all, data, sres, None)
                try:
                    got, crc, _, _ = ch.recv_n({"n": burst_n}, 10, 5, threading.Event())
                    w.join(30)
                finally:
                    w.finish()
                kibs.append(burst_n / 1024.0 / ((time.perf_counter_ns() - t0) / 1e9))
                events.append(("end", time.time() - t_base))
                lost += burst_n - got if got != burst_n or crc != zlib.crc32(data) else 0
            if trace:
                time.sleep(gap_s)  # the level going back to 1 after the last burst
        finally:
            if trace:
                self.qmp.trace(False, TRACED)
        self.ctl.done(60)
        first.sort()
        fig = dict(n=bursts, burst_n=burst_n, gap_ms=gap_s * 1000.0, lost=lost,
                   first_med_us=first[len(first) // 2], first_max_us=first[-1],
                   burst_kibs=statistics.median(kibs), first_us=first)
        if trace:
            time.sleep(0.5)  # QEMU flushes its trace log
            fig["trace"] = mixed_trace(self.trace_log, off, t_base, events)
        return fig

    def w_slow(self, drv, n):
        """Slow reader: the guest reads nothing until the host has sent
        everything (the driver took it all), or its sender has been stuck
        for 3 s after more than the tty layer buffers (the driver holds the
        rest back), or a time cap; then it reads in chunks."""
        ch = self.chan[drv]
        data = random.Random(self.next_seed()).randbytes(n)
        a = self.a
        self.ctl.start("SLOW %s %d %d %d %d" % (self.dev[drv], n, a.slow_chunk, a.slow_us, 3000))
        # a small socket buffer, so that "stuck" means the UART stopped taking
        ch.s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
        prog, sres = {"sent": 0}, {}
        w = Worker(ch.send_all, data, sres, prog)
        try:
            last, t_last = -1, time.monotonic()
            t_start = t_last
            # (a stuck sender before TTY_HOLDS may be host load, not the driver)
            while not w.join(0.2) and time.monotonic() - t_start < a.slow_cap_secs:
                if prog["sent"] != last:
                    last, t_last = prog["sent"], time.monotonic()
                elif time.monotonic() - t_last > 3.0 and prog["sent"] > TTY_HOLDS:
                    break
            held_at = prog["sent"]
            self.ctl.send("GO")
            d = self.ctl.done(600)
            w.join(60)
        finally:
            w.finish()
            ch.s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 212992)
        ok = d["rx"] == n and d["crc"] == "%08x" % zlib.crc32(data)
        return dict(n=n, got=d["rx"], lost=n - d["rx"], ok=ok, ns=d["ns"],
                    stall_ns=d["stall_ns"], sent_before_read=held_at,
                    sender_blocked=held_at < n, conclusive=held_at > TTY_HOLDS,
                    hw_overrun=d.get("ic_overrun", 0), buf_overrun=d.get("ic_buf_overrun", 0))

    def w_regs(self, drv, n, direction):
        mk = self.next_mark()
        off = os.path.getsize(self.trace_log)
        self.qmp.trace(True, TRACED)
        try:
            fig = (self.w_tx if direction == "g2h" else self.w_rx)(drv, n, mk=mk)
        finally:
            self.qmp.trace(False, TRACED)
        regs = count_regs(self.trace_log, off, mk)
        fig.update(regs)
        fig["per_byte"] = (regs["reads"] + regs["writes"]) / float(n)
        return fig

    def w_irqtime(self, drv, secs, direction):
        self.ctl.req("FTRACE on %d %d" % (self.irq[drv], self.a.ftrace_kb))
        try:
            fig = (self.w_tx if direction == "g2h" else self.w_rx)(drv, secs=secs)
        finally:
            r = kv(self.ctl.req("FTRACE off", 120))
        fig.update(handler_n=r["n"], median_ns=r["median_ns"], p90_ns=r["p90_ns"],
                   p99_ns=r["p99_ns"], max_ns=r["max_ns"], mean_ns=r["mean_ns"],
                   overrun=r["overrun"])
        return fig

    def stats(self, tag):
        r = self.ctl.req("STATS %s" % self.dev["ttydpc"])
        n = int(r.split()[1])
        lines = [self.ctl.readline(10) for _ in range(n)]
        self.res.setdefault("ttydpc_stats", {})[tag] = lines

    # --- the plan --------------------------------------------------------

    def alternate(self, reps):
        """8250 first in odd repetitions, ttydpc first in even ones (ABBA)."""
        for i in range(reps):
            yield ("8250", "ttydpc") if i % 2 == 0 else ("ttydpc", "8250")

    def plan(self):
        a = self.a
        self.open_ports()
        self.stats("start")
        # warm-up: first use of each port (page cache, flip buffers)
        for drv in ("8250", "ttydpc"):
            for fn, kind in ((self.w_tx, "g2h"), (self.w_rx, "h2g")):
                fig = fn(drv, 16 << 10)
                log("warm-up %s %s: %.0f KiB/s ok=%s" % (kind, drv, 16e9 / fig["ns"], fig["ok"]))

        if "regs" in a.only:
            self.p_regs()
        if "thru" in a.only:
            self.p_thru()
        if "irqtime" in a.only:
            self.p_irqtime()
        if "echo" in a.only:
            self.p_echo()
        if "mixed" in a.only:
            self.p_mixed()
        if "slow" in a.only and self.design == a.slow_design:
            self.p_slow()
        if "whatif" in a.only and self.design == a.slow_design:
            self.p_whatif()
        self.stats("end")

    def both_ways(self, kind, reps, fn, arg):
        """reps alternations of fn(drv, arg, direction), each way."""
        for order in self.alternate(reps):
            for drv in order:
                for direction in ("g2h", "h2g"):
                    self.record(kind + "_" + direction, drv, **fn(drv, arg, direction))

    def p_regs(self):
        a = self.a
        log("-- register accesses (QEMU trace, %d KiB each way)" % (a.regs_kib))
        self.both_ways("regs", a.regs_reps, self.w_regs, a.regs_kib << 10)

    def p_thru(self):
        a = self.a
        log("-- throughput (%g s runs, %d repetitions)" % (a.xfer_secs, a.reps))
        for order in self.alternate(a.reps):
            for kind in ("g2h", "h2g", "dup"):
                for drv in order:
                    if kind == "g2h":
                        fig = self.w_tx(drv, secs=a.xfer_secs)
                    elif kind == "h2g":
                        fig = self.w_rx(drv, secs=a.xfer_secs)
                    else:
                        fig = self.w_dup(drv, a.xfer_secs)
                    self.record(kind, drv, **fig)
        self.stats("after_throughput")

    def p_irqtime(self):
        a = self.a
        log("-- hard-IRQ handler time (ftrace, %g s runs)" % a.ftrace_secs)
        self.both_ways("irqtime", a.ftrace_reps, self.w_irqtime, a.ftrace_secs)

    def p_echo(self):
        a = self.a
        log("-- echo (%d round trips per repetition)" % a.echo_n)
        for order in self.alternate(a.echo_reps):
            for drv in order:
                fig = self.w_echo(drv, a.echo_n)
                rtt = fig.pop("rtt")
                self.res.setdefault("echo_rtt_ns", {}).setdefault(drv, []).extend(rtt)
                self.record("echo", drv, **fig)

    def p_mixed(self):
        a = self.a
        log("-- mixed: %d bursts of %d bytes, %d ms idle before each; echo of the "
            "first byte after idle, burst throughput" % (a.mixed_bursts, a.mixed_bytes,
                                                         a.mixed_gap_ms))
        for order in self.alternate(a.reps):
            for drv in order:
                fig = self.w_mixed(drv, a.mixed_bursts, a.mixed_bytes, a.mixed_gap_ms / 1000.0)
                fig.pop("first_us")
                self.record("mixed", drv, **fig)
        # one traced run for the plot (the trace slows every access down)
        fig = self.w_mixed("ttydpc", 3, a.mixed_bytes, 0.1, trace=True)
        self.res["mixed_trace"] = dict(fig.pop("trace"), burst_n=a.mixed_bytes)

    def p_slow(self):
        a = self.a
        log("-- slow reader (%d KiB; no reads until the sender stalls, then %d bytes per %d us)"
            % (a.slow_kib, a.slow_chunk, a.slow_us))
        self.res["slow_params"] = dict(cap_secs=a.slow_cap_secs, chunk=a.slow_chunk, us=a.slow_us)
        for drv in ("8250", "ttydpc"):
            self.record("slow", drv, **self.w_slow(drv, a.slow_kib << 10))

    def p_whatif(self):
        """Both drivers at each RX trigger level, pinned through sysfs
        rx_trig_bytes; then 8 (8250) and auto (ttydpc) again."""
        a = self.a
        log("-- what-if: RX trigger %s" % ", ".join(str(t) for t in WHATIF_TRIGS))
        for trig in WHATIF_TRIGS:
            for drv in ("8250", "ttydpc"):
                self.ctl.req("TRIG %s %d" % (self.dev[drv], trig))
            try:
                for drv in ("8250", "ttydpc"):
                    self.record("trig%d_regs_h2g" % trig, drv,
                                **self.w_regs(drv, a.regs_kib << 10, "h2g"))
                    self.record("trig%d_h2g" % trig, drv, **self.w_rx(drv, secs=a.whatif_secs))
                    fig = self.w_echo(drv, a.echo_n)
                    fig.pop("rtt")
                    self.record("trig%d_echo" % trig, drv, **fig)
                    self.record("trig%d_irqtime_h2g" % trig, drv,
                                **self.w_irqtime(drv, a.ftrace_secs, "h2g"))
            finally:
                self.ctl.req("TRIG %s 8" % self.dev["8250"])
                self.ctl.req("TRIG %s auto" % self.dev["ttydpc"])

    def run(self):
        ok = False
        try:
            self.launch()
            self.plan()
            self.ctl.send("QUIT")
            ok = True
        finally:
            self.finish(ok)

    def finish(self, ok):
        try:
            self.vm.wait(timeout=60 if ok else 0.1)
        except subprocess.TimeoutExpired:
            self.vm.terminate()
            self.vm.wait(10)
        except AttributeError:
            pass
        for rm, path in ((os.unlink, self.ref_sock), (os.rmdir, self.sockdir)):
            with contextlib.suppress(OSError):
                rm(path)
        with open(os.path.join(self.dir, "results.json"), "w") as f:
            json.dump(self.res, f)
        # the register traces are large; their counts are in results.json
        if not self.a.keep_trace and ok:
            with contextlib.suppress(OSError):
                os.unlink(os.path.join(self.dir, "trace.log"))


# ---------------------------------------------------------------------------
# report

def med(xs):
    return statistics.median(xs) if xs else float("nan")


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, (len(xs) * p) // 100)] if xs else float("nan")


def span_ns(r):
    """A run's time; duplex: until both directions were done."""
    return max(r["tx_ns"], r["rx_ns"]) if r["kind"] == "dup" else r["ns"]


def figures(res):
    """Per driver: the figures of the table, from one boot's runs."""
    out = {}
    runs_of = {drv: [r for r in res["runs"] if r["drv"] == drv] for drv in ("8250", "ttydpc")}
    for drv in ("8250", "ttydpc"):
        runs = runs_of[drv]

        def sel(kind):
            return [r for r in runs if r["kind"] == kind]

        f = {}
        for kind in ("g2h", "h2g", "dup"):
            rs = sel(kind)
            mib = [r["n"] / float(MiB) for r in rs]
            f[kind + "_kibs"] = med([r["n"] / 1024.0 / (span_ns(r) / 1e9) for r in rs])
            f[kind + "_irq_mib"] = med([r["irqs"] / m for r, m in zip(rs, mib)])
            # non-idle time (precise: NO_HZ idle accounting) minus user ticks
            f[kind + "_cpu_ms_mib"] = med([(r["wall_ns"] / 1e6 - 10.0 * (r["idle"] + r["user"]))
                                           / m for r, m in zip(rs, mib)])
            # the tick-sampled sys+irq+softirq (hard-IRQ time is invisible to it)
            f[kind + "_tick_ms_mib"] = med([(r["sys"] + r["irq"] + r["softirq"]) * 10.0 / m
                                            for r, m in zip(rs, mib)])
            f[kind + "_lost"] = sum(r["lost"] for r in rs) + sum(0 if r["ok"] else 1 for r in rs
                                                                   if r["lost"] == 0)
        for d in ("g2h", "h2g"):
            rs = sel("regs_" + d)
            f["regs_" + d] = med([r["per_byte"] for r in rs])
            f["regs_" + d + "_per_irq"] = med([(r["reads"] + r["writes"]) / float(max(1, r["irqs"]))
                                               for r in rs])
            by = {}
            for r in rs:
                for k, v in r["by_reg"].items():
                    by.setdefault(k, []).append(v / float(r["n"]))
            f["regs_" + d + "_by"] = {k: med(v) for k, v in by.items()}
            rs = sel("irqtime_" + d)
            f["irqt_" + d + "_med_us"] = med([r["median_ns"] / 1000.0 for r in rs])
            f["irqt_" + d + "_p99_us"] = med([r["p99_ns"] / 1000.0 for r in rs])
            f["irqt_" + d + "_overrun"] = sum(r["overrun"] for r in rs)
        rtt = res.get("echo_rtt_ns", {}).get(drv, [])
        f["echo_med_us"] = med(rtt) / 1000.0
        f["echo_p99_us"] = pct(rtt, 99) / 1000.0
        f["echo_n"] = len(rtt)
        f["echo_bad"] = sum(r["bad"] for r in sel("echo"))
        rs = sel("slow")
        f["slow_lost"] = sum(r["lost"] + (0 if r["ok"] or r["lost"] else 1) for r in rs) if rs else NAN
        f["slow_n"] = sum(r["n"] for r in rs) if rs else NAN
        f["slow_buf_overrun"] = sum(r["buf_overrun"] for r in rs) if rs else NAN
        f["slow_sent_before_read"] = rs[0]["sent_before_read"] if rs else NAN
        f["slow_blocked"] = rs[0]["sender_blocked"] if rs else None
        f["slow_conclusive"] = rs[0]["conclusive"] if rs else None
        rs = sel("mixed")
        f["mixed_first_med_us"] = med([r["first_med_us"] for r in rs])
        f["mixed_burst_kibs"] = med([r["burst_kibs"] for r in rs])
        f["mixed_lost"] = sum(r["lost"] for r in rs) if rs else float("nan")
        for trig in WHATIF_TRIGS:
            rs = sel("trig%d_irqtime_h2g" % trig)
            f["trig%d_irqt_med_us" % trig] = med([r["median_ns"] / 1000.0 for r in rs])
            f["trig%d_irqt_p99_us" % trig] = med([r["p99_ns"] / 1000.0 for r in rs])
            rs = sel("trig%d_regs_h2g" % trig)
            f["trig%d_regs_h2g" % trig] = med([r["per_byte"] for r in rs])
            f["trig%d_h2g_irq_mib" % trig] = med([r["irqs"] / (r["n"] / MiB) for r in rs])
            rs = sel("trig%d_h2g" % trig)
            f["trig%d_h2g_kibs" % trig] = med([r["n"] / 1024.0 / (r["ns"] / 1e9) for r in rs])
            rs = sel("trig%d_echo" % trig)
            f["trig%d_echo_med_us" % trig] = med([r["median_us"] for r in rs])
            f["trig%d_echo_p99_us" % trig] = med([r["p99_us"] for r in rs])
        out[drv] = f
    # Spread: the ratio of each repetition's pair (8250 and ttydpc back to
    # back) for the figures host noise moves most.
    spread = {}
    for kind, key in (("g2h", "g2h_kibs"), ("h2g", "h2g_kibs"), ("dup", "dup_kibs")):
        pairs = zip([r for r in runs_of["ttydpc"] if r["kind"] == kind],
                    [r for r in runs_of["8250"] if r["kind"] == kind])
        rs = [(t["n"] / float(span_ns(t))) / (e["n"] / float(span_ns(e))) for t, e in pairs]
        if rs:
            spread[key] = (min(rs), max(rs))
    out["spread"] = spread
    return out


ROWS = [
    # key, label, unit, format, target (ratio test, text) or None
    ("g2h_kibs", "throughput guest->host", "KiB/s", "%.0f", (lambda r: r >= 1.0, ">= 1.0x")),
    ("h2g_kibs", "throughput host->guest", "KiB/s", "%.0f", (lambda r: r >= 1.25, ">= 1.25x")),
    ("dup_kibs", "throughput full duplex (both ways)", "KiB/s", "%.0f", None),
    ("g2h_lost", "lost/corrupt, throughput runs g->h", "bytes", "%d", (lambda r: r == 0, "0")),
    ("h2g_lost", "lost/corrupt, throughput runs h->g", "bytes", "%d", (lambda r: r == 0, "0")),
    ("dup_lost", "lost/corrupt, throughput runs duplex", "bytes", "%d", (lambda r: r == 0, "0")),
    ("regs_g2h", "register accesses per byte, TX (g->h)", "acc/B", "%.3f", None),
    ("regs_h2g", "register accesses per byte, RX (h->g)", "acc/B", "%.3f",
     (lambda r: r <= 0.6, "<= 0.6x")),
    ("regs_g2h_per_irq", "register accesses per interrupt, TX (g->h)", "acc/IRQ", "%.1f", None),
    ("regs_h2g_per_irq", "register accesses per interrupt, RX (h->g)", "acc/IRQ", "%.1f", None),
    ("g2h_irq_mib", "interrupts per MiB g->h", "IRQ/MiB", "%.0f", None),
    ("h2g_irq_mib", "interrupts per MiB h->g", "IRQ/MiB", "%.0f", None),
    ("dup_irq_mib", "interrupts per MiB duplex", "IRQ/MiB", "%.0f", None),
    ("irqt_g2h_med_us", "hard-IRQ handler time g->h, median", "us", "%.1f", None),
    ("irqt_g2h_p99_us", "hard-IRQ handler time g->h, p99", "us", "%.1f",
     (lambda r: r <= 0.5, "<= 0.5x")),
    ("irqt_h2g_med_us", "hard-IRQ handler time h->g, median", "us", "%.1f", None),
    ("irqt_h2g_p99_us", "hard-IRQ handler time h->g, p99", "us", "%.1f",
     (lambda r: r <= 0.5, "<= 0.5x")),
    ("echo_med_us", "echo round trip, median", "us", "%.0f", (lambda r: r <= 0.6, "<= 0.6x")),
    ("echo_p99_us", "echo round trip, p99", "us", "%.0f", None),
    ("mixed_first_med_us", "mixed: echo of the first byte after idle, median", "us", "%.0f",
     None),
    ("mixed_burst_kibs", "mixed: burst echo throughput", "KiB/s", "%.0f", None),
    ("mixed_lost", "mixed: bytes lost", "bytes", "%d", (lambda r: r == 0, "0")),
    ("g2h_cpu_ms_mib", "guest kernel CPU per MiB g->h (busy-user)", "ms/MiB", "%.0f", None),
    ("h2g_cpu_ms_mib", "guest kernel CPU per MiB h->g (busy-user)", "ms/MiB", "%.0f", None),
    ("dup_cpu_ms_mib", "guest kernel CPU per MiB duplex (busy-user)", "ms/MiB", "%.0f", None),
    ("g2h_tick_ms_mib", "/proc/stat sys+irq+softirq per MiB g->h", "ms/MiB", "%.0f", None),
    ("h2g_tick_ms_mib", "/proc/stat sys+irq+softirq per MiB h->g", "ms/MiB", "%.0f", None),
    ("dup_tick_ms_mib", "/proc/stat sys+irq+softirq per MiB duplex", "ms/MiB", "%.0f", None),
    ("slow_lost", "slow reader: bytes lost", "bytes", "%d", (lambda r: r == 0, "0")),
]


def fmt(f, v):
    if isinstance(v, float) and v != v:
        return "-"
    return f % v


def ratio(a, b):
    if a is None or b is None or b == 0 or a != a or b != b:
        return None
    return a / float(b)


def report(a):
    boots = []
    for d in a.designs:
        p = os.path.join(a.out, d, "results.json")
        if os.path.exists(p):
            with open(p) as f:
                boots.append((d, json.load(f)))
    if not boots:
        raise BenchError("no results under %s" % a.out)
    figs = {d: figures(r) for d, r in boots}  # d -> {"8250", "ttydpc", "spread"}
    meta = a.meta or {}
    lines = []
    lines.append("ttydpc benchmark: 8250 vs ttydpc")
    lines.append("")
    lines.append("- date: %s" % meta.get("date", datetime.datetime.now().isoformat(" ", "seconds")))
    lines.append("- QEMU: %s" % meta.get("qemu", "?"))
    lines.append("- guest kernel: %s" % boots[0][1].get("kernel", "?"))
    lines.append("- host: %s; make bench took %s s" % (meta.get("host", "?"), meta.get("wall_s", "?")))
    lines.append("- ttydpc source: %s" % meta.get("source", "?"))
    lines.append("- designs: %s, one boot each; 8250 (%s, %s) and ttydpc (%s) alternate "
                 "inside each boot" % (", ".join(d for d, _ in boots), REF_PCI,
                                       boots[0][1]["dev"].get("8250", "?"), DPC_PCI))
    lines.append("- sizes: %s" % meta.get("sizes", "?"))
    lines.append("")
    hdr = "| figure | unit | 8250 |"
    sep = "|---|---|---:|"
    for d, _ in boots:
        hdr += " ttydpc %s | ratio |" % d
        sep += "---:|---:|"
    hdr += " target |"
    sep += "---|"
    lines += [hdr, sep]
    for key, label, unit, f, target in ROWS:
        ref = [figs[d]["8250"][key] for d, _ in boots]
        row = "| %s | %s | %s |" % (label, unit, " / ".join(fmt(f, v) for v in ref)
                                    if len(set(fmt(f, v) for v in ref)) > 1 else fmt(f, ref[0]))
        for d, _ in boots:
            v = figs[d]["ttydpc"][key]
            r = ratio(v, figs[d]["8250"][key])
            if target and unit == "bytes":
                mark = "" if v == 0 or v != v else " **miss**"
                row += " %s%s | |" % (fmt(f, v), mark)
            else:
                mark = ""
                if target and r is not None and not target[0](r):
                    mark = " **miss**"
                sp = figs[d].get("spread", {}).get(key)
                if sp and r is not None:
                    mark += " (%.2f-%.2f)" % sp
                row += " %s | %s%s |" % (fmt(f, v), "-" if r is None else "%.2fx" % r, mark)
        row += " %s |" % (target[1] if target else "")
        lines.append(row)
    lines.append("")
    lines.append("8250 column: one value per boot (%s order) when they differ. Ratios: ttydpc "
                 "/ 8250 of the same boot (medians); for throughput, (min-max) of the ratios "
                 "of the back-to-back pairs, a measure of the host noise." %
                 "/".join(d for d, _ in boots))
    lines.append("")
    # register breakdown
    lines.append("Register accesses per byte, by register (median over repetitions):")
    lines.append("")
    for d in ("g2h", "h2g"):
        regs = sorted(set(k for dd, _ in boots for drv in ("8250", "ttydpc")
                          for k in figs[dd][drv]["regs_%s_by" % d]))
        lines.append("| %s | %s |" % ("TX g->h" if d == "g2h" else "RX h->g", " | ".join(regs)))
        lines.append("|---|%s|" % "|".join("---:" for _ in regs))
        cols = [("8250 (%s boot)" % boots[0][0], figs[boots[0][0]]["8250"])]
        cols += [("ttydpc %s" % dd, figs[dd]["ttydpc"]) for dd, _ in boots]
        for name, fg in cols:
            by = fg["regs_%s_by" % d]
            lines.append("| %s | %s |" % (name, " | ".join("%.3f" % by.get(k, 0) for k in regs)))
        lines.append("")
    # slow reader
    for d, res in boots:
        f8, fd = figs[d]["8250"], figs[d]["ttydpc"]
        sp = res.get("slow_params", {})
        if f8["slow_n"] == f8["slow_n"]:
            lines.append("Slow reader (boot %s): the host sends %d KiB; the guest reads nothing "
                         "until the host has sent it all, or has been stuck for 3 s after more "
                         "than the tty layer buffers (%d KiB), or %g s have passed; then it "
                         "reads %d bytes per %d us." % (d, f8["slow_n"] / 1024, TTY_HOLDS >> 10,
                                                       sp.get("cap_secs", 0), sp.get("chunk", 0),
                                                       sp.get("us", 0)))
            lines.append("")
            lines.append("| driver | sent before the first read | sender blocked | lost | "
                         "buf_overrun (TIOCGICOUNT) | conclusive |")
            lines.append("|---|---:|---|---:|---:|---|")
            for name, fg in (("8250", f8), ("ttydpc %s" % d, fd)):
                lines.append("| %s | %d KiB | %s | %d | %d | %s |" % (
                    name, fg["slow_sent_before_read"] / 1024, "yes" if fg["slow_blocked"] else "no",
                    fg["slow_lost"], fg["slow_buf_overrun"],
                    "yes" if fg["slow_conclusive"] else
                    "no: less than the tty layer buffers arrived in time"))
            lines.append("")
    # what-if: RX trigger levels
    if any(figs[d]["ttydpc"]["trig1_regs_h2g"] == figs[d]["ttydpc"]["trig1_regs_h2g"]
           for d, _ in boots):
        lines.append("What-if: RX FIFO trigger level (sysfs rx_trig_bytes on both ports, which "
                     "pins ttydpc's adaptive trigger). \"default\" is the comparison above: "
                     "8250 at 8, ttydpc adaptive (rx_trig_mode auto).")
        lines.append("")
        lines.append("| boot | driver | trigger | RX acc/B | IRQ/MiB h->g | h->g KiB/s | "
                     "echo median us | echo p99 us | hard IRQ h->g median us | p99 us |")
        lines.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        for d, _ in boots:
            if figs[d]["ttydpc"]["trig1_regs_h2g"] != figs[d]["ttydpc"]["trig1_regs_h2g"]:
                continue
            for drv in ("8250", "ttydpc"):
                fg = figs[d][drv]
                rows = [(str(t), "trig%d_" % t) for t in WHATIF_TRIGS] + [("default", "")]
                for trig, p in rows:
                    if p and fg.get(p + "regs_h2g", NAN) != fg.get(p + "regs_h2g", NAN):
                        continue    # an older run without this level
                    irqt = "irqt_" if p else "irqt_h2g_"
                    vals = [fg.get(p + k, NAN) for k in ("regs_h2g", "h2g_irq_mib", "h2g_kibs",
                            "echo_med_us", "echo_p99_us", irqt + "med_us", irqt + "p99_us")]
                    lines.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                        d, drv, trig, fmt("%.3f", vals[0]), fmt("%.0f", vals[1]),
                        fmt("%.0f", vals[2]), fmt("%.0f", vals[3]), fmt("%.0f", vals[4]),
                        fmt("%.1f", vals[5]), fmt("%.1f", vals[6])))
        lines.append("")
    md = "\n".join(lines) + "\n"
    with open(os.path.join(a.out, "results.md"), "w") as f:
        f.write(md)
    with open(os.path.join(a.out, "results.json"), "w") as f:
        json.dump({"meta": meta, "figures": figs}, f, indent=1, sort_keys=True)
    plot(a, boots, figs)
    plot_mixed(a, boots)
    print(md)


PLOT_KEYS = [
    ("g2h_kibs", "thru g->h"), ("h2g_kibs", "thru h->g"), ("dup_kibs", "thru duplex"),
    ("regs_g2h", "regs/B TX"), ("regs_h2g", "regs/B RX"),
    ("regs_g2h_per_irq", "regs/IRQ TX"), ("regs_h2g_per_irq", "regs/IRQ RX"),
    ("g2h_irq_mib", "IRQ/MiB g->h"), ("h2g_irq_mib", "IRQ/MiB h->g"),
    ("irqt_g2h_p99_us", "IRQ p99 g->h"), ("irqt_h2g_p99_us", "IRQ p99 h->g"),
    ("echo_med_us", "echo median"), ("echo_p99_us", "echo p99"),
    ("mixed_first_med_us", "1st byte after idle"), ("mixed_burst_kibs", "burst thru"),
    ("g2h_cpu_ms_mib", "CPU/MiB g->h"), ("h2g_cpu_ms_mib", "CPU/MiB h->g"),
]


def plot(a, boots, figs):
    if not any(ratio(figs[d]["ttydpc"][k], figs[d]["8250"][k]) is not None
               for d, _ in boots for k, _ in PLOT_KEYS):
        log("no figures to plot")
        return
    dat = os.path.join(a.out, "results.dat")
    with open(dat, "w") as f:
        f.write("# figure %s\n" % " ".join(d for d, _ in boots))
        for key, label in PLOT_KEYS:
            rs = [ratio(figs[d]["ttydpc"][key], figs[d]["8250"][key]) for d, _ in boots]
            f.write('"%s" %s\n' % (label, " ".join("NaN" if r is None else "%.4f" % r for r in rs)))
    png = os.path.join(a.out, "results.png")
    gp = ["set terminal %s size 1200,600 noenhanced" % png_terminal(),
          "set output '%s'" % png,
          "set title \"ttydpc / 8250, same boot (%s); 1 = 8250; throughput: higher is "
          "better, everything else: lower\\n%s\"" % ((a.meta or {}).get("date", ""),
                                                      plot_origin(a, boots[0][1])),
          "set style data histograms", "set style histogram clustered gap 1",
          "set style fill solid 0.8 border -1", "set boxwidth 0.9",
          "set xtics rotate by -35 scale 0", "set grid ytics",
          "set logscale y 2", "set yrange [1.0/64:32]",
          "set ytics ('1/64' 1.0/64, '1/16' 1.0/16, '1/4' 0.25, '1/2' 0.5, '1' 1, '2' 2, "
          "'4' 4, '16' 16)",
          "set ylabel 'ratio ttydpc / 8250 (log scale)'", "set key top left",
          "plot " + ", ".join("'%s' using %d:xtic(1) title 'dpc=%s'" % (dat, i + 2, d)
                              for i, (d, _) in enumerate(boots)) +
          ", 1 with lines lw 2 lc rgb 'black' title '8250'"]
    gnuplot(gp)


def plot_origin(a, res):
    """QEMU version, guest kernel and ttydpc revision, for a plot title."""
    m = a.meta or {}
    qemu = re.sub(r"QEMU emulator version (\S+).*", r"QEMU \1", m.get("qemu", "QEMU ?"))
    return "%s, guest kernel %s, ttydpc %s" % (qemu, res.get("kernel", "?"),
                                                m.get("source", "?"))


def plot_mixed(a, boots):
    """rx-trigger.png: ttydpc's RX trigger level over a traced burst-idle-
    burst run (the last boot that has one), with the RBR reads per ms."""
    tr = [(d, r["mixed_trace"]) for d, r in boots if r.get("mixed_trace")]
    if not tr:
        return
    d, t = tr[-1]
    lv = os.path.join(a.out, "rx-trigger-level.dat")
    rx = os.path.join(a.out, "rx-trigger-rbr.dat")
    ev = os.path.join(a.out, "rx-trigger-events.dat")
    level = 1
    t_end = max([x for x, _ in t["rbr_per_ms"]] + [x for _, x in t["events"]] + [1])
    with open(lv, "w") as f:
        f.write("# ms level\n0 %d\n" % level)
        for ms, level in t["fcr"]:
            f.write("%.3f %d\n" % (ms, level))
        f.write("%.3f %d\n" % (t_end + 20, level))
    with open(rx, "w") as f:
        f.write("# ms rbr_reads\n")
        for ms, n in t["rbr_per_ms"]:
            f.write("%d %d\n" % (ms, n))
    with open(ev, "w") as f:
        f.write("# ms event\n")
        for k, ms in t["events"]:
            if k == "byte":
                f.write("%.3f 15.5\n" % ms)
    png = os.path.join(a.out, "rx-trigger.png")
    gp = ["set terminal %s size 1200,540 noenhanced" % png_terminal(),
          "set output '%s'" % png,
          "set title \"ttydpc adaptive RX trigger, dpc=%s, %s: 3 x (100 ms idle, 1 byte echoed, "
          "%s-byte burst echoed); QEMU trace\\n%s\" font ',11'"
          % (d, (a.meta or {}).get("date", ""), t.get("burst_n", "2048"),
             plot_origin(a, dict(boots)[d])),
          "set xlabel 'host time (ms)'", "set ylabel 'RX trigger level (bytes)'",
          "set y2label 'RBR reads per ms'", "set yrange [0:16.5]", "set ytics (1, 4, 8, 14)",
          "set y2range [0:*]", "set y2tics", "set grid ytics", "set key below horizontal",
          "plot '%s' using 1:2 axes x1y2 with impulses lc rgb '#9ecae1' title 'RBR reads per ms', "
          "'%s' using 1:2 with steps lw 2 lc rgb '#d62728' title 'trigger level (FCR)', "
          "'%s' using 1:2 with points pt 7 ps 1.2 lc rgb 'black' "
          "title 'lone byte sent after idle'" % (rx, lv, ev)]
    gnuplot(gp)


def png_terminal():
    try:
        r = subprocess.run(["gnuplot", "-e", "set terminal"], capture_output=True, timeout=10)
        return "pngcairo" if b"pngcairo" in r.stdout + r.stderr else "png"
    except (OSError, subprocess.TimeoutExpired):
        return "png"


def gnuplot(lines):
    try:
        subprocess.run(["gnuplot"], input="\n".join(lines).encode(), check=True)
    except (OSError, subprocess.CalledProcessError) as e:
        log("gnuplot failed: %s (apt-get install gnuplot-nox)" % e)


def main():
    global LOGF
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("mode", choices=("run", "report"))
    ap.add_argument("--kernel")
    ap.add_argument("--initrd")
    ap.add_argument("--out", required=True)
    ap.add_argument("--designs", default="isr,custom,both")
    for opt, default in (("--mem", 512), ("--boot-timeout", 600), ("--regs-kib", 32),
                         ("--regs-reps", 1), ("--ftrace-secs", 3.0), ("--ftrace-reps", 1),
                         ("--ftrace-kb", 16384), ("--echo-n", 1000), ("--echo-reps", 2),
                         ("--slow-chunk", 4096), ("--slow-us", 10000)):
        ap.add_argument(opt, type=type(default), default=default)
    ap.add_argument("--reps", type=int, default=4, help="throughput repetitions per driver")
    ap.add_argument("--xfer-secs", type=float, default=2.5,
                    help="length of each throughput run (the sender stops after it)")
    ap.add_argument("--slow-kib", type=int, default=1536,
                    help="slow reader transfer: must exceed what the tty layer buffers "
                    "(a 640 KiB limit counted in 256-byte units of 512-byte buffers, "
                    "so ~1.25 MiB, plus n_tty's 4 KiB)")
    ap.add_argument("--slow-design", default="",
                    help="the one boot that runs the slow reader and the what-if runs "
                    "(default: both, or the last design)")
    ap.add_argument("--whatif-secs", type=float, default=3.0,
                    help="host->guest run length in the what-if trigger-level runs")
    ap.add_argument("--slow-cap-secs", type=float, default=75.0,
                    help="longest the slow reader's sender may run before the reader starts")
    ap.add_argument("--meta", help="JSON file with date/qemu/host/sizes for the report")
    ap.add_argument("--mixed-bursts", type=int, default=8, help="mixed: bursts per run")
    ap.add_argument("--mixed-bytes", type=int, default=2048, help="mixed: bytes per burst")
    ap.add_argument("--mixed-gap-ms", type=int, default=200, help="mixed: idle before a burst")
    ap.add_argument("--only", default="regs,thru,irqtime,echo,mixed,slow,whatif",
                    help="workloads to run (comma list)")
    ap.add_argument("--keep-trace", action="store_true", help="keep each boot's QEMU trace.log")
    ap.add_argument("--print-sizes", action="store_true", help="describe the sizes and exit")
    a = ap.parse_args()
    if a.print_sizes:
        print("throughput: %g s runs x %d per driver per direction (and duplex); register "
              "accesses: %d KiB x %d; ftrace: %g s x %d; echo: %d x %d round trips; mixed: "
              "%d x (%d ms idle, 1 byte, %d bytes) x %d; slow reader (one boot): %d KiB"
              % (a.xfer_secs, a.reps, a.regs_kib, a.regs_reps, a.ftrace_secs, a.ftrace_reps,
                 a.echo_n, a.echo_reps, a.mixed_bursts, a.mixed_gap_ms, a.mixed_bytes, a.reps,
                 a.slow_kib))
        return 0
    a.designs = [d for d in a.designs.split(",") if d]
    if not a.slow_design:
        a.slow_design = "both" if "both" in a.designs else a.designs[-1]
    a.out = os.path.abspath(a.out)
    os.makedirs(a.out, exist_ok=True)
    if a.meta:
        with open(a.meta) as f:
            a.meta = json.load(f)
    LOGF = open(os.path.join(a.out, "bench.log"), "w" if a.mode == "run" else "a")
    try:
        if a.mode == "run":
            if not (a.kernel and a.initrd):
                ap.error("run needs --kernel and --initrd")
            failed = []
            for d in a.designs:
                # a boot that fails leaves partial results; the others still run
                try:
                    Boot(a, d).run()
                except BenchError as e:
                    log("error: boot %s: %s" % (d, e))
                    failed.append(d)
            if failed:
                log("failed boots: %s" % " ".join(failed))
                return 1
        else:
            report(a)
    except BenchError as e:
        log("error: %s" % e)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
