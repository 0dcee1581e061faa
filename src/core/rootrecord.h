/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The root record (vfio-prep(8), --root-record): what kind of controller held the root file
 * system when the initramfs was built, so that the first pass at boot, before any storage
 * driver runs, can still bind USB, SD and network controllers when root is on none of them.
 * It never releases a storage controller. Pure: text in, text out.
 *
 *   # vfio-prep root record ...
 *   network no
 *   controller class=010802 path=0000:00:05.0/00.0
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"

struct root_record_controller {
        uint32_t class;
        char *path; /* "0000:00:05.0/00.0": the slot path from the root bus */
};

struct root_record {
        bool found;    /* the file exists */
        char *problem; /* malformed or unreadable: why; then nothing in it is used */
        bool network;
        struct root_record_controller *controllers;
        size_t n_controllers;
};

/* A malformed TEXT is not an error: RET->problem says what is wrong (with the line). */
int root_record_parse(const char *text, struct root_record *ret);
void root_record_done(struct root_record *rec);
/* The record's text: NETWORK, then one line per controller (indices into M, each once). */
int root_record_format(const struct machine *m, bool network, const size_t *controllers, size_t n, char **ret);
/* "0000:00:05.0/00.0": device DEV's chain of device.function from its root bus. */
int pci_slot_path(const struct machine *m, size_t dev, char *buf, size_t size);
/* Present and well-formed: only then does it count. */
bool root_record_usable(const struct root_record *rec);
