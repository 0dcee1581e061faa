/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "sanitize.h"

#include <stdio.h>
#include <string.h>

#include "macro.h"
#include "utf8.h"

/* Longest input sanitize() copies aside when it writes over its own input. */
#define SANITIZE_INPLACE_MAX 4096

struct cp_range {
        uint32_t lo, hi;
};

/* Blank or zero-width characters that look like a space or like nothing, and the byte-order
 * mark: a user cannot see them in an editor, so messages show them escaped. */
static const struct cp_range invisible[] = {
        { 0x00a0, 0x00a0 }, { 0x00ad, 0x00ad },   { 0x034f, 0x034f }, { 0x061c, 0x061c }, { 0x115f, 0x1160 },
        { 0x17b4, 0x17b5 }, { 0x180e, 0x180e },   { 0x2000, 0x200f }, { 0x2028, 0x202f }, { 0x205f, 0x206f },
        { 0x3000, 0x3000 }, { 0x3164, 0x3164 },   { 0xfe00, 0xfe0f }, { 0xfeff, 0xfeff }, { 0xffa0, 0xffa0 },
        { 0xfff9, 0xfffb }, { 0xe0000, 0xe007f },
};

static const struct cp_range wide[] = {
        { 0x1100, 0x115e }, { 0x2e80, 0x303e },   { 0x3041, 0x33ff },   { 0x3400, 0x4dbf },   { 0x4e00, 0x9fff },
        { 0xa000, 0xa4cf }, { 0xac00, 0xd7a3 },   { 0xf900, 0xfaff },   { 0xfe30, 0xfe4f },   { 0xff00, 0xff60 },
        { 0xffe0, 0xffe6 }, { 0x1f300, 0x1f64f }, { 0x1f900, 0x1f9ff }, { 0x20000, 0x2fffd }, { 0x30000, 0x3fffd },
};

static const struct cp_range combining[] = {
        { 0x0300, 0x036f }, { 0x1ab0, 0x1aff }, { 0x1dc0, 0x1dff }, { 0x20d0, 0x20ff }, { 0xfe20, 0xfe2f },
};

static int in_ranges(uint32_t cp, const struct cp_range *r, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (cp >= r[i].lo && cp <= r[i].hi)
                        return 1;
        return 0;
}

/* The code point of the well-formed sequence of N bytes at S. */
static uint32_t decode(const char *s, size_t n)
{
        const unsigned char *u = (const unsigned char *)s;
        uint32_t cp = n == 1 ? u[0] : n == 2 ? u[0] & 0x1fu : n == 3 ? u[0] & 0x0fu : u[0] & 0x07u;

        for (size_t i = 1; i < n; i++)
                cp = cp << 6 | (u[i] & 0x3fu);
        return cp;
}

int sanitize_is_invisible(uint32_t cp)
{
        return (cp >= 0x80 && cp < 0xa0) || in_ranges(cp, invisible, ARRAY_SIZE(invisible));
}

size_t sanitize_char_len(const char *s)
{
        unsigned char c = (unsigned char)s[0];

        if (c < 0x80)
                return c >= 0x20 && c != 0x7f ? 1 : 0;
        size_t n = utf8_sequence(s);
        return n > 0 && !sanitize_is_invisible(decode(s, n)) ? n : 0;
}

/* The escape of the unsafe character at S into OUT: returns how many bytes of S it covers. */
static size_t escape_one(const char *s, char out[static 16])
{
        size_t n = (unsigned char)s[0] < 0x80 ? 0 : utf8_sequence(s);

        if (n == 0) {
                snprintf(out, 16, "\\x%02x", (unsigned char)s[0]);
                return 1;
        }
        uint32_t cp = decode(s, n);
        snprintf(out, 16, cp > 0xffff ? "\\U%08x" : "\\u%04x", (unsigned)cp);
        return n;
}

static const char *sanitize_copy(const char *p, char *buf, size_t size)
{
        size_t i = 0;

        while (*p) {
                char esc[16];
                size_t n = sanitize_char_len(p), in = n;
                const char *piece = p;
                if (n == 0) {
                        in = escape_one(p, esc);
                        piece = esc;
                        n = strlen(esc);
                }
                /* A character or an escape that does not fit whole is left out, and so is the rest. */
                if (i + n >= size)
                        break;
                memcpy(buf + i, piece, n);
                i += n;
                p += in;
        }
        buf[i] = '\0';
        return buf;
}

const char *sanitize(const char *s, char *buf, size_t size)
{
        const char *p = s ? s : "(null)";

        if (p != buf)
                return sanitize_copy(p, buf, size);
        /* Escapes grow the text: read from a copy. */
        char copy[SANITIZE_INPLACE_MAX];
        snprintf(copy, sizeof(copy), "%s", p);
        return sanitize_copy(copy, buf, size);
}

void sanitize_inplace(char *s)
{
        while (*s) {
                size_t n = sanitize_char_len(s);
                if (n == 0)
                        *s++ = '?';
                else
                        s += n;
        }
}

size_t sanitize_width(const char *s, size_t n)
{
        size_t w = 0;

        for (size_t i = 0; i < n && s[i];) {
                size_t len = (unsigned char)s[i] < 0x80 ? 1 : utf8_sequence(s + i);
                if (len == 0 || i + len > n) {
                        w++;
                        i++;
                        continue;
                }
                uint32_t cp = decode(s + i, len);
                w += in_ranges(cp, wide, ARRAY_SIZE(wide))             ? 2
                     : in_ranges(cp, combining, ARRAY_SIZE(combining)) ? 0
                                                                       : 1;
                i += len;
        }
        return w;
}
