/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "tar.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "macro.h"
#include "sbuf.h"

#define BLOCK 512

/* The ustar header (POSIX.1-1988, pax "ustar Interchange Format"). */
struct ustar_header {
        char name[100], mode[8], uid[8], gid[8], size[12], mtime[12], chksum[8], typeflag, linkname[100];
        char magic[6], version[2], uname[32], gname[32], devmajor[8], devminor[8], prefix[155], pad[12];
};

_Static_assert(sizeof(struct ustar_header) == BLOCK, "a ustar header is one block");

static const char *skip_slashes(const char *p)
{
        while (*p == '/')
                p++;
        return p;
}

const struct tar_entry *tar_find(const struct tar *t, const char *path)
{
        path = skip_slashes(path);
        for (size_t i = 0; i < t->n_entries; i++)
                if (strcmp(t->entries[i].path, path) == 0)
                        return &t->entries[i];
        return NULL;
}

int tar_put(struct tar *t, const char *path, enum tar_type type, const void *data, size_t len, unsigned mode)
{
        struct tar_entry e = { .type = type, .len = len, .mode = mode & 07777 };

        path = skip_slashes(path);
        if (!*path || path[strlen(path) - 1] == '/')
                return -EINVAL;
        e.path = strdup(path);
        e.data = malloc(len + 1);
        if (!e.path || !e.data) {
                free(e.path);
                free(e.data);
                return -ENOMEM;
        }
        if (len)
                memcpy(e.data, data, len);
        e.data[len] = '\0';
        struct tar_entry *old = (struct tar_entry *)tar_find(t, path);
        if (old) {
                free(old->path);
                free(old->data);
                *old = e;
                return 0;
        }
        if (array_grow(&t->entries, t->n_entries) < 0) {
                free(e.path);
                free(e.data);
                return -ENOMEM;
        }
        t->entries[t->n_entries++] = e;
        return 0;
}

void tar_done(struct tar *t)
{
        for (size_t i = 0; i < t->n_entries; i++) {
                free(t->entries[i].path);
                free(t->entries[i].data);
        }
        free(t->entries);
        *t = (struct tar){ 0 };
}

/* SIZE - 1 octal digits and a NUL; the values here (modes, sizes up to 8 GiB) always fit. */
static void octal(char *field, size_t size, unsigned long long v)
{
        char buf[32];

        snprintf(buf, sizeof(buf), "%0*llo", (int)size - 1, v);
        memcpy(field, buf, size - 1);
        field[size - 1] = '\0';
}

/* NAME into the header's prefix and name fields, split at a '/'; false when it does not fit. */
static bool split_name(struct ustar_header *h, const char *name)
{
        size_t n = strlen(name);

        if (n <= sizeof(h->name)) {
                memcpy(h->name, name, n);
                return true;
        }
        for (size_t cut = n - 1; cut > 0; cut--) {
                if (name[cut] != '/' || n - cut - 1 > sizeof(h->name) || n - cut - 1 == 0)
                        continue;
                if (cut > sizeof(h->prefix))
                        return false;
                memcpy(h->prefix, name, cut);
                memcpy(h->name, name + cut + 1, n - cut - 1);
                return true;
        }
        return false;
}

static void put_header(struct sbuf *out, struct ustar_header *h, char typeflag, unsigned mode, size_t size)
{
        unsigned sum = 0;

        h->typeflag = typeflag;
        octal(h->mode, sizeof(h->mode), mode);
        octal(h->uid, sizeof(h->uid), 0);
        octal(h->gid, sizeof(h->gid), 0);
        octal(h->size, sizeof(h->size), size);
        octal(h->mtime, sizeof(h->mtime), 0);
        memcpy(h->magic, "ustar", 6);
        memcpy(h->version, "00", 2);
        snprintf(h->uname, sizeof(h->uname), "root");
        snprintf(h->gname, sizeof(h->gname), "root");
        memset(h->chksum, ' ', sizeof(h->chksum));
        for (size_t i = 0; i < BLOCK; i++)
                sum += ((unsigned char *)h)[i];
        snprintf(h->chksum, sizeof(h->chksum), "%06o", sum);
        sbuf_put(out, (const char *)h, BLOCK);
}

static void put_data(struct sbuf *out, const char *data, size_t len)
{
        static const char zeros[BLOCK];

        sbuf_put(out, data, len);
        if (len % BLOCK)
                sbuf_put(out, zeros, BLOCK - len % BLOCK);
}

/* "LEN key=value\n", where LEN counts the whole record, its own digits included. */
static void pax_record(struct sbuf *b, const char *key, const char *value)
{
        size_t body = 1 + strlen(key) + 1 + strlen(value) + 1, digits = 1;

        while (snprintf(NULL, 0, "%zu", body + digits) > (int)digits)
                digits++;
        sbuf_appendf(b, "%zu %s=%s\n", body + digits, key, value);
}

static void put_entry(struct sbuf *out, const struct tar_entry *e)
{
        struct ustar_header h = { 0 };
        _cleanup_free_ char *name = NULL;
        bool link = e->type == TAR_SYMLINK;

        /* GNU tar's habit: a directory's name ends in '/'. */
        if (asprintf(&name, "%s%s", e->path, e->type == TAR_DIR ? "/" : "") < 0) {
                out->oom = true;
                return;
        }
        bool name_fits = split_name(&h, name), link_fits = !link || e->len <= sizeof(h.linkname);
        if (!name_fits || !link_fits) {
                struct ustar_header x = { 0 };
                struct sbuf pax = { 0 };
                if (!name_fits)
                        pax_record(&pax, "path", name);
                if (!link_fits)
                        pax_record(&pax, "linkpath", e->data);
                snprintf(x.name, sizeof(x.name), "PaxHeaders/%.80s", e->path);
                put_header(out, &x, 'x', 0644, pax.len);
                put_data(out, pax.s ? pax.s : "", pax.len);
                out->oom |= pax.oom;
                sbuf_done(&pax);
                memset(&h, 0, sizeof(h));
                memcpy(h.name, name, strlen(name) < sizeof(h.name) ? strlen(name) : sizeof(h.name));
        }
        if (link)
                memcpy(h.linkname, e->data, link_fits ? e->len : sizeof(h.linkname));
        char flag = e->type == TAR_DIR ? '5' : link ? '2' : '0';
        put_header(out, &h, flag, e->mode, e->type == TAR_FILE ? e->len : 0);
        if (e->type == TAR_FILE)
                put_data(out, e->data, e->len);
}

int tar_write(const struct tar *t, char **ret, size_t *ret_len)
{
        static const char end[2 * BLOCK];
        struct sbuf out = { 0 };

        for (size_t i = 0; i < t->n_entries; i++)
                put_entry(&out, &t->entries[i]);
        sbuf_put(&out, end, sizeof(end));
        if (out.oom) {
                sbuf_done(&out);
                return -ENOMEM;
        }
        *ret_len = out.len;
        *ret = sbuf_take(&out);
        return 0;
}
