/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "log.h"
#include "macro.h"
#include "model.h"

static void test_addr_parse_format(void **state)
{
        static const struct {
                const char *in;
                int ret;
                const char *out;
        } cases[] = {
                { "0000:01:00.0", 0, "0000:01:00.0" },
                { "01:00.1", 0, "0000:01:00.1" },
                { "0000:0A:1f.7", 0, "0000:0a:1f.7" },
                { "10000:e1:00.0", 0, "10000:e1:00.0" }, /* a VMD domain */
                { "fffffff:00:00.0", 0, "fffffff:00:00.0" },
                { "10000000:00:00.0", -ERANGE, NULL }, /* would not fit the name */
                { "0000:01:20.0", -ERANGE, NULL },     /* device 0x20 */
                { "0000:01:00.8", -ERANGE, NULL },     /* function 8 */
                { "000:01:00.0", -EINVAL, NULL },      /* short domain */
                { "1:00.0", -EINVAL, NULL },
                { "01:00", -EINVAL, NULL },
                { "01:00.0 ", -EINVAL, NULL },
                { "01:00.00", -EINVAL, NULL },
                { "../01:00.0", -EINVAL, NULL },
                { "", -EINVAL, NULL },
        };

        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                struct pci_addr a;
                char buf[PCI_ADDR_STRLEN];
                int k = pci_addr_parse(cases[i].in, &a);
                if (k != cases[i].ret)
                        fail_msg("pci_addr_parse('%s'): %d, expected %d", cases[i].in, k, cases[i].ret);
                if (k < 0)
                        continue;
                pci_addr_format(&a, buf);
                assert_string_equal(buf, cases[i].out);
        }
}

/* The name is made without printf; it must read as printf's "%04x:%02x:%02x.%x" would. */
static void test_pci_addr_format_as_printf(void **state)
{
        static const uint32_t domains[] = { 0, 1, 0xabc, 0xffff, 0x10000, 0xfffffff, 0x10000000, 0xffffffff };
        char got[PCI_ADDR_STRLEN], want[PCI_ADDR_STRLEN];

        (void)state;
        for (size_t i = 0; i < ARRAY_SIZE(domains); i++)
                for (unsigned bus = 0; bus < 256; bus += 15)
                        for (unsigned dev = 0; dev < 32; dev += 7)
                                for (unsigned fn = 0; fn < 8; fn += 3) {
                                        struct pci_addr a = { .domain = domains[i],
                                                              .bus = (uint8_t)bus,
                                                              .dev = (uint8_t)dev,
                                                              .fn = (uint8_t)fn };
                                        snprintf(want, sizeof(want), "%04x:%02x:%02x.%x", (unsigned)a.domain, a.bus,
                                                 a.dev, a.fn);
                                        pci_addr_format(&a, got);
                                        assert_string_equal(got, want);
                                }
}

static void test_find_device_and_group(void **state)
{
        struct pci_device d[3] = { 0 };
        struct iommu_group g[2] = { { .id = 3 }, { .id = 14 } };
        struct machine m = { .devices = d, .n_devices = 3, .groups = g, .n_groups = 2 };

        assert_int_equal(pci_addr_parse("0000:00:01.0", &d[0].addr), 0);
        assert_int_equal(pci_addr_parse("0000:01:00.0", &d[1].addr), 0);
        assert_int_equal(pci_addr_parse("0001:00:00.0", &d[2].addr), 0);
        assert_int_equal(machine_find_device_name(&m, "01:00.0"), 1);
        assert_int_equal(machine_find_device_name(&m, "0001:00:00.0"), 2);
        assert_int_equal(machine_find_device_name(&m, "0000:02:00.0"), NONE);
        assert_int_equal(machine_find_device_name(&m, "garbage"), NONE);
        assert_int_equal(machine_find_group(&m, 14), 1);
        assert_int_equal(machine_find_group(&m, 4), NONE);
}

static void test_bridge_rules(void **state)
{
        struct pci_device d = { .header = PCI_HEADER_BRIDGE, .class = 0x060400 };

        assert_true(pci_device_is_bridge(&d));
        d.header = PCI_HEADER_CARDBUS;
        assert_true(pci_device_is_bridge(&d));
        /* Config space says what it is; the class only when it was unreadable. */
        d = (struct pci_device){ .header = PCI_HEADER_NORMAL, .class = 0x060400 };
        assert_false(pci_device_is_bridge(&d));
        d.header = PCI_HEADER_UNKNOWN;
        assert_true(pci_device_is_bridge(&d));
        d.class = 0x030000;
        assert_false(pci_device_is_bridge(&d));
        d.class = 0x060000;
        assert_true(pci_device_is_host_bridge(&d));
        assert_false(pci_device_is_bridge(&d));
}

static void test_sanitize(void **state)
{
        char buf[32];

        assert_string_equal(sanitize("nvidia", buf, sizeof(buf)), "nvidia");
        assert_string_equal(sanitize("evil\033[2J", buf, sizeof(buf)), "evil\\x1b[2J");
        assert_string_equal(sanitize("a\nb\tc\x7f", buf, sizeof(buf)), "a\\x0ab\\x09c\\x7f");
        assert_string_equal(sanitize("caf\xc3\xa9 \xe2\x80\xa6", buf, sizeof(buf)), "caf\xc3\xa9 \xe2\x80\xa6");
        assert_string_equal(sanitize("bad \xc3 \xff", buf, sizeof(buf)), "bad \\xc3 \\xff");
        assert_string_equal(sanitize("c1 \xc2\x9b", buf, sizeof(buf)), "c1 \\u009b"); /* C1 CSI */
        assert_string_equal(sanitize(NULL, buf, sizeof(buf)), "(null)");
        assert_string_equal(sanitize("0123456789", buf, 5), "0123");
        /* A multibyte character that does not fit is left out, never cut in half. */
        assert_string_equal(sanitize("ab\xe2\x80\xa6", buf, 5), "ab");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_addr_parse_format),
                cmocka_unit_test(test_pci_addr_format_as_printf),
                cmocka_unit_test(test_find_device_and_group),
                cmocka_unit_test(test_bridge_rules),
                cmocka_unit_test(test_sanitize),
        };
        return cmocka_run_group_tests_name("model", tests, NULL, NULL);
}
