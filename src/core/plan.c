/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "plan.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "macro.h"
#include "protect.h"

const char *refusal_to_string(enum refusal r)
{
        switch (r) {
        case REFUSE_NONE:
                return "none";
        case REFUSE_DISABLED:
                return "disabled on the kernel command line";
        case REFUSE_IOMMU_OFF:
                return "IOMMU not enabled";
        case REFUSE_NO_GROUP:
                return "no IOMMU group";
        case REFUSE_NOT_ISOLATED:
                return "not isolated";
        case REFUSE_ROOT_DEVICE:
                return "root device";
        case REFUSE_ROOT_UNKNOWN:
                return "the root device is not known yet, and it may hold the root file system";
        case REFUSE_BUSY:
                return "in use by the host";
        case REFUSE_BOOT_VGA:
                return "boot VGA without allow-boot-vga";
        case REFUSE_PIN_MISMATCH:
                return "id= pin mismatch";
        case REFUSE_DAMAGED:
                return "unreadable sysfs attributes";
        case REFUSE_SRIOV:
                return "not an SR-IOV device or too few VFs";
        case REFUSE_NESTED:
                return "another device of its group was refused";
        }
        return "unknown";
}

/* Root protection is decided by protect_decide() (protect.c), the one place of that rule. */
static enum refusal protect_refusal(const struct plan_input *in, size_t device)
{
        struct protect_reason why;

        protect_decide(in->rootinfo, in->machine, device, &why);
        switch (why.verdict) {
        case PROTECT_ROOT_DEVICE:
                return REFUSE_ROOT_DEVICE;
        case PROTECT_ROOT_UNKNOWN:
                return REFUSE_ROOT_UNKNOWN;
        case PROTECT_BUSY:
                return REFUSE_BUSY;
        default:
                return REFUSE_NONE;
        }
}

/* vfio-prep.conf(5), allow-boot-vga: the GPU the firmware booted on stays with the host's
 * console unless its entry allows it. */
static bool boot_vga_refused(const struct pci_device *d, const struct device_conf *conf)
{
        return d->boot_vga == TRI_YES && !(conf && conf->allow_boot_vga);
}

static enum refusal device_refusal(const struct plan_input *in, const struct selected *it)
{
        const struct machine *m = in->machine;
        const struct pci_device *d = &m->devices[it->device];

        if (it->pin_mismatch)
                return REFUSE_PIN_MISMATCH;
        if (d->damaged)
                return REFUSE_DAMAGED;
        if (selected_vfs_role(m, it) == VFS_BAD)
                return REFUSE_SRIOV;
        if (d->group == NONE || d->group >= m->n_groups)
                return REFUSE_NO_GROUP;
        enum refusal root = protect_refusal(in, it->device);
        if (root != REFUSE_NONE)
                return root;
        if (boot_vga_refused(d, it->conf))
                return REFUSE_BOOT_VGA;
        return REFUSE_NONE;
}

/* A vfs= PF stays with its host driver: for its group that is as good as a blocker. */
static bool group_holds_kept_pf(const struct plan_input *in, size_t group)
{
        const struct selection *s = in->selection;

        for (size_t i = 0; s && i < s->n_items; i++)
                if (selected_vfs_role(in->machine, &s->items[i]) == VFS_PF &&
                    in->machine->devices[s->items[i].device].group == group)
                        return true;
        return false;
}

/* Some selected device of the group is meant for vfio-pci: one whose id= pin failed, or a
 * device named with vfs=, is not, and a group of only those has no isolation to judge. */
static bool group_has_candidate(const struct plan_input *in, const struct plan_group *pg)
{
        const struct selection *s = in->selection;

        for (size_t i = 0; i < pg->n_devices; i++) {
                size_t k = selection_find(s, pg->devices[i].device);
                if (k != NONE && selected_wants_vfio(in->machine, &s->items[k]))
                        return true;
        }
        return false;
}

static enum isolation group_isolation(const struct plan_input *in, const struct plan_group *pg)
{
        if (pg->group == NONE || !group_has_candidate(in, pg))
                return ISOLATION_NOT_JUDGED;
        const struct group_analysis *ga = analysis_find(in->analysis, pg->group);
        /* No analysis means nothing is known about the group: the safe answer is no. */
        if (!ga)
                return ISOLATION_UNKNOWN;
        return ga->isolated && !group_holds_kept_pf(in, pg->group) ? ISOLATION_OK : ISOLATION_BLOCKED;
}

bool plan_isolation_refuses(const struct config *cfg, enum isolation v)
{
        bool strict = !cfg || cfg->isolation == ISOLATION_STRICT;

        return strict && (v == ISOLATION_UNKNOWN || v == ISOLATION_BLOCKED);
}

static int add_sriov(struct plan *p, size_t device, long numvfs)
{
        if (array_grow(&p->sriov, p->n_sriov) < 0)
                return -ENOMEM;
        p->sriov[p->n_sriov++] = (struct plan_sriov){ .device = device, .numvfs = numvfs };
        return 0;
}

static struct plan_group *group_for(struct plan *p, size_t group)
{
        if (group != NONE)
                for (size_t i = 0; i < p->n_groups; i++)
                        if (p->groups[i].group == group)
                                return &p->groups[i];
        if (array_grow(&p->groups, p->n_groups) < 0)
                return NULL;
        p->groups[p->n_groups] = (struct plan_group){ .group = group };
        return &p->groups[p->n_groups++];
}

static int add_device(const struct plan_input *in, struct plan *p, const struct selected *it)
{
        const struct pci_device *d = &in->machine->devices[it->device];
        size_t group = d->group < in->machine->n_groups ? d->group : NONE;
        struct plan_group *pg = group_for(p, group);
        if (!pg)
                return -ENOMEM;
        if (array_grow(&pg->devices, pg->n_devices) < 0)
                return -ENOMEM;
        pg->devices[pg->n_devices++] = (struct plan_device){
                .device = it->device,
                .refusal = device_refusal(in, it),
                .on_vfio = d->driver && strcmp(d->driver, "vfio-pci") == 0,
        };
        return 0;
}

static int add_item(const struct plan_input *in, struct plan *p, const struct selected *it)
{
        if (it->device >= in->machine->n_devices)
                return 0;
        if (selected_vfs_role(in->machine, it) != VFS_PF)
                return add_device(in, p, it);
        if (in->machine->devices[it->device].sriov_numvfs != it->conf->vfs)
                return add_sriov(p, it->device, it->conf->vfs);
        return 0;
}

/* Group order is machine order (groups are sorted by id there); groupless devices last. */
static int cmp_group(const void *a, const void *b)
{
        const struct plan_group *x = a, *y = b;

        if (x->group != y->group)
                return x->group < y->group ? -1 : 1;
        return x->devices[0].device < y->devices[0].device ? -1 : x->devices[0].device > y->devices[0].device;
}

/* All or nothing: one refused device refuses its whole group. */
static void decide_group(const struct plan_input *in, enum refusal global, struct plan_group *pg)
{
        enum refusal why = REFUSE_NONE;

        pg->isolation = group_isolation(in, pg);
        for (size_t i = 0; i < pg->n_devices && why == REFUSE_NONE; i++)
                why = pg->devices[i].refusal;
        if (why == REFUSE_NONE && plan_isolation_refuses(in->config, pg->isolation))
                why = REFUSE_NOT_ISOLATED;
        bool from_device = why != REFUSE_NONE && why != REFUSE_NOT_ISOLATED;
        if (why == REFUSE_NONE)
                why = global;
        pg->refusal = why;
        for (size_t i = 0; i < pg->n_devices; i++)
                if (pg->devices[i].refusal == REFUSE_NONE)
                        pg->devices[i].refusal = from_device ? REFUSE_NESTED : why;
}

static enum refusal global_refusal(const struct plan_input *in)
{
        if (in->cmdline && cmdline_flag(in->cmdline, "vfio-prep.disable"))
                return REFUSE_DISABLED;
        if (in->machine->n_groups == 0)
                return REFUSE_IOMMU_OFF;
        return REFUSE_NONE;
}

int plan_build(const struct plan_input *in, struct plan *ret)
{
        struct plan p = { .global = global_refusal(in) };
        const struct selection *s = in->selection;

        for (size_t i = 0; s && i < s->n_items; i++)
                if (add_item(in, &p, &s->items[i]) < 0) {
                        plan_done(&p);
                        return -ENOMEM;
                }
        if (p.n_groups > 1)
                qsort(p.groups, p.n_groups, sizeof(*p.groups), cmp_group);
        for (size_t i = 0; i < p.n_groups; i++)
                decide_group(in, p.global, &p.groups[i]);
        *ret = p;
        return 0;
}

void plan_done(struct plan *p)
{
        for (size_t i = 0; i < p->n_groups; i++)
                free(p->groups[i].devices);
        free(p->groups);
        free(p->sriov);
        *p = (struct plan){ 0 };
}

bool plan_has_work(const struct plan *p)
{
        if (p->global != REFUSE_NONE)
                return false;
        if (p->n_sriov > 0)
                return true;
        for (size_t i = 0; i < p->n_groups; i++) {
                if (p->groups[i].refusal != REFUSE_NONE)
                        continue;
                for (size_t j = 0; j < p->groups[i].n_devices; j++)
                        if (!p->groups[i].devices[j].on_vfio)
                                return true;
        }
        return false;
}

const struct plan_device *plan_find_device(const struct plan *p, size_t device, const struct plan_group **ret_group)
{
        for (size_t i = 0; i < p->n_groups; i++)
                for (size_t j = 0; j < p->groups[i].n_devices; j++)
                        if (p->groups[i].devices[j].device == device) {
                                *ret_group = &p->groups[i];
                                return &p->groups[i].devices[j];
                        }
        return NULL;
}

const struct plan_group *plan_find_group(const struct plan *p, size_t group)
{
        for (size_t i = 0; group != NONE && i < p->n_groups; i++)
                if (p->groups[i].group == group)
                        return &p->groups[i];
        return NULL;
}

const struct plan_sriov *plan_find_sriov(const struct plan *p, size_t device)
{
        for (size_t i = 0; i < p->n_sriov; i++)
                if (p->sriov[i].device == device)
                        return &p->sriov[i];
        return NULL;
}
