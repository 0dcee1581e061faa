/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sbuf.h"

static void test_sbuf_appends(void **state)
{
        struct sbuf b = { 0 };

        assert_int_equal(sbuf_put(&b, "ab", 2), 0);
        assert_int_equal(sbuf_appendf(&b, "-%d-%s", 42, "x"), 0);
        assert_string_equal(b.s, "ab-42-x");
        assert_int_equal(b.len, 7);
        /* Growth past the first allocation keeps the earlier bytes. */
        for (int i = 0; i < 100; i++)
                assert_int_equal(sbuf_appendf(&b, "%03d", i), 0);
        assert_int_equal(b.len, 7 + 300);
        assert_memory_equal(b.s, "ab-42-x000001002", 16);
        assert_string_equal(b.s + b.len - 3, "099");
        sbuf_done(&b);
        assert_null(b.s);
}

static void test_sbuf_take(void **state)
{
        struct sbuf b = { 0 };

        char *empty = sbuf_take(&b);
        assert_non_null(empty);
        assert_string_equal(empty, "");
        free(empty);

        sbuf_put(&b, "x\0y", 3);
        char *s = sbuf_take(&b);
        assert_memory_equal(s, "x\0y", 4);
        assert_null(b.s);
        assert_int_equal(b.len, 0);
        free(s);
}

static _printf_(1, 2) char *format(const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        char *s = str_vprintf(fmt, ap);
        va_end(ap);
        return s;
}

static void test_str_vprintf(void **state)
{
        char *s = format("%s:%u", "/etc/vfio-prep.conf", 12u);

        assert_string_equal(s, "/etc/vfio-prep.conf:12");
        free(s);
        s = format("%s", "");
        assert_string_equal(s, "");
        free(s);
}

static void test_sbuf_oom_sticks(void **state)
{
        struct sbuf b = { 0 };

        assert_int_equal(sbuf_put(&b, "a", 1), 0);
        b.oom = true;
        assert_int_equal(sbuf_put(&b, "b", 1), -ENOMEM);
        assert_int_equal(sbuf_appendf(&b, "%s", "c"), -ENOMEM);
        assert_string_equal(b.s, "a");
        assert_null(sbuf_take(&b));
        sbuf_done(&b);
        assert_false(b.oom);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_sbuf_appends),
                cmocka_unit_test(test_sbuf_take),
                cmocka_unit_test(test_sbuf_oom_sticks),
                cmocka_unit_test(test_str_vprintf),
        };
        return cmocka_run_group_tests_name("sbuf", tests, NULL, NULL);
}
