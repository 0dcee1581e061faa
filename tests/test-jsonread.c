/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "jsonread.h"
#include "macro.h"

static char *read_string(const char *text, size_t max, int *ret_k)
{
        struct jsonread j;
        char *s = NULL;

        jsonread_init(&j, text, 4, max);
        *ret_k = jsonread_string(&j, &s);
        return s;
}

static void test_strings(void **state)
{
        static const struct {
                const char *text, *want;
        } good[] = {
                { "\"\"", "" },
                { " \"plain\"", "plain" },
                { "\"esc \\\" \\\\ \\/ \\b\\f\\n\\r\\t\"", "esc \" \\ / \b\f\n\r\t" },
                { "\"\\u00e9\\u20ac\"", "\xc3\xa9\xe2\x82\xac" },
                { "\"\\ud83d\\ude00\"", "\xf0\x9f\x98\x80" },
                { "\"raw \xc3\xa9\"", "raw \xc3\xa9" },
        };
        static const char *const bad[] = {
                "plain",
                "\"open",
                "\"nl\n\"",
                "\"\\x\"",
                "\"\\u0000\"",
                "\"\\u12\"",
                "\"\\ud800\"",
                "\"\\udc00\"",
                "\"\\ud800\\u0041\"",
                "\"\xff\"",
                "\"\xc0\x80\"",
                "\"\xe0\x80\x80\"",
                "\"\xed\xa0\x80\"",
                "\"\xf4\x90\x80\x80\"",
                "\"\xe2\x82\"",
        };
        int k;

        for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
                _cleanup_free_ char *s = read_string(good[i].text, 64, &k);
                assert_int_equal(k, 0);
                assert_string_equal(s, good[i].want);
        }
        for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
                _cleanup_free_ char *s = read_string(bad[i], 64, &k);
                if (k != -EINVAL)
                        fail_msg("case %zu: got %d", i, k);
                assert_null(s);
        }
        /* The bound is on the decoded bytes: "\u00e9" is two. */
        _cleanup_free_ char *at = read_string("\"abc\\u00e9\"", 5, &k);
        assert_int_equal(k, 0);
        _cleanup_free_ char *over = read_string("\"abcd\\u00e9\"", 5, &k);
        assert_int_equal(k, -EINVAL);
}

static void test_numbers(void **state)
{
        static const struct {
                const char *text;
                long long v;
                bool integer;
        } good[] = {
                { "0", 0, true },        { "-12", -12, true }, { "9223372036854775807", INT64_MAX, true },
                { "1.5", 1, false },     { "2e3", 2, false },  { "99999999999999999999", 0, false },
                { "-0.0E-1", 0, false },
        };
        static const char *const bad[] = { "01", "-", "1.", ".5", "1e", "+1", "0x10", "NaN", "" };
        struct jsonread j;
        long long v;
        bool integer;

        for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
                jsonread_init(&j, good[i].text, 4, 64);
                assert_int_equal(jsonread_number(&j, &v, &integer), 0);
                assert_int_equal(integer, good[i].integer);
                if (integer)
                        assert_true(v == good[i].v);
                assert_true(jsonread_at_end(&j));
        }
        for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
                jsonread_init(&j, bad[i], 4, 64);
                int k = jsonread_number(&j, &v, &integer);
                /* "01" reads as far as the bad zero; both end up refused or not at the end. */
                if (k == 0 && jsonread_at_end(&j))
                        fail_msg("case %zu '%s' accepted", i, bad[i]);
        }
}

/* An object walked member by member, an unknown member skipped, the end checked. */
static void test_walk(void **state)
{
        struct jsonread j;
        bool first = true, b = false, seen_list = false;
        char *key;
        int k;

        jsonread_init(&j, " {\"a\": true, \"skip\": {\"x\": [1, \"s\", null, {}]}, \"list\": [1, 2] } ", 4, 64);
        assert_int_equal(jsonread_enter(&j, '{'), 0);
        while ((k = jsonread_member(&j, &first, &key)) > 0) {
                if (strcmp(key, "a") == 0)
                        assert_int_equal(jsonread_bool(&j, &b), 0);
                else if (strcmp(key, "list") == 0) {
                        bool f = true;
                        long long v, sum = 0;
                        bool integer;
                        assert_int_equal(jsonread_enter(&j, '['), 0);
                        while ((k = jsonread_next(&j, &f, ']')) > 0) {
                                assert_int_equal(jsonread_number(&j, &v, &integer), 0);
                                sum += v;
                        }
                        assert_int_equal(k, 0);
                        assert_int_equal(sum, 3);
                        seen_list = true;
                } else
                        assert_int_equal(jsonread_skip(&j), 0);
                free(key);
        }
        assert_int_equal(k, 0);
        assert_true(b);
        assert_true(seen_list);
        assert_true(jsonread_at_end(&j));
        assert_int_equal(j.depth, 0);
}

static void test_syntax_errors(void **state)
{
        static const char *const bad[] = {
                "{\"a\" 1}", "{\"a\":1,}", "{,\"a\":1}", "[1 2]", "[,]", "{1:2}", "{a:1}", "tru", "nul", "[1,]",
        };
        struct jsonread j;

        for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
                jsonread_init(&j, bad[i], 4, 64);
                if (jsonread_skip(&j) != -EINVAL)
                        fail_msg("case %zu '%s' accepted", i, bad[i]);
        }
        jsonread_init(&j, "null x", 4, 64);
        assert_int_equal(jsonread_null(&j), 0);
        assert_false(jsonread_at_end(&j));
        assert_int_equal(jsonread_peek(&j), 'x');
}

static void test_depth(void **state)
{
        struct jsonread j;

        jsonread_init(&j, "[[[[]]]]", 4, 64);
        assert_int_equal(jsonread_skip(&j), 0);
        jsonread_init(&j, "[[[[[]]]]]", 4, 64);
        assert_int_equal(jsonread_skip(&j), -EINVAL);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_strings),       cmocka_unit_test(test_numbers), cmocka_unit_test(test_walk),
                cmocka_unit_test(test_syntax_errors), cmocka_unit_test(test_depth),
        };
        return cmocka_run_group_tests_name("jsonread", tests, NULL, NULL);
}
