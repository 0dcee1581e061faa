/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Where the root device is found (rootinfo_load.c): mountinfo, root=, the ESP, and busy devices. */
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
#include "rootinfo_load.h"
#include "support/fake-blkdev.h"
#include "support/tree-extra.h"
#include "support/tree.h"

#define NVME "0000:02:00.0"
#define NVME2 "0000:03:00.0"
#define ESP_VAR "/sys/firmware/efi/efivars/LoaderDevicePartUUID-4a67b082-0a4c-41cf-b6c7-440b29bb8c4f"

static struct tree t;
static struct machine m;
static struct rootinfo ri;

static int setup(void **state)
{
        tree_new(&t);
        m = (struct machine){ 0 };
        ri = (struct rootinfo){ 0 };
        fake_blkdev_reset();
        tree_pci_device(&t, NVME, NULL, 0x1b36, 0x0010, 0x010802, 0);
        tree_pci_device(&t, NVME2, NULL, 0x1b36, 0x0010, 0x010802, 0);
        tree_block_disk(&t, "nvme0n1", NVME);
        tree_block_part(&t, "nvme0n1p1", "nvme0n1", 1);
        tree_block_part(&t, "nvme0n1p2", "nvme0n1", 2);
        tree_block_disk(&t, "nvme1n1", NVME2);
        tree_block_part(&t, "nvme1n1p1", "nvme1n1", 1);
        tree_rel_link(&t, "/sys/dev/block/259:2", tree_block_path(&t, "nvme0n1p2"));
        tree_rel_link(&t, "/sys/dev/block/259:1", tree_block_path(&t, "nvme0n1p1"));
        tree_rel_link(&t, "/sys/dev/block/259:5", tree_block_path(&t, "nvme1n1p1"));
        return 0;
}

static int teardown(void **state)
{
        rootinfo_done(&ri);
        machine_done(&m);
        tree_free(&t);
        return 0;
}

static void load(const char *cmdline, const char *sysroot)
{
        _cleanup_root_ struct root *r = NULL;
        struct cmdline c;

        assert_int_equal(root_new(t.dir, &r), 0);
        if (m.n_devices == 0)
                assert_int_equal(pci_load(r, &m), 0);
        assert_int_equal(cmdline_parse(cmdline, &c), 0);
        rootinfo_done(&ri);
        assert_int_equal(rootinfo_load(r, &m, &c, sysroot, &ri), 0);
        cmdline_done(&c);
}

static const char *root_controller(void)
{
        assert_int_equal(ri.root.n_leaves, 1);
        return m.devices[ri.root.leaves[0].controller].name;
}

static void test_mounted_root(void **state)
{
        tree_file(&t, "/proc/self/mountinfo",
                  "25 1 259:2 / / rw - ext4 /dev/nvme0n1p2 rw\n"
                  "26 25 259:1 / /boot/efi rw - vfat /dev/nvme0n1p1 rw\n");
        /* The mounted root wins over root=. */
        load("root=/dev/nvme1n1p1", NULL);
        assert_true(rootinfo_identified(&ri));
        assert_string_equal(ri.root.origin, "mounted at /");
        assert_string_equal(root_controller(), NVME);
        assert_int_equal(ri.n_extra, 1);
        assert_string_equal(ri.extra[0].what, "/boot/efi");
        assert_null(ri.network);
        assert_false(ri.record.found);
}

/* In the initramfs "/" is rootfs: root= decides; with --sysroot the mount there does. */
static void test_initramfs_and_sysroot(void **state)
{
        tree_file(&t, "/proc/self/mountinfo", "1 1 0:1 / / rw - rootfs rootfs rw\n");
        load("", NULL);
        assert_false(rootinfo_identified(&ri));
        assert_non_null(strstr(ri.root.problem, "no root file system is mounted, root= is not on the kernel"));
        load("root=/dev/nvme1n1p1", NULL);
        assert_true(rootinfo_identified(&ri));
        assert_string_equal(root_controller(), NVME2);
        tree_file(&t, "/proc/self/mountinfo",
                  "1 1 0:1 / / rw - rootfs rootfs rw\n"
                  "9 1 259:2 / /sysroot rw - ext4 /dev/nvme0n1p2 rw\n");
        load("root=UUID=not-resolvable", "/sysroot");
        assert_true(rootinfo_identified(&ri));
        assert_string_equal(root_controller(), NVME);
        /* --sysroot with nothing mounted there yet: root= again. */
        load("root=UUID=not-resolvable", "/new_root");
        assert_false(rootinfo_identified(&ri));
        /* --sysroot on the initramfs's own rootfs (no block device there): root= decides, and
           this is a second pass, not the first. */
        load("root=/dev/nvme1n1p1", "/");
        assert_true(rootinfo_identified(&ri));
        assert_string_equal(root_controller(), NVME2);
        assert_false(ri.in_initramfs);
        load("root=/dev/nvme1n1p1", NULL);
        assert_true(ri.in_initramfs);
}

/* No root=: systemd-boot's LoaderDevicePartUUID, four attribute bytes and UTF-16LE text. */
static void test_esp(void **state)
{
        static const char uuid[] = "0A1B2C3D-0000-4000-8000-00000000ABCD";
        char var[4 + 2 * sizeof(uuid)] = { 7, 0, 0, 0 };

        for (size_t i = 0; i < sizeof(uuid); i++)
                var[4 + 2 * i] = uuid[i];
        tree_bytes(&t, ESP_VAR, var, sizeof(var));
        tree_rel_link(&t, "/dev/disk/by-partuuid/0a1b2c3d-0000-4000-8000-00000000abcd", "/dev/nvme0n1p1");
        tree_file(&t, "/dev/nvme0n1p1", "");
        load("rw quiet", NULL);
        assert_true(rootinfo_identified(&ri));
        assert_string_equal(root_controller(), NVME);
        assert_non_null(strstr(ri.root.origin, "LoaderDevicePartUUID"));
        /* Garbage in the variable: not identified. */
        tree_bytes(&t, ESP_VAR, "\7\0\0\0x\0y\0", 8);
        load("rw quiet", NULL);
        assert_false(rootinfo_identified(&ri));
        assert_string_equal(ri.root.problem, "the LoaderDevicePartUUID EFI variable holds no partition UUID");
}

static void test_network_root(void **state)
{
        load("root=/dev/nfs nfsroot=10.0.0.1:/srv ip=dhcp", NULL);
        assert_false(rootinfo_identified(&ri));
        assert_true(ri.root.network);
        assert_string_equal(ri.network, "root=/dev/nfs");
        tree_file(&t, "/proc/self/mountinfo", "25 1 0:50 / / rw - nfs4 10.0.0.1:/srv rw\n");
        load("", NULL);
        assert_false(rootinfo_identified(&ri));
        assert_string_equal(ri.network, "a network file system (nfs4)");
}

static void test_resume_and_swap(void **state)
{
        tree_file(&t, "/proc/self/mountinfo", "25 1 259:2 / / rw - ext4 /dev/nvme0n1p2 rw\n");
        tree_file(&t, "/proc/swaps", "Filename Type Size Used Priority\n/dev/nvme1n1p1 partition 100 0 -2\n");
        load("resume=/dev/nvme1n1p1", NULL);
        assert_int_equal(ri.n_extra, 2);
        assert_string_equal(ri.extra[0].what, "resume");
        assert_string_equal(ri.extra[1].what, "swap");
        assert_true(rootinfo_identified(&ri));
        /* An unresolvable resume= leaves root not identified. */
        load("resume=UUID=gone", NULL);
        assert_false(rootinfo_identified(&ri));
}

static void test_busy(void **state)
{
        tree_file(&t, "/proc/self/mountinfo",
                  "25 1 259:2 / / rw - ext4 /dev/nvme0n1p2 rw\n"
                  "30 25 259:5 / /mnt/data rw - ext4 /dev/nvme1n1p1 rw\n");
        load("", NULL);
        const char *why = rootinfo_busy(&ri, machine_find_device_name(&m, NVME2));
        assert_non_null(why);
        assert_string_equal(why, "nvme1n1p1 mounted at /mnt/data");
        /* Held by md, nothing mounted. */
        tree_file(&t, "/proc/self/mountinfo", "25 1 259:2 / / rw - ext4 /dev/nvme0n1p2 rw\n");
        tree_block_virtual(&t, "md0", NULL);
        tree_block_slave(&t, "md0", "nvme1n1p1");
        tree_rel_link(&t, "/sys/class/block/nvme1n1p1/holders/md0", "/sys/devices/virtual/block/md0");
        load("", NULL);
        assert_string_equal(rootinfo_busy(&ri, machine_find_device_name(&m, NVME2)), "nvme1n1p1 held by md0");
}

static void test_record(void **state)
{
        tree_file(&t, "/etc/vfio-prep/root-record", "network no\ncontroller class=010802 path=0000:02:00.0\n");
        load("", NULL);
        assert_true(root_record_usable(&ri.record));
        tree_file(&t, "/etc/vfio-prep/root-record", "network sometimes\n");
        load("", NULL);
        assert_true(ri.record.found);
        assert_false(root_record_usable(&ri.record));
        tree_bytes(&t, "/etc/vfio-prep/root-record", "network no\n\0x", 13);
        load("", NULL);
        assert_string_equal(ri.record.problem, "/etc/vfio-prep/root-record holds a NUL byte");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_mounted_root, setup, teardown),
                cmocka_unit_test_setup_teardown(test_initramfs_and_sysroot, setup, teardown),
                cmocka_unit_test_setup_teardown(test_esp, setup, teardown),
                cmocka_unit_test_setup_teardown(test_network_root, setup, teardown),
                cmocka_unit_test_setup_teardown(test_resume_and_swap, setup, teardown),
                cmocka_unit_test_setup_teardown(test_busy, setup, teardown),
                cmocka_unit_test_setup_teardown(test_record, setup, teardown),
        };
        return cmocka_run_group_tests_name("rootinfo", tests, NULL, NULL);
}
