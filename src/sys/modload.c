/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The libkmod seam. This is the one place where a library opens files itself: libkmod reads
 * ROOT/lib/modules/RELEASE and the modprobe.d directories below the root, whose host paths are
 * computed here after resolving them through the root layer (so a link in the tree cannot lead
 * libkmod out of it).
 *
 * Two host paths remain that libkmod reads on its own and that --root cannot redirect:
 * /proc/cmdline (module options such as vfio-pci.ids=, read when the context is created) and
 * /sys/module (whether a module is in the kernel, checked while inserting). Both are only
 * meaningful for the running kernel, and a module is only ever inserted when the root is the
 * host's "/"; the state of a module is read from ROOT/sys/module through the root layer.
 */
#include "modload.h"

#include <errno.h>
#include <libkmod.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>

#include "macro.h"
#include "modopts.h"
#include "root.h"
#include "strv.h"

struct modload {
        struct root *r;
        struct kmod_ctx *ctx; /* NULL when ROOT/lib/modules/RELEASE does not exist */
        char **config_paths;  /* kept for the context's lifetime */
        size_t n_config_paths;
        modload_log_fn log_fn;
        void *log_data;
};

/* Where distributions keep modprobe.d, in libkmod's order of precedence. */
static const char *const conf_dirs[] = {
        "/etc/modprobe.d", "/run/modprobe.d", "/usr/local/lib/modprobe.d", "/lib/modprobe.d", "/usr/lib/modprobe.d",
};

static void kmod_log(void *data, int priority, const char *file, int line, const char *fn, const char *format,
                     va_list args)
{
        struct modload *ml = data;
        char buf[512];

        if (!ml->log_fn)
                return;
        vsnprintf(buf, sizeof(buf), format, args);
        buf[strcspn(buf, "\n")] = '\0';
        ml->log_fn(ml->log_data, priority, buf);
}

/* The host path of directory PATH below the root, links resolved inside it; -ENOENT if none. */
static int host_dir(struct root *r, const char *path, char **ret)
{
        _cleanup_free_ char *inside = NULL;
        struct stat st;
        const char *dir = root_dir(r);

        if (root_stat(r, path, &st) < 0 || !S_ISDIR(st.st_mode))
                return -ENOENT;
        int k = root_resolve(r, path, &inside);
        if (k < 0)
                return k;
        if (strcmp(dir, "/") == 0)
                dir = "";
        if (asprintf(ret, "%s%s", dir, inside) < 0)
                return -ENOMEM;
        return 0;
}

static bool strv_contains(char **v, size_t n, const char *s)
{
        for (size_t i = 0; i < n; i++)
                if (strcmp(v[i], s) == 0)
                        return true;
        return false;
}

/* The existing modprobe.d directories, each once (/lib is often a link to /usr/lib). */
static int collect_config_paths(struct modload *ml)
{
        int k = strv_push(&ml->config_paths, &ml->n_config_paths, NULL);

        for (size_t i = 0; k >= 0 && i < ARRAY_SIZE(conf_dirs); i++) {
                char *p = NULL;
                if (host_dir(ml->r, conf_dirs[i], &p) < 0)
                        continue;
                if (strv_contains(ml->config_paths, ml->n_config_paths, p)) {
                        free(p);
                        continue;
                }
                k = strv_consume(&ml->config_paths, &ml->n_config_paths, p);
                if (k < 0)
                        free(p);
        }
        return k;
}

static bool release_valid(const char *release)
{
        return release && *release && !strchr(release, '/') && strcmp(release, ".") != 0 && strcmp(release, "..") != 0;
}

/*
 * A module directory without a non-empty dependency index cannot say whether a module exists:
 * a --capture keeps only the directory (and empty stand-ins for the files it looked at).
 */
static bool has_index(struct root *r, const char *dir)
{
        static const char *const names[] = { "modules.dep.bin", "modules.dep" };
        char path[PATH_MAX + 32];
        struct stat st;

        for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
                snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
                if (root_stat(r, path, &st) >= 0 && S_ISREG(st.st_mode) && st.st_size > 0)
                        return true;
        }
        return false;
}

static int context_open(struct modload *ml, const char *release)
{
        char path[PATH_MAX];
        _cleanup_free_ char *moddir = NULL;

        if (!release_valid(release))
                return -ENOENT;
        snprintf(path, sizeof(path), "/lib/modules/%s", release);
        int k = host_dir(ml->r, path, &moddir);
        if (k < 0)
                return k;
        if (!has_index(ml->r, path))
                return -ENOENT;
        k = collect_config_paths(ml);
        if (k < 0)
                return k;
        ml->ctx = kmod_new(moddir, (const char *const *)ml->config_paths);
        if (!ml->ctx)
                return -ENOMEM;
        /* Messages reach the command layer's logger, or nobody: never stdout. */
        kmod_set_log_fn(ml->ctx, kmod_log, ml);
        /* Without the binary indexes libkmod reads the text files instead: slower, not fatal. */
        (void)kmod_load_resources(ml->ctx);
        return 0;
}

int modload_new(struct root *r, const char *release, struct modload **ret)
{
        struct modload *ml = calloc(1, sizeof(*ml));

        if (!ml)
                return -ENOMEM;
        ml->r = r;
        int k = context_open(ml, release);
        if (k < 0 && k != -ENOENT) {
                modload_free(ml);
                return k;
        }
        *ret = ml;
        return 0;
}

struct modload *modload_free(struct modload *ml)
{
        if (!ml)
                return NULL;
        kmod_unref(ml->ctx);
        strv_free(ml->config_paths);
        free(ml);
        return NULL;
}

void modload_set_log(struct modload *ml, modload_log_fn fn, void *userdata)
{
        ml->log_fn = fn;
        ml->log_data = userdata;
}

/* Whether ROOT/sys/module/NAME says the module is in the kernel ("coming" is on its way in). */
static int in_root_kernel(struct root *r, const char *name, bool *ret)
{
        char path[PATH_MAX], mod[256];
        _cleanup_free_ char *s = NULL;

        if (strlen(name) >= sizeof(mod) || strchr(name, '/'))
                return -EINVAL;
        snprintf(mod, sizeof(mod), "%s", name);
        for (char *p = mod; *p; p++)
                if (*p == '-')
                        *p = '_';
        snprintf(path, sizeof(path), "/sys/module/%s/initstate", mod);
        int k = root_read_attr(r, path, &s);
        if (k == -ENOENT) {
                *ret = false;
                return 0;
        }
        if (k < 0)
                return k;
        *ret = strcmp(s, "live") == 0 || strcmp(s, "coming") == 0;
        return 0;
}

/* The first module NAME resolves to; NULL (and 0) when libkmod knows no such module. */
static int lookup(struct modload *ml, const char *name, struct kmod_module **ret)
{
        struct kmod_list *list = NULL;
        int k = kmod_module_new_from_lookup(ml->ctx, name, &list);

        if (k < 0)
                return k;
        /* An unknown name is a success with an empty list. */
        *ret = list ? kmod_module_get_module(list) : NULL;
        kmod_module_unref_list(list);
        return 0;
}

static int state_of(struct modload *ml, struct kmod_module *mod, enum module_state *ret)
{
        bool live;

        /* Built-in modules are in modules.builtin, not in modules.dep: no file. */
        if (!kmod_module_get_path(mod)) {
                *ret = MODULE_BUILTIN;
                return 0;
        }
        int k = in_root_kernel(ml->r, kmod_module_get_name(mod), &live);
        if (k < 0)
                return k;
        *ret = live ? MODULE_LOADED : MODULE_AVAILABLE;
        return 0;
}

int modload_state(struct modload *ml, const char *name, enum module_state *ret)
{
        struct kmod_module *mod = NULL;

        if (!ml->ctx) {
                *ret = MODULE_UNKNOWN;
                return 0;
        }
        int k = lookup(ml, name, &mod);
        if (k < 0)
                return k;
        if (!mod) {
                *ret = MODULE_MISSING;
                return 0;
        }
        k = state_of(ml, mod, ret);
        kmod_module_unref(mod);
        return k;
}

/* No module directory: fine if the kernel has the module already (built in, say). */
static int load_without_modules(struct modload *ml, const char *name)
{
        char path[PATH_MAX];

        if (strchr(name, '/'))
                return -EINVAL;
        snprintf(path, sizeof(path), "/sys/module/%s", name);
        for (char *p = path + strlen("/sys/module/"); *p; p++)
                if (*p == '-')
                        *p = '_';
        return root_exists(ml->r, path) ? 0 : -ENOENT;
}

static _printf_(3, 4) void notify(struct modload *ml, int priority, const char *fmt, ...)
{
        char buf[512];
        va_list ap;

        if (!ml->log_fn)
                return;
        va_start(ap, fmt);
        vsnprintf(buf, sizeof(buf), fmt, ap);
        va_end(ap);
        ml->log_fn(ml->log_data, priority, buf);
}

/* Every module of LIST, with its own dependencies and softdeps, as modprobe would. */
static int probe_list(struct kmod_list *list)
{
        struct kmod_list *it;

        kmod_list_foreach(it, list)
        {
                struct kmod_module *dep = kmod_module_get_module(it);
                int k = kmod_module_probe_insert_module(dep, KMOD_PROBE_IGNORE_COMMAND, NULL, NULL, NULL, NULL);
                kmod_module_unref(dep);
                if (k != 0)
                        return k > 0 ? -EPERM : k;
        }
        return 0;
}

/*
 * MOD without ids= (vfio-prep(8), MODULE OPTIONS): its dependencies and pre-softdeps first,
 * then MOD itself with the remaining options, then its post-softdeps.
 */
static int insert_with_options(struct kmod_module *mod, const char *options)
{
        struct kmod_list *deps = kmod_module_get_dependencies(mod), *pre = NULL, *post = NULL;
        int k = probe_list(deps);

        kmod_module_unref_list(deps);
        (void)kmod_module_get_softdeps(mod, &pre, &post);
        if (k >= 0)
                k = probe_list(pre);
        if (k >= 0) {
                k = kmod_module_insert_module(mod, 0, options);
                if (k == -EEXIST)
                        k = 0;
        }
        if (k >= 0)
                k = probe_list(post);
        kmod_module_unref_list(pre);
        kmod_module_unref_list(post);
        return k;
}

/*
 * Install commands of modprobe.d are ignored (they would need a shell: libkmod runs them with
 * system()); softdeps and options are honoured, except ids=, which would make vfio-pci claim
 * devices vfio-prep refuses; no blacklist applies to a module named explicitly, as with modprobe.
 */
static int insert(struct modload *ml, struct kmod_module *mod)
{
        _cleanup_free_ char *kept = NULL, *dropped = NULL;
        enum module_state st;
        int k = state_of(ml, mod, &st);

        if (k < 0)
                return k;
        if (st == MODULE_BUILTIN || st == MODULE_LOADED)
                return 0;
        /* The modules of another tree must never reach the running kernel. */
        if (!root_is_host(ml->r))
                return -EOPNOTSUPP;
        k = modopts_drop_ids(kmod_module_get_options(mod), &kept, &dropped);
        if (k < 0)
                return k;
        if (!*dropped) {
                k = kmod_module_probe_insert_module(mod, KMOD_PROBE_IGNORE_COMMAND, NULL, NULL, NULL, NULL);
                return k > 0 ? -EPERM : k;
        }
        notify(ml, LOG_NOTICE,
               "%s: loading it without '%s' (modprobe.d or the kernel command line): it would claim "
               "devices vfio-prep refuses; the devices vfio-prep binds are enough",
               kmod_module_get_name(mod), dropped);
        return insert_with_options(mod, kept);
}

int modload_load(struct modload *ml, const char *name)
{
        struct kmod_module *mod = NULL;

        if (!ml->ctx)
                return load_without_modules(ml, name);
        int k = lookup(ml, name, &mod);
        if (k < 0)
                return k;
        if (!mod)
                return -ENOENT;
        k = insert(ml, mod);
        kmod_module_unref(mod);
        return k;
}
