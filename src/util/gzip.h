/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * gzip (RFC 1952) in memory through zlib: /proc/config.gz in, --capture FILE.tar.gz out
 * (vfio-prep(8)). Built without zlib (HAVE_ZLIB unset), both return -EOPNOTSUPP.
 */

#include <stdbool.h>
#include <stddef.h>

/* Whether this build can do either. */
bool gzip_available(void);
int gzip_compress(const void *in, size_t len, char **ret, size_t *ret_len);
/* At most MAX bytes out (-EFBIG beyond), NUL-terminated; RET_LEN excludes the NUL.
 * -EBADMSG when IN is not a whole gzip stream. */
int gzip_decompress(const void *in, size_t len, size_t max, char **ret, size_t *ret_len);
