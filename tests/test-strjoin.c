/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "strjoin.h"

static void test_str_join(void **state)
{
        char buf[8];

        (void)state;
        assert_int_equal(str_join(buf, sizeof(buf), "/sys", "/", "ab", NULL), 7);
        assert_string_equal(buf, "/sys/ab");
        assert_int_equal(str_join(buf, sizeof(buf), NULL), 0);
        assert_string_equal(buf, "");
        assert_int_equal(str_join(buf, sizeof(buf), "", "x", "", NULL), 1);
        assert_string_equal(buf, "x");
        /* One byte short of the NUL: nothing half written. */
        assert_int_equal(str_join(buf, sizeof(buf), "/sys", "/abc", NULL), -ENAMETOOLONG);
        assert_string_equal(buf, "");
        assert_int_equal(str_join(buf, sizeof(buf), "12345678", NULL), -ENAMETOOLONG);
        assert_string_equal(buf, "");
        assert_int_equal(str_join(buf, 1, "", NULL), 0);
        assert_int_equal(str_join(buf, 1, "a", NULL), -ENAMETOOLONG);
        assert_int_equal(str_join(buf, 0, "", NULL), -ENAMETOOLONG);
}

static void test_str_ulong(void **state)
{
        static const unsigned long values[] = { 0, 7, 10, 99, 100, 1930, 4294967296ul, ULONG_MAX };
        char buf[STR_ULONG_MAX], want[32];

        (void)state;
        for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
                int n = snprintf(want, sizeof(want), "%lu", values[i]);
                assert_int_equal(str_ulong(buf, values[i]), (size_t)n);
                assert_string_equal(buf, want);
        }
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_str_join),
                cmocka_unit_test(test_str_ulong),
        };
        return cmocka_run_group_tests_name("strjoin", tests, NULL, NULL);
}
