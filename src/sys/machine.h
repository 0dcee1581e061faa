/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Loading the model from a root: PCI devices (pci.c), IOMMU groups and units (iommu.c),
 * kernel facts (kernel.c). Malformed or missing attributes become machine.problems, not errors:
 * an error return means the tree could not be read at all (no /sys/bus/pci, say).
 */

#include "model.h"

struct root;

enum {
        /* Read the 64-byte config header only: what binding needs. Otherwise 256 bytes, and
         * all 4096 for bridges, ports and multifunction devices, whose ACS explains groups.
         * Every 4-byte config read is a hardware access (a trap to the hypervisor in a VM).
         * Also skips what only --check's findings read: DMI, USB devices, /proc/iomem. */
        MACHINE_LOAD_HEADER_ONLY = 1 << 0,
};

int machine_load(struct root *r, unsigned flags, struct machine *ret);

int pci_load(struct root *r, struct machine *m);
int iommu_load(struct root *r, struct machine *m);
int kernel_load(struct root *r, struct machine *m);
int boot_record_load(struct root *r, struct machine *m);
/* The hypervisor flag and DMI names (virt_load.c); never fails: what is unreadable stays unknown. */
int virt_load(struct root *r, struct machine *m);
/* The USB devices below PCI controllers (usb_load.c), once the PCI devices are loaded. */
int usb_load(struct root *r, struct machine *m);
/* Firmware framebuffers in /proc/iomem and display controllers' BARs (iomem_load.c). */
int iomem_load(struct root *r, struct machine *m);
