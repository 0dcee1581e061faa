/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Arrays that grow by appending: *P holds N elements and array_grow() makes room for one more,
 * at index N. The capacity is not stored: it is N's, rounded up to a power of two (at least
 * 4), so the array is reallocated only when N reaches one, and appending stays linear. Hence
 * the rule: such an array is allocated by array_grow() alone (it starts NULL with N == 0; it
 * may move, and shrink its N, but not be replaced by one allocated otherwise).
 */

#include <stddef.h>

/* 0, or -ENOMEM (also when the size would overflow). */
int array_grow_(void **p, size_t elem_size, size_t n);
#define array_grow(p, n) array_grow_((void **)(p), sizeof(**(p)), (n))
