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
        const char *in, *out, *inplace;
} cases[] = {
        { "plain text: 0000:01:00.0", "plain text: 0000:01:00.0", "plain text: 0000:01:00.0" },
        { "esc \033[31mred", "esc \\x1b[31mred", "esc ?[31mred" },
        { "tab\there\nnl\r", "tab\\x09here\\x0anl\\x0d", "tab?here?nl?" },
        { "del \x7f", "del \\x7f", "del ?" },
        { "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
          "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80" },
        /* C1 controls: U+0085 and U+009B (CSI) act on some terminals. */
        { "c1 \xc2\x85 \xc2\x9b", "c1 \\u0085 \\u009b", "c1 ?? ??" },
        /* Invisible: no-break space, zero-width space, byte-order mark, a tag character. */
        { "nbsp \xc2\xa0", "nbsp \\u00a0", "nbsp ??" },
        { "zw\xe2\x80\x8bsp", "zw\\u200bsp", "zw???sp" },
        { "\xef\xbb\xbf"
          "bom",
          "\\ufeffbom", "???bom" },
        { "tag\xf3\xa0\x80\x81", "tag\\U000e0001", "tag????" },
        /* Not UTF-8: stray bytes, cut sequences, overlong forms, surrogates. */
        { "\xff\xfe", "\\xff\\xfe", "??" },
        { "cut \xe2\x82", "cut \\xe2\\x82", "cut ??" },
        { "overlong \xc0\xaf \xe0\x80\xaf", "overlong \\xc0\\xaf \\xe0\\x80\\xaf", "overlong ?? ???" },
        { "surrogate \xed\xa0\x80", "surrogate \\xed\\xa0\\x80", "surrogate ???" },
};

static void test_sanitize(void **state)
{
        char buf[128];

        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                if (strcmp(sanitize(cases[i].in, buf, sizeof(buf)), cases[i].out) != 0)
                        fail_msg("case %zu: got '%s'", i, buf);
                strcpy(buf, cases[i].in);
                sanitize_inplace(buf);
                if (strcmp(buf, cases[i].inplace) != 0)
                        fail_msg("case %zu in place: got '%s'", i, buf);
                strcpy(buf, cases[i].in);
                if (strcmp(sanitize(buf, buf, sizeof(buf)), cases[i].out) != 0)
                        fail_msg("case %zu on itself: got '%s'", i, buf);
        }
        assert_string_equal(sanitize(NULL, buf, sizeof(buf)), "(null)");
}

/* A cut never splits a character or an escape: what does not fit whole is left out. */
static void test_cut(void **state)
{
        char buf[6];

        assert_string_equal(sanitize("abcdefgh", buf, sizeof(buf)), "abcde");
        assert_string_equal(sanitize("abc\xe2\x82\xac", buf, sizeof(buf)), "abc");
        assert_string_equal(sanitize("ab\xe2\x82\xac", buf, sizeof(buf)), "ab\xe2\x82\xac");
        assert_string_equal(sanitize("a\033\033", buf, sizeof(buf)), "a\\x1b");
        assert_string_equal(sanitize("ab\033", buf, sizeof(buf)), "ab");
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
        assert_int_equal(sanitize_char_len("\xc2\xa0"), 0);
        assert_int_equal(sanitize_char_len("\xc2\xa1"), 2);
        assert_int_equal(sanitize_char_len("\xe0\x80\x80"), 0);
}

/* Columns on a terminal, for padding: not bytes. */
static void test_width(void **state)
{
        assert_int_equal(sanitize_width("nvme", 4), 4);
        assert_int_equal(sanitize_width("caf\xc3\xa9", 5), 4);
        assert_int_equal(sanitize_width("\xe6\x97\xa5\xe6\x9c\xac", 6), 4); /* two CJK characters */
        assert_int_equal(sanitize_width("e\xcc\x81", 3), 1);                /* e and a combining acute */
        assert_int_equal(sanitize_width("\xf0\x9f\x98\x80", 4), 2);
        assert_int_equal(sanitize_width("abcdef", 3), 3);
        assert_int_equal(sanitize_width("ab\xc3\xa9", 3), 3); /* a cut sequence counts per byte */
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_sanitize),
                cmocka_unit_test(test_cut),
                cmocka_unit_test(test_char_len),
                cmocka_unit_test(test_width),
        };
        return cmocka_run_group_tests_name("sanitize", tests, NULL, NULL);
}
