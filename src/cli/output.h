/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Rendering of --check and --list, as aligned text or as JSON (vfio-prep(8), JSON OUTPUT, version 1). */

#include <stdbool.h>
#include <stdio.h>

#include "check.h"
#include "model.h"

struct output_style {
        bool color;
        bool verbose;
};

int output_check_text(FILE *f, const struct check_input *in, const struct report *rep, const struct output_style *st);
int output_check_json(FILE *f, const struct check_input *in, const struct report *rep);
/* --list reads IN's machine, command line and root facts (vfio-prep(8), --list). */
int output_list_text(FILE *f, const struct check_input *in, const struct output_style *st);
int output_list_json(FILE *f, const struct check_input *in);
