// SPDX-License-Identifier: GPL-2.0
/*
 * ttydpc_main.c - module entry: the uart_driver, the dpc= parameter and
 * the bus bindings.
 */
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/string.h>

#include "ttydpc.h"

/*
 * RX and TX completions share one deferred object (one queuing per
 * interrupt); rare events keep their own, never waiting behind a long
 * receive completion.
 */
enum ttydpc_design ttydpc_default_design = TTYDPC_DESIGN_BOTH;

static int ttydpc_param_set_dpc(const char *val, const struct kernel_param *kp)
{
	int i = sysfs_match_string(ttydpc_design_names, val);

	if (i < 0) {
		pr_err(TTYDPC_NAME ": dpc=%s: expected isr, custom or both\n", val);
		return -EINVAL;
	}
	ttydpc_default_design = i;
	return 0;
}

static int ttydpc_param_get_dpc(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%s\n", ttydpc_design_names[ttydpc_default_design]);
}

static const struct kernel_param_ops ttydpc_dpc_param_ops = {
	.set = ttydpc_param_set_dpc,
	.get = ttydpc_param_get_dpc,
};
module_param_cb(dpc, &ttydpc_dpc_param_ops, NULL, 0444);
MODULE_PARM_DESC(dpc, "Deferral design: isr (one DpcForIsr), custom (CustomDpcs) or both (default)");

struct uart_driver ttydpc_uart_driver = {
	.owner		= THIS_MODULE,
	.driver_name	= TTYDPC_NAME,
	.dev_name	= TTYDPC_DEV_NAME,
	.nr		= TTYDPC_NR_PORTS,
	.cons		= &ttydpc_console,
};

static int __init ttydpc_init(void)
{
	int ret;

	ttydpc_debugfs_init();
	ret = uart_register_driver(&ttydpc_uart_driver);
	if (ret)
		goto err_debugfs;
	/*
	 * The tty core pins a tty driver's owner while a tty of it exists, but
	 * uart_register_driver() makes that the serial core: without this an
	 * rmmod with a port open frees port state under the tty (KASAN).
	 * The core fix: Documentation/ttydpc/upstream/ (compat.rst).
	 */
	ttydpc_uart_driver.tty_driver->owner = THIS_MODULE;
	ret = ttydpc_event_file_register();
	if (ret)
		goto err_uart;
	ret = ttydpc_isa_register();
	if (ret)
		goto err_event_file;
	ret = ttydpc_pci_register();
	if (ret)
		goto err_isa;
	ret = ttydpc_pnp_register();
	if (ret)
		goto err_pci;
	ret = ttydpc_of_register();
	if (ret)
		goto err_pnp;
	return 0;

err_pnp:
	ttydpc_pnp_unregister();
err_pci:
	ttydpc_pci_unregister();
err_isa:
	ttydpc_isa_unregister();
err_event_file:
	ttydpc_event_file_unregister();
err_uart:
	uart_unregister_driver(&ttydpc_uart_driver);
err_debugfs:
	ttydpc_debugfs_exit();
	return ret;
}

static void __exit ttydpc_exit(void)
{
	ttydpc_of_unregister();
	ttydpc_pnp_unregister();
	ttydpc_pci_unregister();
	ttydpc_isa_unregister();
	ttydpc_event_file_unregister();
	uart_unregister_driver(&ttydpc_uart_driver);
	ttydpc_debugfs_exit();
}

module_init(ttydpc_init);
module_exit(ttydpc_exit);

MODULE_DESCRIPTION("16550 UART driver with Windows-style deferred procedure calls");
MODULE_LICENSE("GPL");
MODULE_VERSION(TTYDPC_VERSION);
