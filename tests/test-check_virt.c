/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "check_diag.h"
#include "macro.h"

static void test_cpuinfo_hypervisor(void **state)
{
        static const struct {
                const char *text;
                enum tristate want;
        } cases[] = {
                { "processor\t: 0\nvendor_id\t: GenuineIntel\nflags\t\t: fpu vme hypervisor lahf_lm\n", TRI_YES },
                { "processor\t: 0\nflags\t\t: fpu vme pse hypervisor\n\nprocessor\t: 1\n", TRI_YES },
                { "processor\t: 0\nflags\t\t: fpu vme pse vmx\n\nprocessor\t: 1\nflags\t\t: hypervisor\n", TRI_NO },
                { "flags\t\t: fpu hypervisorx xhypervisor\n", TRI_NO },
                { "flags\t: hypervisor", TRI_YES },           /* no final newline */
                { "vmx flags\t: hypervisor\n", TRI_UNKNOWN }, /* another key */
                { "flagsx\t: hypervisor\n", TRI_UNKNOWN },    /* another key */
                { "processor\t: 0\nFeatures\t: fp asimd\nCPU implementer\t: 0x41\n", TRI_UNKNOWN },
                { "", TRI_UNKNOWN },
        };

        (void)state;
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                if (cpuinfo_hypervisor(cases[i].text) != cases[i].want)
                        fail_msg("case %zu: got %d, want %d", i, cpuinfo_hypervisor(cases[i].text), cases[i].want);
        }
}

static void test_virt_name(void **state)
{
        static const struct {
                enum tristate flag;
                const char *vendor, *product, *want;
        } cases[] = {
                { TRI_YES, "QEMU", "Standard PC (Q35 + ICH9, 2009)", "QEMU" },
                { TRI_YES, NULL, NULL, "hypervisor CPU flag" },
                { TRI_YES, "Dell Inc.", "OptiPlex 7070", "hypervisor CPU flag" },
                { TRI_UNKNOWN, "QEMU", "KVM Virtual Machine", "QEMU" }, /* an Arm guest: DMI only */
                { TRI_UNKNOWN, "Microsoft Corporation", "Virtual Machine", "Hyper-V" },
                { TRI_UNKNOWN, "Microsoft Corporation", "Surface Laptop 5", NULL },
                { TRI_UNKNOWN, "innotek GmbH", "VirtualBox", "VirtualBox" },
                { TRI_NO, "QEMU", "Standard PC", NULL }, /* the CPU says bare metal */
                { TRI_NO, NULL, NULL, NULL },
                { TRI_UNKNOWN, NULL, NULL, NULL },
        };

        (void)state;
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                struct machine m = { .hypervisor = cases[i].flag,
                                     .dmi_vendor = (char *)cases[i].vendor,
                                     .dmi_product = (char *)cases[i].product };
                const char *got = machine_virt_name(&m);
                if (!cases[i].want != !got || (got && strcmp(got, cases[i].want) != 0))
                        fail_msg("case %zu: got '%s', want '%s'", i, got ? got : "(null)",
                                 cases[i].want ? cases[i].want : "(null)");
        }
}

static void test_hint_names_the_host_side(void **state)
{
        (void)state;
        assert_non_null(strstr(virt_iommu_hint(), "-device intel-iommu,intremap=on"));
        assert_non_null(strstr(virt_iommu_hint(), "kernel-irqchip=split"));
        assert_non_null(strstr(virt_iommu_hint(), "amd-iommu"));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_cpuinfo_hypervisor),
                cmocka_unit_test(test_virt_name),
                cmocka_unit_test(test_hint_names_the_host_side),
        };
        return cmocka_run_group_tests_name("check_virt", tests, NULL, NULL);
}
