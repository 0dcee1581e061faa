/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "uki.h"

static void put16(uint8_t *p, uint32_t v)
{
        p[0] = v & 0xff, p[1] = (v >> 8) & 0xff;
}

static void put32(uint8_t *p, uint32_t v)
{
        put16(p, v & 0xffff), put16(p + 2, v >> 16);
}

/* A PE head as systemd-stub's UKIs have it: the signature at 0x80, an optional header of 240
 * bytes (PE32+), then the sections .text, .uname, .initrd (name exactly 7 bytes) and .linux. */
static size_t make_pe(uint8_t *buf, size_t size)
{
        static const struct {
                const char *name;
                uint32_t vsize, raw, ptr;
        } sec[] = { { ".text", 0x1000, 0x1000, 0x400 },
                    { ".uname", 15, 0x200, 0x1400 },
                    { ".initrd", 0x123456, 0x123600, 0x1600 },
                    { ".linux", 0, 0x800000, 0x124c00 } };
        size_t table = 0x80 + 4 + 20 + 240;

        memset(buf, 0, size);
        buf[0] = 'M', buf[1] = 'Z';
        put32(buf + 0x3c, 0x80);
        memcpy(buf + 0x80, "PE\0\0", 4);
        put16(buf + 0x84 + 2, 4);    /* NumberOfSections */
        put16(buf + 0x84 + 16, 240); /* SizeOfOptionalHeader */
        for (size_t i = 0; i < 4; i++) {
                uint8_t *s = buf + table + i * 40;
                memcpy(s, sec[i].name, strlen(sec[i].name));
                put32(s + 8, sec[i].vsize);
                put32(s + 16, sec[i].raw);
                put32(s + 20, sec[i].ptr);
        }
        return table + 4 * 40;
}

static void test_sections(void **state)
{
        uint8_t buf[1024];
        size_t len = make_pe(buf, sizeof(buf));
        uint64_t off = 0, size = 0;

        (void)state;
        assert_int_equal(pe_find_section(buf, len, ".initrd", &off, &size), 0);
        assert_true(off == 0x1600 && size == 0x123456);
        assert_int_equal(pe_find_section(buf, len, ".uname", &off, &size), 0);
        assert_true(off == 0x1400 && size == 15);
        /* No VirtualSize: the raw size. */
        assert_int_equal(pe_find_section(buf, len, ".linux", &off, &size), 0);
        assert_true(off == 0x124c00 && size == 0x800000);
        /* A prefix of a name is not the name. */
        assert_int_equal(pe_find_section(buf, len, ".init", &off, &size), -ENOENT);
        assert_int_equal(pe_find_section(buf, len, ".osrel", &off, &size), -ENOENT);
        assert_int_equal(pe_find_section(buf, len, ".toolongname", &off, &size), -EINVAL);
        /* The table cut short, or no PE file at all. */
        assert_int_equal(pe_find_section(buf, len - 1, ".initrd", &off, &size), -ERANGE);
        assert_int_equal(pe_find_section(buf, 0x60, ".initrd", &off, &size), -ERANGE);
        buf[0x81] = 'X';
        assert_int_equal(pe_find_section(buf, len, ".initrd", &off, &size), -EINVAL);
        buf[0] = 0x1f;
        assert_int_equal(pe_find_section(buf, len, ".initrd", &off, &size), -EINVAL);
        assert_int_equal(pe_find_section(buf, 10, ".initrd", &off, &size), -EINVAL);
        /* An offset of the signature past the end. */
        make_pe(buf, sizeof(buf));
        put32(buf + 0x3c, 0xfffffff0);
        assert_int_equal(pe_find_section(buf, len, ".initrd", &off, &size), -ERANGE);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_sections),
        };
        return cmocka_run_group_tests_name("uki", tests, NULL, NULL);
}
