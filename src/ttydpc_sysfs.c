// SPDX-License-Identifier: GPL-2.0
/*
 * ttydpc_sysfs.c - per-port attributes under /sys/class/tty/ttyDPC<n>/:
 * dpc_design (read-only) and rx_trig_bytes (as 8250's).
 */
#include <linux/device.h>
#include <linux/serial_reg.h>
#include <linux/tty.h>

#include "ttydpc.h"

static struct ttydpc_port *ttydpc_from_tty_dev(struct device *dev)
{
	struct uart_state *state = dev_get_drvdata(dev);

	return state && state->uart_port ? to_ttydpc(state->uart_port) : NULL;
}

static ssize_t dpc_design_show(struct device *dev,
			       struct device_attribute *attr, char *buf)
{
	struct ttydpc_port *p = ttydpc_from_tty_dev(dev);

	if (!p)
		return -ENODEV;
	return sysfs_emit(buf, "%s\n", ttydpc_design_names[p->design]);
}
static DEVICE_ATTR_RO(dpc_design);

static ssize_t rx_trig_bytes_show(struct device *dev,
				  struct device_attribute *attr, char *buf)
{
	struct ttydpc_port *p = ttydpc_from_tty_dev(dev);

	if (!p)
		return -ENODEV;
	if (!(p->capabilities & TTYDPC_CAP_FIFO))
		return -EINVAL;
	return sysfs_emit(buf, "%u\n", p->rx_trigger);
}

static ssize_t rx_trig_bytes_store(struct device *dev,
				   struct device_attribute *attr,
				   const char *buf, size_t count)
{
	struct ttydpc_port *p = ttydpc_from_tty_dev(dev);
	unsigned int bytes, actual, bits;
	unsigned long flags;
	int ret;

	if (!p)
		return -ENODEV;
	if (!(p->capabilities & TTYDPC_CAP_FIFO))
		return -EINVAL;
	ret = kstrtouint(buf, 0, &bytes);
	if (ret)
		return ret;
	if (!bytes || bytes > p->port.fifosize)
		return -EINVAL;
	bits = ttydpc_fcr_for_trigger(p, bytes, &actual);

	uart_port_lock_irqsave(&p->port, &flags);
	p->fcr = UART_FCR_ENABLE_FIFO | bits;
	p->rx_trigger = actual;
	if (test_bit(TTYDPC_PORT_OPEN, &p->state))
		ttydpc_hw_set_fcr(p, 0);
	uart_port_unlock_irqrestore(&p->port, flags);
	return count;
}
static DEVICE_ATTR_RW(rx_trig_bytes);

static struct attribute *ttydpc_port_attrs[] = {
	&dev_attr_dpc_design.attr,
	&dev_attr_rx_trig_bytes.attr,
	NULL
};

/* Non-const: struct uart_port.attr_group is not const in 6.1 or 6.12. */
struct attribute_group ttydpc_port_attr_group = {
	.attrs = ttydpc_port_attrs,
};
