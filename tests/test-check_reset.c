/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "check_diag.h"
#include "macro.h"

static void test_family(void **state)
{
        (void)state;
        assert_string_equal(vendor_reset_family(0x1002, 0x67df), "Polaris 10"); /* RX 580 */
        assert_string_equal(vendor_reset_family(0x1002, 0x6fdf), "Polaris 10"); /* RX 580 2048SP */
        assert_string_equal(vendor_reset_family(0x1002, 0x699f), "Polaris 12");
        assert_string_equal(vendor_reset_family(0x1002, 0x687f), "Vega 10");
        assert_string_equal(vendor_reset_family(0x1002, 0x66af), "Vega 20");
        assert_string_equal(vendor_reset_family(0x1002, 0x731f), "Navi 10");
        assert_string_equal(vendor_reset_family(0x1002, 0x7362), "Navi 12");
        assert_string_equal(vendor_reset_family(0x1002, 0x7340), "Navi 14");
        assert_null(vendor_reset_family(0x1002, 0x73bf)); /* Navi 21 resets itself */
        assert_null(vendor_reset_family(0x1002, 0x0000)); /* the table's padding is no ID */
        assert_null(vendor_reset_family(0x10de, 0x67df)); /* not AMD */
}

static void test_release(void **state)
{
        (void)state;
        assert_true(release_at_least("6.1.0-28-amd64", 5, 15));
        assert_true(release_at_least("5.15.0-91-generic", 5, 15));
        assert_false(release_at_least("5.14.21-150400.24-default", 5, 15));
        assert_false(release_at_least("5.4.0", 5, 15));
        assert_true(release_at_least("6.10.3-arch1-1", 6, 0));
        assert_false(release_at_least("4.19", 6, 0));
        assert_false(release_at_least(NULL, 5, 15));
        assert_false(release_at_least("", 5, 15));
        assert_false(release_at_least("six.one", 5, 15));
        assert_false(release_at_least("6", 5, 15));
}

/* One device, checked alone; returns the finding (or NULL) of report R. */
static const struct finding *run(struct pci_device *d, const char *release, struct report *r)
{
        struct machine m = { .release = (char *)release, .devices = d, .n_devices = 1 };
        struct ctx x = { .m = &m };
        struct selected it = { .device = 0 };

        *r = (struct report){ 0 };
        assert_int_equal(check_reset(&x, &it, r), 0);
        return r->n_findings ? &r->findings[0] : NULL;
}

static void test_finding(void **state)
{
        struct pci_device d = { .name = "0000:03:00.0", .vendor = 0x1002, .device = 0x67df, .class = 0x030000 };
        const struct finding *f;
        struct report r;

        (void)state;
        f = run(&d, "6.1.0-28-amd64", &r);
        assert_non_null(f);
        assert_string_equal(f->id, "reset:0000:03:00.0");
        assert_int_equal(f->status, CHECK_WARN);
        assert_non_null(strstr(f->message, "AMD Polaris 10 GPU"));
        assert_non_null(strstr(f->message, "the VM starts once"));
        assert_non_null(strstr(f->hint, "echo device_specific > /sys/bus/pci/devices/0000:03:00.0/reset_method"));
        report_done(&r);

        /* Before Linux 5.15 there is no reset_method: loading vendor-reset is all it takes. */
        f = run(&d, "5.10.0-30-amd64", &r);
        assert_non_null(strstr(f->hint, "vendor-reset"));
        assert_null(strstr(f->hint, "reset_method"));
        report_done(&r);

        d.reset_method = (char *)"device_specific bus";
        f = run(&d, "6.1.0-28-amd64", &r);
        assert_int_equal(f->status, CHECK_PASS);
        assert_null(f->hint);
        report_done(&r);

        /* Any device with every method disabled. */
        d.vendor = 0x10de, d.device = 0x2484, d.reset_method = (char *)"";
        f = run(&d, "6.1.0-28-amd64", &r);
        assert_int_equal(f->status, CHECK_WARN);
        assert_non_null(strstr(f->message, "reset_method is empty"));
        assert_non_null(strstr(f->hint, "write 'default' to /sys/bus/pci/devices/0000:03:00.0/reset_method"));
        report_done(&r);

        /* A device that resets: nothing to say. */
        d.reset_method = (char *)"flr bus";
        assert_null(run(&d, "6.1.0-28-amd64", &r));
        report_done(&r);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_family),
                cmocka_unit_test(test_release),
                cmocka_unit_test(test_finding),
        };
        return cmocka_run_group_tests_name("check_reset", tests, NULL, NULL);
}
