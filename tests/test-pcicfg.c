/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "macro.h"
#include "pcicfg.h"

#define CFG_MAX 4096

/* Config-space builders: a little-endian image as the kernel hands it out. */
static void put16(uint8_t *c, unsigned off, uint16_t v)
{
        c[off] = v & 0xff;
        c[off + 1] = v >> 8;
}

static void put32(uint8_t *c, unsigned off, uint32_t v)
{
        put16(c, off, v & 0xffff);
        put16(c, off + 2, v >> 16);
}

/* Vendor/device, header type byte; FIRST_CAP 0 means no capability list at all. */
static void set_header(uint8_t *c, uint8_t type, uint8_t first_cap)
{
        put16(c, 0x00, 0x8086);
        put16(c, 0x02, 0x1234);
        c[0x0e] = type;
        if (first_cap) {
                put16(c, 0x06, 0x0010);
                c[(type & 0x7f) == 2 ? 0x14 : 0x34] = first_cap;
        }
}

static void add_cap(uint8_t *c, unsigned off, uint8_t id, uint8_t next)
{
        c[off] = id;
        c[off + 1] = next;
}

static void add_pcie(uint8_t *c, unsigned off, enum pcie_type type, uint8_t next)
{
        add_cap(c, off, 0x10, next);
        put16(c, off + 2, (uint16_t)(0x0002 | (unsigned)type << 4));
}

static void add_ext(uint8_t *c, unsigned off, uint16_t id, unsigned next)
{
        put32(c, off, (uint32_t)id | 1u << 16 | (uint32_t)next << 20);
}

static void add_acs(uint8_t *c, unsigned off, unsigned next, uint16_t cap, uint16_t ctrl)
{
        add_ext(c, off, 0x000d, next);
        put16(c, off + 4, cap);
        put16(c, off + 6, ctrl);
}

/* The builds of the table. */
static void b_endpoint_acs(uint8_t *c)
{
        set_header(c, 0x00, 0x50);
        add_cap(c, 0x50, 0x01, 0x40); /* power management first */
        add_pcie(c, 0x40, PCIE_TYPE_ENDPOINT, 0);
        add_acs(c, 0x100, 0, ACS_SV | ACS_RR | ACS_CR | ACS_UF, ACS_RR | ACS_CR);
}

static void b_root_port_acs_second(uint8_t *c)
{
        set_header(c, 0x01, 0x40);
        add_pcie(c, 0x40, PCIE_TYPE_ROOT_PORT, 0x80);
        add_cap(c, 0x80, 0x05, 0);        /* MSI */
        add_ext(c, 0x100, 0x0001, 0x148); /* AER */
        add_acs(c, 0x148, 0, 0x005f, 0x001d);
}

static void b_root_port_no_acs(uint8_t *c)
{
        set_header(c, 0x01, 0x40);
        add_pcie(c, 0x40, PCIE_TYPE_ROOT_PORT, 0);
        add_ext(c, 0x100, 0x0001, 0x140);
        add_ext(c, 0x140, 0x0019, 0); /* secondary PCIe */
}

static void b_downstream_empty_ext(uint8_t *c)
{
        set_header(c, 0x01, 0x40);
        add_pcie(c, 0x40, PCIE_TYPE_DOWNSTREAM, 0);
}

static void b_no_caps(uint8_t *c)
{
        set_header(c, 0x00, 0);
}

static void b_pci_bridge_pm(uint8_t *c)
{
        set_header(c, 0x01, 0xdc);
        add_cap(c, 0xdc, 0x01, 0);
}

static void b_cap_loop(uint8_t *c)
{
        set_header(c, 0x80, 0x40);
        add_cap(c, 0x40, 0x01, 0x50);
        add_cap(c, 0x50, 0x05, 0x40);
}

static void b_cap_self_loop_then_pcie(uint8_t *c)
{
        /* The PCIe capability sits after a loop: never reached, as in the kernel. */
        set_header(c, 0x00, 0x40);
        add_cap(c, 0x40, 0x01, 0x40);
        add_pcie(c, 0x60, PCIE_TYPE_ENDPOINT, 0);
}

static void b_ext_loop(uint8_t *c)
{
        set_header(c, 0x00, 0x40);
        add_pcie(c, 0x40, PCIE_TYPE_ENDPOINT, 0);
        add_ext(c, 0x100, 0x0001, 0x100);
}

static void b_ext_next_below(uint8_t *c)
{
        set_header(c, 0x00, 0x40);
        add_pcie(c, 0x40, PCIE_TYPE_ENDPOINT, 0);
        add_ext(c, 0x100, 0x0001, 0x040);
        add_acs(c, 0x140, 0, ACS_RR, ACS_RR);
}

static void b_ext_next_beyond(uint8_t *c)
{
        set_header(c, 0x00, 0x40);
        add_pcie(c, 0x40, PCIE_TYPE_ENDPOINT, 0);
        add_ext(c, 0x100, 0x0001, 0xffc);
}

static void b_cap_into_header(uint8_t *c)
{
        set_header(c, 0x00, 0x40);
        add_cap(c, 0x40, 0x01, 0x20);
}

static void b_cap_unaligned(uint8_t *c)
{
        set_header(c, 0x00, 0x43);
        add_pcie(c, 0x40, PCIE_TYPE_LEGACY_ENDPOINT, 0x7b);
        add_cap(c, 0x78, 0x05, 0);
}

static void b_cap_at_end(uint8_t *c)
{
        set_header(c, 0x00, 0xff);
        add_pcie(c, 0xfc, PCIE_TYPE_RC_ENDPOINT, 0);
}

static void b_cap_id_ff(uint8_t *c)
{
        set_header(c, 0x00, 0x40);
        add_cap(c, 0x40, 0xff, 0x50);
        add_pcie(c, 0x50, PCIE_TYPE_ENDPOINT, 0);
}

static void b_pcie_to_pci(uint8_t *c)
{
        set_header(c, 0x01, 0x80);
        add_pcie(c, 0x80, PCIE_TYPE_PCIE_TO_PCI, 0);
}

static void b_cardbus(uint8_t *c)
{
        set_header(c, 0x02, 0x70);
        add_cap(c, 0x70, 0x01, 0);
        c[0x34] = 0x40; /* not the CardBus pointer: must be ignored */
        add_pcie(c, 0x40, PCIE_TYPE_ENDPOINT, 0);
}

static void b_bad_header(uint8_t *c)
{
        set_header(c, 0x05, 0x40);
        add_pcie(c, 0x40, PCIE_TYPE_ENDPOINT, 0);
}

static void b_all_ones(uint8_t *c)
{
        memset(c, 0xff, CFG_MAX);
}

static void b_mf_upstream(uint8_t *c)
{
        set_header(c, 0x81, 0x40);
        add_pcie(c, 0x40, PCIE_TYPE_UPSTREAM, 0);
}

struct decode_case {
        const char *name;
        void (*build)(uint8_t *c);
        size_t len;
        bool readable;
        int header;
        bool multifunction;
        enum pcie_type type;
        bool pcie_known;
        enum acs_state acs;
        uint16_t acs_cap, acs_ctrl;
};

static const struct decode_case decode_cases[] = {
        { "endpoint with ACS", b_endpoint_acs, 4096, true, 0, false, PCIE_TYPE_ENDPOINT, true, ACS_PRESENT, 0x001d,
          0x000c },
        { "endpoint, 256 bytes", b_endpoint_acs, 256, true, 0, false, PCIE_TYPE_ENDPOINT, true, ACS_UNKNOWN, 0, 0 },
        { "endpoint, 64 bytes", b_endpoint_acs, 64, true, 0, false, PCIE_TYPE_NONE, false, ACS_UNKNOWN, 0, 0 },
        { "endpoint, 63 bytes", b_endpoint_acs, 63, false, -1, false, PCIE_TYPE_NONE, false, ACS_UNKNOWN, 0, 0 },
        { "endpoint, no bytes", b_endpoint_acs, 0, false, -1, false, PCIE_TYPE_NONE, false, ACS_UNKNOWN, 0, 0 },
        { "root port, ACS second", b_root_port_acs_second, 4096, true, 1, false, PCIE_TYPE_ROOT_PORT, true, ACS_PRESENT,
          0x005f, 0x001d },
        { "root port, no ACS", b_root_port_no_acs, 4096, true, 1, false, PCIE_TYPE_ROOT_PORT, true, ACS_ABSENT, 0, 0 },
        { "downstream, empty ext", b_downstream_empty_ext, 4096, true, 1, false, PCIE_TYPE_DOWNSTREAM, true, ACS_ABSENT,
          0, 0 },
        { "no caps, 64 bytes", b_no_caps, 64, true, 0, false, PCIE_TYPE_NONE, true, ACS_ABSENT, 0, 0 },
        { "PCI bridge, 256 bytes", b_pci_bridge_pm, 256, true, 1, false, PCIE_TYPE_NONE, true, ACS_ABSENT, 0, 0 },
        { "PCI bridge, 64 bytes", b_pci_bridge_pm, 64, true, 1, false, PCIE_TYPE_NONE, false, ACS_UNKNOWN, 0, 0 },
        { "capability loop", b_cap_loop, 256, true, 0, true, PCIE_TYPE_NONE, true, ACS_ABSENT, 0, 0 },
        { "capability self loop", b_cap_self_loop_then_pcie, 4096, true, 0, false, PCIE_TYPE_NONE, true, ACS_ABSENT, 0,
          0 },
        { "extended loop", b_ext_loop, 4096, true, 0, false, PCIE_TYPE_ENDPOINT, true, ACS_ABSENT, 0, 0 },
        { "extended next below 0x100", b_ext_next_below, 4096, true, 0, false, PCIE_TYPE_ENDPOINT, true, ACS_ABSENT, 0,
          0 },
        { "extended next beyond dump", b_ext_next_beyond, 0x200, true, 0, false, PCIE_TYPE_ENDPOINT, true, ACS_UNKNOWN,
          0, 0 },
        { "extended next at the end", b_ext_next_beyond, 4096, true, 0, false, PCIE_TYPE_ENDPOINT, true, ACS_ABSENT, 0,
          0 },
        { "pointer into header", b_cap_into_header, 256, true, 0, false, PCIE_TYPE_NONE, true, ACS_ABSENT, 0, 0 },
        { "unaligned pointer", b_cap_unaligned, 4096, true, 0, false, PCIE_TYPE_LEGACY_ENDPOINT, true, ACS_ABSENT, 0,
          0 },
        { "capability in last dword", b_cap_at_end, 256, true, 0, false, PCIE_TYPE_RC_ENDPOINT, true, ACS_UNKNOWN, 0,
          0 },
        { "capability id 0xff ends list", b_cap_id_ff, 4096, true, 0, false, PCIE_TYPE_NONE, true, ACS_ABSENT, 0, 0 },
        { "PCIe-to-PCI bridge", b_pcie_to_pci, 256, true, 1, false, PCIE_TYPE_PCIE_TO_PCI, true, ACS_UNKNOWN, 0, 0 },
        { "PCIe cap beyond 128 bytes", b_pcie_to_pci, 128, true, 1, false, PCIE_TYPE_NONE, false, ACS_UNKNOWN, 0, 0 },
        { "CardBus pointer at 0x14", b_cardbus, 256, true, 2, false, PCIE_TYPE_NONE, true, ACS_ABSENT, 0, 0 },
        { "unknown header type", b_bad_header, 4096, true, -1, false, PCIE_TYPE_NONE, true, ACS_ABSENT, 0, 0 },
        { "all ones", b_all_ones, 4096, true, -1, true, PCIE_TYPE_NONE, true, ACS_ABSENT, 0, 0 },
        { "multifunction upstream port", b_mf_upstream, 4096, true, 1, true, PCIE_TYPE_UPSTREAM, true, ACS_ABSENT, 0,
          0 },
        /* ACS header read, its registers cut off; then the header itself cut off. */
        { "ACS registers cut", b_endpoint_acs, 0x106, true, 0, false, PCIE_TYPE_ENDPOINT, true, ACS_UNKNOWN, 0, 0 },
        { "ext header cut", b_endpoint_acs, 0x102, true, 0, false, PCIE_TYPE_ENDPOINT, true, ACS_UNKNOWN, 0, 0 },
        { "ACS registers just fit", b_endpoint_acs, 0x108, true, 0, false, PCIE_TYPE_ENDPOINT, true, ACS_PRESENT,
          0x001d, 0x000c },
};

/* A buffer of exactly LEN bytes, so that an overread shows under valgrind or ASan. */
static uint8_t *build_exact(void (*build)(uint8_t *c), size_t len)
{
        uint8_t full[CFG_MAX] = { 0 };
        uint8_t *c = malloc(len ? len : 1);

        assert_non_null(c);
        build(full);
        memcpy(c, full, len);
        return c;
}

static void test_decode_table(void **state)
{
        for (size_t i = 0; i < ARRAY_SIZE(decode_cases); i++) {
                const struct decode_case *t = &decode_cases[i];
                _cleanup_free_ uint8_t *c = build_exact(t->build, t->len);
                struct pcicfg_info info;

                print_message("case: %s\n", t->name);
                assert_int_equal(pcicfg_decode(c, t->len, &info), 0);
                assert_int_equal(info.readable, t->readable);
                assert_int_equal(info.header, t->header);
                assert_int_equal(info.multifunction, t->multifunction);
                assert_int_equal(info.pcie_type, t->type);
                assert_int_equal(info.pcie_known, t->pcie_known);
                assert_int_equal(info.acs, t->acs);
                assert_int_equal(info.acs_cap, t->acs_cap);
                assert_int_equal(info.acs_ctrl, t->acs_ctrl);
        }
}

static void test_find_cap(void **state)
{
        _cleanup_free_ uint8_t *c = build_exact(b_endpoint_acs, 4096);

        assert_int_equal(pcicfg_find_cap(c, 4096, 0x01), 0x50);
        assert_int_equal(pcicfg_find_cap(c, 4096, 0x10), 0x40);
        assert_int_equal(pcicfg_find_cap(c, 4096, 0x05), 0);
        assert_int_equal(pcicfg_find_cap(c, 64, 0x10), 0);
        assert_int_equal(pcicfg_find_cap(c, 0x52, 0x01), 0x50);
        assert_int_equal(pcicfg_find_cap(c, 0x51, 0x01), 0);
        assert_int_equal(pcicfg_find_cap(NULL, 4096, 0x10), 0);
}

static void test_find_ext(void **state)
{
        _cleanup_free_ uint8_t *c = build_exact(b_root_port_acs_second, 4096);

        assert_int_equal(pcicfg_find_ext(c, 4096, 0x0001), 0x100);
        assert_int_equal(pcicfg_find_ext(c, 4096, 0x000d), 0x148);
        assert_int_equal(pcicfg_find_ext(c, 4096, 0x0019), 0);
        assert_int_equal(pcicfg_find_ext(c, 256, 0x0001), 0);
        assert_int_equal(pcicfg_find_ext(c, 0x14c, 0x000d), 0x148);
        assert_int_equal(pcicfg_find_ext(c, 0x14b, 0x000d), 0);
        assert_int_equal(pcicfg_find_ext(NULL, 4096, 0x0001), 0);
}

static void test_decode_null(void **state)
{
        struct pcicfg_info info;

        assert_int_equal(pcicfg_decode(NULL, 4096, &info), 0);
        assert_false(info.readable);
        assert_int_equal(info.header, PCI_HEADER_UNKNOWN);
        assert_int_equal(info.acs, ACS_UNKNOWN);
        assert_int_equal(pcicfg_decode(NULL, 0, NULL), -EINVAL);
}

/* Garbage of every length the kernel can hand out and some it cannot: no read outside. */
static void test_decode_garbage(void **state)
{
        static const size_t lens[] = { 0, 1, 63, 64, 65, 128, 255, 256, 257, 259, 260, 300, 4095, 4096 };
        unsigned seed = 12345;

        for (int round = 0; round < 200; round++) {
                for (size_t i = 0; i < ARRAY_SIZE(lens); i++) {
                        _cleanup_free_ uint8_t *c = malloc(lens[i] ? lens[i] : 1);
                        struct pcicfg_info info;

                        assert_non_null(c);
                        for (size_t j = 0; j < lens[i]; j++) {
                                seed = seed * 1103515245u + 12345u;
                                c[j] = (uint8_t)(seed >> 16);
                        }
                        /* Make every round take the capability paths. */
                        if (lens[i] >= 64) {
                                c[0x06] |= 0x10;
                                c[0x0e] &= 0x81;
                        }
                        assert_int_equal(pcicfg_decode(c, lens[i], &info), 0);
                        assert_int_equal(info.readable, lens[i] >= 64);
                        (void)pcicfg_find_cap(c, lens[i], 0x10);
                        (void)pcicfg_find_ext(c, lens[i], 0x000d);
                }
        }
}

static void assert_same_info(const struct pcicfg_info *a, const struct pcicfg_info *b)
{
        assert_int_equal(a->readable, b->readable);
        assert_int_equal(a->header, b->header);
        assert_int_equal(a->multifunction, b->multifunction);
        assert_int_equal(a->pcie_type, b->pcie_type);
        assert_int_equal(a->pcie_known, b->pcie_known);
        assert_int_equal(a->acs, b->acs);
        assert_int_equal(a->acs_cap, b->acs_cap);
        assert_int_equal(a->acs_ctrl, b->acs_ctrl);
}

/* Kept to pcicfg_needed_len(), config space decodes as it did whole: the table, then garbage
 * whose extended headers chain (each next pointer made to point further on, or to the end). */
static void test_needed_len(void **state)
{
        struct pcicfg_info whole, kept;
        unsigned seed = 4242;

        for (size_t i = 0; i < ARRAY_SIZE(decode_cases); i++) {
                const struct decode_case *t = &decode_cases[i];
                _cleanup_free_ uint8_t *c = build_exact(t->build, t->len);
                size_t need = pcicfg_needed_len(c, t->len);

                print_message("case: %s: %zu of %zu bytes\n", t->name, need, t->len);
                assert_true(need <= t->len);
                assert_int_equal(pcicfg_decode(c, t->len, &whole), 0);
                assert_int_equal(pcicfg_decode(c, need, &kept), 0);
                assert_same_info(&whole, &kept);
        }
        for (int round = 0; round < 2000; round++) {
                static uint8_t c[4096];
                size_t len = round % 3 == 0 ? 4096 : 256 + (size_t)(round * 37) % 3841;

                for (size_t j = 0; j < len; j++) {
                        seed = seed * 1103515245u + 12345u;
                        c[j] = (uint8_t)(seed >> 16);
                }
                c[0x06] |= 0x10;
                c[0x0e] &= 0x81;
                for (size_t pos = 0x100; pos + 4 <= len && round % 2 == 0;) {
                        seed = seed * 1103515245u + 12345u;
                        size_t next = pos + 4 + (seed >> 16) % 64;
                        uint32_t h = (seed >> 8) % 5 == 0 ? 0x000d : (uint32_t)(seed % 0x20);
                        if (next + 4 > len || (seed >> 4) % 9 == 0)
                                next = 0;
                        h |= (uint32_t)(next & ~3u) << 20;
                        memcpy(c + pos, &h, 4);
                        if (next == 0)
                                break;
                        pos = next & ~3u;
                }
                size_t need = pcicfg_needed_len(c, len);
                assert_true(need <= len);
                assert_true(need >= 256);
                assert_int_equal(pcicfg_decode(c, len, &whole), 0);
                assert_int_equal(pcicfg_decode(c, need, &kept), 0);
                assert_same_info(&whole, &kept);
        }
        assert_int_equal(pcicfg_needed_len(NULL, 4096), 0);
}

/* What the header says of a device's identity, and where it cannot be trusted. */
static void test_header_ids(void **state)
{
        uint8_t c[64] = { 0x86, 0x80, 0x1c, 0x15, 0, 0, 0, 0, 0x01, 0x00, 0x00, 0x02, 0, 0, 0x80, 0 };
        struct pcicfg_ids ids;

        c[0x2c] = 0x28;
        c[0x2d] = 0x10;
        c[0x2e] = 0x34;
        c[0x2f] = 0x12;
        assert_int_equal(pcicfg_header_ids(c, 64, &ids), 0);
        assert_true(ids.has_ids && ids.has_class && ids.has_subsystem);
        assert_int_equal(ids.vendor, 0x8086);
        assert_int_equal(ids.device, 0x151c);
        assert_int_equal(ids.class, 0x020000);
        assert_int_equal(ids.subsys_vendor, 0x1028);
        assert_int_equal(ids.subsys_device, 0x1234);

        c[0x0e] = 0x01; /* a bridge: its subsystem IDs live in a capability */
        assert_int_equal(pcicfg_header_ids(c, 64, &ids), 0);
        assert_true(ids.has_ids && ids.has_class);
        assert_false(ids.has_subsystem);

        c[0x0e] = 0x00;
        memset(c, 0xff, 4); /* an SR-IOV VF */
        assert_int_equal(pcicfg_header_ids(c, 64, &ids), 0);
        assert_false(ids.has_ids);
        assert_true(ids.has_class && ids.has_subsystem);
        assert_int_equal(ids.class, 0x020000);

        memset(c, 0xff, sizeof(c)); /* all ones: no device */
        assert_int_equal(pcicfg_header_ids(c, 64, &ids), 0);
        assert_false(ids.has_ids || ids.has_class || ids.has_subsystem);
        memset(c, 0, sizeof(c)); /* all zeros */
        assert_int_equal(pcicfg_header_ids(c, 64, &ids), 0);
        assert_false(ids.has_ids || ids.has_class || ids.has_subsystem);
        c[0] = 0x86;
        assert_int_equal(pcicfg_header_ids(c, 63, &ids), 0); /* short */
        assert_false(ids.has_ids || ids.has_class || ids.has_subsystem);
        assert_int_equal(pcicfg_header_ids(NULL, 64, &ids), 0);
        assert_false(ids.has_ids || ids.has_class || ids.has_subsystem);
        assert_int_equal(pcicfg_header_ids(c, 64, NULL), -EINVAL);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_needed_len),     cmocka_unit_test(test_header_ids),
                cmocka_unit_test(test_decode_table),   cmocka_unit_test(test_find_cap),
                cmocka_unit_test(test_find_ext),       cmocka_unit_test(test_decode_null),
                cmocka_unit_test(test_decode_garbage),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
