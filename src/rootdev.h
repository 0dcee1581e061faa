/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The PCI devices behind the root file system (root=) and the resume device (resume=):
 * spec → block device (libblkid for UUID=/PARTUUID=/LABEL= on the running system;
 * /dev/disk/by-* links below --root) → /sys/class/block/NAME → partitions' parents and
 * dm/md/LUKS/LVM slaves → the PCI devices on the resolved sysfs paths.
 */

#include <stddef.h>

#include "model.h"

struct root;

struct rootdev {
        char *spec;     /* "UUID=…", "/dev/nvme0n1p2"; NULL when the command line has none */
        char *block;    /* "nvme0n1p2" once resolved */
        size_t *devices; /* PCI devices beneath, address order, each once */
        size_t n_devices;
        char *problem;  /* why it could not be resolved ("no block device has UUID=…"), or NULL */
};

int rootdev_resolve(struct root *r, const struct machine *m, const char *spec, struct rootdev *ret);
void rootdev_done(struct rootdev *rd);
