/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * /proc/self/mountinfo and /proc/swaps, parsed from their bytes (proc(5)): which file systems
 * are mounted where and on what, and which block devices are swap. Pure.
 */

#include <stdbool.h>
#include <stddef.h>

struct mount_entry {
        unsigned major, minor; /* st_dev of the file system: 0 for btrfs, NFS, tmpfs... */
        char *mountpoint;      /* "\040" and friends decoded */
        char *fstype;          /* "ext4", "btrfs", "nfs4", "rootfs" */
        char *source;          /* "/dev/nvme0n1p2", "server:/export", "none" */
};

struct mount_table {
        struct mount_entry *entries; /* in file order: a later entry hides an earlier one */
        size_t n_entries;
};

/* Lines that do not have mountinfo's shape are skipped (the kernel never writes them). */
int mounts_parse(const char *text, struct mount_table *ret);
void mounts_done(struct mount_table *t);
/* The file system visible at MOUNTPOINT (the last one mounted there), or NULL. */
const struct mount_entry *mounts_find(const struct mount_table *t, const char *mountpoint);

/* The block devices of /proc/swaps whose type is "partition" ("/dev/nvme0n1p3"); swap files
 * live on a mounted file system, which is protected as such. */
int swaps_parse(const char *text, char ***ret, size_t *ret_n);

/* A file system that is not on a local block device ("nfs4", "cifs", "ceph"...). */
bool mounts_is_network_fs(const char *fstype);
