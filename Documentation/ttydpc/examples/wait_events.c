// SPDX-License-Identifier: GPL-2.0
/*
 * wait_events.c: wait for modem-line changes and received data on a
 * ttyDPC port, the Windows WaitCommEvent way, in an epoll loop that also
 * reads the data; then print the statistics.
 *
 *   gcc -Wall -I include -o wait_events \
 *       Documentation/ttydpc/examples/wait_events.c
 *   ./wait_events /dev/ttyDPC0
 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <uapi/ttydpc.h>	/* or copy include/uapi/ttydpc.h */

int main(int argc, char **argv)
{
	struct ttydpc_wait_mask wm = { .version = 1 };
	struct ttydpc_stats_user st = { .version = 1 };
	struct ttydpc_comm_status cs = { .version = 1 };
	struct epoll_event e = { .events = EPOLLIN };
	struct termios t;
	__u32 purge = TTYDPC_PURGE_RXCLEAR | TTYDPC_PURGE_TXCLEAR;
	int fd, efd, ep, i;

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

	/* the event file: the Windows-style calls go there, not to the tty */
	efd = open(TTYDPC_EVENT_DEV, O_RDWR | O_CLOEXEC);
	if (efd < 0 || ioctl(efd, TTYDPC_IOC_ATTACH, &fd)) {
		perror(TTYDPC_EVENT_DEV);
		return 1;
	}

	/* start clean: drop anything received or queued before */
	if (ioctl(efd, TTYDPC_IOC_PURGE, &purge))
		perror("TTYDPC_IOC_PURGE");

	/*
	 * The mask belongs to the open port: it stays set while any fd of
	 * the port is open and is cleared by the last close.
	 */
	wm.mask = TTYDPC_EV_RXCHAR | TTYDPC_EV_CTS | TTYDPC_EV_DSR |
		  TTYDPC_EV_RLSD | TTYDPC_EV_RING | TTYDPC_EV_ERR;
	if (ioctl(efd, TTYDPC_IOC_SET_MASK, &wm)) {
		perror("TTYDPC_IOC_SET_MASK");
		return 1;
	}

	/* one loop for the events and the data: no thread, no signal */
	ep = epoll_create1(EPOLL_CLOEXEC);
	e.data.fd = efd;
	epoll_ctl(ep, EPOLL_CTL_ADD, efd, &e);
	e.data.fd = fd;
	epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e);
	for (i = 0; i < 10; i++) {
		struct epoll_event got[2];
		int n = epoll_wait(ep, got, 2, 5000);

		if (n == 0)
			printf("nothing in 5 s\n");
		for (int k = 0; k < n; k++) {
			struct ttydpc_event ev;
			char buf[256];

			if (got[k].data.fd == fd) {
				printf("read %zd bytes\n", read(fd, buf, sizeof(buf)));
				continue;
			}
			/* readable: a wait has ended, read() does not block */
			if (read(efd, &ev, sizeof(ev)) != sizeof(ev)) {
				perror("read");	/* EIO: closed or hung up */
				return 1;
			}
			printf("events 0x%04x:%s%s%s%s%s%s\n", ev.events,
			       ev.events & TTYDPC_EV_RXCHAR ? " rxchar" : "",
			       ev.events & TTYDPC_EV_CTS ? " cts" : "",
			       ev.events & TTYDPC_EV_DSR ? " dsr" : "",
			       ev.events & TTYDPC_EV_RLSD ? " dcd" : "",
			       ev.events & TTYDPC_EV_RING ? " ring" : "",
			       ev.events & TTYDPC_EV_ERR ? " error" : "");
		}
	}

	if (ioctl(efd, TTYDPC_IOC_GET_STATS, &st) == 0)
		printf("rx %llu tx %llu frame %llu overrun %llu parity %llu break %llu lost %llu\n",
		       (unsigned long long)st.received,
		       (unsigned long long)st.transmitted,
		       (unsigned long long)st.frame_errors,
		       (unsigned long long)st.overrun_errors,
		       (unsigned long long)st.parity_errors,
		       (unsigned long long)st.breaks,
		       (unsigned long long)st.buffer_overruns);
	/* errors latched since the last call (reading clears them) */
	if (ioctl(efd, TTYDPC_IOC_COMMSTATUS, &cs) == 0)
		printf("errors 0x%x hold 0x%x in %u out %u\n",
		       cs.errors, cs.hold, cs.in_queue, cs.out_queue);
	close(ep);
	close(efd);
	close(fd);
	return 0;
}
