// SPDX-License-Identifier: GPL-2.0
/*
 * ttydpc_pnp.c - PNP binding: the PC's built-in COM ports as ACPI/PNP
 * describes them (PNP0500/PNP0501). 8250_pnp claims them first; a user
 * moves one with unbind and bind under /sys/bus/pnp/drivers.
 */
#include <linux/pnp.h>

#include "ttydpc.h"

static int ttydpc_pnp_probe(struct pnp_dev *dev, const struct pnp_device_id *id)
{
	struct ttydpc_port *p;
	resource_size_t base;
	int ret;

	if (!pnp_port_valid(dev, 0) || !pnp_irq_valid(dev, 0))
		return dev_err_probe(&dev->dev, -ENODEV, "no I/O port or IRQ assigned\n");
	base = pnp_port_start(dev, 0);
	if (!devm_request_region(&dev->dev, base, 8, TTYDPC_NAME))
		return dev_err_probe(&dev->dev, -EBUSY, "I/O 0x%llx busy\n", (u64)base);

	p = devm_kzalloc(&dev->dev, sizeof(*p), GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	p->dev = &dev->dev;
	p->port.iotype = UPIO_PORT;
	p->port.iobase = base;
	p->port.irq = pnp_irq(dev, 0);
	if (pnp_irq_flags(dev, 0) & IORESOURCE_IRQ_SHAREABLE) {
		p->port.irqflags = IRQF_SHARED;
		p->port.flags |= UPF_SHARE_IRQ;
	}
	p->port.uartclk = TTYDPC_PC_UARTCLK;
	p->port.flags |= UPF_SKIP_TEST;
	ret = ttydpc_port_register(p);
	if (ret)
		return ret;
	pnp_set_drvdata(dev, p);
	return 0;
}

static void ttydpc_pnp_remove(struct pnp_dev *dev)
{
	ttydpc_port_unregister(pnp_get_drvdata(dev));
}

static const struct pnp_device_id ttydpc_pnp_ids[] = {
	{ "PNP0500", 0 },	/* 8250/16450 compatible */
	{ "PNP0501", 0 },	/* 16550A compatible */
	{ "", 0 }
};
MODULE_DEVICE_TABLE(pnp, ttydpc_pnp_ids);

static struct pnp_driver ttydpc_pnp_driver = {
	.name		= TTYDPC_NAME,
	.id_table	= ttydpc_pnp_ids,
	.probe		= ttydpc_pnp_probe,
	.remove		= ttydpc_pnp_remove,
	.driver.pm	= &ttydpc_pm_ops,
};

/**
 * ttydpc_pnp_register() - register the PNP driver
 */
int ttydpc_pnp_register(void)
{
	return IS_ENABLED(CONFIG_PNP) ? pnp_register_driver(&ttydpc_pnp_driver) : 0;
}

/**
 * ttydpc_pnp_unregister() - unregister the PNP driver
 */
void ttydpc_pnp_unregister(void)
{
	if (IS_ENABLED(CONFIG_PNP))
		pnp_unregister_driver(&ttydpc_pnp_driver);
}
