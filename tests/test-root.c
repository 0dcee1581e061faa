/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "macro.h"
#include "root.h"
#include "support/tree.h"

static void test_read_attr_strips_newline(void **state)
{
        struct tree t;
        _cleanup_root_ struct root *r = NULL;
        _cleanup_free_ char *s = NULL;

        tree_new(&t);
        tree_file(&t, "/sys/a/vendor", "0x10de\n");
        assert_int_equal(root_new(t.dir, &r), 0);
        assert_int_equal(root_read_attr(r, "/sys/a/vendor", &s), 0);
        assert_string_equal(s, "0x10de");
        tree_free(&t);
}

static void test_links_resolved_inside(void **state)
{
        struct tree t;
        _cleanup_root_ struct root *r = NULL;
        _cleanup_free_ char *p = NULL, *name = NULL;

        tree_new(&t);
        tree_pci_device(&t, "0000:00:01.0", NULL, 0x8086, 0x1234, 0x060400, 1);
        tree_pci_device(&t, "0000:01:00.0", "0000:00:01.0", 0x10de, 0x2484, 0x030000, 0);
        tree_driver(&t, "0000:01:00.0", "nvidia");
        assert_int_equal(root_new(t.dir, &r), 0);
        assert_int_equal(root_resolve(r, "/sys/bus/pci/devices/0000:01:00.0", &p), 0);
        assert_string_equal(p, "/sys/devices/pci0000:00/0000:00:01.0/0000:01:00.0");
        assert_int_equal(root_link_name(r, "/sys/bus/pci/devices/0000:01:00.0/driver", &name), 0);
        assert_string_equal(name, "nvidia");
        tree_free(&t);
}

static void test_escaping_links_refused(void **state)
{
        struct tree t;
        _cleanup_root_ struct root *r = NULL;
        char *s = NULL;

        tree_new(&t);
        tree_link(&t, "/sys/abs", "/etc/passwd");
        tree_link(&t, "/sys/up", "../../../../../../../../etc/passwd");
        tree_link(&t, "/sys/loop", "loop");
        tree_link(&t, "/sys/drv", "../../../../../x/nvidia");
        assert_int_equal(root_new(t.dir, &r), 0);
        assert_int_equal(root_read_attr(r, "/sys/abs", &s), -EXDEV);
        assert_int_equal(root_read_attr(r, "/sys/up", &s), -EXDEV);
        assert_int_equal(root_read_attr(r, "/sys/loop", &s), -ELOOP);
        assert_int_equal(root_read_attr(r, "/../../etc/passwd", &s), -EXDEV);
        assert_int_equal(root_link_name(r, "/sys/drv", &s), -EXDEV);
        assert_null(s);
        tree_free(&t);
}

static void test_bounded_read(void **state)
{
        struct tree t;
        _cleanup_root_ struct root *r = NULL;
        char big[ROOT_ATTR_MAX + 10];
        char *s = NULL;

        memset(big, 'a', sizeof(big) - 1);
        big[sizeof(big) - 1] = '\0';
        tree_new(&t);
        tree_file(&t, "/sys/big", big);
        assert_int_equal(root_new(t.dir, &r), 0);
        assert_int_equal(root_read_attr(r, "/sys/big", &s), -EFBIG);
        assert_null(s);
        tree_free(&t);
}

static void test_write_never_creates(void **state)
{
        struct tree t;
        _cleanup_root_ struct root *r = NULL;
        _cleanup_free_ char *s = NULL;

        tree_new(&t);
        tree_file(&t, "/sys/dev/driver_override", "(null)\n");
        assert_int_equal(root_new(t.dir, &r), 0);
        root_journal_enable(r, true);
        assert_int_equal(root_write(r, "/sys/dev/missing", "x"), -ENOENT);
        assert_int_equal(root_write(r, "/sys/dev/driver_override", "vfio-pci"), 0);
        s = tree_read(&t, "/sys/dev/driver_override");
        assert_string_equal(s, "vfio-pci");
        size_t n;
        const struct root_journal_entry *j = root_journal(r, &n);
        assert_int_equal(n, 2);
        assert_int_equal(j[0].op, ROOT_OP_WRITE);
        assert_int_equal(j[0].result, -ENOENT);
        assert_string_equal(j[1].value, "vfio-pci");
        tree_free(&t);
}

static int hook_fail_busy(void *ud, const char *path, const char *value)
{
        (void)ud;
        (void)value;
        return strstr(path, "unbind") ? -EBUSY : 0;
}

static void test_write_hook_and_deadline(void **state)
{
        struct tree t;
        _cleanup_root_ struct root *r = NULL;

        tree_new(&t);
        tree_file(&t, "/sys/drv/unbind", "");
        tree_file(&t, "/sys/drv/bind", "");
        assert_int_equal(root_new(t.dir, &r), 0);
        root_set_write_hook(r, hook_fail_busy, NULL);
        assert_int_equal(root_write_deadline(r, "/sys/drv/unbind", "0000:01:00.0", 1000), -EBUSY);
        assert_int_equal(root_write_deadline(r, "/sys/drv/bind", "0000:01:00.0", 1000), 0);
        tree_free(&t);
}

static void test_deadline_expires(void **state)
{
        struct tree t;
        _cleanup_root_ struct root *r = NULL;

        tree_new(&t);
        tree_mkdir(&t, "/sys");
        /* A FIFO with no reader blocks open() in the child: a stand-in for a stuck unbind. */
        assert_int_equal(mkfifo(tree_path(&t, "/sys/fifo"), 0600), 0);
        assert_int_equal(root_new(t.dir, &r), 0);
        assert_int_equal(root_write_deadline(r, "/sys/fifo", "x", 100), -ETIMEDOUT);
        tree_free(&t);
}

static void test_list_sorted(void **state)
{
        struct tree t;
        _cleanup_root_ struct root *r = NULL;
        _cleanup_strv_ char **v = NULL;
        size_t n;

        tree_new(&t);
        tree_file(&t, "/d/b", "");
        tree_file(&t, "/d/a", "");
        tree_mkdir(&t, "/d/c");
        tree_mkdir(&t, "/e");
        assert_int_equal(root_new(t.dir, &r), 0);
        assert_int_equal(root_list(r, "/d", &v, &n), 0);
        assert_int_equal(n, 3);
        assert_string_equal(v[0], "a");
        assert_string_equal(v[2], "c");
        assert_null(v[3]);
        strv_free(TAKE_PTR(v));
        assert_int_equal(root_list(r, "/e", &v, &n), 0);
        assert_int_equal(n, 0);
        assert_null(v[0]);
        tree_free(&t);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_read_attr_strips_newline),
                cmocka_unit_test(test_links_resolved_inside),
                cmocka_unit_test(test_escaping_links_refused),
                cmocka_unit_test(test_bounded_read),
                cmocka_unit_test(test_write_never_creates),
                cmocka_unit_test(test_write_hook_and_deadline),
                cmocka_unit_test(test_deadline_expires),
                cmocka_unit_test(test_list_sorted),
        };
        return cmocka_run_group_tests_name("root", tests, NULL, NULL);
}
