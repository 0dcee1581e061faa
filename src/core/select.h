/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Selectors to devices: which devices the configuration picks, with functions= expanded and
 * id= pins checked. Pure over the model.
 */

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "model.h"

enum selected_why {
        SELECTED_BY_SELECTOR,  /* the selector named it */
        SELECTED_BY_FUNCTIONS, /* pulled in by functions=auto|all from another selected device */
        SELECTED_AS_VF,        /* an SR-IOV VF of a PF whose entry has vfs=N (pulled_by = the PF) */
};

struct selected {
        size_t device;                  /* index into machine.devices */
        const struct device_conf *conf; /* the entry that selected it (or pulled it in) */
        enum selected_why why;
        size_t pulled_by;  /* device index that pulled it in, NONE otherwise */
        bool pin_mismatch; /* id= given and the device has another ID: skip it */
};

/* A config entry that matched no present device. */
struct unmatched {
        const struct device_conf *conf;
};

struct selection {
        struct selected *items; /* in device address order, each device once */
        size_t n_items;
        struct unmatched *unmatched;
        size_t n_unmatched;
};

/* What a vfs=N entry (vfio-prep.conf(5)) makes of the device it names; the one place of that rule. */
enum vfs_role {
        VFS_NONE, /* not named by an entry with vfs=, or its id= pin failed */
        VFS_PF,   /* an SR-IOV PF able to have N VFs: it stays with its host driver, its VFs are bound */
        VFS_BAD,  /* not a PF, or one with fewer than N VFs: refused */
};

enum vfs_role selected_vfs_role(const struct machine *m, const struct selected *it);
/* Whether the configuration means IT to end on vfio-pci: not when its id= pin failed, and not
 * when its entry has vfs= (vfio-prep.conf(5): the VFs are bound, never the device named). */
bool selected_wants_vfio(const struct machine *m, const struct selected *it);

int select_devices(const struct machine *m, const struct config *cfg, struct selection *ret);
void selection_done(struct selection *s);
/* The device at slot path PATH ("0000:00:1c.4/00.0", vfio-prep.conf(5) path=), or NONE. */
size_t select_find_path(const struct machine *m, const char *path);
/* Index into s->items of DEVICE, or NONE. */
size_t selection_find(const struct selection *s, size_t device);
