/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "root_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <dirent.h>
#include <unistd.h>

#include "macro.h"
#include "spawn.h"

static int write_all_once(int fd, const char *value)
{
        size_t len = strlen(value);
        ssize_t n;

        do
                n = write(fd, value, len);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return -errno;
        return (size_t)n == len ? 0 : -EIO;
}

static int write_hooked(struct root *r, const char *path, const char *value)
{
        /* A write to sysfs can remove directories (unbind, remove, sriov_numvfs). */
        root_forget_dirs(r);
        if (!r->hook)
                return 0;
        return r->hook(r->hook_data, path, value);
}

static int write_open(struct root *r, const char *path, int extra)
{
        struct walk w;
        /* O_NONBLOCK: a FIFO without a reader fails (ENXIO) instead of blocking for ever;
         * sysfs and /dev/kmsg ignore it. */
        return root_open_resolved(r, path, O_WRONLY | O_NONBLOCK | extra, &w);
}

/* VALUE written to PATH opened with EXTRA flags, in one write(), journalled. */
static int write_value(struct root *r, const char *path, const char *value, int extra)
{
        int k = write_hooked(r, path, value);
        if (k == 0) {
                _cleanup_close_ int fd = write_open(r, path, extra);
                k = fd < 0 ? fd : write_all_once(fd, value);
        }
        k = k > 0 ? 0 : k;
        root_journal_add(r, ROOT_OP_WRITE, path, value, k);
        return k;
}

int root_write(struct root *r, const char *path, const char *value)
{
        /* O_TRUNC: a regular file in a tree then holds what sysfs would show. */
        return write_value(r, path, value, O_TRUNC);
}

int root_append(struct root *r, const char *path, const char *value)
{
        return write_value(r, path, value, O_APPEND);
}

static int write_journaled(struct root *r, const char *path, const char *value, int k)
{
        root_journal_add(r, ROOT_OP_WRITE, path, value, k);
        return k;
}

struct deadline_write {
        const struct root *r;
        const char *rel;
        const char *value;
};

/* In the child: even open() can block (a FIFO in a fake tree), so the child does both. */
static int write_in_child(void *userdata)
{
        const struct deadline_write *d = userdata;
        int fd = openat(d->r->fd, d->rel, O_WRONLY | O_TRUNC | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
        return fd < 0 ? -errno : write_all_once(fd, d->value);
}

int root_write_deadline(struct root *r, const char *path, const char *value, unsigned timeout_ms)
{
        struct walk w;
        int k = write_hooked(r, path, value);
        if (k == 0)
                k = root_walk(r, path, true, &w);
        if (k != 0)
                return write_journaled(r, path, value, k > 0 ? 0 : k);
        struct deadline_write d = { .r = r, .rel = root_walk_rel(&w), .value = value };
        return write_journaled(r, path, value, spawn_call(write_in_child, &d, timeout_ms));
}

int root_mkdir_p(struct root *r, const char *path, mode_t mode)
{
        char buf[PATH_MAX];
        if (path[0] != '/' || strlen(path) >= sizeof(buf))
                return -EINVAL;
        strcpy(buf, path + 1);
        for (char *p = buf;; p++) {
                if (*p != '/' && *p != '\0')
                        continue;
                char c = *p;
                *p = '\0';
                if (*buf) {
                        struct walk w;
                        char abs[PATH_MAX + 1];
                        snprintf(abs, sizeof(abs), "/%s", buf);
                        int k = root_walk(r, abs, true, &w);
                        if (k == -ENOENT) {
                                if (mkdirat(r->fd, root_walk_rel(&w), mode) < 0 && errno != EEXIST)
                                        return -errno;
                        } else if (k < 0)
                                return k;
                }
                if (c == '\0')
                        return 0;
                *p = c;
        }
}

/* All of DATA to FD, short writes continued (root_internal.h). */
int write_full(int fd, const void *data, size_t len)
{
        const char *p = data;

        while (len > 0) {
                ssize_t n = write(fd, p, len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                p += n;
                len -= (size_t)n;
        }
        return 0;
}

int root_create_file(struct root *r, const char *path, const void *data, size_t len, mode_t mode)
{
        struct walk w;
        int k = root_walk(r, path, false, &w);
        if (k < 0)
                return k;
        char tmp[PATH_MAX + 16];
        snprintf(tmp, sizeof(tmp), "%s.tmp%ld", w.buf, (long)getpid());
        _cleanup_close_ int fd = openat(r->fd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, mode);
        if (fd < 0)
                return -errno;
        k = write_full(fd, data, len);
        if (k < 0) {
                unlinkat(r->fd, tmp, 0);
                return k;
        }
        if (renameat(r->fd, tmp, r->fd, w.buf) < 0) {
                k = -errno;
                unlinkat(r->fd, tmp, 0);
                return k;
        }
        return 0;
}

/* The directory holding REL (relative to DIRFD) flushed, so that a rename in it lasts. */
static int fsync_parent(int dirfd, const char *rel)
{
        char dir[PATH_MAX];
        const char *slash = strrchr(rel, '/');

        if (!slash)
                snprintf(dir, sizeof(dir), ".");
        else
                snprintf(dir, sizeof(dir), "%.*s", slash == rel ? 1 : (int)(slash - rel), rel);
        _cleanup_close_ int fd = openat(dirfd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        return fsync(fd) < 0 ? -errno : 0;
}

/* DATA into the new file FD: owner root when we may give it (vfio-prep.conf(5), OWNERSHIP), MODE
 * whatever the umask, on disk before it is renamed into place. */
static int fill_replacement(int fd, const void *data, size_t len, mode_t mode)
{
        int k = write_full(fd, data, len);

        if (k >= 0 && geteuid() == 0 && fchown(fd, 0, 0) < 0)
                k = -errno;
        if (k >= 0 && fchmod(fd, mode) < 0)
                k = -errno;
        if (k >= 0 && fsync(fd) < 0)
                k = -errno;
        return k;
}

/* REL (relative to DIRFD) replaced atomically: a reader sees the old file or the new one, never
 * a part, and a crash leaves one of them. */
static int replace_at(int dirfd, const char *rel, const void *data, size_t len, mode_t mode)
{
        char tmp[PATH_MAX + 32];
        int k;

        snprintf(tmp, sizeof(tmp), "%s.vfio-prep-%ld", rel, (long)getpid());
        _cleanup_close_ int fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0)
                return -errno;
        k = fill_replacement(fd, data, len, mode);
        if (k >= 0 && renameat(dirfd, tmp, dirfd, rel) < 0)
                k = -errno;
        if (k < 0) {
                unlinkat(dirfd, tmp, 0);
                return k;
        }
        return fsync_parent(dirfd, rel);
}

int root_replace_file(struct root *r, const char *path, const void *data, size_t len, mode_t mode)
{
        struct walk w;
        int k = root_walk(r, path, false, &w);

        if (k < 0)
                return k;
        k = replace_at(r->fd, root_walk_rel(&w), data, len, mode);
        root_journal_add(r, ROOT_OP_WRITE, path, "(replaced)", k);
        return k;
}

int host_replace_file(const char *path, const void *data, size_t len, mode_t mode)
{
        return replace_at(AT_FDCWD, path, data, len, mode);
}

int root_symlink(struct root *r, const char *target, const char *path)
{
        struct walk w;
        int k = root_walk(r, path, false, &w);
        if (k < 0)
                return k;
        if (symlinkat(target, r->fd, w.buf) < 0)
                return -errno;
        return 0;
}

int host_mkdir_empty(const char *dir)
{
        struct stat st;

        if (mkdir(dir, 0755) == 0)
                return 0;
        if (errno != EEXIST)
                return -errno;
        if (stat(dir, &st) < 0)
                return -errno;
        if (!S_ISDIR(st.st_mode))
                return -ENOTDIR;
        DIR *d = opendir(dir);
        if (!d)
                return -errno;
        struct dirent *de;
        int k = 0;
        while ((de = readdir(d)))
                if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0) {
                        k = -ENOTEMPTY;
                        break;
                }
        closedir(d);
        return k;
}
