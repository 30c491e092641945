# SPDX-License-Identifier: GPL-2.0
"""ttydpc: the ttydpc user API (include/uapi/ttydpc.h) from Python.

Serial.sys-style calls on a /dev/ttyDPC<n> port: wait on an event mask
(SetCommMask / WaitCommEvent), purge (PurgeComm), statistics
(IOCTL_SERIAL_GET_STATS) and comm status (ClearCommError). Pure Python:
fcntl.ioctl and struct, nothing compiled, standard library only.

Every function takes the port as a file descriptor or as any object with
a fileno() method, so it works beside pyserial on a port pyserial opened:

    import serial, ttydpc

    ser = serial.Serial("/dev/ttyDPC0", 115200, timeout=1)
    ttydpc.set_mask(ser, ttydpc.EV_RXCHAR | ttydpc.EV_CTS)
    events = ttydpc.wait(ser, timeout=5.0)   # 0: timed out
    if events & ttydpc.EV_RXCHAR:
        data = ser.read(ser.in_waiting)
    print(ttydpc.get_stats(ser).received)

Errors are the kernel's, raised as OSError with its errno (EINVAL for a
bad mask or purge flag, ENOTTY on a port that is not ttydpc's, EIO when
the port hangs up during a wait, ECANCELED when an ABORT purge ends it).
Documentation/ttydpc/uapi.rst describes each call.

The ioctl numbers and struct layouts below mirror include/uapi/ttydpc.h;
they are computed here the way <asm-generic/ioctl.h> computes them.
tools/python/test_uapi.py (make -C tools check, on the host) and the VM
test selftests/ttydpc/api_python.py compare them with the values a C
compiler gives for the header (tools/python/ttydpc_uapi_dump.c).
"""

import collections
import errno
import fcntl
import os
import struct
import threading

__all__ = [
    "set_mask", "get_mask", "wait", "purge", "get_stats", "clear_stats",
    "comm_status", "event_names", "WaitMask", "Stats", "CommStatus",
]

# Events (TTYDPC_EV_*): serial.sys' EV_* values.
EV_RXCHAR = 0x0001      # a character was received
EV_RXFLAG = 0x0002      # the event character was received
EV_TXEMPTY = 0x0004     # the last byte left the transmit queue
EV_CTS = 0x0008         # CTS changed
EV_DSR = 0x0010         # DSR changed
EV_RLSD = 0x0020        # DCD changed
EV_BREAK = 0x0040       # a break was received
EV_ERR = 0x0080         # framing, overrun or parity error
EV_RING = 0x0100        # ring indicator (trailing edge)
EV_RX80FULL = 0x0400    # receive queue 80% full
EV_ALL = 0x05FF

# Purge flags (TTYDPC_PURGE_*): serial.sys' PURGE_* values.
PURGE_TXABORT = 0x0001
PURGE_RXABORT = 0x0002
PURGE_TXCLEAR = 0x0004
PURGE_RXCLEAR = 0x0008
PURGE_ALL = 0x000F

# Latched line errors in CommStatus.errors (TTYDPC_ERR_*).
ERR_FRAME = 0x0001
ERR_OVERRUN = 0x0002    # UART overrun
ERR_RXOVER = 0x0004     # driver queue overrun
ERR_PARITY = 0x0008
ERR_BREAK = 0x0010

# Hold reasons in CommStatus.hold (TTYDPC_HOLD_*).
HOLD_CTS = 0x0001
HOLD_XOFF = 0x0002
HOLD_RX = 0x0004
HOLD_BREAK = 0x0008

# ---- ioctl encoding ------------------------------------------------------
# <asm-generic/ioctl.h> (x86, arm, arm64, riscv, ...): 8 bits number, 8 bits
# type, 14 bits size, 2 bits direction, NONE 0, WRITE 1, READ 2. powerpc,
# mips, sparc and alpha have 13 bits of size, 3 of direction and
# NONE 1, READ 2, WRITE 4 (their asm/ioctl.h).


def _ioc_layout(machine):
    if machine.startswith(("ppc", "powerpc", "mips", "sparc", "alpha")):
        return 13, 1, 4, 2
    return 14, 0, 1, 2


_IOC_SIZEBITS, _IOC_NONE, _IOC_WRITE, _IOC_READ = _ioc_layout(os.uname().machine)
_IOC_NRSHIFT = 0
_IOC_TYPESHIFT = 8
_IOC_SIZESHIFT = 16
_IOC_DIRSHIFT = _IOC_SIZESHIFT + _IOC_SIZEBITS


def _IOC(direction, typ, nr, size):
    if size >> _IOC_SIZEBITS:
        raise ValueError("ioctl argument of %d bytes is too large" % size)
    return ((direction << _IOC_DIRSHIFT) | (typ << _IOC_TYPESHIFT) |
            (nr << _IOC_NRSHIFT) | (size << _IOC_SIZESHIFT))


def _IO(typ, nr):
    return _IOC(_IOC_NONE, typ, nr, 0)


def _IOW(typ, nr, size):
    return _IOC(_IOC_WRITE, typ, nr, size)


def _IOWR(typ, nr, size):
    return _IOC(_IOC_READ | _IOC_WRITE, typ, nr, size)


# ---- structs: fixed layout on 32- and 64-bit, native byte order ------------
# Every struct starts with a version (1); the reserved fields are the pad
# bytes ("x"), which struct.pack writes as zeros, as the kernel requires.
_VERSION = 1
# struct ttydpc_wait_mask: __u32 version, mask; __u8 event_char, reserved[7]
_WAIT_MASK = struct.Struct("=IIB7x")
# struct ttydpc_wait: __u32 version, events, reserved[2]
_WAIT = struct.Struct("=II8x")
# struct ttydpc_stats_user: __u32 version, reserved0; __u64 received,
# transmitted, frame_errors, overrun_errors, buffer_overruns,
# parity_errors, breaks, reserved[4]
_STATS_USER = struct.Struct("=I4x7Q32x")
# struct ttydpc_comm_status: __u32 version, errors, hold, in_queue,
# out_queue, reserved[3]
_COMM_STATUS = struct.Struct("=5I12x")
# TTYDPC_IOC_PURGE's argument: __u32 flags
_U32 = struct.Struct("=I")

IOC_MAGIC = ord("D")
IOC_SET_MASK = _IOW(IOC_MAGIC, 0x40, _WAIT_MASK.size)
IOC_GET_MASK = _IOWR(IOC_MAGIC, 0x41, _WAIT_MASK.size)
IOC_WAIT = _IOWR(IOC_MAGIC, 0x42, _WAIT.size)
IOC_PURGE = _IOW(IOC_MAGIC, 0x43, _U32.size)
IOC_GET_STATS = _IOWR(IOC_MAGIC, 0x44, _STATS_USER.size)
IOC_CLEAR_STATS = _IO(IOC_MAGIC, 0x45)
IOC_COMMSTATUS = _IOWR(IOC_MAGIC, 0x46, _COMM_STATUS.size)

WaitMask = collections.namedtuple("WaitMask", "mask event_char")
Stats = collections.namedtuple(
    "Stats", "received transmitted frame_errors overrun_errors "
    "buffer_overruns parity_errors breaks")
CommStatus = collections.namedtuple("CommStatus", "errors hold in_queue out_queue")

_EV_NAMES = (
    (EV_RXCHAR, "RXCHAR"), (EV_RXFLAG, "RXFLAG"), (EV_TXEMPTY, "TXEMPTY"),
    (EV_CTS, "CTS"), (EV_DSR, "DSR"), (EV_RLSD, "RLSD"), (EV_BREAK, "BREAK"),
    (EV_ERR, "ERR"), (EV_RING, "RING"), (EV_RX80FULL, "RX80FULL"),
)


def _fd(port):
    """The file descriptor of port: an int, or anything with fileno()."""
    if isinstance(port, int):
        return port
    return port.fileno()


def _u32(value, what):
    # Out of range for the __u32 field: the same error the kernel gives for
    # a bad value, rather than struct.error.
    if not isinstance(value, int) or not 0 <= value <= 0xFFFFFFFF:
        raise OSError(errno.EINVAL, "%s %r is not a 32-bit unsigned value" % (what, value))
    return value


def set_mask(port, mask, event_char=0):
    """Set the port's event mask (EV_* bits) and the EV_RXFLAG character.

    event_char is a number 0-255 or a one-character str/bytes. Latched
    events are cleared and every pending wait() ends with 0.
    """
    if isinstance(event_char, str):
        event_char = event_char.encode("latin-1")
    if isinstance(event_char, (bytes, bytearray)):
        if len(event_char) != 1:
            raise OSError(errno.EINVAL, "event_char must be one character")
        event_char = event_char[0]
    if not isinstance(event_char, int) or not 0 <= event_char <= 255:
        raise OSError(errno.EINVAL, "event_char %r is not a byte" % (event_char,))
    arg = _WAIT_MASK.pack(_VERSION, _u32(mask, "mask"), event_char)
    fcntl.ioctl(_fd(port), IOC_SET_MASK, arg)


def get_mask(port):
    """The port's event mask and event character, as WaitMask(mask, event_char)."""
    out = fcntl.ioctl(_fd(port), IOC_GET_MASK, _WAIT_MASK.pack(_VERSION, 0, 0))
    _, mask, event_char = _WAIT_MASK.unpack(out)
    return WaitMask(mask, event_char)


def _wait_once(fd):
    # fcntl.ioctl releases the GIL while the call blocks: other threads
    # (a pyserial reader, the timer below) keep running.
    out = fcntl.ioctl(fd, IOC_WAIT, _WAIT.pack(_VERSION, 0))
    return _WAIT.unpack(out)[1]


def wait(port, timeout=None):
    """Wait for an event of the port's mask; return the EV_* bits that ended it.

    Events latched since the last wait return at once. 0 means the mask
    was set again (by another thread, or by the timeout). With timeout
    (seconds), a timer sets the same mask again when it expires, which
    ends the wait with 0, as SetCommMask ends WaitCommEvent on Windows;
    setting the mask clears latched events, so an event that arrives in
    the instant the timer fires may be lost, and it ends other threads'
    waits on the port with 0 too. Raises OSError: EINVAL
    without a mask, EINTR on a signal, EIO on hangup, close or unbind,
    ECANCELED when an ABORT purge of the watched direction ends it.
    """
    fd = _fd(port)
    if timeout is None:
        return _wait_once(fd)
    lock = threading.Lock()
    done = []

    def expire():
        with lock:
            if done:
                return
            try:
                m = get_mask(fd)
                set_mask(fd, m.mask, m.event_char)
            except OSError:
                pass    # the port went away: the wait ends with EIO anyway

    timer = threading.Timer(max(0.0, timeout), expire)
    timer.daemon = True
    timer.start()
    try:
        return _wait_once(fd)
    finally:
        with lock:
            done.append(True)
        timer.cancel()


def purge(port, flags):
    """Purge (PURGE_* bits): CLEAR drops queued data, ABORT also ends waits."""
    fcntl.ioctl(_fd(port), IOC_PURGE, _U32.pack(_u32(flags, "purge flags")))


def get_stats(port):
    """The port's statistics since the last clear_stats(), as Stats."""
    out = fcntl.ioctl(_fd(port), IOC_GET_STATS, _STATS_USER.pack(_VERSION, *([0] * 7)))
    return Stats(*_STATS_USER.unpack(out)[1:])


def clear_stats(port):
    """Set the port's statistics to zero."""
    fcntl.ioctl(_fd(port), IOC_CLEAR_STATS, 0)


def comm_status(port):
    """Errors latched since the last call (reading clears them), hold
    reasons in force and queue sizes, as CommStatus."""
    out = fcntl.ioctl(_fd(port), IOC_COMMSTATUS, _COMM_STATUS.pack(_VERSION, 0, 0, 0, 0))
    return CommStatus(*_COMM_STATUS.unpack(out)[1:])


def event_names(events):
    """EV_* bits as names, e.g. ["CTS", "DSR"]; unknown bits in hex."""
    names = [n for bit, n in _EV_NAMES if events & bit]
    rest = events & ~EV_ALL
    if rest:
        names.append("0x%x" % rest)
    return names
