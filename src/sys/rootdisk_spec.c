/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "rootdisk_internal.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blkdev.h"
#include "parse.h"
#include "root.h"

int rootdisk_problem(struct rootdisk *rd, const char *fmt, ...)
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

bool rootdisk_valid_name(const char *s)
{
        return *s && strcmp(s, ".") != 0 && strcmp(s, "..") != 0 && !strchr(s, '/') && strlen(s) < NAME_MAX;
}

static bool class_block_exists(struct root *r, const char *name)
{
        char path[PATH_MAX + 32];

        if (!rootdisk_valid_name(name))
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
int rootdisk_dev_name(struct resolver *s, const char *path, char **ret)
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
                return rootdisk_problem(s->rd, "no block device '%s' below the root", path);
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
                return rootdisk_problem(s->rd, "cannot resolve '%s': PARTNROFF= and '/' are not supported", spec);
        k = tag_by_link(s, t, value, ret);
        if (k != -ENOENT)
                return k < 0 ? k : 1;
        if (!root_is_host(s->r))
                return rootdisk_problem(s->rd, "cannot resolve '%s' below the root", spec);
        k = blkdev_evaluate(spec, &devname);
        if (k == -ENOMEM)
                return k;
        if (k < 0)
                return rootdisk_problem(s->rd, "no block device has %s", spec);
        if (strncmp(devname, "/dev/", 5) != 0)
                return rootdisk_problem(s->rd, "%s is '%s', not a /dev path", spec, devname);
        return rootdisk_dev_name(s, devname, ret);
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
int rootdisk_spec_lookup(struct resolver *s, const char *spec, char **ret)
{
        _cleanup_free_ char *name = NULL;
        char buf[PATH_MAX];
        int k = 0;

        if (strncmp(spec, "/dev/", 5) == 0)
                k = rootdisk_dev_name(s, spec, &name);
        else if (strchr(spec, '=')) {
                size_t t;
                for (t = 0; t < ARRAY_SIZE(tags); t++)
                        if (strncmp(spec, tags[t].prefix, strlen(tags[t].prefix)) == 0)
                                break;
                if (t == ARRAY_SIZE(tags))
                        return rootdisk_problem(s->rd, "cannot resolve '%s': unknown kind of root device", spec);
                k = tag_to_name(s, t, spec, &name);
        } else if (devnum_path(spec, buf, sizeof(buf)) >= 0)
                return (*ret = strdup(buf)) ? 1 : -ENOMEM;
        else if (class_block_exists(s->r, spec))
                k = (name = strdup(spec)) ? 1 : -ENOMEM;
        else
                return rootdisk_problem(s->rd, "cannot resolve '%s': not a block device", spec);
        if (k <= 0)
                return k;
        snprintf(buf, sizeof(buf), CLASS_BLOCK "/%s", name);
        return (*ret = strdup(buf)) ? 1 : -ENOMEM;
}
