/* SPDX-License-Identifier: GPL-2.0-or-later */
/* --check: the findings in order, and the report they make. */
#include "check.h"

#include <errno.h>
#include <stdlib.h>

#include "check_diag.h"
#include "check_finding.h"

const char *check_status_to_string(enum check_status s)
{
        switch (s) {
        case CHECK_PASS:
                return "pass";
        case CHECK_INFO:
                return "info";
        case CHECK_WARN:
                return "warn";
        case CHECK_FAIL:
                return "fail";
        }
        return "unknown";
}

/* ---- the report ------------------------------------------------------------------------------ */

static int run_checks(const struct ctx *x, struct report *r)
{
        static int (*const system_checks[])(const struct ctx *, struct report *) = {
                check_virtual_machine, check_iommu_hardware,      check_iommu_enabled,
                check_iommu_mode,      check_interrupt_remapping, check_cmdline,
                check_vfio_driver,     check_initramfs,           check_config,
                check_root_device,
        };
        const struct selection *s = x->in->selection;
        int k;

        for (size_t i = 0; i < ARRAY_SIZE(system_checks); i++)
                if ((k = system_checks[i](x, r)) < 0)
                        return k;
        for (size_t i = 0; s && i < s->n_items; i++)
                if (s->items[i].device < x->m->n_devices &&
                    ((k = check_device(x, &s->items[i], r)) < 0 || (k = check_reset(x, &s->items[i], r)) < 0 ||
                     (k = check_usb(x, &s->items[i], r)) < 0 || (k = check_framebuffer(x, &s->items[i], r)) < 0))
                        return k;
        for (size_t i = 0; s && i < s->n_unmatched; i++)
                if ((k = check_unmatched(x, &s->unmatched[i], r)) < 0)
                        return k;
        if ((k = check_groups(x, r)) < 0)
                return k;
        return check_sysfs(x, r);
}

int check_run(const struct check_input *in, struct report *ret)
{
        struct report r = { 0 };

        if (!in || !in->machine || !in->plan)
                return -EINVAL;
        struct ctx x = {
                .in = in,
                .m = in->machine,
                .c = in->cmdline,
                .plan = in->plan,
                .sum = iommu_summarize(in->machine, in->cmdline),
        };
        int k = run_checks(&x, &r);
        if (k < 0) {
                report_done(&r);
                return k;
        }
        r.iommu = x.sum;
        r.ready = true;
        for (size_t i = 0; i < r.n_findings; i++)
                r.ready &= r.findings[i].status != CHECK_FAIL;
        *ret = r;
        return 0;
}

void report_done(struct report *r)
{
        for (size_t i = 0; i < r->n_findings; i++) {
                free(r->findings[i].id);
                free(r->findings[i].message);
                free(r->findings[i].hint);
                free(r->findings[i].file);
        }
        free(r->findings);
        *r = (struct report){ 0 };
}
