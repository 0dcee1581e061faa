/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "json.h"
#include "macro.h"

/* A writer on a memory stream; json_done() returns what was written (caller frees). */
struct capture {
        char *buf;
        size_t len;
        FILE *f;
        struct json j;
};

static void capture_begin(struct capture *c)
{
        c->buf = NULL;
        c->len = 0;
        c->f = open_memstream(&c->buf, &c->len);
        assert_non_null(c->f);
        json_init(&c->j, c->f);
}

static char *capture_end(struct capture *c)
{
        assert_int_equal(fclose(c->f), 0);
        return c->buf;
}

static char *string_doc(const char *s)
{
        struct capture c;

        capture_begin(&c);
        json_string(&c.j, s);
        json_finish(&c.j);
        return capture_end(&c);
}

static void test_escaping(void **state)
{
        static const struct {
                const char *in, *out;
        } table[] = {
                { "plain", "\"plain\"\n" },
                { "", "\"\"\n" },
                { "say \"hi\"", "\"say \\\"hi\\\"\"\n" },
                { "back\\slash", "\"back\\\\slash\"\n" },
                { "a\nb\tc\r", "\"a\\u000ab\\u0009c\\u000d\"\n" },
                { "\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\"\n" },
                { "/ stays", "\"/ stays\"\n" },
                /* Valid UTF-8 passes through: é, €, U+10348, U+10FFFF. */
                { "caf\xc3\xa9 \xe2\x82\xac \xf0\x90\x8d\x88 \xf4\x8f\xbf\xbf",
                  "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x90\x8d\x88 \xf4\x8f\xbf\xbf\"\n" },
                /* Invalid bytes become U+FFFD, one per byte. */
                { "x\xffy", "\"x\\ufffdy\"\n" },
                { "\xc3", "\"\\ufffd\"\n" },                                  /* truncated at the end */
                { "\xc3(", "\"\\ufffd(\"\n" },                                /* bad continuation */
                { "\xc0\xaf", "\"\\ufffd\\ufffd\"\n" },                       /* overlong '/' */
                { "\xe0\x80\xaf", "\"\\ufffd\\ufffd\\ufffd\"\n" },            /* overlong, 3 bytes */
                { "\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"\n" },            /* a UTF-16 surrogate */
                { "\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"\n" }, /* > U+10FFFF */
                { "\xe2\x82", "\"\\ufffd\\ufffd\"\n" },                       /* truncated 3-byte */
                { "\x80", "\"\\ufffd\"\n" },                                  /* lone continuation */
        };

        for (size_t i = 0; i < ARRAY_SIZE(table); i++) {
                _cleanup_free_ char *s = string_doc(table[i].in);
                assert_string_equal(s, table[i].out);
        }
}

static void test_null_string(void **state)
{
        _cleanup_free_ char *s = string_doc(NULL);

        assert_string_equal(s, "null\n");
}

static void test_scalars(void **state)
{
        struct capture c;
        _cleanup_free_ char *s = NULL;

        capture_begin(&c);
        json_array_begin(&c.j);
        json_int(&c.j, 0);
        json_int(&c.j, -42);
        json_int(&c.j, 9223372036854775807LL);
        json_int(&c.j, -9223372036854775807LL - 1);
        json_bool(&c.j, true);
        json_bool(&c.j, false);
        json_null(&c.j);
        json_string(&c.j, NULL);
        json_array_end(&c.j);
        json_finish(&c.j);
        s = capture_end(&c);
        assert_string_equal(s, "[\n"
                               "  0,\n"
                               "  -42,\n"
                               "  9223372036854775807,\n"
                               "  -9223372036854775808,\n"
                               "  true,\n"
                               "  false,\n"
                               "  null,\n"
                               "  null\n"
                               "]\n");
}

static void test_nesting_and_commas(void **state)
{
        struct capture c;
        _cleanup_free_ char *s = NULL;

        capture_begin(&c);
        json_object_begin(&c.j);
        json_key(&c.j, "version");
        json_int(&c.j, 1);
        json_key(&c.j, "empty_array");
        json_array_begin(&c.j);
        json_array_end(&c.j);
        json_key(&c.j, "empty_object");
        json_object_begin(&c.j);
        json_object_end(&c.j);
        json_key(&c.j, "list");
        json_array_begin(&c.j);
        json_object_begin(&c.j);
        json_key(&c.j, "a");
        json_string(&c.j, "x");
        json_key(&c.j, "b");
        json_array_begin(&c.j);
        json_string(&c.j, "y");
        json_string(&c.j, "z");
        json_array_end(&c.j);
        json_object_end(&c.j);
        json_object_begin(&c.j);
        json_object_end(&c.j);
        json_array_end(&c.j);
        json_key(&c.j, "k\"ey");
        json_bool(&c.j, true);
        json_object_end(&c.j);
        json_finish(&c.j);
        s = capture_end(&c);
        assert_string_equal(s, "{\n"
                               "  \"version\": 1,\n"
                               "  \"empty_array\": [],\n"
                               "  \"empty_object\": {},\n"
                               "  \"list\": [\n"
                               "    {\n"
                               "      \"a\": \"x\",\n"
                               "      \"b\": [\n"
                               "        \"y\",\n"
                               "        \"z\"\n"
                               "      ]\n"
                               "    },\n"
                               "    {}\n"
                               "  ],\n"
                               "  \"k\\\"ey\": true\n"
                               "}\n");
}

/* Nesting beyond JSON_MAX_DEPTH is written as null; the document stays balanced and valid. */
static void test_depth_limit(void **state)
{
        struct capture c;
        _cleanup_free_ char *s = NULL;
        char expect[4096] = "";
        const int opened = JSON_MAX_DEPTH + 5;

        capture_begin(&c);
        for (int i = 0; i < opened; i++)
                json_array_begin(&c.j);
        json_string(&c.j, "lost");
        json_key(&c.j, "lost too");
        for (int i = 0; i < opened; i++)
                json_array_end(&c.j);
        json_array_end(&c.j); /* one too many: ignored */
        assert_int_equal(c.j.depth, 0);
        json_finish(&c.j);
        s = capture_end(&c);

        /* JSON_MAX_DEPTH - 1 arrays open, the next one becomes null. */
        for (int i = 0; i < JSON_MAX_DEPTH - 1; i++) {
                strcat(expect, "[\n");
                for (int k = 0; k <= i; k++)
                        strcat(expect, "  ");
        }
        strcat(expect, "null");
        for (int i = JSON_MAX_DEPTH - 2; i >= 0; i--) {
                strcat(expect, "\n");
                for (int k = 0; k < i; k++)
                        strcat(expect, "  ");
                strcat(expect, "]");
        }
        strcat(expect, "\n");
        assert_string_equal(s, expect);
}

static void test_depth_limit_after_key(void **state)
{
        struct capture c;
        _cleanup_free_ char *s = NULL;

        capture_begin(&c);
        for (int i = 0; i < JSON_MAX_DEPTH - 1; i++)
                json_object_begin(&c.j);
        json_key(&c.j, "deep");
        json_object_begin(&c.j); /* too deep */
        json_key(&c.j, "x");
        json_int(&c.j, 1);
        json_object_end(&c.j);
        json_key(&c.j, "next");
        json_int(&c.j, 2);
        for (int i = 0; i < JSON_MAX_DEPTH - 1; i++)
                json_object_end(&c.j);
        json_finish(&c.j);
        s = capture_end(&c);
        assert_non_null(strstr(s, "\"deep\": null,\n"));
        assert_non_null(strstr(s, "\"next\": 2\n"));
        assert_null(strstr(s, "\"x\""));
}

/* The writer gathers text in blocks (json.h): strings longer than a block, and documents of
 * many blocks, come out whole and in order. */
static void test_longer_than_a_block(void **state)
{
        struct capture c;
        _cleanup_free_ char *s = NULL, *big = malloc(10000), *want = malloc(200000);
        size_t w = 0;

        assert_non_null(big);
        assert_non_null(want);
        memset(big, 'x', 9999);
        big[9999] = '\0';
        big[5000] = '\n';
        capture_begin(&c);
        json_array_begin(&c.j);
        json_string(&c.j, big);
        w += (size_t)sprintf(want + w, "[\n  \"%.5000s\\u000a%s\"", big, big + 5001);
        for (int i = 0; i < 3000; i++) {
                json_int(&c.j, i);
                w += (size_t)sprintf(want + w, ",\n  %d", i);
        }
        json_array_end(&c.j);
        json_finish(&c.j);
        sprintf(want + w, "\n]\n");
        s = capture_end(&c);
        assert_string_equal(s, want);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_escaping),
                cmocka_unit_test(test_null_string),
                cmocka_unit_test(test_scalars),
                cmocka_unit_test(test_nesting_and_commas),
                cmocka_unit_test(test_depth_limit),
                cmocka_unit_test(test_depth_limit_after_key),
                cmocka_unit_test(test_longer_than_a_block),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
