/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "bootloader.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

static int hint(const struct bootloader *b, const char *param, bool add, char **ret)
{
        const char *verb = add ? "add" : "remove", *prep = add ? "to" : "from";
        char *s = NULL;
        int k;

        switch (b ? b->kind : BOOTLOADER_UNKNOWN) {
        case BOOTLOADER_GRUB:
                /* A parameter to remove may sit in either variable; one to add belongs in _DEFAULT. */
                k = asprintf(&s, "%s '%s' %s %s in %s, then run %s", verb, param, prep,
                             add ? "GRUB_CMDLINE_LINUX_DEFAULT" : "GRUB_CMDLINE_LINUX_DEFAULT and GRUB_CMDLINE_LINUX",
                             b->file, b->command);
                break;
        case BOOTLOADER_KERNELSTUB:
                k = asprintf(&s, "run kernelstub %s '%s'", add ? "-a" : "-d", param);
                break;
        case BOOTLOADER_KERNEL_CMDLINE:
                k = asprintf(&s, "%s '%s' %s %s, then run %s", verb, param, prep, b->file, b->command);
                break;
        case BOOTLOADER_REFIND:
                k = asprintf(&s, "%s '%s' %s the options in %s (rEFInd reads it at boot)", verb, param, prep, b->file);
                break;
        default:
                k = asprintf(&s, "%s '%s' %s your boot loader's kernel command line", verb, param, prep);
                break;
        }
        if (k < 0)
                return -ENOMEM;
        *ret = s;
        return 0;
}

int bootloader_hint_add(const struct bootloader *b, const char *param, char **ret)
{
        return hint(b, param, true, ret);
}

int bootloader_hint_remove(const struct bootloader *b, const char *param, char **ret)
{
        return hint(b, param, false, ret);
}
