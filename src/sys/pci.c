/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "machine.h"
#include "array.h"
#include "macro.h"
#include "parse.h"
#include "pcicfg.h"
#include "root.h"
#include "strjoin.h"

#define PCI_DEVICES "/sys/bus/pci/devices"
#define PCI_DRIVERS "/sys/bus/pci/drivers"
/* Configuration space as sysfs serves it is at most 4 KiB (PCIe extended space). */
#define CONFIG_MAX 4096

/* What a driver's module links say, looked up once per driver: many devices share one. */
struct driver_info {
        char *driver;
        char *module;   /* NULL when the module link is missing or unreadable */
        int module_err; /* the module link's error, 0 when read */
        enum tristate builtin;
};

/* One load: the root, the device directory every device link is resolved from, the drivers seen. */
struct loader {
        struct root *r;
        struct machine *m;
        struct root_dir *devices;
        unsigned flags; /* MACHINE_LOAD_NO_*: what the mode does not use */
        struct driver_info *drivers;
        size_t n_drivers;
};

/* A device while loading: links naming other devices wait until every device is known and sorted. */
struct pending {
        struct pci_device dev;
        char *physfn;           /* basename of the resolved physfn link */
        struct pci_addr parent; /* the directory above the device, when it names a PCI device */
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

/* D's attribute ATTR as a path, for a problem's message: built only when there is one. */
static const char *attr_path(const struct pci_device *d, const char *attr, char *buf, size_t size)
{
        snprintf(buf, size, "%s/%s", d->path, attr);
        return buf;
}

/* An attribute's text; -ENOENT silently (the caller knows whether it is optional). */
static int dev_read(struct root_dir *r, struct machine *m, struct pci_device *d, const char *attr, char **ret)
{
        char path[PATH_MAX];
        int k;

        k = root_dir_read_attr(r, attr, ret);
        if (k < 0 && k != -ENOENT)
                machine_damage(m, d, attr_path(d, attr, path, sizeof(path)), "cannot read %s: %s", attr, strerror(-k));
        return k;
}

/* A number attribute; RET is left alone when it is missing or malformed. */
static void dev_read_number(struct root_dir *r, struct machine *m, struct pci_device *d, const char *attr, int base,
                            uint64_t max, bool required, uint64_t *ret)
{
        _cleanup_free_ char *s = NULL;
        char path[PATH_MAX];
        uint64_t v;
        int k;

        k = dev_read(r, m, d, attr, &s);
        if (k == -ENOENT && required)
                machine_damage(m, d, attr_path(d, attr, path, sizeof(path)), "missing %s", attr);
        if (k < 0)
                return;
        k = parse_u64(s, base, max, &v);
        if (k < 0) {
                machine_damage(m, d, attr_path(d, attr, path, sizeof(path)), "malformed %s '%.40s'", attr, s);
                return;
        }
        *ret = v;
}

/* The IDs from the config header where it holds them (IDS), from the attribute files otherwise:
 * a header that is unreadable, short, all ones or zeros, or a VF's. */
static void load_ids(struct root_dir *r, struct machine *m, struct pci_device *d, const struct pcicfg_ids *ids,
                     unsigned flags)
{
        uint64_t v;

        if (ids->has_ids) {
                d->vendor = ids->vendor;
                d->device = ids->device;
        } else {
                v = 0;
                dev_read_number(r, m, d, "vendor", 16, 0xffff, true, &v);
                d->vendor = (uint16_t)v;
                v = 0;
                dev_read_number(r, m, d, "device", 16, 0xffff, true, &v);
                d->device = (uint16_t)v;
        }
        if (ids->has_subsystem) {
                d->subsys_vendor = ids->subsys_vendor;
                d->subsys_device = ids->subsys_device;
        } else if (!(flags & MACHINE_LOAD_NO_SUBSYSTEM)) {
                v = 0;
                dev_read_number(r, m, d, "subsystem_vendor", 16, 0xffff, false, &v);
                d->subsys_vendor = (uint16_t)v;
                v = 0;
                dev_read_number(r, m, d, "subsystem_device", 16, 0xffff, false, &v);
                d->subsys_device = (uint16_t)v;
        }
        if (ids->has_class) {
                d->class = ids->class;
        } else {
                v = 0;
                dev_read_number(r, m, d, "class", 16, 0xffffff, true, &v);
                d->class = (uint32_t)v;
        }
}

static long read_count(struct root_dir *r, struct machine *m, struct pci_device *d, const char *attr)
{
        uint64_t v = UINT64_MAX;

        dev_read_number(r, m, d, attr, 10, LONG_MAX, false, &v);
        return v == UINT64_MAX ? -1 : (long)v;
}

/* The extended space (ACS) matters only where the kernel looks for ACS: bridges and ports, and
 * the functions of multifunction devices. */
static bool config_more(const uint8_t *cfg, size_t len)
{
        return len >= 64 && ((cfg[0x0e] & 0x7f) != PCI_HEADER_NORMAL || (cfg[0x0e] & 0x80));
}

/* Of a bridge's extended space, only the bytes its decoding looks at stay. */
static size_t config_keep(const uint8_t *cfg, size_t len)
{
        return pcicfg_needed_len(cfg, len);
}

/* Config space as far as the mode needs it: the 64-byte header where binding is all; else 256
 * bytes, and on to the 4 KiB a device has for bridges, ports and multifunction devices, where
 * ACS explains a group. A longer file is read that far (for --check as for --apply, which then
 * see the same device). */
static const struct root_head config_head = { .first = 64, .max = 64 };
static const struct root_head config_explained = {
        .first = 256, .max = CONFIG_MAX, .more = config_more, .keep = config_keep
};

/* What the config read gave (K, BUF, LEN) into D, its problems recorded after the IDs' as always. */
static void store_config_space(struct machine *m, struct pci_device *d, int k, char *buf, size_t len)
{
        char path[PATH_MAX];

        d->header = PCI_HEADER_UNKNOWN;
        if (k == -ENOENT) {
                free(buf);
                return;
        }
        if (k < 0) {
                machine_damage(m, d, attr_path(d, "config", path, sizeof(path)), "cannot read config: %s",
                               strerror(-k));
                return;
        }
        if (len == 0) {
                free(buf);
                return;
        }
        d->config = (uint8_t *)buf;
        d->config_len = len;
        if (len < 64) {
                machine_damage(m, d, attr_path(d, "config", path, sizeof(path)), "short config space (%zu bytes)", len);
                return;
        }
        uint8_t ht = d->config[0x0e];
        if ((ht & 0x7f) > PCI_HEADER_CARDBUS) {
                /* 0x7f comes from all-ones reads: a device that is gone or powered off. */
                machine_damage(m, d, attr_path(d, "config", path, sizeof(path)), "unknown header type 0x%02x", ht);
                return;
        }
        d->header = (enum pci_header)(ht & 0x7f);
        d->multifunction = ht & 0x80;
}

static int lookup_module(struct root *r, const char *driver, struct driver_info *ret)
{
        char path[PATH_MAX];
        int k;

        *ret = (struct driver_info){ .builtin = TRI_UNKNOWN, .driver = strdup(driver) };
        if (!ret->driver)
                return -ENOMEM;
        snprintf(path, sizeof(path), PCI_DRIVERS "/%s/module", driver);
        k = root_link_name(r, path, &ret->module);
        if (k < 0) {
                ret->module = NULL;
                ret->module_err = k;
                return 0;
        }
        /* Built-in drivers with a module name get /sys/module/NAME, but no initstate. */
        snprintf(path, sizeof(path), "/sys/module/%s/initstate", ret->module);
        if (root_exists(r, path)) {
                ret->builtin = TRI_NO;
                return 0;
        }
        snprintf(path, sizeof(path), "/sys/module/%s", ret->module);
        if (root_exists(r, path))
                ret->builtin = TRI_YES;
        return 0;
}

static const struct driver_info *find_driver(struct loader *l, const char *driver)
{
        for (size_t i = 0; i < l->n_drivers; i++)
                if (strcmp(l->drivers[i].driver, driver) == 0)
                        return &l->drivers[i];
        if (array_grow(&l->drivers, l->n_drivers) < 0)
                return NULL;
        if (lookup_module(l->r, driver, &l->drivers[l->n_drivers]) < 0)
                return NULL;
        return &l->drivers[l->n_drivers++];
}

static void load_module(struct loader *l, struct pci_device *d)
{
        char path[PATH_MAX];
        const struct driver_info *info = find_driver(l, d->driver);

        d->driver_module = NULL;
        if (!info)
                return;
        if (info->module_err < 0) {
                snprintf(path, sizeof(path), PCI_DRIVERS "/%s/module", d->driver);
                if (info->module_err != -ENOENT)
                        machine_add_problem(l->m, path, "cannot read the module link: %s", strerror(-info->module_err));
                return;
        }
        d->driver_module = strdup(info->module);
        if (d->driver_module)
                d->driver_builtin = info->builtin;
}

static void load_driver(struct loader *l, struct root_dir *r, struct pci_device *d)
{
        struct machine *m = l->m;
        char path[PATH_MAX];
        int k;

        d->driver_builtin = TRI_UNKNOWN;
        k = root_dir_link_name(r, "driver", &d->driver);
        if (k < 0) {
                d->driver = NULL;
                if (k != -ENOENT)
                        machine_damage(m, d, attr_path(d, "driver", path, sizeof(path)),
                                       "cannot read the driver link: %s", strerror(-k));
                return;
        }
        /* Keep the name even so: something claims the device, and that is what matters. */
        struct stat st;
        k = root_dir_stat(r, "driver", &st);
        if (k < 0)
                machine_damage(m, d, attr_path(d, "driver", path, sizeof(path)),
                               "driver link to '%s' does not resolve: %s", d->driver, strerror(-k));
        if (!(l->flags & MACHINE_LOAD_NO_MODULES))
                load_module(l, d);
}

static void load_override(struct root_dir *r, struct machine *m, struct pci_device *d)
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

static void load_boot_vga(struct root_dir *r, struct machine *m, struct pci_device *d)
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
                machine_damage(m, d, attr_path(d, "boot_vga", path, sizeof(path)), "malformed boot_vga '%.40s'", s);
        }
}

static void load_group_link(struct root_dir *r, struct machine *m, struct pci_device *d)
{
        _cleanup_free_ char *name = NULL;
        char path[PATH_MAX];
        uint64_t id;
        int k;

        d->iommu_group = -1;
        k = root_dir_link_name(r, "iommu_group", &name);
        if (k == -ENOENT)
                return;
        if (k < 0) {
                machine_damage(m, d, attr_path(d, "iommu_group", path, sizeof(path)),
                               "cannot read the iommu_group link: %s", strerror(-k));
                return;
        }
        if (parse_u64(name, 10, LONG_MAX, &id) < 0) {
                machine_damage(m, d, attr_path(d, "iommu_group", path, sizeof(path)),
                               "malformed iommu_group link '%.40s'", name);
                return;
        }
        d->iommu_group = (long)id;
}

static void load_reset(struct root_dir *r, struct machine *m, struct pci_device *d)
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

static void load_physfn(struct root_dir *r, struct machine *m, struct pending *p)
{
        _cleanup_free_ char *resolved = NULL;
        char path[PATH_MAX], base[NAME_MAX + 1];
        int k;

        struct stat st;
        if (root_dir_lstat(r, "physfn", &st) == -ENOENT)
                return;
        k = root_dir_resolve(r, "physfn", &resolved);
        if (k < 0) {
                machine_damage(m, &p->dev, attr_path(&p->dev, "physfn", path, sizeof(path)),
                               "cannot resolve the physfn link: %s", strerror(-k));
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

        if (str_join(buf, sizeof(buf), p->dev.path, NULL) < 0)
                return;
        char *slash = strrchr(buf, '/');
        if (!slash || slash == buf)
                return;
        *slash = '\0';
        name = strrchr(buf, '/');
        if (name && pci_addr_parse(name + 1, &p->parent) >= 0)
                p->has_parent = true;
}

/* Only VGA devices have boot_vga (pci_dev_attrs_are_visible()); a class not yet known might. */
static bool may_have_boot_vga(uint32_t class)
{
        return class == 0 || class >> 16 == 0x03 || class >> 8 == 0x0001;
}

/* The attributes of P's directory R, whose config space was read first (K, CFG, LEN). */
static void load_attributes(struct loader *l, struct root_dir *r, struct pending *p, int k, char *cfg, size_t len)
{
        struct machine *m = l->m;
        struct pci_device *d = &p->dev;
        struct pcicfg_ids ids;

        if (k < 0 || pcicfg_header_ids((const uint8_t *)cfg, len, &ids) < 0)
                ids = (struct pcicfg_ids){ 0 };
        load_ids(r, m, d, &ids, l->flags);
        store_config_space(m, d, k, cfg, len);
        load_driver(l, r, d);
        if (!(l->flags & MACHINE_LOAD_NO_OVERRIDE))
                load_override(r, m, d);
        /* Unlisted, a directory answers each name with a lookup: ask only where it can be. */
        if (!(l->flags & MACHINE_LOAD_NO_DIR_LISTS) || may_have_boot_vga(d->class))
                load_boot_vga(r, m, d);
        load_group_link(r, m, d);
        if (!(l->flags & MACHINE_LOAD_NO_SRIOV)) {
                d->sriov_totalvfs = read_count(r, m, d, "sriov_totalvfs");
                d->sriov_numvfs = read_count(r, m, d, "sriov_numvfs");
        }
        if (!(l->flags & MACHINE_LOAD_NO_RESET))
                load_reset(r, m, d);
        if (!(l->flags & MACHINE_LOAD_NO_PHYSFN))
                load_physfn(r, m, p);
        find_parent(p);
}

static int load_device(struct loader *l, const char *name, struct pending *p)
{
        _cleanup_root_dir_ struct root_dir *dir = NULL;
        struct machine *m = l->m;
        char link[PATH_MAX], *cfg = NULL;
        size_t cfg_len = 0;
        int k, cfg_read;

        *p = (struct pending){ 0 };
        p->dev.group = p->dev.parent = p->dev.physfn = NONE;
        p->dev.iommu_group = p->dev.sriov_totalvfs = p->dev.sriov_numvfs = -1;
        p->dev.header = PCI_HEADER_UNKNOWN;
        p->dev.boot_vga = p->dev.driver_builtin = TRI_UNKNOWN;
        (void)str_join(link, sizeof(link), PCI_DEVICES "/", name, NULL); /* NAME is one listed entry */
        if (pci_addr_parse(name, &p->dev.addr) < 0) {
                machine_add_problem(m, link, "malformed device name '%.40s'", name);
                return 0;
        }
        pci_addr_format(&p->dev.addr, p->dev.name);
        k = root_dir_open_at_head(l->devices, name, "config", m->config_header_only ? &config_head : &config_explained,
                                  &dir, &cfg_read, &cfg, &cfg_len);
        if (k < 0) {
                /* Nothing below can be read; the device is still there, named but damaged. */
                machine_damage(m, &p->dev, link, "cannot resolve the device link: %s", strerror(-k));
                p->dev.path = strdup(link);
                return p->dev.path ? 1 : -ENOMEM;
        }
        p->dev.path = strdup(root_dir_path(dir));
        if (!p->dev.path) {
                free(cfg);
                return -ENOMEM;
        }
        /* Most devices lack most of the optional attributes: a listing answers for them all.
         * When it fails, each lookup asks the kernel, as without it. */
        if (!(l->flags & MACHINE_LOAD_NO_DIR_LISTS))
                (void)root_dir_list(dir);
        load_attributes(l, dir, p, cfg_read, cfg, cfg_len);
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

static void loader_done(struct loader *l)
{
        root_dir_close(l->devices);
        for (size_t i = 0; i < l->n_drivers; i++) {
                free(l->drivers[i].driver);
                free(l->drivers[i].module);
        }
        free(l->drivers);
}

int pci_load(struct root *r, struct machine *m)
{
        return pci_load_needed(r, 0, m);
}

int pci_load_needed(struct root *r, unsigned flags, struct machine *m)
{
        _cleanup_strv_ char **names = NULL;
        struct loader l = { .r = r, .m = m, .flags = flags };
        struct pending *p = NULL;
        size_t n_names = 0, n = 0;
        int k;

        k = root_list(r, PCI_DEVICES, &names, &n_names);
        if (k < 0)
                return k;
        k = root_dir_open(r, PCI_DEVICES, &l.devices);
        if (k < 0)
                return k;
        p = calloc(n_names ? n_names : 1, sizeof(*p));
        if (!p) {
                loader_done(&l);
                return -ENOMEM;
        }
        for (size_t i = 0; i < n_names; i++) {
                k = load_device(&l, names[i], &p[n]);
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
        loader_done(&l);
        return k < 0 ? k : 0;
}
