// SPDX-License-Identifier: GPL-2.0
/*
 * ttydpc_pci.c - PCI binding: QEMU's pci-serial family (one I/O BAR, eight
 * registers per port, one shared INTx line for all ports of a function).
 *
 * The in-tree 8250_pci claims these first; a user moves a function to
 * ttydpc with driver_override, unbind and drivers_probe (see README).
 */
#include <linux/pci.h>

#include "ttydpc.h"

struct ttydpc_pci {
	unsigned int nr;
	struct ttydpc_port *ports[];
};

static int ttydpc_pci_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	unsigned int nr = id->driver_data, i;
	struct device *dev = &pdev->dev;
	struct ttydpc_pci *priv;
	resource_size_t base;
	int ret;

	ret = pcim_enable_device(pdev);
	if (ret)
		return dev_err_probe(dev, ret, "cannot enable device\n");
	if (!(pci_resource_flags(pdev, 0) & IORESOURCE_IO) ||
	    pci_resource_len(pdev, 0) < 8 * nr)
		return dev_err_probe(dev, -ENODEV, "BAR 0 is not an I/O window for %u ports\n", nr);
	base = pci_resource_start(pdev, 0);
	if (!devm_request_region(dev, base, 8 * nr, TTYDPC_NAME))
		return dev_err_probe(dev, -EBUSY, "I/O 0x%llx busy\n", (u64)base);

	priv = devm_kzalloc(dev, struct_size(priv, ports, nr), GFP_KERNEL);
	if (!priv)
		return -ENOMEM;
	pci_set_drvdata(pdev, priv);

	for (i = 0; i < nr; i++) {
		struct ttydpc_port *p = devm_kzalloc(dev, sizeof(*p), GFP_KERNEL);

		if (!p) {
			ret = -ENOMEM;
			goto err;
		}
		p->dev = dev;
		p->port.iotype = UPIO_PORT;
		p->port.iobase = base + 8 * i;
		p->port.irq = pdev->irq;
		p->port.irqflags = IRQF_SHARED;
		p->port.uartclk = TTYDPC_PC_UARTCLK;
		p->port.flags = UPF_SKIP_TEST | UPF_SHARE_IRQ;
		ret = ttydpc_port_register(p);
		if (ret)
			goto err;
		priv->ports[priv->nr++] = p;
	}
	return 0;
err:
	while (priv->nr)
		ttydpc_port_unregister(priv->ports[--priv->nr]);
	return ret;
}

static void ttydpc_pci_remove(struct pci_dev *pdev)
{
	struct ttydpc_pci *priv = pci_get_drvdata(pdev);

	while (priv->nr)
		ttydpc_port_unregister(priv->ports[--priv->nr]);
}

static const struct pci_device_id ttydpc_pci_ids[] = {
	{ PCI_DEVICE(PCI_VENDOR_ID_REDHAT, 0x0002), .driver_data = 1 },
	{ PCI_DEVICE(PCI_VENDOR_ID_REDHAT, 0x0003), .driver_data = 2 },
	{ PCI_DEVICE(PCI_VENDOR_ID_REDHAT, 0x0004), .driver_data = 4 },
	{ }
};
MODULE_DEVICE_TABLE(pci, ttydpc_pci_ids);

static struct pci_driver ttydpc_pci_driver = {
	.name		= TTYDPC_NAME,
	.id_table	= ttydpc_pci_ids,
	.probe		= ttydpc_pci_probe,
	.remove		= ttydpc_pci_remove,
	.driver.pm	= &ttydpc_pm_ops,
};

/**
 * ttydpc_pci_register() - register the PCI driver
 *
 * Context: module init.
 * Return: 0 or negative errno.
 */
int ttydpc_pci_register(void)
{
	return pci_register_driver(&ttydpc_pci_driver);
}

/**
 * ttydpc_pci_unregister() - unregister the PCI driver (removes its ports)
 *
 * Context: module exit.
 */
void ttydpc_pci_unregister(void)
{
	pci_unregister_driver(&ttydpc_pci_driver);
}
