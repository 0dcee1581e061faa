/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "bootloader_detect.h"

#include "root.h"

#define KERNEL_CMDLINE_FILE "/etc/kernel/cmdline"
#define KERNELSTUB_FILE "/etc/kernelstub/configuration"
#define GRUB_FILE "/etc/default/grub"
#define REFIND_FILE "/boot/refind_linux.conf"

static const char *grub_command(struct root *r)
{
        /* Debian and Ubuntu wrap grub-mkconfig; Fedora, openSUSE and RHEL name it grub2-. */
        if (root_exists(r, "/usr/sbin/update-grub") || root_exists(r, "/sbin/update-grub"))
                return "update-grub";
        if (root_exists(r, "/boot/grub2"))
                return "grub2-mkconfig -o /boot/grub2/grub.cfg";
        return "grub-mkconfig -o /boot/grub/grub.cfg";
}

/*
 * The first match wins. kernelstub (Pop!_OS) and /etc/kernel/cmdline (systemd-boot with
 * kernel-install, UKIs) come before GRUB because such systems often keep a leftover
 * /etc/default/grub that nothing reads.
 */
int bootloader_detect(struct root *r, struct bootloader *ret)
{
        struct bootloader b = { .kind = BOOTLOADER_UNKNOWN };

        if (root_exists(r, KERNELSTUB_FILE))
                b = (struct bootloader){ BOOTLOADER_KERNELSTUB, KERNELSTUB_FILE, "kernelstub" };
        else if (root_exists(r, KERNEL_CMDLINE_FILE))
                b = (struct bootloader){ BOOTLOADER_KERNEL_CMDLINE, KERNEL_CMDLINE_FILE,
                                         "kernel-install (or reinstall the kernel)" };
        else if (root_exists(r, GRUB_FILE))
                b = (struct bootloader){ BOOTLOADER_GRUB, GRUB_FILE, grub_command(r) };
        else if (root_exists(r, REFIND_FILE))
                b = (struct bootloader){ BOOTLOADER_REFIND, REFIND_FILE, NULL };
        *ret = b;
        return 0;
}
