/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "listing.h"
#include "macro.h"
#include "support/model-literal.h"

/*
 *   group 0  00:01.0 root port   01:00.0 GPU (boot VGA)  01:00.1 its audio   isolated
 *   group 1  00:1c.0 port        02:00.0 NIC on vfio-pci  03:00.0 USB          not isolated
 *   group 2  00:1d.0 port        04:00.0 NVMe backing root                     isolated, kept
 *   group 3  00:1e.0 bridge only                                               nothing to pass
 */
static struct model mo;
static struct rootinfo ri;
static size_t root_devs[2];
static struct rootdisk_leaf leaf[1];

enum { PORT_GPU, PORT_NIC, PORT_USB_BRIDGE, PORT_NVME, BRIDGE_ONLY, GPU, AUDIO, NIC, USB, NVME };

static int setup(void **state)
{
        model_init(&mo);
        model_add_dev(&mo, "0000:00:01.0", 0x8086, 0x1901, 0x060400, "pcieport");
        model_add_dev(&mo, "0000:00:1c.0", 0x8086, 0xa338, 0x060400, "pcieport");
        model_add_dev(&mo, "0000:00:1c.4", 0x8086, 0xa33c, 0x060400, "pcieport");
        model_add_dev(&mo, "0000:00:1d.0", 0x8086, 0xa330, 0x060400, "pcieport");
        model_add_dev(&mo, "0000:00:1e.0", 0x8086, 0x244e, 0x060401, NULL);
        model_add_dev(&mo, "0000:01:00.0", 0x10de, 0x2484, 0x030000, "nvidia");
        model_add_dev(&mo, "0000:01:00.1", 0x10de, 0x228b, 0x040300, "snd_hda_intel");
        model_add_dev(&mo, "0000:02:00.0", 0x8086, 0x15bc, 0x020000, "vfio-pci");
        model_add_dev(&mo, "0000:03:00.0", 0x1b21, 0x2142, 0x0c0330, "xhci_hcd");
        model_add_dev(&mo, "0000:04:00.0", 0x144d, 0xa808, 0x010802, "nvme");
        for (long g = 0; g < 4; g++)
                model_add_group(&mo, g);
        const size_t group_of[] = { 0, 1, 1, 2, 3, 0, 0, 1, 1, 2 };
        const size_t parent_of[] = { NONE,     NONE, NONE, NONE, NONE, PORT_GPU, PORT_GPU, PORT_NIC, PORT_USB_BRIDGE,
                                     PORT_NVME };
        for (size_t d = 0; d < ARRAY_SIZE(group_of); d++) {
                model_put(&mo, d, group_of[d]);
                mo.d[d].parent = parent_of[d];
                mo.d[d].header = mo.d[d].class >> 8 == 0x0604 ? PCI_HEADER_BRIDGE : PCI_HEADER_NORMAL;
        }
        mo.d[GPU].boot_vga = TRI_YES;
        mo.d[GPU].multifunction = true;
        root_devs[0] = PORT_NVME;
        root_devs[1] = NVME;
        leaf[0] = (struct rootdisk_leaf){ .controller = NVME, .chain = (char *)"nvme0n1p2" };
        ri = (struct rootinfo){ .root = { .block = (char *)"nvme0n1p2",
                                          .devices = root_devs,
                                          .n_devices = 2,
                                          .leaves = leaf,
                                          .n_leaves = 1 } };
        return 0;
}

static void test_devices(void **state)
{
        struct listing l;

        assert_int_equal(listing_build(&mo.m, &ri, &l), 0);
        assert_string_equal(l.devices[GPU].path, "0000:00:01.0/00.0");
        assert_string_equal(l.devices[PORT_GPU].path, "0000:00:01.0");
        assert_string_equal(l.devices[USB].path, "0000:00:1c.4/00.0");
        assert_true(l.devices[GPU].boot_vga);
        assert_false(l.devices[AUDIO].boot_vga);
        assert_true(l.devices[NIC].on_vfio);
        assert_false(l.devices[USB].on_vfio);
        /* The controller backs root; the port above it is kept for root but backs nothing. */
        assert_string_equal(listing_backs(&l.devices[NVME]), "root");
        assert_null(listing_backs(&l.devices[PORT_NVME]));
        assert_string_equal(listing_what(&l.devices[PORT_NVME]), "root");
        assert_null(listing_what(&l.devices[GPU]));
        listing_done(&l, &mo.m);
}

static void test_groups(void **state)
{
        struct listing l;

        assert_int_equal(listing_build(&mo.m, &ri, &l), 0);
        /* The GPU takes its audio along (functions=auto): nothing else in the group. */
        assert_true(l.groups[0].isolated);
        assert_int_equal(l.groups[0].tried, GPU);
        /* The NIC and the USB controller sit on two slots of one group: each blocks the other. */
        assert_false(l.groups[1].isolated);
        assert_int_equal(l.groups[1].tried, NIC);
        assert_int_equal(l.groups[1].n_blockers, 1);
        assert_int_equal(l.groups[1].blockers[0], USB);
        assert_true(l.groups[2].isolated);
        /* Only a bridge: no device to try, and no blocker. */
        assert_true(l.groups[3].isolated);
        assert_int_equal(l.groups[3].tried, NONE);
        listing_done(&l, &mo.m);
}

/* Without root facts, root is not identified: root protection keeps a storage controller. */
static void test_root_unknown(void **state)
{
        struct listing l;

        assert_int_equal(listing_build(&mo.m, NULL, &l), 0);
        assert_int_equal(l.devices[NVME].protect.verdict, PROTECT_ROOT_UNKNOWN);
        assert_null(listing_what(&l.devices[NVME]));
        assert_int_equal(l.devices[GPU].protect.verdict, PROTECT_NONE);
        listing_done(&l, &mo.m);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup(test_devices, setup),
                cmocka_unit_test_setup(test_groups, setup),
                cmocka_unit_test_setup(test_root_unknown, setup),
        };
        return cmocka_run_group_tests_name("listing", tests, NULL, NULL);
}
