/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Scratch directory trees for unit tests: a fake root made of plain files and relative links,
 * removed again by tree_free(). Paths given to tree_* are absolute as seen from inside the
 * tree ("/sys/bus/pci/devices/0000:01:00.0"). Every helper aborts the test on failure.
 */

#include <stddef.h>

struct tree {
        char dir[256];
};

void tree_new(struct tree *t);
void tree_free(struct tree *t);
/* Create a file (and its parent directories) holding TEXT. */
void tree_file(struct tree *t, const char *path, const char *text);
void tree_bytes(struct tree *t, const char *path, const void *data, size_t len);
void tree_mkdir(struct tree *t, const char *path);
/* A symbolic link at PATH with target TARGET, parents created. */
void tree_link(struct tree *t, const char *path, const char *target);
void tree_chmod(struct tree *t, const char *path, unsigned mode);
/* Full host path of PATH inside the tree, in a static buffer. */
const char *tree_path(struct tree *t, const char *path);
/* Content of the file at PATH, malloc'ed, or NULL when missing. */
char *tree_read(struct tree *t, const char *path);

/*
 * A PCI device as sysfs shows it: /sys/devices/pci0000:00/<chain...>/<name> with vendor,
 * device, class, config (64 bytes with the given header type), and the
 * /sys/bus/pci/devices/<name> link. PARENT is the parent device name or NULL for a root bus
 * device. Returns nothing; further attributes can be added with tree_file() on tree_dev_path().
 */
void tree_pci_device(struct tree *t, const char *name, const char *parent, unsigned vendor, unsigned device,
                     unsigned class, unsigned header_type);
/* The resolved sysfs directory of a device created by tree_pci_device(). */
const char *tree_dev_path(struct tree *t, const char *name);
/* Put device NAME in IOMMU group ID (creating /sys/kernel/iommu_groups/ID and both links). */
void tree_iommu_group(struct tree *t, const char *name, long id);
/* Bind NAME to DRIVER (creating /sys/bus/pci/drivers/DRIVER and the driver link). */
void tree_driver(struct tree *t, const char *name, const char *driver);
