/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * What --apply will do, group by group: bind, or leave alone with a reason. --check reports
 * the same plan, so that what it predicts is what --apply does. Pure over check_input.
 */

#include <stdbool.h>
#include <stddef.h>

#include "check.h"

enum refusal {
        REFUSE_NONE,
        REFUSE_DISABLED,     /* vfio-prep.disable on the kernel command line */
        REFUSE_IOMMU_OFF,    /* no IOMMU groups: binding would not give a usable device */
        REFUSE_NO_GROUP,     /* the device has no IOMMU group */
        REFUSE_NOT_ISOLATED, /* blockers in the group under isolation strict */
        REFUSE_ROOT_DEVICE,  /* backs root, /boot, resume or swap, or is in the group of one */
        REFUSE_ROOT_UNKNOWN, /* could hold root while the root device is not identified */
        REFUSE_BUSY,         /* a block device beneath it is mounted, swap or held */
        REFUSE_BOOT_VGA,     /* boot VGA without allow-boot-vga */
        REFUSE_PIN_MISMATCH, /* id= differs from the device found at the address */
        REFUSE_DAMAGED,      /* its sysfs attributes could not be read sensibly */
        REFUSE_SRIOV,        /* vfs=N on a device that is not a PF, or N > sriov_totalvfs */
        REFUSE_NESTED,       /* another device of the group was refused: all-or-nothing */
};

struct plan_device {
        size_t device;        /* index into machine.devices */
        enum refusal refusal; /* why this device is refused, REFUSE_NONE when it is fine */
        bool on_vfio;         /* already bound to vfio-pci: nothing to do */
};

struct plan_group {
        size_t group;                /* index into machine.groups; NONE for devices without a group */
        enum refusal refusal;        /* REFUSE_NONE: bind every device in devices[] */
        struct plan_device *devices; /* the selected devices of this group, address order */
        size_t n_devices;
};

/* A PF whose VFs must be created (vfs=N) before the VFs can be planned. */
struct plan_sriov {
        size_t device;
        long numvfs;
};

struct plan {
        enum refusal global;       /* REFUSE_DISABLED or REFUSE_IOMMU_OFF for everything, or NONE */
        struct plan_group *groups; /* by group id; groupless devices last */
        size_t n_groups;
        struct plan_sriov *sriov;
        size_t n_sriov;
};

int plan_build(const struct check_input *in, struct plan *ret);
void plan_done(struct plan *p);
/* "not isolated", "root device", ... for messages and state.json. */
const char *refusal_to_string(enum refusal r);
/* Whether the plan binds anything (some group with REFUSE_NONE and a device not on vfio). */
bool plan_has_work(const struct plan *p);
