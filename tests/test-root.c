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
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "macro.h"
#include "root.h"
#include "root_internal.h"
#include "strv.h"
#include "support/tree-extra.h"
#include "support/tree.h"

static void test_read_attr_strips_newline(void **state)
{
        struct tree t;
        _cleanup_root_ struct root *r = NULL;
        _cleanup_free_ char *s = NULL;

        tree_new(&t);
        tree_file(&t, "/sys/a/vendor", "0x10de\n");
        assert_int_equal(root_new(t.dir, &r), 0);
        assert_int_equal(root_read_attr(r, "/sys/a/vendor", &s), 0);
        assert_string_equal(s, "0x10de");
        tree_free(&t);
}

static void test_links_resolved_inside(void **state)
{
        struct tree t;
        _cleanup_root_ struct root *r = NULL;
        _cleanup_free_ char *p = NULL, *name = NULL;

        tree_new(&t);
        tree_pci_device(&t, "0000:00:01.0", NULL, 0x8086, 0x1234, 0x060400, 1);
        tree_pci_device(&t, "0000:01:00.0", "0000:00:01.0", 0x10de, 0x2484, 0x030000, 0);
        tree_driver(&t, "0000:01:00.0", "nvidia");
        assert_int_equal(root_new(t.dir, &r), 0);
        assert_int_equal(root_resolve(r, "/sys/bus/pci/devices/0000:01:00.0", &p), 0);
        assert_string_equal(p, "/sys/devices/pci0000:00/0000:00:01.0/0000:01:00.0");
        assert_int_equal(root_link_name(r, "/sys/bus/pci/devices/0000:01:00.0/driver", &name), 0);
        assert_string_equal(name, "nvidia");
        tree_free(&t);
}

static void test_escaping_links_refused(void **state)
{
        struct tree t;
        _cleanup_root_ struct root *r = NULL;
        char *s = NULL;

        tree_new(&t);
        tree_link(&t, "/sys/abs", "/etc/passwd");
        tree_link(&t, "/sys/up", "../../../../../../../../etc/passwd");
        tree_link(&t, "/sys/loop", "loop");
        tree_link(&t, "/sys/drv", "../../../../../x/nvidia");
        assert_int_equal(root_new(t.dir, &r), 0);
        assert_int_equal(root_read_attr(r, "/sys/abs", &s), -EXDEV);
        assert_int_equal(root_read_attr(r, "/sys/up", &s), -EXDEV);
        assert_int_equal(root_read_attr(r, "/sys/loop", &s), -ELOOP);
        assert_int_equal(root_read_attr(r, "/../../etc/passwd", &s), -EXDEV);
        assert_int_equal(root_link_name(r, "/sys/drv", &s), -EXDEV);
        assert_null(s);
        tree_free(&t);
}

static void test_bounded_read(void **state)
{
        struct tree t;
        _cleanup_root_ struct root *r = NULL;
        char big[ROOT_ATTR_MAX + 10];
        char *s = NULL;

        memset(big, 'a', sizeof(big) - 1);
        big[sizeof(big) - 1] = '\0';
        tree_new(&t);
        tree_file(&t, "/sys/big", big);
        assert_int_equal(root_new(t.dir, &r), 0);
        assert_int_equal(root_read_attr(r, "/sys/big", &s), -EFBIG);
        assert_null(s);
        tree_free(&t);
}

/* Sizes around the first read's page on the stack: each file comes back whole, or -EFBIG. */
static void test_read_sizes(void **state)
{
        static const size_t sizes[] = { 0, 1, 4094, 4095, 4096, 4097, 8191, 8192, 8193, 9000 };
        static char content[9001];
        struct tree t;
        _cleanup_root_ struct root *r = NULL;

        tree_new(&t);
        for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
                char path[64];
                for (size_t j = 0; j < sizes[i]; j++)
                        content[j] = (char)('a' + (i + j) % 26);
                content[sizes[i]] = '\0';
                snprintf(path, sizeof(path), "/sys/f%zu", sizes[i]);
                tree_file(&t, path, content);
        }
        assert_int_equal(root_new(t.dir, &r), 0);
        for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
                char path[64];
                size_t n = sizes[i];
                snprintf(path, sizeof(path), "/sys/f%zu", n);
                for (size_t j = 0; j < n; j++)
                        content[j] = (char)('a' + (i + j) % 26);
                content[n] = '\0';
                _cleanup_free_ char *whole = NULL, *attr = NULL, *head = NULL;
                size_t len = 0, hlen = 0;
                int k = root_read_file(r, path, 8192, &whole, &len);
                if (n > 8192) {
                        assert_int_equal(k, -EFBIG);
                } else {
                        assert_int_equal(k, 0);
                        assert_int_equal(len, n);
                        assert_memory_equal(whole, content, n + 1);
                }
                k = root_read_attr(r, path, &attr);
                if (n > ROOT_ATTR_MAX) {
                        assert_int_equal(k, -EFBIG);
                } else {
                        assert_int_equal(k, 0);
                        assert_string_equal(attr, content);
                }
                assert_int_equal(root_read_head(r, path, 4096, &head, &hlen), 0);
                assert_int_equal(hlen, n < 4096 ? n : 4096);
                assert_memory_equal(head, content, hlen);
                assert_int_equal(head[hlen], '\0');
        }
        tree_free(&t);
}

static void test_write_never_creates(void **state)
{
        struct tree t;
        _cleanup_root_ struct root *r = NULL;
        _cleanup_free_ char *s = NULL;

        tree_new(&t);
        tree_file(&t, "/sys/dev/driver_override", "(null)\n");
        assert_int_equal(root_new(t.dir, &r), 0);
        root_journal_enable(r, true);
        assert_int_equal(root_write(r, "/sys/dev/missing", "x"), -ENOENT);
        assert_int_equal(root_write(r, "/sys/dev/driver_override", "vfio-pci"), 0);
        s = tree_read(&t, "/sys/dev/driver_override");
        assert_string_equal(s, "vfio-pci");
        size_t n;
        const struct root_journal_entry *j = root_journal(r, &n);
        assert_int_equal(n, 2);
        assert_int_equal(j[0].op, ROOT_OP_WRITE);
        assert_int_equal(j[0].result, -ENOENT);
        assert_string_equal(j[1].value, "vfio-pci");
        tree_free(&t);
}

static int hook_fail_busy(void *ud, const char *path, const char *value)
{
        (void)ud;
        (void)value;
        return strstr(path, "unbind") ? -EBUSY : 0;
}

static void test_write_hook_and_deadline(void **state)
{
        struct tree t;
        _cleanup_root_ struct root *r = NULL;

        tree_new(&t);
        tree_file(&t, "/sys/drv/unbind", "");
        tree_file(&t, "/sys/drv/bind", "");
        assert_int_equal(root_new(t.dir, &r), 0);
        root_set_write_hook(r, hook_fail_busy, NULL);
        assert_int_equal(root_write_deadline(r, "/sys/drv/unbind", "0000:01:00.0", 1000), -EBUSY);
        assert_int_equal(root_write_deadline(r, "/sys/drv/bind", "0000:01:00.0", 1000), 0);
        tree_free(&t);
}

static void test_deadline_expires(void **state)
{
        struct tree t;
        _cleanup_root_ struct root *r = NULL;

        tree_new(&t);
        tree_mkdir(&t, "/sys");
        /* A FIFO with no reader blocks open() in the child: a stand-in for a stuck unbind. */
        assert_int_equal(mkfifo(tree_path(&t, "/sys/fifo"), 0600), 0);
        assert_int_equal(root_new(t.dir, &r), 0);
        assert_int_equal(root_write_deadline(r, "/sys/fifo", "x", 100), -ETIMEDOUT);
        tree_free(&t);
}

static void test_list_sorted(void **state)
{
        struct tree t;
        _cleanup_root_ struct root *r = NULL;
        _cleanup_strv_ char **v = NULL;
        size_t n;

        tree_new(&t);
        tree_file(&t, "/d/b", "");
        tree_file(&t, "/d/a", "");
        tree_mkdir(&t, "/d/c");
        tree_mkdir(&t, "/e");
        assert_int_equal(root_new(t.dir, &r), 0);
        assert_int_equal(root_list(r, "/d", &v, &n), 0);
        assert_int_equal(n, 3);
        assert_string_equal(v[0], "a");
        assert_string_equal(v[2], "c");
        assert_null(v[3]);
        strv_free(TAKE_PTR(v));
        assert_int_equal(root_list(r, "/e", &v, &n), 0);
        assert_int_equal(n, 0);
        assert_null(v[0]);
        tree_free(&t);
}

/* Both lookup paths: openat2(2) where the kernel has it, and the walk (VFIO_PREP_NO_OPENAT2). */
static const char *const paths[] = { "0", "1" };

/* VFIO_PREP_NO_OPENAT2 as make check-fallback set it, put back after a test changed it. */
static void restore_path(void)
{
        const char *was = getenv("VFIO_PREP_NO_OPENAT2_WAS");

        if (was)
                assert_int_equal(setenv("VFIO_PREP_NO_OPENAT2", was, 1), 0);
        else
                unsetenv("VFIO_PREP_NO_OPENAT2");
}

#define DEV "0000:01:00.0"
#define DEV_DIR "/sys/devices/pci0000:00/0000:00:01.0/" DEV

static void hostile_device_tree(struct tree *t)
{
        tree_new(t);
        tree_pci_device(t, "0000:00:01.0", NULL, 0x8086, 0x1234, 0x060400, 1);
        tree_pci_device(t, DEV, "0000:00:01.0", 0x10de, 0x2484, 0x030000, 0);
        tree_driver(t, DEV, "nvidia");
        tree_iommu_group(t, DEV, 7);
        tree_file(t, "/sys/devices/pci0000:00/elsewhere/label", "in the tree\n");
        tree_rel_link(t, DEV_DIR "/label", "/sys/devices/pci0000:00/elsewhere/label");
        tree_link(t, DEV_DIR "/abs", "/etc/passwd");
        tree_link(t, DEV_DIR "/up", "../../../../../../../../etc/passwd");
        tree_link(t, DEV_DIR "/loop", "loop");
        tree_link(t, DEV_DIR "/dangling", "../nothing");
        tree_link(t, DEV_DIR "/ghost", "../../../../bus/pci/drivers/ghost");
        tree_link(t, "/sys/bus/pci/devices/0000:05:00.0", "../../../../../../../../etc");
        tree_link(t, "/sys/bus/pci/devices/0000:06:00.0", "0000:06:00.0");
        tree_link(t, "/sys/bus/pci/devices/0000:07:00.0", "/sys/devices/pci0000:00");
        tree_link(t, "/sys/bus/pci/devices/0000:08:00.0", "../../../devices/nowhere");
        tree_link(t, "/sys/bus/pci/devices/0000:09:00.0", "../../../devices/pci0000:00/./0000:00:01.0/../0000:00:01.0");
}

/* D, BUS/NAME opened as root_dir_open_at() or (HEAD) root_dir_open_at_head() with its config
 * read first; a line of the result into OUT at *LEN, the same for both ways. */
static int open_device(struct root_dir *bus, const char *name, bool head, struct root_dir **d, char *out, size_t size,
                       size_t *len)
{
        _cleanup_free_ char *cfg = NULL;
        size_t n = 0;
        int k, h = 1;

        static const struct root_head four = { .first = 4, .max = 4 };

        if (head)
                k = root_dir_open_at_head(bus, name, "config", &four, d, &h, &cfg, &n);
        else {
                k = root_dir_open_at(bus, name, d);
                if (k == 0)
                        h = root_dir_read_head(*d, "config", 4, &cfg, &n);
        }
        *len += (size_t)snprintf(out + *len, size - *len, "%s:%d:%s:%d:%zu\n", name, k,
                                 k == 0 ? root_dir_path(*d) : "-", k == 0 ? h : 1, n);
        return k;
}

/* Each read of a device directory, with its result, on one lookup path, as one line; LISTED:
 * after root_dir_list(), which must change no result; HEAD: opened by root_dir_open_at_head(),
 * which must not either. */
static void dir_results(const char *dir, const char *walk_forced, bool listed, bool by_head, char *out, size_t size)
{
        static const char *const attrs[] = { "vendor",   "label",   "abs",    "up",   "loop",
                                             "dangling", "missing", "driver", "ghost" };
        static const char *const devs[] = {
                DEV, "0000:05:00.0", "0000:06:00.0", "0000:07:00.0", "0000:08:00.0", "0000:09:00.0"
        };
        _cleanup_root_ struct root *r = NULL;
        _cleanup_root_dir_ struct root_dir *bus = NULL;
        size_t len = 0;

        assert_int_equal(setenv("VFIO_PREP_NO_OPENAT2", walk_forced, 1), 0);
        assert_int_equal(root_new(dir, &r), 0);
        assert_int_equal(root_dir_open(r, "/sys/bus/pci/devices", &bus), 0);
        assert_string_equal(root_dir_path(bus), "/sys/bus/pci/devices");
        for (size_t i = 0; i < sizeof(devs) / sizeof(devs[0]); i++) {
                _cleanup_root_dir_ struct root_dir *d = NULL;
                open_device(bus, devs[i], by_head, &d, out, size, &len);
        }
        _cleanup_root_dir_ struct root_dir *d = NULL;
        assert_int_equal(open_device(bus, DEV, by_head, &d, out, size, &len), 0);
        if (listed)
                assert_int_equal(root_dir_list(d), 0);
        for (size_t i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++) {
                _cleanup_free_ char *text = NULL, *name = NULL, *resolved = NULL, *head = NULL;
                struct stat st;
                size_t n = 0;
                int a = root_dir_read_attr(d, attrs[i], &text);
                int h = root_dir_read_head(d, attrs[i], 4, &head, &n);
                int l = root_dir_link_name(d, attrs[i], &name);
                int s = root_dir_stat(d, attrs[i], &st);
                int ls = root_dir_lstat(d, attrs[i], &st);
                int rs = root_dir_resolve(d, attrs[i], &resolved);
                len += (size_t)snprintf(out + len, size - len,
                                        "%s: attr %d '%s' head %d %zu link %d '%s' stat %d lstat %d resolve %d '%s'\n",
                                        attrs[i], a, a == 0 ? text : "", h, n, l, l == 0 ? name : "", s, ls, rs,
                                        rs == 0 ? resolved : "");
        }
        /* The same through the root_*() functions, on whole paths. */
        static const char *const whole[] = { DEV_DIR "/up",
                                             DEV_DIR "/abs",
                                             DEV_DIR "/loop",
                                             "/../../etc/passwd",
                                             "/sys/bus/pci/devices/0000:05:00.0/vendor",
                                             "/sys/nothing/x" };
        for (size_t i = 0; i < sizeof(whole) / sizeof(whole[0]); i++) {
                _cleanup_free_ char *text = NULL;
                _cleanup_strv_ char **v = NULL;
                struct stat st;
                len += (size_t)snprintf(out + len, size - len, "%s: %d %d %d\n", whole[i],
                                        root_read_attr(r, whole[i], &text), root_stat(r, whole[i], &st),
                                        root_list(r, whole[i], &v, NULL));
        }
        assert_true(len < size);
        restore_path();
}

/* Both lookup paths give the same results and the same errors, with the device directory listed
 * first or not, and they are the expected ones. */
static void test_dir_both_paths(void **state)
{
        struct tree t;
        static char got[8][8192];

        hostile_device_tree(&t);
        for (size_t i = 0; i < 8; i++)
                dir_results(t.dir, paths[i % 2], i & 2, i & 4, got[i], sizeof(got[i]));
        for (size_t i = 1; i < 8; i++)
                if (strcmp(got[0], got[i]) != 0)
                        fail_msg("openat2:\n%s\n%s%s%s:\n%s", got[0], i % 2 ? "walk" : "openat2",
                                 i & 2 ? ", listed" : "", i & 4 ? ", opened with its config" : "", got[i]);
        static const char *const want[] = {
                DEV ":0:" DEV_DIR ":0:4\n",
                "0000:05:00.0:-18:-:1:0\n",
                "0000:06:00.0:-40:-:1:0\n",
                "0000:07:00.0:-18:-:1:0\n",
                "0000:08:00.0:-2:-:1:0\n",
                "0000:09:00.0:0:/sys/devices/pci0000:00/0000:00:01.0:0:4\n",
                DEV ":0:" DEV_DIR ":0:4\n",
                "vendor: attr 0 '0x10de' head 0 4 link -22 '' stat 0 lstat 0 resolve 0 '" DEV_DIR "/vendor'\n",
                "label: attr 0 'in the tree' head 0 4 link 0 'label' stat 0 lstat 0 resolve 0 "
                "'/sys/devices/pci0000:00/elsewhere/label'\n",
                "abs: attr -18 '' head -18 0 link -18 '' stat -18 lstat 0 resolve -18 ''\n",
                "up: attr -18 '' head -18 0 link -18 '' stat -18 lstat 0 resolve -18 ''\n",
                "loop: attr -40 '' head -40 0 link 0 'loop' stat -40 lstat 0 resolve -40 ''\n",
                "dangling: attr -2 '' head -2 0 link 0 'nothing' stat -2 lstat 0 resolve -2 ''\n",
                "missing: attr -2 '' head -2 0 link -2 '' stat -2 lstat -2 resolve -2 ''\n",
                "driver: attr -21 '' head -21 0 link 0 'nvidia' stat 0 lstat 0 resolve 0 "
                "'/sys/bus/pci/drivers/nvidia'\n",
                "ghost: attr -2 '' head -2 0 link 0 'ghost' stat -2 lstat 0 resolve -2 ''\n",
                DEV_DIR "/up: -18 -18 -18\n",
                DEV_DIR "/abs: -18 -18 -18\n",
                DEV_DIR "/loop: -40 -40 -40\n",
                "/../../etc/passwd: -18 -18 -18\n",
                "/sys/bus/pci/devices/0000:05:00.0/vendor: -18 -18 -18\n",
                "/sys/nothing/x: -2 -2 -2\n",
        };
        const char *p = got[0];
        for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
                size_t n = strlen(want[i]);
                if (strncmp(p, want[i], n) != 0)
                        fail_msg("line %zu: want %sgot  %.*s", i, want[i], (int)strcspn(p, "\n") + 1, p);
                p += n;
        }
        assert_string_equal(p, "");
        tree_free(&t);
}

/* Below a directory the walk has seen, root_stat() and root_exists() take the walk on both
 * lookup paths (one fstatat(2)): the same results and errors as a root that knows nothing. */
static void test_stat_below_known_dir(void **state)
{
        static const char *const names[] = { "vendor",   "label",   "abs",    "up",    "loop",
                                             "dangling", "missing", "driver", "ghost", "driver/x" };
        struct tree t;

        hostile_device_tree(&t);
        for (size_t p = 0; p < 2; p++) {
                _cleanup_root_ struct root *fresh = NULL, *warm = NULL;
                _cleanup_free_ char *target = NULL;

                assert_int_equal(setenv("VFIO_PREP_NO_OPENAT2", paths[p], 1), 0);
                assert_int_equal(root_new(t.dir, &fresh), 0);
                assert_int_equal(root_new(t.dir, &warm), 0);
                assert_int_equal(root_read_link(warm, DEV_DIR "/up", &target), 0);
                for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
                        char path[256];
                        struct stat a, b;

                        snprintf(path, sizeof(path), DEV_DIR "/%s", names[i]);
                        assert_true(root_parent_known(warm, path) == (strchr(names[i], '/') == NULL));
                        int ka = root_stat(fresh, path, &a), kb = root_stat(warm, path, &b);
                        if (ka != kb)
                                fail_msg("%s: %d, below a known directory %d", path, ka, kb);
                        if (ka == 0) {
                                assert_int_equal(a.st_ino, b.st_ino);
                                assert_int_equal(a.st_mode, b.st_mode);
                        }
                        assert_int_equal(root_exists(fresh, path), root_exists(warm, path));
                        assert_int_equal(root_exists(warm, path), ka == 0);
                }
                restore_path();
        }
        tree_free(&t);
}

/* Walks through four or more directories it does not know, which openat2(2) proves plain at
 * once where it can: the same results and errors as the walk alone, component by component. */
static void test_walk_plain_runs(void **state)
{
        static const char *const whole[] = {
                DEV_DIR "/vendor",
                DEV_DIR "/label",
                DEV_DIR "/driver",
                DEV_DIR "/ghost",
                DEV_DIR "/up",
                DEV_DIR "/abs/x",
                DEV_DIR "/dangling",
                DEV_DIR "/missing/deeper/still/x",
                DEV_DIR "/label/x",
                "/sys/bus/pci/devices/" DEV "/vendor",
                "/sys/bus/pci/devices/0000:05:00.0/vendor",
                "/sys/bus/pci/devices/0000:09:00.0/" DEV "/vendor",
                "/sys/devices/pci0000:00/./0000:00:01.0/../0000:00:01.0/" DEV "/vendor",
                "/sys/devices/pci0000:00/0000:00:01.0/" DEV "/vendor/../../../../../..",
                "/sys/devices/pci0000:00/0000:00:01.0/" DEV "/vendor/../../../../../../..",
                "/sys/nothing/at/all/here",
        };
        static char got[2][4096];
        struct tree t;

        hostile_device_tree(&t);
        for (size_t p = 0; p < 2; p++) {
                _cleanup_root_ struct root *r = NULL;
                size_t len = 0;

                assert_int_equal(setenv("VFIO_PREP_NO_OPENAT2", paths[p], 1), 0);
                assert_int_equal(root_new(t.dir, &r), 0);
                for (size_t i = 0; i < sizeof(whole) / sizeof(whole[0]); i++) {
                        _cleanup_free_ char *a = NULL, *b = NULL, *c = NULL;
                        int ka = root_resolve(r, whole[i], &a);
                        int kb = root_resolve_parent(r, whole[i], &b);
                        int kc = root_link_name(r, whole[i], &c);
                        len += (size_t)snprintf(got[p] + len, sizeof(got[p]) - len, "%s: %d %s, %d %s, %d %s\n",
                                                whole[i], ka, ka == 0 ? a : "-", kb, kb == 0 ? b : "-", kc,
                                                kc == 0 ? c : "-");
                }
                assert_true(len < sizeof(got[p]));
                restore_path();
        }
        if (strcmp(got[0], got[1]) != 0)
                fail_msg("openat2:\n%s\nwalk:\n%s", got[0], got[1]);
        assert_non_null(strstr(got[0], DEV_DIR "/label: 0 /sys/devices/pci0000:00/elsewhere/label, 0 " DEV_DIR
                                               "/label, 0 label\n"));
        assert_non_null(strstr(got[0], DEV_DIR "/missing/deeper/still/x: -2 -, -2 -, -2 -\n"));
        tree_free(&t);
}

/* A two-component name below a listed directory (a group's type below the groups' directory)
 * reads as from the root, on both paths, listed or not: through a real directory, a link, a
 * link out of the root, and a missing one. */
static void test_dir_sub_entries(void **state)
{
        static const char *const names[] = { "7/type", "8/type", "9/type", "10/type", "7/none" };
        struct tree t;
        static char got[4][1024];

        tree_new(&t);
        tree_file(&t, "/sys/kernel/iommu_groups/7/type", "DMA\n");
        tree_file(&t, "/sys/kernel/elsewhere/type", "identity\n");
        tree_rel_link(&t, "/sys/kernel/iommu_groups/8", "/sys/kernel/elsewhere");
        tree_link(&t, "/sys/kernel/iommu_groups/9", "/etc");
        for (size_t i = 0; i < 4; i++) {
                _cleanup_root_ struct root *r = NULL;
                _cleanup_root_dir_ struct root_dir *d = NULL;
                size_t len = 0;

                assert_int_equal(setenv("VFIO_PREP_NO_OPENAT2", paths[i % 2], 1), 0);
                assert_int_equal(root_new(t.dir, &r), 0);
                assert_int_equal(root_dir_open(r, "/sys/kernel/iommu_groups", &d), 0);
                if (i >= 2)
                        assert_int_equal(root_dir_list(d), 0);
                for (size_t j = 0; j < sizeof(names) / sizeof(names[0]); j++) {
                        _cleanup_free_ char *a = NULL, *b = NULL;
                        char path[PATH_MAX];
                        snprintf(path, sizeof(path), "/sys/kernel/iommu_groups/%s", names[j]);
                        int x = root_dir_read_attr(d, names[j], &a);
                        int y = root_read_attr(r, path, &b);
                        assert_int_equal(x, y);
                        if (x == 0)
                                assert_string_equal(a, b);
                        len += (size_t)snprintf(got[i] + len, sizeof(got[i]) - len, "%s %d %s\n", names[j], x,
                                                x == 0 ? a : "-");
                }
                restore_path();
        }
        for (size_t i = 1; i < 4; i++)
                assert_string_equal(got[0], got[i]);
        assert_string_equal(got[0], "7/type 0 DMA\n8/type 0 identity\n9/type -18 -\n10/type -2 -\n7/none -2 -\n");
        tree_free(&t);
}

/* A long listing is searched through its hash table (root_names_index()): every name found with
 * its type, as a pass over the entries finds it, and names that are prefixes or extensions of
 * entries, or absent, not found. */
static void test_names_index(void **state)
{
        static char names[300 * 8];
        size_t len = 0, n_slots = 0;
        uint32_t *slots = NULL;

        for (unsigned i = 0; i < 300; i++) {
                names[len++] = (char)(i % 2 ? DT_DIR : DT_LNK);
                len += (size_t)sprintf(names + len, "%u", i) + 1;
        }
        assert_int_equal(root_names_index(names, len, &slots, &n_slots), 0);
        assert_non_null(slots);
        assert_true(n_slots >= 600 && (n_slots & (n_slots - 1)) == 0);
        for (unsigned i = 0; i < 300; i++) {
                char name[16];
                int n = sprintf(name, "%u", i);
                assert_int_equal(root_names_type(names, len, slots, n_slots, name, (size_t)n), i % 2 ? DT_DIR : DT_LNK);
                assert_int_equal(root_names_type(names, len, NULL, 0, name, (size_t)n), i % 2 ? DT_DIR : DT_LNK);
        }
        static const char *const absent[] = { "300", "1000", "01", "", "2990", "x" };
        for (size_t i = 0; i < sizeof(absent) / sizeof(absent[0]); i++) {
                assert_int_equal(root_names_type(names, len, slots, n_slots, absent[i], strlen(absent[i])), -ENOENT);
                assert_int_equal(root_names_type(names, len, NULL, 0, absent[i], strlen(absent[i])), -ENOENT);
        }
        /* NAME is N bytes: "29" of "299" is entry 29; "300" of "3000" is none. */
        assert_int_equal(root_names_type(names, len, slots, n_slots, "299", 2), DT_DIR);
        assert_int_equal(root_names_type(names, len, slots, n_slots, "3000", 3), -ENOENT);
        free(slots);
        /* A short listing gets no table. */
        slots = NULL;
        n_slots = 0;
        assert_int_equal(root_names_index(names, 40, &slots, &n_slots), 0);
        assert_null(slots);
        assert_int_equal(n_slots, 0);
}

/* Below a parent of many directories the walk lists the parent once (learn_siblings()); a
 * sibling that is a link, a file or missing still resolves as it would alone, on both paths. */
static void test_walk_many_siblings(void **state)
{
        static const char *const names[] = { "d0", "d1", "d2", "d3", "link", "file", "d4", "gone", "out", "d5" };
        struct tree t;
        static char got[2][2048];

        tree_new(&t);
        for (int i = 0; i < 6; i++) {
                char path[64];
                snprintf(path, sizeof(path), "/sys/devices/p/d%d/value", i);
                tree_file(&t, path, "1\n");
        }
        tree_file(&t, "/sys/devices/p/file", "f\n");
        tree_file(&t, "/sys/devices/q/value", "q\n");
        tree_rel_link(&t, "/sys/devices/p/link", "/sys/devices/q");
        tree_link(&t, "/sys/devices/p/out", "/etc");
        for (size_t p = 0; p < 2; p++) {
                _cleanup_root_ struct root *r = NULL;
                size_t len = 0;

                assert_int_equal(setenv("VFIO_PREP_NO_OPENAT2", paths[p], 1), 0);
                assert_int_equal(root_new(t.dir, &r), 0);
                for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
                        _cleanup_free_ char *v = NULL, *resolved = NULL;
                        char path[PATH_MAX];
                        snprintf(path, sizeof(path), "/sys/devices/p/%s/value", names[i]);
                        int a = root_read_attr(r, path, &v);
                        snprintf(path, sizeof(path), "/sys/devices/p/%s", names[i]);
                        int b = root_resolve(r, path, &resolved);
                        len += (size_t)snprintf(got[p] + len, sizeof(got[p]) - len, "%s %d %s %d %s\n", names[i], a,
                                                a == 0 ? v : "-", b, b == 0 ? resolved : "-");
                }
                restore_path();
        }
        assert_string_equal(got[0], got[1]);
        assert_non_null(strstr(got[0], "d3 0 1 0 /sys/devices/p/d3\n"));
        assert_non_null(strstr(got[0], "link 0 q 0 /sys/devices/q\n"));
        assert_non_null(strstr(got[0], "file -20 - 0 /sys/devices/p/file\n"));
        assert_non_null(strstr(got[0], "gone -2 - -2 -\n"));
        assert_non_null(strstr(got[0], "out -18 - -18 -\n"));
        assert_non_null(strstr(got[0], "d5 0 1 0 /sys/devices/p/d5\n"));
        tree_free(&t);
}

static bool more_if_a(const uint8_t *buf, size_t len)
{
        return len > 0 && buf[0] == 'a';
}

static size_t keep_five(const uint8_t *buf, size_t len)
{
        (void)buf;
        return len < 5 ? len : 5;
}

/* A head read on from the same open file reads what one read of MAX would, keeps KEEP of it
 * only when it went on, and journals the most bytes asked for; on both paths. */
static void test_head_read_on(void **state)
{
        static const struct root_head how = { .first = 2, .max = 8, .more = more_if_a, .keep = keep_five };
        struct tree t;

        tree_new(&t);
        tree_file(&t, "/sys/x/on", "abcdefghij");
        tree_file(&t, "/sys/x/stop", "zbcdefghij");
        tree_file(&t, "/sys/x/short", "a");
        for (size_t p = 0; p < 2; p++) {
                _cleanup_root_ struct root *r = NULL;
                _cleanup_root_dir_ struct root_dir *d = NULL;
                _cleanup_free_ char *a = NULL, *b = NULL, *c = NULL;
                const struct root_journal_entry *j;
                size_t n = 0, nj;

                assert_int_equal(setenv("VFIO_PREP_NO_OPENAT2", paths[p], 1), 0);
                assert_int_equal(root_new(t.dir, &r), 0);
                root_journal_enable(r, true);
                assert_int_equal(root_dir_open(r, "/sys/x", &d), 0);
                assert_int_equal(root_dir_read_head_as(d, "on", &how, &a, &n), 0);
                assert_int_equal(n, 5);
                assert_memory_equal(a, "abcde", 5);
                assert_int_equal(root_dir_read_head_as(d, "stop", &how, &b, &n), 0);
                assert_int_equal(n, 2);
                assert_memory_equal(b, "zb", 2);
                assert_int_equal(root_dir_read_head_as(d, "short", &how, &c, &n), 0);
                assert_int_equal(n, 1);
                j = root_journal(r, &nj);
                assert_int_equal(nj, 3);
                assert_string_equal(j[0].path, "/sys/x/on");
                assert_string_equal(j[0].value, "8");
                assert_string_equal(j[1].value, "2");
                assert_string_equal(j[2].value, "2");
                restore_path();
        }
        tree_free(&t);
}

/* --capture's journal is the walk's on both paths: every link met, every byte count read. */
static void test_journal_same_on_both_paths(void **state)
{
        struct tree t;
        static char got[2][8192];

        hostile_device_tree(&t);
        for (size_t p = 0; p < 2; p++) {
                _cleanup_root_ struct root *r = NULL;
                _cleanup_root_dir_ struct root_dir *bus = NULL, *d = NULL;
                _cleanup_free_ char *a = NULL, *b = NULL, *c = NULL;
                const struct root_journal_entry *j;
                struct stat st;
                size_t n, len = 0;

                assert_int_equal(setenv("VFIO_PREP_NO_OPENAT2", paths[p], 1), 0);
                assert_int_equal(root_new(t.dir, &r), 0);
                root_journal_enable(r, true);
                assert_int_equal(root_dir_open(r, "/sys/bus/pci/devices", &bus), 0);
                assert_int_equal(root_dir_open_at(bus, DEV, &d), 0);
                assert_int_equal(root_dir_read_attr(d, "label", &a), 0);
                assert_int_equal(root_dir_read_head(d, "config", 16, &b, &n), 0);
                assert_int_equal(root_dir_link_name(d, "driver", &c), 0);
                assert_int_equal(root_dir_stat(d, "driver", &st), 0);
                j = root_journal(r, &n);
                for (size_t i = 0; i < n; i++)
                        len += (size_t)snprintf(got[p] + len, sizeof(got[p]) - len, "%d %s %s\n", (int)j[i].op,
                                                j[i].path, j[i].value ? j[i].value : "-");
                restore_path();
        }
        assert_string_equal(got[0], got[1]);
        assert_non_null(strstr(got[0], "1 /sys/bus/pci/devices/" DEV
                                       " ../../../../sys/devices/pci0000:00/0000:00:01.0/" DEV "\n"));
        assert_non_null(strstr(got[0], "1 " DEV_DIR "/label ../../elsewhere/label\n"));
        assert_non_null(strstr(got[0], "0 /sys/devices/pci0000:00/elsewhere/label -\n"));
        assert_non_null(strstr(got[0], "0 " DEV_DIR "/config 16\n"));
        assert_non_null(strstr(got[0], "4 /sys/bus/pci/drivers/nvidia d\n"));
        tree_free(&t);
}

/* A seccomp filter failing openat2(2) with ERR, as container runtimes' do (EPERM), or as a
 * kernel before 5.6 (ENOSYS). In this process for good: call it in a child. */
static int refuse_openat2(int err)
{
        struct sock_filter f[] = {
                BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 437 /* openat2 */, 0, 1),
                BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ((unsigned)err & SECCOMP_RET_DATA)),
                BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        };
        struct sock_fprog prog = { .len = sizeof(f) / sizeof(f[0]), .filter = f };

        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0)
                return -1;
        /* Proof that the filter works: the call fails with ERR. */
        return syscall(437, AT_FDCWD, ".", NULL, 0) < 0 && errno == err ? 0 : -1;
}

/* openat2 refused (EPERM from a filter, ENOSYS from an old kernel) while asked for: the walk
 * takes over, with the walk's results. */
static void test_openat2_refused(void **state)
{
        static const int errs[] = { EPERM, ENOSYS };
        struct tree t;
        static char walk[8192], got[8192];

        hostile_device_tree(&t);
        dir_results(t.dir, "1", false, false, walk, sizeof(walk));
        for (size_t i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
                pid_t pid = fork();
                int status;

                assert_true(pid >= 0);
                if (pid == 0) {
                        if (refuse_openat2(errs[i]) < 0)
                                _exit(2);
                        dir_results(t.dir, "0", false, true, got, sizeof(got));
                        _exit(strcmp(got, walk) == 0 ? 0 : 1);
                }
                assert_int_equal(waitpid(pid, &status, 0), pid);
                assert_true(WIFEXITED(status));
                if (WEXITSTATUS(status) != 0)
                        fail_msg("openat2 failing with %s: %s", strerror(errs[i]),
                                 WEXITSTATUS(status) == 2 ? "cannot install the seccomp filter"
                                                          : "results differ from the walk's");
        }
        tree_free(&t);
}

/* --add and --remove replace a config file: whole, mode 0644 whatever it was, no temporary left. */
static void test_replace_file(void **state)
{
        struct tree t;
        _cleanup_root_ struct root *r = NULL;
        _cleanup_free_ char *s = NULL, *h = NULL;
        _cleanup_strv_ char **names = NULL;
        struct stat st;
        size_t n;

        tree_new(&t);
        tree_file(&t, "/etc/vfio-prep.conf", "old\n");
        tree_chmod(&t, "/etc/vfio-prep.conf", 0600);
        assert_int_equal(root_new(t.dir, &r), 0);
        assert_int_equal(root_replace_file(r, "/etc/vfio-prep.conf", "new\n", 4, 0644), 0);
        s = tree_read(&t, "/etc/vfio-prep.conf");
        assert_string_equal(s, "new\n");
        assert_int_equal(stat(tree_path(&t, "/etc/vfio-prep.conf"), &st), 0);
        assert_int_equal(st.st_mode & 07777, 0644);
        /* Created when missing; refused below a directory that is not there. */
        assert_int_equal(root_replace_file(r, "/etc/other.conf", "x", 1, 0644), 0);
        assert_int_equal(root_replace_file(r, "/nowhere/vfio-prep.conf", "x", 1, 0644), -ENOENT);
        assert_int_equal(root_list(r, "/etc", &names, &n), 0);
        assert_int_equal(n, 2);
        assert_string_equal(names[0], "other.conf");
        assert_int_equal(host_replace_file(tree_path(&t, "/etc/other.conf"), "host\n", 5, 0644), 0);
        h = tree_read(&t, "/etc/other.conf");
        assert_string_equal(h, "host\n");
        tree_free(&t);
}

int main(void)
{
        const char *was = getenv("VFIO_PREP_NO_OPENAT2");
        if (was && setenv("VFIO_PREP_NO_OPENAT2_WAS", was, 1) < 0)
                return 1;
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_read_attr_strips_newline),
                cmocka_unit_test(test_links_resolved_inside),
                cmocka_unit_test(test_escaping_links_refused),
                cmocka_unit_test(test_bounded_read),
                cmocka_unit_test(test_read_sizes),
                cmocka_unit_test(test_write_never_creates),
                cmocka_unit_test(test_write_hook_and_deadline),
                cmocka_unit_test(test_deadline_expires),
                cmocka_unit_test(test_list_sorted),
                cmocka_unit_test(test_dir_both_paths),
                cmocka_unit_test(test_dir_sub_entries),
                cmocka_unit_test(test_names_index),
                cmocka_unit_test(test_walk_many_siblings),
                cmocka_unit_test(test_head_read_on),
                cmocka_unit_test(test_stat_below_known_dir),
                cmocka_unit_test(test_walk_plain_runs),
                cmocka_unit_test(test_journal_same_on_both_paths),
                cmocka_unit_test(test_openat2_refused),
                cmocka_unit_test(test_replace_file),
        };
        return cmocka_run_group_tests_name("root", tests, NULL, NULL);
}
