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
        int pass;           /* 2: the second pass (--sysroot); 0 or 1: the first, or a later run */
};

/* Serialise ENTRIES as state.json version 1 into a malloc'ed string. */
int record_format(const struct record_entry *entries, size_t n, char **ret);
/* Parse state.json text into RET (pure; tolerant of unknown keys, strict on types). */
int record_parse(const char *text, struct boot_record *ret);
/*
 * The second pass extends the first's record: OLD's entries stay, in their order, unless ADD
 * has one for the same device, which replaces it, except that a device both say is bound keeps
 * the older entry (the pass that bound it); ADD's other entries follow. RET's strings point
 * into OLD and ADD.
 */
int record_merge(const struct boot_record *old, const struct record_entry *add, size_t n_add, struct record_entry **ret,
                 size_t *ret_n);
/* Write ROOT/run/vfio-prep/state.json (directories created). */
int record_write(struct root *r, const struct record_entry *entries, size_t n);
