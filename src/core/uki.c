/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The section table of a PE file (the layout of the Microsoft PE/COFF specification). */
#include "uki.h"

#include <errno.h>
#include <string.h>

#define DOS_LFANEW 0x3c     /* offset of the PE signature */
#define COFF_HEADER_SIZE 20 /* after the 4-byte signature */
#define SECTION_SIZE 40

static uint32_t le16(const uint8_t *p)
{
        return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t le32(const uint8_t *p)
{
        return le16(p) | le16(p + 2) << 16;
}

int pe_find_section(const uint8_t *buf, size_t len, const char *name, uint64_t *ret_offset, uint64_t *ret_size)
{
        size_t name_len = strlen(name);

        if (name_len > 8 || len < DOS_LFANEW + 4 || buf[0] != 'M' || buf[1] != 'Z')
                return -EINVAL;
        uint64_t pe = le32(buf + DOS_LFANEW);
        if (pe + 4 + COFF_HEADER_SIZE > len)
                return -ERANGE;
        if (memcmp(buf + pe, "PE\0\0", 4) != 0)
                return -EINVAL;
        const uint8_t *coff = buf + pe + 4;
        uint32_t n = le16(coff + 2), optional = le16(coff + 16);
        uint64_t table = pe + 4 + COFF_HEADER_SIZE + optional;
        if (table + (uint64_t)n * SECTION_SIZE > len)
                return -ERANGE;
        for (uint32_t i = 0; i < n; i++) {
                const uint8_t *s = buf + table + (uint64_t)i * SECTION_SIZE;
                if (memcmp(s, name, name_len) != 0 || (name_len < 8 && s[name_len] != '\0'))
                        continue;
                /* VirtualSize is the content's size; SizeOfRawData is rounded up to the file
                 * alignment (and smaller only when the rest is zero-filled in memory). */
                uint32_t vsize = le32(s + 8), raw = le32(s + 16);
                *ret_offset = le32(s + 20);
                *ret_size = vsize && vsize <= raw ? vsize : raw;
                return 0;
        }
        return -ENOENT;
}
