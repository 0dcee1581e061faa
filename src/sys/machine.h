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
        /* What a mode does not use, left unread (vfio-prep(8): --list counts unreadable
         * attributes among those it reads). --check and --capture read everything. */
        MACHINE_LOAD_NO_REGIONS = 1 << 1,    /* groups' reserved_regions */
        MACHINE_LOAD_NO_GROUP_TYPE = 1 << 2, /* groups' default domain type */
        MACHINE_LOAD_NO_MODULES = 1 << 3,    /* drivers' module links (built in or not) */
        MACHINE_LOAD_NO_OVERRIDE = 1 << 4,   /* driver_override */
        MACHINE_LOAD_NO_RESET = 1 << 5,      /* reset_method */
        MACHINE_LOAD_NO_SRIOV = 1 << 6,      /* sriov_totalvfs, sriov_numvfs */
        MACHINE_LOAD_NO_SUBSYSTEM = 1 << 7,  /* subsystem IDs the config header lacks (bridges) */
        /* Groups from the devices' iommu_group links, not from each group's devices/ listing
         * (iommu.c): for a mode that only shows groups. --check, --apply and --add read the
         * listings, the kernel's own account of a group, and report where links disagree. */
        MACHINE_LOAD_LINKED_GROUPS = 1 << 8,
        /* Devices' directories unlisted: each attribute is looked up by name, and those a
         * mode asks of every device are few (pci.c); boot_vga only where the class has it. */
        MACHINE_LOAD_NO_DIR_LISTS = 1 << 9,
        MACHINE_LOAD_NO_PHYSFN = 1 << 10, /* VFs' physfn links */
        /* --list: its table and JSON print group types, never the rest. */
        MACHINE_LOAD_LIST = MACHINE_LOAD_HEADER_ONLY | MACHINE_LOAD_NO_REGIONS | MACHINE_LOAD_NO_MODULES |
                            MACHINE_LOAD_NO_OVERRIDE | MACHINE_LOAD_NO_RESET | MACHINE_LOAD_NO_SRIOV |
                            MACHINE_LOAD_NO_SUBSYSTEM | MACHINE_LOAD_LINKED_GROUPS | MACHINE_LOAD_NO_DIR_LISTS |
                            MACHINE_LOAD_NO_PHYSFN,
};

int machine_load(struct root *r, unsigned flags, struct machine *ret);

int pci_load(struct root *r, struct machine *m);
int iommu_load(struct root *r, struct machine *m);
/* The same, leaving unread what FLAGS (MACHINE_LOAD_NO_*) says the mode does not use. */
int pci_load_needed(struct root *r, unsigned flags, struct machine *m);
int iommu_load_needed(struct root *r, unsigned flags, struct machine *m);
int kernel_load(struct root *r, struct machine *m);
int boot_record_load(struct root *r, struct machine *m);
/* The hypervisor flag and DMI names (virt_load.c); never fails: what is unreadable stays unknown. */
int virt_load(struct root *r, struct machine *m);
/* The USB devices below PCI controllers (usb_load.c), once the PCI devices are loaded. */
int usb_load(struct root *r, struct machine *m);
/* Firmware framebuffers in /proc/iomem and display controllers' BARs (iomem_load.c). */
int iomem_load(struct root *r, struct machine *m);
