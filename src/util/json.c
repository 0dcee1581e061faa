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
        memset(j, 0, sizeof(*j));
        j->f = f;
        j->first[0] = true;
}

/* Writing is suppressed while inside a container that was too deep to open. */
static bool json_dropping(const struct json *j)
{
        return j->depth >= JSON_MAX_DEPTH;
}

static void json_indent(struct json *j, int level)
{
        for (int i = 0; i < level; i++)
                fputs("  ", j->f);
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
                        fputc('\n', j->f);
                j->first[0] = false;
                return;
        }
        if (!j->first[j->depth])
                fputc(',', j->f);
        j->first[j->depth] = false;
        fputc('\n', j->f);
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
                fputs("null", j->f);
                j->depth = JSON_MAX_DEPTH;
                return;
        }
        fputc(open, j->f);
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
                fputc('\n', j->f);
                json_indent(j, j->depth - 1);
        }
        fputc(close, j->f);
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

static void json_escaped(FILE *f, const char *str)
{
        const unsigned char *s = (const unsigned char *)str;

        fputc('"', f);
        while (*s) {
                if (*s == '"' || *s == '\\') {
                        fputc('\\', f);
                        fputc(*s++, f);
                } else if (*s < 0x20 || *s == 0x7f) {
                        fprintf(f, "\\u%04x", *s++);
                } else if (*s < 0x80) {
                        fputc(*s++, f);
                } else {
                        size_t n = utf8_sequence((const char *)s);
                        if (n == 0) {
                                fputs("\\ufffd", f);
                                s++;
                        } else {
                                fwrite(s, 1, n, f);
                                s += n;
                        }
                }
        }
        fputc('"', f);
}

void json_key(struct json *j, const char *key)
{
        if (json_dropping(j))
                return;
        json_prefix(j);
        json_escaped(j->f, key ? key : "");
        fputs(": ", j->f);
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
        json_escaped(j->f, s);
}

void json_int(struct json *j, long long v)
{
        if (json_dropping(j))
                return;
        json_prefix(j);
        fprintf(j->f, "%lld", v);
}

void json_bool(struct json *j, bool v)
{
        if (json_dropping(j))
                return;
        json_prefix(j);
        fputs(v ? "true" : "false", j->f);
}

void json_null(struct json *j)
{
        if (json_dropping(j))
                return;
        json_prefix(j);
        fputs("null", j->f);
}

void json_finish(struct json *j)
{
        fputc('\n', j->f);
}
