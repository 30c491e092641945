// SPDX-License-Identifier: GPL-2.0
/*
 * ttydpc_of.c - device-tree binding (ARM boards). Placeholder until the
 * ARM issue lands: registers nothing.
 */
#include "ttydpc.h"

/**
 * ttydpc_of_register() - register the DT platform driver
 *
 * Context: module init.
 * Return: 0.
 */
int ttydpc_of_register(void)
{
	return 0;
}

/**
 * ttydpc_of_unregister() - unregister the DT platform driver
 *
 * Context: module exit.
 */
void ttydpc_of_unregister(void)
{
}
