/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "listing.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "analyse.h"
#include "rootrecord.h"
#include "select.h"

/* The first device of group G that could be passed through: not a bridge, not a host bridge. */
static size_t first_endpoint(const struct machine *m, const struct iommu_group *g)
{
        for (size_t i = 0; i < g->n_devices; i++) {
                size_t d = g->devices[i];
                if (d < m->n_devices && !pci_device_is_bridge(&m->devices[d]) &&
                    !pci_device_is_host_bridge(&m->devices[d]))
                        return d;
        }
        return NONE;
}

/* Analyse "device ADDRESS" for the first endpoint of group GI: the analysis --check makes of it. */
static int judge_group(const struct machine *m, const struct group_index *x, size_t gi, struct list_group *ret)
{
        struct list_group lg = { .isolated = true, .tried = first_endpoint(m, &m->groups[gi]) };
        struct device_conf dc = { .sel = { .kind = SELECTOR_ADDRESS }, .functions = FUNCTIONS_AUTO, .vfs = -1 };
        const struct config cfg = { .devices = &dc, .n_devices = 1 };
        struct selection sel = { 0 };
        struct analysis a = { 0 };
        int k = 0;

        if (lg.tried == NONE) {
                *ret = lg;
                return 0;
        }
        dc.sel.addr = m->devices[lg.tried].addr;
        k = select_devices(m, &cfg, &sel);
        if (k >= 0)
                k = analyse_indexed(m, x, &sel, &a);
        const struct group_analysis *ga = k >= 0 ? analysis_find(&a, gi) : NULL;
        if (ga && !ga->isolated) {
                lg.isolated = false;
                lg.blockers = calloc(ga->n_blockers ? ga->n_blockers : 1, sizeof(*lg.blockers));
                if (!lg.blockers)
                        k = -ENOMEM;
                else
                        memcpy(lg.blockers, ga->blockers, ga->n_blockers * sizeof(*lg.blockers));
                lg.n_blockers = ga->n_blockers;
        }
        analysis_done(&a);
        selection_done(&sel);
        if (k >= 0)
                *ret = lg;
        return k;
}

static void describe_device(const struct machine *m, const struct rootinfo *ri, size_t i, struct list_device *ret)
{
        const struct pci_device *d = &m->devices[i];

        if (pci_slot_path(m, i, ret->path, sizeof(ret->path)) < 0)
                ret->path[0] = '\0';
        ret->boot_vga = d->boot_vga == TRI_YES;
        ret->on_vfio = d->driver && strcmp(d->driver, "vfio-pci") == 0;
        protect_decide(ri, m, i, &ret->protect);
}

int listing_build(const struct machine *m, const struct rootinfo *ri, struct listing *ret)
{
        struct listing l = {
                .devices = calloc(m->n_devices ? m->n_devices : 1, sizeof(*l.devices)),
                .groups = calloc(m->n_groups ? m->n_groups : 1, sizeof(*l.groups)),
        };
        struct group_index x = { 0 };
        int k = l.devices && l.groups ? 0 : -ENOMEM;

        for (size_t i = 0; k >= 0 && i < m->n_devices; i++)
                describe_device(m, ri, i, &l.devices[i]);
        /* Each group is judged alone: through the index, each judgement costs its group, not the machine. */
        if (k >= 0)
                k = group_index_build(m, &x);
        for (size_t g = 0; k >= 0 && g < m->n_groups; g++)
                k = judge_group(m, &x, g, &l.groups[g]);
        group_index_done(&x);
        if (k < 0) {
                listing_done(&l, m);
                return k;
        }
        *ret = l;
        return 0;
}

void listing_done(struct listing *l, const struct machine *m)
{
        for (size_t g = 0; l->groups && g < m->n_groups; g++)
                free(l->groups[g].blockers);
        free(l->groups);
        free(l->devices);
        *l = (struct listing){ 0 };
}

const char *listing_what(const struct list_device *d)
{
        if (d->protect.verdict != PROTECT_ROOT_DEVICE)
                return NULL;
        return d->protect.source && d->protect.source->what ? d->protect.source->what : "root";
}

const char *listing_backs(const struct list_device *d)
{
        return d->protect.leaf ? listing_what(d) : NULL;
}
