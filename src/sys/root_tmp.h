/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Scratch files on the host, outside any --root: a program that only takes a file name (an
 * initramfs lister) gets a part of a file copied into one (the .initrd section of a unified
 * kernel image). Part of the root layer, the one place that opens and removes files.
 */

#include <stddef.h>

/* A new private file in $TMPDIR (else /tmp) holding DATA; its name in RET_PATH. */
int host_tmpfile(const void *data, size_t len, char **ret_path);
/* Remove it again; NULL is allowed. */
void host_tmpfile_remove(const char *path);
