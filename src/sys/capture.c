/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "capture.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "macro.h"
#include "root.h"
#include "tar.h"

/* Capture trees must not hold the machine's secrets: only the places vfio-prep reads. */
#define CAPTURE_FILE_MAX (1024 * 1024)

/* Where a capture goes: a directory, through the root layer, or an archive in memory. */
struct dst {
        struct root *dir; /* NULL: TAR */
        struct tar *tar;
        const char *top; /* TAR: every entry sits below this directory */
        struct capture_summary summary;
};

static int tar_path(const struct dst *d, const char *path, char buf[static PATH_MAX])
{
        int n = snprintf(buf, PATH_MAX, "%s%s", d->top, strcmp(path, "/") ? path : "");
        return n < PATH_MAX ? 0 : -ENAMETOOLONG;
}

/* Whether PATH is there already; its size when it is a file. */
static bool dst_exists(struct dst *d, const char *path, size_t *ret_size)
{
        char buf[PATH_MAX];
        struct stat st;

        if (d->dir) {
                if (root_lstat(d->dir, path, &st) < 0)
                        return false;
                *ret_size = (size_t)st.st_size;
                return true;
        }
        const struct tar_entry *e = tar_path(d, path, buf) < 0 ? NULL : tar_find(d->tar, buf);
        if (e)
                *ret_size = e->len;
        return e != NULL;
}

static int dst_mkdir_p(struct dst *d, const char *path)
{
        char buf[PATH_MAX];

        if (d->dir)
                return root_mkdir_p(d->dir, path, 0755);
        int k = tar_path(d, path, buf);
        /* Each directory from the top down, as mkdir -p would make them. */
        for (char *p = buf; k >= 0 && p;) {
                p = strchr(p + 1, '/');
                if (p)
                        *p = '\0';
                if (!tar_find(d->tar, buf))
                        k = tar_put(d->tar, buf, TAR_DIR, NULL, 0, 0755);
                if (p)
                        *p = '/';
        }
        return k;
}

static enum capture_area area_of(const char *path)
{
        static const char *const tops[] = {
                [CAPTURE_SYS] = "/sys/", [CAPTURE_PROC] = "/proc/", [CAPTURE_ETC] = "/etc/", [CAPTURE_BOOT] = "/boot/"
        };

        for (size_t a = 0; a < ARRAY_SIZE(tops); a++)
                if (strncmp(path, tops[a], strlen(tops[a])) == 0)
                        return (enum capture_area)a;
        return CAPTURE_OTHER;
}

static int dst_file(struct dst *d, const char *path, const void *data, size_t len)
{
        char buf[PATH_MAX];
        size_t size;
        int k;

        if (!dst_exists(d, path, &size)) {
                d->summary.files[area_of(path)]++;
                d->summary.cmdline |= strcmp(path, "/proc/cmdline") == 0;
        }
        if (d->dir)
                return root_create_file(d->dir, path, data, len, 0644);
        k = tar_path(d, path, buf);
        return k < 0 ? k : tar_put(d->tar, buf, TAR_FILE, data, len, 0644);
}

static int dst_symlink(struct dst *d, const char *target, const char *path)
{
        char buf[PATH_MAX];

        if (d->dir)
                return root_symlink(d->dir, target, path);
        int k = tar_path(d, path, buf);
        return k < 0 ? k : tar_put(d->tar, buf, TAR_SYMLINK, target, strlen(target), 0777);
}

static int parent_dirs(struct dst *dst, const char *path)
{
        char buf[PATH_MAX];
        snprintf(buf, sizeof(buf), "%s", path);
        char *slash = strrchr(buf, '/');
        if (!slash || slash == buf)
                return 0;
        *slash = '\0';
        return dst_mkdir_p(dst, buf);
}

/* HEAD: the most bytes that were read (a config header), NULL when the whole file was. */
static int copy_file(struct root *src, struct dst *dst, const char *path, const char *head)
{
        _cleanup_free_ char *data = NULL;
        size_t len, size;
        int k;

        if (head) {
                size_t max = strtoul(head, NULL, 10);
                /* Read whole elsewhere in the journal: that copy says more. */
                if (dst_exists(dst, path, &size) && size >= max)
                        return 0;
                k = root_read_head(src, path, max, &data, &len);
        } else
                k = root_read_file(src, path, CAPTURE_FILE_MAX, &data, &len);
        if (k < 0)
                return k;
        k = parent_dirs(dst, path);
        if (k < 0)
                return k;
        return dst_file(dst, path, data, len);
}

static int copy_link(struct dst *dst, const char *path, const char *target)
{
        size_t size;
        int k = parent_dirs(dst, path);
        if (k < 0)
                return k;
        if (dst_exists(dst, path, &size))
                return 0;
        return dst_symlink(dst, target, path);
}

/* A listed directory keeps its links and subdirectories, so a replay lists the same names. */
static int copy_listing(struct root *src, struct dst *dst, const char *path)
{
        _cleanup_strv_ char **names = NULL;
        size_t n;
        int k = dst_mkdir_p(dst, path);
        if (k < 0)
                return k;
        k = root_list(src, path, &names, &n);
        if (k < 0)
                return k;
        for (size_t i = 0; i < n; i++) {
                char child[PATH_MAX];
                struct stat st;
                snprintf(child, sizeof(child), "%s/%s", strcmp(path, "/") ? path : "", names[i]);
                if (root_lstat(src, child, &st) < 0)
                        continue;
                if (S_ISDIR(st.st_mode))
                        k = dst_mkdir_p(dst, child);
                else if (S_ISLNK(st.st_mode)) {
                        _cleanup_free_ char *target = NULL;
                        k = root_read_link(src, child, &target);
                        if (k >= 0 && target[0] != '/')
                                k = copy_link(dst, child, target);
                }
                if (k < 0)
                        return k;
        }
        return 0;
}

/* Only existence was looked at: an empty file or directory says as much, and no more. */
static int copy_existence(struct dst *dst, const char *path, const char *type)
{
        size_t size;
        if (dst_exists(dst, path, &size))
                return 0;
        if (type && type[0] == 'd')
                return dst_mkdir_p(dst, path);
        int k = parent_dirs(dst, path);
        if (k < 0)
                return k;
        return dst_file(dst, path, "", 0);
}

static int write_cmdline(struct dst *dst, const char *cmdline)
{
        _cleanup_free_ char *text = NULL;
        int k = dst_mkdir_p(dst, "/proc");
        if (k < 0)
                return k;
        if (asprintf(&text, "%s\n", cmdline) < 0)
                return -ENOMEM;
        return dst_file(dst, "/proc/cmdline", text, strlen(text));
}

static int replay(struct root *src, struct dst *dst, const char *cmdline)
{
        size_t n;
        int k = 0;

        /* Copy a snapshot of the journal: the copies below journal more reads into it. */
        const struct root_journal_entry *j = root_journal(src, &n);
        struct root_journal_entry *copy = calloc(n ? n : 1, sizeof(*copy));
        if (!copy)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++)
                copy[i] = (struct root_journal_entry){ .op = j[i].op,
                                                       .path = strdup(j[i].path),
                                                       .value = j[i].value ? strdup(j[i].value) : NULL };
        root_journal_enable(src, false);

        for (size_t i = 0; i < n && k >= 0; i++) {
                if (!copy[i].path)
                        k = -ENOMEM;
                else if (copy[i].op == ROOT_OP_READ)
                        k = copy_file(src, dst, copy[i].path, copy[i].value);
                else if (copy[i].op == ROOT_OP_LINK && copy[i].value && copy[i].value[0] != '/')
                        k = copy_link(dst, copy[i].path, copy[i].value);
                else if (copy[i].op == ROOT_OP_LIST)
                        k = copy_listing(src, dst, copy[i].path);
                else if (copy[i].op == ROOT_OP_STAT)
                        k = copy_existence(dst, copy[i].path, copy[i].value);
                /* A file that vanished since it was read (a hot-unplug) is not worth failing for. */
                if (k == -ENOENT)
                        k = 0;
        }
        for (size_t i = 0; i < n; i++) {
                free(copy[i].path);
                free(copy[i].value);
        }
        free(copy);
        if (k >= 0 && cmdline)
                k = write_cmdline(dst, cmdline);
        return k < 0 ? k : 0;
}

int capture_write(struct root *src, const char *dir, const char *cmdline, struct capture_summary *ret_summary)
{
        _cleanup_root_ struct root *r = NULL;
        int k = root_new(dir, &r);
        if (k < 0)
                return k;
        struct dst d = { .dir = r };
        k = replay(src, &d, cmdline);
        if (k >= 0)
                *ret_summary = d.summary;
        return k;
}

int capture_archive(struct root *src, const char *top, const char *cmdline, char **ret, size_t *ret_len,
                    struct capture_summary *ret_summary)
{
        struct tar t = { 0 };
        struct dst d = { .tar = &t, .top = top };
        int k = strchr(top, '/') || !*top ? -EINVAL : tar_put(&t, top, TAR_DIR, NULL, 0, 0755);

        if (k >= 0)
                k = replay(src, &d, cmdline);
        if (k >= 0)
                k = tar_write(&t, ret, ret_len);
        tar_done(&t);
        if (k >= 0)
                *ret_summary = d.summary;
        return k;
}

const char *capture_area_name(enum capture_area area)
{
        static const char *const names[] = { "/sys", "/proc", "/etc", "/boot", "elsewhere" };

        return area < ARRAY_SIZE(names) ? names[area] : "elsewhere";
}
