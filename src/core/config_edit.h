/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * vfio-prep --add and --remove (vfio-prep(8), MODES): a configuration file's text with one
 * "device" line added, or the device lines of one selector taken out, every other line and
 * comment kept byte for byte. Pure: text in, text out; the command layer reads and writes files.
 */

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

struct config_edit {
        char *text; /* the new file, NUL-terminated */
        size_t len;
        char **removed; /* the lines taken out, without their line ends (NULL-terminated) */
        size_t n_removed;
        char **added; /* the lines put in */
        size_t n_added;
};

/* Whether LINE (LEN bytes, no line end needed) is "device SELECTOR ..." with a valid selector,
 * then that selector in RET. */
bool config_edit_line_selector(const char *line, size_t len, struct selector *ret);
/* The 1-based number of the first device line of TEXT whose selector is SEL, or 0. */
size_t config_edit_find(const char *text, size_t len, const struct selector *sel);

/*
 * TEXT (NULL: the file does not exist yet, and gets a header comment) with LINE appended,
 * in the file's line ends (CRLF when its first line has one); a missing final newline is added
 * first. -EINVAL when LINE names no selector, -EEXIST when TEXT has a device line for it.
 */
int config_edit_add(const char *text, size_t len, const char *line, struct config_edit *ret);
/* TEXT without its device lines for SEL: -ENOENT when there is none. */
int config_edit_remove(const char *text, size_t len, const struct selector *sel, struct config_edit *ret);
void config_edit_done(struct config_edit *e);
