/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The finding framebuffer:ADDRESS (vfio-prep(8), CHECKS): the firmware's framebuffer (set up by
 * UEFI GOP or VESA, then driven by efifb, vesafb, simplefb or simpledrm) lies inside a BAR of a
 * selected GPU. Since Linux 6.0, vfio-pci removes such framebuffers from a VGA-class device it
 * takes (vfio_pci_vga_init() calls the aperture helpers); before, the region stays reserved and
 * the VM cannot map the BAR ("BAR 0: can't reserve [mem ...]"), so the guest shows no picture.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "check_diag.h"

static const char *const fb_names[] = { "BOOTFB", "efifb", "vesafb", "simplefb", "simpledrm" };

static bool is_fb_name(const char *name, size_t len)
{
        for (size_t i = 0; i < ARRAY_SIZE(fb_names); i++)
                if (strlen(fb_names[i]) == len && strncmp(name, fb_names[i], len) == 0)
                        return true;
        return false;
}

/* "  e0000000-e07fffff : efifb" → the range and the name; false for anything else. */
static bool iomem_line(const char *line, size_t len, uint64_t *start, uint64_t *end, const char **name,
                       size_t *name_len)
{
        char *p;
        const char *eol = line + len;

        line += strspn(line, " ");
        *start = strtoull(line, &p, 16);
        if (p == line || *p != '-')
                return false;
        line = p + 1;
        *end = strtoull(line, &p, 16);
        if (p == line || strncmp(p, " : ", 3) != 0 || p + 3 > eol)
                return false;
        *name = p + 3;
        *name_len = (size_t)(eol - *name);
        return true;
}

int iomem_parse_framebuffers(const char *text, struct fb_region **ret, size_t *ret_n, bool *ret_zeroed)
{
        struct fb_region *fbs = NULL;
        size_t n = 0;
        bool zeroed = true, any = false;

        for (const char *line = text; *line;) {
                size_t len = strcspn(line, "\n");
                uint64_t start, end;
                const char *name;
                size_t name_len;
                if (iomem_line(line, len, &start, &end, &name, &name_len)) {
                        any = true;
                        zeroed &= start == 0 && end == 0;
                        if (is_fb_name(name, name_len) && end >= start) {
                                if (array_grow(&fbs, n) < 0 || !(fbs[n].name = strndup(name, name_len)))
                                        goto oom;
                                fbs[n].start = start, fbs[n].end = end;
                                n++;
                        }
                }
                line += len + (line[len] == '\n');
        }
        *ret = fbs;
        *ret_n = n;
        *ret_zeroed = any && zeroed;
        return 0;
oom:
        for (size_t i = 0; i < n; i++)
                free(fbs[i].name);
        free(fbs);
        return -ENOMEM;
}

/* Six lines "0x00000000e0000000 0x00000000efffffff 0x000000000014220c" (start, end, flags) come
 * first; an I/O BAR (flag 0x100) is skipped, as is an unused one (all zero). */
int pci_resource_parse(const char *text, struct device_bars *ret)
{
        struct device_bars b = { .device = ret->device };
        const char *p = text;

        for (int i = 0; i < 6; i++) {
                char *q;
                uint64_t start = strtoull(p, &q, 16), end, flags;
                if (q == p)
                        return -EINVAL;
                p = q;
                end = strtoull(p, &q, 16);
                if (q == p)
                        return -EINVAL;
                p = q;
                flags = strtoull(p, &q, 16);
                if (q == p)
                        return -EINVAL;
                p = q + strspn(q, " \t\n");
                if ((flags & 0x200) && end > start) /* IORESOURCE_MEM */
                        b.bar[i].start = start, b.bar[i].end = end;
        }
        *ret = b;
        return 0;
}

/* "BOOTFB, simpledrm" in BAR N of D: the framebuffers that overlap it, and the first BAR. */
static int fbs_in_bars(const struct machine *m, const struct device_bars *b, struct sbuf *names)
{
        int bar = -1;

        for (int i = 0; i < 6; i++)
                for (size_t j = 0; b->bar[i].end && j < m->n_fbs; j++)
                        if (m->fbs[j].start <= b->bar[i].end && m->fbs[j].end >= b->bar[i].start) {
                                sbuf_appendf(names, "%s%s at 0x%llx-0x%llx", names->len ? ", " : "", m->fbs[j].name,
                                             (unsigned long long)m->fbs[j].start, (unsigned long long)m->fbs[j].end);
                                if (bar < 0)
                                        bar = i;
                        }
        return bar;
}

static bool fb_present(const struct machine *m, const struct device_bars *b, const char *name)
{
        for (int i = 0; i < 6; i++)
                for (size_t j = 0; b->bar[i].end && j < m->n_fbs; j++)
                        if (strcmp(m->fbs[j].name, name) == 0 && m->fbs[j].start <= b->bar[i].end &&
                            m->fbs[j].end >= b->bar[i].start)
                                return true;
        return false;
}

/* Before Linux 6.0 (or for a GPU that is not VGA class), the user removes it. */
static void fb_remedy(const struct ctx *x, const struct device_bars *b, struct fb *f)
{
        static const struct {
                const char *fb, *device, *driver, *param;
        } drivers[] = {
                { "efifb", "efi-framebuffer.0", "efi-framebuffer", "video=efifb:off" },
                { "vesafb", "vesa-framebuffer.0", "vesa-framebuffer", "video=vesafb:off" },
                { "simpledrm", "simple-framebuffer.0", "simple-framebuffer", NULL },
                { "simplefb", "simple-framebuffer.0", "simple-framebuffer", NULL },
        };

        for (size_t i = 0; i < ARRAY_SIZE(drivers); i++) {
                if (!fb_present(x->m, b, drivers[i].fb))
                        continue;
                fb_hint(f, "before the VM starts, release it: 'echo %s > /sys/bus/platform/drivers/%s/unbind'",
                        drivers[i].device, drivers[i].driver);
                if (drivers[i].param)
                        fb_hint_boot(f, x->in, true, drivers[i].param, " to keep it off this GPU from boot on");
                return;
        }
        /* BOOTFB alone: the region is registered by sysfb and no driver holds it to unbind. */
        fb_hint_boot(f, x->in, true, "initcall_blacklist=sysfb_init",
                     " so that the kernel does not reserve the firmware framebuffer (the host then has no "
                     "console until a GPU driver loads)");
}

static const struct device_bars *bars_of(const struct machine *m, size_t device)
{
        for (size_t i = 0; i < m->n_bars; i++)
                if (m->bars[i].device == device)
                        return &m->bars[i];
        return NULL;
}

int check_framebuffer(const struct ctx *x, const struct selected *it, struct report *r)
{
        const struct pci_device *d = &x->m->devices[it->device];
        const struct device_bars *b = bars_of(x->m, it->device);
        struct sbuf names = { 0 };
        struct fb f = { 0 };
        char id[PCI_ADDR_STRLEN + 16];
        int bar;

        if (pci_class_base(d->class) != 0x03 || !b || x->m->iomem_addresses != TRI_YES)
                return 0;
        bar = fbs_in_bars(x->m, b, &names);
        if (bar < 0) {
                sbuf_done(&names);
                return 0;
        }
        /* vfio_pci_is_vga(): class 0x0300 exactly. */
        if ((d->class >> 8) == 0x0300 && release_at_least(x->m->release, 6, 0))
                fb_msg(&f, CHECK_INFO,
                       "the firmware framebuffer is in BAR %d (%s): this kernel's vfio-pci (Linux 6.0 and later) "
                       "removes it when it takes the GPU, and the host's console on it goes dark",
                       bar, names.s);
        else {
                fb_msg(&f, CHECK_WARN,
                       "the firmware framebuffer is in BAR %d (%s), and %s: the VM cannot map the BAR ('BAR %d: "
                       "can't reserve' in the host's log) and shows no picture",
                       bar, names.s,
                       (d->class >> 8) != 0x0300 ? "vfio-pci removes it only from VGA-class devices"
                       : x->m->release           ? "vfio-pci removes it only since Linux 6.0"
                                       : "the kernel release is unknown (vfio-pci removes it since Linux 6.0)",
                       bar);
                fb_remedy(x, b, &f);
        }
        sbuf_done(&names);
        snprintf(id, sizeof(id), "framebuffer:%s", d->name);
        return fb_emit(r, id, &f);
}
