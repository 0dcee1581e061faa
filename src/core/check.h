/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * `--check`: findings with stable ids (vfio-prep(8), CHECKS), each with a message and, for warn and
 * fail, a hint that says what to do on this system. Pure: everything it needs is gathered by
 * the command layer into struct check_input first, the plan included.
 */

#include <stdbool.h>
#include <stddef.h>

#include "analyse.h"
#include "bootloader.h"
#include "cmdline.h"
#include "config.h"
#include "initramfs_verdict.h"
#include "model.h"
#include "modstate.h"
#include "modopts.h"
#include "plan.h"
#include "rootinfo.h"
#include "select.h"

enum check_status {
        CHECK_PASS,
        CHECK_INFO,
        CHECK_WARN,
        CHECK_FAIL,
};

struct finding {
        enum check_status status;
        char *id; /* "iommu-enabled", "device:0000:01:00.0", "group:14" */
        char *message;
        char *hint;    /* NULL when there is nothing to do */
        char *file;    /* an error's configuration file ("config:FILE:LINE" findings), else NULL */
        unsigned line; /* and its line */
};

enum iommu_vendor {
        IOMMU_VENDOR_UNKNOWN,
        IOMMU_VENDOR_INTEL,
        IOMMU_VENDOR_AMD,
        IOMMU_VENDOR_ARM,
};

enum iommu_mode {
        IOMMU_MODE_UNKNOWN,
        IOMMU_MODE_PASSTHROUGH,
        IOMMU_MODE_TRANSLATED,
};

struct iommu_summary {
        enum iommu_vendor vendor;
        bool hardware;
        bool enabled;
        enum iommu_mode mode;
};

struct check_input {
        const struct machine *machine;
        const struct cmdline *cmdline;
        const struct config *config;
        const struct config_error *config_errors; /* the configuration was left out for these, or NULL */
        const struct selection *selection;
        const struct analysis *analysis;
        const struct rootinfo *rootinfo;   /* root, resume, swap, /boot; record; busy devices */
        const struct modopt_list *modopts; /* vfio-pci ids= options in modprobe.d and the command line */
        const struct bootloader *bootloader;
        enum module_state vfio_pci;
        enum module_state vfio_iommu_type1;
        const struct initramfs_facts *initramfs; /* NULL: not looked at (only --check looks) */
        const struct plan *plan; /* what --apply does, built from the facts above: rendered, never re-decided */
};

struct report {
        struct finding *findings;
        size_t n_findings;
        struct iommu_summary iommu;
        bool ready; /* no finding is CHECK_FAIL */
};

int check_run(const struct check_input *in, struct report *ret);
void report_done(struct report *r);
struct iommu_summary iommu_summarize(const struct machine *m, const struct cmdline *c);
const char *check_status_to_string(enum check_status s); /* "pass", "warn", ... */
const char *iommu_vendor_to_string(enum iommu_vendor v);
const char *iommu_mode_to_string(enum iommu_mode m);
