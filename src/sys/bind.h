/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Doing the plan: per group, all-or-nothing. For every device: driver_override = vfio-pci,
 * unbind the host driver (with a deadline), then load vfio-pci (libkmod), drivers_probe each
 * device, and verify its driver link. Any failure rolls the whole group back: overrides
 * cleared ("\n"), devices re-probed so their host drivers take them again.
 */

#include <stdbool.h>
#include <stddef.h>

#include "model.h"
#include "plan.h"

struct root;
struct modload;

#define BIND_DEFAULT_TIMEOUT_MS 5000

struct bind_options {
        unsigned timeout_ms; /* for each write that can block (unbind, probe) */
        bool dry_run;        /* record the writes that would be made, make none */
};

struct bind_result {
        int error;        /* 0, or the -errno of the step that failed */
        size_t device;    /* the device whose step failed, NONE when none */
        const char *step; /* "set driver_override", "unbind from host driver", "load vfio-pci",
                             "load vfio_iommu_type1", "probe", "verify driver" (static string) */
        char *detail;     /* the host driver for an unbind; for "verify driver",
                             "bound to nvidia instead" or "no driver bound after probe" */
        bool rolled_back;
};

/* A callback that is told each write (path, value) made or, in a dry run, that would be made. */
typedef void (*bind_write_fn)(void *userdata, const char *path, const char *value);

int bind_group(struct root *r, struct modload *ml, const struct machine *m, const struct plan_group *pg,
               const struct bind_options *opt, bind_write_fn on_write, void *userdata, struct bind_result *ret);
/* --release: clear the override, unbind from vfio-pci, re-probe; RET_DRIVER is who took it. */
int bind_release(struct root *r, const struct machine *m, size_t device, const struct bind_options *opt,
                 bind_write_fn on_write, void *userdata, char **ret_driver);
/* vfs=N: autoprobe off, then sriov_numvfs = N (0 first when another count is set). */
int sriov_create(struct root *r, const struct machine *m, size_t pf, long numvfs, const struct bind_options *opt,
                 bind_write_fn on_write, void *userdata);
void bind_result_done(struct bind_result *res);
