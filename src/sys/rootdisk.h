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

#include <stddef.h>

#include "model.h"
#include "rootinfo.h"

struct root;
struct mount_entry;

int rootdisk_resolve(struct root *r, const struct machine *m, const char *spec, struct rootdisk *ret);
/* The file system mounted as ME: its device number, or for btrfs (whose st_dev is anonymous)
 * every device of the file system, found from its source through /sys/fs/btrfs. */
int rootdisk_resolve_mount(struct root *r, const struct machine *m, const struct mount_entry *me, struct rootdisk *ret);
