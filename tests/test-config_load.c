/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Reading vfio-prep.conf files below a root or from --config (config_load.c). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "config_load.h"
#include "macro.h"
#include "root.h"
#include "support/tree.h"

#define CONF "/etc/vfio-prep.conf"

static void expect_str(const char *what, const char *got, const char *want)
{
        if (!got || strcmp(got, want) != 0)
                fail_msg("%s: got '%s', want '%s'", what, got ? got : "(null)", want);
}

/* ---- loading files ---- */

struct fixture {
        struct tree t;
        struct root *r;
        struct config cfg;
        struct config_error err;
};

static int setup(void **state)
{
        struct fixture *f = calloc(1, sizeof(*f));
        assert_non_null(f);
        tree_new(&f->t);
        tree_mkdir(&f->t, "/etc");
        assert_int_equal(root_new(f->t.dir, &f->r), 0);
        *state = f;
        return 0;
}

static int teardown(void **state)
{
        struct fixture *f = *state;
        config_done(&f->cfg);
        root_free(f->r);
        tree_free(&f->t);
        free(f);
        return 0;
}

/* A config file as an administrator would leave it: 0644 whatever the umask. */
static void conf_file(struct fixture *f, const char *path, const char *text)
{
        tree_file(&f->t, path, text);
        tree_chmod(&f->t, path, 0644);
}

static void load_fails(struct fixture *f, const char *explicit_path, const char *origin, const char *message)
{
        f->err = (struct config_error){ 0 };
        assert_int_equal(config_load(f->r, explicit_path, &f->cfg, &f->err), -EINVAL);
        expect_str("origin", f->err.origin, origin);
        /* the message, then maybe the command that fixes it */
        if (strncmp(f->err.message, message, strlen(message)) != 0)
                fail_msg("message: got '%s', want '%s...'", f->err.message, message);
        assert_int_equal(f->cfg.n_devices, 0);
        assert_int_equal(f->cfg.n_files, 0);
        assert_int_equal(f->cfg.isolation, ISOLATION_STRICT);
}

static char *host(struct fixture *f, const char *path)
{
        char *s;
        assert_true(asprintf(&s, "%s%s", f->t.dir, path) > 0);
        return s;
}

static void test_load_nothing(void **state)
{
        struct fixture *f = *state;

        assert_int_equal(config_load(f->r, NULL, &f->cfg, &f->err), 0);
        assert_int_equal(f->cfg.n_devices, 0);
        assert_int_equal(f->cfg.n_files, 0);

        /* not even /etc */
        struct tree t;
        struct root *r;
        tree_new(&t);
        assert_int_equal(root_new(t.dir, &r), 0);
        assert_int_equal(config_load(r, NULL, &f->cfg, &f->err), 0);
        assert_int_equal(f->cfg.n_files, 0);
        root_free(r);
        tree_free(&t);
}

static void test_load_main_and_dir(void **state)
{
        struct fixture *f = *state;
        _cleanup_free_ char *main_path = host(f, CONF);
        _cleanup_free_ char *a = host(f, "/etc/vfio-prep.d/a.conf");
        _cleanup_free_ char *b = host(f, "/etc/vfio-prep.d/b.conf");

        conf_file(f, CONF, "device 01:00.0\nisolation warn\n");
        conf_file(f, "/etc/vfio-prep.d/b.conf", "device 03:00.0\nisolation strict\n");
        conf_file(f, "/etc/vfio-prep.d/a.conf", "device 02:00.0 optional\n");
        /* ignored: not .conf, hidden, a bare ".conf" */
        conf_file(f, "/etc/vfio-prep.d/c.conf.bak", "bogus\n");
        conf_file(f, "/etc/vfio-prep.d/README", "bogus\n");
        conf_file(f, "/etc/vfio-prep.d/.hidden.conf", "bogus\n");
        conf_file(f, "/etc/vfio-prep.d/.conf", "bogus\n");
        tree_link(&f->t, "/etc/vfio-prep.d/.#a.conf", "user@host.1234");
        tree_mkdir(&f->t, "/etc/vfio-prep.d/sub.d");

        assert_int_equal(config_load(f->r, NULL, &f->cfg, &f->err), 0);
        assert_int_equal(f->cfg.n_files, 3);
        expect_str("file 0", f->cfg.files[0], main_path);
        expect_str("file 1", f->cfg.files[1], a);
        expect_str("file 2", f->cfg.files[2], b);
        assert_null(f->cfg.files[3]);
        /* what --check mentions: not hidden, not NAME.conf */
        assert_int_equal(f->cfg.n_skipped, 3);
        expect_str("skipped 0", f->cfg.skipped[0], "README");
        expect_str("skipped 1", f->cfg.skipped[1], "c.conf.bak");
        expect_str("skipped 2", f->cfg.skipped[2], "sub.d");
        assert_int_equal(f->cfg.n_devices, 3);
        expect_str("text", f->cfg.devices[0].text, "01:00.0");
        expect_str("text", f->cfg.devices[1].text, "02:00.0");
        expect_str("text", f->cfg.devices[2].text, "03:00.0");
        _cleanup_free_ char *origin = NULL;
        assert_true(asprintf(&origin, "%s:1", b) > 0);
        expect_str("origin", f->cfg.devices[2].origin, origin);
        assert_true(f->cfg.devices[1].optional);
        /* b.conf comes last: its isolation wins */
        assert_int_equal(f->cfg.isolation, ISOLATION_STRICT);
}

static void test_load_dir_only(void **state)
{
        struct fixture *f = *state;

        conf_file(f, "/etc/vfio-prep.d/10-gpu.conf", "device 01:00.0\n");
        conf_file(f, "/etc/vfio-prep.d/2-usb.conf", "device 02:00.0\n");
        assert_int_equal(config_load(f->r, NULL, &f->cfg, &f->err), 0);
        assert_int_equal(f->cfg.n_files, 2);
        /* strcmp order: "10-" before "2-" */
        expect_str("text", f->cfg.devices[0].text, "01:00.0");
        expect_str("text", f->cfg.devices[1].text, "02:00.0");
}

static void test_load_keeps_earlier_entries(void **state)
{
        struct fixture *f = *state;

        assert_int_equal(config_add_selectors(&f->cfg, "--device", "05:00.0", &f->err), 0);
        conf_file(f, CONF, "device 01:00.0\n");
        conf_file(f, "/etc/vfio-prep.d/a.conf", "device 02:00.0\nbogus\n");
        assert_int_equal(config_load(f->r, NULL, &f->cfg, &f->err), -EINVAL);
        assert_int_equal(f->cfg.n_devices, 1);
        assert_int_equal(f->cfg.n_files, 0);
        expect_str("text", f->cfg.devices[0].text, "05:00.0");
}

static void test_load_duplicate_across_files(void **state)
{
        struct fixture *f = *state;
        _cleanup_free_ char *main_path = host(f, CONF);
        _cleanup_free_ char *b = host(f, "/etc/vfio-prep.d/b.conf");
        char origin[600], message[600];

        conf_file(f, CONF, "isolation warn\n\ndevice 01:00.0\n");
        conf_file(f, "/etc/vfio-prep.d/b.conf", "# x\ndevice 0000:01:00.0 optional\n");
        snprintf(origin, sizeof(origin), "%s:2", b);
        snprintf(message, sizeof(message), "device 0000:01:00.0 already configured at %s:3", main_path);
        load_fails(f, NULL, origin, message);
}

static void test_load_bad_entries(void **state)
{
        struct fixture *f = *state;
        _cleanup_free_ char *sub = host(f, "/etc/vfio-prep.d/sub.conf");

        conf_file(f, CONF, "device 01:00.0\n");
        tree_mkdir(&f->t, "/etc/vfio-prep.d/sub.conf");
        load_fails(f, NULL, sub, "is a directory, not a config file");
}

static void test_load_fifo_in_dir(void **state)
{
        struct fixture *f = *state;
        _cleanup_free_ char *fifo = host(f, "/etc/vfio-prep.d/fifo.conf");

        tree_mkdir(&f->t, "/etc/vfio-prep.d");
        assert_int_equal(mkfifo(fifo, 0644), 0);
        load_fails(f, NULL, fifo, "not a regular file");
}

static void test_load_fifo_link_main(void **state)
{
        struct fixture *f = *state;
        _cleanup_free_ char *fifo = host(f, "/etc/fifo");
        _cleanup_free_ char *main_path = host(f, CONF);

        assert_int_equal(mkfifo(fifo, 0644), 0);
        tree_link(&f->t, CONF, "fifo");
        load_fails(f, NULL, main_path, "not a regular file");
}

static void test_load_links(void **state)
{
        struct fixture *f = *state;
        _cleanup_free_ char *main_path = host(f, CONF);

        /* a relative link inside the root is followed */
        conf_file(f, "/etc/real.conf", "device 01:00.0\n");
        tree_link(&f->t, CONF, "real.conf");
        assert_int_equal(config_load(f->r, NULL, &f->cfg, &f->err), 0);
        assert_int_equal(f->cfg.n_devices, 1);
        config_done(&f->cfg);

        /* an absolute one leaves the root: refused, never read */
        tree_link(&f->t, CONF, "/dev/zero");
        load_fails(f, NULL, main_path, "cannot read config file: a link leads outside the root");

        /* a dangling .conf in the directory is an error, not silently skipped */
        tree_link(&f->t, CONF, "real.conf");
        tree_link(&f->t, "/etc/vfio-prep.d/gone.conf", "nowhere.conf");
        _cleanup_free_ char *gone = host(f, "/etc/vfio-prep.d/gone.conf");
        load_fails(f, NULL, gone, "cannot read config file: No such file or directory");
}

static void test_load_permissions(void **state)
{
        struct fixture *f = *state;
        _cleanup_free_ char *main_path = host(f, CONF);
        _cleanup_free_ char *a = host(f, "/etc/vfio-prep.d/a.conf");

        conf_file(f, CONF, "device 01:00.0\n");
        tree_chmod(&f->t, CONF, 0664);
        load_fails(f, NULL, main_path, "refusing a config file writable by group or others (mode 0664)");

        tree_chmod(&f->t, CONF, 0600);
        conf_file(f, "/etc/vfio-prep.d/a.conf", "device 02:00.0\n");
        tree_chmod(&f->t, "/etc/vfio-prep.d/a.conf", 0646);
        load_fails(f, NULL, a, "refusing a config file writable by group or others (mode 0646)");
}

static void test_load_dir_not_a_dir(void **state)
{
        struct fixture *f = *state;
        _cleanup_free_ char *d = host(f, "/etc/vfio-prep.d");

        conf_file(f, "/etc/vfio-prep.d", "device 01:00.0\n");
        load_fails(f, NULL, d, "cannot list config directory: Not a directory");
}

static void test_load_main_is_dir(void **state)
{
        struct fixture *f = *state;
        _cleanup_free_ char *main_path = host(f, CONF);

        tree_mkdir(&f->t, CONF);
        load_fails(f, NULL, main_path, "is a directory, not a config file");
}

static void test_load_grammar_error(void **state)
{
        struct fixture *f = *state;
        _cleanup_free_ char *main_path = host(f, CONF);
        char origin[600];

        conf_file(f, CONF, "device 01:00.0\n\n# x\n\n\n\ndevice 02:00.0 alow-boot-vga\n");
        snprintf(origin, sizeof(origin), "%s:7", main_path);
        load_fails(f, NULL, origin, "unknown option 'alow-boot-vga': did you mean 'allow-boot-vga'?");
}

static void test_load_explicit(void **state)
{
        struct fixture *f = *state;
        _cleanup_free_ char *path = host(f, "/home/me/test.conf");

        /* the default files are not read when a file is named */
        conf_file(f, CONF, "device 01:00.0\n");
        conf_file(f, "/etc/vfio-prep.d/a.conf", "device 02:00.0\n");
        conf_file(f, "/home/me/test.conf", "device 03:00.0 functions=one\n");
        assert_int_equal(config_load(f->r, path, &f->cfg, &f->err), 0);
        assert_int_equal(f->cfg.n_files, 1);
        expect_str("file", f->cfg.files[0], path);
        assert_int_equal(f->cfg.n_devices, 1);
        expect_str("text", f->cfg.devices[0].text, "03:00.0");
        char origin[600];
        snprintf(origin, sizeof(origin), "%s:1", path);
        expect_str("origin", f->cfg.devices[0].origin, origin);
        config_done(&f->cfg);

        /* a relative path is shown as given */
        char cwd[4096];
        assert_non_null(getcwd(cwd, sizeof(cwd)));
        assert_int_equal(chdir(f->t.dir), 0);
        int k = config_load(f->r, "home/me/test.conf", &f->cfg, &f->err);
        assert_int_equal(chdir(cwd), 0);
        assert_int_equal(k, 0);
        expect_str("file", f->cfg.files[0], "home/me/test.conf");
        expect_str("origin", f->cfg.devices[0].origin, "home/me/test.conf:1");
}

static void test_load_explicit_errors(void **state)
{
        struct fixture *f = *state;
        _cleanup_free_ char *missing = host(f, "/nope.conf");
        _cleanup_free_ char *dir = host(f, "/etc");
        _cleanup_free_ char *fifo = host(f, "/fifo.conf");
        _cleanup_free_ char *zero = host(f, "/zero.conf");
        _cleanup_free_ char *loose = host(f, "/loose.conf");
        _cleanup_free_ char *big = host(f, "/big.conf");
        _cleanup_free_ char *bad = host(f, "/bad.conf");
        char origin[600];

        load_fails(f, missing, missing, "cannot read config file: No such file or directory");
        load_fails(f, dir, dir, "is a directory, not a config file");
        assert_int_equal(mkfifo(fifo, 0644), 0);
        load_fails(f, fifo, fifo, "not a regular file");
        /* a host path may point anywhere on the host: /dev/zero must not be read forever */
        tree_link(&f->t, "/zero.conf", "/dev/zero");
        load_fails(f, zero, zero, "not a regular file");
        load_fails(f, "/dev/null", "/dev/null", "not a regular file");

        conf_file(f, "/loose.conf", "device 01:00.0\n");
        tree_chmod(&f->t, "/loose.conf", 0666);
        load_fails(f, loose, loose, "refusing a config file writable by group or others (mode 0666)");

        /* 1 MiB of comment is fine, one byte more is not */
        size_t n = 1024 * 1024;
        char *text = malloc(n + 1);
        assert_non_null(text);
        memset(text, '#', n + 1);
        for (size_t i = 100; i < n; i += 100)
                text[i] = '\n';
        tree_bytes(&f->t, "/big.conf", text, n);
        tree_chmod(&f->t, "/big.conf", 0644);
        assert_int_equal(config_load(f->r, big, &f->cfg, &f->err), 0);
        config_done(&f->cfg);
        tree_bytes(&f->t, "/big.conf", text, n + 1);
        tree_chmod(&f->t, "/big.conf", 0644);
        free(text);
        load_fails(f, big, big, "config file larger than 1 MiB");

        conf_file(f, "/bad.conf", "device 01:00.0\ndevice 01:00.0\n");
        snprintf(origin, sizeof(origin), "%s:2", bad);
        char message[700];
        snprintf(message, sizeof(message), "device 0000:01:00.0 already configured at %s:1", bad);
        load_fails(f, bad, origin, message);
}

/* One run reports the errors of every file, the refused ones included, in the order read. */
static void test_load_every_error(void **state)
{
        struct fixture *f = *state;
        _cleanup_free_ char *main_path = host(f, CONF);
        _cleanup_free_ char *b = host(f, "/etc/vfio-prep.d/b.conf");

        conf_file(f, CONF, "devcie 01:00.0\ndevice 02:00.0\n");
        conf_file(f, "/etc/vfio-prep.d/a.conf", "device 03:00.0\n");
        conf_file(f, "/etc/vfio-prep.d/b.conf", "device 04:00.0\n");
        tree_chmod(&f->t, "/etc/vfio-prep.d/b.conf", 0666);
        conf_file(f, "/etc/vfio-prep.d/c.conf", "\n\ndevice 05:00.0 funtions=one\n");
        f->err = (struct config_error){ 0 };
        assert_int_equal(config_load(f->r, NULL, &f->cfg, &f->err), -EINVAL);
        assert_int_equal(f->err.n, 3);
        _cleanup_free_ char *o0 = NULL, *o2 = NULL, *c = host(f, "/etc/vfio-prep.d/c.conf");
        assert_true(asprintf(&o0, "%s:1", main_path) > 0);
        assert_true(asprintf(&o2, "%s:3", c) > 0);
        expect_str("origin 0", f->err.list[0].origin, o0);
        expect_str("origin 1", f->err.list[1].origin, b);
        expect_str("origin 2", f->err.list[2].origin, o2);
        expect_str("message 2", f->err.list[2].message, "unknown option 'funtions': did you mean 'functions'?");
        assert_int_equal(f->cfg.n_devices, 0);
        assert_int_equal(f->cfg.n_files, 0);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_load_nothing, setup, teardown),
                cmocka_unit_test_setup_teardown(test_load_main_and_dir, setup, teardown),
                cmocka_unit_test_setup_teardown(test_load_dir_only, setup, teardown),
                cmocka_unit_test_setup_teardown(test_load_keeps_earlier_entries, setup, teardown),
                cmocka_unit_test_setup_teardown(test_load_duplicate_across_files, setup, teardown),
                cmocka_unit_test_setup_teardown(test_load_bad_entries, setup, teardown),
                cmocka_unit_test_setup_teardown(test_load_fifo_in_dir, setup, teardown),
                cmocka_unit_test_setup_teardown(test_load_fifo_link_main, setup, teardown),
                cmocka_unit_test_setup_teardown(test_load_links, setup, teardown),
                cmocka_unit_test_setup_teardown(test_load_permissions, setup, teardown),
                cmocka_unit_test_setup_teardown(test_load_dir_not_a_dir, setup, teardown),
                cmocka_unit_test_setup_teardown(test_load_main_is_dir, setup, teardown),
                cmocka_unit_test_setup_teardown(test_load_grammar_error, setup, teardown),
                cmocka_unit_test_setup_teardown(test_load_every_error, setup, teardown),
                cmocka_unit_test_setup_teardown(test_load_explicit, setup, teardown),
                cmocka_unit_test_setup_teardown(test_load_explicit_errors, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
