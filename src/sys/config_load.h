/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Reading vfio-prep.conf(5) files: the grammar is config.c's; this finds, checks and reads them. */

#include "config.h"

struct root;

/*
 * Read EXPLICIT (a path on the host, as given to --config) or, when NULL, /etc/vfio-prep.conf
 * and /etc/vfio-prep.d/ *.conf below the root. A missing default file is not an error; a
 * missing explicit one is. -EINVAL with RET_ERR filled on any grammar or file problem.
 */
int config_load(struct root *r, const char *explicit_path, struct config *cfg, struct config_error *ret_err);
/* What messages call PATH below the root: the host path, so that the user can open it. */
void config_shown_path(struct root *r, const char *path, char *buf, size_t size);
