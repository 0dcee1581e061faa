/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The read-only modes: --check, --list, --capture. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "capture.h"
#include "exitcode.h"
#include "gzip.h"
#include "log.h"
#include "machine.h"
#include "macro.h"
#include "root.h"

int cmd_check(const struct context_options *o, bool json, const struct output_style *st)
{
        struct context_options co = *o;
        struct context c;
        struct report rep = { 0 };

        co.initramfs = true;
        co.skip_bad_conf = json; /* one JSON document in every case (vfio-prep(8), JSON OUTPUT) */
        int rc = context_load(&co, &c);
        if (rc != EXIT_OK)
                return rc;
        if (check_run(&c.input, &rep) < 0) {
                log_error("out of memory");
                context_done(&c);
                return EXIT_FAILED;
        }
        int k = json ? output_check_json(stdout, &c.input, &rep) : output_check_text(stdout, &c.input, &rep, st);
        rc = k < 0 ? EXIT_FAILED : c.config_errors ? EXIT_USAGE : rep.ready ? EXIT_OK : EXIT_FAILED;
        report_done(&rep);
        context_done(&c);
        return rc;
}

int cmd_list(const struct context_options *o, bool json, const struct output_style *st)
{
        struct context_options co = *o;
        struct context c;

        co.header_only = true;
        co.skip_bad_conf = true; /* --list helps to fix a broken configuration */
        /* What the listing prints, and only that: group types only in JSON. */
        co.load_skip = MACHINE_LOAD_LIST | (json ? 0 : MACHINE_LOAD_NO_GROUP_TYPE);
        int rc = context_load(&co, &c);
        if (rc != EXIT_OK)
                return rc;
        int k = json ? output_list_json(stdout, &c.input) : output_list_text(stdout, &c.input, st);
        context_done(&c);
        return k < 0 ? EXIT_FAILED : EXIT_OK;
}

/* DIR must be new or empty: a capture is attached to bug reports, mixing trees would mislead. */
static int prepare_capture_dir(const char *dir)
{
        int k = host_mkdir_empty(dir);
        if (k == -ENOTEMPTY)
                log_error("capture directory '%s' is not empty", dir);
        else if (k < 0)
                log_error("cannot create capture directory '%s': %s", dir, strerror(-k));
        return k;
}

static size_t archive_suffix(const char *name)
{
        static const char *const suffixes[] = { ".tar.gz", ".tgz" };
        size_t n = strlen(name);

        for (size_t i = 0; i < ARRAY_SIZE(suffixes); i++) {
                size_t s = strlen(suffixes[i]);
                if (n >= s && strcmp(name + n - s, suffixes[i]) == 0)
                        return s;
        }
        return 0;
}

/* FILE's directory and name, and the directory the archive unpacks into: "mybox" for
 * "/tmp/mybox.tar.gz", as a user would expect of `tar -xzf`. */
struct archive_name {
        char dir[PATH_MAX], name[NAME_MAX + 1], top[NAME_MAX + 1];
};

static int archive_name(const char *file, struct archive_name *ret)
{
        const char *slash = strrchr(file, '/');
        const char *base = slash ? slash + 1 : file;
        size_t dlen = slash ? (size_t)(slash - file) : 0;

        if (dlen >= sizeof(ret->dir) || strlen(base) >= sizeof(ret->name) || base[0] == '.')
                return -EINVAL;
        if (!slash)
                snprintf(ret->dir, sizeof(ret->dir), ".");
        else if (slash == file)
                snprintf(ret->dir, sizeof(ret->dir), "/");
        else
                snprintf(ret->dir, sizeof(ret->dir), "%.*s", (int)dlen, file);
        snprintf(ret->name, sizeof(ret->name), "%s", base);
        snprintf(ret->top, sizeof(ret->top), "%.*s", (int)(strlen(base) - archive_suffix(base)), base);
        return 0;
}

/* Written once, never over an existing file: a capture must not replace what a user keeps. */
static int write_archive(const struct archive_name *an, const char *data, size_t len)
{
        _cleanup_root_ struct root *rc = NULL;
        char path[NAME_MAX + 2];
        struct stat st;
        int k = root_new(an->dir, &rc);

        snprintf(path, sizeof(path), "/%s", an->name);
        if (k >= 0 && root_lstat(rc, path, &st) >= 0)
                k = -EEXIST;
        if (k >= 0)
                k = root_create_file(rc, path, data, len, 0644);
        return k;
}

static int capture_to_archive(struct root *src, const char *file, const char *cmdline, struct capture_summary *ret)
{
        _cleanup_free_ char *tar = NULL, *gz = NULL;
        struct archive_name an;
        size_t tar_len, gz_len;

        int k = archive_name(file, &an);
        if (k >= 0)
                k = capture_archive(src, an.top, cmdline, &tar, &tar_len, ret);
        if (k >= 0)
                k = gzip_compress(tar, tar_len, &gz, &gz_len);
        if (k >= 0)
                k = write_archive(&an, gz, gz_len);
        if (k == -EEXIST)
                log_error("'%s' exists already: name a new file", file);
        else if (k < 0)
                log_error("capture into '%s' failed: %s", file, strerror(-k));
        return k;
}

/* vfio-prep(8), --capture: what went in, the kernel command line by name, since the user is
 * about to attach it to a public report. */
static void say_captured(const char *target, const struct capture_summary *s, bool archive)
{
        char what[256] = "";
        size_t w = 0, total = 0;

        for (int a = 0; a < CAPTURE_N_AREAS; a++) {
                total += s->files[a];
                if (s->files[a] && w < sizeof(what))
                        w += (size_t)snprintf(what + w, sizeof(what) - w, "%s%zu from %s", w ? ", " : "", s->files[a],
                                              capture_area_name((enum capture_area)a));
        }
        log_notice("captured this machine into %s: %zu file%s (%s)%s", target, total, total == 1 ? "" : "s", what,
                   s->cmdline ? ", the kernel command line included; read it before attaching it to a report" : "");
        struct archive_name an;
        if (archive && archive_name(target, &an) >= 0)
                log_notice("replay it with: tar -xzf %s && vfio-prep --check --root %s", target, an.top);
        else
                log_notice("replay it with: vfio-prep --check --root %s", target);
}

int cmd_capture(const struct context_options *o, const char *target)
{
        struct context_options co = *o;
        struct context c;
        struct report rep = { 0 };
        struct capture_summary sum = { 0 };
        bool archive = archive_suffix(target) > 0;

        struct archive_name an;
        if (archive && archive_name(target, &an) < 0) {
                log_error("--capture '%s': not a usable archive name: give NAME.tar.gz", target);
                return EXIT_USAGE;
        }
        if (archive && !gzip_available()) {
                log_error("--capture %s: writing a .tar.gz needs zlib, which this build of vfio-prep lacks; "
                          "capture into a directory instead",
                          target);
                return EXIT_USAGE;
        }
        co.journal = true;
        co.skip_bad_conf = true; /* a capture is how a broken configuration gets reported */
        int rc = context_load(&co, &c);
        if (rc != EXIT_OK)
                return rc;
        /* Run the checks too: whatever they read belongs in the capture. */
        if (check_run(&c.input, &rep) < 0 || (!archive && prepare_capture_dir(target) < 0)) {
                report_done(&rep);
                context_done(&c);
                return EXIT_USAGE;
        }
        report_done(&rep);
        /* vfio-prep(8), --capture: sysfs shows unprivileged readers 64 bytes of config space. */
        if (root_is_host(c.root) && geteuid() != 0)
                log_warning("not running as root: the capture holds only the first 64 bytes of each device's "
                            "configuration space, too few to explain IOMMU groups (ACS); run it as root for all of it");
        int k = archive ? capture_to_archive(c.root, target, o->cmdline, &sum)
                        : capture_write(c.root, target, o->cmdline, &sum);
        context_done(&c);
        if (k < 0) {
                if (!archive)
                        log_error("capture into '%s' failed: %s", target, strerror(-k));
                return k == -EEXIST ? EXIT_USAGE : EXIT_FAILED;
        }
        say_captured(target, &sum, archive);
        return EXIT_OK;
}
