/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "mounts.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "macro.h"
#include "parse.h"

/* The kernel escapes space, tab, newline and backslash in paths as \ooo (fs/proc_namespace.c). */
static char *unescape(const char *s, size_t n)
{
        char *out = malloc(n + 1), *w = out;

        if (!out)
                return NULL;
        for (size_t i = 0; i < n; i++) {
                if (s[i] == '\\' && i + 3 < n + 1 && s[i + 1] >= '0' && s[i + 1] <= '3' && s[i + 2] >= '0' &&
                    s[i + 2] <= '7' && s[i + 3] >= '0' && s[i + 3] <= '7') {
                        *w++ = (char)((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
                        i += 3;
                } else
                        *w++ = s[i];
        }
        *w = '\0';
        return out;
}

/* Split LINE at spaces and tabs (the kernel escapes both inside paths) into at most MAX fields (start and length each).
 */
static size_t split(const char *line, size_t len, const char **f, size_t *fl, size_t max)
{
        size_t n = 0;

        for (size_t i = 0; i < len && n < max;) {
                while (i < len && (line[i] == ' ' || line[i] == '\t'))
                        i++;
                if (i >= len)
                        break;
                size_t j = i;
                while (j < len && line[j] != ' ' && line[j] != '\t')
                        j++;
                f[n] = line + i;
                fl[n++] = j - i;
                i = j;
        }
        return n;
}

static int parse_devnum(const char *s, size_t n, unsigned *ret_major, unsigned *ret_minor)
{
        char buf[32];
        uint64_t a, b;
        const char *colon = memchr(s, ':', n);

        if (!colon || n >= sizeof(buf))
                return -EINVAL;
        memcpy(buf, s, n);
        buf[n] = '\0';
        buf[colon - s] = '\0';
        if (parse_u64(buf, 10, 0xfff, &a) < 0 || parse_u64(buf + (colon - s) + 1, 10, 0xfffff, &b) < 0)
                return -EINVAL;
        *ret_major = (unsigned)a;
        *ret_minor = (unsigned)b;
        return 0;
}

static void entry_done(struct mount_entry *e)
{
        free(e->mountpoint);
        free(e->fstype);
        free(e->source);
}

/* "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue" */
static int parse_line(const char *line, size_t len, struct mount_entry *ret)
{
        const char *f[64];
        size_t fl[64], n = split(line, len, f, fl, ARRAY_SIZE(f)), sep;
        struct mount_entry e = { 0 };

        for (sep = 6; sep < n; sep++)
                if (fl[sep] == 1 && f[sep][0] == '-')
                        break;
        if (n < 7 || sep + 2 >= n || parse_devnum(f[2], fl[2], &e.major, &e.minor) < 0)
                return -EINVAL;
        e.mountpoint = unescape(f[4], fl[4]);
        e.fstype = unescape(f[sep + 1], fl[sep + 1]);
        e.source = unescape(f[sep + 2], fl[sep + 2]);
        if (!e.mountpoint || !e.fstype || !e.source) {
                entry_done(&e);
                return -ENOMEM;
        }
        *ret = e;
        return 0;
}

int mounts_parse(const char *text, struct mount_table *ret)
{
        struct mount_table t = { 0 };

        for (const char *p = text; p && *p;) {
                size_t len = strcspn(p, "\n");
                struct mount_entry e;
                int k = parse_line(p, len, &e);
                if (k == -ENOMEM) {
                        mounts_done(&t);
                        return k;
                }
                if (k >= 0) {
                        if (array_grow(&t.entries, t.n_entries) < 0) {
                                entry_done(&e);
                                mounts_done(&t);
                                return -ENOMEM;
                        }
                        t.entries[t.n_entries++] = e;
                }
                p += len;
                p += *p == '\n';
        }
        *ret = t;
        return 0;
}

void mounts_done(struct mount_table *t)
{
        for (size_t i = 0; i < t->n_entries; i++)
                entry_done(&t->entries[i]);
        free(t->entries);
        *t = (struct mount_table){ 0 };
}

const struct mount_entry *mounts_find(const struct mount_table *t, const char *mountpoint)
{
        for (size_t i = t->n_entries; i > 0; i--)
                if (strcmp(t->entries[i - 1].mountpoint, mountpoint) == 0)
                        return &t->entries[i - 1];
        return NULL;
}

/* "Filename  Type  Size  Used  Priority", then one line per swap area. */
int swaps_parse(const char *text, char ***ret, size_t *ret_n)
{
        char **v = NULL;
        size_t n = 0;
        int k = strv_push(&v, &n, NULL);

        for (const char *p = text; k >= 0 && p && *p;) {
                size_t len = strcspn(p, "\n");
                const char *f[5];
                size_t fl[5];
                if (split(p, len, f, fl, 5) >= 2 && fl[1] == 9 && memcmp(f[1], "partition", 9) == 0 && f[0][0] == '/') {
                        char *name = unescape(f[0], fl[0]);
                        k = name ? strv_consume(&v, &n, name) : -ENOMEM;
                        if (k < 0)
                                free(name);
                }
                p += len;
                p += *p == '\n';
        }
        if (k < 0) {
                strv_free(v);
                return k;
        }
        *ret = v;
        *ret_n = n;
        return 0;
}

bool mounts_is_network_fs(const char *fstype)
{
        static const char *const net[] = { "nfs",       "nfs4", "cifs", "smb3",  "smbfs", "ceph",
                                           "glusterfs", "9p",   "afs",  "ncpfs", "lustre" };

        if (strncmp(fstype, "fuse.", 5) == 0)
                return strstr(fstype, "sshfs") != NULL;
        for (size_t i = 0; i < ARRAY_SIZE(net); i++)
                if (strcmp(fstype, net[i]) == 0)
                        return true;
        return false;
}
