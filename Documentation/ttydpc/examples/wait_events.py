#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Wait for modem-line changes and received data on a ttyDPC port, with
pyserial for the port and the ttydpc module for the Windows-style calls.

    python3 wait_events.py /dev/ttyDPC0
"""
import sys
import threading

import serial   # pyserial: apt-get install python3-serial
import ttydpc   # tools/python/ttydpc.py, installed by make install

port = serial.Serial(sys.argv[1], 115200, timeout=0)
# Every ttydpc call takes the Serial object (anything with fileno()) or
# a file descriptor.
ttydpc.purge(port, ttydpc.PURGE_RXCLEAR | ttydpc.PURGE_TXCLEAR)
ttydpc.set_mask(port, ttydpc.EV_RXCHAR | ttydpc.EV_CTS | ttydpc.EV_DSR |
                ttydpc.EV_RLSD | ttydpc.EV_RING | ttydpc.EV_ERR)

# A wait has no timeout of its own. Setting the mask again ends every
# pending wait with events == 0: here a timer does that after 30 s.
stop = threading.Timer(30, ttydpc.set_mask, (port, 0))
stop.start()
while True:
    events = ttydpc.wait(port)      # blocks; OSError(EIO) on hangup
    if events == 0:
        break                       # the mask was changed: stop
    if events & ttydpc.EV_RXCHAR:
        print('data:', port.read(port.in_waiting))
    if events & (ttydpc.EV_CTS | ttydpc.EV_DSR | ttydpc.EV_RLSD):
        print('lines: cts', port.cts, 'dsr', port.dsr, 'dcd', port.cd)
    if events & ttydpc.EV_RING:
        print('ring')
    if events & ttydpc.EV_ERR:
        print('line error:', ttydpc.comm_status(port))
stop.cancel()

print(ttydpc.get_stats(port))
ttydpc.clear_stats(port)
port.close()
