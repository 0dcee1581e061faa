/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The read-only modes: --check, --list, --capture. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "capture.h"
#include "exitcode.h"
#include "log.h"
#include "macro.h"
#include "root.h"

int cmd_check(const struct context_options *o, bool json, const struct output_style *st)
{
        struct context_options co = *o;
        struct context c;
        struct report rep = { 0 };

        co.initramfs = true;
        co.skip_bad_conf = json; /* one JSON document in every case (vfio-prep(8), JSON OUTPUT) */
        int r = context_load(&co, &c);
        if (r != EXIT_OK)
                return r;
        if (check_run(&c.input, &rep) < 0) {
                log_error("out of memory");
                context_done(&c);
                return EXIT_FAILED;
        }
        int k = json ? output_check_json(stdout, &c.input, &rep) : output_check_text(stdout, &c.input, &rep, st);
        r = k < 0 ? EXIT_FAILED : c.config_errors ? EXIT_USAGE : rep.ready ? EXIT_OK : EXIT_FAILED;
        report_done(&rep);
        context_done(&c);
        return r;
}

int cmd_list(const struct context_options *o, bool json, const struct output_style *st)
{
        struct context_options co = *o;
        struct context c;

        co.header_only = true;
        co.skip_bad_conf = true; /* --list helps to fix a broken configuration */
        int r = context_load(&co, &c);
        if (r != EXIT_OK)
                return r;
        int k = json ? output_list_json(stdout, &c.machine) : output_list_text(stdout, &c.machine, st);
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

int cmd_capture(const struct context_options *o, const char *dir)
{
        struct context_options co = *o;
        struct context c;
        struct report rep = { 0 };

        co.journal = true;
        co.skip_bad_conf = true; /* a capture is how a broken configuration gets reported */
        int r = context_load(&co, &c);
        if (r != EXIT_OK)
                return r;
        /* Run the checks too: whatever they read belongs in the capture. */
        if (check_run(&c.input, &rep) < 0 || prepare_capture_dir(dir) < 0) {
                report_done(&rep);
                context_done(&c);
                return EXIT_USAGE;
        }
        report_done(&rep);
        int k = capture_write(c.root, dir, o->cmdline);
        context_done(&c);
        if (k < 0) {
                log_error("capture into '%s' failed: %s", dir, strerror(-k));
                return EXIT_FAILED;
        }
        log_notice("captured this machine into %s; replay it with: vfio-prep --check --root %s", dir, dir);
        return EXIT_OK;
}
