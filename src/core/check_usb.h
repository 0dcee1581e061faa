/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * A keyboard below a USB controller given to vfio-pci (vfio-prep(8), CHECKS, usb:ADDRESS):
 * vfio-prep binds the controller in the initramfs before udev, so from then on the host has no
 * keyboard there; with an encrypted root the passphrase prompt comes later and cannot be
 * answered. One decision, shared by --check and --add.
 */

#include <stdbool.h>
#include <stddef.h>

#include "model.h"
#include "rootinfo.h"

enum usb_keyboard_verdict {
        USB_KEYBOARD_NONE,   /* no keyboard below the controller (or nothing is known) */
        USB_KEYBOARD_WARN,   /* a keyboard: the host loses it from early boot on */
        USB_KEYBOARD_REFUSE, /* a keyboard and an encrypted root: the boot cannot be completed */
};

/* PCI class 0x0c03: a USB host controller. */
bool pci_device_is_usb_controller(const struct pci_device *d);
/* USB_KEYBOARD | USB_MOUSE | ... of every USB device below CONTROLLER. */
unsigned usb_kinds_below(const struct machine *m, size_t controller);
/* The block chain of root (or of another protected source: resume, swap, /boot) that passes
 * through dm-crypt ("dm-0 (LUKS) -> nvme0n1p2"), or NULL. */
const char *rootinfo_encrypted(const struct rootinfo *ri);
enum usb_keyboard_verdict usb_keyboard_verdict(const struct machine *m, const struct rootinfo *ri, size_t controller);
