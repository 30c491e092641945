// SPDX-License-Identifier: GPL-2.0
/*
 * ttydpc_compat_ioctl.c - ttydpc's ioctls from 32-bit processes on a
 * 64-bit kernel.
 *
 * The serial core's tty_operations have no compat_ioctl, so without this a
 * 32-bit program would get -ENOTTY for every TTYDPC_IOC_* request (the tty
 * layer translates the standard tty ioctls itself). The structs of
 * include/uapi/ttydpc.h have one layout for both ABIs: explicit sizes,
 * every __u64 8-aligned, no pointers, so the ioctl numbers are the same and
 * only the argument pointer needs compat_ptr(). The request then takes the
 * serial core's own ioctl path (tty_port mutex, hangup and dead-port
 * checks) exactly as a native call does.
 *
 * The tty_driver's operations are the serial core's static table; ttydpc
 * installs a copy with compat_ioctl filled in, right after
 * uart_register_driver() and before any port exists, so no tty can be open
 * while the pointer changes.
 */
#include <linux/compat.h>
#include <linux/tty_driver.h>

#include "ttydpc.h"

#ifdef CONFIG_COMPAT
static const struct tty_operations *ttydpc_core_tty_ops __ro_after_init;
/*
 * Not const (checkpatch's CONST_STRUCT warning here is expected): the copy
 * is completed at module init and read-only after it.
 */
static struct tty_operations ttydpc_tty_ops __ro_after_init;

static long ttydpc_compat_ioctl(struct tty_struct *tty, unsigned int cmd,
				unsigned long arg)
{
	switch (cmd) {
	case TTYDPC_IOC_SET_MASK:
	case TTYDPC_IOC_GET_MASK:
	case TTYDPC_IOC_WAIT:
	case TTYDPC_IOC_PURGE:
	case TTYDPC_IOC_GET_STATS:
	case TTYDPC_IOC_CLEAR_STATS:
	case TTYDPC_IOC_COMMSTATUS:
		return ttydpc_core_tty_ops->ioctl(tty, cmd,
						  (unsigned long)compat_ptr(arg));
	default:
		return -ENOIOCTLCMD;
	}
}

#endif

/**
 * ttydpc_compat_ioctl_install() - give the tty driver a compat_ioctl
 * @drv: ttydpc's uart_driver, registered, with no port added yet
 *
 * Does nothing on a kernel without CONFIG_COMPAT.
 *
 * Context: process, module init.
 */
void ttydpc_compat_ioctl_install(struct uart_driver *drv)
{
#ifdef CONFIG_COMPAT
	ttydpc_core_tty_ops = drv->tty_driver->ops;
	ttydpc_tty_ops = *ttydpc_core_tty_ops;
	ttydpc_tty_ops.compat_ioctl = ttydpc_compat_ioctl;
	tty_set_operations(drv->tty_driver, &ttydpc_tty_ops);
#endif
}
