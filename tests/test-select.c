/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"
#include "macro.h"
#include "model.h"
#include "select.h"

/* ---- a machine from literals ---- */

struct dev_spec {
        const char *addr;
        uint16_t vendor, device;
        uint32_t class;
        long group; /* -1: none */
        const char *physfn;
        uint16_t sv, sd;
};

static size_t find_spec(const struct machine *m, const char *addr)
{
        size_t i = machine_find_device_name(m, addr);
        if (i == NONE)
                fail_msg("no device %s in the test machine", addr);
        return i;
}

static void add_group_member(struct machine *m, long id, size_t dev)
{
        size_t g = machine_find_group(m, id);
        if (g == NONE) {
                /* Groups are created in id order below, so appending keeps them sorted. */
                m->groups = realloc(m->groups, (m->n_groups + 1) * sizeof(*m->groups));
                assert_non_null(m->groups);
                g = m->n_groups++;
                m->groups[g] = (struct iommu_group){ .id = id };
        }
        struct iommu_group *grp = &m->groups[g];
        grp->devices = realloc(grp->devices, (grp->n_devices + 1) * sizeof(size_t));
        assert_non_null(grp->devices);
        grp->devices[grp->n_devices++] = dev;
        m->devices[dev].group = g;
}

static void build_groups(struct machine *m)
{
        long max = -1;

        for (size_t i = 0; i < m->n_devices; i++)
                if (m->devices[i].iommu_group > max)
                        max = m->devices[i].iommu_group;
        for (long id = 0; id <= max; id++)
                for (size_t i = 0; i < m->n_devices; i++)
                        if (m->devices[i].iommu_group == id)
                                add_group_member(m, id, i);
}

/* SPECS must be in address order, as machine_load() sorts them. */
static void build(struct machine *m, const struct dev_spec *specs, size_t n)
{
        *m = (struct machine){ 0 };
        m->devices = calloc(n ? n : 1, sizeof(*m->devices));
        assert_non_null(m->devices);
        m->n_devices = n;
        for (size_t i = 0; i < n; i++) {
                struct pci_device *d = &m->devices[i];
                assert_int_equal(pci_addr_parse(specs[i].addr, &d->addr), 0);
                pci_addr_format(&d->addr, d->name);
                if (i > 0)
                        assert_true(pci_addr_cmp(&m->devices[i - 1].addr, &d->addr) < 0);
                d->vendor = specs[i].vendor;
                d->device = specs[i].device;
                d->subsys_vendor = specs[i].sv;
                d->subsys_device = specs[i].sd;
                d->class = specs[i].class;
                d->header = PCI_HEADER_UNKNOWN;
                d->iommu_group = specs[i].group;
                d->group = NONE;
                d->parent = NONE;
                d->physfn = NONE;
                d->sriov_totalvfs = d->sriov_numvfs = -1;
                d->boot_vga = TRI_UNKNOWN;
        }
        for (size_t i = 0; i < n; i++)
                if (specs[i].physfn)
                        m->devices[i].physfn = find_spec(m, specs[i].physfn);
        build_groups(m);
}

/*
 * A desktop with most shapes selection meets:
 *   01:00    NVIDIA GPU + audio, one group with the root port 00:01.0
 *   03:00    AMD GPU with audio and USB functions, each in a group of its own
 *   04:00    a multifunction card: USB + SATA share a group, the NIC does not
 *   05:00    two functions without IOMMU groups
 *   06:00    an SR-IOV NIC: two PFs; VFs 06:00.4 (ARI, same slot), 06:10.0 of PF 0, 06:10.1 of PF 1
 *   07:00    a second NVIDIA GPU of the same model but another subsystem vendor
 *   0001:00  a device in a second PCI domain
 */
static const struct dev_spec desktop[] = {
        { "0000:00:00.0", 0x8086, 0x3e30, 0x060000, 0, NULL, 0, 0 },
        { "0000:00:01.0", 0x8086, 0x1901, 0x060400, 1, NULL, 0, 0 },
        { "0000:01:00.0", 0x10de, 0x2484, 0x030000, 1, NULL, 0x10de, 0x1111 },
        { "0000:01:00.1", 0x10de, 0x228b, 0x040300, 1, NULL, 0x10de, 0x1111 },
        { "0000:03:00.0", 0x1002, 0x73bf, 0x030000, 3, NULL, 0, 0 },
        { "0000:03:00.1", 0x1002, 0xab28, 0x040300, 4, NULL, 0, 0 },
        { "0000:03:00.2", 0x1002, 0x73a6, 0x0c0330, 5, NULL, 0, 0 },
        { "0000:04:00.0", 0x1912, 0x0014, 0x0c0330, 6, NULL, 0, 0 },
        { "0000:04:00.1", 0x1b21, 0x1062, 0x010601, 6, NULL, 0, 0 },
        { "0000:04:00.2", 0x8086, 0x1533, 0x020000, 7, NULL, 0, 0 },
        { "0000:05:00.0", 0x8086, 0x10d3, 0x020000, -1, NULL, 0, 0 },
        { "0000:05:00.1", 0x8086, 0x10d3, 0x020000, -1, NULL, 0, 0 },
        { "0000:06:00.0", 0x8086, 0x1521, 0x020000, 8, NULL, 0, 0 },
        { "0000:06:00.1", 0x8086, 0x1521, 0x020000, 8, NULL, 0, 0 },
        { "0000:06:00.4", 0x8086, 0x1520, 0x020000, 9, "0000:06:00.0", 0, 0 },
        { "0000:06:10.0", 0x8086, 0x1520, 0x020000, 10, "0000:06:00.0", 0, 0 },
        { "0000:06:10.1", 0x8086, 0x1520, 0x020000, 11, "0000:06:00.1", 0, 0 },
        { "0000:07:00.0", 0x10de, 0x2484, 0x030000, 12, NULL, 0x1458, 0x4037 },
        { "0000:07:00.1", 0x10de, 0x228b, 0x040300, 12, NULL, 0x1458, 0x4037 },
        { "0001:00:00.0", 0x1b4b, 0x9230, 0x010601, 13, NULL, 0, 0 },
};

/*
 * The selection as text: "ADDR:W[<BY][!]@E" per item, W = S (selector), F (functions=),
 * V (VF); BY = the device that pulled it in; '!' = pin mismatch; E = index of the config
 * entry; then "?E" per unmatched entry. Addresses in domain 0 drop the domain.
 */
static void short_name(const struct machine *m, size_t dev, char buf[static PCI_ADDR_STRLEN])
{
        const char *n = m->devices[dev].name;
        snprintf(buf, PCI_ADDR_STRLEN, "%s", strncmp(n, "0000:", 5) == 0 ? n + 5 : n);
}

static char *render(const struct machine *m, const struct config *cfg, const struct selection *s)
{
        static const char why[] = {
                [SELECTED_BY_SELECTOR] = 'S', [SELECTED_BY_FUNCTIONS] = 'F', [SELECTED_AS_VF] = 'V'
        };
        char *buf = NULL, name[PCI_ADDR_STRLEN];
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);

        assert_non_null(f);
        for (size_t i = 0; i < s->n_items; i++) {
                const struct selected *it = &s->items[i];
                short_name(m, it->device, name);
                fprintf(f, "%s%s:%c", i ? " " : "", name, why[it->why]);
                if (it->pulled_by != NONE) {
                        short_name(m, it->pulled_by, name);
                        fprintf(f, "<%s", name);
                }
                fprintf(f, "%s@%td", it->pin_mismatch ? "!" : "", it->conf - cfg->devices);
        }
        for (size_t i = 0; i < s->n_unmatched; i++)
                fprintf(f, "%s?%td", s->n_items || i ? " " : "", s->unmatched[i].conf - cfg->devices);
        assert_int_equal(fclose(f), 0);
        return buf;
}

static const struct {
        const char *conf;
        const char *want;
} cases[] = {
        { "", "" },
        /* functions=auto: slot-mates in the same group; a GPU takes its whole slot */
        { "device 01:00.0", "01:00.0:S@0 01:00.1:F<01:00.0@0" },
        { "device 01:00.1", "01:00.0:F<01:00.1@0 01:00.1:S@0" },
        { "device 03:00.0", "03:00.0:S@0 03:00.1:F<03:00.0@0 03:00.2:F<03:00.0@0" },
        { "device 03:00.1", "03:00.1:S@0" },
        { "device 03:00.2", "03:00.2:S@0" },
        { "device 04:00.0", "04:00.0:S@0 04:00.1:F<04:00.0@0" },
        { "device 04:00.2", "04:00.2:S@0" },
        { "device 05:00.0", "05:00.0:S@0" },
        { "device 00:01.0", "00:01.0:S@0" },
        /* functions=all and one */
        { "device 03:00.1 functions=all", "03:00.0:F<03:00.1@0 03:00.1:S@0 03:00.2:F<03:00.1@0" },
        { "device 04:00.2 functions=all", "04:00.0:F<04:00.2@0 04:00.1:F<04:00.2@0 04:00.2:S@0" },
        { "device 05:00.1 functions=all", "05:00.0:F<05:00.1@0 05:00.1:S@0" },
        { "device 01:00.0 functions=one", "01:00.0:S@0" },
        { "device 03:00.0 functions=one", "03:00.0:S@0" },
        /* absent devices, optional or not, are reported as unmatched */
        { "device 09:00.0", "?0" },
        { "device 09:00.0 optional", "?0" },
        { "device 0002:00:00.0", "?0" },
        { "device 01:00.0\ndevice 09:00.0\ndevice 10de:9999", "01:00.0:S@0 01:00.1:F<01:00.0@0 ?1 ?2" },
        { "device 0001:00:00.0", "0001:00:00.0:S@0" },
        /* ID selectors pick every match, with subsystem when given */
        { "device 10de:2484", "01:00.0:S@0 01:00.1:F<01:00.0@0 07:00.0:S@0 07:00.1:F<07:00.0@0" },
        { "device 10de:2484 functions=one", "01:00.0:S@0 07:00.0:S@0" },
        { "device 10de:2484:1458:4037", "07:00.0:S@0 07:00.1:F<07:00.0@0" },
        { "device 10de:2484:1458:9999", "?0" },
        { "device 8086:10d3 functions=one", "05:00.0:S@0 05:00.1:S@0" },
        /* id= pins */
        { "device 01:00.0 id=10de:2484", "01:00.0:S@0 01:00.1:F<01:00.0@0" },
        { "device 01:00.0 id=1002:73bf", "01:00.0:S!@0" },
        { "device 01:00.0 id=10de:2485 functions=all", "01:00.0:S!@0" },
        { "device 01:00.0 id=1002:73bf\ndevice 10de:2484 functions=one", "01:00.0:S@1 07:00.0:S@1" },
        { "device 10de:2484 functions=one\ndevice 01:00.0 id=1002:73bf", "01:00.0:S@0 07:00.0:S@0" },
        { "device 01:00.0 id=1002:73bf\ndevice 01:00.1", "01:00.0:S!@0 01:00.1:S@1" },
        /* a failed pin still beats being pulled in */
        { "device 01:00.1\ndevice 01:00.0 id=1002:73bf", "01:00.0:S!@1 01:00.1:S@0" },
        /* a direct hit beats a pull-in; among equals the first entry wins */
        { "device 01:00.0\ndevice 01:00.1 functions=one", "01:00.0:S@0 01:00.1:S@1" },
        { "device 01:00.1 functions=one\ndevice 01:00.0", "01:00.0:S@1 01:00.1:S@0" },
        { "device 10de:228b functions=one\ndevice 01:00.1 functions=one", "01:00.1:S@0 07:00.1:S@0" },
        { "device 01:00.0\ndevice 10de:2484", "01:00.0:S@0 01:00.1:F<01:00.0@0 07:00.0:S@1 07:00.1:F<07:00.0@1" },
        { "device 03:00.0\ndevice 03:00.1 functions=all", "03:00.0:S@0 03:00.1:S@1 03:00.2:F<03:00.0@0" },
        { "device 03:00.1 functions=all\ndevice 03:00.0", "03:00.0:S@1 03:00.1:S@0 03:00.2:F<03:00.1@0" },
        /* vfs=: the PF and its VFs, nothing else of the slot */
        { "device 06:00.0 vfs=2", "06:00.0:S@0 06:00.4:V<06:00.0@0 06:10.0:V<06:00.0@0" },
        { "device 06:00.1 vfs=1", "06:00.1:S@0 06:10.1:V<06:00.1@0" },
        { "device 06:00.0 vfs=2 functions=all", "06:00.0:S@0 06:00.4:V<06:00.0@0 06:10.0:V<06:00.0@0" },
        { "device 8086:1521 vfs=1",
          "06:00.0:S@0 06:00.1:S@0 06:00.4:V<06:00.0@0 06:10.0:V<06:00.0@0 06:10.1:V<06:00.1@0" },
        { "device 06:00.0 vfs=2 id=8086:10fb", "06:00.0:S!@0" },
        { "device 04:00.0 vfs=4", "04:00.0:S@0" },
        /* a VF named by its own selector is a direct hit; a VF beats a pull-in */
        { "device 06:00.0 vfs=2\ndevice 06:10.0", "06:00.0:S@0 06:00.4:V<06:00.0@0 06:10.0:S@1" },
        { "device 06:00.1 functions=all\ndevice 06:00.0 vfs=2",
          "06:00.0:S@1 06:00.1:S@0 06:00.4:V<06:00.0@1 06:10.0:V<06:00.0@1" },
        /* without vfs=, a PF's functions are expanded as any device's */
        { "device 06:00.0", "06:00.0:S@0 06:00.1:F<06:00.0@0" },
};

static void test_cases(void **state)
{
        struct machine m;

        build(&m, desktop, ARRAY_SIZE(desktop));
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                struct config cfg = { 0 };
                struct config_error err = { 0 };
                struct selection s = { 0 };

                if (config_parse(&cfg, "test.conf", cases[i].conf, strlen(cases[i].conf), &err) < 0)
                        fail_msg("case %zu: %s: %s", i, err.origin, err.message);
                assert_int_equal(select_devices(&m, &cfg, &s), 0);
                _cleanup_free_ char *got = render(&m, &cfg, &s);
                if (strcmp(got, cases[i].want) != 0)
                        fail_msg("case %zu (%s):\n got: %s\nwant: %s", i, cases[i].conf, got, cases[i].want);
                selection_done(&s);
                assert_null(s.items);
                assert_int_equal(s.n_items, 0);
                config_done(&cfg);
        }
        machine_done(&m);
}

static void test_find(void **state)
{
        struct machine m;
        struct config cfg = { 0 };
        struct config_error err = { 0 };
        struct selection s = { 0 };
        static const char conf[] = "device 01:00.0\ndevice 03:00.0\ndevice 06:00.0 vfs=2\ndevice 0001:00:00.0";

        build(&m, desktop, ARRAY_SIZE(desktop));
        assert_int_equal(config_parse(&cfg, "test.conf", conf, strlen(conf), &err), 0);
        assert_int_equal(select_devices(&m, &cfg, &s), 0);
        assert_int_equal(s.n_items, 9);
        for (size_t dev = 0; dev < m.n_devices; dev++) {
                size_t want = NONE;
                for (size_t j = 0; j < s.n_items; j++)
                        if (s.items[j].device == dev)
                                want = j;
                assert_int_equal(selection_find(&s, dev), want);
        }
        assert_int_equal(selection_find(&s, m.n_devices + 5), NONE);
        assert_int_equal(selection_find(&s, NONE), NONE);
        selection_done(&s);
        assert_int_equal(selection_find(&s, 0), NONE);
        config_done(&cfg);
        machine_done(&m);
}

static void test_empty_machine(void **state)
{
        struct machine m;
        struct config cfg = { 0 };
        struct config_error err = { 0 };
        struct selection s = { 0 };
        static const char conf[] = "device 01:00.0 optional\ndevice 10de:2484";

        build(&m, NULL, 0);
        assert_int_equal(config_parse(&cfg, "test.conf", conf, strlen(conf), &err), 0);
        assert_int_equal(select_devices(&m, &cfg, &s), 0);
        assert_int_equal(s.n_items, 0);
        assert_null(s.items);
        assert_int_equal(s.n_unmatched, 2);
        assert_ptr_equal(s.unmatched[0].conf, &cfg.devices[0]);
        assert_ptr_equal(s.unmatched[1].conf, &cfg.devices[1]);
        selection_done(&s);
        config_done(&cfg);
        machine_done(&m);
}

/* vfs= names a PF whose VFs are bound; on anything else it is refused (vfio-prep.conf(5)). */
static void test_vfs_role(void **state)
{
        static const struct {
                const char *conf;
                const char *addr;
                long totalvfs;
                enum vfs_role role;
                bool wants_vfio;
        } roles[] = {
                { "device 06:00.0 vfs=2", "0000:06:00.0", 4, VFS_PF, false },
                { "device 06:00.0 vfs=4", "0000:06:00.0", 4, VFS_PF, false },
                { "device 06:00.0 vfs=5", "0000:06:00.0", 4, VFS_BAD, false },
                { "device 06:00.0 vfs=1", "0000:06:00.0", -1, VFS_BAD, false },
                { "device 06:10.0 vfs=1", "0000:06:10.0", 4, VFS_BAD, false },
                { "device 06:00.0 vfs=2 id=dead:beef", "0000:06:00.0", 4, VFS_NONE, false },
                { "device 06:00.0", "0000:06:00.0", 4, VFS_NONE, true },
                { "device 06:00.0 vfs=2", "0000:06:10.0", 4, VFS_NONE, true },
        };

        for (size_t i = 0; i < ARRAY_SIZE(roles); i++) {
                struct machine m;
                struct config cfg = { 0 };
                struct config_error err = { 0 };
                struct selection s = { 0 };

                build(&m, desktop, ARRAY_SIZE(desktop));
                m.devices[find_spec(&m, "0000:06:00.0")].sriov_totalvfs = roles[i].totalvfs;
                assert_int_equal(config_parse(&cfg, "test.conf", roles[i].conf, strlen(roles[i].conf), &err), 0);
                assert_int_equal(select_devices(&m, &cfg, &s), 0);
                size_t k = selection_find(&s, find_spec(&m, roles[i].addr));
                if (k == NONE)
                        fail_msg("%s: %s not selected", roles[i].conf, roles[i].addr);
                if (selected_vfs_role(&m, &s.items[k]) != roles[i].role)
                        fail_msg("%s: %s has role %d", roles[i].conf, roles[i].addr,
                                 (int)selected_vfs_role(&m, &s.items[k]));
                assert_int_equal(selected_wants_vfio(&m, &s.items[k]), roles[i].wants_vfio);
                selection_done(&s);
                config_done(&cfg);
                machine_done(&m);
        }
}

/* Entries from --device and the kernel command line select like file entries. */
static void test_added_selectors(void **state)
{
        struct machine m;
        struct config cfg = { 0 };
        struct config_error err = { 0 };
        struct selection s = { 0 };

        build(&m, desktop, ARRAY_SIZE(desktop));
        assert_int_equal(config_add_selectors(&cfg, "--device", "03:00.0,8086:1533", &err), 0);
        assert_int_equal(select_devices(&m, &cfg, &s), 0);
        _cleanup_free_ char *got = render(&m, &cfg, &s);
        assert_string_equal(got, "03:00.0:S@0 03:00.1:F<03:00.0@0 03:00.2:F<03:00.0@0 04:00.2:S@1");
        assert_int_equal(s.items[3].pulled_by, NONE);
        assert_string_equal(s.items[3].conf->origin, "--device");
        selection_done(&s);
        config_done(&cfg);
        machine_done(&m);
}

/* path= follows the parent links, as the sysfs location gives them (vfio-prep.conf(5)). */
static void test_path_selector(void **state)
{
        struct machine m;
        struct config cfg = { 0 };
        struct config_error err = { 0 };
        struct selection s = { 0 };
        static const char conf[] = "device path=0000:00:01.0/00.0 functions=one\n"
                                   "device path=0000:00:01.0/00.1/00.0 optional\n"
                                   "device path=0000:00:00.0 id=dead:beef\n";

        build(&m, desktop, ARRAY_SIZE(desktop));
        m.devices[find_spec(&m, "0000:01:00.0")].parent = find_spec(&m, "0000:00:01.0");
        m.devices[find_spec(&m, "0000:01:00.1")].parent = find_spec(&m, "0000:00:01.0");
        assert_int_equal(select_find_path(&m, "0000:00:01.0/00.1"), find_spec(&m, "0000:01:00.1"));
        assert_int_equal(select_find_path(&m, "0000:00:01.0"), find_spec(&m, "0000:00:01.0"));
        /* An address is not a path when the device sits below a bridge. */
        assert_int_equal(select_find_path(&m, "0000:01:00.0"), NONE);
        assert_int_equal(config_parse(&cfg, "test.conf", conf, strlen(conf), &err), 0);
        assert_int_equal(select_devices(&m, &cfg, &s), 0);
        _cleanup_free_ char *got = render(&m, &cfg, &s);
        assert_string_equal(got, "00:00.0:S!@2 01:00.0:S@0 ?1");
        selection_done(&s);
        config_done(&cfg);
        machine_done(&m);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_cases),         cmocka_unit_test(test_find),
                cmocka_unit_test(test_empty_machine), cmocka_unit_test(test_added_selectors),
                cmocka_unit_test(test_vfs_role),      cmocka_unit_test(test_path_selector),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
