/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "plan.h"
#include "protect.h"
#include "support/model-literal.h"

/*
 * A machine built from literals, so that the plan is tested on its own, not through the
 * selection and analysis code:
 *   0 0000:00:00.0 host bridge        group 0 (id 0)
 *   1 0000:00:01.0 root port          group 1 (id 1)
 *   2 0000:00:02.0 iGPU, boot VGA     group 2 (id 2)
 *   3 0000:01:00.0 GPU (nvidia)       group 1
 *   4 0000:01:00.1 HDMI audio         group 1
 *   5 0000:02:00.0 NVMe, root device  group 3 (id 13)
 * The configuration selects 01:00.0; functions=auto pulled in 01:00.1; group 1 is isolated.
 */
struct fx {
        struct model mo;
        struct device_conf conf[4];
        struct config cfg;
        struct selected items[10];
        struct selection sel;
        struct group_analysis ga[6];
        struct analysis an;
        size_t rootdevs[2];
        struct rootdisk resume;
        struct rootinfo ri;
        struct cmdline cl;
        struct plan_input in;
};

static void pick(struct fx *f, size_t dev, const struct device_conf *conf, enum selected_why why, size_t pulled_by)
{
        f->items[f->sel.n_items++] =
                (struct selected){ .device = dev, .conf = conf, .why = why, .pulled_by = pulled_by };
}

static void analysed(struct fx *f, size_t group, bool isolated)
{
        f->ga[f->an.n_groups++] = (struct group_analysis){ .group = group, .isolated = isolated };
}

static void set_cmdline(struct fx *f, const char *text)
{
        cmdline_done(&f->cl);
        assert_int_equal(cmdline_parse(text, &f->cl), 0);
}

static void fx_init(struct fx *f)
{
        memset(f, 0, sizeof(*f));
        model_init(&f->mo);
        for (size_t i = 0; i < 4; i++)
                model_add_group(&f->mo, i == 3 ? 13 : (long)i);
        model_put(&f->mo, model_add_dev(&f->mo, "0000:00:00.0", 0x8086, 0x3e30, 0x060000, NULL), 0);
        model_put(&f->mo, model_add_dev(&f->mo, "0000:00:01.0", 0x8086, 0x1901, 0x060400, "pcieport"), 1);
        model_put(&f->mo, model_add_dev(&f->mo, "0000:00:02.0", 0x8086, 0x3e92, 0x030000, "i915"), 2);
        model_put(&f->mo, model_add_dev(&f->mo, "0000:01:00.0", 0x10de, 0x2484, 0x030000, "nvidia"), 1);
        model_put(&f->mo, model_add_dev(&f->mo, "0000:01:00.1", 0x10de, 0x228b, 0x040300, "snd_hda_intel"), 1);
        model_put(&f->mo, model_add_dev(&f->mo, "0000:02:00.0", 0x144d, 0xa808, 0x010802, "nvme"), 3);
        f->mo.d[2].boot_vga = TRI_YES;

        f->conf[0] = (struct device_conf){ .text = (char *)"01:00.0",
                                           .origin = (char *)"/etc/vfio-prep.conf:3",
                                           .from_file = true,
                                           .functions = FUNCTIONS_AUTO,
                                           .vfs = -1 };
        assert_int_equal(pci_addr_parse("01:00.0", &f->conf[0].sel.addr), 0);
        f->cfg = (struct config){ .devices = f->conf, .n_devices = 1, .isolation = ISOLATION_STRICT };
        f->sel.items = f->items;
        pick(f, 3, &f->conf[0], SELECTED_BY_SELECTOR, NONE);
        pick(f, 4, &f->conf[0], SELECTED_BY_FUNCTIONS, 3);
        f->an.groups = f->ga;
        analysed(f, 1, true);
        f->rootdevs[0] = 5;
        f->ri.root = (struct rootdisk){
                .spec = (char *)"/dev/nvme0n1p2", .block = (char *)"nvme0n1p2", .devices = f->rootdevs, .n_devices = 1
        };
        f->ri.extra = &f->resume;
        f->ri.n_extra = 1;
        set_cmdline(f, "root=/dev/nvme0n1p2 ro quiet");
        f->in = (struct plan_input){
                .machine = &f->mo.m,
                .cmdline = &f->cl,
                .config = &f->cfg,
                .selection = &f->sel,
                .analysis = &f->an,
                .rootinfo = &f->ri,
        };
}

static void fx_done(struct fx *f)
{
        cmdline_done(&f->cl);
}

static const struct plan_device *find_device(const struct plan *p, size_t device, const struct plan_group **ret_g)
{
        for (size_t i = 0; i < p->n_groups; i++)
                for (size_t j = 0; j < p->groups[i].n_devices; j++)
                        if (p->groups[i].devices[j].device == device) {
                                *ret_g = &p->groups[i];
                                return &p->groups[i].devices[j];
                        }
        fail_msg("device %zu not in the plan", device);
        return NULL;
}

static void test_binds_isolated_group(void **state)
{
        struct fx f;
        struct plan p;

        fx_init(&f);
        assert_int_equal(plan_build(&f.in, &p), 0);
        assert_int_equal(p.global, REFUSE_NONE);
        assert_int_equal(p.n_groups, 1);
        assert_int_equal(p.groups[0].group, 1);
        assert_int_equal(p.groups[0].refusal, REFUSE_NONE);
        assert_int_equal(p.groups[0].isolation, ISOLATION_OK);
        assert_int_equal(p.groups[0].n_devices, 2);
        assert_int_equal(p.groups[0].devices[0].device, 3);
        assert_int_equal(p.groups[0].devices[1].device, 4);
        assert_int_equal(p.groups[0].devices[0].refusal, REFUSE_NONE);
        assert_false(p.groups[0].devices[0].on_vfio);
        assert_int_equal(p.n_sriov, 0);
        assert_true(plan_has_work(&p));
        plan_done(&p);
        assert_null(p.groups);
        fx_done(&f);
}

static void test_already_on_vfio_is_no_work(void **state)
{
        struct fx f;
        struct plan p;

        fx_init(&f);
        f.mo.d[3].driver = (char *)"vfio-pci";
        f.mo.d[4].driver = (char *)"vfio-pci";
        assert_int_equal(plan_build(&f.in, &p), 0);
        assert_true(p.groups[0].devices[0].on_vfio);
        assert_true(p.groups[0].devices[1].on_vfio);
        assert_false(plan_has_work(&p));
        plan_done(&p);
        /* One device left to do is work again. */
        f.mo.d[4].driver = NULL;
        assert_int_equal(plan_build(&f.in, &p), 0);
        assert_true(plan_has_work(&p));
        plan_done(&p);
        fx_done(&f);
}

/* Device refusals in priority order: pin, damaged, no group, root device, boot VGA. */
enum flag {
        F_PIN = 1 << 0,
        F_DAMAGED = 1 << 1,
        F_NO_GROUP = 1 << 2,
        F_ROOT = 1 << 3,
        F_BOOT_VGA = 1 << 4,
        F_ALLOW_VGA = 1 << 5,
};

static void test_device_refusal_priority(void **state)
{
        static const struct {
                unsigned flags;
                enum refusal want;
        } cases[] = {
                { 0, REFUSE_NONE },
                { F_PIN | F_DAMAGED | F_NO_GROUP | F_ROOT | F_BOOT_VGA, REFUSE_PIN_MISMATCH },
                { F_DAMAGED | F_NO_GROUP | F_ROOT | F_BOOT_VGA, REFUSE_DAMAGED },
                { F_NO_GROUP | F_ROOT | F_BOOT_VGA, REFUSE_NO_GROUP },
                { F_ROOT | F_BOOT_VGA, REFUSE_ROOT_DEVICE },
                { F_BOOT_VGA, REFUSE_BOOT_VGA },
                { F_BOOT_VGA | F_ALLOW_VGA, REFUSE_NONE },
        };

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                struct fx f;
                struct plan p;
                const struct plan_group *pg;
                unsigned fl = cases[i].flags;

                fx_init(&f);
                /* Only 01:00.0 is selected, so its refusal is the group's. */
                f.sel.n_items = 1;
                f.items[0].pin_mismatch = fl & F_PIN;
                f.mo.d[3].damaged = fl & F_DAMAGED;
                if (fl & F_NO_GROUP)
                        f.mo.d[3].group = NONE;
                if (fl & F_ROOT)
                        f.rootdevs[0] = 3;
                if (fl & F_BOOT_VGA)
                        f.mo.d[3].boot_vga = TRI_YES;
                f.conf[0].allow_boot_vga = fl & F_ALLOW_VGA;
                assert_int_equal(plan_build(&f.in, &p), 0);
                const struct plan_device *pd = find_device(&p, 3, &pg);
                if (pd->refusal != cases[i].want)
                        fail_msg("case %zu: refusal %s, expected %s", i, refusal_to_string(pd->refusal),
                                 refusal_to_string(cases[i].want));
                assert_int_equal(pg->refusal, cases[i].want);
                plan_done(&p);
                fx_done(&f);
        }
}

/* All or nothing: one refused device refuses its group; the others are REFUSE_NESTED. */
static void test_group_all_or_nothing(void **state)
{
        struct fx f;
        struct plan p;

        fx_init(&f);
        f.mo.d[4].boot_vga = TRI_YES; /* odd, but any refusal of 01:00.1 will do */
        assert_int_equal(plan_build(&f.in, &p), 0);
        assert_int_equal(p.n_groups, 1);
        assert_int_equal(p.groups[0].refusal, REFUSE_BOOT_VGA);
        assert_int_equal(p.groups[0].devices[0].refusal, REFUSE_NESTED);
        assert_int_equal(p.groups[0].devices[1].refusal, REFUSE_BOOT_VGA);
        assert_false(plan_has_work(&p));
        plan_done(&p);
        fx_done(&f);
}

/* The first refused device in address order names the group's refusal. */
static void test_group_takes_first_refusal(void **state)
{
        struct fx f;
        struct plan p;

        fx_init(&f);
        f.items[0].pin_mismatch = true;
        f.mo.d[4].damaged = true;
        assert_int_equal(plan_build(&f.in, &p), 0);
        assert_int_equal(p.groups[0].refusal, REFUSE_PIN_MISMATCH);
        assert_int_equal(p.groups[0].devices[0].refusal, REFUSE_PIN_MISMATCH);
        assert_int_equal(p.groups[0].devices[1].refusal, REFUSE_DAMAGED);
        plan_done(&p);
        fx_done(&f);
}

static void test_root_device_group(void **state)
{
        struct fx f;
        struct plan p;

        fx_init(&f);
        /* The root disk shares group 1: every device of the group is the root device's. */
        model_put(&f.mo, 5, 1);
        f.mo.d[5].group = 1;
        assert_true(protect_is_root_device(f.in.rootinfo, f.in.machine, 3));
        assert_true(protect_is_root_device(f.in.rootinfo, f.in.machine, 1));
        assert_false(protect_is_root_device(f.in.rootinfo, f.in.machine, 2));
        assert_int_equal(plan_build(&f.in, &p), 0);
        assert_int_equal(p.groups[0].refusal, REFUSE_ROOT_DEVICE);
        assert_int_equal(p.groups[0].devices[0].refusal, REFUSE_ROOT_DEVICE);
        assert_int_equal(p.groups[0].devices[1].refusal, REFUSE_ROOT_DEVICE);
        plan_done(&p);
        fx_done(&f);
}

static void test_root_device_lookup(void **state)
{
        struct fx f;

        fx_init(&f);
        assert_true(protect_is_root_device(f.in.rootinfo, f.in.machine, 5));
        assert_false(protect_is_root_device(f.in.rootinfo, f.in.machine, 3));
        /* The resume device counts too. */
        size_t resume[] = { 3 };
        f.resume = (struct rootdisk){ .spec = (char *)"UUID=x", .devices = resume, .n_devices = 1 };
        assert_true(protect_is_root_device(f.in.rootinfo, f.in.machine, 3));
        assert_true(protect_is_root_device(f.in.rootinfo, f.in.machine, 4)); /* same group */
        assert_false(protect_is_root_device(f.in.rootinfo, f.in.machine, 2));
        /* Groupless devices share nothing. */
        f.mo.d[2].group = NONE;
        f.mo.d[5].group = NONE;
        assert_false(protect_is_root_device(f.in.rootinfo, f.in.machine, 2));
        assert_false(protect_is_root_device(f.in.rootinfo, f.in.machine, 99));
        fx_done(&f);
}

/* In the initramfs root= is not resolvable yet: storage controllers stay, others are bound. */
static void test_root_unknown_keeps_storage(void **state)
{
        struct fx f;
        struct plan p;
        const struct plan_group *g;

        fx_init(&f);
        f.ri.root = (struct rootdisk){ .spec = (char *)"UUID=0a1b", .problem = (char *)"cannot resolve" };
        f.conf[1] = (struct device_conf){
                .text = (char *)"02:00.0", .origin = (char *)"--device", .functions = FUNCTIONS_ONE, .vfs = -1
        };
        pick(&f, 5, &f.conf[1], SELECTED_BY_SELECTOR, NONE);
        analysed(&f, 3, true);
        assert_int_equal(plan_build(&f.in, &p), 0);
        assert_int_equal(find_device(&p, 5, &g)->refusal, REFUSE_ROOT_UNKNOWN);
        assert_int_equal(g->refusal, REFUSE_ROOT_UNKNOWN);
        assert_int_equal(find_device(&p, 3, &g)->refusal, REFUSE_NONE);
        plan_done(&p);

        /* Resolved, and not the root disk: the controller may go. */
        f.ri.root = (struct rootdisk){ .spec = (char *)"UUID=0a1b", .block = (char *)"sda2" };
        assert_int_equal(plan_build(&f.in, &p), 0);
        assert_int_equal(find_device(&p, 5, &g)->refusal, REFUSE_NONE);
        plan_done(&p);

        /* An unresolvable resume= counts the same. */
        f.resume = (struct rootdisk){ .spec = (char *)"/dev/sdb1" };
        assert_int_equal(plan_build(&f.in, &p), 0);
        assert_int_equal(find_device(&p, 5, &g)->refusal, REFUSE_ROOT_UNKNOWN);
        plan_done(&p);
        fx_done(&f);
}

static void test_isolation(void **state)
{
        struct fx f;
        struct plan p;

        fx_init(&f);
        f.ga[0].isolated = false;
        assert_int_equal(plan_build(&f.in, &p), 0);
        assert_int_equal(p.groups[0].refusal, REFUSE_NOT_ISOLATED);
        assert_int_equal(p.groups[0].devices[0].refusal, REFUSE_NOT_ISOLATED);
        assert_int_equal(p.groups[0].devices[1].refusal, REFUSE_NOT_ISOLATED);
        plan_done(&p);

        f.cfg.isolation = ISOLATION_WARN;
        assert_int_equal(plan_build(&f.in, &p), 0);
        assert_int_equal(p.groups[0].refusal, REFUSE_NONE);
        assert_true(plan_has_work(&p));
        plan_done(&p);

        /* No analysis of the group: nothing is known, strict refuses. */
        f.cfg.isolation = ISOLATION_STRICT;
        f.an.n_groups = 0;
        assert_int_equal(plan_build(&f.in, &p), 0);
        assert_int_equal(p.groups[0].isolation, ISOLATION_UNKNOWN);
        assert_int_equal(p.groups[0].refusal, REFUSE_NOT_ISOLATED);
        plan_done(&p);
        fx_done(&f);
}

/*
 * Without any configuration isolation is strict, its default (vfio-prep.conf(5)). The plan once
 * treated a missing configuration as warn and bound this group, while --check failed it.
 */
static void test_isolation_without_config(void **state)
{
        struct fx f;
        struct plan p;

        fx_init(&f);
        f.ga[0].isolated = false;
        f.in.config = NULL;
        assert_int_equal(plan_build(&f.in, &p), 0);
        assert_int_equal(p.groups[0].isolation, ISOLATION_BLOCKED);
        assert_int_equal(p.groups[0].refusal, REFUSE_NOT_ISOLATED);
        assert_int_equal(p.groups[0].devices[0].refusal, REFUSE_NOT_ISOLATED);
        assert_false(plan_has_work(&p));
        plan_done(&p);
        fx_done(&f);
}

/* The isolation rule itself, for every verdict and mode. */
static void test_isolation_rule(void **state)
{
        const struct config strict = { .isolation = ISOLATION_STRICT }, warn = { .isolation = ISOLATION_WARN };
        static const struct {
                enum isolation v;
                bool strict, warn;
        } cases[] = {
                { ISOLATION_NOT_JUDGED, false, false },
                { ISOLATION_OK, false, false },
                { ISOLATION_UNKNOWN, true, false },
                { ISOLATION_BLOCKED, true, false },
        };

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                assert_int_equal(plan_isolation_refuses(&strict, cases[i].v), cases[i].strict);
                assert_int_equal(plan_isolation_refuses(NULL, cases[i].v), cases[i].strict);
                assert_int_equal(plan_isolation_refuses(&warn, cases[i].v), cases[i].warn);
        }
}

/* A group whose only selected device failed its id= pin has no isolation to judge. */
static void test_isolation_not_judged(void **state)
{
        struct fx f;
        struct plan p;

        fx_init(&f);
        f.sel.n_items = 1;
        f.items[0].pin_mismatch = true;
        f.ga[0].isolated = false;
        assert_int_equal(plan_build(&f.in, &p), 0);
        assert_int_equal(p.groups[0].isolation, ISOLATION_NOT_JUDGED);
        assert_int_equal(p.groups[0].refusal, REFUSE_PIN_MISMATCH);
        plan_done(&p);
        fx_done(&f);
}

static void test_disabled(void **state)
{
        static const struct {
                const char *cmdline;
                enum refusal want;
        } cases[] = {
                { "quiet vfio-prep.disable", REFUSE_DISABLED },
                { "vfio-prep.disable=1 quiet", REFUSE_DISABLED },
                { "vfio_prep.disable=1", REFUSE_DISABLED },
                { "vfio-prep.disable=0", REFUSE_NONE },
                { "quiet", REFUSE_NONE },
        };

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                struct fx f;
                struct plan p;

                fx_init(&f);
                set_cmdline(&f, cases[i].cmdline);
                assert_int_equal(plan_build(&f.in, &p), 0);
                if (p.global != cases[i].want)
                        fail_msg("'%s': %s", cases[i].cmdline, refusal_to_string(p.global));
                assert_int_equal(p.groups[0].refusal, cases[i].want);
                assert_int_equal(p.groups[0].devices[0].refusal, cases[i].want);
                assert_int_equal(plan_has_work(&p), cases[i].want == REFUSE_NONE);
                plan_done(&p);
                fx_done(&f);
        }
}

static void test_disabled_keeps_device_refusals(void **state)
{
        struct fx f;
        struct plan p;

        fx_init(&f);
        set_cmdline(&f, "vfio-prep.disable");
        f.items[0].pin_mismatch = true;
        assert_int_equal(plan_build(&f.in, &p), 0);
        assert_int_equal(p.global, REFUSE_DISABLED);
        assert_int_equal(p.groups[0].refusal, REFUSE_PIN_MISMATCH);
        assert_int_equal(p.groups[0].devices[1].refusal, REFUSE_NESTED);
        plan_done(&p);
        fx_done(&f);
}

/* No IOMMU groups at all: every device is groupless, each in a plan group of its own. */
static void test_iommu_off(void **state)
{
        struct fx f;
        struct plan p;

        fx_init(&f);
        f.mo.m.n_groups = 0;
        for (size_t i = 0; i < f.mo.m.n_devices; i++) {
                f.mo.d[i].group = NONE;
                f.mo.d[i].iommu_group = -1;
        }
        f.an.n_groups = 0;
        assert_int_equal(plan_build(&f.in, &p), 0);
        assert_int_equal(p.global, REFUSE_IOMMU_OFF);
        assert_int_equal(p.n_groups, 2);
        for (size_t i = 0; i < 2; i++) {
                assert_int_equal(p.groups[i].group, NONE);
                assert_int_equal(p.groups[i].refusal, REFUSE_NO_GROUP);
                assert_int_equal(p.groups[i].n_devices, 1);
                assert_int_equal(p.groups[i].devices[0].device, 3 + i);
        }
        assert_false(plan_has_work(&p));
        plan_done(&p);
        fx_done(&f);
}

/* Groups in id order, groupless devices last, in address order. */
static void test_group_order(void **state)
{
        struct fx f;
        struct plan p;
        static struct device_conf extra = {
                .text = (char *)"x", .functions = FUNCTIONS_ONE, .vfs = -1, .allow_boot_vga = true
        };

        fx_init(&f);
        size_t a = model_add_dev(&f.mo, "0000:03:00.0", 0x1b21, 0x2142, 0x0c0330, "xhci_hcd");
        size_t b = model_add_dev(&f.mo, "0000:04:00.0", 0x1b21, 0x2142, 0x0c0330, "xhci_hcd");
        size_t c = model_add_dev(&f.mo, "0000:05:00.0", 0x1b21, 0x2142, 0x0c0330, "xhci_hcd");
        size_t g0 = 0;
        model_put(&f.mo, a, g0);
        f.ga[f.an.n_groups++] = (struct group_analysis){ .group = g0, .isolated = true };
        /* Selection order is address order; groups must come out sorted all the same. */
        f.sel.n_items = 0;
        pick(&f, 2, &extra, SELECTED_BY_SELECTOR, NONE);     /* group 2 */
        pick(&f, 3, &f.conf[0], SELECTED_BY_SELECTOR, NONE); /* group 1 */
        pick(&f, a, &extra, SELECTED_BY_SELECTOR, NONE);     /* group 0 */
        pick(&f, b, &extra, SELECTED_BY_SELECTOR, NONE);     /* none */
        pick(&f, c, &extra, SELECTED_BY_SELECTOR, NONE);     /* none */
        analysed(&f, 2, true);
        assert_int_equal(plan_build(&f.in, &p), 0);
        assert_int_equal(p.n_groups, 5);
        assert_int_equal(p.groups[0].group, 0);
        assert_int_equal(p.groups[1].group, 1);
        assert_int_equal(p.groups[2].group, 2);
        assert_int_equal(p.groups[3].group, NONE);
        assert_int_equal(p.groups[3].devices[0].device, b);
        assert_int_equal(p.groups[4].group, NONE);
        assert_int_equal(p.groups[4].devices[0].device, c);
        assert_int_equal(p.groups[0].refusal, REFUSE_NONE);
        assert_int_equal(p.groups[2].refusal, REFUSE_NONE); /* boot VGA, allowed */
        assert_int_equal(p.groups[3].refusal, REFUSE_NO_GROUP);
        plan_done(&p);
        fx_done(&f);
}

/* vfs=N: a PF able to have N VFs is never bound and gets a plan_sriov entry when N differs. */
static void test_sriov(void **state)
{
        static const struct {
                long totalvfs, numvfs, vfs;
                bool is_vf;
                size_t want_sriov;
                enum refusal want; /* of the PF's device entry; REFUSE_NONE: not in the groups */
        } cases[] = {
                { 8, 0, 4, false, 1, REFUSE_NONE },    { 8, 4, 4, false, 0, REFUSE_NONE },
                { 8, 2, 4, false, 1, REFUSE_NONE },    { 2, 0, 4, false, 0, REFUSE_SRIOV },
                { -1, -1, 4, false, 0, REFUSE_SRIOV }, { -1, -1, 1, true, 0, REFUSE_SRIOV },
        };

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                struct fx f;
                struct plan p;

                fx_init(&f);
                size_t pf = model_add_dev(&f.mo, "0000:06:00.0", 0x8086, 0x1521, 0x020000, "igb");
                model_put(&f.mo, pf, 0);
                f.mo.d[pf].sriov_totalvfs = cases[i].totalvfs;
                f.mo.d[pf].sriov_numvfs = cases[i].numvfs;
                if (cases[i].is_vf)
                        f.mo.d[pf].physfn = 5;
                f.conf[1] = (struct device_conf){ .text = (char *)"06:00.0",
                                                  .vfs = cases[i].vfs,
                                                  .functions = FUNCTIONS_AUTO };
                f.sel.n_items = 0;
                pick(&f, pf, &f.conf[1], SELECTED_BY_SELECTOR, NONE);
                analysed(&f, 0, true);
                assert_int_equal(plan_build(&f.in, &p), 0);
                assert_int_equal(p.n_sriov, cases[i].want_sriov);
                if (p.n_sriov) {
                        assert_int_equal(p.sriov[0].device, pf);
                        assert_int_equal(p.sriov[0].numvfs, cases[i].vfs);
                }
                if (cases[i].want == REFUSE_NONE)
                        assert_int_equal(p.n_groups, 0);
                else {
                        assert_int_equal(p.n_groups, 1);
                        assert_int_equal(p.groups[0].refusal, cases[i].want);
                }
                assert_int_equal(plan_has_work(&p), cases[i].want_sriov > 0);
                plan_done(&p);
                fx_done(&f);
        }
}

/* The VFs of a vfs= PF are bound like any device; a PF kept in their group spoils isolation. */
static void test_sriov_vfs_bound(void **state)
{
        struct fx f;
        struct plan p;

        fx_init(&f);
        size_t pf = model_add_dev(&f.mo, "0000:06:00.0", 0x8086, 0x1521, 0x020000, "igb");
        size_t vf1 = model_add_dev(&f.mo, "0000:06:10.0", 0x8086, 0x1520, 0x020000, "igbvf");
        size_t vf2 = model_add_dev(&f.mo, "0000:06:10.4", 0x8086, 0x1520, 0x020000, NULL);
        size_t g4 = model_add_group(&f.mo, 20), g5 = model_add_group(&f.mo, 21);
        model_put(&f.mo, pf, 0);
        model_put(&f.mo, vf1, g4);
        model_put(&f.mo, vf2, g5);
        f.mo.d[pf].sriov_totalvfs = 7;
        f.mo.d[pf].sriov_numvfs = 2;
        f.mo.d[vf1].physfn = f.mo.d[vf2].physfn = pf;
        f.conf[1] = (struct device_conf){ .text = (char *)"06:00.0", .vfs = 2 };
        f.sel.n_items = 0;
        pick(&f, pf, &f.conf[1], SELECTED_BY_SELECTOR, NONE);
        pick(&f, vf1, &f.conf[1], SELECTED_AS_VF, pf);
        pick(&f, vf2, &f.conf[1], SELECTED_AS_VF, pf);
        analysed(&f, g4, true);
        analysed(&f, g5, true);
        assert_int_equal(plan_build(&f.in, &p), 0);
        assert_int_equal(p.n_sriov, 0);
        assert_int_equal(p.n_groups, 2);
        assert_int_equal(p.groups[0].devices[0].device, vf1);
        assert_int_equal(p.groups[0].refusal, REFUSE_NONE);
        assert_int_equal(p.groups[1].devices[0].device, vf2);
        plan_done(&p);

        /* A VF sharing the PF's group: the PF stays on igb, so the group is not isolated. */
        f.mo.gd[0][f.mo.g[0].n_devices++] = vf1;
        f.mo.d[vf1].group = 0;
        f.ga[f.an.n_groups - 2].group = 0;
        assert_int_equal(plan_build(&f.in, &p), 0);
        assert_int_equal(p.groups[0].group, 0);
        assert_int_equal(p.groups[0].isolation, ISOLATION_BLOCKED);
        assert_int_equal(p.groups[0].refusal, REFUSE_NOT_ISOLATED);
        plan_done(&p);
        fx_done(&f);
}

static void test_refusal_strings(void **state)
{
        static const struct {
                enum refusal r;
                const char *s;
        } cases[] = {
                { REFUSE_DISABLED, "disabled on the kernel command line" },
                { REFUSE_IOMMU_OFF, "IOMMU not enabled" },
                { REFUSE_NO_GROUP, "no IOMMU group" },
                { REFUSE_NOT_ISOLATED, "not isolated" },
                { REFUSE_ROOT_DEVICE, "root device" },
                { REFUSE_BOOT_VGA, "boot VGA without allow-boot-vga" },
                { REFUSE_PIN_MISMATCH, "id= pin mismatch" },
                { REFUSE_DAMAGED, "unreadable sysfs attributes" },
                { REFUSE_SRIOV, "not an SR-IOV device or too few VFs" },
                { REFUSE_NESTED, "another device of its group was refused" },
        };

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
                assert_string_equal(refusal_to_string(cases[i].r), cases[i].s);
}

static void test_empty_selection(void **state)
{
        struct fx f;
        struct plan p;

        fx_init(&f);
        f.sel.n_items = 0;
        assert_int_equal(plan_build(&f.in, &p), 0);
        assert_int_equal(p.n_groups, 0);
        assert_false(plan_has_work(&p));
        plan_done(&p);
        f.in.selection = NULL;
        assert_int_equal(plan_build(&f.in, &p), 0);
        assert_int_equal(p.n_groups, 0);
        plan_done(&p);
        fx_done(&f);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_binds_isolated_group),
                cmocka_unit_test(test_already_on_vfio_is_no_work),
                cmocka_unit_test(test_device_refusal_priority),
                cmocka_unit_test(test_group_all_or_nothing),
                cmocka_unit_test(test_group_takes_first_refusal),
                cmocka_unit_test(test_root_device_group),
                cmocka_unit_test(test_root_device_lookup),
                cmocka_unit_test(test_root_unknown_keeps_storage),
                cmocka_unit_test(test_isolation),
                cmocka_unit_test(test_isolation_without_config),
                cmocka_unit_test(test_isolation_rule),
                cmocka_unit_test(test_isolation_not_judged),
                cmocka_unit_test(test_disabled),
                cmocka_unit_test(test_disabled_keeps_device_refusals),
                cmocka_unit_test(test_iommu_off),
                cmocka_unit_test(test_group_order),
                cmocka_unit_test(test_sriov),
                cmocka_unit_test(test_sriov_vfs_bound),
                cmocka_unit_test(test_refusal_strings),
                cmocka_unit_test(test_empty_selection),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
