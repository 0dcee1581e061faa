/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "config_edit.h"

#define HEADER "# vfio-prep.conf(5): the devices vfio-prep binds to vfio-pci at boot"

static struct selector sel(const char *s)
{
        struct selector r;

        assert_int_equal(selector_parse(s, &r), 0);
        return r;
}

static void expect_add(const char *before, const char *line, const char *after)
{
        struct config_edit e;

        assert_int_equal(config_edit_add(before, before ? strlen(before) : 0, line, &e), 0);
        assert_string_equal(e.text, after);
        assert_int_equal(e.len, strlen(after));
        assert_int_equal(e.n_removed, 0);
        assert_string_equal(e.added[e.n_added - 1], line);
        config_edit_done(&e);
}

static void test_add_keeps_comments_and_blanks(void **state)
{
        expect_add("# GPU\n\nisolation warn\n  # indented\ndevice 0000:02:00.0 id=1b36:0010\n",
                   "device 0000:01:00.0 id=10de:2484",
                   "# GPU\n\nisolation warn\n  # indented\ndevice 0000:02:00.0 id=1b36:0010\n"
                   "device 0000:01:00.0 id=10de:2484\n");
}

static void test_add_crlf(void **state)
{
        expect_add("# saved on Windows\r\ndevice 02:00.0\r\n", "device 01:00.0 id=10de:2484",
                   "# saved on Windows\r\ndevice 02:00.0\r\ndevice 01:00.0 id=10de:2484\r\n");
}

static void test_add_missing_final_newline(void **state)
{
        expect_add("device 02:00.0", "device 01:00.0 id=10de:2484", "device 02:00.0\ndevice 01:00.0 id=10de:2484\n");
        expect_add("# a\r\ndevice 02:00.0", "device 01:00.0", "# a\r\ndevice 02:00.0\r\ndevice 01:00.0\r\n");
}

static void test_add_new_file(void **state)
{
        struct config_edit e;

        expect_add(NULL, "device 01:00.0 id=10de:2484", HEADER "\ndevice 01:00.0 id=10de:2484\n");
        assert_int_equal(config_edit_add(NULL, 0, "device 01:00.0", &e), 0);
        assert_int_equal(e.n_added, 2);
        assert_string_equal(e.added[0], HEADER);
        config_edit_done(&e);
        /* An empty file exists: no header is forced into it. */
        expect_add("", "device 01:00.0", "device 01:00.0\n");
}

static void test_add_twice_refused(void **state)
{
        static const char text[] = "# x\ndevice 0000:01:00.0 functions=one # the GPU\n";
        struct config_edit e = { 0 };

        /* The same device however it is written. */
        assert_int_equal(config_edit_add(text, strlen(text), "device 01:00.0", &e), -EEXIST);
        assert_int_equal(config_edit_add(text, strlen(text), "device 0000:01:00.0 id=10de:2484", &e), -EEXIST);
        assert_null(e.text);
        assert_int_equal(config_edit_find(text, strlen(text), &(struct selector){ 0 }), 0);
        struct selector s = sel("01:00.0");
        assert_int_equal(config_edit_find(text, strlen(text), &s), 2);
        /* A commented-out line is no device line. */
        s = sel("02:00.0");
        assert_int_equal(config_edit_find("#device 02:00.0\n", 16, &s), 0);
        assert_int_equal(config_edit_add(text, strlen(text), "isolation warn", &e), -EINVAL);
        assert_int_equal(config_edit_add(text, strlen(text), "device nonsense", &e), -EINVAL);
}

static void test_line_selector(void **state)
{
        struct selector s;

        assert_true(config_edit_line_selector("\tdevice  10de:2484 # x", 22, &s));
        assert_int_equal(s.kind, SELECTOR_ID);
        assert_int_equal(s.vendor, 0x10de);
        assert_true(config_edit_line_selector("\xef\xbb\xbf"
                                              "device 01:00.0",
                                              17, &s));
        assert_false(config_edit_line_selector("devices 01:00.0", 15, &s));
        assert_false(config_edit_line_selector("device", 6, &s));
        assert_false(config_edit_line_selector("device #01:00.0", 15, &s));
        /* Only LEN bytes count. */
        assert_false(config_edit_line_selector("device 01:00.0", 9, &s));
}

static void expect_remove(const char *before, const char *selector, const char *after, size_t n_removed,
                          const char *first_removed)
{
        struct config_edit e;
        struct selector s = sel(selector);

        assert_int_equal(config_edit_remove(before, strlen(before), &s, &e), 0);
        assert_string_equal(e.text, after);
        assert_int_equal(e.len, strlen(after));
        assert_int_equal(e.n_removed, n_removed);
        assert_int_equal(e.n_added, 0);
        assert_string_equal(e.removed[0], first_removed);
        config_edit_done(&e);
}

static void test_remove(void **state)
{
        expect_remove("# GPU\n\ndevice 0000:01:00.0 id=10de:2484 # mine\nisolation warn\n", "01:00.0",
                      "# GPU\n\nisolation warn\n", 1, "device 0000:01:00.0 id=10de:2484 # mine");
        expect_remove("device 01:00.0\r\n# keep\r\ndevice 0000:01:00.0 optional\r\n", "0000:01:00.0", "# keep\r\n", 2,
                      "device 01:00.0");
        /* The last line without a line end. */
        expect_remove("# a\ndevice 01:00.0", "01:00.0", "# a\n", 1, "device 01:00.0");
        expect_remove("device 01:00.0\n", "01:00.0", "", 1, "device 01:00.0");
        /* An ID selector is not the address of a device with that ID. */
        expect_remove("device 10de:2484\ndevice 01:00.0\n", "10de:2484", "device 01:00.0\n", 1, "device 10de:2484");
}

static void test_remove_none(void **state)
{
        struct config_edit e = { 0 };
        struct selector s = sel("01:00.0");

        assert_int_equal(config_edit_remove("# device 01:00.0\ndevice 02:00.0\n", 32, &s, &e), -ENOENT);
        assert_null(e.text);
        assert_int_equal(config_edit_remove(NULL, 0, &s, &e), -ENOENT);
        assert_int_equal(config_edit_remove("", 0, &s, &e), -ENOENT);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_add_keeps_comments_and_blanks),
                cmocka_unit_test(test_add_crlf),
                cmocka_unit_test(test_add_missing_final_newline),
                cmocka_unit_test(test_add_new_file),
                cmocka_unit_test(test_add_twice_refused),
                cmocka_unit_test(test_line_selector),
                cmocka_unit_test(test_remove),
                cmocka_unit_test(test_remove_none),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
