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

/* Capture trees must not hold the machine's secrets: only the places vfio-prep reads. */
#define CAPTURE_FILE_MAX (1024 * 1024)

static int parent_dirs(struct root *dst, const char *path)
{
        char buf[PATH_MAX];
        snprintf(buf, sizeof(buf), "%s", path);
        char *slash = strrchr(buf, '/');
        if (!slash || slash == buf)
                return 0;
        *slash = '\0';
        return root_mkdir_p(dst, buf, 0755);
}

/* HEAD: the most bytes that were read (a config header), NULL when the whole file was. */
static int copy_file(struct root *src, struct root *dst, const char *path, const char *head)
{
        _cleanup_free_ char *data = NULL;
        size_t len;
        struct stat st;
        int k;

        if (head) {
                size_t max = strtoul(head, NULL, 10);
                /* Read whole elsewhere in the journal: that copy says more. */
                if (root_lstat(dst, path, &st) >= 0 && (size_t)st.st_size >= max)
                        return 0;
                k = root_read_head(src, path, max, &data, &len);
        } else
                k = root_read_file(src, path, CAPTURE_FILE_MAX, &data, &len);
        if (k < 0)
                return k;
        k = parent_dirs(dst, path);
        if (k < 0)
                return k;
        return root_create_file(dst, path, data, len, 0644);
}

static int copy_link(struct root *dst, const char *path, const char *target)
{
        struct stat st;
        int k = parent_dirs(dst, path);
        if (k < 0)
                return k;
        if (root_lstat(dst, path, &st) >= 0)
                return 0;
        return root_symlink(dst, target, path);
}

/* A listed directory keeps its links and subdirectories, so a replay lists the same names. */
static int copy_listing(struct root *src, struct root *dst, const char *path)
{
        _cleanup_strv_ char **names = NULL;
        size_t n;
        int k = root_mkdir_p(dst, path, 0755);
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
                        k = root_mkdir_p(dst, child, 0755);
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
static int copy_existence(struct root *dst, const char *path, const char *type)
{
        struct stat st;
        if (root_lstat(dst, path, &st) >= 0)
                return 0;
        if (type && type[0] == 'd')
                return root_mkdir_p(dst, path, 0755);
        int k = parent_dirs(dst, path);
        if (k < 0)
                return k;
        return root_create_file(dst, path, "", 0, 0644);
}

static int write_cmdline(struct root *dst, const char *cmdline)
{
        _cleanup_free_ char *text = NULL;
        int k = root_mkdir_p(dst, "/proc", 0755);
        if (k < 0)
                return k;
        if (asprintf(&text, "%s\n", cmdline) < 0)
                return -ENOMEM;
        return root_create_file(dst, "/proc/cmdline", text, strlen(text), 0644);
}

int capture_write(struct root *src, const char *dir, const char *cmdline)
{
        _cleanup_root_ struct root *dst = NULL;
        size_t n;
        int k = root_new(dir, &dst);
        if (k < 0)
                return k;

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
