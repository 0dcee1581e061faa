/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* UTF-8 as RFC 3629 defines it: the one validator of the tree (JSON in and out, messages). */

#include <stddef.h>
#include <stdint.h>

/*
 * Length (2 to 4) of the well-formed UTF-8 sequence at S, whose first byte is not ASCII, or 0
 * when it is not one: a stray continuation byte, a truncated sequence, an overlong form, a
 * surrogate or a code point beyond U+10FFFF. S is NUL-terminated: the check stops at the first
 * byte that does not fit, so it never reads past the NUL.
 */
size_t utf8_sequence(const char *s);
/* CP (at most U+10FFFF, not a surrogate) encoded into OUT; returns the length, 1 to 4. */
size_t utf8_encode(uint32_t cp, char out[static 4]);
