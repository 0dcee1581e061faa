/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "check.h"
#include "initramfs.h"
#include "macro.h"
#include "root.h"
#include "support/tree.h"

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

/* ---- inspecting a tree -------------------------------------------------------------------------- */

/* A fake tool in BIN: a shell script with BODY, made executable. */
static void fake_tool(struct tree *t, const char *name, const char *body)
{
        char path[256], text[4096];

        snprintf(path, sizeof(path), "/bin-fake/%s", name);
        snprintf(text, sizeof(text), "#!/bin/sh\n%s\n", body);
        tree_file(t, path, text);
        tree_chmod(t, path, 0755);
}

/* Inspect the tree with only its /bin-fake (and the system's cat) on PATH. */
static void inspect(struct tree *t, const char *release, struct initramfs_facts *f)
{
        _cleanup_root_ struct root *r = NULL;
        _cleanup_free_ char *old = getenv("PATH") ? strdup(getenv("PATH")) : NULL;

        tree_mkdir(t, "/bin-fake");
        assert_int_equal(setenv("PATH", tree_path(t, "/bin-fake"), 1), 0);
        assert_int_equal(root_new(t->dir, &r), 0);
        assert_int_equal(initramfs_inspect(r, release, f), 0);
        if (old)
                setenv("PATH", old, 1);
        else
                unsetenv("PATH");
}

static void test_inspect_not_found(void **state)
{
        struct tree t;
        struct initramfs_facts f;

        tree_new(&t);
        inspect(&t, NULL, &f);
        assert_int_equal(f.verdict, INITRAMFS_UNKNOWN);
        assert_string_equal(f.detail, "the running kernel's release is unknown");
        initramfs_facts_done(&f);

        tree_file(&t, "/etc/machine-id", "0123abcd\n");
        inspect(&t, REL, &f);
        assert_int_equal(f.verdict, INITRAMFS_UNKNOWN);
        assert_null(f.image);
        assert_string_equal(f.detail, "no initramfs found for " REL " (looked for /boot/initramfs-" REL ".img, "
                                      "/boot/initrd.img-" REL ", /boot/initrd-" REL " and 3 other names)");
        initramfs_facts_done(&f);

        inspect(&t, "../x", &f);
        assert_string_equal(f.detail, "the kernel release '../x' is not a file name");
        initramfs_facts_done(&f);
        tree_free(&t);
}

static void test_inspect_generators(void **state)
{
        static const struct {
                const char *files[4];
                enum initramfs_generator gen;
                bool hook;
        } cases[] = {
                { { NULL }, INITRAMFS_GEN_UNKNOWN, false },
                { { "/usr/bin/dracut" }, INITRAMFS_GEN_DRACUT, false },
                { { "/usr/bin/dracut", "/usr/lib/dracut/modules.d/50vfio-prep/module-setup.sh" },
                  INITRAMFS_GEN_DRACUT,
                  true },
                { { "/usr/bin/dracut", "/usr/sbin/update-initramfs" }, INITRAMFS_GEN_INITRAMFS_TOOLS, false },
                { { "/sbin/update-initramfs", "/usr/share/initramfs-tools/hooks/vfio-prep" },
                  INITRAMFS_GEN_INITRAMFS_TOOLS,
                  true },
                { { "/etc/mkinitcpio.conf", "/etc/initcpio/install/vfio-prep" }, INITRAMFS_GEN_MKINITCPIO, true },
                { { "/usr/bin/mkinitcpio", "/usr/bin/dracut", "/usr/lib/initcpio/install/vfio-prep" },
                  INITRAMFS_GEN_MKINITCPIO,
                  true },
        };

        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                struct tree t;
                struct initramfs_facts f;

                tree_new(&t);
                for (size_t j = 0; j < ARRAY_SIZE(cases[i].files) && cases[i].files[j]; j++)
                        tree_file(&t, cases[i].files[j], "x\n");
                inspect(&t, REL, &f);
                if (f.generator != cases[i].gen || f.hook_installed != cases[i].hook)
                        fail_msg("case %zu: generator %s, hook %d", i, initramfs_generator_name(f.generator),
                                 f.hook_installed);
                initramfs_facts_done(&f);
                tree_free(&t);
        }
}

/* Arch names the image after the kernel package, which it records beside the modules. */
static void test_inspect_arch(void **state)
{
        struct tree t;
        struct initramfs_facts f;

        tree_new(&t);
        tree_file(&t, "/usr/lib/modules/6.12.1-arch1-1/pkgbase", "linux-lts\n");
        tree_file(&t, "/boot/initramfs-linux-lts.img", "");
        tree_file(&t, "/boot/initramfs-linux.img", "x");
        inspect(&t, "6.12.1-arch1-1", &f);
        assert_string_equal(f.image, "/boot/initramfs-linux-lts.img");
        assert_int_equal(f.generator, INITRAMFS_GEN_MKINITCPIO);
        assert_int_equal(f.verdict, INITRAMFS_UNKNOWN);
        assert_string_equal(f.detail, "/boot/initramfs-linux-lts.img is empty");
        initramfs_facts_done(&f);
        tree_free(&t);
}

#define LISTING "init\\nusr/bin/vfio-prep\\netc/vfio-prep.conf\\n"

/* The image holds the listing; a fake lsinitrd prints it, or the file asked for with -f. */
static void setup_image(struct tree *t, const char *config, const char *image_config)
{
        tree_file(t, "/boot/initrd.img-" REL, "an image\n");
        if (config)
                tree_file(t, "/etc/vfio-prep.conf", config);
        tree_file(t, "/image-config", image_config);
        fake_tool(t, "lsinitrd",
                  "case $1 in\n"
                  "-f) exec /bin/cat \"${3%/boot/initrd.img-" REL "}/image-config\" ;;\n"
                  "*) printf '" LISTING "' ;;\n"
                  "esac");
}

static void test_inspect_lsinitrd(void **state)
{
        static const struct {
                const char *config, *image_config;
                enum initramfs_verdict verdict;
                const char *detail;
        } cases[] = {
                { "device 01:00.0\n", "device 01:00.0\n", INITRAMFS_CURRENT, NULL },
                { "device 02:00.0\n", "device 01:00.0\n", INITRAMFS_STALE,
                  "/etc/vfio-prep.conf differs from the image's copy" },
                { NULL, "device 01:00.0\n", INITRAMFS_STALE,
                  "the image has /etc/vfio-prep.conf, which this system no longer has" },
        };

        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                struct tree t;
                struct initramfs_facts f;

                tree_new(&t);
                setup_image(&t, cases[i].config, cases[i].image_config);
                inspect(&t, REL, &f);
                assert_string_equal(f.image, "/boot/initrd.img-" REL);
                assert_string_equal(f.lister, "lsinitrd");
                if (f.verdict != cases[i].verdict)
                        fail_msg("case %zu: verdict %d (%s)", i, f.verdict, strna(f.detail));
                if (cases[i].detail)
                        assert_string_equal(f.detail, cases[i].detail);
                else
                        assert_true(f.content_compared);
                initramfs_facts_done(&f);
                tree_free(&t);
        }
}

/* The generator's own lister comes first; a failing one gives way to the next. */
static void test_inspect_listers(void **state)
{
        struct tree t;
        struct initramfs_facts f;

        tree_new(&t);
        setup_image(&t, "device 01:00.0\n", "device 01:00.0\n");
        tree_file(&t, "/usr/sbin/update-initramfs", "x\n");
        fake_tool(&t, "lsinitramfs",
                  "[ \"$1\" = -l ] || exit 9\n"
                  "printf 'init\\n-rw-r--r-- 1 root root 15 Nov 20 12:00 etc/vfio-prep.conf\\n"
                  "-rwxr-xr-x 1 root root 9 Nov 20 12:00 usr/bin/vfio-prep\\n'");
        inspect(&t, REL, &f);
        assert_string_equal(f.lister, "lsinitramfs");
        /* lsinitrd still printed the file: the text was compared. */
        assert_int_equal(f.verdict, INITRAMFS_CURRENT);
        assert_true(f.content_compared);
        initramfs_facts_done(&f);

        fake_tool(&t, "lsinitramfs", "echo 'cpio: premature end of archive' >&2\nexit 2");
        inspect(&t, REL, &f);
        assert_string_equal(f.lister, "lsinitrd");
        assert_int_equal(f.verdict, INITRAMFS_CURRENT);
        initramfs_facts_done(&f);

        fake_tool(&t, "lsinitrd", "echo 'zstd: error 70' >&2\necho more >&2\nexit 1");
        inspect(&t, REL, &f);
        assert_int_equal(f.verdict, INITRAMFS_UNKNOWN);
        assert_null(f.lister);
        assert_string_equal(f.detail, "cannot list /boot/initrd.img-" REL ": lsinitramfs exited with status 2: "
                                      "cpio: premature end of archive");
        initramfs_facts_done(&f);
        tree_free(&t);
}

static void test_inspect_no_lister(void **state)
{
        struct tree t;
        struct initramfs_facts f;

        tree_new(&t);
        tree_file(&t, "/boot/initramfs-" REL ".img", "an image\n");
        inspect(&t, REL, &f);
        assert_int_equal(f.verdict, INITRAMFS_UNKNOWN);
        assert_string_equal(f.detail, "none of lsinitrd, lsinitcpio or lsinitramfs is installed to look into "
                                      "/boot/initramfs-" REL ".img");
        initramfs_facts_done(&f);

        /* A listing that is not one of an initramfs. */
        fake_tool(&t, "lsinitcpio", "echo usr/bin/vfio-prep");
        inspect(&t, REL, &f);
        assert_int_equal(f.verdict, INITRAMFS_UNKNOWN);
        assert_string_equal(f.detail, "cannot list /boot/initramfs-" REL ".img: lsinitcpio shows no /init in it");
        initramfs_facts_done(&f);

        fake_tool(&t, "lsinitcpio", "printf 'init\\nusr/lib/modules/x.ko\\n'");
        inspect(&t, REL, &f);
        assert_int_equal(f.verdict, INITRAMFS_MISSING);
        assert_string_equal(f.lister, "lsinitcpio");
        initramfs_facts_done(&f);
        tree_free(&t);
}

/* ---- the "initramfs" finding of --check ----------------------------------------------------------- */

struct finding_case {
        const char *name;
        struct initramfs_facts facts;
        bool configured;
        enum check_status status;
        const char *message, *hint;
};

#define IMG "/boot/initrd.img-" REL

static const struct finding_case finding_cases[] = {
        { "current",
          { .image = IMG,
            .generator = INITRAMFS_GEN_INITRAMFS_TOOLS,
            .lister = "lsinitrd",
            .verdict = INITRAMFS_CURRENT,
            .content_compared = true },
          true,
          CHECK_PASS,
          "initramfs " IMG " contains vfio-prep and the current configuration",
          NULL },
        { "current by size",
          { .image = IMG, .lister = "lsinitramfs", .verdict = INITRAMFS_CURRENT },
          true,
          CHECK_PASS,
          "initramfs " IMG " contains vfio-prep and the current configuration (by size and date: lsinitramfs "
          "cannot print files)",
          NULL },
        { "stale",
          { .image = IMG,
            .generator = INITRAMFS_GEN_INITRAMFS_TOOLS,
            .lister = "lsinitramfs",
            .verdict = INITRAMFS_STALE,
            .detail = "/etc/vfio-prep.conf changed after the image was built" },
          true,
          CHECK_WARN,
          "initramfs " IMG " contains vfio-prep but not the current configuration: /etc/vfio-prep.conf changed "
          "after the image was built",
          "regenerate it: update-initramfs -u -k " REL },
        { "stale, dracut",
          { .image = IMG, .generator = INITRAMFS_GEN_DRACUT, .verdict = INITRAMFS_STALE, .detail = "x" },
          true,
          CHECK_WARN,
          "initramfs " IMG " contains vfio-prep but not the current configuration: x",
          "regenerate it: dracut -f" },
        { "missing, nothing configured",
          { .image = IMG, .verdict = INITRAMFS_MISSING },
          false,
          CHECK_INFO,
          "initramfs " IMG " does not contain vfio-prep (no devices configured)",
          NULL },
        { "missing, mkinitcpio",
          { .image = IMG, .generator = INITRAMFS_GEN_MKINITCPIO, .hook_installed = true, .verdict = INITRAMFS_MISSING },
          true,
          CHECK_FAIL,
          "initramfs " IMG " does not contain vfio-prep: the configured devices stay with their host drivers at boot",
          "add vfio-prep to HOOKS= in /etc/mkinitcpio.conf (after 'udev' or 'systemd'), then run mkinitcpio -P" },
        { "missing, no hook",
          { .image = IMG, .generator = INITRAMFS_GEN_INITRAMFS_TOOLS, .verdict = INITRAMFS_MISSING },
          true,
          CHECK_FAIL,
          "initramfs " IMG " does not contain vfio-prep: the configured devices stay with their host drivers at boot",
          "install vfio-prep's hook (make install PREFIX=/usr), then run update-initramfs -u -k " REL },
        { "missing, dracut",
          { .image = IMG, .generator = INITRAMFS_GEN_DRACUT, .hook_installed = true, .verdict = INITRAMFS_MISSING },
          true,
          CHECK_FAIL,
          "initramfs " IMG " does not contain vfio-prep: the configured devices stay with their host drivers at boot",
          "run dracut -f (or dracut -f --add vfio-prep)" },
        { "cannot tell",
          { .image = IMG,
            .generator = INITRAMFS_GEN_INITRAMFS_TOOLS,
            .verdict = INITRAMFS_UNKNOWN,
            .detail = "only root can read " IMG },
          true,
          CHECK_WARN,
          "cannot tell whether the initramfs contains vfio-prep: only root can read " IMG,
          "look yourself: lsinitramfs " IMG " | grep vfio-prep" },
        { "no image",
          { .verdict = INITRAMFS_UNKNOWN, .detail = "no initramfs found" },
          true,
          CHECK_WARN,
          "cannot tell whether the initramfs contains vfio-prep: no initramfs found",
          "make sure the initramfs this kernel boots with contains usr/bin/vfio-prep and etc/vfio-prep.conf" },
        { "no image, nothing configured",
          { .verdict = INITRAMFS_UNKNOWN, .detail = "no initramfs found" },
          false,
          CHECK_INFO,
          "cannot tell whether the initramfs contains vfio-prep: no initramfs found",
          "make sure the initramfs this kernel boots with contains usr/bin/vfio-prep and etc/vfio-prep.conf" },
};

static void check_one(const struct finding_case *c)
{
        struct device_conf dc = { .text = (char *)"01:00.0", .origin = (char *)"/etc/vfio-prep.conf:1", .vfs = -1 };
        struct config cfg = { .devices = &dc, .n_devices = c->configured };
        struct machine m = { .release = (char *)REL, .cmdline = (char *)"" };
        struct selection sel = { 0 };
        struct analysis an = { 0 };
        struct rootinfo ri = { 0 };
        struct bootloader bl = { 0 };
        struct cmdline cl;
        struct report rep;
        size_t at = SIZE_MAX, driver = SIZE_MAX;

        assert_int_equal(cmdline_parse("", &cl), 0);
        struct check_input in = {
                .machine = &m,
                .cmdline = &cl,
                .config = &cfg,
                .selection = &sel,
                .analysis = &an,
                .rootinfo = &ri,
                .bootloader = &bl,
                .initramfs = &c->facts,
                .plan = &(struct plan){ 0 }, /* nothing selected: an empty plan */
        };
        assert_int_equal(check_run(&in, &rep), 0);
        for (size_t i = 0; i < rep.n_findings; i++) {
                if (strcmp(rep.findings[i].id, "initramfs") == 0)
                        at = i;
                if (strcmp(rep.findings[i].id, "vfio-driver") == 0)
                        driver = i;
        }
        if (at == SIZE_MAX || at != driver + 1)
                fail_msg("%s: no initramfs finding right after vfio-driver", c->name);
        const struct finding *f = &rep.findings[at];
        if (f->status != c->status)
                fail_msg("%s: status %s", c->name, check_status_to_string(f->status));
        assert_string_equal(f->message, c->message);
        if (c->hint)
                assert_string_equal(f->hint, c->hint);
        else
                assert_null(f->hint);
        report_done(&rep);
        cmdline_done(&cl);
}

static void test_finding(void **state)
{
        for (size_t i = 0; i < ARRAY_SIZE(finding_cases); i++)
                check_one(&finding_cases[i]);
}

/* Without facts (every mode but --check) there is no finding at all. */
static void test_no_finding(void **state)
{
        struct config cfg = { 0 };
        struct machine m = { .release = (char *)REL, .cmdline = (char *)"" };
        struct selection sel = { 0 };
        struct analysis an = { 0 };
        struct rootinfo ri = { 0 };
        struct bootloader bl = { 0 };
        struct cmdline cl;
        struct report rep;

        assert_int_equal(cmdline_parse("", &cl), 0);
        struct check_input in = { .machine = &m,
                                  .cmdline = &cl,
                                  .config = &cfg,
                                  .selection = &sel,
                                  .analysis = &an,
                                  .rootinfo = &ri,
                                  .bootloader = &bl,
                                  .plan = &(struct plan){ 0 } };
        assert_int_equal(check_run(&in, &rep), 0);
        for (size_t i = 0; i < rep.n_findings; i++)
                assert_string_not_equal(rep.findings[i].id, "initramfs");
        report_done(&rep);
        cmdline_done(&cl);
}

/* A relative PATH entry ("." or "bin") is never searched: --check runs as root. */
static void test_relative_path_ignored(void **state)
{
        struct tree t;
        struct initramfs_facts f;
        _cleanup_root_ struct root *r = NULL;
        char cwd[4096];
        _cleanup_free_ char *old = getenv("PATH") ? strdup(getenv("PATH")) : NULL;

        tree_new(&t);
        setup_image(&t, "device 01:00.0\n", "device 01:00.0\n");
        assert_non_null(getcwd(cwd, sizeof(cwd)));
        assert_int_equal(chdir(t.dir), 0);
        assert_int_equal(setenv("PATH", "bin-fake:.", 1), 0);
        assert_int_equal(root_new(t.dir, &r), 0);
        assert_int_equal(initramfs_inspect(r, REL, &f), 0);
        assert_int_equal(chdir(cwd), 0);
        if (old)
                setenv("PATH", old, 1);
        assert_int_equal(f.verdict, INITRAMFS_UNKNOWN);
        assert_null(f.lister);
        initramfs_facts_done(&f);
        tree_free(&t);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_candidates),
                cmocka_unit_test(test_parse_listing),
                cmocka_unit_test(test_parse_listing_length),
                cmocka_unit_test(test_judge),
                cmocka_unit_test(test_inspect_not_found),
                cmocka_unit_test(test_inspect_generators),
                cmocka_unit_test(test_inspect_arch),
                cmocka_unit_test(test_inspect_lsinitrd),
                cmocka_unit_test(test_inspect_listers),
                cmocka_unit_test(test_inspect_no_lister),
                cmocka_unit_test(test_relative_path_ignored),
                cmocka_unit_test(test_finding),
                cmocka_unit_test(test_no_finding),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
