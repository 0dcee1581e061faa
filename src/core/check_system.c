/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The findings about the system: cmdline, vfio-driver, initramfs, config and root-device
 * (vfio-prep(8), CHECKS). */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_finding.h"

/* ---- cmdline ------------------------------------------------------------------------------ */

/* Passthrough mode asked for the way this architecture understands. */
static bool passthrough_requested(const struct ctx *x)
{
        return kernel_bool(cmdline_value(x->c, "iommu.passthrough")) == 1 ||
               (x->m->x86 && find_token(x->c, "iommu", "pt"));
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

static void lint_iommu_off(const struct ctx *x, struct fb *f)
{
        const struct cmdline_param *p = iommu_disabling_param(x);

        if (!p)
                return;
        /* With groups present it did not take effect this boot, but it will once the kernel honours it. */
        fb_msg(f, x->sum.enabled ? CHECK_WARN : CHECK_FAIL,
               "%s=%s turns the IOMMU off: vfio-pci cannot isolate any device without it", p->key,
               p->value ? p->value : "");
        fb_hint_remove_param(f, x->in, p, NULL);
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

static void lint_vfio_pci_ids(const struct ctx *x, struct fb *f)
{
        const struct cmdline_param *p = param_get(x->c, "vfio-pci.ids");

        if (!p)
                return;
        fb_msg(f, CHECK_INFO,
               "vfio-pci.ids=%s binds every device with these IDs when vfio-pci loads, identical host devices "
               "included, without vfio-prep's checks (root device, boot VGA, isolation)",
               p->value ? p->value : "");
        if (f->hint.len > 0)
                sbuf_appendf(&f->hint, "; ");
        sbuf_appendf(&f->hint, "these device lines in %s do it for these devices alone: ", config_file(x->in));
        ids_replacement(x, p->value ? p->value : "", f);
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

int check_cmdline(const struct ctx *x, struct report *r)
{
        struct fb f = { 0 };

        lint_disable(x, &f);
        lint_iommu_off(x, &f);
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
        return fb_emit(r, "cmdline", &f);
}

/* ---- vfio-driver, config, root-device ------------------------------------------------------ */

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

int check_vfio_driver(const struct ctx *x, struct report *r)
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
        return fb_emit(r, "vfio-driver", &f);
}

/* ---- initramfs ---------------------------------------------------------------------------------- */

/* What rebuilds the running kernel's image with this system's generator; without one known,
 * every generator's command. */
static void regenerate_command(const struct ctx *x, enum initramfs_generator g, char *buf, size_t size)
{
        if (x->in->initramfs && x->in->initramfs->image_based) {
                snprintf(buf, size, "%s", image_based_regenerate);
                return;
        }
        generator_regenerate_command(g, x->m->release, buf, size);
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

int check_initramfs(const struct ctx *x, struct report *r)
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
                if (configured && !fa->image_based) /* image_based_hint below says how */
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
        if (fa->verdict == INITRAMFS_MISSING || fa->verdict == INITRAMFS_STALE) {
                if (fa->image_based)
                        fb_hint(&f, "%s", image_based_hint);
                else if (fa->uki)
                        fb_hint(&f, uki_regenerate_hint, strna(x->m->release), strna(x->m->release));
        }
        return fb_emit(r, "initramfs", &f);
}

static void list_files(const struct config *cfg, struct fb *f)
{
        sbuf_appendf(&f->msg, "; read ");
        for (size_t i = 0; i < cfg->n_files && cfg->files[i]; i++)
                sbuf_appendf(&f->msg, "%s%s", i ? ", " : "", cfg->files[i]);
}

/* Files of the drop-in directory that are not read (vfio-prep.conf(5), DESCRIPTION). */
static void list_skipped(const struct config *cfg, struct fb *f)
{
        for (size_t i = 0; i < cfg->n_skipped && cfg->skipped[i]; i++) {
                fb_msg(f, CHECK_WARN, VFIO_PREP_CONF_DIR "/%s is not read: only files named *.conf are",
                       cfg->skipped[i]);
                fb_hint(f, "rename it to end in .conf if it is meant to be read, else delete it");
        }
}

/* A configuration left out for its errors (--check --json): each error a finding of its own,
 * "config:FILE:LINE", after the config finding that says so. */
static int check_config_errors(const struct ctx *x, struct report *r)
{
        const struct config_error *e = x->in->config_errors;
        struct fb f = { 0 };
        size_t n = e->n + e->n_more;
        int k;

        fb_msg(&f, CHECK_FAIL, "%zu error%s in the configuration: it is not used", n, plural_s(n));
        if (e->n_more)
                sbuf_appendf(&f.msg, " (the first %zu listed)", e->n);
        fb_hint(&f, "fix each error listed, then run vfio-prep --check again");
        k = fb_emit(r, "config", &f);
        for (size_t i = 0; k >= 0 && i < e->n; i++) {
                char id[sizeof(e->list[i].origin) + 8];
                snprintf(id, sizeof(id), "config:%s", e->list[i].origin);
                f = (struct fb){ 0 };
                fb_msg(&f, CHECK_FAIL, "%s", e->list[i].message);
                char file[sizeof(e->list[i].origin)];
                unsigned line;
                k = config_origin_split(e->list[i].origin, file, sizeof(file), &line)
                            ? fb_emit_at(r, id, &f, file, line)
                            : fb_emit(r, id, &f);
        }
        return k;
}

int check_config(const struct ctx *x, struct report *r)
{
        const struct config *cfg = x->in->config;
        size_t n = cfg ? cfg->n_devices : 0, extra = 0;
        struct fb f = { 0 };

        if (x->in->config_errors)
                return check_config_errors(x, r);
        for (size_t i = 0; i < n; i++)
                extra += !cfg->devices[i].from_file;
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
        if (cfg)
                list_skipped(cfg, &f);
        return fb_emit(r, "config", &f);
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
                sbuf_appendf(&f->msg, ", and what the root record (" VFIO_PREP_ROOT_RECORD ") says root was on:");
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

int check_root_device(const struct ctx *x, struct report *r)
{
        const struct rootinfo *ri = x->in->rootinfo;
        struct fb f = { 0 };

        if (!ri) {
                fb_msg(&f, CHECK_WARN, "the root device was not looked for; storage controllers are left to the host");
                return fb_emit(r, "root-device", &f);
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
        return fb_emit(r, "root-device", &f);
}
