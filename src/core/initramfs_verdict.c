/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "initramfs_verdict.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "array.h"
#include "macro.h"
#include "parse.h"
#include "paths.h"
#include "sanitize.h"
#include "sbuf.h"
#include "strv.h"

/* ---- candidate images (pure) --------------------------------------------------------------- */

bool initramfs_plain_name(const char *s)
{
        return s && *s && !strchr(s, '/') && strcmp(s, ".") != 0 && strcmp(s, "..") != 0;
}

static _printf_(3, 4) int push_fmt(char ***v, size_t *n, const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        char *s = str_vprintf(fmt, ap);
        va_end(ap);
        return s && strv_consume(v, n, s) >= 0 ? 0 : (free(s), -ENOMEM);
}

int initramfs_candidates(const char *release, const char *pkgbase, const char *machine_id, char ***ret, size_t *ret_n)
{
        _cleanup_strv_ char **v = NULL;
        size_t n = 0;
        int k = 0;

        if (!initramfs_plain_name(release) || (pkgbase && !initramfs_plain_name(pkgbase)) ||
            (machine_id && !initramfs_plain_name(machine_id)))
                return -EINVAL;
        k |= push_fmt(&v, &n, "/boot/initramfs-%s.img", release);
        k |= push_fmt(&v, &n, "/boot/initrd.img-%s", release);
        k |= push_fmt(&v, &n, "/boot/initrd-%s", release);
        if (pkgbase)
                k |= push_fmt(&v, &n, "/boot/initramfs-%s.img", pkgbase);
        if (machine_id) {
                k |= push_fmt(&v, &n, "/boot/%s/%s/initrd", machine_id, release);
                k |= push_fmt(&v, &n, "/efi/%s/%s/initrd", machine_id, release);
                k |= push_fmt(&v, &n, "/boot/efi/%s/%s/initrd", machine_id, release);
        }
        if (k < 0)
                return -ENOMEM;
        *ret = TAKE_PTR(v);
        *ret_n = n;
        return 0;
}

/* ---- listings (pure) ------------------------------------------------------------------------- */

/* "-rw-r--r--" and friends: the first column of an "ls -l" style line. */
static bool is_mode(const char *s)
{
        if (!strchr("-dlcbps", s[0]))
                return false;
        for (int i = 1; i < 10; i++)
                if (!s[i] || !strchr("rwxsStT-", s[i]))
                        return false;
        return s[10] == '\0' || s[10] == ' ' || s[10] == '.' || s[10] == '+';
}

static const char *skip_fields(const char *s, int n)
{
        for (int i = 0; i < n && *s; i++) {
                s += strcspn(s, " \t");
                s += strspn(s, " \t");
        }
        return s;
}

/* The name and (for a regular file) size an "ls -l" line shows: mode, links, owner, group,
 * size, three date columns, name. Device nodes have two size columns: not ours, skipped. */
static bool parse_long(const char *line, const char **ret_name, int64_t *ret_size)
{
        uint64_t size;
        char buf[32];

        if (line[0] == 'c' || line[0] == 'b')
                return false;
        const char *s = skip_fields(line, 4);
        size_t len = strcspn(s, " \t");
        *ret_size = -1;
        if (line[0] == '-' && len < sizeof(buf)) {
                memcpy(buf, s, len);
                buf[len] = '\0';
                if (parse_u64(buf, 10, INT64_MAX, &size) >= 0)
                        *ret_size = (int64_t)size;
        }
        *ret_name = skip_fields(s, 4);
        return **ret_name != '\0';
}

static bool is_config_path(const char *p)
{
        /* Relative to the image: the default paths without their leading '/'. */
        const char *dir = &VFIO_PREP_CONF_DIR[1];
        size_t n = strlen(dir);

        return strcmp(p, &VFIO_PREP_CONF[1]) == 0 ||
               (strncmp(p, dir, n) == 0 && p[n] == '/' && config_is_dropin_name(p + n + 1));
}

/* P is TAIL, or ends with "/" TAIL. */
static bool ends_with_component(const char *p, const char *tail)
{
        size_t n = strlen(p), t = strlen(tail);

        return n >= t && strcmp(p + n - t, tail) == 0 && (n == t || p[n - t - 1] == '/');
}

/* .../bin/vfio-prep or .../sbin/vfio-prep: the runtime hooks are named vfio-prep too. */
static bool is_binary_path(const char *p)
{
        return ends_with_component(p, "bin/vfio-prep") || ends_with_component(p, "sbin/vfio-prep");
}

static int add_config(struct initramfs_listing *l, const char *path, int64_t size)
{
        for (size_t i = 0; i < l->n_configs; i++)
                if (strcmp(l->configs[i].path, path) == 0) {
                        l->configs[i].size = size;
                        return 0;
                }
        if (l->n_configs >= INITRAMFS_MAX_CONFIGS)
                return 0;
        if (array_grow(&l->configs, l->n_configs) < 0)
                return -ENOMEM;
        char *p = strdup(path);
        if (!p)
                return -ENOMEM;
        l->configs[l->n_configs++] = (struct initramfs_entry){ .path = p, .size = size };
        return 0;
}

/* One line, NUL-terminated and writable. */
static int parse_line(struct initramfs_listing *l, char *line)
{
        const char *name = line;
        int64_t size = -1;

        if (is_mode(line) && !parse_long(line, &name, &size))
                return 0;
        char *arrow = strstr(name, " -> ");
        if (arrow)
                *arrow = '\0';
        while (name[0] == '.' && name[1] == '/')
                name += 2;
        while (name[0] == '/')
                name++;
        if (strcmp(name, "init") == 0)
                l->has_init = true;
        else if (is_binary_path(name))
                l->has_binary = true;
        else if (is_config_path(name))
                return add_config(l, name, arrow ? -1 : size);
        return 0;
}

int initramfs_parse_listing(const char *text, size_t len, struct initramfs_listing *ret)
{
        struct initramfs_listing l = { 0 };
        _cleanup_free_ char *line = NULL;
        size_t cap = 0;
        int k = 0;

        for (size_t i = 0; i < len && k >= 0;) {
                size_t raw = 0;
                while (i + raw < len && text[i + raw] != '\n')
                        raw++;
                size_t n = raw;
                if (n + 1 > cap) {
                        char *b = realloc(line, n + 1);
                        if (!b) {
                                k = -ENOMEM;
                                break;
                        }
                        line = b;
                        cap = n + 1;
                }
                memcpy(line, text + i, n);
                while (n > 0 && (line[n - 1] == '\r' || line[n - 1] == ' ' || line[n - 1] == '\t'))
                        n--;
                line[n] = '\0';
                k = parse_line(&l, line);
                i += raw + 1;
        }
        if (k < 0) {
                initramfs_listing_done(&l);
                return k;
        }
        *ret = l;
        return 0;
}

void initramfs_listing_done(struct initramfs_listing *l)
{
        for (size_t i = 0; i < l->n_configs; i++)
                free(l->configs[i].path);
        free(l->configs);
        *l = (struct initramfs_listing){ 0 };
}

/* ---- the verdict (pure) ---------------------------------------------------------------------- */

/* Untrusted names in messages, as the one policy (sanitize.h) shows them; NULL on -ENOMEM. */
static char *printable(const char *s)
{
        char *c = strdup(s);

        if (c)
                sanitize_inplace(c);
        return c;
}

/* The first difference found, and how many there are. */
struct differences {
        char *first;
        size_t count;
        bool oom;
};

static _printf_(2, 3) void differ(struct differences *d, const char *fmt, ...)
{
        va_list ap;

        if (d->count++ > 0 || d->oom)
                return;
        va_start(ap, fmt);
        if (vasprintf(&d->first, fmt, ap) < 0) {
                d->first = NULL;
                d->oom = true;
        }
        va_end(ap);
}

const struct initramfs_entry *initramfs_find_entry(const struct initramfs_listing *l, const char *path)
{
        while (*path == '/')
                path++;
        for (size_t i = 0; i < l->n_configs; i++)
                if (strcmp(l->configs[i].path, path) == 0)
                        return &l->configs[i];
        return NULL;
}

/* Compare one file with its copy in the image; returns whether the text itself was compared. */
static bool compare_one(const struct initramfs_config *c, const struct initramfs_entry *e, int64_t image_mtime,
                        struct differences *d)
{
        _cleanup_free_ char *p = printable(c->path);

        if (!p) {
                d->oom = true;
                return false;
        }
        if (c->text && c->image_text) {
                if (c->len != c->image_len || memcmp(c->text, c->image_text, c->len) != 0)
                        differ(d, "%s differs from the image's copy", p);
                return true;
        }
        if (c->text && e->size >= 0 && (uint64_t)e->size != c->len)
                differ(d, "%s differs from the image's copy (%lld bytes there, %zu here)", p, (long long)e->size,
                       c->len);
        else if (c->mtime > image_mtime)
                differ(d, "%s changed after the image was built", p);
        return false;
}

static bool in_configs(const struct initramfs_config *c, size_t n, const char *image_path)
{
        for (size_t i = 0; i < n; i++)
                if (c[i].path && strcmp(c[i].path + strspn(c[i].path, "/"), image_path) == 0)
                        return true;
        return false;
}

/* Every file compared both ways; returns whether all texts were compared. */
static bool compare_all(const struct initramfs_listing *l, const struct initramfs_config *c, size_t n,
                        int64_t image_mtime, struct differences *d)
{
        bool all = true;

        for (size_t i = 0; i < n; i++) {
                const struct initramfs_entry *e = initramfs_find_entry(l, c[i].path);
                _cleanup_free_ char *p = printable(c[i].path);
                if (!p)
                        d->oom = true;
                else if (!e)
                        differ(d, "%s is not in the image", p);
                else
                        all &= compare_one(&c[i], e, image_mtime, d);
        }
        for (size_t i = 0; i < l->n_configs; i++) {
                if (in_configs(c, n, l->configs[i].path))
                        continue;
                _cleanup_free_ char *p = printable(l->configs[i].path);
                if (!p)
                        d->oom = true;
                else
                        differ(d, "the image has /%s, which this system no longer has", p);
        }
        return all;
}

void initramfs_set_verdict(struct initramfs_facts *f, enum initramfs_verdict v, char *detail)
{
        free(f->detail);
        f->detail = detail;
        f->verdict = v;
}

static int set_detail(struct initramfs_facts *f, enum initramfs_verdict v, char *detail)
{
        initramfs_set_verdict(f, v, detail);
        return 0;
}

int initramfs_judge(const struct initramfs_listing *l, const struct initramfs_config *configs, size_t n,
                    int64_t image_mtime, struct initramfs_facts *f)
{
        struct differences d = { 0 };
        char *s = NULL;

        f->content_compared = false;
        if (!l->has_init) {
                s = strdup("its listing shows no /init");
                return s ? set_detail(f, INITRAMFS_UNKNOWN, s) : -ENOMEM;
        }
        if (!l->has_binary)
                return set_detail(f, INITRAMFS_MISSING, NULL);
        bool all = compare_all(l, configs, n, image_mtime, &d);
        if (d.oom) {
                free(d.first);
                return -ENOMEM;
        }
        if (d.count == 0) {
                f->content_compared = all;
                return set_detail(f, INITRAMFS_CURRENT, NULL);
        }
        if (d.count == 1)
                s = TAKE_PTR(d.first);
        else if (asprintf(&s, "%s; and %zu more difference%s", d.first, d.count - 1, d.count > 2 ? "s" : "") < 0)
                s = NULL;
        free(d.first);
        return s ? set_detail(f, INITRAMFS_STALE, s) : -ENOMEM;
}

void initramfs_configs_free(struct initramfs_config *c, size_t n)
{
        for (size_t i = 0; c && i < n; i++) {
                free(c[i].path);
                free(c[i].text);
                free(c[i].image_text);
        }
        free(c);
}

void initramfs_facts_done(struct initramfs_facts *f)
{
        free(f->image);
        free(f->detail);
        *f = (struct initramfs_facts){ 0 };
}
