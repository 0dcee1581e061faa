/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Config-space decoding on arbitrary bytes and lengths: a sysfs "config" file in a --root tree
 * (or a device returning garbage) can hold anything, of any size. */
#include <stdbool.h>

#include "fuzz.h"
#include "pcicfg.h"

static uint16_t le16(const uint8_t *c, size_t off)
{
        return (uint16_t)(c[off] | c[off + 1] << 8);
}

/* A capability found is inside the buffer, past the header, and has the ID asked for. */
static void check_cap(const uint8_t *cfg, size_t len, uint8_t id)
{
        unsigned pos = pcicfg_find_cap(cfg, len, id);

        if (pos == 0)
                return;
        FUZZ_ASSERT(pos >= 64 && pos % 4 == 0);
        FUZZ_ASSERT((size_t)pos + 2 <= len);
        FUZZ_ASSERT(cfg[pos] == id);
}

static void check_ext(const uint8_t *cfg, size_t len, uint16_t id)
{
        unsigned pos = pcicfg_find_ext(cfg, len, id);

        if (pos == 0)
                return;
        FUZZ_ASSERT(pos >= 0x100 && pos % 4 == 0);
        FUZZ_ASSERT((size_t)pos + 4 <= len);
        FUZZ_ASSERT(le16(cfg, pos) == id);
}

/* What the decoder says agrees with the finders and never claims more than LEN holds. */
static void check_decode(const uint8_t *cfg, size_t len)
{
        struct pcicfg_info info;

        FUZZ_ASSERT(pcicfg_decode(cfg, len, &info) == 0);
        FUZZ_ASSERT(info.readable == (len >= 64));
        if (!info.readable) {
                FUZZ_ASSERT(info.header == -1 && info.acs == ACS_UNKNOWN && !info.pcie_known);
                return;
        }
        FUZZ_ASSERT(info.header >= -1 && info.header <= 2);
        FUZZ_ASSERT(info.pcie_type >= PCIE_TYPE_NONE && info.pcie_type <= 0xf);
        unsigned pcie = pcicfg_find_cap(cfg, len, 0x10);
        if (pcie && (size_t)pcie + 4 <= len) {
                FUZZ_ASSERT(info.pcie_known);
                FUZZ_ASSERT(info.pcie_type == (enum pcie_type)((le16(cfg, pcie + 2) >> 4) & 0xf));
        }
        if (info.acs == ACS_PRESENT) {
                unsigned acs = pcicfg_find_ext(cfg, len, 0x000d);
                FUZZ_ASSERT(acs && (size_t)acs + 8 <= len);
                FUZZ_ASSERT(info.acs_cap == le16(cfg, acs + 4) && info.acs_ctrl == le16(cfg, acs + 6));
        }
        if (len <= 0x100)
                FUZZ_ASSERT(info.acs != ACS_PRESENT);
}

static void check_all(const uint8_t *cfg, size_t len, uint8_t id8, uint16_t id16)
{
        static const uint8_t caps[] = { 0x01, 0x05, 0x10, 0x11 };
        static const uint16_t exts[] = { 0x0001, 0x000d, 0x0010 };

        check_decode(cfg, len);
        check_cap(cfg, len, id8);
        for (size_t i = 0; i < sizeof(caps); i++)
                check_cap(cfg, len, caps[i]);
        check_ext(cfg, len, id16);
        for (size_t i = 0; i < sizeof(exts) / sizeof(exts[0]); i++)
                check_ext(cfg, len, exts[i]);
}

/* The same bytes cut to LEN, in a buffer of exactly that size. */
static void check_prefix(const uint8_t *data, size_t size, size_t len, uint8_t id8, uint16_t id16)
{
        if (len > size)
                return;
        uint8_t *cut = malloc(len ? len : 1);
        FUZZ_ASSERT(cut);
        memcpy(cut, data, len);
        check_all(cut, len, id8, id16);
        free(cut);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        /* IDs to look for come from the vendor field, so that the fuzzer can steer them. */
        uint8_t id8 = size > 0 ? data[0] : 0;
        uint16_t id16 = size > 1 ? le16(data, 0) : 0;

        check_all(data, size, id8, id16);
        /* What an unprivileged reader gets, the legacy space, and one byte short of each. */
        static const size_t cuts[] = { 63, 64, 255, 256, 257, 0x104, 0x108 };
        for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++)
                check_prefix(data, size, cuts[i], id8, id16);
        if (size > 0)
                check_prefix(data, size, size - 1, id8, id16);
        FUZZ_ASSERT(pcicfg_decode(NULL, size, &(struct pcicfg_info){ 0 }) == 0);
        FUZZ_ASSERT(pcicfg_find_cap(NULL, size, id8) == 0 && pcicfg_find_ext(NULL, size, id16) == 0);
        return 0;
}
