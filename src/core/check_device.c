/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The device:ADDRESS findings: what the plan does with each selected device, and why. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_finding.h"
#include "protect.h"

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
        fb_hint(f, "fix or remove vfs= in %s", entry_origin(it->conf));
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

/* vfio-prep.conf(5), allow-boot-vga: never proposed for an ID selector, which would also take
 * the console of every identical GPU; the other devices it matches are named by address instead. */
static void hint_boot_vga(const struct ctx *x, const struct selected *it, struct fb *f)
{
        const struct device_conf *dc = it->conf;
        const struct pci_device *d = &x->m->devices[it->device];

        if (!dc || dc->sel.kind != SELECTOR_ID || it->why != SELECTED_BY_SELECTOR) {
                fb_hint_option(f, x->in, dc, "allow-boot-vga",
                               " (the host loses its console), or make another GPU primary in the firmware setup");
                return;
        }
        if (fb_hint_device_lines(NULL, x->m, &dc->sel, it->device) > 0) {
                fb_hint(f, "'%s' (%s) also matches the boot VGA: name the other devices by address instead: ", dc->text,
                        entry_origin(dc));
                fb_hint_device_lines(f, x->m, &dc->sel, it->device);
        } else
                fb_hint(f, "'%s' (%s) matches only the boot VGA", dc->text, entry_origin(dc));
        sbuf_appendf(&f->hint,
                     "; to give the boot GPU away, make another GPU primary in the firmware setup, or name it "
                     "alone: 'device %s id=%04x:%04x allow-boot-vga' (the host loses its console)",
                     d->name, d->vendor, d->device);
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
                        entry_origin(it->conf));
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
                hint_boot_vga(x, it, f);
                break;
        case REFUSE_NOT_ISOLATED:
                fb_msg(f, CHECK_FAIL, "not bound: not isolated (see group:%ld)", group_id_of(x->m, pg->group));
                fb_hint(f, "see group:%ld", group_id_of(x->m, pg->group));
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
 * other devices show it, its absence means none. An empty one (every method disabled) is the
 * finding reset:ADDRESS (check_reset.c).
 */
static void warn_reset(const struct ctx *x, const struct pci_device *d, struct fb *f)
{
        if (!d->reset_method && machine_has_reset_attr(x->m))
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

int check_device(const struct ctx *x, const struct selected *it, struct report *r)
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
        return fb_emit(r, id, &f);
}

int check_unmatched(const struct ctx *x, const struct unmatched *u, struct report *r)
{
        const struct device_conf *dc = u->conf;
        _cleanup_free_ char *id = NULL;
        struct fb f = { 0 };

        if (asprintf(&id, "device:%s", dc && dc->text ? dc->text : "?") < 0)
                return -ENOMEM;
        if (dc && dc->optional)
                fb_msg(&f, CHECK_INFO, "not present (optional)");
        else {
                fb_msg(&f, CHECK_FAIL, "no device matches %s (%s)", dc && dc->text ? dc->text : "?", entry_origin(dc));
                fb_hint(&f, "compare the entry with 'vfio-prep --list'; mark it optional if the device is removable");
        }
        return fb_emit(r, id, &f);
}
