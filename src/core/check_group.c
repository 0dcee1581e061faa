/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The group:ID findings (isolation, as the plan judged it) and the sysfs finding. */
#include <stdio.h>

#include "check_finding.h"
#include "pcicfg.h"
#include "protect.h"

/* Load problems listed by name in the sysfs finding; the rest are counted. */
#define PROBLEMS_SHOWN 3

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

static int check_group(const struct ctx *x, size_t group, struct report *rep)
{
        const struct group_analysis *ga = analysis_find(x->in->analysis, group);
        const struct plan_group *pg = plan_find_group(x->plan, group);
        enum isolation v = pg ? pg->isolation : ISOLATION_NOT_JUDGED;
        bool strict = plan_isolation_refuses(x->in->config, v);
        char id[32];
        struct fb f = { 0 };

        snprintf(id, sizeof(id), "group:%ld", group_id_of(x->m, group));
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
        return fb_emit(rep, id, &f);
}

/* Groups of selected devices, in id order (machine.groups is sorted by id). */
int check_groups(const struct ctx *x, struct report *rep)
{
        const struct selection *s = x->in->selection;

        for (size_t g = 0; g < x->m->n_groups; g++) {
                bool held = false;
                for (size_t i = 0; s && i < s->n_items && !held; i++)
                        held = s->items[i].device < x->m->n_devices && x->m->devices[s->items[i].device].group == g;
                if (held) {
                        int k = check_group(x, g, rep);
                        if (k < 0)
                                return k;
                }
        }
        return 0;
}

int check_sysfs(const struct ctx *x, struct report *rep)
{
        const struct machine *m = x->m;
        struct fb f = { 0 };

        if (m->n_problems == 0)
                return 0;
        fb_msg(&f, CHECK_WARN, "%zu unreadable or malformed attribute%s: ", m->n_problems, plural_s(m->n_problems));
        for (size_t i = 0; i < m->n_problems && i < PROBLEMS_SHOWN; i++)
                sbuf_appendf(&f.msg, "%s%s: %s", i ? "; " : "", m->problems[i].path ? m->problems[i].path : "?",
                             m->problems[i].message ? m->problems[i].message : "?");
        if (m->n_problems > PROBLEMS_SHOWN)
                sbuf_appendf(&f.msg, "; and %zu more", m->n_problems - PROBLEMS_SHOWN);
        return fb_emit(rep, "sysfs", &f);
}
