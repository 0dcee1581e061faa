/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config_load.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macro.h"
#include "paths.h"
#include "root.h"
#include "strv.h"

#define CONFIG_FILE_MAX (1024 * 1024)

static int read_error(struct config_error *err, const char *name, int k)
{
        switch (k) {
        case -ENOMEM:
                return config_fail_nomem(err, name);
        case -EISDIR:
                return config_fail(err, name, "is a directory, not a config file");
        case -EINVAL:
                return config_fail(err, name, "not a regular file");
        case -EFBIG:
                return config_fail(err, name, "config file larger than %d MiB", CONFIG_FILE_MAX >> 20);
        case -EXDEV:
                return config_fail(err, name, "cannot read config file: a link leads outside the root");
        default:
                return config_fail(err, name, "cannot read config file: %s", strerror(-k));
        }
}

static int check_stat(const char *name, const struct stat *st, struct config_error *err)
{
        if (S_ISDIR(st->st_mode))
                return read_error(err, name, -EISDIR);
        if (!S_ISREG(st->st_mode))
                return read_error(err, name, -EINVAL);
        return config_check_owner(name, st->st_uid, st->st_mode, getuid(), err) < 0 ? -EINVAL : 0;
}

static int load_explicit(const char *path, struct config *cfg, struct config_error *err)
{
        _cleanup_free_ char *text = NULL;
        struct stat st;
        size_t len;

        /* host_read_file refuses directories, devices and FIFOs without blocking on them. */
        int k = host_read_file(path, CONFIG_FILE_MAX, &text, &len, &st);
        if (k < 0)
                return read_error(err, path, k);
        k = check_stat(path, &st, err);
        if (k < 0)
                return k;
        return config_parse_file(cfg, path, text, len, err);
}

void config_shown_path(struct root *r, const char *path, char *buf, size_t size)
{
        const char *dir = root_dir(r);
        size_t n = strlen(dir);

        while (n > 0 && dir[n - 1] == '/')
                n--;
        snprintf(buf, size, "%.*s%s", (int)n, dir, path);
}

/* One file below the root; a missing one is fine only when MISSING_OK. */
static int load_below_root(struct root *r, const char *path, bool missing_ok, struct config *cfg,
                           struct config_error *err)
{
        _cleanup_free_ char *text = NULL;
        char shown[PATH_MAX];
        struct stat st;
        size_t len;

        config_shown_path(r, path, shown, sizeof(shown));
        /* Refuse what is not a regular file before opening it: a FIFO would block the read. */
        int k = root_stat(r, path, &st);
        if (k == -ENOENT && missing_ok)
                return 0;
        if (k < 0)
                return read_error(err, shown, k);
        k = check_stat(shown, &st, err);
        if (k < 0)
                return k;
        k = root_read_file(r, path, CONFIG_FILE_MAX, &text, &len);
        if (k < 0)
                return read_error(err, shown, k);
        return config_parse_file(cfg, shown, text, len, err);
}

static int load_dir(struct root *r, struct config *cfg, struct config_error *err)
{
        _cleanup_strv_ char **names = NULL;
        char shown[PATH_MAX], path[PATH_MAX];
        size_t n;

        int k = root_list(r, VFIO_PREP_CONF_DIR, &names, &n);
        if (k == -ENOENT)
                return 0;
        if (k < 0) {
                config_shown_path(r, VFIO_PREP_CONF_DIR, shown, sizeof(shown));
                return k == -ENOMEM ? config_fail_nomem(err, shown)
                                    : config_fail(err, shown, "cannot list config directory: %s", strerror(-k));
        }
        /* root_list() sorts by strcmp(): files apply in name order. Every file is read, even
         * after one failed, so that one run reports every error; the first is returned. */
        int first = 0;
        for (size_t i = 0; i < n && first != -ENOMEM; i++) {
                if (!config_is_dropin_name(names[i])) {
                        /* Hidden names are editor droppings; the others are what --check mentions. */
                        if (names[i][0] != '.' && strv_push(&cfg->skipped, &cfg->n_skipped, names[i]) < 0)
                                return config_fail_nomem(err, VFIO_PREP_CONF_DIR);
                        continue;
                }
                snprintf(path, sizeof(path), "%s/%s", VFIO_PREP_CONF_DIR, names[i]);
                k = load_below_root(r, path, false, cfg, err);
                if (k < 0 && first >= 0)
                        first = k;
        }
        return first;
}

int config_load(struct root *r, const char *explicit_path, struct config *cfg, struct config_error *ret_err)
{
        struct config_mark mark = config_mark(cfg);
        int k;

        if (explicit_path)
                k = load_explicit(explicit_path, cfg, ret_err);
        else {
                k = load_below_root(r, VFIO_PREP_CONF, true, cfg, ret_err);
                /* The drop-ins too, after an error: one run reports every error. */
                if (k != -ENOMEM) {
                        int d = load_dir(r, cfg, ret_err);
                        k = k < 0 ? k : d;
                }
        }
        if (k < 0)
                config_rollback(cfg, mark);
        return k;
}
