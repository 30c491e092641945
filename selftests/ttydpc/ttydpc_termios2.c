// SPDX-License-Identifier: GPL-2.0
/*
 * ttydpc selftests: termios2 access (TCGETS2/TCSETS2, BOTHER).
 *
 * Kept in its own file: <asm/termbits.h> clashes with glibc's <termios.h>.
 */
#include <asm/ioctls.h>
#include <asm/termbits.h>
#include <errno.h>
#include <sys/ioctl.h>

#include "ttydpc_test.h"

int tt_tcgets2_speed(int fd, unsigned int *ispeed, unsigned int *ospeed,
		     unsigned int *cflag)
{
	struct termios2 t;

	if (ioctl(fd, TCGETS2, &t))
		return -errno;
	if (ispeed)
		*ispeed = t.c_ispeed;
	if (ospeed)
		*ospeed = t.c_ospeed;
	if (cflag)
		*cflag = t.c_cflag;
	return 0;
}

int tt_tcsets2_baud(int fd, unsigned int baud)
{
	struct termios2 t;

	if (ioctl(fd, TCGETS2, &t))
		return -errno;
	t.c_cflag &= ~(CBAUD | (CBAUD << IBSHIFT));
	t.c_cflag |= BOTHER | (BOTHER << IBSHIFT);
	t.c_ispeed = baud;
	t.c_ospeed = baud;
	if (ioctl(fd, TCSETS2, &t))
		return -errno;
	return 0;
}

bool tt_cflag_is_bother(unsigned int cflag)
{
	return (cflag & CBAUD) == BOTHER;
}
