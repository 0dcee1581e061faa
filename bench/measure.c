/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * measure: run a command repeatedly and print its median wall time and peak RSS.
 *
 *   measure [-n RUNS] [-w WARMUP] [-t BUDGET_MS] -- COMMAND [ARG]...
 *
 * Prints one line: "RUNS MEDIAN_US MIN_US MAX_US MAXRSS_KB STATUS CPU_US", where MAXRSS_KB is
 * the largest ru_maxrss wait4() reported for a run (the child and the descendants it waited
 * for), STATUS the exit status of the last run (128+N for a signal) and CPU_US the median of
 * user + system time, which a busy machine disturbs less than wall time. The child's standard
 * input, output and error are /dev/null, so terminal output costs nothing. After the first
 * timed run, runs stop early once BUDGET_MS of timed runs have passed: slow commands get fewer
 * runs rather than a slow benchmark. Warm-up runs (default 2) fill the page cache first.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct run {
        long us;
        long cpu_us;
        long maxrss_kb;
        int status;
};

static long now_us(void)
{
        struct timespec t;

        clock_gettime(CLOCK_MONOTONIC, &t);
        return t.tv_sec * 1000000L + t.tv_nsec / 1000;
}

static void child(char **argv)
{
        int fd = open("/dev/null", O_RDWR | O_CLOEXEC);

        if (fd < 0 || dup2(fd, 0) < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
                _exit(126);
        execvp(argv[0], argv);
        _exit(127);
}

/* One run of ARGV; -errno when it could not be started or waited for. */
static int run_once(char **argv, struct run *ret)
{
        struct rusage ru;
        int status;
        long t0 = now_us();
        pid_t pid = fork();

        if (pid < 0)
                return -errno;
        if (pid == 0)
                child(argv);
        while (wait4(pid, &status, 0, &ru) < 0)
                if (errno != EINTR)
                        return -errno;
        ret->us = now_us() - t0;
        ret->cpu_us = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000L + ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
        ret->maxrss_kb = ru.ru_maxrss;
        ret->status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        return 0;
}

static int cmp_long(const void *a, const void *b)
{
        long x = *(const long *)a, y = *(const long *)b;

        return (x > y) - (x < y);
}

static int parse_count(const char *s, long *ret)
{
        char *end;
        long v;

        errno = 0;
        v = strtol(s, &end, 10);
        if (errno || end == s || *end || v < 0 || v > 1000000)
                return -EINVAL;
        *ret = v;
        return 0;
}

static int usage(void)
{
        fprintf(stderr, "usage: measure [-n RUNS] [-w WARMUP] [-t BUDGET_MS] -- COMMAND [ARG]...\n");
        return 2;
}

static void report(long *times, long *cpu, long n, long maxrss_kb, int status)
{
        qsort(times, (size_t)n, sizeof(long), cmp_long);
        qsort(cpu, (size_t)n, sizeof(long), cmp_long);
        /* The median of an even count is the lower middle: a run that happened. */
        printf("%ld %ld %ld %ld %ld %d %ld\n", n, times[(n - 1) / 2], times[0], times[n - 1], maxrss_kb, status,
               cpu[(n - 1) / 2]);
}

int main(int argc, char **argv)
{
        long runs = 21, warmup = 2, budget_ms = 0;
        int opt;

        while ((opt = getopt(argc, argv, "+n:w:t:")) != -1) {
                long *dst = opt == 'n' ? &runs : opt == 'w' ? &warmup : opt == 't' ? &budget_ms : NULL;
                if (!dst || parse_count(optarg, dst) < 0)
                        return usage();
        }
        if (optind >= argc || runs < 1)
                return usage();
        argv += optind;

        struct run r;
        for (long i = 0; i < warmup; i++)
                if (run_once(argv, &r) < 0) {
                        perror("measure: cannot run the command");
                        return 1;
                }

        long *times = calloc((size_t)runs, sizeof(long));
        long *cpu = calloc((size_t)runs, sizeof(long));
        long n = 0, spent_us = 0, maxrss_kb = 0;
        int status = 0;
        if (!times || !cpu)
                return 1;
        while (n < runs && (n == 0 || budget_ms == 0 || spent_us < budget_ms * 1000)) {
                if (run_once(argv, &r) < 0) {
                        perror("measure: cannot run the command");
                        return 1;
                }
                cpu[n] = r.cpu_us;
                times[n++] = r.us;
                spent_us += r.us;
                maxrss_kb = r.maxrss_kb > maxrss_kb ? r.maxrss_kb : maxrss_kb;
                status = r.status;
        }
        report(times, cpu, n, maxrss_kb, status);
        free(times);
        free(cpu);
        return 0;
}
