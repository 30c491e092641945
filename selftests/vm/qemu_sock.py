# SPDX-License-Identifier: GPL-2.0
"""QEMU's unix sockets from the host side, shared by vm/hostpeer.py and
bench/bench.py: connecting to a server socket QEMU is still creating, and
a minimal QMP client. Standard library only."""

import json
import socket
import threading
import time


def connect_unix(path, timeout=20.0):
    """Connect to a QEMU server socket, waiting for QEMU to create it."""
    deadline = time.monotonic() + timeout
    while True:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(path)
            return s
        except OSError:
            s.close()
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


class QMP:
    """One command at a time (from any thread), events ignored. Connects at
    the first command (or connect()); failures raise error(text)."""

    def __init__(self, path, error=RuntimeError, timeout=20.0):
        self.path = path
        self.error = error
        self.timeout = timeout
        self.lock = threading.Lock()
        self.f = None

    def _cmd(self, name, args):
        self.f.write(json.dumps({"execute": name, "arguments": args}).encode() + b"\n")
        while True:
            line = self.f.readline()
            if not line:
                raise self.error("qmp closed")
            msg = json.loads(line)
            if "return" in msg:
                return msg["return"]
            if "error" in msg:
                raise self.error("qmp %s" % msg["error"].get("desc", "error").replace("\n", " "))

    def connect(self):
        with self.lock:
            if self.f is None:
                try:
                    s = connect_unix(self.path, self.timeout)
                except OSError as e:
                    raise self.error("cannot connect to %s: %s" % (self.path, e)) from e
                self.f = s.makefile("rwb", buffering=0)
                json.loads(self.f.readline())  # greeting
                self._cmd("qmp_capabilities", {})

    def cmd(self, command, **args):
        self.connect()
        with self.lock:
            return self._cmd(command, args)

    def trace(self, on, events):
        """QEMU's trace events on or off."""
        for ev in events:
            self.cmd("trace-event-set-state", name=ev, enable=on)
