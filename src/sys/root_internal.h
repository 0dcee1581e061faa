/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Inside the one door (root.h): what the files of the root layer share, and nothing outside
 * them includes. root.c holds the root and its confined resolution (the walk, openat2),
 * root_read.c the reads and listings, root_dirents.c the getdents64(2) records they rest on,
 * root_dir.c the directories held open, root_path.c path text, root_write.c the writes and the
 * files it creates.
 */

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "root.h"

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
        /* Paths below the root seen to be directories, not links, each with every component
         * above it (see known_dir()): an open-addressed set of KNOWN_CAP slots, NULL when free. */
        char **known;
        size_t known_cap, n_known;
        /* The parent of the directories the walk stated last, and how many it stated there in a
         * row: from a few, the parent is listed instead (learn_siblings()). */
        char *siblings_of;
        unsigned siblings_stated;
        /* Plain paths root_stat() found, with what it found: the targets of links that many
         * devices share (driver links), see root_dir_stat(). NULL paths are free. */
        struct {
                char *path;
                struct stat st;
        } stated[8];
        unsigned stated_next;
        /* The buffer of the last directory listing closed (root_dir_list()), for the next one:
         * one per device, and a page freed each time costs munmap(2) with musl. */
        char *spare_names;
        size_t spare_cap;
};

/* A stack of path components below the root; "sys/bus/pci" has three. */
struct walk {
        char buf[PATH_MAX];
        size_t len;
};

/* What the walk refuses, the kernel refuses: absolute links and ".." above the root (EXDEV),
 * magic links (ELOOP). */
#define CONFINED (RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS)

/* All of DATA to FD, short writes continued (root_write.c); also root_tmp.c's. */
int write_full(int fd, const void *data, size_t len);
/* Forget the directories and stats remembered: a write to sysfs can remove directories. */
void root_forget_dirs(struct root *r);
/* Journaling is best effort: a failed allocation loses an entry, never the operation. */
void root_journal_add(struct root *r, enum root_op op, const char *path, const char *value, int result);
struct walk;
void root_journal_walked(struct root *r, enum root_op op, const struct walk *w, const char *value);

/* PATH resolved by the walk into W, every link followed (the last one only with FOLLOW_LAST). */
int root_walk(struct root *r, const char *path, bool follow_last, struct walk *w);
/* PATH resolved by the walk, every link followed, and stat()ed: RET is the last component's
 * lstat() the walk made anyway when it made one. */
int root_walk_stat(struct root *r, const char *path, struct walk *w, struct stat *ret);
/* Whether every component of PATH above its last is known to be a directory (see known_dir()):
 * then the walk resolves PATH with one fstatat(2), cheaper than openat2(2) and more. */
bool root_parent_known(const struct root *r, const char *path);
/* W relative to the root's descriptor: "." for the root itself. */
const char *root_walk_rel(const struct walk *w);
/* W as an absolute path, allocated. */
int root_walk_abs(const struct walk *w, char **ret);
/* openat2(2) below DIRFD; -ENOSYS when the walk must do it (see root.c). */
int root_kernel_open(struct root *r, int dirfd, const char *rel, int flags, uint64_t resolve_flags);
/* PATH opened by the kernel in one call, or -ENOSYS when the walk must do it. */
int root_open_fast(struct root *r, const char *path, int flags);
/* PATH opened, confined, by either path; W holds the walked path when the walk did it. */
int root_open_resolved(struct root *r, const char *path, int flags, struct walk *w);

/* The content of FD, at most MAX bytes (-EFBIG beyond), NUL-terminated. */
int root_read_fd(int fd, size_t max, bool short_is_end, char **ret, size_t *ret_len);
/* The first MAX bytes of FD, or all of it when shorter. */
int root_read_fd_head(int fd, size_t max, char **ret, size_t *ret_len);
/* FD's head as HOW says (root.h); *RET_ASKED: the most bytes asked for, for the journal. */
int root_read_fd_head_as(int fd, const struct root_head *how, char **ret, size_t *ret_len, size_t *ret_asked);

/* How a file is read: whole (-EFBIG beyond MAX), whole as a sysfs attribute (the first short
 * read ends it), or its first MAX bytes (journalled with MAX, so a capture keeps only those). */
enum root_read_kind {
        ROOT_READ_WHOLE,
        ROOT_READ_ATTR,
        ROOT_READ_HEAD,
};
int root_read_fd_as(int fd, enum root_read_kind kind, size_t max, char **ret, size_t *ret_len);
void root_journal_read(struct root *r, const char *shown, enum root_read_kind kind, size_t max);
/* PATH below the root, confined, read as KIND and journalled. */
int root_read_path(struct root *r, const char *path, enum root_read_kind kind, size_t max, char **ret, size_t *ret_len);
/* FN for every name in the directory FD but "." and "..", with its d_type, in the directory's
 * order, until FN returns < 0 (root_dirents.c, as the two below). */
int root_each_name(int fd, int (*fn)(const char *name, unsigned char type, void *userdata), void *userdata);
/* The names in the directory FD but "." and "..", each NUL-terminated after a byte of its
 * d_type (DT_DIR, DT_LNK, DT_UNKNOWN where the file system does not say), one after the other,
 * RET_LEN bytes in all, into *BUF of *CAP bytes, which grows as needed (NULL: a new one); *BUF
 * is never NULL on success, and stays the caller's to free on failure. */
int root_read_dirents(int fd, char **buf, size_t *cap, size_t *ret_len);
/* The same for the entries one getdents64(2) call returns: all of a directory of a few hundred
 * entries, some of a larger one. For what may be incomplete: hints that save a lookup. */
int root_read_dirents_head(int fd, char **buf, size_t *cap, size_t *ret_len);
/* A hash table of the LEN bytes of NAMES, a listing as root_read_dirents() makes it, when it is
 * long: *RET_N slots, a power of two, each 0 or an entry's offset in NAMES plus 1. A short one
 * gets none: *RET_SLOTS and *RET_N stay as they were. */
int root_names_index(const char *names, size_t len, uint32_t **ret_slots, size_t *ret_n);
/* The type byte of the entry NAME (N bytes) in that listing, through its table when it has one
 * (N_SLOTS > 0); -ENOENT when it is not there. */
int root_names_type(const char *names, size_t len, const uint32_t *slots, size_t n_slots, const char *name, size_t n);
/* Strip trailing newlines, spaces and tabs of S, N bytes long. */
void root_strip_space(char *s, size_t n);
/* FNV-1a of the N bytes of S: where a path or a name sits in a hash table (root_path.c, as
 * the helpers below). */
size_t root_path_hash(const char *s, size_t n);
/* ABS relative to the root's descriptor: "." for "/". */
const char *root_rel_of(const char *abs);
/* PATH without "." or ".." components or repeated slashes, into BUF; -EINVAL when it has any of
 * those, or is not absolute. BUF may be PATH. */
int root_plain_path(const char *path, char *buf, size_t size);
/* NAME is one path component: not empty, no slash, not "." or "..". */
bool root_one_component(const char *name);
/* BASE (canonical) joined with TARGET, a link in BASE, as the walk would join them when no
 * component after TARGET's leading ".." is a link; -EINVAL when TARGET is absolute, climbs above
 * the root, or has "." or ".." further on (the walk decides those). */
int root_lexical_join(const char *base, const char *target, char *buf, size_t size);
/* Components of an absolute canonical path: 0 for "/", 2 for "/sys/bus". */
size_t root_path_depth(const char *path);
/* The last component of TARGET, a link's target read DEPTH components below the root. */
int root_link_basename(char *target, size_t depth, char **ret);
