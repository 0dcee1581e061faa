/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "model.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "macro.h"
#include "parse.h"
#include "sanitize.h"

/* N hex digits at S, exactly; advances S. */
static int take_hex(const char **s, unsigned min, unsigned max, uint32_t *ret)
{
        unsigned n = 0;
        char buf[9];

        while (n < sizeof(buf) - 1 && (*s)[n] && strchr("0123456789abcdefABCDEF", (*s)[n]))
                n++;
        if (n < min || n > max)
                return -EINVAL;
        memcpy(buf, *s, n);
        buf[n] = '\0';
        *s += n;
        return parse_hex_fixed(buf, n, ret);
}

int pci_addr_parse(const char *s, struct pci_addr *ret)
{
        uint32_t domain = 0, bus, dev, fn;
        const char *p = s;
        int colons = 0;

        for (const char *q = s; *q; q++)
                colons += *q == ':';
        if (colons == 2) {
                /* Domains wider than 16 bits exist (VMD): up to 8 digits. */
                if (take_hex(&p, 4, 8, &domain) < 0 || *p++ != ':')
                        return -EINVAL;
        } else if (colons != 1)
                return -EINVAL;
        if (take_hex(&p, 2, 2, &bus) < 0 || *p++ != ':')
                return -EINVAL;
        if (take_hex(&p, 2, 2, &dev) < 0 || *p++ != '.')
                return -EINVAL;
        if (take_hex(&p, 1, 1, &fn) < 0 || *p != '\0')
                return -EINVAL;
        /* Beyond 7 significant digits the name would not fit PCI_ADDR_STRLEN; no kernel makes
         * such domains (VMD's start at 0x10000). */
        if (dev > 0x1f || fn > 7 || domain > 0xfffffff)
                return -ERANGE;
        *ret = (struct pci_addr){ .domain = domain, .bus = (uint8_t)bus, .dev = (uint8_t)dev, .fn = (uint8_t)fn };
        return 0;
}

/* V in at least MIN hex digits at P: past the last. */
static char *put_hex(char *p, uint32_t v, unsigned min)
{
        static const char digits[] = "0123456789abcdef";
        unsigned n = min;

        while (n < 8 && v >> (4 * n))
                n++;
        for (unsigned i = n; i-- > 0;)
                *p++ = digits[(v >> (4 * i)) & 0xf];
        return p;
}

/* "%04x:%02x:%02x.%x", without printf: every device's name is made here while loading. */
void pci_addr_format(const struct pci_addr *a, char buf[static PCI_ADDR_STRLEN])
{
        char tmp[32], *p = put_hex(tmp, a->domain, 4);
        size_t n;

        *p++ = ':';
        p = put_hex(p, a->bus, 2);
        *p++ = ':';
        p = put_hex(p, a->dev, 2);
        *p++ = '.';
        p = put_hex(p, a->fn, 1);
        /* Cut as snprintf would: no parsed address is that long (pci_addr_parse()). */
        n = (size_t)(p - tmp) < PCI_ADDR_STRLEN ? (size_t)(p - tmp) : PCI_ADDR_STRLEN - 1;
        memcpy(buf, tmp, n);
        buf[n] = '\0';
}

int pci_addr_cmp(const struct pci_addr *a, const struct pci_addr *b)
{
        if (a->domain != b->domain)
                return a->domain < b->domain ? -1 : 1;
        if (a->bus != b->bus)
                return a->bus < b->bus ? -1 : 1;
        if (a->dev != b->dev)
                return a->dev < b->dev ? -1 : 1;
        if (a->fn != b->fn)
                return a->fn < b->fn ? -1 : 1;
        return 0;
}

bool pci_same_slot(const struct pci_addr *a, const struct pci_addr *b)
{
        return a->domain == b->domain && a->bus == b->bus && a->dev == b->dev;
}

size_t machine_find_device(const struct machine *m, const struct pci_addr *addr)
{
        size_t lo = 0, hi = m->n_devices;

        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                int c = pci_addr_cmp(&m->devices[mid].addr, addr);
                if (c == 0)
                        return mid;
                if (c < 0)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return NONE;
}

size_t machine_find_device_name(const struct machine *m, const char *name)
{
        struct pci_addr a;

        if (pci_addr_parse(name, &a) < 0)
                return NONE;
        return machine_find_device(m, &a);
}

size_t machine_find_group(const struct machine *m, long id)
{
        size_t lo = 0, hi = m->n_groups;

        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (m->groups[mid].id == id)
                        return mid;
                if (m->groups[mid].id < id)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return NONE;
}

bool pci_device_is_bridge(const struct pci_device *d)
{
        if (d->header == PCI_HEADER_BRIDGE || d->header == PCI_HEADER_CARDBUS)
                return true;
        /* Without config space, the class says it: 0x0604 PCI bridge, 0x0607 CardBus. */
        if (d->header == PCI_HEADER_UNKNOWN)
                return (d->class >> 8) == 0x0604 || (d->class >> 8) == 0x0609 || (d->class >> 8) == 0x0607;
        return false;
}

bool pci_device_is_host_bridge(const struct pci_device *d)
{
        return (d->class >> 8) == 0x0600;
}

static void pci_device_done(struct pci_device *d)
{
        free(d->path);
        free(d->driver);
        free(d->driver_module);
        free(d->driver_override);
        free(d->reset_method);
        free(d->config);
}

static void iommu_group_done(struct iommu_group *g)
{
        free(g->type);
        free(g->devices);
        for (size_t i = 0; i < g->n_regions; i++)
                free(g->regions[i].type);
        free(g->regions);
}

void machine_done(struct machine *m)
{
        for (size_t i = 0; i < m->n_devices; i++)
                pci_device_done(&m->devices[i]);
        free(m->devices);
        for (size_t i = 0; i < m->n_groups; i++)
                iommu_group_done(&m->groups[i]);
        free(m->groups);
        strv_free(m->iommu.units);
        free(m->kconfig.source);
        for (size_t i = 0; i < m->record.n_entries; i++)
                free(m->record.entries[i].reason);
        free(m->record.entries);
        for (size_t i = 0; i < m->n_problems; i++) {
                free(m->problems[i].path);
                free(m->problems[i].message);
        }
        free(m->problems);
        free(m->release);
        free(m->cmdline);
        for (size_t i = 0; i < m->n_usb; i++) {
                free(m->usb[i].name);
                free(m->usb[i].product);
        }
        free(m->usb);
        for (size_t i = 0; i < m->n_fbs; i++)
                free(m->fbs[i].name);
        free(m->fbs);
        free(m->bars);
        free(m->dmi_vendor);
        free(m->dmi_product);
        *m = (struct machine){ 0 };
}

void machine_add_problem(struct machine *m, const char *path, const char *fmt, ...)
{
        _cleanup_free_ char *msg = NULL, *p = NULL;
        va_list ap;
        int k;

        va_start(ap, fmt);
        k = vasprintf(&msg, fmt, ap);
        va_end(ap);
        if (k < 0) {
                msg = NULL;
                return;
        }
        p = strdup(path ? path : "");
        if (!p)
                return;
        if (array_grow(&m->problems, m->n_problems) < 0)
                return;
        sanitize_inplace(msg); /* problem texts quote bytes read from the tree */
        sanitize_inplace(p);
        m->problems[m->n_problems++] = (struct load_problem){ .path = TAKE_PTR(p), .message = TAKE_PTR(msg) };
}

void machine_damage(struct machine *m, struct pci_device *d, const char *path, const char *fmt, ...)
{
        _cleanup_free_ char *msg = NULL;
        va_list ap;

        d->damaged = true;
        va_start(ap, fmt);
        if (vasprintf(&msg, fmt, ap) < 0)
                msg = NULL;
        va_end(ap);
        machine_add_problem(m, path, "%s", msg ? msg : fmt);
}
