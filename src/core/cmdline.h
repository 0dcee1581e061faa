/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The kernel command line, parsed as the kernel does (lib/cmdline.c, kernel/params.c):
 * whitespace separates parameters, double quotes may wrap a value or a whole parameter and are
 * removed, "--" ends the kernel's part (the rest is init's), and in parameter names '-' and '_'
 * are the same character. When a parameter repeats, the last occurrence wins.
 * Pure: takes the bytes, never reads /proc/cmdline.
 */

#include <stdbool.h>
#include <stddef.h>

struct cmdline_param {
        char *key;   /* as written, quotes removed */
        char *value; /* NULL for a bare flag ("quiet"); "" for "key=" */
};

struct cmdline {
        struct cmdline_param *params; /* in order of appearance */
        size_t n_params;
};

int cmdline_parse(const char *text, struct cmdline *ret);
void cmdline_done(struct cmdline *c);

/* Whether two parameter names are the same to the kernel ('-' == '_'). */
bool cmdline_key_eq(const char *a, const char *b);
/* The last occurrence of KEY, or NULL. */
const struct cmdline_param *cmdline_get(const struct cmdline *c, const char *key);
/* The value of the last occurrence of KEY; NULL when absent or a bare flag. */
const char *cmdline_value(const struct cmdline *c, const char *key);
/* "key", "key=1", "key=y", "key=on", "key=yes" → true; "=0/n/off/no" → false; absent → false. */
bool cmdline_flag(const struct cmdline *c, const char *key);
