/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* The modes of vfio-prep(8). Each returns an EXIT_* status and logs its own errors. */

#include <stdbool.h>

#include "context.h"
#include "output.h"

int cmd_check(const struct context_options *o, bool json, const struct output_style *st);
int cmd_list(const struct context_options *o, bool json, const struct output_style *st);
int cmd_capture(const struct context_options *o, const char *target);
int cmd_apply(const struct context_options *o, bool dry_run);
int cmd_release(const struct context_options *o, const char *address, bool dry_run);
int cmd_root_record(const struct context_options *o);
int cmd_add(const struct context_options *o, const char *selector, char **options, bool dry_run);
int cmd_remove(const struct context_options *o, const char *selector, bool dry_run);

/* Why --apply leaves PD of group PG to the host, in words ("not isolated: IOMMU group 6 is
 * shared with ..."): --apply logs it, --add refuses with it. */
void refusal_text(const struct context *c, const struct plan_group *pg, const struct plan_device *pd, char *buf,
                  size_t size);
