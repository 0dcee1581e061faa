/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What root protection parses from files: /proc/self/mountinfo, /proc/swaps, the root record
 * and modprobe.d (mounts.c, rootrecord.c, modopts.c). */
#include <stdbool.h>

#include "fuzz.h"
#include "modopts.h"
#include "mounts.h"
#include "rootrecord.h"
#include "strv.h"

static void check_mounts(const char *text)
{
        struct mount_table t;

        FUZZ_ASSERT(mounts_parse(text, &t) == 0);
        for (size_t i = 0; i < t.n_entries; i++) {
                const struct mount_entry *e = &t.entries[i];
                FUZZ_ASSERT(e->mountpoint && e->fstype && e->source);
                FUZZ_ASSERT(e->major <= 0xfff && e->minor <= 0xfffff);
                FUZZ_ASSERT(mounts_find(&t, e->mountpoint) != NULL);
                (void)mounts_is_network_fs(e->fstype);
        }
        mounts_done(&t);
}

static void check_swaps(const char *text)
{
        char **v = NULL;
        size_t n = 0;

        FUZZ_ASSERT(swaps_parse(text, &v, &n) == 0);
        for (size_t i = 0; i < n; i++)
                FUZZ_ASSERT(v[i] && v[i][0] == '/');
        FUZZ_ASSERT(v[n] == NULL);
        strv_free(v);
}

/* A record is usable or has a reason; a malformed one carries nothing. */
static void check_record(const char *text)
{
        struct root_record rec;

        FUZZ_ASSERT(root_record_parse(text, &rec) == 0);
        FUZZ_ASSERT(rec.found);
        if (rec.problem)
                FUZZ_ASSERT(!root_record_usable(&rec) && rec.n_controllers == 0 && !rec.network);
        else
                FUZZ_ASSERT(rec.network || rec.n_controllers > 0);
        for (size_t i = 0; i < rec.n_controllers; i++)
                FUZZ_ASSERT(rec.controllers[i].class <= 0xffffff && rec.controllers[i].path);
        root_record_done(&rec);
}

/* Dropping ids= keeps every other parameter and leaves no ids= behind. */
static void check_modopts(const char *text)
{
        struct modopt_list l = { 0 };
        char *kept = NULL, *dropped = NULL;

        FUZZ_ASSERT(modopts_scan_conf("f", text, &l) == 0);
        for (size_t i = 0; i < l.n_items; i++)
                FUZZ_ASSERT(l.items[i].origin && l.items[i].ids && !l.items[i].cmdline);
        modopts_done(&l);
        FUZZ_ASSERT(modopts_drop_ids(text, &kept, &dropped) == 0);
        /* What is kept holds no ids= any more: dropping again drops nothing. */
        char *kept2 = NULL, *dropped2 = NULL;
        FUZZ_ASSERT(modopts_drop_ids(kept, &kept2, &dropped2) == 0);
        FUZZ_ASSERT(dropped2[0] == '\0' && strcmp(kept, kept2) == 0);
        free(kept);
        free(dropped);
        free(kept2);
        free(dropped2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *text = fuzz_strndup(data, size);

        check_mounts(text);
        check_swaps(text);
        check_record(text);
        check_modopts(text);
        free(text);
        return 0;
}
