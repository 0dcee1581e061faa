/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "array.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#define ARRAY_MIN 4

/* Elements allocated for N: N rounded up to a power of two, at least ARRAY_MIN; none for 0. */
static size_t capacity(size_t n)
{
        size_t c = ARRAY_MIN;

        if (n == 0)
                return 0;
        while (c < n && c <= SIZE_MAX / 2)
                c *= 2;
        return c;
}

int array_grow_(void **p, size_t elem_size, size_t n)
{
        if (n < capacity(n))
                return 0;
        size_t cap = n == 0 ? ARRAY_MIN : n;
        if (elem_size == 0 || cap > SIZE_MAX / 2 / elem_size)
                return -ENOMEM;
        cap = n == 0 ? cap : cap * 2;
        void *q = realloc(*p, cap * elem_size);
        if (!q)
                return -ENOMEM;
        *p = q;
        return 0;
}
