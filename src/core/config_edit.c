/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config_edit.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "sbuf.h"
#include "strv.h"

/* What a file created by --add starts with (vfio-prep.conf(5)). */
#define CONFIG_EDIT_HEADER "# vfio-prep.conf(5): the devices vfio-prep binds to vfio-pci at boot"

/* Longest selector token considered: longer is no selector. */
#define TOKEN_MAX 64

static bool is_blank(char c)
{
        return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* The next blank-separated word of [*P, END): its start, its length in RET_N; NULL at the end or
 * at a comment. */
static const char *next_word(const char **p, const char *end, size_t *ret_n)
{
        const char *s = *p, *e;

        while (s < end && is_blank(*s))
                s++;
        if (s == end || *s == '#')
                return NULL;
        for (e = s; e < end && !is_blank(*e); e++)
                ;
        *p = e;
        *ret_n = (size_t)(e - s);
        return s;
}

bool config_edit_line_selector(const char *line, size_t len, struct selector *ret)
{
        const char *p = line, *end = line + len, *w;
        char tok[TOKEN_MAX + 1];
        size_t n;

        /* A byte-order mark opens a file saved on Windows: the line is what follows it. */
        if (len >= 3 && memcmp(line, "\xef\xbb\xbf", 3) == 0)
                p += 3;
        w = next_word(&p, end, &n);
        if (!w || n != 6 || memcmp(w, "device", 6) != 0)
                return false;
        w = next_word(&p, end, &n);
        if (!w || n > TOKEN_MAX)
                return false;
        memcpy(tok, w, n);
        tok[n] = '\0';
        return selector_parse(tok, ret) >= 0;
}

/* The line at *POS of TEXT: its start, its length without the line end in RET_N; *POS moves past
 * the line end. */
static const char *next_line(const char *text, size_t len, size_t *pos, size_t *ret_n)
{
        const char *line = text + *pos;
        const char *nl = memchr(line, '\n', len - *pos);
        size_t n = nl ? (size_t)(nl - line) : len - *pos;

        *pos += n + (nl ? 1 : 0);
        *ret_n = n > 0 && line[n - 1] == '\r' ? n - 1 : n;
        return line;
}

static bool line_is(const char *line, size_t n, const struct selector *sel)
{
        struct selector s;

        return config_edit_line_selector(line, n, &s) && selector_equal(&s, sel);
}

size_t config_edit_find(const char *text, size_t len, const struct selector *sel)
{
        size_t pos = 0, lineno = 0, n;

        while (text && pos < len) {
                const char *line = next_line(text, len, &pos, &n);
                lineno++;
                if (line_is(line, n, sel))
                        return lineno;
        }
        return 0;
}

/* The file's line end: that of its first line, "\n" when it has none. */
static const char *line_end(const char *text, size_t len)
{
        const char *nl = text ? memchr(text, '\n', len) : NULL;

        return nl && nl > text && nl[-1] == '\r' ? "\r\n" : "\n";
}

static int finish(struct sbuf *b, struct config_edit *e, struct config_edit *ret)
{
        size_t len = b->len;

        e->text = sbuf_take(b);
        if (!e->text) {
                config_edit_done(e);
                return -ENOMEM;
        }
        e->len = len;
        *ret = *e;
        return 0;
}

static int add_line(struct sbuf *b, struct config_edit *e, const char *line, const char *eol)
{
        if (strv_push(&e->added, &e->n_added, line) < 0)
                return -ENOMEM;
        return sbuf_appendf(b, "%s%s", line, eol);
}

int config_edit_add(const char *text, size_t len, const char *line, struct config_edit *ret)
{
        struct config_edit e = { 0 };
        struct sbuf b = { 0 };
        struct selector sel;
        const char *eol = line_end(text, len);
        int k = 0;

        if (!config_edit_line_selector(line, strlen(line), &sel))
                return -EINVAL;
        if (config_edit_find(text, len, &sel) > 0)
                return -EEXIST;
        if (text)
                k = sbuf_put(&b, text, len);
        else
                k = add_line(&b, &e, CONFIG_EDIT_HEADER, eol);
        if (k >= 0 && len > 0 && text[len - 1] != '\n')
                k = sbuf_appendf(&b, "%s", eol);
        if (k >= 0)
                k = add_line(&b, &e, line, eol);
        /* An empty result still needs a buffer: sbuf_take gives "" for it. */
        if (k < 0) {
                sbuf_done(&b);
                config_edit_done(&e);
                return -ENOMEM;
        }
        return finish(&b, &e, ret);
}

int config_edit_remove(const char *text, size_t len, const struct selector *sel, struct config_edit *ret)
{
        struct config_edit e = { 0 };
        struct sbuf b = { 0 };
        size_t pos = 0, n;
        int k = 0;

        while (text && pos < len && k >= 0) {
                size_t start = pos;
                const char *line = next_line(text, len, &pos, &n);
                if (!line_is(line, n, sel)) {
                        k = sbuf_put(&b, text + start, pos - start);
                        continue;
                }
                _cleanup_free_ char *copy = strndup(line, n);
                k = copy ? strv_push(&e.removed, &e.n_removed, copy) : -ENOMEM;
        }
        if (k >= 0 && e.n_removed == 0)
                k = -ENOENT;
        if (k < 0) {
                sbuf_done(&b);
                config_edit_done(&e);
                return k;
        }
        return finish(&b, &e, ret);
}

void config_edit_done(struct config_edit *e)
{
        free(e->text);
        strv_free(e->removed);
        strv_free(e->added);
        *e = (struct config_edit){ 0 };
}
