/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Is vfio-prep in the boot image, with the configuration as it is now? The pure part of the
 * answer (vfio-prep(8), CHECKS, "initramfs"): the image names a generator writes for a release
 * (initramfs_candidates), what a lister's output says about an image
 * (initramfs_parse_listing), and the verdict from that and the configuration files
 * (initramfs_judge). initramfs_inspect() (initramfs.h) gathers the facts below the root.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "generators.h"

enum initramfs_verdict {
        INITRAMFS_UNKNOWN, /* cannot tell: detail says why */
        INITRAMFS_MISSING, /* the image has no vfio-prep binary */
        INITRAMFS_STALE,   /* it has, but not the current configuration: detail says what differs */
        INITRAMFS_CURRENT, /* vfio-prep and the current configuration */
};

/* A configuration file seen in a listing, relative to the image ("etc/vfio-prep.conf"). */
struct initramfs_entry {
        char *path;
        int64_t size; /* -1 when the listing shows no sizes */
};

struct initramfs_listing {
        bool has_init;                   /* an /init entry: this is the listing of an initramfs */
        bool has_binary;                 /* .../bin/vfio-prep */
        struct initramfs_entry *configs; /* etc/vfio-prep.conf, etc/vfio-prep.d/NAME.conf */
        size_t n_configs;
};

/* One configuration file as it is now, and the image's copy when the lister can print files. */
struct initramfs_config {
        char *path; /* "/etc/vfio-prep.conf" */
        char *text; /* NULL when unreadable */
        size_t len;
        int64_t mtime;
        char *image_text; /* NULL when not extracted */
        size_t image_len;
};

struct initramfs_facts {
        char *image; /* "/boot/initrd.img-6.1.0-28-amd64", below the root; NULL when none found */
        enum initramfs_generator generator; /* the system's generator, for hints */
        bool hook_installed;                /* the generator's vfio-prep hook is installed below the root */
        const char *lister;                 /* the program that listed the image (static string), or NULL */
        enum initramfs_verdict verdict;
        char *detail;          /* why UNKNOWN, or what is STALE; NULL otherwise */
        bool content_compared; /* CURRENT by comparing the text, not only sizes and dates */
        bool uki;              /* IMAGE is a unified kernel image: its .initrd section was listed */
        bool image_based;      /* an ostree system (rpm-ostree, bootc): the image comes with the OS image */
};

/* Most files a listing may name as configuration, and longest text of each compared. */
#define INITRAMFS_MAX_CONFIGS 32
#define INITRAMFS_MAX_CONFIG_SIZE (1024 * 1024)

/*
 * The images a generator would have written for RELEASE, most common first:
 * /boot/initramfs-RELEASE.img (dracut, mkinitcpio), /boot/initrd.img-RELEASE (initramfs-tools,
 * Debian's dracut), /boot/initrd-RELEASE (openSUSE), /boot/initramfs-PKGBASE.img (Arch names
 * images by package: PKGBASE is lib/modules/RELEASE/pkgbase, NULL when absent) and, with a
 * MACHINE_ID, kernel-install's /boot, /efi and /boot/efi MACHINE_ID/RELEASE/initrd.
 * -EINVAL when RELEASE (or PKGBASE, MACHINE_ID) is not a plain file name.
 */
int initramfs_candidates(const char *release, const char *pkgbase, const char *machine_id, char ***ret, size_t *ret_n);

/* A lister's output: one path per line, or "ls -l" lines (lsinitrd, lsinitramfs -l, ...). */
int initramfs_parse_listing(const char *text, size_t len, struct initramfs_listing *ret);
void initramfs_listing_done(struct initramfs_listing *l);

/*
 * The verdict from a listing and the configuration files (sorted by path, as config_load reads
 * them): sets verdict, detail and content_compared in F. A file's copy is compared by its text
 * when extracted, else by the size in the listing, else by date: a file changed after
 * IMAGE_MTIME is taken as changed.
 */
int initramfs_judge(const struct initramfs_listing *l, const struct initramfs_config *configs, size_t n,
                    int64_t image_mtime, struct initramfs_facts *f);

void initramfs_facts_done(struct initramfs_facts *f);

void initramfs_configs_free(struct initramfs_config *c, size_t n);
/* The listing's entry for the configuration file PATH ("/etc/vfio-prep.conf"), or NULL. */
const struct initramfs_entry *initramfs_find_entry(const struct initramfs_listing *l, const char *path);
/* Sets F's verdict and detail (taken over, may be NULL). */
void initramfs_set_verdict(struct initramfs_facts *f, enum initramfs_verdict v, char *detail);
/* A plain file name: no '/', not "." or "..", not empty. */
bool initramfs_plain_name(const char *s);
