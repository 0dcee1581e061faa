/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "gzip.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#ifdef HAVE_ZLIB
#include <zlib.h>

/* windowBits 15, plus 16: a gzip header and trailer instead of zlib's (zlib.h, deflateInit2). */
#define GZIP_WINDOW (15 + 16)

bool gzip_available(void)
{
        return true;
}

int gzip_compress(const void *in, size_t len, char **ret, size_t *ret_len)
{
        z_stream z = { 0 };

        if (deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, GZIP_WINDOW, 8, Z_DEFAULT_STRATEGY) != Z_OK)
                return -ENOMEM;
        size_t cap = deflateBound(&z, len);
        char *out = malloc(cap ? cap : 1);
        if (!out) {
                deflateEnd(&z);
                return -ENOMEM;
        }
        z.next_in = (Bytef *)in;
        z.avail_in = len;
        z.next_out = (Bytef *)out;
        z.avail_out = cap;
        int k = deflate(&z, Z_FINISH);
        size_t n = z.total_out;
        deflateEnd(&z);
        if (k != Z_STREAM_END) {
                free(out);
                return -ENOMEM;
        }
        *ret = out;
        *ret_len = n;
        return 0;
}

static int inflate_into(z_stream *z, size_t max, char **ret, size_t *ret_len)
{
        size_t cap = 64 * 1024, n = 0;
        char *out = NULL;
        int k = Z_OK;

        while (k != Z_STREAM_END) {
                if (n == cap || !out) {
                        cap = out ? cap * 2 : cap;
                        char *p = realloc(out, cap + 1);
                        if (!p) {
                                free(out);
                                return -ENOMEM;
                        }
                        out = p;
                }
                z->next_out = (Bytef *)out + n;
                z->avail_out = cap - n;
                k = inflate(z, Z_NO_FLUSH);
                n = cap - z->avail_out;
                /* Out of input before the end, or not gzip at all. */
                if ((k != Z_OK && k != Z_STREAM_END) || (k == Z_OK && z->avail_in == 0 && n < cap)) {
                        free(out);
                        return k == Z_MEM_ERROR ? -ENOMEM : -EBADMSG;
                }
                if (n > max) {
                        free(out);
                        return -EFBIG;
                }
        }
        out[n] = '\0';
        *ret = out;
        *ret_len = n;
        return 0;
}

int gzip_decompress(const void *in, size_t len, size_t max, char **ret, size_t *ret_len)
{
        z_stream z = { 0 };

        if (inflateInit2(&z, GZIP_WINDOW) != Z_OK)
                return -ENOMEM;
        z.next_in = (Bytef *)in;
        z.avail_in = len;
        int k = inflate_into(&z, max, ret, ret_len);
        inflateEnd(&z);
        return k;
}

#else

bool gzip_available(void)
{
        return false;
}

int gzip_compress(const void *in, size_t len, char **ret, size_t *ret_len)
{
        return -EOPNOTSUPP;
}

int gzip_decompress(const void *in, size_t len, size_t max, char **ret, size_t *ret_len)
{
        return -EOPNOTSUPP;
}

#endif
