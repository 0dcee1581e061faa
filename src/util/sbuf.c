/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "sbuf.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Room for N more bytes and the NUL; capacity doubles so that appends stay linear. */
static int reserve(struct sbuf *b, size_t n)
{
        if (b->oom)
                return -ENOMEM;
        if (n > SIZE_MAX / 2 - b->len - 1) {
                b->oom = true;
                return -ENOMEM;
        }
        if (b->len + n + 1 <= b->cap)
                return 0;
        size_t cap = b->cap ? b->cap : 32;
        while (cap < b->len + n + 1)
                cap *= 2;
        char *s = realloc(b->s, cap);
        if (!s) {
                b->oom = true;
                return -ENOMEM;
        }
        b->s = s;
        b->cap = cap;
        return 0;
}

int sbuf_put(struct sbuf *b, const char *c, size_t n)
{
        int k = reserve(b, n);
        if (k < 0)
                return k;
        memcpy(b->s + b->len, c, n);
        b->len += n;
        b->s[b->len] = '\0';
        return 0;
}

int sbuf_vappendf(struct sbuf *b, const char *fmt, va_list ap)
{
        va_list aq;

        if (b->oom)
                return -ENOMEM;
        va_copy(aq, ap);
        int n = vsnprintf(NULL, 0, fmt, aq);
        va_end(aq);
        if (n < 0) {
                b->oom = true;
                return -ENOMEM;
        }
        int k = reserve(b, (size_t)n);
        if (k < 0)
                return k;
        vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
        b->len += (size_t)n;
        return 0;
}

int sbuf_appendf(struct sbuf *b, const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        int k = sbuf_vappendf(b, fmt, ap);
        va_end(ap);
        return k;
}

char *sbuf_take(struct sbuf *b)
{
        if (b->oom || (!b->s && sbuf_put(b, "", 0) < 0))
                return NULL;
        char *s = b->s;
        *b = (struct sbuf){ 0 };
        return s;
}

void sbuf_done(struct sbuf *b)
{
        free(b->s);
        *b = (struct sbuf){ 0 };
}

char *str_vprintf(const char *fmt, va_list ap)
{
        char *s = NULL;

        return vasprintf(&s, fmt, ap) < 0 ? NULL : s;
}
