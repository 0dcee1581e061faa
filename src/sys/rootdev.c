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
#include "mounts.h"
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
        char path[PATH_MAX + 32];

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

/* Every PCI device on the way from the host bridge down to the disk; RET_LAST the nearest one. */
static int add_pci_on_path(struct resolver *s, const char *path, size_t *ret_last)
{
        char comp[NAME_MAX + 1];

        *ret_last = NONE;
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
                                *ret_last = idx;
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

static int collect(struct resolver *s, const char *syspath, const char *chain, unsigned depth);

/* Collect what the link PATH points to; a link that does not resolve is a problem, not an error. */
static int collect_link(struct resolver *s, const char *path, const char *chain, unsigned depth)
{
        _cleanup_free_ char *resolved = NULL;
        int k = root_resolve(s->r, path, &resolved);

        if (k == -ENOMEM)
                return k;
        if (k < 0)
                return set_problem(s->rd, "cannot resolve %s: %s", path, strerror(-k));
        return collect(s, resolved, chain, depth);
}

/* Collect every slave of DISK; RET_N how many there were (0: DISK is where the path ends). */
static int collect_slaves(struct resolver *s, const char *disk, const char *chain, unsigned depth, size_t *ret_n)
{
        _cleanup_strv_ char **names = NULL;
        char path[PATH_MAX];
        size_t n = 0;
        int k;

        *ret_n = 0;
        snprintf(path, sizeof(path), "%s/slaves", disk);
        if (root_list(s->r, path, &names, &n) < 0)
                return 0;
        *ret_n = n;
        for (size_t i = 0; i < n; i++) {
                snprintf(path, sizeof(path), "%s/slaves/%s", disk, names[i]);
                k = collect_link(s, path, chain, depth + 1);
                if (k < 0)
                        return k;
        }
        return 0;
}

static const char *base_name(const char *path)
{
        const char *slash = strrchr(path, '/');
        return slash ? slash + 1 : path;
}

/* What a virtual block device is, for messages: "LUKS", "LVM", "raid1"; "" when plain. */
static void block_kind(struct resolver *s, const char *syspath, char *buf, size_t size)
{
        static const struct {
                const char *prefix, *kind;
        } dm[] = { { "CRYPT-LUKS", "LUKS" }, { "CRYPT-", "dm-crypt" }, { "LVM-", "LVM" }, { "mpath-", "multipath" } };
        _cleanup_free_ char *v = NULL;
        char path[PATH_MAX];

        buf[0] = '\0';
        snprintf(path, sizeof(path), "%s/dm/uuid", syspath);
        if (root_read_attr(s->r, path, &v) >= 0) {
                for (size_t i = 0; i < ARRAY_SIZE(dm); i++)
                        if (strncmp(v, dm[i].prefix, strlen(dm[i].prefix)) == 0) {
                                snprintf(buf, size, "%s", dm[i].kind);
                                return;
                        }
                return;
        }
        snprintf(path, sizeof(path), "%s/md/level", syspath);
        if (root_read_attr(s->r, path, &v) >= 0 && strspn(v, "abcdefghijklmnopqrstuvwxyz0123456789") == strlen(v))
                snprintf(buf, size, "%s", v);
}

static int chain_append(struct resolver *s, const char *chain, const char *syspath, char **ret)
{
        char kind[32];
        const char *name = base_name(syspath);

        block_kind(s, syspath, kind, sizeof(kind));
        int k = asprintf(ret, "%s%s%s%s%s%s", chain ? chain : "", chain ? " -> " : "", name, *kind ? " (" : "", kind,
                         *kind ? ")" : "");
        return k < 0 ? -ENOMEM : 0;
}

static int add_leaf(struct rootdev *rd, size_t controller, const char *chain)
{
        for (size_t i = 0; i < rd->n_leaves; i++)
                if (rd->leaves[i].controller == controller && strcmp(rd->leaves[i].chain, chain) == 0)
                        return 0;
        struct rootdev_leaf *nl = realloc(rd->leaves, (rd->n_leaves + 1) * sizeof(*nl));
        if (!nl)
                return -ENOMEM;
        rd->leaves = nl;
        nl[rd->n_leaves].chain = strdup(chain);
        if (!nl[rd->n_leaves].chain)
                return -ENOMEM;
        nl[rd->n_leaves++].controller = controller;
        return 0;
}

/* "nvme%un%u" → the subsystem and namespace instances of a multipath head. */
static bool nvme_head_name(const char *name, unsigned *ret_sub, unsigned *ret_ns)
{
        int end = 0;
        return sscanf(name, "nvme%un%u%n", ret_sub, ret_ns, &end) == 2 && name[end] == '\0';
}

static bool nvme_ctrl_name(const char *name, unsigned *ret)
{
        int end = 0;
        return sscanf(name, "nvme%u%n", ret, &end) == 1 && name[end] == '\0';
}

/*
 * An NVMe multipath head lives below /sys/devices/virtual/nvme-subsystem/nvme-subsysS: it has
 * no bus of its own. Its paths nvmeScCnN are block devices below each controller nvmeC of the
 * subsystem (the kernel's naming, drivers/nvme/host/multipath.c); newer kernels also link them
 * from the head's multipath/ directory. Every path is followed; with none found the head is
 * not identified.
 */
static int collect_nvme_paths(struct resolver *s, const char *disk, const char *chain, unsigned depth)
{
        _cleanup_strv_ char **names = NULL;
        _cleanup_free_ char *subsys = NULL;
        char path[PATH_MAX];
        unsigned sub, ns, ctrl;
        size_t n = 0, found = 0;
        int k;

        if (!nvme_head_name(base_name(disk), &sub, &ns) || parent_dir(disk, &subsys) < 0)
                return set_problem(s->rd, "%s is below an NVMe subsystem but not a multipath head", base_name(disk));
        if (root_list(s->r, subsys, &names, &n) < 0)
                return set_problem(s->rd, "cannot list %s to find the paths of %s", subsys, base_name(disk));
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *resolved = NULL;
                if (!nvme_ctrl_name(names[i], &ctrl))
                        continue;
                snprintf(path, sizeof(path), "%s/%s/nvme%uc%un%u", subsys, names[i], sub, ctrl, ns);
                k = root_resolve(s->r, path, &resolved);
                if (k == -ENOMEM)
                        return k;
                if (k < 0)
                        continue;
                found++;
                k = collect(s, resolved, chain, depth + 1);
                if (k < 0)
                        return k;
        }
        if (found == 0)
                return set_problem(s->rd, "%s is an NVMe multipath device and none of its paths was found",
                                   base_name(disk));
        return 0;
}

static bool has_prefix(const char *s, const char *prefix)
{
        return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* A disk with no slaves: it must sit below a PCI device, or need none. */
static int collect_leaf(struct resolver *s, const char *disk, const char *chain, size_t controller, unsigned depth)
{
        const char *name = base_name(disk);

        if (controller != NONE)
                return add_leaf(s->rd, controller, chain);
        if (strstr(disk, "/nvme-subsystem/"))
                return collect_nvme_paths(s, disk, chain, depth);
        /* Memory is not a device anyone passes through. */
        if (has_prefix(name, "zram") || (has_prefix(name, "ram") && name[3] >= '0' && name[3] <= '9'))
                return 0;
        if (has_prefix(name, "nbd") || has_prefix(name, "rbd") || strstr(disk, "/session") ||
            strstr(disk, "/nvme-fabrics/")) {
                s->rd->network = true;
                return set_problem(s->rd, "%s is a network block device", name);
        }
        if (has_prefix(name, "loop"))
                return set_problem(s->rd, "%s is a loop device: the disk holding its file is not followed", name);
        return set_problem(s->rd, "%s has no PCI device beneath (%s)", name, disk);
}

static int collect(struct resolver *s, const char *syspath, const char *chain, unsigned depth)
{
        _cleanup_free_ char *disk = NULL, *here = NULL;
        size_t controller, n_slaves;
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
        k = chain_append(s, chain, syspath, &here);
        if (k < 0)
                return k;
        k = add_pci_on_path(s, disk, &controller);
        if (k < 0)
                return k;
        k = collect_slaves(s, disk, here, depth, &n_slaves);
        if (k < 0 || n_slaves > 0)
                return k;
        return collect_leaf(s, disk, here, controller, depth);
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
        k = collect(s, syspath, NULL, 0);
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

/* The /sys/fs/btrfs/UUID/devices directory that lists block device NAME, or -ENOENT. */
static int btrfs_devices_dir(struct root *r, const char *name, char **ret)
{
        _cleanup_strv_ char **fss = NULL;
        char path[PATH_MAX];
        size_t n = 0;

        if (!valid_block_name(name) || root_list(r, "/sys/fs/btrfs", &fss, &n) < 0)
                return -ENOENT;
        for (size_t i = 0; i < n; i++) {
                snprintf(path, sizeof(path), "/sys/fs/btrfs/%s/devices/%s", fss[i], name);
                if (!root_exists(r, path))
                        continue;
                snprintf(path, sizeof(path), "/sys/fs/btrfs/%s/devices", fss[i]);
                return (*ret = strdup(path)) ? 0 : -ENOMEM;
        }
        return -ENOENT;
}

/* A btrfs file system spans every device in its devices/ directory, not just its source. */
static int resolve_btrfs(struct resolver *s, const char *source)
{
        _cleanup_free_ char *name = NULL, *dir = NULL;
        _cleanup_strv_ char **devs = NULL;
        size_t n = 0;
        int k;

        if (strncmp(source, "/dev/", 5) != 0)
                return set_problem(s->rd, "btrfs on '%s', not a /dev path", source);
        k = dev_path_to_name(s, source, &name);
        if (k <= 0)
                return k;
        k = btrfs_devices_dir(s->r, name, &dir);
        if (k == -ENOMEM)
                return k;
        if (k < 0)
                return set_problem(s->rd,
                                   "btrfs on %s: no /sys/fs/btrfs/*/devices lists it, so its other "
                                   "devices cannot be known",
                                   name);
        if (!(s->rd->block = strdup(name)))
                return -ENOMEM;
        k = root_list(s->r, dir, &devs, &n);
        if (k < 0)
                return k == -ENOMEM ? k : set_problem(s->rd, "cannot list %s: %s", dir, strerror(-k));
        for (size_t i = 0; i < n; i++) {
                char path[PATH_MAX];
                snprintf(path, sizeof(path), "%s/%s", dir, devs[i]);
                k = collect_link(s, path, NULL, 0);
                if (k < 0)
                        return k;
        }
        sort_unique(s->rd);
        return 0;
}

static int resolve_mount(struct resolver *s, const struct mount_entry *me)
{
        char devnum[32];

        if (mounts_is_network_fs(me->fstype)) {
                s->rd->network = true;
                return set_problem(s->rd, "a network file system (%s)", me->fstype);
        }
        if (strcmp(me->fstype, "btrfs") == 0)
                return resolve_btrfs(s, me->source);
        if (me->major == 0)
                return set_problem(s->rd, "a %s file system, not on a block device vfio-prep can follow", me->fstype);
        snprintf(devnum, sizeof(devnum), "%u:%u", me->major, me->minor);
        return resolve_spec(s, devnum);
}

int rootdev_resolve_mount(struct root *r, const struct machine *m, const struct mount_entry *me, struct rootdev *ret)
{
        struct rootdev rd = { 0 };
        struct resolver s = { .r = r, .m = m, .rd = &rd };
        int k = -ENOMEM;

        if ((rd.spec = strdup(me->source)) && asprintf(&rd.origin, "mounted at %s", me->mountpoint) >= 0)
                k = resolve_mount(&s, me);
        else
                rd.origin = NULL;
        strv_free(s.visited);
        if (k < 0) {
                rootdev_done(&rd);
                return k;
        }
        *ret = rd;
        return 0;
}
