/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "root_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "array.h"
#include "macro.h"
#include "parse.h"
#include "strjoin.h"

/* The tests prove the fallback so. */
static bool walk_forced(void)
{
        return parse_switch(getenv("VFIO_PREP_NO_OPENAT2"));
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

void root_forget_dirs(struct root *r)
{
        for (size_t i = 0; i < r->known_cap; i++)
                free(r->known[i]);
        free(r->known);
        r->known = NULL;
        r->known_cap = r->n_known = 0;
        free(r->siblings_of);
        r->siblings_of = NULL;
        for (size_t i = 0; i < ARRAY_SIZE(r->stated); i++) {
                free(r->stated[i].path);
                r->stated[i].path = NULL;
        }
}

struct root *root_free(struct root *r)
{
        if (!r)
                return NULL;
        root_forget_dirs(r);
        root_journal_clear(r);
        free(r->spare_names);
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

/* What the walk W reached, journalled as "/REL": the name is made only while journaling, as
 * this follows every read. */
void root_journal_walked(struct root *r, enum root_op op, const struct walk *w, const char *value)
{
        char shown[PATH_MAX + 1];

        if (!r->journaling || str_join(shown, sizeof(shown), "/", w->buf, NULL) < 0)
                return;
        root_journal_add(r, op, shown, value, 0);
}

/* Journaling is best effort: a failed allocation loses an entry, never the operation. */
void root_journal_add(struct root *r, enum root_op op, const char *path, const char *value, int result)
{
        if (!r->journaling)
                return;
        if (array_grow(&r->journal, r->n_journal) < 0)
                return;
        r->journal[r->n_journal] = (struct root_journal_entry){
                .op = op,
                .path = strdup(path),
                .value = value ? strdup(value) : NULL,
                .result = result,
        };
        r->n_journal++;
}

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

const char *root_walk_rel(const struct walk *w)
{
        return w->len ? w->buf : ".";
}

/* Prepend TARGET to the unresolved REST, in place in PENDING. */
static int pending_splice(char *pending, size_t size, const char *target, const char *rest)
{
        char tmp[PATH_MAX];
        int n = str_join(tmp, sizeof(tmp), target, "/", rest, NULL);

        if (n < 0 || (size_t)n >= size)
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
        if (r->journaling) {
                char shown[PATH_MAX + 1];
                if (str_join(shown, sizeof(shown), "/", rel, NULL) >= 0)
                        root_journal_add(r, ROOT_OP_LINK, shown, target, 0);
        }
        if (target[0] == '/')
                return -EXDEV;
        /* The link's own component was pushed by the caller; resolve from its directory. */
        walk_pop(w);
        return pending_splice(pending, size, target, rest);
}

/* The slot of W in the set: where it is, or the free slot where it would go. */
static size_t known_slot(const struct root *r, const struct walk *w)
{
        size_t i = root_path_hash(w->buf, w->len) & (r->known_cap - 1);

        while (r->known[i] && (strncmp(r->known[i], w->buf, w->len) != 0 || r->known[i][w->len] != '\0'))
                i = (i + 1) & (r->known_cap - 1);
        return i;
}

/*
 * Whether W and every component above it were seen to be directories by an earlier resolution.
 * Without this, every lookup stats each of its components, and each stat walks from the root
 * again: the cost grows with the square of the depth, and sysfs device paths are deep. Every
 * directory the walk proves is kept (each one's parents were proven before it), so that the
 * bridge above a hundred devices is stated once, not once more for each of its children.
 */
static bool known_dir(const struct root *r, const struct walk *w)
{
        return r->known_cap && r->known[known_slot(r, w)];
}

/* Twice as many slots, the paths moved over; false when that cannot be allocated. */
static bool known_grow(struct root *r)
{
        size_t cap = r->known_cap ? r->known_cap * 2 : 64;
        char **old = r->known, **slots = calloc(cap, sizeof(*slots));
        size_t old_cap = r->known_cap;

        if (!slots)
                return false;
        r->known = slots;
        r->known_cap = cap;
        for (size_t i = 0; i < old_cap; i++) {
                if (!old[i])
                        continue;
                struct walk w = { .len = strlen(old[i]) };
                memcpy(w.buf, old[i], w.len + 1);
                r->known[known_slot(r, &w)] = old[i];
        }
        free(old);
        return true;
}

/* W is a directory and so is every component above it: remember it. Best effort, like the
 * journal: what cannot be remembered is stated again. */
static void remember_dir(struct root *r, const struct walk *w)
{
        if ((r->n_known + 1) * 2 > r->known_cap && !known_grow(r))
                return;
        size_t slot = known_slot(r, w);
        if (r->known[slot])
                return;
        r->known[slot] = strdup(w->buf);
        if (r->known[slot])
                r->n_known++;
}

/* W from its first LEN0 bytes on was proven directories at once: remember each of them, as
 * the walk would have, parents first. */
static void remember_run(struct root *r, struct walk *w, size_t len0)
{
        size_t len = w->len;

        for (size_t i = len0 + 1; i < len; i++)
                if (w->buf[i] == '/') {
                        w->buf[i] = '\0';
                        w->len = i;
                        remember_dir(r, w);
                        w->buf[i] = '/';
                }
        w->len = len;
        remember_dir(r, w);
}

/* Fewer directories than this the walk does not know are cheaper stated one by one than
 * proven at once (openat2(2) and close(2), or one wasted call when one is missing). */
#define PLAIN_RUN_MIN 4

/*
 * The components from P up to the path's last one, when at least PLAIN_RUN_MIN of them are
 * directories the walk does not know: one openat2(2) with RESOLVE_NO_SYMLINKS and O_DIRECTORY
 * proves them all directories and none a link, which is what stating each one would find (a
 * device's path below /sys/devices is five to ten of them). They are pushed onto W and
 * remembered, and the position after them is returned. NULL when not taken (no openat2, while
 * journaling, too few, on any failure; *RET_TRIED says whether the kernel was asked): the walk
 * then goes one by one, and its results and errors stay its own.
 */
static char *skip_plain_run(struct root *r, struct walk *w, char *p, bool *ret_tried)
{
        size_t len0 = w->len, unknown = 0;
        char *q = p, *stop = NULL;

        if (r->journaling || r->no_openat2)
                return NULL;
        for (;;) {
                q += strspn(q, "/");
                char *end = strchrnul(q, '/');
                size_t n = (size_t)(end - q);
                if (*end == '\0' || end[strspn(end, "/")] == '\0')
                        break;
                if ((n == 1 && q[0] == '.') || (n == 2 && q[0] == '.' && q[1] == '.') || walk_push(w, q, n) < 0)
                        break;
                unknown += !known_dir(r, w);
                q = stop = end;
        }
        if (unknown >= PLAIN_RUN_MIN) {
                int fd =
                        root_kernel_open(r, r->fd, w->buf, O_PATH | O_DIRECTORY, RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS);
                if (fd >= 0) {
                        close(fd);
                        remember_run(r, w, len0);
                        return stop;
                }
        }
        w->len = len0;
        w->buf[len0] = '\0';
        return NULL;
}

/* Below how many stated directories of one parent the walk lists the parent instead. */
#define SIBLINGS_LISTED 3

/* The directories listed in the open directory FD, whose path is W: all known. False when none
 * could be learnt (a listing that fails, or a file system that gives no d_type). */
static bool learn_listed_dirs(struct root *r, int fd, struct walk *w)
{
        _cleanup_free_ char *names = NULL;
        size_t cap = 0, len = 0, base = w->len;
        bool learnt = false;

        /* One call: a directory left out is stated as before. */
        if (root_read_dirents_head(fd, &names, &cap, &len) < 0)
                return false;
        /* Each entry is its d_type byte, then its name (root_read_dirents()). */
        for (size_t off = 0; off < len; off += strlen(names + off + 1) + 2) {
                if ((unsigned char)names[off] != DT_DIR)
                        continue;
                const char *name = names + off + 1;
                if (walk_push(w, name, strlen(name)) == 0) {
                        remember_dir(r, w);
                        learnt = true;
                }
                w->len = base;
                w->buf[base] = '\0';
        }
        return learnt;
}

/*
 * W is about to be stated, its parent known. Where a parent holds many directories (the root bus
 * and its hundreds of ports, a PF and its VFs), one listing of it tells which of its entries are
 * directories, as the stat of each would: from the SIBLINGS_LISTED-th stat below one parent, the
 * parent is listed once and its directories remembered. True when that listing was made now.
 */
static bool learn_siblings(struct root *r, const struct walk *w)
{
        struct walk parent = { .len = 0 };
        const char *slash = memrchr(w->buf, '/', w->len);

        if (r->journaling || !slash)
                return false;
        parent.len = (size_t)(slash - w->buf);
        memcpy(parent.buf, w->buf, parent.len);
        parent.buf[parent.len] = '\0';
        if (r->siblings_of && strcmp(r->siblings_of, parent.buf) == 0) {
                if (++r->siblings_stated != SIBLINGS_LISTED)
                        return false;
        } else {
                free(r->siblings_of);
                r->siblings_of = strdup(parent.buf);
                r->siblings_stated = 1;
                return false;
        }
        _cleanup_close_ int fd = openat(r->fd, parent.buf, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        return fd >= 0 && learn_listed_dirs(r, fd, &parent);
}

/* The walk; LAST, when given, gets the last component's lstat() when the walk made one (*HAVE_LAST). */
static int walk(struct root *r, const char *path, bool follow_last, struct walk *w, struct stat *ret_last,
                bool *have_last)
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
        bool tried = false; /* skip_plain_run() asked the kernel about this pending path */
        for (;;) {
                while (*p == '/')
                        p++;
                if (!*p)
                        return 0;
                if (!tried) {
                        char *after = skip_plain_run(r, w, p, &tried);
                        if (after) {
                                p = after;
                                continue;
                        }
                }
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
                if (known_dir(r, w) || (learn_siblings(r, w) && known_dir(r, w))) {
                        p = end;
                        continue;
                }

                struct stat st;
                if (fstatat(r->fd, w->buf, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        return -errno;
                if (S_ISLNK(st.st_mode)) {
                        char rest[PATH_MAX];
                        char rel[PATH_MAX];
                        /* Both fit: END is within PENDING, and the walk within its buffer. */
                        (void)str_join(rest, sizeof(rest), end, NULL);
                        (void)str_join(rel, sizeof(rel), w->buf, NULL);
                        k = follow_link(r, w, rel, pending, sizeof(pending), rest, &hops);
                        if (k < 0)
                                return k;
                        p = pending;
                        tried = false;
                        continue;
                }
                if (!last && !S_ISDIR(st.st_mode))
                        return -ENOTDIR;
                if (S_ISDIR(st.st_mode))
                        remember_dir(r, w);
                if (last && have_last) {
                        *have_last = true;
                        *ret_last = st;
                }
                p = end;
        }
}

int root_walk(struct root *r, const char *path, bool follow_last, struct walk *w)
{
        return walk(r, path, follow_last, w, NULL, NULL);
}

int root_walk_stat(struct root *r, const char *path, struct walk *w, struct stat *ret)
{
        bool have = false;
        int k = walk(r, path, true, w, ret, &have);

        if (k < 0 || have)
                return k;
        return fstatat(r->fd, root_walk_rel(w), ret, AT_SYMLINK_NOFOLLOW) < 0 ? -errno : 0;
}

bool root_parent_known(const struct root *r, const char *path)
{
        struct walk w;
        const char *slash = strrchr(path, '/');

        /* Plain paths only: "." and ".." would make the lexical parent another directory. */
        if (path[0] != '/' || !slash || slash == path || strstr(path, "//") || strstr(path, "/./") ||
            strstr(path, "/../") || (size_t)(slash - path) >= sizeof(w.buf))
                return false;
        w.len = (size_t)(slash - path - 1);
        memcpy(w.buf, path + 1, w.len);
        w.buf[w.len] = '\0';
        return known_dir(r, &w);
}

int root_walk_abs(const struct walk *w, char **ret)
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
        int k = root_walk(r, path, true, &w);
        if (k < 0)
                return k;
        return root_walk_abs(&w, ret);
}

int root_resolve_parent(struct root *r, const char *path, char **ret)
{
        struct walk w;
        int k = root_walk(r, path, false, &w);
        if (k < 0)
                return k;
        return root_walk_abs(&w, ret);
}

/* openat2(2), Linux 5.6. -ENOSYS, and from then on for R, when the kernel lacks it or a seccomp
 * filter refuses it (EPERM): the caller takes the walk. */
int root_kernel_open(struct root *r, int dirfd, const char *rel, int flags, uint64_t resolve_flags)
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
int root_open_fast(struct root *r, const char *path, int flags)
{
        if (r->journaling || r->no_openat2 || path[0] != '/' || strlen(path) >= PATH_MAX)
                return -ENOSYS;
        const char *rel = path + strspn(path, "/");
        int fd = root_kernel_open(r, r->fd, *rel ? rel : ".", flags, CONFINED);
        if (fd >= 0 || fd == -ENOENT || fd == -EXDEV)
                return fd;
        return -ENOSYS;
}

int root_open_resolved(struct root *r, const char *path, int flags, struct walk *w)
{
        w->len = 0;
        w->buf[0] = '\0';
        int fd = root_open_fast(r, path, flags | O_NOCTTY);
        if (fd != -ENOSYS)
                return fd;
        /* The walk without a stat of the last component: opened with O_NOFOLLOW, it is no link
         * when the open succeeds or fails for another reason (ELOOP says it is one; ENOTDIR may,
         * with O_DIRECTORY). Not for O_PATH, which opens a link itself, nor while journaling,
         * where the second walk would journal the links above it again. */
        if (!(flags & O_PATH) && !r->journaling) {
                int k = root_walk(r, path, false, w);
                if (k < 0)
                        return k;
                fd = openat(r->fd, root_walk_rel(w), flags | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
                if (fd >= 0 || (errno != ELOOP && errno != ENOTDIR))
                        return fd < 0 ? -errno : fd;
        }
        int k = root_walk(r, path, true, w);
        if (k < 0)
                return k;
        fd = openat(r->fd, root_walk_rel(w), flags | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
        return fd < 0 ? -errno : fd;
}
