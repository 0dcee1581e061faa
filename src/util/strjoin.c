/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "strjoin.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>

int str_join(char *buf, size_t size, ...)
{
        size_t len = 0;
        va_list ap;

        if (size == 0)
                return -ENAMETOOLONG;
        va_start(ap, size);
        for (const char *s = va_arg(ap, const char *); s; s = va_arg(ap, const char *)) {
                size_t n = strlen(s);
                if (n >= size - len) {
                        va_end(ap);
                        buf[0] = '\0';
                        return -ENAMETOOLONG;
                }
                memcpy(buf + len, s, n);
                len += n;
        }
        va_end(ap);
        buf[len] = '\0';
        return (int)len;
}

size_t str_ulong(char buf[static STR_ULONG_MAX], unsigned long v)
{
        char tmp[STR_ULONG_MAX];
        size_t n = 0;

        do {
                tmp[n++] = (char)('0' + v % 10);
                v /= 10;
        } while (v);
        for (size_t i = 0; i < n; i++)
                buf[i] = tmp[n - 1 - i];
        buf[n] = '\0';
        return n;
}
