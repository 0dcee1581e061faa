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

/* ---- unified kernel images and ostree systems ------------------------------------------------ */

#define INITRD "070701 INITRD-CONTENT"

static void put32(uint8_t *p, uint32_t v)
{
        for (int i = 0; i < 4; i++)
                p[i] = (v >> (8 * i)) & 0xff;
}

/* A UKI: a PE head with .uname (UNAME, or none when NULL) and .initrd sections, then their data. */
static void make_uki(struct tree *t, const char *path, const char *uname)
{
        uint8_t buf[4096] = { 0 };
        size_t table = 0x80 + 4 + 20 + 240, n = 0;

        buf[0] = 'M', buf[1] = 'Z';
        put32(buf + 0x3c, 0x80);
        memcpy(buf + 0x80, "PE\0\0", 4);
        buf[0x84 + 16] = 240; /* SizeOfOptionalHeader */
        if (uname) {
                uint8_t *s = buf + table + 40 * n++;
                memcpy(s, ".uname", 6);
                put32(s + 8, (uint32_t)strlen(uname));
                put32(s + 16, 0x200);
                put32(s + 20, 0x800);
                memcpy(buf + 0x800, uname, strlen(uname));
        }
        uint8_t *s = buf + table + 40 * n++;
        memcpy(s, ".initrd", 7);
        put32(s + 8, sizeof(INITRD) - 1);
        put32(s + 16, 0x200);
        put32(s + 20, 0xa00);
        memcpy(buf + 0xa00, INITRD, sizeof(INITRD) - 1);
        buf[0x84 + 2] = (uint8_t)n; /* NumberOfSections */
        tree_bytes(t, path, buf, 0xc00);
}

/* lsinitrd that answers only for a file that starts with the .initrd section's bytes (not the
 * UKI itself, which starts with MZ). */
static void fake_lsinitrd(struct tree *t, const char *image_config)
{
        char text[1024];

        snprintf(text, sizeof(text),
                 "#!/bin/sh\n"
                 "case $1 in\n"
                 "-f) [ \"$(/usr/bin/head -c 6 \"$3\")\" = 070701 ] && printf '%s' ;;\n"
                 "*) /bin/grep -q INITRD-CONTENT \"$1\" && printf 'init\\nusr/bin/vfio-prep\\netc/vfio-prep.conf\\n' "
                 ";;\n"
                 "esac\n",
                 image_config);
        tree_file(t, "/bin-fake/lsinitrd", text);
        tree_chmod(t, "/bin-fake/lsinitrd", 0755);
}

static void test_uki(void **state)
{
        static const struct {
                const char *dir, *name, *uname, *image_config;
                enum initramfs_verdict verdict;
        } cases[] = {
                { "/boot/EFI/Linux", "debian.efi", REL "\n", "device 01:00.0\n", INITRAMFS_CURRENT },
                { "/efi/EFI/Linux", "arch-linux.efi", REL, "device 02:00.0\n", INITRAMFS_STALE },
                /* No .uname: the file name tells. */
                { "/boot/efi/EFI/Linux", "debian-" REL ".EFI", NULL, "device 01:00.0\n", INITRAMFS_CURRENT },
        };

        (void)state;
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                struct tree t;
                struct initramfs_facts f;
                char path[256];

                tree_new(&t);
                snprintf(path, sizeof(path), "%s/%s", cases[i].dir, cases[i].name);
                /* Another kernel's UKI sorts first and is passed over. */
                snprintf(path, sizeof(path), "%s/a-other.efi", cases[i].dir);
                make_uki(&t, path, "5.10.0-30-amd64");
                snprintf(path, sizeof(path), "%s/%s", cases[i].dir, cases[i].name);
                make_uki(&t, path, cases[i].uname);
                tree_file(&t, "/etc/vfio-prep.conf", "device 01:00.0\n");
                fake_lsinitrd(&t, cases[i].image_config);
                inspect(&t, REL, &f);
                if (f.verdict != cases[i].verdict)
                        fail_msg("case %zu: verdict %d (%s)", i, f.verdict, strna(f.detail));
                assert_string_equal(f.image, path);
                assert_true(f.uki);
                assert_false(f.image_based);
                initramfs_facts_done(&f);
                tree_free(&t);
        }
}

static void test_uki_other_kernel(void **state)
{
        struct tree t;
        struct initramfs_facts f;

        (void)state;
        tree_new(&t);
        make_uki(&t, "/boot/EFI/Linux/debian-" REL ".efi", "5.10.0-30-amd64"); /* .uname wins over the name */
        tree_file(&t, "/boot/EFI/Linux/notes.txt", "not a UKI");
        fake_lsinitrd(&t, "");
        inspect(&t, REL, &f);
        assert_int_equal(f.verdict, INITRAMFS_UNKNOWN);
        assert_null(f.image);
        assert_non_null(strstr(f.detail, "no initramfs found for " REL));
        initramfs_facts_done(&f);
        tree_free(&t);
}

static void test_ostree(void **state)
{
        struct tree t;
        struct initramfs_facts f;

        (void)state;
        tree_new(&t);
        tree_file(&t, "/run/ostree-booted", "");
        tree_file(&t, "/usr/lib/modules/" REL "/initramfs.img", INITRD);
        tree_file(&t, "/etc/vfio-prep.conf", "device 01:00.0\n");
        fake_lsinitrd(&t, "device 01:00.0\n");
        inspect(&t, REL, &f);
        assert_true(f.image_based);
        assert_false(f.uki);
        assert_string_equal(f.image, "/usr/lib/modules/" REL "/initramfs.img");
        assert_int_equal(f.verdict, INITRAMFS_CURRENT);
        initramfs_facts_done(&f);
        tree_free(&t);
}

/* No image on an ostree system: the message names the path looked at first, the image's. */
static void test_ostree_no_image(void **state)
{
        struct tree t;
        struct initramfs_facts f;

        (void)state;
        tree_new(&t);
        tree_file(&t, "/run/ostree-booted", "");
        tree_file(&t, "/etc/vfio-prep.conf", "device 01:00.0\n");
        fake_lsinitrd(&t, "");
        inspect(&t, REL, &f);
        assert_true(f.image_based);
        assert_int_equal(f.verdict, INITRAMFS_UNKNOWN);
        assert_null(f.image);
        assert_non_null(strstr(f.detail, "no initramfs found for " REL " (looked for /usr/lib/modules/" REL
                                         "/initramfs.img, /boot/"));
        initramfs_facts_done(&f);
        tree_free(&t);
}

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
        { "stale, a unified kernel image",
          { .image = "/boot/EFI/Linux/arch.efi",
            .generator = INITRAMFS_GEN_MKINITCPIO,
            .verdict = INITRAMFS_STALE,
            .detail = "x",
            .uki = true },
          true,
          CHECK_WARN,
          "initramfs /boot/EFI/Linux/arch.efi contains vfio-prep but not the current configuration: x",
          "regenerate it: mkinitcpio -P; this kernel boots from a unified kernel image: rebuild the image itself, "
          "not only an initramfs ('mkinitcpio -P' with a UKI preset, 'kernel-install add " REL " /usr/lib/modules/" REL
          "/vmlinuz' with ukify, or 'dracut -f --uefi')" },
        { "missing, ostree",
          { .image = "/usr/lib/modules/" REL "/initramfs.img",
            .generator = INITRAMFS_GEN_DRACUT,
            .hook_installed = true,
            .verdict = INITRAMFS_MISSING,
            .image_based = true },
          true,
          CHECK_FAIL,
          "initramfs /usr/lib/modules/" REL "/initramfs.img does not contain vfio-prep: the configured devices stay "
          "with their host drivers at boot",
          "this system boots an ostree image, "
          "whose initramfs comes with the image: on rpm-ostree, 'rpm-ostree initramfs --enable' rebuilds it on this "
          "machine with dracut, which takes vfio-prep's dracut module once /etc/dracut.conf.d names it "
          "(add_dracutmodules+=\" vfio-prep \"); on bootc, install vfio-prep and that file in the Containerfile, "
          "run dracut there as the base image does, and 'bootc upgrade' to the new image" },
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
          "add vfio-prep to HOOKS= in /etc/mkinitcpio.conf (right after 'base', before 'udev'; after 'systemd' in "
          "systemd images), then run mkinitcpio -P" },
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
        { "missing, no generator",
          { .image = IMG, .verdict = INITRAMFS_MISSING },
          true,
          CHECK_FAIL,
          "initramfs " IMG " does not contain vfio-prep: the configured devices stay with their host drivers at boot",
          "install vfio-prep's hook for this system's initramfs generator (make install PREFIX=/usr), then "
          "regenerate the initramfs (dracut -f, mkinitcpio -P or update-initramfs -u, whichever this system uses)" },
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
        struct device_conf dc = {
                .text = (char *)"01:00.0", .origin = (char *)"/etc/vfio-prep.conf:1", .from_file = true, .vfs = -1
        };
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
                cmocka_unit_test(test_inspect_not_found),
                cmocka_unit_test(test_inspect_generators),
                cmocka_unit_test(test_inspect_arch),
                cmocka_unit_test(test_inspect_lsinitrd),
                cmocka_unit_test(test_inspect_listers),
                cmocka_unit_test(test_inspect_no_lister),
                cmocka_unit_test(test_relative_path_ignored),
                cmocka_unit_test(test_uki),
                cmocka_unit_test(test_uki_other_kernel),
                cmocka_unit_test(test_ostree),
                cmocka_unit_test(test_ostree_no_image),
                cmocka_unit_test(test_finding),
                cmocka_unit_test(test_no_finding),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
