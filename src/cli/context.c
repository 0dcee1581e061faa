/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "context.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bootloader_detect.h"
#include "config_load.h"
#include "exitcode.h"
#include "initramfs.h"
#include "log.h"
#include "machine.h"
#include "macro.h"
#include "root.h"
#include "rootinfo_load.h"

/* Every error of the configuration, one line each (vfio-prep.conf(5), DIAGNOSTICS). */
static void log_config_errors(const struct config_error *err, int k, enum log_level level)
{
        char a[600], b[1100];

        if (err->n == 0)
                log_msg(level, "cannot read configuration: %s", strerror(-k));
        for (size_t i = 0; i < err->n; i++)
                log_msg(level, "%s: %s", sanitize(err->list[i].origin, a, sizeof(a)),
                        sanitize(err->list[i].message, b, sizeof(b)));
        if (err->n_more > 0)
                log_msg(level, "and %zu more error%s", err->n_more, err->n_more == 1 ? "" : "s");
}

static int conf_parse_all(struct context *c, const struct context_options *o, struct config_error *err)
{
        int k = o->no_config ? 0 : config_load(c->root, o->config, &c->config, err);
        if (o->extra_config && k != -ENOMEM) {
                int e = config_parse(&c->config, "--add", o->extra_config, strlen(o->extra_config), err);
                k = k < 0 ? k : e;
        }
        for (char **d = o->devices; d && *d && k != -ENOMEM; d++) {
                int e = config_add_selectors(&c->config, "--device", *d, err);
                k = k < 0 ? k : e;
        }
        const char *extra = cmdline_value(&c->cmdline, "vfio-prep.devices");
        if (extra && k != -ENOMEM) {
                int e = config_add_selectors(&c->config, "kernel command line (vfio-prep.devices=)", extra, err);
                k = k < 0 ? k : e;
        }
        return k;
}

/*
 * A broken configuration stops every mode with exit 2, except those that help to fix or report
 * it (o->skip_bad_conf): they go on without it, and keep the errors for --check --json.
 */
static int conf_load(struct context *c, const struct context_options *o)
{
        /* The errors go here, and are copied out only when kept: 30 KiB allocated and freed on
         * every run is an mmap(2) and munmap(2) with musl. config_fail() fills an entry before
         * counting it, so the counts and the first error's text are all there is to reset. */
        static struct config_error scratch;
        struct config_error *err = &scratch;

        err->n = err->n_more = 0;
        err->origin[0] = err->message[0] = '\0';
        /* Only while parsing: the context is copied to its final place afterwards. */
        c->config.machine = &c->machine;
        int k = conf_parse_all(c, o, err);
        c->config.machine = NULL;
        if (k >= 0)
                return EXIT_OK;
        log_config_errors(err, k, o->skip_bad_conf ? LOG_LEVEL_WARNING : LOG_LEVEL_ERR);
        if (!o->skip_bad_conf || k == -ENOMEM)
                return EXIT_USAGE;
        config_done(&c->config);
        log_warning("going on without the configuration");
        c->config_errors = malloc(sizeof(*err));
        if (!c->config_errors) {
                log_error("out of memory");
                return EXIT_FAILED;
        }
        memcpy(c->config_errors, err, sizeof(*err));
        return EXIT_OK;
}

static int load_machine(struct context *c, const struct context_options *o)
{
        int k = machine_load(c->root, (o->header_only ? MACHINE_LOAD_HEADER_ONLY : 0) | o->load_skip, &c->machine);
        if (k < 0) {
                log_error("cannot read PCI devices below %s: %s", root_dir(c->root), strerror(-k));
                return EXIT_USAGE;
        }
        if (o->cmdline) {
                char *s = strdup(o->cmdline);
                if (!s)
                        return EXIT_FAILED;
                free(c->machine.cmdline);
                c->machine.cmdline = s;
        }
        if (cmdline_parse(c->machine.cmdline, &c->cmdline) < 0) {
                log_error("out of memory parsing the kernel command line");
                return EXIT_FAILED;
        }
        return EXIT_OK;
}

/* libkmod's messages, and the module seam's own (an ids= option dropped), reach the log. */
static void module_log(void *userdata, int priority, const char *message)
{
        char buf[512];

        sanitize(message, buf, sizeof(buf));
        if (priority <= 3)
                log_error("libkmod: %s", buf);
        else if (priority == 4)
                log_warning("libkmod: %s", buf);
        else if (priority == 5)
                log_notice("%s", buf);
        else
                log_debug("libkmod: %s", buf);
}

static void load_modules(struct context *c, const struct context_options *o)
{
        enum module_state vp = MODULE_UNKNOWN, t1 = MODULE_UNKNOWN;

        if (!o->no_modules && c->machine.release && modload_new(c->root, c->machine.release, &c->modload) >= 0) {
                modload_set_log(c->modload, module_log, NULL);
                (void)modload_state(c->modload, "vfio-pci", &vp);
                (void)modload_state(c->modload, "vfio_iommu_type1", &t1);
        }
        /* A built-in vfio-pci shows in the kernel config even where no module tree is. */
        if (vp == MODULE_UNKNOWN && c->machine.kconfig.vfio_pci_builtin == TRI_YES)
                vp = MODULE_BUILTIN;
        c->input.vfio_pci = vp;
        c->input.vfio_iommu_type1 = t1;
}

/* modprobe.d, in libkmod's order: a file name seen in an earlier directory hides later ones. */
static int load_modopts(struct context *c)
{
        static const char *const dirs[] = { "/etc/modprobe.d", "/run/modprobe.d", "/usr/local/lib/modprobe.d",
                                            "/lib/modprobe.d", "/usr/lib/modprobe.d" };
        _cleanup_strv_ char **seen = NULL;
        size_t n_seen = 0;
        int k = 0;

        for (size_t d = 0; k >= 0 && d < ARRAY_SIZE(dirs); d++) {
                _cleanup_strv_ char **names = NULL;
                _cleanup_free_ char *resolved = NULL;
                size_t n = 0;
                /* /lib is often a link to /usr/lib: read each directory once. */
                if (root_resolve(c->root, dirs[d], &resolved) < 0 || root_list(c->root, dirs[d], &names, &n) < 0)
                        continue;
                for (size_t i = 0; k >= 0 && i < n; i++) {
                        _cleanup_free_ char *text = NULL;
                        char path[512];
                        size_t len = strlen(names[i]), j;
                        for (j = 0; j < n_seen && strcmp(seen[j], names[i]) != 0; j++)
                                ;
                        if (j < n_seen || len < 6 || strcmp(names[i] + len - 5, ".conf") != 0)
                                continue;
                        k = strv_push(&seen, &n_seen, names[i]);
                        snprintf(path, sizeof(path), "%s/%s", resolved, names[i]);
                        if (k >= 0 && root_read_file(c->root, path, 1024 * 1024, &text, NULL) >= 0)
                                k = modopts_scan_conf(path, text, &c->modopts);
                }
        }
        return k < 0 ? k : modopts_scan_cmdline(&c->cmdline, &c->modopts);
}

/* The derived state: everything after the machine and the configuration. */
static int derive(struct context *c, const struct context_options *o)
{
        if (select_devices(&c->machine, &c->config, &c->selection) < 0 ||
            analyse(&c->machine, &c->selection, &c->analysis) < 0 ||
            rootinfo_load(c->root, &c->machine, &c->cmdline, o->sysroot, &c->rootinfo) < 0 || load_modopts(c) < 0) {
                log_error("out of memory");
                return EXIT_FAILED;
        }
        (void)bootloader_detect(c->root, &c->bootloader);
        load_modules(c, o);
        return EXIT_OK;
}

/* The check input points into the context, so it is wired where the context finally lives. */
static void wire_input(struct context *c)
{
        c->input.machine = &c->machine;
        c->input.cmdline = &c->cmdline;
        c->input.config = &c->config;
        c->input.selection = &c->selection;
        c->input.analysis = &c->analysis;
        c->input.rootinfo = &c->rootinfo;
        c->input.modopts = &c->modopts;
        c->input.bootloader = &c->bootloader;
        c->input.plan = &c->plan;
        c->input.config_errors = c->config_errors;
}

/* The one plan of the run (vfio-prep(8)), from the facts wired into the check input. */
static int build_plan(struct context *c)
{
        const struct plan_input in = {
                .machine = &c->machine,
                .cmdline = &c->cmdline,
                .config = &c->config,
                .selection = &c->selection,
                .analysis = &c->analysis,
                .rootinfo = &c->rootinfo,
        };

        plan_done(&c->plan);
        if (plan_build(&in, &c->plan) < 0) {
                log_error("out of memory");
                return EXIT_FAILED;
        }
        return EXIT_OK;
}

int context_load(const struct context_options *o, struct context *ret)
{
        struct context c = { 0 };
        int k = root_new(o->root, &c.root);
        if (k < 0) {
                log_error("cannot open root directory '%s': %s", o->root ? o->root : "/", strerror(-k));
                return EXIT_USAGE;
        }
        root_journal_enable(c.root, o->journal);
        int rc = load_machine(&c, o);
        if (rc == EXIT_OK)
                rc = conf_load(&c, o);
        if (rc == EXIT_OK)
                rc = derive(&c, o);
        if (rc != EXIT_OK) {
                context_done(&c);
                return rc;
        }
        if (o->initramfs && initramfs_inspect(c.root, c.machine.release, &c.initramfs) < 0) {
                log_error("out of memory");
                context_done(&c);
                return EXIT_FAILED;
        }
        *ret = c;
        wire_input(ret);
        if (o->initramfs)
                ret->input.initramfs = &ret->initramfs;
        rc = build_plan(ret);
        if (rc != EXIT_OK)
                context_done(ret);
        return rc;
}

static void derived_done(struct context *c)
{
        plan_done(&c->plan);
        selection_done(&c->selection);
        analysis_done(&c->analysis);
        rootinfo_done(&c->rootinfo);
        modopts_done(&c->modopts);
        c->modload = modload_free(c->modload);
        cmdline_done(&c->cmdline);
        machine_done(&c->machine);
}

int context_reload(struct context *c, const struct context_options *o)
{
        derived_done(c);
        int rc = load_machine(c, o);
        if (rc == EXIT_OK)
                rc = derive(c, o);
        wire_input(c);
        return rc == EXIT_OK ? build_plan(c) : rc;
}

void context_done(struct context *c)
{
        derived_done(c);
        initramfs_facts_done(&c->initramfs);
        config_done(&c->config);
        free(c->config_errors);
        c->config_errors = NULL;
        c->root = root_free(c->root);
}
