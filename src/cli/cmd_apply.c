/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The modes that write: --apply and --release. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "bind.h"
#include "commands.h"
#include "exitcode.h"
#include "log.h"
#include "array.h"
#include "machine.h"
#include "macro.h"
#include "plan.h"
#include "record.h"
#include "root.h"
#include "sbuf.h"

struct apply_run {
        struct context *c;
        const struct context_options *o;
        struct bind_options bopt;
        struct record_entry *entries;
        char **reasons; /* owned strings the entries point to */
        size_t n_entries, n_reasons;
        bool failed;
        bool told_load; /* the dry run said once where vfio-pci is loaded */
        bool second;    /* --sysroot: the second pass, root mounted (see vfio-prep(8), "BOOT") */
};

static void print_write(void *userdata, const char *path, const char *value)
{
        char v[64], p[512];
        bool dry = *(bool *)userdata;
        size_t n = strlen(value);

        snprintf(v, sizeof(v), "%.*s", (int)(n > 0 && value[n - 1] == '\n' ? n - 1 : n), value);
        if (dry)
                printf("  write '%s' > %s\n", sanitize(v, v, sizeof(v)), sanitize(path, p, sizeof(p)));
        else
                log_debug("wrote '%s' to %s", sanitize(v, v, sizeof(v)), sanitize(path, p, sizeof(p)));
}

static const char *dev_name(const struct apply_run *a, size_t device)
{
        return a->c->machine.devices[device].name;
}

/* REASON must outlive the run (a static string), unless OWNED: then a copy is kept. */
static int add_entry(struct apply_run *a, size_t device, bool bound, const char *reason, bool owned)
{
        if (owned && reason) {
                if (strv_push(&a->reasons, &a->n_reasons, reason) < 0)
                        return -ENOMEM;
                reason = a->reasons[a->n_reasons - 1];
        }
        if (array_grow(&a->entries, a->n_entries) < 0)
                return -ENOMEM;
        struct record_entry *e = &a->entries[a->n_entries++];
        snprintf(e->name, sizeof(e->name), "%s", dev_name(a, device));
        e->bound = bound;
        e->reason = reason;
        e->pass = a->second ? 2 : 1;
        return 0;
}

/* "not isolated: IOMMU group 6 is shared with 0000:04:02.0 (e1000)": who blocks, by name. */
static void describe_blockers(const struct context *c, const struct plan_group *pg, char *buf, size_t size)
{
        const struct machine *m = &c->machine;
        const struct group_analysis *ga = analysis_find(&c->analysis, pg->group);
        struct sbuf b = { 0 };

        sbuf_appendf(&b, "%s", refusal_to_string(REFUSE_NOT_ISOLATED));
        if (ga && ga->n_blockers > 0 && pg->group != NONE) {
                sbuf_appendf(&b, ": IOMMU group %ld is shared with ", m->groups[pg->group].id);
                (void)analysis_blockers_text(m, ga, &b);
        }
        snprintf(buf, size, "%s", b.oom ? refusal_to_string(REFUSE_NOT_ISOLATED) : b.s);
        sbuf_done(&b);
}

void refusal_text(const struct context *c, const struct plan_group *pg, const struct plan_device *pd, char *buf,
                  size_t size)
{
        enum refusal why = pd->refusal != REFUSE_NONE ? pd->refusal : pg->refusal;

        if (why == REFUSE_NOT_ISOLATED)
                describe_blockers(c, pg, buf, size);
        else if (why == REFUSE_BUSY)
                snprintf(buf, size, "%s: %s", refusal_to_string(why), strna(rootinfo_busy(&c->rootinfo, pd->device)));
        else
                snprintf(buf, size, "%s", refusal_to_string(why));
}

static void refuse_group(struct apply_run *a, const struct plan_group *pg)
{
        char text[512], shown[512];

        for (size_t i = 0; i < pg->n_devices; i++) {
                const struct plan_device *pd = &pg->devices[i];
                refusal_text(a->c, pg, pd, text, sizeof(text));
                log_warning("%s: left to the host: %s", dev_name(a, pd->device), sanitize(text, shown, sizeof(shown)));
                (void)add_entry(a, pd->device, false, text, true);
        }
        a->failed = true;
}

/*
 * The first pass at boot: the initramfs's own file system is "/" and no --sysroot was given.
 * Only there does a second pass follow; on a running system a refusal stays a refusal.
 */
static bool first_pass(const struct apply_run *a)
{
        return !a->second && a->c->rootinfo.in_initramfs;
}

/*
 * In the first pass, before udev, no storage driver has made the root device appear: a storage
 * controller refused for that alone waits for the second pass, which sees the mounted root.
 * Not a failure of the first pass.
 */
static bool deferred_to_second_pass(const struct apply_run *a, const struct plan_group *pg)
{
        bool root_unknown = false;

        if (!first_pass(a))
                return false;
        for (size_t i = 0; i < pg->n_devices; i++) {
                enum refusal why = pg->devices[i].refusal;
                if (why == REFUSE_ROOT_UNKNOWN)
                        root_unknown = true;
                else if (why != REFUSE_NESTED)
                        return false;
        }
        return root_unknown;
}

static void defer_group(struct apply_run *a, const struct plan_group *pg)
{
        static const char text[] = "deferred to the second pass: the root device is not known yet";

        for (size_t i = 0; i < pg->n_devices; i++) {
                log_notice("%s: %s", dev_name(a, pg->devices[i].device), text);
                (void)add_entry(a, pg->devices[i].device, false, text, false);
        }
}

static void report_bound(struct apply_run *a, const struct plan_group *pg)
{
        for (size_t i = 0; i < pg->n_devices; i++) {
                const struct plan_device *pd = &pg->devices[i];
                const struct pci_device *d = &a->c->machine.devices[pd->device];
                if (pd->on_vfio)
                        log_info("%s: already on vfio-pci", d->name);
                else if (d->driver)
                        log_notice("%s: bound to vfio-pci (taken from %s)", d->name, d->driver);
                else
                        log_notice("%s: bound to vfio-pci", d->name);
                (void)add_entry(a, pd->device, true, NULL, false);
        }
}

static void report_bind_failure(struct apply_run *a, const struct plan_group *pg, const struct bind_result *res)
{
        char reason[512];
        const char *who = res->device != NONE ? dev_name(a, res->device) : "group";

        snprintf(reason, sizeof(reason), "%s: %s failed: %s%s%s", who, res->step ? res->step : "binding",
                 strerror(-res->error), res->detail ? ": " : "", res->detail ? res->detail : "");
        log_error("%s; %s", reason,
                  res->rolled_back ? "the group was rolled back to its host drivers"
                                   : "the group could not be fully rolled back");
        for (size_t i = 0; i < pg->n_devices; i++)
                (void)add_entry(a, pg->devices[i].device, false, reason, true);
        a->failed = true;
}

static bool group_needs_work(const struct plan_group *pg)
{
        for (size_t i = 0; i < pg->n_devices; i++)
                if (!pg->devices[i].on_vfio)
                        return true;
        return false;
}

static void apply_group(struct apply_run *a, const struct plan_group *pg)
{
        struct bind_result res = { 0 };

        if (pg->refusal != REFUSE_NONE) {
                if (deferred_to_second_pass(a, pg))
                        defer_group(a, pg);
                else
                        refuse_group(a, pg);
                return;
        }
        if (a->bopt.dry_run || group_needs_work(pg)) {
                if (a->bopt.dry_run) {
                        if (!a->told_load)
                                printf("vfio-pci (and vfio_iommu_type1) are loaded with libkmod after a group's "
                                       "unbinds, before its probes, unless already loaded\n");
                        a->told_load = true;
                        printf("group %ld: bind", pg->group != NONE ? a->c->machine.groups[pg->group].id : -1L);
                        for (size_t i = 0; i < pg->n_devices; i++)
                                printf(" %s", dev_name(a, pg->devices[i].device));
                        printf("\n");
                }
                int k = bind_group(a->c->root, a->c->modload, &a->c->machine, pg, &a->bopt, print_write,
                                   &a->bopt.dry_run, &res);
                if (k < 0) {
                        report_bind_failure(a, pg, &res);
                        bind_result_done(&res);
                        return;
                }
                bind_result_done(&res);
        }
        if (!a->bopt.dry_run)
                report_bound(a, pg);
}

/*
 * The kernel takes sriov_numvfs only from a PF whose driver implements sriov_configure, and
 * before udev no driver holds it: the first pass leaves the VFs to the second, where the PF's
 * driver (loaded by udev) is there. Not a failure of the first pass.
 */
static void defer_sriov(struct apply_run *a, size_t pf, long numvfs)
{
        char text[160];

        snprintf(text, sizeof(text), "%ld virtual functions deferred to the second pass: no driver holds the PF yet",
                 numvfs);
        if (a->bopt.dry_run)
                printf("%s: create %ld virtual functions: deferred to the second pass (no driver holds the PF yet)\n",
                       dev_name(a, pf), numvfs);
        else
                log_notice("%s: %s", dev_name(a, pf), text);
        (void)add_entry(a, pf, false, text, true);
}

/* How long the second pass waits for udev to bind a PF's driver, and how often it looks. */
#define PF_DRIVER_WAIT_MS 5000
#define PF_DRIVER_POLL_MS 100

/*
 * The PF's driver now, NULL when none. In the second pass udev may still be loading it (a NIC
 * whose driver comes after the storage driver that mounted root): wait for it a little.
 */
static char *pf_driver(struct apply_run *a, size_t pf)
{
        const struct pci_device *d = &a->c->machine.devices[pf];
        char path[128];
        char *drv = NULL;

        if (d->driver || !a->second || a->bopt.dry_run)
                return d->driver ? strdup(d->driver) : NULL;
        snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver", d->name);
        for (unsigned waited = 0;; waited += PF_DRIVER_POLL_MS) {
                if (root_link_name(a->c->root, path, &drv) >= 0)
                        return drv;
                if (waited >= PF_DRIVER_WAIT_MS)
                        return NULL;
                if (waited == 0)
                        log_info("%s: waiting up to %d ms for a driver to hold the PF", d->name, PF_DRIVER_WAIT_MS);
                nanosleep(&(struct timespec){ .tv_nsec = PF_DRIVER_POLL_MS * 1000000L }, NULL);
        }
}

static void sriov_failed(struct apply_run *a, size_t pf, long numvfs, int error, const char *driver)
{
        const struct pci_device *d = &a->c->machine.devices[pf];
        char text[200];

        snprintf(text, sizeof(text), "creating %ld virtual functions failed: %s%s", numvfs, strerror(-error),
                 !driver && error == -ENOENT ? " (no driver holds the PF)" : "");
        log_error("%s: %s", d->name, text);
        (void)add_entry(a, pf, false, text, true);
        a->failed = true;
}

/* The PF itself is never bound: its entry says what was done to it, and by which pass. */
static void sriov_created(struct apply_run *a, size_t pf, long numvfs, const char *driver)
{
        const struct pci_device *d = &a->c->machine.devices[pf];
        char text[160];

        snprintf(text, sizeof(text), "SR-IOV PF: %ld virtual functions created; the PF stays with %s", numvfs,
                 driver ? driver : "no driver");
        log_notice("%s: %ld virtual functions created", d->name, numvfs);
        (void)add_entry(a, pf, false, text, true);
}

/* vfs=N: create the VFs first, then the context plans again on the new machine. */
static int apply_sriov(struct apply_run *a)
{
        const struct plan *p = &a->c->plan;
        size_t created = 0;

        if (p->n_sriov == 0)
                return EXIT_OK;
        for (size_t i = 0; i < p->n_sriov; i++) {
                size_t pf = p->sriov[i].device;
                long numvfs = p->sriov[i].numvfs;
                if (first_pass(a) && !a->c->machine.devices[pf].driver) {
                        defer_sriov(a, pf, numvfs);
                        continue;
                }
                if (a->bopt.dry_run)
                        printf("%s: create %ld virtual functions\n", dev_name(a, pf), numvfs);
                _cleanup_free_ char *driver = pf_driver(a, pf);
                int k = sriov_create(a->c->root, &a->c->machine, pf, numvfs, &a->bopt, print_write, &a->bopt.dry_run);
                if (k < 0)
                        sriov_failed(a, pf, numvfs, k, driver);
                else if (!a->bopt.dry_run) {
                        sriov_created(a, pf, numvfs, driver);
                        created++;
                }
        }
        if (a->bopt.dry_run || created == 0)
                return EXIT_OK;
        return context_reload(a->c, a->o);
}

static void report_unmatched(struct apply_run *a)
{
        const struct selection *s = &a->c->selection;

        for (size_t i = 0; i < s->n_unmatched; i++) {
                const struct device_conf *dc = s->unmatched[i].conf;
                char t[128];
                if (dc->optional) {
                        log_info("%s: not present (optional)", sanitize(dc->text, t, sizeof(t)));
                        continue;
                }
                log_warning("%s (%s): no such device", sanitize(dc->text, t, sizeof(t)), dc->origin);
                a->failed = true;
        }
}

/* Execute the context's plan, the one --check renders. */
static int apply_plan(struct apply_run *a)
{
        const struct plan *p = &a->c->plan;

        if (p->global == REFUSE_DISABLED) {
                log_notice(
                        "disabled by vfio-prep.disable on the kernel command line: every device stays with the host");
                return EXIT_OK;
        }
        int rc = apply_sriov(a);
        if (rc != EXIT_OK)
                return rc;
        if (p->global != REFUSE_NONE)
                log_error("%s: no device is bound", refusal_to_string(p->global));
        for (size_t i = 0; i < p->n_groups; i++)
                apply_group(a, &p->groups[i]);
        report_unmatched(a);
        return a->failed ? EXIT_FAILED : EXIT_OK;
}

/* The second pass extends the first pass's record rather than replacing it. */
static int write_record(struct apply_run *a)
{
        struct record_entry *merged;
        size_t n;

        if (!a->second)
                return record_write(a->c->root, a->entries, a->n_entries);
        int k = record_merge(&a->c->machine.record, a->entries, a->n_entries, &merged, &n);
        if (k < 0)
                return k;
        k = record_write(a->c->root, merged, n);
        free(merged);
        return k;
}

/* --sysroot names where the initramfs mounted the real root: it must be a directory. */
static int check_sysroot(struct context *c, const char *dir)
{
        struct stat st;
        char buf[256];
        int k = root_stat(c->root, dir, &st);

        if (k >= 0 && !S_ISDIR(st.st_mode))
                k = -ENOTDIR;
        if (k < 0) {
                log_error("--sysroot %s: %s", sanitize(dir, buf, sizeof(buf)), strerror(-k));
                return EXIT_USAGE;
        }
        return EXIT_OK;
}

int cmd_apply(const struct context_options *o, bool dry_run)
{
        struct context_options co = *o;
        struct context c;

        /* At boot every config read costs time; binding needs headers, not ACS, nor what only
         * --check explains: reserved regions, group types, drivers' modules, reset methods.
         * Device directories go unlisted: what binding reads of each device is there anyway. */
        co.header_only = true;
        co.load_skip = MACHINE_LOAD_NO_REGIONS | MACHINE_LOAD_NO_GROUP_TYPE | MACHINE_LOAD_NO_MODULES |
                       MACHINE_LOAD_NO_RESET | MACHINE_LOAD_NO_DIR_LISTS;
        int rc = context_load(&co, &c);
        if (rc != EXIT_OK)
                return rc;
        if (co.sysroot && (rc = check_sysroot(&c, co.sysroot)) != EXIT_OK) {
                context_done(&c);
                return rc;
        }
        struct apply_run a = {
                .c = &c,
                .o = &co,
                .bopt = { .timeout_ms = BIND_DEFAULT_TIMEOUT_MS, .dry_run = dry_run },
                .second = co.sysroot != NULL,
        };
        if (!dry_run && root_exists(c.root, "/dev/kmsg"))
                log_set_kmsg(c.root);
        if (a.second) {
                char buf[256];
                log_notice("second pass: the real root is mounted at %s", sanitize(co.sysroot, buf, sizeof(buf)));
        }
        if (c.config.n_devices == 0 && c.selection.n_items == 0)
                log_info("nothing is configured");
        if (c.rootinfo.record.problem) {
                char why[512];
                log_warning("ignoring /etc/vfio-prep/root-record: %s",
                            sanitize(c.rootinfo.record.problem, why, sizeof(why)));
        }
        rc = apply_plan(&a);
        if (!dry_run && write_record(&a) < 0)
                log_warning("cannot write the boot record /run/vfio-prep/state.json");
        log_set_kmsg(NULL);
        free(a.entries);
        strv_free(a.reasons);
        context_done(&c);
        return rc;
}

/*
 * What --release gives back, in order (vfio-prep(8), --release): for a display controller, the
 * functions that functions=auto took with it and that are on vfio-pci, then the controller;
 * any other device alone. The context selected DEV alone with default options, so its
 * selection holds exactly those functions.
 */
static int release_order(const struct context *c, size_t dev, size_t **ret, size_t *ret_n)
{
        size_t *order = calloc(c->selection.n_items + 1, sizeof(*order)), n = 0;

        if (!order)
                return -ENOMEM;
        for (size_t i = 0; pci_class_base(c->machine.devices[dev].class) == 0x03 && i < c->selection.n_items; i++) {
                const struct selected *it = &c->selection.items[i];
                const char *drv = c->machine.devices[it->device].driver;
                if (it->why == SELECTED_BY_FUNCTIONS && it->pulled_by == dev && drv && strcmp(drv, "vfio-pci") == 0)
                        order[n++] = it->device;
        }
        order[n++] = dev;
        *ret = order;
        *ret_n = n;
        return 0;
}

static int release_one(struct context *c, size_t dev, const struct bind_options *bopt)
{
        const struct pci_device *d = &c->machine.devices[dev];
        _cleanup_free_ char *driver = NULL;
        bool dry_run = bopt->dry_run;

        if (dry_run)
                printf("%s:\n", d->name);
        int k = bind_release(c->root, &c->machine, dev, bopt, print_write, &dry_run, &driver);
        if (k < 0)
                log_error("%s: release from vfio-pci failed: %s", d->name, strerror(-k));
        else if (!dry_run)
                log_notice("%s: released from vfio-pci; %s", d->name, driver ? driver : "no host driver took it");
        return k;
}

static int release_all(struct context *c, size_t dev, bool dry_run)
{
        struct bind_options bopt = { .timeout_ms = BIND_DEFAULT_TIMEOUT_MS, .dry_run = dry_run };
        _cleanup_free_ size_t *order = NULL;
        size_t n;

        if (release_order(c, dev, &order, &n) < 0) {
                log_error("out of memory");
                return EXIT_FAILED;
        }
        if (dry_run) {
                printf("release");
                for (size_t i = 0; i < n; i++)
                        printf(" %s", c->machine.devices[order[i]].name);
                printf("\n");
        }
        /* A function that stays on vfio-pci keeps the device from its host driver: stop there. */
        for (size_t i = 0; i < n; i++)
                if (release_one(c, order[i], &bopt) < 0)
                        return EXIT_FAILED;
        return EXIT_OK;
}

int cmd_release(const struct context_options *o, const char *address, bool dry_run)
{
        struct context_options co = *o;
        struct pci_addr addr;
        char buf[64];
        /* The device alone with default options: functions=auto says what went with it. */
        char *selected[] = { (char *)address, NULL };

        if (pci_addr_parse(address, &addr) < 0) {
                log_error("invalid PCI address '%s'", sanitize(address, buf, sizeof(buf)));
                return EXIT_USAGE;
        }
        co.no_config = true;
        co.header_only = true;
        co.devices = selected;
        struct context c;
        int rc = context_load(&co, &c);
        if (rc != EXIT_OK)
                return rc;
        size_t dev = machine_find_device(&c.machine, &addr);
        if (dev == NONE) {
                log_error("no PCI device %s", sanitize(address, buf, sizeof(buf)));
                context_done(&c);
                return EXIT_USAGE;
        }
        const struct pci_device *d = &c.machine.devices[dev];
        if (!d->driver || strcmp(d->driver, "vfio-pci") != 0) {
                log_error("%s: not bound to vfio-pci (driver: %s)", d->name, d->driver ? d->driver : "none");
                context_done(&c);
                return EXIT_FAILED;
        }
        rc = release_all(&c, dev, dry_run);
        context_done(&c);
        return rc;
}
