/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "pcicfg.h"

#include <errno.h>

/* Offsets in the configuration header (PCI Local Bus spec, PCIe spec 7.5). */
#define CFG_VENDOR 0x00
#define CFG_DEVICE 0x02
#define CFG_CLASS 0x09 /* 24 bits: prog-if, sub-class, base class */
#define CFG_SUBSYS_VENDOR 0x2c
#define CFG_SUBSYS_DEVICE 0x2e
#define CFG_STATUS 0x06
#define CFG_STATUS_CAP_LIST 0x0010
#define CFG_HEADER_TYPE 0x0e
#define CFG_CAP_PTR 0x34    /* type 0 and type 1 headers */
#define CFG_CB_CAP_PTR 0x14 /* CardBus bridges keep theirs elsewhere */
#define CFG_HEADER_SIZE 64
#define CFG_SPACE_SIZE 256
#define CFG_EXT_START 0x100

#define CAP_ID_PCIE 0x10
#define PCIE_FLAGS 2
#define EXT_CAP_ID_ACS 0x000d
#define ACS_CAP 4
#define ACS_CTRL 6

/* As many hops as the kernel allows before it calls a list broken. */
#define CAP_HOPS 48
#define EXT_CAP_HOPS ((4096 - CFG_SPACE_SIZE) / 8)

/* How a walk of a capability list ended. */
enum walk {
        WALK_FOUND,
        WALK_END,       /* list ended (or was broken) inside what was read: we know as much as the kernel */
        WALK_TRUNCATED, /* the list went on beyond the bytes we have */
};

static bool have(size_t len, size_t off, size_t n)
{
        return off <= len && n <= len - off;
}

static uint8_t rd8(const uint8_t *cfg, size_t len, size_t off)
{
        return have(len, off, 1) ? cfg[off] : 0;
}

static uint16_t rd16(const uint8_t *cfg, size_t len, size_t off)
{
        if (!have(len, off, 2))
                return 0;
        return (uint16_t)(cfg[off] | cfg[off + 1] << 8);
}

static uint32_t rd32(const uint8_t *cfg, size_t len, size_t off)
{
        if (!have(len, off, 4))
                return 0;
        return (uint32_t)cfg[off] | (uint32_t)cfg[off + 1] << 8 | (uint32_t)cfg[off + 2] << 16 |
               (uint32_t)cfg[off + 3] << 24;
}

static int header_type(const uint8_t *cfg, size_t len)
{
        unsigned t;

        if (len < CFG_HEADER_SIZE)
                return PCI_HEADER_UNKNOWN;
        t = cfg[CFG_HEADER_TYPE] & 0x7f;
        return t <= PCI_HEADER_CARDBUS ? (int)t : PCI_HEADER_UNKNOWN;
}

/* Where the capability pointer lives for this header type; 0 when there is no list. */
static unsigned cap_start(const uint8_t *cfg, size_t len)
{
        if (!(rd16(cfg, len, CFG_STATUS) & CFG_STATUS_CAP_LIST))
                return 0;
        switch (header_type(cfg, len)) {
        case PCI_HEADER_NORMAL:
        case PCI_HEADER_BRIDGE:
                return CFG_CAP_PTR;
        case PCI_HEADER_CARDBUS:
                return CFG_CB_CAP_PTR;
        default:
                return 0;
        }
}

static enum walk walk_caps(const uint8_t *cfg, size_t len, uint8_t id, unsigned *ret)
{
        unsigned start = cap_start(cfg, len), pos;

        if (start == 0)
                return WALK_END;
        pos = rd8(cfg, len, start);
        for (unsigned hop = 0; hop < CAP_HOPS; hop++) {
                /* Pointers into the header are invalid: the kernel stops there too. */
                if (pos < CFG_HEADER_SIZE)
                        return WALK_END;
                pos &= ~3u;
                if (!have(len, pos, 2))
                        return WALK_TRUNCATED;
                if (cfg[pos] == 0xff)
                        return WALK_END;
                if (cfg[pos] == id) {
                        *ret = pos;
                        return WALK_FOUND;
                }
                pos = cfg[pos + 1];
        }
        return WALK_END;
}

static enum walk walk_ext(const uint8_t *cfg, size_t len, uint16_t id, unsigned *ret)
{
        unsigned pos = CFG_EXT_START;

        for (unsigned hop = 0; hop < EXT_CAP_HOPS; hop++) {
                uint32_t h;

                if (!have(len, pos, 4))
                        return WALK_TRUNCATED;
                h = rd32(cfg, len, pos);
                /* An all-zero header means no extended capabilities; all-ones, no device. */
                if (h == 0 || h == 0xffffffffu)
                        return WALK_END;
                if ((h & 0xffff) == id) {
                        *ret = pos;
                        return WALK_FOUND;
                }
                pos = (h >> 20) & ~3u;
                if (pos < CFG_EXT_START)
                        return WALK_END;
        }
        return WALK_END;
}

unsigned pcicfg_find_cap(const uint8_t *cfg, size_t len, uint8_t id)
{
        unsigned pos = 0;

        if (!cfg || len < CFG_HEADER_SIZE)
                return 0;
        return walk_caps(cfg, len, id, &pos) == WALK_FOUND ? pos : 0;
}

unsigned pcicfg_find_ext(const uint8_t *cfg, size_t len, uint16_t id)
{
        unsigned pos = 0;

        if (!cfg || len <= CFG_EXT_START)
                return 0;
        return walk_ext(cfg, len, id, &pos) == WALK_FOUND ? pos : 0;
}

static void decode_pcie(const uint8_t *cfg, size_t len, struct pcicfg_info *info)
{
        unsigned pos = 0;

        switch (walk_caps(cfg, len, CAP_ID_PCIE, &pos)) {
        case WALK_FOUND:
                if (!have(len, pos + PCIE_FLAGS, 2))
                        return; /* the flags were cut off: type unknown */
                info->pcie_type = (enum pcie_type)((rd16(cfg, len, pos + PCIE_FLAGS) >> 4) & 0xf);
                info->pcie_known = true;
                return;
        case WALK_END:
                info->pcie_known = true;
                return;
        case WALK_TRUNCATED:
                /* A full 256-byte space holds the whole list: a pointer beyond it is just broken. */
                info->pcie_known = len >= CFG_SPACE_SIZE;
                return;
        }
}

static void decode_acs(const uint8_t *cfg, size_t len, struct pcicfg_info *info)
{
        unsigned pos = 0;

        if (len <= CFG_EXT_START) {
                /* Conventional PCI has no extended space at all: nothing to miss. */
                if (info->pcie_known && info->pcie_type == PCIE_TYPE_NONE)
                        info->acs = ACS_ABSENT;
                return;
        }
        switch (walk_ext(cfg, len, EXT_CAP_ID_ACS, &pos)) {
        case WALK_FOUND:
                if (!have(len, pos + ACS_CAP, 4))
                        return;
                info->acs = ACS_PRESENT;
                info->acs_cap = rd16(cfg, len, pos + ACS_CAP);
                info->acs_ctrl = rd16(cfg, len, pos + ACS_CTRL);
                return;
        case WALK_END:
                info->acs = ACS_ABSENT;
                return;
        case WALK_TRUNCATED:
                return;
        }
}

int pcicfg_decode(const uint8_t *cfg, size_t len, struct pcicfg_info *ret)
{
        struct pcicfg_info info = {
                .header = PCI_HEADER_UNKNOWN,
                .pcie_type = PCIE_TYPE_NONE,
                .acs = ACS_UNKNOWN,
        };

        if (!ret)
                return -EINVAL;
        if (!cfg)
                len = 0;
        if (len >= CFG_HEADER_SIZE) {
                info.readable = true;
                info.header = header_type(cfg, len);
                info.multifunction = cfg[CFG_HEADER_TYPE] & 0x80;
                decode_pcie(cfg, len, &info);
                decode_acs(cfg, len, &info);
        }
        *ret = info;
        return 0;
}

int pcicfg_header_ids(const uint8_t *cfg, size_t len, struct pcicfg_ids *ret)
{
        struct pcicfg_ids ids = { 0 };

        if (!ret)
                return -EINVAL;
        if (!cfg)
                len = 0;
        /* All ones (a device gone) has an unknown header type; all zeros, vendor 0. */
        if (header_type(cfg, len) != PCI_HEADER_UNKNOWN && rd16(cfg, len, CFG_VENDOR) != 0) {
                ids.has_class = true;
                ids.class = rd32(cfg, len, CFG_CLASS - 1) >> 8;
                ids.vendor = rd16(cfg, len, CFG_VENDOR);
                ids.device = rd16(cfg, len, CFG_DEVICE);
                ids.has_ids = ids.vendor != 0xffff && ids.device != 0xffff;
                if (!ids.has_ids)
                        ids.vendor = ids.device = 0;
                if (header_type(cfg, len) == PCI_HEADER_NORMAL) {
                        ids.has_subsystem = true;
                        ids.subsys_vendor = rd16(cfg, len, CFG_SUBSYS_VENDOR);
                        ids.subsys_device = rd16(cfg, len, CFG_SUBSYS_DEVICE);
                }
        }
        *ret = ids;
        return 0;
}

static size_t max_size(size_t a, size_t b)
{
        return a > b ? a : b;
}

/* The last byte the extended capability walk of pcicfg_decode() reads, plus one. */
static size_t ext_walk_end(const uint8_t *cfg, size_t len)
{
        unsigned pos = CFG_EXT_START;
        size_t end = 0;

        for (unsigned hop = 0; hop < EXT_CAP_HOPS; hop++) {
                if (!have(len, pos, 4))
                        return len;
                end = max_size(end, pos + 4);
                uint32_t h = rd32(cfg, len, pos);
                if (h == 0 || h == 0xffffffffu)
                        return end;
                if ((h & 0xffff) == EXT_CAP_ID_ACS)
                        return have(len, pos + ACS_CAP, 4) ? max_size(end, pos + ACS_CAP + 4) : len;
                pos = (h >> 20) & ~3u;
                if (pos < CFG_EXT_START)
                        return end;
        }
        return end;
}

size_t pcicfg_needed_len(const uint8_t *cfg, size_t len)
{
        if (!cfg || len <= CFG_SPACE_SIZE)
                return cfg ? len : 0;
        return max_size(CFG_SPACE_SIZE, ext_walk_end(cfg, len));
}
