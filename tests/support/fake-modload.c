/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "fake-modload.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FAKE_MAX 32

struct modload {
        struct root *r;
};

static struct fake_module {
        char name[64];
        enum module_state state;
        int load_error;
        unsigned loads;
} fakes[FAKE_MAX];
static size_t n_fakes;
static unsigned loads_unknown;
static void (*on_load)(void *userdata, const char *name);
static void *on_load_data;

static bool same_name(const char *a, const char *b)
{
        for (; *a && *b; a++, b++) {
                char x = *a == '-' ? '_' : *a, y = *b == '-' ? '_' : *b;
                if (x != y)
                        return false;
        }
        return *a == *b;
}

static struct fake_module *find(const char *name)
{
        for (size_t i = 0; i < n_fakes; i++)
                if (same_name(fakes[i].name, name))
                        return &fakes[i];
        return NULL;
}

void fake_modload_reset(void)
{
        memset(fakes, 0, sizeof(fakes));
        n_fakes = 0;
        loads_unknown = 0;
        on_load = NULL;
        on_load_data = NULL;
}

void fake_modload_set(const char *name, enum module_state st, int load_error)
{
        struct fake_module *f = find(name);

        if (!f) {
                if (n_fakes >= FAKE_MAX)
                        abort();
                f = &fakes[n_fakes++];
                snprintf(f->name, sizeof(f->name), "%s", name);
        }
        f->state = st;
        f->load_error = load_error;
}

unsigned fake_modload_loads(const char *name)
{
        unsigned n = 0;

        if (name) {
                const struct fake_module *f = find(name);
                return f ? f->loads : 0;
        }
        for (size_t i = 0; i < n_fakes; i++)
                n += fakes[i].loads;
        return n + loads_unknown;
}

void fake_modload_on_load(void (*fn)(void *userdata, const char *name), void *userdata)
{
        on_load = fn;
        on_load_data = userdata;
}

int modload_new(struct root *r, const char *release, struct modload **ret)
{
        struct modload *ml = calloc(1, sizeof(*ml));

        (void)release;
        if (!ml)
                return -ENOMEM;
        ml->r = r;
        *ret = ml;
        return 0;
}

struct modload *modload_free(struct modload *ml)
{
        free(ml);
        return NULL;
}

void modload_set_log(struct modload *ml, modload_log_fn fn, void *userdata)
{
        (void)ml;
        (void)fn;
        (void)userdata;
}

int modload_state(struct modload *ml, const char *name, enum module_state *ret)
{
        const struct fake_module *f = find(name);

        (void)ml;
        *ret = f ? f->state : MODULE_MISSING;
        return 0;
}

int modload_load(struct modload *ml, const char *name)
{
        struct fake_module *f = find(name);

        (void)ml;
        if (!f) {
                loads_unknown++;
                return -ENOENT;
        }
        f->loads++;
        if (f->load_error)
                return f->load_error;
        switch (f->state) {
        case MODULE_MISSING:
                return -ENOENT;
        case MODULE_UNKNOWN:
        case MODULE_AVAILABLE:
                f->state = MODULE_LOADED;
                break;
        default:
                break;
        }
        if (on_load)
                on_load(on_load_data, f->name);
        return 0;
}
