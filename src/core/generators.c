/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "generators.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "macro.h"

const struct generator_facts generator_table[] = {
        {
                .gen = INITRAMFS_GEN_DRACUT,
                .name = "dracut",
                .programs = { "/usr/bin/dracut", "/usr/sbin/dracut", "/sbin/dracut" },
                .hooks = { "/usr/lib/dracut/modules.d/50vfio-prep/module-setup.sh" },
                .lister = "lsinitrd",
                /* lsinitrd can also print one file of the image: it is how the text gets compared. */
                .extract_opt = "-f",
                .regenerate = "dracut -f",
                .add_hook_opt = "--add vfio-prep",
        },
        {
                .gen = INITRAMFS_GEN_MKINITCPIO,
                .name = "mkinitcpio",
                .programs = { "/usr/bin/mkinitcpio", "/etc/mkinitcpio.conf" },
                .hooks = { "/usr/lib/initcpio/install/vfio-prep", "/etc/initcpio/install/vfio-prep" },
                .lister = "lsinitcpio",
                .lister_long_opt = "-v",
                .regenerate = "mkinitcpio -P",
                /* Early hooks run in HOOKS order: before 'udev', vfio-prep's runs before udevd starts. */
                .enable_hook = "add vfio-prep to HOOKS= in /etc/mkinitcpio.conf (right after 'base', before 'udev'; "
                               "after 'systemd' in systemd images)",
        },
        {
                .gen = INITRAMFS_GEN_INITRAMFS_TOOLS,
                .name = "initramfs-tools",
                .programs = { "/usr/sbin/update-initramfs", "/sbin/update-initramfs" },
                .hooks = { "/usr/share/initramfs-tools/hooks/vfio-prep", "/etc/initramfs-tools/hooks/vfio-prep" },
                .lister = "lsinitramfs",
                .lister_long_opt = "-l",
                .regenerate = "update-initramfs -u",
                /* -u alone updates the newest kernel's image, not necessarily the running one's. */
                .release_opt = "-k",
        },
};
const size_t generator_table_size = ARRAY_SIZE(generator_table);

/* Debian ships dracut-core beside initramfs-tools, whose update-initramfs is then the one the
 * kernel packages call. */
const enum initramfs_generator generator_preference[] = {
        INITRAMFS_GEN_MKINITCPIO,
        INITRAMFS_GEN_INITRAMFS_TOOLS,
        INITRAMFS_GEN_DRACUT,
};
const size_t generator_preference_size = ARRAY_SIZE(generator_preference);

const char image_based_regenerate[] = "rpm-ostree initramfs --enable";
const char image_based_hint[] =
        "this system boots an ostree image, whose initramfs comes with the image: on rpm-ostree, 'rpm-ostree "
        "initramfs --enable' rebuilds it on this machine with dracut, which takes vfio-prep's dracut module once "
        "/etc/dracut.conf.d names it (add_dracutmodules+=\" vfio-prep \"); on bootc, install vfio-prep and that "
        "file in the Containerfile, run dracut there as the base image does, and 'bootc upgrade' to the new image";
const char uki_regenerate_hint[] =
        "this kernel boots from a unified kernel image: rebuild the image itself, not only an initramfs "
        "('mkinitcpio -P' with a UKI preset, 'kernel-install add %s /usr/lib/modules/%s/vmlinuz' with ukify, "
        "or 'dracut -f --uefi')";

const struct generator_facts *generator_facts(enum initramfs_generator g)
{
        for (size_t i = 0; i < ARRAY_SIZE(generator_table); i++)
                if (generator_table[i].gen == g)
                        return &generator_table[i];
        return NULL;
}

void generator_join(size_t offset, char *buf, size_t size)
{
        size_t n = 0;

        buf[0] = '\0';
        for (size_t i = 0; i < ARRAY_SIZE(generator_table) && n < size; i++) {
                const char *sep = i == 0 ? "" : i + 1 == ARRAY_SIZE(generator_table) ? " or " : ", ";
                const char *field = *(const char *const *)((const char *)&generator_table[i] + offset);
                int k = snprintf(buf + n, size - n, "%s%s", sep, field);
                n += k > 0 ? (size_t)k : 0;
        }
}

const char *initramfs_generator_name(enum initramfs_generator g)
{
        const struct generator_facts *f = generator_facts(g);

        return f ? f->name : "unknown";
}

void generator_regenerate_command(enum initramfs_generator g, const char *release, char *buf, size_t size)
{
        const struct generator_facts *gf = generator_facts(g);

        if (gf && gf->release_opt && release) {
                snprintf(buf, size, "%s %s %s", gf->regenerate, gf->release_opt, release);
                return;
        }
        if (gf) {
                snprintf(buf, size, "%s", gf->regenerate);
                return;
        }
        generator_join(offsetof(struct generator_facts, regenerate), buf, size);
        size_t n = strlen(buf);
        snprintf(buf + n, size - n, ", whichever this system uses");
}
