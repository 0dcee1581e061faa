/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "fake-blkdev.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ENTRIES 32

static struct {
        char *spec;
        char *devname;
} entries[MAX_ENTRIES];
static size_t n_entries;
static unsigned calls;

void fake_blkdev_reset(void)
{
        for (size_t i = 0; i < n_entries; i++) {
                free(entries[i].spec);
                free(entries[i].devname);
        }
        n_entries = 0;
        calls = 0;
}

static size_t find(const char *spec)
{
        for (size_t i = 0; i < n_entries; i++)
                if (strcmp(entries[i].spec, spec) == 0)
                        return i;
        return (size_t)-1;
}

void fake_blkdev_set(const char *spec, const char *devname)
{
        size_t i = find(spec);

        if (i != (size_t)-1) {
                free(entries[i].devname);
                if (devname) {
                        entries[i].devname = strdup(devname);
                        return;
                }
                free(entries[i].spec);
                entries[i] = entries[--n_entries];
                return;
        }
        if (!devname)
                return;
        if (n_entries == MAX_ENTRIES)
                abort();
        entries[n_entries].spec = strdup(spec);
        entries[n_entries].devname = strdup(devname);
        n_entries++;
}

unsigned fake_blkdev_calls(void)
{
        return calls;
}

int blkdev_evaluate(const char *spec, char **ret_devname)
{
        size_t i;
        char *s;

        calls++;
        i = find(spec);
        if (i == (size_t)-1)
                return -ENOENT;
        s = strdup(entries[i].devname);
        if (!s)
                return -ENOMEM;
        *ret_devname = s;
        return 0;
}
