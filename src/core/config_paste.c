/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Lines pasted from wiki recipes into vfio-prep.conf(5): modprobe.d(5) lines and comma lists of
 * selectors. They are errors, and the message names the device lines that replace them
 * (vfio-prep.conf(5), DIAGNOSTICS).
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "macro.h"
#include "sanitize.h"

/* Words a modprobe.d(5) line starts with. */
static const char *const modprobe_keywords[] = { "options", "softdep", "blacklist", "install", "alias", "remove" };

static void append(char *buf, size_t size, const char *fmt, const char *a, const char *b)
{
        size_t n = strlen(buf);

        if (n + 1 < size)
                snprintf(buf + n, size - n, fmt, a, b);
}

/* One entry of a list: the devices of M it matches as pinned address lines, else as written. */
static size_t replace_entry(const struct machine *m, const char *entry, char *buf, size_t size, size_t shown)
{
        struct selector sel;
        char q[160], line[64];
        size_t n = 0;

        if (selector_parse(entry, &sel) < 0) {
                append(buf, size, "%s'device %s'", shown ? ", " : "", sanitize(entry, q, sizeof(q)));
                return 1;
        }
        for (size_t i = 0; m && i < m->n_devices; i++) {
                const struct pci_device *d = &m->devices[i];
                if (!selector_matches(&sel, d))
                        continue;
                snprintf(line, sizeof(line), "device %s id=%04x:%04x", d->name, d->vendor, d->device);
                append(buf, size, "%s'%s'", shown + n ? ", " : "", line);
                n++;
        }
        if (n == 0)
                append(buf, size, "%s'device %s'", shown ? ", " : "", sanitize(entry, q, sizeof(q)));
        return n ? n : 1;
}

void config_replacement_lines(const struct machine *m, const char *list, char *buf, size_t size)
{
        char copy[1024];
        size_t shown = 0;

        buf[0] = '\0';
        snprintf(copy, sizeof(copy), "%s", list);
        for (char *save = NULL, *e = strtok_r(copy, ",", &save); e; e = strtok_r(NULL, ",", &save))
                shown += replace_entry(m, e, buf, size, shown);
}

/* "ids=A,B" among the words of REST, or NULL. */
static const char *ids_value(char *rest)
{
        for (char *save = NULL, *w = strtok_r(rest, " \t\r", &save); w; w = strtok_r(NULL, " \t\r", &save))
                if (strncmp(w, "ids=", 4) == 0)
                        return w + 4;
        return NULL;
}

static bool names_vfio_pci(const char *rest)
{
        return strstr(rest, "vfio-pci") || strstr(rest, "vfio_pci");
}

bool config_pasted_message(const struct machine *m, const char *keyword, char *rest, char *buf, size_t size)
{
        char lines[768];
        size_t i;

        for (i = 0; i < ARRAY_SIZE(modprobe_keywords) && strcmp(keyword, modprobe_keywords[i]) != 0; i++)
                ;
        if (i == ARRAY_SIZE(modprobe_keywords))
                return false;
        bool vfio = names_vfio_pci(rest);
        const char *ids = strcmp(keyword, "options") == 0 && vfio ? ids_value(rest) : NULL;
        if (ids) {
                config_replacement_lines(m, ids, lines, sizeof(lines));
                snprintf(buf, size,
                         "'options vfio-pci ids=' is a modprobe.d(5) line, and vfio-pci's ids= binds every device "
                         "with these IDs, identical host devices included: replace it with %s",
                         lines);
        } else if (strcmp(keyword, "softdep") == 0 && vfio)
                snprintf(buf, size,
                         "'softdep ... pre: vfio-pci' is a modprobe.d(5) line that vfio-prep makes unnecessary (it "
                         "binds the configured devices before their host drivers): remove it and name the devices "
                         "with 'device' lines");
        else
                snprintf(buf, size,
                         "'%s' starts a modprobe.d(5) line: it belongs in /etc/modprobe.d/, not in vfio-prep.conf",
                         keyword);
        return true;
}
