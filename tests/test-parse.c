/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "macro.h"
#include "parse.h"

static void test_parse_u64(void **state)
{
        static const struct {
                const char *s;
                int base;
                uint64_t max;
                int ret;
                uint64_t value;
        } cases[] = {
                { "0", 10, 10, 0, 0 },
                { "42", 10, 100, 0, 42 },
                { "101", 10, 100, -ERANGE, 0 },
                { "18446744073709551615", 10, UINT64_MAX, 0, UINT64_MAX },
                { "18446744073709551616", 10, UINT64_MAX, -ERANGE, 0 },
                { "0x10de", 16, 0xffff, 0, 0x10de },
                { "10DE", 16, 0xffff, 0, 0x10de },
                { "0x10000", 16, 0xffff, -ERANGE, 0 },
                { "", 10, 10, -EINVAL, 0 },
                { "0x", 16, 10, -EINVAL, 0 },
                { "-1", 10, 10, -EINVAL, 0 },
                { "+1", 10, 10, -EINVAL, 0 },
                { " 1", 10, 10, -EINVAL, 0 },
                { "1 ", 10, 10, -EINVAL, 0 },
                { "1a", 10, 100, -EINVAL, 0 },
                { "0x1g", 16, 100, -EINVAL, 0 },
                { "12", 8, 100, -EINVAL, 0 },
        };

        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                uint64_t v = 12345;
                int k = parse_u64(cases[i].s, cases[i].base, cases[i].max, &v);
                if (k != cases[i].ret)
                        fail_msg("parse_u64('%s'): %d, expected %d", cases[i].s, k, cases[i].ret);
                assert_int_equal(v, k == 0 ? cases[i].value : 12345); /* untouched on error */
        }
}

static void test_parse_hex_fixed(void **state)
{
        uint32_t v = 7;

        assert_int_equal(parse_hex_fixed("030000", 6, &v), 0);
        assert_int_equal(v, 0x030000);
        assert_int_equal(parse_hex_fixed("10dE", 4, &v), 0);
        assert_int_equal(v, 0x10de);
        v = 7;
        assert_int_equal(parse_hex_fixed("10d", 4, &v), -EINVAL);
        assert_int_equal(parse_hex_fixed("10de0", 4, &v), -EINVAL);
        assert_int_equal(parse_hex_fixed("0x10", 4, &v), -EINVAL);
        assert_int_equal(parse_hex_fixed("", 0, &v), -EINVAL);
        assert_int_equal(parse_hex_fixed("123456789", 9, &v), -EINVAL);
        assert_int_equal(v, 7);
}

static void test_parse_switch(void **state)
{
        assert_false(parse_switch(NULL));
        assert_false(parse_switch(""));
        assert_false(parse_switch("0"));
        assert_true(parse_switch("1"));
        assert_true(parse_switch("yes"));
        assert_true(parse_switch("00"));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse_u64),
                cmocka_unit_test(test_parse_hex_fixed),
                cmocka_unit_test(test_parse_switch),
        };
        return cmocka_run_group_tests_name("parse", tests, NULL, NULL);
}
