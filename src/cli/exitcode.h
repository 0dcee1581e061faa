/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Exit statuses, for every mode (vfio-prep(8), EXIT STATUS). */
enum {
        EXIT_OK = 0,     /* success */
        EXIT_FAILED = 1, /* a check failed, or a device did not end where it should */
        EXIT_USAGE = 2,  /* usage or configuration error: nothing was written */
};
