// SPDX-License-Identifier: GPL-2.0
/*
 * ttydpc_pm.c - system suspend and resume for every bus binding. The serial
 * core does the work (Documentation/ttydpc/design.rst, "Suspend and
 * resume"); this file finds a device's ports and orders them: last line
 * first down, first line first up.
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
			/* the PM core resumes only devices that suspended */
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

/* Hibernation too: startup reprograms what the boot kernel left. */
DEFINE_SIMPLE_DEV_PM_OPS(ttydpc_pm_ops, ttydpc_pm_suspend, ttydpc_pm_resume);
