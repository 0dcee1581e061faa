/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * --capture DIR and --capture FILE.tar.gz (vfio-prep(8)): replay the journal of a root (every
 * file read, link met and directory listed while loading the model) into the empty directory
 * DIR, or into a ustar archive whose entries all sit below one directory TOP, so that
 * --root DIR (or the extracted TOP) gives the same results. Links are copied as links with
 * their relative targets. With CMDLINE (--cmdline), that is what the capture's /proc/cmdline
 * says: it is what vfio-prep read instead.
 */

#include <stdbool.h>
#include <stddef.h>

struct root;

/* What went in, for the user to know before attaching it to a report. */
enum capture_area {
        CAPTURE_SYS,  /* /sys: PCI devices, IOMMU groups, IOMMU units, firmware tables */
        CAPTURE_PROC, /* /proc: command line, release, cpuinfo, interrupts, mounts */
        CAPTURE_ETC,  /* /etc: vfio-prep's configuration, modprobe.d, fstab */
        CAPTURE_BOOT, /* /boot: kernel configuration, boot loader entries */
        CAPTURE_OTHER,
        CAPTURE_N_AREAS,
};

struct capture_summary {
        size_t files[CAPTURE_N_AREAS];
        bool cmdline; /* /proc/cmdline is in it */
};

int capture_write(struct root *src, const char *dir, const char *cmdline, struct capture_summary *ret_summary);
/* The archive's bytes, uncompressed. */
int capture_archive(struct root *src, const char *top, const char *cmdline, char **ret, size_t *ret_len,
                    struct capture_summary *ret_summary);
/* "/sys", "/proc", ... for AREA; "elsewhere" for CAPTURE_OTHER. */
const char *capture_area_name(enum capture_area area);
