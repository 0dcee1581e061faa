/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * What --apply will do, group by group: bind, or leave alone with a reason. Built once per run
 * by the command layer; --apply executes it and --check renders it, so that what --check
 * predicts is what --apply does. Pure over the facts in struct plan_input.
 */

#include <stdbool.h>
#include <stddef.h>

#include "analyse.h"
#include "cmdline.h"
#include "config.h"
#include "model.h"
#include "select.h"

struct rootinfo; /* root, resume, swap, /boot and busy devices: protect.h */

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

/* What the group's devices and blockers say about its isolation (vfio-prep(8), GROUPS). */
enum isolation {
        ISOLATION_NOT_JUDGED, /* no device of it is meant for vfio-pci: nothing to isolate */
        ISOLATION_OK,         /* isolated */
        ISOLATION_UNKNOWN,    /* not analysed: counts as not isolated */
        ISOLATION_BLOCKED,    /* devices that stay with the host share it */
};

struct plan_input {
        const struct machine *machine;
        const struct cmdline *cmdline; /* NULL: no command line */
        const struct config *config;   /* NULL: no configuration, every default */
        const struct selection *selection;
        const struct analysis *analysis;
        const struct rootinfo *rootinfo;
};

struct plan_device {
        size_t device;        /* index into machine.devices */
        enum refusal refusal; /* why this device is refused, REFUSE_NONE when it is fine */
        bool on_vfio;         /* already bound to vfio-pci: nothing to do */
};

struct plan_group {
        size_t group;                /* index into machine.groups; NONE for devices without a group */
        enum refusal refusal;        /* REFUSE_NONE: bind every device in devices[] */
        enum isolation isolation;    /* judged whatever else refuses the group */
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

int plan_build(const struct plan_input *in, struct plan *ret);
void plan_done(struct plan *p);
/* The isolation rule (vfio-prep.conf(5), "isolation"): whether a group judged V is left to the
 * host under CFG. strict, the default (also without any configuration), refuses it; warn binds. */
bool plan_isolation_refuses(const struct config *cfg, enum isolation v);
/* The entry of DEVICE in P and its group, or NULL when the plan holds no such device. */
const struct plan_device *plan_find_device(const struct plan *p, size_t device, const struct plan_group **ret_group);
const struct plan_group *plan_find_group(const struct plan *p, size_t group);
const struct plan_sriov *plan_find_sriov(const struct plan *p, size_t device);
/* "not isolated", "root device", ... for messages and state.json. */
const char *refusal_to_string(enum refusal r);
/* Whether the plan binds anything (some group with REFUSE_NONE and a device not on vfio). */
bool plan_has_work(const struct plan *p);
