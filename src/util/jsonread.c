/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "jsonread.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sbuf.h"
#include "utf8.h"

void jsonread_init(struct jsonread *j, const char *text, unsigned max_depth, size_t max_string)
{
        *j = (struct jsonread){ .p = text, .max_depth = max_depth, .max_string = max_string };
}

static void skip_ws(struct jsonread *j)
{
        while (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r')
                j->p++;
}

char jsonread_peek(struct jsonread *j)
{
        skip_ws(j);
        return *j->p;
}

static int expect(struct jsonread *j, char c)
{
        skip_ws(j);
        if (*j->p != c)
                return -EINVAL;
        j->p++;
        return 0;
}

int jsonread_enter(struct jsonread *j, char open)
{
        if (++j->depth > j->max_depth)
                return -EINVAL;
        return expect(j, open);
}

/* The string's bound, then the one string builder. */
static int put(struct jsonread *j, struct sbuf *b, const char *c, size_t n)
{
        if (b->len + n > j->max_string)
                return -EINVAL;
        return sbuf_put(b, c, n);
}

static int hex4(struct jsonread *j, uint32_t *ret)
{
        uint32_t v = 0;

        for (int i = 0; i < 4; i++) {
                char c = *j->p;
                unsigned d;
                if (c >= '0' && c <= '9')
                        d = (unsigned)(c - '0');
                else if (c >= 'a' && c <= 'f')
                        d = (unsigned)(c - 'a' + 10);
                else if (c >= 'A' && c <= 'F')
                        d = (unsigned)(c - 'A' + 10);
                else
                        return -EINVAL;
                v = v << 4 | d;
                j->p++;
        }
        *ret = v;
        return 0;
}

/* \uXXXX after the "\u", a surrogate pair joined; NUL is refused (it cannot live in a C string). */
static int unicode_escape(struct jsonread *j, struct sbuf *b)
{
        uint32_t cp, lo;
        char out[4];

        if (hex4(j, &cp) < 0)
                return -EINVAL;
        if (cp >= 0xdc00 && cp <= 0xdfff)
                return -EINVAL;
        if (cp >= 0xd800 && cp <= 0xdbff) {
                if (j->p[0] != '\\' || j->p[1] != 'u')
                        return -EINVAL;
                j->p += 2;
                if (hex4(j, &lo) < 0 || lo < 0xdc00 || lo > 0xdfff)
                        return -EINVAL;
                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
        }
        if (cp == 0)
                return -EINVAL;
        return put(j, b, out, utf8_encode(cp, out));
}

static int escape(struct jsonread *j, struct sbuf *b)
{
        static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
        char c = *j->p++;

        if (c == 'u')
                return unicode_escape(j, b);
        const char *e = c ? strchr(from, c) : NULL;
        if (!e)
                return -EINVAL;
        return put(j, b, &to[e - from], 1);
}

static int string_char(struct jsonread *j, struct sbuf *b)
{
        const unsigned char *u = (const unsigned char *)j->p;

        if (*u == '\\') {
                j->p++;
                return escape(j, b);
        }
        if (*u < 0x20)
                return -EINVAL; /* control characters, and the end of the text */
        size_t n = *u < 0x80 ? 1 : utf8_sequence(j->p);
        if (n == 0)
                return -EINVAL;
        j->p += n;
        return put(j, b, (const char *)u, n);
}

int jsonread_string(struct jsonread *j, char **ret)
{
        struct sbuf b = { 0 };
        int k = expect(j, '"');

        while (k >= 0 && *j->p != '"')
                k = string_char(j, &b);
        if (k < 0) {
                sbuf_done(&b);
                return k;
        }
        j->p++;
        char *s = sbuf_take(&b);
        if (!s)
                return -ENOMEM;
        *ret = s;
        return 0;
}

static bool is_digit(char c)
{
        return c >= '0' && c <= '9';
}

/* One or more digits. */
static int digits(struct jsonread *j)
{
        if (!is_digit(*j->p))
                return -EINVAL;
        while (is_digit(*j->p))
                j->p++;
        return 0;
}

int jsonread_number(struct jsonread *j, long long *ret, bool *ret_int)
{
        bool neg = false, integer = true;
        long long v = 0;

        skip_ws(j);
        if (*j->p == '-')
                neg = true, j->p++;
        if (!is_digit(*j->p))
                return -EINVAL;
        if (*j->p == '0' && is_digit(j->p[1]))
                return -EINVAL; /* no leading zeros */
        for (; is_digit(*j->p); j->p++) {
                int d = *j->p - '0';
                if (v > (LLONG_MAX - d) / 10)
                        integer = false;
                else
                        v = v * 10 + d;
        }
        if (*j->p == '.') {
                integer = false;
                j->p++;
                if (digits(j) < 0)
                        return -EINVAL;
        }
        if (*j->p == 'e' || *j->p == 'E') {
                integer = false;
                j->p++;
                if (*j->p == '+' || *j->p == '-')
                        j->p++;
                if (digits(j) < 0)
                        return -EINVAL;
        }
        *ret = neg ? -v : v;
        *ret_int = integer;
        return 0;
}

static int literal(struct jsonread *j, const char *word)
{
        size_t n = strlen(word);

        skip_ws(j);
        if (strncmp(j->p, word, n) != 0)
                return -EINVAL;
        j->p += n;
        return 0;
}

int jsonread_bool(struct jsonread *j, bool *ret)
{
        if (literal(j, "true") >= 0) {
                *ret = true;
                return 0;
        }
        if (literal(j, "false") >= 0) {
                *ret = false;
                return 0;
        }
        return -EINVAL;
}

int jsonread_null(struct jsonread *j)
{
        return literal(j, "null");
}

int jsonread_next(struct jsonread *j, bool *first, char close)
{
        skip_ws(j);
        if (*j->p == close) {
                j->p++;
                j->depth--;
                return 0;
        }
        if (!*first && expect(j, ',') < 0)
                return -EINVAL;
        *first = false;
        return 1;
}

int jsonread_member(struct jsonread *j, bool *first, char **ret_key)
{
        int k = jsonread_next(j, first, '}');

        if (k <= 0)
                return k;
        k = jsonread_string(j, ret_key);
        if (k < 0)
                return k;
        k = expect(j, ':');
        if (k < 0) {
                free(*ret_key);
                return k;
        }
        return 1;
}

static int skip_object(struct jsonread *j)
{
        bool first = true;
        char *key;
        int k = jsonread_enter(j, '{');

        while (k >= 0 && (k = jsonread_member(j, &first, &key)) > 0) {
                free(key);
                k = jsonread_skip(j);
        }
        return k;
}

static int skip_array(struct jsonread *j)
{
        bool first = true;
        int k = jsonread_enter(j, '[');

        while (k >= 0 && (k = jsonread_next(j, &first, ']')) > 0)
                k = jsonread_skip(j);
        return k;
}

int jsonread_skip(struct jsonread *j)
{
        long long n;
        bool integer;
        char *s;

        switch (jsonread_peek(j)) {
        case '{':
                return skip_object(j);
        case '[':
                return skip_array(j);
        case '"': {
                int k = jsonread_string(j, &s);
                if (k >= 0)
                        free(s);
                return k;
        }
        case 't':
                return literal(j, "true");
        case 'f':
                return literal(j, "false");
        case 'n':
                return literal(j, "null");
        default:
                return jsonread_number(j, &n, &integer);
        }
}

bool jsonread_at_end(struct jsonread *j)
{
        return jsonread_peek(j) == '\0';
}
