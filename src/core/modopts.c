/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "modopts.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "macro.h"
#include "parse.h"
#include "sbuf.h"

/* The next option of S (modprobe's rules: whitespace separates, double quotes group). */
static const char *next_param(const char *s, size_t *ret_len)
{
        bool quoted = false;
        size_t n = 0;

        s += strspn(s, " \t\n");
        while (s[n] && (quoted || !strchr(" \t\n", s[n]))) {
                if (s[n] == '"')
                        quoted = !quoted;
                n++;
        }
        *ret_len = n;
        return s;
}

static bool is_ids(const char *p, size_t n)
{
        return (n >= 4 && strncmp(p, "ids=", 4) == 0) || (n == 3 && strncmp(p, "ids", 3) == 0);
}

/* Words joined by one space, as libkmod joins a line's options. */
static int append_word(struct sbuf *b, const char *p, size_t n)
{
        if (b->len > 0)
                sbuf_put(b, " ", 1);
        return sbuf_put(b, p, n);
}

int modopts_drop_ids(const char *options, char **ret_kept, char **ret_dropped)
{
        struct sbuf kept = { 0 }, dropped = { 0 };
        size_t n;

        for (const char *p = next_param(options ? options : "", &n); n > 0; p = next_param(p + n, &n))
                append_word(is_ids(p, n) ? &dropped : &kept, p, n);
        char *k = sbuf_take(&kept), *d = sbuf_take(&dropped);
        if (!k || !d) {
                free(k);
                free(d);
                return -ENOMEM;
        }
        *ret_kept = k;
        *ret_dropped = d;
        return 0;
}

static int push(struct modopt_list *list, char *origin, const char *ids, size_t n, bool cmdline)
{
        char *v = strndup(ids, n);

        if (!v || !origin || array_grow(&list->items, list->n_items) < 0) {
                free(v);
                free(origin);
                return -ENOMEM;
        }
        list->items[list->n_items++] = (struct modopt_ids){ .origin = origin, .ids = v, .cmdline = cmdline };
        return 0;
}

void modopts_done(struct modopt_list *list)
{
        for (size_t i = 0; i < list->n_items; i++) {
                free(list->items[i].origin);
                free(list->items[i].ids);
        }
        free(list->items);
        *list = (struct modopt_list){ 0 };
}

/* "vfio-pci" and "vfio_pci" are one module to modprobe. */
static bool is_vfio_pci(const char *p, size_t n)
{
        return n == 8 && (strncmp(p, "vfio-pci", 8) == 0 || strncmp(p, "vfio_pci", 8) == 0);
}

/* One logical line ("options vfio-pci ids=… …"): its ids= values, if it is about vfio-pci. */
static int scan_line(const char *file, unsigned lineno, const char *line, struct modopt_list *list)
{
        size_t n;
        const char *p = next_param(line, &n);

        if (n != 7 || strncmp(p, "options", 7) != 0)
                return 0;
        p = next_param(p + n, &n);
        if (!is_vfio_pci(p, n))
                return 0;
        for (p = next_param(p + n, &n); n > 0; p = next_param(p + n, &n)) {
                if (!is_ids(p, n))
                        continue;
                char *origin = NULL;
                if (asprintf(&origin, "%s:%u", file, lineno) < 0)
                        origin = NULL;
                size_t skip = n > 4 ? 4 : n;
                int k = push(list, origin, p + skip, n - skip, false);
                if (k < 0)
                        return k;
        }
        return 0;
}

int modopts_scan_conf(const char *file, const char *text, struct modopt_list *list)
{
        _cleanup_free_ char *copy = strdup(text);
        _cleanup_(sbuf_done) struct sbuf logical = { 0 };
        unsigned lineno = 0, start = 0;

        if (!copy)
                return -ENOMEM;
        for (char *p = copy, *next; p; p = next) {
                next = strchr(p, '\n');
                if (next)
                        *next++ = '\0';
                lineno++;
                /* Only a line that starts with '#' is a comment to libkmod. */
                if (p[strspn(p, " \t")] == '#')
                        p[0] = '\0';
                size_t n = strlen(p);
                bool cont = n > 0 && p[n - 1] == '\\';
                if (cont)
                        n--;
                if (logical.len == 0)
                        start = lineno;
                if (append_word(&logical, p, n) < 0)
                        return -ENOMEM;
                if (cont && next)
                        continue;
                _cleanup_free_ char *line = sbuf_take(&logical);
                if (!line)
                        return -ENOMEM;
                int k = scan_line(file, start, line, list);
                if (k < 0)
                        return k;
        }
        return 0;
}

int modopts_scan_cmdline(const struct cmdline *c, struct modopt_list *list)
{
        for (size_t i = 0; c && i < c->n_params; i++) {
                const struct cmdline_param *p = &c->params[i];
                if (!p->value || !cmdline_key_eq(p->key, "vfio_pci.ids"))
                        continue;
                char *origin = NULL;
                if (asprintf(&origin, "kernel command line (%s=)", p->key) < 0)
                        origin = NULL;
                int k = push(list, origin, p->value, strlen(p->value), true);
                if (k < 0)
                        return k;
        }
        return 0;
}

/* "VVVV:DDDD[:SVVV:SDDD[:CLASS:MASK]]" with ffffffff as "any", as vfio-pci parses ids=. */
bool modopts_id_matches(const char *id, const struct pci_device *d)
{
        unsigned v[4] = { 0, 0, 0xffffffff, 0xffffffff };
        int n = sscanf(id, "%x:%x:%x:%x", &v[0], &v[1], &v[2], &v[3]);

        if (n < 2)
                return false;
        return (v[0] == 0xffffffff || v[0] == d->vendor) && (v[1] == 0xffffffff || v[1] == d->device) &&
               (v[2] == 0xffffffff || v[2] == d->subsys_vendor) && (v[3] == 0xffffffff || v[3] == d->subsys_device);
}
