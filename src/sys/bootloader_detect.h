/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Which boot loader keeps this system's kernel command line: the files below the root say. */

#include "bootloader.h"

struct root;

/* The first match wins; none is BOOTLOADER_UNKNOWN. Never fails. */
int bootloader_detect(struct root *r, struct bootloader *ret);
