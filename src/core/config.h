/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * vfio-prep.conf(5): "device SELECTOR [OPTION]..." and "isolation strict|warn" lines, plus
 * vfio-prep.devices= on the kernel command line and --device on ours. The grammar functions
 * are pure (bytes in, struct config out); config_load() (config_load.h) reads the files.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "model.h"

enum selector_kind {
        SELECTOR_ADDRESS,
        SELECTOR_ID,
        SELECTOR_PATH,
};

/* "path=0000:00:1c.4/00.0/01.0": the root-bus address, then up to 24 device.function hops. */
#define SELECTOR_PATH_MAX 144

struct selector {
        enum selector_kind kind;
        struct pci_addr addr;    /* SELECTOR_ADDRESS */
        uint16_t vendor, device; /* SELECTOR_ID */
        bool has_subsys;
        uint16_t subsys_vendor, subsys_device;
        char path[SELECTOR_PATH_MAX]; /* SELECTOR_PATH, canonical: "0000:00:03.0/00.0" */
};

enum functions_mode {
        FUNCTIONS_AUTO,
        FUNCTIONS_ALL,
        FUNCTIONS_ONE,
};

struct device_conf {
        struct selector sel;
        char *text;   /* the selector as written, for messages */
        char *origin; /* "/etc/vfio-prep.conf:7", "kernel command line", "--device" */
        bool has_pin; /* id=VVVV:DDDD */
        uint16_t pin_vendor, pin_device;
        enum functions_mode functions;
        long vfs; /* -1 when not given */
        bool allow_boot_vga;
        bool optional;
};

enum isolation_mode {
        ISOLATION_STRICT,
        ISOLATION_WARN,
};

struct config {
        struct device_conf *devices;
        size_t n_devices;
        enum isolation_mode isolation;
        char **files; /* files read, in order (NULL-terminated) */
        size_t n_files;
};

struct config_error {
        char origin[512];  /* "file:line", or "kernel command line", or "--device" */
        char message[512]; /* "unknown option 'alow-boot-vga'" */
};

/* "0000:01:00.0", "01:00.0", "10de:2484", "10de:2484:1458:4037", "path=0000:00:03.0/00.0". */
int selector_parse(const char *s, struct selector *ret);
bool selector_matches(const struct selector *sel, const struct pci_device *d);
/* Whether A and B name the same devices: "01:00.0" and "0000:01:00.0" are one selector. */
bool selector_equal(const struct selector *a, const struct selector *b);

/* Parse one file's text (NAME is what errors show) and append its entries to CFG. */
int config_parse(struct config *cfg, const char *name, const char *text, size_t len, struct config_error *ret_err);
/* One selector with default options, from --device or vfio-prep.devices= (comma-separated). */
int config_add_selectors(struct config *cfg, const char *origin, const char *list, struct config_error *ret_err);
void config_done(struct config *cfg);
/* A file of /etc/vfio-prep.d that is read: NAME.conf, not hidden (vfio-prep.conf(5), DESCRIPTION). */
bool config_is_dropin_name(const char *name);

/* The file-ownership rule of vfio-prep.conf(5), OWNERSHIP: owned by root or UID, not writable by group/others. */
int config_check_owner(const char *name, uid_t owner, mode_t mode, uid_t uid, struct config_error *ret_err);

/* Record NAME among the files read, then parse its text (config_parse). */
int config_parse_file(struct config *cfg, const char *name, const char *text, size_t len, struct config_error *ret_err);

/* Where a config stood, so that a failed load can leave it as it found it. */
struct config_mark {
        size_t n_devices, n_files;
        enum isolation_mode isolation;
};
struct config_mark config_mark(const struct config *cfg);
void config_rollback(struct config *cfg, struct config_mark m);

/* Fill RET_ERR (when not NULL) with ORIGIN, its control characters escaped, and the message:
 * -EINVAL. config_fail_nomem() says "out of memory": -ENOMEM. */
int config_fail(struct config_error *ret_err, const char *origin, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
int config_fail_nomem(struct config_error *ret_err, const char *origin);
