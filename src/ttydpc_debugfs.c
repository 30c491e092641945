// SPDX-License-Identifier: GPL-2.0
/*
 * ttydpc_debugfs.c - /sys/kernel/debug/ttydpc/ttyDPC<n>/stats: one
 * "name value" line per counter, for people and for the selftests.
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>

#include "ttydpc.h"

static struct dentry *ttydpc_debugfs_root;

static const char * const ttydpc_irq_stat_names[] = {
	"irq_total", "irq_none", "irq_rx_data", "irq_rx_timeout",
	"irq_thre", "irq_line_status", "irq_modem_status", "irq_busy_detect",
};

static void ttydpc_show_dpc(struct seq_file *s, struct ttydpc_dpc *dpc,
			    const char *name)
{
	unsigned int b;

	seq_printf(s, "dpc_%s_causes %#lx\n", name, dpc->causes);
	seq_printf(s, "dpc_%s_requests %ld\n", name, atomic_long_read(&dpc->requests));
	seq_printf(s, "dpc_%s_coalesced %ld\n", name, atomic_long_read(&dpc->coalesced));
	seq_printf(s, "dpc_%s_runs %ld\n", name, atomic_long_read(&dpc->runs));
	seq_printf(s, "dpc_%s_latency_max_ns %lld\n", name,
		   (long long)atomic64_read(&dpc->lat_max_ns));
	seq_printf(s, "dpc_%s_latency_hist", name);
	for (b = 0; b < TTYDPC_LAT_BUCKETS; b++)
		seq_printf(s, " %ld", atomic_long_read(&dpc->lat_hist[b]));
	seq_puts(s, "\n");
}

static int ttydpc_stats_show(struct seq_file *s, void *unused)
{
	struct ttydpc_port *p = s->private;
	struct ttydpc_queue *q;
	unsigned int i;

	seq_printf(s, "design %s\n", ttydpc_design_names[p->design]);
	seq_printf(s, "deferral %s\n", TTYDPC_BH_KIND);
	seq_printf(s, "rx_trigger %u\n", p->rx_trigger);
	if (ttydpc_rxmod_level(p))
		seq_printf(s, "rx_trig_mode %u\n", ttydpc_rxmod_level(p));
	else
		seq_puts(s, "rx_trig_mode auto\n");
	seq_printf(s, "rx_trig_switches %ld\n",
		   atomic_long_read(&p->rxmod.switches));
	for (i = 0; i < ARRAY_SIZE(ttydpc_irq_stat_names); i++)
		seq_printf(s, "%s %ld\n", ttydpc_irq_stat_names[i],
			   atomic_long_read(&p->stats.irq[i]));
	seq_printf(s, "rx_bytes %ld\n", atomic_long_read(&p->stats.rx_bytes));
	seq_printf(s, "tx_bytes %ld\n", atomic_long_read(&p->stats.tx_bytes));
	seq_printf(s, "rx_buf_highwater %u\n", READ_ONCE(p->rx.high_water));
	seq_printf(s, "rx_hw_overrun %ld\n", atomic_long_read(&p->stats.rx_hw_overrun));
	seq_printf(s, "rx_buf_overrun %ld\n", atomic_long_read(&p->stats.rx_buf_overrun));
	seq_printf(s, "rx_held %ld\n", atomic_long_read(&p->stats.rx_held));
	seq_printf(s, "frame_err %ld\n", atomic_long_read(&p->stats.frame));
	seq_printf(s, "parity_err %ld\n", atomic_long_read(&p->stats.parity));
	seq_printf(s, "break %ld\n", atomic_long_read(&p->stats.brk));
	for (i = 0; i < TTYDPC_NR_CAUSES; i++)
		seq_printf(s, "done_%s_runs %ld\n", ttydpc_cause_names[i],
			   atomic_long_read(&p->stats.done[i]));
	for (i = 0; i < TTYDPC_NR_DPCS; i++)
		ttydpc_show_dpc(s, &p->dpc[i], ttydpc_dpc_names[i]);
	for (i = 0; (q = ttydpc_port_queue(p, i)); i++) {
		seq_printf(s, "queue_%s_refs %u\n", ttydpc_queue_names[i],
			   refcount_read(&q->refs));
		seq_printf(s, "queue_%s_pending %u\n", ttydpc_queue_names[i],
			   ttydpc_queue_pending(q));
		seq_printf(s, "queue_%s_flags %#lx\n", ttydpc_queue_names[i],
			   READ_ONCE(q->flags));
		seq_printf(s, "queue_%s_entered %ld\n", ttydpc_queue_names[i],
			   atomic_long_read(&q->entered));
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(ttydpc_stats);

/*
 * inject_rx_error: PE/FE bits for the next received byte, as QEMU's 16550
 * never reports them (Documentation/ttydpc/testing.rst, 'debugfs test hooks').
 */
static int ttydpc_inject_get(void *data, u64 *val)
{
	struct ttydpc_port *p = data;

	*val = atomic_read(&p->inject_lsr);
	return 0;
}

static int ttydpc_inject_set(void *data, u64 val)
{
	struct ttydpc_port *p = data;

	if (!val || val & ~(u64)(UART_LSR_PE | UART_LSR_FE))
		return -EINVAL;
	atomic_set(&p->inject_lsr, val);
	return 0;
}

DEFINE_DEBUGFS_ATTRIBUTE(ttydpc_inject_fops, ttydpc_inject_get,
			 ttydpc_inject_set, "0x%02llx\n");

/*
 * carrier_off: get_mctrl hides DCD, as QEMU always shows it; the tracked
 * modem state is left alone, so no hangup follows (testing.rst).
 */
static int ttydpc_carrier_off_get(void *data, u64 *val)
{
	struct ttydpc_port *p = data;

	*val = atomic_read(&p->carrier_off);
	return 0;
}

static int ttydpc_carrier_off_set(void *data, u64 val)
{
	struct ttydpc_port *p = data;

	atomic_set(&p->carrier_off, !!val);
	return 0;
}

DEFINE_DEBUGFS_ATTRIBUTE(ttydpc_carrier_off_fops, ttydpc_carrier_off_get,
			 ttydpc_carrier_off_set, "%llu\n");

/**
 * ttydpc_debugfs_init() - create /sys/kernel/debug/ttydpc
 *
 * Context: module init.
 */
void ttydpc_debugfs_init(void)
{
	ttydpc_debugfs_root = debugfs_create_dir(TTYDPC_NAME, NULL);
}

/**
 * ttydpc_debugfs_exit() - remove /sys/kernel/debug/ttydpc
 *
 * Context: module exit, after every port is gone.
 */
void ttydpc_debugfs_exit(void)
{
	debugfs_remove(ttydpc_debugfs_root);
}

/**
 * ttydpc_debugfs_add() - a port's directory
 * @p: the port, registered (port.line valid)
 * Context: process.
 */
void ttydpc_debugfs_add(struct ttydpc_port *p)
{
	char name[16];

	snprintf(name, sizeof(name), TTYDPC_DEV_NAME "%u", p->port.line);
	p->debugfs = debugfs_create_dir(name, ttydpc_debugfs_root);
	debugfs_create_file("stats", 0444, p->debugfs, p, &ttydpc_stats_fops);
	debugfs_create_file_unsafe("inject_rx_error", 0600, p->debugfs, p,
				   &ttydpc_inject_fops);
	debugfs_create_file_unsafe("carrier_off", 0600, p->debugfs, p,
				   &ttydpc_carrier_off_fops);
}

/**
 * ttydpc_debugfs_remove() - remove a port's directory
 * @p: the port
 *
 * debugfs_remove() waits for open readers, so no reader sees @p freed.
 *
 * Context: process.
 */
void ttydpc_debugfs_remove(struct ttydpc_port *p)
{
	debugfs_remove(p->debugfs);
	p->debugfs = NULL;
}
