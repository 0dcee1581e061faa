/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gzip.h"
#include "macro.h"

/* The dynamic build, which the tests use, has zlib: the Makefile requires it to say so. */
static void test_available(void **state)
{
        assert_true(gzip_available());
}

static void test_round_trip(void **state)
{
        _cleanup_free_ char *gz = NULL, *back = NULL;
        size_t len, n;
        char text[100000];

        for (size_t i = 0; i < sizeof(text); i++)
                text[i] = (char)('a' + (i * 7 + i / 13) % 26);
        assert_int_equal(gzip_compress(text, sizeof(text), &gz, &len), 0);
        /* RFC 1952: the magic bytes and deflate as the method. */
        assert_true(len > 18 && len < sizeof(text));
        assert_int_equal((unsigned char)gz[0], 0x1f);
        assert_int_equal((unsigned char)gz[1], 0x8b);
        assert_int_equal(gz[2], 8);
        assert_int_equal(gzip_decompress(gz, len, sizeof(text), &back, &n), 0);
        assert_int_equal(n, sizeof(text));
        assert_memory_equal(back, text, n);
        assert_int_equal(back[n], '\0');
}

static void test_empty(void **state)
{
        _cleanup_free_ char *gz = NULL, *back = NULL;
        size_t len, n = 99;

        assert_int_equal(gzip_compress("", 0, &gz, &len), 0);
        assert_int_equal(gzip_decompress(gz, len, 10, &back, &n), 0);
        assert_int_equal(n, 0);
        assert_string_equal(back, "");
}

static void test_bad_input(void **state)
{
        _cleanup_free_ char *gz = NULL;
        char *back = NULL;
        size_t len, n;
        static const char text[] = "CONFIG_VFIO_PCI=m\nCONFIG_IRQ_REMAP=y\n";

        assert_int_equal(gzip_compress(text, strlen(text), &gz, &len), 0);
        /* Cut anywhere: refused, nothing returned. */
        for (size_t cut = 0; cut < len; cut++)
                if (gzip_decompress(gz, cut, 1000, &back, &n) != -EBADMSG)
                        fail_msg("a stream cut at %zu of %zu bytes was accepted", cut, len);
        assert_int_equal(gzip_decompress("not gzip at all", 15, 1000, &back, &n), -EBADMSG);
        /* Larger than asked for: -EFBIG, as root_read_file() says of a file. */
        assert_int_equal(gzip_decompress(gz, len, 10, &back, &n), -EFBIG);
        assert_null(back);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_available),
                cmocka_unit_test(test_round_trip),
                cmocka_unit_test(test_empty),
                cmocka_unit_test(test_bad_input),
        };
        return cmocka_run_group_tests_name("gzip", tests, NULL, NULL);
}
