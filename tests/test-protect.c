/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The root-protection rule (protect.c) over a literal machine. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "protect.h"
#include "support/model-literal.h"

/*
 *   0 0000:00:14.0 USB          group 0
 *   1 0000:00:1a.0 SD/eMMC      group 1
 *   2 0000:00:1a.1 SD/eMMC      group 2
 *   3 0000:00:1f.6 NIC          group 3
 *   4 0000:01:00.0 NVMe A       group 4
 *   5 0000:02:00.0 NVMe B       group 5 (with 6)
 *   6 0000:02:00.1 USB          group 5
 *   7 0000:03:00.0 GPU          group 6
 */
enum { USB, SD1, SD2, NIC, NVME_A, NVME_B, USB_PEER, GPU };

static struct model mo;
static struct rootinfo ri;
static size_t root_devs[1];
static struct rootdisk_leaf leaf[1];

static int setup(void **state)
{
        model_init(&mo);
        model_add_dev(&mo, "0000:00:14.0", 0x8086, 0xa36d, 0x0c0330, "xhci_hcd");
        model_add_dev(&mo, "0000:00:1a.0", 0x8086, 0xa375, 0x080501, "sdhci-pci");
        model_add_dev(&mo, "0000:00:1a.1", 0x8086, 0xa376, 0x080501, "sdhci-pci");
        model_add_dev(&mo, "0000:00:1f.6", 0x8086, 0x15bc, 0x020000, "e1000e");
        model_add_dev(&mo, "0000:01:00.0", 0x1b36, 0x0010, 0x010802, "nvme");
        model_add_dev(&mo, "0000:02:00.0", 0x1b36, 0x0010, 0x010802, "nvme");
        model_add_dev(&mo, "0000:02:00.1", 0x1b36, 0x000d, 0x0c0330, "xhci_hcd");
        model_add_dev(&mo, "0000:03:00.0", 0x10de, 0x2484, 0x030000, "nvidia");
        for (long g = 0; g < 7; g++)
                model_add_group(&mo, g);
        size_t group_of[] = { 0, 1, 2, 3, 4, 5, 5, 6 };
        for (size_t d = 0; d < 8; d++)
                model_put(&mo, d, group_of[d]);
        root_devs[0] = NVME_A;
        leaf[0] = (struct rootdisk_leaf){ .controller = NVME_A,
                                          .chain = (char *)"dm-0 (LUKS) -> nvme0n1p2",
                                          .encrypted = true };
        ri = (struct rootinfo){ .root = { .spec = (char *)"/dev/mapper/root",
                                          .block = (char *)"dm-0",
                                          .devices = root_devs,
                                          .n_devices = 1,
                                          .leaves = leaf,
                                          .n_leaves = 1 } };
        return 0;
}

static enum protect_verdict verdict(size_t dev)
{
        struct protect_reason r;

        protect_decide(&ri, &mo.m, dev, &r);
        return r.verdict;
}

static void unknown_root(void)
{
        ri.root = (struct rootdisk){ .spec = (char *)"UUID=0a1b", .problem = (char *)"cannot resolve 'UUID=0a1b'" };
}

static void test_identified(void **state)
{
        struct protect_reason r;

        protect_decide(&ri, &mo.m, NVME_A, &r);
        assert_int_equal(r.verdict, PROTECT_ROOT_DEVICE);
        assert_ptr_equal(r.source, &ri.root);
        assert_non_null(r.leaf);
        assert_string_equal(r.leaf->chain, "dm-0 (LUKS) -> nvme0n1p2");
        assert_true(protect_is_root_device(&ri, &mo.m, NVME_A));
        /* The other drive of the same ID, USB, SD, the NIC, the GPU: free. */
        for (size_t d = 0; d < 8; d++)
                if (d != NVME_A && verdict(d) != PROTECT_NONE)
                        fail_msg("device %zu refused", d);
        /* A device of the root disk's group is the root device's. */
        root_devs[0] = NVME_B;
        leaf[0].controller = NVME_B;
        protect_decide(&ri, &mo.m, USB_PEER, &r);
        assert_int_equal(r.verdict, PROTECT_ROOT_DEVICE);
        assert_int_equal(r.holder, NVME_B);
        assert_null(r.leaf);
}

/* resume=, swap, /boot: a device backing any is the root device's; one not identified makes
 * root not identified. */
static void test_extra_sources(void **state)
{
        size_t swap_devs[] = { NVME_B };
        struct rootdisk extra[] = { { .what = (char *)"swap",
                                      .spec = (char *)"/dev/nvme1n1p3",
                                      .block = (char *)"nvme1n1p3",
                                      .devices = swap_devs,
                                      .n_devices = 1 } };
        ri.extra = extra;
        ri.n_extra = 1;
        assert_int_equal(verdict(NVME_B), PROTECT_ROOT_DEVICE);
        assert_true(rootinfo_identified(&ri));
        extra[0] = (struct rootdisk){ .what = (char *)"/boot",
                                      .spec = (char *)"/dev/loop0",
                                      .block = (char *)"loop0",
                                      .problem = (char *)"loop0 is a loop device" };
        assert_false(rootinfo_identified(&ri));
        assert_int_equal(verdict(NVME_B), PROTECT_ROOT_UNKNOWN);
        assert_int_equal(verdict(NVME_A), PROTECT_ROOT_DEVICE);
        ri.extra = NULL;
        ri.n_extra = 0;
}

static void test_unknown_no_record(void **state)
{
        struct protect_reason r;

        unknown_root();
        assert_int_equal(verdict(NVME_A), PROTECT_ROOT_UNKNOWN);
        assert_int_equal(verdict(NVME_B), PROTECT_ROOT_UNKNOWN);
        assert_int_equal(verdict(USB), PROTECT_ROOT_UNKNOWN);
        assert_int_equal(verdict(SD1), PROTECT_ROOT_UNKNOWN);
        assert_int_equal(verdict(SD2), PROTECT_ROOT_UNKNOWN);
        /* GPUs are never root-capable; a NIC only for a network root. */
        assert_int_equal(verdict(GPU), PROTECT_NONE);
        assert_int_equal(verdict(NIC), PROTECT_NONE);
        protect_decide(&ri, &mo.m, USB, &r);
        assert_string_equal(r.kind, "a USB controller");
        assert_false(r.by_record);
        ri.network = (char *)"root=/dev/nfs";
        assert_int_equal(verdict(NIC), PROTECT_ROOT_UNKNOWN);
        ri.network = NULL;
        /* A partly resolved root (block found, a slave not) is not identified either. */
        ri.root = (struct rootdisk){ .spec = (char *)"/dev/mapper/root",
                                     .block = (char *)"dm-0",
                                     .devices = root_devs,
                                     .n_devices = 1,
                                     .problem = (char *)"cannot resolve .../slaves/nvme9n1p1" };
        assert_int_equal(verdict(NVME_B), PROTECT_ROOT_UNKNOWN);
        /* Nothing known at all. */
        struct protect_reason none;
        protect_decide(NULL, &mo.m, NVME_B, &none);
        assert_int_equal(none.verdict, PROTECT_ROOT_UNKNOWN);
        protect_decide(NULL, &mo.m, GPU, &none);
        assert_int_equal(none.verdict, PROTECT_NONE);
}

/* A device sharing a group with a storage controller stays while root is unknown. */
static void test_unknown_group_peer(void **state)
{
        struct protect_reason r;

        unknown_root();
        ri.record = (struct root_record){ .found = true, .n_controllers = 0, .network = true };
        protect_decide(&ri, &mo.m, USB_PEER, &r);
        assert_int_equal(r.verdict, PROTECT_ROOT_UNKNOWN);
        assert_int_equal(r.holder, NVME_B);
        assert_int_equal(verdict(USB), PROTECT_NONE);
        ri.record = (struct root_record){ 0 };
}

static void test_record(void **state)
{
        struct root_record_controller nvme = { 0x010802, (char *)"0000:01:00.0" };
        struct root_record_controller usb = { 0x0c0330, (char *)"0000:00:14.0" };
        struct root_record_controller sd = { 0x080501, (char *)"0000:00:1a.1" };
        struct root_record_controller sd_gone = { 0x080501, (char *)"0000:00:1b.0" };

        unknown_root();
        /* Root on storage: USB, SD and NICs bind; storage never. */
        ri.record = (struct root_record){ .found = true, .controllers = &nvme, .n_controllers = 1 };
        assert_int_equal(verdict(USB), PROTECT_NONE);
        assert_int_equal(verdict(SD1), PROTECT_NONE);
        assert_int_equal(verdict(NIC), PROTECT_NONE);
        assert_int_equal(verdict(NVME_A), PROTECT_ROOT_UNKNOWN);
        assert_int_equal(verdict(NVME_B), PROTECT_ROOT_UNKNOWN);
        /* ... unless this boot's command line says the network. */
        ri.network = (char *)"ip=dhcp";
        assert_int_equal(verdict(NIC), PROTECT_ROOT_UNKNOWN);
        ri.network = NULL;
        /* Root on USB: every USB controller stays (the disk may be in any port); SD goes. */
        ri.record.controllers = &usb;
        assert_int_equal(verdict(USB), PROTECT_ROOT_UNKNOWN);
        assert_int_equal(verdict(USB_PEER), PROTECT_ROOT_UNKNOWN);
        assert_int_equal(verdict(SD1), PROTECT_NONE);
        struct protect_reason r;
        protect_decide(&ri, &mo.m, USB, &r);
        assert_true(r.by_record);
        /* Root on eMMC whose slot is still there: that one only. */
        ri.record.controllers = &sd;
        assert_int_equal(verdict(SD2), PROTECT_ROOT_UNKNOWN);
        assert_int_equal(verdict(SD1), PROTECT_NONE);
        assert_int_equal(verdict(USB), PROTECT_NONE);
        /* Its slot gone: every SD controller. */
        ri.record.controllers = &sd_gone;
        assert_int_equal(verdict(SD1), PROTECT_ROOT_UNKNOWN);
        assert_int_equal(verdict(SD2), PROTECT_ROOT_UNKNOWN);
        /* Root on the network. */
        ri.record = (struct root_record){ .found = true, .network = true };
        assert_int_equal(verdict(NIC), PROTECT_ROOT_UNKNOWN);
        assert_int_equal(verdict(USB), PROTECT_NONE);
        /* A malformed record is no record. */
        ri.record = (struct root_record){ .found = true, .problem = (char *)"line 1: unknown line" };
        assert_int_equal(verdict(USB), PROTECT_ROOT_UNKNOWN);
        assert_int_equal(verdict(SD1), PROTECT_ROOT_UNKNOWN);
        assert_int_equal(verdict(GPU), PROTECT_NONE);
        ri.record = (struct root_record){ 0 };
}

static void test_busy(void **state)
{
        struct busy_device busy[] = { { NVME_B, (char *)"nvme1n1p1 mounted at /mnt" } };
        struct protect_reason r;

        ri.busy = busy;
        ri.n_busy = 1;
        protect_decide(&ri, &mo.m, NVME_B, &r);
        assert_int_equal(r.verdict, PROTECT_BUSY);
        assert_string_equal(r.busy, "nvme1n1p1 mounted at /mnt");
        /* The root device's own refusal comes first. */
        busy[0].device = NVME_A;
        assert_int_equal(verdict(NVME_A), PROTECT_ROOT_DEVICE);
        ri.busy = NULL;
        ri.n_busy = 0;
}

static void test_network_cmdline(void **state)
{
        static const struct {
                const char *cmdline, *why;
        } cases[] = {
                { "root=/dev/nfs nfsroot=10.0.0.1:/srv", "root=/dev/nfs" },
                { "root=nfs:10.0.0.1:/srv", "root=nfs:10.0.0.1:/srv" },
                { "root=nfs4:10.0.0.1:/srv", "root=nfs4:10.0.0.1:/srv" },
                { "root=iscsi:10.0.0.1::::iqn.x", "root=iscsi:10.0.0.1::::iqn.x" },
                { "root=UUID=x netroot=iscsi:10.0.0.1::::iqn.x", "netroot=iscsi:10.0.0.1::::iqn.x" },
                { "root=UUID=x rd.iscsi.firmware", "rd.iscsi.firmware" },
                { "root=UUID=x rd.nvmf.discover=tcp,10.0.0.1", "rd.nvmf.discover=tcp,10.0.0.1" },
                { "root=UUID=x ip=dhcp", "ip=dhcp" },
                { "root=UUID=x ip=off", NULL },
                { "root=UUID=x quiet", NULL },
                { "", NULL },
        };
        char buf[128];

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                struct cmdline c;
                assert_int_equal(cmdline_parse(cases[i].cmdline, &c), 0);
                const char *why = protect_network_root(&c, buf, sizeof(buf));
                if (cases[i].why ? !why || strcmp(why, cases[i].why) != 0 : why != NULL)
                        fail_msg("'%s': %s", cases[i].cmdline, why ? why : "(none)");
                cmdline_done(&c);
        }
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup(test_identified, setup),
                cmocka_unit_test_setup(test_extra_sources, setup),
                cmocka_unit_test_setup(test_unknown_no_record, setup),
                cmocka_unit_test_setup(test_unknown_group_peer, setup),
                cmocka_unit_test_setup(test_record, setup),
                cmocka_unit_test_setup(test_busy, setup),
                cmocka_unit_test_setup(test_network_cmdline, setup),
        };
        return cmocka_run_group_tests_name("protect", tests, NULL, NULL);
}
