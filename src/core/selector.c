/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Selectors of vfio-prep.conf(5), SELECTORS: parsed, matched, compared and shown. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "parse.h"

/* "10de:2484" or "10de:2484:1458:4037": groups of exactly four hex digits. */
int selector_parse_ids(const char *s, uint16_t v[static 4], size_t *ret_n)
{
        size_t n = 0;

        for (const char *p = s;; p += 5) {
                char group[5];
                uint32_t x;
                if (n == 4 || strlen(p) < 4 || (p[4] != ':' && p[4] != '\0'))
                        return -EINVAL;
                memcpy(group, p, 4);
                group[4] = '\0';
                if (parse_hex_fixed(group, 4, &x) < 0)
                        return -EINVAL;
                v[n++] = (uint16_t)x;
                if (p[4] == '\0')
                        break;
        }
        *ret_n = n;
        return 0;
}

int selector_parse(const char *s, struct selector *ret)
{
        struct selector sel = { 0 };
        uint16_t v[4];
        size_t n;

        if (!s)
                return -EINVAL;
        int k = pci_addr_parse(s, &sel.addr);
        if (k >= 0) {
                sel.kind = SELECTOR_ADDRESS;
                *ret = sel;
                return 0;
        }
        /* An address in shape, with a number no PCI address has: say which. */
        if (k == -ERANGE)
                return k;
        if (selector_parse_ids(s, v, &n) < 0 || (n != 2 && n != 4))
                return -EINVAL;
        sel.kind = SELECTOR_ID;
        sel.vendor = v[0];
        sel.device = v[1];
        if (n == 4) {
                sel.has_subsys = true;
                sel.subsys_vendor = v[2];
                sel.subsys_device = v[3];
        }
        *ret = sel;
        return 0;
}

bool selector_matches(const struct selector *sel, const struct pci_device *d)
{
        if (sel->kind == SELECTOR_ADDRESS)
                return pci_addr_cmp(&sel->addr, &d->addr) == 0;
        if (sel->vendor != d->vendor || sel->device != d->device)
                return false;
        return !sel->has_subsys || (sel->subsys_vendor == d->subsys_vendor && sel->subsys_device == d->subsys_device);
}

bool selector_equal(const struct selector *a, const struct selector *b)
{
        if (a->kind != b->kind)
                return false;
        if (a->kind == SELECTOR_ADDRESS)
                return pci_addr_cmp(&a->addr, &b->addr) == 0;
        return a->vendor == b->vendor && a->device == b->device && a->has_subsys == b->has_subsys &&
               (!a->has_subsys || (a->subsys_vendor == b->subsys_vendor && a->subsys_device == b->subsys_device));
}

void selector_format(const struct selector *s, char buf[static SELECTOR_STRLEN])
{
        if (s->kind == SELECTOR_ADDRESS)
                pci_addr_format(&s->addr, buf);
        else if (s->has_subsys)
                snprintf(buf, SELECTOR_STRLEN, "%04x:%04x:%04x:%04x", s->vendor, s->device, s->subsys_vendor,
                         s->subsys_device);
        else
                snprintf(buf, SELECTOR_STRLEN, "%04x:%04x", s->vendor, s->device);
}
