// SPDX-License-Identifier: GPL-2.0
/*
 * ttydpc_ioctl.c - the event file's calls on a port (include/uapi/ttydpc.h).
 *
 * Every argument is copied in whole, checked (version, reserved fields
 * zero, no unknown bits) and answered with a zero-filled struct, so no
 * kernel memory reaches userspace through padding.
 */
#include <linux/uaccess.h>

#include "ttydpc.h"

#define TTYDPC_ABI_VERSION	1

static bool ttydpc_zero(const void *buf, size_t len)
{
	return !memchr_inv(buf, 0, len);
}

static int ttydpc_ioc_set_mask(struct ttydpc_port *p, void __user *arg)
{
	struct ttydpc_wait_mask m;

	if (copy_from_user(&m, arg, sizeof(m)))
		return -EFAULT;
	if (m.version != TTYDPC_ABI_VERSION || !ttydpc_zero(m.reserved, sizeof(m.reserved)) ||
	    (m.mask & ~TTYDPC_EV_ALL))
		return -EINVAL;
	WRITE_ONCE(p->wait.event_char, m.event_char);
	return ttydpc_wait_set_mask(p, m.mask);
}

static int ttydpc_ioc_get_mask(struct ttydpc_port *p, void __user *arg)
{
	struct ttydpc_wait_mask m;

	if (copy_from_user(&m, arg, sizeof(m)))
		return -EFAULT;
	if (m.version != TTYDPC_ABI_VERSION || !ttydpc_zero(m.reserved, sizeof(m.reserved)))
		return -EINVAL;
	memset(&m, 0, sizeof(m));
	m.version = TTYDPC_ABI_VERSION;
	m.mask = READ_ONCE(p->wait.mask);
	m.event_char = READ_ONCE(p->wait.event_char);
	return copy_to_user(arg, &m, sizeof(m)) ? -EFAULT : 0;
}

static int ttydpc_ioc_get_stats(struct ttydpc_port *p, void __user *arg)
{
	struct ttydpc_stats_user s;

	if (copy_from_user(&s, arg, sizeof(s)))
		return -EFAULT;
	if (s.version != TTYDPC_ABI_VERSION || s.reserved0 ||
	    !ttydpc_zero(s.reserved, sizeof(s.reserved)))
		return -EINVAL;
	memset(&s, 0, sizeof(s));
	s.version = TTYDPC_ABI_VERSION;
	s.received = atomic_long_read(&p->stats.rx_bytes);
	s.transmitted = atomic_long_read(&p->stats.tx_bytes);
	s.frame_errors = atomic_long_read(&p->stats.frame);
	s.overrun_errors = atomic_long_read(&p->stats.rx_hw_overrun);
	s.buffer_overruns = atomic_long_read(&p->stats.rx_buf_overrun);
	s.parity_errors = atomic_long_read(&p->stats.parity);
	s.breaks = atomic_long_read(&p->stats.brk);
	return copy_to_user(arg, &s, sizeof(s)) ? -EFAULT : 0;
}

static int ttydpc_ioc_clear_stats(struct ttydpc_port *p, void __user *arg)
{
	atomic_long_set(&p->stats.rx_bytes, 0);
	atomic_long_set(&p->stats.tx_bytes, 0);
	atomic_long_set(&p->stats.frame, 0);
	atomic_long_set(&p->stats.rx_hw_overrun, 0);
	atomic_long_set(&p->stats.rx_buf_overrun, 0);
	atomic_long_set(&p->stats.parity, 0);
	atomic_long_set(&p->stats.brk, 0);
	return 0;
}

static int ttydpc_ioc_commstatus(struct ttydpc_port *p, void __user *arg)
{
	struct uart_port *port = &p->port;
	struct ttydpc_comm_status cs;
	struct tty_struct *tty;
	unsigned long flags;

	if (copy_from_user(&cs, arg, sizeof(cs)))
		return -EFAULT;
	if (cs.version != TTYDPC_ABI_VERSION ||
	    !ttydpc_zero(cs.reserved, sizeof(cs.reserved)))
		return -EINVAL;
	memset(&cs, 0, sizeof(cs));
	cs.version = TTYDPC_ABI_VERSION;
	cs.errors = atomic_xchg(&p->comm_errors, 0);
	cs.in_queue = ttydpc_read_queued(p);

	tty = tty_port_tty_get(&port->state->port);
	uart_port_lock_irqsave(port, &flags);
	cs.out_queue = ttydpc_write_queued(p);
	if (port->hw_stopped)
		cs.hold |= TTYDPC_HOLD_CTS;
	if (tty && tty->flow.stopped)
		cs.hold |= TTYDPC_HOLD_XOFF;
	if (test_bit(TTYDPC_Q_HELD, &p->rx.q.flags))
		cs.hold |= TTYDPC_HOLD_RX;
	if (p->lcr & UART_LCR_SBC)
		cs.hold |= TTYDPC_HOLD_BREAK;
	uart_port_unlock_irqrestore(port, flags);
	tty_kref_put(tty);

	return copy_to_user(arg, &cs, sizeof(cs)) ? -EFAULT : 0;
}

/**
 * ttydpc_port_call() - the handler of one of the event file's port calls
 * @cmd: TTYDPC_IOC_SET_MASK, GET_MASK, GET_STATS, CLEAR_STATS or COMMSTATUS
 *
 * The handler runs with the port's wait queue entered, no lock held.
 * Return: the handler, or NULL when @cmd is not one of them.
 */
ttydpc_port_call_fn ttydpc_port_call(unsigned int cmd)
{
	switch (cmd) {
	case TTYDPC_IOC_SET_MASK:
		return ttydpc_ioc_set_mask;
	case TTYDPC_IOC_GET_MASK:
		return ttydpc_ioc_get_mask;
	case TTYDPC_IOC_GET_STATS:
		return ttydpc_ioc_get_stats;
	case TTYDPC_IOC_CLEAR_STATS:
		return ttydpc_ioc_clear_stats;
	case TTYDPC_IOC_COMMSTATUS:
		return ttydpc_ioc_commstatus;
	default:
		return NULL;
	}
}
