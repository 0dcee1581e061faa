/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The IOMMU summary and the findings iommu-hardware, iommu-enabled, iommu-mode and
 * interrupt-remapping (vfio-prep(8), CHECKS). */
#include <stdio.h>
#include <string.h>

#include "check_diag.h"
#include "check_finding.h"

/* ---- the IOMMU summary ------------------------------------------------------------------ */

static enum iommu_vendor vendor_of(const struct machine *m)
{
        if (m->iommu.acpi_dmar)
                return IOMMU_VENDOR_INTEL;
        if (m->iommu.acpi_ivrs)
                return IOMMU_VENDOR_AMD;
        if (m->iommu.acpi_iort)
                return IOMMU_VENDOR_ARM;
        for (size_t i = 0; i < m->iommu.n_units && m->iommu.units; i++) {
                if (strncmp(m->iommu.units[i], "dmar", 4) == 0)
                        return IOMMU_VENDOR_INTEL;
                if (strncmp(m->iommu.units[i], "ivhd", 4) == 0)
                        return IOMMU_VENDOR_AMD;
        }
        switch (m->cpu) {
        case CPU_INTEL:
                return IOMMU_VENDOR_INTEL;
        case CPU_AMD:
                return IOMMU_VENDOR_AMD;
        case CPU_ARM:
                return IOMMU_VENDOR_ARM;
        default:
                return IOMMU_VENDOR_UNKNOWN;
        }
}

/* A boolean as the kernel's kstrtobool() reads it: 1 true, 0 false, -1 neither. */
int kernel_bool(const char *s)
{
        if (!s || !s[0])
                return -1;
        if (strchr("1yYtT", s[0]))
                return 1;
        if (strchr("0nNfF", s[0]))
                return 0;
        if ((s[0] == 'o' || s[0] == 'O') && s[1])
                return (s[1] == 'n' || s[1] == 'N') ? 1 : (s[1] == 'f' || s[1] == 'F') ? 0 : -1;
        return -1;
}

/* When no group tells its domain type, the command line and the kernel's default do. */
static enum iommu_mode mode_from_settings(const struct machine *m, const struct cmdline *c)
{
        int pt = kernel_bool(c ? cmdline_value(c, "iommu.passthrough") : NULL);

        if (pt >= 0)
                return pt ? IOMMU_MODE_PASSTHROUGH : IOMMU_MODE_TRANSLATED;
        if (m->x86 && find_token(c, "iommu", "pt"))
                return IOMMU_MODE_PASSTHROUGH;
        if (m->kconfig.iommu_default_passthrough == TRI_YES)
                return IOMMU_MODE_PASSTHROUGH;
        if (m->kconfig.iommu_default_passthrough == TRI_NO)
                return IOMMU_MODE_TRANSLATED;
        return IOMMU_MODE_UNKNOWN;
}

/*
 * The default domain type of the groups. A few groups always differ from the rest (an
 * integrated GPU kept in identity, untrusted Thunderbolt devices kept translated under
 * iommu=pt), so the majority decides rather than unanimity; a tie counts as translated.
 */
struct iommu_summary iommu_summarize(const struct machine *m, const struct cmdline *c)
{
        struct iommu_summary s = {
                .vendor = vendor_of(m),
                .hardware = m->iommu.acpi_dmar || m->iommu.acpi_ivrs || m->iommu.acpi_iort || m->iommu.n_units > 0,
                .enabled = m->n_groups > 0,
                .mode = IOMMU_MODE_UNKNOWN,
        };
        size_t identity = 0, dma = 0;

        for (size_t i = 0; i < m->n_groups; i++) {
                const char *t = m->groups[i].type;
                if (!t)
                        continue;
                if (strcmp(t, "identity") == 0)
                        identity++;
                else if (strcmp(t, "DMA") == 0 || strcmp(t, "DMA-FQ") == 0)
                        dma++;
        }
        if (identity + dma > 0)
                s.mode = identity > dma ? IOMMU_MODE_PASSTHROUGH : IOMMU_MODE_TRANSLATED;
        else if (s.enabled)
                s.mode = mode_from_settings(m, c);
        return s;
}

const char *iommu_vendor_to_string(enum iommu_vendor v)
{
        switch (v) {
        case IOMMU_VENDOR_INTEL:
                return "intel";
        case IOMMU_VENDOR_AMD:
                return "amd";
        case IOMMU_VENDOR_ARM:
                return "arm";
        default:
                return "unknown";
        }
}

const char *iommu_mode_to_string(enum iommu_mode m)
{
        switch (m) {
        case IOMMU_MODE_PASSTHROUGH:
                return "passthrough";
        case IOMMU_MODE_TRANSLATED:
                return "translated";
        default:
                return "unknown";
        }
}

/* ---- iommu-hardware, iommu-enabled, iommu-mode, interrupt-remapping ---------------------- */

static const char *vendor_label(enum iommu_vendor v)
{
        switch (v) {
        case IOMMU_VENDOR_INTEL:
                return "Intel VT-d";
        case IOMMU_VENDOR_AMD:
                return "AMD-Vi";
        case IOMMU_VENDOR_ARM:
                return "Arm SMMU";
        default:
                return "IOMMU";
        }
}

static const char *vendor_table(const struct machine *m)
{
        return m->iommu.acpi_dmar ? "DMAR" : m->iommu.acpi_ivrs ? "IVRS" : m->iommu.acpi_iort ? "IORT" : NULL;
}

static const char *firmware_hint(enum cpu_vendor cpu)
{
        switch (cpu) {
        case CPU_INTEL:
                return "enable VT-d (Intel Virtualization Technology for Directed I/O) in the firmware setup";
        case CPU_AMD:
                return "enable the IOMMU in the firmware setup (called IOMMU or AMD-Vi; on some boards it "
                       "appears only once SVM Mode is enabled)";
        default:
                return "enable the IOMMU in the firmware setup, if this machine has one";
        }
}

int check_iommu_hardware(const struct ctx *x, struct report *r)
{
        const struct machine *m = x->m;
        const char *table = vendor_table(m);
        size_t n = m->iommu.n_units;
        struct fb f = { 0 };

        if (!x->sum.hardware) {
                fb_msg(&f, CHECK_FAIL, "no IOMMU found: no DMAR, IVRS or IORT table and no IOMMU unit");
                fb_hint(&f, "%s", machine_virt_name(m) ? virt_iommu_hint() : firmware_hint(m->cpu));
        } else if (table && n == 0)
                fb_msg(&f, CHECK_PASS, "%s (%s table, no unit active)", vendor_label(x->sum.vendor), table);
        else if (table)
                fb_msg(&f, CHECK_PASS, "%s (%s table, %zu unit%s)", vendor_label(x->sum.vendor), table, n, plural_s(n));
        else
                fb_msg(&f, CHECK_PASS, "%s (%zu unit%s, no ACPI IOMMU table)", vendor_label(x->sum.vendor), n,
                       plural_s(n));
        return fb_emit(r, "iommu-hardware", &f);
}

/* The one place that decides which parameter turns this IOMMU off: the findings cmdline and
 * iommu-enabled both ask it, so they never disagree (vfio-prep(8), CHECKS). */
const struct cmdline_param *iommu_disabling_param(const struct ctx *x)
{
        const struct cmdline_param *p = NULL, *on = NULL;

        if (x->sum.vendor == IOMMU_VENDOR_INTEL) {
                p = find_token(x->c, "intel_iommu", "off");
                on = find_token(x->c, "intel_iommu", "on");
                if (p && on > p) /* a later intel_iommu=on wins */
                        p = NULL;
        } else if (x->sum.vendor == IOMMU_VENDOR_AMD)
                p = find_token(x->c, "amd_iommu", "off");
        if (!p && x->m->x86)
                p = find_token(x->c, "iommu", "off");
        return p;
}

bool intel_default_off(const struct machine *m)
{
        return m->kconfig.found && m->kconfig.intel_iommu_default_on == TRI_NO &&
               m->kconfig.intel_iommu_default_on_intgpu_off != TRI_YES;
}

int check_iommu_enabled(const struct ctx *x, struct report *r)
{
        const struct cmdline_param *off = iommu_disabling_param(x);
        bool intel_missing_on = x->sum.vendor == IOMMU_VENDOR_INTEL && !find_token(x->c, "intel_iommu", "on");
        struct fb f = { 0 };

        if (x->sum.enabled)
                fb_msg(&f, CHECK_PASS, "%zu IOMMU group%s", x->m->n_groups, plural_s(x->m->n_groups));
        else if (!x->sum.hardware) {
                fb_msg(&f, CHECK_FAIL, "no IOMMU groups");
                fb_hint(&f, "%s",
                        machine_virt_name(x->m) ? "give this virtual machine a virtual IOMMU first (see iommu-hardware)"
                                                : "enable the IOMMU in the firmware setup first (see iommu-hardware)");
        } else {
                fb_msg(&f, CHECK_FAIL, "hardware present but disabled: no IOMMU groups");
                if (off)
                        fb_hint_remove_param(&f, x->in, off, NULL);
                else if (intel_missing_on && intel_default_off(x->m))
                        fb_hint_boot(&f, x->in, true, "intel_iommu=on",
                                     " (this kernel leaves the Intel IOMMU off by default: "
                                     "CONFIG_INTEL_IOMMU_DEFAULT_ON is not set)");
                else if (intel_missing_on && !x->m->kconfig.found)
                        fb_hint_boot(&f, x->in, true, "intel_iommu=on",
                                     " (this kernel's default is unknown: no kernel config was found)");
                else if (machine_virt_name(x->m))
                        fb_hint(&f, "the host gives this virtual machine an IOMMU but the kernel did not enable it: "
                                    "look for errors in 'dmesg | grep -i -e DMAR -e AMD-Vi -e IOMMU'");
                else
                        fb_hint(&f, "the firmware reports an IOMMU but the kernel did not enable it: look for "
                                    "errors in 'dmesg | grep -i -e DMAR -e AMD-Vi -e IOMMU', check the IOMMU and "
                                    "DMA protection settings in the firmware setup, and update the firmware");
        }
        return fb_emit(r, "iommu-enabled", &f);
}

static const char *translated_type(const struct machine *m)
{
        for (size_t i = 0; i < m->n_groups; i++)
                if (m->groups[i].type && strncmp(m->groups[i].type, "DMA", 3) == 0)
                        return m->groups[i].type;
        return NULL;
}

int check_iommu_mode(const struct ctx *x, struct report *r)
{
        const char *type = translated_type(x->m);
        struct fb f = { 0 };

        switch (x->sum.mode) {
        case IOMMU_MODE_PASSTHROUGH:
                fb_msg(&f, CHECK_PASS, "passthrough: host devices use identity mappings");
                break;
        case IOMMU_MODE_TRANSLATED:
                if (type)
                        fb_msg(&f, CHECK_INFO, "translated (%s): host devices' DMA goes through IOMMU page tables",
                               type);
                else
                        fb_msg(&f, CHECK_INFO, "translated: host devices' DMA goes through IOMMU page tables");
                fb_hint_boot(&f, x->in, true, x->m->x86 ? "iommu=pt" : "iommu.passthrough=1",
                             " for host I/O performance (optional: devices given to VMs are isolated either way, "
                             "host devices lose DMA protection)");
                break;
        default:
                fb_msg(&f, CHECK_INFO,
                       x->sum.enabled ? "unknown: no IOMMU group reports its domain type"
                                      : "unknown: the IOMMU is not enabled");
                break;
        }
        return fb_emit(r, "iommu-mode", &f);
}

int check_interrupt_remapping(const struct ctx *x, struct report *r)
{
        const struct cmdline_param *off = find_token(x->c, "intremap", "off");
        struct fb f = { 0 };

        if (!x->m->x86)
                fb_msg(&f, CHECK_INFO,
                       "not checked on this architecture: MSI isolation is up to the interrupt "
                       "controller (a GICv3 ITS on Arm)");
        else if (x->m->iommu.interrupt_remapping == TRI_YES)
                fb_msg(&f, CHECK_PASS, "enabled");
        else if (x->m->iommu.interrupt_remapping == TRI_UNKNOWN)
                fb_msg(&f, CHECK_WARN, "cannot tell: /proc/interrupts not readable");
        else if (!x->sum.enabled)
                fb_msg(&f, CHECK_WARN, "not enabled: it comes with the IOMMU (see iommu-enabled)");
        else {
                fb_msg(&f, CHECK_WARN,
                       "not enabled: vfio refuses to give devices to a VM without it unless "
                       "vfio_iommu_type1.allow_unsafe_interrupts=1 is set");
                if (off)
                        fb_hint_remove_param(&f, x->in, off, NULL);
                else if (machine_virt_name(x->m))
                        fb_hint(&f, "%s", virt_iommu_hint());
                else
                        fb_hint(&f, "enable interrupt remapping in the firmware setup (it comes with VT-d or the "
                                    "AMD IOMMU; x2APIC settings can matter)");
                fb_hint_boot(&f, x->in, true, "vfio_iommu_type1.allow_unsafe_interrupts=1",
                             " only as a last resort: a VM can then inject interrupts (MSIs) into the host");
        }
        return fb_emit(r, "interrupt-remapping", &f);
}
