/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The firmware framebuffers in /proc/iomem and the BARs of display controllers (vfio-prep(8),
 * CHECKS, framebuffer:ADDRESS). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "check_diag.h"
#include "machine.h"
#include "macro.h"
#include "root.h"

#define IOMEM_MAX (1024 * 1024)

static int load_bars(struct root *r, struct machine *m)
{
        for (size_t i = 0; i < m->n_devices; i++) {
                _cleanup_free_ char *text = NULL;
                char path[PATH_MAX];
                struct device_bars b = { .device = i };
                if (pci_class_base(m->devices[i].class) != 0x03)
                        continue;
                snprintf(path, sizeof(path), "%s/resource", m->devices[i].path);
                if (root_read_file(r, path, 64 * 1024, &text, NULL) < 0 || pci_resource_parse(text, &b) < 0)
                        continue;
                if (array_grow(&m->bars, m->n_bars) < 0)
                        return -ENOMEM;
                m->bars[m->n_bars++] = b;
        }
        return 0;
}

int iomem_load(struct root *r, struct machine *m)
{
        _cleanup_free_ char *text = NULL;
        bool zeroed;
        int k;

        m->iomem_addresses = TRI_UNKNOWN;
        if (root_read_file(r, "/proc/iomem", IOMEM_MAX, &text, NULL) < 0)
                return 0;
        k = iomem_parse_framebuffers(text, &m->fbs, &m->n_fbs, &zeroed);
        if (k < 0)
                return k;
        m->iomem_addresses = zeroed ? TRI_NO : TRI_YES;
        return load_bars(r, m);
}
