/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/*
 * Strict number parsing for sysfs attributes and configuration values: the whole string must
 * be the number (base 16 accepts an optional 0x), no sign, no whitespace; -EINVAL otherwise,
 * -ERANGE above MAX.
 */
int parse_u64(const char *s, int base, uint64_t max, uint64_t *ret);
/* Exactly LEN hex digits (no 0x), as in "10de" or "030000". */
int parse_hex_fixed(const char *s, unsigned len, uint32_t *ret);
/* A switch in the environment (VFIO_PREP_NO_OPENAT2, VFIO_PREP_NO_PIDFD): on for any value but
 * none, "" and "0", as vfio-prep(8) ENVIRONMENT says. */
bool parse_switch(const char *value);
