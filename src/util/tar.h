/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * A POSIX ustar archive built in memory (vfio-prep(8), --capture FILE.tar.gz): files,
 * directories and symbolic links by path; putting a path again replaces its entry, so the
 * archive holds each path once. Paths or link targets too long for the ustar header get a
 * pax extended header (POSIX.1-2001), which GNU tar, bsdtar and busybox read. Pure: bytes out.
 */

#include <stddef.h>

enum tar_type {
        TAR_FILE,
        TAR_DIR,
        TAR_SYMLINK,
};

struct tar_entry {
        char *path; /* relative, without a leading or trailing '/' */
        enum tar_type type;
        char *data; /* file contents, or the link target (NUL-terminated) */
        size_t len;
        unsigned mode;
};

struct tar {
        struct tar_entry *entries; /* in the order first put */
        size_t n_entries;
};

/* PATH relative ("sys/bus/pci"); a leading '/' is dropped. DATA: file bytes or link target. */
int tar_put(struct tar *t, const char *path, enum tar_type type, const void *data, size_t len, unsigned mode);
const struct tar_entry *tar_find(const struct tar *t, const char *path);
/* The archive, with its two zero blocks at the end. */
int tar_write(const struct tar *t, char **ret, size_t *ret_len);
void tar_done(struct tar *t);
