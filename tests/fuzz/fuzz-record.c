/* SPDX-License-Identifier: GPL-2.0-or-later */
/* record_parse() on arbitrary text: ROOT/run/vfio-prep/state.json is read back by --check, and a
 * tree given with --root can hold anything there. What it accepts must survive record_format()
 * and record_parse() again unchanged. */
#include <stdbool.h>

#include "fuzz.h"
#include "model.h"
#include "record.h"

static void record_free(struct boot_record *rec)
{
        for (size_t i = 0; i < rec->n_entries; i++)
                free(rec->entries[i].reason);
        free(rec->entries);
}

static void check_entries(const struct boot_record *rec)
{
        for (size_t i = 0; i < rec->n_entries; i++) {
                const struct boot_record_entry *e = &rec->entries[i];
                struct pci_addr a;
                char canon[PCI_ADDR_STRLEN];

                FUZZ_ASSERT(memchr(e->name, '\0', sizeof(e->name)));
                FUZZ_ASSERT(pci_addr_parse(e->name, &a) == 0);
                pci_addr_format(&a, canon);
                FUZZ_ASSERT(strcmp(canon, e->name) == 0);
        }
}

static bool same_reason(const char *a, const char *b)
{
        return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static void check_roundtrip(const struct boot_record *rec)
{
        struct record_entry *out = calloc(rec->n_entries ? rec->n_entries : 1, sizeof(*out));
        struct boot_record again = { 0 };
        char *text = NULL;

        FUZZ_ASSERT(out);
        for (size_t i = 0; i < rec->n_entries; i++) {
                memcpy(out[i].name, rec->entries[i].name, sizeof(out[i].name));
                out[i].bound = rec->entries[i].bound;
                out[i].reason = rec->entries[i].reason;
        }
        FUZZ_ASSERT(record_format(out, rec->n_entries, &text) == 0);
        FUZZ_ASSERT(record_parse(text, &again) == 0);
        FUZZ_ASSERT(again.found && again.n_entries == rec->n_entries);
        for (size_t i = 0; i < rec->n_entries; i++) {
                FUZZ_ASSERT(strcmp(again.entries[i].name, rec->entries[i].name) == 0);
                FUZZ_ASSERT(again.entries[i].bound == rec->entries[i].bound);
                FUZZ_ASSERT(same_reason(again.entries[i].reason, rec->entries[i].reason));
        }
        record_free(&again);
        free(text);
        free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *text = fuzz_strndup(data, size);
        struct boot_record rec = { 0 };

        if (record_parse(text, &rec) == 0) {
                FUZZ_ASSERT(rec.found);
                check_entries(&rec);
                check_roundtrip(&rec);
                record_free(&rec);
        }
        free(text);
        return 0;
}
