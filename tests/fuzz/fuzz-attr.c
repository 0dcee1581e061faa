/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The attribute and address parsers on arbitrary strings: parse_u64, parse_hex_fixed,
 * pci_addr_parse, selector_parse. What they accept must be exactly what they document. */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>

#include "config.h"
#include "fuzz.h"
#include "model.h"
#include "parse.h"

static bool all_of(const char *s, const char *set)
{
        return *s && strspn(s, set) == strlen(s);
}

#define DIGITS "0123456789"
#define HEX "0123456789abcdefABCDEF"

/* An accepted number is the whole string, prints back to itself, and MAX is a hard bound. */
static void check_u64(const char *s, int base)
{
        uint64_t v, w;
        char buf[32];

        int k = parse_u64(s, base, UINT64_MAX, &v);
        if (k < 0) {
                FUZZ_ASSERT(k == -EINVAL || k == -ERANGE);
                return;
        }
        const char *digits = s;
        if (base == 16 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
                digits += 2;
        FUZZ_ASSERT(all_of(digits, base == 10 ? DIGITS : HEX));
        snprintf(buf, sizeof(buf), base == 10 ? "%" PRIu64 : "%" PRIx64, v);
        FUZZ_ASSERT(parse_u64(buf, base, UINT64_MAX, &w) == 0 && w == v);
        FUZZ_ASSERT(parse_u64(s, base, v, &w) == 0 && w == v);
        if (v > 0)
                FUZZ_ASSERT(parse_u64(s, base, v - 1, &w) == -ERANGE);
}

static void check_hex_fixed(const char *s)
{
        size_t n = strlen(s);
        uint32_t v;
        uint64_t w;

        for (unsigned len = 0; len <= 9; len++) {
                int k = parse_hex_fixed(s, len, &v);
                if (k < 0)
                        continue;
                FUZZ_ASSERT(len >= 1 && len <= 8 && n == len && all_of(s, HEX));
                FUZZ_ASSERT(parse_u64(s, 16, UINT32_MAX, &w) == 0 && w == v);
        }
}

static bool addr_equal(const struct pci_addr *a, const struct pci_addr *b)
{
        return pci_addr_cmp(a, b) == 0 && a->domain == b->domain && a->bus == b->bus && a->dev == b->dev &&
               a->fn == b->fn;
}

/* An accepted address is in range and survives formatting and parsing again. */
static void check_addr(const char *s)
{
        struct pci_addr a, b;
        char buf[PCI_ADDR_STRLEN];

        if (pci_addr_parse(s, &a) < 0)
                return;
        FUZZ_ASSERT(a.dev <= 0x1f && a.fn <= 7);
        FUZZ_ASSERT(all_of(s, HEX ":."));
        pci_addr_format(&a, buf);
        FUZZ_ASSERT(pci_addr_parse(buf, &b) == 0);
        FUZZ_ASSERT(addr_equal(&a, &b));
        FUZZ_ASSERT(pci_same_slot(&a, &b));
}

static void check_selector(const char *s)
{
        struct selector sel;
        struct pci_addr a;

        if (selector_parse(s, &sel) < 0)
                return;
        if (sel.kind == SELECTOR_ADDRESS) {
                FUZZ_ASSERT(pci_addr_parse(s, &a) == 0 && addr_equal(&a, &sel.addr));
                return;
        }
        /* A slot path is kept canonical: formatted and parsed again, it is the same path. */
        if (sel.kind == SELECTOR_PATH) {
                char buf[SELECTOR_STRLEN];
                struct selector again;
                FUZZ_ASSERT(strncmp(s, "path=", 5) == 0 && all_of(s + 5, HEX ":./"));
                selector_format(&sel, buf);
                FUZZ_ASSERT(selector_parse(buf, &again) == 0 && selector_equal(&sel, &again));
                return;
        }
        FUZZ_ASSERT(sel.kind == SELECTOR_ID);
        FUZZ_ASSERT(strlen(s) == (sel.has_subsys ? 19 : 9));
        FUZZ_ASSERT(all_of(s, HEX ":"));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *s = fuzz_strndup(data, size);

        check_u64(s, 10);
        check_u64(s, 16);
        check_hex_fixed(s);
        check_addr(s);
        check_selector(s);
        free(s);
        return 0;
}
