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
        char *text;     /* the selector as written, for messages */
        char *origin;   /* "/etc/vfio-prep.conf:7", "kernel command line", "--device" */
        bool from_file; /* a line of a file (ORIGIN is "file:line"), not the command line or --device */
        bool has_pin;   /* id=VVVV:DDDD */
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
        char **skipped; /* files of the drop-in directory not read: not NAME.conf (NULL-terminated) */
        size_t n_skipped;
        /* Set by the caller before parsing, may be NULL: the machine whose devices messages
         * name when they translate a line pasted from elsewhere (vfio-prep.conf(5), DIAGNOSTICS). */
        const struct machine *machine;
};

/* Errors reported in one run, beyond which they are only counted (vfio-prep.conf(5), DIAGNOSTICS). */
#define CONFIG_ERRORS_MAX 20

struct config_problem {
        char origin[512];   /* "file:line", or "kernel command line", or "--device" */
        char message[1024]; /* "unknown option 'alow-boot-vga': did you mean 'allow-boot-vga'?" */
};

/* Every error of a load: parsing goes on after an error so that one run shows them all. */
struct config_error {
        char origin[512]; /* the first error, as list[0] */
        char message[1024];
        struct config_problem list[CONFIG_ERRORS_MAX];
        size_t n;      /* in LIST */
        size_t n_more; /* beyond CONFIG_ERRORS_MAX, counted only */
};

/* ---- selectors (selector.c) ---- */
/* "ffff:ffff:ffff:ffff", a PCI address or "path=" and a slot path, with its NUL */
#define SELECTOR_STRLEN (SELECTOR_PATH_MAX + 8)
/* "0000:01:00.0", "01:00.0", "10de:2484", "10de:2484:1458:4037", "path=0000:00:03.0/00.0". */
int selector_parse(const char *s, struct selector *ret);
bool selector_matches(const struct selector *sel, const struct pci_device *d);
/* Whether A and B name the same devices: "01:00.0" and "0000:01:00.0" are one selector. */
bool selector_equal(const struct selector *a, const struct selector *b);
void selector_format(const struct selector *s, char buf[static SELECTOR_STRLEN]);
/* "10de:2484" or "10de:2484:1458:4037": groups of exactly four hex digits, up to four. */
int selector_parse_ids(const char *s, uint16_t v[static 4], size_t *ret_n);

/* Parse one file's text (NAME is what errors show) and append its entries to CFG. */
int config_parse(struct config *cfg, const char *name, const char *text, size_t len, struct config_error *ret_err);
/* One selector with default options, from --device or vfio-prep.devices= (comma-separated). */
int config_add_selectors(struct config *cfg, const char *origin, const char *list, struct config_error *ret_err);
void config_done(struct config *cfg);
/* A file of /etc/vfio-prep.d that is read: NAME.conf, not hidden (vfio-prep.conf(5), DESCRIPTION). */
bool config_is_dropin_name(const char *name);

/* The file-ownership rule of vfio-prep.conf(5), OWNERSHIP: owned by root or UID, not writable by
 * group/others; the message says the command that fixes it. */
int config_check_owner(const char *name, uid_t owner, mode_t mode, uid_t uid, struct config_error *ret_err);

/* Record NAME among the files read, then parse its text (config_parse). */
int config_parse_file(struct config *cfg, const char *name, const char *text, size_t len, struct config_error *ret_err);

/* ---- lines pasted from elsewhere (config_paste.c) ---- */
/* The device lines that replace LIST (comma-separated IDs or addresses) into BUF: each entry
 * that matches devices of M (may be NULL) as their addresses with id= pins, else as written. */
void config_replacement_lines(const struct machine *m, const char *list, char *buf, size_t size);
/* When KEYWORD (the words after it in REST, which is changed) starts a line pasted from
 * modprobe.d(5), the message for it, naming what replaces it, into BUF: true; else false. */
bool config_pasted_message(const struct machine *m, const char *keyword, char *rest, char *buf, size_t size);

/* Where a config stood, so that a failed load can leave it as it found it. */
struct config_mark {
        size_t n_devices, n_files, n_skipped;
        enum isolation_mode isolation;
};
struct config_mark config_mark(const struct config *cfg);
void config_rollback(struct config *cfg, struct config_mark m);

/* Add ORIGIN (sanitized, sanitize.h) and the message to RET_ERR (when not NULL): -EINVAL.
 * config_fail_nomem() says "out of memory": -ENOMEM. */
int config_fail(struct config_error *ret_err, const char *origin, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
int config_fail_nomem(struct config_error *ret_err, const char *origin);
/* An error's origin "FILE:LINE" as FILE (into a buffer of SIZE) and LINE; false for an origin
 * without a line ("--device", "kernel command line (vfio-prep.devices=)"). */
bool config_origin_split(const char *origin, char *file, size_t size, unsigned *ret_line);
