/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "initramfs.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macro.h"
#include "parse.h"
#include "root.h"
#include "spawn.h"
#include "strv.h"

#define CONFIG_MAIN "/etc/vfio-prep.conf"
#define CONFIG_DIR "/etc/vfio-prep.d"
/* One lister run; all of them together for one --check. */
#define LISTER_TIMEOUT_MS 10000
#define INSPECT_BUDGET_MS 30000
/* A listing of a large image (modules, firmware) is a few hundred kB. */
#define LISTING_MAX (8u * 1024 * 1024)
/* Names of candidate images shown in a "not found" message. */
#define CANDIDATES_SHOWN 3

const char *initramfs_generator_name(enum initramfs_generator g)
{
        switch (g) {
        case INITRAMFS_GEN_DRACUT:
                return "dracut";
        case INITRAMFS_GEN_MKINITCPIO:
                return "mkinitcpio";
        case INITRAMFS_GEN_INITRAMFS_TOOLS:
                return "initramfs-tools";
        default:
                return "unknown";
        }
}

/* ---- candidate images (pure) --------------------------------------------------------------- */

static bool plain_name(const char *s)
{
        return s && *s && !strchr(s, '/') && strcmp(s, ".") != 0 && strcmp(s, "..") != 0;
}

static _printf_(3, 4) int push_fmt(char ***v, size_t *n, const char *fmt, ...)
{
        va_list ap;
        char *s = NULL;

        va_start(ap, fmt);
        int k = vasprintf(&s, fmt, ap);
        va_end(ap);
        if (k < 0)
                return -ENOMEM;
        return strv_consume(v, n, s) < 0 ? (free(s), -ENOMEM) : 0;
}

int initramfs_candidates(const char *release, const char *pkgbase, const char *machine_id, char ***ret, size_t *ret_n)
{
        _cleanup_strv_ char **v = NULL;
        size_t n = 0;
        int k = 0;

        if (!plain_name(release) || (pkgbase && !plain_name(pkgbase)) || (machine_id && !plain_name(machine_id)))
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

static bool is_conf_name(const char *name)
{
        size_t n = strlen(name);

        return name[0] != '.' && !strchr(name, '/') && n > 5 && strcmp(name + n - 5, ".conf") == 0;
}

static bool is_config_path(const char *p)
{
        return strcmp(p, "etc/vfio-prep.conf") == 0 ||
               (strncmp(p, "etc/vfio-prep.d/", 16) == 0 && is_conf_name(p + 16));
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
        struct initramfs_entry *x = realloc(l->configs, (l->n_configs + 1) * sizeof(*x));
        if (!x)
                return -ENOMEM;
        l->configs = x;
        char *p = strdup(path);
        if (!p)
                return -ENOMEM;
        x[l->n_configs++] = (struct initramfs_entry){ .path = p, .size = size };
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

/* Untrusted names in messages: control characters become '?'. */
static char *printable(const char *s)
{
        char *c = strdup(s);

        for (char *p = c; p && *p; p++)
                if ((unsigned char)*p < 0x20 || *p == 0x7f)
                        *p = '?';
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

static const struct initramfs_entry *find_entry(const struct initramfs_listing *l, const char *path)
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
                const struct initramfs_entry *e = find_entry(l, c[i].path);
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

static int set_detail(struct initramfs_facts *f, enum initramfs_verdict v, char *detail)
{
        free(f->detail);
        f->detail = detail;
        f->verdict = v;
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

/* ---- looking at the system ------------------------------------------------------------------- */

struct generator_files {
        enum initramfs_generator gen;
        const char *programs[3]; /* any of these: the generator is installed */
        const char *hooks[2];    /* any of these: vfio-prep's hook for it is installed */
};

/* In order of preference when several are installed: Debian ships dracut-core beside
 * initramfs-tools, whose update-initramfs is then the one the kernel packages call. */
static const struct generator_files generators[] = {
        { INITRAMFS_GEN_MKINITCPIO,
          { "/usr/bin/mkinitcpio", "/etc/mkinitcpio.conf" },
          { "/usr/lib/initcpio/install/vfio-prep", "/etc/initcpio/install/vfio-prep" } },
        { INITRAMFS_GEN_INITRAMFS_TOOLS,
          { "/usr/sbin/update-initramfs", "/sbin/update-initramfs" },
          { "/usr/share/initramfs-tools/hooks/vfio-prep", "/etc/initramfs-tools/hooks/vfio-prep" } },
        { INITRAMFS_GEN_DRACUT,
          { "/usr/bin/dracut", "/usr/sbin/dracut", "/sbin/dracut" },
          { "/usr/lib/dracut/modules.d/50vfio-prep/module-setup.sh" } },
};

static bool any_exists(struct root *r, const char *const *paths, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (paths[i] && root_exists(r, paths[i]))
                        return true;
        return false;
}

static void detect_generator(struct root *r, enum initramfs_generator prefer, struct initramfs_facts *f)
{
        for (size_t i = 0; i < ARRAY_SIZE(generators); i++) {
                const struct generator_files *g = &generators[i];
                if (prefer != INITRAMFS_GEN_UNKNOWN && g->gen != prefer)
                        continue;
                if (prefer == INITRAMFS_GEN_UNKNOWN && !any_exists(r, g->programs, ARRAY_SIZE(g->programs)))
                        continue;
                f->generator = g->gen;
                f->hook_installed = any_exists(r, g->hooks, ARRAY_SIZE(g->hooks));
                return;
        }
}

/* Cannot tell, and why: returns 0 (or -ENOMEM). */
static _printf_(2, 3) int unknown(struct initramfs_facts *f, const char *fmt, ...)
{
        va_list ap;
        char *s = NULL;

        va_start(ap, fmt);
        int k = vasprintf(&s, fmt, ap);
        va_end(ap);
        return k < 0 ? -ENOMEM : set_detail(f, INITRAMFS_UNKNOWN, s);
}

/* Arch names images by kernel package; the package leaves its name beside the modules. */
static char *read_pkgbase(struct root *r, const char *release)
{
        static const char *const dirs[] = { "/usr/lib/modules", "/lib/modules" };
        char path[512];
        char *s = NULL;

        for (size_t i = 0; i < ARRAY_SIZE(dirs) && !s; i++) {
                snprintf(path, sizeof(path), "%s/%s/pkgbase", dirs[i], release);
                if (root_read_attr(r, path, &s) < 0)
                        s = NULL;
        }
        if (s && !plain_name(s)) {
                free(s);
                s = NULL;
        }
        return s;
}

static char *read_machine_id(struct root *r)
{
        char *s = NULL;

        if (root_read_attr(r, "/etc/machine-id", &s) < 0)
                return NULL;
        if (!plain_name(s)) {
                free(s);
                return NULL;
        }
        return s;
}

/* "a, b, c and 4 other names" */
static char *describe_candidates(char **v, size_t n)
{
        char *s = NULL, *t;

        for (size_t i = 0; i < n && i < CANDIDATES_SHOWN; i++) {
                if (asprintf(&t, "%s%s%s", s ? s : "", s ? ", " : "", v[i]) < 0)
                        t = NULL;
                free(s);
                if (!(s = t))
                        return NULL;
        }
        if (n > CANDIDATES_SHOWN) {
                if (asprintf(&t, "%s and %zu other names", s, n - CANDIDATES_SHOWN) < 0)
                        t = NULL;
                free(s);
                s = t;
        }
        return s;
}

/* The first candidate that is a regular file: 1 with its path in F->image and its status in
 * RET_ST; 0 when there is none (F says so). */
static int find_image(struct root *r, const char *release, struct initramfs_facts *f, struct stat *ret_st)
{
        _cleanup_free_ char *pkgbase = read_pkgbase(r, release), *mid = read_machine_id(r), *arch = NULL;
        _cleanup_strv_ char **v = NULL;
        size_t n = 0;
        int k = initramfs_candidates(release, pkgbase, mid, &v, &n);

        if (k == -EINVAL)
                return unknown(f, "the kernel release '%s' is not a file name", release);
        if (k < 0 || (pkgbase && asprintf(&arch, "/boot/initramfs-%s.img", pkgbase) < 0))
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                if (root_stat(r, v[i], ret_st) < 0 || !S_ISREG(ret_st->st_mode))
                        continue;
                if (!(f->image = strdup(v[i])))
                        return -ENOMEM;
                /* Named after the kernel package: mkinitcpio's presets. */
                if (arch && strcmp(v[i], arch) == 0)
                        detect_generator(r, INITRAMFS_GEN_MKINITCPIO, f);
                return 1;
        }
        _cleanup_free_ char *looked = describe_candidates(v, n);
        if (!looked)
                return -ENOMEM;
        return unknown(f, "no initramfs found for %s (looked for %s)", release, looked);
}

/* The configuration files as they are now, in the order config_load reads them. */
static int add_host_config(struct root *r, const char *path, struct initramfs_config **c, size_t *n)
{
        struct initramfs_config x = { .mtime = -1 };
        struct stat st;

        if (root_stat(r, path, &st) < 0 || !S_ISREG(st.st_mode) || *n >= INITRAMFS_MAX_CONFIGS)
                return 0;
        x.mtime = st.st_mtime;
        if (root_read_file(r, path, INITRAMFS_MAX_CONFIG_SIZE, &x.text, &x.len) < 0)
                x.text = NULL;
        struct initramfs_config *nc = realloc(*c, (*n + 1) * sizeof(*nc));
        if (!nc || !(x.path = strdup(path))) {
                free(x.text);
                if (nc)
                        *c = nc;
                return -ENOMEM;
        }
        *c = nc;
        nc[(*n)++] = x;
        return 0;
}

static int read_configs(struct root *r, struct initramfs_config **ret, size_t *ret_n)
{
        _cleanup_strv_ char **names = NULL;
        struct initramfs_config *c = NULL;
        size_t n = 0, nn = 0;
        char path[512];

        int k = add_host_config(r, CONFIG_MAIN, &c, &n);
        if (k >= 0 && root_list(r, CONFIG_DIR, &names, &nn) >= 0)
                for (size_t i = 0; i < nn && k >= 0; i++) {
                        if (!is_conf_name(names[i]))
                                continue;
                        snprintf(path, sizeof(path), "%s/%s", CONFIG_DIR, names[i]);
                        k = add_host_config(r, path, &c, &n);
                }
        if (k < 0) {
                initramfs_configs_free(c, n);
                return k;
        }
        *ret = c;
        *ret_n = n;
        return 0;
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

/* The image's path for a program on this machine: the root's directory, then the path. */
static char *host_path(struct root *r, const char *image)
{
        _cleanup_free_ char *resolved = NULL;
        const char *dir = root_dir(r);
        char *s = NULL;

        if (root_resolve(r, image, &resolved) < 0)
                return NULL;
        if (strcmp(dir, "/") == 0)
                return TAKE_PTR(resolved);
        if (asprintf(&s, "%s%s%s", dir[0] == '/' ? "" : "./", dir, resolved) < 0)
                return NULL;
        return s;
}

/* Whether this process can read a file with status ST (root reads everything). */
static bool readable(const struct stat *st)
{
        uid_t u = geteuid();

        if (u == 0)
                return true;
        if (st->st_uid == u)
                return st->st_mode & S_IRUSR;
        if (st->st_gid == getegid())
                return st->st_mode & S_IRGRP;
        return st->st_mode & S_IROTH;
}

/* ---- listing and extracting ------------------------------------------------------------------- */

struct lister {
        const char *name;
        enum initramfs_generator gen;
        const char *long_opt; /* the option for "ls -l" lines, which show sizes */
};

/* lsinitrd can also print one file of the image (-f): it is how the text gets compared. */
static const struct lister listers[] = {
        { "lsinitrd", INITRAMFS_GEN_DRACUT, NULL },
        { "lsinitcpio", INITRAMFS_GEN_MKINITCPIO, "-v" },
        { "lsinitramfs", INITRAMFS_GEN_INITRAMFS_TOOLS, "-l" },
};

static int64_t step_deadline(int64_t budget)
{
        int64_t d = spawn_now_ms() + LISTER_TIMEOUT_MS;

        return d < budget ? d : budget;
}

/* What went wrong with a run, for a message: NULL on -ENOMEM. */
static char *run_problem(const char *name, int k, const struct spawn_output *r)
{
        _cleanup_free_ char *e = NULL;
        char *s = NULL;

        if (k == -ETIMEDOUT)
                k = asprintf(&s, "%s did not finish within %d s", name, LISTER_TIMEOUT_MS / 1000);
        else if (k == -EFBIG)
                k = asprintf(&s, "%s printed more than %u MiB", name, LISTING_MAX >> 20);
        else if (k < 0)
                k = asprintf(&s, "cannot run %s: %s", name, strerror(-k));
        else {
                char line[sizeof(r->err)];
                snprintf(line, sizeof(line), "%.*s", (int)strcspn(r->err, "\n"), r->err);
                if (!(e = printable(line)))
                        return NULL;
                k = asprintf(&s, "%s exited with status %d%s%s", name, r->status, e[0] ? ": " : "", e);
        }
        return k < 0 ? NULL : s;
}

/* Run lister L on IMAGE: 1 with a listing of an initramfs in RET, 0 when L is not installed,
 * -EIO with the reason in *PROBLEM (unless one is there already) when it failed. */
static int try_lister(const struct lister *l, const char *image, int64_t budget, struct initramfs_listing *ret,
                      char **problem)
{
        char *argv[4] = { (char *)l->name };
        struct spawn_output r = { 0 };
        size_t a = 1;
        char *p = NULL;

        if (l->long_opt)
                argv[a++] = (char *)l->long_opt;
        argv[a] = (char *)image;
        int k = spawn_program(argv, step_deadline(budget), LISTING_MAX, &r);
        if (k == -ENOENT)
                return 0;
        if (k >= 0 && r.status == 0) {
                k = initramfs_parse_listing(r.out ? r.out : "", r.len, ret);
                if (k >= 0 && ret->has_init) {
                        spawn_output_done(&r);
                        return 1;
                }
                if (k >= 0) {
                        initramfs_listing_done(ret);
                        if (asprintf(&p, "%s shows no /init in it", l->name) < 0)
                                p = NULL;
                }
        } else if (k != -ENOMEM)
                p = run_problem(l->name, k, &r);
        spawn_output_done(&r);
        if (k == -ENOMEM || !p)
                return -ENOMEM;
        if (*problem)
                free(p);
        else
                *problem = p;
        return -EIO;
}

/* The generator's own lister first, then the others. */
static int list_image(const char *image, int64_t budget, struct initramfs_facts *f, struct initramfs_listing *ret)
{
        _cleanup_free_ char *problem = NULL;
        bool any = false;

        for (int pass = 0; pass < 2; pass++)
                for (size_t i = 0; i < ARRAY_SIZE(listers); i++) {
                        const struct lister *l = &listers[i];
                        if ((pass == 0) != (l->gen == f->generator))
                                continue;
                        int k = try_lister(l, image, budget, ret, &problem);
                        if (k == -ENOMEM)
                                return k;
                        any |= k != 0;
                        if (k > 0) {
                                f->lister = l->name;
                                return 1;
                        }
                }
        if (!any)
                return unknown(f, "none of lsinitrd, lsinitcpio or lsinitramfs is installed to look into %s", f->image);
        return unknown(f, "cannot list %s: %s", f->image, problem);
}

/* The image's copy of each configuration file it has, with lsinitrd -f, when installed. */
static int extract_configs(const char *image, int64_t budget, const struct initramfs_listing *l,
                           struct initramfs_config *c, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                const struct initramfs_entry *e = find_entry(l, c[i].path);
                if (!e)
                        continue;
                char *argv[] = { (char *)"lsinitrd", (char *)"-f", e->path, (char *)image, NULL };
                struct spawn_output r = { 0 };
                int k = spawn_program(argv, step_deadline(budget), INITRAMFS_MAX_CONFIG_SIZE, &r);
                if (k == -ENOMEM || k == -ENOENT)
                        return k == -ENOMEM ? k : 0;
                if (k >= 0 && r.status == 0) {
                        c[i].image_text = r.out ? TAKE_PTR(r.out) : strdup("");
                        c[i].image_len = r.len;
                        if (!c[i].image_text)
                                return -ENOMEM;
                }
                spawn_output_done(&r);
        }
        return 0;
}

static int inspect_image(struct root *r, const struct stat *st, int64_t budget, struct initramfs_facts *f)
{
        _cleanup_free_ char *host = host_path(r, f->image);
        struct initramfs_listing l = { 0 };
        struct initramfs_config *c = NULL;
        size_t n = 0;

        if (!host)
                return unknown(f, "cannot resolve %s below the root", f->image);
        int k = list_image(host, budget, f, &l);
        if (k <= 0)
                return k;
        k = read_configs(r, &c, &n);
        if (k >= 0 && l.has_binary)
                k = extract_configs(host, budget, &l, c, n);
        if (k >= 0)
                k = initramfs_judge(&l, c, n, st->st_mtime, f);
        initramfs_configs_free(c, n);
        initramfs_listing_done(&l);
        return k;
}

static int inspect(struct root *r, const char *release, struct initramfs_facts *f)
{
        int64_t budget = spawn_now_ms() + INSPECT_BUDGET_MS;
        struct stat st;

        detect_generator(r, INITRAMFS_GEN_UNKNOWN, f);
        if (!release)
                return unknown(f, "the running kernel's release is unknown");
        int k = find_image(r, release, f, &st);
        if (k <= 0)
                return k;
        if (st.st_size == 0)
                return unknown(f, "%s is empty", f->image);
        if (!readable(&st))
                return unknown(f, "only root can read %s: run vfio-prep --check as root", f->image);
        return inspect_image(r, &st, budget, f);
}

int initramfs_inspect(struct root *r, const char *release, struct initramfs_facts *ret)
{
        struct initramfs_facts f = { 0 };
        int k = inspect(r, release, &f);

        if (k < 0) {
                initramfs_facts_done(&f);
                return k;
        }
        *ret = f;
        return 0;
}

void initramfs_facts_done(struct initramfs_facts *f)
{
        free(f->image);
        free(f->detail);
        *f = (struct initramfs_facts){ 0 };
}
