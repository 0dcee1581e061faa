/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Is vfio-prep in the boot image, with the configuration as it is now? "You changed the config
 * but did not regenerate the initramfs" fails silently at the next boot, so --check looks:
 * find the image of the running release below the root, run the generator's own lister on it
 * (lsinitrd, lsinitcpio, lsinitramfs: fork/exec, no shell, a deadline, bounded output) and read
 * the configuration files; the verdict is initramfs_judge()'s (initramfs_verdict.h). Read-only;
 * never fails on what cannot be decided: that is INITRAMFS_UNKNOWN.
 */

#include "initramfs_verdict.h"

struct root;

/* Look at the initramfs of RELEASE (NULL: unknown) below the root. Fails only on -ENOMEM. */
int initramfs_inspect(struct root *r, const char *release, struct initramfs_facts *ret);
