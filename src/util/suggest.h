/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* "Did you mean": the closest of a few known words to one mistyped (vfio-prep.conf(5), DIAGNOSTICS). */

#include <stddef.h>

/* Edit distance (insertions, deletions, substitutions, adjacent transpositions) between A and
 * B, compared without case and with '_' read as '-'; SIZE_MAX when either is longer than 64. */
size_t suggest_distance(const char *a, const char *b);
/* The word of WORDS (N of them) closest to S when close enough to be a typo (at most a third of
 * its length, and at least 1, edits away, or equal but for case and '_'), else NULL. */
const char *suggest_closest(const char *s, const char *const *words, size_t n);
