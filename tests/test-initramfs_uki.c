/* SPDX-License-Identifier: GPL-2.0-or-later */
/* initramfs_inspect() on unified kernel images and ostree systems (vfio-prep(8), CHECKS,
 * initramfs). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "check.h"
#include "initramfs.h"
#include "macro.h"
#include "root.h"
#include "support/tree.h"

#define REL "6.1.0-28-amd64"
#define INITRD "070701 INITRD-CONTENT"

static void put32(uint8_t *p, uint32_t v)
{
        for (int i = 0; i < 4; i++)
                p[i] = (v >> (8 * i)) & 0xff;
}

/* A UKI: a PE head with .uname (UNAME, or none when NULL) and .initrd sections, then their data. */
static void make_uki(struct tree *t, const char *path, const char *uname)
{
        uint8_t buf[4096] = { 0 };
        size_t table = 0x80 + 4 + 20 + 240, n = 0;

        buf[0] = 'M', buf[1] = 'Z';
        put32(buf + 0x3c, 0x80);
        memcpy(buf + 0x80, "PE\0\0", 4);
        buf[0x84 + 16] = 240; /* SizeOfOptionalHeader */
        if (uname) {
                uint8_t *s = buf + table + 40 * n++;
                memcpy(s, ".uname", 6);
                put32(s + 8, (uint32_t)strlen(uname));
                put32(s + 16, 0x200);
                put32(s + 20, 0x800);
                memcpy(buf + 0x800, uname, strlen(uname));
        }
        uint8_t *s = buf + table + 40 * n++;
        memcpy(s, ".initrd", 7);
        put32(s + 8, sizeof(INITRD) - 1);
        put32(s + 16, 0x200);
        put32(s + 20, 0xa00);
        memcpy(buf + 0xa00, INITRD, sizeof(INITRD) - 1);
        buf[0x84 + 2] = (uint8_t)n; /* NumberOfSections */
        tree_bytes(t, path, buf, 0xc00);
}

/* lsinitrd that answers only for a file that starts with the .initrd section's bytes (not the
 * UKI itself, which starts with MZ). */
static void fake_lsinitrd(struct tree *t, const char *image_config)
{
        char text[1024];

        snprintf(text, sizeof(text),
                 "#!/bin/sh\n"
                 "case $1 in\n"
                 "-f) [ \"$(/usr/bin/head -c 6 \"$3\")\" = 070701 ] && printf '%s' ;;\n"
                 "*) /bin/grep -q INITRD-CONTENT \"$1\" && printf 'init\\nusr/bin/vfio-prep\\netc/vfio-prep.conf\\n' "
                 ";;\n"
                 "esac\n",
                 image_config);
        tree_file(t, "/bin-fake/lsinitrd", text);
        tree_chmod(t, "/bin-fake/lsinitrd", 0755);
}

static void inspect(struct tree *t, struct initramfs_facts *f)
{
        _cleanup_root_ struct root *r = NULL;
        _cleanup_free_ char *old = getenv("PATH") ? strdup(getenv("PATH")) : NULL;

        assert_int_equal(setenv("PATH", tree_path(t, "/bin-fake"), 1), 0);
        assert_int_equal(root_new(t->dir, &r), 0);
        assert_int_equal(initramfs_inspect(r, REL, f), 0);
        if (old)
                setenv("PATH", old, 1);
        else
                unsetenv("PATH");
}

static void test_uki(void **state)
{
        static const struct {
                const char *dir, *name, *uname, *image_config;
                enum initramfs_verdict verdict;
        } cases[] = {
                { "/boot/EFI/Linux", "debian.efi", REL "\n", "device 01:00.0\n", INITRAMFS_CURRENT },
                { "/efi/EFI/Linux", "arch-linux.efi", REL, "device 02:00.0\n", INITRAMFS_STALE },
                /* No .uname: the file name tells. */
                { "/boot/efi/EFI/Linux", "debian-" REL ".EFI", NULL, "device 01:00.0\n", INITRAMFS_CURRENT },
        };

        (void)state;
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                struct tree t;
                struct initramfs_facts f;
                char path[256];

                tree_new(&t);
                snprintf(path, sizeof(path), "%s/%s", cases[i].dir, cases[i].name);
                /* Another kernel's UKI sorts first and is passed over. */
                snprintf(path, sizeof(path), "%s/a-other.efi", cases[i].dir);
                make_uki(&t, path, "5.10.0-30-amd64");
                snprintf(path, sizeof(path), "%s/%s", cases[i].dir, cases[i].name);
                make_uki(&t, path, cases[i].uname);
                tree_file(&t, "/etc/vfio-prep.conf", "device 01:00.0\n");
                fake_lsinitrd(&t, cases[i].image_config);
                inspect(&t, &f);
                if (f.verdict != cases[i].verdict)
                        fail_msg("case %zu: verdict %d (%s)", i, f.verdict, strna(f.detail));
                assert_string_equal(f.image, path);
                assert_true(f.uki);
                assert_false(f.image_based);
                initramfs_facts_done(&f);
                tree_free(&t);
        }
}

static void test_uki_other_kernel(void **state)
{
        struct tree t;
        struct initramfs_facts f;

        (void)state;
        tree_new(&t);
        make_uki(&t, "/boot/EFI/Linux/debian-" REL ".efi", "5.10.0-30-amd64"); /* .uname wins over the name */
        tree_file(&t, "/boot/EFI/Linux/notes.txt", "not a UKI");
        fake_lsinitrd(&t, "");
        inspect(&t, &f);
        assert_int_equal(f.verdict, INITRAMFS_UNKNOWN);
        assert_null(f.image);
        assert_non_null(strstr(f.detail, "no initramfs found for " REL));
        initramfs_facts_done(&f);
        tree_free(&t);
}

static void test_ostree(void **state)
{
        struct tree t;
        struct initramfs_facts f;

        (void)state;
        tree_new(&t);
        tree_file(&t, "/run/ostree-booted", "");
        tree_file(&t, "/usr/lib/modules/" REL "/initramfs.img", INITRD);
        tree_file(&t, "/etc/vfio-prep.conf", "device 01:00.0\n");
        fake_lsinitrd(&t, "device 01:00.0\n");
        inspect(&t, &f);
        assert_true(f.image_based);
        assert_false(f.uki);
        assert_string_equal(f.image, "/usr/lib/modules/" REL "/initramfs.img");
        assert_int_equal(f.verdict, INITRAMFS_CURRENT);
        initramfs_facts_done(&f);
        tree_free(&t);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_uki),
                cmocka_unit_test(test_uki_other_kernel),
                cmocka_unit_test(test_ostree),
        };
        return cmocka_run_group_tests_name("initramfs_uki", tests, NULL, NULL);
}
