/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "modopts.h"

static void drop(const char *options, const char *kept, const char *dropped)
{
        char *k = NULL, *d = NULL;

        assert_int_equal(modopts_drop_ids(options, &k, &d), 0);
        if (strcmp(k, kept) != 0 || strcmp(d, dropped) != 0)
                fail_msg("'%s': kept '%s', dropped '%s'", options ? options : "(null)", k, d);
        free(k);
        free(d);
}

static void test_drop_ids(void **state)
{
        drop("ids=10de:2484,10de:228b disable_idle_d3=1", "disable_idle_d3=1", "ids=10de:2484,10de:228b");
        drop("disable_vga=1  ids=10de:2484\tnointxmask=1", "disable_vga=1 nointxmask=1", "ids=10de:2484");
        drop("ids=1 ids=2", "", "ids=1 ids=2");
        drop("x=\"a ids=b\" ids=\"10de:2484\"", "x=\"a ids=b\"", "ids=\"10de:2484\"");
        /* Other parameters that merely start alike stay. */
        drop("idsx=1 enable_sriov=1", "idsx=1 enable_sriov=1", "");
        drop("", "", "");
        drop(NULL, "", "");
}

static void test_scan_conf(void **state)
{
        struct modopt_list l = { 0 };
        const char *text = "# options vfio-pci ids=dead:beef\n"
                           "options vfio_pci disable_idle_d3=1\n"
                           "options vfio-pci ids=10de:2484,10de:228b disable_vga=1\n"
                           "options nvidia NVreg_X=1 ids=1234:5678\n"
                           "softdep nvidia pre: vfio-pci\n"
                           "options vfio-pci \\\n"
                           "  ids=1002:73bf\n";

        assert_int_equal(modopts_scan_conf("/etc/modprobe.d/vfio.conf", text, &l), 0);
        assert_int_equal(l.n_items, 2);
        assert_string_equal(l.items[0].origin, "/etc/modprobe.d/vfio.conf:3");
        assert_string_equal(l.items[0].ids, "10de:2484,10de:228b");
        assert_false(l.items[0].cmdline);
        /* A continued line is reported at its first line. */
        assert_string_equal(l.items[1].origin, "/etc/modprobe.d/vfio.conf:6");
        assert_string_equal(l.items[1].ids, "1002:73bf");
        modopts_done(&l);
}

static void test_scan_cmdline(void **state)
{
        struct modopt_list l = { 0 };
        struct cmdline c;

        assert_int_equal(
                cmdline_parse("quiet vfio-pci.ids=10de:2484 vfio_pci.ids=1002:73bf vfio_pci.disable_vga=1", &c), 0);
        assert_int_equal(modopts_scan_cmdline(&c, &l), 0);
        assert_int_equal(l.n_items, 2);
        assert_string_equal(l.items[0].origin, "kernel command line (vfio-pci.ids=)");
        assert_string_equal(l.items[0].ids, "10de:2484");
        assert_true(l.items[0].cmdline);
        assert_string_equal(l.items[1].origin, "kernel command line (vfio_pci.ids=)");
        modopts_done(&l);
        cmdline_done(&c);
}

static void test_id_matches(void **state)
{
        struct pci_device d = { .vendor = 0x10de, .device = 0x2484, .subsys_vendor = 0x1458, .subsys_device = 0x4037 };

        assert_true(modopts_id_matches("10de:2484", &d));
        assert_true(modopts_id_matches("10DE:2484", &d));
        assert_true(modopts_id_matches("10de:2484:1458:4037", &d));
        assert_false(modopts_id_matches("10de:2484:1458:0000", &d));
        assert_true(modopts_id_matches("ffffffff:2484", &d));
        assert_false(modopts_id_matches("10de:2485", &d));
        assert_false(modopts_id_matches("10de", &d));
        assert_false(modopts_id_matches("", &d));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_drop_ids),
                cmocka_unit_test(test_scan_conf),
                cmocka_unit_test(test_scan_cmdline),
                cmocka_unit_test(test_id_matches),
        };
        return cmocka_run_group_tests_name("modopts", tests, NULL, NULL);
}
