/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The pure half of the initramfs check (initramfs_verdict.c): image names, listings, verdicts. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"
#include "initramfs_verdict.h"
#include "macro.h"

#define REL "6.1.0-28-amd64"

/* ---- candidates ------------------------------------------------------------------------------- */

static void test_candidates(void **state)
{
        static const struct {
                const char *release, *pkgbase, *machine_id;
                int result;
                const char *names[8];
        } cases[] = {
                { REL, NULL, NULL, 0, { "/boot/initramfs-" REL ".img", "/boot/initrd.img-" REL, "/boot/initrd-" REL } },
                { "6.12.1-arch1-1",
                  "linux",
                  NULL,
                  0,
                  { "/boot/initramfs-6.12.1-arch1-1.img", "/boot/initrd.img-6.12.1-arch1-1",
                    "/boot/initrd-6.12.1-arch1-1", "/boot/initramfs-linux.img" } },
                { REL,
                  NULL,
                  "0123abcd",
                  0,
                  { "/boot/initramfs-" REL ".img", "/boot/initrd.img-" REL, "/boot/initrd-" REL,
                    "/boot/0123abcd/" REL "/initrd", "/efi/0123abcd/" REL "/initrd",
                    "/boot/efi/0123abcd/" REL "/initrd" } },
                { "", NULL, NULL, -EINVAL, { NULL } },
                { "../../etc", NULL, NULL, -EINVAL, { NULL } },
                { "..", NULL, NULL, -EINVAL, { NULL } },
                { REL, "../linux", NULL, -EINVAL, { NULL } },
                { REL, NULL, "a/b", -EINVAL, { NULL } },
        };

        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                _cleanup_strv_ char **v = NULL;
                size_t n = 99, want = 0;
                int k = initramfs_candidates(cases[i].release, cases[i].pkgbase, cases[i].machine_id, &v, &n);

                if (k != cases[i].result)
                        fail_msg("case %zu: %d, expected %d", i, k, cases[i].result);
                if (k < 0) {
                        assert_null(v);
                        assert_int_equal(n, 99);
                        continue;
                }
                while (want < ARRAY_SIZE(cases[i].names) && cases[i].names[want])
                        want++;
                assert_int_equal(n, want);
                for (size_t j = 0; j < n; j++)
                        assert_string_equal(v[j], cases[i].names[j]);
                assert_null(v[n]);
        }
}

/* ---- listings --------------------------------------------------------------------------------- */

struct listing_case {
        const char *name, *text;
        bool has_init, has_binary;
        const char *configs[4]; /* "path=size" */
};

static const struct listing_case listing_cases[] = {
        { "lsinitramfs",
          ".\nbin\ninit\nusr\nusr/bin\nusr/bin/vfio-prep\netc/vfio-prep.conf\netc/vfio-prep.d\n"
          "etc/vfio-prep.d/50-usb.conf\nscripts/init-top/00vfio-prep\n",
          true,
          true,
          { "etc/vfio-prep.conf=-1", "etc/vfio-prep.d/50-usb.conf=-1" } },
        { "lsinitramfs -l",
          "drwxr-xr-x   3 root     root            0 Nov 20 12:00 .\n"
          "-rw-r--r--   1 root     root            2 Nov 20 12:00 kernel/x86/microcode/GenuineIntel.bin\n"
          "lrwxrwxrwx   1 root     root            7 Nov 20 12:00 bin -> usr/bin\n"
          "crw-------   1 root     root       5,   1 Nov 20 12:00 dev/console\n"
          "-rwxr-xr-x   1 root     root        12345 Nov 20 12:00 init\n"
          "-rwxr-xr-x   1 root     root       683272 Nov 20 12:00 usr/bin/vfio-prep\n"
          "-rw-r--r--   1 root     root           92 Nov 20  2025 etc/vfio-prep.conf\n",
          true,
          true,
          { "etc/vfio-prep.conf=92" } },
        { "lsinitrd",
          "Image: /boot/initramfs-6.1.img: 12M\n"
          "========================================================================\n"
          "Version: dracut-059\n\nArguments: -f\ndracut modules:\nbash\nvfio-prep\nudev-rules\n"
          "========================================================================\n"
          "lrwxrwxrwx   1 root     root           23 Nov 20 12:00 init -> usr/lib/systemd/systemd\n"
          "-rw-r--r--   1 root     root          120 Nov 20 12:00 etc/vfio-prep.conf\n"
          "-rwxr-xr-x   1 root     root      1491176 Nov 20 12:00 usr/bin/vfio-prep\n"
          "-rwxr-xr-x   1 root     root          300 Nov 20 12:00 usr/lib/dracut/hooks/pre-udev/00-vfio-prep-apply.sh\n"
          "========================================================================\n",
          true,
          true,
          { "etc/vfio-prep.conf=120" } },
        { "lsinitcpio -v",
          "-rw-r--r--  1 root   root        1 Jan  1  1970 early_cpio\n"
          "-rwxr-xr-x  1 root   root     2214 Jan  1  1970 init\n"
          "-rwxr-xr-x  1 root   root      301 Jan  1  1970 hooks/vfio-prep\n"
          "-rw-r-----  1 root   root       20 Jan  1  1970 etc/vfio-prep.conf\n",
          true,
          false,
          { "etc/vfio-prep.conf=20" } },
        { "runtime hooks are not the binary",
          "init\nhooks/vfio-prep\nscripts/init-top/00vfio-prep\nusr/lib/vfio-prep\nvfio-prep\nxbin/vfio-prep\n",
          true,
          false,
          { NULL } },
        { "prefixes and other bin directories", "./init\n/usr/local/sbin/vfio-prep\n", true, true, { NULL } },
        { "bare bin", "init\r\nbin/vfio-prep\r\n", true, true, { NULL } },
        { "not configuration",
          "init\netc/vfio-prep.d/.#x.conf\netc/vfio-prep.d/x.conf.bak\netc/vfio-prep.conf.d/x.conf\n"
          "etc/vfio-prep.d/.conf\netc/vfio-prep.d/a/b.conf\nusr/etc/vfio-prep.conf\n",
          true,
          false,
          { NULL } },
        { "spaces in a name",
          "init\n-rw-r--r--   1 root root 5 Nov 20 12:00 etc/vfio-prep.d/my usb.conf\n",
          true,
          false,
          { "etc/vfio-prep.d/my usb.conf=5" } },
        { "a link is not sized",
          "init\nlrwxrwxrwx 1 root root 9 Nov 20 12:00 etc/vfio-prep.conf -> other.conf\n",
          true,
          false,
          { "etc/vfio-prep.conf=-1" } },
        { "early and main: the last one counts",
          "init\n-rw-r--r-- 1 root root 5 Nov 20 12:00 etc/vfio-prep.conf\n"
          "-rw-r--r-- 1 root root 7 Nov 20 12:00 etc/vfio-prep.conf\n",
          true,
          false,
          { "etc/vfio-prep.conf=7" } },
        { "no init", "usr/bin/vfio-prep\netc/vfio-prep.conf\n", false, true, { "etc/vfio-prep.conf=-1" } },
        { "empty", "", false, false, { NULL } },
        { "no final newline", "init\nusr/bin/vfio-prep", true, true, { NULL } },
};

static void test_parse_listing(void **state)
{
        for (size_t i = 0; i < ARRAY_SIZE(listing_cases); i++) {
                const struct listing_case *c = &listing_cases[i];
                struct initramfs_listing l = { .has_init = !c->has_init };
                size_t want = 0;
                char buf[512];

                assert_int_equal(initramfs_parse_listing(c->text, strlen(c->text), &l), 0);
                if (l.has_init != c->has_init || l.has_binary != c->has_binary)
                        fail_msg("%s: init %d binary %d", c->name, l.has_init, l.has_binary);
                while (want < ARRAY_SIZE(c->configs) && c->configs[want])
                        want++;
                if (l.n_configs != want)
                        fail_msg("%s: %zu configs, expected %zu", c->name, l.n_configs, want);
                for (size_t j = 0; j < want; j++) {
                        snprintf(buf, sizeof(buf), "%s=%lld", l.configs[j].path, (long long)l.configs[j].size);
                        assert_string_equal(buf, c->configs[j]);
                }
                initramfs_listing_done(&l);
        }
}

/* Only the length given counts, not a NUL after it. */
static void test_parse_listing_length(void **state)
{
        struct initramfs_listing l;
        const char text[] = "init\nusr/bin/vfio-prep\n";

        assert_int_equal(initramfs_parse_listing(text, 5, &l), 0);
        assert_true(l.has_init);
        assert_false(l.has_binary);
        initramfs_listing_done(&l);
}

/* ---- the verdict ------------------------------------------------------------------------------- */

struct file {
        const char *path, *text;
        int64_t mtime;
        const char *image_text; /* NULL: not extracted */
};

struct judge_case {
        const char *name, *listing;
        struct file files[3];
        enum initramfs_verdict verdict;
        const char *detail;
        bool compared;
};

#define IMAGE_MTIME 1000
#define LS(size, path) "-rw-r--r-- 1 root root " #size " Nov 20 12:00 " path "\n"

static const struct judge_case judge_cases[] = {
        { "no init", "usr/bin/vfio-prep\n", { { NULL } }, INITRAMFS_UNKNOWN, "its listing shows no /init", false },
        { "no binary",
          "init\netc/vfio-prep.conf\n",
          { { "/etc/vfio-prep.conf", "device 01:00.0\n", 10, NULL } },
          INITRAMFS_MISSING,
          NULL,
          false },
        { "same text",
          "init\nusr/bin/vfio-prep\n" LS(15, "etc/vfio-prep.conf"),
          { { "/etc/vfio-prep.conf", "device 01:00.0\n", 2000, "device 01:00.0\n" } },
          INITRAMFS_CURRENT,
          NULL,
          true },
        { "other text",
          "init\nusr/bin/vfio-prep\n" LS(15, "etc/vfio-prep.conf"),
          { { "/etc/vfio-prep.conf", "device 02:00.0\n", 10, "device 01:00.0\n" } },
          INITRAMFS_STALE,
          "/etc/vfio-prep.conf differs from the image's copy",
          false },
        { "other size",
          "init\nusr/bin/vfio-prep\n" LS(15, "etc/vfio-prep.conf"),
          { { "/etc/vfio-prep.conf", "device 01:00.0 functions=one\n", 10, NULL } },
          INITRAMFS_STALE,
          "/etc/vfio-prep.conf differs from the image's copy (15 bytes there, 29 here)",
          false },
        { "same size, changed later",
          "init\nusr/bin/vfio-prep\n" LS(15, "etc/vfio-prep.conf"),
          { { "/etc/vfio-prep.conf", "device 02:00.0\n", IMAGE_MTIME + 1, NULL } },
          INITRAMFS_STALE,
          "/etc/vfio-prep.conf changed after the image was built",
          false },
        { "same size, older",
          "init\nusr/bin/vfio-prep\n" LS(15, "etc/vfio-prep.conf"),
          { { "/etc/vfio-prep.conf", "device 02:00.0\n", IMAGE_MTIME, NULL } },
          INITRAMFS_CURRENT,
          NULL,
          false },
        { "no sizes, older",
          "init\nusr/bin/vfio-prep\netc/vfio-prep.conf\n",
          { { "/etc/vfio-prep.conf", "device 02:00.0\n", 5, NULL } },
          INITRAMFS_CURRENT,
          NULL,
          false },
        { "text wins over date",
          "init\nusr/bin/vfio-prep\n" LS(3, "etc/vfio-prep.conf"),
          { { "/etc/vfio-prep.conf", "x\n", IMAGE_MTIME + 100, "x\n" } },
          INITRAMFS_CURRENT,
          NULL,
          true },
        { "not in the image",
          "init\nusr/bin/vfio-prep\netc/vfio-prep.conf\n",
          { { "/etc/vfio-prep.conf", "a\n", 5, "a\n" }, { "/etc/vfio-prep.d/50-usb.conf", "b\n", 5, NULL } },
          INITRAMFS_STALE,
          "/etc/vfio-prep.d/50-usb.conf is not in the image",
          false },
        { "gone from the system",
          "init\nusr/bin/vfio-prep\netc/vfio-prep.conf\netc/vfio-prep.d/10-old.conf\n",
          { { "/etc/vfio-prep.conf", "a\n", 5, "a\n" } },
          INITRAMFS_STALE,
          "the image has /etc/vfio-prep.d/10-old.conf, which this system no longer has",
          false },
        { "several differences",
          "init\nusr/bin/vfio-prep\n" LS(1, "etc/vfio-prep.conf") "etc/vfio-prep.d/x.conf\n",
          { { "/etc/vfio-prep.conf", "ab\n", 5, NULL }, { "/etc/vfio-prep.d/y.conf", "b\n", 5, NULL } },
          INITRAMFS_STALE,
          "/etc/vfio-prep.conf differs from the image's copy (1 bytes there, 3 here); and 2 more differences",
          false },
        { "nothing configured anywhere", "init\nusr/bin/vfio-prep\n", { { NULL } }, INITRAMFS_CURRENT, NULL, true },
        { "a configuration only in the image",
          "init\nusr/bin/vfio-prep\netc/vfio-prep.conf\n",
          { { NULL } },
          INITRAMFS_STALE,
          "the image has /etc/vfio-prep.conf, which this system no longer has",
          false },
        { "names are made printable",
          "init\nusr/bin/vfio-prep\n",
          { { "/etc/vfio-prep.d/a\033[31m.conf", "x\n", 5, NULL } },
          INITRAMFS_STALE,
          "/etc/vfio-prep.d/a?[31m.conf is not in the image",
          false },
};

static void test_judge(void **state)
{
        for (size_t i = 0; i < ARRAY_SIZE(judge_cases); i++) {
                const struct judge_case *c = &judge_cases[i];
                struct initramfs_config cfg[3] = { { 0 } };
                struct initramfs_listing l;
                struct initramfs_facts f = { .verdict = -1, .content_compared = !c->compared };
                size_t n = 0;

                for (; n < ARRAY_SIZE(c->files) && c->files[n].path; n++)
                        cfg[n] = (struct initramfs_config){
                                .path = (char *)c->files[n].path,
                                .text = (char *)c->files[n].text,
                                .len = strlen(c->files[n].text),
                                .mtime = c->files[n].mtime,
                                .image_text = (char *)c->files[n].image_text,
                                .image_len = c->files[n].image_text ? strlen(c->files[n].image_text) : 0,
                        };
                assert_int_equal(initramfs_parse_listing(c->listing, strlen(c->listing), &l), 0);
                assert_int_equal(initramfs_judge(&l, cfg, n, IMAGE_MTIME, &f), 0);
                if (f.verdict != c->verdict)
                        fail_msg("%s: verdict %d, expected %d (%s)", c->name, f.verdict, c->verdict, strna(f.detail));
                if (c->detail)
                        assert_string_equal(f.detail, c->detail);
                else if (f.detail)
                        fail_msg("%s: unexpected detail '%s'", c->name, f.detail);
                if (f.content_compared != c->compared)
                        fail_msg("%s: content_compared %d", c->name, f.content_compared);
                initramfs_listing_done(&l);
                initramfs_facts_done(&f);
        }
}

/* The names of /etc/vfio-prep.d a listing counts are those config_load reads (config.c). */
static void test_dropin_name(void **state)
{
        assert_true(config_is_dropin_name("a.conf"));
        assert_false(config_is_dropin_name(".a.conf"));
        assert_false(config_is_dropin_name(".conf"));
        assert_false(config_is_dropin_name("a.conf.bak"));
        assert_false(config_is_dropin_name("sub/a.conf"));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_candidates),           cmocka_unit_test(test_parse_listing),
                cmocka_unit_test(test_parse_listing_length), cmocka_unit_test(test_judge),
                cmocka_unit_test(test_dropin_name),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
