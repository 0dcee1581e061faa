/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "analyse.h"

#include <errno.h>
#include <stdlib.h>

#include "array.h"
#include "macro.h"
#include "pcicfg.h"

/* PCI allows 256 buses, so no real path is longer; a longer one is a loop in a broken model. */
#define PATH_MAX_HOPS 256

/* What the kernel's pci_acs_enabled() would answer for one device, judged from its config space. */
enum verdict_state {
        ACS_OK,
        ACS_FAILS,
        ACS_CANNOT_TELL,
};

struct verdict {
        enum verdict_state state;
        enum why_shared why;
        uint16_t missing;
};

struct path {
        size_t hop[PATH_MAX_HOPS]; /* upstream bridges, nearest first */
        size_t n;
};

/* The selected device will end on vfio-pci: not pin-mismatched, not a PF that only spawns VFs. */
static bool will_bind(const struct machine *m, const struct selection *sel, size_t device)
{
        const struct selected *it;
        size_t i;

        if (!sel)
                return false;
        i = selection_find(sel, device);
        if (i == NONE || i >= sel->n_items)
                return false;
        it = &sel->items[i];
        return selected_wants_vfio(m, it);
}

static bool is_selected(const struct selection *sel, size_t device)
{
        return sel && selection_find(sel, device) != NONE;
}

bool analyse_is_blocker(const struct machine *m, const struct selection *sel, size_t device)
{
        const struct pci_device *d;

        if (!m || device >= m->n_devices)
                return false;
        d = &m->devices[device];
        if (will_bind(m, sel, device))
                return false;
        if (pci_device_is_bridge(d))
                return false;
        if (pci_device_is_host_bridge(d) && !d->driver)
                return false;
        return true;
}

static struct verdict acs_flags_verdict(const struct pcicfg_info *info)
{
        uint16_t required, missing;

        switch (info->acs) {
        case ACS_UNKNOWN:
                return (struct verdict){ ACS_CANNOT_TELL, WHY_UNREADABLE, 0 };
        case ACS_ABSENT:
                return (struct verdict){ ACS_FAILS, WHY_PORT_NO_ACS, 0 };
        case ACS_PRESENT:
                break;
        }
        /* Controls the port does not implement count as hard-wired on, as in pci_acs_flags_enabled(). */
        required = ACS_ISOLATION_FLAGS & info->acs_cap;
        missing = required & (uint16_t)~info->acs_ctrl;
        if (missing)
                return (struct verdict){ ACS_FAILS, WHY_PORT_ACS_INCOMPLETE, missing };
        return (struct verdict){ ACS_OK, WHY_QUIRK, 0 };
}

/* The kernel's pci_acs_enabled() with REQ_ACS_FLAGS, as far as config space shows it. */
static struct verdict judge(const struct pci_device *d)
{
        struct pcicfg_info info;

        if (pcicfg_decode(d->config, d->config_len, &info) < 0 || !info.readable || !info.pcie_known)
                return (struct verdict){ ACS_CANNOT_TELL, WHY_UNREADABLE, 0 };
        switch (info.pcie_type) {
        case PCIE_TYPE_NONE:
        case PCIE_TYPE_PCIE_TO_PCI:
        case PCIE_TYPE_PCI_TO_PCIE:
                /* A PCI bus is shared: everything behind the bridge aliases to it. */
                return (struct verdict){ ACS_FAILS, WHY_PCI_BRIDGE, 0 };
        case PCIE_TYPE_RC_EVENT_COLLECTOR:
                return (struct verdict){ ACS_FAILS, WHY_PORT_NO_ACS, 0 };
        case PCIE_TYPE_ROOT_PORT:
        case PCIE_TYPE_DOWNSTREAM:
                return acs_flags_verdict(&info);
        case PCIE_TYPE_ENDPOINT:
        case PCIE_TYPE_LEGACY_ENDPOINT:
        case PCIE_TYPE_UPSTREAM:
        case PCIE_TYPE_RC_ENDPOINT:
                /* ACS only matters on these when they are one function of several. */
                if (info.multifunction || d->multifunction)
                        return acs_flags_verdict(&info);
                break;
        }
        return (struct verdict){ ACS_OK, WHY_QUIRK, 0 };
}

static bool is_multifunction(const struct pci_device *d)
{
        struct pcicfg_info info;

        if (d->multifunction)
                return true;
        return pcicfg_decode(d->config, d->config_len, &info) == 0 && info.multifunction;
}

static void path_of(const struct machine *m, size_t device, struct path *ret)
{
        size_t p = m->devices[device].parent;

        ret->n = 0;
        while (p != NONE && p < m->n_devices && ret->n < PATH_MAX_HOPS) {
                ret->hop[ret->n++] = p;
                p = m->devices[p].parent;
        }
}

static bool path_has(const struct path *p, size_t device)
{
        for (size_t i = 0; i < p->n; i++)
                if (p->hop[i] == device)
                        return true;
        return false;
}

static int add_why(struct group_analysis *g, enum why_shared why, size_t device, uint16_t missing)
{
        for (size_t i = 0; i < g->n_why; i++)
                if (g->why[i].why == why && g->why[i].device == device)
                        return 0;
        if (array_grow(&g->why, g->n_why) < 0)
                return -ENOMEM;
        g->why[g->n_why++] = (struct explanation){ .why = why, .device = device, .missing = missing };
        return 0;
}

/* A pair of devices and what is known so far about why they share a group. */
struct pair {
        size_t a, b;
        struct path pa, pb;
        size_t unknown; /* first device whose verdict could not be read, NONE if none */
};

static void note_unknown(struct pair *p, size_t device, const struct verdict *v)
{
        if (v->state == ACS_CANNOT_TELL && p->unknown == NONE)
                p->unknown = device;
}

/* Failing bridges and ports upstream of both: the common ancestor and everything above it. */
static int explain_common(const struct machine *m, struct group_analysis *g, struct pair *p, bool *ret_found)
{
        bool found = false;

        for (size_t i = 0; i < p->pa.n; i++) {
                size_t hop = p->pa.hop[i];
                struct verdict v;
                int k;

                if (!path_has(&p->pb, hop))
                        continue;
                v = judge(&m->devices[hop]);
                note_unknown(p, hop, &v);
                if (v.state != ACS_FAILS)
                        continue;
                k = add_why(g, v.why, hop, v.missing);
                if (k < 0)
                        return k;
                found = true;
        }
        *ret_found = found;
        return 0;
}

/*
 * Where the kernel's walk leaves DEVICE (pci_device_group()): the topmost upstream bridge
 * that fails ACS, since everything below it joins its group; the device itself otherwise.
 */
static size_t anchor_of(const struct machine *m, size_t device, const struct path *path, struct pair *p,
                        struct verdict *ret)
{
        size_t anchor = device;

        *ret = (struct verdict){ ACS_OK, WHY_QUIRK, 0 };
        for (size_t i = 0; i < path->n; i++) {
                struct verdict v = judge(&m->devices[path->hop[i]]);

                note_unknown(p, path->hop[i], &v);
                if (v.state == ACS_FAILS) {
                        anchor = path->hop[i];
                        *ret = v;
                }
        }
        return anchor;
}

/* Function 0 of the slot names the card; any function when 0 is not in the model. */
static size_t slot_head(const struct machine *m, size_t device)
{
        struct pci_addr a = m->devices[device].addr;
        size_t f0;

        a.fn = 0;
        f0 = machine_find_device(m, &a);
        return f0 != NONE ? f0 : device;
}

/*
 * Functions of one slot without ACS share a group (get_pci_function_alias_group()); the
 * anchors may be the devices themselves or the ports they joined.
 */
static int explain_slot(const struct machine *m, struct group_analysis *g, struct pair *p, bool *ret_found)
{
        struct verdict va, vb, sa, sb;
        size_t aa, ab;
        int k;

        *ret_found = false;
        aa = anchor_of(m, p->a, &p->pa, p, &va);
        ab = anchor_of(m, p->b, &p->pb, p, &vb);
        if (aa == ab || !pci_same_slot(&m->devices[aa].addr, &m->devices[ab].addr))
                return 0;
        sa = judge(&m->devices[aa]);
        sb = judge(&m->devices[ab]);
        note_unknown(p, aa, &sa);
        note_unknown(p, ab, &sb);
        if (sa.state != ACS_FAILS || sb.state != ACS_FAILS || !is_multifunction(&m->devices[aa]))
                return 0;
        k = add_why(g, WHY_MULTIFUNCTION_NO_ACS, slot_head(m, aa), sa.missing);
        if (k >= 0 && aa != p->a)
                k = add_why(g, va.why, aa, va.missing);
        if (k >= 0 && ab != p->b)
                k = add_why(g, vb.why, ab, vb.missing);
        if (k < 0)
                return k;
        *ret_found = true;
        return 0;
}

static int explain_pair(const struct machine *m, struct group_analysis *g, size_t a, size_t b)
{
        _cleanup_free_ struct pair *p = calloc(1, sizeof(*p));
        bool found;
        int k;

        if (!p)
                return -ENOMEM;
        p->a = a;
        p->b = b;
        p->unknown = NONE;
        path_of(m, a, &p->pa);
        path_of(m, b, &p->pb);

        k = explain_common(m, g, p, &found);
        if (k < 0 || found)
                return k;
        k = explain_slot(m, g, p, &found);
        if (k < 0 || found)
                return k;
        if (p->unknown != NONE)
                return add_why(g, WHY_UNREADABLE, p->unknown, 0);
        return add_why(g, WHY_QUIRK, NONE, 0);
}

/*
 * Each selected device that will be bound against each blocker. When no selected device will
 * be bound (pin mismatch, PF with vfs=), the selected ones stand in, so that a group is still
 * explained; a device alone in its group has nothing to explain.
 */
static int explain_group(const struct machine *m, const struct selection *sel, struct group_analysis *g)
{
        const struct iommu_group *ig = &m->groups[g->group];
        bool any_binds = false;

        for (size_t i = 0; i < ig->n_devices; i++)
                if (ig->devices[i] < m->n_devices && will_bind(m, sel, ig->devices[i]))
                        any_binds = true;

        for (size_t i = 0; i < ig->n_devices; i++) {
                size_t s = ig->devices[i];

                if (s >= m->n_devices || !is_selected(sel, s))
                        continue;
                if (any_binds && !will_bind(m, sel, s))
                        continue;
                for (size_t j = 0; j < g->n_blockers; j++) {
                        int k;

                        if (g->blockers[j] == s)
                                continue;
                        k = explain_pair(m, g, s, g->blockers[j]);
                        if (k < 0)
                                return k;
                }
        }
        return 0;
}

/* A switch downstream port or a PCIe-to-PCI bridge above a selected device: not a CPU root port. */
static bool below_switch(const struct machine *m, size_t device)
{
        size_t p = m->devices[device].parent;

        for (size_t hops = 0; p != NONE && p < m->n_devices && hops < PATH_MAX_HOPS; hops++) {
                const struct pci_device *d = &m->devices[p];
                struct pcicfg_info info;

                if (pcicfg_decode(d->config, d->config_len, &info) == 0 &&
                    (info.pcie_type == PCIE_TYPE_DOWNSTREAM || info.pcie_type == PCIE_TYPE_PCIE_TO_PCI))
                        return true;
                p = d->parent;
        }
        return false;
}

static int cmp_index(const void *a, const void *b)
{
        size_t x = *(const size_t *)a, y = *(const size_t *)b;

        return x < y ? -1 : x > y;
}

static void group_analysis_done(struct group_analysis *g)
{
        free(g->blockers);
        free(g->why);
        *g = (struct group_analysis){ 0 };
}

static int analyse_group(const struct machine *m, const struct selection *sel, size_t group, struct group_analysis *ret)
{
        const struct iommu_group *ig = &m->groups[group];
        struct group_analysis g = { .group = group };
        int k;

        g.blockers = calloc(ig->n_devices ? ig->n_devices : 1, sizeof(size_t));
        if (!g.blockers)
                return -ENOMEM;
        for (size_t i = 0; i < ig->n_devices; i++) {
                size_t d = ig->devices[i];

                if (d >= m->n_devices)
                        continue;
                if (analyse_is_blocker(m, sel, d))
                        g.blockers[g.n_blockers++] = d;
                if (is_selected(sel, d) && below_switch(m, d))
                        g.behind_switch = true;
        }
        /* Devices are sorted by address, so index order is address order. */
        qsort(g.blockers, g.n_blockers, sizeof(size_t), cmp_index);
        g.isolated = g.n_blockers == 0;
        if (!g.isolated) {
                k = explain_group(m, sel, &g);
                if (k < 0) {
                        group_analysis_done(&g);
                        return k;
                }
        }
        *ret = g;
        return 0;
}

int group_index_build(const struct machine *m, struct group_index *ret)
{
        struct group_index x = { .first = calloc(m->n_devices + 1, sizeof(size_t)) };
        size_t n = 0;

        if (!x.first)
                return -ENOMEM;
        /* Counted per device first, then turned into offsets and filled in group order. */
        for (size_t g = 0; g < m->n_groups; g++)
                for (size_t i = 0; i < m->groups[g].n_devices; i++)
                        if (m->groups[g].devices[i] < m->n_devices) {
                                x.first[m->groups[g].devices[i] + 1]++;
                                n++;
                        }
        for (size_t d = 0; d < m->n_devices; d++)
                x.first[d + 1] += x.first[d];
        x.group = calloc(n ? n : 1, sizeof(size_t));
        _cleanup_free_ size_t *fill = calloc(m->n_devices ? m->n_devices : 1, sizeof(size_t));
        if (!x.group || !fill) {
                group_index_done(&x);
                return -ENOMEM;
        }
        for (size_t g = 0; g < m->n_groups; g++)
                for (size_t i = 0; i < m->groups[g].n_devices; i++) {
                        size_t d = m->groups[g].devices[i];
                        if (d < m->n_devices)
                                x.group[x.first[d] + fill[d]++] = g;
                }
        *ret = x;
        return 0;
}

void group_index_done(struct group_index *x)
{
        if (!x)
                return;
        free(x->first);
        free(x->group);
        *x = (struct group_index){ 0 };
}

/* Whether group G lists a selected device. */
static bool group_selected(const struct machine *m, const struct selection *sel, const struct iommu_group *ig)
{
        for (size_t i = 0; i < ig->n_devices; i++)
                if (ig->devices[i] < m->n_devices && is_selected(sel, ig->devices[i]))
                        return true;
        return false;
}

/* The groups that list a selected device, as group indices in ascending order (machine.groups
 * is sorted by id, so by id too): through X when given, else by looking at every group. */
static int selected_groups(const struct machine *m, const struct group_index *x, const struct selection *sel,
                           size_t **ret, size_t *ret_n)
{
        size_t *v = NULL, n = 0, w = 0;

        for (size_t g = 0; !x && g < m->n_groups; g++)
                if (group_selected(m, sel, &m->groups[g])) {
                        if (array_grow(&v, n) < 0)
                                goto oom;
                        v[n++] = g;
                }
        for (size_t i = 0; x && sel && i < sel->n_items; i++) {
                size_t d = sel->items[i].device;
                for (size_t j = d < m->n_devices ? x->first[d] : 0; d < m->n_devices && j < x->first[d + 1]; j++) {
                        if (array_grow(&v, n) < 0)
                                goto oom;
                        v[n++] = x->group[j];
                }
        }
        if (x) {
                if (n > 1)
                        qsort(v, n, sizeof(*v), cmp_index);
                for (size_t i = 0; i < n; i++)
                        if (w == 0 || v[w - 1] != v[i])
                                v[w++] = v[i];
                n = w;
        }
        *ret = v;
        *ret_n = n;
        return 0;
oom:
        free(v);
        return -ENOMEM;
}

int analyse_indexed(const struct machine *m, const struct group_index *x, const struct selection *sel,
                    struct analysis *ret)
{
        struct analysis a = { 0 };
        _cleanup_free_ size_t *groups = NULL;
        size_t n_groups = 0;
        int k;

        if (!m || !ret)
                return -EINVAL;
        /* Only the groups holding a selected device are kept: few, even on a machine of
         * thousands of groups. */
        k = selected_groups(m, x, sel, &groups, &n_groups);
        if (k < 0)
                return k;
        if (n_groups > 0) {
                a.groups = calloc(n_groups, sizeof(*a.groups));
                if (!a.groups)
                        return -ENOMEM;
        }
        for (size_t i = 0; i < n_groups; i++) {
                k = analyse_group(m, sel, groups[i], &a.groups[a.n_groups]);
                if (k < 0) {
                        analysis_done(&a);
                        return k;
                }
                a.n_groups++;
        }
        *ret = a;
        return 0;
}

int analyse(const struct machine *m, const struct selection *sel, struct analysis *ret)
{
        return analyse_indexed(m, NULL, sel, ret);
}

void analysis_done(struct analysis *a)
{
        if (!a)
                return;
        for (size_t i = 0; i < a->n_groups; i++)
                group_analysis_done(&a->groups[i]);
        free(a->groups);
        *a = (struct analysis){ 0 };
}

const struct group_analysis *analysis_find(const struct analysis *a, size_t group)
{
        if (!a)
                return NULL;
        for (size_t i = 0; i < a->n_groups; i++)
                if (a->groups[i].group == group)
                        return &a->groups[i];
        return NULL;
}

int analysis_blockers_text(const struct machine *m, const struct group_analysis *ga, struct sbuf *b)
{
        for (size_t i = 0; i < ga->n_blockers; i++) {
                const struct pci_device *d = &m->devices[ga->blockers[i]];
                sbuf_appendf(b, "%s%s (%s)", i ? ", " : "", d->name, d->driver ? d->driver : "no driver");
        }
        return b->oom ? -ENOMEM : 0;
}
