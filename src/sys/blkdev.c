/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "blkdev.h"

#include <blkid.h>
#include <errno.h>
#include <stddef.h>

int blkdev_evaluate(const char *spec, char **ret_devname)
{
        blkid_cache cache = NULL;
        char *name;

        /* A cache backed by /dev/null: evaluating never writes /run/blkid/blkid.tab (--check only looks). */
        if (blkid_get_cache(&cache, "/dev/null") < 0)
                return -ENOMEM;
        name = blkid_evaluate_tag(spec, NULL, &cache);
        blkid_put_cache(cache);
        if (!name)
                return -ENOENT;
        *ret_devname = name;
        return 0;
}
