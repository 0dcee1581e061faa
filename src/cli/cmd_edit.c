/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The modes that edit the configuration: --add and --remove (vfio-prep(8), MODES). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "check_usb.h"
#include "commands.h"
#include "config_edit.h"
#include "config_load.h"
#include "exitcode.h"
#include "generators.h"
#include "log.h"
#include "machine.h"
#include "macro.h"
#include "paths.h"
#include "root.h"
#include "sbuf.h"

/* Largest configuration file edited, as config_load reads. */
#define EDIT_FILE_MAX (1024 * 1024)
/* The origin config_parse gives the line --add plans (context_options.extra_config). */
#define ADD_ORIGIN "--add:1"

/* The file --add and --remove edit: --config's, else /etc/vfio-prep.conf below the root. */
struct edit_file {
        struct root *root;
        const char *path; /* a host path with --config, else below the root */
        bool host;
        char shown[PATH_MAX]; /* for messages: the path on the host */
        char *text;           /* NULL: the file does not exist */
        size_t len;
};

static void edit_file_done(struct edit_file *f)
{
        f->root = root_free(f->root);
        free(f->text);
        f->text = NULL;
}

static int read_below_root(struct edit_file *f)
{
        struct stat st;
        int k = root_stat(f->root, f->path, &st);

        /* Refuse what is not a regular file before opening it: a FIFO would block the read. */
        if (k >= 0 && S_ISDIR(st.st_mode))
                k = -EISDIR;
        else if (k >= 0 && !S_ISREG(st.st_mode))
                k = -EINVAL;
        return k < 0 ? k : root_read_file(f->root, f->path, EDIT_FILE_MAX, &f->text, &f->len);
}

/* The file and its text; a missing one is no error (--add creates it). Logs its errors. */
static int edit_file_open(const struct context_options *o, struct edit_file *f)
{
        char buf[PATH_MAX];
        int k = root_new(o->root, &f->root);

        if (k < 0) {
                log_error("cannot open root directory '%s': %s", sanitize(strna(o->root), buf, sizeof(buf)),
                          strerror(-k));
                return EXIT_USAGE;
        }
        f->host = o->config != NULL;
        f->path = o->config ? o->config : VFIO_PREP_CONF;
        /* Messages name the file as config_load does. */
        if (f->host)
                snprintf(f->shown, sizeof(f->shown), "%s", f->path);
        else
                config_shown_path(f->root, f->path, f->shown, sizeof(f->shown));
        k = f->host ? host_read_file(f->path, EDIT_FILE_MAX, &f->text, &f->len, NULL) : read_below_root(f);
        if (k == -ENOENT)
                return EXIT_OK;
        if (k < 0) {
                log_error("%s: cannot read configuration: %s", sanitize(f->shown, buf, sizeof(buf)),
                          k == -EINVAL ? "not a regular file" : strerror(-k));
                return EXIT_USAGE;
        }
        return EXIT_OK;
}

/* What changed, as a diff shows it: the file, then "-" and "+" lines. */
static void print_change(const struct edit_file *f, const struct config_edit *e)
{
        char buf[1024];

        printf("%s%s:\n", sanitize(f->shown, buf, sizeof(buf)), f->text ? "" : " (new file)");
        for (size_t i = 0; i < e->n_removed; i++)
                printf("-%s\n", sanitize(e->removed[i], buf, sizeof(buf)));
        for (size_t i = 0; i < e->n_added; i++)
                printf("+%s\n", sanitize(e->added[i], buf, sizeof(buf)));
}

/* Write the edit (unless a dry run), then say how the boot image learns of it. */
static int commit_edit(struct edit_file *f, const struct config_edit *e, const struct context *c, bool dry_run)
{
        char cmd[256], buf[PATH_MAX];

        print_change(f, e);
        if (dry_run) {
                printf("dry run: %s is left as it is\n", sanitize(f->shown, buf, sizeof(buf)));
                return EXIT_OK;
        }
        int k = 0;
        /* A root directory without /etc is a tree being prepared (--root): it gets one. */
        if (!f->host && !f->text)
                k = root_mkdir_p(f->root, "/etc", 0755);
        if (k >= 0)
                k = f->host ? host_replace_file(f->path, e->text, e->len, 0644)
                            : root_replace_file(f->root, f->path, e->text, e->len, 0644);
        if (k < 0) {
                log_error("%s: cannot write configuration: %s", sanitize(f->shown, buf, sizeof(buf)), strerror(-k));
                return EXIT_FAILED;
        }
        /* The boot reads the image's copy of the configuration (vfio-prep(8), CHECKS, "initramfs"). */
        generator_regenerate_command(c->initramfs.generator, c->machine.release, cmd, sizeof(cmd));
        printf("the next boot uses it once the initramfs is regenerated: %s\n", cmd);
        return EXIT_OK;
}

static int parse_selector(const char *selector, struct selector *ret)
{
        char buf[128];

        if (selector_parse(selector, ret) < 0) {
                log_error("'%s' is not a PCI address (0000:01:00.0), a vendor:device ID (10de:2484) or a "
                          "slot path (path=0000:00:03.0/00.0)",
                          sanitize(selector, buf, sizeof(buf)));
                return EXIT_USAGE;
        }
        return EXIT_OK;
}

/* "device SELECTOR [id=VVVV:DDDD] [OPTION]...": options one word each, as vfio-prep.conf(5) has them. */
static int build_line(const char *selector, const char *pin, char **options, char **ret)
{
        struct sbuf b = { 0 };
        char buf[128];

        sbuf_appendf(&b, "device %s", selector);
        if (pin)
                sbuf_appendf(&b, " id=%s", pin);
        for (char **opt = options; opt && *opt; opt++) {
                if (!**opt || strpbrk(*opt, " \t\r\n#")) {
                        log_error("option '%s' for --add: one word each, as in vfio-prep.conf(5)",
                                  sanitize(*opt, buf, sizeof(buf)));
                        sbuf_done(&b);
                        return EXIT_USAGE;
                }
                sbuf_appendf(&b, " %s", *opt);
        }
        *ret = sbuf_take(&b);
        if (!*ret) {
                log_error("out of memory");
                return EXIT_FAILED;
        }
        return EXIT_OK;
}

static bool has_pin(char **options)
{
        for (char **opt = options; opt && *opt; opt++)
                if (strncmp(*opt, "id=", 3) == 0)
                        return true;
        return false;
}

static const struct device_conf *added_conf(const struct context *c)
{
        for (size_t i = 0; i < c->config.n_devices; i++)
                if (strcmp(c->config.devices[i].origin, ADD_ORIGIN) == 0)
                        return &c->config.devices[i];
        return NULL;
}

/* What --apply would refuse of the devices DC selects, each logged; the number refused. */
static size_t refusals(const struct context *c, const struct device_conf *dc)
{
        char text[512], shown[512];
        size_t n = 0;

        for (size_t i = 0; i < c->selection.n_items; i++) {
                const struct selected *it = &c->selection.items[i];
                const struct plan_group *pg;
                const struct plan_device *pd = it->conf == dc ? plan_find_device(&c->plan, it->device, &pg) : NULL;
                if (pd && usb_keyboard_verdict(&c->machine, &c->rootinfo, it->device) == USB_KEYBOARD_REFUSE) {
                        log_error("%s: not added: a keyboard is attached to it and root is encrypted: the "
                                  "passphrase could not be typed at boot (vfio-prep --check, usb:%s)",
                                  c->machine.devices[it->device].name, c->machine.devices[it->device].name);
                        n++;
                        continue;
                }
                if (!pd || (pd->refusal == REFUSE_NONE && pg->refusal == REFUSE_NONE))
                        continue;
                refusal_text(c, pg, pd, text, sizeof(text));
                log_error("%s: not added: vfio-prep --apply would leave it to the host: %s",
                          c->machine.devices[it->device].name, sanitize(text, shown, sizeof(shown)));
                n++;
        }
        return n;
}

/* The ID of the device the selector itself names, "10de:2484"; false when it names none. */
static bool hardware_pin(const struct context *c, const struct device_conf *dc, char pin[static 10])
{
        for (size_t i = 0; i < c->selection.n_items; i++) {
                const struct selected *it = &c->selection.items[i];
                if (it->conf == dc && it->why == SELECTED_BY_SELECTOR) {
                        const struct pci_device *d = &c->machine.devices[it->device];
                        snprintf(pin, 10, "%04x:%04x", d->vendor, d->device);
                        return true;
                }
        }
        return false;
}

/* The entry that already selects a device DC names ("/etc/vfio-prep.conf:3"), or NULL: an
 * earlier entry wins the device (vfio-prep.conf(5)). */
static const char *selected_elsewhere(const struct context *c, const struct device_conf *dc)
{
        for (size_t i = 0; i < c->machine.n_devices; i++) {
                size_t k = selector_matches(&dc->sel, &c->machine.devices[i]) ? selection_find(&c->selection, i) : NONE;
                if (k != NONE && c->selection.items[k].conf != dc)
                        return c->selection.items[k].conf->origin;
        }
        return NULL;
}

/* The plan's decision for the added entry (vfio-prep(8), --add): EXIT_OK when --apply would bind. */
static int judge_added(const struct context *c, const char *selector, char pin[static 10])
{
        const struct device_conf *dc = added_conf(c);
        const char *other = dc ? selected_elsewhere(c, dc) : NULL;
        char buf[128], where[512];

        if (!dc || !hardware_pin(c, dc, pin)) {
                if (other)
                        log_error("%s: not added: %s already selects it", sanitize(selector, buf, sizeof(buf)),
                                  sanitize(other, where, sizeof(where)));
                else
                        log_error("%s: not added: no such device (see vfio-prep --list)",
                                  sanitize(selector, buf, sizeof(buf)));
                return EXIT_FAILED;
        }
        if (c->plan.global != REFUSE_NONE && c->plan.global != REFUSE_DISABLED) {
                log_error("%s: not added: vfio-prep --apply would bind nothing: %s",
                          sanitize(selector, buf, sizeof(buf)), refusal_to_string(c->plan.global));
                return EXIT_FAILED;
        }
        return refusals(c, dc) > 0 ? EXIT_FAILED : EXIT_OK;
}

/* The context --apply would build, with LINE added to the configuration. */
static int load_with(const struct context_options *o, const struct edit_file *f, const char *line, struct context *ret)
{
        struct context_options co = *o;

        co.extra_config = line;
        co.header_only = true;
        co.initramfs = true;
        /* --config naming a file that does not exist yet: the added line is the whole configuration. */
        co.no_config = f->host && !f->text;
        int rc = context_load(&co, ret);
        /* Binding needs no USB devices; the keyboard rule of vfio-prep(8), usb:ADDRESS, does. */
        if (rc == EXIT_OK && usb_load(ret->root, &ret->machine) == -ENOMEM) {
                context_done(ret);
                return EXIT_FAILED;
        }
        return rc;
}

static int refuse_duplicate(const struct edit_file *f, const struct selector *sel, const char *selector)
{
        char a[PATH_MAX], b[128];
        size_t line = config_edit_find(f->text, f->len, sel);

        if (line == 0)
                return EXIT_OK;
        log_error("%s:%zu: device %s is already there; --remove it first to change its options",
                  sanitize(f->shown, a, sizeof(a)), line, sanitize(selector, b, sizeof(b)));
        return EXIT_FAILED;
}

static int add(const struct context_options *o, struct edit_file *f, const char *selector, char **options, bool dry_run)
{
        _cleanup_free_ char *planned = NULL, *line = NULL;
        struct config_edit e;
        struct selector sel;
        struct context c;
        char pin[10];

        int rc = parse_selector(selector, &sel);
        if (rc == EXIT_OK)
                rc = edit_file_open(o, f);
        if (rc == EXIT_OK)
                rc = refuse_duplicate(f, &sel, selector);
        if (rc == EXIT_OK)
                rc = build_line(selector, NULL, options, &planned);
        if (rc != EXIT_OK || (rc = load_with(o, f, planned, &c)) != EXIT_OK)
                return rc;
        rc = judge_added(&c, selector, pin);
        if (rc == EXIT_OK)
                rc = build_line(selector, has_pin(options) ? NULL : pin, options, &line);
        if (rc == EXIT_OK && config_edit_add(f->text, f->len, line, &e) < 0) {
                log_error("out of memory");
                rc = EXIT_FAILED;
        } else if (rc == EXIT_OK) {
                rc = commit_edit(f, &e, &c, dry_run);
                config_edit_done(&e);
        }
        context_done(&c);
        return rc;
}

int cmd_add(const struct context_options *o, const char *selector, char **options, bool dry_run)
{
        struct edit_file f = { 0 };
        int rc = add(o, &f, selector, options, dry_run);

        edit_file_done(&f);
        return rc;
}

static int remove_lines(const struct context_options *o, struct edit_file *f, const char *selector, bool dry_run)
{
        struct context_options co = *o;
        struct config_edit e;
        struct selector sel;
        struct context c;
        char a[PATH_MAX], b[128];

        int rc = parse_selector(selector, &sel);
        if (rc == EXIT_OK)
                rc = edit_file_open(o, f);
        if (rc != EXIT_OK)
                return rc;
        int k = config_edit_remove(f->text, f->len, &sel, &e);
        if (k == -ENOENT) {
                log_error("%s: no device line for %s: nothing to remove", sanitize(f->shown, a, sizeof(a)),
                          sanitize(selector, b, sizeof(b)));
                return EXIT_FAILED;
        }
        if (k < 0) {
                log_error("out of memory");
                return EXIT_FAILED;
        }
        /* The machine only says which generator regenerates the image: the configuration is not read. */
        co.no_config = true;
        co.header_only = true;
        co.initramfs = true;
        rc = context_load(&co, &c);
        if (rc == EXIT_OK) {
                rc = commit_edit(f, &e, &c, dry_run);
                context_done(&c);
        }
        config_edit_done(&e);
        return rc;
}

int cmd_remove(const struct context_options *o, const char *selector, bool dry_run)
{
        struct edit_file f = { 0 };
        int rc = remove_lines(o, &f, selector, dry_run);

        edit_file_done(&f);
        return rc;
}
