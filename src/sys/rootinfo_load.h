/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Loading struct rootinfo (rootinfo.h) from a root: /proc/self/mountinfo and /proc/swaps,
 * root= and resume= of the kernel command line, the LoaderDevicePartUUID EFI variable, the
 * root record, and the holders in /sys/class/block, each resolved to PCI devices (rootdisk.h).
 */

#include "cmdline.h"
#include "model.h"
#include "rootinfo.h"

struct root;

/* SYSROOT: where the real root is mounted (the initramfs's /sysroot), NULL for "/". */
int rootinfo_load(struct root *r, const struct machine *m, const struct cmdline *c, const char *sysroot,
                  struct rootinfo *ret);
