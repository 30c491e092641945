#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Wait for modem-line changes and received data on a ttyDPC port, with
pyserial for the port and the ttydpc module for the Windows-style calls.

    python3 wait_events.py /dev/ttyDPC0
"""
import sys

import serial   # pyserial: apt-get install python3-serial
import ttydpc   # tools/python/ttydpc.py, installed by make install

ser = serial.Serial(sys.argv[1], 115200, timeout=0)
# The event file, attached to the port pyserial opened (anything with
# fileno(), or a file descriptor, or a path).
port = ttydpc.Port(ser)
port.purge(ttydpc.PURGE_RXCLEAR | ttydpc.PURGE_TXCLEAR)
port.set_mask(ttydpc.EV_RXCHAR | ttydpc.EV_CTS | ttydpc.EV_DSR |
              ttydpc.EV_RLSD | ttydpc.EV_RING | ttydpc.EV_ERR)

# wait() blocks until an event of the mask; with timeout= it returns None
# when the time is up, and the wait stays pending: an event that comes
# later is returned by the next wait(), not lost.
for _ in range(10):
    events = port.wait(timeout=5.0)     # OSError(EIO) when the port closes
    if events is None:
        print('no event in 5 s')
        continue
    print('events:', ' '.join(ttydpc.event_names(events)))
    if events & ttydpc.EV_RXCHAR:
        print('data:', ser.read(ser.in_waiting))
    if events & (ttydpc.EV_CTS | ttydpc.EV_DSR | ttydpc.EV_RLSD):
        print('lines: cts', ser.cts, 'dsr', ser.dsr, 'dcd', ser.cd)
    if events & ttydpc.EV_ERR:
        print('line error:', port.comm_status())

stats = port.get_stats()                # a namedtuple, fields as in C
print('received', stats.received, 'overruns', stats.overrun_errors)
port.clear_stats()
port.close()
ser.close()
