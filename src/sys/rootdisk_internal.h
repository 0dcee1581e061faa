/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Inside rootdisk.h: what its two files share. rootdisk_spec.c turns a root= spec or a device
 * number into the block device's sysfs directory; rootdisk.c walks down from there to the PCI
 * devices and resolves mounted file systems.
 */

#include <stdbool.h>
#include <stddef.h>

#include "macro.h"
#include "rootdisk.h"

#define CLASS_BLOCK "/sys/class/block"

struct resolver {
        struct root *r;
        const struct machine *m;
        struct rootdisk *rd;
        char **visited; /* disk paths already walked: md over two partitions of one disk */
        size_t n_visited;
};

/* Keep the first reason only: it is the one that stopped the resolution. */
_printf_(2, 3) int rootdisk_problem(struct rootdisk *rd, const char *fmt, ...);

/* A block device name as in /sys/class/block: no '/', not "." or "..". */
bool rootdisk_valid_name(const char *s);
/* The block device name of the /dev path PATH, through the root's /dev; 0 with a problem set. */
int rootdisk_dev_name(struct resolver *s, const char *path, char **ret);
/* SPEC → a path whose resolution is the block device's sysfs directory; 1 with it in RET, 0 with a
 * problem set. */
int rootdisk_spec_lookup(struct resolver *s, const char *spec, char **ret);
