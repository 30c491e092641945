/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ttydpc_compat.h - every kernel API difference ttydpc cares about, and
 * nothing else. Kbuild sets TTYDPC_HAVE_* when the compile probe of that
 * name (src/probes/) builds; Documentation/ttydpc/compat.rst has the table.
 */
#ifndef TTYDPC_COMPAT_H
#define TTYDPC_COMPAT_H

#include <linux/interrupt.h>
#include <linux/kfifo.h>
#include <linux/serial_core.h>
#include <linux/workqueue.h>

/*
 * Transmit buffer: a circ_buf in uart_state before 6.10, a kfifo in
 * tty_port from 6.10 on. Callers hold the uart_port lock.
 */
#ifdef TTYDPC_HAVE_XMIT_FIFO
static inline unsigned int ttydpc_xmit_pending(struct uart_port *port)
{
	return kfifo_len(&port->state->port.xmit_fifo);
}

static inline bool ttydpc_xmit_get(struct uart_port *port, u8 *ch)
{
	return uart_fifo_get(port, ch) == 1;
}

static inline void ttydpc_xmit_clear(struct uart_port *port)
{
	kfifo_reset(&port->state->port.xmit_fifo);
}
#else
static inline unsigned int ttydpc_xmit_pending(struct uart_port *port)
{
	return uart_circ_chars_pending(&port->state->xmit);
}

static inline bool ttydpc_xmit_get(struct uart_port *port, u8 *ch)
{
	struct circ_buf *xmit = &port->state->xmit;

	if (uart_circ_empty(xmit))
		return false;
	*ch = xmit->buf[xmit->tail];
	uart_xmit_advance(port, 1);
	return true;
}

static inline void ttydpc_xmit_clear(struct uart_port *port)
{
	uart_circ_clear(&port->state->xmit);
}
#endif

/*
 * Port lock wrappers: mainline 6.7, backported to Debian's 6.1. Older
 * kernels get plain spinlock equivalents.
 */
#ifndef TTYDPC_HAVE_UART_PORT_LOCK
static inline void uart_port_lock(struct uart_port *up)
{
	spin_lock(&up->lock);
}

static inline void uart_port_unlock(struct uart_port *up)
{
	spin_unlock(&up->lock);
}

static inline void uart_port_lock_irqsave(struct uart_port *up,
					  unsigned long *flags)
{
	spin_lock_irqsave(&up->lock, *flags);
}

static inline void uart_port_unlock_irqrestore(struct uart_port *up,
					       unsigned long flags)
{
	spin_unlock_irqrestore(&up->lock, flags);
}
#endif

/*
 * Softirq-context deferred routines: BH workqueue items where the kernel
 * has them (6.9+, tasklets deprecated there), tasklets before.
 */
#ifdef TTYDPC_HAVE_WQ_BH
struct ttydpc_bh {
	struct work_struct work;
};

#define TTYDPC_BH_KIND "bh-work"

#define ttydpc_bh_init(bh, fn)	INIT_WORK(&(bh)->work, fn)
#define TTYDPC_BH_ARG			struct work_struct

static inline void ttydpc_bh_queue(struct ttydpc_bh *bh)
{
	queue_work(system_bh_highpri_wq, &bh->work);
}

/*
 * True when a queued run was removed: the caller runs it, as tasklet_kill()
 * would have, so every request counted is a run or a coalesce.
 */
static inline bool ttydpc_bh_kill(struct ttydpc_bh *bh)
{
	return cancel_work_sync(&bh->work);
}

#define ttydpc_bh_from(var, arg, field) \
	from_work(var, arg, field.work)
#else
struct ttydpc_bh {
	struct tasklet_struct tasklet;
};

#define TTYDPC_BH_KIND "tasklet"

#define ttydpc_bh_init(bh, fn)	tasklet_setup(&(bh)->tasklet, fn)
#define TTYDPC_BH_ARG			struct tasklet_struct

static inline void ttydpc_bh_queue(struct ttydpc_bh *bh)
{
	tasklet_hi_schedule(&bh->tasklet);
}

/* tasklet_kill() lets a scheduled run happen first: nothing left over. */
static inline bool ttydpc_bh_kill(struct ttydpc_bh *bh)
{
	tasklet_kill(&bh->tasklet);
	return false;
}

#define ttydpc_bh_from(var, arg, field) \
	from_tasklet(var, arg, field.tasklet)
#endif

/* platform_driver.remove returns void from 6.11; .remove_new before. */
#ifdef TTYDPC_HAVE_PLATFORM_REMOVE_VOID
#define TTYDPC_PLATFORM_REMOVE(fn)	.remove = (fn)
#else
#define TTYDPC_PLATFORM_REMOVE(fn)	.remove_new = (fn)
#endif

#endif /* TTYDPC_COMPAT_H */
