// SPDX-License-Identifier: GPL-2.0
/*
 * ttydpc_port.c - what every bus binding calls to turn a probed UART into
 * /dev/ttyDPC<n>, and to take it away again.
 */
#include <linux/bitmap.h>
#include <linux/mutex.h>
#include <linux/serial_reg.h>

#include "ttydpc.h"

/*
 * Written under ttydpc_lines_lock. A port is on its line from before
 * uart_add_one_port() (console setup) until after uart_remove_one_port()
 * (console unregistered), so the console reads ttydpc_ports[] without it.
 */
static DECLARE_BITMAP(ttydpc_lines, TTYDPC_NR_PORTS);
static struct ttydpc_port *ttydpc_ports[TTYDPC_NR_PORTS];
static DEFINE_MUTEX(ttydpc_lines_lock);
/* numbers bindings for event files; under ttydpc_lines_lock */
static u64 ttydpc_last_serial;

static void ttydpc_port_describe(struct ttydpc_port *p, char *buf, size_t len)
{
	if (p->port.iotype == UPIO_PORT)
		snprintf(buf, len, "I/O 0x%lx", p->port.iobase);
	else
		snprintf(buf, len, "MMIO %pa", &p->port.mapbase);
}

/**
 * ttydpc_port_register() - detect the UART and register it with the core
 * @p: the port, its address, irq, uartclk and flags filled in by the binding
 * Return: 0, -ENODEV when no UART answers, -EBUSY when every line is taken,
 * or the serial core's error.
 */
int ttydpc_port_register(struct ttydpc_port *p)
{
	struct uart_port *port = &p->port;
	char where[48];
	unsigned int trigger_bits;
	int line, ret;

	ttydpc_port_describe(p, where, sizeof(where));
	spin_lock_init(&port->lock);
	ret = ttydpc_hw_detect(p);
	if (ret)
		return dev_err_probe(p->dev, ret, "no UART answers at %s\n", where);
	port->dev = p->dev;
	ret = ttydpc_rs485_init(p);
	if (ret)
		return ret;

	mutex_lock(&ttydpc_lines_lock);
	line = find_first_zero_bit(ttydpc_lines, TTYDPC_NR_PORTS);
	if (line < TTYDPC_NR_PORTS) {
		set_bit(line, ttydpc_lines);
		port->line = line;
		WRITE_ONCE(ttydpc_ports[line], p);
	}
	mutex_unlock(&ttydpc_lines_lock);
	if (line >= TTYDPC_NR_PORTS)
		return dev_err_probe(p->dev, -EBUSY, "all %d ttyDPC lines in use\n",
				     TTYDPC_NR_PORTS);

	port->ops = &ttydpc_uart_ops;
	port->flags |= UPF_FIXED_TYPE | UPF_FIXED_PORT;
	port->attr_group = &ttydpc_port_attr_group;
	port->has_sysrq = 1;		/* SysRq acts on the console's port only */
	p->design = ttydpc_default_design;
	p->state = BIT(TTYDPC_PORT_STOPPING);
	trigger_bits = ttydpc_fcr_for_trigger(p, 8, &p->rx_trigger);
	p->fcr = (p->capabilities & TTYDPC_CAP_FIFO) ?
		 UART_FCR_ENABLE_FIFO | trigger_bits : 0;
	ttydpc_dpc_init(p);
	ttydpc_timer_init(p);
	ttydpc_queue_init(&p->rx.q);
	ttydpc_queue_init(&p->tx.q);
	ttydpc_queue_init(&p->purge.q);
	ttydpc_queue_init(&p->wait.q);
	ttydpc_purge_init(p);

	ret = uart_add_one_port(&ttydpc_uart_driver, port);
	if (ret) {
		mutex_lock(&ttydpc_lines_lock);
		WRITE_ONCE(ttydpc_ports[line], NULL);
		clear_bit(line, ttydpc_lines);
		mutex_unlock(&ttydpc_lines_lock);
		return dev_err_probe(p->dev, ret, "cannot add ttyDPC%d\n", line);
	}
	mutex_lock(&ttydpc_lines_lock);
	p->serial = ++ttydpc_last_serial;	/* event files may attach now */
	mutex_unlock(&ttydpc_lines_lock);
	ttydpc_debugfs_add(p);
	dev_info(p->dev, "ttyDPC%d at %s (irq %u) is a %s, dpc=%s (%s)\n", line,
		 where, port->irq, ttydpc_uart_ops.type(port),
		 ttydpc_design_names[p->design], TTYDPC_BH_KIND);
	return 0;
}

/**
 * ttydpc_port_unregister() - remove the port; the binding may free it after
 * @p: a registered port
 *
 * An open blocked waiting for carrier has run startup, but no shutdown
 * will run: ttydpc_port_stop() undoes it (design.rst, "Teardown").
 */
void ttydpc_port_unregister(struct ttydpc_port *p)
{
	ttydpc_debugfs_remove(p);
	uart_remove_one_port(&ttydpc_uart_driver, &p->port);
	ttydpc_purge_exit(p);
	ttydpc_port_stop(p);
	timer_delete_sync(&p->timer);
	hrtimer_cancel(&p->rs485.timer);
	mutex_lock(&ttydpc_lines_lock);
	WRITE_ONCE(ttydpc_ports[p->port.line], NULL);
	clear_bit(p->port.line, ttydpc_lines);
	mutex_unlock(&ttydpc_lines_lock);
}

/**
 * ttydpc_port_on_line() - the port on a line, for the console (lockless)
 * @line: the console's index
 */
struct ttydpc_port *ttydpc_port_on_line(unsigned int line)
{
	return line < TTYDPC_NR_PORTS ? READ_ONCE(ttydpc_ports[line]) : NULL;
}

/**
 * ttydpc_port_of() - the port on a line, if it belongs to a device
 * @dev: the bus device (struct ttydpc_port.dev)
 * @line: 0 to TTYDPC_NR_PORTS - 1
 *
 * The port stays valid while @dev cannot be unbound: the driver core keeps
 * remove away from @dev's PM callbacks, the only callers.
 */
struct ttydpc_port *ttydpc_port_of(struct device *dev, unsigned int line)
{
	struct ttydpc_port *p = NULL;

	if (line >= TTYDPC_NR_PORTS)
		return NULL;
	mutex_lock(&ttydpc_lines_lock);
	if (ttydpc_ports[line] && ttydpc_ports[line]->dev == dev)
		p = ttydpc_ports[line];
	mutex_unlock(&ttydpc_lines_lock);
	return p;
}

/**
 * ttydpc_port_serial() - the binding now on a line, for an event file
 * @line: ttyDPC line
 * @serial: out: the binding's number
 * Return: 0, or -ENODEV when no port is bound to @line.
 */
int ttydpc_port_serial(unsigned int line, u64 *serial)
{
	struct ttydpc_port *p;
	int ret = -ENODEV;

	mutex_lock(&ttydpc_lines_lock);
	p = line < TTYDPC_NR_PORTS ? ttydpc_ports[line] : NULL;
	if (p && p->serial) {
		*serial = p->serial;
		ret = 0;
	}
	mutex_unlock(&ttydpc_lines_lock);
	return ret;
}

/**
 * ttydpc_port_enter() - pin the port an event file is attached to
 * @line: ttyDPC line
 * @serial: the binding the file attached to
 *
 * Enters the wait queue until ttydpc_queue_leave(&p->wait.q); under the
 * table lock, as unregister stops the queues before it clears the table.
 * Return: the port, ERR_PTR(-ENODEV) when that binding is gone, or
 * ERR_PTR(-EIO) while the port is closed.
 */
struct ttydpc_port *ttydpc_port_enter(unsigned int line, u64 serial)
{
	struct ttydpc_port *p;

	mutex_lock(&ttydpc_lines_lock);
	p = line < TTYDPC_NR_PORTS ? ttydpc_ports[line] : NULL;
	if (!p || p->serial != serial)
		p = ERR_PTR(-ENODEV);
	else if (!ttydpc_queue_enter(&p->wait.q))
		p = ERR_PTR(-EIO);
	mutex_unlock(&ttydpc_lines_lock);
	return p;
}
