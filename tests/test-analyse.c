/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "analyse.h"
#include "macro.h"
#include "pcicfg.h"

#define MAX_DEVS 16
#define MAX_GROUPS 6
#define CFG_MAX 4096

/* A machine model from literals; everything lives in this one allocation. */
struct model {
        struct machine m;
        struct pci_device dev[MAX_DEVS];
        struct iommu_group grp[MAX_GROUPS];
        size_t members[MAX_GROUPS][MAX_DEVS];
        uint8_t cfg[MAX_DEVS][CFG_MAX];
        struct selection sel;
        struct selected items[MAX_DEVS];
        struct device_conf conf, conf_vfs;
        struct analysis a;
};

static struct model *model_new(void)
{
        struct model *md = calloc(1, sizeof(*md));

        assert_non_null(md);
        md->m.devices = md->dev;
        md->m.groups = md->grp;
        md->sel.items = md->items;
        md->conf.vfs = -1;
        md->conf_vfs.vfs = 2;
        return md;
}

static void model_free(struct model *md)
{
        analysis_done(&md->a);
        free(md);
}

/* Groups must be created in id order, as machine.groups is sorted. */
static size_t group(struct model *md, long id)
{
        size_t g = md->m.n_groups++;

        assert_true(g < MAX_GROUPS);
        md->grp[g].id = id;
        md->grp[g].devices = md->members[g];
        return g;
}

static size_t find(struct model *md, const char *name)
{
        size_t i = machine_find_device_name(&md->m, name);

        assert_true(i != NONE);
        return i;
}

/* Devices must be added in address order. GROUP is a machine group index or NONE. */
static size_t dev(struct model *md, const char *name, const char *parent, uint32_t class, size_t g)
{
        size_t i = md->m.n_devices;
        struct pci_device *d = &md->dev[i];

        assert_true(i < MAX_DEVS);
        assert_int_equal(pci_addr_parse(name, &d->addr), 0);
        strcpy(d->name, name);
        md->m.n_devices++;
        d->class = class;
        d->header = (class >> 8) == 0x0604 ? PCI_HEADER_BRIDGE : PCI_HEADER_NORMAL;
        d->parent = parent ? find(md, parent) : NONE;
        d->physfn = NONE;
        d->sriov_totalvfs = d->sriov_numvfs = -1;
        d->boot_vga = TRI_NO;
        d->group = g;
        d->iommu_group = g == NONE ? -1 : md->grp[g].id;
        if (g != NONE)
                md->grp[g].devices[md->grp[g].n_devices++] = i;
        return i;
}

/* Config-space builders (little endian, as sysfs returns it). */
static void put16(uint8_t *c, unsigned off, uint16_t v)
{
        c[off] = v & 0xff;
        c[off + 1] = v >> 8;
}

static void set_header(struct model *md, size_t i, bool multifunction, bool caps, size_t len)
{
        struct pci_device *d = &md->dev[i];
        uint8_t *c = md->cfg[i];

        put16(c, 0x00, 0x8086);
        put16(c, 0x02, 0x1000 + (uint16_t)i);
        c[0x0e] = (uint8_t)(d->header == PCI_HEADER_BRIDGE ? 1 : 0) | (multifunction ? 0x80 : 0);
        if (caps) {
                put16(c, 0x06, 0x0010);
                c[0x34] = 0x40;
        }
        d->multifunction = multifunction;
        d->config = c;
        d->config_len = len;
}

/* A PCIe function: capability at 0x40, 4096 bytes, no extended capability (so no ACS). */
static void add_pcie(struct model *md, size_t i, enum pcie_type type, bool multifunction)
{
        uint8_t *c = md->cfg[i];

        set_header(md, i, multifunction, true, CFG_MAX);
        c[0x40] = 0x10;
        c[0x41] = 0;
        put16(c, 0x42, (uint16_t)(0x0002 | (unsigned)type << 4));
}

static void add_acs(struct model *md, size_t i, uint16_t cap, uint16_t ctrl)
{
        uint8_t *c = md->cfg[i];

        put16(c, 0x100, 0x000d);
        put16(c, 0x102, 0x0001);
        put16(c, 0x104, cap);
        put16(c, 0x106, ctrl);
}

/* A conventional PCI function: no capabilities, 256 bytes. */
static void add_conventional(struct model *md, size_t i, bool multifunction)
{
        set_header(md, i, multifunction, false, 256);
}

#define ACS_ALL (ACS_SV | ACS_TB | ACS_RR | ACS_CR | ACS_UF)

static size_t root_port(struct model *md, const char *name, size_t g, bool acs)
{
        size_t i = dev(md, name, NULL, 0x060400, g);

        add_pcie(md, i, PCIE_TYPE_ROOT_PORT, false);
        if (acs)
                add_acs(md, i, ACS_ALL, ACS_ISOLATION_FLAGS);
        return i;
}

static size_t endpoint(struct model *md, const char *name, const char *parent, uint32_t class, size_t g,
                       bool multifunction)
{
        size_t i = dev(md, name, parent, class, g);

        add_pcie(md, i, PCIE_TYPE_ENDPOINT, multifunction);
        return i;
}

/* Items are kept in device order: select in address order. */
static struct selected *pick_conf(struct model *md, size_t device, const struct device_conf *conf)
{
        struct selected *it = &md->items[md->sel.n_items++];

        *it = (struct selected){ .device = device, .conf = conf, .why = SELECTED_BY_SELECTOR, .pulled_by = NONE };
        return it;
}

static struct selected *pick(struct model *md, size_t device)
{
        return pick_conf(md, device, &md->conf);
}

static void assert_why(const struct group_analysis *g, size_t i, enum why_shared why, size_t device, uint16_t missing)
{
        assert_true(i < g->n_why);
        assert_int_equal(g->why[i].why, why);
        assert_int_equal(g->why[i].device, device);
        assert_int_equal(g->why[i].missing, missing);
}

/* The analysis through a group index (as --list makes it, group by group) is the same. */
static void assert_indexed_same(struct model *md)
{
        struct group_index x;
        struct analysis b;

        assert_int_equal(group_index_build(&md->m, &x), 0);
        assert_int_equal(analyse_indexed(&md->m, &x, &md->sel, &b), 0);
        assert_int_equal(b.n_groups, md->a.n_groups);
        for (size_t i = 0; i < b.n_groups; i++) {
                const struct group_analysis *p = &md->a.groups[i], *q = &b.groups[i];

                assert_int_equal(q->group, p->group);
                assert_int_equal(q->isolated, p->isolated);
                assert_int_equal(q->behind_switch, p->behind_switch);
                assert_int_equal(q->n_blockers, p->n_blockers);
                assert_memory_equal(q->blockers, p->blockers, p->n_blockers * sizeof(size_t));
                assert_int_equal(q->n_why, p->n_why);
                for (size_t j = 0; j < p->n_why; j++)
                        assert_why(q, j, p->why[j].why, p->why[j].device, p->why[j].missing);
        }
        analysis_done(&b);
        group_index_done(&x);
}

static const struct group_analysis *run(struct model *md, size_t expected_groups)
{
        assert_int_equal(analyse(&md->m, &md->sel, &md->a), 0);
        assert_indexed_same(md);
        assert_int_equal(md->a.n_groups, expected_groups);
        return expected_groups ? &md->a.groups[0] : NULL;
}

static void test_isolated_behind_root_port(void **state)
{
        struct model *md = model_new();
        size_t g0 = group(md, 0), g1 = group(md, 1);
        const struct group_analysis *g;
        size_t gpu, audio;

        root_port(md, "0000:00:01.0", g0, true);
        gpu = endpoint(md, "0000:01:00.0", "0000:00:01.0", 0x030000, g1, true);
        audio = endpoint(md, "0000:01:00.1", "0000:00:01.0", 0x040300, g1, true);
        pick(md, gpu);
        pick(md, audio);

        g = run(md, 1);
        assert_int_equal(g->group, g1);
        assert_true(g->isolated);
        assert_int_equal(g->n_blockers, 0);
        assert_int_equal(g->n_why, 0);
        assert_false(g->behind_switch);
        assert_ptr_equal(analysis_find(&md->a, g1), g);
        assert_null(analysis_find(&md->a, g0));
        model_free(md);
}

static void test_pcie_to_pci_bridge(void **state)
{
        struct model *md = model_new();
        size_t g0 = group(md, 0), g5 = group(md, 5);
        const struct group_analysis *g;
        size_t bridge, nic1, nic2;

        root_port(md, "0000:00:1e.0", g0, true);
        bridge = dev(md, "0000:01:00.0", "0000:00:1e.0", 0x060400, g5);
        add_pcie(md, bridge, PCIE_TYPE_PCIE_TO_PCI, false);
        nic1 = dev(md, "0000:02:00.0", "0000:01:00.0", 0x020000, g5);
        add_conventional(md, nic1, false);
        nic2 = dev(md, "0000:02:01.0", "0000:01:00.0", 0x020000, g5);
        add_conventional(md, nic2, false);
        pick(md, nic1);

        g = run(md, 1);
        assert_int_equal(g->group, g5);
        assert_false(g->isolated);
        assert_int_equal(g->n_blockers, 1);
        assert_int_equal(g->blockers[0], nic2);
        assert_int_equal(g->n_why, 1);
        assert_why(g, 0, WHY_PCI_BRIDGE, bridge, 0);
        assert_true(g->behind_switch);
        model_free(md);
}

/* A bridge without a PCIe capability behind a 256-byte root port: still explained. */
static void test_conventional_bridge_256(void **state)
{
        struct model *md = model_new();
        size_t g0 = group(md, 0);
        const struct group_analysis *g;
        size_t rp, bridge, a, b;

        rp = root_port(md, "0000:00:1e.0", g0, false);
        md->dev[rp].config_len = 256;
        bridge = dev(md, "0000:01:00.0", "0000:00:1e.0", 0x060401, g0);
        add_conventional(md, bridge, false);
        a = dev(md, "0000:02:00.0", "0000:01:00.0", 0x0c0300, g0);
        add_conventional(md, a, false);
        b = dev(md, "0000:02:02.0", "0000:01:00.0", 0x0c0300, g0);
        add_conventional(md, b, false);
        pick(md, a);

        g = run(md, 1);
        assert_int_equal(g->n_blockers, 1);
        assert_int_equal(g->blockers[0], b);
        assert_int_equal(g->n_why, 1);
        assert_why(g, 0, WHY_PCI_BRIDGE, bridge, 0);
        assert_false(g->behind_switch);
        model_free(md);
}

static void test_multifunction_without_acs(void **state)
{
        struct model *md = model_new();
        size_t g0 = group(md, 0), g1 = group(md, 1);
        const struct group_analysis *g;
        size_t gpu, usb;

        root_port(md, "0000:00:01.0", g0, true);
        gpu = endpoint(md, "0000:01:00.0", "0000:00:01.0", 0x030000, g1, true);
        usb = endpoint(md, "0000:01:00.2", "0000:00:01.0", 0x0c0330, g1, true);
        pick(md, gpu);

        g = run(md, 1);
        assert_false(g->isolated);
        assert_int_equal(g->n_blockers, 1);
        assert_int_equal(g->blockers[0], usb);
        assert_int_equal(g->n_why, 1);
        assert_why(g, 0, WHY_MULTIFUNCTION_NO_ACS, gpu, 0);
        assert_false(g->behind_switch);
        model_free(md);
}

/* Functions with ACS that lacks RR: the kernel still joins them. */
static void test_multifunction_acs_without_rr(void **state)
{
        struct model *md = model_new();
        size_t g0 = group(md, 0), g1 = group(md, 1);
        const struct group_analysis *g;
        size_t f0, f1;

        root_port(md, "0000:00:01.0", g0, true);
        f0 = endpoint(md, "0000:01:00.0", "0000:00:01.0", 0x020000, g1, true);
        add_acs(md, f0, ACS_RR | ACS_CR, ACS_CR);
        f1 = endpoint(md, "0000:01:00.1", "0000:00:01.0", 0x020000, g1, true);
        add_acs(md, f1, ACS_RR | ACS_CR, ACS_CR);
        pick(md, f1);

        g = run(md, 1);
        assert_int_equal(g->n_blockers, 1);
        assert_int_equal(g->blockers[0], f0);
        assert_int_equal(g->n_why, 1);
        /* Named by function 0, the card. */
        assert_why(g, 0, WHY_MULTIFUNCTION_NO_ACS, f0, ACS_RR);
        model_free(md);
}

/* A switch below a root port: every device below the port joins its group. */
static void build_switch(struct model *md, size_t g, size_t *ret_rp, size_t *ret_gpu, size_t *ret_nic)
{
        size_t us, dp1, dp2;

        *ret_rp = root_port(md, "0000:00:01.0", g, false);
        us = dev(md, "0000:01:00.0", "0000:00:01.0", 0x060400, g);
        add_pcie(md, us, PCIE_TYPE_UPSTREAM, false);
        dp1 = dev(md, "0000:02:01.0", "0000:01:00.0", 0x060400, g);
        add_pcie(md, dp1, PCIE_TYPE_DOWNSTREAM, false);
        add_acs(md, dp1, ACS_ALL, ACS_ISOLATION_FLAGS);
        dp2 = dev(md, "0000:02:02.0", "0000:01:00.0", 0x060400, g);
        add_pcie(md, dp2, PCIE_TYPE_DOWNSTREAM, false);
        add_acs(md, dp2, ACS_ALL, ACS_ISOLATION_FLAGS);
        *ret_gpu = endpoint(md, "0000:03:00.0", "0000:02:01.0", 0x030000, g, false);
        *ret_nic = endpoint(md, "0000:04:00.0", "0000:02:02.0", 0x020000, g, false);
}

static void test_root_port_acs_incomplete(void **state)
{
        struct model *md = model_new();
        size_t g2 = group(md, 2);
        const struct group_analysis *g;
        size_t rp, gpu, nic;

        build_switch(md, g2, &rp, &gpu, &nic);
        /* RR is missing; UF is not implemented, so the kernel does not ask for it. */
        add_acs(md, rp, ACS_SV | ACS_RR | ACS_CR, ACS_SV | ACS_CR);
        pick(md, gpu);

        g = run(md, 1);
        assert_int_equal(g->n_blockers, 1);
        assert_int_equal(g->blockers[0], nic);
        assert_int_equal(g->n_why, 1);
        assert_why(g, 0, WHY_PORT_ACS_INCOMPLETE, rp, ACS_RR);
        assert_true(g->behind_switch);
        model_free(md);
}

static void test_root_port_acs_missing_several(void **state)
{
        struct model *md = model_new();
        size_t g2 = group(md, 2);
        const struct group_analysis *g;
        size_t rp, gpu, nic;

        build_switch(md, g2, &rp, &gpu, &nic);
        add_acs(md, rp, ACS_ALL, ACS_SV | ACS_TB);
        pick(md, gpu);

        g = run(md, 1);
        assert_int_equal(g->n_why, 1);
        assert_why(g, 0, WHY_PORT_ACS_INCOMPLETE, rp, ACS_RR | ACS_CR | ACS_UF);
        model_free(md);
}

static void test_root_port_without_acs(void **state)
{
        struct model *md = model_new();
        size_t g2 = group(md, 2);
        const struct group_analysis *g;
        size_t rp, gpu, nic;

        build_switch(md, g2, &rp, &gpu, &nic);
        pick(md, gpu);

        g = run(md, 1);
        assert_int_equal(g->n_blockers, 1);
        assert_int_equal(g->blockers[0], nic);
        assert_int_equal(g->n_why, 1);
        assert_why(g, 0, WHY_PORT_NO_ACS, rp, 0);
        model_free(md);
}

/* Chipset root ports are often functions of one device; without ACS they share one group. */
static void test_multifunction_root_ports(void **state)
{
        struct model *md = model_new();
        size_t g7 = group(md, 7);
        const struct group_analysis *g;
        size_t rp0, rp4, gpu, nic;

        rp0 = dev(md, "0000:00:1c.0", NULL, 0x060400, g7);
        add_pcie(md, rp0, PCIE_TYPE_ROOT_PORT, true);
        rp4 = dev(md, "0000:00:1c.4", NULL, 0x060400, g7);
        add_pcie(md, rp4, PCIE_TYPE_ROOT_PORT, true);
        gpu = endpoint(md, "0000:01:00.0", "0000:00:1c.0", 0x030000, g7, false);
        nic = endpoint(md, "0000:02:00.0", "0000:00:1c.4", 0x020000, g7, false);
        pick(md, gpu);

        g = run(md, 1);
        assert_int_equal(g->n_blockers, 1);
        assert_int_equal(g->blockers[0], nic);
        assert_int_equal(g->n_why, 3);
        assert_why(g, 0, WHY_MULTIFUNCTION_NO_ACS, rp0, 0);
        assert_why(g, 1, WHY_PORT_NO_ACS, rp0, 0);
        assert_why(g, 2, WHY_PORT_NO_ACS, rp4, 0);
        assert_false(g->behind_switch);
        model_free(md);
}

static void test_unreadable_config(void **state)
{
        struct model *md = model_new();
        size_t g1 = group(md, 1);
        const struct group_analysis *g;
        size_t rp, f0, f1;

        rp = root_port(md, "0000:00:01.0", g1, true);
        f0 = endpoint(md, "0000:01:00.0", "0000:00:01.0", 0x030000, g1, true);
        f1 = endpoint(md, "0000:01:00.1", "0000:00:01.0", 0x040300, g1, true);
        /* What an unprivileged reader gets. */
        md->dev[rp].config_len = 64;
        md->dev[f0].config_len = 64;
        md->dev[f1].config_len = 64;
        pick(md, f0);

        g = run(md, 1);
        assert_int_equal(g->n_blockers, 1);
        assert_int_equal(g->blockers[0], f1);
        assert_int_equal(g->n_why, 1);
        assert_why(g, 0, WHY_UNREADABLE, rp, 0);
        model_free(md);
}

/* Without any config space at all (a model from class files only). */
static void test_no_config_at_all(void **state)
{
        struct model *md = model_new();
        size_t g1 = group(md, 1);
        const struct group_analysis *g;
        size_t a, b;

        a = dev(md, "0000:00:14.0", NULL, 0x0c0330, g1);
        b = dev(md, "0000:00:14.2", NULL, 0x050000, g1);
        pick(md, a);

        g = run(md, 1);
        assert_int_equal(g->n_blockers, 1);
        assert_int_equal(g->n_why, 1);
        assert_why(g, 0, WHY_UNREADABLE, a, 0);
        (void)b;
        model_free(md);
}

static void test_host_bridge(void **state)
{
        struct model *md = model_new();
        size_t g0 = group(md, 0);
        const struct group_analysis *g;
        size_t host, gpu;

        host = dev(md, "0000:00:00.0", NULL, 0x060000, g0);
        add_conventional(md, host, false);
        gpu = endpoint(md, "0000:00:02.0", NULL, 0x030000, g0, false);
        add_acs(md, gpu, 0, 0);
        pick(md, gpu);

        g = run(md, 1);
        assert_true(g->isolated);
        assert_false(analyse_is_blocker(&md->m, &md->sel, host));
        analysis_done(&md->a);

        md->dev[host].driver = (char *)"amd_northbridge";
        assert_true(analyse_is_blocker(&md->m, &md->sel, host));
        g = run(md, 1);
        assert_false(g->isolated);
        assert_int_equal(g->n_blockers, 1);
        assert_int_equal(g->blockers[0], host);
        /* Two integrated devices on the root bus: nothing in config space says why. */
        assert_int_equal(g->n_why, 1);
        assert_why(g, 0, WHY_QUIRK, NONE, 0);
        model_free(md);
}

static void test_bridges_never_block(void **state)
{
        struct model *md = model_new();
        size_t g3 = group(md, 3);
        const struct group_analysis *g;
        size_t pci, cardbus, unread, gpu;

        pci = dev(md, "0000:00:1e.0", NULL, 0x060401, g3);
        add_conventional(md, pci, false);
        cardbus = dev(md, "0000:05:00.0", "0000:00:1e.0", 0x060700, g3);
        md->dev[cardbus].header = PCI_HEADER_CARDBUS;
        /* No config space: the class tells. */
        unread = dev(md, "0000:05:01.0", "0000:00:1e.0", 0x060400, g3);
        md->dev[unread].header = PCI_HEADER_UNKNOWN;
        gpu = dev(md, "0000:05:02.0", "0000:00:1e.0", 0x030000, g3);
        add_conventional(md, gpu, false);
        pick(md, gpu);

        assert_false(analyse_is_blocker(&md->m, &md->sel, pci));
        assert_false(analyse_is_blocker(&md->m, &md->sel, cardbus));
        assert_false(analyse_is_blocker(&md->m, &md->sel, unread));
        assert_false(analyse_is_blocker(&md->m, &md->sel, gpu));
        g = run(md, 1);
        assert_true(g->isolated);
        assert_int_equal(g->n_why, 0);
        model_free(md);
}

static void test_pin_mismatch_blocks(void **state)
{
        struct model *md = model_new();
        size_t g0 = group(md, 0), g1 = group(md, 1), g2 = group(md, 2);
        const struct group_analysis *g;
        size_t gpu, audio, lone;

        root_port(md, "0000:00:01.0", g0, true);
        gpu = endpoint(md, "0000:01:00.0", "0000:00:01.0", 0x030000, g1, true);
        audio = endpoint(md, "0000:01:00.1", "0000:00:01.0", 0x040300, g1, true);
        lone = endpoint(md, "0000:02:00.0", NULL, 0x020000, g2, false);
        pick(md, gpu);
        pick(md, audio)->pin_mismatch = true;
        pick(md, lone)->pin_mismatch = true;

        assert_true(analyse_is_blocker(&md->m, &md->sel, audio));
        assert_false(analyse_is_blocker(&md->m, &md->sel, gpu));
        g = run(md, 2);
        assert_int_equal(g->group, g1);
        assert_int_equal(g->n_blockers, 1);
        assert_int_equal(g->blockers[0], audio);
        assert_why(g, 0, WHY_MULTIFUNCTION_NO_ACS, gpu, 0);

        /* Alone in its group, it blocks only itself: nothing to explain. */
        g = analysis_find(&md->a, g2);
        assert_non_null(g);
        assert_false(g->isolated);
        assert_int_equal(g->n_blockers, 1);
        assert_int_equal(g->blockers[0], lone);
        assert_int_equal(g->n_why, 0);
        model_free(md);
}

/* vfs=N binds the VFs, never the PF. */
static void test_pf_with_vfs_blocks(void **state)
{
        struct model *md = model_new();
        size_t g4 = group(md, 4), g5 = group(md, 5);
        size_t pf, vf;

        pf = endpoint(md, "0000:03:00.0", NULL, 0x020000, g4, false);
        vf = endpoint(md, "0000:03:10.0", NULL, 0x020000, g5, false);
        md->dev[vf].physfn = pf;
        pick_conf(md, pf, &md->conf_vfs);
        /* As select_devices() picks it: a VF of the vfs= PF, not named by the entry. */
        struct selected *it = pick_conf(md, vf, &md->conf_vfs);
        it->why = SELECTED_AS_VF;
        it->pulled_by = pf;

        assert_true(analyse_is_blocker(&md->m, &md->sel, pf));
        assert_false(analyse_is_blocker(&md->m, &md->sel, vf));
        run(md, 2);
        assert_false(analysis_find(&md->a, g4)->isolated);
        assert_true(analysis_find(&md->a, g5)->isolated);
        model_free(md);
}

static void test_groups_sorted_and_groupless_skipped(void **state)
{
        struct model *md = model_new();
        size_t g1 = group(md, 1), g9 = group(md, 9), g12 = group(md, 12);
        size_t a, b, c, lone;

        a = endpoint(md, "0000:01:00.0", NULL, 0x030000, g12, false);
        b = endpoint(md, "0000:02:00.0", NULL, 0x030000, g1, false);
        c = endpoint(md, "0000:03:00.0", NULL, 0x030000, g9, false);
        lone = endpoint(md, "0000:04:00.0", NULL, 0x030000, NONE, false);
        pick(md, a);
        pick(md, b);
        pick(md, lone);

        run(md, 2);
        assert_int_equal(md->a.groups[0].group, g1);
        assert_int_equal(md->a.groups[1].group, g12);
        assert_null(analysis_find(&md->a, g9));
        assert_null(analysis_find(&md->a, NONE));
        (void)c;
        model_free(md);
}

/* Many pairs, one cause: explained once; blockers in address order. */
static void test_dedup_and_order(void **state)
{
        struct model *md = model_new();
        size_t g5 = group(md, 5);
        const struct group_analysis *g;
        size_t bridge, s1, s2, b1, b2, b3;

        bridge = dev(md, "0000:00:1e.0", NULL, 0x060401, g5);
        add_conventional(md, bridge, false);
        b1 = dev(md, "0000:05:00.0", "0000:00:1e.0", 0x020000, g5);
        s1 = dev(md, "0000:05:01.0", "0000:00:1e.0", 0x0c0300, g5);
        b2 = dev(md, "0000:05:02.0", "0000:00:1e.0", 0x040100, g5);
        s2 = dev(md, "0000:05:03.0", "0000:00:1e.0", 0x0c0300, g5);
        b3 = dev(md, "0000:05:04.0", "0000:00:1e.0", 0x078000, g5);
        for (size_t i = b1; i <= b3; i++)
                add_conventional(md, i, false);
        /* Group lists out of address order must not matter. */
        md->grp[g5].devices[1] = b3;
        md->grp[g5].devices[5] = b1;
        pick(md, s1);
        pick(md, s2);

        g = run(md, 1);
        assert_int_equal(g->n_blockers, 3);
        assert_int_equal(g->blockers[0], b1);
        assert_int_equal(g->blockers[1], b2);
        assert_int_equal(g->blockers[2], b3);
        assert_int_equal(g->n_why, 1);
        assert_why(g, 0, WHY_PCI_BRIDGE, bridge, 0);
        model_free(md);
}

/* A damaged tree lists a device in two groups: both are analysed, through the index too. */
static void test_device_in_two_groups(void **state)
{
        struct model *md = model_new();
        size_t g1 = group(md, 1), g2 = group(md, 2), g3 = group(md, 3);
        size_t a, b, c;

        a = endpoint(md, "0000:01:00.0", NULL, 0x030000, g1, false);
        b = endpoint(md, "0000:02:00.0", NULL, 0x020000, g3, false);
        c = endpoint(md, "0000:03:00.0", NULL, 0x020000, g2, false);
        md->grp[g3].devices[md->grp[g3].n_devices++] = a;
        pick(md, a);

        run(md, 2);
        assert_int_equal(md->a.groups[0].group, g1);
        assert_true(md->a.groups[0].isolated);
        assert_int_equal(md->a.groups[1].group, g3);
        assert_int_equal(md->a.groups[1].n_blockers, 1);
        assert_int_equal(md->a.groups[1].blockers[0], b);
        assert_null(analysis_find(&md->a, g2));
        (void)c;
        model_free(md);
}

static void test_empty_selection(void **state)
{
        struct model *md = model_new();
        size_t g1 = group(md, 1);

        endpoint(md, "0000:01:00.0", NULL, 0x030000, g1, false);
        run(md, 0);
        analysis_done(&md->a);
        assert_int_equal(analyse(&md->m, NULL, &md->a), 0);
        assert_int_equal(md->a.n_groups, 0);
        model_free(md);
}

/* A parent loop in a broken model must not hang the walk. */
static void test_parent_loop(void **state)
{
        struct model *md = model_new();
        size_t g1 = group(md, 1);
        const struct group_analysis *g;
        size_t a, b;

        a = endpoint(md, "0000:01:00.0", NULL, 0x030000, g1, false);
        b = endpoint(md, "0000:02:00.0", NULL, 0x020000, g1, false);
        md->dev[a].parent = b;
        md->dev[b].parent = a;
        pick(md, a);

        g = run(md, 1);
        assert_int_equal(g->n_blockers, 1);
        assert_int_equal(g->n_why, 1);
        model_free(md);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_isolated_behind_root_port),
                cmocka_unit_test(test_pcie_to_pci_bridge),
                cmocka_unit_test(test_conventional_bridge_256),
                cmocka_unit_test(test_multifunction_without_acs),
                cmocka_unit_test(test_multifunction_acs_without_rr),
                cmocka_unit_test(test_root_port_acs_incomplete),
                cmocka_unit_test(test_root_port_acs_missing_several),
                cmocka_unit_test(test_root_port_without_acs),
                cmocka_unit_test(test_multifunction_root_ports),
                cmocka_unit_test(test_unreadable_config),
                cmocka_unit_test(test_no_config_at_all),
                cmocka_unit_test(test_host_bridge),
                cmocka_unit_test(test_bridges_never_block),
                cmocka_unit_test(test_pin_mismatch_blocks),
                cmocka_unit_test(test_pf_with_vfs_blocks),
                cmocka_unit_test(test_groups_sorted_and_groupless_skipped),
                cmocka_unit_test(test_dedup_and_order),
                cmocka_unit_test(test_device_in_two_groups),
                cmocka_unit_test(test_empty_selection),
                cmocka_unit_test(test_parent_loop),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
