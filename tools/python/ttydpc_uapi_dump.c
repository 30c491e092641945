// SPDX-License-Identifier: GPL-2.0
/*
 * ttydpc_uapi_dump: print the values of include/uapi/ttydpc.h as the C
 * compiler sees them, one "NAME VALUE" line each (ioctl numbers, struct
 * sizes, event/purge/error/hold bits).
 *
 * ttydpc.py computes the same values itself (it has no compiled parts);
 * test_uapi.py on the host and api_python.py in the test VM compare its
 * values with this program's output, so a change to the header that the
 * module does not follow fails a test.
 */
#include <stdio.h>

#include "../../include/uapi/ttydpc.h"

#define P(x)	printf("%s %lu\n", #x, (unsigned long)(x))

int main(void)
{
	P(TTYDPC_IOC_SET_MASK);
	P(TTYDPC_IOC_GET_MASK);
	P(TTYDPC_IOC_ATTACH);
	P(TTYDPC_IOC_PURGE);
	P(TTYDPC_IOC_GET_STATS);
	P(TTYDPC_IOC_CLEAR_STATS);
	P(TTYDPC_IOC_COMMSTATUS);
	printf("sizeof_wait_mask %zu\n", sizeof(struct ttydpc_wait_mask));
	printf("sizeof_event %zu\n", sizeof(struct ttydpc_event));
	printf("sizeof_stats_user %zu\n", sizeof(struct ttydpc_stats_user));
	printf("sizeof_comm_status %zu\n", sizeof(struct ttydpc_comm_status));
	P(TTYDPC_EV_RXCHAR);
	P(TTYDPC_EV_RXFLAG);
	P(TTYDPC_EV_TXEMPTY);
	P(TTYDPC_EV_CTS);
	P(TTYDPC_EV_DSR);
	P(TTYDPC_EV_RLSD);
	P(TTYDPC_EV_BREAK);
	P(TTYDPC_EV_ERR);
	P(TTYDPC_EV_RING);
	P(TTYDPC_EV_RX80FULL);
	P(TTYDPC_EV_ALL);
	P(TTYDPC_PURGE_TXABORT);
	P(TTYDPC_PURGE_RXABORT);
	P(TTYDPC_PURGE_TXCLEAR);
	P(TTYDPC_PURGE_RXCLEAR);
	P(TTYDPC_PURGE_ALL);
	P(TTYDPC_ERR_FRAME);
	P(TTYDPC_ERR_OVERRUN);
	P(TTYDPC_ERR_RXOVER);
	P(TTYDPC_ERR_PARITY);
	P(TTYDPC_ERR_BREAK);
	P(TTYDPC_HOLD_CTS);
	P(TTYDPC_HOLD_XOFF);
	P(TTYDPC_HOLD_RX);
	P(TTYDPC_HOLD_BREAK);
	return 0;
}
