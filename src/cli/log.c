/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "root.h"
#include "sanitize.h"

static enum log_level max_level = LOG_LEVEL_NOTICE;
static struct root *kmsg_root;

void log_set_level(enum log_level max)
{
        max_level = max;
}

void log_set_kmsg(struct root *root)
{
        kmsg_root = root;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
        char raw[1024], line[1024];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(raw, sizeof(raw), fmt, ap);
        va_end(ap);
        /* Messages quote names read from the tree (drivers, devices): whatever a caller passed,
         * no control sequence reaches the terminal or the kernel log. */
        sanitize(raw, line, sizeof(line));

        /* The boot log keeps every decision, whatever -q says on the terminal. */
        if (kmsg_root && level <= LOG_LEVEL_INFO) {
                char rec[1100];
                snprintf(rec, sizeof(rec), "<%d>vfio-prep: %s\n", (int)level, line);
                (void)root_append(kmsg_root, "/dev/kmsg", rec);
        }
        if (level <= max_level)
                fprintf(stderr, "vfio-prep: %s\n", line);
}
