/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * A machine model built from literals, for the tests of the pure modules (plan, check) that
 * take a model, not a tree. Devices must be added in address order, as machine_load() sorts
 * them. Every helper aborts the test on misuse.
 */

#include <stddef.h>
#include <stdint.h>

#include "model.h" /* src/core/model.h */

#define MODEL_DEVS 12
#define MODEL_GROUPS 8

struct model {
        struct machine m;
        struct pci_device d[MODEL_DEVS];
        struct iommu_group g[MODEL_GROUPS];
        size_t gd[MODEL_GROUPS][MODEL_DEVS];
};

/* An empty machine whose devices and groups are the arrays above. */
void model_init(struct model *mo);
/* A device bound to DRIVER (NULL: unbound), in no group; returns its index. */
size_t model_add_dev(struct model *mo, const char *name, uint16_t vendor, uint16_t device, uint32_t class,
                     const char *driver);
/* A group of type DMA-FQ; returns its index. */
size_t model_add_group(struct model *mo, long id);
/* Put device DEV into group GROUP. */
void model_put(struct model *mo, size_t dev, size_t group);
