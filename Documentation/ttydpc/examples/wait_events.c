// SPDX-License-Identifier: GPL-2.0
/*
 * wait_events.c: wait for modem-line changes and received data on a
 * ttyDPC port, the Windows WaitCommEvent way, then print the statistics.
 *
 *   gcc -Wall -I include -o wait_events \
 *       Documentation/ttydpc/examples/wait_events.c
 *   ./wait_events /dev/ttyDPC0
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <uapi/ttydpc.h>	/* or copy include/uapi/ttydpc.h */

static void on_alarm(int sig)
{
	(void)sig;	/* only here to interrupt the wait (EINTR) */
}

int main(int argc, char **argv)
{
	struct ttydpc_wait_mask wm = { .version = 1 };
	struct ttydpc_stats_user st = { .version = 1 };
	struct ttydpc_comm_status cs = { .version = 1 };
	struct sigaction sa = { .sa_handler = on_alarm };	/* no SA_RESTART */
	struct termios t;
	__u32 purge = TTYDPC_PURGE_RXCLEAR | TTYDPC_PURGE_TXCLEAR;
	int fd, i;

	if (argc != 2) {
		fprintf(stderr, "usage: %s /dev/ttyDPC<n>\n", argv[0]);
		return 2;
	}
	/* O_NONBLOCK: do not wait for carrier (DCD) in open() */
	fd = open(argv[1], O_RDWR | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		perror(argv[1]);
		return 1;
	}
	/* 115200 8N1, raw, ignore DCD (CLOCAL) */
	tcgetattr(fd, &t);
	cfmakeraw(&t);
	cfsetspeed(&t, B115200);
	t.c_cflag |= CLOCAL | CREAD;
	tcsetattr(fd, TCSANOW, &t);

	/* start clean: drop anything received or queued before */
	if (ioctl(fd, TTYDPC_IOC_PURGE, &purge))
		perror("TTYDPC_IOC_PURGE");

	/*
	 * The mask belongs to the open port: it stays set while any fd of
	 * the port is open and is cleared by the last close.
	 */
	wm.mask = TTYDPC_EV_RXCHAR | TTYDPC_EV_CTS | TTYDPC_EV_DSR |
		  TTYDPC_EV_RLSD | TTYDPC_EV_RING | TTYDPC_EV_ERR;
	if (ioctl(fd, TTYDPC_IOC_SET_MASK, &wm)) {
		perror("TTYDPC_IOC_SET_MASK");
		return 1;
	}

	/* a wait has no timeout of its own: a signal ends it with EINTR */
	sigaction(SIGALRM, &sa, NULL);
	for (i = 0; i < 10; i++) {
		struct ttydpc_wait w = { .version = 1 };

		alarm(5);
		if (ioctl(fd, TTYDPC_IOC_WAIT, &w)) {
			if (errno == EINTR) {
				printf("no event in 5 s\n");
				continue;
			}
			perror("TTYDPC_IOC_WAIT");	/* EIO: hangup/unbind */
			break;
		}
		alarm(0);
		printf("events 0x%04x:%s%s%s%s%s%s\n", w.events,
		       w.events & TTYDPC_EV_RXCHAR ? " rxchar" : "",
		       w.events & TTYDPC_EV_CTS ? " cts" : "",
		       w.events & TTYDPC_EV_DSR ? " dsr" : "",
		       w.events & TTYDPC_EV_RLSD ? " dcd" : "",
		       w.events & TTYDPC_EV_RING ? " ring" : "",
		       w.events & TTYDPC_EV_ERR ? " error" : "");
		if (w.events & TTYDPC_EV_RXCHAR) {
			char buf[256];
			ssize_t n = read(fd, buf, sizeof(buf));

			printf("read %zd bytes\n", n);
		}
	}
	alarm(0);

	if (ioctl(fd, TTYDPC_IOC_GET_STATS, &st) == 0)
		printf("rx %llu tx %llu frame %llu overrun %llu parity %llu break %llu lost %llu\n",
		       (unsigned long long)st.received,
		       (unsigned long long)st.transmitted,
		       (unsigned long long)st.frame_errors,
		       (unsigned long long)st.overrun_errors,
		       (unsigned long long)st.parity_errors,
		       (unsigned long long)st.breaks,
		       (unsigned long long)st.buffer_overruns);
	/* errors latched since the last call (reading clears them) */
	if (ioctl(fd, TTYDPC_IOC_COMMSTATUS, &cs) == 0)
		printf("errors 0x%x hold 0x%x in %u out %u\n",
		       cs.errors, cs.hold, cs.in_queue, cs.out_queue);
	close(fd);
	return 0;
}
