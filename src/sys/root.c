/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "root.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "macro.h"
#include "parse.h"
#include "strv.h"

/* openat2(2) has no libc wrapper (glibc 2.36, musl), and musl's headers lack the kernel's
 * <linux/openat2.h>: its ABI, which is stable, is spelled out then. */
#if __has_include(<linux/openat2.h>)
#include <linux/openat2.h>
#else
struct open_how {
        uint64_t flags;
        uint64_t mode;
        uint64_t resolve;
};
#define RESOLVE_NO_MAGICLINKS 0x02
#define RESOLVE_NO_SYMLINKS 0x04
#define RESOLVE_BENEATH 0x08
#endif
#ifndef SYS_openat2
#define SYS_openat2 437 /* the same on every architecture but alpha */
#endif

struct root {
        char *dir;
        int fd;
        root_write_hook_t hook;
        void *hook_data;
        bool journaling;
        /* openat2(2) is missing, refused by a seccomp filter, or VFIO_PREP_NO_OPENAT2 is set:
         * every lookup takes the walk. */
        bool no_openat2;
        struct root_journal_entry *journal;
        size_t n_journal;
        /* Paths below the root whose every component was seen to be a directory, not a link
         * (see known_dir()); NULL slots are free. */
        char *known[8];
        size_t known_len[8];
        unsigned known_next;
        /* Plain paths root_stat() found, with what it found: the targets of links that many
         * devices share (driver links), see root_dir_stat(). NULL paths are free. */
        struct {
                char *path;
                struct stat st;
        } stated[8];
        unsigned stated_next;
};

/* Any value but "" and "0" forces the walk: the tests prove the fallback so. */
static bool walk_forced(void)
{
        const char *e = getenv("VFIO_PREP_NO_OPENAT2");
        return e && *e && strcmp(e, "0") != 0;
}

int root_new(const char *dir, struct root **ret)
{
        _cleanup_free_ struct root *r = calloc(1, sizeof(*r));
        if (!r)
                return -ENOMEM;
        r->fd = open(dir && *dir ? dir : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (r->fd < 0)
                return -errno;
        r->dir = strdup(dir && *dir ? dir : "/");
        if (!r->dir) {
                close(r->fd);
                return -ENOMEM;
        }
        r->no_openat2 = walk_forced();
        *ret = TAKE_PTR(r);
        return 0;
}

static void forget_dirs(struct root *r)
{
        for (size_t i = 0; i < ARRAY_SIZE(r->known); i++) {
                free(r->known[i]);
                r->known[i] = NULL;
        }
        for (size_t i = 0; i < ARRAY_SIZE(r->stated); i++) {
                free(r->stated[i].path);
                r->stated[i].path = NULL;
        }
}

struct root *root_free(struct root *r)
{
        if (!r)
                return NULL;
        forget_dirs(r);
        root_journal_clear(r);
        close(r->fd);
        free(r->dir);
        free(r);
        return NULL;
}

const char *root_dir(const struct root *r)
{
        return r->dir;
}

bool root_is_host(const struct root *r)
{
        struct stat a, b;

        if (fstat(r->fd, &a) < 0 || stat("/", &b) < 0)
                return false;
        return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

void root_set_write_hook(struct root *r, root_write_hook_t hook, void *userdata)
{
        r->hook = hook;
        r->hook_data = userdata;
}

void root_journal_enable(struct root *r, bool on)
{
        r->journaling = on;
}

const struct root_journal_entry *root_journal(const struct root *r, size_t *ret_n)
{
        *ret_n = r->n_journal;
        return r->journal;
}

void root_journal_clear(struct root *r)
{
        for (size_t i = 0; i < r->n_journal; i++) {
                free(r->journal[i].path);
                free(r->journal[i].value);
        }
        free(r->journal);
        r->journal = NULL;
        r->n_journal = 0;
}

/* Journaling is best effort: a failed allocation loses an entry, never the operation. */
static void journal_add(struct root *r, enum root_op op, const char *path, const char *value, int result)
{
        if (!r->journaling)
                return;
        struct root_journal_entry *j = realloc(r->journal, (r->n_journal + 1) * sizeof(*j));
        if (!j)
                return;
        r->journal = j;
        j[r->n_journal] = (struct root_journal_entry){
                .op = op,
                .path = strdup(path),
                .value = value ? strdup(value) : NULL,
                .result = result,
        };
        r->n_journal++;
}

/* A stack of path components below the root; "sys/bus/pci" has three. */
struct walk {
        char buf[PATH_MAX];
        size_t len;
};

static int walk_push(struct walk *w, const char *c, size_t n)
{
        if (w->len + 1 + n + 1 > sizeof(w->buf))
                return -ENAMETOOLONG;
        if (w->len > 0)
                w->buf[w->len++] = '/';
        memcpy(w->buf + w->len, c, n);
        w->len += n;
        w->buf[w->len] = '\0';
        return 0;
}

static int walk_pop(struct walk *w)
{
        if (w->len == 0)
                return -EXDEV;
        char *slash = memrchr(w->buf, '/', w->len);
        w->len = slash ? (size_t)(slash - w->buf) : 0;
        w->buf[w->len] = '\0';
        return 0;
}

static const char *walk_rel(const struct walk *w)
{
        return w->len ? w->buf : ".";
}

/* Prepend TARGET to the unresolved REST, in place in PENDING. */
static int pending_splice(char *pending, size_t size, const char *target, const char *rest)
{
        char tmp[PATH_MAX];
        int n = snprintf(tmp, sizeof(tmp), "%s/%s", target, rest);

        if (n < 0 || (size_t)n >= sizeof(tmp) || (size_t)n >= size)
                return -ENAMETOOLONG;
        memcpy(pending, tmp, (size_t)n + 1);
        return 0;
}

static int follow_link(struct root *r, struct walk *w, const char *rel, char *pending, size_t size, const char *rest,
                       unsigned *hops)
{
        char target[PATH_MAX];
        ssize_t n;

        if (++*hops > ROOT_MAX_HOPS)
                return -ELOOP;
        n = readlinkat(r->fd, rel, target, sizeof(target) - 1);
        if (n < 0)
                return -errno;
        target[n] = '\0';
        {
                char shown[PATH_MAX + 1];
                snprintf(shown, sizeof(shown), "/%s", rel);
                journal_add(r, ROOT_OP_LINK, shown, target, 0);
        }
        if (target[0] == '/')
                return -EXDEV;
        /* The link's own component was pushed by the caller; resolve from its directory. */
        walk_pop(w);
        return pending_splice(pending, size, target, rest);
}

/*
 * Whether the components of W were all seen to be directories by an earlier resolution.
 * Without this, every lookup stats each of its components, and each stat walks from the
 * root again: the cost grows with the square of the depth, and sysfs device paths are deep.
 */
static bool known_dir(const struct root *r, const struct walk *w)
{
        for (size_t i = 0; i < ARRAY_SIZE(r->known); i++) {
                const char *k = r->known[i];
                size_t n = r->known_len[i];
                if (k && n >= w->len && (n == w->len || k[w->len] == '/') && memcmp(k, w->buf, w->len) == 0)
                        return true;
        }
        return false;
}

/* W is a directory and so is every component above it: remember it, in place of an
 * ancestor when one is remembered. Best effort, like the journal. */
static void remember_dir(struct root *r, const struct walk *w)
{
        size_t slot = r->known_next % ARRAY_SIZE(r->known);

        for (size_t i = 0; i < ARRAY_SIZE(r->known); i++) {
                const char *k = r->known[i];
                size_t n = r->known_len[i];
                if (k && n < w->len && w->buf[n] == '/' && memcmp(k, w->buf, n) == 0) {
                        slot = i;
                        break;
                }
        }
        if (slot == r->known_next % ARRAY_SIZE(r->known))
                r->known_next++;
        free(r->known[slot]);
        r->known[slot] = strdup(w->buf);
        r->known_len[slot] = w->len;
}

static int resolve(struct root *r, const char *path, bool follow_last, struct walk *w)
{
        char pending[PATH_MAX];
        unsigned hops = 0;

        if (path[0] != '/')
                return -EINVAL;
        if (strlen(path) >= sizeof(pending))
                return -ENAMETOOLONG;
        strcpy(pending, path);
        w->len = 0;
        w->buf[0] = '\0';

        char *p = pending;
        for (;;) {
                while (*p == '/')
                        p++;
                if (!*p)
                        return 0;
                char *end = strchrnul(p, '/');
                size_t n = (size_t)(end - p);
                bool last = (*end == '\0') || end[strspn(end, "/")] == '\0';
                int k;

                if (n == 1 && p[0] == '.') {
                        p = end;
                        continue;
                }
                if (n == 2 && p[0] == '.' && p[1] == '.') {
                        k = walk_pop(w);
                        if (k < 0)
                                return k;
                        p = end;
                        continue;
                }
                k = walk_push(w, p, n);
                if (k < 0)
                        return k;
                if (last && !follow_last)
                        return 0;
                if (known_dir(r, w)) {
                        p = end;
                        continue;
                }

                struct stat st;
                if (fstatat(r->fd, w->buf, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        return -errno;
                if (S_ISLNK(st.st_mode)) {
                        char rest[PATH_MAX];
                        snprintf(rest, sizeof(rest), "%s", end);
                        char rel[PATH_MAX];
                        snprintf(rel, sizeof(rel), "%s", w->buf);
                        k = follow_link(r, w, rel, pending, sizeof(pending), rest, &hops);
                        if (k < 0)
                                return k;
                        p = pending;
                        continue;
                }
                if (!last && !S_ISDIR(st.st_mode))
                        return -ENOTDIR;
                if (S_ISDIR(st.st_mode))
                        remember_dir(r, w);
                p = end;
        }
}

static int walk_to_abs(const struct walk *w, char **ret)
{
        char *s = malloc(w->len + 2);
        if (!s)
                return -ENOMEM;
        s[0] = '/';
        memcpy(s + 1, w->buf, w->len + 1);
        *ret = s;
        return 0;
}

int root_resolve(struct root *r, const char *path, char **ret)
{
        struct walk w;
        int k = resolve(r, path, true, &w);
        if (k < 0)
                return k;
        return walk_to_abs(&w, ret);
}

int root_resolve_parent(struct root *r, const char *path, char **ret)
{
        struct walk w;
        int k = resolve(r, path, false, &w);
        if (k < 0)
                return k;
        return walk_to_abs(&w, ret);
}

/* What the walk refuses, the kernel refuses: absolute links and ".." above the root (EXDEV),
 * magic links (ELOOP). */
#define CONFINED (RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS)

/* openat2(2), Linux 5.6. -ENOSYS, and from then on for R, when the kernel lacks it or a seccomp
 * filter refuses it (EPERM): the caller takes the walk. */
static int kernel_open(struct root *r, int dirfd, const char *rel, int flags, uint64_t resolve_flags)
{
        struct open_how how = { .flags = (uint64_t)(flags | O_CLOEXEC), .resolve = resolve_flags };

        if (r->no_openat2)
                return -ENOSYS;
        long fd = syscall(SYS_openat2, dirfd, rel, &how, sizeof(how));
        if (fd >= 0)
                return (int)fd;
        if (errno == ENOSYS || errno == EPERM) {
                r->no_openat2 = true;
                return -ENOSYS;
        }
        return -errno;
}

/*
 * PATH opened by the kernel, confined below the root, in one call. -ENOSYS when the walk must
 * do it: while journaling (the kernel does not tell which links it met), without openat2, and
 * for every failure but ENOENT and EXDEV, which the walk would meet at the same component: the
 * kernel orders its other checks differently (hop limits, path lengths, magic links), and the
 * walk's errors are the ones users and tests know.
 */
static int open_fast(struct root *r, const char *path, int flags)
{
        if (r->journaling || r->no_openat2 || path[0] != '/' || strlen(path) >= PATH_MAX)
                return -ENOSYS;
        const char *rel = path + strspn(path, "/");
        int fd = kernel_open(r, r->fd, *rel ? rel : ".", flags, CONFINED);
        if (fd >= 0 || fd == -ENOENT || fd == -EXDEV)
                return fd;
        return -ENOSYS;
}

static int open_resolved(struct root *r, const char *path, int flags, struct walk *w)
{
        w->len = 0;
        w->buf[0] = '\0';
        int fd = open_fast(r, path, flags | O_NOCTTY);
        if (fd != -ENOSYS)
                return fd;
        int k = resolve(r, path, true, w);
        if (k < 0)
                return k;
        fd = openat(r->fd, walk_rel(w), flags | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
        return fd < 0 ? -errno : fd;
}

/* SHORT_IS_END: a read shorter than asked ends the file, as it does for sysfs attributes (the
 * kernel hands one over in one read) and regular files; not for /proc, pipes or devices. */
static int read_fd_until(int fd, size_t max, bool short_is_end, char **ret, size_t *ret_len)
{
        size_t size = 0, cap = 0;
        _cleanup_free_ char *buf = NULL;

        for (;;) {
                if (size + 1 >= cap) {
                        size_t ncap = cap ? cap * 2 : 4096;
                        if (ncap > max + 2)
                                ncap = max + 2;
                        char *nb = realloc(buf, ncap);
                        if (!nb)
                                return -ENOMEM;
                        buf = nb;
                        cap = ncap;
                }
                size_t want = cap - size - 1;
                ssize_t n = read(fd, buf + size, want);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                if (n == 0)
                        break;
                size += (size_t)n;
                if (size > max)
                        return -EFBIG;
                if (short_is_end && (size_t)n < want)
                        break;
        }
        buf[size] = '\0';
        /* Reads start with a page and most attributes are a few bytes: the model keeps many. */
        char *fit = realloc(buf, size + 1);
        if (fit)
                buf = fit;
        *ret = TAKE_PTR(buf);
        if (ret_len)
                *ret_len = size;
        return 0;
}

static int read_fd_bounded(int fd, size_t max, char **ret, size_t *ret_len)
{
        return read_fd_until(fd, max, false, ret, ret_len);
}

int root_read_file(struct root *r, const char *path, size_t max, char **ret, size_t *ret_len)
{
        struct walk w;
        /* O_NONBLOCK: a FIFO in a tree would block open() until a writer comes. */
        _cleanup_close_ int fd = open_resolved(r, path, O_RDONLY | O_NONBLOCK, &w);
        if (fd < 0)
                return fd;
        int k = read_fd_bounded(fd, max, ret, ret_len);
        if (k < 0)
                return k;
        char shown[PATH_MAX + 1];
        snprintf(shown, sizeof(shown), "/%s", w.buf);
        journal_add(r, ROOT_OP_READ, shown, NULL, 0);
        return 0;
}

static int read_head_fd(int fd, size_t max, char **ret, size_t *ret_len)
{
        _cleanup_free_ char *buf = malloc(max + 1);
        size_t len = 0;
        if (!buf)
                return -ENOMEM;
        while (len < max) {
                ssize_t n = read(fd, buf + len, max - len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                if (n == 0)
                        break;
                len += (size_t)n;
        }
        buf[len] = '\0';
        *ret = TAKE_PTR(buf);
        *ret_len = len;
        return 0;
}

static void journal_head(struct root *r, const char *shown, size_t max)
{
        char head[32];
        snprintf(head, sizeof(head), "%zu", max);
        journal_add(r, ROOT_OP_READ, shown, head, 0);
}

int root_read_head(struct root *r, const char *path, size_t max, char **ret, size_t *ret_len)
{
        struct walk w;
        _cleanup_close_ int fd = open_resolved(r, path, O_RDONLY | O_NONBLOCK, &w);
        if (fd < 0)
                return fd;
        int k = read_head_fd(fd, max, ret, ret_len);
        if (k < 0)
                return k;
        char shown[PATH_MAX + 1];
        snprintf(shown, sizeof(shown), "/%s", w.buf);
        journal_head(r, shown, max);
        return 0;
}

static void strip_trailing_space(char *s, size_t n)
{
        while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == ' ' || s[n - 1] == '\t'))
                s[--n] = '\0';
}

/* An attribute is handed over in one read (see read_fd_until()). */
int root_read_attr(struct root *r, const char *path, char **ret)
{
        struct walk w;
        char *s;
        size_t n;
        _cleanup_close_ int fd = open_resolved(r, path, O_RDONLY | O_NONBLOCK, &w);
        if (fd < 0)
                return fd;
        int k = read_fd_until(fd, ROOT_ATTR_MAX, true, &s, &n);
        if (k < 0)
                return k;
        char shown[PATH_MAX + 1];
        snprintf(shown, sizeof(shown), "/%s", w.buf);
        journal_add(r, ROOT_OP_READ, shown, NULL, 0);
        strip_trailing_space(s, n);
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
        int k = resolve(r, path, false, &w);
        if (k < 0)
                return k;
        ssize_t n = readlinkat(r->fd, walk_rel(&w), target, sizeof(target) - 1);
        if (n < 0)
                return -errno;
        target[n] = '\0';
        char shown[PATH_MAX + 1];
        snprintf(shown, sizeof(shown), "/%s", w.buf);
        journal_add(r, ROOT_OP_LINK, shown, target, 0);
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
static size_t path_depth(const char *path)
{
        size_t depth = 0;
        for (const char *p = path; *p; p++)
                depth += *p == '/' && p[1] && p[1] != '/';
        return depth;
}

/* The last component of TARGET, a link's target, read in the directory DEPTH components below the root. */
static int link_basename(char *target, size_t depth, char **ret)
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
        return link_basename(target, depth, ret);
}

/* The kernel's record, which getdents64(2) fills (no libc wrapper in musl). */
struct dirent64_rec {
        uint64_t d_ino;
        int64_t d_off;
        unsigned short d_reclen;
        unsigned char d_type;
        char d_name[];
};

/* Every name in the directory FD but "." and "..", unsorted. getdents64(2) directly: one call
 * for a sysfs device directory, and none of fdopendir()'s checks. */
static int read_names(int fd, char ***v, size_t *n)
{
        union {
                char bytes[32768];
                struct dirent64_rec align;
        } buf;

        for (;;) {
                long got = syscall(SYS_getdents64, fd, buf.bytes, sizeof(buf.bytes));
                if (got < 0 && errno == EINTR)
                        continue;
                if (got < 0)
                        return -errno;
                if (got == 0)
                        return 0;
                for (long off = 0; off < got;) {
                        const struct dirent64_rec *de = (const struct dirent64_rec *)(buf.bytes + off);
                        off += de->d_reclen;
                        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                                continue;
                        int k = strv_push(v, n, de->d_name);
                        if (k < 0)
                                return k;
                }
        }
}

static int cmp_str(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

int root_list(struct root *r, const char *path, char ***ret, size_t *ret_n)
{
        struct walk w;
        _cleanup_close_ int fd = open_resolved(r, path, O_RDONLY | O_DIRECTORY, &w);
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
        char shown[PATH_MAX + 1];
        snprintf(shown, sizeof(shown), "/%s", w.buf);
        journal_add(r, ROOT_OP_LIST, shown, NULL, 0);
        *ret = TAKE_PTR(v);
        if (ret_n)
                *ret_n = n;
        return 0;
}

int root_stat(struct root *r, const char *path, struct stat *ret)
{
        struct walk w;
        int fd = open_fast(r, path, O_PATH);
        if (fd >= 0) {
                int e = fstat(fd, ret) < 0 ? -errno : 0;
                close(fd);
                return e;
        }
        if (fd != -ENOSYS)
                return fd;
        int k = resolve(r, path, true, &w);
        if (k < 0)
                return k;
        if (fstatat(r->fd, walk_rel(&w), ret, AT_SYMLINK_NOFOLLOW) < 0)
                return -errno;
        char shown[PATH_MAX + 1];
        snprintf(shown, sizeof(shown), "/%s", w.buf);
        journal_add(r, ROOT_OP_STAT, shown, S_ISDIR(ret->st_mode) ? "d" : "f", 0);
        return 0;
}

int root_lstat(struct root *r, const char *path, struct stat *ret)
{
        struct walk w;
        int k = resolve(r, path, false, &w);
        if (k < 0)
                return k;
        if (fstatat(r->fd, walk_rel(&w), ret, AT_SYMLINK_NOFOLLOW) < 0)
                return -errno;
        return 0;
}

bool root_exists(struct root *r, const char *path)
{
        struct stat st;
        return root_stat(r, path, &st) >= 0;
}

struct root_dir {
        struct root *root;
        int fd;     /* O_PATH: any file type, so that a device "directory" that is not one fails per entry, as before */
        char *path; /* canonical, absolute */
};

static int dir_new(struct root *r, int fd, const char *path, struct root_dir **ret)
{
        struct root_dir *d = calloc(1, sizeof(*d));
        char *p = strdup(path);
        if (!d || !p) {
                free(d);
                free(p);
                close(fd);
                return -ENOMEM;
        }
        *d = (struct root_dir){ .root = r, .fd = fd, .path = p };
        *ret = d;
        return 0;
}

struct root_dir *root_dir_close(struct root_dir *d)
{
        if (!d)
                return NULL;
        close(d->fd);
        free(d->path);
        free(d);
        return NULL;
}

const char *root_dir_path(const struct root_dir *d)
{
        return d->path;
}

static const char *rel_of(const char *abs)
{
        abs += strspn(abs, "/");
        return *abs ? abs : ".";
}

/* PATH without "." or ".." components or repeated slashes, into BUF; -EINVAL when it has any
 * of those, or is not absolute. */
static int plain_path(const char *path, char *buf, size_t size)
{
        size_t len = 0;

        if (path[0] != '/')
                return -EINVAL;
        for (const char *p = path; *p;) {
                p += strspn(p, "/");
                size_t n = strcspn(p, "/");
                if (n == 0)
                        break;
                if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
                        return -EINVAL;
                if (len + 1 + n + 1 > size)
                        return -ENAMETOOLONG;
                buf[len++] = '/';
                memmove(buf + len, p, n); /* BUF may be PATH */
                len += n;
                p += n;
        }
        if (len == 0)
                buf[len++] = '/';
        buf[len] = '\0';
        return 0;
}

/* The canonical path of PATH and an O_PATH descriptor of it, by the walk. */
static int dir_walk(struct root *r, const char *path, int *ret_fd, char **ret_path)
{
        struct walk w;
        int k = resolve(r, path, true, &w);
        if (k < 0)
                return k;
        int fd = openat(r->fd, walk_rel(&w), O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        k = walk_to_abs(&w, ret_path);
        if (k < 0) {
                close(fd);
                return k;
        }
        *ret_fd = fd;
        return 0;
}

/* CANON, absolute and plain, opened by the kernel only if none of its components is a link:
 * then it is canonical as written. -ENOSYS when the walk must decide. */
static int open_canonical(struct root *r, const char *canon)
{
        if (r->journaling || r->no_openat2)
                return -ENOSYS;
        int fd = kernel_open(r, r->fd, rel_of(canon), O_PATH, RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS);
        return fd >= 0 ? fd : -ENOSYS;
}

int root_dir_open(struct root *r, const char *path, struct root_dir **ret)
{
        char canon[PATH_MAX];
        _cleanup_free_ char *walked = NULL;
        int fd;

        if (plain_path(path, canon, sizeof(canon)) == 0 && (fd = open_canonical(r, canon)) >= 0)
                return dir_new(r, fd, canon, ret);
        int k = dir_walk(r, path, &fd, &walked);
        if (k < 0)
                return k;
        return dir_new(r, fd, walked, ret);
}

static bool one_component(const char *name)
{
        return *name && !strchr(name, '/') && strcmp(name, ".") != 0 && strcmp(name, "..") != 0;
}

/* D's path joined with NAME, as the root_*() functions take it. */
static int dir_join(const struct root_dir *d, const char *name, char *buf, size_t size)
{
        int n = snprintf(buf, size, "%s/%s", strcmp(d->path, "/") ? d->path : "", name);
        return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/* BASE (canonical) joined with TARGET, a link in BASE, as the walk would join them when no
 * component after TARGET's leading ".." is a link: -EINVAL when TARGET is absolute, climbs
 * above the root, or has "." or ".." further on (the walk decides those). */
static int lexical_join(const char *base, const char *target, char *buf, size_t size)
{
        char tmp[PATH_MAX];
        size_t len;
        const char *p = target;

        if (target[0] == '/' || strlen(base) >= sizeof(tmp))
                return -EINVAL;
        strcpy(tmp, strcmp(base, "/") ? base : "");
        len = strlen(tmp);
        for (;;) {
                p += strspn(p, "/");
                if (!(p[0] == '.' && p[1] == '.' && (p[2] == '/' || p[2] == '\0')))
                        break;
                char *slash = memrchr(tmp, '/', len);
                if (!slash)
                        return -EINVAL;
                len = (size_t)(slash - tmp);
                tmp[len] = '\0';
                p += 2;
        }
        int n = snprintf(buf, size, "%s/%s", tmp, p);
        if (n < 0 || (size_t)n >= size)
                return -EINVAL;
        return plain_path(buf, buf, size);
}

/*
 * D/NAME resolved: its canonical path into BUF and an O_PATH descriptor. The fast way: NAME is
 * not a link (one openat), or a link whose joined target has no link in it (openat2 with
 * RESOLVE_NO_SYMLINKS proves that). -ENOSYS when the walk must decide.
 */
static int dir_resolve_fast(struct root_dir *d, const char *name, char *buf, size_t size, int *ret_fd)
{
        struct root *r = d->root;
        char target[PATH_MAX];
        int fd;

        if (r->journaling || r->no_openat2 || !one_component(name))
                return -ENOSYS;
        ssize_t n = readlinkat(d->fd, name, target, sizeof(target) - 1);
        if (n < 0 && errno == EINVAL) {
                if (dir_join(d, name, buf, size) < 0)
                        return -ENOSYS;
                fd = openat(d->fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        } else if (n < 0) {
                /* D is canonical: the walk would meet the same error at NAME. */
                return errno == ENOENT ? -ENOENT : -ENOSYS;
        } else {
                target[n] = '\0';
                if (lexical_join(d->path, target, buf, size) < 0)
                        return -ENOSYS;
                fd = open_canonical(r, buf);
        }
        if (fd < 0)
                return -ENOSYS;
        *ret_fd = fd;
        return 0;
}

int root_dir_open_at(struct root_dir *parent, const char *name, struct root_dir **ret)
{
        char buf[PATH_MAX];
        _cleanup_free_ char *walked = NULL;
        int fd;
        int k = dir_resolve_fast(parent, name, buf, sizeof(buf), &fd);

        if (k == 0)
                return dir_new(parent->root, fd, buf, ret);
        if (k != -ENOSYS)
                return k;
        k = dir_join(parent, name, buf, sizeof(buf));
        if (k < 0)
                return k;
        k = dir_walk(parent->root, buf, &fd, &walked);
        if (k < 0)
                return k;
        return dir_new(parent->root, fd, walked, ret);
}

int root_dir_resolve(struct root_dir *d, const char *name, char **ret)
{
        char buf[PATH_MAX];
        int fd;
        int k = dir_resolve_fast(d, name, buf, sizeof(buf), &fd);

        if (k == 0) {
                close(fd);
                char *s = strdup(buf);
                if (!s)
                        return -ENOMEM;
                *ret = s;
                return 0;
        }
        if (k != -ENOSYS)
                return k;
        k = dir_join(d, name, buf, sizeof(buf));
        if (k < 0)
                return k;
        return root_resolve(d->root, buf, ret);
}

/* D/NAME opened without following NAME: -ELOOP when it is a link, which the caller then
 * resolves from the root (root_*() on the joined path). */
static int dir_open_entry(struct root_dir *d, const char *name, int flags)
{
        int fd = openat(d->fd, name, flags | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
        return fd < 0 ? -errno : fd;
}

/*
 * Open the attribute NAME below D for reading, and join its path into PATH (for the journal).
 * *RET_FD is -1 when the lookup must go through the root instead: NAME has several components,
 * or is a link (which the root resolves and confines).
 */
static int dir_open_attr(struct root_dir *d, const char *name, char *path, size_t size, int *ret_fd)
{
        int fd, k = dir_join(d, name, path, size);

        if (k < 0)
                return k;
        fd = one_component(name) ? dir_open_entry(d, name, O_RDONLY | O_NONBLOCK) : -ELOOP;
        if (fd < 0 && fd != -ELOOP)
                return fd;
        *ret_fd = fd < 0 ? -1 : fd;
        return 0;
}

int root_dir_read_file(struct root_dir *d, const char *name, size_t max, char **ret, size_t *ret_len)
{
        char path[PATH_MAX];
        int raw, k = dir_open_attr(d, name, path, sizeof(path), &raw);
        if (k < 0)
                return k;
        if (raw < 0)
                return root_read_file(d->root, path, max, ret, ret_len);
        _cleanup_close_ int fd = raw;
        /* Attributes: the first short read is the end (only a pipe with a live writer, which no
         * sysfs has, would tell otherwise). One read() per attribute instead of two. */
        k = read_fd_until(fd, max, true, ret, ret_len);
        if (k < 0)
                return k;
        journal_add(d->root, ROOT_OP_READ, path, NULL, 0);
        return 0;
}

int root_dir_read_head(struct root_dir *d, const char *name, size_t max, char **ret, size_t *ret_len)
{
        char path[PATH_MAX];
        int raw, k = dir_open_attr(d, name, path, sizeof(path), &raw);
        if (k < 0)
                return k;
        if (raw < 0)
                return root_read_head(d->root, path, max, ret, ret_len);
        _cleanup_close_ int fd = raw;
        k = read_head_fd(fd, max, ret, ret_len);
        if (k < 0)
                return k;
        journal_head(d->root, path, max);
        return 0;
}

int root_dir_read_attr(struct root_dir *d, const char *name, char **ret)
{
        char *s;
        size_t n;
        int k = root_dir_read_file(d, name, ROOT_ATTR_MAX, &s, &n);
        if (k < 0)
                return k;
        strip_trailing_space(s, n);
        *ret = s;
        return 0;
}

int root_dir_read_link(struct root_dir *d, const char *name, char **ret)
{
        char path[PATH_MAX], target[PATH_MAX];
        int k = dir_join(d, name, path, sizeof(path));
        if (k < 0)
                return k;
        if (!one_component(name))
                return root_read_link(d->root, path, ret);
        ssize_t n = readlinkat(d->fd, name, target, sizeof(target) - 1);
        if (n < 0)
                return -errno;
        target[n] = '\0';
        journal_add(d->root, ROOT_OP_LINK, path, target, 0);
        char *s = strdup(target);
        if (!s)
                return -ENOMEM;
        *ret = s;
        return 0;
}

int root_dir_link_name(struct root_dir *d, const char *name, char **ret)
{
        _cleanup_free_ char *target = NULL;
        char path[PATH_MAX];
        int k = dir_join(d, name, path, sizeof(path));
        if (k < 0)
                return k;
        if (!one_component(name))
                return root_link_name(d->root, path, ret);
        k = root_dir_read_link(d, name, &target);
        if (k < 0)
                return k;
        return link_basename(target, path_depth(d->path), ret);
}

static const struct stat *stated_find(const struct root *r, const char *path)
{
        for (size_t i = 0; i < ARRAY_SIZE(r->stated); i++)
                if (r->stated[i].path && strcmp(r->stated[i].path, path) == 0)
                        return &r->stated[i].st;
        return NULL;
}

/* Best effort, like the journal. */
static void stated_add(struct root *r, const char *path, const struct stat *st)
{
        size_t slot = r->stated_next++ % ARRAY_SIZE(r->stated);
        free(r->stated[slot].path);
        r->stated[slot].path = strdup(path);
        r->stated[slot].st = *st;
}

/*
 * A link's target, joined to D's canonical path, stats as the link does when its rest is plain
 * (lexical_join()); many devices' driver links name one directory, which is then resolved once
 * until the next write. Not while journaling: --capture records each resolution.
 */
int root_dir_stat(struct root_dir *d, const char *name, struct stat *ret)
{
        struct root *r = d->root;
        char path[PATH_MAX], target[PATH_MAX], joined[PATH_MAX];
        int k = dir_join(d, name, path, sizeof(path));
        if (k < 0)
                return k;
        if (r->journaling || r->no_openat2 || !one_component(name))
                return root_stat(r, path, ret);
        ssize_t n = readlinkat(d->fd, name, target, sizeof(target) - 1);
        if (n < 0)
                return root_stat(r, path, ret);
        target[n] = '\0';
        if (lexical_join(d->path, target, joined, sizeof(joined)) < 0)
                return root_stat(r, path, ret);
        const struct stat *seen = stated_find(r, joined);
        if (seen) {
                *ret = *seen;
                return 0;
        }
        k = root_stat(r, joined, ret);
        if (k == 0)
                stated_add(r, joined, ret);
        return k;
}

int root_dir_lstat(struct root_dir *d, const char *name, struct stat *ret)
{
        char path[PATH_MAX];
        int k = dir_join(d, name, path, sizeof(path));
        if (k < 0)
                return k;
        if (!one_component(name))
                return root_lstat(d->root, path, ret);
        if (fstatat(d->fd, name, ret, AT_SYMLINK_NOFOLLOW) < 0)
                return -errno;
        return 0;
}

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
        forget_dirs(r);
        if (!r->hook)
                return 0;
        return r->hook(r->hook_data, path, value);
}

static int write_open(struct root *r, const char *path, int extra)
{
        struct walk w;
        /* O_NONBLOCK: a FIFO without a reader fails (ENXIO) instead of blocking for ever;
         * sysfs and /dev/kmsg ignore it. */
        return open_resolved(r, path, O_WRONLY | O_NONBLOCK | extra, &w);
}

int root_write(struct root *r, const char *path, const char *value)
{
        int k = write_hooked(r, path, value);
        if (k == 0) {
                /* O_TRUNC: a regular file in a tree then holds what sysfs would show. */
                _cleanup_close_ int fd = write_open(r, path, O_TRUNC);
                k = fd < 0 ? fd : write_all_once(fd, value);
        }
        k = k > 0 ? 0 : k;
        journal_add(r, ROOT_OP_WRITE, path, value, k);
        return k;
}

int root_append(struct root *r, const char *path, const char *value)
{
        int k = write_hooked(r, path, value);
        if (k == 0) {
                _cleanup_close_ int fd = write_open(r, path, O_APPEND);
                k = fd < 0 ? fd : write_all_once(fd, value);
        }
        k = k > 0 ? 0 : k;
        journal_add(r, ROOT_OP_WRITE, path, value, k);
        return k;
}

static long ms_since(const struct timespec *t0)
{
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

/* Wait for PID at most TIMEOUT_MS; then the write's result (0 or -errno) is read from FD. */
static int wait_child(pid_t pid, int fd, unsigned timeout_ms)
{
        struct timespec t0;
        int status, result;

        clock_gettime(CLOCK_MONOTONIC, &t0);
        for (;;) {
                pid_t p = waitpid(pid, &status, WNOHANG);
                if (p == pid)
                        break;
                if (p < 0 && errno != EINTR)
                        return -errno;
                if (ms_since(&t0) >= (long)timeout_ms) {
                        /* A write stuck in the kernel cannot be killed; leave it behind. */
                        kill(pid, SIGKILL);
                        return -ETIMEDOUT;
                }
                poll(NULL, 0, 2);
        }
        /* Not the exit status: valgrind or a sanitizer in the child can change that. */
        if (!WIFEXITED(status) || read(fd, &result, sizeof(result)) != (ssize_t)sizeof(result))
                return -EIO;
        return result;
}

static int write_journaled(struct root *r, const char *path, const char *value, int k)
{
        journal_add(r, ROOT_OP_WRITE, path, value, k);
        return k;
}

int root_write_deadline(struct root *r, const char *path, const char *value, unsigned timeout_ms)
{
        struct walk w;
        int pfd[2];
        int k = write_hooked(r, path, value);
        if (k == 0)
                k = resolve(r, path, true, &w);
        if (k != 0)
                return write_journaled(r, path, value, k > 0 ? 0 : k);
        if (pipe2(pfd, O_CLOEXEC) < 0)
                return write_journaled(r, path, value, -errno);
        /* Even open() can block (a FIFO in a fake tree), so the child does both. */
        pid_t pid = fork();
        if (pid < 0) {
                k = -errno;
                close(pfd[0]);
                close(pfd[1]);
                return write_journaled(r, path, value, k);
        }
        if (pid == 0) {
                int fd = openat(r->fd, walk_rel(&w), O_WRONLY | O_TRUNC | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
                k = fd < 0 ? -errno : write_all_once(fd, value);
                _exit(write(pfd[1], &k, sizeof(k)) == (ssize_t)sizeof(k) ? 0 : 1);
        }
        close(pfd[1]);
        k = wait_child(pid, pfd[0], timeout_ms);
        close(pfd[0]);
        return write_journaled(r, path, value, k);
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
                        int k = resolve(r, abs, true, &w);
                        if (k == -ENOENT) {
                                if (mkdirat(r->fd, walk_rel(&w), mode) < 0 && errno != EEXIST)
                                        return -errno;
                        } else if (k < 0)
                                return k;
                }
                if (c == '\0')
                        return 0;
                *p = c;
        }
}

int root_create_file(struct root *r, const char *path, const void *data, size_t len, mode_t mode)
{
        struct walk w;
        int k = resolve(r, path, false, &w);
        if (k < 0)
                return k;
        char tmp[PATH_MAX + 16];
        snprintf(tmp, sizeof(tmp), "%s.tmp%ld", w.buf, (long)getpid());
        _cleanup_close_ int fd = openat(r->fd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, mode);
        if (fd < 0)
                return -errno;
        const char *p = data;
        while (len > 0) {
                ssize_t n = write(fd, p, len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0) {
                        k = -errno;
                        unlinkat(r->fd, tmp, 0);
                        return k;
                }
                p += n;
                len -= (size_t)n;
        }
        if (renameat(r->fd, tmp, r->fd, w.buf) < 0) {
                k = -errno;
                unlinkat(r->fd, tmp, 0);
                return k;
        }
        return 0;
}

int root_symlink(struct root *r, const char *target, const char *path)
{
        struct walk w;
        int k = resolve(r, path, false, &w);
        if (k < 0)
                return k;
        if (symlinkat(target, r->fd, w.buf) < 0)
                return -errno;
        return 0;
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
        int k = read_fd_bounded(fd, max, ret, ret_len);
        if (k < 0)
                return k;
        if (ret_st)
                *ret_st = st;
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
