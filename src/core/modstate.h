/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* What the module index says about a kernel module: found by the libkmod seam (modload.h),
 * read by --check. */

enum module_state {
        MODULE_UNKNOWN, /* no module index for this release (a captured tree, say) */
        MODULE_MISSING,
        MODULE_AVAILABLE, /* a .ko exists, not loaded */
        MODULE_LOADED,
        MODULE_BUILTIN,
};

static inline const char *module_state_to_string(enum module_state s)
{
        switch (s) {
        case MODULE_MISSING:
                return "missing";
        case MODULE_AVAILABLE:
                return "available";
        case MODULE_LOADED:
                return "loaded";
        case MODULE_BUILTIN:
                return "built-in";
        default:
                return "unknown";
        }
}
