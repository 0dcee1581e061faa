/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Which boot loader the files below the root name (bootloader_detect.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bootloader_detect.h"
#include "macro.h"
#include "root.h"
#include "support/tree.h"

static void test_detect(void **state)
{
        static const struct {
                const char *files[4]; /* files to create; a trailing '/' makes a directory */
                enum bootloader_kind kind;
                const char *file, *command;
        } cases[] = {
                { { NULL }, BOOTLOADER_UNKNOWN, NULL, NULL },
                { { "/etc/default/grub", "/usr/sbin/update-grub" },
                  BOOTLOADER_GRUB,
                  "/etc/default/grub",
                  "update-grub" },
                { { "/etc/default/grub", "/boot/grub2/" },
                  BOOTLOADER_GRUB,
                  "/etc/default/grub",
                  "grub2-mkconfig -o /boot/grub2/grub.cfg" },
                { { "/etc/default/grub", "/boot/grub/" },
                  BOOTLOADER_GRUB,
                  "/etc/default/grub",
                  "grub-mkconfig -o /boot/grub/grub.cfg" },
                { { "/etc/default/grub", "/etc/kernelstub/configuration" },
                  BOOTLOADER_KERNELSTUB,
                  "/etc/kernelstub/configuration",
                  "kernelstub" },
                { { "/etc/default/grub", "/etc/kernel/cmdline", "/boot/refind_linux.conf" },
                  BOOTLOADER_KERNEL_CMDLINE,
                  "/etc/kernel/cmdline",
                  "kernel-install (or reinstall the kernel)" },
                { { "/etc/kernel/cmdline", "/etc/kernelstub/configuration" },
                  BOOTLOADER_KERNELSTUB,
                  "/etc/kernelstub/configuration",
                  "kernelstub" },
                { { "/boot/refind_linux.conf" }, BOOTLOADER_REFIND, "/boot/refind_linux.conf", NULL },
                { { "/etc/default/grub", "/boot/refind_linux.conf", "/usr/sbin/update-grub" },
                  BOOTLOADER_GRUB,
                  "/etc/default/grub",
                  "update-grub" },
        };

        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                struct tree t;
                _cleanup_root_ struct root *r = NULL;
                struct bootloader b = { .kind = -1 };

                tree_new(&t);
                tree_mkdir(&t, "/etc");
                for (size_t k = 0; k < ARRAY_SIZE(cases[i].files) && cases[i].files[k]; k++) {
                        const char *p = cases[i].files[k];
                        if (p[strlen(p) - 1] == '/')
                                tree_mkdir(&t, p);
                        else
                                tree_file(&t, p, "x\n");
                }
                assert_int_equal(root_new(t.dir, &r), 0);
                assert_int_equal(bootloader_detect(r, &b), 0);
                if (b.kind != cases[i].kind)
                        fail_msg("case %zu: kind %d, expected %d", i, b.kind, cases[i].kind);
                if (cases[i].file)
                        assert_string_equal(b.file, cases[i].file);
                else
                        assert_null(b.file);
                if (cases[i].command)
                        assert_string_equal(b.command, cases[i].command);
                else
                        assert_null(b.command);
                tree_free(&t);
        }
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_detect),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
