/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "rootrecord.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "macro.h"
#include "parse.h"

#define MAX_PATH_DEPTH 32
#define MAX_CONTROLLERS 64

void root_record_done(struct root_record *rec)
{
        free(rec->problem);
        for (size_t i = 0; i < rec->n_controllers; i++)
                free(rec->controllers[i].path);
        free(rec->controllers);
        *rec = (struct root_record){ 0 };
}

bool root_record_usable(const struct root_record *rec)
{
        return rec && rec->found && !rec->problem;
}

int pci_slot_path(const struct machine *m, size_t dev, char *buf, size_t size)
{
        size_t chain[MAX_PATH_DEPTH], n = 0;
        size_t w;

        for (size_t d = dev; d != NONE; d = m->devices[d].parent) {
                if (d >= m->n_devices || n == MAX_PATH_DEPTH)
                        return -ELOOP;
                chain[n++] = d;
        }
        if (n == 0)
                return -EINVAL;
        w = (size_t)snprintf(buf, size, "%s", m->devices[chain[n - 1]].name);
        for (size_t i = n - 1; i > 0 && w < size; i--) {
                const struct pci_addr *a = &m->devices[chain[i - 1]].addr;
                w += (size_t)snprintf(buf + w, size - w, "/%02x.%x", a->dev, a->fn);
        }
        return w < size ? 0 : -ENAMETOOLONG;
}

int root_record_format(const struct machine *m, bool network, const size_t *controllers, size_t n, char **ret)
{
        char *text = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&text, &len);

        if (!f)
                return -ENOMEM;
        fputs("# vfio-prep root record (vfio-prep --root-record): what held the root file system when the\n"
              "# initramfs was built. Storage controllers are never released by it; see vfio-prep(8).\n",
              f);
        fprintf(f, "network %s\n", network ? "yes" : "no");
        for (size_t i = 0; i < n; i++) {
                char path[256];
                bool seen = false;
                for (size_t j = 0; j < i; j++)
                        seen |= controllers[j] == controllers[i];
                if (seen || pci_slot_path(m, controllers[i], path, sizeof(path)) < 0)
                        continue;
                fprintf(f, "controller class=%06x path=%s\n", m->devices[controllers[i]].class, path);
        }
        if (fclose(f) != 0) {
                free(text);
                return -ENOMEM;
        }
        *ret = text;
        return 0;
}

_printf_(3, 4) static int bad(struct root_record *rec, unsigned line, const char *fmt, ...)
{
        char msg[256];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        return asprintf(&rec->problem, "line %u: %s", line, msg) < 0 ? -ENOMEM : 0;
}

/* "0000:00:05.0/00.0": an address, then device.function pairs. */
static bool valid_path(const char *p)
{
        struct pci_addr a;
        char head[PCI_ADDR_STRLEN];
        size_t n = strcspn(p, "/");

        if (n == 0 || n >= sizeof(head))
                return false;
        memcpy(head, p, n);
        head[n] = '\0';
        if (pci_addr_parse(head, &a) < 0)
                return false;
        for (p += n; *p; p += 5) {
                unsigned dev, fn;
                char c;
                if (strlen(p) < 5 || sscanf(p, "/%2x.%1x%c", &dev, &fn, &c) < 2 || p[3] != '.' || dev > 31 || fn > 7 ||
                    strspn(p + 1, "0123456789abcdef") != 2 || strspn(p + 4, "01234567") != 1)
                        return false;
        }
        return true;
}

static int parse_controller(struct root_record *rec, unsigned line, const char *args)
{
        char cls[16], path[256], extra[2];
        uint64_t c;

        if (sscanf(args, "class=%15s path=%255s %1s", cls, path, extra) != 2 || strlen(cls) != 6 ||
            parse_u64(cls, 16, 0xffffff, &c) < 0 || !valid_path(path))
                return bad(rec, line, "expected 'controller class=CCCCCC path=DDDD:BB:DD.F[/DD.F]...'");
        if (rec->n_controllers == MAX_CONTROLLERS)
                return bad(rec, line, "more than %d controllers", MAX_CONTROLLERS);
        if (array_grow(&rec->controllers, rec->n_controllers) < 0)
                return -ENOMEM;
        struct root_record_controller *nc = &rec->controllers[rec->n_controllers];
        if (!(nc->path = strdup(path)))
                return -ENOMEM;
        nc->class = (uint32_t)c;
        rec->n_controllers++;
        return 0;
}

static int parse_line(struct root_record *rec, unsigned line, char *s, bool *seen_network)
{
        s[strcspn(s, "\r")] = '\0';
        s += strspn(s, " \t");
        if (!*s || *s == '#')
                return 0;
        if (strcmp(s, "network yes") == 0 || strcmp(s, "network no") == 0) {
                if (*seen_network)
                        return bad(rec, line, "'network' given twice");
                *seen_network = true;
                rec->network = s[8] == 'y';
                return 0;
        }
        if (strncmp(s, "controller ", 11) == 0)
                return parse_controller(rec, line, s + 11);
        return bad(rec, line, "unknown line (expected 'network yes|no' or 'controller ...')");
}

int root_record_parse(const char *text, struct root_record *ret)
{
        struct root_record rec = { .found = true };
        _cleanup_free_ char *copy = strdup(text);
        bool seen_network = false;
        unsigned line = 0;
        int k = 0;

        if (!copy)
                return -ENOMEM;
        for (char *p = copy, *next; k >= 0 && !rec.problem && p; p = next) {
                next = strchr(p, '\n');
                if (next)
                        *next++ = '\0';
                k = parse_line(&rec, ++line, p, &seen_network);
        }
        if (k >= 0 && !rec.problem && !seen_network)
                k = asprintf(&rec.problem, "no 'network yes|no' line") < 0 ? -ENOMEM : 0;
        if (k >= 0 && !rec.problem && !rec.network && rec.n_controllers == 0)
                k = asprintf(&rec.problem, "names no controller and not the network") < 0 ? -ENOMEM : 0;
        if (k < 0) {
                root_record_done(&rec);
                return k;
        }
        /* A problem makes the rest meaningless: nothing of it may be used. */
        if (rec.problem) {
                for (size_t i = 0; i < rec.n_controllers; i++)
                        free(rec.controllers[i].path);
                free(rec.controllers);
                rec.controllers = NULL;
                rec.n_controllers = 0;
                rec.network = false;
        }
        *ret = rec;
        return 0;
}
