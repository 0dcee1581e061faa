/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "parse.h"
#include "sbuf.h"

void spawn_output_done(struct spawn_output *o)
{
        free(o->out);
        *o = (struct spawn_output){ 0 };
}

int64_t spawn_now_ms(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void close_pair(int p[2])
{
        for (int i = 0; i < 2; i++)
                if (p[i] >= 0) {
                        close(p[i]);
                        p[i] = -1;
                }
}

/* In the child: its own process group (so that a deadline kills the whole pipeline the lister
 * runs), the pipes as stdin/stdout/stderr, the C locale, then the program. */
static int move_fd(int from, int to)
{
        /* Already in place (a closed stdin was reused): only keep it across exec. */
        if (from == to)
                return fcntl(to, F_SETFD, 0);
        return dup2(from, to);
}

/* As execvp(), but only absolute PATH entries: --check runs as root, often from a home
 * directory, and "." in PATH must not pick a lister there. Returns with errno set. */
static void exec_path(char *const argv[])
{
        const char *path = getenv("PATH");
        char buf[4096];
        int e = ENOENT;

        if (!path || !*path)
                path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
        for (const char *p = path; *p;) {
                size_t n = strcspn(p, ":");
                if (p[0] == '/' && n + strlen(argv[0]) + 2 <= sizeof(buf)) {
                        snprintf(buf, sizeof(buf), "%.*s/%s", (int)n, p, argv[0]);
                        execv(buf, argv);
                        if (errno != ENOENT && errno != ENOTDIR)
                                e = errno;
                }
                p += n;
                p += *p == ':';
        }
        errno = e;
}

static _Noreturn void child(char *const argv[], int in, int out, int err, int report)
{
        (void)setpgid(0, 0);
        if (move_fd(in, 0) >= 0 && move_fd(out, 1) >= 0 && move_fd(err, 2) >= 0) {
                (void)setenv("LC_ALL", "C", 1);
                exec_path(argv);
        }
        int e = errno;
        (void)!write(report, &e, sizeof(e));
        _exit(127);
}

static int append(struct sbuf *out, const char *buf, size_t n, size_t max)
{
        if (out->len + n > max)
                return -EFBIG;
        return sbuf_put(out, buf, n);
}

/* Read one ready pipe into RUN; -1 in *FD at its end. */
static int drain(struct sbuf *out, struct spawn_output *run, int *fd, bool is_err, size_t max)
{
        char buf[16384];
        ssize_t n = read(*fd, buf, sizeof(buf));

        if (n < 0)
                return errno == EINTR || errno == EAGAIN ? 0 : -errno;
        if (n == 0) {
                close(*fd);
                *fd = -1;
                return 0;
        }
        if (!is_err)
                return append(out, buf, (size_t)n, max);
        size_t room = sizeof(run->err) - 1 - run->err_len, take = (size_t)n < room ? (size_t)n : room;
        memcpy(run->err + run->err_len, buf, take);
        run->err_len += take;
        run->err[run->err_len] = '\0';
        return 0;
}

/* Collect both pipes until they close or DEADLINE passes. */
static int collect(struct sbuf *o, struct spawn_output *run, int out, int err, int64_t deadline, size_t max)
{
        int fds[2] = { out, err }, k = 0;

        while ((fds[0] >= 0 || fds[1] >= 0) && k >= 0) {
                struct pollfd p[2] = { { .fd = fds[0], .events = POLLIN }, { .fd = fds[1], .events = POLLIN } };
                int64_t left = deadline - spawn_now_ms();
                if (left <= 0) {
                        k = -ETIMEDOUT;
                        break;
                }
                int n = poll(p, 2, (int)left);
                if (n < 0 && errno != EINTR)
                        k = -errno;
                for (int i = 0; n > 0 && i < 2 && k >= 0; i++)
                        if (fds[i] >= 0 && p[i].revents)
                                k = drain(o, run, &fds[i], i == 1, max);
        }
        for (int i = 0; i < 2; i++)
                if (fds[i] >= 0)
                        close(fds[i]);
        return k;
}

/* The waits nap instead of polling a pidfd: the tests prove the fallback so. */
static bool pidfd_forced_off(void)
{
        return parse_switch(getenv("VFIO_PREP_NO_PIDFD"));
}

/* wait_until()'s pidfd before the first wait: opened only when the child has not exited yet. */
#define PIDFD_UNTRIED (-2)

/* A descriptor that polls readable once PID has exited (Linux 5.3), or -1: then the caller naps. */
static int pidfd_of(pid_t pid)
{
#ifdef SYS_pidfd_open
        if (!pidfd_forced_off())
                return (int)syscall(SYS_pidfd_open, pid, 0);
#else
        (void)pid;
#endif
        return -1;
}

/* Until PID may have exited or DEADLINE (> now) passes: on its pidfd FD, else a nap of 2 ms. */
static void wait_a_while(pid_t pid, int *fd, int64_t deadline)
{
        if (*fd == PIDFD_UNTRIED)
                *fd = pidfd_of(pid);
        if (*fd < 0) {
                poll(NULL, 0, 2);
                return;
        }
        int64_t left = deadline - spawn_now_ms();
        struct pollfd p = { .fd = *fd, .events = POLLIN };
        (void)poll(&p, 1, left > INT_MAX ? INT_MAX : (int)left);
}

/* Wait for PID to exit until DEADLINE: 0 with its wait status, -ETIMEDOUT, or another -errno.
 * The one loop that waits for a child: never a blocking waitpid(), since a child stuck in the
 * kernel would hold it for ever. The pidfd wakes it as the child exits; without one it naps,
 * and every deadline write would cost at least a nap. */
static int wait_until(pid_t pid, int64_t deadline, int *ret_status)
{
        int fd = PIDFD_UNTRIED, k;

        for (;;) {
                int st;
                pid_t w = waitpid(pid, &st, WNOHANG);
                if (w == pid) {
                        *ret_status = st;
                        k = 0;
                        break;
                }
                if (w < 0 && errno != EINTR) {
                        k = -errno;
                        break;
                }
                if (spawn_now_ms() >= deadline) {
                        k = -ETIMEDOUT;
                        break;
                }
                wait_a_while(pid, &fd, deadline);
        }
        if (fd >= 0)
                close(fd);
        return k;
}

/* Wait for PID until DEADLINE; then (or on an earlier failure K) kill its process group. */
static int reap(pid_t pid, int64_t deadline, int k, int *ret_status)
{
        int st = 0;
        int w = k >= 0 ? wait_until(pid, deadline, &st) : k;

        if (k >= 0 && w == -ETIMEDOUT)
                k = -ETIMEDOUT;
        (void)kill(-pid, SIGKILL);
        if (w < 0) {
                (void)kill(pid, SIGKILL);
                while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
                        ;
        }
        if (k >= 0)
                *ret_status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
        return k;
}

/* Whether exec failed in the child, and with what: the report pipe closes on a good exec. */
static int exec_error(int report)
{
        int e = 0;
        ssize_t n;

        while ((n = read(report, &e, sizeof(e))) < 0 && errno == EINTR)
                ;
        return n == (ssize_t)sizeof(e) ? -e : 0;
}

int spawn_program(char *const argv[], int64_t deadline, size_t max, struct spawn_output *ret)
{
        int in[2] = { -1, -1 }, out[2] = { -1, -1 }, err[2] = { -1, -1 }, rep[2] = { -1, -1 };
        struct spawn_output run = { 0 };
        struct sbuf out_buf = { 0 };
        int k = 0;

        if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0 ||
            pipe2(rep, O_CLOEXEC) < 0)
                k = -errno;
        pid_t pid = k < 0 ? -1 : fork();
        if (pid == 0)
                child(argv, in[0], out[1], err[1], rep[1]);
        if (k >= 0 && pid < 0)
                k = -errno;
        close_pair(in);
        if (k < 0) {
                close_pair(out);
                close_pair(err);
                close_pair(rep);
                return k;
        }
        close(out[1]);
        close(err[1]);
        close(rep[1]);
        k = exec_error(rep[0]);
        close(rep[0]);
        if (k >= 0)
                k = collect(&out_buf, &run, out[0], err[0], deadline, max);
        else {
                close(out[0]);
                close(err[0]);
        }
        k = reap(pid, deadline, k, &run.status);
        run.len = out_buf.len;
        if (k >= 0 && !(run.out = sbuf_take(&out_buf)))
                k = -ENOMEM;
        sbuf_done(&out_buf);
        if (k < 0)
                return k;
        *ret = run;
        return 0;
}

/* Wait for the child PID of spawn_call() at most TIMEOUT_MS; then its result is read from FD. */
static int wait_call(pid_t pid, int fd, unsigned timeout_ms)
{
        int status, result;
        int k = wait_until(pid, spawn_now_ms() + timeout_ms, &status);

        if (k == -ETIMEDOUT) {
                /* A write stuck in the kernel cannot be killed; leave it behind. */
                (void)kill(pid, SIGKILL);
                return k;
        }
        if (k < 0)
                return k;
        /* Not the exit status: valgrind or a sanitizer in the child can change that. */
        if (!WIFEXITED(status) || read(fd, &result, sizeof(result)) != (ssize_t)sizeof(result))
                return -EIO;
        return result;
}

int spawn_call(int (*fn)(void *userdata), void *userdata, unsigned timeout_ms)
{
        int pfd[2];

        if (pipe2(pfd, O_CLOEXEC) < 0)
                return -errno;
        pid_t pid = fork();
        if (pid < 0) {
                int k = -errno;
                close_pair(pfd);
                return k;
        }
        if (pid == 0) {
                int k = fn(userdata);
                _exit(write(pfd[1], &k, sizeof(k)) == (ssize_t)sizeof(k) ? 0 : 1);
        }
        close(pfd[1]);
        int k = wait_call(pid, pfd[0], timeout_ms);
        close(pfd[0]);
        return k;
}
