/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "record.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "json.h"
#include "jsonread.h"
#include "machine.h"
#include "macro.h"
#include "root.h"

#define RECORD_DIR "/run/vfio-prep"
#define RECORD_PATH RECORD_DIR "/state.json"
#define RECORD_VERSION 1
#define RECORD_MAX_SIZE (1024 * 1024)
/* Bounds for what a damaged or hostile file can make the reader do. */
#define RECORD_MAX_DEPTH 32
#define RECORD_MAX_STRING 4096

int record_format(const struct record_entry *entries, size_t n, char **ret)
{
        char *buf = NULL;
        size_t len = 0;
        struct json j;
        FILE *f = open_memstream(&buf, &len);

        if (!f)
                return -ENOMEM;
        json_init(&j, f);
        json_object_begin(&j);
        json_key(&j, "version");
        json_int(&j, RECORD_VERSION);
        json_key(&j, "devices");
        json_array_begin(&j);
        for (size_t i = 0; i < n; i++) {
                json_object_begin(&j);
                json_key(&j, "address");
                json_string(&j, entries[i].name);
                json_key(&j, "bound");
                json_bool(&j, entries[i].bound);
                json_key(&j, "pass");
                json_int(&j, entries[i].pass > 1 ? entries[i].pass : 1);
                json_key(&j, "reason");
                json_string(&j, entries[i].reason);
                json_object_end(&j);
        }
        json_array_end(&j);
        json_object_end(&j);
        json_finish(&j);
        bool bad = ferror(f);
        if (fclose(f) != 0 || bad) {
                free(buf);
                return -ENOMEM;
        }
        *ret = buf;
        return 0;
}

static int parse_address(struct jsonread *j, char name[static PCI_ADDR_STRLEN])
{
        _cleanup_free_ char *s = NULL;
        struct pci_addr a;
        int k = jsonread_string(j, &s);

        if (k < 0)
                return k;
        if (strlen(s) >= PCI_ADDR_STRLEN || pci_addr_parse(s, &a) < 0)
                return -EINVAL;
        pci_addr_format(&a, name);
        return 0;
}

static int parse_reason(struct jsonread *j, char **reason)
{
        char *s;

        if (jsonread_peek(j) == 'n') {
                s = NULL;
                if (jsonread_null(j) < 0)
                        return -EINVAL;
        } else if (jsonread_string(j, &s) < 0)
                return -EINVAL;
        free(*reason);
        *reason = s;
        return 0;
}

/* "pass": 1 or 2; a record written before there were two passes has none (the first). */
static int parse_pass(struct jsonread *j, int *ret)
{
        long long v;
        bool integer;
        int k = jsonread_number(j, &v, &integer);

        if (k < 0)
                return k;
        if (!integer || v < 1 || v > 2)
                return -EINVAL;
        *ret = (int)v;
        return 0;
}

static int entry_member(struct jsonread *j, const char *key, struct boot_record_entry *e, unsigned *seen)
{
        if (strcmp(key, "address") == 0) {
                *seen |= 1;
                return parse_address(j, e->name);
        }
        if (strcmp(key, "bound") == 0) {
                *seen |= 2;
                return jsonread_bool(j, &e->bound);
        }
        if (strcmp(key, "reason") == 0)
                return parse_reason(j, &e->reason);
        if (strcmp(key, "pass") == 0)
                return parse_pass(j, &e->pass);
        return jsonread_skip(j);
}

/* One device: address and bound are required, reason is optional. */
static int parse_entry(struct jsonread *j, struct boot_record_entry *ret)
{
        struct boot_record_entry e = { .pass = 1 };
        bool first = true;
        unsigned seen = 0;
        char *key;
        int k = jsonread_enter(j, '{');

        while (k >= 0 && (k = jsonread_member(j, &first, &key)) > 0) {
                k = entry_member(j, key, &e, &seen);
                free(key);
        }
        if (k >= 0 && seen != 3)
                k = -EINVAL;
        if (k < 0) {
                free(e.reason);
                return k;
        }
        *ret = e;
        return 0;
}

static void entries_free(struct boot_record_entry *e, size_t n)
{
        for (size_t i = 0; i < n; i++)
                free(e[i].reason);
        free(e);
}

static int parse_devices(struct jsonread *j, struct boot_record *rec)
{
        struct boot_record_entry *e = NULL;
        size_t n = 0;
        bool first = true;
        int k = jsonread_enter(j, '[');

        while (k >= 0 && (k = jsonread_next(j, &first, ']')) > 0) {
                k = array_grow(&e, n);
                if (k >= 0)
                        k = parse_entry(j, &e[n]);
                if (k >= 0)
                        n++;
        }
        if (k < 0) {
                entries_free(e, n);
                return k;
        }
        rec->entries = e;
        rec->n_entries = n;
        return 0;
}

static int parse_version(struct jsonread *j)
{
        long long v;
        bool integer;
        int k = jsonread_number(j, &v, &integer);

        if (k < 0)
                return k;
        return integer && v == RECORD_VERSION ? 0 : -EINVAL;
}

static int document_member(struct jsonread *j, const char *key, struct boot_record *rec, unsigned *seen)
{
        if (strcmp(key, "version") == 0) {
                *seen |= 1;
                return parse_version(j);
        }
        if (strcmp(key, "devices") == 0) {
                if (*seen & 2)
                        return -EINVAL; /* twice: which one is true? */
                *seen |= 2;
                return parse_devices(j, rec);
        }
        return jsonread_skip(j);
}

int record_parse(const char *text, struct boot_record *ret)
{
        struct jsonread j;
        struct boot_record rec = { .found = true };
        bool first = true;
        unsigned seen = 0;
        char *key;

        if (!text)
                return -EINVAL;
        jsonread_init(&j, text, RECORD_MAX_DEPTH, RECORD_MAX_STRING);
        int k = jsonread_enter(&j, '{');
        while (k >= 0 && (k = jsonread_member(&j, &first, &key)) > 0) {
                k = document_member(&j, key, &rec, &seen);
                free(key);
        }
        if (k >= 0 && seen != 3)
                k = -EINVAL;
        if (k >= 0 && !jsonread_at_end(&j))
                k = -EINVAL;
        if (k < 0) {
                entries_free(rec.entries, rec.n_entries);
                return k;
        }
        *ret = rec;
        return 0;
}

static size_t entry_find(const struct record_entry *e, size_t n, const char *name)
{
        for (size_t i = 0; i < n; i++)
                if (strcmp(e[i].name, name) == 0)
                        return i;
        return NONE;
}

int record_merge(const struct boot_record *old, const struct record_entry *add, size_t n_add, struct record_entry **ret,
                 size_t *ret_n)
{
        size_t n_old = old && old->found ? old->n_entries : 0, n = 0;
        struct record_entry *out = calloc(n_old + n_add + 1, sizeof(*out));

        if (!out)
                return -ENOMEM;
        for (size_t i = 0; i < n_old; i++) {
                const struct boot_record_entry *o = &old->entries[i];
                struct record_entry *e = &out[n++];
                *e = (struct record_entry){ .bound = o->bound, .reason = o->reason, .pass = o->pass };
                snprintf(e->name, sizeof(e->name), "%s", o->name);
        }
        for (size_t i = 0; i < n_add; i++) {
                size_t at = entry_find(out, n, add[i].name);
                if (at == NONE)
                        out[n++] = add[i];
                else if (!(out[at].bound && add[i].bound))
                        out[at] = add[i];
        }
        *ret = out;
        *ret_n = n;
        return 0;
}

int record_write(struct root *r, const struct record_entry *entries, size_t n)
{
        _cleanup_free_ char *text = NULL;
        int k = record_format(entries, n, &text);

        if (k < 0)
                return k;
        k = root_mkdir_p(r, RECORD_DIR, 0755);
        if (k < 0)
                return k;
        return root_create_file(r, RECORD_PATH, text, strlen(text), 0644);
}

int boot_record_load(struct root *r, struct machine *m)
{
        _cleanup_free_ char *text = NULL;
        struct boot_record rec;
        size_t len;
        int k = root_read_file(r, RECORD_PATH, RECORD_MAX_SIZE, &text, &len);

        if (k == -ENOENT) {
                m->record.found = false;
                return 0;
        }
        if (k < 0)
                return k;
        if (strlen(text) != len)
                return -EINVAL; /* a NUL inside */
        k = record_parse(text, &rec);
        if (k < 0)
                return k;
        entries_free(m->record.entries, m->record.n_entries);
        m->record = rec;
        return 0;
}
