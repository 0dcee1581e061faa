/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "macro.h"
#include "suggest.h"

static const char *const options[] = { "id", "functions", "vfs", "allow-boot-vga", "optional" };
static const char *const keywords[] = { "device", "isolation" };

static void test_distance(void **state)
{
        assert_int_equal(suggest_distance("", ""), 0);
        assert_int_equal(suggest_distance("abc", ""), 3);
        assert_int_equal(suggest_distance("kitten", "sitting"), 3);
        /* A swap of neighbours is one edit. */
        assert_int_equal(suggest_distance("fucntions", "functions"), 1);
        assert_int_equal(suggest_distance("funtions", "functions"), 1);
        /* Case and '_' do not count. */
        assert_int_equal(suggest_distance("Allow_Boot_VGA", "allow-boot-vga"), 0);
        char big[70];
        memset(big, 'a', sizeof(big) - 1);
        big[sizeof(big) - 1] = '\0';
        assert_true(suggest_distance(big, "a") == SIZE_MAX);
}

static void test_closest(void **state)
{
        assert_string_equal(suggest_closest("allow_boot_vga", options, ARRAY_SIZE(options)), "allow-boot-vga");
        assert_string_equal(suggest_closest("funtions", options, ARRAY_SIZE(options)), "functions");
        assert_string_equal(suggest_closest("alow-boot-vga", options, ARRAY_SIZE(options)), "allow-boot-vga");
        assert_string_equal(suggest_closest("optinal", options, ARRAY_SIZE(options)), "optional");
        assert_string_equal(suggest_closest("vf", options, ARRAY_SIZE(options)), "vfs");
        assert_string_equal(suggest_closest("Device", keywords, ARRAY_SIZE(keywords)), "device");
        assert_string_equal(suggest_closest("devcie", keywords, ARRAY_SIZE(keywords)), "device");
        assert_string_equal(suggest_closest("isolaton", keywords, ARRAY_SIZE(keywords)), "isolation");
        /* Too far to be a typo. */
        assert_null(suggest_closest("bind", keywords, ARRAY_SIZE(keywords)));
        assert_null(suggest_closest("reset", options, ARRAY_SIZE(options)));
        assert_null(suggest_closest("x", options, 0));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_distance),
                cmocka_unit_test(test_closest),
        };
        return cmocka_run_group_tests_name("suggest", tests, NULL, NULL);
}
