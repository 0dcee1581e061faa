/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Root protection: the one rule that decides whether a device must stay with the host because
 * the running system needs it (vfio-prep(8), ROOT PROTECTION). The plan asks it for every
 * selected device; --check renders its answer. Pure over the machine and struct rootinfo.
 */

#include <stdbool.h>
#include <stddef.h>

#include "cmdline.h"
#include "model.h"
#include "rootinfo.h"

enum protect_verdict {
        PROTECT_NONE,
        PROTECT_ROOT_DEVICE,  /* it (or a device of its IOMMU group) backs root, /boot, resume or swap */
        PROTECT_ROOT_UNKNOWN, /* root is not identified and this controller could hold it */
        PROTECT_BUSY,         /* a block device beneath it is mounted, swap or held */
};

struct protect_reason {
        enum protect_verdict verdict;
        const struct rootdisk *source;    /* ROOT_DEVICE: what it backs */
        const struct rootdisk_leaf *leaf; /* ROOT_DEVICE: the path through it, NULL for a group peer */
        size_t holder;                    /* ROOT_DEVICE, ROOT_UNKNOWN: the device of the group that
                                             holds (or could hold) root; the device itself or a peer */
        const char *kind;                 /* ROOT_UNKNOWN: "a storage controller", "a USB controller"... */
        bool by_record;                   /* ROOT_UNKNOWN: held because the root record names its kind */
        const char *busy;                 /* BUSY: "nvme1n1p1 mounted at /mnt" */
};

void protect_decide(const struct rootinfo *ri, const struct machine *m, size_t device, struct protect_reason *ret);
/* Whether DEVICE backs an identified protected source or shares a group with one. */
bool protect_is_root_device(const struct rootinfo *ri, const struct machine *m, size_t device);
/* Why the command line puts root on the network ("root=/dev/nfs", "ip=dhcp"): BUF, or NULL. */
const char *protect_network_root(const struct cmdline *c, char *buf, size_t size);
