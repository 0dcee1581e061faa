/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "tree.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#define MAX_DEVS 256

/* Device name → its sysfs path inside the tree; one tree per test at a time. */
static struct {
        char name[32];
        char path[1024];
} devs[MAX_DEVS];
static size_t n_devs;

void tree_new(struct tree *t)
{
        const char *tmp = getenv("TMPDIR");
        snprintf(t->dir, sizeof(t->dir), "%s/vfio-prep-test.XXXXXX", tmp && *tmp ? tmp : "/tmp");
        assert_non_null(mkdtemp(t->dir));
        n_devs = 0;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
        (void)st;
        (void)flag;
        (void)ftw;
        return remove(path);
}

void tree_free(struct tree *t)
{
        if (t->dir[0])
                nftw(t->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
        t->dir[0] = '\0';
        n_devs = 0;
}

const char *tree_path(struct tree *t, const char *path)
{
        static char buf[4096];
        snprintf(buf, sizeof(buf), "%s%s", t->dir, path);
        return buf;
}

static void mkdir_parents(const char *full)
{
        char buf[4096];
        snprintf(buf, sizeof(buf), "%s", full);
        for (char *p = buf + 1; *p; p++) {
                if (*p != '/')
                        continue;
                *p = '\0';
                if (mkdir(buf, 0755) < 0 && errno != EEXIST)
                        fail_msg("mkdir %s: %s", buf, strerror(errno));
                *p = '/';
        }
}

void tree_mkdir(struct tree *t, const char *path)
{
        char full[4096];
        snprintf(full, sizeof(full), "%s%s/", t->dir, path);
        mkdir_parents(full);
}

void tree_bytes(struct tree *t, const char *path, const void *data, size_t len)
{
        char full[4096];
        snprintf(full, sizeof(full), "%s%s", t->dir, path);
        mkdir_parents(full);
        int fd = open(full, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0)
                fail_msg("create %s: %s", full, strerror(errno));
        assert_int_equal(write(fd, data, len), (ssize_t)len);
        close(fd);
}

void tree_file(struct tree *t, const char *path, const char *text)
{
        tree_bytes(t, path, text, strlen(text));
}

void tree_link(struct tree *t, const char *path, const char *target)
{
        char full[4096];
        snprintf(full, sizeof(full), "%s%s", t->dir, path);
        mkdir_parents(full);
        unlink(full);
        if (symlink(target, full) < 0)
                fail_msg("symlink %s: %s", full, strerror(errno));
}

void tree_chmod(struct tree *t, const char *path, unsigned mode)
{
        assert_int_equal(chmod(tree_path(t, path), mode), 0);
}

char *tree_read(struct tree *t, const char *path)
{
        FILE *f = fopen(tree_path(t, path), "re");
        if (!f)
                return NULL;
        char *buf = calloc(1, 65537);
        assert_non_null(buf);
        size_t n = fread(buf, 1, 65536, f);
        buf[n] = '\0';
        fclose(f);
        return buf;
}

const char *tree_dev_path(struct tree *t, const char *name)
{
        (void)t;
        for (size_t i = 0; i < n_devs; i++)
                if (strcmp(devs[i].name, name) == 0)
                        return devs[i].path;
        fail_msg("no device %s in the tree", name);
        return NULL;
}

/* "../" repeated once per component of PATH below the root, to make relative links. */
static void up_to_root(const char *path, char *buf, size_t size)
{
        buf[0] = '\0';
        for (const char *p = path + 1; *p; p++)
                if (*p == '/')
                        strncat(buf, "../", size - strlen(buf) - 1);
}

void tree_pci_device(struct tree *t, const char *name, const char *parent, unsigned vendor, unsigned device,
                     unsigned class, unsigned header_type)
{
        char path[1024], attr[1200], val[64], up[512], target[2048];
        uint8_t cfg[64] = { 0 };

        assert_true(n_devs < MAX_DEVS);
        if (parent)
                snprintf(path, sizeof(path), "%s/%s", tree_dev_path(t, parent), name);
        else
                snprintf(path, sizeof(path), "/sys/devices/pci%.7s/%s", name, name);
        snprintf(devs[n_devs].name, sizeof(devs[n_devs].name), "%s", name);
        snprintf(devs[n_devs].path, sizeof(devs[n_devs].path), "%s", path);
        n_devs++;

        snprintf(attr, sizeof(attr), "%s/vendor", path);
        snprintf(val, sizeof(val), "0x%04x\n", vendor);
        tree_file(t, attr, val);
        snprintf(attr, sizeof(attr), "%s/device", path);
        snprintf(val, sizeof(val), "0x%04x\n", device);
        tree_file(t, attr, val);
        snprintf(attr, sizeof(attr), "%s/class", path);
        snprintf(val, sizeof(val), "0x%06x\n", class);
        tree_file(t, attr, val);
        snprintf(attr, sizeof(attr), "%s/driver_override", path);
        tree_file(t, attr, "(null)\n");

        cfg[0] = vendor & 0xff;
        cfg[1] = vendor >> 8;
        cfg[2] = device & 0xff;
        cfg[3] = device >> 8;
        cfg[9] = class & 0xff;
        cfg[10] = (class >> 8) & 0xff;
        cfg[11] = class >> 16;
        cfg[14] = (uint8_t)header_type;
        snprintf(attr, sizeof(attr), "%s/config", path);
        tree_bytes(t, attr, cfg, sizeof(cfg));

        up_to_root("/sys/bus/pci/devices/x", up, sizeof(up));
        snprintf(target, sizeof(target), "%s%s", up, path + 1);
        snprintf(attr, sizeof(attr), "/sys/bus/pci/devices/%s", name);
        tree_link(t, attr, target);
}

void tree_iommu_group(struct tree *t, const char *name, long id)
{
        char link[1200], target[2048], up[512];
        const char *path = tree_dev_path(t, name);

        snprintf(link, sizeof(link), "%s/iommu_group", path);
        up_to_root(link, up, sizeof(up));
        snprintf(target, sizeof(target), "%ssys/kernel/iommu_groups/%ld", up, id);
        tree_link(t, link, target);

        snprintf(link, sizeof(link), "/sys/kernel/iommu_groups/%ld/devices/%s", id, name);
        up_to_root(link, up, sizeof(up));
        snprintf(target, sizeof(target), "%s%s", up, path + 1);
        tree_link(t, link, target);
        snprintf(link, sizeof(link), "/sys/kernel/iommu_groups/%ld/type", id);
        if (access(tree_path(t, link), F_OK) < 0)
                tree_file(t, link, "DMA\n");
}

void tree_driver(struct tree *t, const char *name, const char *driver)
{
        char link[1200], target[2048], up[512], dir[256];
        const char *path = tree_dev_path(t, name);

        snprintf(dir, sizeof(dir), "/sys/bus/pci/drivers/%s", driver);
        tree_mkdir(t, dir);
        snprintf(link, sizeof(link), "%s/driver", path);
        up_to_root(link, up, sizeof(up));
        snprintf(target, sizeof(target), "%ssys/bus/pci/drivers/%s", up, driver);
        tree_link(t, link, target);
}
