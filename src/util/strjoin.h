/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Strings put together without printf: paths and names built for every attribute of every
 * device, where formatting would cost more than the system call the path is for (musl's
 * snprintf makes a copy call per piece).
 */

#include <stddef.h>

/* Room for an unsigned long in decimal, and its NUL. */
#define STR_ULONG_MAX 21

/* The strings up to the NULL, one after another, into BUF of SIZE bytes: their length, or
 * -ENAMETOOLONG when they do not fit, and BUF then holds "". */
int str_join(char *buf, size_t size, ...) __attribute__((sentinel));
/* V in decimal into BUF: the number of digits. */
size_t str_ulong(char buf[static STR_ULONG_MAX], unsigned long v);
