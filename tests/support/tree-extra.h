/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * More fake-tree helpers (see tree.h): device attributes and links by device name, driver
 * modules, block devices (disks, partitions, dm devices and their slaves), trees generated
 * by tests/gen-tree.sh, and looking up load problems. Every helper aborts the test on failure.
 */

#include <stdbool.h>

#include "model.h"
#include "tree.h"

/* A link at LINK pointing to TARGET (both absolute inside the tree), written relative. */
void tree_rel_link(struct tree *t, const char *link, const char *target);
/* ATTR of device NAME (created by tree_pci_device) holding TEXT. */
void tree_dev_attr(struct tree *t, const char *name, const char *attr, const char *text);
/* ATTR of device NAME as a link to TARGET (absolute inside the tree), written relative. */
void tree_dev_link(struct tree *t, const char *name, const char *attr, const char *target);
/* DRIVER's module link to /sys/module/MODULE; initstate "live" unless BUILTIN. */
void tree_module(struct tree *t, const char *driver, const char *module, bool builtin);

/* A disk NAME below PCI device PCI, with /sys/class/block/NAME. */
void tree_block_disk(struct tree *t, const char *name, const char *pci);
/* Partition NAME (number PARTNO) of DISK. */
void tree_block_part(struct tree *t, const char *name, const char *disk, int partno);
/* A virtual block device (dm-N, mdN) below /sys/devices/virtual/block; DMNAME may be NULL. */
void tree_block_virtual(struct tree *t, const char *name, const char *dmname);
/* HOLDER/slaves/SLAVE, as device-mapper and md make them. */
void tree_block_slave(struct tree *t, const char *holder, const char *slave);
/* Resolved sysfs directory of block device NAME (static buffer). */
const char *tree_block_path(struct tree *t, const char *name);

/* Run tests/gen-tree.sh (from the repository root, where tests run) on DESCRIPTION into T. */
void tree_generate(struct tree *t, const char *description);

/* First problem whose path contains PATH_PART and message contains MSG_PART (either may be NULL). */
const struct load_problem *find_problem(const struct machine *m, const char *path_part, const char *msg_part);
