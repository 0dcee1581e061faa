/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The module seam for unit tests: modload_new/state/load/free (modload.h) over a table set by
 * the test instead of libkmod. Names compare as the kernel does ("vfio-pci" = "vfio_pci").
 * A name never set is MODULE_MISSING. Loading an AVAILABLE module makes it LOADED, unless a
 * load error was set; every modload_load() call is counted.
 */

#include "modload.h"

/* Forget every module, counter and callback (call it in each test's setup). */
void fake_modload_reset(void);
/* NAME is in state ST; loading it fails with LOAD_ERROR (a -errno) when nonzero. */
void fake_modload_set(const char *name, enum module_state st, int load_error);
/* modload_load() calls for NAME, or for every name when NAME is NULL. */
unsigned fake_modload_loads(const char *name);
/* Called after each successful load, as a kernel's module init would run (a simulated kernel
 * binds its devices there). */
void fake_modload_on_load(void (*fn)(void *userdata, const char *name), void *userdata);
