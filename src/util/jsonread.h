/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * A strict pull reader for JSON text in memory (no I/O): RFC 8259 syntax (numbers checked,
 * strings valid UTF-8 without control characters or NUL), bounded nesting and string length
 * against damaged or hostile input. The caller walks the document it expects and skips what
 * it does not know (jsonread_skip). Every function returns 0 (or 1 for "another item") or a
 * negative errno: -EINVAL for text that is not what was asked, -ENOMEM.
 */

#include <stdbool.h>
#include <stddef.h>

struct jsonread {
        const char *p; /* the next character */
        unsigned depth;
        unsigned max_depth;
        size_t max_string;
};

/* TEXT is NUL-terminated; MAX_DEPTH bounds nesting, MAX_STRING a string's bytes once decoded. */
void jsonread_init(struct jsonread *j, const char *text, unsigned max_depth, size_t max_string);
/* The next character after white space, not consumed ('\0' at the end). */
char jsonread_peek(struct jsonread *j);
/* Consume the opening bracket OPEN ('{' or '['), one level deeper. */
int jsonread_enter(struct jsonread *j, char open);
/*
 * Iterators over a container that jsonread_enter() opened: 1 when another element follows
 * (jsonread_next) or another member, positioned after its key (in *RET_KEY, to free) and colon
 * (jsonread_member); 0 after the closing bracket. FIRST starts true.
 */
int jsonread_next(struct jsonread *j, bool *first, char close);
int jsonread_member(struct jsonread *j, bool *first, char **ret_key);
int jsonread_string(struct jsonread *j, char **ret);
/* A number; RET_INT tells whether it is an integer that fits RET. */
int jsonread_number(struct jsonread *j, long long *ret, bool *ret_int);
int jsonread_bool(struct jsonread *j, bool *ret);
int jsonread_null(struct jsonread *j);
/* Any one value, checked as strictly as the functions above read it. */
int jsonread_skip(struct jsonread *j);
/* Only white space is left. */
bool jsonread_at_end(struct jsonread *j);
