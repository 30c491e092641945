# SPDX-License-Identifier: GPL-2.0
"""ttydpc: the ttydpc user API (include/uapi/ttydpc.h) from Python.

Serial.sys-style calls on a /dev/ttyDPC<n> port: wait on an event mask
(SetCommMask / WaitCommEvent), purge (PurgeComm), statistics
(IOCTL_SERIAL_GET_STATS) and comm status (ClearCommError). Pure Python:
fcntl.ioctl and struct, nothing compiled, standard library only.

The calls go to an event file, /dev/ttydpc attached to an open tty, not to
the tty itself. Port(tty) opens and attaches one; tty is a file descriptor,
any object with a fileno() method (a pyserial Serial) or a path, which Port
then opens and closes itself. Port.fileno() is the event file's descriptor:
select, selectors and asyncio wait on it, and it turns readable when a wait
on the mask has ended, so an event loop needs no thread:

    import serial, ttydpc

    ser = serial.Serial("/dev/ttyDPC0", 115200, timeout=1)
    port = ttydpc.Port(ser)
    port.set_mask(ttydpc.EV_RXCHAR | ttydpc.EV_CTS)
    events = port.wait(timeout=5.0)   # None: timed out
    if events and events & ttydpc.EV_RXCHAR:
        data = ser.read(ser.in_waiting)
    print(port.get_stats().received)

    # asyncio: loop.add_reader(port.fileno(), lambda: print(port.read_event()))

The module-level functions (set_mask(port, ...), wait(port), ...) take a
Port or an event file's descriptor. Errors are the kernel's, raised as
OSError with its errno (EINVAL for a bad mask or purge flag or a tty that
is not ttydpc's at attach time, ENOTTY for a call sent to a tty, EIO when
the port is closed or hangs up during a wait, ENODEV once it is unbound,
ECANCELED when an ABORT purge ends a wait). Documentation/ttydpc/uapi.rst
describes each call.

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
import select
import struct

__all__ = [
    "Port", "set_mask", "get_mask", "wait", "read_event", "purge", "get_stats",
    "clear_stats", "comm_status", "event_names", "WaitMask", "Stats", "CommStatus",
    "EVENT_DEV",
]

# The event file's device node (TTYDPC_EVENT_DEV).
EVENT_DEV = "/dev/ttydpc"

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
# struct ttydpc_event (what read() returns): __u32 version, events, reserved[2]
_EVENT = struct.Struct("=II8x")
# struct ttydpc_stats_user: __u32 version, reserved0; __u64 received,
# transmitted, frame_errors, overrun_errors, buffer_overruns,
# parity_errors, breaks, reserved[4]
_STATS_USER = struct.Struct("=I4x7Q32x")
# struct ttydpc_comm_status: __u32 version, errors, hold, in_queue,
# out_queue, reserved[3]
_COMM_STATUS = struct.Struct("=5I12x")
# TTYDPC_IOC_PURGE's argument: __u32 flags
_U32 = struct.Struct("=I")
# TTYDPC_IOC_ATTACH's argument: __s32, the tty's file descriptor
_S32 = struct.Struct("=i")

IOC_MAGIC = ord("D")
IOC_SET_MASK = _IOW(IOC_MAGIC, 0x40, _WAIT_MASK.size)
IOC_GET_MASK = _IOWR(IOC_MAGIC, 0x41, _WAIT_MASK.size)
IOC_PURGE = _IOW(IOC_MAGIC, 0x43, _U32.size)
IOC_GET_STATS = _IOWR(IOC_MAGIC, 0x44, _STATS_USER.size)
IOC_CLEAR_STATS = _IO(IOC_MAGIC, 0x45)
IOC_COMMSTATUS = _IOWR(IOC_MAGIC, 0x46, _COMM_STATUS.size)
IOC_ATTACH = _IOW(IOC_MAGIC, 0x47, _S32.size)

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
    events are cleared and every pending wait() ends with 0, on every
    event file of the port.
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


def read_event(port):
    """One ended wait, without blocking: its EV_* bits (0: a new mask ended
    it), or None when none has ended. The non-blocking read an event loop
    calls once port's fileno() is readable; like poll, it starts a wait
    when none is pending."""
    fd = _fd(port)
    if not _readable(fd, 0):
        return None
    return _read(fd)


def _readable(fd, ms):
    # poll, not select: any descriptor number; POLLERR/POLLHUP count, so
    # the read that follows raises the error
    p = select.poll()
    p.register(fd, select.POLLIN | select.POLLRDNORM)
    return bool(p.poll(ms))


def _read(fd):
    # os.read releases the GIL while the read blocks: other threads (a
    # pyserial reader) keep running.
    data = os.read(fd, _EVENT.size)
    version, events = _EVENT.unpack(data)
    if version != _VERSION:
        raise OSError(errno.EPROTO, "event version %d" % version)
    return events


def wait(port, timeout=None):
    """Wait for an event of the port's mask; return the EV_* bits that ended it.

    Events latched since the last wait return at once; 0 means the mask was
    set again (by this or another process). With timeout (seconds), None
    when nothing ended the wait in time: the wait stays pending on the
    event file, so an event that comes later is returned by the next
    wait(), not lost. A signal does not lose it either (OSError EINTR, or
    Python's retry). Raises OSError: EINVAL without a mask, EIO when the
    port is closed or hangs up, ENODEV after an unbind, ECANCELED when an
    ABORT purge of the watched direction ends it.
    """
    fd = _fd(port)
    if timeout is not None and not _readable(fd, max(0, int(timeout * 1000))):
        return None
    return _read(fd)


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


class Port:
    """An event file (/dev/ttydpc) attached to an open /dev/ttyDPC<n>.

    tty: a file descriptor, an object with fileno() (pyserial's Serial),
    or a path, opened here (read-write, no controlling tty, non-blocking)
    and closed by close(). The tty must stay open while the Port is used:
    its last close closes the port (calls then fail with EIO). nonblock:
    open the event file O_NONBLOCK (wait() without timeout then raises
    BlockingIOError while no wait has ended). A context manager.
    """

    def __init__(self, tty, nonblock=False):
        self._tty = None
        if isinstance(tty, (str, bytes, os.PathLike)):
            self._tty = os.open(tty, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK | os.O_CLOEXEC)
            ttyfd = self._tty
        else:
            ttyfd = _fd(tty)
        flags = os.O_RDWR | os.O_CLOEXEC | (os.O_NONBLOCK if nonblock else 0)
        try:
            self._fd = os.open(EVENT_DEV, flags)
        except OSError:
            self._close_tty()
            raise
        try:
            fcntl.ioctl(self._fd, IOC_ATTACH, _S32.pack(ttyfd))
        except OSError:
            os.close(self._fd)
            self._close_tty()
            raise

    def _close_tty(self):
        if self._tty is not None:
            os.close(self._tty)
            self._tty = None

    def fileno(self):
        """The event file's descriptor, for select/selectors/asyncio."""
        if self._fd is None:
            raise ValueError("I/O operation on a closed ttydpc.Port")
        return self._fd

    @property
    def tty_fd(self):
        """The tty's descriptor when Port opened it from a path, else None."""
        return self._tty

    def close(self):
        """Close the event file (and the tty when Port opened it)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        self._close_tty()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        try:
            self.close()
        except (OSError, AttributeError):
            pass

    def set_mask(self, mask, event_char=0):
        """set_mask() on this Port."""
        set_mask(self, mask, event_char)

    def get_mask(self):
        """get_mask() on this Port."""
        return get_mask(self)

    def wait(self, timeout=None):
        """wait() on this Port."""
        return wait(self, timeout)

    def read_event(self):
        """read_event() on this Port."""
        return read_event(self)

    def purge(self, flags):
        """purge() on this Port."""
        purge(self, flags)

    def get_stats(self):
        """get_stats() on this Port."""
        return get_stats(self)

    def clear_stats(self):
        """clear_stats() on this Port."""
        clear_stats(self)

    def comm_status(self):
        """comm_status() on this Port."""
        return comm_status(self)


def event_names(events):
    """EV_* bits as names, e.g. ["CTS", "DSR"]; unknown bits in hex."""
    names = [n for bit, n in _EV_NAMES if events & bit]
    rest = events & ~EV_ALL
    if rest:
        names.append("0x%x" % rest)
    return names
