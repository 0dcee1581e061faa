/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bench/deadline DIR [N]: what one sysfs write with a deadline costs (bench/run.sh), as --apply
 * makes each unbind and each drivers_probe write: root_write_deadline() forks a child that
 * writes, and waits for it. DIR/attr is written N times (default 200), a regular file standing
 * in for the attribute, so that only the child and the wait are timed. Prints the median and
 * the least time of one write in microseconds; VFIO_PREP_NO_PIDFD=1 times the fallback's wait.
 * Exits 1 when a write fails.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "root.h"

#define RUNS_MAX 10000

static int64_t now_us(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int cmp_i64(const void *a, const void *b)
{
        int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
        return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
        static int64_t took[RUNS_MAX];
        _cleanup_root_ struct root *r = NULL;
        long n = argc > 2 ? strtol(argv[2], NULL, 10) : 200;
        int k;

        if (argc < 2 || argc > 3 || n < 1 || n > RUNS_MAX) {
                fprintf(stderr, "usage: deadline DIR [N <= %d]\n", RUNS_MAX);
                return 2;
        }
        k = root_new(argv[1], &r);
        if (k < 0) {
                fprintf(stderr, "deadline: %s: %s\n", argv[1], strerror(-k));
                return 1;
        }
        for (long i = 0; i < n; i++) {
                int64_t t0 = now_us();
                k = root_write_deadline(r, "/attr", "1", 5000);
                took[i] = now_us() - t0;
                if (k < 0) {
                        fprintf(stderr, "deadline: write %ld: %s\n", i, strerror(-k));
                        return 1;
                }
        }
        qsort(took, (size_t)n, sizeof(*took), cmp_i64);
        printf("%lld %lld\n", (long long)took[(n - 1) / 2], (long long)took[0]);
        return 0;
}
