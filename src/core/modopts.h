/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * vfio-pci's ids= option (vfio-prep(8), MODULE OPTIONS): in modprobe.d ("options vfio-pci
 * ids=10de:2484") or on the kernel command line ("vfio-pci.ids="), it makes vfio-pci claim
 * every unbound matching device when it loads, the boot VGA and the root disk included.
 * vfio-prep loads vfio-pci without it and --check reports it. Pure: text in, values out.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cmdline.h"
#include "model.h"

/* One ids= option found. */
struct modopt_ids {
        char *origin; /* "/etc/modprobe.d/vfio.conf:3", "kernel command line (vfio-pci.ids=)" */
        char *ids;    /* "10de:2484,10de:228b" */
        bool cmdline;
};

struct modopt_list {
        struct modopt_ids *items;
        size_t n_items;
};

/* OPTIONS ("ids=10de:2484 disable_idle_d3=1") without its ids= parameters: RET_KEPT the
 * rest ("disable_idle_d3=1"), RET_DROPPED the ids= parameters removed ("ids=10de:2484"), ""
 * when none. Double quotes group a value as modprobe's do. */
int modopts_drop_ids(const char *options, char **ret_kept, char **ret_dropped);
/* Append the ids= options for vfio-pci in one modprobe.d file's TEXT (FILE names it). */
int modopts_scan_conf(const char *file, const char *text, struct modopt_list *list);
/* Append vfio-pci.ids= / vfio_pci.ids= of the command line. */
int modopts_scan_cmdline(const struct cmdline *c, struct modopt_list *list);
void modopts_done(struct modopt_list *list);
/* Whether ID ("VVVV:DDDD" or "VVVV:DDDD:SVVV:SDDD", as vfio-pci's ids= takes) matches D. */
bool modopts_id_matches(const char *id, const struct pci_device *d);
