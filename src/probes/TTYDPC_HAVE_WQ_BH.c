// SPDX-License-Identifier: GPL-2.0
/* Compile probe (Kbuild): BH workqueues exist (6.9+). */
#include <linux/workqueue.h>

static struct workqueue_struct * __used ttydpc_probe(void)
{
	return system_bh_highpri_wq;
}
