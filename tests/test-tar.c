/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "macro.h"
#include "tar.h"

/* One header of ARCHIVE at block OFFSET, read back field by field. */
struct hdr {
        char name[101], linkname[101], prefix[156];
        char type;
        unsigned long mode, size;
        bool sum_ok;
};

static struct hdr header_at(const char *archive, size_t offset)
{
        const unsigned char *b = (const unsigned char *)archive + offset;
        struct hdr h = { 0 };
        unsigned long sum = 0, want;

        memcpy(h.name, b, 100);
        memcpy(h.linkname, b + 157, 100);
        memcpy(h.prefix, b + 345, 155);
        h.type = (char)b[156];
        h.mode = strtoul((const char *)b + 100, NULL, 8);
        h.size = strtoul((const char *)b + 124, NULL, 8);
        want = strtoul((const char *)b + 148, NULL, 8);
        for (size_t i = 0; i < 512; i++)
                sum += i >= 148 && i < 156 ? ' ' : b[i];
        h.sum_ok = sum == want;
        assert_memory_equal(b + 257,
                            "ustar\0"
                            "00",
                            8);
        return h;
}

static void test_entries(void **state)
{
        struct tar t = { 0 };
        _cleanup_free_ char *a = NULL;
        size_t len;

        assert_int_equal(tar_put(&t, "/box", TAR_DIR, NULL, 0, 0755), 0);
        assert_int_equal(tar_put(&t, "box/cmdline", TAR_FILE, "old\n", 4, 0644), 0);
        assert_int_equal(tar_put(&t, "box/link", TAR_SYMLINK, "../x", 4, 0777), 0);
        /* Put again: replaced in place, not added. */
        assert_int_equal(tar_put(&t, "/box/cmdline", TAR_FILE, "quiet splash\n", 13, 0644), 0);
        assert_int_equal(t.n_entries, 3);
        assert_string_equal(tar_find(&t, "/box/cmdline")->data, "quiet splash\n");
        assert_null(tar_find(&t, "box/none"));
        assert_int_equal(tar_put(&t, "/", TAR_DIR, NULL, 0, 0755), -EINVAL);
        assert_int_equal(tar_put(&t, "box/", TAR_DIR, NULL, 0, 0755), -EINVAL);

        assert_int_equal(tar_write(&t, &a, &len), 0);
        /* Three headers, one data block, two zero blocks. */
        assert_int_equal(len, 6 * 512);
        struct hdr d = header_at(a, 0), f = header_at(a, 512), l = header_at(a, 3 * 512);
        assert_string_equal(d.name, "box/");
        assert_int_equal(d.type, '5');
        assert_int_equal(d.mode, 0755);
        assert_true(d.sum_ok);
        assert_string_equal(f.name, "box/cmdline");
        assert_int_equal(f.type, '0');
        assert_int_equal(f.size, 13);
        assert_true(f.sum_ok);
        assert_memory_equal(a + 2 * 512, "quiet splash\n", 13);
        assert_int_equal(a[2 * 512 + 13], '\0');
        assert_string_equal(l.name, "box/link");
        assert_int_equal(l.type, '2');
        assert_string_equal(l.linkname, "../x");
        assert_int_equal(l.size, 0);
        assert_true(l.sum_ok);
        for (size_t i = 4 * 512; i < len; i++)
                assert_int_equal(a[i], 0);
        tar_done(&t);
}

/* Longer than 100 bytes: split into prefix and name at a '/'; beyond that, a pax header. */
static void test_long_names(void **state)
{
        struct tar t = { 0 };
        _cleanup_free_ char *a = NULL;
        size_t len;
        char mid[200], huge[400], target[160];

        snprintf(mid, sizeof(mid),
                 "box/sys/devices/pci0000:00/0000:00:1c.4/0000:04:00.0/0000:05:00.0/0000:06:00.0/0000:07:00.0/%s",
                 "iommu_group");
        memset(huge, 'a', sizeof(huge) - 1);
        huge[sizeof(huge) - 1] = '\0';
        memset(target, 'b', sizeof(target) - 1);
        target[sizeof(target) - 1] = '\0';
        assert_true(strlen(mid) > 100);
        assert_int_equal(tar_put(&t, mid, TAR_FILE, "1", 1, 0644), 0);
        assert_int_equal(tar_put(&t, huge, TAR_FILE, "", 0, 0644), 0);
        assert_int_equal(tar_put(&t, "box/l", TAR_SYMLINK, target, strlen(target), 0777), 0);
        assert_int_equal(tar_write(&t, &a, &len), 0);

        struct hdr h = header_at(a, 0);
        char joined[300];
        snprintf(joined, sizeof(joined), "%s/%s", h.prefix, h.name);
        assert_string_equal(joined, mid);
        assert_true(h.sum_ok);
        /* The pax header holds "LEN path=NAME\n" with LEN the record's own length. */
        struct hdr x = header_at(a, 2 * 512);
        assert_int_equal(x.type, 'x');
        assert_true(x.sum_ok);
        char want[500];
        int n = snprintf(want, sizeof(want), "%d path=%s\n", 0, huge);
        n = snprintf(want, sizeof(want), "%d path=%s\n", n + 2, huge);
        assert_int_equal(x.size, n);
        assert_memory_equal(a + 3 * 512, want, (size_t)n);
        size_t after = 3 * 512 + ((size_t)n + 511) / 512 * 512;
        assert_int_equal(header_at(a, after).type, '0');
        struct hdr lx = header_at(a, after + 512);
        assert_int_equal(lx.type, 'x');
        snprintf(want, sizeof(want), "%zu linkpath=%s\n", strlen(target) + 14, target);
        assert_memory_equal(a + after + 2 * 512, want, strlen(want));
        assert_int_equal(header_at(a, after + 3 * 512).type, '2');
        tar_done(&t);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_entries),
                cmocka_unit_test(test_long_names),
        };
        return cmocka_run_group_tests_name("tar", tests, NULL, NULL);
}
