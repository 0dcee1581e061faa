/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Inside --check (check.h): the builder every finding is made with, the lookups the findings
 * share, and the checks of each part (check_iommu.c, check_system.c, check_device.c,
 * check_group.c), which check.c runs in the order of vfio-prep(8), CHECKS.
 */

#include <stdbool.h>
#include <stddef.h>

#include "check.h"
#include "macro.h"
#include "paths.h"
#include "plan.h"
#include "sbuf.h"

/* One finding under construction: the worst status wins, parts are joined with "; ". */
struct fb {
        enum check_status status;
        struct sbuf msg, hint;
};

struct ctx {
        const struct check_input *in;
        const struct machine *m;
        const struct cmdline *c;
        const struct plan *plan;
        struct iommu_summary sum;
};

/* ---- the builder and the lookups (check_finding.c) ---- */
_printf_(3, 4) void fb_msg(struct fb *f, enum check_status st, const char *fmt, ...);
_printf_(2, 3) void fb_hint(struct fb *f, const char *fmt, ...);
void fb_hint_boot(struct fb *f, const struct check_input *in, bool add, const char *param, const char *tail);
void fb_done(struct fb *f);
/* Add the finding to R and free the builder. */
int fb_emit(struct report *r, const char *id, struct fb *f);
/* The same for a finding about line LINE of configuration file FILE. */
int fb_emit_at(struct report *r, const char *id, struct fb *f, const char *file, unsigned line);
const struct cmdline_param *param_get(const struct cmdline *c, const char *key);
bool value_has_token(const char *value, const char *token);
const struct cmdline_param *find_token(const struct cmdline *c, const char *key, const char *token);
char *param_text(const struct cmdline_param *p);
void fb_hint_remove_param(struct fb *f, const struct check_input *in, const struct cmdline_param *p, const char *tail);
const struct boot_record_entry *record_find(const struct machine *m, const char *name);
const char *config_file(const struct check_input *in);
const char *entry_origin(const struct device_conf *dc);
void fb_hint_option(struct fb *f, const struct check_input *in, const struct device_conf *dc, const char *option,
                    const char *tail);
const char *dev_name(const struct machine *m, size_t device);
/* "'device ADDRESS id=VVVV:DDDD'" for every device SEL matches but SKIP, appended to
 * F's hint (F NULL: only counted); how many. */
size_t fb_hint_device_lines(struct fb *f, const struct machine *m, const struct selector *sel, size_t skip);
long group_id_of(const struct machine *m, size_t group);
const char *plural_s(size_t n);

/* ---- the IOMMU (check_iommu.c) ---- */
int kernel_bool(const char *s);
int check_iommu_hardware(const struct ctx *x, struct report *r);
bool intel_default_off(const struct machine *m);
const struct cmdline_param *iommu_disabling_param(const struct ctx *x);
int check_iommu_enabled(const struct ctx *x, struct report *r);
int check_iommu_mode(const struct ctx *x, struct report *r);
int check_interrupt_remapping(const struct ctx *x, struct report *r);

/* ---- the system (check_system.c) ---- */
int check_cmdline(const struct ctx *x, struct report *r);
int check_vfio_driver(const struct ctx *x, struct report *r);
int check_initramfs(const struct ctx *x, struct report *r);
int check_config(const struct ctx *x, struct report *r);
int check_root_device(const struct ctx *x, struct report *r);

/* ---- devices (check_device.c) ---- */
int check_device(const struct ctx *x, const struct selected *it, struct report *r);
int check_unmatched(const struct ctx *x, const struct unmatched *u, struct report *r);

/* ---- groups and sysfs (check_group.c) ---- */
int check_groups(const struct ctx *x, struct report *r);
int check_sysfs(const struct ctx *x, struct report *r);
