/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The one door: every access to /sys, /proc, /dev, /run, /etc, /lib/modules and /boot goes
 * through a struct root, which resolves absolute paths ("/sys/bus/pci/devices/...") below its
 * directory. Links are followed by this code, not by the kernel, so that an absolute link or
 * one that climbs above the root is refused (-EXDEV) and every link met can be journaled;
 * --capture replays that journal into a directory that --root can later read back.
 *
 * Where the kernel has openat2(2) (Linux 5.6), a lookup is one call with RESOLVE_BENEATH and
 * RESOLVE_NO_MAGICLINKS, which refuses the same links; the walk above stays the fallback (no
 * openat2, or a seccomp filter refusing it), the way --capture goes (it must journal every
 * link met, which the kernel does not tell), and the judge of every failed lookup, so that
 * errors are the same on both paths. VFIO_PREP_NO_OPENAT2=1 in the environment forces the
 * walk (make check-fallback runs the suites so).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

struct root;

/* Largest attribute root_read_attr() accepts; sysfs attributes are at most a page. */
#define ROOT_ATTR_MAX 4096
/* Most links one resolution follows, as the kernel's MAXSYMLINKS. */
#define ROOT_MAX_HOPS 40

enum root_op {
        ROOT_OP_READ,  /* a file's content was read: path is the resolved path; value, when
                          set, the most bytes read (root_read_head), else all of it */
        ROOT_OP_LINK,  /* a link was met: path is the link, value its target */
        ROOT_OP_LIST,  /* a directory was listed: path is the resolved path */
        ROOT_OP_WRITE, /* an attribute write was attempted: value is what was written */
        ROOT_OP_STAT,  /* existence was checked: path is the resolved path, value "d" or "f" */
};

struct root_journal_entry {
        enum root_op op;
        char *path;
        char *value;
        int result; /* 0 or -errno, for ROOT_OP_WRITE */
};

/*
 * Called before every attribute write (root_write, root_write_deadline, root_append).
 * Return < 0 to make the write fail with that error without touching the file, 0 to let it
 * happen, 1 to report success without touching the file (a simulated kernel did the work).
 * Only tests install one.
 */
typedef int (*root_write_hook_t)(void *userdata, const char *path, const char *value);

int root_new(const char *dir, struct root **ret);
struct root *root_free(struct root *r);
static inline void root_freep(struct root **r)
{
        root_free(*r);
}
#define _cleanup_root_ __attribute__((cleanup(root_freep)))

const char *root_dir(const struct root *r);
/* True when the root is the running system's "/". */
bool root_is_host(const struct root *r);

void root_set_write_hook(struct root *r, root_write_hook_t hook, void *userdata);
void root_journal_enable(struct root *r, bool on);
const struct root_journal_entry *root_journal(const struct root *r, size_t *ret_n);
void root_journal_clear(struct root *r);

/* Canonical absolute path of PATH inside the root, every link followed (confined). */
int root_resolve(struct root *r, const char *path, char **ret);
/* Same, but a final component that is a link is not followed. */
int root_resolve_parent(struct root *r, const char *path, char **ret);

/* Whole file, at most MAX bytes (-EFBIG beyond), NUL-terminated; RET_LEN excludes the NUL. */
int root_read_file(struct root *r, const char *path, size_t max, char **ret, size_t *ret_len);
/* The first MAX bytes of a file, or all of it when shorter (never -EFBIG): for config space,
 * where every 4-byte read costs the kernel a hardware access. */
int root_read_head(struct root *r, const char *path, size_t max, char **ret, size_t *ret_len);
/* A sysfs-style attribute, at most ROOT_ATTR_MAX bytes, trailing whitespace stripped. */
int root_read_attr(struct root *r, const char *path, char **ret);
/* An attribute holding one number; -EINVAL when it is not a number, -ERANGE above MAX. */
int root_read_u64(struct root *r, const char *path, int base, uint64_t max, uint64_t *ret);
/* The target of the link at PATH, unresolved. */
int root_read_link(struct root *r, const char *path, char **ret);
/* Last component of the target of the link at PATH ("nvidia" for a driver link). The target
 * must stay inside the root, lexically; it need not exist. */
int root_link_name(struct root *r, const char *path, char **ret);
/* Entries of a directory except "." and "..", sorted by strcmp(); a NULL-terminated vector. */
int root_list(struct root *r, const char *path, char ***ret, size_t *ret_n);
int root_stat(struct root *r, const char *path, struct stat *ret);
int root_lstat(struct root *r, const char *path, struct stat *ret);
bool root_exists(struct root *r, const char *path);

/*
 * A directory resolved once (confined, every link followed) and held open, so that each of its
 * entries is read with one system call relative to it: a PCI device's attributes. NAME is one
 * path component; an entry that is itself a link is resolved from the root, confined, as the
 * root_*() functions above would. Results, errors and journal entries are those of the root_*()
 * function of the same name given root_dir_path()/NAME.
 */
struct root_dir;
int root_dir_open(struct root *r, const char *path, struct root_dir **ret);
/* PARENT/NAME, resolved as root_dir_open() would resolve the joined path. */
int root_dir_open_at(struct root_dir *parent, const char *name, struct root_dir **ret);
/*
 * How much of a file's head is read (config space, where every 4 bytes cost a hardware access):
 * FIRST bytes; when all were there and MORE (NULL: never) says so of them, on up to MAX from
 * the same open file, and then only the first KEEP(what was read) bytes are returned (KEEP
 * NULL: all). MAX is at most ROOT_ATTR_MAX. The journal records the most bytes asked for.
 */
struct root_head {
        size_t first, max;
        bool (*more)(const uint8_t *buf, size_t len);
        size_t (*keep)(const uint8_t *buf, size_t len);
};
/* PARENT/NAME as root_dir_open_at(), and its entry FIRST read as root_dir_read_head_as() would
 * read it with HOW: *RET_READ is that read's result, and *RET_BUF and *RET_LEN are set when it
 * is 0. Where openat2(2) (or the walk) can prove the directory's path free of links while it
 * opens FIRST, the directory itself is not opened until root_dir_list() lists it: a device
 * whose attributes are read by name costs no open(2) and close(2) of its directory. */
int root_dir_open_at_head(struct root_dir *parent, const char *name, const char *first, const struct root_head *how,
                          struct root_dir **ret, int *ret_read, char **ret_buf, size_t *ret_len);
struct root_dir *root_dir_close(struct root_dir *d);
static inline void root_dir_closep(struct root_dir **d)
{
        root_dir_close(*d);
}
#define _cleanup_root_dir_ __attribute__((cleanup(root_dir_closep)))
/* Read D's entries once, so that a later lookup of a name that is not among them fails with
 * -ENOENT without a system call: a device's optional attributes (boot_vga, sriov_numvfs...)
 * cost two getdents64(2) calls together instead of one failed open each. Does nothing while
 * journaling (a capture records what was read, not listed) or when D is not a directory; on
 * error, lookups go to the kernel as before. */
int root_dir_list(struct root_dir *d);
/* The canonical path, "/sys/devices/pci0000:00/0000:00:01.0". */
const char *root_dir_path(const struct root_dir *d);
int root_dir_read_file(struct root_dir *d, const char *name, size_t max, char **ret, size_t *ret_len);
int root_dir_read_head(struct root_dir *d, const char *name, size_t max, char **ret, size_t *ret_len);
int root_dir_read_head_as(struct root_dir *d, const char *name, const struct root_head *how, char **ret,
                          size_t *ret_len);
int root_dir_read_attr(struct root_dir *d, const char *name, char **ret);
int root_dir_read_link(struct root_dir *d, const char *name, char **ret);
int root_dir_link_name(struct root_dir *d, const char *name, char **ret);
/* Canonical path of D/NAME, every link followed, as root_resolve(). */
int root_dir_resolve(struct root_dir *d, const char *name, char **ret);
int root_dir_stat(struct root_dir *d, const char *name, struct stat *ret);
int root_dir_lstat(struct root_dir *d, const char *name, struct stat *ret);

/* One write() of VALUE to an existing file, never created: a missing attribute is -ENOENT. */
int root_write(struct root *r, const char *path, const char *value);
/* As root_write, from a child process; -ETIMEDOUT when it has not returned in TIMEOUT_MS. */
int root_write_deadline(struct root *r, const char *path, const char *value, unsigned timeout_ms);
/* Append one record to an existing file such as /dev/kmsg. */
int root_append(struct root *r, const char *path, const char *value);

/* Create directories as needed, like mkdir -p. */
int root_mkdir_p(struct root *r, const char *path, mode_t mode);
/* Create or replace a regular file atomically (temporary file + rename). */
int root_create_file(struct root *r, const char *path, const void *data, size_t len, mode_t mode);
/* Replace or create the regular file PATH durably and atomically (vfio-prep --add, --remove): a
 * temporary file in the same directory, owner root when run as root, MODE, fsync, rename, and
 * the directory flushed. */
int root_replace_file(struct root *r, const char *path, const void *data, size_t len, mode_t mode);
/* The same for a file named on the command line (relative to the working directory). */
int host_replace_file(const char *path, const void *data, size_t len, mode_t mode);
/* Create a symbolic link at PATH pointing to TARGET (kept as given). */
int root_symlink(struct root *r, const char *target, const char *path);

/* Create the directory DIR named on the command line, or accept it when it exists and is empty:
 * -ENOTEMPTY when it has entries, -ENOTDIR when it is something else. */
int host_mkdir_empty(const char *dir);

/* Read a file named on the command line (relative to the working directory, not the root).
 * Refuses what is not a regular file with -EINVAL. */
int host_read_file(const char *path, size_t max, char **ret, size_t *ret_len, struct stat *ret_st);
