/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "bind.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "modload.h"
#include "root.h"

#define VFIO_DRIVER "vfio-pci"
#define DRIVERS_PROBE "/sys/bus/pci/drivers_probe"
/* "/sys/bus/pci/devices/" + a 16-byte name + "/sriov_drivers_autoprobe" fits easily. */
#define SYSFS_PATH_MAX 128

/* Everything a write needs: where, how long it may block, and whether to make it at all. */
struct act {
        struct root *r;
        unsigned timeout_ms;
        bool dry_run;
        bind_write_fn on_write;
        void *userdata;
};

/* A device of the group being bound, and what we changed on it (for the rollback). */
struct member {
        size_t index; /* into machine.devices */
        const char *name;
        const char *old_override; /* the override found in the model, NULL when unset */
        char *host;               /* the driver bound before we started, NULL when none */
        bool host_known;          /* host was read (step 2 reached this device) */
        bool override_set;        /* we wrote driver_override */
        bool unbound;             /* we unbound it (from its host driver, or from vfio-pci in a rollback) */
};

static void act_init(struct act *a, struct root *r, const struct bind_options *opt, bind_write_fn on_write,
                     void *userdata)
{
        *a = (struct act){
                .r = r,
                .timeout_ms = opt && opt->timeout_ms ? opt->timeout_ms : BIND_DEFAULT_TIMEOUT_MS,
                .dry_run = opt && opt->dry_run,
                .on_write = on_write,
                .userdata = userdata,
        };
}

/* The callback hears of a write before it is attempted, so a write that hangs was still logged. */
static int act_write(struct act *a, const char *path, const char *value, bool deadline)
{
        if (a->on_write)
                a->on_write(a->userdata, path, value);
        if (a->dry_run)
                return 0;
        if (deadline)
                return root_write_deadline(a->r, path, value, a->timeout_ms);
        return root_write(a->r, path, value);
}

static void dev_path(char buf[static SYSFS_PATH_MAX], const char *name, const char *attr)
{
        snprintf(buf, SYSFS_PATH_MAX, "/sys/bus/pci/devices/%s/%s", name, attr);
}

static int dev_write(struct act *a, const char *name, const char *attr, const char *value, bool deadline)
{
        char path[SYSFS_PATH_MAX];

        dev_path(path, name, attr);
        return act_write(a, path, value, deadline);
}

/* The driver the device is bound to right now (NULL when none): the model may be stale. */
static int current_driver(struct root *r, const char *name, char **ret)
{
        char path[SYSFS_PATH_MAX];
        char *s = NULL;

        dev_path(path, name, "driver");
        int k = root_link_name(r, path, &s);
        if (k == -ENOENT)
                s = NULL;
        else if (k < 0)
                return k;
        *ret = s;
        return 0;
}

static bool is_vfio(const char *driver)
{
        return driver && strcmp(driver, VFIO_DRIVER) == 0;
}

static int fail(struct bind_result *res, int error, const char *step, size_t device, const char *detail)
{
        res->error = error;
        res->step = step;
        res->device = device;
        free(res->detail);
        res->detail = detail ? strdup(detail) : NULL;
        return error;
}

/* Step 1: the override makes the next probe pick vfio-pci; setting it binds nothing yet. */
static int set_overrides(struct act *a, struct member *mb, size_t n, struct bind_result *res)
{
        for (size_t i = 0; i < n; i++) {
                if (is_vfio(mb[i].old_override))
                        continue;
                int k = dev_write(a, mb[i].name, "driver_override", VFIO_DRIVER, false);
                if (k < 0)
                        return fail(res, k, "set driver_override", mb[i].index, NULL);
                mb[i].override_set = true;
        }
        return 0;
}

/* Step 2: an unbind waits for the driver's remove(), which can hang on a wedged GPU. */
static int unbind_hosts(struct act *a, struct member *mb, size_t n, struct bind_result *res)
{
        for (size_t i = 0; i < n; i++) {
                int k = current_driver(a->r, mb[i].name, &mb[i].host);
                if (k < 0)
                        return fail(res, k, "read driver link", mb[i].index, NULL);
                mb[i].host_known = true;
                if (!mb[i].host || is_vfio(mb[i].host))
                        continue;
                k = dev_write(a, mb[i].name, "driver/unbind", mb[i].name, true);
                if (k < 0)
                        return fail(res, k, "unbind from host driver", mb[i].index, mb[i].host);
                mb[i].unbound = true;
        }
        return 0;
}

/* Nothing to do when the kernel already has it; OPTIONAL modules are loaded only when present. */
static int ensure_module(struct modload *ml, const char *name, bool optional)
{
        enum module_state st = MODULE_UNKNOWN;

        if (modload_state(ml, name, &st) < 0)
                st = MODULE_UNKNOWN;
        if (st == MODULE_LOADED || st == MODULE_BUILTIN)
                return 0;
        if (optional && st != MODULE_AVAILABLE)
                return 0;
        return modload_load(ml, name);
}

/* Step 3: loading vfio-pci binds every unbound device whose override names it. */
static int load_vfio(struct act *a, struct modload *ml, struct bind_result *res)
{
        /* Without a module context (no kernel release known) the kernel must have it already:
         * the verification step tells. */
        if (a->dry_run || !ml)
                return 0;
        int k = ensure_module(ml, VFIO_DRIVER, false);
        if (k < 0)
                return fail(res, k, "load vfio-pci", NONE, NULL);
        /* The container's IOMMU backend: not a dependency of vfio-pci, but QEMU needs it. */
        k = ensure_module(ml, "vfio_iommu_type1", true);
        if (k < 0)
                return fail(res, k, "load vfio_iommu_type1", NONE, NULL);
        return 0;
}

/* Step 4: a no-op for devices the module load already bound; needed when it was loaded before. */
static int probe_all(struct act *a, struct member *mb, size_t n, struct bind_result *res)
{
        for (size_t i = 0; i < n; i++) {
                int k = act_write(a, DRIVERS_PROBE, mb[i].name, true);
                if (k < 0)
                        return fail(res, k, "probe", mb[i].index, NULL);
        }
        return 0;
}

/* Step 5: drivers_probe succeeds even when no driver took the device; only the link tells. */
static int verify_all(struct act *a, struct member *mb, size_t n, struct bind_result *res)
{
        if (a->dry_run)
                return 0;
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *now = NULL;
                char detail[128];
                int k = current_driver(a->r, mb[i].name, &now);
                if (k < 0)
                        return fail(res, k, "verify driver", mb[i].index, NULL);
                if (is_vfio(now))
                        continue;
                if (!now)
                        return fail(res, -ENODEV, "verify driver", mb[i].index, "no driver bound after probe");
                snprintf(detail, sizeof(detail), "bound to %s instead", now);
                return fail(res, -EBUSY, "verify driver", mb[i].index, detail);
        }
        return 0;
}

/* Give a device that vfio-pci took during this attempt back to the kernel. */
static int release_from_vfio(struct act *a, struct member *m)
{
        _cleanup_free_ char *now = NULL;

        /* Before step 2 nothing was unbound, so vfio-pci cannot have taken it from us. */
        if (!m->host_known || is_vfio(m->host))
                return 0;
        int k = current_driver(a->r, m->name, &now);
        if (k < 0)
                return k;
        if (!is_vfio(now))
                return 0;
        k = dev_write(a, m->name, "driver/unbind", m->name, true);
        if (k < 0)
                return k;
        m->unbound = true;
        return 0;
}

/*
 * Undo in reverse: overrides first (or the re-probe would pick vfio-pci again), then release
 * what vfio-pci took, then re-probe so the host drivers take their devices back. Best effort:
 * every step is tried; false when any of them failed.
 */
static bool rollback(struct act *a, struct member *mb, size_t n)
{
        bool ok = true;

        for (size_t i = n; i-- > 0;) {
                if (!mb[i].override_set)
                        continue;
                const char *old = mb[i].old_override ? mb[i].old_override : "\n";
                ok = dev_write(a, mb[i].name, "driver_override", old, false) >= 0 && ok;
        }
        for (size_t i = n; i-- > 0;)
                ok = release_from_vfio(a, &mb[i]) >= 0 && ok;
        for (size_t i = n; i-- > 0;)
                if (mb[i].unbound)
                        ok = act_write(a, DRIVERS_PROBE, mb[i].name, true) >= 0 && ok;
        return ok;
}

static void members_free(struct member *mb, size_t n)
{
        for (size_t i = 0; i < n; i++)
                free(mb[i].host);
        free(mb);
}

/* The devices of PG that are not on vfio-pci yet. */
static int members_collect(const struct machine *m, const struct plan_group *pg, struct member **ret, size_t *ret_n)
{
        struct member *mb = calloc(pg->n_devices ? pg->n_devices : 1, sizeof(*mb));
        size_t n = 0;

        if (!mb)
                return -ENOMEM;
        for (size_t i = 0; i < pg->n_devices; i++) {
                const struct plan_device *pd = &pg->devices[i];
                if (pd->device >= m->n_devices || pd->refusal != REFUSE_NONE) {
                        free(mb);
                        return -EINVAL;
                }
                if (pd->on_vfio)
                        continue;
                const struct pci_device *d = &m->devices[pd->device];
                mb[n++] = (struct member){
                        .index = pd->device,
                        .name = d->name,
                        .old_override = d->driver_override,
                };
        }
        *ret = mb;
        *ret_n = n;
        return 0;
}

static int bind_members(struct act *a, struct modload *ml, struct member *mb, size_t n, struct bind_result *res)
{
        int k = set_overrides(a, mb, n, res);
        if (k >= 0)
                k = unbind_hosts(a, mb, n, res);
        if (k >= 0)
                k = load_vfio(a, ml, res);
        if (k >= 0)
                k = probe_all(a, mb, n, res);
        if (k >= 0)
                k = verify_all(a, mb, n, res);
        return k;
}

int bind_group(struct root *r, struct modload *ml, const struct machine *m, const struct plan_group *pg,
               const struct bind_options *opt, bind_write_fn on_write, void *userdata, struct bind_result *ret)
{
        struct act a;
        struct member *mb;
        size_t n;

        *ret = (struct bind_result){ .device = NONE };
        if (pg->refusal != REFUSE_NONE)
                return fail(ret, -EINVAL, "plan", NONE, "the group is refused");
        int k = members_collect(m, pg, &mb, &n);
        if (k < 0)
                return fail(ret, k, "plan", NONE, NULL);
        act_init(&a, r, opt, on_write, userdata);
        k = n > 0 ? bind_members(&a, ml, mb, n, ret) : 0;
        if (k < 0 && !a.dry_run)
                ret->rolled_back = rollback(&a, mb, n);
        members_free(mb, n);
        return k;
}

int bind_release(struct root *r, const struct machine *m, size_t device, const struct bind_options *opt,
                 bind_write_fn on_write, void *userdata, char **ret_driver)
{
        _cleanup_free_ char *before = NULL, *after = NULL;
        struct act a;

        if (device >= m->n_devices)
                return -EINVAL;
        const struct pci_device *d = &m->devices[device];
        act_init(&a, r, opt, on_write, userdata);
        int k = current_driver(r, d->name, &before);
        if (k < 0)
                return k;
        k = dev_write(&a, d->name, "driver_override", "\n", false);
        if (k < 0)
                return k;
        if (is_vfio(before)) {
                k = dev_write(&a, d->name, "driver/unbind", d->name, true);
                if (k < 0) {
                        /* Still on vfio-pci: keep the override that says so. */
                        if (d->driver_override)
                                (void)dev_write(&a, d->name, "driver_override", d->driver_override, false);
                        return k;
                }
        }
        k = act_write(&a, DRIVERS_PROBE, d->name, true);
        if (k < 0)
                return k;
        if (!a.dry_run) {
                k = current_driver(r, d->name, &after);
                if (k < 0)
                        return k;
                /* A dynamic ID (new_id) or vfio-pci.ids= makes vfio-pci take it again. */
                if (is_vfio(after))
                        return -EBUSY;
        }
        *ret_driver = TAKE_PTR(after);
        return 0;
}

int sriov_create(struct root *r, const struct machine *m, size_t pf, long numvfs, const struct bind_options *opt,
                 bind_write_fn on_write, void *userdata)
{
        char path[SYSFS_PATH_MAX], value[32];
        uint64_t cur;
        struct act a;

        if (pf >= m->n_devices || numvfs < 0 || numvfs > UINT16_MAX)
                return -EINVAL;
        const char *name = m->devices[pf].name;
        dev_path(path, name, "sriov_numvfs");
        int k = root_read_u64(r, path, 10, UINT16_MAX, &cur);
        if (k < 0)
                return k;
        if (cur == (uint64_t)numvfs)
                return 0;
        act_init(&a, r, opt, on_write, userdata);
        /* Off first, or the host drivers grab the VFs as soon as they appear. */
        k = dev_write(&a, name, "sriov_drivers_autoprobe", "0", false);
        if (k < 0)
                return k;
        /* The kernel refuses to change a nonzero count except to 0. */
        if (cur != 0) {
                k = act_write(&a, path, "0", true);
                if (k < 0)
                        return k;
        }
        if (numvfs == 0)
                return 0;
        snprintf(value, sizeof(value), "%ld", numvfs);
        return act_write(&a, path, value, true);
}

void bind_result_done(struct bind_result *res)
{
        free(res->detail);
        *res = (struct bind_result){ .device = NONE };
}
