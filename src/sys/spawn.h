/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Every child process vfio-prep starts, each with a deadline, so that nothing it waits for can
 * hang the boot or --check: a program run with no shell whose output is collected (the
 * initramfs listers), and a function run in a forked child (an attribute write, which can
 * block in the kernel: vfio-prep(8), the unbind deadline). One loop waits for both.
 */

#include <stddef.h>
#include <stdint.h>

struct spawn_output {
        char *out; /* standard output, NUL-terminated */
        size_t len;
        int status;    /* exit status; -1 when killed by a signal */
        char err[160]; /* the start of standard error */
        size_t err_len;
};

void spawn_output_done(struct spawn_output *o);

/* CLOCK_MONOTONIC in milliseconds: the clock of every deadline here. */
int64_t spawn_now_ms(void);

/*
 * Run ARGV (looked up in PATH's absolute entries only) with no shell, in its own process group,
 * in the C locale; its output in RET. -ENOENT when the program is not installed, -ETIMEDOUT
 * past DEADLINE (spawn_now_ms() time; the whole process group is killed), -EFBIG past MAX
 * bytes of output.
 */
int spawn_program(char *const argv[], int64_t deadline, size_t max, struct spawn_output *ret);

/*
 * FN(USERDATA) in a forked child; its result, 0 or a negative errno. -ETIMEDOUT when it has not
 * returned within TIMEOUT_MS: the child is killed and left behind (a write stuck in the kernel
 * cannot be killed, nor waited for).
 */
int spawn_call(int (*fn)(void *userdata), void *userdata, unsigned timeout_ms);
