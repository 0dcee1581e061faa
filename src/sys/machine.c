/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "machine.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"

/* What only --check's findings need (vfio-prep(8), CHECKS): binding at boot goes without. */
static void load_diagnostics(struct root *r, struct machine *m)
{
        int k;

        (void)virt_load(r, m);
        k = usb_load(r, m);
        if (k < 0)
                machine_add_problem(m, "/sys/bus/usb/devices", "cannot load USB devices: %s", strerror(-k));
        k = iomem_load(r, m);
        if (k < 0)
                machine_add_problem(m, "/proc/iomem", "cannot load framebuffers: %s", strerror(-k));
}

int machine_load(struct root *r, unsigned flags, struct machine *ret)
{
        struct machine m = { .config_header_only = flags & MACHINE_LOAD_HEADER_ONLY };
        int k;

        k = kernel_load(r, &m);
        if (k < 0)
                goto fail;
        k = pci_load_needed(r, flags, &m);
        if (k < 0)
                goto fail;
        /* Without groups or a boot record the machine is still worth describing. */
        k = iommu_load_needed(r, flags, &m);
        if (k < 0)
                machine_add_problem(&m, "/sys/kernel/iommu_groups", "cannot load iommu groups: %s", strerror(-k));
        k = boot_record_load(r, &m);
        if (k < 0)
                machine_add_problem(&m, "/run/vfio-prep/state.json", "cannot load the boot record: %s", strerror(-k));
        if (!(flags & MACHINE_LOAD_HEADER_ONLY))
                load_diagnostics(r, &m);
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
