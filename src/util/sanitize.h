/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Untrusted text shown to a user (sysfs, configuration files, the command line, pci.ids): the
 * one policy of the tree. Printable ASCII and well-formed UTF-8 (utf8.h) pass; control
 * characters (C0, DEL, and the C1 range U+0080..U+009F, which act on some terminals) and bytes
 * that are not UTF-8 are unsafe. Nothing unsafe reaches a terminal or the kernel log.
 */

#include <stddef.h>

/* Length of the safe character at S (1 for ASCII, 2 to 4 for UTF-8), or 0 when S starts
 * with an unsafe byte or is at its end. */
size_t sanitize_char_len(const char *s);
/* S (NULL shows "(null)") into BUF of SIZE > 0 bytes, each unsafe byte as '?', cut to fit; the
 * bytes of a character that does not fit whole are replaced too. Returns BUF. S may be BUF. */
const char *sanitize(const char *s, char *buf, size_t size);
/* The same in place: the length stays, each unsafe byte becoming one '?'. */
void sanitize_inplace(char *s);
