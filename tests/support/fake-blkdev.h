/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The libblkid seam for unit tests: blkdev_evaluate() (blkdev.h) answers from a table set by
 * the test. A spec never set is -ENOENT, as libblkid finding no such device.
 */

#include "blkdev.h"

/* Forget every entry and the call counter (call it in each test's setup). */
void fake_blkdev_reset(void);
/* SPEC ("UUID=…") evaluates to DEVNAME ("/dev/nvme0n1p2"); DEVNAME NULL removes the entry. */
void fake_blkdev_set(const char *spec, const char *devname);
/* blkdev_evaluate() calls since the last reset. */
unsigned fake_blkdev_calls(void);
