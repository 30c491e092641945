// SPDX-License-Identifier: GPL-2.0
/*
 * ttydpc_isa.c - legacy ISA ports named on the command line:
 *   modprobe ttydpc io=0x2f8,0x3e8 irq=3,5
 * Each pair becomes a platform device "ttydpc-isa.<i>". Bad parameters
 * stop the module from loading; an address where no UART answers gets a
 * message and no port, and the rest load.
 */
#include <linux/ioport.h>
#include <linux/module.h>
#include <linux/platform_device.h>

#include "ttydpc.h"

#define TTYDPC_ISA_MAX	4

static unsigned long io[TTYDPC_ISA_MAX];
static unsigned int nr_io;
module_param_hw_array(io, ulong, ioport, &nr_io, 0444);
MODULE_PARM_DESC(io, "I/O base of legacy ISA UARTs (up to 4)");

static int irq[TTYDPC_ISA_MAX];
static unsigned int nr_irq;
module_param_hw_array(irq, int, irq, &nr_irq, 0444);
MODULE_PARM_DESC(irq, "IRQ of each io= UART, in the same order (1-15)");

static struct platform_device *ttydpc_isa_devs[TTYDPC_ISA_MAX];

static int ttydpc_isa_probe(struct platform_device *pdev)
{
	struct device *dev = &pdev->dev;
	struct ttydpc_port *p;
	struct resource *res;
	int irqno;

	res = platform_get_resource(pdev, IORESOURCE_IO, 0);
	if (!res)
		return dev_err_probe(dev, -EINVAL, "no I/O resource\n");
	irqno = platform_get_irq(pdev, 0);
	if (irqno < 0)
		return irqno;
	if (!devm_request_region(dev, res->start, 8, TTYDPC_NAME))
		return dev_err_probe(dev, -EBUSY, "I/O 0x%llx busy (another driver owns it?)\n",
				     (u64)res->start);

	p = devm_kzalloc(dev, sizeof(*p), GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	p->dev = dev;
	p->port.iotype = UPIO_PORT;
	p->port.iobase = res->start;
	p->port.irq = irqno;
	p->port.uartclk = TTYDPC_PC_UARTCLK;
	platform_set_drvdata(pdev, p);
	return ttydpc_port_register(p);
}

static void ttydpc_isa_remove(struct platform_device *pdev)
{
	ttydpc_port_unregister(platform_get_drvdata(pdev));
}

static struct platform_driver ttydpc_isa_driver = {
	.driver = {
		.name = "ttydpc-isa",
		.pm = &ttydpc_pm_ops,
	},
	.probe = ttydpc_isa_probe,
	TTYDPC_PLATFORM_REMOVE(ttydpc_isa_remove),
};

static int ttydpc_isa_check_params(void)
{
	unsigned int i;

	/* Elsewhere inb() on an unmapped port faults, and irq= is not an ISA line. */
	if (nr_io && !IS_ENABLED(CONFIG_X86)) {
		pr_err(TTYDPC_NAME ": io=: legacy ISA ports exist only on x86\n");
		return -EINVAL;
	}
	if (nr_io != nr_irq) {
		pr_err(TTYDPC_NAME ": io= has %u entries but irq= has %u: give one IRQ per port\n",
		       nr_io, nr_irq);
		return -EINVAL;
	}
	for (i = 0; i < nr_io; i++) {
		if (io[i] < 0x100 || io[i] > 0xfff8 || (io[i] & 7)) {
			pr_err(TTYDPC_NAME ": io=0x%lx: not an ISA UART address (0x100-0xfff8, 8-byte aligned)\n",
			       io[i]);
			return -EINVAL;
		}
		if (irq[i] < 1 || irq[i] > 15) {
			pr_err(TTYDPC_NAME ": irq=%d for io=0x%lx: ISA IRQs are 1-15\n",
			       irq[i], io[i]);
			return -EINVAL;
		}
	}
	return 0;
}

/**
 * ttydpc_isa_register() - validate io=/irq= and create their devices
 *
 * Return: 0, or -EINVAL for bad parameters (the module does not load).
 */
int ttydpc_isa_register(void)
{
	unsigned int i;
	int ret;

	ret = ttydpc_isa_check_params();
	if (ret)
		return ret;
	ret = platform_driver_register(&ttydpc_isa_driver);
	if (ret)
		return ret;
	for (i = 0; i < nr_io; i++) {
		struct resource res[] = {
			DEFINE_RES_IO(io[i], 8),
			DEFINE_RES_IRQ(irq[i]),
		};
		struct platform_device *pdev;

		pdev = platform_device_register_simple("ttydpc-isa", i, res,
						       ARRAY_SIZE(res));
		if (IS_ERR(pdev)) {
			pr_err(TTYDPC_NAME ": io=0x%lx: cannot create device: %ld\n",
			       io[i], PTR_ERR(pdev));
			continue;
		}
		ttydpc_isa_devs[i] = pdev;
	}
	return 0;
}

/**
 * ttydpc_isa_unregister() - remove the io= devices and the driver
 */
void ttydpc_isa_unregister(void)
{
	unsigned int i;

	for (i = 0; i < TTYDPC_ISA_MAX; i++) {
		platform_device_unregister(ttydpc_isa_devs[i]);
		ttydpc_isa_devs[i] = NULL;
	}
	platform_driver_unregister(&ttydpc_isa_driver);
}
