/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The pure queries on struct rootinfo (rootinfo.c): identified sources and busy devices. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rootinfo.h"

static struct rootdisk resolved(const char *what, const char *block)
{
        struct rootdisk rd = { .what = strdup(what), .block = strdup(block) };
        assert_non_null(rd.what);
        assert_non_null(rd.block);
        return rd;
}

static void test_identified(void **state)
{
        struct rootinfo ri = { .root = resolved("root", "nvme0n1p2") };

        assert_false(rootinfo_identified(NULL));
        assert_true(rootinfo_identified(&ri));
        /* An extra entry that names nothing stands for nothing. */
        ri.extra = calloc(2, sizeof(*ri.extra));
        assert_non_null(ri.extra);
        ri.n_extra = 1;
        assert_true(rootinfo_identified(&ri));
        /* One that names something must be resolved. */
        ri.extra[0].spec = strdup("UUID=0000");
        assert_false(rootinfo_identified(&ri));
        ri.extra[0].block = strdup("nvme1n1p1");
        assert_true(rootinfo_identified(&ri));
        ri.extra[0].network = true;
        assert_false(rootinfo_identified(&ri));
        ri.extra[0].network = false;
        ri.root.problem = strdup("no block device has UUID=1111");
        assert_false(rootinfo_identified(&ri));
        rootinfo_done(&ri);
        assert_null(ri.extra);
        assert_int_equal(ri.n_extra, 0);
}

static void test_busy(void **state)
{
        struct rootinfo ri = { 0 };

        assert_null(rootinfo_busy(NULL, 0));
        assert_null(rootinfo_busy(&ri, 0));
        ri.busy = calloc(2, sizeof(*ri.busy));
        assert_non_null(ri.busy);
        ri.busy[0] = (struct busy_device){ 3, strdup("nvme1n1p1 mounted at /mnt") };
        ri.busy[1] = (struct busy_device){ 5, strdup("nvme2n1 held by md0") };
        ri.n_busy = 2;
        assert_string_equal(rootinfo_busy(&ri, 3), "nvme1n1p1 mounted at /mnt");
        assert_string_equal(rootinfo_busy(&ri, 5), "nvme2n1 held by md0");
        assert_null(rootinfo_busy(&ri, 4));
        rootinfo_done(&ri);
        assert_null(rootinfo_busy(&ri, 3));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_identified),
                cmocka_unit_test(test_busy),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
