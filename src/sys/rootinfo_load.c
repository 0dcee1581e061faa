/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "rootinfo_load.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "macro.h"
#include "mounts.h"
#include "paths.h"
#include "protect.h"
#include "root.h"
#include "rootdisk.h"

#define MOUNTINFO_MAX (4 * 1024 * 1024)
#define RECORD_PATH VFIO_PREP_ROOT_RECORD
#define RECORD_MAX 65536
/* systemd-boot's vendor GUID (the Boot Loader Interface). */
#define LOADER_PARTUUID "/sys/firmware/efi/efivars/LoaderDevicePartUUID-4a67b082-0a4c-41cf-b6c7-440b29bb8c4f"

static int set_what(struct rootdisk *rd, const char *what)
{
        free(rd->what);
        rd->what = strdup(what);
        return rd->what ? 0 : -ENOMEM;
}

static int add_extra(struct rootinfo *ri, struct rootdisk *rd, const char *what)
{
        if (array_grow(&ri->extra, ri->n_extra) < 0 || set_what(rd, what) < 0) {
                rootdisk_done(rd);
                return -ENOMEM;
        }
        ri->extra[ri->n_extra++] = *rd;
        return 0;
}

/* The kernel's own file systems for "/" in an initramfs: not the real root. */
static bool initramfs_fs(const char *fstype)
{
        return strcmp(fstype, "rootfs") == 0 || strcmp(fstype, "tmpfs") == 0 || strcmp(fstype, "ramfs") == 0;
}

/* "/sysroot" + "/boot"; "/" + "/boot" is "/boot". */
static void join(const char *sysroot, const char *path, char *buf, size_t size)
{
        if (!sysroot || strcmp(sysroot, "/") == 0)
                snprintf(buf, size, "%s", path);
        else
                snprintf(buf, size, "%.*s%s", (int)(strlen(sysroot) - (sysroot[strlen(sysroot) - 1] == '/')), sysroot,
                         strcmp(path, "/") == 0 ? "" : path);
}

/*
 * systemd-boot's LoaderDevicePartUUID: 4 bytes of attributes, then the ESP's partition UUID as
 * UTF-16LE text. "PARTUUID=…" in BUF, or -EINVAL.
 */
static int loader_partuuid(const char *data, size_t len, char *buf, size_t size)
{
        char uuid[37];
        size_t n = 0;

        for (size_t i = 4; i + 1 < len && n < sizeof(uuid) - 1; i += 2) {
                unsigned char lo = (unsigned char)data[i], hi = (unsigned char)data[i + 1];
                if (lo == 0 && hi == 0)
                        break;
                if (hi != 0 || !(strchr("0123456789abcdefABCDEF-", lo)) || lo == 0)
                        return -EINVAL;
                uuid[n++] = (char)lo;
        }
        uuid[n] = '\0';
        if (n != 36)
                return -EINVAL;
        snprintf(buf, size, "PARTUUID=%s", uuid);
        return 0;
}

/* No mounted root and no root=: the disk of the ESP systemd-boot started from, as
 * systemd-gpt-auto-generator finds root on it. */
static int root_from_esp(struct root *r, const struct machine *m, struct rootdisk *ret)
{
        _cleanup_free_ char *data = NULL;
        char spec[64];
        size_t len = 0;
        int k = root_read_file(r, LOADER_PARTUUID, 4096, &data, &len);

        if (k == -ENOMEM)
                return k;
        if (k < 0) {
                *ret = (struct rootdisk){ 0 };
                return asprintf(&ret->problem, "no root file system is mounted, root= is not on the kernel command "
                                               "line, and no LoaderDevicePartUUID EFI variable names the ESP") < 0
                               ? -ENOMEM
                               : 0;
        }
        if (loader_partuuid(data, len, spec, sizeof(spec)) < 0) {
                *ret = (struct rootdisk){ 0 };
                return asprintf(&ret->problem, "the LoaderDevicePartUUID EFI variable holds no partition UUID") < 0
                               ? -ENOMEM
                               : 0;
        }
        k = rootdisk_resolve(r, m, spec, ret);
        if (k < 0)
                return k;
        ret->origin = strdup("the ESP named by LoaderDevicePartUUID: root is on its disk");
        return ret->origin ? 0 : -ENOMEM;
}

static int load_root(struct root *r, const struct machine *m, const struct cmdline *c, const char *sysroot,
                     const struct mount_table *mt, struct rootinfo *ri)
{
        const struct mount_entry *me = mounts_find(mt, sysroot ? sysroot : "/");
        const char *spec = cmdline_value(c, "root");
        char why[256];
        int k;

        ri->in_initramfs = !sysroot && me && initramfs_fs(me->fstype);
        /* A --sysroot that is not a block-backed mount (a test's rootfs, a root on tmpfs) names
           no device: root= says what backs root then. */
        if (me && !initramfs_fs(me->fstype))
                k = rootdisk_resolve_mount(r, m, me, &ri->root);
        else if (spec && protect_network_root(c, why, sizeof(why)) && strncmp(why, "root=", 5) == 0) {
                ri->root = (struct rootdisk){ .network = true };
                k = (ri->root.spec = strdup(spec)) && asprintf(&ri->root.problem, "root is on the network") >= 0
                            ? 0
                            : -ENOMEM;
        } else if (spec)
                k = rootdisk_resolve(r, m, spec, &ri->root);
        else
                k = root_from_esp(r, m, &ri->root);
        if (k < 0)
                return k;
        return set_what(&ri->root, "root");
}

static int load_mounted_extra(struct root *r, const struct machine *m, const char *sysroot,
                              const struct mount_table *mt, struct rootinfo *ri)
{
        static const char *const points[] = { "/boot", "/boot/efi", "/efi" };
        char path[PATH_MAX];

        for (size_t i = 0; i < ARRAY_SIZE(points); i++) {
                struct rootdisk rd;
                join(sysroot, points[i], path, sizeof(path));
                const struct mount_entry *me = mounts_find(mt, path);
                /* systemd's automount shows autofs there until first use: not a device. */
                if (!me || strcmp(me->fstype, "autofs") == 0)
                        continue;
                int k = rootdisk_resolve_mount(r, m, me, &rd);
                if (k < 0 || (k = add_extra(ri, &rd, points[i])) < 0)
                        return k;
        }
        return 0;
}

static int load_extra(struct root *r, const struct machine *m, const struct cmdline *c, const char *sysroot,
                      const struct mount_table *mt, char **swaps, size_t n_swaps, struct rootinfo *ri)
{
        const char *resume = cmdline_value(c, "resume");
        struct rootdisk rd;
        int k;

        if (resume) {
                k = rootdisk_resolve(r, m, resume, &rd);
                if (k < 0 || (k = add_extra(ri, &rd, "resume")) < 0)
                        return k;
        }
        for (size_t i = 0; i < n_swaps; i++) {
                k = rootdisk_resolve(r, m, swaps[i], &rd);
                if (k < 0 || (k = add_extra(ri, &rd, "swap")) < 0)
                        return k;
        }
        return load_mounted_extra(r, m, sysroot, mt, ri);
}

static int add_busy(struct rootinfo *ri, size_t device, const char *why)
{
        if (rootinfo_busy(ri, device))
                return 0;
        if (array_grow(&ri->busy, ri->n_busy) < 0)
                return -ENOMEM;
        struct busy_device *b = &ri->busy[ri->n_busy];
        if (!(b->why = strdup(why)))
                return -ENOMEM;
        b->device = device;
        ri->n_busy++;
        return 0;
}

/* Every controller RD's paths end at is busy for WHY. */
static int mark_busy(struct rootinfo *ri, const struct rootdisk *rd, const char *why)
{
        for (size_t i = 0; i < rd->n_leaves; i++) {
                int k = add_busy(ri, rd->leaves[i].controller, why);
                if (k < 0)
                        return k;
        }
        return 0;
}

static bool mount_seen(const struct mount_table *mt, size_t upto)
{
        const struct mount_entry *e = &mt->entries[upto];
        for (size_t i = 0; i < upto; i++)
                if (mt->entries[i].major == e->major && mt->entries[i].minor == e->minor &&
                    strcmp(mt->entries[i].source, e->source) == 0)
                        return true;
        return false;
}

static int busy_mounts(struct root *r, const struct machine *m, const struct mount_table *mt, struct rootinfo *ri)
{
        for (size_t i = 0; i < mt->n_entries; i++) {
                const struct mount_entry *e = &mt->entries[i];
                struct rootdisk rd;
                char why[PATH_MAX + 64];
                if ((e->major == 0 && strcmp(e->fstype, "btrfs") != 0) || mount_seen(mt, i))
                        continue;
                int k = rootdisk_resolve_mount(r, m, e, &rd);
                if (k < 0)
                        return k;
                snprintf(why, sizeof(why), "%s mounted at %s", rd.block ? rd.block : e->source, e->mountpoint);
                k = mark_busy(ri, &rd, why);
                rootdisk_done(&rd);
                if (k < 0)
                        return k;
        }
        return 0;
}

static int busy_swaps(struct root *r, const struct machine *m, char **swaps, size_t n, struct rootinfo *ri)
{
        for (size_t i = 0; i < n; i++) {
                struct rootdisk rd;
                char why[PATH_MAX + 32];
                int k = rootdisk_resolve(r, m, swaps[i], &rd);
                if (k < 0)
                        return k;
                snprintf(why, sizeof(why), "%s used as swap", rd.block ? rd.block : swaps[i]);
                k = mark_busy(ri, &rd, why);
                rootdisk_done(&rd);
                if (k < 0)
                        return k;
        }
        return 0;
}

/* A block device with holders (dm, md, LVM, bcache on top) is in use even when nothing is mounted. */
static int busy_holders(struct root *r, const struct machine *m, struct rootinfo *ri)
{
        _cleanup_strv_ char **names = NULL;
        size_t n = 0;

        if (root_list(r, "/sys/class/block", &names, &n) < 0)
                return 0;
        for (size_t i = 0; i < n; i++) {
                _cleanup_strv_ char **holders = NULL;
                char path[PATH_MAX], why[2 * NAME_MAX + 16];
                size_t nh = 0;
                struct rootdisk rd;
                snprintf(path, sizeof(path), "/sys/class/block/%s/holders", names[i]);
                if (root_list(r, path, &holders, &nh) < 0 || nh == 0)
                        continue;
                int k = rootdisk_resolve(r, m, names[i], &rd);
                if (k < 0)
                        return k;
                snprintf(why, sizeof(why), "%s held by %s", names[i], holders[0]);
                k = mark_busy(ri, &rd, why);
                rootdisk_done(&rd);
                if (k < 0)
                        return k;
        }
        return 0;
}

static int load_record(struct root *r, struct root_record *ret)
{
        _cleanup_free_ char *text = NULL;
        size_t len = 0;
        int k = root_read_file(r, RECORD_PATH, RECORD_MAX, &text, &len);

        *ret = (struct root_record){ 0 };
        if (k == -ENOENT || k == -ENOTDIR)
                return 0;
        if (k == -ENOMEM)
                return k;
        if (k < 0) {
                ret->found = true;
                return asprintf(&ret->problem, "cannot read %s: %s", RECORD_PATH, strerror(-k)) < 0 ? -ENOMEM : 0;
        }
        if (strlen(text) != len) {
                ret->found = true;
                return asprintf(&ret->problem, "%s holds a NUL byte", RECORD_PATH) < 0 ? -ENOMEM : 0;
        }
        return root_record_parse(text, ret);
}

static int load_tables(struct root *r, struct mount_table *ret_mt, char ***ret_swaps, size_t *ret_n)
{
        _cleanup_free_ char *text = NULL;
        int k = root_read_file(r, "/proc/self/mountinfo", MOUNTINFO_MAX, &text, NULL);

        *ret_mt = (struct mount_table){ 0 };
        if (k == -ENOMEM || (k >= 0 && mounts_parse(text, ret_mt) < 0))
                return -ENOMEM;
        free(text);
        text = NULL;
        k = root_read_file(r, "/proc/swaps", MOUNTINFO_MAX, &text, NULL);
        if (k == -ENOMEM || swaps_parse(k >= 0 ? text : "", ret_swaps, ret_n) < 0) {
                mounts_done(ret_mt);
                return -ENOMEM;
        }
        return 0;
}

int rootinfo_load(struct root *r, const struct machine *m, const struct cmdline *c, const char *sysroot,
                  struct rootinfo *ret)
{
        struct rootinfo ri = { 0 };
        struct mount_table mt;
        char **swaps = NULL, why[256];
        size_t n_swaps = 0;
        int k = load_tables(r, &mt, &swaps, &n_swaps);

        if (k < 0)
                return k;
        k = load_root(r, m, c, sysroot, &mt, &ri);
        if (k >= 0)
                k = load_extra(r, m, c, sysroot, &mt, swaps, n_swaps, &ri);
        if (k >= 0 && protect_network_root(c, why, sizeof(why)) && !(ri.network = strdup(why)))
                k = -ENOMEM;
        if (k >= 0 && !ri.network && ri.root.network && !(ri.network = strdup(ri.root.problem)))
                k = -ENOMEM;
        if (k >= 0)
                k = load_record(r, &ri.record);
        if (k >= 0)
                k = busy_mounts(r, m, &mt, &ri);
        if (k >= 0)
                k = busy_swaps(r, m, swaps, n_swaps, &ri);
        if (k >= 0)
                k = busy_holders(r, m, &ri);
        mounts_done(&mt);
        strv_free(swaps);
        if (k < 0) {
                rootinfo_done(&ri);
                return k;
        }
        *ret = ri;
        return 0;
}
