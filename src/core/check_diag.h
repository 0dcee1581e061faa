/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The findings about the ways a passthrough setup fails after the reboot (vfio-prep(8), CHECKS):
 * the machine being a VM itself (check_virt.c), reset trouble ahead (check_reset.c) and a keyboard
 * on a USB controller given away (check_usb.c). Each
 * decision is a pure function over the model, exported so that other modes can share it.
 */

#include <stdbool.h>

#include "check_finding.h"
#include "model.h"

/* ---- this machine is a VM (check_virt.c) ---- */
/* The x86 "hypervisor" flag of the first CPU in /proc/cpuinfo TEXT: TRI_UNKNOWN without a flags line. */
enum tristate cpuinfo_hypervisor(const char *text);
/* The hypervisor's name when M is a virtual machine ("QEMU", "VMware"; "hypervisor CPU flag" when
 * only that flag says so), NULL on bare metal or when nothing tells. */
const char *machine_virt_name(const struct machine *m);
/* The advice that replaces firmware settings inside a VM: the host must provide a virtual IOMMU. */
const char *virt_iommu_hint(void);
int check_virtual_machine(const struct ctx *x, struct report *r);

/* ---- reset trouble (check_reset.c) ---- */
/* "Polaris 10" when VENDOR:DEVICE is a GPU known to need the vendor-reset module, else NULL. */
const char *vendor_reset_family(uint16_t vendor, uint16_t device);
/* Whether RELEASE ("6.1.0-28-amd64") is at least MAJOR.MINOR; false when it does not parse. */
bool release_at_least(const char *release, unsigned major, unsigned minor);
int check_reset(const struct ctx *x, const struct selected *it, struct report *r);

/* ---- the firmware framebuffer in a GPU's BAR (check_framebuffer.c) ---- */
/* The framebuffer ranges in /proc/iomem TEXT; *RET_ZEROED when every address reads 0 (not root). */
int iomem_parse_framebuffers(const char *text, struct fb_region **ret, size_t *ret_n, bool *ret_zeroed);
/* The memory BARs in a sysfs resource file; RET->device is kept. -EINVAL when malformed. */
int pci_resource_parse(const char *text, struct device_bars *ret);
int check_framebuffer(const struct ctx *x, const struct selected *it, struct report *r);

/* ---- what is plugged into a USB controller (check_usb.c, check_usb.h) ---- */
int check_usb(const struct ctx *x, const struct selected *it, struct report *r);
