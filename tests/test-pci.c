/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "machine.h"
#include "macro.h"
#include "root.h"
#include "support/fixture.h"
#include "support/tree-extra.h"
#include "support/tree.h"

#define GPU "0000:01:00.0"
#define AUDIO "0000:01:00.1"
#define PORT "0000:00:01.0"

static void load(void)
{
        fixture_load(pci_load);
}

static const struct pci_device *dev(const char *name)
{
        size_t i = machine_find_device_name(&m, name);
        if (i == NONE)
                fail_msg("device %s not loaded", name);
        return &m.devices[i];
}

/* Bytes of NAME's config space, at OFF, changed in place. */
static void patch_config(const char *name, size_t off, const void *bytes, size_t n)
{
        char path[1024];
        uint8_t cfg[4096];
        FILE *f;
        size_t len;

        snprintf(path, sizeof(path), "%s/config", tree_path(&t, tree_dev_path(&t, name)));
        f = fopen(path, "rb");
        assert_non_null(f);
        len = fread(cfg, 1, sizeof(cfg), f);
        fclose(f);
        assert_true(off + n <= len);
        memcpy(cfg + off, bytes, n);
        snprintf(path, sizeof(path), "%s/config", tree_dev_path(&t, name));
        tree_bytes(&t, path, cfg, len);
}

/* Without config space, the IDs come from the attribute files. */
static void drop_config(const char *name)
{
        char path[1024];

        snprintf(path, sizeof(path), "%s/config", tree_path(&t, tree_dev_path(&t, name)));
        assert_int_equal(unlink(path), 0);
}

/* A root port with a GPU behind it, the GPU bound to a loadable module. */
static void gpu_tree(void)
{
        tree_pci_device(&t, PORT, NULL, 0x8086, 0x1901, 0x060400, 1);
        tree_pci_device(&t, GPU, PORT, 0x10de, 0x2484, 0x030000, 0x80);
        tree_pci_device(&t, AUDIO, PORT, 0x10de, 0x228b, 0x040300, 0);
}

static void test_attributes(void **state)
{
        gpu_tree();
        /* The subsystem IDs come from the config header, as sysfs takes them. */
        patch_config(GPU, 0x2c, "\x58\x14\x37\x40", 4);
        tree_dev_attr(&t, GPU, "boot_vga", "1\n");
        tree_dev_attr(&t, GPU, "reset_method", "flr bus\n");
        tree_dev_attr(&t, AUDIO, "boot_vga", "0\n");
        tree_dev_attr(&t, AUDIO, "reset_method", "\n");
        tree_dev_attr(&t, AUDIO, "driver_override", "vfio-pci\n");
        tree_driver(&t, GPU, "nvidia");
        tree_module(&t, "nvidia", "nvidia", false);
        tree_driver(&t, PORT, "pcieport");
        tree_iommu_group(&t, GPU, 14);
        load();

        assert_int_equal(m.n_devices, 3);
        assert_int_equal(m.n_problems, 0);
        const struct pci_device *g = dev(GPU);
        assert_string_equal(g->name, GPU);
        assert_string_equal(g->path, "/sys/devices/pci0000:00/" PORT "/" GPU);
        assert_int_equal(g->vendor, 0x10de);
        assert_int_equal(g->device, 0x2484);
        assert_int_equal(g->subsys_vendor, 0x1458);
        assert_int_equal(g->subsys_device, 0x4037);
        assert_int_equal(g->class, 0x030000);
        assert_int_equal(g->header, PCI_HEADER_NORMAL);
        assert_true(g->multifunction);
        assert_int_equal(g->config_len, 64);
        assert_int_equal(g->config[0], 0xde);
        assert_string_equal(g->driver, "nvidia");
        assert_string_equal(g->driver_module, "nvidia");
        assert_int_equal(g->driver_builtin, TRI_NO);
        assert_null(g->driver_override);
        assert_int_equal(g->boot_vga, TRI_YES);
        assert_int_equal(g->iommu_group, 14);
        assert_int_equal(g->group, NONE);
        assert_int_equal(g->sriov_totalvfs, -1);
        assert_int_equal(g->sriov_numvfs, -1);
        assert_int_equal(g->physfn, NONE);
        assert_string_equal(g->reset_method, "flr bus");
        assert_false(g->damaged);

        const struct pci_device *a = dev(AUDIO);
        assert_int_equal(a->subsys_vendor, 0);
        assert_false(a->multifunction);
        assert_null(a->driver);
        assert_null(a->driver_module);
        assert_int_equal(a->driver_builtin, TRI_UNKNOWN);
        assert_string_equal(a->driver_override, "vfio-pci");
        assert_int_equal(a->boot_vga, TRI_NO);
        assert_int_equal(a->iommu_group, -1);
        assert_string_equal(a->reset_method, "");

        const struct pci_device *p = dev(PORT);
        assert_int_equal(p->header, PCI_HEADER_BRIDGE);
        assert_true(pci_device_is_bridge(p));
        assert_string_equal(p->driver, "pcieport");
        assert_null(p->driver_module); /* no module link: built in, or cannot tell */
        assert_int_equal(p->driver_builtin, TRI_UNKNOWN);
        assert_int_equal(p->boot_vga, TRI_UNKNOWN);
        assert_null(p->reset_method);
}

static void test_builtin_driver(void **state)
{
        gpu_tree();
        tree_driver(&t, GPU, "vfio-pci");
        tree_module(&t, "vfio-pci", "vfio_pci", true);
        tree_driver(&t, AUDIO, "snd_hda_intel");
        /* A module link to a module that /sys/module does not show: cannot tell. */
        tree_rel_link(&t, "/sys/bus/pci/drivers/snd_hda_intel/module", "/sys/module/snd_hda_intel");
        load();
        assert_string_equal(dev(GPU)->driver_module, "vfio_pci");
        assert_int_equal(dev(GPU)->driver_builtin, TRI_YES);
        assert_string_equal(dev(AUDIO)->driver_module, "snd_hda_intel");
        assert_int_equal(dev(AUDIO)->driver_builtin, TRI_UNKNOWN);
}

static void test_parents_and_sorting(void **state)
{
        /* Upper-case names sort before lower-case ones as strings, not as addresses. */
        tree_pci_device(&t, "0000:00:1c.0", NULL, 0x8086, 0xa33c, 0x060400, 1);
        tree_pci_device(&t, "0000:0B:00.0", "0000:00:1c.0", 0x8086, 0x1533, 0x020000, 0);
        tree_pci_device(&t, "0000:0a:00.0", "0000:00:1c.0", 0x8086, 0x1533, 0x020000, 0);
        tree_pci_device(&t, "0001:00:00.0", NULL, 0x8086, 0x1234, 0x060000, 0);
        load();
        assert_int_equal(m.n_devices, 4);
        assert_string_equal(m.devices[0].name, "0000:00:1c.0");
        assert_string_equal(m.devices[1].name, "0000:0a:00.0");
        assert_string_equal(m.devices[2].name, "0000:0b:00.0");
        assert_string_equal(m.devices[3].name, "0001:00:00.0");
        assert_int_equal(m.devices[0].parent, NONE);
        assert_int_equal(m.devices[1].parent, 0);
        assert_int_equal(m.devices[2].parent, 0);
        assert_int_equal(m.devices[3].parent, NONE);
        /* The name is canonical; the path keeps the tree's spelling. */
        assert_string_equal(m.devices[2].path, "/sys/devices/pci0000:00/0000:00:1c.0/0000:0B:00.0");
        assert_int_equal(m.n_problems, 0);
}

static void test_duplicate_and_bad_names(void **state)
{
        tree_pci_device(&t, "0000:0a:00.0", NULL, 0x8086, 0x1533, 0x020000, 0);
        tree_pci_device(&t, "0000:0A:00.0", NULL, 0x8086, 0x1533, 0x020000, 0);
        tree_link(&t, "/sys/bus/pci/devices/garbage", "../../../devices/pci0000:00/0000:0a:00.0");
        tree_link(&t, "/sys/bus/pci/devices/0000:00:20.0", "../../../devices/x");
        load();
        assert_int_equal(m.n_devices, 1);
        assert_non_null(find_problem(&m, "/sys/bus/pci/devices/garbage", "malformed device name 'garbage'"));
        assert_non_null(find_problem(&m, NULL, "duplicate device 0000:0a:00.0"));
        /* Device 0x20 does not exist: a malformed name, not a device. */
        assert_non_null(find_problem(&m, "0000:00:20.0", "malformed device name"));
}

static void test_missing_bus_is_fatal(void **state)
{
        _cleanup_root_ struct root *r = NULL;

        tree_mkdir(&t, "/sys/bus");
        assert_int_equal(root_new(t.dir, &r), 0);
        assert_int_equal(pci_load(r, &m), -ENOENT);

        tree_mkdir(&t, "/sys/bus/pci/devices");
        assert_int_equal(pci_load(r, &m), 0);
        assert_int_equal(m.n_devices, 0);
}

/* One attribute of the GPU replaced; the load goes on, the GPU is damaged, a problem names it. */
struct damage_case {
        const char *attr;
        const char *content; /* NULL: see link */
        const char *link;    /* a link target, written as is */
        const char *problem;
};

static const struct damage_case damage_cases[] = {
        { "vendor", "zz10\n", NULL, "malformed vendor 'zz10'" },
        { "vendor", "", NULL, "malformed vendor ''" },
        { "vendor", "0x10de0\n", NULL, "malformed vendor '0x10de0'" },
        { "device", "-1\n", NULL, "malformed device '-1'" },
        { "class", "0x1030000\n", NULL, "malformed class" },
        { "subsystem_vendor", "0x\n", NULL, "malformed subsystem_vendor '0x'" },
        { "boot_vga", "yes\n", NULL, "malformed boot_vga 'yes'" },
        { "sriov_totalvfs", "four\n", NULL, "malformed sriov_totalvfs 'four'" },
        { "sriov_numvfs", "-2\n", NULL, "malformed sriov_numvfs '-2'" },
        { "iommu_group", NULL, "../../../../kernel/iommu_groups/x1", "malformed iommu_group link 'x1'" },
        { "iommu_group", NULL, "/sys/kernel/iommu_groups/1", "cannot read the iommu_group link" },
        { "driver", NULL, "../../../../bus/pci/drivers/gone", "driver link to 'gone' does not resolve" },
        { "driver", NULL, "../../../../../../../../../../../x/nvidia", "cannot read the driver link" },
        { "driver", NULL, "driver", "driver link to 'driver' does not resolve" },
        { "physfn", NULL, "../0000:01:00.7", "cannot resolve the physfn link" },
        { "physfn", NULL, "physfn", "cannot resolve the physfn link" },
        { "config", "\x10\xde", NULL, "short config space (2 bytes)" },
};

static void test_damaged_attributes(void **state)
{
        tree_free(&t);
        for (size_t i = 0; i < sizeof(damage_cases) / sizeof(damage_cases[0]); i++) {
                const struct damage_case *c = &damage_cases[i];
                char path[1024];

                tree_new(&t);
                gpu_tree();
                /* The ID files are read only when config space cannot stand in for them. */
                if (strcmp(c->attr, "config") != 0)
                        drop_config(GPU);
                snprintf(path, sizeof(path), "%s/%s", tree_dev_path(&t, GPU), c->attr);
                if (c->content)
                        tree_bytes(&t, path, c->content, strlen(c->content));
                else
                        tree_link(&t, path, c->link);
                load();
                if (!find_problem(&m, path, c->problem))
                        fail_msg("case %zu: no problem '%s' at %s (%zu problems, first: %s)", i, c->problem, path,
                                 m.n_problems, m.n_problems ? m.problems[0].message : "-");
                assert_int_equal(m.n_devices, 3);
                assert_true(dev(GPU)->damaged);
                assert_false(dev(AUDIO)->damaged);
                assert_false(dev(PORT)->damaged);
                machine_done(&m);
                tree_free(&t);
        }
        tree_new(&t);
}

static void test_damaged_keeps_the_rest(void **state)
{
        char big[5000];

        gpu_tree();
        memset(big, '1', sizeof(big));
        big[sizeof(big) - 1] = '\0';
        drop_config(GPU);
        tree_dev_attr(&t, GPU, "vendor", big);
        tree_dev_link(&t, GPU, "driver", "/sys/bus/pci/drivers/nvidia");
        tree_iommu_group(&t, GPU, 3);
        load();
        const struct pci_device *g = dev(GPU);
        assert_true(g->damaged);
        assert_int_equal(g->vendor, 0);
        assert_int_equal(g->device, 0x2484);
        assert_int_equal(g->class, 0x030000);
        assert_string_equal(g->driver, "nvidia"); /* dangling, but named */
        assert_int_equal(g->iommu_group, 3);
        assert_non_null(find_problem(&m, "/vendor", "cannot read vendor: File too large"));
        assert_non_null(find_problem(&m, "/driver", "does not resolve"));
}

static void test_missing_required(void **state)
{
        char path[1024];

        gpu_tree();
        snprintf(path, sizeof(path), "%s", tree_path(&t, tree_dev_path(&t, GPU)));
        strcat(path, "/class");
        assert_int_equal(unlink(path), 0);
        drop_config(GPU);
        load();
        assert_true(dev(GPU)->damaged);
        assert_non_null(find_problem(&m, "/class", "missing class"));
}

static void test_device_links_escaping_and_looping(void **state)
{
        gpu_tree();
        tree_link(&t, "/sys/bus/pci/devices/0000:05:00.0", "../../../../../../../../../etc");
        tree_link(&t, "/sys/bus/pci/devices/0000:06:00.0", "0000:06:00.0");
        tree_link(&t, "/sys/bus/pci/devices/0000:07:00.0", "/sys/devices/pci0000:00/0000:00:01.0");
        load();
        assert_int_equal(m.n_devices, 6);
        for (size_t i = 0; i < 3; i++) {
                static const char *names[] = { "0000:05:00.0", "0000:06:00.0", "0000:07:00.0" };
                const struct pci_device *d = dev(names[i]);
                char link[256];
                snprintf(link, sizeof(link), "/sys/bus/pci/devices/%s", names[i]);
                assert_true(d->damaged);
                assert_string_equal(d->path, link);
                assert_null(d->driver);
                assert_int_equal(d->iommu_group, -1);
                assert_int_equal(d->group, NONE);
                assert_int_equal(d->parent, NONE);
                assert_non_null(find_problem(&m, link, "cannot resolve the device link"));
        }
        assert_non_null(find_problem(&m, "0000:06:00.0", "Too many levels of symbolic links"));
        assert_false(dev(GPU)->damaged);
}

static void test_config_space(void **state)
{
        uint8_t cfg[4096] = { 0 };
        uint8_t ones[64];

        gpu_tree();
        tree_pci_device(&t, "0000:02:00.0", NULL, 0x1b21, 0x1182, 0x060400, 0);
        tree_pci_device(&t, "0000:03:00.0", NULL, 0x1b21, 0x1182, 0x060400, 0);
        tree_pci_device(&t, "0000:04:00.0", NULL, 0x1b21, 0x1182, 0x060400, 0);
        tree_pci_device(&t, "0000:05:00.0", NULL, 0x1b21, 0x1182, 0x060700, 0);
        cfg[0x0e] = 0x81;
        tree_bytes(&t, "/sys/devices/pci0000:02/0000:02:00.0/config", cfg, sizeof(cfg));
        memset(ones, 0xff, sizeof(ones));
        tree_bytes(&t, "/sys/devices/pci0000:03/0000:03:00.0/config", ones, sizeof(ones));
        assert_int_equal(unlink(tree_path(&t, "/sys/devices/pci0000:04/0000:04:00.0/config")), 0);
        tree_bytes(&t, "/sys/devices/pci0000:05/0000:05:00.0/config", cfg, 0);
        load();

        const struct pci_device *d = dev("0000:02:00.0");
        /* Read whole, kept as far as decoding looks: to the end of the (empty) extended list. */
        assert_int_equal(d->config_len, 0x104);
        assert_int_equal(d->header, PCI_HEADER_BRIDGE);
        assert_true(d->multifunction);
        assert_false(d->damaged);

        d = dev("0000:03:00.0");
        assert_int_equal(d->header, PCI_HEADER_UNKNOWN);
        assert_true(d->damaged);
        assert_non_null(find_problem(&m, "0000:03:00.0/config", "unknown header type 0xff"));
        /* Unknown header: the class decides (0x0604 is a PCI bridge). */
        assert_true(pci_device_is_bridge(d));

        d = dev("0000:04:00.0");
        assert_null(d->config);
        assert_int_equal(d->config_len, 0);
        assert_int_equal(d->header, PCI_HEADER_UNKNOWN);
        assert_false(d->damaged);
        assert_true(pci_device_is_bridge(d));

        d = dev("0000:05:00.0");
        assert_int_equal(d->config_len, 0);
        assert_int_equal(d->header, PCI_HEADER_UNKNOWN);
        assert_true(pci_device_is_bridge(d)); /* CardBus, 0x0607 */
}

/* A config file longer than the 4 KiB of a device is read that far, whatever the mode: --check
 * (all of a bridge's space, for ACS) and --apply (the header) see the same, readable device. */
static void test_config_too_big(void **state)
{
        static uint8_t cfg[5000];

        gpu_tree();
        cfg[0] = 0x86;
        cfg[1] = 0x80;
        cfg[0x0e] = PCI_HEADER_BRIDGE;
        cfg[0x0b] = 0x06;
        cfg[0x0a] = 0x04;
        tree_bytes(&t, "/sys/devices/pci0000:00/0000:00:01.0/config", cfg, sizeof(cfg));
        for (int header_only = 0; header_only <= 1; header_only++) {
                m = (struct machine){ .config_header_only = header_only };
                load();
                assert_false(dev(PORT)->damaged);
                assert_int_equal(m.n_problems, 0);
                assert_non_null(dev(PORT)->config);
                assert_int_equal(dev(PORT)->header, PCI_HEADER_BRIDGE);
                assert_int_equal(dev(PORT)->vendor, 0x8086);
                assert_int_equal(dev(PORT)->class, 0x060400);
                machine_done(&m);
        }
        m = (struct machine){ 0 };
}

/* Load M (its flags as set) with the journal on: the most bytes read of each device's config
 * space, GPU's into RET_GPU and PORT's into RET_PORT. */
static void load_config_reads(size_t *ret_gpu, size_t *ret_port)
{
        _cleanup_root_ struct root *r = NULL;
        const struct root_journal_entry *j;
        size_t n;

        assert_int_equal(root_new(t.dir, &r), 0);
        root_journal_enable(r, true);
        assert_int_equal(pci_load(r, &m), 0);
        *ret_gpu = *ret_port = 0;
        j = root_journal(r, &n);
        for (size_t i = 0; i < n; i++) {
                const char *p = j[i].path;
                size_t len = strlen(p), v;
                if (j[i].op != ROOT_OP_READ || len < 7 || strcmp(p + len - 7, "/config") != 0)
                        continue;
                v = j[i].value ? strtoul(j[i].value, NULL, 10) : 99999;
                size_t *dst = strstr(p, GPU) ? ret_gpu : ret_port;
                *dst = v > *dst ? v : *dst;
        }
}

/*
 * How far config space is read: 256 bytes of a single-function endpoint, all of a bridge or
 * of a multifunction device's function, and only the 64-byte header when binding. Of what was
 * read, the bytes decoding looks at stay.
 */
static void test_config_depth(void **state)
{
        static uint8_t cfg[4096];
        size_t gpu, port;

        gpu_tree();
        tree_bytes(&t, "/sys/devices/pci0000:00/0000:00:01.0/0000:01:00.0/config", cfg, sizeof(cfg));
        cfg[0x0e] = PCI_HEADER_BRIDGE;
        tree_bytes(&t, "/sys/devices/pci0000:00/0000:00:01.0/config", cfg, sizeof(cfg));
        load_config_reads(&gpu, &port);
        assert_int_equal(gpu, 256);
        assert_int_equal(port, 4096);
        assert_int_equal(dev(GPU)->config_len, 256);
        assert_int_equal(dev(PORT)->config_len, 0x104);
        machine_done(&m);

        cfg[0x0e] = 0x80; /* function 0 of a multifunction device */
        tree_bytes(&t, "/sys/devices/pci0000:00/0000:00:01.0/0000:01:00.0/config", cfg, sizeof(cfg));
        m = (struct machine){ 0 };
        load_config_reads(&gpu, &port);
        assert_int_equal(gpu, 4096);
        assert_true(dev(GPU)->multifunction);
        machine_done(&m);

        m = (struct machine){ .config_header_only = true };
        load_config_reads(&gpu, &port);
        assert_int_equal(gpu, 64);
        assert_int_equal(port, 64);
        assert_int_equal(dev(GPU)->config_len, 64);
        assert_int_equal(dev(PORT)->config_len, 64);
        assert_int_equal(dev(PORT)->header, PCI_HEADER_BRIDGE);
        assert_true(dev(GPU)->multifunction);
        assert_false(dev(GPU)->damaged);
}

/* The config header stands in for the ID files; where it cannot (a VF's vendor and device read
 * 0xffff, a header of zeros, a short one), the files are read. */
static void test_ids_from_config(void **state)
{
        gpu_tree();
        /* Files the header makes unnecessary: not read, so not found malformed. */
        tree_dev_attr(&t, GPU, "vendor", "zz10\n");
        tree_dev_attr(&t, GPU, "class", "nonsense\n");
        /* A VF: vendor and device from the files, class from the header. */
        patch_config(AUDIO, 0, "\xff\xff\xff\xff", 4);
        tree_dev_attr(&t, AUDIO, "subsystem_vendor", "0x1111\n");
        /* A bridge: subsystem IDs from the files. */
        tree_dev_attr(&t, PORT, "subsystem_vendor", "0x1462\n");
        load();
        assert_int_equal(m.n_problems, 0);
        assert_int_equal(dev(GPU)->vendor, 0x10de);
        assert_int_equal(dev(GPU)->class, 0x030000);
        assert_int_equal(dev(AUDIO)->vendor, 0x10de);
        assert_int_equal(dev(AUDIO)->device, 0x228b);
        assert_int_equal(dev(AUDIO)->class, 0x040300);
        assert_int_equal(dev(AUDIO)->subsys_vendor, 0); /* type 0: from the header */
        assert_int_equal(dev(PORT)->subsys_vendor, 0x1462);
        machine_done(&m);

        /* Zeros, then a short header: every ID from the files. */
        static const uint8_t zeros[64];
        tree_bytes(&t, "/sys/devices/pci0000:00/0000:00:01.0/0000:01:00.0/config", zeros, sizeof(zeros));
        m = (struct machine){ 0 };
        load();
        assert_non_null(find_problem(&m, "/vendor", "malformed vendor 'zz10'"));
        assert_non_null(find_problem(&m, "/class", "malformed class 'nonsense'"));
        machine_done(&m);
        tree_bytes(&t, "/sys/devices/pci0000:00/0000:00:01.0/0000:01:00.0/config", "\xde\x10", 2);
        m = (struct machine){ 0 };
        load();
        assert_non_null(find_problem(&m, "/vendor", "malformed vendor 'zz10'"));
        assert_non_null(find_problem(&m, "/config", "short config space (2 bytes)"));
}

static void test_sriov(void **state)
{
        tree_pci_device(&t, PORT, NULL, 0x8086, 0x1901, 0x060400, 1);
        tree_pci_device(&t, "0000:02:00.0", PORT, 0x8086, 0x1572, 0x020000, 0x80);
        tree_pci_device(&t, "0000:02:02.0", PORT, 0x8086, 0x154c, 0x020000, 0);
        tree_pci_device(&t, "0000:02:02.1", PORT, 0x8086, 0x154c, 0x020000, 0);
        tree_dev_attr(&t, "0000:02:00.0", "sriov_totalvfs", "64\n");
        tree_dev_attr(&t, "0000:02:00.0", "sriov_numvfs", "2\n");
        tree_dev_link(&t, "0000:02:00.0", "virtfn0", "/sys/devices/pci0000:00/" PORT "/0000:02:02.0");
        tree_dev_link(&t, "0000:02:02.0", "physfn", "/sys/devices/pci0000:00/" PORT "/0000:02:00.0");
        tree_dev_link(&t, "0000:02:02.1", "physfn", "/sys/devices/pci0000:00/" PORT "/0000:02:00.0");
        load();
        size_t pf = machine_find_device_name(&m, "0000:02:00.0");
        assert_int_equal(m.devices[pf].sriov_totalvfs, 64);
        assert_int_equal(m.devices[pf].sriov_numvfs, 2);
        assert_int_equal(m.devices[pf].physfn, NONE);
        assert_int_equal(dev("0000:02:02.0")->physfn, pf);
        assert_int_equal(dev("0000:02:02.1")->physfn, pf);
        assert_int_equal(dev("0000:02:02.1")->sriov_totalvfs, -1);
        assert_int_equal(dev("0000:02:02.1")->parent, machine_find_device_name(&m, PORT));
        assert_int_equal(m.n_problems, 0);
}

static void test_physfn_not_a_device(void **state)
{
        tree_pci_device(&t, PORT, NULL, 0x8086, 0x1901, 0x060400, 1);
        tree_pci_device(&t, "0000:02:02.0", PORT, 0x8086, 0x154c, 0x020000, 0);
        tree_mkdir(&t, "/sys/devices/pci0000:00/" PORT "/0000:02:00.0");
        tree_dev_link(&t, "0000:02:02.0", "physfn", "/sys/devices/pci0000:00/" PORT "/0000:02:00.0");
        load();
        assert_int_equal(dev("0000:02:02.0")->physfn, NONE);
        assert_true(dev("0000:02:02.0")->damaged);
        assert_non_null(find_problem(&m, NULL, "physical function '0000:02:00.0' is not in"));
}

static void test_parent_not_listed(void **state)
{
        gpu_tree();
        /* The port's bus link is gone: its children name a parent the model does not have. */
        assert_int_equal(unlink(tree_path(&t, "/sys/bus/pci/devices/" PORT)), 0);
        load();
        assert_int_equal(m.n_devices, 2);
        assert_int_equal(dev(GPU)->parent, NONE);
        assert_non_null(find_problem(&m, GPU, "parent 0000:00:01.0 is not in /sys/bus/pci/devices"));
        assert_false(dev(GPU)->damaged);
}

static void test_problem_text_is_printable(void **state)
{
        gpu_tree();
        drop_config(GPU);
        tree_dev_attr(&t, GPU, "vendor", "\x1b[31mred\x07\n");
        load();
        assert_non_null(find_problem(&m, "/vendor", "malformed vendor '?[31mred?'"));
}

static const char generated[] = "cpu amd\n"
                                "acpi IVRS\n"
                                "iommu-unit ivhd0\n"
                                "release 6.1.0-28-amd64\n"
                                "cmdline BOOT_IMAGE=/vmlinuz root=/dev/nvme0n1p2 iommu=pt\n"
                                "kconfig CONFIG_IRQ_REMAP=y\n"
                                "kconfig CONFIG_VFIO_PCI=m\n"
                                "interrupts IR-PCI-MSI\n"
                                "# a GPU behind a root port, an NVMe disk, an SR-IOV NIC\n"
                                "pci 0000:00:00.0 vendor=1022 device=1480 class=060000 group=0\n"
                                "pci 0000:00:01.1 vendor=1022 device=1483 class=060400 pcie=rootport acs=5f "
                                "group=1 driver=pcieport builtin\n"
                                "pci 0000:01:00.0 parent=0000:00:01.1 vendor=10de device=2484 class=030000 "
                                "subsys=1458:4037 group=1 driver=nvidia module=nvidia multifunction "
                                "pcie=endpoint boot_vga=1 reset=flr,bus\n"
                                "pci 0000:01:00.1 parent=0000:00:01.1 vendor=10de device=228b class=040300 "
                                "group=1 driver=snd_hda_intel module=snd_hda_intel\n"
                                "pci 0000:00:01.2 vendor=1022 device=1483 class=060400 pcie=rootport group=2\n"
                                "pci 0000:02:00.0 parent=0000:00:01.2 vendor=144d device=a808 class=010802 "
                                "group=3 driver=nvme module=nvme\n"
                                "pci 0000:03:00.0 vendor=8086 device=1572 class=020000 group=4 sriov=8 cfg=256\n"
                                "pci 0000:03:02.0 vendor=8086 device=154c class=020000 group=5 "
                                "physfn=0000:03:00.0\n"
                                "group 1 type=identity region=fee00000-feefffff-msi\n"
                                "block nvme0n1 pci=0000:02:00.0\n"
                                "block nvme0n1p2 partition=nvme0n1 uuid=0a1b\n";

static void test_generated_tree(void **state)
{
        _cleanup_root_ struct root *r = NULL;

        tree_generate(&t, generated);
        assert_int_equal(root_new(t.dir, &r), 0);
        assert_int_equal(machine_load(r, 0, &m), 0);
        for (size_t i = 0; i < m.n_problems; i++)
                print_message("problem: %s: %s\n", m.problems[i].path, m.problems[i].message);
        assert_int_equal(m.n_problems, 0);
        assert_string_equal(m.release, "6.1.0-28-amd64");
        assert_string_equal(m.cmdline, "BOOT_IMAGE=/vmlinuz root=/dev/nvme0n1p2 iommu=pt");
        assert_int_equal(m.cpu, CPU_AMD);
        assert_true(m.x86);
        assert_true(m.kconfig.found);
        assert_int_equal(m.kconfig.irq_remap, TRI_YES);
        assert_int_equal(m.kconfig.vfio_pci_module, TRI_YES);
        assert_int_equal(m.kconfig.vfio_pci_builtin, TRI_NO);
        assert_true(m.iommu.acpi_ivrs);
        assert_false(m.iommu.acpi_dmar);
        assert_int_equal(m.iommu.n_units, 1);
        assert_string_equal(m.iommu.units[0], "ivhd0");
        assert_int_equal(m.iommu.interrupt_remapping, TRI_YES);

        assert_int_equal(m.n_devices, 8);
        const struct pci_device *g = dev("0000:01:00.0");
        assert_int_equal(g->vendor, 0x10de);
        assert_int_equal(g->subsys_device, 0x4037);
        assert_int_equal(g->config_len, 256);
        assert_int_equal(g->header, PCI_HEADER_NORMAL);
        assert_true(g->multifunction);
        assert_string_equal(g->driver, "nvidia");
        assert_int_equal(g->driver_builtin, TRI_NO);
        assert_int_equal(g->boot_vga, TRI_YES);
        assert_string_equal(g->reset_method, "flr bus");
        assert_int_equal(g->parent, machine_find_device_name(&m, "0000:00:01.1"));
        assert_int_equal(dev("0000:01:00.1")->boot_vga, TRI_UNKNOWN);

        const struct pci_device *port = dev("0000:00:01.1");
        assert_int_equal(port->config_len, 0x108); /* up to the end of the ACS capability */
        assert_int_equal(port->header, PCI_HEADER_BRIDGE);
        assert_int_equal(port->config[0x100], 0x0d); /* ACS extended capability */
        assert_string_equal(port->driver, "pcieport");
        assert_null(port->driver_module);

        size_t pf = machine_find_device_name(&m, "0000:03:00.0");
        assert_int_equal(m.devices[pf].sriov_totalvfs, 8);
        assert_int_equal(m.devices[pf].sriov_numvfs, 1);
        assert_int_equal(dev("0000:03:02.0")->physfn, pf);

        assert_int_equal(m.n_groups, 6);
        size_t gi = machine_find_group(&m, 1);
        assert_int_not_equal(gi, NONE);
        assert_string_equal(m.groups[gi].type, "identity");
        assert_int_equal(m.groups[gi].n_devices, 3);
        assert_int_equal(m.groups[gi].n_regions, 1);
        assert_string_equal(m.groups[gi].regions[0].type, "msi");
        assert_int_equal(m.groups[gi].regions[0].start, 0xfee00000);
        assert_int_equal(g->group, gi);
        assert_string_equal(m.groups[machine_find_group(&m, 3)].type, "DMA-FQ");
}

/* --list's needs: what it prints is read as by --check, the rest is left unread. */
static void test_load_only_needed(void **state)
{
        _cleanup_root_ struct root *r = NULL;

        tree_generate(&t, generated);
        assert_int_equal(root_new(t.dir, &r), 0);
        assert_int_equal(machine_load(r, MACHINE_LOAD_LIST | MACHINE_LOAD_NO_GROUP_TYPE, &m), 0);
        const struct pci_device *g = dev("0000:01:00.0");
        assert_true(g->vendor == 0x10de && g->boot_vga == TRI_YES && g->config_len == 64);
        assert_true(strcmp(g->driver, "nvidia") == 0 && !g->driver_module && g->driver_builtin == TRI_UNKNOWN);
        assert_null(g->reset_method);
        size_t pf = machine_find_device_name(&m, "0000:03:00.0");
        assert_true(m.devices[pf].sriov_totalvfs == -1 && dev("0000:03:02.0")->physfn == NONE);
        size_t gi = machine_find_group(&m, 1);
        assert_true(m.groups[gi].n_devices == 3 && m.groups[gi].n_regions == 0 && !m.groups[gi].type);

        /* What --list reads it reads as --check does: unlisted directories, groups from links. */
        struct machine full = { 0 };
        assert_int_equal(machine_load(r, 0, &full), 0);
        assert_int_equal(m.n_devices, full.n_devices);
        assert_int_equal(m.n_groups, full.n_groups);
        for (size_t i = 0; i < m.n_devices; i++) {
                const struct pci_device *a = &m.devices[i], *b = &full.devices[i];
                assert_string_equal(a->name, b->name);
                assert_string_equal(a->path, b->path);
                assert_true(a->vendor == b->vendor && a->device == b->device && a->class == b->class);
                assert_true(a->header == b->header && a->boot_vga == b->boot_vga && a->parent == b->parent);
                assert_true((!a->driver && !b->driver) || (a->driver && b->driver && !strcmp(a->driver, b->driver)));
                assert_int_equal(a->iommu_group, b->iommu_group);
                assert_int_equal(a->group, b->group);
                assert_memory_equal(a->config, b->config, a->config_len);
        }
        for (size_t i = 0; i < m.n_groups; i++) {
                assert_int_equal(m.groups[i].id, full.groups[i].id);
                assert_int_equal(m.groups[i].n_devices, full.groups[i].n_devices);
                assert_memory_equal(m.groups[i].devices, full.groups[i].devices,
                                    m.groups[i].n_devices * sizeof(size_t));
        }
        machine_done(&full);
}

static void test_machine_load_needs_pci_bus(void **state)
{
        _cleanup_root_ struct root *r = NULL;

        tree_file(&t, "/proc/cmdline", "quiet\n");
        assert_int_equal(root_new(t.dir, &r), 0);
        assert_int_equal(machine_load(r, 0, &m), -ENOENT);
        assert_null(m.cmdline);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_attributes, fixture_setup, fixture_teardown),
                cmocka_unit_test_setup_teardown(test_builtin_driver, fixture_setup, fixture_teardown),
                cmocka_unit_test_setup_teardown(test_parents_and_sorting, fixture_setup, fixture_teardown),
                cmocka_unit_test_setup_teardown(test_duplicate_and_bad_names, fixture_setup, fixture_teardown),
                cmocka_unit_test_setup_teardown(test_missing_bus_is_fatal, fixture_setup, fixture_teardown),
                cmocka_unit_test_setup_teardown(test_damaged_attributes, fixture_setup, fixture_teardown),
                cmocka_unit_test_setup_teardown(test_damaged_keeps_the_rest, fixture_setup, fixture_teardown),
                cmocka_unit_test_setup_teardown(test_missing_required, fixture_setup, fixture_teardown),
                cmocka_unit_test_setup_teardown(test_device_links_escaping_and_looping, fixture_setup,
                                                fixture_teardown),
                cmocka_unit_test_setup_teardown(test_config_space, fixture_setup, fixture_teardown),
                cmocka_unit_test_setup_teardown(test_config_too_big, fixture_setup, fixture_teardown),
                cmocka_unit_test_setup_teardown(test_config_depth, fixture_setup, fixture_teardown),
                cmocka_unit_test_setup_teardown(test_ids_from_config, fixture_setup, fixture_teardown),
                cmocka_unit_test_setup_teardown(test_sriov, fixture_setup, fixture_teardown),
                cmocka_unit_test_setup_teardown(test_physfn_not_a_device, fixture_setup, fixture_teardown),
                cmocka_unit_test_setup_teardown(test_parent_not_listed, fixture_setup, fixture_teardown),
                cmocka_unit_test_setup_teardown(test_problem_text_is_printable, fixture_setup, fixture_teardown),
                cmocka_unit_test_setup_teardown(test_generated_tree, fixture_setup, fixture_teardown),
                cmocka_unit_test_setup_teardown(test_load_only_needed, fixture_setup, fixture_teardown),
                cmocka_unit_test_setup_teardown(test_machine_load_needs_pci_bus, fixture_setup, fixture_teardown),
        };
        return cmocka_run_group_tests_name("pci", tests, NULL, NULL);
}
