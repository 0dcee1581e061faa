/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Decoding PCI configuration space bytes (as sysfs "config" returns them: 64 bytes to an
 * unprivileged reader, 256 or 4096 to root). Pure; every read is bounds-checked against the
 * length actually available.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"

/* ACS capability bits (PCIe spec 7.7.8) */
#define ACS_SV 0x0001 /* source validation */
#define ACS_TB 0x0002 /* translation blocking */
#define ACS_RR 0x0004 /* P2P request redirect */
#define ACS_CR 0x0008 /* P2P completion redirect */
#define ACS_UF 0x0010 /* upstream forwarding */
#define ACS_EC 0x0020 /* P2P egress control */
#define ACS_DT 0x0040 /* direct translated P2P */
/* What the kernel wants enabled for isolation (pci_acs_enabled(), REQ_ACS_FLAGS). */
#define ACS_ISOLATION_FLAGS (ACS_SV | ACS_RR | ACS_CR | ACS_UF)

/* PCIe device/port type (PCIe capability, flags bits 7:4). */
enum pcie_type {
        PCIE_TYPE_NONE = -1, /* no PCIe capability: conventional PCI */
        PCIE_TYPE_ENDPOINT = 0x0,
        PCIE_TYPE_LEGACY_ENDPOINT = 0x1,
        PCIE_TYPE_ROOT_PORT = 0x4,
        PCIE_TYPE_UPSTREAM = 0x5,
        PCIE_TYPE_DOWNSTREAM = 0x6,
        PCIE_TYPE_PCIE_TO_PCI = 0x7,
        PCIE_TYPE_PCI_TO_PCIE = 0x8,
        PCIE_TYPE_RC_ENDPOINT = 0x9,
        PCIE_TYPE_RC_EVENT_COLLECTOR = 0xa,
};

enum acs_state {
        ACS_UNKNOWN, /* extended config space not readable (not root, or a 256-byte dump) */
        ACS_ABSENT,  /* readable, no ACS capability */
        ACS_PRESENT, /* capability found: see cap and ctrl */
};

struct pcicfg_info {
        bool readable; /* at least the 64-byte header */
        int header;    /* enum pci_header, -1 when unreadable */
        bool multifunction;
        enum pcie_type pcie_type; /* PCIE_TYPE_NONE when no PCIe capability or not readable */
        bool pcie_known;          /* capability list (256 bytes) was readable */
        enum acs_state acs;
        uint16_t acs_cap, acs_ctrl;
};

int pcicfg_decode(const uint8_t *cfg, size_t len, struct pcicfg_info *ret);

/*
 * The identity a 64-byte header holds, which sysfs also shows as the vendor, device, class and
 * subsystem_* attributes: reading it spares five files per device. What the header cannot be
 * trusted for is left out, and read from those files instead.
 */
struct pcicfg_ids {
        bool has_ids;       /* vendor and device: not when they read 0xffff (an SR-IOV VF, PCIe
                               spec 9.3.4.1.1: the kernel takes them from the PF) */
        bool has_class;     /* class: the header is a device's (header type known, vendor not 0) */
        bool has_subsystem; /* subsystem IDs: type 0 headers only (bridges keep theirs in a capability) */
        uint16_t vendor, device, subsys_vendor, subsys_device;
        uint32_t class;
};
int pcicfg_header_ids(const uint8_t *cfg, size_t len, struct pcicfg_ids *ret);

/* How many leading bytes of CFG pcicfg_decode() looks at: keeping only those decodes the same
 * (the rest of a 4 KiB extended space need not stay in memory). */
size_t pcicfg_needed_len(const uint8_t *cfg, size_t len);
/* Offset of capability ID in the standard list (0 when absent); extended list for pcicfg_find_ext. */
unsigned pcicfg_find_cap(const uint8_t *cfg, size_t len, uint8_t id);
unsigned pcicfg_find_ext(const uint8_t *cfg, size_t len, uint16_t id);
