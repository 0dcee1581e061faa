/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The kernel command line as vfio-prep reads it: cmdline_parse(), the lookups, and the
 * vfio-prep.devices= list handed to config_add_selectors(). */
#include <stdbool.h>

#include "cmdline.h"
#include "config.h"
#include "fuzz.h"

static const char *const keys[] = {
        "vfio-prep.devices",
        "vfio_prep.devices",
        "vfio-prep.disable",
        "root",
        "resume",
        "intel_iommu",
        "amd_iommu",
        "iommu",
        "iommu.passthrough",
        "vfio-pci.ids",
        "",
};

/* The last occurrence wins, and a lookup finds a parameter under its own name. */
static void check_lookups(const struct cmdline *c)
{
        for (size_t i = 0; i < c->n_params; i++) {
                const struct cmdline_param *p = &c->params[i];
                FUZZ_ASSERT(p->key);
                /* A bare "--" ends the kernel's part and is never a parameter. */
                FUZZ_ASSERT(p->value || strcmp(p->key, "--") != 0);
                const struct cmdline_param *found = cmdline_get(c, p->key);
                FUZZ_ASSERT(found && found >= p);
                FUZZ_ASSERT(cmdline_key_eq(found->key, p->key));
                FUZZ_ASSERT(cmdline_value(c, p->key) == found->value);
                if (!found->value)
                        FUZZ_ASSERT(cmdline_flag(c, p->key));
        }
        for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
                const struct cmdline_param *p = cmdline_get(c, keys[i]);
                FUZZ_ASSERT(!p || cmdline_key_eq(p->key, keys[i]));
                FUZZ_ASSERT(cmdline_value(c, keys[i]) == (p ? p->value : NULL));
                (void)cmdline_flag(c, keys[i]);
        }
}

/* vfio-prep.devices= as context.c hands it over: all selectors or none. */
static void check_devices(const struct cmdline *c)
{
        const char *origin = "kernel command line (vfio-prep.devices=)";
        const char *list = cmdline_value(c, "vfio-prep.devices");
        struct config cfg = { 0 };
        struct config_error err = { 0 };

        if (!list)
                return;
        int k = config_add_selectors(&cfg, origin, list, &err);
        if (k < 0) {
                FUZZ_ASSERT(cfg.n_devices == 0);
                FUZZ_ASSERT(strcmp(err.origin, origin) == 0);
                FUZZ_ASSERT(err.message[0] && fuzz_printable(err.message));
        } else {
                for (size_t i = 0; i < cfg.n_devices; i++) {
                        struct selector sel;
                        FUZZ_ASSERT(selector_parse(cfg.devices[i].text, &sel) == 0);
                        FUZZ_ASSERT(strcmp(cfg.devices[i].origin, origin) == 0);
                }
        }
        config_done(&cfg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *text = fuzz_strndup(data, size);
        struct cmdline c = { 0 };

        int k = cmdline_parse(text, &c);
        FUZZ_ASSERT(k == 0);
        check_lookups(&c);
        check_devices(&c);
        cmdline_done(&c);
        FUZZ_ASSERT(c.n_params == 0 && !c.params);
        free(text);
        return 0;
}
