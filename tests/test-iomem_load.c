/* SPDX-License-Identifier: GPL-2.0-or-later */
/* iomem_load() and virt_load() through machine_load(): the facts of the diagnostics. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "machine.h"
#include "macro.h"
#include "root.h"
#include "support/tree.h"

static struct tree t;
static struct machine m;

static int setup(void **state)
{
        (void)state;
        tree_new(&t);
        m = (struct machine){ 0 };
        tree_file(&t, "/proc/sys/kernel/osrelease", "6.1.0\n");
        tree_pci_device(&t, "0000:00:02.0", NULL, 0x1234, 0x1111, 0x030000, 0);
        tree_pci_device(&t, "0000:00:03.0", NULL, 0x8086, 0x10d3, 0x020000, 0);
        return 0;
}

static int teardown(void **state)
{
        (void)state;
        machine_done(&m);
        tree_free(&t);
        return 0;
}

static void load(unsigned flags)
{
        _cleanup_root_ struct root *r = NULL;

        assert_int_equal(root_new(t.dir, &r), 0);
        assert_int_equal(machine_load(r, flags, &m), 0);
}

static void resource(const char *dev, const char *text)
{
        char path[512];

        snprintf(path, sizeof(path), "%s/resource", tree_dev_path(&t, dev));
        tree_file(&t, path, text);
}

#define BAR0 "0x00000000fd000000 0x00000000fdffffff 0x0000000000140208\n"
#define EMPTY "0x0000000000000000 0x0000000000000000 0x0000000000000000\n"

static void test_framebuffer_and_bars(void **state)
{
        (void)state;
        tree_file(&t, "/proc/iomem",
                  "00000000-00000fff : Reserved\n"
                  "  fd000000-fdffffff : 0000:00:02.0\n"
                  "    fd000000-fd2fffff : BOOTFB\n"
                  "      fd000000-fd2fffff : simpledrm\n");
        resource("0000:00:02.0", BAR0 EMPTY EMPTY EMPTY EMPTY EMPTY EMPTY);
        resource("0000:00:03.0", BAR0 EMPTY EMPTY EMPTY EMPTY EMPTY EMPTY); /* not a display device */
        load(0);
        assert_int_equal(m.iomem_addresses, TRI_YES);
        assert_int_equal(m.n_fbs, 2);
        assert_string_equal(m.fbs[0].name, "BOOTFB");
        assert_string_equal(m.fbs[1].name, "simpledrm");
        assert_int_equal(m.n_bars, 1);
        assert_string_equal(m.devices[m.bars[0].device].name, "0000:00:02.0");
        assert_true(m.bars[0].bar[0].start == 0xfd000000 && m.bars[0].bar[0].end == 0xfdffffff);
}

static void test_unprivileged_and_malformed(void **state)
{
        (void)state;
        tree_file(&t, "/proc/iomem", "00000000-00000000 : Reserved\n  00000000-00000000 : efifb\n");
        resource("0000:00:02.0", "garbage\n");
        load(0);
        assert_int_equal(m.iomem_addresses, TRI_NO);
        assert_int_equal(m.n_bars, 0);
}

static void test_virt(void **state)
{
        (void)state;
        tree_file(&t, "/proc/cpuinfo", "processor\t: 0\nvendor_id\t: GenuineIntel\nflags\t\t: fpu hypervisor\n");
        tree_file(&t, "/sys/class/dmi/id/sys_vendor", "QEMU\n");
        tree_file(&t, "/sys/class/dmi/id/product_name", "\n");
        load(0);
        assert_int_equal(m.hypervisor, TRI_YES);
        assert_string_equal(m.dmi_vendor, "QEMU");
        assert_null(m.dmi_product); /* empty: absent */
        assert_int_equal(m.iomem_addresses, TRI_UNKNOWN);
}

/* Binding at boot reads none of it. */
static void test_header_only_skips(void **state)
{
        (void)state;
        tree_file(&t, "/proc/cpuinfo", "flags\t\t: hypervisor\n");
        tree_file(&t, "/proc/iomem", "  fd000000-fd2fffff : BOOTFB\n");
        load(MACHINE_LOAD_HEADER_ONLY);
        assert_int_equal(m.hypervisor, TRI_NO);
        assert_int_equal(m.n_fbs, 0);
        assert_false(m.usb_listed);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_framebuffer_and_bars, setup, teardown),
                cmocka_unit_test_setup_teardown(test_unprivileged_and_malformed, setup, teardown),
                cmocka_unit_test_setup_teardown(test_virt, setup, teardown),
                cmocka_unit_test_setup_teardown(test_header_only_skips, setup, teardown),
        };
        return cmocka_run_group_tests_name("iomem_load", tests, NULL, NULL);
}
