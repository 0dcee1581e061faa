/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The libkmod seam: linked to libkmod in the product, to tests/fake-modload.c in unit tests.
 * A context reads ROOT/lib/modules/RELEASE (and modprobe.d below the root), so a captured or
 * generated tree answers as the machine it came from.
 */

#include <stdbool.h>

#include "modstate.h"

struct root;
struct modload;

int modload_new(struct root *r, const char *release, struct modload **ret);
struct modload *modload_free(struct modload *ml);
int modload_state(struct modload *ml, const char *name, enum module_state *ret);
/* Load NAME and its dependencies, honouring modprobe.d options and blacklist-free softdeps. */
int modload_load(struct modload *ml, const char *name);

/* Where libkmod's own messages go (nowhere by default): PRIORITY is syslog's, MESSAGE one line. */
typedef void (*modload_log_fn)(void *userdata, int priority, const char *message);
void modload_set_log(struct modload *ml, modload_log_fn fn, void *userdata);
