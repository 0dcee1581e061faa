/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "model-literal.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

void model_init(struct model *mo)
{
        memset(mo, 0, sizeof(*mo));
        mo->m.devices = mo->d;
        mo->m.groups = mo->g;
}

size_t model_add_dev(struct model *mo, const char *name, uint16_t vendor, uint16_t device, uint32_t class,
                     const char *driver)
{
        assert_true(mo->m.n_devices < MODEL_DEVS);
        size_t i = mo->m.n_devices++;
        struct pci_device *d = &mo->d[i];

        *d = (struct pci_device){
                .vendor = vendor,
                .device = device,
                .class = class,
                .driver = (char *)driver,
                .header = (class >> 8) == 0x0604 ? PCI_HEADER_BRIDGE : PCI_HEADER_NORMAL,
                .driver_builtin = TRI_NO,
                .boot_vga = TRI_NO,
                .iommu_group = -1,
                .group = NONE,
                .parent = NONE,
                .physfn = NONE,
                .sriov_totalvfs = -1,
                .sriov_numvfs = -1,
        };
        assert_int_equal(pci_addr_parse(name, &d->addr), 0);
        snprintf(d->name, sizeof(d->name), "%s", name);
        return i;
}

size_t model_add_group(struct model *mo, long id)
{
        assert_true(mo->m.n_groups < MODEL_GROUPS);
        size_t i = mo->m.n_groups++;

        mo->g[i] = (struct iommu_group){ .id = id, .type = (char *)"DMA-FQ", .devices = mo->gd[i] };
        return i;
}

void model_put(struct model *mo, size_t dev, size_t group)
{
        assert_true(mo->g[group].n_devices < MODEL_DEVS);
        mo->d[dev].group = group;
        mo->d[dev].iommu_group = mo->g[group].id;
        mo->gd[group][mo->g[group].n_devices++] = dev;
}
