/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "macro.h"
#include "sanitize.h"

static const struct {
        const char *in, *out;
} cases[] = {
        { "plain text: 0000:01:00.0", "plain text: 0000:01:00.0" },
        { "esc \033[31mred", "esc ?[31mred" },
        { "tab\there\nnl\r", "tab?here?nl?" },
        { "del \x7f", "del ?" },
        { "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80" },
        /* C1 controls: U+0085 and U+009B (CSI) act on some terminals. */
        { "c1 \xc2\x85 \xc2\x9b", "c1 ?? ??" },
        { "nbsp \xc2\xa0", "nbsp \xc2\xa0" },
        /* Not UTF-8: stray bytes, cut sequences, overlong forms, surrogates. */
        { "\xff\xfe", "??" },
        { "cut \xe2\x82", "cut ??" },
        { "overlong \xc0\xaf \xe0\x80\xaf", "overlong ?? ???" },
        { "surrogate \xed\xa0\x80", "surrogate ???" },
};

static void test_sanitize(void **state)
{
        char buf[128];

        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                if (strcmp(sanitize(cases[i].in, buf, sizeof(buf)), cases[i].out) != 0)
                        fail_msg("case %zu: got '%s'", i, buf);
                strcpy(buf, cases[i].in);
                sanitize_inplace(buf);
                if (strcmp(buf, cases[i].out) != 0)
                        fail_msg("case %zu in place: got '%s'", i, buf);
                strcpy(buf, cases[i].in);
                if (strcmp(sanitize(buf, buf, sizeof(buf)), cases[i].out) != 0)
                        fail_msg("case %zu on itself: got '%s'", i, buf);
        }
        assert_string_equal(sanitize(NULL, buf, sizeof(buf)), "(null)");
}

/* A cut never splits a character: one that does not fit is replaced. */
static void test_cut(void **state)
{
        char buf[6];

        assert_string_equal(sanitize("abcdefgh", buf, sizeof(buf)), "abcde");
        assert_string_equal(sanitize("abc\xe2\x82\xac", buf, sizeof(buf)), "abc??");
        assert_string_equal(sanitize("ab\xe2\x82\xac", buf, sizeof(buf)), "ab\xe2\x82\xac");
        assert_string_equal(sanitize("\033\033\033\033\033\033\033", buf, sizeof(buf)), "?????");
        assert_string_equal(sanitize("x", buf, 1), "");
}

static void test_char_len(void **state)
{
        assert_int_equal(sanitize_char_len("a"), 1);
        assert_int_equal(sanitize_char_len(""), 0);
        assert_int_equal(sanitize_char_len("\x1f"), 0);
        assert_int_equal(sanitize_char_len("\xc3\xa9"), 2);
        assert_int_equal(sanitize_char_len("\xc2\x80"), 0);
        assert_int_equal(sanitize_char_len("\xc2\x9f"), 0);
        assert_int_equal(sanitize_char_len("\xc2\xa0"), 2);
        assert_int_equal(sanitize_char_len("\xe0\x80\x80"), 0);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_sanitize),
                cmocka_unit_test(test_cut),
                cmocka_unit_test(test_char_len),
        };
        return cmocka_run_group_tests_name("sanitize", tests, NULL, NULL);
}
