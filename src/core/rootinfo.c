/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "rootinfo.h"

#include <stdlib.h>

void rootdisk_done(struct rootdisk *rd)
{
        free(rd->what);
        free(rd->spec);
        free(rd->origin);
        free(rd->block);
        for (size_t i = 0; i < rd->n_leaves; i++)
                free(rd->leaves[i].chain);
        free(rd->leaves);
        free(rd->devices);
        free(rd->problem);
        *rd = (struct rootdisk){ 0 };
}

void rootinfo_done(struct rootinfo *ri)
{
        rootdisk_done(&ri->root);
        for (size_t i = 0; i < ri->n_extra; i++)
                rootdisk_done(&ri->extra[i]);
        free(ri->extra);
        free(ri->network);
        root_record_done(&ri->record);
        for (size_t i = 0; i < ri->n_busy; i++)
                free(ri->busy[i].why);
        free(ri->busy);
        *ri = (struct rootinfo){ 0 };
}

bool rootinfo_identified(const struct rootinfo *ri)
{
        if (!ri || !rootdisk_identified(&ri->root))
                return false;
        for (size_t i = 0; i < ri->n_extra; i++) {
                const struct rootdisk *e = &ri->extra[i];
                /* An entry that names nothing stands for nothing. */
                if ((e->spec || e->problem) && !rootdisk_identified(e))
                        return false;
        }
        return true;
}

const char *rootinfo_busy(const struct rootinfo *ri, size_t device)
{
        for (size_t i = 0; ri && i < ri->n_busy; i++)
                if (ri->busy[i].device == device)
                        return ri->busy[i].why;
        return NULL;
}
