/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The hints that name the file and command of the kernel command line (bootloader.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bootloader.h"
#include "macro.h"

static void test_hints(void **state)
{
        static const struct {
                struct bootloader b;
                const char *add, *remove;
        } cases[] = {
                { { BOOTLOADER_GRUB, "/etc/default/grub", "update-grub" },
                  "add 'intel_iommu=on' to GRUB_CMDLINE_LINUX_DEFAULT in /etc/default/grub, then run update-grub",
                  "remove 'intel_iommu=on' from GRUB_CMDLINE_LINUX_DEFAULT and GRUB_CMDLINE_LINUX in "
                  "/etc/default/grub, then run update-grub" },
                { { BOOTLOADER_GRUB, "/etc/default/grub", "grub2-mkconfig -o /boot/grub2/grub.cfg" },
                  "add 'intel_iommu=on' to GRUB_CMDLINE_LINUX_DEFAULT in /etc/default/grub, then run "
                  "grub2-mkconfig -o /boot/grub2/grub.cfg",
                  "remove 'intel_iommu=on' from GRUB_CMDLINE_LINUX_DEFAULT and GRUB_CMDLINE_LINUX in "
                  "/etc/default/grub, then run grub2-mkconfig -o /boot/grub2/grub.cfg" },
                { { BOOTLOADER_KERNELSTUB, "/etc/kernelstub/configuration", "kernelstub" },
                  "run kernelstub -a 'intel_iommu=on'",
                  "run kernelstub -d 'intel_iommu=on'" },
                { { BOOTLOADER_KERNEL_CMDLINE, "/etc/kernel/cmdline", "kernel-install (or reinstall the kernel)" },
                  "add 'intel_iommu=on' to /etc/kernel/cmdline, then run kernel-install (or reinstall the kernel)",
                  "remove 'intel_iommu=on' from /etc/kernel/cmdline, then run kernel-install (or reinstall the "
                  "kernel)" },
                { { BOOTLOADER_REFIND, "/boot/refind_linux.conf", NULL },
                  "add 'intel_iommu=on' to the options in /boot/refind_linux.conf (rEFInd reads it at boot)",
                  "remove 'intel_iommu=on' from the options in /boot/refind_linux.conf (rEFInd reads it at boot)" },
                { { BOOTLOADER_UNKNOWN, NULL, NULL },
                  "add 'intel_iommu=on' to your boot loader's kernel command line",
                  "remove 'intel_iommu=on' from your boot loader's kernel command line" },
        };

        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                _cleanup_free_ char *add = NULL, *rm = NULL;

                assert_int_equal(bootloader_hint_add(&cases[i].b, "intel_iommu=on", &add), 0);
                assert_string_equal(add, cases[i].add);
                assert_int_equal(bootloader_hint_remove(&cases[i].b, "intel_iommu=on", &rm), 0);
                assert_string_equal(rm, cases[i].remove);
        }
}

/* No boot loader known at all (a NULL pointer) reads like an unknown one. */
static void test_hint_without_bootloader(void **state)
{
        _cleanup_free_ char *s = NULL;

        assert_int_equal(bootloader_hint_add(NULL, "iommu=pt", &s), 0);
        assert_string_equal(s, "add 'iommu=pt' to your boot loader's kernel command line");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_hints),
                cmocka_unit_test(test_hint_without_bootloader),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
