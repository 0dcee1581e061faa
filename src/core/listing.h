/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * What --list says to help choose (vfio-prep(8), --list): per device its slot path, whether it
 * is the boot VGA, on vfio-pci, or kept by root protection; per IOMMU group whether it is
 * isolated. Nothing is decided here: root protection is protect_decide()'s answer, isolation
 * the analysis of a selection of the group's first device with default options, as --check
 * would analyse that configuration. Pure over the machine and struct rootinfo.
 */

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "model.h"
#include "protect.h"
#include "rootinfo.h"

struct list_device {
        char path[SELECTOR_PATH_MAX]; /* "0000:00:1c.4/00.0"; "" when the parent chain is broken */
        bool boot_vga;
        bool on_vfio;
        struct protect_reason protect; /* root protection's verdict for it */
};

struct list_group {
        bool isolated;    /* a device of it selected with default options leaves no blocker */
        size_t tried;     /* the device selected for the analysis; NONE when only bridges are in it */
        size_t *blockers; /* what then blocks it, address order */
        size_t n_blockers;
};

struct listing {
        struct list_device *devices; /* parallel to machine.devices */
        struct list_group *groups;   /* parallel to machine.groups */
};

int listing_build(const struct machine *m, const struct rootinfo *ri, struct listing *ret);
void listing_done(struct listing *l, const struct machine *m);
/* What root protection keeps D for: "root", "/boot", "swap"...; NULL when it keeps D for none. */
const char *listing_what(const struct list_device *d);
/* The same, only for the storage controller itself (not a port above it or a group peer). */
const char *listing_backs(const struct list_device *d);
