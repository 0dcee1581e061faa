/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "initramfs.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "array.h"
#include "macro.h"
#include "paths.h"
#include "root.h"
#include "root_tmp.h"
#include "sanitize.h"
#include "sbuf.h"
#include "spawn.h"
#include "strv.h"
#include "uki.h"

/* One lister run; all of them together for one --check. */
#define LISTER_TIMEOUT_MS 10000
#define INSPECT_BUDGET_MS 30000
/* A listing of a large image (modules, firmware) is a few hundred kB. */
#define LISTING_MAX (8u * 1024 * 1024)
/* Names of candidate images shown in a "not found" message. */
#define CANDIDATES_SHOWN 3
/* A UKI's section table and .uname come first, within the stub's first few hundred kB. */
#define UKI_HEAD (1024 * 1024)
#define UKI_MAX (1024u * 1024 * 1024)

/* ---- looking at the system ------------------------------------------------------------------- */

static bool any_exists(struct root *r, const char *const *paths, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (paths[i] && root_exists(r, paths[i]))
                        return true;
        return false;
}

static void detect_generator(struct root *r, enum initramfs_generator prefer, struct initramfs_facts *f)
{
        for (size_t i = 0; i < generator_preference_size; i++) {
                const struct generator_facts *g = generator_facts(generator_preference[i]);
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

        va_start(ap, fmt);
        char *s = str_vprintf(fmt, ap);
        va_end(ap);
        if (!s)
                return -ENOMEM;
        initramfs_set_verdict(f, INITRAMFS_UNKNOWN, s);
        return 0;
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
        if (s && !initramfs_plain_name(s)) {
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
        if (!initramfs_plain_name(s)) {
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
        /* ostree deployments (rpm-ostree, bootc) keep the image beside the kernel's modules. */
        char ostree[512];
        snprintf(ostree, sizeof(ostree), "/usr/lib/modules/%s/initramfs.img", release);
        if (f->image_based && root_stat(r, ostree, ret_st) >= 0 && S_ISREG(ret_st->st_mode))
                return (f->image = strdup(ostree)) ? 1 : -ENOMEM;
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
        return unknown(f, "no initramfs found for %s (looked for %s%s%s)", release, f->image_based ? ostree : "",
                       f->image_based ? ", " : "", looked);
}

/* ---- unified kernel images ------------------------------------------------------------------- */

static int cmp_name(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Where systemd-boot finds UKIs: EFI/Linux on the ESP, mounted at /efi, /boot or /boot/efi. */
static const char *const uki_dirs[] = { "/efi/EFI/Linux", "/boot/EFI/Linux", "/boot/efi/EFI/Linux" };

/* Whether the UKI at PATH is RELEASE's: its .uname says so, or, without one, its name contains
 * RELEASE. Sets the place of its .initrd. */
static bool uki_for(struct root *r, const char *path, const char *name, const char *release, uint64_t *off,
                    uint64_t *size)
{
        _cleanup_free_ char *head = NULL;
        uint64_t uoff, usize;
        size_t len;

        if (root_read_head(r, path, UKI_HEAD, &head, &len) < 0 ||
            pe_find_section((const uint8_t *)head, len, ".initrd", off, size) < 0)
                return false;
        if (pe_find_section((const uint8_t *)head, len, ".uname", &uoff, &usize) < 0)
                return strstr(name, release) != NULL;
        if (uoff > len || usize > len - uoff)
                return false;
        while (usize > 0 && (head[uoff + usize - 1] == '\n' || head[uoff + usize - 1] == '\0'))
                usize--;
        return usize == strlen(release) && memcmp(head + uoff, release, usize) == 0;
}

/* The first UKI (by name, per directory) for RELEASE: 1 with its path in F->image, 0 when none. */
static int find_uki(struct root *r, const char *release, struct initramfs_facts *f, struct stat *ret_st, uint64_t *off,
                    uint64_t *size)
{
        for (size_t d = 0; d < ARRAY_SIZE(uki_dirs); d++) {
                _cleanup_strv_ char **names = NULL;
                size_t n = 0;
                if (root_list(r, uki_dirs[d], &names, &n) < 0)
                        continue;
                qsort(names, n, sizeof(*names), cmp_name);
                for (size_t i = 0; i < n; i++) {
                        char path[512];
                        size_t len = strlen(names[i]);
                        if (len < 5 || strcasecmp(names[i] + len - 4, ".efi") != 0)
                                continue;
                        snprintf(path, sizeof(path), "%s/%s", uki_dirs[d], names[i]);
                        if (root_stat(r, path, ret_st) < 0 || !S_ISREG(ret_st->st_mode) ||
                            !uki_for(r, path, names[i], release, off, size))
                                continue;
                        free(f->image);
                        if (!(f->image = strdup(path)))
                                return -ENOMEM;
                        f->uki = true;
                        return 1;
                }
        }
        return 0;
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
        if (array_grow(c, *n) < 0 || !(x.path = strdup(path))) {
                free(x.text);
                return -ENOMEM;
        }
        (*c)[(*n)++] = x;
        return 0;
}

static int read_configs(struct root *r, struct initramfs_config **ret, size_t *ret_n)
{
        _cleanup_strv_ char **names = NULL;
        struct initramfs_config *c = NULL;
        size_t n = 0, nn = 0;
        char path[512];

        int k = add_host_config(r, VFIO_PREP_CONF, &c, &n);
        if (k >= 0 && root_list(r, VFIO_PREP_CONF_DIR, &names, &nn) >= 0)
                for (size_t i = 0; i < nn && k >= 0; i++) {
                        if (!config_is_dropin_name(names[i]))
                                continue;
                        snprintf(path, sizeof(path), "%s/%s", VFIO_PREP_CONF_DIR, names[i]);
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

static int64_t step_deadline(int64_t budget)
{
        int64_t d = spawn_now_ms() + LISTER_TIMEOUT_MS;

        return d < budget ? d : budget;
}

/* What went wrong with a run, for a message: NULL on -ENOMEM. */
static char *run_problem(const char *name, int k, const struct spawn_output *run)
{
        char *s = NULL;

        if (k == -ETIMEDOUT)
                k = asprintf(&s, "%s did not finish within %d s", name, LISTER_TIMEOUT_MS / 1000);
        else if (k == -EFBIG)
                k = asprintf(&s, "%s printed more than %u MiB", name, LISTING_MAX >> 20);
        else if (k < 0)
                k = asprintf(&s, "cannot run %s: %s", name, strerror(-k));
        else {
                char line[sizeof(run->err)];
                snprintf(line, sizeof(line), "%.*s", (int)strcspn(run->err, "\n"), run->err);
                const char *e = sanitize(line, line, sizeof(line));
                k = asprintf(&s, "%s exited with status %d%s%s", name, run->status, e[0] ? ": " : "", e);
        }
        return k < 0 ? NULL : s;
}

/* Run lister L on IMAGE: 1 with a listing of an initramfs in RET, 0 when L is not installed,
 * -EIO with the reason in *PROBLEM (unless one is there already) when it failed. */
static int try_lister(const struct generator_facts *l, const char *image, int64_t budget, struct initramfs_listing *ret,
                      char **problem)
{
        char *argv[4] = { (char *)l->lister };
        struct spawn_output run = { 0 };
        size_t a = 1;
        char *p = NULL;

        if (l->lister_long_opt)
                argv[a++] = (char *)l->lister_long_opt;
        argv[a] = (char *)image;
        int k = spawn_program(argv, step_deadline(budget), LISTING_MAX, &run);
        if (k == -ENOENT)
                return 0;
        if (k >= 0 && run.status == 0) {
                k = initramfs_parse_listing(run.out ? run.out : "", run.len, ret);
                if (k >= 0 && ret->has_init) {
                        spawn_output_done(&run);
                        return 1;
                }
                if (k >= 0) {
                        initramfs_listing_done(ret);
                        if (asprintf(&p, "%s shows no /init in it", l->lister) < 0)
                                p = NULL;
                }
        } else if (k != -ENOMEM)
                p = run_problem(l->lister, k, &run);
        spawn_output_done(&run);
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
                for (size_t i = 0; i < generator_table_size; i++) {
                        const struct generator_facts *l = &generator_table[i];
                        if ((pass == 0) != (l->gen == f->generator))
                                continue;
                        int k = try_lister(l, image, budget, ret, &problem);
                        if (k == -ENOMEM)
                                return k;
                        any |= k != 0;
                        if (k > 0) {
                                f->lister = l->lister;
                                return 1;
                        }
                }
        if (!any) {
                char names[128];
                generator_join(offsetof(struct generator_facts, lister), names, sizeof(names));
                return unknown(f, "none of %s is installed to look into %s", names, f->image);
        }
        return unknown(f, "cannot list %s: %s", f->image, problem);
}

/* The lister that can print one file of an image (lsinitrd -f), or NULL. */
static const struct generator_facts *extractor(void)
{
        for (size_t i = 0; i < generator_table_size; i++)
                if (generator_table[i].extract_opt)
                        return &generator_table[i];
        return NULL;
}

/* The image's copy of each configuration file it has, with lsinitrd -f, when installed. */
static int extract_configs(const char *image, int64_t budget, const struct initramfs_listing *l,
                           struct initramfs_config *c, size_t n)
{
        const struct generator_facts *x = extractor();

        for (size_t i = 0; x && i < n; i++) {
                const struct initramfs_entry *e = initramfs_find_entry(l, c[i].path);
                if (!e)
                        continue;
                char *argv[] = { (char *)x->lister, (char *)x->extract_opt, e->path, (char *)image, NULL };
                struct spawn_output run = { 0 };
                int k = spawn_program(argv, step_deadline(budget), INITRAMFS_MAX_CONFIG_SIZE, &run);
                if (k == -ENOMEM || k == -ENOENT)
                        return k == -ENOMEM ? k : 0;
                if (k >= 0 && run.status == 0) {
                        c[i].image_text = run.out ? TAKE_PTR(run.out) : strdup("");
                        c[i].image_len = run.len;
                        if (!c[i].image_text)
                                return -ENOMEM;
                }
                spawn_output_done(&run);
        }
        return 0;
}

/* List the image at HOST (a path for programs on this machine) and judge it. */
static int inspect_listing(struct root *r, const char *host, const struct stat *st, int64_t budget,
                           struct initramfs_facts *f)
{
        struct initramfs_listing l = { 0 };
        struct initramfs_config *c = NULL;
        size_t n = 0;

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

static int inspect_image(struct root *r, const struct stat *st, int64_t budget, struct initramfs_facts *f)
{
        _cleanup_free_ char *host = host_path(r, f->image);

        if (!host)
                return unknown(f, "cannot resolve %s below the root", f->image);
        return inspect_listing(r, host, st, budget, f);
}

/* A UKI's .initrd, copied into a scratch file for the listers, which take only file names. */
static int inspect_uki(struct root *r, const struct stat *st, uint64_t off, uint64_t size, int64_t budget,
                       struct initramfs_facts *f)
{
        _cleanup_free_ char *data = NULL, *tmp = NULL;
        size_t len;
        int k;

        if (size == 0 || off > UKI_MAX || size > UKI_MAX - off)
                return unknown(f, "%s has an .initrd section of %llu bytes at %llu: not looked into", f->image,
                               (unsigned long long)size, (unsigned long long)off);
        k = root_read_head(r, f->image, (size_t)(off + size), &data, &len);
        if (k == -ENOMEM)
                return k;
        if (k < 0)
                return unknown(f, "cannot read %s: %s", f->image, strerror(-k));
        if (len < off + size)
                return unknown(f, "%s ends inside its .initrd section", f->image);
        k = host_tmpfile(data + off, (size_t)size, &tmp);
        if (k == -ENOMEM)
                return k;
        if (k < 0)
                return unknown(f, "cannot copy the .initrd section of %s to a scratch file: %s", f->image,
                               strerror(-k));
        free(TAKE_PTR(data));
        k = inspect_listing(r, tmp, st, budget, f);
        host_tmpfile_remove(tmp);
        return k;
}

static int inspect(struct root *r, const char *release, struct initramfs_facts *f)
{
        int64_t budget = spawn_now_ms() + INSPECT_BUDGET_MS;
        struct stat st;

        detect_generator(r, INITRAMFS_GEN_UNKNOWN, f);
        f->image_based = root_exists(r, "/run/ostree-booted") || root_exists(r, "/ostree");
        if (!release)
                return unknown(f, "the running kernel's release is unknown");
        int k = find_image(r, release, f, &st);
        if (k == 0 && !f->image && initramfs_plain_name(release)) {
                uint64_t off, size;
                k = find_uki(r, release, f, &st, &off, &size);
                if (k <= 0)
                        return k;
                initramfs_set_verdict(f, INITRAMFS_UNKNOWN, NULL);
                if (!readable(&st))
                        return unknown(f, "only root can read %s: run vfio-prep --check as root", f->image);
                return inspect_uki(r, &st, off, size, budget, f);
        }
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
