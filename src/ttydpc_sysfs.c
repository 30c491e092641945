// SPDX-License-Identifier: GPL-2.0
/*
 * ttydpc_sysfs.c - per-port attributes under /sys/class/tty/ttyDPC<n>/:
 * dpc_design (read-only), rx_trig_bytes (as 8250's; a write pins the level)
 * and rx_trig_mode (adaptive RX trigger: auto or pinned).
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
	unsigned int bytes, actual;
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
	ttydpc_fcr_for_trigger(p, bytes, &actual);
	/* a level set here is a level pinned: rx_trig_mode shows it */
	ret = ttydpc_rxmod_pin(p, actual);
	return ret ? ret : count;
}
static DEVICE_ATTR_RW(rx_trig_bytes);

/*
 * rx_trig_mode: "auto" (the default: ttydpc_rxmod.c moves the RX trigger
 * between 1, 4, 8 and 14) or the pinned level, one of those four.
 */
static ssize_t rx_trig_mode_show(struct device *dev,
				 struct device_attribute *attr, char *buf)
{
	struct ttydpc_port *p = ttydpc_from_tty_dev(dev);
	unsigned int level;

	if (!p)
		return -ENODEV;
	level = ttydpc_rxmod_level(p);
	if (!level)
		return sysfs_emit(buf, "auto\n");
	return sysfs_emit(buf, "%u\n", level);
}

static ssize_t rx_trig_mode_store(struct device *dev,
				  struct device_attribute *attr,
				  const char *buf, size_t count)
{
	struct ttydpc_port *p = ttydpc_from_tty_dev(dev);
	unsigned int bytes;
	int ret;

	if (!p)
		return -ENODEV;
	if (sysfs_streq(buf, "auto")) {
		bytes = 0;
	} else {
		ret = kstrtouint(buf, 10, &bytes);
		if (ret || !bytes)
			return -EINVAL;
	}
	ret = ttydpc_rxmod_pin(p, bytes);
	return ret ? ret : count;
}
static DEVICE_ATTR_RW(rx_trig_mode);

static struct attribute *ttydpc_port_attrs[] = {
	&dev_attr_dpc_design.attr,
	&dev_attr_rx_trig_bytes.attr,
	&dev_attr_rx_trig_mode.attr,
	NULL
};

/* Non-const: struct uart_port.attr_group is not const in 6.1 or 6.12. */
struct attribute_group ttydpc_port_attr_group = {
	.attrs = ttydpc_port_attrs,
};
