/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Unified kernel images (vfio-prep(8), CHECKS, "initramfs"): a PE file whose sections carry the
 * kernel (.linux), its release (.uname) and the initramfs (.initrd). Pure: the section table is
 * read from the bytes of the file's head.
 */

#include <stddef.h>
#include <stdint.h>

/* Where section NAME (".initrd") lies in the file: 0, -ENOENT when the PE file has no such
 * section, -EINVAL when BUF is not a PE file, -ERANGE when the table goes past LEN. */
int pe_find_section(const uint8_t *buf, size_t len, const char *name, uint64_t *ret_offset, uint64_t *ret_size);
