/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "root_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "macro.h"
#include "parse.h"
#include "strjoin.h"
#include "strv.h"

/* One read(), retried on EINTR: bytes read, 0 at the end, or -errno. */
static ssize_t read_once(int fd, char *buf, size_t n)
{
        for (;;) {
                ssize_t k = read(fd, buf, n);
                if (k >= 0 || errno != EINTR)
                        return k < 0 ? -errno : k;
        }
}

/* BUF[0..LEN) as a new NUL-terminated string of its own size. */
static int dup_bytes(const char *buf, size_t len, char **ret)
{
        char *s = malloc(len + 1);
        if (!s)
                return -ENOMEM;
        memcpy(s, buf, len);
        s[len] = '\0';
        *ret = s;
        return 0;
}

/* The first read of a file lands on the stack: most are a few bytes, and a page-sized
 * allocation freed at once costs mmap(2) and munmap(2) with some allocators (musl's). */
#define FIRST_READ 4096

/* SHORT_IS_END: a read shorter than asked ends the file, as it does for sysfs attributes (the
 * kernel hands one over in one read) and regular files; not for /proc, pipes or devices. */
int root_read_fd(int fd, size_t max, bool short_is_end, char **ret, size_t *ret_len)
{
        char first[FIRST_READ];
        size_t size = 0, cap;
        _cleanup_free_ char *buf = NULL;
        const size_t room = max + 1 < sizeof(first) - 1 ? max + 1 : sizeof(first) - 1;
        ssize_t n;

        /* On the stack while it fits: a read of 0 bytes, or a short one for an attribute, ends it. */
        while (size < room) {
                size_t want = room - size;
                n = read_once(fd, first + size, want);
                if (n < 0)
                        return (int)n;
                size += (size_t)n;
                if (size > max)
                        return -EFBIG;
                if (n == 0 || (short_is_end && (size_t)n < want)) {
                        int k = dup_bytes(first, size, ret);
                        if (k < 0)
                                return k;
                        if (ret_len)
                                *ret_len = size;
                        return 0;
                }
        }
        cap = sizeof(first) * 2 > max + 2 ? max + 2 : sizeof(first) * 2;
        buf = malloc(cap);
        if (!buf)
                return -ENOMEM;
        memcpy(buf, first, size);
        for (;;) {
                if (size + 1 >= cap) {
                        size_t ncap = cap * 2;
                        if (ncap > max + 2)
                                ncap = max + 2;
                        char *nb = realloc(buf, ncap);
                        if (!nb)
                                return -ENOMEM;
                        buf = nb;
                        cap = ncap;
                }
                size_t want = cap - size - 1;
                n = read_once(fd, buf + size, want);
                if (n < 0)
                        return (int)n;
                if (n == 0)
                        break;
                size += (size_t)n;
                if (size > max)
                        return -EFBIG;
                if (short_is_end && (size_t)n < want)
                        break;
        }
        buf[size] = '\0';
        /* Most attributes are a few bytes: the model keeps many. */
        char *fit = realloc(buf, size + 1);
        if (fit)
                buf = fit;
        *ret = TAKE_PTR(buf);
        if (ret_len)
                *ret_len = size;
        return 0;
}

/* The first MAX bytes of FD: on the stack when they fit, then copied at their length. */
int root_read_fd_head(int fd, size_t max, char **ret, size_t *ret_len)
{
        char first[FIRST_READ];
        _cleanup_free_ char *heap = NULL;
        char *buf = first;
        size_t len = 0;

        if (max > sizeof(first)) {
                buf = heap = malloc(max + 1);
                if (!heap)
                        return -ENOMEM;
        }
        while (len < max) {
                ssize_t n = read_once(fd, buf + len, max - len);
                if (n < 0)
                        return (int)n;
                if (n == 0)
                        break;
                len += (size_t)n;
        }
        int k = dup_bytes(buf, len, ret);
        if (k < 0)
                return k;
        *ret_len = len;
        return 0;
}

/* Up to MAX bytes of FD into BUF from *LEN on, until the end of the file. */
static int read_on(int fd, char *buf, size_t max, size_t *len)
{
        while (*len < max) {
                ssize_t n = read_once(fd, buf + *len, max - *len);
                if (n < 0)
                        return (int)n;
                if (n == 0)
                        break;
                *len += (size_t)n;
        }
        return 0;
}

int root_read_fd_head_as(int fd, const struct root_head *how, char **ret, size_t *ret_len, size_t *ret_asked)
{
        char buf[ROOT_ATTR_MAX];
        size_t len = 0, asked = how->first;

        if (how->first > sizeof(buf) || how->max > sizeof(buf))
                return -EINVAL;
        int k = read_on(fd, buf, how->first, &len);
        if (k < 0)
                return k;
        /* On from where the first read stopped: the same bytes as a second read from the start. */
        if (len == how->first && how->max > how->first && how->more && how->more((const uint8_t *)buf, len)) {
                asked = how->max;
                k = read_on(fd, buf, how->max, &len);
                if (k < 0)
                        return k;
        }
        size_t keep = how->keep && asked == how->max ? how->keep((const uint8_t *)buf, len) : len;
        k = dup_bytes(buf, keep < len ? keep : len, ret);
        if (k < 0)
                return k;
        *ret_len = keep < len ? keep : len;
        *ret_asked = asked;
        return 0;
}

int root_read_fd_as(int fd, enum root_read_kind kind, size_t max, char **ret, size_t *ret_len)
{
        size_t len;

        if (kind != ROOT_READ_HEAD)
                return root_read_fd(fd, max, kind == ROOT_READ_ATTR, ret, ret_len);
        /* The head's length is always wanted: it says how much of config space was there. */
        return root_read_fd_head(fd, max, ret, ret_len ? ret_len : &len);
}

void root_journal_read(struct root *r, const char *shown, enum root_read_kind kind, size_t max)
{
        char head[STR_ULONG_MAX];

        if (!r->journaling)
                return;
        if (kind != ROOT_READ_HEAD) {
                root_journal_add(r, ROOT_OP_READ, shown, NULL, 0);
                return;
        }
        str_ulong(head, max);
        root_journal_add(r, ROOT_OP_READ, shown, head, 0);
}

int root_read_path(struct root *r, const char *path, enum root_read_kind kind, size_t max, char **ret, size_t *ret_len)
{
        struct walk w;
        /* O_NONBLOCK: a FIFO in a tree would block open() until a writer comes. */
        _cleanup_close_ int fd = root_open_resolved(r, path, O_RDONLY | O_NONBLOCK, &w);
        if (fd < 0)
                return fd;
        int k = root_read_fd_as(fd, kind, max, ret, ret_len);
        if (k < 0)
                return k;
        if (r->journaling) {
                char shown[PATH_MAX + 1];
                if (str_join(shown, sizeof(shown), "/", w.buf, NULL) >= 0)
                        root_journal_read(r, shown, kind, max);
        }
        return 0;
}

int root_read_file(struct root *r, const char *path, size_t max, char **ret, size_t *ret_len)
{
        return root_read_path(r, path, ROOT_READ_WHOLE, max, ret, ret_len);
}

int root_read_head(struct root *r, const char *path, size_t max, char **ret, size_t *ret_len)
{
        return root_read_path(r, path, ROOT_READ_HEAD, max, ret, ret_len);
}

void root_strip_space(char *s, size_t n)
{
        while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == ' ' || s[n - 1] == '\t'))
                s[--n] = '\0';
}

/* An attribute is handed over in one read (see root_read_fd()). */
int root_read_attr(struct root *r, const char *path, char **ret)
{
        struct walk w;
        char *s;
        size_t n;
        _cleanup_close_ int fd = root_open_resolved(r, path, O_RDONLY | O_NONBLOCK, &w);
        if (fd < 0)
                return fd;
        int k = root_read_fd(fd, ROOT_ATTR_MAX, true, &s, &n);
        if (k < 0)
                return k;
        root_journal_walked(r, ROOT_OP_READ, &w, NULL);
        root_strip_space(s, n);
        *ret = s;
        return 0;
}

int root_read_u64(struct root *r, const char *path, int base, uint64_t max, uint64_t *ret)
{
        _cleanup_free_ char *s = NULL;
        int k = root_read_attr(r, path, &s);
        if (k < 0)
                return k;
        return parse_u64(s, base, max, ret);
}

int root_read_link(struct root *r, const char *path, char **ret)
{
        struct walk w;
        char target[PATH_MAX];
        int k = root_walk(r, path, false, &w);
        if (k < 0)
                return k;
        ssize_t n = readlinkat(r->fd, root_walk_rel(&w), target, sizeof(target) - 1);
        if (n < 0)
                return -errno;
        target[n] = '\0';
        root_journal_walked(r, ROOT_OP_LINK, &w, target);
        char *s = strdup(target);
        if (!s)
                return -ENOMEM;
        *ret = s;
        return 0;
}

/* Whether TARGET, taken relative to the directory DEPTH components below the root, stays inside. */
static bool target_confined(const char *target, size_t depth)
{
        long d = (long)depth;

        if (target[0] == '/')
                return false;
        for (const char *p = target; *p;) {
                size_t n = strcspn(p, "/");
                if (n == 2 && p[0] == '.' && p[1] == '.')
                        d--;
                else if (n > 0 && !(n == 1 && p[0] == '.'))
                        d++;
                if (d < 0)
                        return false;
                p += n;
                p += strspn(p, "/");
        }
        return true;
}

/* Components of an absolute canonical path: 0 for "/", 2 for "/sys/bus". */
size_t root_path_depth(const char *path)
{
        size_t depth = 0;
        for (const char *p = path; *p; p++)
                depth += *p == '/' && p[1] && p[1] != '/';
        return depth;
}

/* The last component of TARGET, a link's target, read in the directory DEPTH components below the root. */
int root_link_basename(char *target, size_t depth, char **ret)
{
        if (!target_confined(target, depth))
                return -EXDEV;
        size_t len = strlen(target);
        while (len > 0 && target[len - 1] == '/')
                target[--len] = '\0';
        const char *base = strrchr(target, '/');
        base = base ? base + 1 : target;
        if (!*base || strcmp(base, "..") == 0 || strcmp(base, ".") == 0)
                return -EINVAL;
        char *s = strdup(base);
        if (!s)
                return -ENOMEM;
        *ret = s;
        return 0;
}

int root_link_name(struct root *r, const char *path, char **ret)
{
        _cleanup_free_ char *link = NULL, *target = NULL;
        int k = root_resolve_parent(r, path, &link);
        if (k < 0)
                return k;
        k = root_read_link(r, link, &target);
        if (k < 0)
                return k;
        size_t depth = 0;
        for (const char *p = link + 1; *p; p++)
                depth += *p == '/';
        return root_link_basename(target, depth, ret);
}

struct name_vector {
        char ***v;
        size_t *n;
};

static int push_name(const char *name, unsigned char type, void *userdata)
{
        (void)type;
        struct name_vector *nv = userdata;
        return strv_push(nv->v, nv->n, name);
}

/* Every name in the directory FD but "." and "..", unsorted. */
static int read_names(int fd, char ***v, size_t *n)
{
        struct name_vector nv = { v, n };
        return root_each_name(fd, push_name, &nv);
}

static int cmp_str(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

int root_list(struct root *r, const char *path, char ***ret, size_t *ret_n)
{
        struct walk w;
        _cleanup_close_ int fd = root_open_resolved(r, path, O_RDONLY | O_DIRECTORY, &w);
        if (fd < 0)
                return fd;
        _cleanup_strv_ char **v = NULL;
        size_t n = 0;
        int k = read_names(fd, &v, &n);
        if (k < 0)
                return k;
        if (n > 0)
                qsort(v, n, sizeof(char *), cmp_str);
        else if (!v && strv_push(&v, &n, NULL) < 0)
                return -ENOMEM;
        root_journal_walked(r, ROOT_OP_LIST, &w, NULL);
        *ret = TAKE_PTR(v);
        if (ret_n)
                *ret_n = n;
        return 0;
}

/* PATH stated by the walk, and journalled. */
static int stat_walked(struct root *r, const char *path, struct stat *ret)
{
        struct walk w;
        int k = root_walk_stat(r, path, &w, ret);
        if (k < 0)
                return k;
        root_journal_walked(r, ROOT_OP_STAT, &w, S_ISDIR(ret->st_mode) ? "d" : "f");
        return 0;
}

/* Below a directory the walk knows, it stats PATH in one call; openat2(2) takes two or three. */
int root_stat(struct root *r, const char *path, struct stat *ret)
{
        if (root_parent_known(r, path))
                return stat_walked(r, path, ret);
        int fd = root_open_fast(r, path, O_PATH);
        if (fd >= 0) {
                int e = fstat(fd, ret) < 0 ? -errno : 0;
                close(fd);
                return e;
        }
        if (fd != -ENOSYS)
                return fd;
        return stat_walked(r, path, ret);
}

int root_lstat(struct root *r, const char *path, struct stat *ret)
{
        struct walk w;
        int k = root_walk(r, path, false, &w);
        if (k < 0)
                return k;
        if (fstatat(r->fd, root_walk_rel(&w), ret, AT_SYMLINK_NOFOLLOW) < 0)
                return -errno;
        return 0;
}

bool root_exists(struct root *r, const char *path)
{
        struct stat st;
        if (root_parent_known(r, path))
                return stat_walked(r, path, &st) >= 0;
        /* The kernel's open says it, without a stat. */
        int fd = root_open_fast(r, path, O_PATH);
        if (fd >= 0)
                close(fd);
        if (fd != -ENOSYS)
                return fd >= 0;
        return stat_walked(r, path, &st) >= 0;
}

int host_read_file(const char *path, size_t max, char **ret, size_t *ret_len, struct stat *ret_st)
{
        struct stat st;
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (S_ISDIR(st.st_mode))
                return -EISDIR;
        if (!S_ISREG(st.st_mode))
                return -EINVAL;
        int k = root_read_fd(fd, max, false, ret, ret_len);
        if (k < 0)
                return k;
        if (ret_st)
                *ret_st = st;
        return 0;
}
