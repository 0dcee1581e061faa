/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "strv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"

int strv_consume(char ***v, size_t *n, char *s)
{
        /* Room for S and the NULL that ends the vector: a vector holds *N + 1 elements. */
        if (array_grow(v, *v ? *n + 1 : 0) < 0)
                return -ENOMEM;
        if (s)
                (*v)[(*n)++] = s;
        (*v)[*n] = NULL;
        return 0;
}

int strv_push(char ***v, size_t *n, const char *s)
{
        char *c = NULL;
        if (s && !(c = strdup(s)))
                return -ENOMEM;
        int k = strv_consume(v, n, c);
        if (k < 0)
                free(c);
        return k;
}

void strv_free(char **v)
{
        if (!v)
                return;
        for (char **p = v; *p; p++)
                free(*p);
        free(v);
}
