// SPDX-License-Identifier: GPL-2.0
/* Compile probe (Kbuild): uart_port_lock() and friends exist (6.7+). */
#include <linux/serial_core.h>

static void __used ttydpc_probe(struct uart_port *port)
{
	uart_port_lock(port);
	uart_port_unlock(port);
}
