/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The command layer's logger: "vfio-prep: …" lines on stderr and, during --apply, on
 * ROOT/dev/kmsg too. Library code returns errors and findings; it does not log.
 */

#include <stdbool.h>

#include "macro.h"
#include "sanitize.h" /* sanitize(): the callers quote untrusted names */

struct root;

enum log_level {
        LOG_LEVEL_ERR = 3,
        LOG_LEVEL_WARNING = 4,
        LOG_LEVEL_NOTICE = 5,
        LOG_LEVEL_INFO = 6,
        LOG_LEVEL_DEBUG = 7,
};

void log_set_level(enum log_level max);
/* Also write each line to ROOT/dev/kmsg (NULL to stop). */
void log_set_kmsg(struct root *root);
void log_msg(enum log_level level, const char *fmt, ...) _printf_(2, 3);

#define log_error(...) log_msg(LOG_LEVEL_ERR, __VA_ARGS__)
#define log_warning(...) log_msg(LOG_LEVEL_WARNING, __VA_ARGS__)
#define log_notice(...) log_msg(LOG_LEVEL_NOTICE, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LEVEL_DEBUG, __VA_ARGS__)
