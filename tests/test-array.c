/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "array.h"
#include "strv.h"

/* Appending many elements keeps every one, and reallocates only at powers of two. */
static void test_grow(void **state)
{
        size_t *v = NULL, n = 0, moves = 0;

        for (size_t i = 0; i < 10000; i++) {
                size_t *before = v;
                assert_int_equal(array_grow(&v, n), 0);
                moves += v != before;
                v[n++] = i * 3;
        }
        for (size_t i = 0; i < n; i++)
                assert_int_equal(v[i], i * 3);
        /* 4, 8, ... 16384: 13 allocations at most (realloc may also keep the block). */
        assert_true(moves <= 13);
        free(v);
}

/* An element count whose size overflows is refused, before any allocation. */
static void test_overflow(void **state)
{
        struct big {
                char bytes[1 << 20];
        } *v = NULL;
        size_t n = (size_t)1 << 62;

        assert_int_equal(array_grow(&v, n), -ENOMEM);
        assert_null(v);
}

static void test_strv(void **state)
{
        char **v = NULL;
        size_t n = 0;

        assert_int_equal(strv_push(&v, &n, NULL), 0);
        assert_non_null(v);
        assert_null(v[0]);
        for (int i = 0; i < 100; i++)
                assert_int_equal(strv_push(&v, &n, i % 2 ? "odd" : "even"), 0);
        assert_int_equal(n, 100);
        assert_string_equal(v[99], "odd");
        assert_null(v[100]);
        strv_free(v);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_grow),
                cmocka_unit_test(test_overflow),
                cmocka_unit_test(test_strv),
        };
        return cmocka_run_group_tests_name("array", tests, NULL, NULL);
}
