/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The builder of --check findings and the lookups they share. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "check_finding.h"

/* ---- building findings ---------------------------------------------------------------- */

_printf_(3, 4) void fb_msg(struct fb *f, enum check_status st, const char *fmt, ...)
{
        va_list ap;

        if (st > f->status)
                f->status = st;
        if (f->msg.len > 0)
                sbuf_appendf(&f->msg, "; ");
        va_start(ap, fmt);
        sbuf_vappendf(&f->msg, fmt, ap);
        va_end(ap);
}

_printf_(2, 3) void fb_hint(struct fb *f, const char *fmt, ...)
{
        va_list ap;

        if (f->hint.len > 0)
                sbuf_appendf(&f->hint, "; ");
        va_start(ap, fmt);
        sbuf_vappendf(&f->hint, fmt, ap);
        va_end(ap);
}

/* A hint naming the user's boot loader file and command, with TAIL after it. */
void fb_hint_boot(struct fb *f, const struct check_input *in, bool add, const char *param, const char *tail)
{
        _cleanup_free_ char *s = NULL;
        int k = add ? bootloader_hint_add(in->bootloader, param, &s)
                    : bootloader_hint_remove(in->bootloader, param, &s);

        if (k < 0) {
                f->hint.oom = true;
                return;
        }
        fb_hint(f, "%s%s", s, tail ? tail : "");
}

void fb_done(struct fb *f)
{
        free(f->msg.s);
        free(f->hint.s);
}

static int report_push(struct report *r, const char *id, struct fb *f)
{
        if (f->msg.oom || f->hint.oom)
                return -ENOMEM;
        if (array_grow(&r->findings, r->n_findings) < 0)
                return -ENOMEM;
        char *cid = strdup(id);
        char *msg = strdup(f->msg.s ? f->msg.s : "");
        if (!cid || !msg) {
                free(cid);
                free(msg);
                return -ENOMEM;
        }
        r->findings[r->n_findings++] = (struct finding){
                .status = f->status,
                .id = cid,
                .message = msg,
                .hint = f->hint.len > 0 ? TAKE_PTR(f->hint.s) : NULL,
        };
        return 0;
}

/* Add the finding and free the builder, in one step so that no path leaks it. */
int fb_emit(struct report *r, const char *id, struct fb *f)
{
        int k = report_push(r, id, f);
        fb_done(f);
        return k;
}

int fb_emit_at(struct report *r, const char *id, struct fb *f, const char *file, unsigned line)
{
        char *copy = strdup(file);
        int k = copy ? fb_emit(r, id, f) : (fb_done(f), -ENOMEM);

        if (k < 0) {
                free(copy);
                return k;
        }
        r->findings[r->n_findings - 1].file = copy;
        r->findings[r->n_findings - 1].line = line;
        return 0;
}

/* ---- small lookups ---------------------------------------------------------------------- */

const struct cmdline_param *param_get(const struct cmdline *c, const char *key)
{
        return c ? cmdline_get(c, key) : NULL;
}

bool value_has_token(const char *value, const char *token)
{
        size_t n = strlen(token);

        for (const char *p = value; p && *p;) {
                size_t len = strcspn(p, ",");
                if (len == n && strncmp(p, token, n) == 0)
                        return true;
                p += len;
                p += *p == ',';
        }
        return false;
}

/* The last KEY=... whose comma-separated value holds TOKEN: __setup() options see every
 * occurrence, not only the last one. */
const struct cmdline_param *find_token(const struct cmdline *c, const char *key, const char *token)
{
        const struct cmdline_param *hit = NULL;

        for (size_t i = 0; c && i < c->n_params; i++)
                if (cmdline_key_eq(c->params[i].key, key) && value_has_token(c->params[i].value, token))
                        hit = &c->params[i];
        return hit;
}

/* "key=value" as written, for hints; NULL on allocation failure. */
char *param_text(const struct cmdline_param *p)
{
        char *s = NULL;

        if (asprintf(&s, "%s%s%s", p->key, p->value ? "=" : "", p->value ? p->value : "") < 0)
                return NULL;
        return s;
}

void fb_hint_remove_param(struct fb *f, const struct check_input *in, const struct cmdline_param *p, const char *tail)
{
        _cleanup_free_ char *t = param_text(p);

        if (!t) {
                f->hint.oom = true;
                return;
        }
        fb_hint_boot(f, in, false, t, tail);
}

const struct boot_record_entry *record_find(const struct machine *m, const char *name)
{
        for (size_t i = 0; m->record.found && i < m->record.n_entries; i++)
                if (strcmp(m->record.entries[i].name, name) == 0)
                        return &m->record.entries[i];
        return NULL;
}

const char *config_file(const struct check_input *in)
{
        if (in->config && in->config->n_files > 0 && in->config->files[0])
                return in->config->files[0];
        return VFIO_PREP_CONF;
}

const char *entry_origin(const struct device_conf *dc)
{
        return dc && dc->origin ? dc->origin : "the configuration";
}

/* Options exist only in files: entries from --device or vfio-prep.devices= take none. */
void fb_hint_option(struct fb *f, const struct check_input *in, const struct device_conf *dc, const char *option,
                    const char *tail)
{
        if (dc && dc->origin && dc->from_file)
                fb_hint(f, "add %s to its entry in %s%s", option, dc->origin, tail);
        else
                fb_hint(f, "put a 'device %s %s' line in %s%s", dc && dc->text ? dc->text : "SELECTOR", option,
                        config_file(in), tail);
}

size_t fb_hint_device_lines(struct fb *f, const struct machine *m, const struct selector *sel, size_t skip)
{
        size_t n = 0;

        for (size_t i = 0; i < m->n_devices; i++) {
                const struct pci_device *d = &m->devices[i];
                if (i == skip || !selector_matches(sel, d))
                        continue;
                if (f)
                        sbuf_appendf(&f->hint, "%s'device %s id=%04x:%04x'", n ? ", " : "", d->name, d->vendor,
                                     d->device);
                n++;
        }
        return n;
}

const char *dev_name(const struct machine *m, size_t device)
{
        return device < m->n_devices ? m->devices[device].name : "?";
}

long group_id_of(const struct machine *m, size_t group)
{
        return group < m->n_groups ? m->groups[group].id : -1;
}

const char *plural_s(size_t n)
{
        return n == 1 ? "" : "s";
}
