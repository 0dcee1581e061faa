/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The table of initramfs generators (generators.c) that the inspection and the hints read. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "generators.h"

static void test_lookup(void **state)
{
        assert_null(generator_facts(INITRAMFS_GEN_UNKNOWN));
        assert_string_equal(initramfs_generator_name(INITRAMFS_GEN_UNKNOWN), "unknown");
        assert_string_equal(initramfs_generator_name(INITRAMFS_GEN_DRACUT), "dracut");
        assert_string_equal(initramfs_generator_name(INITRAMFS_GEN_MKINITCPIO), "mkinitcpio");
        assert_string_equal(initramfs_generator_name(INITRAMFS_GEN_INITRAMFS_TOOLS), "initramfs-tools");
        assert_string_equal(generator_facts(INITRAMFS_GEN_DRACUT)->lister, "lsinitrd");
        assert_string_equal(generator_facts(INITRAMFS_GEN_MKINITCPIO)->regenerate, "mkinitcpio -P");
        assert_string_equal(generator_facts(INITRAMFS_GEN_INITRAMFS_TOOLS)->release_opt, "-k");
}

/* Every generator has what the inspection and the hints need, and each is preferred once. */
static void test_complete(void **state)
{
        assert_int_equal(generator_table_size, 3);
        assert_int_equal(generator_preference_size, generator_table_size);
        for (size_t i = 0; i < generator_table_size; i++) {
                const struct generator_facts *g = &generator_table[i];
                size_t seen = 0;
                assert_non_null(g->name);
                assert_non_null(g->programs[0]);
                assert_non_null(g->hooks[0]);
                assert_non_null(g->lister);
                assert_non_null(g->regenerate);
                assert_ptr_equal(generator_facts(g->gen), g);
                for (size_t j = 0; j < generator_preference_size; j++)
                        seen += generator_preference[j] == g->gen;
                assert_int_equal(seen, 1);
        }
}

static void test_join(void **state)
{
        char buf[128];

        generator_join(offsetof(struct generator_facts, lister), buf, sizeof(buf));
        assert_string_equal(buf, "lsinitrd, lsinitcpio or lsinitramfs");
        generator_join(offsetof(struct generator_facts, regenerate), buf, sizeof(buf));
        assert_string_equal(buf, "dracut -f, mkinitcpio -P or update-initramfs -u");
        generator_join(offsetof(struct generator_facts, name), buf, 12);
        assert_string_equal(buf, "dracut, mki");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_lookup),
                cmocka_unit_test(test_complete),
                cmocka_unit_test(test_join),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
