/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "rootdisk_internal.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "macro.h"
#include "mounts.h"
#include "root.h"

/* dm on LUKS on md on partitions rarely goes past four; beyond this the tree is not sane. */
#define MAX_DEPTH 16

static int add_device(struct rootdisk *rd, size_t idx)
{
        if (array_grow(&rd->devices, rd->n_devices) < 0)
                return -ENOMEM;
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

/* The block devices from the file system down to where the walk is: their names for messages
 * ("dm-0 (LUKS) -> nvme0n1p3"; NULL above the first), and whether a dm-crypt layer is among
 * them (a keyboard is then needed at boot, check_usb.c). */
struct chain {
        const char *text;
        bool encrypted;
};

static int collect(struct resolver *s, const char *syspath, const struct chain *chain, unsigned depth);

/* Collect what the link PATH points to; a link that does not resolve is a problem, not an error. */
static int collect_link(struct resolver *s, const char *path, const struct chain *chain, unsigned depth)
{
        _cleanup_free_ char *resolved = NULL;
        int k = root_resolve(s->r, path, &resolved);

        if (k == -ENOMEM)
                return k;
        if (k < 0)
                return rootdisk_problem(s->rd, "cannot resolve %s: %s", path, strerror(-k));
        return collect(s, resolved, chain, depth);
}

/* Collect every slave of DISK; RET_N how many there were (0: DISK is where the path ends). */
static int collect_slaves(struct resolver *s, const char *disk, const struct chain *chain, unsigned depth,
                          size_t *ret_n)
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

/* What a virtual block device is, for messages: "LUKS", "LVM", "raid1"; "" when plain.
 * *RET_CRYPT: it is a dm-crypt mapping (its uuid says so: cryptsetup names them CRYPT-). */
static void block_kind(struct resolver *s, const char *syspath, char *buf, size_t size, bool *ret_crypt)
{
        static const struct {
                const char *prefix, *kind;
                bool crypt;
        } dm[] = { { "CRYPT-LUKS", "LUKS", true },
                   { "CRYPT-", "dm-crypt", true },
                   { "LVM-", "LVM", false },
                   { "mpath-", "multipath", false } };
        _cleanup_free_ char *v = NULL;
        char path[PATH_MAX];

        buf[0] = '\0';
        *ret_crypt = false;
        snprintf(path, sizeof(path), "%s/dm/uuid", syspath);
        if (root_read_attr(s->r, path, &v) >= 0) {
                for (size_t i = 0; i < ARRAY_SIZE(dm); i++)
                        if (strncmp(v, dm[i].prefix, strlen(dm[i].prefix)) == 0) {
                                snprintf(buf, size, "%s", dm[i].kind);
                                *ret_crypt = dm[i].crypt;
                                return;
                        }
                return;
        }
        snprintf(path, sizeof(path), "%s/md/level", syspath);
        if (root_read_attr(s->r, path, &v) >= 0 && strspn(v, "abcdefghijklmnopqrstuvwxyz0123456789") == strlen(v))
                snprintf(buf, size, "%s", v);
}

/* UP with SYSPATH's block device below it: RET's text is allocated into *RET_TEXT. */
static int chain_append(struct resolver *s, const struct chain *up, const char *syspath, char **ret_text,
                        struct chain *ret)
{
        char kind[32];
        const char *name = base_name(syspath);
        bool crypt;

        block_kind(s, syspath, kind, sizeof(kind), &crypt);
        int k = asprintf(ret_text, "%s%s%s%s%s%s", up->text ? up->text : "", up->text ? " -> " : "", name,
                         *kind ? " (" : "", kind, *kind ? ")" : "");
        if (k < 0)
                return -ENOMEM;
        *ret = (struct chain){ .text = *ret_text, .encrypted = up->encrypted || crypt };
        return 0;
}

static int add_leaf(struct rootdisk *rd, size_t controller, const struct chain *chain)
{
        for (size_t i = 0; i < rd->n_leaves; i++)
                if (rd->leaves[i].controller == controller && strcmp(rd->leaves[i].chain, chain->text) == 0)
                        return 0;
        if (array_grow(&rd->leaves, rd->n_leaves) < 0)
                return -ENOMEM;
        struct rootdisk_leaf *l = &rd->leaves[rd->n_leaves];
        l->chain = strdup(chain->text);
        if (!l->chain)
                return -ENOMEM;
        l->controller = controller;
        l->encrypted = chain->encrypted;
        rd->n_leaves++;
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
static int collect_nvme_paths(struct resolver *s, const char *disk, const struct chain *chain, unsigned depth)
{
        _cleanup_strv_ char **names = NULL;
        _cleanup_free_ char *subsys = NULL;
        char path[PATH_MAX];
        unsigned sub, ns, ctrl;
        size_t n = 0, found = 0;
        int k;

        if (!nvme_head_name(base_name(disk), &sub, &ns) || parent_dir(disk, &subsys) < 0)
                return rootdisk_problem(s->rd, "%s is below an NVMe subsystem but not a multipath head",
                                        base_name(disk));
        if (root_list(s->r, subsys, &names, &n) < 0)
                return rootdisk_problem(s->rd, "cannot list %s to find the paths of %s", subsys, base_name(disk));
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
                return rootdisk_problem(s->rd, "%s is an NVMe multipath device and none of its paths was found",
                                        base_name(disk));
        return 0;
}

static bool has_prefix(const char *s, const char *prefix)
{
        return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* A disk with no slaves: it must sit below a PCI device, or need none. */
static int collect_leaf(struct resolver *s, const char *disk, const struct chain *chain, size_t controller,
                        unsigned depth)
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
                return rootdisk_problem(s->rd, "%s is a network block device", name);
        }
        if (has_prefix(name, "loop"))
                return rootdisk_problem(s->rd, "%s is a loop device: the disk holding its file is not followed", name);
        return rootdisk_problem(s->rd, "%s has no PCI device beneath (%s)", name, disk);
}

static int collect(struct resolver *s, const char *syspath, const struct chain *chain, unsigned depth)
{
        _cleanup_free_ char *disk = NULL, *here_text = NULL;
        struct chain here;
        size_t controller, n_slaves;
        int k;

        if (depth > MAX_DEPTH)
                return rootdisk_problem(s->rd, "block devices nested more than %d deep at %s", MAX_DEPTH, syspath);
        k = disk_of(s, syspath, &disk);
        if (k < 0)
                return k == -ENOMEM ? k : 0;
        if (visited(s, disk))
                return 0;
        k = strv_push(&s->visited, &s->n_visited, disk);
        if (k < 0)
                return k;
        k = chain_append(s, chain, syspath, &here_text, &here);
        if (k < 0)
                return k;
        k = add_pci_on_path(s, disk, &controller);
        if (k < 0)
                return k;
        k = collect_slaves(s, disk, &here, depth, &n_slaves);
        if (k < 0 || n_slaves > 0)
                return k;
        return collect_leaf(s, disk, &here, controller, depth);
}

static int cmp_index(const void *a, const void *b)
{
        size_t x = *(const size_t *)a, y = *(const size_t *)b;
        return x < y ? -1 : x > y;
}

static void sort_unique(struct rootdisk *rd)
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

        k = rootdisk_spec_lookup(s, spec, &lookup);
        if (k <= 0)
                return k;
        k = root_resolve(s->r, lookup, &syspath);
        if (k == -ENOMEM)
                return k;
        if (k < 0)
                return rootdisk_problem(s->rd, "cannot resolve '%s': %s: %s", spec, lookup, strerror(-k));
        s->rd->block = strdup(strrchr(syspath, '/') + 1);
        if (!s->rd->block)
                return -ENOMEM;
        k = collect(s, syspath, &(const struct chain){ 0 }, 0);
        if (k < 0)
                return k;
        sort_unique(s->rd);
        return 0;
}

int rootdisk_resolve(struct root *r, const struct machine *m, const char *spec, struct rootdisk *ret)
{
        struct rootdisk rd = { 0 };
        struct resolver s = { .r = r, .m = m, .rd = &rd };
        int k = 0;

        if (spec) {
                rd.spec = strdup(spec);
                k = rd.spec ? resolve_spec(&s, spec) : -ENOMEM;
        }
        strv_free(s.visited);
        if (k < 0) {
                rootdisk_done(&rd);
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

        if (!rootdisk_valid_name(name) || root_list(r, "/sys/fs/btrfs", &fss, &n) < 0)
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
                return rootdisk_problem(s->rd, "btrfs on '%s', not a /dev path", source);
        k = rootdisk_dev_name(s, source, &name);
        if (k <= 0)
                return k;
        k = btrfs_devices_dir(s->r, name, &dir);
        if (k == -ENOMEM)
                return k;
        if (k < 0)
                return rootdisk_problem(s->rd,
                                        "btrfs on %s: no /sys/fs/btrfs/*/devices lists it, so its other "
                                        "devices cannot be known",
                                        name);
        if (!(s->rd->block = strdup(name)))
                return -ENOMEM;
        k = root_list(s->r, dir, &devs, &n);
        if (k < 0)
                return k == -ENOMEM ? k : rootdisk_problem(s->rd, "cannot list %s: %s", dir, strerror(-k));
        for (size_t i = 0; i < n; i++) {
                char path[PATH_MAX];
                snprintf(path, sizeof(path), "%s/%s", dir, devs[i]);
                k = collect_link(s, path, &(const struct chain){ 0 }, 0);
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
                return rootdisk_problem(s->rd, "a network file system (%s)", me->fstype);
        }
        if (strcmp(me->fstype, "btrfs") == 0)
                return resolve_btrfs(s, me->source);
        if (me->major == 0)
                return rootdisk_problem(s->rd, "a %s file system, not on a block device vfio-prep can follow",
                                        me->fstype);
        snprintf(devnum, sizeof(devnum), "%u:%u", me->major, me->minor);
        return resolve_spec(s, devnum);
}

int rootdisk_resolve_mount(struct root *r, const struct machine *m, const struct mount_entry *me, struct rootdisk *ret)
{
        struct rootdisk rd = { 0 };
        struct resolver s = { .r = r, .m = m, .rd = &rd };
        int k = -ENOMEM;

        if ((rd.spec = strdup(me->source)) && asprintf(&rd.origin, "mounted at %s", me->mountpoint) >= 0)
                k = resolve_mount(&s, me);
        else
                rd.origin = NULL;
        strv_free(s.visited);
        if (k < 0) {
                rootdisk_done(&rd);
                return k;
        }
        *ret = rd;
        return 0;
}
