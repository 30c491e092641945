// SPDX-License-Identifier: GPL-2.0
/*
 * ttydpc_pm.c - system suspend and resume, one set of dev_pm_ops for every
 * bus binding.
 *
 * The serial core does the work: uart_suspend_port() stops an open port
 * and calls ->shutdown, uart_resume_port() calls ->startup, set_termios
 * with the tty's termios, set_mctrl with the saved modem lines and
 * start_tx. So suspend is a close that the user does not see, and resume
 * an open that reprograms a UART which lost its registers (suspend to
 * RAM): what ->shutdown ends and what ->startup restores is the whole
 * story, written in Documentation/ttydpc/design.rst ("Suspend and
 * resume"). What this file adds is finding the ports of a device and the
 * order: the ports of a multi-port card go down last line first and come
 * back first line first.
 */
#include <linux/device.h>
#include <linux/pm.h>

#include "ttydpc.h"

static void ttydpc_pm_resume_lines(struct device *dev)
{
	struct ttydpc_port *p;
	unsigned int line;

	for (line = 0; line < TTYDPC_NR_PORTS; line++) {
		p = ttydpc_port_of(dev, line);
		if (p)
			uart_resume_port(&ttydpc_uart_driver, &p->port);
	}
}

static int ttydpc_pm_suspend(struct device *dev)
{
	struct ttydpc_port *p;
	unsigned int line;
	int ret;

	for (line = TTYDPC_NR_PORTS; line-- > 0;) {
		p = ttydpc_port_of(dev, line);
		if (!p)
			continue;
		ret = uart_suspend_port(&ttydpc_uart_driver, &p->port);
		if (ret) {
			/*
			 * The PM core resumes only devices that suspended;
			 * a port not suspended is left as it is.
			 */
			ttydpc_pm_resume_lines(dev);
			return ret;
		}
	}
	return 0;
}

static int ttydpc_pm_resume(struct device *dev)
{
	ttydpc_pm_resume_lines(dev);
	return 0;
}

/*
 * The same pair serves hibernation (freeze/thaw, poweroff/restore): the
 * image is written with the port quiet, and a restore finds a UART in
 * whatever state the boot kernel left it, which startup reprograms.
 */
DEFINE_SIMPLE_DEV_PM_OPS(ttydpc_pm_ops, ttydpc_pm_suspend, ttydpc_pm_resume);
