/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The loaders of the diagnostics' facts through machine_load(): iomem_load(), virt_load(),
 * usb_load(). */
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

/* A USB device NAME below controller PCI, with one interface of CLS and PROTO. */
static void usb(const char *pci, const char *name, const char *product, const char *cls, const char *proto)
{
        char dir[512], path[1024], link[1024];

        snprintf(dir, sizeof(dir), "%s/usb%c/%s", tree_dev_path(&t, pci), name[0], name);
        if (product) {
                snprintf(path, sizeof(path), "%s/product", dir);
                tree_file(&t, path, product);
        }
        snprintf(path, sizeof(path), "%s/%s:1.0/bInterfaceClass", dir, name);
        tree_file(&t, path, cls);
        snprintf(path, sizeof(path), "%s/%s:1.0/bInterfaceProtocol", dir, name);
        tree_file(&t, path, proto);
        /* Relative links, as sysfs has them: /sys/bus/usb/devices is three levels below /sys. */
        snprintf(link, sizeof(link), "/sys/bus/usb/devices/%s", name);
        snprintf(path, sizeof(path), "../../..%s", dir + strlen("/sys"));
        tree_link(&t, link, path);
        snprintf(link, sizeof(link), "/sys/bus/usb/devices/%s:1.0", name);
        snprintf(path, sizeof(path), "../../..%s/%s:1.0", dir + strlen("/sys"), name);
        tree_link(&t, link, path);
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

static void test_devices_below_controllers(void **state)
{
        (void)state;
        tree_pci_device(&t, "0000:00:14.0", NULL, 0x8086, 0xa36d, 0x0c0330, 0);
        tree_pci_device(&t, "0000:00:1c.0", NULL, 0x8086, 0xa338, 0x060400, 1);
        tree_pci_device(&t, "0000:04:00.0", "0000:00:1c.0", 0x1b21, 0x2142, 0x0c0330, 0);
        usb("0000:00:14.0", "1-2", "KB216\n", "03\n", "01\n");
        usb("0000:00:14.0", "1-1", NULL, "03\n", "02\n");
        usb("0000:04:00.0", "3-1", "Cruzer\n", "08\n", "50\n");
        usb("0000:04:00.0", "3-2", "Hub\n", "09\n", "00\n");
        usb("0000:04:00.0", "3-3", "Gamepad\n", "03\n", "00\n");
        tree_link(&t, "/sys/bus/usb/devices/usb1", "../../../devices/pci0000:00/0000:00:14.0/usb1"); /* root hub */
        load(0);
        assert_true(m.usb_listed);
        assert_int_equal(m.n_usb, 5);
        /* Sorted by name; the controller is the nearest PCI device, not the bridge above it. */
        assert_string_equal(m.usb[0].name, "1-1");
        assert_null(m.usb[0].product);
        assert_int_equal(m.usb[0].kinds, USB_MOUSE);
        assert_string_equal(m.devices[m.usb[0].controller].name, "0000:00:14.0");
        assert_string_equal(m.usb[1].product, "KB216");
        assert_int_equal(m.usb[1].kinds, USB_KEYBOARD);
        assert_string_equal(m.devices[m.usb[2].controller].name, "0000:04:00.0");
        assert_int_equal(m.usb[2].kinds, USB_STORAGE);
        assert_int_equal(m.usb[3].kinds, USB_HUB);
        assert_int_equal(m.usb[4].kinds, 0);
}

static void test_no_usb_directory(void **state)
{
        (void)state;
        tree_pci_device(&t, "0000:00:14.0", NULL, 0x8086, 0xa36d, 0x0c0330, 0);
        load(0);
        assert_false(m.usb_listed);
        assert_int_equal(m.n_usb, 0);
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
                cmocka_unit_test_setup_teardown(test_devices_below_controllers, setup, teardown),
                cmocka_unit_test_setup_teardown(test_no_usb_directory, setup, teardown),
                cmocka_unit_test_setup_teardown(test_header_only_skips, setup, teardown),
        };
        return cmocka_run_group_tests_name("diag_load", tests, NULL, NULL);
}
