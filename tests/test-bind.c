/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Binding against a fake tree. A fake tree's driver links do not move by themselves, so the
 * root write hook plays the kernel: driver_override stores the value as sysfs shows it, unbind
 * removes the driver link, drivers_probe binds the override's driver (vfio-pci only once the
 * fake module is loaded) or the host driver. It also fails chosen writes. The tests assert the
 * exact sequence of writes the root layer journals.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "bind.h"
#include "macro.h"
#include "root.h"
#include "support/fake-modload.h"
#include "support/tree.h"

#define VGA "0000:01:00.0"
#define AUDIO "0000:01:00.1"
#define XHCI "0000:02:00.0"
#define PF "0000:03:00.0"
#define OVR(d) "/sys/bus/pci/devices/" d "/driver_override"
#define UNBIND(d) "/sys/bus/pci/devices/" d "/driver/unbind"
#define PROBE "/sys/bus/pci/drivers_probe"
#define NUMVFS(d) "/sys/bus/pci/devices/" d "/sriov_numvfs"
#define AUTOPROBE(d) "/sys/bus/pci/devices/" d "/sriov_drivers_autoprobe"

/* The injected error, in an expected write. */
#define INJECTED 1

struct write {
        const char *path;
        const char *value;
        int result;
};

#define MAX_DEVS 3

/* The simulated kernel. */
struct sim {
        struct tree *t;
        const char *host[MAX_DEVS + 1]; /* name, host driver pairs: who takes a device on probe */
        const char *names[MAX_DEVS + 1];
        const char *fail_path, *fail_value; /* the write to fail (any value when NULL) */
        int fail_error;
        unsigned fail_times;      /* how many times it fails (then succeeds) */
        const char *stray_dev;    /* on probe, this device gets stray_driver instead */
        const char *stray_driver; /* NULL: nothing binds it */
        const char *passthrough;  /* a path whose write reaches the file for real */
        bool load_binds;          /* loading vfio-pci binds the devices that name it */
        unsigned hook_calls;
};

struct fx {
        struct tree t;
        struct root *r;
        struct modload *ml;
        struct sim sim;
        struct pci_device devs[MAX_DEVS];
        struct machine m;
        struct plan_device pd[MAX_DEVS];
        struct plan_group pg;
        char **seen; /* on_write calls, "path=value" */
        size_t n_seen;
};

static char path_buf[1024];

static const char *dev_attr(struct sim *s, const char *name, const char *attr)
{
        snprintf(path_buf, sizeof(path_buf), "%s/%s", tree_dev_path(s->t, name), attr);
        return path_buf;
}

static bool has_driver(struct sim *s, const char *name)
{
        struct stat st;
        return lstat(tree_path(s->t, dev_attr(s, name, "driver")), &st) == 0;
}

static char *override_of(struct sim *s, const char *name)
{
        char *o = tree_read(s->t, dev_attr(s, name, "driver_override"));
        assert_non_null(o);
        o[strcspn(o, "\n")] = '\0';
        return o;
}

static const char *host_of(struct sim *s, const char *name)
{
        for (size_t i = 0; s->names[i]; i++)
                if (strcmp(s->names[i], name) == 0)
                        return s->host[i];
        return NULL;
}

static bool vfio_loaded(void)
{
        enum module_state st;
        assert_int_equal(modload_state(NULL, "vfio-pci", &st), 0);
        return st == MODULE_LOADED || st == MODULE_BUILTIN;
}

/* drivers_probe: the override decides; without one the host driver (if any) takes it. */
static void sim_probe(struct sim *s, const char *name)
{
        _cleanup_free_ char *o = NULL;
        const char *drv;

        if (has_driver(s, name))
                return;
        o = override_of(s, name);
        if (s->stray_dev && strcmp(s->stray_dev, name) == 0)
                drv = s->stray_driver;
        else if (strcmp(o, "(null)") != 0)
                drv = strcmp(o, "vfio-pci") != 0 || vfio_loaded() ? o : NULL;
        else
                drv = host_of(s, name);
        if (drv)
                tree_driver(s->t, name, drv);
}

static int sim_unbind(struct sim *s, const char *name)
{
        if (!has_driver(s, name))
                return -ENODEV;
        assert_int_equal(unlink(tree_path(s->t, dev_attr(s, name, "driver"))), 0);
        return 1;
}

static bool ends_with(const char *s, const char *suffix)
{
        size_t a = strlen(s), b = strlen(suffix);
        return a >= b && strcmp(s + a - b, suffix) == 0;
}

static int sim_hook(void *ud, const char *path, const char *value)
{
        struct sim *s = ud;

        s->hook_calls++;
        if (s->fail_times > 0 && s->fail_path && strcmp(path, s->fail_path) == 0 &&
            (!s->fail_value || strcmp(value, s->fail_value) == 0)) {
                s->fail_times--;
                return s->fail_error;
        }
        if (s->passthrough && strcmp(path, s->passthrough) == 0)
                return 0;
        if (ends_with(path, "/driver_override")) {
                char name[32], text[64];
                snprintf(name, sizeof(name), "%.12s", path + strlen("/sys/bus/pci/devices/"));
                snprintf(text, sizeof(text), "%s\n", strcmp(value, "\n") == 0 ? "(null)" : value);
                tree_file(s->t, dev_attr(s, name, "driver_override"), text);
                return 1;
        }
        if (ends_with(path, "/driver/unbind"))
                return sim_unbind(s, value);
        if (strcmp(path, PROBE) == 0) {
                sim_probe(s, value);
                return 1;
        }
        /* Any other attribute (sriov_numvfs, say) shows what was written, as sysfs does. */
        char text[64];
        snprintf(text, sizeof(text), "%s\n", value);
        tree_file(s->t, path, text);
        return 1;
}

/* Module init of vfio-pci: it takes every unbound device whose override names it. */
static void sim_on_load(void *ud, const char *name)
{
        struct sim *s = ud;

        if (!s->load_binds || strcmp(name, "vfio-pci") != 0)
                return;
        for (size_t i = 0; s->names[i]; i++) {
                _cleanup_free_ char *o = override_of(s, s->names[i]);
                if (!has_driver(s, s->names[i]) && strcmp(o, "vfio-pci") == 0)
                        tree_driver(s->t, s->names[i], "vfio-pci");
        }
}

static void record_write(void *ud, const char *path, const char *value)
{
        struct fx *f = ud;
        char buf[512];

        snprintf(buf, sizeof(buf), "%s=%s", path, value);
        assert_int_equal(strv_push(&f->seen, &f->n_seen, buf), 0);
}

/* Add a device to the tree, the machine model and the simulated kernel. */
static void fx_device(struct fx *f, const char *name, const char *parent, unsigned class, long group,
                      const char *driver)
{
        size_t i = f->m.n_devices;

        assert_true(i < MAX_DEVS);
        tree_pci_device(&f->t, name, parent, 0x10de, 0x2484 + (unsigned)i, class, 0);
        tree_iommu_group(&f->t, name, group);
        if (driver)
                tree_driver(&f->t, name, driver);
        f->devs[i] = (struct pci_device){ .driver = (char *)driver, .iommu_group = group, .group = NONE };
        assert_int_equal(pci_addr_parse(name, &f->devs[i].addr), 0);
        snprintf(f->devs[i].name, sizeof(f->devs[i].name), "%s", name);
        f->sim.names[i] = name;
        f->sim.host[i] = driver;
        f->m.n_devices = i + 1;
}

/* The group under test holds the devices given, by index into the model. */
static void fx_group(struct fx *f, size_t first, size_t n)
{
        for (size_t i = 0; i < n; i++)
                f->pd[i] = (struct plan_device){ .device = first + i, .refusal = REFUSE_NONE };
        f->pg = (struct plan_group){ .group = 0, .refusal = REFUSE_NONE, .devices = f->pd, .n_devices = n };
}

/* A GPU (VGA + HDMI audio) behind a root port, in group 14, on its host drivers. */
static int fx_setup(void **state)
{
        struct fx *f = calloc(1, sizeof(*f));

        assert_non_null(f);
        tree_new(&f->t);
        f->sim.t = &f->t;
        f->m.devices = f->devs;
        tree_pci_device(&f->t, "0000:00:01.0", NULL, 0x8086, 0x1901, 0x060400, 1);
        fx_device(f, VGA, "0000:00:01.0", 0x030000, 14, "nvidia");
        fx_device(f, AUDIO, "0000:00:01.0", 0x040300, 14, "snd_hda_intel");
        fx_group(f, 0, 2);
        assert_int_equal(root_new(f->t.dir, &f->r), 0);
        root_set_write_hook(f->r, sim_hook, &f->sim);
        root_journal_enable(f->r, true);
        fake_modload_reset();
        fake_modload_set("vfio-pci", MODULE_AVAILABLE, 0);
        fake_modload_set("vfio_iommu_type1", MODULE_AVAILABLE, 0);
        fake_modload_on_load(sim_on_load, &f->sim);
        assert_int_equal(modload_new(f->r, "6.1.0-test", &f->ml), 0);
        *state = f;
        return 0;
}

static int fx_teardown(void **state)
{
        struct fx *f = *state;

        modload_free(f->ml);
        root_free(f->r);
        tree_free(&f->t);
        strv_free(f->seen);
        free(f);
        return 0;
}

/* Named in failure messages when a test loops over a table. */
static const char *current_case = "";

static void dump_writes(const struct root_journal_entry *j, size_t n)
{
        print_message("case '%s':\n", current_case);
        for (size_t i = 0; i < n; i++)
                if (j[i].op == ROOT_OP_WRITE)
                        print_message("  write %s = '%s' -> %d\n", j[i].path, j[i].value, j[i].result);
}

/* The journal's writes are exactly EXPECT (INJECTED standing for ERROR). */
static void assert_writes(struct root *r, const struct write *expect, size_t n_expect, int error)
{
        size_t n, w = 0;
        const struct root_journal_entry *j = root_journal(r, &n);

        for (size_t i = 0; i < n; i++) {
                if (j[i].op != ROOT_OP_WRITE)
                        continue;
                if (w >= n_expect || strcmp(j[i].path, expect[w].path) != 0 ||
                    strcmp(j[i].value, expect[w].value) != 0 ||
                    j[i].result != (expect[w].result == INJECTED ? error : expect[w].result)) {
                        print_message("write %zu differs; the journal has:\n", w);
                        dump_writes(j, n);
                        fail();
                }
                w++;
        }
        if (w != n_expect) {
                print_message("%zu writes, expected %zu:\n", w, n_expect);
                dump_writes(j, n);
                fail();
        }
}

static void assert_seen(struct fx *f, const struct write *expect, size_t n_expect)
{
        assert_int_equal(f->n_seen, n_expect);
        for (size_t i = 0; i < n_expect; i++) {
                char buf[512];
                snprintf(buf, sizeof(buf), "%s=%s", expect[i].path, expect[i].value);
                assert_string_equal(f->seen[i], buf);
        }
}

static void assert_driver(struct fx *f, const char *name, const char *driver)
{
        _cleanup_free_ char *d = NULL;
        char path[128];

        snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver", name);
        if (!driver) {
                assert_int_equal(root_link_name(f->r, path, &d), -ENOENT);
                return;
        }
        assert_int_equal(root_link_name(f->r, path, &d), 0);
        assert_string_equal(d, driver);
}

static void assert_override(struct fx *f, const char *name, const char *value)
{
        _cleanup_free_ char *o = override_of(&f->sim, name);
        assert_string_equal(o, value);
}

static int bind(struct fx *f, const struct bind_options *opt, struct bind_result *res)
{
        return bind_group(f->r, f->ml, &f->m, &f->pg, opt, record_write, f, res);
}

static const struct write success_writes[] = {
        { OVR(VGA), "vfio-pci", 0 }, { OVR(AUDIO), "vfio-pci", 0 },
        { UNBIND(VGA), VGA, 0 },     { UNBIND(AUDIO), AUDIO, 0 },
        { PROBE, VGA, 0 },           { PROBE, AUDIO, 0 },
};

static void assert_bound(struct fx *f)
{
        assert_driver(f, VGA, "vfio-pci");
        assert_driver(f, AUDIO, "vfio-pci");
        assert_override(f, VGA, "vfio-pci");
        assert_override(f, AUDIO, "vfio-pci");
}

static void test_success(void **state)
{
        struct fx *f = *state;
        struct bind_result res;

        assert_int_equal(bind(f, NULL, &res), 0);
        assert_int_equal(res.error, 0);
        assert_int_equal(res.device, NONE);
        assert_null(res.detail);
        assert_writes(f->r, success_writes, ARRAY_SIZE(success_writes), 0);
        assert_seen(f, success_writes, ARRAY_SIZE(success_writes));
        assert_bound(f);
        assert_int_equal(fake_modload_loads("vfio-pci"), 1);
        assert_int_equal(fake_modload_loads("vfio_iommu_type1"), 1);
        bind_result_done(&res);
}

/* As on a real kernel, loading vfio-pci already binds the devices; the probes are no-ops. */
static void test_success_module_binds(void **state)
{
        struct fx *f = *state;
        struct bind_result res;

        f->sim.load_binds = true;
        assert_int_equal(bind(f, NULL, &res), 0);
        assert_writes(f->r, success_writes, ARRAY_SIZE(success_writes), 0);
        assert_bound(f);
        bind_result_done(&res);
}

static void test_already_on_vfio(void **state)
{
        struct fx *f = *state;
        struct bind_result res;

        assert_int_equal(bind(f, NULL, &res), 0);
        root_journal_clear(f->r);
        /* The second run's plan sees both on vfio-pci. */
        f->pd[0].on_vfio = f->pd[1].on_vfio = true;
        unsigned hooks = f->sim.hook_calls;
        assert_int_equal(bind(f, NULL, &res), 0);
        assert_writes(f->r, NULL, 0, 0);
        assert_int_equal(f->sim.hook_calls, hooks);
        assert_int_equal(fake_modload_loads(NULL), 2);
        assert_bound(f);
        bind_result_done(&res);
}

static void test_only_the_rest(void **state)
{
        struct fx *f = *state;
        struct bind_result res;
        static const struct write w[] = {
                { OVR(AUDIO), "vfio-pci", 0 },
                { UNBIND(AUDIO), AUDIO, 0 },
                { PROBE, AUDIO, 0 },
        };

        tree_driver(&f->t, VGA, "vfio-pci");
        f->pd[0].on_vfio = true;
        assert_int_equal(bind(f, NULL, &res), 0);
        assert_writes(f->r, w, ARRAY_SIZE(w), 0);
        assert_driver(f, VGA, "vfio-pci");
        assert_driver(f, AUDIO, "vfio-pci");
        bind_result_done(&res);
}

/* In the initramfs before udev, nothing is bound yet: no unbind. */
static void test_unbound_devices(void **state)
{
        struct fx *f = *state;
        struct bind_result res;
        static const struct write w[] = {
                { OVR(VGA), "vfio-pci", 0 },
                { OVR(AUDIO), "vfio-pci", 0 },
                { PROBE, VGA, 0 },
                { PROBE, AUDIO, 0 },
        };

        assert_int_equal(unlink(tree_path(&f->t, dev_attr(&f->sim, VGA, "driver"))), 0);
        assert_int_equal(unlink(tree_path(&f->t, dev_attr(&f->sim, AUDIO, "driver"))), 0);
        assert_int_equal(bind(f, NULL, &res), 0);
        assert_writes(f->r, w, ARRAY_SIZE(w), 0);
        assert_bound(f);
        bind_result_done(&res);
}

/* One failing step, under each error: what is written, and what the result says. */
struct fail_case {
        const char *name;
        const char *path, *value; /* the write that fails; NULL for the module load */
        const char *step;
        const char *device; /* NULL for none */
        const char *detail;
        struct write expect[12];
        size_t n_expect;
};

static const struct fail_case fail_cases[] = {
        {
                .name = "override",
                .path = OVR(AUDIO),
                .value = "vfio-pci",
                .step = "set driver_override",
                .device = AUDIO,
                .expect = { { OVR(VGA), "vfio-pci", 0 }, { OVR(AUDIO), "vfio-pci", INJECTED }, { OVR(VGA), "\n", 0 } },
                .n_expect = 3,
        },
        {
                .name = "unbind",
                .path = UNBIND(AUDIO),
                .step = "unbind from host driver",
                .device = AUDIO,
                .detail = "snd_hda_intel",
                .expect = { { OVR(VGA), "vfio-pci", 0 },
                            { OVR(AUDIO), "vfio-pci", 0 },
                            { UNBIND(VGA), VGA, 0 },
                            { UNBIND(AUDIO), AUDIO, INJECTED },
                            { OVR(AUDIO), "\n", 0 },
                            { OVR(VGA), "\n", 0 },
                            { PROBE, VGA, 0 } },
                .n_expect = 7,
        },
        {
                .name = "load",
                .path = NULL,
                .step = "load vfio-pci",
                .device = NULL,
                .expect = { { OVR(VGA), "vfio-pci", 0 },
                            { OVR(AUDIO), "vfio-pci", 0 },
                            { UNBIND(VGA), VGA, 0 },
                            { UNBIND(AUDIO), AUDIO, 0 },
                            { OVR(AUDIO), "\n", 0 },
                            { OVR(VGA), "\n", 0 },
                            { PROBE, AUDIO, 0 },
                            { PROBE, VGA, 0 } },
                .n_expect = 8,
        },
        {
                .name = "probe",
                .path = PROBE,
                .value = AUDIO,
                .step = "probe",
                .device = AUDIO,
                .expect = { { OVR(VGA), "vfio-pci", 0 },
                            { OVR(AUDIO), "vfio-pci", 0 },
                            { UNBIND(VGA), VGA, 0 },
                            { UNBIND(AUDIO), AUDIO, 0 },
                            { PROBE, VGA, 0 },
                            { PROBE, AUDIO, INJECTED },
                            { OVR(AUDIO), "\n", 0 },
                            { OVR(VGA), "\n", 0 },
                            { UNBIND(VGA), VGA, 0 },
                            { PROBE, AUDIO, 0 },
                            { PROBE, VGA, 0 } },
                .n_expect = 11,
        },
};

static const int fail_errors[] = { -EBUSY, -ENODEV, -EINVAL, -EIO, -ETIMEDOUT };

static void assert_rolled_back(struct fx *f)
{
        assert_driver(f, VGA, "nvidia");
        assert_driver(f, AUDIO, "snd_hda_intel");
        assert_override(f, VGA, "(null)");
        assert_override(f, AUDIO, "(null)");
}

static void run_fail_case(struct fx *f, const struct fail_case *c, int error)
{
        struct bind_result res;

        static char label[64];
        snprintf(label, sizeof(label), "%s, error %d", c->name, error);
        current_case = label;
        if (c->path) {
                f->sim.fail_path = c->path;
                f->sim.fail_value = c->value;
                f->sim.fail_error = error;
                f->sim.fail_times = 1;
        } else
                fake_modload_set("vfio-pci", MODULE_AVAILABLE, error);
        assert_int_equal(bind(f, NULL, &res), error);
        assert_int_equal(res.error, error);
        assert_string_equal(res.step, c->step);
        assert_int_equal(res.device, c->device ? machine_find_device_name(&f->m, c->device) : NONE);
        if (c->detail)
                assert_string_equal(res.detail, c->detail);
        else
                assert_null(res.detail);
        assert_true(res.rolled_back);
        assert_writes(f->r, c->expect, c->n_expect, error);
        assert_rolled_back(f);
        bind_result_done(&res);
        current_case = "";
}

static void test_each_step_fails(void **state)
{
        fx_teardown(state); /* each case gets a fresh fixture */
        for (size_t i = 0; i < ARRAY_SIZE(fail_cases); i++)
                for (size_t e = 0; e < ARRAY_SIZE(fail_errors); e++) {
                        fx_setup(state);
                        run_fail_case(*state, &fail_cases[i], fail_errors[e]);
                        fx_teardown(state);
                }
        fx_setup(state); /* for the teardown cmocka runs */
}

static const struct write verify_writes[] = {
        { OVR(VGA), "vfio-pci", 0 }, { OVR(AUDIO), "vfio-pci", 0 },
        { UNBIND(VGA), VGA, 0 },     { UNBIND(AUDIO), AUDIO, 0 },
        { PROBE, VGA, 0 },           { PROBE, AUDIO, 0 },
        { OVR(AUDIO), "\n", 0 },     { OVR(VGA), "\n", 0 },
        { UNBIND(VGA), VGA, 0 },     { PROBE, AUDIO, 0 },
        { PROBE, VGA, 0 },
};

/* drivers_probe succeeded, but another driver took the device. */
static void test_verify_wrong_driver(void **state)
{
        struct fx *f = *state;
        struct bind_result res;

        f->sim.stray_dev = AUDIO;
        f->sim.stray_driver = "snd_hda_intel";
        assert_int_equal(bind(f, NULL, &res), -EBUSY);
        assert_string_equal(res.step, "verify driver");
        assert_int_equal(res.device, 1);
        assert_string_equal(res.detail, "bound to snd_hda_intel instead");
        assert_true(res.rolled_back);
        assert_writes(f->r, verify_writes, ARRAY_SIZE(verify_writes), 0);
        assert_rolled_back(f);
        bind_result_done(&res);
}

static void test_verify_no_driver(void **state)
{
        struct fx *f = *state;
        struct bind_result res;

        f->sim.stray_dev = AUDIO;
        assert_int_equal(bind(f, NULL, &res), -ENODEV);
        assert_string_equal(res.step, "verify driver");
        assert_int_equal(res.device, 1);
        assert_string_equal(res.detail, "no driver bound after probe");
        assert_writes(f->r, verify_writes, ARRAY_SIZE(verify_writes), 0);
        assert_driver(f, VGA, "nvidia");
        /* The stray device is still stray at the rollback's probe: nobody takes it. */
        assert_driver(f, AUDIO, NULL);
        bind_result_done(&res);
}

/* A rollback write that fails too: the result says the group is not back. */
static void test_rollback_incomplete(void **state)
{
        struct fx *f = *state;
        struct bind_result res;

        f->sim.fail_path = PROBE;
        f->sim.fail_value = AUDIO;
        f->sim.fail_error = -EIO;
        f->sim.fail_times = 2;
        assert_int_equal(bind(f, NULL, &res), -EIO);
        assert_false(res.rolled_back);
        assert_driver(f, VGA, "nvidia");
        assert_driver(f, AUDIO, NULL);
        bind_result_done(&res);
}

/* An override that was there before is put back, not cleared; one that says vfio-pci is kept. */
static void test_rollback_restores_override(void **state)
{
        struct fx *f = *state;
        struct bind_result res;
        static const struct write w[] = {
                { OVR(AUDIO), "vfio-pci", 0 }, { UNBIND(VGA), VGA, 0 }, { UNBIND(AUDIO), AUDIO, 0 },
                { OVR(AUDIO), "pci-stub", 0 }, { PROBE, AUDIO, 0 },     { PROBE, VGA, 0 },
        };

        tree_file(&f->t, dev_attr(&f->sim, VGA, "driver_override"), "vfio-pci\n");
        tree_file(&f->t, dev_attr(&f->sim, AUDIO, "driver_override"), "pci-stub\n");
        f->devs[0].driver_override = (char *)"vfio-pci";
        f->devs[1].driver_override = (char *)"pci-stub";
        fake_modload_set("vfio-pci", MODULE_AVAILABLE, -ENOENT);
        assert_int_equal(bind(f, NULL, &res), -ENOENT);
        assert_writes(f->r, w, ARRAY_SIZE(w), 0);
        assert_override(f, VGA, "vfio-pci");
        assert_override(f, AUDIO, "pci-stub");
        bind_result_done(&res);
}

/* A real unbind that never returns: the deadline ends it, the group is rolled back. */
static void test_unbind_deadline(void **state)
{
        struct fx *f = *state;
        struct bind_result res;
        struct bind_options opt = { .timeout_ms = 100 };
        static const struct write w[] = {
                { OVR(VGA), "vfio-pci", 0 }, { OVR(AUDIO), "vfio-pci", 0 }, { UNBIND(VGA), VGA, -ETIMEDOUT },
                { OVR(AUDIO), "\n", 0 },     { OVR(VGA), "\n", 0 },
        };

        assert_int_equal(mkfifo(tree_path(&f->t, "/sys/bus/pci/drivers/nvidia/unbind"), 0600), 0);
        f->sim.passthrough = UNBIND(VGA);
        assert_int_equal(bind(f, &opt, &res), -ETIMEDOUT);
        assert_string_equal(res.step, "unbind from host driver");
        assert_string_equal(res.detail, "nvidia");
        assert_writes(f->r, w, ARRAY_SIZE(w), 0);
        assert_rolled_back(f);
        bind_result_done(&res);
}

static void test_dry_run(void **state)
{
        struct fx *f = *state;
        struct bind_result res;
        struct bind_options opt = { .dry_run = true };

        assert_int_equal(bind(f, &opt, &res), 0);
        assert_writes(f->r, NULL, 0, 0);
        assert_int_equal(f->sim.hook_calls, 0);
        assert_seen(f, success_writes, ARRAY_SIZE(success_writes));
        assert_int_equal(fake_modload_loads(NULL), 0);
        assert_rolled_back(f); /* untouched */
        bind_result_done(&res);
}

/* Two groups in one run: vfio-pci is loaded once. */
static void test_load_once(void **state)
{
        struct fx *f = *state;
        struct bind_result res;

        fx_device(f, XHCI, NULL, 0x0c0330, 15, "xhci_hcd");
        fx_group(f, 0, 2);
        assert_int_equal(bind(f, NULL, &res), 0);
        fx_group(f, 2, 1);
        assert_int_equal(bind(f, NULL, &res), 0);
        assert_driver(f, XHCI, "vfio-pci");
        assert_int_equal(fake_modload_loads("vfio-pci"), 1);
        assert_int_equal(fake_modload_loads("vfio_iommu_type1"), 1);
        bind_result_done(&res);
}

static void test_builtin_modules(void **state)
{
        struct fx *f = *state;
        struct bind_result res;

        fake_modload_set("vfio-pci", MODULE_BUILTIN, 0);
        fake_modload_set("vfio_iommu_type1", MODULE_MISSING, 0);
        assert_int_equal(bind(f, NULL, &res), 0);
        assert_int_equal(fake_modload_loads(NULL), 0);
        assert_bound(f);
        bind_result_done(&res);
}

static void test_refused_group(void **state)
{
        struct fx *f = *state;
        struct bind_result res;

        f->pg.refusal = REFUSE_NOT_ISOLATED;
        assert_int_equal(bind(f, NULL, &res), -EINVAL);
        assert_writes(f->r, NULL, 0, 0);
        bind_result_done(&res);
}

static int release(struct fx *f, const struct bind_options *opt, char **ret)
{
        return bind_release(f->r, &f->m, 0, opt, record_write, f, ret);
}

static const struct write release_writes[] = {
        { OVR(VGA), "\n", 0 },
        { UNBIND(VGA), VGA, 0 },
        { PROBE, VGA, 0 },
};

static void on_vfio(struct fx *f)
{
        tree_driver(&f->t, VGA, "vfio-pci");
        tree_file(&f->t, dev_attr(&f->sim, VGA, "driver_override"), "vfio-pci\n");
        f->devs[0].driver = (char *)"vfio-pci";
        f->devs[0].driver_override = (char *)"vfio-pci";
}

static void test_release(void **state)
{
        struct fx *f = *state;
        _cleanup_free_ char *drv = NULL;

        on_vfio(f);
        assert_int_equal(release(f, NULL, &drv), 0);
        assert_string_equal(drv, "nvidia");
        assert_writes(f->r, release_writes, ARRAY_SIZE(release_writes), 0);
        assert_seen(f, release_writes, ARRAY_SIZE(release_writes));
        assert_driver(f, VGA, "nvidia");
        assert_override(f, VGA, "(null)");
}

static void test_release_nobody_takes_it(void **state)
{
        struct fx *f = *state;
        char *drv = (char *)"unset";

        on_vfio(f);
        f->sim.host[0] = NULL;
        assert_int_equal(release(f, NULL, &drv), 0);
        assert_null(drv);
        assert_driver(f, VGA, NULL);
}

static void test_release_unbind_fails(void **state)
{
        struct fx *f = *state;
        char *drv = NULL;
        static const struct write w[] = {
                { OVR(VGA), "\n", 0 },
                { UNBIND(VGA), VGA, -EBUSY },
                { OVR(VGA), "vfio-pci", 0 },
        };

        on_vfio(f);
        f->sim.fail_path = UNBIND(VGA);
        f->sim.fail_error = -EBUSY;
        f->sim.fail_times = 1;
        assert_int_equal(release(f, NULL, &drv), -EBUSY);
        assert_null(drv);
        assert_writes(f->r, w, ARRAY_SIZE(w), 0);
        assert_driver(f, VGA, "vfio-pci");
        assert_override(f, VGA, "vfio-pci");
}

static void test_release_dry_run(void **state)
{
        struct fx *f = *state;
        char *drv = NULL;
        struct bind_options opt = { .dry_run = true };

        on_vfio(f);
        assert_int_equal(release(f, &opt, &drv), 0);
        assert_null(drv);
        assert_writes(f->r, NULL, 0, 0);
        assert_seen(f, release_writes, ARRAY_SIZE(release_writes));
        assert_driver(f, VGA, "vfio-pci");
}

/* vfio-pci.ids= on the kernel command line: vfio-pci takes it straight back. */
static void test_release_taken_back(void **state)
{
        struct fx *f = *state;
        char *drv = NULL;

        on_vfio(f);
        f->sim.host[0] = "vfio-pci";
        assert_int_equal(release(f, NULL, &drv), -EBUSY);
        assert_null(drv);
}

struct sriov_case {
        const char *numvfs_before;
        long numvfs;
        struct write expect[3];
        size_t n_expect;
        const char *numvfs_after;
};

static const struct sriov_case sriov_cases[] = {
        { "0", 4, { { AUTOPROBE(PF), "0", 0 }, { NUMVFS(PF), "4", 0 } }, 2, "4\n" },
        { "2", 4, { { AUTOPROBE(PF), "0", 0 }, { NUMVFS(PF), "0", 0 }, { NUMVFS(PF), "4", 0 } }, 3, "4\n" },
        { "4", 4, { { 0 } }, 0, "4\n" },
        { "2", 0, { { AUTOPROBE(PF), "0", 0 }, { NUMVFS(PF), "0", 0 } }, 2, "0\n" },
};

static void test_sriov_create(void **state)
{
        fx_teardown(state); /* each case gets a fresh fixture */
        for (size_t i = 0; i < ARRAY_SIZE(sriov_cases); i++) {
                const struct sriov_case *c = &sriov_cases[i];
                char text[16];
                fx_setup(state);
                struct fx *f = *state;
                fx_device(f, PF, NULL, 0x020000, 20, "ixgbe");
                snprintf(text, sizeof(text), "%s\n", c->numvfs_before);
                tree_file(&f->t, dev_attr(&f->sim, PF, "sriov_numvfs"), text);
                tree_file(&f->t, dev_attr(&f->sim, PF, "sriov_drivers_autoprobe"), "1\n");
                assert_int_equal(sriov_create(f->r, &f->m, 2, c->numvfs, NULL, record_write, f), 0);
                assert_writes(f->r, c->expect, c->n_expect, 0);
                assert_seen(f, c->expect, c->n_expect);
                _cleanup_free_ char *after = tree_read(&f->t, dev_attr(&f->sim, PF, "sriov_numvfs"));
                assert_string_equal(after, c->numvfs_after);
                _cleanup_free_ char *autoprobe = tree_read(&f->t, dev_attr(&f->sim, PF, "sriov_drivers_autoprobe"));
                assert_string_equal(autoprobe, c->n_expect ? "0\n" : "1\n");
                fx_teardown(state);
        }
        fx_setup(state);
}

static void test_sriov_errors(void **state)
{
        struct fx *f = *state;

        fx_device(f, PF, NULL, 0x020000, 20, "ixgbe");
        tree_file(&f->t, dev_attr(&f->sim, PF, "sriov_numvfs"), "0\n");
        tree_file(&f->t, dev_attr(&f->sim, PF, "sriov_drivers_autoprobe"), "1\n");
        assert_int_equal(sriov_create(f->r, &f->m, 7, 4, NULL, NULL, NULL), -EINVAL);
        assert_int_equal(sriov_create(f->r, &f->m, 2, -1, NULL, NULL, NULL), -EINVAL);
        /* No driver on the PF: the kernel says ENOENT. */
        f->sim.fail_path = NUMVFS(PF);
        f->sim.fail_error = -ENOENT;
        f->sim.fail_times = 1;
        assert_int_equal(sriov_create(f->r, &f->m, 2, 4, NULL, NULL, NULL), -ENOENT);
        /* Not an SR-IOV device: nothing to read, nothing written. */
        root_journal_clear(f->r);
        assert_int_equal(sriov_create(f->r, &f->m, 0, 4, NULL, NULL, NULL), -ENOENT);
        assert_writes(f->r, NULL, 0, 0);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
        const struct CMUnitTest tests[] = {
                T(test_success),
                T(test_success_module_binds),
                T(test_already_on_vfio),
                T(test_only_the_rest),
                T(test_unbound_devices),
                T(test_each_step_fails),
                T(test_verify_wrong_driver),
                T(test_verify_no_driver),
                T(test_rollback_incomplete),
                T(test_rollback_restores_override),
                T(test_unbind_deadline),
                T(test_dry_run),
                T(test_load_once),
                T(test_builtin_modules),
                T(test_refused_group),
                T(test_release),
                T(test_release_nobody_takes_it),
                T(test_release_unbind_fails),
                T(test_release_dry_run),
                T(test_release_taken_back),
                T(test_sriov_create),
                T(test_sriov_errors),
        };
        return cmocka_run_group_tests_name("bind", tests, NULL, NULL);
}
