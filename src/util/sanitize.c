/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "sanitize.h"

#include <string.h>

#include "utf8.h"

size_t sanitize_char_len(const char *s)
{
        unsigned char c = (unsigned char)s[0];

        if (c < 0x80)
                return c >= 0x20 && c != 0x7f ? 1 : 0;
        /* U+0080..U+009F: C1 controls. */
        if (c == 0xc2 && (unsigned char)s[1] < 0xa0)
                return 0;
        return utf8_sequence(s);
}

const char *sanitize(const char *s, char *buf, size_t size)
{
        const char *p = s ? s : "(null)";
        size_t i = 0;

        while (*p && i + 1 < size) {
                size_t n = sanitize_char_len(p);
                /* A character that does not fit is replaced too, never cut in half. */
                if (n == 0 || i + n >= size) {
                        buf[i++] = '?';
                        p++;
                        continue;
                }
                memmove(buf + i, p, n); /* BUF may be S: writing never overtakes reading */
                i += n;
                p += n;
        }
        buf[i] = '\0';
        return buf;
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
