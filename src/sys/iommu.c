/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "machine.h"
#include "array.h"
#include "macro.h"
#include "parse.h"
#include "root.h"
#include "strjoin.h"

#define GROUPS_DIR "/sys/kernel/iommu_groups"
/* /proc/interrupts grows with CPUs times vectors; a few hundred KiB on large machines. */
#define INTERRUPTS_MAX (1024 * 1024)

static void group_done(struct iommu_group *g)
{
        free(g->type);
        free(g->devices);
        for (size_t i = 0; i < g->n_regions; i++)
                free(g->regions[i].type);
        free(g->regions);
}

static int cmp_index(const void *a, const void *b)
{
        size_t x = *(const size_t *)a, y = *(const size_t *)b;
        return x < y ? -1 : x > y;
}

static int load_group_devices(struct root *r, struct machine *m, struct iommu_group *g, const char *dir)
{
        _cleanup_strv_ char **names = NULL;
        char path[PATH_MAX];
        size_t n = 0;
        int k;

        (void)str_join(path, sizeof(path), dir, "/devices", NULL); /* DIR is short: load_group() */
        k = root_list(r, path, &names, &n);
        if (k < 0) {
                machine_add_problem(m, path, "cannot list the group's devices: %s", strerror(-k));
                return 0;
        }
        g->devices = calloc(n ? n : 1, sizeof(size_t));
        if (!g->devices)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                size_t idx = machine_find_device_name(m, names[i]);
                if (idx == NONE) {
                        machine_add_problem(m, path, "device '%.40s' of group %ld is not in /sys/bus/pci/devices",
                                            names[i], g->id);
                        continue;
                }
                g->devices[g->n_devices++] = idx;
        }
        /* Devices are sorted by address, so index order is address order. */
        qsort(g->devices, g->n_devices, sizeof(size_t), cmp_index);
        return 0;
}

/* "0x00000000fee00000 0x00000000feefffff msi" */
static int parse_region(const char *line, struct reserved_region *ret)
{
        char start[32], end[32], type[64], extra;
        uint64_t s, e;

        if (sscanf(line, "%31s %31s %63s %c", start, end, type, &extra) != 3)
                return -EINVAL;
        if (parse_u64(start, 16, UINT64_MAX, &s) < 0 || parse_u64(end, 16, UINT64_MAX, &e) < 0 || s > e)
                return -EINVAL;
        char *t = strdup(type);
        if (!t)
                return -ENOMEM;
        *ret = (struct reserved_region){ .start = s, .end = e, .type = t };
        return 0;
}

/* Group G's attribute ATTR, its path into PATH: below GROUPS, the groups' directory listed,
 * when there is one (one call each, root_dir_read_attr()), else from the root. */
static int group_read_attr(struct root *r, struct root_dir *groups, const struct iommu_group *g, const char *attr,
                           char *path, size_t size, char **ret)
{
        char id[STR_ULONG_MAX];

        /* Once per group and attribute: joined, not formatted. */
        str_ulong(id, (unsigned long)g->id);
        int k = str_join(path, size, GROUPS_DIR "/", id, "/", attr, NULL);
        if (k < 0)
                return k;
        if (!groups)
                return root_read_attr(r, path, ret);
        return root_dir_read_attr(groups, path + strlen(GROUPS_DIR "/"), ret);
}

static int load_regions(struct root *r, struct root_dir *groups, struct machine *m, struct iommu_group *g)
{
        _cleanup_free_ char *text = NULL;
        char path[PATH_MAX];
        unsigned lineno = 0;
        int k;

        k = group_read_attr(r, groups, g, "reserved_regions", path, sizeof(path), &text);
        if (k == -ENOENT)
                return 0;
        if (k < 0) {
                machine_add_problem(m, path, "cannot read reserved regions: %s", strerror(-k));
                return 0;
        }
        for (char *save = NULL, *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                struct reserved_region rr;
                lineno++;
                k = parse_region(line, &rr);
                if (k == -ENOMEM)
                        return k;
                if (k < 0) {
                        machine_add_problem(m, path, "line %u: malformed region '%.60s'", lineno, line);
                        continue;
                }
                if (array_grow(&g->regions, g->n_regions) < 0) {
                        free(rr.type);
                        return -ENOMEM;
                }
                g->regions[g->n_regions++] = rr;
        }
        return 0;
}

static void load_type(struct root *r, struct root_dir *groups, struct machine *m, struct iommu_group *g)
{
        char path[PATH_MAX];
        int k;

        k = group_read_attr(r, groups, g, "type", path, sizeof(path), &g->type);
        if (k < 0) {
                g->type = NULL;
                if (k != -ENOENT)
                        machine_add_problem(m, path, "cannot read the group type: %s", strerror(-k));
        }
}

static int load_group(struct root *r, struct machine *m, long id, unsigned flags, struct iommu_group *g)
{
        char dir[64], num[STR_ULONG_MAX];
        int k;

        *g = (struct iommu_group){ .id = id };
        str_ulong(num, (unsigned long)id);
        (void)str_join(dir, sizeof(dir), GROUPS_DIR "/", num, NULL); /* fits: a number */
        if (!(flags & MACHINE_LOAD_NO_GROUP_TYPE))
                load_type(r, NULL, m, g);
        k = load_group_devices(r, m, g, dir);
        if (k < 0 || (flags & MACHINE_LOAD_NO_REGIONS))
                return k;
        return load_regions(r, NULL, m, g);
}

/* A device and the group its iommu_group link names, for grouping by the links. */
struct linked {
        long group;
        size_t dev;
};

static int cmp_linked(const void *a, const void *b)
{
        const struct linked *x = a, *y = b;
        if (x->group != y->group)
                return x->group < y->group ? -1 : 1;
        return x->dev < y->dev ? -1 : x->dev > y->dev;
}

/* The linked devices L[0..N) of one group into G, with the group's attributes FLAGS asks for,
 * read below GROUPS when it could be opened. */
static int load_linked_group(struct root *r, struct root_dir *groups, struct machine *m, const struct linked *l,
                             size_t n, unsigned flags, struct iommu_group *g)
{
        *g = (struct iommu_group){ .id = l[0].group, .devices = calloc(n, sizeof(size_t)) };
        if (!g->devices)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++)
                g->devices[g->n_devices++] = l[i].dev;
        if (!(flags & MACHINE_LOAD_NO_GROUP_TYPE))
                load_type(r, groups, m, g);
        if (flags & MACHINE_LOAD_NO_REGIONS)
                return 0;
        return load_regions(r, groups, m, g);
}

/*
 * MACHINE_LOAD_LINKED_GROUPS: each group from its devices' iommu_group links, which the kernel
 * makes together with the group's devices/ entries (iommu_group_add_device()), instead of one
 * listing per group: a group then costs no system call beyond the attributes asked for. What a
 * listing would add is left unseen: members that are not PCI devices, and links that disagree
 * with the listings, which only a broken tree has.
 */
static int load_linked_groups(struct root *r, struct machine *m, unsigned flags)
{
        _cleanup_free_ struct linked *l = calloc(m->n_devices ? m->n_devices : 1, sizeof(*l));
        _cleanup_root_dir_ struct root_dir *groups = NULL;
        size_t n = 0, start = 0;
        int k = 0;

        if (!l)
                return -ENOMEM;
        for (size_t i = 0; i < m->n_devices; i++)
                if (m->devices[i].iommu_group >= 0)
                        l[n++] = (struct linked){ .group = m->devices[i].iommu_group, .dev = i };
        qsort(l, n, sizeof(*l), cmp_linked);
        m->groups = calloc(n ? n : 1, sizeof(*m->groups));
        if (!m->groups)
                return -ENOMEM;
        /* Listed, the groups' directory says which groups are directories, not links: each
         * attribute is then opened below it in one call, on both lookup paths. Without it, each
         * is read from the root as before. */
        if (n > 0 && root_dir_open(r, GROUPS_DIR, &groups) == 0)
                (void)root_dir_list(groups);
        for (size_t i = 1; i <= n && k >= 0; i++) {
                if (i < n && l[i].group == l[start].group)
                        continue;
                k = load_linked_group(r, groups, m, l + start, i - start, flags, &m->groups[m->n_groups]);
                for (size_t j = start; j < i; j++)
                        m->devices[l[j].dev].group = m->n_groups;
                m->n_groups++;
                start = i;
        }
        return k;
}

static int cmp_group(const void *a, const void *b)
{
        const struct iommu_group *x = a, *y = b;
        return x->id < y->id ? -1 : x->id > y->id;
}

static const char *iommu_link_path(const struct pci_device *d, char *buf, size_t size)
{
        snprintf(buf, size, "%s/iommu_group", d->path);
        return buf;
}

/* The groups' listings are the kernel's truth; the devices' own links only get checked against them. */
static void assign_groups(struct machine *m)
{
        char path[PATH_MAX];

        for (size_t gi = 0; gi < m->n_groups; gi++) {
                const struct iommu_group *g = &m->groups[gi];
                for (size_t j = 0; j < g->n_devices; j++) {
                        struct pci_device *d = &m->devices[g->devices[j]];
                        if (d->group != NONE) {
                                machine_damage(m, d, iommu_link_path(d, path, sizeof(path)),
                                               "device listed in groups %ld and %ld", m->groups[d->group].id, g->id);
                                continue;
                        }
                        if (d->iommu_group != g->id)
                                machine_damage(m, d, iommu_link_path(d, path, sizeof(path)),
                                               "iommu_group link says %ld, group %ld lists the device", d->iommu_group,
                                               g->id);
                        d->group = gi;
                        d->iommu_group = g->id;
                }
        }
        for (size_t i = 0; i < m->n_devices; i++) {
                struct pci_device *d = &m->devices[i];
                if (d->group == NONE && d->iommu_group >= 0) {
                        machine_damage(m, d, iommu_link_path(d, path, sizeof(path)),
                                       "iommu_group link says %ld, but no group lists the device", d->iommu_group);
                        d->iommu_group = -1;
                }
        }
}

/* "7" and "07" name one group; keep the first so that lookups stay unambiguous. */
static void drop_duplicates(struct machine *m)
{
        size_t w = 0;

        for (size_t i = 0; i < m->n_groups; i++) {
                if (w > 0 && m->groups[w - 1].id == m->groups[i].id) {
                        machine_add_problem(m, GROUPS_DIR, "group %ld listed twice", m->groups[i].id);
                        group_done(&m->groups[i]);
                        continue;
                }
                m->groups[w++] = m->groups[i];
        }
        m->n_groups = w;
}

static int load_groups(struct root *r, struct machine *m, unsigned flags)
{
        _cleanup_strv_ char **names = NULL;
        size_t n = 0;
        int k;

        k = root_list(r, GROUPS_DIR, &names, &n);
        if (k == -ENOENT)
                n = 0; /* no IOMMU, or it is off */
        else if (k < 0) {
                machine_add_problem(m, GROUPS_DIR, "cannot list iommu groups: %s", strerror(-k));
                n = 0;
        }
        m->groups = calloc(n ? n : 1, sizeof(*m->groups));
        if (!m->groups)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                uint64_t id;
                if (parse_u64(names[i], 10, LONG_MAX, &id) < 0) {
                        machine_add_problem(m, GROUPS_DIR, "malformed group name '%.40s'", names[i]);
                        continue;
                }
                k = load_group(r, m, (long)id, flags, &m->groups[m->n_groups]);
                m->n_groups++;
                if (k < 0)
                        return k;
        }
        /* Names sort as strings ("10" < "9"); lookups need numeric order. */
        qsort(m->groups, m->n_groups, sizeof(*m->groups), cmp_group);
        drop_duplicates(m);
        assign_groups(m);
        return 0;
}

static int load_units(struct root *r, struct machine *m)
{
        int k = root_list(r, "/sys/class/iommu", &m->iommu.units, &m->iommu.n_units);
        if (k == -ENOENT || k == 0)
                return k == 0 ? 0 : strv_push(&m->iommu.units, &m->iommu.n_units, NULL);
        machine_add_problem(m, "/sys/class/iommu", "cannot list iommu units: %s", strerror(-k));
        return strv_push(&m->iommu.units, &m->iommu.n_units, NULL);
}

/* Remapped interrupts sit on "IR-" chips: IR-PCI-MSI, IR-PCI-MSIX-0000:00:14.0, IR-IO-APIC. */
static bool has_remapped_chip(const char *text)
{
        return strstr(text, "IR-") != NULL;
}

static void load_interrupts(struct root *r, struct machine *m)
{
        _cleanup_free_ char *text = NULL;
        int k;

        m->iommu.interrupt_remapping = TRI_UNKNOWN;
        k = root_read_file(r, "/proc/interrupts", INTERRUPTS_MAX, &text, NULL);
        if (k < 0) {
                if (k != -ENOENT)
                        machine_add_problem(m, "/proc/interrupts", "cannot read: %s", strerror(-k));
                return;
        }
        m->iommu.interrupt_remapping = has_remapped_chip(text) ? TRI_YES : TRI_NO;
}

int iommu_load(struct root *r, struct machine *m)
{
        return iommu_load_needed(r, 0, m);
}

int iommu_load_needed(struct root *r, unsigned flags, struct machine *m)
{
        int k;

        for (size_t i = 0; i < m->n_devices; i++)
                m->devices[i].group = NONE;
        k = flags & MACHINE_LOAD_LINKED_GROUPS ? load_linked_groups(r, m, flags) : load_groups(r, m, flags);
        if (k < 0)
                return k;
        k = load_units(r, m);
        if (k < 0)
                return k;
        m->iommu.acpi_dmar = root_exists(r, "/sys/firmware/acpi/tables/DMAR");
        m->iommu.acpi_ivrs = root_exists(r, "/sys/firmware/acpi/tables/IVRS");
        m->iommu.acpi_iort = root_exists(r, "/sys/firmware/acpi/tables/IORT");
        load_interrupts(r, m);
        return 0;
}
