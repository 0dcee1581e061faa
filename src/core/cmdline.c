/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "cmdline.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "array.h"
#include "macro.h"

/*
 * The kernel's isspace(): the C locale's six, plus 0xa0 (Latin-1 no-break space), which the
 * kernel's ctype table also marks as space. Matching it keeps our split identical to the
 * kernel's for every byte string.
 */
static bool kspace(char c)
{
        unsigned char u = (unsigned char)c;
        return u == ' ' || (u >= '\t' && u <= '\r') || u == 0xa0;
}

static const char *skip_kspace(const char *p)
{
        while (*p && kspace(*p))
                p++;
        return p;
}

/* One parameter in place: split S, strip its quotes; returns where the next one starts. */
static char *split_param(char *s, char **ret_key, char **ret_value)
{
        bool quoted = *s == '"', in_quote;
        size_t i, eq = 0;
        char *value = NULL;

        if (quoted)
                s++;
        in_quote = quoted;
        for (i = 0; s[i]; i++) {
                if (kspace(s[i]) && !in_quote)
                        break;
                /* A leading '=' names no key, as in the kernel: only a later one splits. */
                if (eq == 0 && i > 0 && s[i] == '=')
                        eq = i;
                if (s[i] == '"')
                        in_quote = !in_quote;
        }
        char *next = s[i] ? s + i + 1 : s + i;
        s[i] = '\0';
        if (eq > 0) {
                s[eq] = '\0';
                value = s + eq + 1;
                /* key="a b": drop the value's opening quote and a closing one at the end. */
                if (*value == '"') {
                        value++;
                        if (s[i - 1] == '"')
                                s[i - 1] = '\0';
                }
        }
        /* "key=a b": the whole parameter was quoted. */
        if (quoted && i > 0 && s[i - 1] == '"')
                s[i - 1] = '\0';
        *ret_key = s;
        *ret_value = value;
        return next;
}

static int push_param(struct cmdline *c, const char *key, const char *value)
{
        if (array_grow(&c->params, c->n_params) < 0)
                return -ENOMEM;
        struct cmdline_param *p = c->params;
        _cleanup_free_ char *k = strdup(key);
        _cleanup_free_ char *v = value ? strdup(value) : NULL;
        if (!k || (value && !v))
                return -ENOMEM;
        p[c->n_params++] = (struct cmdline_param){ .key = TAKE_PTR(k), .value = TAKE_PTR(v) };
        return 0;
}

static int parse_all(char *buf, struct cmdline *c)
{
        char *p = (char *)skip_kspace(buf);

        while (*p) {
                char *key, *value;
                p = split_param(p, &key, &value);
                p = (char *)skip_kspace(p);
                /* The rest belongs to init. */
                if (!value && strcmp(key, "--") == 0)
                        break;
                /* A lone '"' or '""' names nothing. */
                if (!value && !*key)
                        continue;
                int k = push_param(c, key, value);
                if (k < 0)
                        return k;
        }
        return 0;
}

int cmdline_parse(const char *text, struct cmdline *ret)
{
        struct cmdline c = { 0 };
        _cleanup_free_ char *buf = strdup(text ? text : "");
        if (!buf)
                return -ENOMEM;

        /* /proc/cmdline ends in a newline that is not part of the command line; inside an
         * unterminated quote it would otherwise end up in the last value. */
        size_t len = strlen(buf);
        if (len > 0 && buf[len - 1] == '\n')
                buf[len - 1] = '\0';

        int k = parse_all(buf, &c);
        if (k < 0) {
                cmdline_done(&c);
                return k;
        }
        *ret = c;
        return 0;
}

void cmdline_done(struct cmdline *c)
{
        if (!c)
                return;
        for (size_t i = 0; i < c->n_params; i++) {
                free(c->params[i].key);
                free(c->params[i].value);
        }
        free(c->params);
        c->params = NULL;
        c->n_params = 0;
}

static char dash_to_underscore(char c)
{
        return c == '-' ? '_' : c;
}

bool cmdline_key_eq(const char *a, const char *b)
{
        if (!a || !b)
                return false;
        for (;; a++, b++) {
                if (dash_to_underscore(*a) != dash_to_underscore(*b))
                        return false;
                if (!*a)
                        return true;
        }
}

const struct cmdline_param *cmdline_get(const struct cmdline *c, const char *key)
{
        if (!c)
                return NULL;
        for (size_t i = c->n_params; i > 0; i--)
                if (cmdline_key_eq(c->params[i - 1].key, key))
                        return &c->params[i - 1];
        return NULL;
}

const char *cmdline_value(const struct cmdline *c, const char *key)
{
        const struct cmdline_param *p = cmdline_get(c, key);
        return p ? p->value : NULL;
}

bool cmdline_flag(const struct cmdline *c, const char *key)
{
        static const char *const yes[] = { "1", "y", "yes", "on", "true" };
        const struct cmdline_param *p = cmdline_get(c, key);

        if (!p)
                return false;
        if (!p->value)
                return true;
        /* Anything not recognisably "yes" (0, n, off, garbage, empty) leaves the flag off. */
        for (size_t i = 0; i < ARRAY_SIZE(yes); i++)
                if (strcasecmp(p->value, yes[i]) == 0)
                        return true;
        return false;
}
