// SPDX-License-Identifier: GPL-2.0
/*
 * ttydpc_of.c - device-tree binding (bindings/serial/ttydpc,uart.yaml). Only
 * ttydpc's own compatibles match: a UART moves to ttydpc by an overlay
 * (dts/), never by accident.
 */
#include <linux/clk.h>
#include <linux/io.h>
#include <linux/mod_devicetable.h>
#include <linux/module.h>
#include <linux/platform_device.h>
#include <linux/property.h>
#include <linux/reset.h>
#include <linux/serial_reg.h>

#include "ttydpc.h"

/* DesignWare APB UART status register, as a register index (offset 0x7c). */
#define TTYDPC_DW_USR	31

/*
 * The clock must give at least the lowest termios rate, B50: below 32 Hz
 * uart_get_baud_rate() finds no rate at all and returns 0, and anything
 * below 800 Hz is a typo for a value in kHz or MHz. Above 1 GHz the
 * divisor arithmetic in set_termios could overflow.
 */
#define TTYDPC_OF_MIN_CLK	(16 * 50)
#define TTYDPC_OF_MAX_CLK	1000000000

struct ttydpc_of_variant {
	bool dw_apb;
};

static const struct ttydpc_of_variant ttydpc_of_16550 = { .dw_apb = false };
static const struct ttydpc_of_variant ttydpc_of_dw_apb = { .dw_apb = true };

static void ttydpc_of_reset_assert(void *rst)
{
	reset_control_assert(rst);
}

static int ttydpc_of_check_clock(struct device *dev, unsigned long rate,
				 const char *from)
{
	if (rate < TTYDPC_OF_MIN_CLK || rate > TTYDPC_OF_MAX_CLK)
		return dev_err_probe(dev, -EINVAL,
				     "%s %lu Hz unsupported (%u to %u)\n", from, rate,
				     TTYDPC_OF_MIN_CLK, TTYDPC_OF_MAX_CLK);
	return 0;
}

static int ttydpc_of_clock(struct device *dev, struct ttydpc_port *p)
{
	struct clk *clk;
	unsigned long rate;
	u32 freq;

	if (!device_property_read_u32(dev, "clock-frequency", &freq)) {
		if (ttydpc_of_check_clock(dev, freq, "clock-frequency"))
			return -EINVAL;
		p->port.uartclk = freq;
		return 0;
	}
	clk = devm_clk_get_optional_enabled(dev, NULL);
	if (IS_ERR(clk))
		return dev_err_probe(dev, PTR_ERR(clk), "cannot enable clocks\n");
	rate = clk ? clk_get_rate(clk) : 0;
	if (!rate)
		return dev_err_probe(dev, -EINVAL,
				     "no clock rate: give clock-frequency or clocks\n");
	if (ttydpc_of_check_clock(dev, rate, "clocks rate"))
		return -EINVAL;
	p->port.uartclk = rate;
	return 0;
}

/*
 * Width 4 needs shift 2: 32-bit accesses at byte offsets fault on device
 * memory. A DesignWare UART's USR (0x7c) exists only with shift 2. Width 1
 * with shift 2 is fine and found on real boards.
 */
static int ttydpc_of_regs(struct platform_device *pdev, struct ttydpc_port *p,
			  bool dw_apb)
{
	struct device *dev = &pdev->dev;
	u32 shift = 0, width = 1;
	struct resource *res;
	resource_size_t span, size;

	device_property_read_u32(dev, "reg-shift", &shift);
	if (shift != 0 && shift != 2)
		return dev_err_probe(dev, -EINVAL, "reg-shift %u unsupported (0 or 2)\n", shift);
	device_property_read_u32(dev, "reg-io-width", &width);
	if (width != 1 && width != 4)
		return dev_err_probe(dev, -EINVAL, "reg-io-width %u unsupported (1 or 4)\n", width);
	if (width == 4 && shift != 2)
		return dev_err_probe(dev, -EINVAL,
				     "reg-io-width 4 needs reg-shift 2, not %u\n", shift);
	if (dw_apb && shift != 2)
		return dev_err_probe(dev, -EINVAL,
				     "dw-apb-uart needs reg-shift 2 (USR at 0x7c), not %u\n",
				     shift);
	span = ((dw_apb ? TTYDPC_DW_USR : UART_SCR) + 1) << shift;

	res = platform_get_resource(pdev, IORESOURCE_MEM, 0);
	size = res ? resource_size(res) : 0;
	if (res && size < span)
		return dev_err_probe(dev, -EINVAL, "reg: size %pa, registers need %pa\n",
				     &size, &span);
	p->port.membase = devm_platform_get_and_ioremap_resource(pdev, 0, &res);
	if (IS_ERR(p->port.membase))
		return dev_err_probe(dev, PTR_ERR(p->port.membase), "reg: cannot map\n");
	p->port.mapbase = res->start;
	p->port.mapsize = resource_size(res);
	p->port.regshift = shift;
	p->port.iotype = width == 4 ? UPIO_MEM32 : UPIO_MEM;
	return 0;
}

static int ttydpc_of_probe(struct platform_device *pdev)
{
	const struct ttydpc_of_variant *variant;
	struct device *dev = &pdev->dev;
	struct reset_control *rst;
	struct ttydpc_port *p;
	int irq, ret;

	variant = device_get_match_data(dev);
	p = devm_kzalloc(dev, sizeof(*p), GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	p->dev = dev;

	ret = ttydpc_of_regs(pdev, p, variant && variant->dw_apb);
	if (ret)
		return ret;
	irq = platform_get_irq(pdev, 0);
	if (irq < 0)
		return dev_err_probe(dev, irq, "interrupts: none usable\n");
	p->port.irq = irq;

	rst = devm_reset_control_get_optional_exclusive(dev, NULL);
	if (IS_ERR(rst))
		return dev_err_probe(dev, PTR_ERR(rst), "resets: cannot get\n");
	if (rst) {
		ret = reset_control_deassert(rst);
		if (ret)
			return dev_err_probe(dev, ret, "resets: cannot deassert\n");
		ret = devm_add_action_or_reset(dev, ttydpc_of_reset_assert, rst);
		if (ret)
			return ret;
	}
	ret = ttydpc_of_clock(dev, p);
	if (ret)
		return ret;

	p->dw_apb = variant && variant->dw_apb;
	p->dw_usr = TTYDPC_DW_USR;
	p->port.flags = UPF_SKIP_TEST;
	ret = ttydpc_port_register(p);
	if (ret)
		return ret;
	platform_set_drvdata(pdev, p);
	return 0;
}

static void ttydpc_of_remove(struct platform_device *pdev)
{
	ttydpc_port_unregister(platform_get_drvdata(pdev));
}

static const struct of_device_id ttydpc_of_ids[] = {
	{ .compatible = "ttydpc,ns16550a", .data = &ttydpc_of_16550 },
	{ .compatible = "ttydpc,dw-apb-uart", .data = &ttydpc_of_dw_apb },
	{ }
};
MODULE_DEVICE_TABLE(of, ttydpc_of_ids);

static struct platform_driver ttydpc_of_driver = {
	.driver = {
		.name = "ttydpc-of",
		.of_match_table = ttydpc_of_ids,
		.pm = &ttydpc_pm_ops,
	},
	.probe = ttydpc_of_probe,
	TTYDPC_PLATFORM_REMOVE(ttydpc_of_remove),
};

/**
 * ttydpc_of_register() - register the device-tree platform driver
 */
int ttydpc_of_register(void)
{
	return platform_driver_register(&ttydpc_of_driver);
}

/**
 * ttydpc_of_unregister() - unregister it (removes its ports)
 */
void ttydpc_of_unregister(void)
{
	platform_driver_unregister(&ttydpc_of_driver);
}
