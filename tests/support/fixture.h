/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The fixture of the tests that load a machine from a tree: the scratch tree T (tree.h) and the
 * model M read from it, made new before each test by fixture_setup() and freed after it by
 * fixture_teardown() (cmocka setup and teardown functions).
 */

#include "machine.h"
#include "root.h"
#include "tree.h"

extern struct tree t;
extern struct machine m;

int fixture_setup(void **state);
int fixture_teardown(void **state);

/* Open T as the --root and run LOAD on it into M; the test fails unless LOAD returns 0. */
void fixture_load(int (*load)(struct root *, struct machine *));
