/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "macro.h"
#include "utf8.h"

static void test_sequence(void **state)
{
        static const struct {
                const char *s;
                size_t n;
        } cases[] = {
                { "\xc2\x80", 2 },
                { "\xc3\xa9x", 2 },
                { "\xdf\xbf", 2 },
                { "\xe0\xa0\x80", 3 },
                { "\xe2\x82\xac", 3 },
                { "\xed\x9f\xbf", 3 },
                { "\xee\x80\x80", 3 },
                { "\xef\xbf\xbf", 3 },
                { "\xf0\x90\x80\x80", 4 },
                { "\xf4\x8f\xbf\xbf", 4 },
                { "\xf0\x9f\x98\x80", 4 },
                /* Overlong forms. */
                { "\xc0\x80", 0 },
                { "\xc1\xbf", 0 },
                { "\xe0\x80\x80", 0 },
                { "\xe0\x9f\xbf", 0 },
                { "\xf0\x80\x80\x80", 0 },
                { "\xf0\x8f\xbf\xbf", 0 },
                /* Surrogates, beyond U+10FFFF, bytes that never lead. */
                { "\xed\xa0\x80", 0 },
                { "\xed\xbf\xbf", 0 },
                { "\xf4\x90\x80\x80", 0 },
                { "\xf5\x80\x80\x80", 0 },
                { "\xff", 0 },
                { "\x80", 0 },
                { "\xbf", 0 },
                /* Cut short, by the end of the string or by another byte. */
                { "\xc3", 0 },
                { "\xe2\x82", 0 },
                { "\xf0\x9f\x98", 0 },
                { "\xe2"
                  "a\xac",
                  0 },
                { "\xe2\x82"
                  "a",
                  0 },
                { "\xc3\xc3\xa9", 0 },
        };

        for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
                if (utf8_sequence(cases[i].s) != cases[i].n)
                        fail_msg("case %zu: got %zu, want %zu", i, utf8_sequence(cases[i].s), cases[i].n);
}

static void test_encode_round_trip(void **state)
{
        static const uint32_t cps[] = { 0x41,   0x7f,   0x80,   0x7ff,   0x800,   0xd7ff,
                                        0xe000, 0xfffd, 0xffff, 0x10000, 0x10ffff };
        char buf[5];

        for (size_t i = 0; i < ARRAY_SIZE(cps); i++) {
                size_t n = utf8_encode(cps[i], buf);
                buf[n] = '\0';
                assert_int_equal(n, cps[i] < 0x80 ? 1 : cps[i] < 0x800 ? 2 : cps[i] < 0x10000 ? 3 : 4);
                if (n > 1)
                        assert_int_equal(utf8_sequence(buf), n);
        }
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_sequence),
                cmocka_unit_test(test_encode_round_trip),
        };
        return cmocka_run_group_tests_name("utf8", tests, NULL, NULL);
}
