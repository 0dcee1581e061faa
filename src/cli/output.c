/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "output.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "analyse.h"
#include "json.h"
#include "listing.h"
#include "macro.h"
#include "pciname.h"
#include "protect.h"
#include "sanitize.h"
#include "select.h"

/* Text is wrapped to fit an 80-column terminal with a little margin. */
#define WRAP_WIDTH 78
#define ID_WIDTH_MAX 24
#define NAME_MAX_LEN 256

#define ANSI_RESET "\033[0m"

static int output_result(FILE *f)
{
        return ferror(f) ? -EIO : 0;
}

/* Untrusted bytes (sysfs, config, pci.ids) reach a terminal through the one policy of
 * sanitize.h: printable UTF-8 kept, the rest escaped. Prints N bytes of S; returns the columns
 * they take. */
static size_t put_clean(FILE *f, const char *s, size_t n)
{
        _cleanup_free_ char *raw = strndup(s, n), *buf = malloc(4 * n + 1);

        if (!raw || !buf)
                return 0;
        sanitize(raw, buf, 4 * n + 1);
        fputs(buf, f);
        return sanitize_width(buf, strlen(buf));
}

static const char *clean(const char *s, char *buf, size_t size)
{
        return sanitize(s, buf, size);
}

/* Columns CLEAN (sanitized) takes: what pads a column, not its bytes. */
static int text_width(const char *clean)
{
        return (int)sanitize_width(clean, strlen(clean));
}

/* CLEAN (sanitized) padded with spaces to WIDTH columns. */
static void put_padded(FILE *f, const char *clean, int width)
{
        fputs(clean, f);
        for (int w = text_width(clean); w < width; w++)
                fputc(' ', f);
}

static void put_spaces(FILE *f, size_t n)
{
        while (n-- > 0)
                fputc(' ', f);
}

/*
 * TEXT from column COL on, broken at spaces before WRAP_WIDTH, continuation lines indented by
 * INDENT; a newline in TEXT starts a new line. Ends the line.
 */
static void print_wrapped(FILE *f, const char *text, size_t col, size_t indent)
{
        const char *p = text ? text : "";
        bool line_empty = true;

        while (*p) {
                if (*p == '\n') {
                        fputc('\n', f);
                        put_spaces(f, indent);
                        col = indent;
                        line_empty = true;
                        p++;
                        continue;
                }
                if (*p == ' ' || *p == '\t') {
                        p++;
                        continue;
                }
                size_t n = strcspn(p, " \t\n");
                if (!line_empty && col + 1 + n > WRAP_WIDTH) {
                        fputc('\n', f);
                        put_spaces(f, indent);
                        col = indent;
                        line_empty = true;
                }
                if (!line_empty) {
                        fputc(' ', f);
                        col++;
                }
                col += put_clean(f, p, n);
                line_empty = false;
                p += n;
        }
        fputc('\n', f);
}

/* How each status looks: its word, and its colour on a terminal. */
static const struct {
        const char *word, *color;
} status_look[] = {
        [CHECK_PASS] = { "PASS", "\033[32m" },
        [CHECK_INFO] = { "INFO", "\033[34m" },
        [CHECK_WARN] = { "WARN", "\033[33m" },
        [CHECK_FAIL] = { "FAIL", "\033[31m" },
};

static size_t id_width(const struct report *rep)
{
        size_t w = 0;

        for (size_t i = 0; i < rep->n_findings; i++) {
                const char *id = rep->findings[i].id;
                char buf[NAME_MAX_LEN];
                size_t n = id ? (size_t)text_width(clean(id, buf, sizeof(buf))) : 0;
                if (n > w && n <= ID_WIDTH_MAX)
                        w = n;
        }
        return w;
}

/* "PASS  iommu-hardware   message", the hint below it. */
static void print_finding(FILE *f, const struct finding *x, size_t idw, bool color)
{
        const char *id = x->id ? x->id : "";
        size_t n;

        if (color)
                fprintf(f, "%s%s%s  ", status_look[x->status].color, status_look[x->status].word, ANSI_RESET);
        else
                fprintf(f, "%s  ", status_look[x->status].word);
        n = put_clean(f, id, strlen(id));
        put_spaces(f, n < idw ? idw - n + 2 : 2);
        print_wrapped(f, x->message, 6 + (n < idw ? idw : n) + 2, 6 + idw + 2);
        if (x->hint && *x->hint) {
                fputs("      hint: ", f);
                print_wrapped(f, x->hint, 12, 12);
        }
}

static bool is_selected(const struct selection *sel, size_t device)
{
        if (!sel)
                return false;
        for (size_t i = 0; i < sel->n_items; i++)
                if (sel->items[i].device == device)
                        return true;
        return false;
}

static bool is_blocker(const struct group_analysis *ga, size_t device)
{
        for (size_t i = 0; i < ga->n_blockers; i++)
                if (ga->blockers[i] == device)
                        return true;
        return false;
}

static const char *device_role(const struct check_input *in, const struct group_analysis *ga, size_t di)
{
        const struct pci_device *d = &in->machine->devices[di];

        if (is_selected(in->selection, di))
                return "selected";
        if (is_blocker(ga, di))
                return "blocker";
        if (pci_device_is_bridge(d))
                return "bridge";
        if (pci_device_is_host_bridge(d))
                return "host bridge";
        return "not a blocker";
}

static const char *driver_or_dash(const struct pci_device *d)
{
        return d->driver ? d->driver : "-";
}

struct group_widths {
        int class, driver;
};

static struct group_widths group_measure(const struct machine *m, const struct iommu_group *g)
{
        struct group_widths w = { 0, 0 };
        char buf[NAME_MAX_LEN];

        for (size_t i = 0; i < g->n_devices; i++) {
                if (g->devices[i] >= m->n_devices)
                        continue;
                const struct pci_device *d = &m->devices[g->devices[i]];
                int c = (int)strlen(pci_class_name(d->class));
                int n = text_width(clean(driver_or_dash(d), buf, sizeof(buf)));
                w.class = c > w.class ? c : w.class;
                w.driver = n > w.driver ? n : w.driver;
        }
        return w;
}

/* Verbose: one analysed group as a small table of its devices and their part in it. */
static void print_group_table(FILE *f, const struct check_input *in, const struct group_analysis *ga)
{
        const struct machine *m = in->machine;
        const struct iommu_group *g = &m->groups[ga->group];
        struct group_widths w = group_measure(m, g);

        if (ga->isolated)
                fprintf(f, "\ngroup %ld: isolated\n", g->id);
        else
                fprintf(f, "\ngroup %ld: not isolated, %zu blocker%s\n", g->id, ga->n_blockers,
                        ga->n_blockers == 1 ? "" : "s");
        for (size_t i = 0; i < g->n_devices; i++) {
                if (g->devices[i] >= m->n_devices)
                        continue;
                const struct pci_device *d = &m->devices[g->devices[i]];
                char addr[NAME_MAX_LEN], drv[NAME_MAX_LEN];
                fprintf(f, "  %s  %-*s  ", clean(d->name, addr, sizeof(addr)), w.class, pci_class_name(d->class));
                put_padded(f, clean(driver_or_dash(d), drv, sizeof(drv)), w.driver);
                fprintf(f, "  %s\n", device_role(in, ga, g->devices[i]));
        }
}

static void print_summary(FILE *f, const struct report *rep)
{
        size_t fails = 0, warns = 0;

        for (size_t i = 0; i < rep->n_findings; i++) {
                fails += rep->findings[i].status == CHECK_FAIL;
                warns += rep->findings[i].status == CHECK_WARN;
        }
        fputc('\n', f);
        if (!rep->ready && fails > 0)
                fprintf(f, "not ready: %zu check%s failed\n", fails, fails == 1 ? "" : "s");
        else if (!rep->ready)
                fputs("not ready\n", f);
        else if (warns > 0)
                fprintf(f, "ready, with %zu warning%s\n", warns, warns == 1 ? "" : "s");
        else
                fputs("ready: every check passed\n", f);
}

int output_check_text(FILE *f, const struct check_input *in, const struct report *rep, const struct output_style *st)
{
        size_t idw = id_width(rep);

        for (size_t i = 0; i < rep->n_findings; i++)
                print_finding(f, &rep->findings[i], idw, st && st->color);
        if (st && st->verbose && in && in->machine && in->analysis)
                for (size_t i = 0; i < in->analysis->n_groups; i++)
                        if (in->analysis->groups[i].group < in->machine->n_groups)
                                print_group_table(f, in, &in->analysis->groups[i]);
        print_summary(f, rep);
        return output_result(f);
}

static void json_hex(struct json *j, const char *key, unsigned v, int digits)
{
        char buf[16];

        snprintf(buf, sizeof(buf), "%0*x", digits, v);
        json_key(j, key);
        json_string(j, buf);
}

/* The identity of a device, shared by both documents. */
static void json_device_ids(struct json *j, const struct pci_device *d)
{
        json_key(j, "address");
        json_string(j, d->name);
        json_hex(j, "vendor", d->vendor, 4);
        json_hex(j, "device", d->device, 4);
        json_hex(j, "class", d->class & 0xffffff, 6);
        json_key(j, "driver");
        json_string(j, d->driver);
}

static void json_iommu(struct json *j, const struct iommu_summary *s)
{
        json_key(j, "iommu");
        json_object_begin(j);
        json_key(j, "vendor");
        json_string(j, iommu_vendor_to_string(s->vendor));
        json_key(j, "hardware");
        json_bool(j, s->hardware);
        json_key(j, "enabled");
        json_bool(j, s->enabled);
        json_key(j, "mode");
        json_string(j, iommu_mode_to_string(s->mode));
        json_object_end(j);
}

static void json_checks(struct json *j, const struct report *rep)
{
        json_key(j, "checks");
        json_array_begin(j);
        for (size_t i = 0; i < rep->n_findings; i++) {
                const struct finding *x = &rep->findings[i];
                json_object_begin(j);
                json_key(j, "id");
                json_string(j, x->id ? x->id : "");
                json_key(j, "status");
                json_string(j, check_status_to_string(x->status));
                json_key(j, "message");
                json_string(j, x->message ? x->message : "");
                json_key(j, "hint");
                json_string(j, x->hint);
                if (x->file) {
                        json_key(j, "file");
                        json_string(j, x->file);
                        json_key(j, "line");
                        json_int(j, x->line);
                }
                json_object_end(j);
        }
        json_array_end(j);
}

static void json_selected_device(struct json *j, const struct check_input *in, size_t di)
{
        const struct pci_device *d = &in->machine->devices[di];

        json_object_begin(j);
        json_device_ids(j, d);
        json_key(j, "group");
        if (d->iommu_group >= 0)
                json_int(j, d->iommu_group);
        else
                json_null(j);
        json_key(j, "boot_vga");
        json_bool(j, d->boot_vga == TRI_YES);
        json_key(j, "root_device");
        json_bool(j, protect_is_root_device(in->rootinfo, in->machine, di));
        json_object_end(j);
}

static void json_devices(struct json *j, const struct check_input *in)
{
        const struct selection *sel = in->selection;

        json_key(j, "devices");
        json_array_begin(j);
        for (size_t i = 0; sel && in->machine && i < sel->n_items; i++)
                if (sel->items[i].device < in->machine->n_devices)
                        json_selected_device(j, in, sel->items[i].device);
        json_array_end(j);
}

static void json_device_names(struct json *j, const struct machine *m, const size_t *devices, size_t n)
{
        json_array_begin(j);
        for (size_t i = 0; i < n; i++)
                if (devices[i] < m->n_devices)
                        json_string(j, m->devices[devices[i]].name);
        json_array_end(j);
}

static void json_groups(struct json *j, const struct check_input *in)
{
        const struct analysis *a = in->analysis;
        const struct machine *m = in->machine;

        json_key(j, "groups");
        json_array_begin(j);
        for (size_t i = 0; a && m && i < a->n_groups; i++) {
                const struct group_analysis *ga = &a->groups[i];
                if (ga->group >= m->n_groups)
                        continue;
                const struct iommu_group *g = &m->groups[ga->group];
                json_object_begin(j);
                json_key(j, "id");
                json_int(j, g->id);
                json_key(j, "isolated");
                json_bool(j, ga->isolated);
                json_key(j, "devices");
                json_device_names(j, m, g->devices, g->n_devices);
                json_key(j, "blockers");
                json_device_names(j, m, ga->blockers, ga->n_blockers);
                json_object_end(j);
        }
        json_array_end(j);
}

int output_check_json(FILE *f, const struct check_input *in, const struct report *rep)
{
        struct json j;

        json_init(&j, f);
        json_object_begin(&j);
        json_key(&j, "version");
        json_int(&j, 1);
        json_key(&j, "ready");
        json_bool(&j, rep->ready);
        json_iommu(&j, &rep->iommu);
        json_checks(&j, rep);
        json_devices(&j, in);
        json_groups(&j, in);
        json_object_end(&j);
        json_finish(&j);
        return output_result(f);
}

/* --list: the devices in table order, grouped ones by group id, then the groupless ones. */
struct list_row {
        size_t device;
        long group; /* -1: no group */
};

static int list_rows(const struct machine *m, struct list_row **ret, size_t *ret_n)
{
        size_t cap = m->n_devices, n = 0;
        struct list_row *rows;

        for (size_t g = 0; g < m->n_groups; g++)
                cap += m->groups[g].n_devices;
        rows = calloc(cap ? cap : 1, sizeof(*rows));
        if (!rows)
                return -ENOMEM;
        for (size_t g = 0; g < m->n_groups; g++)
                for (size_t i = 0; i < m->groups[g].n_devices; i++)
                        if (m->groups[g].devices[i] < m->n_devices)
                                rows[n++] = (struct list_row){ m->groups[g].devices[i], m->groups[g].id };
        for (size_t i = 0; i < m->n_devices; i++)
                if (m->devices[i].group == NONE)
                        rows[n++] = (struct list_row){ i, -1 };
        *ret = rows;
        *ret_n = n;
        return 0;
}

struct list_widths {
        int group, path, class, driver;
};

static int max_int(int a, size_t b)
{
        return (size_t)a > b ? a : (int)b;
}

static const char *path_or_dash(const struct list_device *ld)
{
        return ld->path[0] ? ld->path : "-";
}

static struct list_widths list_measure(const struct machine *m, const struct listing *l, const struct list_row *rows,
                                       size_t n)
{
        /* At least as wide as the column titles. */
        struct list_widths w = { 5, 4, 5, 6 };
        char buf[NAME_MAX_LEN];

        for (size_t i = 0; i < n; i++) {
                const struct pci_device *d = &m->devices[rows[i].device];
                if (rows[i].group >= 0)
                        w.group = max_int(w.group, (size_t)snprintf(buf, sizeof(buf), "%ld", rows[i].group));
                w.path = max_int(w.path, strlen(path_or_dash(&l->devices[rows[i].device])));
                w.class = max_int(w.class, strlen(pci_class_name(d->class)));
                w.driver = max_int(w.driver, (size_t)text_width(clean(driver_or_dash(d), buf, sizeof(buf))));
        }
        return w;
}

/* What a user choosing devices must know about one, as "(bridge)  (boot VGA)" notes after its name. */
static void list_notes(const struct machine *m, const struct list_device *ld, size_t di, struct sbuf *b)
{
        const char *backs = listing_backs(ld);

        if (pci_device_is_bridge(&m->devices[di]))
                sbuf_appendf(b, "  (bridge)");
        if (ld->boot_vga)
                sbuf_appendf(b, "  (boot VGA)");
        if (ld->on_vfio)
                sbuf_appendf(b, "  (on vfio-pci)");
        if (backs)
                sbuf_appendf(b, "  (backs %s)", backs);
        else if (ld->protect.verdict == PROTECT_ROOT_DEVICE)
                sbuf_appendf(b, "  (kept for %s)", listing_what(ld));
        else if (ld->protect.verdict == PROTECT_ROOT_UNKNOWN)
                sbuf_appendf(b, "  (may hold root)");
        else if (ld->protect.verdict == PROTECT_BUSY)
                sbuf_appendf(b, "  (in use: %s)", ld->protect.busy);
}

/* "  14  0000:01:00.0  0000:00:01.0/00.0  VGA compatible controller  [10de:2484]  nvidia  GA104 [...]". */
static void list_print_row(FILE *f, const struct machine *m, const struct listing *l, const struct list_row *row,
                           const struct list_widths *w)
{
        const struct pci_device *d = &m->devices[row->device];
        const char *class = pci_class_name(d->class);
        char name[NAME_MAX_LEN], addr[NAME_MAX_LEN], drv[NAME_MAX_LEN], grp[24];
        const char *dn;
        struct sbuf tail = { 0 };

        dn = pci_device_name(d->vendor, d->device, d->class, name, sizeof(name));
        if (dn == class)
                dn = ""; /* unknown to pci.ids: the class column says it already */
        if (row->group >= 0)
                snprintf(grp, sizeof(grp), "%ld", row->group);
        else
                strcpy(grp, "-");
        fprintf(f, "  %*s  %s  %-*s  %-*s  [%04x:%04x]  ", w->group, grp, clean(d->name, addr, sizeof(addr)), w->path,
                path_or_dash(&l->devices[row->device]), w->class, class, d->vendor, d->device);
        clean(driver_or_dash(d), drv, sizeof(drv));
        sbuf_appendf(&tail, "%s", dn);
        list_notes(m, &l->devices[row->device], row->device, &tail);
        const char *t = tail.s ? tail.s : "";
        if (!*dn && *t)
                t += 2; /* no name: the notes start the column */
        if (!*t)
                fprintf(f, "%s\n", drv);
        else {
                put_padded(f, drv, w->driver);
                fputs("  ", f);
                put_clean(f, t, strlen(t));
                fputc('\n', f);
        }
        sbuf_done(&tail);
}

static void list_print_header(FILE *f, const struct list_widths *w)
{
        fprintf(f, "  %*s  %-12s  %-*s  %-*s  %-11s  %-*s  %s\n", w->group, "GROUP", "ADDRESS", w->path, "PATH",
                w->class, "CLASS", "ID", w->driver, "DRIVER", "NAME");
}

/* Below the table: which groups can go to a virtual machine whole, and why the others cannot. */
static void list_print_isolation(FILE *f, const struct machine *m, const struct listing *l)
{
        struct sbuf iso = { 0 };

        for (size_t g = 0; g < m->n_groups; g++) {
                const struct list_group *lg = &l->groups[g];
                if (lg->tried == NONE)
                        continue;
                if (lg->isolated) {
                        sbuf_appendf(&iso, "%s%ld", iso.len ? ", " : "", m->groups[g].id);
                        continue;
                }
                struct sbuf b = { 0 };
                const struct group_analysis ga = { .group = g, .blockers = lg->blockers, .n_blockers = lg->n_blockers };
                (void)analysis_blockers_text(m, &ga, &b);
                sbuf_appendf(&b, " %s it too", lg->n_blockers == 1 ? "shares" : "share");
                fprintf(f, "group %ld is not isolated: with %s selected, ", m->groups[g].id,
                        m->devices[lg->tried].name);
                print_wrapped(f, b.s, 40, 2);
                sbuf_done(&b);
        }
        if (iso.len) {
                fputs("isolated groups: ", f);
                print_wrapped(f, iso.s, 17, 2);
        }
        sbuf_done(&iso);
}

int output_list_text(FILE *f, const struct check_input *in, const struct output_style *st)
{
        const struct machine *m = in->machine;
        _cleanup_free_ struct list_row *rows = NULL;
        struct listing l;
        size_t n;
        int r;

        r = list_rows(m, &rows, &n);
        if (r >= 0)
                r = listing_build(m, in->rootinfo, &l);
        if (r < 0)
                return r;
        struct list_widths w = list_measure(m, &l, rows, n);
        if (n > 0)
                list_print_header(f, &w);
        for (size_t i = 0; i < n; i++)
                list_print_row(f, m, &l, &rows[i], &w);
        if (m->n_devices == 0)
                fputs("no PCI devices found\n", f);
        if (m->n_groups == 0)
                fputs("the IOMMU is off: there are no IOMMU groups, so no device can be passed through\n", f);
        list_print_isolation(f, m, &l);
        /* A garbage attribute reads as 0000:0000 above: say that the table is not the whole truth. */
        if (m->n_problems > 0)
                fprintf(f, "%zu sysfs attribute%s could not be read or made no sense: 'vfio-prep --check' lists %s\n",
                        m->n_problems, m->n_problems == 1 ? "" : "s", m->n_problems == 1 ? "it" : "them");
        listing_done(&l, m);
        return output_result(f);
}

static void json_list_device(struct json *j, const struct machine *m, const struct listing *l, size_t di)
{
        const struct pci_device *d = &m->devices[di];
        const struct list_device *ld = &l->devices[di];

        json_object_begin(j);
        json_device_ids(j, d);
        json_key(j, "bridge");
        json_bool(j, pci_device_is_bridge(d));
        json_key(j, "path");
        json_string(j, ld->path[0] ? ld->path : NULL);
        json_key(j, "boot_vga");
        json_bool(j, ld->boot_vga);
        json_key(j, "on_vfio");
        json_bool(j, ld->on_vfio);
        json_key(j, "root_device");
        json_bool(j, ld->protect.verdict == PROTECT_ROOT_DEVICE);
        json_key(j, "backs");
        json_string(j, listing_backs(ld));
        json_object_end(j);
}

static void json_list_group(struct json *j, const struct machine *m, const struct listing *l, size_t gi)
{
        const struct iommu_group *g = &m->groups[gi];

        json_object_begin(j);
        json_key(j, "id");
        json_int(j, g->id);
        json_key(j, "type");
        json_string(j, g->type);
        json_key(j, "isolated");
        json_bool(j, l->groups[gi].isolated);
        json_key(j, "blockers");
        json_device_names(j, m, l->groups[gi].blockers, l->groups[gi].n_blockers);
        json_key(j, "devices");
        json_array_begin(j);
        for (size_t i = 0; i < g->n_devices; i++)
                if (g->devices[i] < m->n_devices)
                        json_list_device(j, m, l, g->devices[i]);
        json_array_end(j);
        json_object_end(j);
}

int output_list_json(FILE *f, const struct check_input *in)
{
        const struct machine *m = in->machine;
        struct listing l;
        struct json j;
        int r = listing_build(m, in->rootinfo, &l);

        if (r < 0)
                return r;
        json_init(&j, f);
        json_object_begin(&j);
        json_key(&j, "version");
        json_int(&j, 1);
        struct iommu_summary s = iommu_summarize(m, in->cmdline);
        json_iommu(&j, &s);
        json_key(&j, "groups");
        json_array_begin(&j);
        for (size_t i = 0; i < m->n_groups; i++)
                json_list_group(&j, m, &l, i);
        json_array_end(&j);
        /* Without IOMMU groups (the IOMMU is off) every device is here. */
        json_key(&j, "ungrouped_devices");
        json_array_begin(&j);
        for (size_t i = 0; i < m->n_devices; i++)
                if (m->devices[i].group == NONE)
                        json_list_device(&j, m, &l, i);
        json_array_end(&j);
        json_object_end(&j);
        json_finish(&j);
        listing_done(&l, m);
        return output_result(f);
}
