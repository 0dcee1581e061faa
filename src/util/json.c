/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "json.h"

#include <string.h>

#include "utf8.h"

/*
 * Layout: every member or element on a line of its own, indented two spaces per level;
 * empty containers stay "{}" and "[]". Containers nested deeper than JSON_MAX_DEPTH are
 * written as null and everything inside them is dropped, so the document stays valid.
 */

void json_init(struct json *j, FILE *f)
{
        j->f = f;
        j->depth = 0;
        memset(j->first, 0, sizeof(j->first));
        j->first[0] = true;
        j->after_key = false;
        j->len = 0;
}

static void flush(struct json *j)
{
        if (j->len > 0)
                fwrite(j->buf, 1, j->len, j->f);
        j->len = 0;
}

static void put(struct json *j, const char *s, size_t n)
{
        if (n > sizeof(j->buf) - j->len) {
                flush(j);
                if (n > sizeof(j->buf)) {
                        fwrite(s, 1, n, j->f);
                        return;
                }
        }
        memcpy(j->buf + j->len, s, n);
        j->len += n;
}

static void put_char(struct json *j, char c)
{
        if (j->len == sizeof(j->buf))
                flush(j);
        j->buf[j->len++] = c;
}

static void put_str(struct json *j, const char *s)
{
        put(j, s, strlen(s));
}

/* Writing is suppressed while inside a container that was too deep to open. */
static bool json_dropping(const struct json *j)
{
        return j->depth >= JSON_MAX_DEPTH;
}

static void json_indent(struct json *j, int level)
{
        static const char spaces[] = "                                ";
        _Static_assert(sizeof(spaces) == 2 * JSON_MAX_DEPTH + 1, "two spaces for each level");

        put(j, spaces, 2 * (size_t)(level < 0 ? 0 : level < JSON_MAX_DEPTH ? level : JSON_MAX_DEPTH));
}

/* Separator and line break before a member or element (but not before a key's value). */
static void json_prefix(struct json *j)
{
        if (j->after_key) {
                j->after_key = false;
                return;
        }
        if (j->depth == 0) {
                if (!j->first[0])
                        put_char(j, '\n');
                j->first[0] = false;
                return;
        }
        if (!j->first[j->depth])
                put_char(j, ',');
        j->first[j->depth] = false;
        put_char(j, '\n');
        json_indent(j, j->depth);
}

static void json_begin(struct json *j, char open)
{
        if (json_dropping(j)) {
                j->depth++;
                return;
        }
        json_prefix(j);
        if (j->depth + 1 >= JSON_MAX_DEPTH) {
                put_str(j, "null");
                j->depth = JSON_MAX_DEPTH;
                return;
        }
        put_char(j, open);
        j->depth++;
        j->first[j->depth] = true;
}

static void json_end(struct json *j, char close)
{
        if (j->depth <= 0)
                return; /* unbalanced: nothing open */
        if (json_dropping(j)) {
                j->depth--;
                return;
        }
        j->after_key = false;
        if (!j->first[j->depth]) {
                put_char(j, '\n');
                json_indent(j, j->depth - 1);
        }
        put_char(j, close);
        j->depth--;
}

void json_object_begin(struct json *j)
{
        json_begin(j, '{');
}

void json_object_end(struct json *j)
{
        json_end(j, '}');
}

void json_array_begin(struct json *j)
{
        json_begin(j, '[');
}

void json_array_end(struct json *j)
{
        json_end(j, ']');
}

static void json_escaped(struct json *j, const char *str)
{
        static const char hex[] = "0123456789abcdef";
        const unsigned char *s = (const unsigned char *)str;

        put_char(j, '"');
        while (*s) {
                /* Printable ASCII goes in runs. */
                size_t n = 0;
                while (s[n] >= 0x20 && s[n] < 0x7f && s[n] != '"' && s[n] != '\\')
                        n++;
                put(j, (const char *)s, n);
                s += n;
                if (!*s)
                        break;
                if (*s == '"' || *s == '\\') {
                        put_char(j, '\\');
                        put_char(j, (char)*s++);
                } else if (*s < 0x20 || *s == 0x7f) {
                        char u[6] = { '\\', 'u', '0', '0', hex[*s >> 4], hex[*s & 0xf] };
                        put(j, u, sizeof(u));
                        s++;
                } else {
                        n = utf8_sequence((const char *)s);
                        if (n == 0) {
                                put_str(j, "\\ufffd");
                                s++;
                        } else {
                                put(j, (const char *)s, n);
                                s += n;
                        }
                }
        }
        put_char(j, '"');
}

void json_key(struct json *j, const char *key)
{
        if (json_dropping(j))
                return;
        json_prefix(j);
        json_escaped(j, key ? key : "");
        put(j, ": ", 2);
        j->after_key = true;
}

void json_string(struct json *j, const char *s)
{
        if (!s) {
                json_null(j);
                return;
        }
        if (json_dropping(j))
                return;
        json_prefix(j);
        json_escaped(j, s);
}

void json_int(struct json *j, long long v)
{
        if (json_dropping(j))
                return;
        json_prefix(j);
        char digits[24];
        size_t n = sizeof(digits);
        /* As unsigned: the magnitude of LLONG_MIN does not fit a long long. */
        unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;

        do
                digits[--n] = (char)('0' + u % 10);
        while (u /= 10);
        if (v < 0)
                digits[--n] = '-';
        put(j, digits + n, sizeof(digits) - n);
}

void json_bool(struct json *j, bool v)
{
        if (json_dropping(j))
                return;
        json_prefix(j);
        put_str(j, v ? "true" : "false");
}

void json_null(struct json *j)
{
        if (json_dropping(j))
                return;
        json_prefix(j);
        put_str(j, "null");
}

void json_finish(struct json *j)
{
        put_char(j, '\n');
        flush(j);
}
