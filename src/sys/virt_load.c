/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Whether the machine is itself a virtual machine: the hypervisor CPU flag and the DMI names
 * (vfio-prep(8), CHECKS, virtual-machine). */
#include <string.h>

#include "check_diag.h"
#include "machine.h"
#include "macro.h"
#include "root.h"

/* The first CPU's block is at the start of cpuinfo: a few KiB even with hundreds of flags. */
#define CPUINFO_HEAD (64 * 1024)

static char *dmi_attr(struct root *r, const char *path)
{
        char *s = NULL;

        if (root_read_attr(r, path, &s) < 0)
                return NULL;
        if (!s[0]) {
                free(s);
                return NULL;
        }
        return s;
}

int virt_load(struct root *r, struct machine *m)
{
        _cleanup_free_ char *text = NULL;

        m->hypervisor = TRI_UNKNOWN;
        /* kernel_load() has read the file: its flag, unless that read failed (beyond its limit). */
        if (m->cpuinfo_read)
                m->hypervisor = m->cpu_hypervisor_flag;
        else if (root_read_head(r, "/proc/cpuinfo", CPUINFO_HEAD, &text, NULL) >= 0)
                m->hypervisor = cpuinfo_hypervisor(text);
        m->dmi_vendor = dmi_attr(r, "/sys/class/dmi/id/sys_vendor");
        m->dmi_product = dmi_attr(r, "/sys/class/dmi/id/product_name");
        return 0;
}
