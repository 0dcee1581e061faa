/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Directory listings as getdents64(2) gives them, for the root layer's readers (root_internal.h). */
#include "root_internal.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The kernel's record, which getdents64(2) fills (no libc wrapper in musl). */
struct dirent64_rec {
        uint64_t d_ino;
        int64_t d_off;
        unsigned short d_reclen;
        unsigned char d_type;
        char d_name[];
};

/* FN for every name in the directory FD but "." and "..", in the directory's order, until it
 * returns < 0; with ONCE, only for those the first getdents64(2) call returns. getdents64(2)
 * directly: one call for a sysfs device directory, and none of fdopendir()'s checks. */
static int each_name_of(int fd, bool once, int (*fn)(const char *name, unsigned char type, void *userdata),
                        void *userdata)
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
                        int k = fn(de->d_name, de->d_type, userdata);
                        if (k < 0)
                                return k;
                }
                if (once)
                        return 0;
        }
}

int root_each_name(int fd, int (*fn)(const char *name, unsigned char type, void *userdata), void *userdata)
{
        return each_name_of(fd, false, fn, userdata);
}

struct name_block {
        char *buf;
        size_t len, cap;
};

static int append_name(const char *name, unsigned char type, void *userdata)
{
        struct name_block *b = userdata;
        size_t n = strlen(name) + 2;

        if (b->len + n > b->cap) {
                size_t cap = b->cap ? b->cap : 1024;
                while (cap < b->len + n)
                        cap *= 2;
                char *nb = realloc(b->buf, cap);
                if (!nb)
                        return -ENOMEM;
                b->buf = nb;
                b->cap = cap;
        }
        b->buf[b->len] = (char)type;
        memcpy(b->buf + b->len + 1, name, n - 1);
        b->len += n;
        return 0;
}

static int read_dirents(int fd, bool once, char **buf, size_t *cap, size_t *ret_len)
{
        struct name_block b = { .buf = *buf, .cap = *buf ? *cap : 0 };
        int k = each_name_of(fd, once, append_name, &b);

        if (k == 0 && !b.buf && !(b.buf = malloc(b.cap = 1)))
                k = -ENOMEM;
        *buf = b.buf;
        *cap = b.cap;
        if (k < 0)
                return k;
        *ret_len = b.len;
        return 0;
}

int root_read_dirents(int fd, char **buf, size_t *cap, size_t *ret_len)
{
        return read_dirents(fd, false, buf, cap, ret_len);
}

int root_read_dirents_head(int fd, char **buf, size_t *cap, size_t *ret_len)
{
        return read_dirents(fd, true, buf, cap, ret_len);
}

/* Listings longer than this get a hash table; a device's few dozen entries are searched faster
 * as they are. */
#define INDEX_FROM 128

int root_names_index(const char *names, size_t len, uint32_t **ret_slots, size_t *ret_n)
{
        size_t n = 0, cap = 2 * INDEX_FROM;

        if (len >= UINT32_MAX)
                return 0;
        for (size_t off = 0; off < len; off += strlen(names + off + 1) + 2)
                n++;
        if (n <= INDEX_FROM)
                return 0;
        while (cap < 2 * n)
                cap *= 2;
        uint32_t *slots = calloc(cap, sizeof(*slots));
        if (!slots)
                return -ENOMEM;
        for (size_t off = 0, l; off < len; off += l + 2) {
                const char *e = names + off + 1;
                l = strlen(e);
                size_t i = root_path_hash(e, l) & (cap - 1);
                while (slots[i])
                        i = (i + 1) & (cap - 1);
                slots[i] = (uint32_t)(off + 1);
        }
        *ret_slots = slots;
        *ret_n = cap;
        return 0;
}

int root_names_type(const char *names, size_t len, const uint32_t *slots, size_t n_slots, const char *name, size_t n)
{
        if (n_slots) {
                for (size_t i = root_path_hash(name, n) & (n_slots - 1); slots[i]; i = (i + 1) & (n_slots - 1)) {
                        const char *e = names + slots[i];
                        if (strncmp(e, name, n) == 0 && e[n] == '\0')
                                return (unsigned char)e[-1];
                }
                return -ENOENT;
        }
        /* Each entry is its type byte, then its name, NUL-terminated (root_read_dirents()). */
        for (size_t off = 0; off < len; off += strlen(names + off + 1) + 2) {
                const char *e = names + off + 1;
                if (strncmp(e, name, n) == 0 && e[n] == '\0')
                        return (unsigned char)names[off];
        }
        return -ENOENT;
}
