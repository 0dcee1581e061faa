/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "parse.h"

#include <errno.h>
#include <string.h>

static int digit_value(char c)
{
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return 99;
}

int parse_u64(const char *s, int base, uint64_t max, uint64_t *ret)
{
        uint64_t v = 0;

        if (base != 10 && base != 16)
                return -EINVAL;
        if (base == 16 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
                s += 2;
        if (!*s)
                return -EINVAL;
        for (; *s; s++) {
                int d = digit_value(*s);
                if (d >= base)
                        return -EINVAL;
                if (v > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
                        return -ERANGE;
                v = v * (uint64_t)base + (uint64_t)d;
        }
        if (v > max)
                return -ERANGE;
        *ret = v;
        return 0;
}

int parse_hex_fixed(const char *s, unsigned len, uint32_t *ret)
{
        uint32_t v = 0;

        if (len == 0 || len > 8 || strlen(s) != len)
                return -EINVAL;
        for (unsigned i = 0; i < len; i++) {
                int d = digit_value(s[i]);
                if (d >= 16)
                        return -EINVAL;
                v = v << 4 | (uint32_t)d;
        }
        *ret = v;
        return 0;
}

bool parse_switch(const char *value)
{
        return value && *value && strcmp(value, "0") != 0;
}
