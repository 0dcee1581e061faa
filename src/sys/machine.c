/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "machine.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"

/* Problem texts quote bytes read from the tree: keep them printable, whatever the tree holds. */
static void make_printable(char *s)
{
        for (unsigned char *p = (unsigned char *)s; *p; p++)
                if (*p < 0x20 || *p == 0x7f)
                        *p = '?';
}

void machine_add_problem(struct machine *m, const char *path, const char *fmt, ...)
{
        _cleanup_free_ char *msg = NULL, *p = NULL;
        va_list ap;
        int k;

        va_start(ap, fmt);
        k = vasprintf(&msg, fmt, ap);
        va_end(ap);
        if (k < 0) {
                msg = NULL;
                return;
        }
        p = strdup(path ? path : "");
        if (!p)
                return;
        struct load_problem *np = realloc(m->problems, (m->n_problems + 1) * sizeof(*np));
        if (!np)
                return;
        m->problems = np;
        make_printable(msg);
        make_printable(p);
        np[m->n_problems++] = (struct load_problem){ .path = TAKE_PTR(p), .message = TAKE_PTR(msg) };
}

int machine_load(struct root *r, unsigned flags, struct machine *ret)
{
        struct machine m = { .config_header_only = flags & MACHINE_LOAD_HEADER_ONLY };
        int k;

        k = kernel_load(r, &m);
        if (k < 0)
                goto fail;
        k = pci_load(r, &m);
        if (k < 0)
                goto fail;
        /* Without groups or a boot record the machine is still worth describing. */
        k = iommu_load(r, &m);
        if (k < 0)
                machine_add_problem(&m, "/sys/kernel/iommu_groups", "cannot load iommu groups: %s", strerror(-k));
        k = boot_record_load(r, &m);
        if (k < 0)
                machine_add_problem(&m, "/run/vfio-prep/state.json", "cannot load the boot record: %s", strerror(-k));
        if (!m.cmdline && !(m.cmdline = strdup(""))) {
                k = -ENOMEM;
                goto fail;
        }
        *ret = m;
        return 0;
fail:
        machine_done(&m);
        return k;
}

void machine_damage(struct machine *m, struct pci_device *d, const char *path, const char *fmt, ...)
{
        _cleanup_free_ char *msg = NULL;
        va_list ap;

        d->damaged = true;
        va_start(ap, fmt);
        if (vasprintf(&msg, fmt, ap) < 0)
                msg = NULL;
        va_end(ap);
        machine_add_problem(m, path, "%s", msg ? msg : fmt);
}
