/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The PCI devices behind one block device that vfio-prep must never take (vfio-prep(8), ROOT
 * PROTECTION): spec or mounted file system → block device (libblkid for UUID=/PARTUUID=/
 * LABEL=/PARTLABEL= on the running system; /dev/disk/by-* links below --root) →
 * /sys/class/block/NAME → partitions' parents, dm/md/LUKS/LVM slaves, every device of a btrfs
 * file system, the paths of an NVMe multipath head → the PCI devices on the resolved paths.
 *
 * It is *identified* only when every path ends at a PCI device (memory-backed zram and ram
 * devices need none): a disk with no PCI device beneath, an unresolved slave, a loop, the depth
 * limit leave a problem, and then nothing about it may be trusted.
 */

#include <stdbool.h>
#include <stddef.h>

#include "model.h"

struct root;
struct mount_entry;

/* One path from the block device down to a disk. */
struct rootdisk_leaf {
        size_t controller; /* the PCI device nearest the disk: the storage controller */
        char *chain;       /* "dm-0 (LUKS) → nvme0n1p3" */
};

struct rootdisk {
        char *what;      /* "root", "resume", "swap", "/boot"...; NULL is "root" */
        char *spec;      /* "UUID=…", "/dev/nvme0n1p2", the mounted source; NULL when none */
        char *origin;    /* "mounted at /", "LoaderDevicePartUUID"; NULL: the kernel command line */
        char *block;     /* "nvme0n1p2" once resolved */
        size_t *devices; /* PCI devices beneath, address order, each once */
        size_t n_devices;
        struct rootdisk_leaf *leaves;
        size_t n_leaves;
        bool network;  /* a network file system or block device: no PCI device can be named */
        char *problem; /* why it is not identified ("no block device has UUID=…"), or NULL */
};

int rootdisk_resolve(struct root *r, const struct machine *m, const char *spec, struct rootdisk *ret);
/* The file system mounted as ME: its device number, or for btrfs (whose st_dev is anonymous)
 * every device of the file system, found from its source through /sys/fs/btrfs. */
int rootdisk_resolve_mount(struct root *r, const struct machine *m, const struct mount_entry *me, struct rootdisk *ret);
void rootdisk_done(struct rootdisk *rd);

/* Resolved, and every path ends at a PCI device (or needs none). */
static inline bool rootdisk_identified(const struct rootdisk *rd)
{
        return rd && rd->block && !rd->problem && !rd->network;
}
