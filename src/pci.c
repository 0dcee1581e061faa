/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "machine.h"
#include "macro.h"
#include "parse.h"
#include "root.h"

#define PCI_DEVICES "/sys/bus/pci/devices"
#define PCI_DRIVERS "/sys/bus/pci/drivers"
/* Configuration space as sysfs serves it is at most 4 KiB (PCIe extended space). */
#define CONFIG_MAX 4096

/* A device while loading: links naming other devices wait until every device is known and sorted. */
struct pending {
        struct pci_device dev;
        char *physfn;            /* basename of the resolved physfn link */
        struct pci_addr parent;  /* the directory above the device, when it names a PCI device */
        bool has_parent;
};

static void pending_done(struct pending *p)
{
        free(p->dev.path);
        free(p->dev.driver);
        free(p->dev.driver_module);
        free(p->dev.driver_override);
        free(p->dev.reset_method);
        free(p->dev.config);
        free(p->physfn);
}

static void attr_path(const struct pci_device *d, const char *attr, char *buf, size_t size)
{
        snprintf(buf, size, "%s/%s", d->path, attr);
}

/* An attribute's text; -ENOENT silently (the caller knows whether it is optional). */
static int dev_read(struct root *r, struct machine *m, struct pci_device *d, const char *attr, char **ret)
{
        char path[PATH_MAX];
        int k;

        attr_path(d, attr, path, sizeof(path));
        k = root_read_attr(r, path, ret);
        if (k < 0 && k != -ENOENT)
                machine_damage(m, d, path, "cannot read %s: %s", attr, strerror(-k));
        return k;
}

/* A number attribute; RET is left alone when it is missing or malformed. */
static void dev_read_number(struct root *r, struct machine *m, struct pci_device *d, const char *attr, int base,
                            uint64_t max, bool required, uint64_t *ret)
{
        _cleanup_free_ char *s = NULL;
        char path[PATH_MAX];
        uint64_t v;
        int k;

        attr_path(d, attr, path, sizeof(path));
        k = dev_read(r, m, d, attr, &s);
        if (k == -ENOENT && required)
                machine_damage(m, d, path, "missing %s", attr);
        if (k < 0)
                return;
        k = parse_u64(s, base, max, &v);
        if (k < 0) {
                machine_damage(m, d, path, "malformed %s '%.40s'", attr, s);
                return;
        }
        *ret = v;
}

static void load_ids(struct root *r, struct machine *m, struct pci_device *d)
{
        uint64_t v;

        v = 0;
        dev_read_number(r, m, d, "vendor", 16, 0xffff, true, &v);
        d->vendor = (uint16_t)v;
        v = 0;
        dev_read_number(r, m, d, "device", 16, 0xffff, true, &v);
        d->device = (uint16_t)v;
        v = 0;
        dev_read_number(r, m, d, "subsystem_vendor", 16, 0xffff, false, &v);
        d->subsys_vendor = (uint16_t)v;
        v = 0;
        dev_read_number(r, m, d, "subsystem_device", 16, 0xffff, false, &v);
        d->subsys_device = (uint16_t)v;
        v = 0;
        dev_read_number(r, m, d, "class", 16, 0xffffff, true, &v);
        d->class = (uint32_t)v;
}

static long read_count(struct root *r, struct machine *m, struct pci_device *d, const char *attr)
{
        uint64_t v = UINT64_MAX;

        dev_read_number(r, m, d, attr, 10, LONG_MAX, false, &v);
        return v == UINT64_MAX ? -1 : (long)v;
}

/* The extended space (ACS) matters only where the kernel looks for ACS: bridges and ports, and
 * the functions of multifunction devices. */
static bool wants_extended(const uint8_t *cfg, size_t len)
{
        return len >= 64 && ((cfg[0x0e] & 0x7f) != PCI_HEADER_NORMAL || (cfg[0x0e] & 0x80));
}

static int read_config(struct root *r, const struct machine *m, const char *path, char **ret, size_t *ret_len)
{
        _cleanup_free_ char *buf = NULL;
        size_t len;
        int k = root_read_head(r, path, m->config_header_only ? 64 : 256, &buf, &len);
        if (k < 0)
                return k;
        if (!m->config_header_only && len == 256 && wants_extended((const uint8_t *)buf, len)) {
                free(TAKE_PTR(buf));
                k = root_read_file(r, path, CONFIG_MAX, &buf, &len);
                if (k < 0)
                        return k;
        }
        *ret = TAKE_PTR(buf);
        *ret_len = len;
        return 0;
}

static void load_config(struct root *r, struct machine *m, struct pci_device *d)
{
        _cleanup_free_ char *buf = NULL;
        char path[PATH_MAX];
        size_t len;
        int k;

        d->header = PCI_HEADER_UNKNOWN;
        attr_path(d, "config", path, sizeof(path));
        k = read_config(r, m, path, &buf, &len);
        if (k == -ENOENT)
                return;
        if (k < 0) {
                machine_damage(m, d, path, "cannot read config: %s", strerror(-k));
                return;
        }
        if (len == 0)
                return;
        d->config = (uint8_t *)TAKE_PTR(buf);
        d->config_len = len;
        if (len < 64) {
                machine_damage(m, d, path, "short config space (%zu bytes)", len);
                return;
        }
        uint8_t ht = d->config[0x0e];
        if ((ht & 0x7f) > PCI_HEADER_CARDBUS) {
                /* 0x7f comes from all-ones reads: a device that is gone or powered off. */
                machine_damage(m, d, path, "unknown header type 0x%02x", ht);
                return;
        }
        d->header = (enum pci_header)(ht & 0x7f);
        d->multifunction = ht & 0x80;
}

static void load_module(struct root *r, struct machine *m, struct pci_device *d)
{
        char path[PATH_MAX];
        int k;

        snprintf(path, sizeof(path), PCI_DRIVERS "/%s/module", d->driver);
        k = root_link_name(r, path, &d->driver_module);
        if (k < 0) {
                if (k != -ENOENT)
                        machine_add_problem(m, path, "cannot read the module link: %s", strerror(-k));
                d->driver_module = NULL;
                return;
        }
        /* Built-in drivers with a module name get /sys/module/NAME, but no initstate. */
        snprintf(path, sizeof(path), "/sys/module/%s/initstate", d->driver_module);
        if (root_exists(r, path)) {
                d->driver_builtin = TRI_NO;
                return;
        }
        snprintf(path, sizeof(path), "/sys/module/%s", d->driver_module);
        if (root_exists(r, path))
                d->driver_builtin = TRI_YES;
}

static void load_driver(struct root *r, struct machine *m, struct pci_device *d)
{
        char path[PATH_MAX];
        int k;

        d->driver_builtin = TRI_UNKNOWN;
        attr_path(d, "driver", path, sizeof(path));
        k = root_link_name(r, path, &d->driver);
        if (k < 0) {
                d->driver = NULL;
                if (k != -ENOENT)
                        machine_damage(m, d, path, "cannot read the driver link: %s", strerror(-k));
                return;
        }
        /* Keep the name even so: something claims the device, and that is what matters. */
        struct stat st;
        k = root_stat(r, path, &st);
        if (k < 0)
                machine_damage(m, d, path, "driver link to '%s' does not resolve: %s", d->driver, strerror(-k));
        load_module(r, m, d);
}

static void load_override(struct root *r, struct machine *m, struct pci_device *d)
{
        char *s = NULL;

        if (dev_read(r, m, d, "driver_override", &s) < 0)
                return;
        if (*s == '\0' || strcmp(s, "(null)") == 0) {
                free(s);
                return;
        }
        d->driver_override = s;
}

static void load_boot_vga(struct root *r, struct machine *m, struct pci_device *d)
{
        _cleanup_free_ char *s = NULL;
        char path[PATH_MAX];

        d->boot_vga = TRI_UNKNOWN;
        if (dev_read(r, m, d, "boot_vga", &s) < 0)
                return;
        if (strcmp(s, "1") == 0)
                d->boot_vga = TRI_YES;
        else if (strcmp(s, "0") == 0)
                d->boot_vga = TRI_NO;
        else {
                attr_path(d, "boot_vga", path, sizeof(path));
                machine_damage(m, d, path, "malformed boot_vga '%.40s'", s);
        }
}

static void load_group_link(struct root *r, struct machine *m, struct pci_device *d)
{
        _cleanup_free_ char *name = NULL;
        char path[PATH_MAX];
        uint64_t id;
        int k;

        d->iommu_group = -1;
        attr_path(d, "iommu_group", path, sizeof(path));
        k = root_link_name(r, path, &name);
        if (k == -ENOENT)
                return;
        if (k < 0) {
                machine_damage(m, d, path, "cannot read the iommu_group link: %s", strerror(-k));
                return;
        }
        if (parse_u64(name, 10, LONG_MAX, &id) < 0) {
                machine_damage(m, d, path, "malformed iommu_group link '%.40s'", name);
                return;
        }
        d->iommu_group = (long)id;
}

static void load_reset(struct root *r, struct machine *m, struct pci_device *d)
{
        char *s = NULL;

        if (dev_read(r, m, d, "reset_method", &s) >= 0)
                d->reset_method = s;
}

/* Last path component, or NULL for "/". */
static const char *last_component(const char *path, char *buf, size_t size)
{
        const char *s = strrchr(path, '/');
        if (!s || !s[1])
                return NULL;
        snprintf(buf, size, "%s", s + 1);
        return buf;
}

static void load_physfn(struct root *r, struct machine *m, struct pending *p)
{
        _cleanup_free_ char *resolved = NULL;
        char path[PATH_MAX], base[NAME_MAX + 1];
        int k;

        attr_path(&p->dev, "physfn", path, sizeof(path));
        struct stat st;
        if (root_lstat(r, path, &st) == -ENOENT)
                return;
        k = root_resolve(r, path, &resolved);
        if (k < 0) {
                machine_damage(m, &p->dev, path, "cannot resolve the physfn link: %s", strerror(-k));
                return;
        }
        if (last_component(resolved, base, sizeof(base)))
                p->physfn = strdup(base);
}

/* The directory holding the device names its upstream bridge, when that is a PCI device. */
static void find_parent(struct pending *p)
{
        char buf[PATH_MAX];
        const char *name;

        snprintf(buf, sizeof(buf), "%s", p->dev.path);
        char *slash = strrchr(buf, '/');
        if (!slash || slash == buf)
                return;
        *slash = '\0';
        name = strrchr(buf, '/');
        if (name && pci_addr_parse(name + 1, &p->parent) >= 0)
                p->has_parent = true;
}

static void load_attributes(struct root *r, struct machine *m, struct pending *p)
{
        struct pci_device *d = &p->dev;

        load_ids(r, m, d);
        load_config(r, m, d);
        load_driver(r, m, d);
        load_override(r, m, d);
        load_boot_vga(r, m, d);
        load_group_link(r, m, d);
        d->sriov_totalvfs = read_count(r, m, d, "sriov_totalvfs");
        d->sriov_numvfs = read_count(r, m, d, "sriov_numvfs");
        load_reset(r, m, d);
        load_physfn(r, m, p);
        find_parent(p);
}

static int load_device(struct root *r, struct machine *m, const char *name, struct pending *p)
{
        char link[PATH_MAX];
        int k;

        *p = (struct pending){ 0 };
        p->dev.group = p->dev.parent = p->dev.physfn = NONE;
        p->dev.iommu_group = p->dev.sriov_totalvfs = p->dev.sriov_numvfs = -1;
        p->dev.header = PCI_HEADER_UNKNOWN;
        p->dev.boot_vga = p->dev.driver_builtin = TRI_UNKNOWN;
        snprintf(link, sizeof(link), PCI_DEVICES "/%s", name);
        if (pci_addr_parse(name, &p->dev.addr) < 0) {
                machine_add_problem(m, link, "malformed device name '%.40s'", name);
                return 0;
        }
        pci_addr_format(&p->dev.addr, p->dev.name);
        k = root_resolve(r, link, &p->dev.path);
        if (k < 0) {
                /* Nothing below can be read; the device is still there, named but damaged. */
                machine_damage(m, &p->dev, link, "cannot resolve the device link: %s", strerror(-k));
                p->dev.path = strdup(link);
                return p->dev.path ? 1 : -ENOMEM;
        }
        load_attributes(r, m, p);
        return 1;
}

static int cmp_pending(const void *a, const void *b)
{
        const struct pending *x = a, *y = b;
        return pci_addr_cmp(&x->dev.addr, &y->dev.addr);
}

/* Sort, drop duplicate addresses (two spellings of one name), move into M. */
static int take_devices(struct machine *m, struct pending *p, size_t *n)
{
        size_t w = 0;

        if (*n > 1)
                qsort(p, *n, sizeof(*p), cmp_pending);
        for (size_t i = 0; i < *n; i++) {
                if (w > 0 && pci_addr_cmp(&p[w - 1].dev.addr, &p[i].dev.addr) == 0) {
                        machine_add_problem(m, p[i].dev.path, "duplicate device %s", p[i].dev.name);
                        pending_done(&p[i]);
                        continue;
                }
                p[w++] = p[i];
        }
        *n = w;
        m->devices = calloc(w ? w : 1, sizeof(*m->devices));
        if (!m->devices)
                return -ENOMEM;
        for (size_t i = 0; i < w; i++) {
                m->devices[i] = p[i].dev;
                p[i].dev = (struct pci_device){ 0 };
        }
        m->n_devices = w;
        return 0;
}

static void link_devices(struct machine *m, struct pending *p)
{
        for (size_t i = 0; i < m->n_devices; i++) {
                struct pci_device *d = &m->devices[i];
                char name[PCI_ADDR_STRLEN];

                if (p[i].has_parent) {
                        d->parent = machine_find_device(m, &p[i].parent);
                        pci_addr_format(&p[i].parent, name);
                        if (d->parent == NONE)
                                machine_add_problem(m, d->path, "parent %s is not in " PCI_DEVICES, name);
                }
                if (p[i].physfn) {
                        d->physfn = machine_find_device_name(m, p[i].physfn);
                        if (d->physfn == NONE)
                                machine_damage(m, d, d->path, "physical function '%.40s' is not in " PCI_DEVICES,
                                       p[i].physfn);
                }
        }
}

int pci_load(struct root *r, struct machine *m)
{
        _cleanup_strv_ char **names = NULL;
        struct pending *p = NULL;
        size_t n_names = 0, n = 0;
        int k;

        k = root_list(r, PCI_DEVICES, &names, &n_names);
        if (k < 0)
                return k;
        p = calloc(n_names ? n_names : 1, sizeof(*p));
        if (!p)
                return -ENOMEM;
        for (size_t i = 0; i < n_names; i++) {
                k = load_device(r, m, names[i], &p[n]);
                if (k < 0)
                        goto out;
                if (k > 0)
                        n++;
        }
        k = take_devices(m, p, &n);
        if (k < 0)
                goto out;
        link_devices(m, p);
out:
        for (size_t i = 0; i < n; i++)
                pending_done(&p[i]);
        free(p);
        return k < 0 ? k : 0;
}
