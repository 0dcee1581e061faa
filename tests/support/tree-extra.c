/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "tree-extra.h"

#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

/* The part of A and B's directories they share, then one "../" per remaining level of LINK's. */
static void relative(const char *link, const char *target, char *buf, size_t size)
{
        const char *t = target + 1, *l = link + 1;
        const char *last = strrchr(link, '/');

        for (;;) {
                size_t n = strcspn(t, "/"), m = strcspn(l, "/");
                if (l + m > last || n != m || n == 0 || strncmp(t, l, n) != 0 || t[n] != '/')
                        break;
                t += n + 1;
                l += m + 1;
        }
        buf[0] = '\0';
        for (const char *p = l; p < last; p++)
                if (*p == '/')
                        strncat(buf, "../", size - strlen(buf) - 1);
        if (l < last)
                strncat(buf, "../", size - strlen(buf) - 1);
        strncat(buf, t, size - strlen(buf) - 1);
}

void tree_rel_link(struct tree *t, const char *link, const char *target)
{
        char rel[4096];

        relative(link, target, rel, sizeof(rel));
        tree_link(t, link, rel);
}

void tree_dev_attr(struct tree *t, const char *name, const char *attr, const char *text)
{
        char path[2048];

        snprintf(path, sizeof(path), "%s/%s", tree_dev_path(t, name), attr);
        tree_file(t, path, text);
}

void tree_dev_link(struct tree *t, const char *name, const char *attr, const char *target)
{
        char path[2048];

        snprintf(path, sizeof(path), "%s/%s", tree_dev_path(t, name), attr);
        tree_rel_link(t, path, target);
}

void tree_module(struct tree *t, const char *driver, const char *module, bool builtin)
{
        char path[1024], target[1024];

        snprintf(path, sizeof(path), "/sys/bus/pci/drivers/%s/module", driver);
        snprintf(target, sizeof(target), "/sys/module/%s", module);
        tree_rel_link(t, path, target);
        tree_mkdir(t, target);
        if (!builtin) {
                snprintf(path, sizeof(path), "/sys/module/%s/initstate", module);
                tree_file(t, path, "live\n");
        }
}

static void class_block_link(struct tree *t, const char *name, const char *dir)
{
        char link[512];

        snprintf(link, sizeof(link), "/sys/class/block/%s", name);
        tree_rel_link(t, link, dir);
}

void tree_block_disk(struct tree *t, const char *name, const char *pci)
{
        char dir[2048], path[2100];

        snprintf(dir, sizeof(dir), "%s/nvme/nvme0/%s", tree_dev_path(t, pci), name);
        snprintf(path, sizeof(path), "%s/size", dir);
        tree_file(t, path, "1000215216\n");
        class_block_link(t, name, dir);
}

const char *tree_block_path(struct tree *t, const char *name)
{
        static char buf[4096];
        char link[512], full[PATH_MAX];

        snprintf(link, sizeof(link), "/sys/class/block/%s", name);
        if (!realpath(tree_path(t, link), full))
                fail_msg("no block device %s in the tree", name);
        assert_memory_equal(full, t->dir, strlen(t->dir));
        snprintf(buf, sizeof(buf), "%s", full + strlen(t->dir));
        return buf;
}

void tree_block_part(struct tree *t, const char *name, const char *disk, int partno)
{
        char dir[4096], path[4200], num[16];

        snprintf(dir, sizeof(dir), "%s/%s", tree_block_path(t, disk), name);
        snprintf(path, sizeof(path), "%s/partition", dir);
        snprintf(num, sizeof(num), "%d\n", partno);
        tree_file(t, path, num);
        class_block_link(t, name, dir);
}

void tree_block_virtual(struct tree *t, const char *name, const char *dmname)
{
        char dir[512], path[600];

        snprintf(dir, sizeof(dir), "/sys/devices/virtual/block/%s", name);
        tree_mkdir(t, dir);
        if (dmname) {
                char text[256];
                snprintf(path, sizeof(path), "%s/dm/name", dir);
                snprintf(text, sizeof(text), "%s\n", dmname);
                tree_file(t, path, text);
        }
        class_block_link(t, name, dir);
}

void tree_block_slave(struct tree *t, const char *holder, const char *slave)
{
        char link[4200], target[4096];

        snprintf(target, sizeof(target), "%s", tree_block_path(t, slave));
        snprintf(link, sizeof(link), "%s/slaves/%s", tree_block_path(t, holder), slave);
        tree_rel_link(t, link, target);
}

void tree_generate(struct tree *t, const char *description)
{
        char desc[512], cmd[2048];

        snprintf(desc, sizeof(desc), "%s.desc", t->dir);
        FILE *f = fopen(desc, "we");
        assert_non_null(f);
        fputs(description, f);
        fclose(f);
        snprintf(cmd, sizeof(cmd), "sh tests/gen-tree.sh '%s' < '%s'", t->dir, desc);
        int k = system(cmd);
        unlink(desc);
        assert_int_equal(k, 0);
}

const struct load_problem *find_problem(const struct machine *m, const char *path_part, const char *msg_part)
{
        for (size_t i = 0; i < m->n_problems; i++) {
                const struct load_problem *p = &m->problems[i];
                if (path_part && !strstr(p->path, path_part))
                        continue;
                if (msg_part && !strstr(p->message, msg_part))
                        continue;
                return p;
        }
        return NULL;
}
