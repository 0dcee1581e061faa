/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "root_tmp.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "macro.h"
#include "root_internal.h"

int host_tmpfile(const void *data, size_t len, char **ret_path)
{
        const char *dir = getenv("TMPDIR");
        char *path = NULL;
        int fd, k;

        if (!dir || dir[0] != '/')
                dir = "/tmp";
        if (asprintf(&path, "%s/vfio-prep.XXXXXX", dir) < 0)
                return -ENOMEM;
        fd = mkstemp(path); /* mode 0600 */
        if (fd < 0) {
                k = -errno;
                free(path);
                return k;
        }
        k = write_full(fd, data, len);
        if (close(fd) < 0 && k == 0)
                k = -errno;
        if (k < 0) {
                unlink(path);
                free(path);
                return k;
        }
        *ret_path = path;
        return 0;
}

void host_tmpfile_remove(const char *path)
{
        if (path)
                (void)unlink(path);
}
