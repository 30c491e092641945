// SPDX-License-Identifier: GPL-2.0
/* Compile probe (Kbuild): platform_driver.remove returns void (6.11+). */
#include <linux/platform_device.h>

static void ttydpc_probe_remove(struct platform_device *pdev)
{
}

static struct platform_driver ttydpc_probe_driver __used = {
	.remove = ttydpc_probe_remove,
};
