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
#include "root.h"
#include "rootdev.h"
#include "support/fake-blkdev.h"
#include "support/tree-extra.h"
#include "support/tree.h"

#define PORT "0000:00:1d.0"
#define NVME "0000:02:00.0"
#define SATA "0000:00:17.0"

static struct tree t;
static struct machine m;
static struct rootdev rd;

static int setup(void **state)
{
        tree_new(&t);
        m = (struct machine){ 0 };
        rd = (struct rootdev){ 0 };
        fake_blkdev_reset();
        return 0;
}

static int teardown(void **state)
{
        rootdev_done(&rd);
        machine_done(&m);
        tree_free(&t);
        fake_blkdev_reset();
        return 0;
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
        rootdev_done(&rd);
        assert_int_equal(rootdev_resolve(r, &m, spec, &rd), 0);
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
        assert_string_equal(rd.problem, "cannot resolve 'PARTUUID=0a1b-02/PARTNROFF=1': PARTNROFF= and '/' are not supported");
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

        /* A block device of this machine, if it has any, resolves by its name. */
        DIR *d = opendir("/sys/class/block");
        struct dirent *de = NULL;
        while (d && (de = readdir(d)) && de->d_name[0] == '.')
                ;
        if (!de) {
                if (d)
                        closedir(d);
                return;
        }
        char devname[300];
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
                cmocka_unit_test_setup_teardown(test_host_uses_blkid, setup, teardown),
        };
        return cmocka_run_group_tests_name("rootdev", tests, NULL, NULL);
}
