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

#include "gzip.h"
#include "machine.h"
#include "macro.h"
#include "root.h"
#include "support/fixture.h"
#include "support/tree-extra.h"
#include "support/tree.h"

static void load(void)
{
        fixture_load(kernel_load);
}

static void test_release_and_cmdline(void **state)
{
        tree_file(&t, "/proc/sys/kernel/osrelease", "6.1.0-28-amd64\n");
        tree_file(&t, "/proc/cmdline", "BOOT_IMAGE=/vmlinuz-6.1.0-28-amd64 root=UUID=0a1b ro intel_iommu=on \n");
        load();
        assert_string_equal(m.release, "6.1.0-28-amd64");
        assert_string_equal(m.cmdline, "BOOT_IMAGE=/vmlinuz-6.1.0-28-amd64 root=UUID=0a1b ro intel_iommu=on");
        assert_int_equal(m.cpu, CPU_UNKNOWN);
        assert_false(m.x86);
        assert_non_null(find_problem(&m, "/proc/cpuinfo", "cannot read"));
        assert_false(m.kconfig.found);
        assert_null(m.kconfig.source);
        assert_int_equal(m.kconfig.intel_iommu_default_on, TRI_UNKNOWN);
        assert_int_equal(m.kconfig.vfio_pci_module, TRI_UNKNOWN);
}

static void test_missing_files(void **state)
{
        load();
        assert_null(m.release);
        assert_non_null(m.cmdline);
        assert_string_equal(m.cmdline, "");
        assert_non_null(find_problem(&m, "/proc/cmdline", "cannot read the kernel command line"));
        assert_non_null(find_problem(&m, "/proc/sys/kernel/osrelease", "cannot read the kernel release"));
        assert_false(m.kconfig.found);
}

static void test_preset_cmdline_kept(void **state)
{
        m.cmdline = strdup("vfio-prep.disable");
        assert_non_null(m.cmdline);
        tree_file(&t, "/proc/cmdline", "quiet\n");
        load();
        assert_string_equal(m.cmdline, "vfio-prep.disable");
}

static void test_release_cannot_leave_boot(void **state)
{
        tree_file(&t, "/proc/sys/kernel/osrelease", "../etc/passwd\n");
        tree_file(&t, "/boot/../etc/passwd", "CONFIG_IRQ_REMAP=y\n");
        load();
        assert_null(m.release);
        assert_false(m.kconfig.found);
        assert_non_null(find_problem(&m, "/proc/sys/kernel/osrelease", "malformed kernel release '../etc/passwd'"));
}

struct cpu_case {
        const char *cpuinfo;
        enum cpu_vendor cpu;
        bool x86;
};

static const struct cpu_case cpu_cases[] = {
        { "processor\t: 0\nvendor_id\t: GenuineIntel\ncpu family\t: 6\nflags\t\t: fpu vmx\n\n"
          "processor\t: 1\nvendor_id\t: GenuineIntel\n",
          CPU_INTEL, true },
        { "processor\t: 0\nvendor_id\t: AuthenticAMD\nflags\t\t: fpu svm\n", CPU_AMD, true },
        { "processor\t: 0\nvendor_id\t: HygonGenuine\nflags\t\t: fpu svm\n", CPU_AMD, true },
        { "processor\t: 0\nvendor_id\t: CentaurHauls\nflags\t\t: fpu vmx\n", CPU_OTHER, true },
        { "processor\t: 0\nBogoMIPS\t: 50.00\nFeatures\t: fp asimd\nCPU implementer\t: 0x41\n"
          "CPU architecture: 8\n",
          CPU_ARM, false },
        { "vendor_id       : IBM/S390\n# processors    : 2\nfeatures\t: esan3 zarch\n", CPU_OTHER, false },
        { "processor\t: 0\ncpu\t\t: POWER9 (raw), altivec supported\n", CPU_OTHER, false },
        { "", CPU_UNKNOWN, false },
};

static void test_cpu(void **state)
{
        for (size_t i = 0; i < ARRAY_SIZE(cpu_cases); i++) {
                tree_file(&t, "/proc/cpuinfo", cpu_cases[i].cpuinfo);
                load();
                if (m.cpu != cpu_cases[i].cpu || m.x86 != cpu_cases[i].x86)
                        fail_msg("case %zu: cpu %d x86 %d", i, m.cpu, m.x86);
                assert_null(find_problem(&m, "/proc/cpuinfo", NULL));
                machine_done(&m);
        }
}

static const char kconfig_text[] = "#\n"
                                   "# Automatically generated file; DO NOT EDIT.\n"
                                   "#\n"
                                   "CONFIG_IRQ_REMAP=y\n"
                                   "CONFIG_INTEL_IOMMU=y\n"
                                   "# CONFIG_INTEL_IOMMU_DEFAULT_ON is not set\n"
                                   "CONFIG_INTEL_IOMMU_DEFAULT_ON_INTGPU_OFF=y\n"
                                   "CONFIG_VFIO_PCI_CORE=m\n"
                                   "CONFIG_VFIO_PCI=m\n"
                                   "CONFIG_VFIO_PCI_VGA=y\n";

static void test_kconfig(void **state)
{
        tree_file(&t, "/proc/sys/kernel/osrelease", "6.1.0-28-amd64\n");
        tree_file(&t, "/boot/config-6.1.0-28-amd64", kconfig_text);
        load();
        assert_true(m.kconfig.found);
        assert_string_equal(m.kconfig.source, "/boot/config-6.1.0-28-amd64");
        assert_int_equal(m.kconfig.irq_remap, TRI_YES);
        assert_int_equal(m.kconfig.intel_iommu_default_on, TRI_NO);
        assert_int_equal(m.kconfig.intel_iommu_default_on_intgpu_off, TRI_YES);
        assert_int_equal(m.kconfig.iommu_default_passthrough, TRI_NO); /* absent */
        assert_int_equal(m.kconfig.vfio_pci_module, TRI_YES);
        assert_int_equal(m.kconfig.vfio_pci_builtin, TRI_NO);
}

static void test_kconfig_builtin_vfio(void **state)
{
        tree_file(&t, "/proc/sys/kernel/osrelease", "6.8.0\n");
        tree_file(&t, "/boot/config-6.8.0",
                  "CONFIG_VFIO_PCI=y\nCONFIG_IOMMU_DEFAULT_PASSTHROUGH=y\n"
                  "CONFIG_INTEL_IOMMU_DEFAULT_ON=y");
        load();
        assert_int_equal(m.kconfig.vfio_pci_builtin, TRI_YES);
        assert_int_equal(m.kconfig.vfio_pci_module, TRI_NO);
        assert_int_equal(m.kconfig.iommu_default_passthrough, TRI_YES);
        assert_int_equal(m.kconfig.intel_iommu_default_on, TRI_YES); /* no final newline */
        assert_int_equal(m.kconfig.irq_remap, TRI_NO);
}

/* A truncated /proc/config.gz is a problem, and the configuration stays unknown. */
static void test_kconfig_gz_broken(void **state)
{
        tree_file(&t, "/proc/sys/kernel/osrelease", "6.1.0\n");
        tree_file(&t, "/proc/config.gz", "\x1f\x8b");
        load();
        assert_false(m.kconfig.found);
        assert_null(m.kconfig.source);
        assert_int_equal(m.kconfig.irq_remap, TRI_UNKNOWN);
        assert_int_equal(m.kconfig.vfio_pci_builtin, TRI_UNKNOWN);
        assert_non_null(find_problem(&m, "/proc/config.gz", "cannot read the kernel configuration"));
}

/* Arch and others install no /boot/config-RELEASE: /proc/config.gz says the same. */
static void test_kconfig_gz_only(void **state)
{
        _cleanup_free_ char *gz = NULL;
        size_t len;

        assert_int_equal(gzip_compress(kconfig_text, strlen(kconfig_text), &gz, &len), 0);
        tree_file(&t, "/proc/sys/kernel/osrelease", "6.12.1-arch1-1\n");
        tree_bytes(&t, "/proc/config.gz", gz, len);
        load();
        assert_true(m.kconfig.found);
        assert_string_equal(m.kconfig.source, "/proc/config.gz");
        assert_int_equal(m.kconfig.irq_remap, TRI_YES);
        assert_int_equal(m.kconfig.intel_iommu_default_on_intgpu_off, TRI_YES);
        assert_int_equal(m.kconfig.vfio_pci_module, TRI_YES);
        assert_int_equal(m.kconfig.vfio_pci_builtin, TRI_NO);
        assert_null(find_problem(&m, "/proc/config.gz", NULL));
}

/* Both present: /boot/config-RELEASE wins, as the file a package installed for that kernel. */
static void test_kconfig_boot_first(void **state)
{
        _cleanup_free_ char *gz = NULL;
        size_t len;
        static const char builtin[] = "CONFIG_VFIO_PCI=y\n";

        assert_int_equal(gzip_compress(builtin, strlen(builtin), &gz, &len), 0);
        tree_file(&t, "/proc/sys/kernel/osrelease", "6.1.0-28-amd64\n");
        tree_file(&t, "/boot/config-6.1.0-28-amd64", kconfig_text);
        tree_bytes(&t, "/proc/config.gz", gz, len);
        load();
        assert_string_equal(m.kconfig.source, "/boot/config-6.1.0-28-amd64");
        assert_int_equal(m.kconfig.vfio_pci_builtin, TRI_NO);
}

static void test_machine_load(void **state)
{
        _cleanup_root_ struct root *r = NULL;

        tree_file(&t, "/proc/sys/kernel/osrelease", "6.1.0\n");
        tree_file(&t, "/proc/cpuinfo", "vendor_id\t: GenuineIntel\n");
        tree_pci_device(&t, "0000:00:02.0", NULL, 0x8086, 0x3e92, 0x030000, 0);
        tree_iommu_group(&t, "0000:00:02.0", 0);
        assert_int_equal(root_new(t.dir, &r), 0);
        assert_int_equal(machine_load(r, 0, &m), 0);
        assert_string_equal(m.cmdline, "");
        assert_int_equal(m.cpu, CPU_INTEL);
        assert_true(m.x86);
        assert_int_equal(m.n_devices, 1);
        assert_int_equal(m.n_groups, 1);
        assert_int_equal(m.devices[0].group, 0);
        assert_non_null(find_problem(&m, "/proc/cmdline", NULL));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_release_and_cmdline, fixture_setup, fixture_teardown),
                cmocka_unit_test_setup_teardown(test_missing_files, fixture_setup, fixture_teardown),
                cmocka_unit_test_setup_teardown(test_preset_cmdline_kept, fixture_setup, fixture_teardown),
                cmocka_unit_test_setup_teardown(test_release_cannot_leave_boot, fixture_setup, fixture_teardown),
                cmocka_unit_test_setup_teardown(test_cpu, fixture_setup, fixture_teardown),
                cmocka_unit_test_setup_teardown(test_kconfig, fixture_setup, fixture_teardown),
                cmocka_unit_test_setup_teardown(test_kconfig_builtin_vfio, fixture_setup, fixture_teardown),
                cmocka_unit_test_setup_teardown(test_kconfig_gz_broken, fixture_setup, fixture_teardown),
                cmocka_unit_test_setup_teardown(test_kconfig_gz_only, fixture_setup, fixture_teardown),
                cmocka_unit_test_setup_teardown(test_kconfig_boot_first, fixture_setup, fixture_teardown),
                cmocka_unit_test_setup_teardown(test_machine_load, fixture_setup, fixture_teardown),
        };
        return cmocka_run_group_tests_name("kernel", tests, NULL, NULL);
}
