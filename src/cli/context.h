/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Everything one run needs, loaded in one direction: root → machine → command line → config →
 * selection → analysis → root device → the plan → check input. The plan is built here, once
 * per set of facts: --apply executes it, --check renders it, the output prints it. Shared by every mode, so that
 * --check,
 * --capture and --apply see the same machine the same way. Part of the command layer: it logs.
 */

#include <stdbool.h>

#include "analyse.h"
#include "bootloader.h"
#include "check.h"
#include "cmdline.h"
#include "config.h"
#include "model.h"
#include "modload.h"
#include "modopts.h"
#include "plan.h"
#include "rootinfo.h"
#include "select.h"

struct root;

struct context_options {
        const char *root;         /* NULL: "/" */
        const char *config;       /* NULL: the default files below the root */
        char **devices;           /* --device selectors, NULL-terminated */
        const char *cmdline;      /* --cmdline, or NULL for ROOT/proc/cmdline */
        const char *sysroot;      /* --sysroot: where the real root is mounted (the second pass) */
        const char *extra_config; /* --add: one more configuration line, planned with the rest */
        bool journal;             /* record every access (for --capture) */
        bool no_modules;          /* skip libkmod (module states unknown) */
        bool no_config;           /* --release: the configuration does not matter */
        bool header_only;         /* binding needs no ACS: read only config headers (see machine.h) */
        unsigned load_skip;       /* MACHINE_LOAD_NO_*: what the mode leaves unread (see machine.h) */
        bool initramfs;           /* --check: look into the boot image (runs its lister) */
        bool skip_bad_conf;       /* --check --json, --list, --capture: go on without a broken configuration */
};

struct context {
        struct root *root;
        struct machine machine;
        struct cmdline cmdline;
        struct config config;
        struct config_error *config_errors; /* the configuration left out (skip_bad_conf), or NULL */
        struct selection selection;
        struct analysis analysis;
        struct rootinfo rootinfo;
        struct modopt_list modopts;
        struct bootloader bootloader;
        struct modload *modload;
        struct initramfs_facts initramfs;
        struct plan plan;
        struct check_input input;
};

/* Returns an EXIT_* status; on anything but EXIT_OK the error was logged and RET is empty. */
int context_load(const struct context_options *o, struct context *ret);
/* Reload the machine and everything derived from it (after creating SR-IOV VFs). */
int context_reload(struct context *c, const struct context_options *o);
void context_done(struct context *c);
