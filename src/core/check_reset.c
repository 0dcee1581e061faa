/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The finding reset:ADDRESS (vfio-prep(8), CHECKS): a selected device the kernel cannot reset
 * between two runs of a virtual machine. The VM starts once; when it shuts down or restarts,
 * the device is left as the guest drove it, and the next start hangs or shows a black screen.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_diag.h"

#define PCI_VENDOR_ATI 0x1002

/*
 * AMD GPUs whose own resets (FLR is absent, the bus reset does not reach the GPU's state) leave
 * them unusable after a VM has run on them, and for which the out-of-tree vendor-reset module
 * (github.com/gnif/vendor-reset) provides a device-specific reset. Discrete GPUs only, by
 * family, from the PCI IDs of each:
 *   Polaris 10/20: RX 470/480/570/580/590, WX 5100/7100;  Polaris 11: RX 460/560, WX 4100;
 *   Polaris 12: RX 540/550, WX 3100;  Vega 10: RX Vega 56/64, Frontier, WX 8200/9100;
 *   Vega 20: Radeon VII, Instinct MI50/MI60;  Navi 10: RX 5600/5700, W5700;
 *   Navi 12: Pro V520/5600M;  Navi 14: RX 5300/5500, W5500.
 */
static const struct {
        const char *family;
        uint16_t ids[16];
} vendor_reset_gpus[] = {
        { "Polaris 10",
          { 0x67c0, 0x67c1, 0x67c2, 0x67c4, 0x67c7, 0x67c8, 0x67c9, 0x67ca, 0x67cc, 0x67cf, 0x67d0, 0x67df, 0x6fdf } },
        { "Polaris 11", { 0x67e0, 0x67e1, 0x67e3, 0x67e7, 0x67e8, 0x67e9, 0x67eb, 0x67ef, 0x67ff } },
        { "Polaris 12", { 0x6980, 0x6981, 0x6985, 0x6986, 0x6987, 0x6995, 0x6997, 0x699f } },
        { "Vega 10",
          { 0x6860, 0x6861, 0x6862, 0x6863, 0x6864, 0x6867, 0x6868, 0x6869, 0x686a, 0x686b, 0x686c, 0x686d, 0x686e,
            0x686f, 0x687f } },
        { "Vega 20", { 0x66a0, 0x66a1, 0x66a2, 0x66a3, 0x66a4, 0x66a7, 0x66af } },
        { "Navi 10", { 0x7310, 0x7312, 0x7318, 0x7319, 0x731a, 0x731b, 0x731e, 0x731f } },
        { "Navi 12", { 0x7360, 0x7362 } },
        { "Navi 14", { 0x7340, 0x7341, 0x7347, 0x734f } },
};

const char *vendor_reset_family(uint16_t vendor, uint16_t device)
{
        if (vendor != PCI_VENDOR_ATI)
                return NULL;
        for (size_t i = 0; i < ARRAY_SIZE(vendor_reset_gpus); i++)
                for (size_t j = 0; j < ARRAY_SIZE(vendor_reset_gpus[i].ids) && vendor_reset_gpus[i].ids[j]; j++)
                        if (vendor_reset_gpus[i].ids[j] == device)
                                return vendor_reset_gpus[i].family;
        return NULL;
}

/* "6.1.0-28-amd64", "5.15.0-91-generic", "6.10.3-arch1-1": the leading MAJOR.MINOR. */
bool release_at_least(const char *release, unsigned major, unsigned minor)
{
        unsigned long a, b;
        char *end;

        if (!release || release[0] < '0' || release[0] > '9')
                return false;
        a = strtoul(release, &end, 10);
        if (*end != '.' || end[1] < '0' || end[1] > '9')
                return false;
        b = strtoul(end + 1, NULL, 10);
        return a > major || (a == major && b >= minor);
}

/* The kernel has shown and taken reset_method since Linux 5.15. */
static bool has_reset_method_attr(const struct machine *m)
{
        return release_at_least(m->release, 5, 15);
}

static bool uses_device_specific(const struct pci_device *d)
{
        return d->reset_method && strncmp(d->reset_method, "device_specific", 15) == 0;
}

static void vendor_reset_gpu(const struct ctx *x, const struct pci_device *d, const char *family, struct fb *f)
{
        if (uses_device_specific(d)) {
                fb_msg(f, CHECK_PASS, "an AMD %s GPU, reset by its device-specific method (vendor-reset)", family);
                return;
        }
        fb_msg(f, CHECK_WARN,
               "an AMD %s GPU: its own resets do not bring it back, so the VM starts once; after the VM shuts "
               "down or restarts the GPU stays stuck (a black screen, 'Unable to change power state' in the "
               "host's log) until the host reboots",
               family);
        if (x->m->release && !has_reset_method_attr(x->m))
                fb_hint(f, "install the vendor-reset module (DKMS) and load it at boot, before the VM first starts "
                           "(a file in /etc/modules-load.d naming vendor-reset)");
        else
                fb_hint(f,
                        "install the vendor-reset module (DKMS), load it at boot (a file in /etc/modules-load.d naming "
                        "vendor-reset) and select its reset: 'echo device_specific > "
                        "/sys/bus/pci/devices/%s/reset_method' at every boot (a udev rule); since Linux 5.15 "
                        "vendor-reset does nothing until that is written",
                        d->name);
}

int check_reset(const struct ctx *x, const struct selected *it, struct report *r)
{
        const struct pci_device *d = &x->m->devices[it->device];
        const char *family = vendor_reset_family(d->vendor, d->device);
        struct fb f = { 0 };
        char id[PCI_ADDR_STRLEN + 8];

        if (family)
                vendor_reset_gpu(x, d, family, &f);
        else if (d->reset_method && d->reset_method[0] == '\0') {
                fb_msg(&f, CHECK_WARN,
                       "every reset method is disabled (reset_method is empty): the VM starts once; after it "
                       "shuts down or restarts the device is not reset, and the next start finds it as the guest "
                       "left it (a hang, a black screen)");
                fb_hint(&f,
                        "write 'default' to /sys/bus/pci/devices/%s/reset_method, and remove whatever empties it "
                        "at boot (a udev rule or script)",
                        d->name);
        } else
                return 0;
        snprintf(id, sizeof(id), "reset:%s", d->name);
        return fb_emit(r, id, &f);
}
