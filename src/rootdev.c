/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "rootdev.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blkdev.h"
#include "macro.h"
#include "parse.h"
#include "root.h"

/* dm on LUKS on md on partitions rarely goes past four; beyond this the tree is not sane. */
#define MAX_DEPTH 16
#define CLASS_BLOCK "/sys/class/block"

struct resolver {
        struct root *r;
        const struct machine *m;
        struct rootdev *rd;
        char **visited; /* disk paths already walked: md over two partitions of one disk */
        size_t n_visited;
};

void rootdev_done(struct rootdev *rd)
{
        free(rd->spec);
        free(rd->block);
        free(rd->devices);
        free(rd->problem);
        *rd = (struct rootdev){ 0 };
}

/* Keep the first reason only: it is the one that stopped the resolution. */
_printf_(2, 3) static int set_problem(struct rootdev *rd, const char *fmt, ...)
{
        va_list ap;
        int k;

        if (rd->problem)
                return 0;
        va_start(ap, fmt);
        k = vasprintf(&rd->problem, fmt, ap);
        va_end(ap);
        if (k < 0) {
                rd->problem = NULL;
                return -ENOMEM;
        }
        return 0;
}

static bool valid_block_name(const char *s)
{
        return *s && strcmp(s, ".") != 0 && strcmp(s, "..") != 0 && !strchr(s, '/') && strlen(s) < NAME_MAX;
}

static bool class_block_exists(struct root *r, const char *name)
{
        char path[PATH_MAX];

        if (!valid_block_name(name))
                return false;
        snprintf(path, sizeof(path), CLASS_BLOCK "/%s", name);
        return root_exists(r, path);
}

/* The dm device whose dm/name is DMNAME ("root", "vg-lv", "luks-…"). */
static int dm_lookup(struct root *r, const char *dmname, char **ret)
{
        _cleanup_strv_ char **names = NULL;
        size_t n = 0;
        int k;

        k = root_list(r, CLASS_BLOCK, &names, &n);
        if (k < 0)
                return k;
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *s = NULL;
                char path[PATH_MAX];
                if (strncmp(names[i], "dm-", 3) != 0)
                        continue;
                snprintf(path, sizeof(path), CLASS_BLOCK "/%s/dm/name", names[i]);
                if (root_read_attr(r, path, &s) < 0 || strcmp(s, dmname) != 0)
                        continue;
                char *c = strdup(names[i]);
                if (!c)
                        return -ENOMEM;
                *ret = c;
                return 0;
        }
        return -ENOENT;
}

/* LVM's /dev/VG/LV is the dm device "VG-LV", each '-' inside a name doubled. */
static void lvm_dm_name(const char *vg_lv, char *buf, size_t size)
{
        size_t w = 0;

        for (const char *p = vg_lv; *p && w + 3 < size; p++) {
                if (*p == '-')
                        buf[w++] = '-';
                buf[w++] = *p == '/' ? '-' : *p;
        }
        buf[w] = '\0';
}

/* Names for /dev paths that the root cannot resolve itself (no /dev in a captured tree). */
static int dev_path_fallback(struct root *r, const char *rest, char **ret)
{
        char buf[PATH_MAX];
        const char *slash = strchr(rest, '/');

        if (!slash)
                return class_block_exists(r, rest) ? ((*ret = strdup(rest)) ? 0 : -ENOMEM) : -ENOENT;
        if (strncmp(rest, "mapper/", 7) == 0)
                return dm_lookup(r, rest + 7, ret);
        if (strchr(slash + 1, '/'))
                return -ENOENT;
        /* cciss/c0d0p1 is "cciss!c0d0p1" in sysfs; otherwise it may be LVM's VG/LV. */
        snprintf(buf, sizeof(buf), "%s", rest);
        buf[slash - rest] = '!';
        if (class_block_exists(r, buf))
                return (*ret = strdup(buf)) ? 0 : -ENOMEM;
        lvm_dm_name(rest, buf, sizeof(buf));
        return dm_lookup(r, buf, ret);
}

/*
 * "/dev/nvme0n1p2", "/dev/mapper/root", "/dev/vg/root", "/dev/disk/by-uuid/…" → block device name.
 * Here and below: 1 with RET set, 0 with a problem recorded, or -ENOMEM.
 */
static int dev_path_to_name(struct resolver *s, const char *path, char **ret)
{
        _cleanup_free_ char *resolved = NULL;
        int k;

        if (root_resolve(s->r, path, &resolved) >= 0 && strncmp(resolved, "/dev/", 5) == 0) {
                const char *base = strrchr(resolved, '/') + 1;
                if (class_block_exists(s->r, base))
                        return (*ret = strdup(base)) ? 1 : -ENOMEM;
        }
        k = dev_path_fallback(s->r, path + 5, ret);
        if (k == -ENOMEM)
                return k;
        if (k < 0)
                return set_problem(s->rd, "no block device '%s' below the root", path);
        return 1;
}

static const struct {
        const char *prefix;
        const char *dir;
} tags[] = {
        { "UUID=", "/dev/disk/by-uuid/" },
        { "PARTUUID=", "/dev/disk/by-partuuid/" },
        { "LABEL=", "/dev/disk/by-label/" },
        { "PARTLABEL=", "/dev/disk/by-partlabel/" },
};

/* udev's encoding of link names: unsafe bytes as \xNN (a label "My Disk" is "My\x20Disk"). */
static void udev_encode(const char *value, bool lower, char *buf, size_t size)
{
        size_t w = 0;

        for (const unsigned char *p = (const unsigned char *)value; *p && w + 5 < size; p++) {
                if (isalnum(*p) || strchr("#+-.:=@_", *p) || *p >= 0x80)
                        buf[w++] = lower ? (char)tolower(*p) : (char)*p;
                else
                        w += (size_t)snprintf(buf + w, size - w, "\\x%02x", *p);
        }
        buf[w] = '\0';
}

static int tag_by_link(struct resolver *s, size_t t, const char *value, char **ret)
{
        char enc[NAME_MAX + 1], link[PATH_MAX];
        _cleanup_free_ char *name = NULL;

        /* by-partuuid links are lower case, as the kernel compares PARTUUID= case-insensitively. */
        udev_encode(value, strcmp(tags[t].prefix, "PARTUUID=") == 0, enc, sizeof(enc));
        if (!*enc || strcmp(enc, ".") == 0 || strcmp(enc, "..") == 0)
                return -ENOENT;
        snprintf(link, sizeof(link), "%s%s", tags[t].dir, enc);
        int k = root_link_name(s->r, link, &name);
        if (k < 0)
                return k == -ENOMEM ? k : -ENOENT;
        if (!class_block_exists(s->r, name))
                return -ENOENT;
        *ret = TAKE_PTR(name);
        return 0;
}

/* "UUID=…" and friends: /dev/disk/by-* below the root, else libblkid on the running system. */
static int tag_to_name(struct resolver *s, size_t t, const char *spec, char **ret)
{
        _cleanup_free_ char *devname = NULL;
        const char *value = spec + strlen(tags[t].prefix);
        int k;

        if (strchr(value, '/'))
                return set_problem(s->rd, "cannot resolve '%s': PARTNROFF= and '/' are not supported", spec);
        k = tag_by_link(s, t, value, ret);
        if (k != -ENOENT)
                return k < 0 ? k : 1;
        if (!root_is_host(s->r))
                return set_problem(s->rd, "cannot resolve '%s' below the root", spec);
        k = blkdev_evaluate(spec, &devname);
        if (k == -ENOMEM)
                return k;
        if (k < 0)
                return set_problem(s->rd, "no block device has %s", spec);
        if (strncmp(devname, "/dev/", 5) != 0)
                return set_problem(s->rd, "%s is '%s', not a /dev path", spec, devname);
        return dev_path_to_name(s, devname, ret);
}

static bool all_hex(const char *s)
{
        if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
                s += 2;
        return *s && strspn(s, "0123456789abcdefABCDEF") == strlen(s);
}

/* "259:2" as decimal major:minor, or the kernel's hex dev_t ("10302", "0x10302"). */
static int devnum_path(const char *spec, char *buf, size_t size)
{
        uint64_t maj, min, dev;
        const char *colon = strchr(spec, ':');

        if (colon) {
                char head[16];
                if ((size_t)(colon - spec) >= sizeof(head))
                        return -EINVAL;
                memcpy(head, spec, (size_t)(colon - spec));
                head[colon - spec] = '\0';
                if (parse_u64(head, 10, 0xfff, &maj) < 0 || parse_u64(colon + 1, 10, 0xfffff, &min) < 0)
                        return -EINVAL;
        } else {
                if (!all_hex(spec) || parse_u64(spec, 16, UINT32_MAX, &dev) < 0)
                        return -EINVAL;
                /* The kernel's new_decode_dev(): minor bits are split around the major. */
                maj = (dev & 0xfff00) >> 8;
                min = (dev & 0xff) | ((dev >> 12) & 0xfff00);
        }
        snprintf(buf, size, "/sys/dev/block/%u:%u", (unsigned)maj, (unsigned)min);
        return 0;
}

/* SPEC → a path whose resolution is the block device's sysfs directory; 0 with a problem set. */
static int spec_to_lookup(struct resolver *s, const char *spec, char **ret)
{
        _cleanup_free_ char *name = NULL;
        char buf[PATH_MAX];
        int k = 0;

        if (strncmp(spec, "/dev/", 5) == 0)
                k = dev_path_to_name(s, spec, &name);
        else if (strchr(spec, '=')) {
                size_t t;
                for (t = 0; t < ARRAY_SIZE(tags); t++)
                        if (strncmp(spec, tags[t].prefix, strlen(tags[t].prefix)) == 0)
                                break;
                if (t == ARRAY_SIZE(tags))
                        return set_problem(s->rd, "cannot resolve '%s': unknown kind of root device", spec);
                k = tag_to_name(s, t, spec, &name);
        } else if (devnum_path(spec, buf, sizeof(buf)) >= 0)
                return (*ret = strdup(buf)) ? 1 : -ENOMEM;
        else if (class_block_exists(s->r, spec))
                k = (name = strdup(spec)) ? 1 : -ENOMEM;
        else
                return set_problem(s->rd, "cannot resolve '%s': not a block device", spec);
        if (k <= 0)
                return k;
        snprintf(buf, sizeof(buf), CLASS_BLOCK "/%s", name);
        return (*ret = strdup(buf)) ? 1 : -ENOMEM;
}

static int add_device(struct rootdev *rd, size_t idx)
{
        size_t *nd = realloc(rd->devices, (rd->n_devices + 1) * sizeof(size_t));
        if (!nd)
                return -ENOMEM;
        rd->devices = nd;
        rd->devices[rd->n_devices++] = idx;
        return 0;
}

/* Every PCI device on the way from the host bridge down to the disk. */
static int add_pci_on_path(struct resolver *s, const char *path)
{
        char comp[NAME_MAX + 1];

        for (const char *p = path; *p;) {
                p += strspn(p, "/");
                size_t n = strcspn(p, "/");
                struct pci_addr a;
                if (n > 0 && n < sizeof(comp)) {
                        memcpy(comp, p, n);
                        comp[n] = '\0';
                        size_t idx;
                        if (pci_addr_parse(comp, &a) >= 0 && (idx = machine_find_device(s->m, &a)) != NONE) {
                                int k = add_device(s->rd, idx);
                                if (k < 0)
                                        return k;
                        }
                }
                p += n;
        }
        return 0;
}

static int parent_dir(const char *path, char **ret)
{
        const char *slash = strrchr(path, '/');
        if (!slash || slash == path)
                return -EINVAL;
        char *s = strndup(path, (size_t)(slash - path));
        if (!s)
                return -ENOMEM;
        *ret = s;
        return 0;
}

/* A partition stands for its disk: the disk's directory is the one with the slaves and the bus. */
static int disk_of(struct resolver *s, const char *syspath, char **ret)
{
        char path[PATH_MAX];

        snprintf(path, sizeof(path), "%s/partition", syspath);
        if (root_exists(s->r, path))
                return parent_dir(syspath, ret);
        return (*ret = strdup(syspath)) ? 0 : -ENOMEM;
}

static bool visited(struct resolver *s, const char *disk)
{
        for (size_t i = 0; i < s->n_visited; i++)
                if (strcmp(s->visited[i], disk) == 0)
                        return true;
        return false;
}

static int collect(struct resolver *s, const char *syspath, unsigned depth);

static int collect_slaves(struct resolver *s, const char *disk, unsigned depth)
{
        _cleanup_strv_ char **names = NULL;
        char path[PATH_MAX];
        size_t n = 0;
        int k;

        snprintf(path, sizeof(path), "%s/slaves", disk);
        if (root_list(s->r, path, &names, &n) < 0)
                return 0;
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *resolved = NULL;
                snprintf(path, sizeof(path), "%s/slaves/%s", disk, names[i]);
                k = root_resolve(s->r, path, &resolved);
                if (k == -ENOMEM)
                        return k;
                if (k < 0) {
                        k = set_problem(s->rd, "cannot resolve %s: %s", path, strerror(-k));
                        if (k < 0)
                                return k;
                        continue;
                }
                k = collect(s, resolved, depth + 1);
                if (k < 0)
                        return k;
        }
        return 0;
}

static int collect(struct resolver *s, const char *syspath, unsigned depth)
{
        _cleanup_free_ char *disk = NULL;
        int k;

        if (depth > MAX_DEPTH)
                return set_problem(s->rd, "block devices nested more than %d deep at %s", MAX_DEPTH, syspath);
        k = disk_of(s, syspath, &disk);
        if (k < 0)
                return k == -ENOMEM ? k : 0;
        if (visited(s, disk))
                return 0;
        k = strv_push(&s->visited, &s->n_visited, disk);
        if (k < 0)
                return k;
        k = add_pci_on_path(s, disk);
        if (k < 0)
                return k;
        return collect_slaves(s, disk, depth);
}

static int cmp_index(const void *a, const void *b)
{
        size_t x = *(const size_t *)a, y = *(const size_t *)b;
        return x < y ? -1 : x > y;
}

static void sort_unique(struct rootdev *rd)
{
        size_t w = 0;

        if (rd->n_devices == 0)
                return;
        qsort(rd->devices, rd->n_devices, sizeof(size_t), cmp_index);
        for (size_t i = 0; i < rd->n_devices; i++)
                if (w == 0 || rd->devices[w - 1] != rd->devices[i])
                        rd->devices[w++] = rd->devices[i];
        rd->n_devices = w;
}

static int resolve_spec(struct resolver *s, const char *spec)
{
        _cleanup_free_ char *lookup = NULL, *syspath = NULL;
        int k;

        k = spec_to_lookup(s, spec, &lookup);
        if (k <= 0)
                return k;
        k = root_resolve(s->r, lookup, &syspath);
        if (k == -ENOMEM)
                return k;
        if (k < 0)
                return set_problem(s->rd, "cannot resolve '%s': %s: %s", spec, lookup, strerror(-k));
        s->rd->block = strdup(strrchr(syspath, '/') + 1);
        if (!s->rd->block)
                return -ENOMEM;
        k = collect(s, syspath, 0);
        if (k < 0)
                return k;
        sort_unique(s->rd);
        return 0;
}

int rootdev_resolve(struct root *r, const struct machine *m, const char *spec, struct rootdev *ret)
{
        struct rootdev rd = { 0 };
        struct resolver s = { .r = r, .m = m, .rd = &rd };
        int k = 0;

        if (spec) {
                rd.spec = strdup(spec);
                k = rd.spec ? resolve_spec(&s, spec) : -ENOMEM;
        }
        strv_free(s.visited);
        if (k < 0) {
                rootdev_done(&rd);
                return k;
        }
        *ret = rd;
        return 0;
}
