/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "check_diag.h"
#include "macro.h"

static const char iomem[] = "00000000-00000fff : Reserved\n"
                            "c0000000-fec2ffff : PCI Bus 0000:00\n"
                            "  e0000000-efffffff : 0000:01:00.0\n"
                            "    e0000000-e07e8fff : efifb\n"
                            "  f0000000-f02fffff : BOOTFB\n"
                            "    f0000000-f02fffff : simpledrm\n"
                            "  f1000000-f1000fff : efifbx\n"
                            "garbage line\n"
                            "  f2000000-f2000fff : vesafb";

static void test_parse_iomem(void **state)
{
        struct fb_region *fbs = NULL;
        size_t n = 0;
        bool zeroed = true;

        (void)state;
        assert_int_equal(iomem_parse_framebuffers(iomem, &fbs, &n, &zeroed), 0);
        assert_false(zeroed);
        assert_int_equal(n, 4);
        assert_string_equal(fbs[0].name, "efifb");
        assert_true(fbs[0].start == 0xe0000000 && fbs[0].end == 0xe07e8fff);
        assert_string_equal(fbs[1].name, "BOOTFB");
        assert_string_equal(fbs[2].name, "simpledrm");
        assert_string_equal(fbs[3].name, "vesafb"); /* the last line has no newline */
        for (size_t i = 0; i < n; i++)
                free(fbs[i].name);
        free(fbs);

        /* Read without root, every address is 0. */
        assert_int_equal(iomem_parse_framebuffers("00000000-00000000 : Reserved\n  00000000-00000000 : efifb\n", &fbs,
                                                  &n, &zeroed),
                         0);
        assert_true(zeroed);
        free(fbs[0].name);
        free(fbs);
        assert_int_equal(iomem_parse_framebuffers("", &fbs, &n, &zeroed), 0);
        assert_int_equal(n, 0);
        assert_false(zeroed);
}

static void test_parse_resource(void **state)
{
        struct device_bars b = { .device = 7 };

        (void)state;
        assert_int_equal(pci_resource_parse("0x00000000e0000000 0x00000000efffffff 0x000000000014220c\n"
                                            "0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
                                            "0x000000000000e000 0x000000000000e0ff 0x0000000000040101\n"
                                            "0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
                                            "0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
                                            "0x00000000fce00000 0x00000000fce3ffff 0x0000000000040200\n"
                                            "0x00000000fce40000 0x00000000fce5ffff 0x0000000000046200\n",
                                            &b),
                         0);
        assert_int_equal(b.device, 7);
        assert_true(b.bar[0].start == 0xe0000000 && b.bar[0].end == 0xefffffff);
        assert_true(b.bar[1].end == 0);
        assert_true(b.bar[2].end == 0); /* an I/O BAR */
        assert_true(b.bar[5].start == 0xfce00000);
        assert_int_equal(pci_resource_parse("0x0 0x0 0x0\n", &b), -EINVAL);
        assert_int_equal(pci_resource_parse("", &b), -EINVAL);
}

static const struct finding *run(struct machine *m, struct report *r)
{
        static struct plan plan;
        static struct cmdline cl;
        static struct check_input in;
        in = (struct check_input){ .machine = m, .cmdline = &cl, .plan = &plan };
        struct ctx x = { .in = &in, .m = m, .c = &cl, .plan = &plan };
        struct selected it = { .device = 0 };

        *r = (struct report){ 0 };
        assert_int_equal(check_framebuffer(&x, &it, r), 0);
        return r->n_findings ? &r->findings[0] : NULL;
}

static void test_finding(void **state)
{
        struct pci_device d = { .name = "0000:01:00.0", .class = 0x030000 };
        struct device_bars b = { .device = 0, .bar = { { 0xd0000000, 0xdfffffff }, { 0xe0000000, 0xefffffff } } };
        struct fb_region fbs[] = { { 0xe0000000, 0xe07e8fff, (char *)"efifb" } };
        struct machine m = { .release = (char *)"6.1.0-28-amd64",
                             .devices = &d,
                             .n_devices = 1,
                             .fbs = fbs,
                             .n_fbs = 1,
                             .iomem_addresses = TRI_YES,
                             .bars = &b,
                             .n_bars = 1 };
        const struct finding *f;
        struct report r;

        (void)state;
        f = run(&m, &r);
        assert_string_equal(f->id, "framebuffer:0000:01:00.0");
        assert_int_equal(f->status, CHECK_INFO);
        assert_non_null(strstr(f->message, "BAR 1 (efifb at 0xe0000000-0xe07e8fff)"));
        assert_non_null(strstr(f->message, "removes it"));
        report_done(&r);

        m.release = (char *)"5.15.0-91-generic";
        f = run(&m, &r);
        assert_int_equal(f->status, CHECK_WARN);
        assert_non_null(strstr(f->message, "only since Linux 6.0"));
        assert_non_null(strstr(f->hint, "echo efi-framebuffer.0 > /sys/bus/platform/drivers/efi-framebuffer/unbind"));
        assert_non_null(strstr(f->hint, "video=efifb:off"));
        report_done(&r);

        /* A 3D controller is not VGA class: vfio-pci never removes it, whatever the release. */
        m.release = (char *)"6.8.0", d.class = 0x030200;
        f = run(&m, &r);
        assert_int_equal(f->status, CHECK_WARN);
        assert_non_null(strstr(f->message, "only from VGA-class devices"));
        report_done(&r);

        /* BOOTFB with no driver on it: nothing to unbind. */
        fbs[0].name = (char *)"BOOTFB";
        f = run(&m, &r);
        assert_non_null(strstr(f->hint, "initcall_blacklist=sysfb_init"));
        report_done(&r);

        /* Elsewhere, unknown addresses, or not a display device: nothing to say. */
        fbs[0].start = 0xf0000000, fbs[0].end = 0xf07fffff;
        assert_null(run(&m, &r));
        fbs[0].start = 0xe0000000, fbs[0].end = 0xe07fffff;
        m.iomem_addresses = TRI_NO;
        assert_null(run(&m, &r));
        m.iomem_addresses = TRI_YES, d.class = 0x0c0330;
        assert_null(run(&m, &r));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse_iomem),
                cmocka_unit_test(test_parse_resource),
                cmocka_unit_test(test_finding),
        };
        return cmocka_run_group_tests_name("check_framebuffer", tests, NULL, NULL);
}
