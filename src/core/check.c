/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "check.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "paths.h"
#include "pcicfg.h"
#include "plan.h"
#include "protect.h"
#include "sbuf.h"
/* Load problems listed by name in the sysfs finding; the rest are counted. */
#define PROBLEMS_SHOWN 3

/* ---- building findings ---------------------------------------------------------------- */

/* One finding under construction: the worst status wins, parts are joined with "; ". */
struct fb {
        enum check_status status;
        struct sbuf msg, hint;
};

static _printf_(3, 4) void fb_msg(struct fb *f, enum check_status st, const char *fmt, ...)
{
        va_list ap;

        if (st > f->status)
                f->status = st;
        if (f->msg.len > 0)
                sbuf_appendf(&f->msg, "; ");
        va_start(ap, fmt);
        sbuf_vappendf(&f->msg, fmt, ap);
        va_end(ap);
}

static _printf_(2, 3) void fb_hint(struct fb *f, const char *fmt, ...)
{
        va_list ap;

        if (f->hint.len > 0)
                sbuf_appendf(&f->hint, "; ");
        va_start(ap, fmt);
        sbuf_vappendf(&f->hint, fmt, ap);
        va_end(ap);
}

/* A hint naming the user's boot loader file and command, with TAIL after it. */
static void fb_hint_boot(struct fb *f, const struct check_input *in, bool add, const char *param, const char *tail)
{
        _cleanup_free_ char *s = NULL;
        int k = add ? bootloader_hint_add(in->bootloader, param, &s)
                    : bootloader_hint_remove(in->bootloader, param, &s);

        if (k < 0) {
                f->hint.oom = true;
                return;
        }
        fb_hint(f, "%s%s", s, tail ? tail : "");
}

static void fb_done(struct fb *f)
{
        free(f->msg.s);
        free(f->hint.s);
}

static int report_push(struct report *r, const char *id, struct fb *f)
{
        if (f->msg.oom || f->hint.oom)
                return -ENOMEM;
        struct finding *x = realloc(r->findings, (r->n_findings + 1) * sizeof(*x));
        if (!x)
                return -ENOMEM;
        r->findings = x;
        char *cid = strdup(id);
        char *msg = strdup(f->msg.s ? f->msg.s : "");
        if (!cid || !msg) {
                free(cid);
                free(msg);
                return -ENOMEM;
        }
        x[r->n_findings++] = (struct finding){
                .status = f->status,
                .id = cid,
                .message = msg,
                .hint = f->hint.len > 0 ? TAKE_PTR(f->hint.s) : NULL,
        };
        return 0;
}

/* Add the finding and free the builder, in one step so that no path leaks it. */
static int emit(struct report *r, const char *id, struct fb *f)
{
        int k = report_push(r, id, f);
        fb_done(f);
        return k;
}

/* ---- small lookups ---------------------------------------------------------------------- */

struct ctx {
        const struct check_input *in;
        const struct machine *m;
        const struct cmdline *c;
        const struct plan *plan;
        struct iommu_summary sum;
};

static const struct cmdline_param *param_get(const struct cmdline *c, const char *key)
{
        return c ? cmdline_get(c, key) : NULL;
}

static bool value_has_token(const char *value, const char *token)
{
        size_t n = strlen(token);

        for (const char *p = value; p && *p;) {
                size_t len = strcspn(p, ",");
                if (len == n && strncmp(p, token, n) == 0)
                        return true;
                p += len;
                p += *p == ',';
        }
        return false;
}

/* The last KEY=... whose comma-separated value holds TOKEN: __setup() options see every
 * occurrence, not only the last one. */
static const struct cmdline_param *find_token(const struct cmdline *c, const char *key, const char *token)
{
        const struct cmdline_param *hit = NULL;

        for (size_t i = 0; c && i < c->n_params; i++)
                if (cmdline_key_eq(c->params[i].key, key) && value_has_token(c->params[i].value, token))
                        hit = &c->params[i];
        return hit;
}

/* "key=value" as written, for hints; NULL on allocation failure. */
static char *param_text(const struct cmdline_param *p)
{
        char *s = NULL;

        if (asprintf(&s, "%s%s%s", p->key, p->value ? "=" : "", p->value ? p->value : "") < 0)
                return NULL;
        return s;
}

static void fb_hint_remove_param(struct fb *f, const struct check_input *in, const struct cmdline_param *p,
                                 const char *tail)
{
        _cleanup_free_ char *t = param_text(p);

        if (!t) {
                f->hint.oom = true;
                return;
        }
        fb_hint_boot(f, in, false, t, tail);
}

static const struct boot_record_entry *record_find(const struct machine *m, const char *name)
{
        for (size_t i = 0; m->record.found && i < m->record.n_entries; i++)
                if (strcmp(m->record.entries[i].name, name) == 0)
                        return &m->record.entries[i];
        return NULL;
}

static const char *config_file(const struct check_input *in)
{
        if (in->config && in->config->n_files > 0 && in->config->files[0])
                return in->config->files[0];
        return VFIO_PREP_CONF;
}

static const char *origin(const struct device_conf *dc)
{
        return dc && dc->origin ? dc->origin : "the configuration";
}

/* Options exist only in files: entries from --device or vfio-prep.devices= take none. */
static void fb_hint_option(struct fb *f, const struct check_input *in, const struct device_conf *dc, const char *option,
                           const char *tail)
{
        if (dc && dc->origin && dc->origin[0] == '/')
                fb_hint(f, "add %s to its entry in %s%s", option, dc->origin, tail);
        else
                fb_hint(f, "put a 'device %s %s' line in %s%s", dc && dc->text ? dc->text : "SELECTOR", option,
                        config_file(in), tail);
}

static const char *dev_name(const struct machine *m, size_t device)
{
        return device < m->n_devices ? m->devices[device].name : "?";
}

static long group_id(const struct machine *m, size_t group)
{
        return group < m->n_groups ? m->groups[group].id : -1;
}

static const char *plural(size_t n)
{
        return n == 1 ? "" : "s";
}

/* ---- the IOMMU summary ------------------------------------------------------------------ */

static enum iommu_vendor vendor_of(const struct machine *m)
{
        if (m->iommu.acpi_dmar)
                return IOMMU_VENDOR_INTEL;
        if (m->iommu.acpi_ivrs)
                return IOMMU_VENDOR_AMD;
        if (m->iommu.acpi_iort)
                return IOMMU_VENDOR_ARM;
        for (size_t i = 0; i < m->iommu.n_units && m->iommu.units; i++) {
                if (strncmp(m->iommu.units[i], "dmar", 4) == 0)
                        return IOMMU_VENDOR_INTEL;
                if (strncmp(m->iommu.units[i], "ivhd", 4) == 0)
                        return IOMMU_VENDOR_AMD;
        }
        switch (m->cpu) {
        case CPU_INTEL:
                return IOMMU_VENDOR_INTEL;
        case CPU_AMD:
                return IOMMU_VENDOR_AMD;
        case CPU_ARM:
                return IOMMU_VENDOR_ARM;
        default:
                return IOMMU_VENDOR_UNKNOWN;
        }
}

/* A boolean as the kernel's kstrtobool() reads it: 1 true, 0 false, -1 neither. */
static int kbool(const char *s)
{
        if (!s || !s[0])
                return -1;
        if (strchr("1yYtT", s[0]))
                return 1;
        if (strchr("0nNfF", s[0]))
                return 0;
        if ((s[0] == 'o' || s[0] == 'O') && s[1])
                return (s[1] == 'n' || s[1] == 'N') ? 1 : (s[1] == 'f' || s[1] == 'F') ? 0 : -1;
        return -1;
}

/* When no group tells its domain type, the command line and the kernel's default do. */
static enum iommu_mode mode_from_settings(const struct machine *m, const struct cmdline *c)
{
        int pt = kbool(c ? cmdline_value(c, "iommu.passthrough") : NULL);

        if (pt >= 0)
                return pt ? IOMMU_MODE_PASSTHROUGH : IOMMU_MODE_TRANSLATED;
        if (m->x86 && find_token(c, "iommu", "pt"))
                return IOMMU_MODE_PASSTHROUGH;
        if (m->kconfig.iommu_default_passthrough == TRI_YES)
                return IOMMU_MODE_PASSTHROUGH;
        if (m->kconfig.iommu_default_passthrough == TRI_NO)
                return IOMMU_MODE_TRANSLATED;
        return IOMMU_MODE_UNKNOWN;
}

/*
 * The default domain type of the groups. A few groups always differ from the rest (an
 * integrated GPU kept in identity, untrusted Thunderbolt devices kept translated under
 * iommu=pt), so the majority decides rather than unanimity; a tie counts as translated.
 */
struct iommu_summary iommu_summarize(const struct machine *m, const struct cmdline *c)
{
        struct iommu_summary s = {
                .vendor = vendor_of(m),
                .hardware = m->iommu.acpi_dmar || m->iommu.acpi_ivrs || m->iommu.acpi_iort || m->iommu.n_units > 0,
                .enabled = m->n_groups > 0,
                .mode = IOMMU_MODE_UNKNOWN,
        };
        size_t identity = 0, dma = 0;

        for (size_t i = 0; i < m->n_groups; i++) {
                const char *t = m->groups[i].type;
                if (!t)
                        continue;
                if (strcmp(t, "identity") == 0)
                        identity++;
                else if (strcmp(t, "DMA") == 0 || strcmp(t, "DMA-FQ") == 0)
                        dma++;
        }
        if (identity + dma > 0)
                s.mode = identity > dma ? IOMMU_MODE_PASSTHROUGH : IOMMU_MODE_TRANSLATED;
        else if (s.enabled)
                s.mode = mode_from_settings(m, c);
        return s;
}

const char *check_status_to_string(enum check_status s)
{
        switch (s) {
        case CHECK_PASS:
                return "pass";
        case CHECK_INFO:
                return "info";
        case CHECK_WARN:
                return "warn";
        case CHECK_FAIL:
                return "fail";
        }
        return "unknown";
}

const char *iommu_vendor_to_string(enum iommu_vendor v)
{
        switch (v) {
        case IOMMU_VENDOR_INTEL:
                return "intel";
        case IOMMU_VENDOR_AMD:
                return "amd";
        case IOMMU_VENDOR_ARM:
                return "arm";
        default:
                return "unknown";
        }
}

const char *iommu_mode_to_string(enum iommu_mode m)
{
        switch (m) {
        case IOMMU_MODE_PASSTHROUGH:
                return "passthrough";
        case IOMMU_MODE_TRANSLATED:
                return "translated";
        default:
                return "unknown";
        }
}

/* ---- iommu-hardware, iommu-enabled, iommu-mode, interrupt-remapping ---------------------- */

static const char *vendor_label(enum iommu_vendor v)
{
        switch (v) {
        case IOMMU_VENDOR_INTEL:
                return "Intel VT-d";
        case IOMMU_VENDOR_AMD:
                return "AMD-Vi";
        case IOMMU_VENDOR_ARM:
                return "Arm SMMU";
        default:
                return "IOMMU";
        }
}

static const char *vendor_table(const struct machine *m)
{
        return m->iommu.acpi_dmar ? "DMAR" : m->iommu.acpi_ivrs ? "IVRS" : m->iommu.acpi_iort ? "IORT" : NULL;
}

static const char *firmware_hint(enum cpu_vendor cpu)
{
        switch (cpu) {
        case CPU_INTEL:
                return "enable VT-d (Intel Virtualization Technology for Directed I/O) in the firmware setup";
        case CPU_AMD:
                return "enable the IOMMU in the firmware setup (called IOMMU or AMD-Vi; on some boards it "
                       "appears only once SVM Mode is enabled)";
        default:
                return "enable the IOMMU in the firmware setup, if this machine has one";
        }
}

static int check_iommu_hardware(const struct ctx *x, struct report *r)
{
        const struct machine *m = x->m;
        const char *table = vendor_table(m);
        size_t n = m->iommu.n_units;
        struct fb f = { 0 };

        if (!x->sum.hardware) {
                fb_msg(&f, CHECK_FAIL, "no IOMMU found: no DMAR, IVRS or IORT table and no IOMMU unit");
                fb_hint(&f, "%s", firmware_hint(m->cpu));
        } else if (table && n == 0)
                fb_msg(&f, CHECK_PASS, "%s (%s table, no unit active)", vendor_label(x->sum.vendor), table);
        else if (table)
                fb_msg(&f, CHECK_PASS, "%s (%s table, %zu unit%s)", vendor_label(x->sum.vendor), table, n, plural(n));
        else
                fb_msg(&f, CHECK_PASS, "%s (%zu unit%s, no ACPI IOMMU table)", vendor_label(x->sum.vendor), n,
                       plural(n));
        return emit(r, "iommu-hardware", &f);
}

/* A parameter on the command line that turns this IOMMU off. */
static const struct cmdline_param *disabling_param(const struct ctx *x)
{
        const struct cmdline_param *p = NULL, *on = NULL;

        if (x->sum.vendor == IOMMU_VENDOR_INTEL) {
                p = find_token(x->c, "intel_iommu", "off");
                on = find_token(x->c, "intel_iommu", "on");
                if (p && on > p) /* a later intel_iommu=on wins */
                        p = NULL;
        } else if (x->sum.vendor == IOMMU_VENDOR_AMD)
                p = find_token(x->c, "amd_iommu", "off");
        if (!p && x->m->x86)
                p = find_token(x->c, "iommu", "off");
        return p;
}

static bool intel_default_off(const struct machine *m)
{
        return m->kconfig.found && m->kconfig.intel_iommu_default_on == TRI_NO &&
               m->kconfig.intel_iommu_default_on_intgpu_off != TRI_YES;
}

static int check_iommu_enabled(const struct ctx *x, struct report *r)
{
        const struct cmdline_param *off = disabling_param(x);
        bool intel_missing_on = x->sum.vendor == IOMMU_VENDOR_INTEL && !find_token(x->c, "intel_iommu", "on");
        struct fb f = { 0 };

        if (x->sum.enabled)
                fb_msg(&f, CHECK_PASS, "%zu IOMMU group%s", x->m->n_groups, plural(x->m->n_groups));
        else if (!x->sum.hardware) {
                fb_msg(&f, CHECK_FAIL, "no IOMMU groups");
                fb_hint(&f, "enable the IOMMU in the firmware setup first (see iommu-hardware)");
        } else {
                fb_msg(&f, CHECK_FAIL, "hardware present but disabled: no IOMMU groups");
                if (off)
                        fb_hint_remove_param(&f, x->in, off, NULL);
                else if (intel_missing_on && intel_default_off(x->m))
                        fb_hint_boot(&f, x->in, true, "intel_iommu=on",
                                     " (this kernel leaves the Intel IOMMU off by default: "
                                     "CONFIG_INTEL_IOMMU_DEFAULT_ON is not set)");
                else if (intel_missing_on && !x->m->kconfig.found)
                        fb_hint_boot(&f, x->in, true, "intel_iommu=on",
                                     " (this kernel's default is unknown: no kernel config was found)");
                else
                        fb_hint(&f, "the firmware reports an IOMMU but the kernel did not enable it: look for "
                                    "errors in 'dmesg | grep -i -e DMAR -e AMD-Vi -e IOMMU', check the IOMMU and "
                                    "DMA protection settings in the firmware setup, and update the firmware");
        }
        return emit(r, "iommu-enabled", &f);
}

static const char *translated_type(const struct machine *m)
{
        for (size_t i = 0; i < m->n_groups; i++)
                if (m->groups[i].type && strncmp(m->groups[i].type, "DMA", 3) == 0)
                        return m->groups[i].type;
        return NULL;
}

static int check_iommu_mode(const struct ctx *x, struct report *r)
{
        const char *type = translated_type(x->m);
        struct fb f = { 0 };

        switch (x->sum.mode) {
        case IOMMU_MODE_PASSTHROUGH:
                fb_msg(&f, CHECK_PASS, "passthrough: host devices use identity mappings");
                break;
        case IOMMU_MODE_TRANSLATED:
                if (type)
                        fb_msg(&f, CHECK_INFO, "translated (%s): host devices' DMA goes through IOMMU page tables",
                               type);
                else
                        fb_msg(&f, CHECK_INFO, "translated: host devices' DMA goes through IOMMU page tables");
                fb_hint_boot(&f, x->in, true, x->m->x86 ? "iommu=pt" : "iommu.passthrough=1",
                             " for host I/O performance (optional: devices given to VMs are isolated either way, "
                             "host devices lose DMA protection)");
                break;
        default:
                fb_msg(&f, CHECK_INFO,
                       x->sum.enabled ? "unknown: no IOMMU group reports its domain type"
                                      : "unknown: the IOMMU is not enabled");
                break;
        }
        return emit(r, "iommu-mode", &f);
}

static int check_interrupt_remapping(const struct ctx *x, struct report *r)
{
        const struct cmdline_param *off = find_token(x->c, "intremap", "off");
        struct fb f = { 0 };

        if (!x->m->x86)
                fb_msg(&f, CHECK_INFO,
                       "not checked on this architecture: MSI isolation is up to the interrupt "
                       "controller (a GICv3 ITS on Arm)");
        else if (x->m->iommu.interrupt_remapping == TRI_YES)
                fb_msg(&f, CHECK_PASS, "enabled");
        else if (x->m->iommu.interrupt_remapping == TRI_UNKNOWN)
                fb_msg(&f, CHECK_WARN, "cannot tell: /proc/interrupts not readable");
        else if (!x->sum.enabled)
                fb_msg(&f, CHECK_WARN, "not enabled: it comes with the IOMMU (see iommu-enabled)");
        else {
                fb_msg(&f, CHECK_WARN,
                       "not enabled: vfio refuses to give devices to a VM without it unless "
                       "vfio_iommu_type1.allow_unsafe_interrupts=1 is set");
                if (off)
                        fb_hint_remove_param(&f, x->in, off, NULL);
                else
                        fb_hint(&f, "enable interrupt remapping in the firmware setup (it comes with VT-d or the "
                                    "AMD IOMMU; x2APIC settings can matter)");
                fb_hint_boot(&f, x->in, true, "vfio_iommu_type1.allow_unsafe_interrupts=1",
                             " only as a last resort: a VM can then inject interrupts (MSIs) into the host");
        }
        return emit(r, "interrupt-remapping", &f);
}

/* ---- cmdline ------------------------------------------------------------------------------ */

/* Passthrough mode asked for the way this architecture understands. */
static bool passthrough_requested(const struct ctx *x)
{
        return kbool(cmdline_value(x->c, "iommu.passthrough")) == 1 || (x->m->x86 && find_token(x->c, "iommu", "pt"));
}

static void lint_invalid_pt(const struct ctx *x, struct fb *f, const char *key)
{
        const struct cmdline_param *p = find_token(x->c, key, "pt");

        if (!p)
                return;
        fb_msg(f, CHECK_WARN, "%s=%s: 'pt' is not a value of %s, the kernel ignores it", p->key, p->value, key);
        if (strcmp(p->value, "pt") == 0)
                fb_hint_remove_param(f, x->in, p, NULL);
        else
                fb_hint(f, "drop 'pt' from '%s=%s'", p->key, p->value);
        if (!passthrough_requested(x))
                fb_hint_boot(f, x->in, true, x->m->x86 ? "iommu=pt" : "iommu.passthrough=1", " for passthrough mode");
}

static void lint_amd_on(const struct ctx *x, struct fb *f)
{
        const struct cmdline_param *p = find_token(x->c, "amd_iommu", "on");

        if (!p)
                return;
        fb_msg(f, CHECK_INFO,
               "%s=%s: 'on' is not a value of amd_iommu and does nothing (the AMD IOMMU is on "
               "whenever the firmware provides an IVRS table)",
               p->key, p->value);
        fb_hint_remove_param(f, x->in, p, " (harmless, only noise)");
}

static void lint_iommu_pt_non_x86(const struct ctx *x, struct fb *f)
{
        const struct cmdline_param *p = find_token(x->c, "iommu", "pt");

        if (!p || x->m->x86)
                return;
        fb_msg(f, CHECK_WARN, "iommu=pt means passthrough only on x86, and this machine is not x86");
        fb_hint_boot(f, x->in, true, "iommu.passthrough=1", " instead");
}

static void lint_intel_on_missing(const struct ctx *x, struct fb *f)
{
        if (x->sum.vendor != IOMMU_VENDOR_INTEL || find_token(x->c, "intel_iommu", "on") || !intel_default_off(x->m))
                return;
        fb_msg(f, CHECK_WARN,
               "intel_iommu=on is missing, and this kernel leaves the Intel IOMMU off without it "
               "(CONFIG_INTEL_IOMMU_DEFAULT_ON is not set)");
        fb_hint_boot(f, x->in, true, "intel_iommu=on", NULL);
}

static void lint_video(const struct ctx *x, struct fb *f)
{
        for (size_t i = 0; x->c && i < x->c->n_params; i++) {
                const struct cmdline_param *p = &x->c->params[i];
                if (!cmdline_key_eq(p->key, "video") || !p->value ||
                    (!strstr(p->value, "efifb:off") && !strstr(p->value, "vesafb:off")))
                        continue;
                fb_msg(f, CHECK_WARN,
                       "video=%s no longer frees a GPU: kernels that hand the firmware framebuffer to "
                       "simpledrm or simplefb ignore it, and since Linux 6.0 vfio-pci removes the firmware "
                       "framebuffer from a GPU it takes",
                       p->value);
                fb_hint_remove_param(f, x->in, p,
                                     "; if a firmware framebuffer still holds the GPU, 'initcall_blacklist=sysfb_init' "
                                     "keeps it from being set up (the host has no console until a GPU driver loads)");
        }
}

static void lint_acs_override(const struct ctx *x, struct fb *f)
{
        const struct cmdline_param *p = param_get(x->c, "pcie_acs_override");

        if (!p)
                return;
        fb_msg(f, CHECK_WARN,
               "pcie_acs_override= is not a mainline kernel option: it comes from an out-of-tree patch (carried "
               "by some kernels, such as Proxmox VE's) that makes the kernel treat devices as isolated when the "
               "hardware does not isolate them, so they can still reach each other by DMA; it has no effect on "
               "a mainline kernel, and vfio-prep cannot tell from sysfs whether this kernel applied it");
        fb_hint_remove_param(f, x->in, p, " and isolate the devices instead (see the group findings)");
}

static void lint_vfio_pci_ids(const struct ctx *x, struct fb *f)
{
        const struct cmdline_param *p = param_get(x->c, "vfio-pci.ids");

        if (!p)
                return;
        fb_msg(f, CHECK_INFO,
               "vfio-pci.ids=%s binds every device with these IDs when vfio-pci loads, without "
               "vfio-prep's checks (root device, boot VGA, isolation)",
               p->value ? p->value : "");
}

static void lint_disable(const struct ctx *x, struct fb *f)
{
        const struct cmdline_param *p = param_get(x->c, "vfio-prep.disable");

        if (!p || !cmdline_flag(x->c, "vfio-prep.disable"))
                return;
        fb_msg(f, CHECK_WARN, "vfio-prep.disable is set: --apply binds nothing during this boot");
        fb_hint_remove_param(f, x->in, p, " once the host works again, if it is not a one-time boot menu edit");
}

static const char *const lint_keys[] = {
        "intel_iommu",
        "amd_iommu",
        "iommu",
        "iommu.passthrough",
        "iommu.strict",
        "intremap",
        "pcie_acs_override",
        "vfio-pci.ids",
        "vfio_iommu_type1.allow_unsafe_interrupts",
        "video",
        "initcall_blacklist",
        "vfio-prep.devices",
        "vfio-prep.disable",
};

/* The parameters looked at, for the message when nothing is wrong. */
static void list_relevant(const struct cmdline *c, struct sbuf *b)
{
        for (size_t i = 0; c && i < c->n_params; i++)
                for (size_t k = 0; k < ARRAY_SIZE(lint_keys); k++)
                        if (cmdline_key_eq(c->params[i].key, lint_keys[k])) {
                                const struct cmdline_param *p = &c->params[i];
                                sbuf_appendf(b, "%s%s%s%s", b->len ? " " : "", p->key, p->value ? "=" : "",
                                             p->value ? p->value : "");
                                break;
                        }
}

static int check_cmdline(const struct ctx *x, struct report *r)
{
        struct fb f = { 0 };

        lint_disable(x, &f);
        lint_intel_on_missing(x, &f);
        lint_invalid_pt(x, &f, "intel_iommu");
        lint_invalid_pt(x, &f, "amd_iommu");
        lint_amd_on(x, &f);
        lint_iommu_pt_non_x86(x, &f);
        lint_video(x, &f);
        lint_acs_override(x, &f);
        lint_vfio_pci_ids(x, &f);
        if (f.msg.len == 0) {
                struct sbuf b = { 0 };
                list_relevant(x->c, &b);
                if (b.oom)
                        f.msg.oom = true;
                else if (b.len > 0)
                        fb_msg(&f, CHECK_PASS, "no problems in %s", b.s);
                else
                        fb_msg(&f, CHECK_PASS, "no IOMMU-related parameters");
                free(b.s);
        }
        return emit(r, "cmdline", &f);
}

/* ---- vfio-driver, config, root-device ------------------------------------------------------ */

/* The device lines (by address, pinned) that do what ids=IDS asked, for this machine. */
static void ids_replacement(const struct ctx *x, const char *ids, struct fb *f)
{
        _cleanup_free_ char *copy = strdup(ids);
        size_t found = 0;

        if (!copy) {
                f->hint.oom = true;
                return;
        }
        for (char *save = NULL, *id = strtok_r(copy, ",", &save); id; id = strtok_r(NULL, ",", &save))
                for (size_t i = 0; i < x->m->n_devices; i++) {
                        const struct pci_device *d = &x->m->devices[i];
                        if (!modopts_id_matches(id, d))
                                continue;
                        sbuf_appendf(&f->hint, "%s'device %s id=%04x:%04x'", found++ ? ", " : "", d->name, d->vendor,
                                     d->device);
                }
        if (!found)
                sbuf_appendf(&f->hint, "no device of this machine matches it, so no line");
}

/*
 * vfio-pci's ids= claims every unbound matching device as soon as vfio-pci loads, the boot VGA
 * and the root disk included (vfio-prep(8), MODULE OPTIONS). vfio-prep loads vfio-pci without
 * it; anything else that loads vfio-pci (modprobe, a softdep) applies it.
 */
static void vfio_ids_options(const struct ctx *x, struct fb *f)
{
        const struct modopt_list *l = x->in->modopts;

        for (size_t i = 0; l && i < l->n_items; i++) {
                const struct modopt_ids *o = &l->items[i];
                bool builtin = x->in->vfio_pci == MODULE_BUILTIN;
                if (builtin && !o->cmdline) {
                        /* modprobe.d options never reach a built-in module. */
                        fb_msg(f, CHECK_WARN, "%s: vfio-pci ids=%s has no effect: vfio-pci is built into the kernel",
                               o->origin, o->ids);
                        continue;
                }
                fb_msg(f, CHECK_FAIL,
                       "%s: vfio-pci ids=%s claims every unbound matching device when vfio-pci loads, "
                       "the boot VGA and the root disk included",
                       o->origin, o->ids);
                if (builtin)
                        sbuf_appendf(&f->msg, "; vfio-pci is built into the kernel, which applies it before vfio-prep "
                                              "runs: it cannot be neutralised");
                else
                        sbuf_appendf(&f->msg, "; vfio-prep loads vfio-pci without it, anything else that loads "
                                              "vfio-pci applies it");
                if (f->hint.len > 0)
                        sbuf_appendf(&f->hint, "; ");
                if (o->cmdline)
                        sbuf_appendf(&f->hint,
                                     "remove vfio-pci.ids=%s from the kernel command line (the boot "
                                     "loader's configuration)",
                                     o->ids);
                else
                        sbuf_appendf(&f->hint, "remove the option from %s", o->origin);
                sbuf_appendf(&f->hint, " and let %s name the devices instead: ", config_file(x->in));
                ids_replacement(x, o->ids, f);
        }
}

static int check_vfio_driver(const struct ctx *x, struct report *r)
{
        const char *rel = x->m->release ? x->m->release : "this kernel";
        struct fb f = { 0 };

        switch (x->in->vfio_pci) {
        case MODULE_BUILTIN:
                fb_msg(&f, CHECK_PASS, "vfio-pci is built into the kernel");
                break;
        case MODULE_LOADED:
                fb_msg(&f, CHECK_PASS, "vfio-pci is loaded");
                break;
        case MODULE_AVAILABLE:
                fb_msg(&f, CHECK_PASS, "vfio-pci module available for %s", rel);
                break;
        case MODULE_MISSING:
                fb_msg(&f, CHECK_FAIL, "no vfio-pci module for %s", rel);
                fb_hint(&f, "install a kernel (or its extra modules package) built with CONFIG_VFIO_PCI");
                break;
        default:
                if (x->m->kconfig.vfio_pci_builtin == TRI_YES)
                        fb_msg(&f, CHECK_PASS, "vfio-pci is built into the kernel (kernel config)");
                else
                        fb_msg(&f, CHECK_WARN, "cannot tell (no module index for %s below the root)", rel);
                break;
        }
        vfio_ids_options(x, &f);
        bool usable = x->in->vfio_pci != MODULE_MISSING;
        if (usable && x->in->vfio_iommu_type1 == MODULE_MISSING)
                fb_msg(&f, CHECK_WARN,
                       "vfio_iommu_type1 is missing: the classic VFIO container needs it "
                       "(only kernels with iommufd's VFIO compatibility can do without)");
        return emit(r, "vfio-driver", &f);
}

/* ---- initramfs ---------------------------------------------------------------------------------- */

/* What rebuilds the running kernel's image with this system's generator; without one known,
 * every generator's command. */
static void regenerate_command(const struct ctx *x, enum initramfs_generator g, char *buf, size_t size)
{
        const struct generator_facts *gf = generator_facts(g);

        if (gf && gf->release_opt && x->m->release) {
                snprintf(buf, size, "%s %s %s", gf->regenerate, gf->release_opt, x->m->release);
                return;
        }
        if (gf) {
                snprintf(buf, size, "%s", gf->regenerate);
                return;
        }
        generator_join(offsetof(struct generator_facts, regenerate), buf, size);
        size_t n = strlen(buf);
        snprintf(buf + n, size - n, ", whichever this system uses");
}

static void fb_hint_install_hook(struct fb *f, const struct ctx *x, const struct initramfs_facts *fa)
{
        const struct generator_facts *gf = generator_facts(fa->generator);
        char cmd[160];
        const char *install = fa->hook_installed ? "" : "install vfio-prep's hook (make install PREFIX=/usr), ";

        regenerate_command(x, fa->generator, cmd, sizeof(cmd));
        if (gf && gf->enable_hook)
                fb_hint(f, "%s%s, then run %s", install, gf->enable_hook, cmd);
        else if (gf && gf->add_hook_opt && fa->hook_installed)
                fb_hint(f, "run %s (or %s %s)", cmd, gf->regenerate, gf->add_hook_opt);
        else if (!gf)
                fb_hint(f,
                        "install vfio-prep's hook for this system's initramfs generator (make install PREFIX=/usr), "
                        "then regenerate the initramfs (%s)",
                        cmd);
        else
                fb_hint(f, "%sthen run %s", install, cmd);
}

/* The program that lists the image: the one that did, else the generator's, else dracut's,
 * which can also print a file of it. */
static const char *lister_for(const struct initramfs_facts *fa)
{
        const struct generator_facts *gf = generator_facts(fa->generator);

        if (fa->lister)
                return fa->lister;
        return gf ? gf->lister : generator_table[0].lister;
}

/* Only worth a warning when a device depends on it. */
static void initramfs_unknown(struct fb *f, const struct initramfs_facts *fa, bool configured)
{
        fb_msg(f, configured ? CHECK_WARN : CHECK_INFO, "cannot tell whether the initramfs contains vfio-prep: %s",
               strna(fa->detail));
        if (fa->image)
                fb_hint(f, "look yourself: %s %s | grep vfio-prep", lister_for(fa), fa->image);
        else
                fb_hint(f, "make sure the initramfs this kernel boots with contains usr/bin/vfio-prep and "
                           "etc/vfio-prep.conf");
}

static int check_initramfs(const struct ctx *x, struct report *r)
{
        const struct initramfs_facts *fa = x->in->initramfs;
        bool configured = x->in->config && x->in->config->n_devices > 0;
        char cmd[160];
        struct fb f = { 0 };

        if (!fa)
                return 0;
        switch (fa->verdict) {
        case INITRAMFS_MISSING:
                fb_msg(&f, configured ? CHECK_FAIL : CHECK_INFO, "initramfs %s does not contain vfio-prep%s", fa->image,
                       configured ? ": the configured devices stay with their host drivers at boot"
                                  : " (no devices configured)");
                if (configured)
                        fb_hint_install_hook(&f, x, fa);
                break;
        case INITRAMFS_STALE:
                regenerate_command(x, fa->generator, cmd, sizeof(cmd));
                fb_msg(&f, CHECK_WARN, "initramfs %s contains vfio-prep but not the current configuration: %s",
                       fa->image, strna(fa->detail));
                fb_hint(&f, "regenerate it: %s", cmd);
                break;
        case INITRAMFS_CURRENT:
                fb_msg(&f, CHECK_PASS, "initramfs %s contains vfio-prep and the current configuration", fa->image);
                if (!fa->content_compared)
                        sbuf_appendf(&f.msg, " (by size and date: %s cannot print files)", strna(fa->lister));
                break;
        default:
                initramfs_unknown(&f, fa, configured);
                break;
        }
        return emit(r, "initramfs", &f);
}

static void list_files(const struct config *cfg, struct fb *f)
{
        sbuf_appendf(&f->msg, "; read ");
        for (size_t i = 0; i < cfg->n_files && cfg->files[i]; i++)
                sbuf_appendf(&f->msg, "%s%s", i ? ", " : "", cfg->files[i]);
}

static int check_config(const struct ctx *x, struct report *r)
{
        const struct config *cfg = x->in->config;
        size_t n = cfg ? cfg->n_devices : 0, extra = 0;
        struct fb f = { 0 };

        for (size_t i = 0; i < n; i++)
                extra += cfg->devices[i].origin && cfg->devices[i].origin[0] != '/';
        if (n == 0) {
                fb_msg(&f, CHECK_INFO, "no devices configured");
                fb_hint(&f, "add 'device SELECTOR' lines to %s (vfio-prep --list shows the devices and their groups)",
                        config_file(x->in));
        } else {
                fb_msg(&f, CHECK_PASS, "%zu device entr%s, isolation %s", n, n == 1 ? "y" : "ies",
                       cfg->isolation == ISOLATION_WARN ? "warn" : "strict");
                if (extra)
                        sbuf_appendf(&f.msg, " (%zu from the kernel command line or --device)", extra);
        }
        if (cfg && cfg->n_files > 0)
                list_files(cfg, &f);
        else
                sbuf_appendf(&f.msg, "; no configuration file");
        return emit(r, "config", &f);
}

/* "root (/dev/nvme0n1p2, mounted at /)", "swap (/dev/nvme0n1p3)", "root". */
static void source_label(const struct rootdisk *rd, struct sbuf *b)
{
        sbuf_appendf(b, "%s", rd->what ? rd->what : "root");
        if (rd->spec && rd->origin)
                sbuf_appendf(b, " (%s, %s)", rd->spec, rd->origin);
        else if (rd->spec || rd->origin)
                sbuf_appendf(b, " (%s)", rd->spec ? rd->spec : rd->origin);
}

static void describe_source(const struct ctx *x, struct fb *f, const struct rootdisk *rd)
{
        struct sbuf label = { 0 };

        source_label(rd, &label);
        if (rootdisk_identified(rd)) {
                fb_msg(f, CHECK_PASS, "%s is on %s", label.s ? label.s : "?", rd->block);
                if (rd->n_devices == 0)
                        sbuf_appendf(&f->msg, ", no PCI device beneath");
                for (size_t i = 0; i < rd->n_devices; i++)
                        sbuf_appendf(&f->msg, "%s%s", i ? ", " : " behind ", dev_name(x->m, rd->devices[i]));
        } else
                fb_msg(f, CHECK_WARN, "cannot tell which PCI device holds %s: %s", label.s ? label.s : "?",
                       rd->problem ? rd->problem : "not resolved");
        free(label.s);
}

/* While root is not identified: what stays with the host, and what would let vfio-prep decide. */
static void describe_unknown(const struct ctx *x, struct fb *f)
{
        const struct rootinfo *ri = x->in->rootinfo;
        const struct root_record *rec = &ri->record;

        sbuf_appendf(&f->msg, "; until it is, these stay with the host: every storage controller");
        if (ri->network)
                sbuf_appendf(&f->msg, ", every network controller (root is on the network: %s)", ri->network);
        if (root_record_usable(rec)) {
                sbuf_appendf(&f->msg, ", and what the root record (/etc/vfio-prep/root-record) says root was on:");
                for (size_t i = 0; i < rec->n_controllers; i++)
                        sbuf_appendf(&f->msg, "%s class %06x at %s", i ? "," : "", rec->controllers[i].class,
                                     rec->controllers[i].path);
                if (rec->network)
                        sbuf_appendf(&f->msg, "%s the network", rec->n_controllers ? "," : "");
        } else
                sbuf_appendf(&f->msg, ", every USB and SD/eMMC controller (no usable root record)");
        fb_hint(f, "the second pass at boot (vfio-prep --apply --sysroot DIR, run by the hooks once the root "
                   "file system is mounted) and any run after boot see the mounted root and decide then");
        if (!root_record_usable(rec))
                fb_hint(f, "rebuild the initramfs with vfio-prep's hooks: they store 'vfio-prep --root-record' "
                           "in it, so that the first pass binds USB and SD controllers when root is on neither");
}

static int check_root_device(const struct ctx *x, struct report *r)
{
        const struct rootinfo *ri = x->in->rootinfo;
        struct fb f = { 0 };

        if (!ri) {
                fb_msg(&f, CHECK_WARN, "the root device was not looked for; storage controllers are left to the host");
                return emit(r, "root-device", &f);
        }
        describe_source(x, &f, &ri->root);
        for (size_t i = 0; i < ri->n_extra; i++)
                if (ri->extra[i].spec || ri->extra[i].problem)
                        describe_source(x, &f, &ri->extra[i]);
        if (!rootinfo_identified(ri))
                describe_unknown(x, &f);
        if (ri->record.found && ri->record.problem) {
                fb_msg(&f, CHECK_WARN, VFIO_PREP_ROOT_RECORD " is ignored: %s", ri->record.problem);
                fb_hint(&f, "rebuild the initramfs (its hooks write the record with 'vfio-prep --root-record')");
        }
        return emit(r, "root-device", &f);
}

/* ---- device:ADDRESS ------------------------------------------------------------------------ */

static void describe_pulled(const struct ctx *x, const struct selected *it, struct fb *f)
{
        if (it->why == SELECTED_BY_FUNCTIONS && it->conf)
                fb_msg(f, CHECK_PASS, "added by functions=%s from %s",
                       it->conf->functions == FUNCTIONS_ALL ? "all" : "auto", dev_name(x->m, it->pulled_by));
        else if (it->why == SELECTED_AS_VF)
                fb_msg(f, CHECK_PASS, "a VF of %s (vfs=%ld)", dev_name(x->m, it->pulled_by),
                       it->conf ? it->conf->vfs : -1L);
}

static void device_vfs_pf(const struct ctx *x, const struct selected *it, struct fb *f)
{
        const struct pci_device *d = &x->m->devices[it->device];
        const struct plan_sriov *s = plan_find_sriov(x->plan, it->device);
        const char *drv = d->driver ? d->driver : "no driver";

        if (s)
                fb_msg(f, CHECK_PASS, "SR-IOV PF: %ld VFs will be created at boot (now %ld); the PF stays with %s",
                       s->numvfs, d->sriov_numvfs < 0 ? 0 : d->sriov_numvfs, drv);
        else
                fb_msg(f, CHECK_PASS, "SR-IOV PF with its %ld VFs; the PF stays with %s", it->conf->vfs, drv);
}

static void device_bound(const struct ctx *x, size_t device, const struct plan_device *pd, struct fb *f)
{
        const struct pci_device *d = &x->m->devices[device];
        const struct boot_record_entry *e = record_find(x->m, d->name);

        if (pd->on_vfio) {
                fb_msg(f, CHECK_PASS, e && e->bound ? "bound to vfio-pci at boot" : "bound to vfio-pci");
                return;
        }
        /* Before the root device is seen no storage controller is bound: that is the second pass. */
        const char *when = pci_class_base(d->class) == 0x01 ? " by the second pass, once the root device is known" : "";
        if (d->driver)
                fb_msg(f, CHECK_PASS, "will be bound to vfio-pci at boot%s (now on %s)", when, d->driver);
        else
                fb_msg(f, CHECK_PASS, "will be bound to vfio-pci at boot%s (now unbound)", when);
        if (e && e->bound)
                fb_msg(f, CHECK_PASS, "bound at boot, released since");
        else if (e && e->reason)
                fb_msg(f, CHECK_PASS, "refused at boot: %s", e->reason);
}

static void refusal_sriov(const struct ctx *x, const struct selected *it, struct fb *f)
{
        const struct pci_device *d = &x->m->devices[it->device];
        long vfs = it->conf ? it->conf->vfs : -1;

        if (d->physfn != NONE || d->sriov_totalvfs < 0)
                fb_msg(f, CHECK_FAIL, "not bound: vfs=%ld, but it is not an SR-IOV physical function", vfs);
        else
                fb_msg(f, CHECK_FAIL, "not bound: vfs=%ld, but it supports at most %ld VFs", vfs, d->sriov_totalvfs);
        fb_hint(f, "fix or remove vfs= in %s", origin(it->conf));
}

static void refusal_nested(const struct ctx *x, const struct plan_group *pg, struct fb *f)
{
        for (size_t i = 0; i < pg->n_devices; i++) {
                const struct plan_device *o = &pg->devices[i];
                if (o->refusal == REFUSE_NONE || o->refusal == REFUSE_NESTED)
                        continue;
                fb_msg(f, CHECK_FAIL, "not bound: another device of its group was refused: %s (%s)",
                       dev_name(x->m, o->device), refusal_to_string(o->refusal));
                fb_hint(f, "see device:%s", dev_name(x->m, o->device));
                return;
        }
        fb_msg(f, CHECK_FAIL, "not bound: %s", refusal_to_string(REFUSE_NESTED));
}

/* "the root file system", "an active swap area", "the /boot file system". */
static void source_role(const struct rootdisk *rd, char *buf, size_t size)
{
        const char *what = rd && rd->what ? rd->what : "root";

        if (strcmp(what, "swap") == 0)
                snprintf(buf, size, "an active swap area");
        else
                snprintf(buf, size, "the %s file system", what);
}

static void refusal_root(const struct ctx *x, size_t device, struct fb *f)
{
        struct protect_reason why;
        char role[64];

        protect_decide(x->in->rootinfo, x->m, device, &why);
        source_role(why.source, role, sizeof(role));
        if (why.holder == device || why.holder == NONE)
                fb_msg(f, CHECK_FAIL, "not bound: root device: it holds %s (%s)", role,
                       why.source && why.source->spec ? why.source->spec : "?");
        else
                fb_msg(f, CHECK_FAIL, "not bound: root device: a device of its IOMMU group (%s) holds %s (%s)",
                       dev_name(x->m, why.holder), role, why.source && why.source->spec ? why.source->spec : "?");
        if (why.leaf && strstr(why.leaf->chain, " -> "))
                sbuf_appendf(&f->msg, " through %s", why.leaf->chain);
        fb_hint(f, "vfio-prep never binds it: pick another device, or move the disk to a controller in another "
                   "IOMMU group");
}

static void refusal_unknown(const struct ctx *x, size_t device, struct fb *f)
{
        const struct rootinfo *ri = x->in->rootinfo;
        struct protect_reason why;
        bool storage;

        protect_decide(ri, x->m, device, &why);
        storage = why.holder != NONE && pci_class_base(x->m->devices[why.holder].class) == 0x01;
        fb_msg(f, CHECK_FAIL, "not bound: left to the host until the root device is known: ");
        if (why.holder != device && why.holder != NONE)
                sbuf_appendf(&f->msg, "its IOMMU group holds %s, %s", dev_name(x->m, why.holder), why.kind);
        else
                sbuf_appendf(&f->msg, "%s", why.kind ? why.kind : "a controller");
        if (storage)
                sbuf_appendf(&f->msg, ", which may hold the root file system");
        else if (ri && ri->network && why.kind && strstr(why.kind, "network"))
                sbuf_appendf(&f->msg, ", and root is on the network (%s)", ri->network);
        else if (why.by_record)
                sbuf_appendf(&f->msg, ", the kind the root record says root was on");
        else
                sbuf_appendf(&f->msg,
                             ", which may hold the root file system, and no usable root record says otherwise");
        if (storage)
                fb_hint(f, "the second pass at boot binds it (vfio-prep --apply --sysroot DIR, run by the hooks once "
                           "the root file system is mounted), and so does 'vfio-prep --apply' after boot");
        else
                fb_hint(f, "see root-device: once the root device is known (second pass at boot, or after boot) it "
                           "is bound");
}

static void device_refused(const struct ctx *x, const struct selected *it, const struct plan_device *pd,
                           const struct plan_group *pg, struct fb *f)
{
        const struct pci_device *d = &x->m->devices[it->device];

        switch (pd->refusal) {
        case REFUSE_PIN_MISMATCH:
                fb_msg(f, CHECK_FAIL,
                       "not bound: id= pin mismatch: the device is %04x:%04x, the entry expects %04x:%04x", d->vendor,
                       d->device, it->conf ? it->conf->pin_vendor : 0, it->conf ? it->conf->pin_device : 0);
                fb_hint(f, "the card at %s was replaced or moved: update id= or the address in %s", d->name,
                        origin(it->conf));
                break;
        case REFUSE_DAMAGED:
                fb_msg(f, CHECK_FAIL, "not bound: unreadable sysfs attributes (see the sysfs finding)");
                break;
        case REFUSE_SRIOV:
                refusal_sriov(x, it, f);
                break;
        case REFUSE_NO_GROUP:
                fb_msg(f, CHECK_FAIL, "not bound: no IOMMU group");
                fb_hint(f, x->sum.enabled ? "the IOMMU does not cover this device: look for it in the kernel log"
                                          : "enable the IOMMU first (see iommu-enabled)");
                break;
        case REFUSE_ROOT_DEVICE:
                refusal_root(x, it->device, f);
                break;
        case REFUSE_ROOT_UNKNOWN:
                refusal_unknown(x, it->device, f);
                break;
        case REFUSE_BUSY:
                fb_msg(f, CHECK_FAIL, "not bound: in use by the host: %s",
                       strna(rootinfo_busy(x->in->rootinfo, it->device)));
                fb_hint(f, "vfio-prep never unbinds a device in use: unmount it, swapoff, stop the md/dm/LVM device "
                           "on it, then run 'vfio-prep --apply' again");
                break;
        case REFUSE_BOOT_VGA:
                fb_msg(f, CHECK_FAIL,
                       "not bound: boot VGA without allow-boot-vga: the firmware and the host "
                       "console use this GPU");
                fb_hint_option(f, x->in, it->conf, "allow-boot-vga",
                               " (the host loses its console), or make another GPU primary in the firmware setup");
                break;
        case REFUSE_NOT_ISOLATED:
                fb_msg(f, CHECK_FAIL, "not bound: not isolated (see group:%ld)", group_id(x->m, pg->group));
                fb_hint(f, "see group:%ld", group_id(x->m, pg->group));
                break;
        case REFUSE_NESTED:
                refusal_nested(x, pg, f);
                break;
        case REFUSE_DISABLED:
                fb_msg(f, CHECK_WARN, "not bound this boot: vfio-prep.disable is on the kernel command line");
                break;
        default:
                fb_msg(f, CHECK_FAIL, "not bound: %s", refusal_to_string(pd->refusal));
                break;
        }
        if (pd->on_vfio && pd->refusal != REFUSE_DISABLED)
                fb_msg(f, CHECK_FAIL, "it is on vfio-pci now, but vfio-prep would not bind it");
}

static bool machine_has_reset_attr(const struct machine *m)
{
        for (size_t i = 0; i < m->n_devices; i++)
                if (m->devices[i].reset_method)
                        return true;
        return false;
}

/*
 * The kernel shows reset_method only when the device has a reset method (Linux 5.15+); where
 * other devices show it, its absence means none. An empty one means the user disabled them all.
 */
static void warn_reset(const struct ctx *x, const struct pci_device *d, struct fb *f)
{
        if (d->reset_method && d->reset_method[0] == '\0') {
                fb_msg(f, CHECK_WARN,
                       "every reset method is disabled (reset_method is empty): the device is not "
                       "reset between VM runs");
                fb_hint(f, "write 'default' to /sys/bus/pci/devices/%s/reset_method", d->name);
        } else if (!d->reset_method && machine_has_reset_attr(x->m))
                fb_msg(f, CHECK_WARN,
                       "no reset method: the kernel cannot reset it between VM runs, so a VM "
                       "restart can find it in a stale state");
}

static void warn_builtin_driver(const struct ctx *x, const struct pci_device *d, struct fb *f)
{
        if (!d->driver || strcmp(d->driver, "vfio-pci") == 0 || strcmp(d->driver, "pci-stub") == 0)
                return;
        if (d->driver_builtin == TRI_UNKNOWN) {
                fb_msg(f, CHECK_WARN,
                       "cannot tell whether %s is built into the kernel (a built-in driver takes "
                       "the device before the initramfs runs)",
                       d->driver);
                return;
        }
        if (d->driver_builtin != TRI_YES)
                return;
        fb_msg(f, CHECK_WARN,
               "%s is built into the kernel: it takes the device before the initramfs runs, so "
               "vfio-prep has to unbind it at boot, which not every driver handles cleanly",
               d->driver);
        fb_hint(f,
                "if that fails, keep %s from starting with 'initcall_blacklist=' and the name of its init "
                "function (module_blacklist= and modprobe.d blacklists do not stop built-in drivers), or use a "
                "kernel that builds it as a module",
                d->driver);
        if (x->m->kconfig.vfio_pci_builtin == TRI_YES)
                fb_hint(f,
                        "with vfio-pci built in as well, 'vfio-pci.ids=%04x:%04x' claims the device first only "
                        "from drivers registered after vfio-pci (USB and sound drivers, not GPU drivers)",
                        d->vendor, d->device);
}

static void warn_direct_regions(const struct ctx *x, const struct pci_device *d, struct fb *f)
{
        if (d->group >= x->m->n_groups)
                return;
        const struct iommu_group *g = &x->m->groups[d->group];
        for (size_t i = 0; i < g->n_regions; i++) {
                if (!g->regions[i].type || strcmp(g->regions[i].type, "direct") != 0)
                        continue;
                fb_msg(f, CHECK_WARN,
                       "IOMMU group %ld has a firmware-required direct mapping (RMRR or IVMD) at "
                       "0x%llx-0x%llx: the kernel refuses to give a device that needs one to a VM (\"Firmware has "
                       "requested this device have a 1:1 IOMMU mapping\")",
                       g->id, (unsigned long long)g->regions[i].start, (unsigned long long)g->regions[i].end);
                fb_hint(f, "a firmware update or setting (such as pre-boot DMA protection) may remove it; "
                           "otherwise use a device in another slot");
                return;
        }
}

static int check_device(const struct ctx *x, const struct selected *it, struct report *r)
{
        const struct pci_device *d = &x->m->devices[it->device];
        const struct plan_group *pg = NULL;
        const struct plan_device *pd = plan_find_device(x->plan, it->device, &pg);
        struct fb f = { 0 };
        char id[PCI_ADDR_STRLEN + 8];

        if (!pd)
                device_vfs_pf(x, it, &f);
        else if (pd->refusal != REFUSE_NONE)
                device_refused(x, it, pd, pg, &f);
        else {
                device_bound(x, it->device, pd, &f);
                if (!pd->on_vfio)
                        warn_builtin_driver(x, d, &f);
                warn_reset(x, d, &f);
                warn_direct_regions(x, d, &f);
        }
        describe_pulled(x, it, &f);
        snprintf(id, sizeof(id), "device:%s", d->name);
        return emit(r, id, &f);
}

static int check_unmatched(const struct ctx *x, const struct unmatched *u, struct report *r)
{
        const struct device_conf *dc = u->conf;
        _cleanup_free_ char *id = NULL;
        struct fb f = { 0 };

        if (asprintf(&id, "device:%s", dc && dc->text ? dc->text : "?") < 0)
                return -ENOMEM;
        if (dc && dc->optional)
                fb_msg(&f, CHECK_INFO, "not present (optional)");
        else {
                fb_msg(&f, CHECK_FAIL, "no device matches %s (%s)", dc && dc->text ? dc->text : "?", origin(dc));
                fb_hint(&f, "compare the entry with 'vfio-prep --list'; mark it optional if the device is removable");
        }
        return emit(r, id, &f);
}

/* ---- group:ID -------------------------------------------------------------------------------- */

static const char *port_kind(const struct pci_device *d)
{
        struct pcicfg_info info;

        if (pcicfg_decode(d->config, d->config_len, &info) >= 0 && info.pcie_known)
                switch (info.pcie_type) {
                case PCIE_TYPE_ROOT_PORT:
                        return "PCIe root port";
                case PCIE_TYPE_DOWNSTREAM:
                        return "switch downstream port";
                case PCIE_TYPE_UPSTREAM:
                        return "switch upstream port";
                case PCIE_TYPE_PCIE_TO_PCI:
                        return "PCIe-to-PCI bridge";
                case PCIE_TYPE_NONE:
                        return pci_device_is_bridge(d) ? "PCI bridge" : "PCI device";
                default:
                        break;
                }
        return pci_device_is_bridge(d) ? "bridge" : "device";
}

static void acs_bits(uint16_t missing, char *buf, size_t size)
{
        static const struct {
                uint16_t bit;
                const char *name;
        } bits[] = { { ACS_SV, "SV" }, { ACS_TB, "TB" }, { ACS_RR, "RR" }, { ACS_CR, "CR" },
                     { ACS_UF, "UF" }, { ACS_EC, "EC" }, { ACS_DT, "DT" } };
        size_t n = 0;

        buf[0] = '\0';
        for (size_t i = 0; i < ARRAY_SIZE(bits); i++)
                if (missing & bits[i].bit)
                        n += (size_t)snprintf(buf + n, n < size ? size - n : 0, "%s%s", n ? "/" : "", bits[i].name);
}

static void explain(const struct ctx *x, const struct explanation *e, struct sbuf *b)
{
        const char *name = dev_name(x->m, e->device);
        const struct pci_device *d = e->device < x->m->n_devices ? &x->m->devices[e->device] : NULL;
        char bits[32];

        switch (e->why) {
        case WHY_PORT_NO_ACS:
                sbuf_appendf(b, "%s (%s) has no ACS capability", name, d ? port_kind(d) : "port");
                break;
        case WHY_PORT_ACS_INCOMPLETE:
                acs_bits(e->missing, bits, sizeof(bits));
                sbuf_appendf(b, "ACS on %s lacks %s", name, bits[0] ? bits : "required controls");
                break;
        case WHY_MULTIFUNCTION_NO_ACS:
                if (d)
                        sbuf_appendf(b, "multifunction device %04x:%02x:%02x.x without ACS", (unsigned)d->addr.domain,
                                     d->addr.bus, d->addr.dev);
                else
                        sbuf_appendf(b, "a multifunction device without ACS");
                break;
        case WHY_PCI_BRIDGE:
                sbuf_appendf(b, "behind conventional PCI bridge %s", name);
                break;
        case WHY_UNREADABLE:
                if (d)
                        sbuf_appendf(b, "config space of %s not readable enough to tell why (run as root)", name);
                else
                        sbuf_appendf(b, "config space not readable enough to tell why (run as root)");
                break;
        case WHY_QUIRK:
        default:
                sbuf_appendf(b, "no missing ACS found: a kernel quirk or the firmware groups these devices");
                break;
        }
}

static void list_blockers(const struct ctx *x, const struct group_analysis *ga, struct fb *f)
{
        if (ga->n_blockers == 0)
                sbuf_appendf(&f->msg, "a device that stays with the host shares it");
        (void)analysis_blockers_text(x->m, ga, &f->msg);
        if (ga->n_blockers > 0)
                sbuf_appendf(&f->msg, ga->n_blockers == 1 ? " shares it" : " share it");
        for (size_t i = 0; i < ga->n_why; i++) {
                sbuf_appendf(&f->msg, "; ");
                explain(x, &ga->why[i], &f->msg);
        }
}

static void group_hints(const struct ctx *x, const struct group_analysis *ga, struct fb *f)
{
        size_t root = NONE;

        for (size_t i = 0; i < ga->n_blockers && root == NONE; i++)
                if (protect_is_root_device(x->in->rootinfo, x->m, ga->blockers[i]))
                        root = ga->blockers[i];
        if (root != NONE)
                fb_hint(f,
                        "%s holds the root or resume file system, so this group cannot be passed through "
                        "as it is",
                        dev_name(x->m, root));
        else if (ga->n_blockers > 0)
                fb_hint(f, "to pass the whole group through, add its other devices to %s (e.g. 'device %s')",
                        config_file(x->in), dev_name(x->m, ga->blockers[0]));
        if (ga->behind_switch)
                fb_hint(f, "or move the card to a slot wired to the CPU (its own root port)");
        fb_hint(f, "pcie_acs_override= is not in mainline kernels and only hides this: the devices can still "
                   "reach each other by DMA");
}

static int check_group(const struct ctx *x, size_t group, struct report *r)
{
        const struct group_analysis *ga = analysis_find(x->in->analysis, group);
        const struct plan_group *pg = plan_find_group(x->plan, group);
        enum isolation v = pg ? pg->isolation : ISOLATION_NOT_JUDGED;
        bool strict = plan_isolation_refuses(x->in->config, v);
        char id[32];
        struct fb f = { 0 };

        snprintf(id, sizeof(id), "group:%ld", group_id(x->m, group));
        if (v == ISOLATION_NOT_JUDGED)
                fb_msg(&f, CHECK_INFO, "nothing to bind in this group (see its device findings)");
        else if (v == ISOLATION_UNKNOWN || !ga)
                fb_msg(&f, strict ? CHECK_FAIL : CHECK_WARN, "not analysed: isolation unknown");
        else if (v == ISOLATION_OK) {
                const struct iommu_group *g = &x->m->groups[group];
                fb_msg(&f, CHECK_PASS, "isolated");
                for (size_t i = 0; i < g->n_devices; i++)
                        sbuf_appendf(&f.msg, "%s%s", i ? ", " : ": ", dev_name(x->m, g->devices[i]));
        } else {
                fb_msg(&f, strict ? CHECK_FAIL : CHECK_WARN, "not isolated: ");
                list_blockers(x, ga, &f);
                if (!strict)
                        fb_msg(&f, CHECK_WARN,
                               "isolation warn: the selected devices are bound anyway, but a VM "
                               "can use the group only once every device in it is on vfio-pci or "
                               "unbound");
                group_hints(x, ga, &f);
        }
        return emit(r, id, &f);
}

/* Groups of selected devices, in id order (machine.groups is sorted by id). */
static int check_groups(const struct ctx *x, struct report *r)
{
        const struct selection *s = x->in->selection;

        for (size_t g = 0; g < x->m->n_groups; g++) {
                bool held = false;
                for (size_t i = 0; s && i < s->n_items && !held; i++)
                        held = s->items[i].device < x->m->n_devices && x->m->devices[s->items[i].device].group == g;
                if (held) {
                        int k = check_group(x, g, r);
                        if (k < 0)
                                return k;
                }
        }
        return 0;
}

static int check_sysfs(const struct ctx *x, struct report *r)
{
        const struct machine *m = x->m;
        struct fb f = { 0 };

        if (m->n_problems == 0)
                return 0;
        fb_msg(&f, CHECK_WARN, "%zu unreadable or malformed attribute%s: ", m->n_problems, plural(m->n_problems));
        for (size_t i = 0; i < m->n_problems && i < PROBLEMS_SHOWN; i++)
                sbuf_appendf(&f.msg, "%s%s: %s", i ? "; " : "", m->problems[i].path ? m->problems[i].path : "?",
                             m->problems[i].message ? m->problems[i].message : "?");
        if (m->n_problems > PROBLEMS_SHOWN)
                sbuf_appendf(&f.msg, "; and %zu more", m->n_problems - PROBLEMS_SHOWN);
        return emit(r, "sysfs", &f);
}

/* ---- the report ------------------------------------------------------------------------------ */

static int run_checks(const struct ctx *x, struct report *r)
{
        static int (*const system_checks[])(const struct ctx *, struct report *) = {
                check_iommu_hardware, check_iommu_enabled, check_iommu_mode, check_interrupt_remapping, check_cmdline,
                check_vfio_driver,    check_initramfs,     check_config,     check_root_device,
        };
        const struct selection *s = x->in->selection;
        int k;

        for (size_t i = 0; i < ARRAY_SIZE(system_checks); i++)
                if ((k = system_checks[i](x, r)) < 0)
                        return k;
        for (size_t i = 0; s && i < s->n_items; i++)
                if (s->items[i].device < x->m->n_devices && (k = check_device(x, &s->items[i], r)) < 0)
                        return k;
        for (size_t i = 0; s && i < s->n_unmatched; i++)
                if ((k = check_unmatched(x, &s->unmatched[i], r)) < 0)
                        return k;
        if ((k = check_groups(x, r)) < 0)
                return k;
        return check_sysfs(x, r);
}

int check_run(const struct check_input *in, struct report *ret)
{
        struct report r = { 0 };

        if (!in || !in->machine || !in->plan)
                return -EINVAL;
        struct ctx x = {
                .in = in,
                .m = in->machine,
                .c = in->cmdline,
                .plan = in->plan,
                .sum = iommu_summarize(in->machine, in->cmdline),
        };
        int k = run_checks(&x, &r);
        if (k < 0) {
                report_done(&r);
                return k;
        }
        r.iommu = x.sum;
        r.ready = true;
        for (size_t i = 0; i < r.n_findings; i++)
                r.ready &= r.findings[i].status != CHECK_FAIL;
        *ret = r;
        return 0;
}

void report_done(struct report *r)
{
        for (size_t i = 0; i < r->n_findings; i++) {
                free(r->findings[i].id);
                free(r->findings[i].message);
                free(r->findings[i].hint);
        }
        free(r->findings);
        *r = (struct report){ 0 };
}
