/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The boot record: ROOT/run/vfio-prep/state.json, written by --apply (what was bound, what was
 * refused and why) and read back by --check (boot_record_load in machine.h fills
 * machine.record from it).
 */

#include <stdbool.h>
#include <stddef.h>

#include "model.h"

struct root;

struct record_entry {
        char name[PCI_ADDR_STRLEN];
        bool bound;
        const char *reason; /* refusal or failure, NULL when bound */
};

/* Serialise ENTRIES as state.json version 1 into a malloc'ed string. */
int record_format(const struct record_entry *entries, size_t n, char **ret);
/* Parse state.json text into RET (pure; tolerant of unknown keys, strict on types). */
int record_parse(const char *text, struct boot_record *ret);
/* Write ROOT/run/vfio-prep/state.json (directories created). */
int record_write(struct root *r, const struct record_entry *entries, size_t n);
