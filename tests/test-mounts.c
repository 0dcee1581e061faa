/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "mounts.h"
#include "strv.h"

static const char mountinfo[] = "22 1 0:21 / /proc rw,nosuid - proc proc rw\n"
                                "25 1 259:3 / / rw,relatime shared:1 - ext4 /dev/nvme0n1p2 rw,errors=remount-ro\n"
                                "26 25 259:1 / /boot/efi rw,relatime shared:2 master:3 - vfat /dev/nvme0n1p1 rw\n"
                                "27 25 0:45 /@home /home rw shared:4 - btrfs /dev/sda2 rw,subvol=/@home\n"
                                "28 25 0:50 / /mnt/my\\040disk rw - nfs4 server:/export rw\n"
                                "garbage line\n"
                                "29 25 259:9 / /mnt/my\\040disk rw - ext4 /dev/nvme1n1p1 rw\n"
                                "30 25 1x:2 / /bad rw - ext4 /dev/x rw\n"
                                "31 25 8:1 / /no-separator rw ext4 /dev/sdb1 rw";

static void test_mountinfo(void **state)
{
        struct mount_table t;

        assert_int_equal(mounts_parse(mountinfo, &t), 0);
        assert_int_equal(t.n_entries, 6);
        const struct mount_entry *root = mounts_find(&t, "/");
        assert_non_null(root);
        assert_int_equal(root->major, 259);
        assert_int_equal(root->minor, 3);
        assert_string_equal(root->fstype, "ext4");
        assert_string_equal(root->source, "/dev/nvme0n1p2");
        /* An optional field (master:3) does not shift the fields after the separator. */
        assert_string_equal(mounts_find(&t, "/boot/efi")->fstype, "vfat");
        assert_int_equal(mounts_find(&t, "/home")->major, 0);
        /* Escapes decoded; the last mount at a point hides the earlier one. */
        const struct mount_entry *e = mounts_find(&t, "/mnt/my disk");
        assert_non_null(e);
        assert_string_equal(e->source, "/dev/nvme1n1p1");
        assert_null(mounts_find(&t, "/bad"));
        assert_null(mounts_find(&t, "/no-separator"));
        assert_null(mounts_find(&t, "/nowhere"));
        mounts_done(&t);

        assert_int_equal(mounts_parse("", &t), 0);
        assert_int_equal(t.n_entries, 0);
        mounts_done(&t);
}

static void test_swaps(void **state)
{
        char **v = NULL;
        size_t n = 0;

        assert_int_equal(swaps_parse("Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n"
                                     "/dev/nvme0n1p3                          partition\t8388604\t\t0\t\t-2\n"
                                     "/swap\\040file                            file\t\t1048572\t\t0\t\t-3\n"
                                     "/dev/zram0                              partition\t4194300\t\t0\t\t100\n",
                                     &v, &n),
                         0);
        assert_int_equal(n, 2);
        assert_string_equal(v[0], "/dev/nvme0n1p3");
        assert_string_equal(v[1], "/dev/zram0");
        assert_null(v[2]);
        strv_free(v);
        assert_int_equal(swaps_parse("", &v, &n), 0);
        assert_int_equal(n, 0);
        strv_free(v);
}

static void test_network_fs(void **state)
{
        assert_true(mounts_is_network_fs("nfs"));
        assert_true(mounts_is_network_fs("nfs4"));
        assert_true(mounts_is_network_fs("cifs"));
        assert_true(mounts_is_network_fs("ceph"));
        assert_true(mounts_is_network_fs("fuse.sshfs"));
        assert_false(mounts_is_network_fs("ext4"));
        assert_false(mounts_is_network_fs("btrfs"));
        assert_false(mounts_is_network_fs("fuse.gvfsd-fuse"));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_mountinfo),
                cmocka_unit_test(test_swaps),
                cmocka_unit_test(test_network_fs),
        };
        return cmocka_run_group_tests_name("mounts", tests, NULL, NULL);
}
