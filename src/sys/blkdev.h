/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* The libblkid seam: linked to libblkid in the product, to tests/fake-blkdev.c in unit tests. */

/* "UUID=…", "PARTUUID=…", "LABEL=…", "PARTLABEL=…" → "/dev/NAME" on the running system. */
int blkdev_evaluate(const char *spec, char **ret_devname);
