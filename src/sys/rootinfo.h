/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Everything vfio-prep must keep with the host because the running system needs it
 * (vfio-prep(8), ROOT PROTECTION): the root file system, found from the mounted root, else
 * root=, else the ESP that systemd-boot names in its LoaderDevicePartUUID EFI variable; and
 * resume=, active swap, /boot and /boot/efi; whether root is on the network; the root record
 * the initramfs was built with; and the busy devices (mounted, swap, held by dm/md).
 * Loaded by rootinfo_load() (I/O); read by the rule in protect.c.
 */

#include <stdbool.h>
#include <stddef.h>

#include "cmdline.h"
#include "model.h"
#include "rootdisk.h"
#include "rootrecord.h"

struct root;

/* A device with a block device in use beneath it: never unbound. */
struct busy_device {
        size_t device;
        char *why; /* "nvme1n1p1 mounted at /mnt", "nvme1n1 held by md0" */
};

struct rootinfo {
        struct rootdisk root;
        struct rootdisk *extra; /* resume=, swap, /boot, /boot/efi */
        size_t n_extra;
        char *network;             /* why root is (or may be) on the network: "root=/dev/nfs", or NULL */
        struct root_record record; /* ROOT/etc/vfio-prep/root-record, when present */
        struct busy_device *busy;
        size_t n_busy;
        bool in_initramfs; /* "/" is the initramfs's own file system and there is no --sysroot:
                              the first pass at boot, which leaves storage to the second */
};

/* SYSROOT: where the real root is mounted (the initramfs's /sysroot), NULL for "/". */
int rootinfo_load(struct root *r, const struct machine *m, const struct cmdline *c, const char *sysroot,
                  struct rootinfo *ret);
void rootinfo_done(struct rootinfo *ri);
/* The root and every other protected source are identified (rootdisk_identified). */
bool rootinfo_identified(const struct rootinfo *ri);
/* Why DEVICE is busy, or NULL. */
const char *rootinfo_busy(const struct rootinfo *ri, size_t device);
