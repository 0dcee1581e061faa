/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "strv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int strv_consume(char ***v, size_t *n, char *s)
{
        char **nv = realloc(*v, (*n + 2) * sizeof(char *));
        if (!nv)
                return -ENOMEM;
        *v = nv;
        if (s)
                nv[(*n)++] = s;
        nv[*n] = NULL;
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
