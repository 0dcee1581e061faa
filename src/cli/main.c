/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vfio-prep: options, modes and exit statuses. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "exitcode.h"
#include "log.h"
#include "macro.h"
#include "paths.h"
#include "pciname.h"
#include "strv.h"

enum mode {
        MODE_NONE,
        MODE_CHECK,
        MODE_LIST,
        MODE_APPLY,
        MODE_RELEASE,
        MODE_CAPTURE,
        MODE_ROOT_RECORD,
        MODE_HELP,
        MODE_VERSION,
};

enum color_when {
        COLOR_AUTO,
        COLOR_ALWAYS,
        COLOR_NEVER,
};

struct args {
        enum mode mode;
        const char *mode_arg; /* --release ADDRESS, --capture DIR|FILE.tar.gz */
        struct context_options ctx;
        char **devices;
        size_t n_devices;
        bool json, dry_run;
        int verbosity;
        enum color_when color;
};

enum {
        OPT_CHECK = 0x100,
        OPT_LIST,
        OPT_APPLY,
        OPT_RELEASE,
        OPT_CAPTURE,
        OPT_CMDLINE,
        OPT_COLOR,
        OPT_JSON,
        OPT_DRY_RUN,
        OPT_ROOT_RECORD,
        OPT_SYSROOT,
};

static void usage(FILE *f)
{
        fputs("Usage:\n"
              "  vfio-prep --check   [OPTIONS] [--json]     diagnose; read-only\n"
              "  vfio-prep --list    [OPTIONS] [--json]     IOMMU groups and their devices\n"
              "  vfio-prep --apply   [OPTIONS] [--dry-run]  bind the configured devices to vfio-pci\n"
              "  vfio-prep --apply --sysroot DIR [OPTIONS] [--dry-run]\n"
              "                                             the initramfs's second pass: storage, SR-IOV\n"
              "  vfio-prep --release ADDRESS [OPTIONS] [--dry-run]\n"
              "                                             hand a device back to its host driver\n"
              "  vfio-prep --capture DIR|FILE.tar.gz [OPTIONS]\n"
              "                                             copy what vfio-prep reads, for a bug report\n"
              "  vfio-prep --root-record [OPTIONS]          what kind of controller holds root here\n"
              "  vfio-prep --help | --version\n"
              "\n"
              "Options:\n"
              "  -c, --config FILE      configuration (default " VFIO_PREP_CONF " and\n"
              "                         " VFIO_PREP_CONF_DIR "/*.conf below the root)\n"
              "  -r, --root DIR         read and write /sys, /proc, /dev and /run below DIR\n"
              "  -d, --device SELECTOR  add a device as if configured (repeatable)\n"
              "      --cmdline STRING   use STRING instead of ROOT/proc/cmdline\n"
              "      --sysroot DIR      the real root is mounted at DIR (second pass; --apply, --check)\n"
              "  -v, --verbose          say more        -q, --quiet   only errors\n"
              "      --color=WHEN       auto, always or never\n"
              "\n"
              "See vfio-prep(8) and vfio-prep.conf(5).\n",
              f);
}

static int set_mode(struct args *a, enum mode m, const char *arg)
{
        if (a->mode != MODE_NONE && a->mode != m) {
                log_error("only one of --check, --list, --apply, --release, --capture may be given");
                return -1;
        }
        a->mode = m;
        a->mode_arg = arg;
        return 0;
}

static int parse_color(struct args *a, const char *s)
{
        if (!s || strcmp(s, "auto") == 0)
                a->color = COLOR_AUTO;
        else if (strcmp(s, "always") == 0)
                a->color = COLOR_ALWAYS;
        else if (strcmp(s, "never") == 0)
                a->color = COLOR_NEVER;
        else {
                char buf[64];
                log_error("--color takes auto, always or never, not '%s'", sanitize(s, buf, sizeof(buf)));
                return -1;
        }
        return 0;
}

static int parse_option(struct args *a, int c)
{
        switch (c) {
        case OPT_CHECK:
                return set_mode(a, MODE_CHECK, NULL);
        case OPT_LIST:
                return set_mode(a, MODE_LIST, NULL);
        case OPT_APPLY:
                return set_mode(a, MODE_APPLY, NULL);
        case OPT_RELEASE:
                return set_mode(a, MODE_RELEASE, optarg);
        case OPT_CAPTURE:
                return set_mode(a, MODE_CAPTURE, optarg);
        case OPT_ROOT_RECORD:
                return set_mode(a, MODE_ROOT_RECORD, NULL);
        case 'h':
                return set_mode(a, MODE_HELP, NULL);
        case 'V':
                return set_mode(a, MODE_VERSION, NULL);
        case 'c':
                a->ctx.config = optarg;
                return 0;
        case 'r':
                a->ctx.root = optarg;
                return 0;
        case 'd':
                return strv_push(&a->devices, &a->n_devices, optarg) < 0 ? -1 : 0;
        case OPT_CMDLINE:
                a->ctx.cmdline = optarg;
                return 0;
        case OPT_SYSROOT:
                a->ctx.sysroot = optarg;
                return 0;
        case 'v':
                a->verbosity++;
                return 0;
        case 'q':
                a->verbosity = -1;
                return 0;
        case OPT_COLOR:
                return parse_color(a, optarg);
        case OPT_JSON:
                a->json = true;
                return 0;
        case OPT_DRY_RUN:
                a->dry_run = true;
                return 0;
        default:
                return -1;
        }
}

/* Options that only make sense with some modes are refused elsewhere, so no one is misled. */
static int validate(const struct args *a, int argc, char **argv)
{
        if (optind < argc) {
                char buf[128];
                log_error("unexpected argument '%s'", sanitize(argv[optind], buf, sizeof(buf)));
                return -1;
        }
        if (a->mode == MODE_NONE) {
                log_error("no mode given: use --check, --list, --apply, --release or --capture (see --help)");
                return -1;
        }
        if (a->json && a->mode != MODE_CHECK && a->mode != MODE_LIST) {
                log_error("--json goes with --check or --list");
                return -1;
        }
        if (a->dry_run && a->mode != MODE_APPLY && a->mode != MODE_RELEASE) {
                log_error("--dry-run goes with --apply or --release");
                return -1;
        }
        if (a->ctx.sysroot && a->mode != MODE_APPLY && a->mode != MODE_CHECK) {
                log_error("--sysroot goes with --apply or --check");
                return -1;
        }
        if (a->ctx.sysroot && !*a->ctx.sysroot) {
                log_error("--sysroot needs a directory");
                return -1;
        }
        if ((a->mode == MODE_RELEASE || a->mode == MODE_CAPTURE) && (!a->mode_arg || !*a->mode_arg)) {
                log_error("%s needs an argument", a->mode == MODE_RELEASE ? "--release" : "--capture");
                return -1;
        }
        return 0;
}

static int parse_args(int argc, char **argv, struct args *a)
{
        static const struct option opts[] = {
                { "check", no_argument, NULL, OPT_CHECK },
                { "list", no_argument, NULL, OPT_LIST },
                { "apply", no_argument, NULL, OPT_APPLY },
                { "release", required_argument, NULL, OPT_RELEASE },
                { "capture", required_argument, NULL, OPT_CAPTURE },
                { "root-record", no_argument, NULL, OPT_ROOT_RECORD },
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, 'V' },
                { "config", required_argument, NULL, 'c' },
                { "root", required_argument, NULL, 'r' },
                { "device", required_argument, NULL, 'd' },
                { "cmdline", required_argument, NULL, OPT_CMDLINE },
                { "verbose", no_argument, NULL, 'v' },
                { "quiet", no_argument, NULL, 'q' },
                { "color", optional_argument, NULL, OPT_COLOR },
                { "colour", optional_argument, NULL, OPT_COLOR },
                { "json", no_argument, NULL, OPT_JSON },
                { "dry-run", no_argument, NULL, OPT_DRY_RUN },
                { "sysroot", required_argument, NULL, OPT_SYSROOT },
                {},
        };
        int c;

        opterr = 0;
        while ((c = getopt_long(argc, argv, "hVc:r:d:vq", opts, NULL)) >= 0) {
                if (c == '?') {
                        char buf[128];
                        if (optopt && optopt < 0x100)
                                log_error("unknown option '-%c' (see --help)", optopt);
                        else
                                log_error("unknown option or missing argument: '%s' (see --help)",
                                          sanitize(argv[optind - 1], buf, sizeof(buf)));
                        return -1;
                }
                if (parse_option(a, c) < 0)
                        return -1;
        }
        return validate(a, argc, argv);
}

static bool use_color(enum color_when w)
{
        const char *nc = getenv("NO_COLOR");

        if (w != COLOR_AUTO)
                return w == COLOR_ALWAYS;
        if (nc && *nc)
                return false;
        const char *term = getenv("TERM");
        return isatty(STDOUT_FILENO) && !(term && strcmp(term, "dumb") == 0);
}

static int run(const struct args *a)
{
        struct output_style st = { .color = use_color(a->color), .verbose = a->verbosity > 0 };

        switch (a->mode) {
        case MODE_HELP:
                usage(stdout);
                return EXIT_OK;
        case MODE_VERSION:
                puts("vfio-prep " VERSION);
                return EXIT_OK;
        case MODE_CHECK:
                return cmd_check(&a->ctx, a->json, &st);
        case MODE_LIST:
                return cmd_list(&a->ctx, a->json, &st);
        case MODE_CAPTURE:
                return cmd_capture(&a->ctx, a->mode_arg);
        case MODE_ROOT_RECORD:
                return cmd_root_record(&a->ctx);
        case MODE_APPLY:
                return cmd_apply(&a->ctx, a->dry_run);
        case MODE_RELEASE:
                return cmd_release(&a->ctx, a->mode_arg, a->dry_run);
        default:
                return EXIT_USAGE;
        }
}

int main(int argc, char **argv)
{
        struct args a = { 0 };
        int r;

        if (parse_args(argc, argv, &a) < 0) {
                strv_free(a.devices);
                return EXIT_USAGE;
        }
        log_set_level(a.verbosity < 0 ? LOG_LEVEL_ERR : a.verbosity > 0 ? LOG_LEVEL_DEBUG : LOG_LEVEL_NOTICE);
        /* Device names from another pci.ids: tests pin theirs so that outputs do not follow the system's. */
        const char *ids = getenv("VFIO_PREP_PCI_IDS");
        if (ids && *ids)
                pciname_set_ids_file(ids);
        a.ctx.devices = a.devices;
        r = run(&a);
        strv_free(a.devices);
        pciname_done();
        return r;
}
