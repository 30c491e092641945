// SPDX-License-Identifier: GPL-2.0
/*
 * console_rs485: a console write on a port in RS-485 mode drives RTS as a
 * transmission does. A helper of console.sh (one TAP case there).
 *
 *   console_rs485   (TTYDPC_PORT, TTYDPC_CTL, TTYDPC_CHAN from the environment)
 *
 * With RS-485 on (RTS high on send, low after, 20 ms delays each side),
 * the port held open by this program, it logs one line through
 * /dev/kmsg and reads the THR/MCR writes back from QEMU's trace (host
 * peer MARK / SEQ 0 4). The trace does not say which UART was written and
 * the line also goes out on ttyS0's console; only ttydpc writes MCR here,
 * so the copy it sent is the one between an MCR write raising RTS and
 * one dropping it. Passes when such a copy exists with nothing dropping
 * RTS inside, a delay (20 ms asked, at least 2 ms of host time seen:
 * see MIN_DELAY_S) between the rise and the first byte and between the
 * last byte and the fall, and the line reached the host.
 * Exit status: 0 pass, 1 fail, 4 skip (no host peer).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/serial.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "ttydpc_test.h"

#define REG_THR		0
#define REG_MCR		4
#define MCR_RTS		0x02
#define MAX_EV		4096
#define DELAY_MS	20
/*
 * The console cannot sleep: its delays are mdelay(), a busy-wait on the
 * guest's TSC calibration, which under TCG can be off by a factor (8.4 ms
 * of host time seen for mdelay(20) in one boot, 19.9 ms in the next).
 * QEMU stamps the trace with host time, so the check is that a delay is
 * there (a missing one shows as well under 0.1 ms), not its length; the
 * tty path's delays are hrtimers, and tty_rs485 checks their length.
 */
#define MIN_DELAY_S	0.002

static struct tt_reg_ev ev[MAX_EV];

/*
 * The first copy of @s in consecutive THR writes (MCR writes between
 * them allowed) at or after @from: *start and the return value are the
 * indexes of its first and last byte, -1 when there is none.
 */
static int find_text(int n, int from, const char *s, int *start)
{
	size_t len = strlen(s), k;
	int i, j;

	for (i = from; i < n; i++) {
		if (ev[i].reg != REG_THR || ev[i].val != (uint8_t)s[0])
			continue;
		for (j = i, k = 0; j < n && k < len; j++) {
			if (ev[j].reg != REG_THR)
				continue;
			if (ev[j].val != (uint8_t)s[k])
				break;
			k++;
		}
		if (k == len) {
			*start = i;
			return j - 1;
		}
	}
	return -1;
}

/* Does the copy [first, last] sit between RTS rising and falling? */
static int bracketed(int n, int first, int last)
{
	int i, on = -1, off = -1;

	for (i = first - 1; i >= 0 && on < 0; i--)
		if (ev[i].reg == REG_MCR)
			on = i;
	for (i = first; i <= last; i++)
		if (ev[i].reg == REG_MCR) {
			printf("# MCR 0x%02x written inside the console's bytes\n", ev[i].val);
			return 0;
		}
	for (i = last + 1; i < n && off < 0; i++)
		if (ev[i].reg == REG_MCR)
			off = i;
	if (on < 0 || off < 0 || !(ev[on].val & MCR_RTS) || (ev[off].val & MCR_RTS))
		return 0;
	printf("# RTS up %.1f ms before the first byte, down %.1f ms after the last\n",
	       (ev[first].t - ev[on].t) * 1e3, (ev[off].t - ev[last].t) * 1e3);
	if (ev[on].t >= 0 && ev[first].t - ev[on].t < MIN_DELAY_S) {
		printf("# no delay_rts_before_send (%d ms asked)\n", DELAY_MS);
		return 0;
	}
	if (ev[off].t >= 0 && ev[off].t - ev[last].t < MIN_DELAY_S) {
		printf("# no delay_rts_after_send (%d ms asked)\n", DELAY_MS);
		return 0;
	}
	return 1;
}

int main(void)
{
	const char *port = tt_env("TTYDPC_PORT"), *chan = tt_env("TTYDPC_CHAN");
	struct serial_rs485 rs = {
		.flags = SER_RS485_ENABLED | SER_RS485_RTS_ON_SEND,
		.delay_rts_before_send = DELAY_MS,
		.delay_rts_after_send = DELAY_MS,
	};
	struct serial_rs485 off = { 0 };
	char reply[8192], hex[128], token[64], line[80];
	int fd, kfd, n, i, start = 0, end, ok = 0, r;
	struct tt_ctl c = { .fd = -1 };

	if (!port || !chan || tt_ctl_open_env(&c) <= 0) {
		printf("# no host peer (TTYDPC_PORT, TTYDPC_CTL, TTYDPC_CHAN)\n");
		return 4;
	}
	fd = tt_open_raw(port, 115200);
	if (fd < 0) {
		printf("# %s: %s\n", port, strerror(-fd));
		return 1;
	}
	if (ioctl(fd, TIOCSRS485, &rs)) {
		printf("# TIOCSRS485: %s\n", strerror(errno));
		return 1;
	}
	snprintf(token, sizeof(token), "ttydpc-rs485-console-%d", (int)getpid());
	for (i = 0; token[i]; i++)
		snprintf(hex + 2 * i, 3, "%02x", (unsigned char)token[i]);
	if (tt_ctl_cmd(&c, reply, sizeof(reply), 10000, "TRACE on serial_write") != 1 ||
	    tt_ctl_cmd(&c, reply, sizeof(reply), 10000, "FLUSH %s", chan) != 1 ||
	    tt_ctl_cmd(&c, reply, sizeof(reply), 10000, "MARK") != 1) {
		printf("# host peer: %s\n", reply);
		return 1;
	}
	kfd = open("/dev/kmsg", O_WRONLY);
	snprintf(line, sizeof(line), "<2>%s\n", token);
	if (kfd < 0 || write(kfd, line, strlen(line)) < 0) {
		printf("# /dev/kmsg: %s\n", strerror(errno));
		return 1;
	}
	close(kfd);
	/* the tail, and a thread-printed console (PREEMPT_RT) */
	usleep(500 * 1000);
	n = tt_ctl_seq(&c, "0 4", ev, MAX_EV);
	tt_ctl_cmd(&c, reply, sizeof(reply), 10000, "TRACE off serial_write");
	/*
	 * What the host received, as hex: the request line carries no copy
	 * of the token for the trace to find.
	 */
	r = tt_ctl_cmd(&c, reply, sizeof(reply), 10000, "GET %s 4000 2", chan);
	ioctl(fd, TIOCSRS485, &off);
	close(fd);
	tt_ctl_close(&c);
	if (n < 0) {
		printf("# SEQ: %s\n", strerror(-n));
		return 1;
	}
	if (r != 1 || !strstr(reply, hex)) {
		printf("# the line did not reach the host\n");
		return 1;
	}
	for (i = 0; (end = find_text(n, i, token, &start)) >= 0; i = end + 1) {
		printf("# the line in THR writes %d..%d of %d\n", start, end, n);
		if (bracketed(n, start, end))
			ok = 1;
	}
	if (!ok)
		printf("# no copy of the line between RTS up and RTS down\n");
	return ok ? 0 : 1;
}
