/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Everything vfio-prep must keep with the host because the running system needs it
 * (vfio-prep(8), ROOT PROTECTION): the root file system, found from the mounted root, else
 * root=, else the ESP that systemd-boot names in its LoaderDevicePartUUID EFI variable; and
 * resume=, active swap, /boot and /boot/efi; whether root is on the network; the root record
 * the initramfs was built with; and the busy devices (mounted, swap, held by dm/md).
 * Pure: loaded by rootinfo_load() (rootinfo_load.h); read by the rule in protect.c.
 */

#include <stdbool.h>
#include <stddef.h>

#include "model.h"
#include "rootrecord.h"

/* One path from the block device down to a disk. */
struct rootdisk_leaf {
        size_t controller; /* the PCI device nearest the disk: the storage controller */
        char *chain;       /* "dm-0 (LUKS) → nvme0n1p3" */
        bool encrypted;    /* a dm-crypt mapping (LUKS or plain) is in the chain */
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

void rootdisk_done(struct rootdisk *rd);
/* Resolved, and every path ends at a PCI device (or needs none). */
static inline bool rootdisk_identified(const struct rootdisk *rd)
{
        return rd && rd->block && !rd->problem && !rd->network;
}

void rootinfo_done(struct rootinfo *ri);
/* The root and every other protected source are identified (rootdisk_identified). */
bool rootinfo_identified(const struct rootinfo *ri);
/* Why DEVICE is busy, or NULL. */
const char *rootinfo_busy(const struct rootinfo *ri, size_t device);
