/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Where this system keeps its kernel command line, so hints can name the file and command.
 * Pure: bootloader_detect() (bootloader_detect.h) finds it below the root. */

#include <stddef.h>

enum bootloader_kind {
        BOOTLOADER_UNKNOWN,
        BOOTLOADER_GRUB,           /* /etc/default/grub */
        BOOTLOADER_KERNEL_CMDLINE, /* systemd-boot / kernel-install: /etc/kernel/cmdline */
        BOOTLOADER_KERNELSTUB,     /* Pop!_OS */
        BOOTLOADER_REFIND,         /* /boot/refind_linux.conf */
};

struct bootloader {
        enum bootloader_kind kind;
        const char *file;    /* static strings */
        const char *command; /* what regenerates the boot entries */
};

/* "add 'intel_iommu=on' to GRUB_CMDLINE_LINUX_DEFAULT in /etc/default/grub, then run update-grub" */
int bootloader_hint_add(const struct bootloader *b, const char *param, char **ret);
int bootloader_hint_remove(const struct bootloader *b, const char *param, char **ret);
