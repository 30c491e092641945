// SPDX-License-Identifier: GPL-2.0
/*
 * ttydpc_pci.c - PCI binding: the cards of include/ttydpc_pci_boards.h, one
 * shared INTx line for all ports of a function. 8250_pci claims them first;
 * moving a function to ttydpc: Documentation/ttydpc/hardware.rst.
 */
#include <linux/pci.h>

#include "ttydpc.h"
#include "ttydpc_pci_boards.h"

struct ttydpc_pci {
	unsigned int nr;
	struct ttydpc_port *ports[];
};

/* Claim and map one port's registers; devm undoes both on unbind. */
static int ttydpc_pci_map(struct pci_dev *pdev, struct ttydpc_port *p,
			  const struct ttydpc_pci_loc *loc)
{
	resource_size_t start = pci_resource_start(pdev, loc->bar) + loc->offset;
	resource_size_t len = 8 << loc->regshift;
	struct device *dev = &pdev->dev;

	p->port.regshift = loc->regshift;
	if (!loc->mem) {
		if (!devm_request_region(dev, start, len, TTYDPC_NAME))
			return dev_err_probe(dev, -EBUSY, "I/O 0x%llx busy\n", (u64)start);
		p->port.iotype = UPIO_PORT;
		p->port.iobase = start;
		return 0;
	}
	if (!devm_request_mem_region(dev, start, len, TTYDPC_NAME))
		return dev_err_probe(dev, -EBUSY, "MMIO %pa busy\n", &start);
	p->port.membase = devm_ioremap(dev, start, len);
	if (!p->port.membase)
		return dev_err_probe(dev, -ENOMEM, "cannot map MMIO %pa\n", &start);
	p->port.iotype = loc->regshift == 2 ? UPIO_MEM32 : UPIO_MEM;
	p->port.mapbase = start;
	return 0;
}

/*
 * The board's layout is checked against the BARs before the function is
 * enabled or anything is touched: a function bound by driver_override may
 * be any device at all.
 */
static int ttydpc_pci_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct ttydpc_pci_loc loc[TTYDPC_PCI_MAX_PORTS];
	unsigned long board_id = id->driver_data;
	const struct ttydpc_pci_board *b = ttydpc_pci_board_get(board_id);
	struct ttydpc_pci_fn fn = { .subdevice = pdev->subsystem_device };
	struct device *dev = &pdev->dev;
	struct ttydpc_pci *priv;
	int i, nr, ret;

	if (board_id == TTYDPC_PCI_NONE)
		return dev_err_probe(dev, -ENODEV,
				     "%04x:%04x is not in ttydpc's card table; for a plain 16550 card (BAR 0, 8 bytes per port, 1.8432 MHz) give its port count N (1-%d) as driver_data: echo \"%04x %04x ffffffff ffffffff 0 0 N\" > /sys/bus/pci/drivers/ttydpc/new_id (see Documentation/ttydpc/hardware.rst)\n",
				     pdev->vendor, pdev->device, TTYDPC_PCI_GENERIC_MAX,
				     pdev->vendor, pdev->device);
	if (!b)
		return dev_err_probe(dev, -EINVAL, "driver_data 0x%lx is no ttydpc board number\n",
				     board_id);
	if (b->refusal != TTYDPC_PCI_OK)
		return dev_err_probe(dev, -ENODEV, "%s is not supported: %s\n",
				     b->name, ttydpc_pci_refusal_why(b->refusal));

	for (i = 0; i < TTYDPC_PCI_NR_BARS; i++) {
		fn.bar_len[i] = pci_resource_len(pdev, i);
		if (pci_resource_flags(pdev, i) & IORESOURCE_MEM)
			fn.bar_mem |= BIT(i);
		else if (!(pci_resource_flags(pdev, i) & IORESOURCE_IO))
			fn.bar_len[i] = 0;
	}
	nr = ttydpc_pci_decode(board_id, &fn, loc, ARRAY_SIZE(loc));
	if (nr < 0)
		return dev_err_probe(dev, -ENODEV, "%s: %s\n", b->name, ttydpc_pci_strerror(nr));

	ret = pcim_enable_device(pdev);
	if (ret)
		return dev_err_probe(dev, ret, "cannot enable device\n");

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
		ret = ttydpc_pci_map(pdev, p, &loc[i]);
		if (ret)
			goto err;
		p->port.irq = pdev->irq;
		p->port.irqflags = IRQF_SHARED;
		p->port.uartclk = loc[i].uartclk;
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

#define TTYDPC_PCI_ID(vend, dev, board) \
	{ PCI_DEVICE(vend, dev), .driver_data = TTYDPC_PCI_##board }
#define TTYDPC_PCI_ID_SUB(vend, dev, svend, sdev, board) \
	{ PCI_DEVICE_SUB(vend, dev, svend, sdev), .driver_data = TTYDPC_PCI_##board }

/*
 * More specific entries first: the PCI core takes the first match. The
 * NetMos/MosChip subsystem IDs are those 8250_pci lists; other
 * subsystems of these chips are parallel ports or unknown layouts.
 */
static const struct pci_device_id ttydpc_pci_ids[] = {
	/* QEMU pci-serial, -2x, -4x */
	TTYDPC_PCI_ID(0x1b36, 0x0002, GENERIC_1),
	TTYDPC_PCI_ID(0x1b36, 0x0003, GENERIC_2),
	TTYDPC_PCI_ID(0x1b36, 0x0004, GENERIC_4),
	TTYDPC_PCI_ID_SUB(0x9710, 0x9865, 0xa000, 0x1000, NETMOS_1S),
	TTYDPC_PCI_ID_SUB(0x9710, 0x9865, 0xa000, 0x3002, NETMOS_9865_2S),
	TTYDPC_PCI_ID_SUB(0x9710, 0x9865, 0xa000, 0x3004, NETMOS_9865_4S),
	TTYDPC_PCI_ID_SUB(0x9710, 0x9900, 0xa000, 0x1000, NETMOS_1S),
	TTYDPC_PCI_ID_SUB(0x9710, 0x9900, 0xa000, 0x3002, NETMOS_9900_2S),
	TTYDPC_PCI_ID_SUB(0x9710, 0x9901, 0xa000, 0x1000, NETMOS_1S),
	TTYDPC_PCI_ID_SUB(0x9710, 0x9904, 0xa000, 0x1000, NETMOS_1S),
	TTYDPC_PCI_ID_SUB(0x9710, 0x9912, 0xa000, 0x1000, NETMOS_1S),
	TTYDPC_PCI_ID_SUB(0x9710, 0x9922, 0xa000, 0x1000, NETMOS_1S),
	TTYDPC_PCI_ID_SUB(0x125b, 0x9100, 0xa000, 0x1000, NETMOS_1S),
	TTYDPC_PCI_ID_SUB(0x9710, 0x9835, 0x1014, 0x0299, NETMOS_9835_IBM),
	TTYDPC_PCI_ID(0x9710, 0x9835, NETMOS_98X5),
	TTYDPC_PCI_ID(0x9710, 0x9845, NETMOS_98X5),
	TTYDPC_PCI_ID(0x1c00, 0x2273, WCH_BT2),		/* CH351 2S */
	TTYDPC_PCI_ID(0x4348, 0x3253, WCH_BT2),		/* CH352 2S */
	TTYDPC_PCI_ID(0x4348, 0x5046, WCH_BT2),		/* CH353 2S1PF */
	TTYDPC_PCI_ID(0x4348, 0x3453, WCH_BT4),		/* CH353 4S */
	TTYDPC_PCI_ID(0x4348, 0x7173, WCH_BT4),		/* CH355 4S */
	TTYDPC_PCI_ID(0x1c00, 0x3253, WCH_CH382_2S),
	TTYDPC_PCI_ID(0x1c00, 0x3470, WCH_CH384_4S),
	TTYDPC_PCI_ID(0x1c00, 0x3853, WCH_CH384_8S),
	TTYDPC_PCI_ID(0x12d8, 0x7951, PERICOM_7951),
	TTYDPC_PCI_ID(0x12d8, 0x7952, PERICOM_7952),
	TTYDPC_PCI_ID(0x12d8, 0x7954, PERICOM_7954),
	TTYDPC_PCI_ID(0x12d8, 0x7958, PERICOM_7958),
	TTYDPC_PCI_ID(0x1415, 0xc11b, OXPCIE_1),
	TTYDPC_PCI_ID(0x1415, 0xc11f, OXPCIE_1),
	TTYDPC_PCI_ID(0x1415, 0xc138, OXPCIE_1),
	TTYDPC_PCI_ID(0x1415, 0xc13d, OXPCIE_1),
	TTYDPC_PCI_ID(0x1415, 0xc158, OXPCIE_2),
	TTYDPC_PCI_ID(0x1415, 0xc15d, OXPCIE_2),
	TTYDPC_PCI_ID(0x1415, 0xc208, OXPCIE_4),
	TTYDPC_PCI_ID(0x1415, 0xc20d, OXPCIE_4),
	TTYDPC_PCI_ID(0x1415, 0xc308, OXPCIE_8),
	TTYDPC_PCI_ID(0x1415, 0xc30d, OXPCIE_8),
	TTYDPC_PCI_ID(0x13a8, 0x0152, EXAR_C152),
	TTYDPC_PCI_ID(0x13a8, 0x0154, EXAR_C154),
	TTYDPC_PCI_ID(0x13a8, 0x0158, EXAR_C158),
	TTYDPC_PCI_ID(0x13a8, 0x0352, EXAR_V352),
	TTYDPC_PCI_ID(0x13a8, 0x0354, EXAR_V354),
	TTYDPC_PCI_ID(0x13a8, 0x0358, EXAR_V358),
	/*
	 * new_id only takes a driver_data that some entry here carries: these
	 * carry the plain port counts no card above has. Vendor 0xffff is
	 * what an empty slot reads; no device has it, so they never match.
	 */
	{ PCI_DEVICE(0xffff, 0xffff), .driver_data = 3 },
	{ PCI_DEVICE(0xffff, 0xffff), .driver_data = 5 },
	{ PCI_DEVICE(0xffff, 0xffff), .driver_data = 6 },
	{ PCI_DEVICE(0xffff, 0xffff), .driver_data = 7 },
	{ PCI_DEVICE(0xffff, 0xffff), .driver_data = 8 },
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
 */
int ttydpc_pci_register(void)
{
	return pci_register_driver(&ttydpc_pci_driver);
}

/**
 * ttydpc_pci_unregister() - unregister the PCI driver (removes its ports)
 */
void ttydpc_pci_unregister(void)
{
	pci_unregister_driver(&ttydpc_pci_driver);
}
