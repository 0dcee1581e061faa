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

/* vfio-prep.conf(5), path=: the root-bus address, then device.function hops ("lspci -P"). */
static int parse_slot_path(const char *s, char ret[static SELECTOR_PATH_MAX])
{
        size_t w = 0;

        for (const char *p = s;; p++) {
                char hop[PCI_ADDR_STRLEN + 8], canon[PCI_ADDR_STRLEN];
                struct pci_addr a;
                size_t n = strcspn(p, "/");
                /* A hop is a device.function on the bus below: parse it as one on bus 00. */
                int k = snprintf(hop, sizeof(hop), "%s%.*s", w ? "0000:00:" : "", (int)n, p);
                if (n == 0 || (size_t)k >= sizeof(hop))
                        return -EINVAL;
                k = pci_addr_parse(hop, &a);
                if (k < 0)
                        return k;
                pci_addr_format(&a, canon);
                k = snprintf(ret + w, SELECTOR_PATH_MAX - w, "%s%s", w ? "/" : "", w ? canon + 8 : canon);
                if ((size_t)k >= SELECTOR_PATH_MAX - w)
                        return -EINVAL;
                w += (size_t)k;
                p += n;
                if (*p == '\0')
                        return 0;
        }
}

int selector_parse(const char *s, struct selector *ret)
{
        struct selector sel = { 0 };
        uint16_t v[4];
        size_t n;

        if (!s)
                return -EINVAL;
        if (strncmp(s, "path=", 5) == 0) {
                sel.kind = SELECTOR_PATH;
                int k = parse_slot_path(s + 5, sel.path);
                if (k < 0)
                        return k;
                *ret = sel;
                return 0;
        }
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
        /* A path is a place in the machine, not a property of D: select.c resolves it. */
        if (sel->kind == SELECTOR_PATH)
                return false;
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
        if (a->kind == SELECTOR_PATH)
                return strcmp(a->path, b->path) == 0;
        return a->vendor == b->vendor && a->device == b->device && a->has_subsys == b->has_subsys &&
               (!a->has_subsys || (a->subsys_vendor == b->subsys_vendor && a->subsys_device == b->subsys_device));
}

void selector_format(const struct selector *s, char buf[static SELECTOR_STRLEN])
{
        if (s->kind == SELECTOR_ADDRESS)
                pci_addr_format(&s->addr, buf);
        else if (s->kind == SELECTOR_PATH)
                snprintf(buf, SELECTOR_STRLEN, "path=%s", s->path);
        else if (s->has_subsys)
                snprintf(buf, SELECTOR_STRLEN, "%04x:%04x:%04x:%04x", s->vendor, s->device, s->subsys_vendor,
                         s->subsys_device);
        else
                snprintf(buf, SELECTOR_STRLEN, "%04x:%04x", s->vendor, s->device);
}
