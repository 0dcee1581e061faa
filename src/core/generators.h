/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The initramfs generators vfio-prep has hooks for (vfio-prep(8), CHECKS, "initramfs"): what shows that
 * one is installed, where vfio-prep's hook for it lives, the program that lists its images and
 * the command that rebuilds them. --check's inspection and its hints read this one table.
 */

#include <stddef.h>

enum initramfs_generator {
        INITRAMFS_GEN_UNKNOWN,
        INITRAMFS_GEN_DRACUT,
        INITRAMFS_GEN_MKINITCPIO,
        INITRAMFS_GEN_INITRAMFS_TOOLS,
};

struct generator_facts {
        enum initramfs_generator gen;
        const char *name;            /* "dracut" */
        const char *programs[3];     /* any of these below the root: the generator is installed */
        const char *hooks[2];        /* any of these: vfio-prep's hook for it is installed */
        const char *lister;          /* the program that lists an image: "lsinitrd" */
        const char *lister_long_opt; /* its option for "ls -l" lines, which show sizes; NULL */
        const char *extract_opt;     /* its option to print one file of the image; NULL when none */
        const char *regenerate;      /* what rebuilds the image: "dracut -f" */
        const char *release_opt;     /* the option that names the kernel release, when the command
                                        otherwise rebuilds another kernel's image: "-k"; NULL */
        const char *enable_hook;     /* the step that puts an installed hook into the image, when
                                        regenerating alone does not: "add vfio-prep to HOOKS= …" */
        const char *add_hook_opt;    /* the option that adds the hook for one run: "--add vfio-prep" */
};

/* In listing order: dracut, mkinitcpio, initramfs-tools. */
extern const struct generator_facts generator_table[];
extern const size_t generator_table_size;
/* In order of preference when several are installed. */
extern const enum initramfs_generator generator_preference[];
extern const size_t generator_preference_size;

/* On ostree systems (rpm-ostree, bootc) the image comes with the OS image: what rebuilds it
 * instead of the generator's command, and how vfio-prep gets into it. */
extern const char image_based_regenerate[];
extern const char image_based_hint[];
/* A unified kernel image holds the initramfs: what rebuilds it (printf format: the release). */
extern const char uki_regenerate_hint[];

/* The facts of G, or NULL for INITRAMFS_GEN_UNKNOWN. */
const struct generator_facts *generator_facts(enum initramfs_generator g);
/* "A, B or C": the string member at OFFSET (offsetof(struct generator_facts, lister)) of every
 * generator, in table order, in BUF (truncated to SIZE). */
void generator_join(size_t offset, char *buf, size_t size);
const char *initramfs_generator_name(enum initramfs_generator g); /* "dracut", ..., "unknown" */
/* What rebuilds the image of RELEASE (NULL: unknown) with G; for INITRAMFS_GEN_UNKNOWN every
 * generator's command, "whichever this system uses". */
void generator_regenerate_command(enum initramfs_generator g, const char *release, char *buf, size_t size);
