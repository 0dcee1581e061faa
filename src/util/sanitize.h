/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Untrusted text shown to a user (sysfs, configuration files, the command line, pci.ids): the
 * one policy of the tree. Printable ASCII and well-formed, visible UTF-8 (utf8.h) pass; control
 * characters (C0, DEL, and the C1 range U+0080..U+009F, which act on some terminals), bytes that
 * are not UTF-8 and invisible characters (a no-break space, zero-width and direction marks, the
 * byte-order mark) are unsafe: they are shown escaped, "\xNN" for a byte and "\uXXXX" for an
 * invisible character, so that the user sees what is in the file. Nothing unsafe reaches a
 * terminal or the kernel log.
 */

#include <stddef.h>
#include <stdint.h>

/* Length of the safe character at S (1 for ASCII, 2 to 4 for UTF-8), or 0 when S starts
 * with an unsafe byte or character, or is at its end. */
size_t sanitize_char_len(const char *s);
/* S (NULL shows "(null)") into BUF of SIZE > 0 bytes, each unsafe byte or character escaped, cut
 * to fit without splitting a character or an escape. Returns BUF. S may be BUF. */
const char *sanitize(const char *s, char *buf, size_t size);
/* For text that cannot grow: in place, each unsafe byte becoming one '?'. */
void sanitize_inplace(char *s);
/* Columns the first N bytes of safe text S take on a terminal: 2 for a wide (East Asian,
 * emoji) character, 0 for a combining mark, 1 for the others. */
size_t sanitize_width(const char *s, size_t n);
/* Whether code point CP is invisible or blank but not a space (shown escaped). */
int sanitize_is_invisible(uint32_t cp);
