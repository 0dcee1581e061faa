/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vfio-prep: options, modes and exit statuses. */
#include <errno.h>
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
        MODE_ADD,
        MODE_REMOVE,
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
        const char *mode_arg; /* --release ADDRESS, --capture DIR|FILE.tar.gz, --add and --remove SELECTOR */
        char **options;       /* --add SELECTOR OPTION...: the words after the options */
        struct context_options ctx;
        char **devices;
        size_t n_devices;
        bool json, dry_run;
        int verbosity;
        enum color_when color;
        bool tty; /* standard output is a terminal: asked once (an ioctl(2) each time) */
};

enum {
        OPT_CHECK = 0x100,
        OPT_LIST,
        OPT_APPLY,
        OPT_RELEASE,
        OPT_ADD,
        OPT_REMOVE,
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
              "  vfio-prep --add SELECTOR [OPTION]... [OPTIONS] [--dry-run]\n"
              "                                             configure a device, if --apply would bind it\n"
              "  vfio-prep --remove SELECTOR [OPTIONS] [--dry-run]\n"
              "                                             take a device out of the configuration\n"
              "  vfio-prep --capture DIR|FILE.tar.gz [OPTIONS]\n"
              "                                             copy what vfio-prep reads, for a bug report\n"
              "  vfio-prep --root-record [OPTIONS]          what kind of controller holds root here\n"
              "  vfio-prep --help | --version\n"
              "\n"
              "Options:\n"
              "  -c, --config FILE      configuration (default " VFIO_PREP_CONF " and\n"
              "                         " VFIO_PREP_CONF_DIR "/*.conf below the root)\n"
              "  -r, --root DIR         find /sys, /proc, /dev, /run, /etc, /boot and /lib/modules below DIR\n"
              "  -d, --device SELECTOR  add a device as if configured (repeatable)\n"
              "      --cmdline STRING   use STRING instead of ROOT/proc/cmdline\n"
              "      --sysroot DIR      the real root is mounted at DIR (second pass; --apply, --check)\n"
              "      --json             one JSON document on standard output (--check, --list)\n"
              "      --dry-run          print what would be written, write nothing\n"
              "                         (--apply, --release, --add, --remove)\n"
              "  -v, --verbose          say more\n"
              "  -q, --quiet            only errors\n"
              "      --color[=WHEN]     colour --check's verdicts: auto, always or never (also --colour)\n"
              "  -h, --help             this summary\n"
              "  -V, --version          the version\n"
              "\n"
              "See vfio-prep(8) and vfio-prep.conf(5).\n",
              f);
}

static int set_mode(struct args *a, enum mode m, const char *arg)
{
        if (a->mode != MODE_NONE && a->mode != m) {
                log_error("only one of --check, --list, --apply, --release, --add, --remove, --capture may be given");
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
        case OPT_ADD:
                return set_mode(a, MODE_ADD, optarg);
        case OPT_REMOVE:
                return set_mode(a, MODE_REMOVE, optarg);
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

static const char *mode_option(enum mode m)
{
        switch (m) {
        case MODE_RELEASE:
                return "--release";
        case MODE_ADD:
                return "--add";
        case MODE_REMOVE:
                return "--remove";
        case MODE_CAPTURE:
                return "--capture";
        default:
                return NULL;
        }
}

/* Options that only make sense with some modes are refused elsewhere, so no one is misled. */
static int validate(const struct args *a, int argc, char **argv)
{
        const char *mode_opt = mode_option(a->mode);

        /* --add SELECTOR OPTION...: the words that follow are the entry's options. */
        if (optind < argc && a->mode != MODE_ADD) {
                char buf[128];
                log_error("unexpected argument '%s'", sanitize(argv[optind], buf, sizeof(buf)));
                return -1;
        }
        if (a->mode == MODE_NONE) {
                log_error("no mode given: use --check, --list, --apply, --release, --add, --remove or --capture "
                          "(see --help)");
                return -1;
        }
        if (a->json && a->mode != MODE_CHECK && a->mode != MODE_LIST) {
                log_error("--json goes with --check or --list");
                return -1;
        }
        if (a->dry_run && a->mode != MODE_APPLY && a->mode != MODE_RELEASE && a->mode != MODE_ADD &&
            a->mode != MODE_REMOVE) {
                log_error("--dry-run goes with --apply, --release, --add or --remove");
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
        if (mode_opt && (!a->mode_arg || !*a->mode_arg)) {
                log_error("%s needs an argument", mode_opt);
                return -1;
        }
        return 0;
}

static const struct option long_options[] = {
        { "check", no_argument, NULL, OPT_CHECK },
        { "list", no_argument, NULL, OPT_LIST },
        { "apply", no_argument, NULL, OPT_APPLY },
        { "release", required_argument, NULL, OPT_RELEASE },
        { "add", required_argument, NULL, OPT_ADD },
        { "remove", required_argument, NULL, OPT_REMOVE },
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

/* The long option ARG ("--dev", "--check=x") was typed for: the entry its name is, or starts, with
 * value VAL; NULL when it names none of them (then a short option failed). */
static const struct option *typed_long(const char *arg, int val)
{
        size_t n;

        if (!arg || strncmp(arg, "--", 2) != 0)
                return NULL;
        arg += 2;
        n = strcspn(arg, "=");
        for (const struct option *o = long_options; o->name; o++)
                if (strncmp(o->name, arg, n) == 0 && (val == 0 || o->val == val))
                        return o;
        return NULL;
}

/* "--co" could be --config, --color, --colour, --cmdline...: the long options ARG starts. */
static void ambiguous_names(const char *arg, char *buf, size_t size)
{
        size_t n = strcspn(arg + 2, "="), len = 0;

        buf[0] = '\0';
        for (const struct option *o = long_options; o->name && len < size; o++)
                if (strncmp(o->name, arg + 2, n) == 0) {
                        int k = snprintf(buf + len, size - len, "%s--%s", len ? ", " : "", o->name);
                        len += k > 0 ? (size_t)k : 0;
                }
}

/* getopt_long's error C ('?' or ':') said as typed (vfio-prep(8), OPTIONS): the option that needs
 * a value, takes none, or is unknown or ambiguous. */
static void option_error(int c, char **argv)
{
        const char *typed = argv[optind - 1];
        const struct option *o = typed_long(typed, optopt);
        char buf[128], names[256];

        if (optopt == 0 && typed && strncmp(typed, "--", 2) == 0) {
                int n = (int)strcspn(sanitize(typed, buf, sizeof(buf)), "=");
                ambiguous_names(typed, names, sizeof(names));
                if (strchr(names, ','))
                        log_error("ambiguous option '%.*s': %s (see --help)", n, buf, names);
                else
                        log_error("unknown option '%.*s' (see --help)", n, buf);
        } else if (!o)
                log_error(c == ':' ? "option '-%s' needs a value (see --help)" : "unknown option '-%s' (see --help)",
                          sanitize((char[]){ (char)optopt, '\0' }, buf, sizeof(buf)));
        else if (c == ':' || o->has_arg == required_argument)
                log_error("option '%.*s' needs a value (see --help)",
                          (int)strcspn(sanitize(typed, buf, sizeof(buf)), "="), buf);
        else
                log_error("option '%.*s' takes no value (see --help)",
                          (int)strcspn(sanitize(typed, buf, sizeof(buf)), "="), buf);
}

static int parse_args(int argc, char **argv, struct args *a)
{
        int c;

        opterr = 0;
        /* The leading ':' tells a missing value (':') from an unknown option ('?'). */
        while ((c = getopt_long(argc, argv, ":hVc:r:d:vq", long_options, NULL)) >= 0) {
                if (c == '?' || c == ':') {
                        option_error(c, argv);
                        return -1;
                }
                if (parse_option(a, c) < 0)
                        return -1;
        }
        if (validate(a, argc, argv) < 0)
                return -1;
        a->options = argv + optind;
        return 0;
}

static bool use_color(enum color_when w, bool tty)
{
        const char *nc = getenv("NO_COLOR");

        if (w != COLOR_AUTO)
                return w == COLOR_ALWAYS;
        if (nc && *nc)
                return false;
        const char *term = getenv("TERM");
        return tty && !(term && strcmp(term, "dumb") == 0);
}

static int run(const struct args *a)
{
        struct output_style st = { .color = use_color(a->color, a->tty), .verbose = a->verbosity > 0 };

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
        case MODE_ADD:
                return cmd_add(&a->ctx, a->mode_arg, a->options, a->dry_run);
        case MODE_REMOVE:
                return cmd_remove(&a->ctx, a->mode_arg, a->dry_run);
        default:
                return EXIT_USAGE;
        }
}

int main(int argc, char **argv)
{
        struct args a = { 0 };
        int rc;

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
        /* A listing of thousands of devices is hundreds of KiB: write it in few calls. Not to a
         * terminal, which wants each line as it comes. Children never write to our stdout (their
         * output is read through pipes) and leave with _exit(), so nothing is written twice. */
        static char out_buf[64 * 1024];
        a.tty = isatty(STDOUT_FILENO);
        if (!a.tty)
                (void)setvbuf(stdout, out_buf, _IOFBF, sizeof(out_buf));
        rc = run(&a);
        /* The last of the output leaves only now: its failure is the command's. */
        if (fflush(stdout) != 0 && rc == EXIT_OK) {
                log_error("cannot write to standard output: %s", strerror(errno));
                rc = EXIT_FAILED;
        }
        strv_free(a.devices);
        pciname_done();
        return rc;
}
