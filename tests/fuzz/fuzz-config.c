/* SPDX-License-Identifier: GPL-2.0-or-later */
/* config_parse() on arbitrary bytes: vfio-prep.conf is read at boot, as root. */
#include <stdbool.h>

#include "config.h"
#include "fuzz.h"

#define NAME "fuzz.conf"

static size_t count_lines(const uint8_t *data, size_t size)
{
        size_t n = 1;

        for (size_t i = 0; i < size; i++)
                n += data[i] == '\n';
        return n;
}

/* A refused file names itself and a line that exists, says why, and changed nothing. */
static void check_error(const struct config *cfg, const struct config_error *err, size_t lines)
{
        FUZZ_ASSERT(cfg->n_devices == 0);
        FUZZ_ASSERT(cfg->isolation == ISOLATION_STRICT);
        FUZZ_ASSERT(strncmp(err->origin, NAME ":", strlen(NAME ":")) == 0);
        unsigned long line = strtoul(err->origin + strlen(NAME ":"), NULL, 10);
        FUZZ_ASSERT(line >= 1 && line <= lines);
        FUZZ_ASSERT(err->message[0] != '\0');
        FUZZ_ASSERT(fuzz_printable(err->origin));
        FUZZ_ASSERT(fuzz_printable(err->message));
}

static void check_entry(const struct device_conf *d, size_t lines)
{
        FUZZ_ASSERT(d->text && d->text[0] && fuzz_printable(d->text));
        FUZZ_ASSERT(d->origin && strncmp(d->origin, NAME ":", strlen(NAME ":")) == 0);
        FUZZ_ASSERT(strtoul(d->origin + strlen(NAME ":"), NULL, 10) <= lines);
        FUZZ_ASSERT(d->functions == FUNCTIONS_AUTO || d->functions == FUNCTIONS_ALL || d->functions == FUNCTIONS_ONE);
        FUZZ_ASSERT(d->vfs == -1 || (d->vfs >= 1 && d->vfs <= 65535));
        /* id= pins what names one device: an address or a slot path, never an ID selector. */
        FUZZ_ASSERT(!d->has_pin || d->sel.kind == SELECTOR_ADDRESS || d->sel.kind == SELECTOR_PATH);
        if (d->sel.kind == SELECTOR_ADDRESS)
                FUZZ_ASSERT(d->sel.addr.dev <= 0x1f && d->sel.addr.fn <= 7);
        /* The text it was written as selects the same thing. */
        struct selector again;
        FUZZ_ASSERT(selector_parse(d->text, &again) == 0);
        FUZZ_ASSERT(again.kind == d->sel.kind);
}

/* The same file twice: every selector is now configured twice, which is refused. */
static void check_reparse(struct config *cfg, const uint8_t *data, size_t size)
{
        struct config_error err = { 0 };
        size_t n = cfg->n_devices;
        enum isolation_mode iso = cfg->isolation;

        int k = config_parse(cfg, NAME, (const char *)data, size, &err);
        FUZZ_ASSERT(cfg->isolation == iso || k >= 0);
        if (n == 0)
                return;
        FUZZ_ASSERT(k < 0);
        FUZZ_ASSERT(cfg->n_devices == n);
        FUZZ_ASSERT(strstr(err.message, "already configured"));
        FUZZ_ASSERT(fuzz_printable(err.message));
}

/* The whole input as a --device list: a failure leaves what was there. */
static void check_selectors(struct config *cfg, const uint8_t *data, size_t size)
{
        struct config_error err = { 0 };
        char *list = fuzz_strndup(data, size);
        size_t n = cfg->n_devices;

        int k = config_add_selectors(cfg, "--device", list, &err);
        if (k < 0) {
                FUZZ_ASSERT(cfg->n_devices == n);
                FUZZ_ASSERT(strcmp(err.origin, "--device") == 0);
                FUZZ_ASSERT(fuzz_printable(err.message));
        } else
                for (size_t i = n; i < cfg->n_devices; i++)
                        FUZZ_ASSERT(selector_parse(cfg->devices[i].text, &(struct selector){ 0 }) == 0);
        free(list);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct config cfg = { 0 };
        struct config_error err = { 0 };
        size_t lines = count_lines(data, size);

        int k = config_parse(&cfg, NAME, (const char *)data, size, &err);
        if (k < 0)
                check_error(&cfg, &err, lines);
        else {
                FUZZ_ASSERT(cfg.n_devices <= lines);
                for (size_t i = 0; i < cfg.n_devices; i++)
                        check_entry(&cfg.devices[i], lines);
                check_reparse(&cfg, data, size);
        }
        check_selectors(&cfg, data, size);
        config_done(&cfg);
        return 0;
}
