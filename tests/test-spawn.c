/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "spawn.h"

static int run_sh(const char *script, int64_t timeout_ms, size_t max, struct spawn_output *ret)
{
        char *argv[] = { (char *)"sh", (char *)"-c", (char *)script, NULL };
        return spawn_program(argv, spawn_now_ms() + timeout_ms, max, ret);
}

static void test_program_output(void **state)
{
        struct spawn_output o = { 0 };

        assert_int_equal(run_sh("printf 'hello\\n'; printf 'oops: %s' \"$LC_ALL\" >&2; exit 3", 10000, 100, &o), 0);
        assert_int_equal(o.status, 3);
        assert_string_equal(o.out, "hello\n");
        assert_int_equal(o.len, 6);
        assert_string_equal(o.err, "oops: C"); /* the C locale */
        spawn_output_done(&o);

        assert_int_equal(run_sh("true", 10000, 100, &o), 0);
        assert_int_equal(o.status, 0);
        assert_string_equal(o.out, "");
        assert_int_equal(o.len, 0);
        spawn_output_done(&o);

        assert_int_equal(run_sh("kill -9 $$", 10000, 100, &o), 0);
        assert_int_equal(o.status, -1);
        spawn_output_done(&o);
}

static void test_program_limits(void **state)
{
        struct spawn_output o = { 0 };
        char *missing[] = { (char *)"vfio-prep-no-such-program", NULL };

        assert_int_equal(spawn_program(missing, spawn_now_ms() + 10000, 100, &o), -ENOENT);
        assert_int_equal(run_sh("printf 0123456789", 10000, 10, &o), 0);
        spawn_output_done(&o);
        assert_int_equal(run_sh("printf 0123456789x", 10000, 10, &o), -EFBIG);

        /* The deadline holds even when the program's children keep its output open. */
        int64_t t0 = spawn_now_ms();
        assert_int_equal(run_sh("sleep 20 & sleep 20", 300, 100, &o), -ETIMEDOUT);
        assert_true(spawn_now_ms() - t0 < 5000);
        t0 = spawn_now_ms();
        assert_int_equal(run_sh("exec >&- 2>&-; sleep 20", 300, 100, &o), -ETIMEDOUT);
        assert_true(spawn_now_ms() - t0 < 5000);
}

static int return_value(void *userdata)
{
        return *(const int *)userdata;
}

static int hang(void *userdata)
{
        (void)userdata;
        for (;;)
                pause();
        return 0;
}

static int die(void *userdata)
{
        (void)userdata;
        raise(SIGKILL);
        return 0;
}

static void test_call(void **state)
{
        int v = 0;

        assert_int_equal(spawn_call(return_value, &v, 5000), 0);
        v = -EBUSY;
        assert_int_equal(spawn_call(return_value, &v, 5000), -EBUSY);
        assert_int_equal(spawn_call(die, NULL, 5000), -EIO);

        int64_t t0 = spawn_now_ms();
        assert_int_equal(spawn_call(hang, NULL, 200), -ETIMEDOUT);
        int64_t took = spawn_now_ms() - t0;
        assert_true(took >= 200 && took < 5000);

        /* The wait ends when the child does, not at the deadline. */
        t0 = spawn_now_ms();
        v = -EROFS;
        assert_int_equal(spawn_call(return_value, &v, 60000), -EROFS);
        assert_true(spawn_now_ms() - t0 < 30000);
}

/* The same where the kernel has no pidfd_open(2) (before Linux 5.3): the waits nap. */
static void test_without_pidfd(void **state)
{
        assert_int_equal(setenv("VFIO_PREP_NO_PIDFD", "1", 1), 0);
        test_program_output(state);
        test_call(state);
        assert_int_equal(unsetenv("VFIO_PREP_NO_PIDFD"), 0);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_program_output),
                cmocka_unit_test(test_program_limits),
                cmocka_unit_test(test_call),
                cmocka_unit_test(test_without_pidfd),
        };
        return cmocka_run_group_tests_name("spawn", tests, NULL, NULL);
}
