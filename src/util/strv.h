/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stddef.h>

/* NULL-terminated string vectors with an explicit count kept by the caller. */

/* Append a copy of S (or a bare NULL terminator when S is NULL and the vector is empty). */
int strv_push(char ***v, size_t *n, const char *s);
/* Append S itself, taking ownership on success. */
int strv_consume(char ***v, size_t *n, char *s);
void strv_free(char **v);
