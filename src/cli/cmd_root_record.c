/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * --root-record: what kind of controller holds root on this machine, as the text the
 * initramfs hooks store in the image as /etc/vfio-prep/root-record (vfio-prep(8)).
 */
#include <stdio.h>
#include <stdlib.h>

#include "commands.h"
#include "exitcode.h"
#include "log.h"
#include "array.h"
#include "macro.h"
#include "rootrecord.h"

/* The controllers at the end of every path of every protected source. */
static int collect_controllers(const struct rootinfo *ri, size_t **ret, size_t *ret_n)
{
        size_t *v = NULL, n = 0;
        const struct rootdisk *src[1 + ri->n_extra];

        src[0] = &ri->root;
        for (size_t i = 0; i < ri->n_extra; i++)
                src[i + 1] = &ri->extra[i];
        for (size_t s = 0; s < 1 + ri->n_extra; s++)
                for (size_t i = 0; i < src[s]->n_leaves; i++) {
                        if (array_grow(&v, n) < 0) {
                                free(v);
                                return -1;
                        }
                        v[n++] = src[s]->leaves[i].controller;
                }
        *ret = v;
        *ret_n = n;
        return 0;
}

int cmd_root_record(const struct context_options *o)
{
        struct context_options co = *o;
        struct context c;
        _cleanup_free_ size_t *ctl = NULL;
        _cleanup_free_ char *text = NULL;
        size_t n = 0;

        co.no_config = true;
        co.header_only = true;
        co.no_modules = true;
        int rc = context_load(&co, &c);
        if (rc != EXIT_OK)
                return rc;
        const struct rootinfo *ri = &c.rootinfo;
        bool network = ri->root.network || (ri->network && !rootdisk_identified(&ri->root));
        if (!network && !rootinfo_identified(ri)) {
                char buf[512];
                const struct rootdisk *bad = &ri->root;
                for (size_t i = 0; rootdisk_identified(bad) && i < ri->n_extra; i++)
                        bad = &ri->extra[i];
                log_error("cannot tell which PCI device holds %s: %s", bad->what ? bad->what : "root",
                          sanitize(bad->problem ? bad->problem : "not resolved", buf, sizeof(buf)));
                context_done(&c);
                return EXIT_FAILED;
        }
        if (collect_controllers(ri, &ctl, &n) < 0 || root_record_format(&c.machine, network, ctl, n, &text) < 0) {
                log_error("out of memory");
                context_done(&c);
                return EXIT_FAILED;
        }
        fputs(text, stdout);
        context_done(&c);
        return fflush(stdout) == 0 ? EXIT_OK : EXIT_FAILED;
}
