/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdlib.h>
#include <unistd.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _unused_ __attribute__((unused))
#define _printf_(a, b) __attribute__((format(printf, a, b)))

/* Hand ownership out of a _cleanup_ variable. */
#define TAKE_PTR(p)                                                                                                    \
        ({                                                                                                             \
                __typeof__(p) _tp_ = (p);                                                                              \
                (p) = NULL;                                                                                            \
                _tp_;                                                                                                  \
        })

#define TAKE_FD(fd)                                                                                                    \
        ({                                                                                                             \
                int _tf_ = (fd);                                                                                       \
                (fd) = -1;                                                                                             \
                _tf_;                                                                                                  \
        })

static inline void freep(void *p)
{
        free(*(void **)p);
}
#define _cleanup_free_ _cleanup_(freep)

static inline void closep(int *fd)
{
        if (*fd >= 0)
                close(*fd);
}
#define _cleanup_close_ _cleanup_(closep)

#include "strv.h"

static inline void strv_freep(char ***v)
{
        strv_free(*v);
}
#define _cleanup_strv_ _cleanup_(strv_freep)

static inline const char *strna(const char *s)
{
        return s ? s : "n/a";
}
