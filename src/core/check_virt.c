/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The finding virtual-machine (vfio-prep(8), CHECKS): inside a VM, an IOMMU is the host's to give. */
#include <stdio.h>
#include <string.h>

#include "check_diag.h"

enum tristate cpuinfo_hypervisor(const char *text)
{
        for (const char *line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
                size_t len = strcspn(line, "\n");
                const char *colon = memchr(line, ':', len);
                if (!colon || strncmp(line, "flags", 5) != 0 || strspn(line + 5, " \t") != (size_t)(colon - line - 5))
                        continue;
                /* The first CPU's flags decide: the flag is the same on every CPU of a guest. */
                for (const char *p = colon + 1; p < line + len;) {
                        p += strspn(p, " \t");
                        size_t n = strcspn(p, " \t\n");
                        if (n == 10 && strncmp(p, "hypervisor", 10) == 0)
                                return TRI_YES;
                        p += n ? n : 1;
                }
                return TRI_NO;
        }
        return TRI_UNKNOWN;
}

/* DMI names of virtual hardware: the vendor (and, where the vendor also sells hardware, the
 * product) as hypervisors fill them in. */
static const char *dmi_virt_name(const char *vendor, const char *product)
{
        static const struct {
                const char *vendor, *product, *name;
        } table[] = {
                { "QEMU", NULL, "QEMU" },
                { "innotek GmbH", NULL, "VirtualBox" },
                { "VMware, Inc.", NULL, "VMware" },
                { "Xen", NULL, "Xen" },
                { "Parallels Software International Inc.", NULL, "Parallels" },
                { "Bochs", NULL, "Bochs" },
                { "Microsoft Corporation", "Virtual Machine", "Hyper-V" },
                { "Red Hat", "KVM", "KVM" },
        };

        for (size_t i = 0; vendor && i < ARRAY_SIZE(table); i++)
                if (strcmp(vendor, table[i].vendor) == 0 &&
                    (!table[i].product || (product && strcmp(product, table[i].product) == 0)))
                        return table[i].name;
        return NULL;
}

const char *machine_virt_name(const struct machine *m)
{
        const char *dmi = dmi_virt_name(m->dmi_vendor, m->dmi_product);

        if (m->hypervisor == TRI_NO)
                return NULL; /* bare metal whose firmware borrowed a name */
        if (dmi)
                return dmi;
        return m->hypervisor == TRI_YES ? "hypervisor CPU flag" : NULL;
}

const char *virt_iommu_hint(void)
{
        return "this is a virtual machine: the host must give it a virtual IOMMU (QEMU: '-device "
               "intel-iommu,intremap=on' with '-machine q35,kernel-irqchip=split', or '-device amd-iommu'; "
               "libvirt: <iommu model='intel'> with <driver intremap='on'/> and <ioapic driver='qemu'/>), "
               "and pass the devices through to it from the host; firmware settings of this machine "
               "change nothing";
}

int check_virtual_machine(const struct ctx *x, struct report *r)
{
        const struct machine *m = x->m;
        const char *name = machine_virt_name(m);
        struct fb f = { 0 };

        if (!name)
                return 0;
        /* Information only: the IOMMU findings carry the advice (virt_iommu_hint) where it matters. */
        if (m->dmi_product && m->dmi_product[0])
                fb_msg(&f, CHECK_INFO,
                       "a virtual machine (%s, %s): its IOMMU and the devices it can pass on come "
                       "from its host",
                       name, m->dmi_product);
        else
                fb_msg(&f, CHECK_INFO,
                       "a virtual machine (%s): its IOMMU and the devices it can pass on come from "
                       "its host",
                       name);
        return fb_emit(r, "virtual-machine", &f);
}
