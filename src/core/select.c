/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "select.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "rootrecord.h"

/*
 * When several entries reach one device, the strongest claim wins: a selector naming the device
 * (with its pin holding) beats one whose id= pin failed, which beats being a VF of a vfs= PF,
 * which beats being pulled in by functions=. Among equal claims the earlier entry wins: claims
 * are made in config order, and the first of the strongest is kept.
 */
enum claim_rank {
        RANK_SELECTOR,
        RANK_PIN_MISMATCH,
        RANK_VF,
        RANK_FUNCTIONS,
};

/*
 * A claim made on a device, kept in the order made. Only the devices an entry reaches get one,
 * so that a selection costs what it selects, not what the machine holds: --list selects once
 * per IOMMU group. The winner per device is settled at the end (claims_settle()).
 */
struct claim {
        enum claim_rank rank;
        size_t seq; /* order made: the earlier of equal claims wins */
        struct selected item;
};

struct claims {
        struct claim *v;
        size_t n;
        int error; /* -ENOMEM once an append failed */
};

static enum claim_rank rank_of(enum selected_why why, bool pin_mismatch)
{
        switch (why) {
        case SELECTED_BY_SELECTOR:
                return pin_mismatch ? RANK_PIN_MISMATCH : RANK_SELECTOR;
        case SELECTED_AS_VF:
                return RANK_VF;
        case SELECTED_BY_FUNCTIONS:
        default:
                return RANK_FUNCTIONS;
        }
}

static void claim(struct claims *c, size_t dev, const struct device_conf *conf, enum selected_why why, size_t pulled_by,
                  bool pin_mismatch)
{
        if (c->error < 0)
                return;
        if (array_grow(&c->v, c->n) < 0) {
                c->error = -ENOMEM;
                return;
        }
        c->v[c->n] = (struct claim){
                .rank = rank_of(why, pin_mismatch),
                .seq = c->n,
                .item = { .device = dev,
                          .conf = conf,
                          .why = why,
                          .pulled_by = pulled_by,
                          .pin_mismatch = pin_mismatch },
        };
        c->n++;
}

/* By device, then the strongest claim, then the earliest: each device's winner sorts first. */
static int cmp_claim(const void *a, const void *b)
{
        const struct claim *x = a, *y = b;

        if (x->item.device != y->item.device)
                return x->item.device < y->item.device ? -1 : 1;
        if (x->rank != y->rank)
                return x->rank < y->rank ? -1 : 1;
        return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Whether functions= pulls slot-mate OTHER in along with the selected device D. */
static bool pulls_in(const struct device_conf *conf, const struct pci_device *d, const struct pci_device *other)
{
        switch (conf->functions) {
        case FUNCTIONS_ALL:
                return true;
        case FUNCTIONS_AUTO:
                /* A GPU's audio, USB-C and UCSI functions go with it even in groups of their own. */
                if (pci_class_base(d->class) == 0x03)
                        return true;
                return d->group != NONE && other->group == d->group;
        case FUNCTIONS_ONE:
        default:
                return false;
        }
}

static void expand_functions(const struct machine *m, struct claims *claims, size_t dev, const struct device_conf *conf)
{
        const struct pci_device *d = &m->devices[dev];
        size_t first = dev;

        /* Devices are sorted by address: a slot's functions sit next to each other. */
        while (first > 0 && pci_same_slot(&m->devices[first - 1].addr, &d->addr))
                first--;
        for (size_t i = first; i < m->n_devices && pci_same_slot(&m->devices[i].addr, &d->addr); i++)
                if (i != dev && pulls_in(conf, d, &m->devices[i]))
                        claim(claims, i, conf, SELECTED_BY_FUNCTIONS, dev, false);
}

static void expand_vfs(const struct machine *m, struct claims *claims, size_t pf, const struct device_conf *conf)
{
        for (size_t i = 0; i < m->n_devices; i++)
                if (m->devices[i].physfn == pf)
                        claim(claims, i, conf, SELECTED_AS_VF, pf, false);
}

/* vfio-prep.conf(5), id=: the entry is for this vendor:device only; without id= any device holds. */
static bool pin_holds(const struct device_conf *conf, const struct pci_device *d)
{
        return !conf->has_pin || (d->vendor == conf->pin_vendor && d->device == conf->pin_device);
}

static void select_hit(const struct machine *m, struct claims *claims, size_t dev, const struct device_conf *conf)
{
        bool mismatch = !pin_holds(conf, &m->devices[dev]);

        claim(claims, dev, conf, SELECTED_BY_SELECTOR, NONE, mismatch);
        /* Not the hardware the entry was written for: nothing around it is wanted either. */
        if (mismatch)
                return;
        /* A vfs= PF is never bound itself; its VFs are what the entry is about. */
        if (conf->vfs >= 0)
                expand_vfs(m, claims, dev, conf);
        else
                expand_functions(m, claims, dev, conf);
}

/* vfio-prep.conf(5), path=: the device whose chain of device.function from its root bus, as its
 * sysfs location gives it, is the selector's; NONE when no device sits there. */
size_t select_find_path(const struct machine *m, const char *path)
{
        char buf[SELECTOR_PATH_MAX];

        for (size_t i = 0; i < m->n_devices; i++)
                if (pci_slot_path(m, i, buf, sizeof(buf)) >= 0 && strcmp(buf, path) == 0)
                        return i;
        return NONE;
}

/* Claims for one entry; whether it matched any device. */
static bool select_entry(const struct machine *m, struct claims *claims, const struct device_conf *conf)
{
        bool matched = false;

        if (conf->sel.kind != SELECTOR_ID) {
                size_t dev = conf->sel.kind == SELECTOR_PATH ? select_find_path(m, conf->sel.path)
                                                             : machine_find_device(m, &conf->sel.addr);
                if (dev == NONE)
                        return false;
                select_hit(m, claims, dev, conf);
                return true;
        }
        for (size_t i = 0; i < m->n_devices; i++)
                if (selector_matches(&conf->sel, &m->devices[i])) {
                        select_hit(m, claims, i, conf);
                        matched = true;
                }
        return matched;
}

static int push_unmatched(struct selection *s, const struct device_conf *conf)
{
        if (array_grow(&s->unmatched, s->n_unmatched) < 0)
                return -ENOMEM;
        s->unmatched[s->n_unmatched++] = (struct unmatched){ .conf = conf };
        return 0;
}

/* Each claimed device once, in address order (index order), with its winning claim. */
static int collect(struct claims *claims, struct selection *s)
{
        if (claims->n == 0)
                return 0;
        qsort(claims->v, claims->n, sizeof(*claims->v), cmp_claim);
        s->items = calloc(claims->n, sizeof(*s->items));
        if (!s->items)
                return -ENOMEM;
        for (size_t i = 0; i < claims->n; i++)
                if (i == 0 || claims->v[i].item.device != claims->v[i - 1].item.device)
                        s->items[s->n_items++] = claims->v[i].item;
        return 0;
}

int select_devices(const struct machine *m, const struct config *cfg, struct selection *ret)
{
        struct selection s = { 0 };
        struct claims claims = { 0 };
        int k;

        for (size_t i = 0; i < cfg->n_devices; i++) {
                if (select_entry(m, &claims, &cfg->devices[i]))
                        continue;
                k = push_unmatched(&s, &cfg->devices[i]);
                if (k < 0)
                        goto fail;
        }
        k = claims.error;
        if (k >= 0)
                k = collect(&claims, &s);
        if (k < 0)
                goto fail;
        free(claims.v);
        *ret = s;
        return 0;
fail:
        free(claims.v);
        selection_done(&s);
        return k;
}

void selection_done(struct selection *s)
{
        if (!s)
                return;
        free(s->items);
        free(s->unmatched);
        *s = (struct selection){ 0 };
}

size_t selection_find(const struct selection *s, size_t device)
{
        size_t lo = 0, hi = s->n_items;

        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (s->items[mid].device == device)
                        return mid;
                if (s->items[mid].device < device)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return NONE;
}

enum vfs_role selected_vfs_role(const struct machine *m, const struct selected *it)
{
        if (it->why != SELECTED_BY_SELECTOR || !it->conf || it->conf->vfs < 0 || it->pin_mismatch ||
            it->device >= m->n_devices)
                return VFS_NONE;
        const struct pci_device *d = &m->devices[it->device];
        if (d->physfn == NONE && d->sriov_totalvfs >= it->conf->vfs)
                return VFS_PF;
        return VFS_BAD;
}

bool selected_wants_vfio(const struct machine *m, const struct selected *it)
{
        return !it->pin_mismatch && selected_vfs_role(m, it) == VFS_NONE;
}
