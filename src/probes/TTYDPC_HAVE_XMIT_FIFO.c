// SPDX-License-Identifier: GPL-2.0
/* Compile probe (Kbuild): the transmit buffer is a kfifo (6.10+). */
#include <linux/serial_core.h>

static unsigned int __used ttydpc_probe(struct uart_port *port, unsigned char *ch)
{
	return uart_fifo_get(port, ch);
}
