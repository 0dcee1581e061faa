/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "machine.h"
#include "macro.h"
#include "root.h"
#include "support/fixture.h"
#include "support/tree-extra.h"
#include "support/tree.h"

static void load(void)
{
        tree_mkdir(&t, "/sys/bus/pci/devices");
        fixture_load(pci_load);
        fixture_load(iommu_load);
}

static size_t idx(const char *name)
{
        size_t i = machine_find_device_name(&m, name);
        if (i == NONE)
                fail_msg("device %s not loaded", name);
        return i;
}

static void devices_in_groups(void)
{
        tree_pci_device(&t, "0000:00:00.0", NULL, 0x8086, 0x3e30, 0x060000, 0);
        tree_pci_device(&t, "0000:00:01.0", NULL, 0x8086, 0x1901, 0x060400, 1);
        tree_pci_device(&t, "0000:01:00.0", "0000:00:01.0", 0x10de, 0x2484, 0x030000, 0x80);
        tree_pci_device(&t, "0000:01:00.1", "0000:00:01.0", 0x10de, 0x228b, 0x040300, 0);
        tree_pci_device(&t, "0000:00:1f.0", NULL, 0x8086, 0xa305, 0x060100, 0x80);
        tree_iommu_group(&t, "0000:00:00.0", 2);
        /* Listed out of address order on purpose: the group lists them sorted. */
        tree_iommu_group(&t, "0000:01:00.1", 10);
        tree_iommu_group(&t, "0000:00:01.0", 10);
        tree_iommu_group(&t, "0000:01:00.0", 10);
        tree_iommu_group(&t, "0000:00:1f.0", 9);
}

static void test_groups(void **state)
{
        devices_in_groups();
        tree_file(&t, "/sys/kernel/iommu_groups/10/type", "identity\n");
        tree_file(&t, "/sys/kernel/iommu_groups/10/reserved_regions",
                  "0x00000000fee00000 0x00000000feefffff msi\n"
                  "0x000000fd00000000 0x000000ffffffffff reserved\n");
        assert_int_equal(unlink(tree_path(&t, "/sys/kernel/iommu_groups/9/type")), 0);
        load();

        assert_int_equal(m.n_problems, 0);
        assert_int_equal(m.n_groups, 3);
        /* Numeric order, not the directory's string order ("10" < "2" < "9"). */
        assert_int_equal(m.groups[0].id, 2);
        assert_int_equal(m.groups[1].id, 9);
        assert_int_equal(m.groups[2].id, 10);
        assert_string_equal(m.groups[0].type, "DMA");
        assert_null(m.groups[1].type);

        const struct iommu_group *g = &m.groups[machine_find_group(&m, 10)];
        assert_string_equal(g->type, "identity");
        assert_int_equal(g->n_devices, 3);
        assert_int_equal(g->devices[0], idx("0000:00:01.0"));
        assert_int_equal(g->devices[1], idx("0000:01:00.0"));
        assert_int_equal(g->devices[2], idx("0000:01:00.1"));
        assert_int_equal(g->n_regions, 2);
        assert_true(g->regions[0].start == 0xfee00000ULL);
        assert_true(g->regions[0].end == 0xfeefffffULL);
        assert_string_equal(g->regions[0].type, "msi");
        assert_true(g->regions[1].start == 0xfd00000000ULL);
        assert_true(g->regions[1].end == 0xffffffffffULL);
        assert_string_equal(g->regions[1].type, "reserved");

        assert_int_equal(m.devices[idx("0000:01:00.0")].group, 2);
        assert_int_equal(m.devices[idx("0000:00:1f.0")].group, 1);
        assert_int_equal(m.devices[idx("0000:00:00.0")].group, 0);
        assert_int_equal(m.devices[idx("0000:01:00.0")].iommu_group, 10);
        for (size_t i = 0; i < m.n_devices; i++)
                assert_false(m.devices[i].damaged);
}

struct region_case {
        const char *line;
        bool ok;
};

static const struct region_case region_cases[] = {
        { "0x00000000fee00000 0x00000000feefffff msi", true },
        { "0x0 0xfff direct-relaxable", true },
        { "0x00000000fee00000 0x00000000feefffff", false },
        { "0x00000000fee00000 0x00000000feefffff msi extra", false },
        { "0xfeefffff 0xfee00000 msi", false },
        { "fee00000-feefffff msi", false },
        { "0x1ffffffffffffffff 0x2 msi", false },
        { "zz 0x2 msi", false },
};

static int iommu_load_linked(struct root *r, struct machine *mm)
{
        return iommu_load_needed(r, MACHINE_LOAD_LINKED_GROUPS | MACHINE_LOAD_NO_REGIONS, mm);
}

/* Groups from the devices' links: the same groups, members and types as from the listings. */
static void test_linked_groups(void **state)
{
        devices_in_groups();
        tree_file(&t, "/sys/kernel/iommu_groups/10/type", "identity\n");
        /* A listing the links do not see: a member that is not a PCI device. */
        tree_mkdir(&t, "/sys/devices/platform/AMDI0010:00");
        tree_link(&t, "/sys/kernel/iommu_groups/9/devices/AMDI0010:00", "../../../../devices/platform/AMDI0010:00");
        tree_mkdir(&t, "/sys/bus/pci/devices");
        fixture_load(pci_load);
        fixture_load(iommu_load_linked);

        assert_int_equal(m.n_problems, 0);
        assert_int_equal(m.n_groups, 3);
        assert_int_equal(m.groups[0].id, 2);
        assert_int_equal(m.groups[1].id, 9);
        assert_int_equal(m.groups[2].id, 10);
        assert_string_equal(m.groups[2].type, "identity");
        assert_int_equal(m.groups[2].n_devices, 3);
        assert_int_equal(m.groups[2].devices[0], idx("0000:00:01.0"));
        assert_int_equal(m.groups[2].devices[1], idx("0000:01:00.0"));
        assert_int_equal(m.groups[2].devices[2], idx("0000:01:00.1"));
        assert_int_equal(m.groups[1].n_devices, 1);
        assert_int_equal(m.groups[2].n_regions, 0);
        assert_int_equal(m.devices[idx("0000:01:00.1")].group, 2);
        assert_int_equal(m.devices[idx("0000:00:1f.0")].group, 1);
        assert_int_equal(m.devices[idx("0000:00:1f.0")].iommu_group, 9);
}

/* A link to a group that has no directory still groups the device: a broken tree shows as it is. */
static void test_linked_group_without_directory(void **state)
{
        devices_in_groups();
        tree_dev_link(&t, "0000:01:00.1", "iommu_group", "/sys/kernel/iommu_groups/77");
        tree_mkdir(&t, "/sys/bus/pci/devices");
        fixture_load(pci_load);
        fixture_load(iommu_load_linked);

        assert_int_equal(m.n_problems, 0);
        assert_int_equal(m.n_groups, 4);
        const struct pci_device *d = &m.devices[idx("0000:01:00.1")];
        assert_int_equal(d->iommu_group, 77);
        assert_int_equal(m.groups[d->group].id, 77);
        assert_null(m.groups[d->group].type);
        assert_int_equal(m.groups[machine_find_group(&m, 10)].n_devices, 2);
}

static void test_region_lines(void **state)
{
        for (size_t i = 0; i < ARRAY_SIZE(region_cases); i++) {
                char text[256];
                tree_free(&t);
                tree_new(&t);
                tree_pci_device(&t, "0000:00:02.0", NULL, 0x8086, 0x3e92, 0x030000, 0);
                tree_iommu_group(&t, "0000:00:02.0", 0);
                snprintf(text, sizeof(text), "0x0 0x1 msi\n%s\n", region_cases[i].line);
                tree_file(&t, "/sys/kernel/iommu_groups/0/reserved_regions", text);
                load();
                assert_int_equal(m.n_groups, 1);
                if (region_cases[i].ok) {
                        assert_int_equal(m.groups[0].n_regions, 2);
                        assert_int_equal(m.n_problems, 0);
                } else {
                        assert_int_equal(m.groups[0].n_regions, 1);
                        if (!find_problem(&m, "/sys/kernel/iommu_groups/0/reserved_regions",
                                          "line 2: malformed region"))
                                fail_msg("case %zu: no problem for '%s'", i, region_cases[i].line);
                }
                machine_done(&m);
        }
}

static void test_group_lists_unknown_device(void **state)
{
        devices_in_groups();
        tree_link(&t, "/sys/kernel/iommu_groups/2/devices/0000:00:14.0", "../../../../devices/pci0000:00/0000:00:14.0");
        tree_mkdir(&t, "/sys/kernel/iommu_groups/bogus");
        load();
        assert_int_equal(m.n_groups, 3);
        assert_int_equal(m.groups[0].n_devices, 1);
        assert_non_null(find_problem(&m, "/sys/kernel/iommu_groups/2/devices",
                                     "device '0000:00:14.0' of group 2 is not in /sys/bus/pci/devices"));
        assert_non_null(find_problem(&m, "/sys/kernel/iommu_groups", "malformed group name 'bogus'"));
}

static void test_link_disagrees_with_listing(void **state)
{
        devices_in_groups();
        /* The GPU's own link says group 2; group 10 lists it: the listing wins. */
        tree_dev_link(&t, "0000:01:00.0", "iommu_group", "/sys/kernel/iommu_groups/2");
        load();
        const struct pci_device *d = &m.devices[idx("0000:01:00.0")];
        assert_int_equal(d->iommu_group, 10);
        assert_int_equal(d->group, machine_find_group(&m, 10));
        assert_true(d->damaged);
        assert_non_null(
                find_problem(&m, "0000:01:00.0/iommu_group", "iommu_group link says 2, group 10 lists the device"));
        assert_int_equal(m.groups[machine_find_group(&m, 2)].n_devices, 1);
}

static void test_missing_group(void **state)
{
        devices_in_groups();
        tree_dev_link(&t, "0000:01:00.1", "iommu_group", "/sys/kernel/iommu_groups/77");
        assert_int_equal(unlink(tree_path(&t, "/sys/kernel/iommu_groups/10/devices/0000:01:00.1")), 0);
        load();
        const struct pci_device *d = &m.devices[idx("0000:01:00.1")];
        assert_int_equal(d->iommu_group, -1);
        assert_int_equal(d->group, NONE);
        assert_true(d->damaged);
        assert_non_null(find_problem(&m, "0000:01:00.1/iommu_group",
                                     "iommu_group link says 77, but no group lists the device"));
        assert_int_equal(m.groups[machine_find_group(&m, 10)].n_devices, 2);
}

static void test_device_in_two_groups(void **state)
{
        devices_in_groups();
        tree_link(&t, "/sys/kernel/iommu_groups/9/devices/0000:00:00.0", "../../../../devices/pci0000:00/0000:00:00.0");
        load();
        const struct pci_device *d = &m.devices[idx("0000:00:00.0")];
        assert_int_equal(d->iommu_group, 2);
        assert_int_equal(d->group, machine_find_group(&m, 2));
        assert_true(d->damaged);
        assert_non_null(find_problem(&m, NULL, "device listed in groups 2 and 9"));
}

static void test_duplicate_group_names(void **state)
{
        devices_in_groups();
        tree_mkdir(&t, "/sys/kernel/iommu_groups/09/devices");
        load();
        assert_int_equal(m.n_groups, 3);
        assert_non_null(find_problem(&m, NULL, "group 9 listed twice"));
}

static void test_no_iommu(void **state)
{
        tree_pci_device(&t, "0000:00:02.0", NULL, 0x8086, 0x3e92, 0x030000, 0);
        load();
        assert_int_equal(m.n_groups, 0);
        assert_int_equal(m.devices[0].group, NONE);
        assert_int_equal(m.n_problems, 0);
        assert_int_equal(m.iommu.n_units, 0);
        assert_non_null(m.iommu.units);
        assert_null(m.iommu.units[0]);
        assert_false(m.iommu.acpi_dmar);
        assert_false(m.iommu.acpi_ivrs);
        assert_false(m.iommu.acpi_iort);
        assert_int_equal(m.iommu.interrupt_remapping, TRI_UNKNOWN);
}

static void test_units_and_tables(void **state)
{
        tree_rel_link(&t, "/sys/class/iommu/dmar1", "/sys/devices/virtual/iommu/dmar1");
        tree_rel_link(&t, "/sys/class/iommu/dmar0", "/sys/devices/virtual/iommu/dmar0");
        tree_mkdir(&t, "/sys/devices/virtual/iommu/dmar0");
        tree_mkdir(&t, "/sys/devices/virtual/iommu/dmar1");
        tree_file(&t, "/sys/firmware/acpi/tables/DMAR", "DMAR");
        tree_file(&t, "/sys/firmware/acpi/tables/IORT", "IORT");
        load();
        assert_int_equal(m.iommu.n_units, 2);
        assert_string_equal(m.iommu.units[0], "dmar0");
        assert_string_equal(m.iommu.units[1], "dmar1");
        assert_null(m.iommu.units[2]);
        assert_true(m.iommu.acpi_dmar);
        assert_false(m.iommu.acpi_ivrs);
        assert_true(m.iommu.acpi_iort);
}

struct irq_case {
        const char *text; /* NULL: no file */
        enum tristate expect;
};

static const struct irq_case irq_cases[] = {
        { "           CPU0\n  0:         31   IO-APIC    2-edge      timer\n"
          " 24:          0   PCI-MSI 327680-edge      xhci_hcd\n",
          TRI_NO },
        { "           CPU0\n  0:         31   IR-IO-APIC    2-edge      timer\n", TRI_YES },
        { "           CPU0\n 24:          0  IR-PCI-MSIX-0000:00:14.0    0-edge      xhci_hcd\n", TRI_YES },
        { "", TRI_NO },
        { NULL, TRI_UNKNOWN },
};

static void test_interrupt_remapping(void **state)
{
        for (size_t i = 0; i < ARRAY_SIZE(irq_cases); i++) {
                tree_free(&t);
                tree_new(&t);
                if (irq_cases[i].text)
                        tree_file(&t, "/proc/interrupts", irq_cases[i].text);
                load();
                if (m.iommu.interrupt_remapping != irq_cases[i].expect)
                        fail_msg("case %zu: %d, expected %d", i, m.iommu.interrupt_remapping, irq_cases[i].expect);
                machine_done(&m);
        }
}

static void test_interrupts_too_big(void **state)
{
        size_t n = 1024 * 1024 + 100;
        char *big = malloc(n + 1);

        assert_non_null(big);
        memset(big, ' ', n);
        memcpy(big + n - 12, "IR-PCI-MSI\n", 11);
        big[n] = '\0';
        tree_file(&t, "/proc/interrupts", big);
        free(big);
        load();
        assert_int_equal(m.iommu.interrupt_remapping, TRI_UNKNOWN);
        assert_non_null(find_problem(&m, "/proc/interrupts", "File too large"));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_groups, fixture_setup, fixture_teardown),
                cmocka_unit_test_setup_teardown(test_region_lines, fixture_setup, fixture_teardown),
                cmocka_unit_test_setup_teardown(test_linked_groups, fixture_setup, fixture_teardown),
                cmocka_unit_test_setup_teardown(test_linked_group_without_directory, fixture_setup, fixture_teardown),
                cmocka_unit_test_setup_teardown(test_group_lists_unknown_device, fixture_setup, fixture_teardown),
                cmocka_unit_test_setup_teardown(test_link_disagrees_with_listing, fixture_setup, fixture_teardown),
                cmocka_unit_test_setup_teardown(test_missing_group, fixture_setup, fixture_teardown),
                cmocka_unit_test_setup_teardown(test_device_in_two_groups, fixture_setup, fixture_teardown),
                cmocka_unit_test_setup_teardown(test_duplicate_group_names, fixture_setup, fixture_teardown),
                cmocka_unit_test_setup_teardown(test_no_iommu, fixture_setup, fixture_teardown),
                cmocka_unit_test_setup_teardown(test_units_and_tables, fixture_setup, fixture_teardown),
                cmocka_unit_test_setup_teardown(test_interrupt_remapping, fixture_setup, fixture_teardown),
                cmocka_unit_test_setup_teardown(test_interrupts_too_big, fixture_setup, fixture_teardown),
        };
        return cmocka_run_group_tests_name("iommu", tests, NULL, NULL);
}
