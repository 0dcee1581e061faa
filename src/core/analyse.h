/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Isolation of the groups that hold selected devices: which devices block a group
 * (vfio-prep(8), MODES, "blocker") and why the kernel put them together, explained from config space.
 * The kernel's grouping (/sys/kernel/iommu_groups) is the truth; ACS is read only to explain it.
 * Pure over the model and the selection.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "sbuf.h"
#include "select.h"

enum why_shared {
        WHY_PORT_NO_ACS,          /* an upstream port/bridge has no ACS capability */
        WHY_PORT_ACS_INCOMPLETE,  /* it has ACS, but SV/RR/CR/UF are not all enabled */
        WHY_MULTIFUNCTION_NO_ACS, /* functions of one multifunction device, no ACS on it */
        WHY_PCI_BRIDGE,           /* behind a conventional PCI (or PCIe-to-PCI) bridge */
        WHY_UNREADABLE,           /* config space not readable enough to tell (run as root) */
        WHY_QUIRK,                /* none of the above: a firmware or kernel quirk */
};

struct explanation {
        enum why_shared why;
        size_t device;    /* the port, bridge or multifunction device at fault; NONE for quirk */
        uint16_t missing; /* ACS_* bits missing, for WHY_PORT_ACS_INCOMPLETE */
};

struct group_analysis {
        size_t group; /* index into machine.groups */
        bool isolated;
        size_t *blockers; /* device indices, address order */
        size_t n_blockers;
        struct explanation *why; /* empty when isolated */
        size_t n_why;
        bool behind_switch; /* a selected device sits below a switch or chipset port, not a CPU root port */
};

struct analysis {
        struct group_analysis *groups; /* groups holding a selected device, by id */
        size_t n_groups;
};

/* Whether DEVICE in group G blocks it, given the selection (vfio-prep(8), BINDING, "Refusals"). */
bool analyse_is_blocker(const struct machine *m, const struct selection *sel, size_t device);
int analyse(const struct machine *m, const struct selection *sel, struct analysis *ret);

/* Which groups list each device: device D's are group[first[D]] to group[first[D + 1] - 1].
 * Normally only its own (pci_device.group), but a damaged tree may list a device in two. Made
 * once for the many analyses of one machine (--list analyses every group). */
struct group_index {
        size_t *first; /* n_devices + 1 offsets into group */
        size_t *group; /* group indices, ascending per device */
};

int group_index_build(const struct machine *m, struct group_index *ret);
void group_index_done(struct group_index *x);
/* analyse(), the selected devices' groups found through X rather than by a look at every group:
 * what it costs follows the selection, not the machine. */
int analyse_indexed(const struct machine *m, const struct group_index *x, const struct selection *sel,
                    struct analysis *ret);
void analysis_done(struct analysis *a);
/* The analysis of machine group index GROUP, or NULL. */
const struct group_analysis *analysis_find(const struct analysis *a, size_t group);
/* "0000:03:00.0 (amdgpu), 0000:03:00.1 (no driver)": GA's blockers by name and driver, the way
 * --check and --apply both name them (vfio-prep(8), GROUPS). 0 or -ENOMEM. */
int analysis_blockers_text(const struct machine *m, const struct group_analysis *ga, struct sbuf *b);
