/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * A growing NUL-terminated string. An allocation failure is remembered in `oom` and makes every
 * later append a no-op, so that a builder can append freely and check once at the end.
 */

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "macro.h"

struct sbuf {
        char *s; /* NULL until something is appended */
        size_t len, cap;
        bool oom;
};

/* Append N bytes of C. 0 or -ENOMEM (also when an earlier append failed). */
int sbuf_put(struct sbuf *b, const char *c, size_t n);
int sbuf_vappendf(struct sbuf *b, const char *fmt, va_list ap);
_printf_(2, 3) int sbuf_appendf(struct sbuf *b, const char *fmt, ...);
/* The string ("" when empty), owned by the caller; the buffer is left empty. NULL on -ENOMEM. */
char *sbuf_take(struct sbuf *b);
void sbuf_done(struct sbuf *b);

/* A new string formatted from FMT and AP, or NULL when memory ran out. */
_printf_(1, 0) char *str_vprintf(const char *fmt, va_list ap);
