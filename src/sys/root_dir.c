/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "root_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "macro.h"
#include "strjoin.h"

struct root_dir {
        struct root *root;
        /* A directory opened for reading, so that it can be listed (root_dir_list()); else O_PATH,
         * any file type, so that a device "directory" that is not one fails per entry, as before.
         * -1 while D is not open (root_dir_open_at_head()): its path, proven to hold no link, is
         * then joined to each name and looked up from the root's descriptor (dir_at()). */
        int fd;
        bool listable;
        char *path; /* canonical, absolute */
        /* Its entries, NUL-separated, once root_dir_list() has read them; NULL before. */
        char *names;
        size_t names_len, names_cap;
        /* A long listing's hash table (root_names_index()), so that a name is found without a
         * pass over all of them: a group's type below 2000 groups. */
        uint32_t *slots;
        size_t n_slots;
        /* The last link read in it (root_dir_read_link()), so that root_dir_stat() of the same
         * name does not read it again: a device's driver link is read, then checked. */
        char *link_name;
        char *link_target;
};

/* FD as a struct root_dir; FD is closed on failure. LISTABLE: FD was opened for reading. */
static int dir_new(struct root *r, int fd, bool listable, const char *path, struct root_dir **ret)
{
        struct root_dir *d = calloc(1, sizeof(*d));
        char *p = strdup(path);
        if (!d || !p) {
                free(d);
                free(p);
                if (fd >= 0)
                        close(fd);
                return -ENOMEM;
        }
        *d = (struct root_dir){ .root = r, .fd = fd, .listable = listable, .path = p };
        *ret = d;
        return 0;
}

struct root_dir *root_dir_close(struct root_dir *d)
{
        if (!d)
                return NULL;
        if (d->fd >= 0)
                close(d->fd);
        free(d->path);
        free(d->link_name);
        free(d->link_target);
        free(d->slots);
        if (d->names && !d->root->spare_names) {
                d->root->spare_names = d->names;
                d->root->spare_cap = d->names_cap;
        } else
                free(d->names);
        free(d);
        return NULL;
}

const char *root_dir_path(const struct root_dir *d)
{
        return d->path;
}

/* REL below DIRFD (not following a last link), opened for reading when it is a directory
 * (root_dir_list() can then list it without another open), else O_PATH as before: *LISTABLE
 * says which. */
static int open_dir_fd(int dirfd, const char *rel, bool *listable)
{
        int fd;

        if (listable) {
                fd = openat(dirfd, rel, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                *listable = fd >= 0;
                if (fd >= 0 || errno == ENOENT)
                        return fd >= 0 ? fd : -ENOENT;
        }
        fd = openat(dirfd, rel, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        return fd < 0 ? -errno : fd;
}

/* The canonical path of PATH and a descriptor of it (open_dir_fd()), by the walk. */
static int dir_walk(struct root *r, const char *path, int *ret_fd, bool *ret_listable, char **ret_path)
{
        struct walk w;
        int k = root_walk(r, path, true, &w);
        if (k < 0)
                return k;
        int fd = open_dir_fd(r->fd, root_walk_rel(&w), ret_listable);
        if (fd < 0)
                return fd;
        k = root_walk_abs(&w, ret_path);
        if (k < 0) {
                close(fd);
                return k;
        }
        *ret_fd = fd;
        return 0;
}

/* CANON, absolute and plain, opened by the kernel only if none of its components is a link:
 * then it is canonical as written. With LISTABLE, opened for reading when it is a directory,
 * as open_dir_fd(); else O_PATH. -ENOSYS when the walk must decide. */
static int open_canonical(struct root *r, const char *canon, bool *listable)
{
        const uint64_t how = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS;
        int fd = -EINVAL;

        if (r->journaling || r->no_openat2)
                return -ENOSYS;
        if (listable) {
                fd = root_kernel_open(r, r->fd, root_rel_of(canon), O_RDONLY | O_DIRECTORY, how);
                *listable = fd >= 0;
        }
        if (fd < 0 && fd != -ENOSYS && fd != -ENOENT && fd != -ELOOP)
                fd = root_kernel_open(r, r->fd, root_rel_of(canon), O_PATH, how);
        return fd >= 0 ? fd : -ENOSYS;
}

int root_dir_open(struct root *r, const char *path, struct root_dir **ret)
{
        char canon[PATH_MAX];
        _cleanup_free_ char *walked = NULL;
        bool listable;
        int fd;

        if (root_plain_path(path, canon, sizeof(canon)) == 0 && (fd = open_canonical(r, canon, &listable)) >= 0)
                return dir_new(r, fd, listable, canon, ret);
        int k = dir_walk(r, path, &fd, &listable, &walked);
        if (k < 0)
                return k;
        return dir_new(r, fd, listable, walked, ret);
}

int root_dir_list(struct root_dir *d)
{
        struct root *r = d->root;
        char *names = r->spare_names;
        size_t cap = r->spare_cap, len = 0;

        if (d->fd < 0) {
                /* Not open yet, its path proven plain: a directory opened below the root as is. */
                int fd = openat(r->fd, root_rel_of(d->path), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (fd < 0)
                        return -errno;
                d->fd = fd;
                d->listable = true;
        }
        if (d->names || !d->listable || r->journaling)
                return 0;
        r->spare_names = NULL;
        int k = root_read_dirents(d->fd, &names, &cap, &len);
        if (k < 0) {
                free(names);
                return k;
        }
        d->names = names;
        d->names_cap = cap;
        d->names_len = len;
        /* Best effort: without memory for the table, names are still found, one pass each. */
        (void)root_names_index(names, len, &d->slots, &d->n_slots);
        return 0;
}

/* The type D's listing gives the entry NAME, N bytes: DT_DIR, DT_LNK..., DT_UNKNOWN where the
 * file system does not say; -ENOENT when D was listed without it, -ENODATA when not listed. */
static int listed_type(const struct root_dir *d, const char *name, size_t n)
{
        if (!d->names)
                return -ENODATA;
        return root_names_type(d->names, d->names_len, d->slots, d->n_slots, name, n);
}

/* NAME, one component, is known not to be in D: it was listed, and NAME is not among its
 * entries. Then a lookup fails with -ENOENT, as the kernel would answer it. */
static bool known_absent(const struct root_dir *d, const char *name)
{
        return listed_type(d, name, strlen(name)) == -ENOENT;
}

/* D's path joined with NAME, as the root_*() functions take it. */
static int dir_join(const struct root_dir *d, const char *name, char *buf, size_t size)
{
        int k = str_join(buf, size, strcmp(d->path, "/") ? d->path : "", "/", name, NULL);
        return k < 0 ? k : 0;
}

/* Where NAME, one component, is looked up in D: *RET_REL relative to the returned descriptor,
 * D's own, or while D is not open the root's, with D's path joined into BUF (D's components are
 * directories, proven when it was found: the kernel meets the same entries either way). */
static int dir_at(const struct root_dir *d, const char *name, char *buf, size_t size, const char **ret_rel)
{
        if (d->fd >= 0) {
                *ret_rel = name;
                return d->fd;
        }
        int k = dir_join(d, name, buf, size);
        if (k < 0)
                return k;
        *ret_rel = root_rel_of(buf);
        return d->root->fd;
}

/*
 * D/NAME resolved: its canonical path into BUF and a descriptor, for reading a directory with
 * RET_LISTABLE (open_dir_fd()), else O_PATH. The fast way: NAME is
 * not a link (one openat), or a link whose joined target has no link in it (openat2 with
 * RESOLVE_NO_SYMLINKS proves that). -ENOSYS when the walk must decide.
 */
static int dir_resolve_fast(struct root_dir *d, const char *name, char *buf, size_t size, int *ret_fd,
                            bool *ret_listable)
{
        struct root *r = d->root;
        char target[PATH_MAX], at_buf[PATH_MAX];
        const char *rel;
        int fd;

        if (r->journaling || r->no_openat2 || !root_one_component(name))
                return -ENOSYS;
        if (known_absent(d, name))
                return -ENOENT;
        int at = dir_at(d, name, at_buf, sizeof(at_buf), &rel);
        if (at < 0)
                return -ENOSYS;
        ssize_t n = readlinkat(at, rel, target, sizeof(target) - 1);
        if (n < 0 && errno == EINVAL) {
                if (dir_join(d, name, buf, size) < 0)
                        return -ENOSYS;
                fd = open_dir_fd(at, rel, ret_listable);
        } else if (n < 0) {
                /* D is canonical: the walk would meet the same error at NAME. */
                return errno == ENOENT ? -ENOENT : -ENOSYS;
        } else {
                target[n] = '\0';
                if (root_lexical_join(d->path, target, buf, size) < 0)
                        return -ENOSYS;
                fd = open_canonical(r, buf, ret_listable);
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
        bool listable = false;
        int fd;
        int k = dir_resolve_fast(parent, name, buf, sizeof(buf), &fd, &listable);

        if (k == 0)
                return dir_new(parent->root, fd, listable, buf, ret);
        if (k != -ENOSYS)
                return k;
        k = dir_join(parent, name, buf, sizeof(buf));
        if (k < 0)
                return k;
        k = dir_walk(parent->root, buf, &fd, &listable, &walked);
        if (k < 0)
                return k;
        return dir_new(parent->root, fd, listable, walked, ret);
}

int root_dir_resolve(struct root_dir *d, const char *name, char **ret)
{
        char buf[PATH_MAX];
        int fd;
        int k = dir_resolve_fast(d, name, buf, sizeof(buf), &fd, NULL);

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
        char buf[PATH_MAX];
        const char *rel;

        if (known_absent(d, name))
                return -ENOENT;
        int at = dir_at(d, name, buf, sizeof(buf), &rel);
        if (at < 0)
                return at;
        int fd = openat(at, rel, flags | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
        return fd < 0 ? -errno : fd;
}

/*
 * Open the attribute NAME below D for reading, and join its path into PATH (for the journal).
 * *RET_FD is -1 when the lookup must go through the root instead: NAME has several components,
 * or is a link (which the root resolves and confines).
 */
/*
 * SUB/NAME below D, opened for reading, when D's listing says SUB is a directory and not a link:
 * then no link is on the way (D is canonical) and NAME is opened without following one, as an
 * entry of D is: a group's type below /sys/kernel/iommu_groups, one call. -ENOENT when SUB is not
 * listed; -ELOOP when the root must resolve the path (not listed, a link, any other error).
 */
static int dir_open_sub(struct root_dir *d, const char *path)
{
        char buf[PATH_MAX];
        const char *slash = strchr(path, '/'), *rel;

        if (!slash || !root_one_component(slash + 1))
                return -ELOOP;
        size_t n = (size_t)(slash - path);
        if (n == 0 || (n == 1 && path[0] == '.') || (n == 2 && path[0] == '.' && path[1] == '.'))
                return -ELOOP;
        int t = listed_type(d, path, n);
        if (t == -ENOENT)
                return -ENOENT;
        if (t != DT_DIR)
                return -ELOOP;
        int at = dir_at(d, path, buf, sizeof(buf), &rel);
        if (at < 0)
                return -ELOOP;
        int fd = openat(at, rel, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return errno == ENOENT ? -ENOENT : -ELOOP;
        return fd;
}

static int dir_open_attr(struct root_dir *d, const char *name, char *path, size_t size, int *ret_fd)
{
        int fd, k = dir_join(d, name, path, size);

        if (k < 0)
                return k;
        fd = root_one_component(name) ? dir_open_entry(d, name, O_RDONLY | O_NONBLOCK) : dir_open_sub(d, name);
        if (fd < 0 && fd != -ELOOP)
                return fd;
        *ret_fd = fd < 0 ? -1 : fd;
        return 0;
}

/* NAME in D opened for reading, and the path the journal names it by into SHOWN: the entry
 * itself, or, when NAME is a link or a path, resolved from the root, confined, as
 * root_read_path() opens it. */
static int dir_open_read(struct root_dir *d, const char *name, char *shown, size_t size)
{
        char path[PATH_MAX];
        struct walk w;
        int raw, k = dir_open_attr(d, name, path, sizeof(path), &raw);

        if (k < 0)
                return k;
        /* The name is only for the journal: made only while journaling. */
        bool named = d->root->journaling;
        if (named)
                (void)str_join(shown, size, path, NULL);
        if (raw >= 0)
                return raw;
        raw = root_open_resolved(d->root, path, O_RDONLY | O_NONBLOCK, &w);
        if (raw >= 0 && named)
                (void)str_join(shown, size, "/", w.buf, NULL);
        return raw;
}

/* NAME in D, read as KIND; through the root when NAME is a link or a path. */
static int dir_read(struct root_dir *d, const char *name, enum root_read_kind kind, size_t max, char **ret,
                    size_t *ret_len)
{
        char shown[PATH_MAX + 1];
        int raw = dir_open_read(d, name, shown, sizeof(shown));
        if (raw < 0)
                return raw;
        _cleanup_close_ int fd = raw;
        int k = root_read_fd_as(fd, kind, max, ret, ret_len);
        if (k < 0)
                return k;
        root_journal_read(d->root, shown, kind, max);
        return 0;
}

int root_dir_read_head_as(struct root_dir *d, const char *name, const struct root_head *how, char **ret,
                          size_t *ret_len)
{
        char shown[PATH_MAX + 1];
        size_t asked;
        int raw = dir_open_read(d, name, shown, sizeof(shown));
        if (raw < 0)
                return raw;
        _cleanup_close_ int fd = raw;
        int k = root_read_fd_head_as(fd, how, ret, ret_len, &asked);
        if (k < 0)
                return k;
        root_journal_read(d->root, shown, ROOT_READ_HEAD, asked);
        return 0;
}

/* Attributes: the first short read is the end (only a pipe with a live writer, which no sysfs
 * has, would tell otherwise). One read() per attribute instead of two. */
int root_dir_read_file(struct root_dir *d, const char *name, size_t max, char **ret, size_t *ret_len)
{
        return dir_read(d, name, ROOT_READ_ATTR, max, ret, ret_len);
}

int root_dir_read_head(struct root_dir *d, const char *name, size_t max, char **ret, size_t *ret_len)
{
        return dir_read(d, name, ROOT_READ_HEAD, max, ret, ret_len);
}

/* Without openat2(2): the walk proves CANON plain when it resolves to itself (a link met on the
 * way would have changed it, or looped), then FILE below it is opened, not following a link. */
static int walk_open_plain(struct root *r, const char *canon, const char *file)
{
        struct walk w;

        if (root_walk(r, canon, true, &w) < 0 || strcmp(root_walk_rel(&w), root_rel_of(canon)) != 0)
                return -ENOSYS;
        int fd = openat(r->fd, file, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_NOFOLLOW | O_CLOEXEC);
        return fd < 0 ? -ENOSYS : fd;
}

/*
 * The fast way of root_dir_open_at_head(): NAME is a link in PARENT, and its target joined with
 * FIRST is opened by openat2(2) with no link on the way (RESOLVE_NO_SYMLINKS), or by the walk
 * without it. That proves the target a canonical directory with no link in its path, and FIRST
 * a file in it; the directory itself is opened only if it is listed. -ENOSYS when the slow way
 * must decide.
 */
static int open_at_head_fast(struct root_dir *parent, const char *name, const char *first, const struct root_head *how,
                             struct root_dir **ret, int *ret_read, char **ret_buf, size_t *ret_len)
{
        struct root *r = parent->root;
        char target[PATH_MAX], canon[PATH_MAX], at_buf[PATH_MAX], file[PATH_MAX];
        struct root_dir *d;
        const char *rel;

        if (r->journaling || !root_one_component(name) || !root_one_component(first) || known_absent(parent, name))
                return -ENOSYS;
        int at = dir_at(parent, name, at_buf, sizeof(at_buf), &rel);
        if (at < 0)
                return -ENOSYS;
        ssize_t n = readlinkat(at, rel, target, sizeof(target) - 1);
        if (n < 0)
                return -ENOSYS;
        target[n] = '\0';
        if (root_lexical_join(parent->path, target, canon, sizeof(canon)) < 0)
                return -ENOSYS;
        int k = str_join(file, sizeof(file), root_rel_of(canon), "/", first, NULL);
        if (k < 0)
                return -ENOSYS;
        int raw = root_kernel_open(r, r->fd, file, O_RDONLY | O_NONBLOCK | O_NOCTTY,
                                   RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS);
        if (raw == -ENOSYS)
                raw = walk_open_plain(r, canon, file);
        if (raw < 0)
                return -ENOSYS;
        _cleanup_close_ int fd = raw;
        k = dir_new(r, -1, false, canon, &d);
        if (k < 0)
                return k;
        size_t asked;
        *ret_read = root_read_fd_head_as(fd, how, ret_buf, ret_len, &asked);
        *ret = d;
        return 0;
}

int root_dir_open_at_head(struct root_dir *parent, const char *name, const char *first, const struct root_head *how,
                          struct root_dir **ret, int *ret_read, char **ret_buf, size_t *ret_len)
{
        struct root_dir *d;
        int k = open_at_head_fast(parent, name, first, how, ret, ret_read, ret_buf, ret_len);

        if (k != -ENOSYS)
                return k;
        k = root_dir_open_at(parent, name, &d);
        if (k < 0)
                return k;
        *ret_read = root_dir_read_head_as(d, first, how, ret_buf, ret_len);
        *ret = d;
        return 0;
}

int root_dir_read_attr(struct root_dir *d, const char *name, char **ret)
{
        char *s;
        size_t n;
        int k = root_dir_read_file(d, name, ROOT_ATTR_MAX, &s, &n);
        if (k < 0)
                return k;
        root_strip_space(s, n);
        *ret = s;
        return 0;
}

/* Best effort, like the journal: a failed allocation only costs a second read. */
static void remember_link(struct root_dir *d, const char *name, const char *target)
{
        free(d->link_name);
        free(d->link_target);
        d->link_name = strdup(name);
        d->link_target = strdup(target);
}

/* The target of the link NAME in D into TARGET: the one read last when it is NAME, else read. */
static ssize_t dir_readlink(struct root_dir *d, const char *name, char *target, size_t size)
{
        char buf[PATH_MAX];
        const char *rel;

        if (d->link_name && d->link_target && strcmp(d->link_name, name) == 0 && strlen(d->link_target) < size) {
                strcpy(target, d->link_target);
                return (ssize_t)strlen(target);
        }
        int at = dir_at(d, name, buf, sizeof(buf), &rel);
        if (at < 0) {
                errno = -at;
                return -1;
        }
        ssize_t n = readlinkat(at, rel, target, size - 1);
        if (n >= 0)
                target[n] = '\0';
        return n;
}

int root_dir_read_link(struct root_dir *d, const char *name, char **ret)
{
        char path[PATH_MAX], target[PATH_MAX], buf[PATH_MAX];
        const char *rel;
        int k = dir_join(d, name, path, sizeof(path));
        if (k < 0)
                return k;
        if (!root_one_component(name))
                return root_read_link(d->root, path, ret);
        if (known_absent(d, name))
                return -ENOENT;
        int at = dir_at(d, name, buf, sizeof(buf), &rel);
        if (at < 0)
                return at;
        ssize_t n = readlinkat(at, rel, target, sizeof(target) - 1);
        if (n < 0)
                return -errno;
        target[n] = '\0';
        root_journal_add(d->root, ROOT_OP_LINK, path, target, 0);
        char *s = strdup(target);
        if (!s)
                return -ENOMEM;
        remember_link(d, name, target);
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
        if (!root_one_component(name))
                return root_link_name(d->root, path, ret);
        k = root_dir_read_link(d, name, &target);
        if (k < 0)
                return k;
        return root_link_basename(target, root_path_depth(d->path), ret);
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
 * (root_lexical_join()); many devices' driver links name one directory, which is then resolved once
 * until the next write. Not while journaling: --capture records each resolution.
 */
int root_dir_stat(struct root_dir *d, const char *name, struct stat *ret)
{
        struct root *r = d->root;
        char path[PATH_MAX], target[PATH_MAX], joined[PATH_MAX];
        int k = dir_join(d, name, path, sizeof(path));
        if (k < 0)
                return k;
        if (root_one_component(name) && known_absent(d, name))
                return -ENOENT;
        /* D's path is canonical on both lookup paths: the join is the walk's, with or without
         * openat2. */
        if (r->journaling || !root_one_component(name))
                return root_stat(r, path, ret);
        ssize_t n = dir_readlink(d, name, target, sizeof(target));
        if (n < 0)
                return root_stat(r, path, ret);
        if (root_lexical_join(d->path, target, joined, sizeof(joined)) < 0)
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
        if (!root_one_component(name))
                return root_lstat(d->root, path, ret);
        char buf[PATH_MAX];
        const char *rel;

        if (known_absent(d, name))
                return -ENOENT;
        int at = dir_at(d, name, buf, sizeof(buf), &rel);
        if (at < 0)
                return at;
        if (fstatat(at, rel, ret, AT_SYMLINK_NOFOLLOW) < 0)
                return -errno;
        return 0;
}
