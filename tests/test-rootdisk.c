/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "machine.h"
#include "macro.h"
#include "mounts.h"
#include "root.h"
#include "rootdisk.h"
#include "support/fake-blkdev.h"
#include "support/fixture.h"
#include "support/tree-extra.h"
#include "support/tree.h"

#define PORT "0000:00:1d.0"
#define NVME "0000:02:00.0"
#define SATA "0000:00:17.0"

static struct rootdisk rd;

static int setup(void **state)
{
        rd = (struct rootdisk){ 0 };
        fake_blkdev_reset();
        return fixture_setup(state);
}

static int teardown(void **state)
{
        rootdisk_done(&rd);
        fake_blkdev_reset();
        return fixture_teardown(state);
}

/* An NVMe disk behind a root port and a SATA disk on the root bus, with partitions. */
static void disks(void)
{
        tree_pci_device(&t, "0000:00:00.0", NULL, 0x8086, 0x3e30, 0x060000, 0);
        tree_pci_device(&t, PORT, NULL, 0x8086, 0xa330, 0x060400, 1);
        tree_pci_device(&t, NVME, PORT, 0x144d, 0xa808, 0x010802, 0);
        tree_pci_device(&t, SATA, NULL, 0x8086, 0xa352, 0x010601, 0);
        tree_block_disk(&t, "nvme0n1", NVME);
        tree_block_part(&t, "nvme0n1p1", "nvme0n1", 1);
        tree_block_part(&t, "nvme0n1p2", "nvme0n1", 2);
        tree_block_part(&t, "nvme0n1p3", "nvme0n1", 3);
        tree_block_disk(&t, "sda", SATA);
        tree_block_part(&t, "sda2", "sda", 2);
}

/* The model always comes from the tree, whatever root the resolution reads. */
static void resolve_in(struct root *r, const char *spec)
{
        if (m.n_devices == 0) {
                _cleanup_root_ struct root *tr = NULL;
                assert_int_equal(root_new(t.dir, &tr), 0);
                assert_int_equal(pci_load(tr, &m), 0);
        }
        rootdisk_done(&rd);
        assert_int_equal(rootdisk_resolve(r, &m, spec, &rd), 0);
}

static void resolve(const char *spec)
{
        _cleanup_root_ struct root *r = NULL;

        assert_int_equal(root_new(t.dir, &r), 0);
        resolve_in(r, spec);
}

/* RD's devices are exactly NAMES, in order. */
static void assert_devices(const char *const *names, size_t n)
{
        if (rd.n_devices != n)
                fail_msg("%zu devices, expected %zu (problem: %s)", rd.n_devices, n, strna(rd.problem));
        for (size_t i = 0; i < n; i++)
                assert_string_equal(m.devices[rd.devices[i]].name, names[i]);
}

static void test_dev_partition(void **state)
{
        static const char *const expect[] = { PORT, NVME };

        disks();
        resolve("/dev/nvme0n1p2");
        assert_string_equal(rd.spec, "/dev/nvme0n1p2");
        assert_string_equal(rd.block, "nvme0n1p2");
        assert_null(rd.problem);
        assert_devices(expect, 2);

        resolve("nvme0n1");
        assert_string_equal(rd.block, "nvme0n1");
        assert_devices(expect, 2);
        assert_int_equal(fake_blkdev_calls(), 0);
}

static void test_by_uuid_links(void **state)
{
        static const char *const nvme[] = { PORT, NVME };
        static const char *const sata[] = { SATA };

        disks();
        tree_file(&t, "/dev/nvme0n1p2", "");
        tree_link(&t, "/dev/disk/by-uuid/0a1b2c3d-1111", "../../nvme0n1p2");
        tree_link(&t, "/dev/disk/by-partuuid/abcd-02", "../../sda2");
        tree_link(&t, "/dev/disk/by-label/My\\x20Disk", "../../sda2");
        tree_link(&t, "/dev/disk/by-partlabel/root", "../../nvme0n1p3");

        resolve("UUID=0a1b2c3d-1111");
        assert_string_equal(rd.block, "nvme0n1p2");
        assert_devices(nvme, 2);
        /* by-partuuid links are lower case; the kernel matches PARTUUID= case-insensitively. */
        resolve("PARTUUID=ABCD-02");
        assert_string_equal(rd.block, "sda2");
        assert_devices(sata, 1);
        resolve("LABEL=My Disk");
        assert_string_equal(rd.block, "sda2");
        resolve("PARTLABEL=root");
        assert_string_equal(rd.block, "nvme0n1p3");
        assert_devices(nvme, 2);
        /* A /dev path through a link. */
        resolve("/dev/disk/by-uuid/0a1b2c3d-1111");
        assert_string_equal(rd.block, "nvme0n1p2");
        assert_int_equal(fake_blkdev_calls(), 0);
}

static void test_uuid_not_below_root(void **state)
{
        disks();
        fake_blkdev_set("UUID=ffff", "/dev/nvme0n1p2");
        resolve("UUID=ffff");
        assert_string_equal(rd.spec, "UUID=ffff");
        assert_null(rd.block);
        assert_int_equal(rd.n_devices, 0);
        assert_string_equal(rd.problem, "cannot resolve 'UUID=ffff' below the root");
        /* libblkid describes the running system, never a tree below --root. */
        assert_int_equal(fake_blkdev_calls(), 0);
}

static void test_dm_slaves(void **state)
{
        static const char *const both[] = { SATA, PORT, NVME };

        disks();
        /* LUKS over an md mirror of two partitions, LVM on top. */
        tree_block_virtual(&t, "md0", NULL);
        tree_block_slave(&t, "md0", "nvme0n1p3");
        tree_block_slave(&t, "md0", "sda2");
        tree_block_virtual(&t, "dm-0", "luks-0a1b");
        tree_block_slave(&t, "dm-0", "md0");
        tree_block_virtual(&t, "dm-1", "vg--sys-root");
        tree_block_slave(&t, "dm-1", "dm-0");

        resolve("/dev/mapper/luks-0a1b");
        assert_string_equal(rd.block, "dm-0");
        assert_null(rd.problem);
        assert_devices(both, 3);

        resolve("/dev/vg-sys/root");
        assert_string_equal(rd.block, "dm-1");
        assert_devices(both, 3);

        resolve("/dev/mapper/vg--sys-root");
        assert_string_equal(rd.block, "dm-1");

        /* A partition of the md device: its disk holds the slaves. */
        tree_block_part(&t, "md0p1", "md0", 1);
        resolve("/dev/md0p1");
        assert_string_equal(rd.block, "md0p1");
        assert_devices(both, 3);

        /* With /dev present, its links decide. */
        tree_file(&t, "/dev/dm-1", "");
        tree_link(&t, "/dev/mapper/other-name", "../dm-1");
        resolve("/dev/mapper/other-name");
        assert_string_equal(rd.block, "dm-1");
        assert_devices(both, 3);
}

static void test_slave_loop(void **state)
{
        static const char *const sata[] = { SATA };

        disks();
        tree_block_virtual(&t, "dm-5", NULL);
        tree_block_virtual(&t, "dm-6", NULL);
        tree_block_slave(&t, "dm-5", "dm-6");
        tree_block_slave(&t, "dm-6", "dm-5");
        tree_block_slave(&t, "dm-6", "sda2");
        resolve("/dev/dm-5");
        assert_string_equal(rd.block, "dm-5");
        assert_null(rd.problem);
        assert_devices(sata, 1);
}

static void test_depth_limit(void **state)
{
        char name[16], below[16];

        disks();
        for (int i = 0; i < 20; i++) {
                snprintf(name, sizeof(name), "dm-%d", i);
                tree_block_virtual(&t, name, NULL);
        }
        for (int i = 0; i < 19; i++) {
                snprintf(name, sizeof(name), "dm-%d", i);
                snprintf(below, sizeof(below), "dm-%d", i + 1);
                tree_block_slave(&t, name, below);
        }
        tree_block_slave(&t, "dm-19", "sda2");
        resolve("/dev/dm-0");
        assert_non_null(rd.problem);
        assert_non_null(strstr(rd.problem, "nested more than 16 deep"));
        assert_int_equal(rd.n_devices, 0);

        resolve("/dev/dm-4");
        assert_null(rd.problem);
        assert_int_equal(rd.n_devices, 1);
}

static void test_device_numbers(void **state)
{
        static const char *const nvme[] = { PORT, NVME };
        static const char *const specs[] = { "259:2", "0x10302", "10302" };

        disks();
        tree_rel_link(&t, "/sys/dev/block/259:2", tree_block_path(&t, "nvme0n1p2"));
        tree_rel_link(&t, "/sys/dev/block/8:0", tree_block_path(&t, "sda"));
        for (size_t i = 0; i < ARRAY_SIZE(specs); i++) {
                resolve(specs[i]);
                assert_string_equal(rd.block, "nvme0n1p2");
                assert_devices(nvme, 2);
        }
        resolve("0800");
        assert_string_equal(rd.block, "sda");
        resolve("8:1");
        assert_null(rd.block);
        assert_non_null(strstr(rd.problem, "/sys/dev/block/8:1"));
}

static const char *const unresolvable[] = {
        "PARTUUID=0a1b-02/PARTNROFF=1",
        "ZFS=rpool/ROOT/debian",
        "UUID=",
        "LABEL=..",
        "/dev/nope",
        "/dev/",
        "/dev/mapper/missing",
        "/dev/a/b/c",
        "nope",
        "",
        "/dev/disk/by-uuid/none",
        "live:CDLABEL=x",
        "8:99999999",
};

static void test_unresolvable(void **state)
{
        disks();
        tree_block_virtual(&t, "dm-0", "present");
        for (size_t i = 0; i < ARRAY_SIZE(unresolvable); i++) {
                resolve(unresolvable[i]);
                if (!rd.problem || rd.n_devices != 0 || rd.block)
                        fail_msg("'%s': problem %s, %zu devices", unresolvable[i], strna(rd.problem), rd.n_devices);
                assert_string_equal(rd.spec, unresolvable[i]);
        }
        resolve("PARTUUID=0a1b-02/PARTNROFF=1");
        assert_string_equal(rd.problem,
                            "cannot resolve 'PARTUUID=0a1b-02/PARTNROFF=1': PARTNROFF= and '/' are not supported");
        resolve("/dev/nope");
        assert_string_equal(rd.problem, "no block device '/dev/nope' below the root");
}

static void test_no_spec(void **state)
{
        disks();
        resolve(NULL);
        assert_null(rd.spec);
        assert_null(rd.block);
        assert_null(rd.devices);
        assert_int_equal(rd.n_devices, 0);
        assert_null(rd.problem);
}

static void test_not_on_pci(void **state)
{
        disks();
        tree_block_virtual(&t, "zram0", NULL);
        resolve("/dev/zram0");
        assert_string_equal(rd.block, "zram0");
        assert_int_equal(rd.n_devices, 0);
        assert_null(rd.problem);
}

/* A dm root with a slave link that resolves nowhere: resolved, but not identified. */
static void test_partly_resolved(void **state)
{
        disks();
        tree_block_virtual(&t, "dm-0", "root");
        tree_block_slave(&t, "dm-0", "nvme0n1p2");
        tree_link(&t, "/sys/devices/virtual/block/dm-0/slaves/nvme9n1p1", "../../nvme9n1p1");
        resolve("/dev/mapper/root");
        assert_string_equal(rd.block, "dm-0");
        assert_non_null(rd.problem);
        assert_non_null(strstr(rd.problem, "cannot resolve /sys/devices/virtual/block/dm-0/slaves/nvme9n1p1"));
        assert_false(rootdisk_identified(&rd));
}

/* Leaves: the controller at the end of each path, and the chain that leads there. */
static void test_leaves_and_chain(void **state)
{
        disks();
        tree_block_virtual(&t, "dm-0", "luks-0a1b");
        tree_file(&t, "/sys/devices/virtual/block/dm-0/dm/uuid", "CRYPT-LUKS2-0a1b2c3d-luks-0a1b\n");
        tree_block_slave(&t, "dm-0", "nvme0n1p3");
        tree_block_virtual(&t, "md0", NULL);
        tree_file(&t, "/sys/devices/virtual/block/md0/md/level", "raid1\n");
        tree_block_slave(&t, "md0", "dm-0");
        tree_block_slave(&t, "md0", "sda2");
        resolve("/dev/md0");
        assert_true(rootdisk_identified(&rd));
        assert_int_equal(rd.n_leaves, 2);
        assert_string_equal(m.devices[rd.leaves[0].controller].name, NVME);
        assert_string_equal(rd.leaves[0].chain, "md0 (raid1) -> dm-0 (LUKS) -> nvme0n1p3");
        assert_true(rd.leaves[0].encrypted);
        assert_string_equal(m.devices[rd.leaves[1].controller].name, SATA);
        assert_string_equal(rd.leaves[1].chain, "md0 (raid1) -> sda2");
        /* The other half of the mirror is not encrypted: only what lies above a leaf counts. */
        assert_false(rd.leaves[1].encrypted);
}

/* A dm-crypt mapping without LUKS (plain mode) is encrypted too, below LVM; a device mapper
 * name that only reads like one is not. */
static void test_leaves_encrypted(void **state)
{
        disks();
        tree_block_virtual(&t, "dm-0", "cryptroot");
        tree_file(&t, "/sys/devices/virtual/block/dm-0/dm/uuid", "CRYPT-PLAIN-cryptroot\n");
        tree_block_slave(&t, "dm-0", "nvme0n1p3");
        tree_block_virtual(&t, "dm-1", "vg--sys-root");
        tree_file(&t, "/sys/devices/virtual/block/dm-1/dm/uuid", "LVM-0123456789abcdef\n");
        tree_block_slave(&t, "dm-1", "dm-0");
        tree_block_virtual(&t, "dm-2", "luks-lookalike");
        tree_file(&t, "/sys/devices/virtual/block/dm-2/dm/uuid", "LVM-CRYPT-LUKS\n");
        tree_block_slave(&t, "dm-2", "sda2");
        resolve("/dev/dm-1");
        assert_int_equal(rd.n_leaves, 1);
        assert_string_equal(rd.leaves[0].chain, "dm-1 (LVM) -> dm-0 (dm-crypt) -> nvme0n1p3");
        assert_true(rd.leaves[0].encrypted);
        resolve("/dev/dm-2");
        assert_int_equal(rd.n_leaves, 1);
        assert_string_equal(rd.leaves[0].chain, "dm-2 (LVM) -> sda2");
        assert_false(rd.leaves[0].encrypted);
}

/* Block devices with no PCI device beneath: not identified, except memory. */
static void test_no_pci_beneath(void **state)
{
        disks();
        tree_block_virtual(&t, "loop0", NULL);
        tree_block_virtual(&t, "nbd0", NULL);
        tree_block_virtual(&t, "vda", NULL);
        resolve("/dev/loop0");
        assert_false(rootdisk_identified(&rd));
        assert_string_equal(rd.problem, "loop0 is a loop device: the disk holding its file is not followed");
        resolve("/dev/nbd0");
        assert_false(rootdisk_identified(&rd));
        assert_true(rd.network);
        assert_string_equal(rd.problem, "nbd0 is a network block device");
        resolve("/dev/vda");
        assert_false(rootdisk_identified(&rd));
        assert_string_equal(rd.problem, "vda has no PCI device beneath (/sys/devices/virtual/block/vda)");
        /* dm over a loop device: the loop decides. */
        tree_block_virtual(&t, "dm-3", "over-loop");
        tree_block_slave(&t, "dm-3", "loop0");
        resolve("/dev/dm-3");
        assert_false(rootdisk_identified(&rd));
}

/* NVMe native multipath: the head is below the subsystem; its paths below the controllers. */
static void test_nvme_multipath(void **state)
{
        static const char *const both[] = { SATA, PORT, NVME };
        char ctrl[1024];

        disks();
        tree_pci_device(&t, "0000:00:18.0", NULL, 0x1b36, 0x0010, 0x010802, 0);
        tree_mkdir(&t, "/sys/devices/virtual/nvme-subsystem/nvme-subsys3/nvme3n1");
        tree_rel_link(&t, "/sys/class/block/nvme3n1", "/sys/devices/virtual/nvme-subsystem/nvme-subsys3/nvme3n1");
        tree_mkdir(&t, "/sys/devices/virtual/nvme-subsystem/nvme-subsys3/nvme3n1/nvme3n1p2");
        tree_file(&t, "/sys/devices/virtual/nvme-subsystem/nvme-subsys3/nvme3n1/nvme3n1p2/partition", "2\n");
        tree_rel_link(&t, "/sys/class/block/nvme3n1p2",
                      "/sys/devices/virtual/nvme-subsystem/nvme-subsys3/nvme3n1/nvme3n1p2");
        /* Without paths: not identified (the head alone names no controller). */
        resolve("/dev/nvme3n1p2");
        assert_false(rootdisk_identified(&rd));
        assert_string_equal(rd.problem, "nvme3n1 is an NVMe multipath device and none of its paths was found");
        /* Two controllers, each with a path: both are the root's. */
        snprintf(ctrl, sizeof(ctrl), "%s/nvme/nvme4", tree_dev_path(&t, NVME));
        tree_mkdir(&t, strcat(strcpy((char[1100]){ 0 }, ctrl), "/nvme3c4n1"));
        tree_rel_link(&t, "/sys/devices/virtual/nvme-subsystem/nvme-subsys3/nvme4", ctrl);
        snprintf(ctrl, sizeof(ctrl), "%s/nvme/nvme5", tree_dev_path(&t, SATA));
        tree_mkdir(&t, strcat(strcpy((char[1100]){ 0 }, ctrl), "/nvme3c5n1"));
        tree_rel_link(&t, "/sys/devices/virtual/nvme-subsystem/nvme-subsys3/nvme5", ctrl);
        resolve("/dev/nvme3n1p2");
        assert_true(rootdisk_identified(&rd));
        assert_devices(both, 3);
        assert_int_equal(rd.n_leaves, 2);
        assert_string_equal(rd.leaves[0].chain, "nvme3n1p2 -> nvme3c4n1");
        /* A path through NVMe over fabrics (no PCI device): not identified, and on the network. */
        tree_mkdir(&t, "/sys/devices/virtual/nvme-fabrics/ctl/nvme6/nvme3c6n1");
        tree_rel_link(&t, "/sys/devices/virtual/nvme-subsystem/nvme-subsys3/nvme6",
                      "/sys/devices/virtual/nvme-fabrics/ctl/nvme6");
        resolve("/dev/nvme3n1p2");
        assert_false(rootdisk_identified(&rd));
        assert_true(rd.network);
}

static void resolve_mount(const char *mountpoint, const char *fstype, const char *source, unsigned major,
                          unsigned minor)
{
        _cleanup_root_ struct root *r = NULL;
        struct mount_entry me = { .major = major,
                                  .minor = minor,
                                  .mountpoint = (char *)mountpoint,
                                  .fstype = (char *)fstype,
                                  .source = (char *)source };

        assert_int_equal(root_new(t.dir, &r), 0);
        if (m.n_devices == 0)
                assert_int_equal(pci_load(r, &m), 0);
        rootdisk_done(&rd);
        assert_int_equal(rootdisk_resolve_mount(r, &m, &me, &rd), 0);
}

static void test_mounted(void **state)
{
        static const char *const nvme[] = { PORT, NVME };
        static const char *const both[] = { SATA, PORT, NVME };

        disks();
        tree_rel_link(&t, "/sys/dev/block/259:2", tree_block_path(&t, "nvme0n1p2"));
        resolve_mount("/", "ext4", "/dev/nvme0n1p2", 259, 2);
        assert_true(rootdisk_identified(&rd));
        assert_string_equal(rd.origin, "mounted at /");
        assert_string_equal(rd.spec, "/dev/nvme0n1p2");
        assert_devices(nvme, 2);
        /* btrfs: an anonymous device number; every device of the file system counts. */
        tree_rel_link(&t, "/sys/fs/btrfs/0a1b/devices/nvme0n1p2", tree_block_path(&t, "nvme0n1p2"));
        tree_rel_link(&t, "/sys/fs/btrfs/0a1b/devices/sda2", tree_block_path(&t, "sda2"));
        tree_mkdir(&t, "/sys/fs/btrfs/features");
        resolve_mount("/", "btrfs", "/dev/nvme0n1p2", 0, 31);
        assert_true(rootdisk_identified(&rd));
        assert_devices(both, 3);
        /* A btrfs source no /sys/fs/btrfs lists: its other devices are unknown. */
        resolve_mount("/", "btrfs", "/dev/nvme0n1p3", 0, 32);
        assert_false(rootdisk_identified(&rd));
        /* NFS, and a file system on no block device. */
        resolve_mount("/", "nfs4", "10.0.0.1:/srv", 0, 40);
        assert_false(rootdisk_identified(&rd));
        assert_true(rd.network);
        resolve_mount("/", "zfs", "rpool/ROOT/debian", 0, 41);
        assert_false(rootdisk_identified(&rd));
        assert_string_equal(rd.problem, "a zfs file system, not on a block device vfio-prep can follow");
}

/* On the running system, tags go to libblkid (the fake here). */
static void test_host_uses_blkid(void **state)
{
        _cleanup_root_ struct root *r = NULL;

        disks();
        assert_int_equal(root_new("/", &r), 0);
        assert_true(root_is_host(r));

        resolve_in(r, "UUID=vfio-prep-test-no-such-uuid");
        assert_string_equal(rd.problem, "no block device has UUID=vfio-prep-test-no-such-uuid");
        assert_int_equal(fake_blkdev_calls(), 1);

        fake_blkdev_set("LABEL=vfio-prep-test", "/dev/vfio-prep-test-none");
        resolve_in(r, "LABEL=vfio-prep-test");
        assert_string_equal(rd.problem, "no block device '/dev/vfio-prep-test-none' below the root");
        assert_int_equal(fake_blkdev_calls(), 2);

        fake_blkdev_set("LABEL=odd", "tmpfs");
        resolve_in(r, "LABEL=odd");
        assert_string_equal(rd.problem, "LABEL=odd is 'tmpfs', not a /dev path");
}

/*
 * A block device of this machine resolves by its name. A host without any (no
 * /sys/class/block, or an empty one) cannot show it: a reported skip, never a silent pass.
 */
static void test_host_block_device(void **state)
{
        _cleanup_root_ struct root *r = NULL;
        char devname[300];

        disks();
        assert_int_equal(root_new("/", &r), 0);
        assert_true(root_is_host(r));

        DIR *d = opendir("/sys/class/block");
        struct dirent *de = NULL;
        while (d && (de = readdir(d)) && de->d_name[0] == '.')
                ;
        if (!de) {
                if (d)
                        closedir(d);
                skip();
        }
        snprintf(devname, sizeof(devname), "/dev/%s", de->d_name);
        fake_blkdev_set("UUID=vfio-prep-test", devname);
        resolve_in(r, "UUID=vfio-prep-test");
        /* Resolved by name; a loop or other virtual disk is then not identified, which is right. */
        assert_string_equal(rd.block, de->d_name);
        if (rd.problem && strstr(rd.problem, "no block device"))
                fail_msg("%s: %s", de->d_name, rd.problem);
        closedir(d);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_dev_partition, setup, teardown),
                cmocka_unit_test_setup_teardown(test_by_uuid_links, setup, teardown),
                cmocka_unit_test_setup_teardown(test_uuid_not_below_root, setup, teardown),
                cmocka_unit_test_setup_teardown(test_dm_slaves, setup, teardown),
                cmocka_unit_test_setup_teardown(test_slave_loop, setup, teardown),
                cmocka_unit_test_setup_teardown(test_depth_limit, setup, teardown),
                cmocka_unit_test_setup_teardown(test_device_numbers, setup, teardown),
                cmocka_unit_test_setup_teardown(test_unresolvable, setup, teardown),
                cmocka_unit_test_setup_teardown(test_no_spec, setup, teardown),
                cmocka_unit_test_setup_teardown(test_not_on_pci, setup, teardown),
                cmocka_unit_test_setup_teardown(test_partly_resolved, setup, teardown),
                cmocka_unit_test_setup_teardown(test_leaves_encrypted, setup, teardown),
                cmocka_unit_test_setup_teardown(test_leaves_and_chain, setup, teardown),
                cmocka_unit_test_setup_teardown(test_no_pci_beneath, setup, teardown),
                cmocka_unit_test_setup_teardown(test_nvme_multipath, setup, teardown),
                cmocka_unit_test_setup_teardown(test_mounted, setup, teardown),
                cmocka_unit_test_setup_teardown(test_host_uses_blkid, setup, teardown),
                cmocka_unit_test_setup_teardown(test_host_block_device, setup, teardown),
        };
        return cmocka_run_group_tests_name("rootdisk", tests, NULL, NULL);
}
