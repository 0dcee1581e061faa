/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "array.h"
#include "macro.h"
#include "parse.h"
#include "sanitize.h"
#include "strv.h"
#include "suggest.h"

#define CONFIG_LINE_MAX 4096

/* Bytes of an untrusted token shown in a message; each may become "\xNN", plus "…". */
#define SHOW_MAX 64
#define SHOW_BUF (SHOW_MAX * 4 + 8)

static bool is_blank(char c)
{
        return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* At most SHOW_MAX bytes of S, sanitized (sanitize.h), "…" when cut; a cut never splits a
 * UTF-8 sequence. */
static const char *show(char buf[static SHOW_BUF], const char *s)
{
        char cut[SHOW_MAX + 1];
        size_t n = strlen(s);
        bool more = n > SHOW_MAX;

        if (more) {
                n = SHOW_MAX;
                while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
                        n--;
        }
        memcpy(cut, s, n);
        cut[n] = '\0';
        sanitize(cut, buf, SHOW_BUF - sizeof("…"));
        if (more)
                strcat(buf, "…");
        return buf;
}

int config_fail(struct config_error *err, const char *origin, const char *fmt, ...)
{
        struct config_problem *p;
        va_list ap;

        if (!err)
                return -EINVAL;
        if (err->n == CONFIG_ERRORS_MAX) {
                err->n_more++;
                return -EINVAL;
        }
        p = &err->list[err->n++];
        sanitize(origin, p->origin, sizeof(p->origin));
        va_start(ap, fmt);
        vsnprintf(p->message, sizeof(p->message), fmt, ap);
        va_end(ap);
        if (err->n == 1) {
                memcpy(err->origin, p->origin, sizeof(err->origin));
                memcpy(err->message, p->message, sizeof(err->message));
        }
        return -EINVAL;
}

bool config_origin_split(const char *origin, char *file, size_t size, unsigned *ret_line)
{
        const char *colon = strrchr(origin, ':');
        uint64_t line;

        if (!colon || colon == origin || (size_t)(colon - origin) >= size ||
            parse_u64(colon + 1, 10, UINT_MAX, &line) < 0 || line == 0)
                return false;
        memcpy(file, origin, colon - origin);
        file[colon - origin] = '\0';
        *ret_line = (unsigned)line;
        return true;
}

/* The message for a selector that selector_parse() refused with K. */
static int fail_selector(struct config_error *err, const char *origin, const char *text, int k)
{
        char q[SHOW_BUF];

        if (k == -ERANGE)
                return config_fail(err, origin,
                                   "PCI address '%s' out of range (domain up to fffffff, device 00-1f, function 0-7)",
                                   show(q, text));
        return config_fail(err, origin, "invalid selector '%s'", show(q, text));
}

int config_fail_nomem(struct config_error *err, const char *origin)
{
        config_fail(err, origin, "out of memory");
        return -ENOMEM;
}

static const struct device_conf *config_find(const struct config *cfg, const struct selector *sel)
{
        for (size_t i = 0; i < cfg->n_devices; i++)
                if (selector_equal(&cfg->devices[i].sel, sel))
                        return &cfg->devices[i];
        return NULL;
}

/* ---- entries ---- */

static void device_conf_done(struct device_conf *d)
{
        free(d->text);
        free(d->origin);
}

static struct device_conf device_conf_default(void)
{
        return (struct device_conf){ .functions = FUNCTIONS_AUTO, .vfs = -1 };
}

/* Append D, taking copies of TEXT and ORIGIN. */
static int config_append(struct config *cfg, const struct device_conf *d, const char *text, const char *origin)
{
        if (array_grow(&cfg->devices, cfg->n_devices) < 0)
                return -ENOMEM;
        struct device_conf c = *d;
        c.text = strdup(text);
        c.origin = strdup(origin);
        if (!c.text || !c.origin) {
                device_conf_done(&c);
                return -ENOMEM;
        }
        cfg->devices[cfg->n_devices++] = c;
        return 0;
}

/* Forget the entries from index N on (a failed parse leaves the config as it found it). */
static void config_truncate(struct config *cfg, size_t n)
{
        while (cfg->n_devices > n)
                device_conf_done(&cfg->devices[--cfg->n_devices]);
}

static void strv_truncate(char **v, size_t *len, size_t n)
{
        while (*len > n) {
                free(v[--*len]);
                v[*len] = NULL;
        }
}

void config_done(struct config *cfg)
{
        if (!cfg)
                return;
        config_truncate(cfg, 0);
        free(cfg->devices);
        strv_free(cfg->files);
        strv_free(cfg->skipped);
        *cfg = (struct config){ 0 };
}

/* ---- options ---- */

typedef int (*option_fn)(struct device_conf *d, const char *value, const char *origin, struct config_error *err);

static int option_id(struct device_conf *d, const char *value, const char *origin, struct config_error *err)
{
        char q[SHOW_BUF];
        uint16_t v[4];
        size_t n;

        if (d->sel.kind == SELECTOR_ID)
                return config_fail(err, origin, "option 'id' needs an address or path selector");
        if (selector_parse_ids(value, v, &n) < 0 || n != 2)
                return config_fail(err, origin, "'id' takes a vendor:device ID such as 10de:2484, not '%s'",
                                   show(q, value));
        d->has_pin = true;
        d->pin_vendor = v[0];
        d->pin_device = v[1];
        return 0;
}

/* "did you mean" for a mistyped word (suggest.h), or nothing. */
static const char *did_you_mean(char *buf, size_t size, const char *word, const char *const *words, size_t n)
{
        const char *hit = suggest_closest(word, words, n);

        if (!hit)
                return "";
        snprintf(buf, size, ": did you mean '%s'?", hit);
        return buf;
}

static int option_functions(struct device_conf *d, const char *value, const char *origin, struct config_error *err)
{
        static const char *const values[] = { "auto", "all", "one" };
        char q[SHOW_BUF], hint[64];

        if (strcmp(value, "auto") == 0)
                d->functions = FUNCTIONS_AUTO;
        else if (strcmp(value, "all") == 0)
                d->functions = FUNCTIONS_ALL;
        else if (strcmp(value, "one") == 0)
                d->functions = FUNCTIONS_ONE;
        else
                return config_fail(err, origin, "'functions' takes auto, all or one, not '%s'%s", show(q, value),
                                   did_you_mean(hint, sizeof(hint), value, values, ARRAY_SIZE(values)));
        return 0;
}

static int option_vfs(struct device_conf *d, const char *value, const char *origin, struct config_error *err)
{
        char q[SHOW_BUF];
        uint64_t n;

        if (parse_u64(value, 10, 65535, &n) < 0 || n == 0)
                return config_fail(err, origin, "'vfs' takes a number from 1 to 65535, not '%s'", show(q, value));
        d->vfs = (long)n;
        return 0;
}

static int option_allow_boot_vga(struct device_conf *d, const char *value, const char *origin, struct config_error *err)
{
        d->allow_boot_vga = true;
        return 0;
}

static int option_optional(struct device_conf *d, const char *value, const char *origin, struct config_error *err)
{
        d->optional = true;
        return 0;
}

static const struct option_def {
        const char *name;
        bool takes_value;
        option_fn apply;
} option_defs[] = {
        { "id", true, option_id },
        { "functions", true, option_functions },
        { "vfs", true, option_vfs },
        { "allow-boot-vga", false, option_allow_boot_vga },
        { "optional", false, option_optional },
};

static int fail_unknown_option(struct config_error *err, const char *origin, const char *name)
{
        const char *names[ARRAY_SIZE(option_defs)];
        char q[SHOW_BUF], hint[64];

        for (size_t i = 0; i < ARRAY_SIZE(option_defs); i++)
                names[i] = option_defs[i].name;
        return config_fail(err, origin, "unknown option '%s'%s", show(q, name),
                           did_you_mean(hint, sizeof(hint), name, names, ARRAY_SIZE(names)));
}

/* TOKEN is "name" or "name=value"; SEEN has one bit per option already given on the line. */
static int parse_option(struct device_conf *d, char *token, unsigned *seen, const char *origin,
                        struct config_error *err)
{
        char *value = strchr(token, '=');

        if (value)
                *value++ = '\0';
        for (size_t i = 0; i < ARRAY_SIZE(option_defs); i++) {
                const struct option_def *o = &option_defs[i];
                if (strcmp(token, o->name) != 0)
                        continue;
                if (*seen & (1u << i))
                        return config_fail(err, origin, "duplicate option '%s'", o->name);
                *seen |= 1u << i;
                if (!o->takes_value && value)
                        return config_fail(err, origin, "option '%s' takes no value", o->name);
                if (o->takes_value && (!value || !*value))
                        return config_fail(err, origin, "option '%s' needs a value", o->name);
                return o->apply(d, value, origin, err);
        }
        return fail_unknown_option(err, origin, token);
}

/* ---- lines ---- */

/* The next whitespace-separated word of *P, NUL-terminated in place; NULL at the end of the
 * line or where a word starts with '#' (the rest is a comment). */
static char *next_token(char **p)
{
        char *s = *p;

        while (*s && is_blank(*s))
                s++;
        if (!*s || *s == '#') {
                *p = s + strlen(s);
                return NULL;
        }
        char *e = s;
        while (*e && !is_blank(*e))
                e++;
        if (*e)
                *e++ = '\0';
        *p = e;
        return s;
}

/* "device A,B": one selector per line, each with the options of the line. */
static int fail_selector_list(const struct config *cfg, struct config_error *err, const char *origin, const char *text)
{
        char lines[768];

        config_replacement_lines(cfg->machine, text, lines, sizeof(lines));
        return config_fail(err, origin, "one selector per 'device' line: replace this line with %s", lines);
}

static int parse_device(struct config *cfg, char **p, const char *origin, struct config_error *err)
{
        struct device_conf d = device_conf_default();
        char canon[SELECTOR_STRLEN];
        unsigned seen = 0;
        char *text = next_token(p), *tok;
        int k;

        d.from_file = true;
        if (!text)
                return config_fail(err, origin, "'device' needs a selector");
        k = selector_parse(text, &d.sel);
        if (k < 0 && strchr(text, ','))
                return fail_selector_list(cfg, err, origin, text);
        if (k < 0)
                return fail_selector(err, origin, text, k);
        while ((tok = next_token(p))) {
                k = parse_option(&d, tok, &seen, origin, err);
                if (k < 0)
                        return k;
        }
        const struct device_conf *prev = config_find(cfg, &d.sel);
        if (prev) {
                selector_format(&d.sel, canon);
                return config_fail(err, origin, "device %s already configured at %s", canon, prev->origin);
        }
        k = config_append(cfg, &d, text, origin);
        return k < 0 ? config_fail_nomem(err, origin) : 0;
}

static int parse_isolation(struct config *cfg, char **p, const char *origin, struct config_error *err)
{
        static const char *const values[] = { "strict", "warn" };
        char q[SHOW_BUF], hint[64];
        char *value = next_token(p), *extra;

        if (!value)
                return config_fail(err, origin, "'isolation' needs a value: strict or warn");
        if (strcmp(value, "strict") != 0 && strcmp(value, "warn") != 0)
                return config_fail(err, origin, "'isolation' takes strict or warn, not '%s'%s", show(q, value),
                                   did_you_mean(hint, sizeof(hint), value, values, ARRAY_SIZE(values)));
        extra = next_token(p);
        if (extra)
                return config_fail(err, origin, "unexpected '%s' after 'isolation %s'", show(q, extra), value);
        /* Given twice, the last one wins, as later files override earlier ones. */
        cfg->isolation = strcmp(value, "strict") == 0 ? ISOLATION_STRICT : ISOLATION_WARN;
        return 0;
}

static int parse_line(struct config *cfg, const char *line, size_t len, const char *origin, struct config_error *err)
{
        static const char *const keywords[] = { "device", "isolation" };
        char buf[CONFIG_LINE_MAX + 1], q[SHOW_BUF], hint[64];
        char *p = buf, *keyword;

        if (len > CONFIG_LINE_MAX)
                return config_fail(err, origin, "line too long");
        if (memchr(line, '\0', len))
                return config_fail(err, origin, "NUL byte in line");
        memcpy(buf, line, len);
        buf[len] = '\0';

        keyword = next_token(&p);
        if (!keyword)
                return 0;
        if (strcmp(keyword, "device") == 0)
                return parse_device(cfg, &p, origin, err);
        if (strcmp(keyword, "isolation") == 0)
                return parse_isolation(cfg, &p, origin, err);
        char pasted[1024];
        if (config_pasted_message(cfg->machine, keyword, p, pasted, sizeof(pasted)))
                return config_fail(err, origin, "%s", pasted);
        return config_fail(err, origin, "unknown keyword '%s'%s", show(q, keyword),
                           did_you_mean(hint, sizeof(hint), keyword, keywords, ARRAY_SIZE(keywords)));
}

/* A file saved by a Windows editor starts with a UTF-8 byte-order mark: not part of the text. */
#define UTF8_BOM "\xef\xbb\xbf"

/*
 * Every line is parsed even after an error, so that one run reports them all (up to
 * CONFIG_ERRORS_MAX); the first error is returned, and a failed parse leaves CFG as it found it.
 * CR before LF is a blank like any other (is_blank()), so CRLF line ends need nothing more.
 */
int config_parse(struct config *cfg, const char *name, const char *text, size_t len, struct config_error *ret_err)
{
        size_t n0 = cfg->n_devices, lineno = 0, pos = 0;
        enum isolation_mode iso0 = cfg->isolation;
        char shown[sizeof(ret_err->origin) - 24];
        int first = 0;

        sanitize(name, shown, sizeof(shown));
        if (len >= 3 && memcmp(text, UTF8_BOM, 3) == 0)
                pos = 3;
        while (pos < len) {
                const char *line = text + pos;
                const char *nl = memchr(line, '\n', len - pos);
                size_t n = nl ? (size_t)(nl - line) : len - pos;
                char origin[sizeof(ret_err->origin)];

                snprintf(origin, sizeof(origin), "%s:%zu", shown, ++lineno);
                int k = parse_line(cfg, line, n, origin, ret_err);
                if (k == -ENOMEM) {
                        first = k;
                        break;
                }
                if (k < 0 && first == 0)
                        first = k;
                pos += n + (nl ? 1 : 0);
        }
        if (first < 0) {
                config_truncate(cfg, n0);
                cfg->isolation = iso0;
        }
        return first;
}

/* ---- --device and vfio-prep.devices= ---- */

static int add_selector(struct config *cfg, const char *origin, const char *list, const char *entry,
                        struct config_error *err)
{
        struct device_conf d = device_conf_default();
        char q[SHOW_BUF];

        if (!*entry)
                return config_fail(err, origin, "empty entry in selector list '%s'", show(q, list));
        int k = selector_parse(entry, &d.sel);
        if (k < 0)
                return fail_selector(err, origin, entry, k);
        /* Already configured (in a file, or earlier in a list): the existing entry, with its
         * options, already covers it. */
        if (config_find(cfg, &d.sel))
                return 0;
        return config_append(cfg, &d, entry, origin) < 0 ? config_fail_nomem(err, origin) : 0;
}

static int add_selectors(struct config *cfg, const char *origin, const char *list, char *buf, struct config_error *err)
{
        for (char *p = buf;;) {
                char *end = strchrnul(p, ',');
                bool last = *end == '\0';
                char *s = p;

                *end = '\0';
                while (is_blank(*s))
                        s++;
                for (char *t = s + strlen(s); t > s && is_blank(t[-1]);)
                        *--t = '\0';
                int k = add_selector(cfg, origin, list, s, err);
                if (k < 0 || last)
                        return k;
                p = end + 1;
        }
}

int config_add_selectors(struct config *cfg, const char *origin, const char *list, struct config_error *ret_err)
{
        size_t n0 = cfg->n_devices;
        _cleanup_free_ char *buf = strdup(list ? list : "");

        if (!buf)
                return config_fail_nomem(ret_err, origin);
        int k = add_selectors(cfg, origin, list ? list : "", buf, ret_err);
        if (k < 0)
                config_truncate(cfg, n0);
        return k;
}

/* ---- files ---- */

int config_check_owner(const char *name, uid_t owner, mode_t mode, uid_t uid, struct config_error *ret_err)
{
        if (owner != 0 && owner != uid) {
                config_fail(ret_err, name,
                            "refusing a config file owned by uid %lu: fix it with 'chown root:root %s && chmod 644 %s'",
                            (unsigned long)owner, name, name);
                return -EPERM;
        }
        if (mode & (S_IWGRP | S_IWOTH)) {
                config_fail(ret_err, name,
                            "refusing a config file writable by group or others (mode %04o): fix it with "
                            "'chown root:root %s && chmod 644 %s'",
                            (unsigned)(mode & 07777), name, name);
                return -EPERM;
        }
        return 0;
}

int config_parse_file(struct config *cfg, const char *name, const char *text, size_t len, struct config_error *err)
{
        if (strv_push(&cfg->files, &cfg->n_files, name) < 0)
                return config_fail_nomem(err, name);
        return config_parse(cfg, name, text, len, err);
}

bool config_is_dropin_name(const char *name)
{
        size_t n = strlen(name);

        /* Hidden names are editor droppings (".#x.conf" lock links), never configuration. */
        return name[0] != '.' && !strchr(name, '/') && n > 5 && strcmp(name + n - 5, ".conf") == 0;
}

struct config_mark config_mark(const struct config *cfg)
{
        return (struct config_mark){ cfg->n_devices, cfg->n_files, cfg->n_skipped, cfg->isolation };
}

void config_rollback(struct config *cfg, struct config_mark m)
{
        config_truncate(cfg, m.n_devices);
        strv_truncate(cfg->files, &cfg->n_files, m.n_files);
        strv_truncate(cfg->skipped, &cfg->n_skipped, m.n_skipped);
        cfg->isolation = m.isolation;
}
