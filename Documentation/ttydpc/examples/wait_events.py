#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Wait for modem-line changes and received data on a ttyDPC port, with
pyserial for the port and the ttydpc module for the Windows-style calls.

    python3 wait_events.py /dev/ttyDPC0
"""
import sys

import serial   # pyserial: apt-get install python3-serial
import ttydpc   # tools/python/ttydpc.py, installed by make install

port = serial.Serial(sys.argv[1], 115200, timeout=0)
# Every ttydpc call takes the Serial object (anything with fileno()) or
# a file descriptor.
ttydpc.purge(port, ttydpc.PURGE_RXCLEAR | ttydpc.PURGE_TXCLEAR)
ttydpc.set_mask(port, ttydpc.EV_RXCHAR | ttydpc.EV_CTS | ttydpc.EV_DSR |
                ttydpc.EV_RLSD | ttydpc.EV_RING | ttydpc.EV_ERR)

# wait() blocks until an event of the mask; with timeout= it returns 0
# when the time is up (it sets the mask again, as SetCommMask ends a
# WaitCommEvent on Windows).
for _ in range(10):
    events = ttydpc.wait(port, timeout=5.0)   # OSError(EIO) on hangup
    if events == 0:
        print('no event in 5 s')
        continue
    print('events:', ' '.join(ttydpc.event_names(events)))
    if events & ttydpc.EV_RXCHAR:
        print('data:', port.read(port.in_waiting))
    if events & (ttydpc.EV_CTS | ttydpc.EV_DSR | ttydpc.EV_RLSD):
        print('lines: cts', port.cts, 'dsr', port.dsr, 'dcd', port.cd)
    if events & ttydpc.EV_ERR:
        print('line error:', ttydpc.comm_status(port))

stats = ttydpc.get_stats(port)          # a namedtuple, fields as in C
print('received', stats.received, 'overruns', stats.overrun_errors)
ttydpc.clear_stats(port)
port.close()
