/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "check.h"
#include "macro.h"
#include "pcicfg.h"
#include "plan.h"
#include "support/model-literal.h"

/*
 * A machine built from literals, so that the checks are tested on their own, not through the
 * loading, selection and analysis code:
 *   0 0000:00:00.0 host bridge          group 0 (id 0)
 *   1 0000:00:01.0 PCIe root port       group 1 (id 1)
 *   2 0000:00:02.0 iGPU (i915), boot VGA group 2 (id 2)
 *   3 0000:01:00.0 GPU (nvidia)         group 1
 *   4 0000:01:00.1 HDMI audio           group 1
 *   5 0000:02:00.0 NVMe, root device    group 3 (id 13)
 *   6 0000:03:00.0 USB controller       group 4 (id 14)
 * An Intel machine with VT-d on, GRUB, /etc/vfio-prep.conf selecting 01:00.0 (functions=auto
 * pulled in 01:00.1), group 1 isolated: every check passes.
 */
/* The table case being run, named in failure messages. */
static const char *current = "";

struct fx {
        struct model mo;
        struct reserved_region regions[2];
        char *units[3];
        struct boot_record_entry record[2];
        struct load_problem problems[5];
        uint8_t rootport_cfg[256];
        struct device_conf conf[4];
        char *files[3];
        struct config cfg;
        struct selected items[12];
        struct unmatched unm[2];
        struct selection sel;
        struct group_analysis ga[8];
        size_t blockers[4];
        struct explanation why[4];
        struct analysis an;
        struct plan plan;
        size_t rootdevs[2], resumedevs[2];
        struct rootdisk resume;
        struct rootinfo ri;
        struct cmdline cl;
        struct bootloader bl;
        struct check_input in;
        struct report rep;
};

/* Move DEV from its group to GROUP. */
static void move(struct fx *f, size_t dev, size_t group)
{
        struct iommu_group *old = &f->mo.g[f->mo.d[dev].group];

        for (size_t i = 0; i < old->n_devices; i++)
                if (old->devices[i] == dev) {
                        memmove(&old->devices[i], &old->devices[i + 1], (old->n_devices - i - 1) * sizeof(size_t));
                        old->n_devices--;
                        break;
                }
        model_put(&f->mo, dev, group);
}

static void pick(struct fx *f, size_t dev, const struct device_conf *conf, enum selected_why why, size_t pulled_by)
{
        f->items[f->sel.n_items++] =
                (struct selected){ .device = dev, .conf = conf, .why = why, .pulled_by = pulled_by };
}

static struct group_analysis *analysed(struct fx *f, size_t group, bool isolated)
{
        struct group_analysis *ga = &f->ga[f->an.n_groups++];

        *ga = (struct group_analysis){ .group = group, .isolated = isolated };
        return ga;
}

static void set_cmdline(struct fx *f, const char *text)
{
        cmdline_done(&f->cl);
        assert_int_equal(cmdline_parse(text, &f->cl), 0);
}

/* A root port's config space: a PCIe capability at 0x40 saying "root port", no extended space. */
static void make_rootport_cfg(uint8_t cfg[static 256])
{
        memset(cfg, 0, 256);
        cfg[0x06] = 0x10; /* capability list */
        cfg[0x0e] = 0x01; /* type 1 header */
        cfg[0x34] = 0x40;
        cfg[0x40] = 0x10; /* PCI Express */
        cfg[0x42] = 0x42; /* version 2, type 4: root port */
}

static void fx_init(struct fx *f)
{
        memset(f, 0, sizeof(*f));
        current = "";
        model_init(&f->mo);
        f->mo.m.release = (char *)"6.1.0-13-amd64";
        f->mo.m.cpu = CPU_INTEL;
        f->mo.m.x86 = true;
        f->units[0] = (char *)"dmar0";
        f->mo.m.iommu = (struct iommu_info){
                .acpi_dmar = true, .units = f->units, .n_units = 1, .interrupt_remapping = TRI_YES
        };
        f->mo.m.kconfig = (struct kernel_config){ .found = true,
                                                  .intel_iommu_default_on = TRI_NO,
                                                  .intel_iommu_default_on_intgpu_off = TRI_YES,
                                                  .iommu_default_passthrough = TRI_UNKNOWN,
                                                  .vfio_pci_builtin = TRI_UNKNOWN };
        f->mo.m.record.entries = f->record;
        f->mo.m.problems = f->problems;
        for (long id = 0; id < 5; id++)
                model_add_group(&f->mo, id < 3 ? id : id + 10);
        model_put(&f->mo, model_add_dev(&f->mo, "0000:00:00.0", 0x8086, 0x3e30, 0x060000, NULL), 0);
        model_put(&f->mo, model_add_dev(&f->mo, "0000:00:01.0", 0x8086, 0x1901, 0x060400, "pcieport"), 1);
        model_put(&f->mo, model_add_dev(&f->mo, "0000:00:02.0", 0x8086, 0x3e92, 0x030000, "i915"), 2);
        model_put(&f->mo, model_add_dev(&f->mo, "0000:01:00.0", 0x10de, 0x2484, 0x030000, "nvidia"), 1);
        model_put(&f->mo, model_add_dev(&f->mo, "0000:01:00.1", 0x10de, 0x228b, 0x040300, "snd_hda_intel"), 1);
        model_put(&f->mo, model_add_dev(&f->mo, "0000:02:00.0", 0x144d, 0xa808, 0x010802, "nvme"), 3);
        model_put(&f->mo, model_add_dev(&f->mo, "0000:03:00.0", 0x1b21, 0x2142, 0x0c0330, "xhci_hcd"), 4);
        f->mo.d[2].boot_vga = TRI_YES;
        make_rootport_cfg(f->rootport_cfg);
        f->mo.d[1].config = f->rootport_cfg;
        f->mo.d[1].config_len = sizeof(f->rootport_cfg);

        f->conf[0] = (struct device_conf){ .text = (char *)"01:00.0",
                                           .origin = (char *)"/etc/vfio-prep.conf:3",
                                           .from_file = true,
                                           .functions = FUNCTIONS_AUTO,
                                           .vfs = -1 };
        assert_int_equal(pci_addr_parse("01:00.0", &f->conf[0].sel.addr), 0);
        f->files[0] = (char *)"/etc/vfio-prep.conf";
        f->cfg = (struct config){
                .devices = f->conf, .n_devices = 1, .isolation = ISOLATION_STRICT, .files = f->files, .n_files = 1
        };
        f->sel.items = f->items;
        f->sel.unmatched = f->unm;
        pick(f, 3, &f->conf[0], SELECTED_BY_SELECTOR, NONE);
        pick(f, 4, &f->conf[0], SELECTED_BY_FUNCTIONS, 3);
        f->an.groups = f->ga;
        analysed(f, 1, true);
        f->rootdevs[0] = 5;
        f->ri.root = (struct rootdisk){
                .spec = (char *)"/dev/nvme0n1p2", .block = (char *)"nvme0n1p2", .devices = f->rootdevs, .n_devices = 1
        };
        f->ri.extra = &f->resume;
        f->ri.n_extra = 1;
        f->bl = (struct bootloader){ BOOTLOADER_GRUB, "/etc/default/grub", "update-grub" };
        set_cmdline(f, "BOOT_IMAGE=/vmlinuz root=/dev/nvme0n1p2 ro quiet");
        f->in = (struct check_input){
                .machine = &f->mo.m,
                .cmdline = &f->cl,
                .config = &f->cfg,
                .selection = &f->sel,
                .analysis = &f->an,
                .rootinfo = &f->ri,
                .bootloader = &f->bl,
                .vfio_pci = MODULE_AVAILABLE,
                .vfio_iommu_type1 = MODULE_AVAILABLE,
        };
}

static void fx_done(struct fx *f)
{
        report_done(&f->rep);
        plan_done(&f->plan);
        cmdline_done(&f->cl);
}

/* As the command layer does: the plan first, from the same facts, then the check renders it. */
static void run(struct fx *f)
{
        const struct plan_input pi = {
                .machine = f->in.machine,
                .cmdline = f->in.cmdline,
                .config = f->in.config,
                .selection = f->in.selection,
                .analysis = f->in.analysis,
                .rootinfo = f->in.rootinfo,
        };

        report_done(&f->rep);
        plan_done(&f->plan);
        assert_int_equal(plan_build(&pi, &f->plan), 0);
        f->in.plan = &f->plan;
        assert_int_equal(check_run(&f->in, &f->rep), 0);
}

static const struct finding *get(const struct report *r, const char *id)
{
        for (size_t i = 0; i < r->n_findings; i++)
                if (strcmp(r->findings[i].id, id) == 0)
                        return &r->findings[i];
        fail_msg("no finding '%s'", id);
        return NULL;
}

static bool has(const struct report *r, const char *id)
{
        for (size_t i = 0; i < r->n_findings; i++)
                if (strcmp(r->findings[i].id, id) == 0)
                        return true;
        return false;
}

/* PHRASE must occur in GOT: findings are asserted by id, status and key phrases, while the whole
 * sentences are the command-line goldens' (tests/cli/golden/). */
static void has_phrase(const char *what, const char *got, const char *phrase)
{
        if (!got || !strstr(got, phrase))
                fail_msg("[%s] %s:\n  got:  %s\n  lacks: %s", current, what, got ? got : "(null)", phrase);
}

/* Finding ID has status ST, its message says MSG and its hint HINT (HINT NULL: it has none). */
static void expect(const struct report *r, const char *id, enum check_status st, const char *msg, const char *hint)
{
        const struct finding *x = get(r, id);

        if (x->status != st)
                fail_msg("[%s] %s: status %s, expected %s (%s)", current, id, check_status_to_string(x->status),
                         check_status_to_string(st), x->message);
        has_phrase(id, x->message, msg);
        if (hint)
                has_phrase("hint", x->hint, hint);
        else if (x->hint)
                fail_msg("[%s] %s: unexpected hint '%s'", current, id, x->hint);
}

static void expect_contains(const char *s, const char *part)
{
        has_phrase("text", s, part);
}

#define GRUB_THEN " in /etc/default/grub, then run update-grub"
#define GRUB_ADD(p) "add '" p "' to GRUB_CMDLINE_LINUX_DEFAULT" GRUB_THEN
#define GRUB_REMOVE(p) "remove '" p "' from GRUB_CMDLINE_LINUX_DEFAULT and GRUB_CMDLINE_LINUX" GRUB_THEN

/* ---- the whole report -------------------------------------------------------------------- */

static void test_ready_machine(void **state)
{
        static const char *const ids[] = {
                "iommu-hardware", "iommu-enabled", "iommu-mode",  "interrupt-remapping", "cmdline",
                "vfio-driver",    "config",        "root-device", "device:0000:01:00.0", "device:0000:01:00.1",
                "group:1",
        };
        struct fx f;

        fx_init(&f);
        set_cmdline(&f, "BOOT_IMAGE=/vmlinuz root=/dev/nvme0n1p2 ro quiet intel_iommu=on");
        run(&f);
        assert_int_equal(f.rep.n_findings, ARRAY_SIZE(ids));
        for (size_t i = 0; i < ARRAY_SIZE(ids); i++)
                assert_string_equal(f.rep.findings[i].id, ids[i]);
        assert_true(f.rep.ready);
        assert_int_equal(f.rep.iommu.vendor, IOMMU_VENDOR_INTEL);
        assert_true(f.rep.iommu.hardware);
        assert_true(f.rep.iommu.enabled);
        assert_int_equal(f.rep.iommu.mode, IOMMU_MODE_TRANSLATED);
        expect(&f.rep, "iommu-hardware", CHECK_PASS, "Intel VT-d (DMAR table, 1 unit)", NULL);
        expect(&f.rep, "iommu-enabled", CHECK_PASS, "5 IOMMU groups", NULL);
        expect(&f.rep, "iommu-mode", CHECK_INFO, "translated (DMA-FQ)",
               GRUB_ADD("iommu=pt") " for host I/O performance");
        expect(&f.rep, "interrupt-remapping", CHECK_PASS, "enabled", NULL);
        expect(&f.rep, "cmdline", CHECK_PASS, "no problems in intel_iommu=on", NULL);
        expect(&f.rep, "vfio-driver", CHECK_PASS, "vfio-pci module available for 6.1.0-13-amd64", NULL);
        expect(&f.rep, "config", CHECK_PASS, "isolation strict", NULL);
        expect(&f.rep, "root-device", CHECK_PASS, "behind 0000:02:00.0", NULL);
        expect(&f.rep, "device:0000:01:00.0", CHECK_PASS, "will be bound to vfio-pci at boot (now on nvidia)", NULL);
        expect(&f.rep, "device:0000:01:00.1", CHECK_PASS, "added by functions=auto from 0000:01:00.0", NULL);
        expect(&f.rep, "group:1", CHECK_PASS, "isolated: 0000:00:01.0, 0000:01:00.0, 0000:01:00.1", NULL);
        fx_done(&f);
}

static void test_strings(void **state)
{
        assert_string_equal(check_status_to_string(CHECK_PASS), "pass");
        assert_string_equal(check_status_to_string(CHECK_INFO), "info");
        assert_string_equal(check_status_to_string(CHECK_WARN), "warn");
        assert_string_equal(check_status_to_string(CHECK_FAIL), "fail");
        assert_string_equal(iommu_vendor_to_string(IOMMU_VENDOR_INTEL), "intel");
        assert_string_equal(iommu_vendor_to_string(IOMMU_VENDOR_AMD), "amd");
        assert_string_equal(iommu_vendor_to_string(IOMMU_VENDOR_ARM), "arm");
        assert_string_equal(iommu_vendor_to_string(IOMMU_VENDOR_UNKNOWN), "unknown");
        assert_string_equal(iommu_mode_to_string(IOMMU_MODE_PASSTHROUGH), "passthrough");
        assert_string_equal(iommu_mode_to_string(IOMMU_MODE_TRANSLATED), "translated");
        assert_string_equal(iommu_mode_to_string(IOMMU_MODE_UNKNOWN), "unknown");
}

/* ---- iommu_summarize ---------------------------------------------------------------------- */

static void test_summarize(void **state)
{
        static const struct {
                const char *name;
                bool dmar, ivrs, iort;
                const char *unit;
                enum cpu_vendor cpu;
                const char *types[4]; /* one group per entry; "-" for a group without a type */
                const char *cmdline;
                enum tristate default_pt;
                enum iommu_vendor vendor;
                bool hardware, enabled;
                enum iommu_mode mode;
        } cases[] = {
                { "intel",
                  true,
                  false,
                  false,
                  "dmar0",
                  CPU_INTEL,
                  { "DMA-FQ", "DMA-FQ" },
                  "",
                  TRI_UNKNOWN,
                  IOMMU_VENDOR_INTEL,
                  true,
                  true,
                  IOMMU_MODE_TRANSLATED },
                { "amd passthrough",
                  false,
                  true,
                  false,
                  "ivhd0",
                  CPU_AMD,
                  { "identity", "identity" },
                  "",
                  TRI_UNKNOWN,
                  IOMMU_VENDOR_AMD,
                  true,
                  true,
                  IOMMU_MODE_PASSTHROUGH },
                { "arm",
                  false,
                  false,
                  true,
                  NULL,
                  CPU_ARM,
                  { "DMA" },
                  "",
                  TRI_UNKNOWN,
                  IOMMU_VENDOR_ARM,
                  true,
                  true,
                  IOMMU_MODE_TRANSLATED },
                { "none",
                  false,
                  false,
                  false,
                  NULL,
                  CPU_INTEL,
                  { NULL },
                  "",
                  TRI_UNKNOWN,
                  IOMMU_VENDOR_INTEL,
                  false,
                  false,
                  IOMMU_MODE_UNKNOWN },
                { "none, other cpu",
                  false,
                  false,
                  false,
                  NULL,
                  CPU_OTHER,
                  { NULL },
                  "",
                  TRI_UNKNOWN,
                  IOMMU_VENDOR_UNKNOWN,
                  false,
                  false,
                  IOMMU_MODE_UNKNOWN },
                { "hardware present but off",
                  true,
                  false,
                  false,
                  NULL,
                  CPU_INTEL,
                  { NULL },
                  "intel_iommu=off",
                  TRI_UNKNOWN,
                  IOMMU_VENDOR_INTEL,
                  true,
                  false,
                  IOMMU_MODE_UNKNOWN },
                { "unit without table",
                  false,
                  false,
                  false,
                  "ivhd0",
                  CPU_UNKNOWN,
                  { "DMA" },
                  "",
                  TRI_UNKNOWN,
                  IOMMU_VENDOR_AMD,
                  true,
                  true,
                  IOMMU_MODE_TRANSLATED },
                { "table beats cpu",
                  true,
                  false,
                  false,
                  NULL,
                  CPU_AMD,
                  { NULL },
                  "",
                  TRI_UNKNOWN,
                  IOMMU_VENDOR_INTEL,
                  true,
                  false,
                  IOMMU_MODE_UNKNOWN },
                { "majority identity",
                  true,
                  false,
                  false,
                  "dmar0",
                  CPU_INTEL,
                  { "identity", "identity", "DMA", "identity" },
                  "",
                  TRI_UNKNOWN,
                  IOMMU_VENDOR_INTEL,
                  true,
                  true,
                  IOMMU_MODE_PASSTHROUGH },
                { "tie is translated",
                  true,
                  false,
                  false,
                  "dmar0",
                  CPU_INTEL,
                  { "identity", "DMA-FQ" },
                  "",
                  TRI_UNKNOWN,
                  IOMMU_VENDOR_INTEL,
                  true,
                  true,
                  IOMMU_MODE_TRANSLATED },
                { "vfio groups do not count",
                  true,
                  false,
                  false,
                  "dmar0",
                  CPU_INTEL,
                  { "unmanaged", "identity", "blocked" },
                  "",
                  TRI_UNKNOWN,
                  IOMMU_VENDOR_INTEL,
                  true,
                  true,
                  IOMMU_MODE_PASSTHROUGH },
                { "no types, iommu=pt",
                  true,
                  false,
                  false,
                  "dmar0",
                  CPU_INTEL,
                  { "-" },
                  "iommu=pt",
                  TRI_UNKNOWN,
                  IOMMU_VENDOR_INTEL,
                  true,
                  true,
                  IOMMU_MODE_PASSTHROUGH },
                { "no types, iommu.passthrough=0",
                  true,
                  false,
                  false,
                  "dmar0",
                  CPU_INTEL,
                  { "-" },
                  "iommu.passthrough=0",
                  TRI_YES,
                  IOMMU_VENDOR_INTEL,
                  true,
                  true,
                  IOMMU_MODE_TRANSLATED },
                { "no types, iommu.passthrough=on",
                  true,
                  false,
                  false,
                  "dmar0",
                  CPU_INTEL,
                  { "-" },
                  "iommu.passthrough=on",
                  TRI_NO,
                  IOMMU_VENDOR_INTEL,
                  true,
                  true,
                  IOMMU_MODE_PASSTHROUGH },
                { "no types, kernel default",
                  true,
                  false,
                  false,
                  "dmar0",
                  CPU_INTEL,
                  { "-" },
                  "",
                  TRI_YES,
                  IOMMU_VENDOR_INTEL,
                  true,
                  true,
                  IOMMU_MODE_PASSTHROUGH },
                { "no types, nothing known",
                  true,
                  false,
                  false,
                  "dmar0",
                  CPU_INTEL,
                  { "-" },
                  "",
                  TRI_UNKNOWN,
                  IOMMU_VENDOR_INTEL,
                  true,
                  true,
                  IOMMU_MODE_UNKNOWN },
        };

        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                struct machine m = { .cpu = cases[i].cpu, .x86 = true };
                struct iommu_group g[4] = { 0 };
                char *units[2] = { (char *)cases[i].unit, NULL };
                struct cmdline c;

                m.iommu = (struct iommu_info){ .acpi_dmar = cases[i].dmar,
                                               .acpi_ivrs = cases[i].ivrs,
                                               .acpi_iort = cases[i].iort,
                                               .units = units,
                                               .n_units = cases[i].unit ? 1 : 0 };
                m.kconfig.iommu_default_passthrough = cases[i].default_pt;
                for (size_t k = 0; k < 4 && cases[i].types[k]; k++) {
                        g[k].id = (long)k;
                        g[k].type = strcmp(cases[i].types[k], "-") ? (char *)cases[i].types[k] : NULL;
                        m.n_groups++;
                }
                m.groups = g;
                assert_int_equal(cmdline_parse(cases[i].cmdline, &c), 0);
                struct iommu_summary s = iommu_summarize(&m, &c);
                cmdline_done(&c);
                if (s.vendor != cases[i].vendor || s.hardware != cases[i].hardware || s.enabled != cases[i].enabled ||
                    s.mode != cases[i].mode)
                        fail_msg("%s: got %s hardware=%d enabled=%d %s", cases[i].name,
                                 iommu_vendor_to_string(s.vendor), s.hardware, s.enabled, iommu_mode_to_string(s.mode));
        }
}

/* ---- iommu-hardware, iommu-enabled, iommu-mode, interrupt-remapping ----------------------- */

static void no_groups(struct fx *f)
{
        f->mo.m.n_groups = 0;
        for (size_t i = 0; i < f->mo.m.n_devices; i++) {
                f->mo.d[i].group = NONE;
                f->mo.d[i].iommu_group = -1;
        }
        f->an.n_groups = 0;
}

static void test_iommu_hardware(void **state)
{
        static const struct {
                bool dmar, ivrs, iort;
                size_t units;
                enum cpu_vendor cpu;
                enum check_status st;
                const char *msg, *hint;
        } cases[] = {
                { true, false, false, 1, CPU_INTEL, CHECK_PASS, "Intel VT-d (DMAR table, 1 unit)", NULL },
                { false, true, false, 2, CPU_AMD, CHECK_PASS, "AMD-Vi (IVRS table, 2 units)", NULL },
                { false, false, true, 0, CPU_ARM, CHECK_PASS, "Arm SMMU (IORT table, no unit active)", NULL },
                { false, false, false, 1, CPU_INTEL, CHECK_PASS, "Intel VT-d (1 unit, no ACPI IOMMU table)", NULL },
                { false, false, false, 0, CPU_INTEL, CHECK_FAIL, "no IOMMU found", "enable VT-d" },
                { false, false, false, 0, CPU_AMD, CHECK_FAIL, "no IOMMU found", "once SVM Mode is enabled" },
                { false, false, false, 0, CPU_OTHER, CHECK_FAIL, "no IOMMU found", "if this machine has one" },
        };

        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                struct fx f;
                char *units[] = { (char *)"dmar0", (char *)"dmar1", NULL };

                fx_init(&f);
                f.mo.m.cpu = cases[i].cpu;
                f.mo.m.iommu.acpi_dmar = cases[i].dmar;
                f.mo.m.iommu.acpi_ivrs = cases[i].ivrs;
                f.mo.m.iommu.acpi_iort = cases[i].iort;
                f.mo.m.iommu.units = units;
                f.mo.m.iommu.n_units = cases[i].units;
                if (cases[i].st == CHECK_FAIL)
                        no_groups(&f);
                run(&f);
                expect(&f.rep, "iommu-hardware", cases[i].st, cases[i].msg, cases[i].hint);
                assert_int_equal(f.rep.ready, cases[i].st != CHECK_FAIL);
                fx_done(&f);
        }
}

#define FIRMWARE_HINT "the firmware reports an IOMMU but the kernel did not enable it"

static void test_iommu_enabled(void **state)
{
        static const struct {
                const char *name;
                bool groups, dmar, ivrs;
                const char *cmdline;
                bool kconfig;
                enum tristate default_on, intgpu_off;
                enum check_status st;
                const char *msg, *hint;
        } cases[] = {
                { "enabled", true, true, false, "", true, TRI_NO, TRI_YES, CHECK_PASS, "5 IOMMU groups", NULL },
                { "no hardware", false, false, false, "", true, TRI_YES, TRI_NO, CHECK_FAIL, "no IOMMU groups",
                  "see iommu-hardware" },
                { "intel_iommu=off", false, true, false, "quiet intel_iommu=off", true, TRI_YES, TRI_NO, CHECK_FAIL,
                  "hardware present but disabled", GRUB_REMOVE("intel_iommu=off") },
                { "later =on wins", false, true, false, "intel_iommu=off intel_iommu=on", true, TRI_YES, TRI_NO,
                  CHECK_FAIL, "hardware present but disabled", FIRMWARE_HINT },
                { "iommu=off", false, true, false, "iommu=off", true, TRI_YES, TRI_NO, CHECK_FAIL,
                  "hardware present but disabled", GRUB_REMOVE("iommu=off") },
                { "intel default off", false, true, false, "quiet", true, TRI_NO, TRI_NO, CHECK_FAIL,
                  "hardware present but disabled",
                  GRUB_ADD("intel_iommu=on") " (this kernel leaves the Intel IOMMU off by default" },
                { "intel default unknown", false, true, false, "quiet", false, TRI_UNKNOWN, TRI_UNKNOWN, CHECK_FAIL,
                  "hardware present but disabled", GRUB_ADD("intel_iommu=on") " (this kernel's default is unknown" },
                { "intel default on, intgpu", false, true, false, "quiet", true, TRI_NO, TRI_YES, CHECK_FAIL,
                  "hardware present but disabled", FIRMWARE_HINT },
                { "intel_iommu=on given", false, true, false, "intel_iommu=on", true, TRI_NO, TRI_NO, CHECK_FAIL,
                  "hardware present but disabled", FIRMWARE_HINT },
                { "amd_iommu=off", false, false, true, "amd_iommu=off", true, TRI_NO, TRI_NO, CHECK_FAIL,
                  "hardware present but disabled", GRUB_REMOVE("amd_iommu=off") },
                { "amd, intel_iommu=off is not it", false, false, true, "intel_iommu=off", true, TRI_NO, TRI_NO,
                  CHECK_FAIL, "hardware present but disabled", FIRMWARE_HINT },
                { "amd firmware", false, false, true, "", true, TRI_NO, TRI_NO, CHECK_FAIL,
                  "hardware present but disabled", FIRMWARE_HINT },
        };

        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                struct fx f;

                fx_init(&f);
                f.mo.m.iommu.acpi_dmar = cases[i].dmar;
                f.mo.m.iommu.acpi_ivrs = cases[i].ivrs;
                f.mo.m.iommu.n_units = 0;
                f.mo.m.cpu = cases[i].ivrs ? CPU_AMD : CPU_INTEL;
                f.mo.m.kconfig = (struct kernel_config){ .found = cases[i].kconfig,
                                                         .intel_iommu_default_on = cases[i].default_on,
                                                         .intel_iommu_default_on_intgpu_off = cases[i].intgpu_off };
                if (!cases[i].groups)
                        no_groups(&f);
                set_cmdline(&f, cases[i].cmdline);
                current = cases[i].name;
                run(&f);
                expect(&f.rep, "iommu-enabled", cases[i].st, cases[i].msg, cases[i].hint);
                /* One place decides: cmdline fails exactly when iommu-enabled asks to remove a parameter. */
                bool removes = cases[i].hint && strncmp(cases[i].hint, "remove '", 8) == 0;
                const struct finding *c = get(&f.rep, "cmdline");
                if ((c->status == CHECK_FAIL) != removes)
                        fail_msg("%s: cmdline is %s", current, check_status_to_string(c->status));
                fx_done(&f);
        }
}

static void test_iommu_mode(void **state)
{
        struct fx f;

        fx_init(&f);
        for (size_t i = 0; i < f.mo.m.n_groups; i++)
                f.mo.g[i].type = (char *)"identity";
        run(&f);
        expect(&f.rep, "iommu-mode", CHECK_PASS, "passthrough", NULL);
        assert_int_equal(f.rep.iommu.mode, IOMMU_MODE_PASSTHROUGH);

        for (size_t i = 0; i < f.mo.m.n_groups; i++)
                f.mo.g[i].type = (char *)"DMA";
        f.mo.m.x86 = false;
        f.mo.m.iommu.interrupt_remapping = TRI_NO;
        run(&f);
        expect(&f.rep, "iommu-mode", CHECK_INFO, "translated (DMA)",
               GRUB_ADD("iommu.passthrough=1") " for host I/O performance");

        for (size_t i = 0; i < f.mo.m.n_groups; i++)
                f.mo.g[i].type = NULL;
        run(&f);
        expect(&f.rep, "iommu-mode", CHECK_INFO, "no IOMMU group reports its domain type", NULL);

        no_groups(&f);
        run(&f);
        expect(&f.rep, "iommu-mode", CHECK_INFO, "unknown: the IOMMU is not enabled", NULL);
        fx_done(&f);
}

#define NO_IR "vfio refuses to give devices to a VM without it"
#define UNSAFE_HINT                                                                                                    \
        GRUB_ADD("vfio_iommu_type1.allow_unsafe_interrupts=1")                                                         \
        " only as a last resort"

static void test_interrupt_remapping(void **state)
{
        static const struct {
                enum tristate ir;
                bool x86, groups;
                const char *cmdline;
                enum check_status st;
                const char *msg, *hint;
        } cases[] = {
                { TRI_YES, true, true, "", CHECK_PASS, "enabled", NULL },
                { TRI_NO, true, true, "", CHECK_WARN, NO_IR, "enable interrupt remapping in the firmware setup" },
                { TRI_NO, true, true, "intremap=off", CHECK_WARN, NO_IR, GRUB_REMOVE("intremap=off") "; " UNSAFE_HINT },
                { TRI_UNKNOWN, true, true, "", CHECK_WARN, "cannot tell", NULL },
                { TRI_NO, true, false, "", CHECK_WARN, "it comes with the IOMMU", NULL },
                { TRI_NO, false, true, "", CHECK_INFO, "not checked on this architecture", NULL },
        };

        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                struct fx f;

                fx_init(&f);
                f.mo.m.iommu.interrupt_remapping = cases[i].ir;
                f.mo.m.x86 = cases[i].x86;
                if (!cases[i].groups)
                        no_groups(&f);
                set_cmdline(&f, cases[i].cmdline);
                run(&f);
                expect(&f.rep, "interrupt-remapping", cases[i].st, cases[i].msg, cases[i].hint);
                fx_done(&f);
        }
}

/* ---- cmdline ------------------------------------------------------------------------------- */

static void test_cmdline_lint(void **state)
{
        static const struct {
                const char *cmdline;
                bool x86, intel_default_off;
                enum check_status st;
                const char *msg;  /* exact, or with a leading '~' a part of it */
                const char *hint; /* likewise; NULL: none */
        } cases[] = {
                { "quiet splash", true, false, CHECK_PASS, "no IOMMU-related parameters", NULL },
                { "quiet intel_iommu=on iommu=pt", true, false, CHECK_PASS, "no problems in intel_iommu=on iommu=pt",
                  NULL },
                { "amd_iommu=on", true, false, CHECK_INFO, "amd_iommu=on: 'on' is not a value of amd_iommu",
                  GRUB_REMOVE("amd_iommu=on") " (harmless, only noise)" },
                { "intel_iommu=pt", true, false, CHECK_WARN, "intel_iommu=pt: 'pt' is not a value",
                  GRUB_REMOVE("intel_iommu=pt") "; " GRUB_ADD("iommu=pt") " for passthrough mode" },
                { "intel_iommu=on,pt iommu=pt", true, false, CHECK_WARN, "intel_iommu=on,pt: 'pt' is not a value",
                  "drop 'pt' from 'intel_iommu=on,pt'" },
                { "intel_iommu=pt iommu.passthrough=1", true, false, CHECK_WARN, "intel_iommu=pt: 'pt' is not a value",
                  GRUB_REMOVE("intel_iommu=pt") },
                { "amd_iommu=pt", true, false, CHECK_WARN, "amd_iommu=pt: 'pt' is not a value",
                  GRUB_REMOVE("amd_iommu=pt") "; " GRUB_ADD("iommu=pt") " for passthrough mode" },
                { "iommu=pt", false, false, CHECK_WARN, "only on x86", GRUB_ADD("iommu.passthrough=1") " instead" },
                { "iommu=pt", true, false, CHECK_PASS, "no problems in iommu=pt", NULL },
                { "quiet", true, true, CHECK_WARN, "intel_iommu=on is missing", GRUB_ADD("intel_iommu=on") },
                { "intel_iommu=on", true, true, CHECK_PASS, "no problems in intel_iommu=on", NULL },
                { "video=efifb:off", true, false, CHECK_WARN, "video=efifb:off no longer frees a GPU",
                  GRUB_REMOVE("video=efifb:off") "; if a firmware framebuffer still holds the GPU, "
                                                 "'initcall_blacklist=sysfb_init'" },
                { "video=vesafb:off,efifb:off", true, false, CHECK_WARN, "video=vesafb:off,efifb:off no longer frees",
                  "remove 'video=vesafb:off,efifb:off'" },
                { "video=vesafb:off video=efifb:off", true, false, CHECK_WARN,
                  "takes; video=efifb:off no longer frees a GPU", "remove 'video=vesafb:off'" },
                { "video=HDMI-A-1:1920x1080@60", true, false, CHECK_PASS, "no problems in video=HDMI-A-1:1920x1080@60",
                  NULL },
                { "pcie_acs_override=downstream,multifunction", true, false, CHECK_WARN,
                  "pcie_acs_override= is not a mainline kernel option",
                  GRUB_REMOVE("pcie_acs_override=downstream,multifunction") " and isolate the devices instead" },
                { "vfio-pci.ids=10de:2484,10de:228b", true, false, CHECK_INFO,
                  "vfio-pci.ids=10de:2484,10de:228b binds every device with these IDs when vfio-pci loads, "
                  "identical host devices included",
                  "these device lines in /etc/vfio-prep.conf do it for these devices alone: 'device 0000:01:00.0 "
                  "id=10de:2484', 'device 0000:01:00.1 id=10de:228b'" },
                { "quiet vfio-prep.disable", true, false, CHECK_WARN, "vfio-prep.disable is set",
                  GRUB_REMOVE("vfio-prep.disable") " once the host works again" },
                { "vfio-prep.disable=0", true, false, CHECK_PASS, "no problems in vfio-prep.disable=0", NULL },
                { "amd_iommu=on pcie_acs_override=downstream", true, false, CHECK_WARN,
                  "is not a value of amd_iommu and does nothing (the AMD IOMMU is on whenever the firmware provides an "
                  "IVRS table); pcie_acs_override=",
                  "(harmless, only noise); remove 'pcie_acs_override=downstream'" },
        };

        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                struct fx f;

                fx_init(&f);
                f.mo.m.x86 = cases[i].x86;
                f.mo.m.kconfig.intel_iommu_default_on_intgpu_off = cases[i].intel_default_off ? TRI_NO : TRI_YES;
                set_cmdline(&f, cases[i].cmdline);
                run(&f);
                const struct finding *x = get(&f.rep, "cmdline");
                if (x->status != cases[i].st)
                        fail_msg("'%s': status %s: %s", cases[i].cmdline, check_status_to_string(x->status),
                                 x->message);
                current = cases[i].cmdline;
                has_phrase("message", x->message, cases[i].msg);
                if (!cases[i].hint && x->hint)
                        fail_msg("[%s] unexpected hint '%s'", current, x->hint);
                else if (cases[i].hint)
                        has_phrase("hint", x->hint, cases[i].hint);
                fx_done(&f);
        }
}

/* ---- vfio-driver, config, root-device -------------------------------------------------------- */

static void test_vfio_driver(void **state)
{
        static const struct {
                enum module_state vfio_pci, type1;
                enum tristate builtin;
                enum check_status st;
                const char *msg, *hint;
        } cases[] = {
                { MODULE_BUILTIN, MODULE_BUILTIN, TRI_UNKNOWN, CHECK_PASS, "vfio-pci is built into the kernel", NULL },
                { MODULE_LOADED, MODULE_LOADED, TRI_UNKNOWN, CHECK_PASS, "vfio-pci is loaded", NULL },
                { MODULE_AVAILABLE, MODULE_AVAILABLE, TRI_UNKNOWN, CHECK_PASS,
                  "vfio-pci module available for 6.1.0-13-amd64", NULL },
                { MODULE_MISSING, MODULE_MISSING, TRI_UNKNOWN, CHECK_FAIL, "no vfio-pci module for 6.1.0-13-amd64",
                  "CONFIG_VFIO_PCI" },
                { MODULE_UNKNOWN, MODULE_UNKNOWN, TRI_UNKNOWN, CHECK_WARN, "no module index for 6.1.0-13-amd64", NULL },
                { MODULE_UNKNOWN, MODULE_UNKNOWN, TRI_YES, CHECK_PASS,
                  "vfio-pci is built into the kernel (kernel config)", NULL },
                { MODULE_AVAILABLE, MODULE_MISSING, TRI_UNKNOWN, CHECK_WARN, "vfio_iommu_type1 is missing", NULL },
        };

        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                struct fx f;

                fx_init(&f);
                f.in.vfio_pci = cases[i].vfio_pci;
                f.in.vfio_iommu_type1 = cases[i].type1;
                f.mo.m.kconfig.vfio_pci_builtin = cases[i].builtin;
                run(&f);
                expect(&f.rep, "vfio-driver", cases[i].st, cases[i].msg, cases[i].hint);
                fx_done(&f);
        }
}

static void test_config(void **state)
{
        struct fx f;

        fx_init(&f);
        f.files[1] = (char *)"/etc/vfio-prep.d/usb.conf";
        f.cfg.n_files = 2;
        f.conf[1] = (struct device_conf){ .text = (char *)"1b21:2142", .origin = (char *)"--device", .vfs = -1 };
        f.conf[2] = (struct device_conf){ .text = (char *)"03:00.0",
                                          .origin = (char *)"kernel command line (vfio-prep.devices=)",
                                          .vfs = -1 };
        f.cfg.n_devices = 3;
        f.cfg.isolation = ISOLATION_WARN;
        run(&f);
        expect(&f.rep, "config", CHECK_PASS,
               "3 device entries, isolation warn (2 from the kernel command line or --device); read "
               "/etc/vfio-prep.conf, /etc/vfio-prep.d/usb.conf",
               NULL);
        /* A file named by a relative --config or --root is still a file. */
        f.conf[0].origin = (char *)"etc/vfio-prep.conf:3";
        run(&f);
        expect_contains(get(&f.rep, "config")->message, "(2 from the kernel command line or --device)");

        f.cfg.n_devices = 0;
        f.cfg.n_files = 0;
        f.sel.n_items = 0;
        run(&f);
        expect(&f.rep, "config", CHECK_INFO, "no devices configured; no configuration file",
               "add 'device SELECTOR' lines to /etc/vfio-prep.conf");
        assert_true(f.rep.ready);
        assert_false(has(&f.rep, "group:1"));

        /* A drop-in that is not NAME.conf is mentioned, not read. */
        char *skipped[] = { (char *)"gpu.cfg", NULL };
        f.cfg.skipped = skipped;
        f.cfg.n_skipped = 1;
        run(&f);
        expect(&f.rep, "config", CHECK_WARN, "/etc/vfio-prep.d/gpu.cfg is not read: only files named *.conf are",
               "rename it to end in .conf if it is meant to be read");
        assert_true(f.rep.ready);
        f.cfg.skipped = NULL;
        f.cfg.n_skipped = 0;

        /* A configuration left out for its errors (--check --json): each error a finding. */
        static struct config_error errors = { .n = 2, .n_more = 1 };
        strcpy(errors.list[0].origin, "/etc/vfio-prep.conf:2");
        strcpy(errors.list[0].message, "unknown keyword 'devcie': did you mean 'device'?");
        strcpy(errors.list[1].origin, "/etc/vfio-prep.conf:5");
        strcpy(errors.list[1].message, "'isolation' takes strict or warn, not 'loose'");
        f.in.config_errors = &errors;
        run(&f);
        expect(&f.rep, "config", CHECK_FAIL, "3 errors in the configuration: it is not used (the first 2 listed)",
               "fix each error listed");
        expect(&f.rep, "config:/etc/vfio-prep.conf:2", CHECK_FAIL, "unknown keyword 'devcie': did you mean 'device'?",
               NULL);
        expect(&f.rep, "config:/etc/vfio-prep.conf:5", CHECK_FAIL, "'isolation' takes strict or warn", NULL);
        assert_false(f.rep.ready);
        f.in.config_errors = NULL;
        fx_done(&f);
}

static void test_root_device(void **state)
{
        struct fx f;

        fx_init(&f);
        f.resumedevs[0] = 5;
        f.resume = (struct rootdisk){ .what = (char *)"resume",
                                      .spec = (char *)"UUID=1234",
                                      .block = (char *)"nvme0n1p3",
                                      .devices = f.resumedevs,
                                      .n_devices = 1 };
        run(&f);
        expect(&f.rep, "root-device", CHECK_PASS, "resume (UUID=1234) is on nvme0n1p3 behind 0000:02:00.0", NULL);

        f.ri.root =
                (struct rootdisk){ .spec = (char *)"UUID=abcd", .problem = (char *)"no block device has UUID=abcd" };
        f.resume = (struct rootdisk){ 0 };
        run(&f);
        expect(&f.rep, "root-device", CHECK_WARN, "cannot tell which PCI device holds root (UUID=abcd)",
               "rebuild the initramfs with vfio-prep's hooks");
        assert_true(f.rep.ready);

        /* A network root: network controllers stay as well; a usable record names what root was on. */
        f.ri.network = (char *)"root=/dev/nfs";
        f.ri.record = (struct root_record){ .found = true, .network = true };
        run(&f);
        expect_contains(get(&f.rep, "root-device")->message,
                        "every network controller (root is on the network: root=/dev/nfs)");
        /* A malformed record is reported and ignored. */
        f.ri.network = NULL;
        f.ri.record = (struct root_record){ .found = true, .problem = (char *)"line 2: unknown line" };
        run(&f);
        expect_contains(get(&f.rep, "root-device")->message,
                        "/etc/vfio-prep/root-record is ignored: line 2: unknown line");
        f.ri.record = (struct root_record){ 0 };

        f.ri.root = (struct rootdisk){ .spec = (char *)"/dev/vda1", .block = (char *)"vda1" };
        run(&f);
        expect(&f.rep, "root-device", CHECK_PASS, "no PCI device beneath", NULL);

        f.ri.root = (struct rootdisk){ .problem = (char *)"no root file system is mounted" };
        run(&f);
        expect_contains(get(&f.rep, "root-device")->message, "no root file system is mounted");
        /* Mounted: where it was found is said. */
        f.ri.root = (struct rootdisk){ .spec = (char *)"/dev/nvme0n1p2",
                                       .origin = (char *)"mounted at /",
                                       .block = (char *)"nvme0n1p2",
                                       .devices = f.rootdevs,
                                       .n_devices = 1 };
        run(&f);
        expect(&f.rep, "root-device", CHECK_PASS, "(/dev/nvme0n1p2, mounted at /)", NULL);
        fx_done(&f);
}

/* ---- device:ADDRESS ---------------------------------------------------------------------------- */

static void test_device_boot_vga(void **state)
{
        struct fx f;

        fx_init(&f);
        f.conf[1] = (struct device_conf){ .text = (char *)"8086:3e92",
                                          .origin = (char *)"/etc/vfio-prep.conf:5",
                                          .from_file = true,
                                          .functions = FUNCTIONS_AUTO,
                                          .vfs = -1 };
        f.cfg.n_devices = 2;
        f.sel.n_items = 0;
        pick(&f, 2, &f.conf[1], SELECTED_BY_SELECTOR, NONE);
        pick(&f, 3, &f.conf[0], SELECTED_BY_SELECTOR, NONE);
        pick(&f, 4, &f.conf[0], SELECTED_BY_FUNCTIONS, 3);
        analysed(&f, 2, true);
        run(&f);
        expect(&f.rep, "device:0000:00:02.0", CHECK_FAIL, "not bound: boot VGA without allow-boot-vga",
               "add allow-boot-vga to its entry in /etc/vfio-prep.conf:5");
        assert_false(f.rep.ready);
        /* Devices in address order, then groups in id order. */
        assert_string_equal(f.rep.findings[8].id, "device:0000:00:02.0");
        assert_string_equal(f.rep.findings[9].id, "device:0000:01:00.0");
        assert_string_equal(f.rep.findings[11].id, "group:1");
        assert_string_equal(f.rep.findings[12].id, "group:2");
        expect(&f.rep, "group:2", CHECK_PASS, "isolated: 0000:00:02.0", NULL);

        /* An entry from the command line cannot carry options: the hint says where they go. */
        f.conf[1].origin = (char *)"kernel command line (vfio-prep.devices=)";
        f.conf[1].from_file = false;
        run(&f);
        expect(&f.rep, "device:0000:00:02.0", CHECK_FAIL, "not bound: boot VGA without allow-boot-vga",
               "put a 'device 8086:3e92 allow-boot-vga' line in /etc/vfio-prep.conf");

        /* An ID selector never gets allow-boot-vga proposed: it would take every identical GPU. */
        f.conf[1].sel = (struct selector){ .kind = SELECTOR_ID, .vendor = 0x8086, .device = 0x3e92 };
        run(&f);
        expect(&f.rep, "device:0000:00:02.0", CHECK_FAIL, "not bound: boot VGA without allow-boot-vga",
               "'8086:3e92' (kernel command line (vfio-prep.devices=)) matches only the boot VGA; to give the "
               "boot GPU away, make another GPU primary in the firmware setup, or name it alone: 'device "
               "0000:00:02.0 id=8086:3e92 allow-boot-vga'");
        f.mo.d[3].vendor = 0x8086;
        f.mo.d[3].device = 0x3e92;
        run(&f);
        expect_contains(get(&f.rep, "device:0000:00:02.0")->hint,
                        "also matches the boot VGA: name the other devices by address instead: 'device "
                        "0000:01:00.0 id=8086:3e92'");
        f.mo.d[3].vendor = 0x10de;
        f.mo.d[3].device = 0x2484;
        f.conf[1].sel = (struct selector){ 0 };

        /* Bound by hand (or vfio-pci.ids=): still not what vfio-prep would do. */
        f.mo.d[2].driver = (char *)"vfio-pci";
        run(&f);
        expect_contains(get(&f.rep, "device:0000:00:02.0")->message,
                        "it is on vfio-pci now, but vfio-prep would not bind it");

        f.mo.d[2].driver = (char *)"i915";
        f.conf[1].allow_boot_vga = true;
        run(&f);
        expect(&f.rep, "device:0000:00:02.0", CHECK_PASS, "will be bound to vfio-pci at boot (now on i915)", NULL);
        assert_true(f.rep.ready);
        fx_done(&f);
}

static void test_device_root(void **state)
{
        struct fx f;

        fx_init(&f);
        move(&f, 5, 1);
        run(&f);
        expect(&f.rep, "device:0000:01:00.0", CHECK_FAIL,
               "a device of its IOMMU group (0000:02:00.0) holds the root file system", "vfio-prep never binds it");

        /* Selecting the disk itself. */
        f.sel.n_items = 0;
        pick(&f, 5, &f.conf[0], SELECTED_BY_SELECTOR, NONE);
        f.ri.root = (struct rootdisk){ 0 };
        f.resume = (struct rootdisk){ .what = (char *)"resume",
                                      .spec = (char *)"/dev/nvme0n1p3",
                                      .block = (char *)"nvme0n1p3",
                                      .devices = f.rootdevs,
                                      .n_devices = 1 };
        run(&f);
        expect(&f.rep, "device:0000:02:00.0", CHECK_FAIL, "it holds the resume file system",
               "vfio-prep never binds it");
        fx_done(&f);
}

/*
 * Without any configuration isolation is strict (vfio-prep.conf(5)): the plan refuses the group
 * and --check says so. Once the plan bound this group while --check failed it.
 */
static void test_not_isolated_without_config(void **state)
{
        struct fx f;

        fx_init(&f);
        move(&f, 6, 1);
        f.ga[0].isolated = false;
        f.ga[0].blockers = f.blockers;
        f.blockers[0] = 6;
        f.ga[0].n_blockers = 1;
        f.in.config = NULL;
        run(&f);
        assert_int_equal(f.plan.groups[0].refusal, REFUSE_NOT_ISOLATED);
        expect(&f.rep, "device:0000:01:00.0", CHECK_FAIL, "not bound: not isolated (see group:1)", "see group:1");
        expect(&f.rep, "group:1", CHECK_FAIL, "not isolated: 0000:03:00.0 (xhci_hcd) shares it",
               "'device 0000:03:00.0'");
        assert_false(f.rep.ready);
        fx_done(&f);
}

static void test_device_not_isolated(void **state)
{
        struct fx f;

        fx_init(&f);
        move(&f, 6, 1);
        f.ga[0].isolated = false;
        f.ga[0].blockers = f.blockers;
        f.blockers[0] = 6;
        f.ga[0].n_blockers = 1;
        f.ga[0].why = f.why;
        f.why[0] = (struct explanation){ .why = WHY_PORT_NO_ACS, .device = 1 };
        f.ga[0].n_why = 1;
        run(&f);
        expect(&f.rep, "device:0000:01:00.0", CHECK_FAIL, "not bound: not isolated (see group:1)", "see group:1");
        expect(&f.rep, "device:0000:01:00.1", CHECK_FAIL, "not bound: not isolated (see group:1)", "see group:1");
        expect(&f.rep, "group:1", CHECK_FAIL, "not isolated: 0000:03:00.0 (xhci_hcd) shares it",
               "'device 0000:03:00.0'");
        assert_false(f.rep.ready);

        /* Below a switch: moving the card is an option. */
        f.ga[0].behind_switch = true;
        run(&f);
        expect_contains(get(&f.rep, "group:1")->hint, "or move the card to a slot wired to the CPU");

        /* isolation warn: the devices are bound anyway, the group only warns. */
        f.cfg.isolation = ISOLATION_WARN;
        run(&f);
        expect(&f.rep, "device:0000:01:00.0", CHECK_PASS, "will be bound to vfio-pci at boot (now on nvidia)", NULL);
        const struct finding *g = get(&f.rep, "group:1");
        assert_int_equal(g->status, CHECK_WARN);
        expect_contains(g->message, "not isolated: 0000:03:00.0 (xhci_hcd) shares it");
        expect_contains(g->message, "isolation warn: the selected devices are bound anyway");
        assert_true(f.rep.ready);

        /* A blocker that holds the root file system cannot be passed through. */
        f.rootdevs[0] = 6;
        f.cfg.isolation = ISOLATION_STRICT;
        run(&f);
        expect_contains(get(&f.rep, "group:1")->hint, "0000:03:00.0 holds the root or resume file system");
        fx_done(&f);
}

static void test_group_explanations(void **state)
{
        static const struct {
                struct explanation e;
                const char *text;
        } cases[] = {
                { { WHY_PORT_NO_ACS, 1, 0 }, "0000:00:01.0 (PCIe root port) has no ACS capability" },
                { { WHY_PORT_NO_ACS, 0, 0 }, "0000:00:00.0 (device) has no ACS capability" },
                { { WHY_PORT_ACS_INCOMPLETE, 1, ACS_RR | ACS_CR }, "ACS on 0000:00:01.0 lacks RR/CR" },
                { { WHY_PORT_ACS_INCOMPLETE, 1, ACS_SV | ACS_UF }, "ACS on 0000:00:01.0 lacks SV/UF" },
                { { WHY_MULTIFUNCTION_NO_ACS, 3, 0 }, "multifunction device 0000:01:00.x without ACS" },
                { { WHY_PCI_BRIDGE, 1, 0 }, "behind conventional PCI bridge 0000:00:01.0" },
                { { WHY_UNREADABLE, 1, 0 }, "config space of 0000:00:01.0 not readable enough" },
                { { WHY_UNREADABLE, NONE, 0 }, "config space not readable enough to tell why (run as root)" },
                { { WHY_QUIRK, NONE, 0 }, "no missing ACS found" },
        };

        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                struct fx f;

                fx_init(&f);
                move(&f, 6, 1);
                f.ga[0] = (struct group_analysis){
                        .group = 1, .blockers = f.blockers, .n_blockers = 1, .why = f.why, .n_why = 1
                };
                f.blockers[0] = 6;
                f.mo.d[6].driver = NULL;
                f.why[0] = cases[i].e;
                run(&f);
                expect(&f.rep, "group:1", CHECK_FAIL, "not isolated: 0000:03:00.0 (no driver) shares it",
                       "add its other devices");
                expect_contains(get(&f.rep, "group:1")->message, cases[i].text);
                fx_done(&f);
        }
}

static void test_device_pin_mismatch(void **state)
{
        struct fx f;

        fx_init(&f);
        f.conf[0].has_pin = true;
        f.conf[0].pin_vendor = 0x10de;
        f.conf[0].pin_device = 0x1e84;
        f.items[0].pin_mismatch = true;
        run(&f);
        expect(&f.rep, "device:0000:01:00.0", CHECK_FAIL,
               "id= pin mismatch: the device is 10de:2484, the entry expects 10de:1e84",
               "update id= or the address in /etc/vfio-prep.conf:3");
        expect(&f.rep, "device:0000:01:00.1", CHECK_FAIL,
               "another device of its group was refused: 0000:01:00.0 (id= pin mismatch)", "see device:0000:01:00.0");
        fx_done(&f);
}

static void test_device_builtin_driver(void **state)
{
        struct fx f;

        fx_init(&f);
        f.mo.d[4].driver_builtin = TRI_YES;
        run(&f);
        expect(&f.rep, "device:0000:01:00.1", CHECK_WARN, "snd_hda_intel is built into the kernel",
               "keep snd_hda_intel from starting with 'initcall_blacklist='");
        assert_true(f.rep.ready);

        f.mo.m.kconfig.vfio_pci_builtin = TRI_YES;
        run(&f);
        expect_contains(get(&f.rep, "device:0000:01:00.1")->hint,
                        "'vfio-pci.ids=10de:228b' claims the device first only from drivers registered after vfio-pci");

        f.mo.d[4].driver_builtin = TRI_UNKNOWN;
        run(&f);
        expect(&f.rep, "device:0000:01:00.1", CHECK_WARN, "cannot tell whether snd_hda_intel is built into the kernel",
               NULL);

        /* Already on vfio-pci: nothing to pre-empt. */
        f.mo.d[4].driver = (char *)"vfio-pci";
        run(&f);
        expect(&f.rep, "device:0000:01:00.1", CHECK_PASS,
               "bound to vfio-pci; added by functions=auto from 0000:01:00.0", NULL);
        fx_done(&f);
}

static void test_device_boot_record(void **state)
{
        struct fx f;

        fx_init(&f);
        f.mo.d[3].driver = (char *)"vfio-pci";
        f.mo.m.record.found = true;
        f.record[0] = (struct boot_record_entry){ .name = "0000:01:00.0", .bound = true };
        f.record[1] =
                (struct boot_record_entry){ .name = "0000:01:00.1", .bound = false, .reason = (char *)"not isolated" };
        f.mo.m.record.n_entries = 2;
        run(&f);
        expect(&f.rep, "device:0000:01:00.0", CHECK_PASS, "bound to vfio-pci at boot", NULL);
        expect(&f.rep, "device:0000:01:00.1", CHECK_PASS, "refused at boot: not isolated", NULL);
        f.mo.d[3].driver = NULL;
        run(&f);
        expect(&f.rep, "device:0000:01:00.0", CHECK_PASS, "bound at boot, released since", NULL);
        fx_done(&f);
}

static void test_device_reset(void **state)
{
        struct fx f;

        fx_init(&f);
        /* No device shows reset_method: an older kernel, nothing to say. */
        run(&f);
        assert_int_equal(get(&f.rep, "device:0000:01:00.0")->status, CHECK_PASS);

        f.mo.d[4].reset_method = (char *)"flr bus";
        run(&f);
        expect(&f.rep, "device:0000:01:00.0", CHECK_WARN, "no reset method", NULL);
        assert_int_equal(get(&f.rep, "device:0000:01:00.1")->status, CHECK_PASS);

        f.mo.d[3].reset_method = (char *)"";
        run(&f);
        expect(&f.rep, "reset:0000:01:00.0", CHECK_WARN, "every reset method is disabled",
               "write 'default' to /sys/bus/pci/devices/0000:01:00.0/reset_method");
        fx_done(&f);
}

static void test_device_direct_region(void **state)
{
        struct fx f;

        fx_init(&f);
        f.regions[0] = (struct reserved_region){ 0xfee00000, 0xfeefffff, (char *)"msi" };
        f.regions[1] = (struct reserved_region){ 0x3c000000, 0x3fffffff, (char *)"direct-relaxable" };
        f.mo.g[1].regions = f.regions;
        f.mo.g[1].n_regions = 2;
        run(&f);
        assert_int_equal(get(&f.rep, "device:0000:01:00.0")->status, CHECK_PASS);

        f.regions[1].type = (char *)"direct";
        run(&f);
        expect(&f.rep, "device:0000:01:00.0", CHECK_WARN,
               "IOMMU group 1 has a firmware-required direct mapping (RMRR or IVMD) at 0x3c000000-0x3fffffff",
               "a firmware update or setting");
        assert_true(f.rep.ready);
        fx_done(&f);
}

static void test_unmatched(void **state)
{
        struct fx f;

        fx_init(&f);
        f.conf[1] = (struct device_conf){
                .text = (char *)"10de:1b80", .origin = (char *)"/etc/vfio-prep.conf:4", .from_file = true, .vfs = -1
        };
        f.unm[0].conf = &f.conf[1];
        f.sel.n_unmatched = 1;
        run(&f);
        expect(&f.rep, "device:10de:1b80", CHECK_FAIL, "no device matches 10de:1b80 (/etc/vfio-prep.conf:4)",
               "mark it optional");
        /* After the selected devices, before the groups. */
        assert_string_equal(f.rep.findings[10].id, "device:10de:1b80");
        assert_string_equal(f.rep.findings[11].id, "group:1");
        assert_false(f.rep.ready);

        f.conf[1].optional = true;
        run(&f);
        expect(&f.rep, "device:10de:1b80", CHECK_INFO, "not present (optional)", NULL);
        assert_true(f.rep.ready);
        fx_done(&f);
}

static void test_damaged_and_sysfs(void **state)
{
        struct fx f;

        fx_init(&f);
        f.mo.d[3].damaged = true;
        f.problems[0] = (struct load_problem){ (char *)"/sys/bus/pci/devices/0000:01:00.0/vendor",
                                               (char *)"malformed vendor 'zz10'" };
        f.mo.m.n_problems = 1;
        run(&f);
        expect(&f.rep, "device:0000:01:00.0", CHECK_FAIL, "unreadable sysfs attributes", NULL);
        expect(&f.rep, "sysfs", CHECK_WARN,
               "1 unreadable or malformed attribute: /sys/bus/pci/devices/0000:01:00.0/vendor: malformed vendor 'zz10'",
               NULL);
        assert_string_equal(f.rep.findings[f.rep.n_findings - 1].id, "sysfs");

        for (size_t i = 1; i < 5; i++)
                f.problems[i] = (struct load_problem){ (char *)"/sys/x", (char *)"unreadable" };
        f.mo.m.n_problems = 5;
        run(&f);
        expect(&f.rep, "sysfs", CHECK_WARN,
               "5 unreadable or malformed attributes: /sys/bus/pci/devices/0000:01:00.0/vendor: malformed vendor "
               "'zz10'; /sys/x: unreadable; /sys/x: unreadable; and 2 more",
               NULL);
        fx_done(&f);
}

static void test_disabled(void **state)
{
        struct fx f;

        fx_init(&f);
        set_cmdline(&f, "quiet vfio-prep.disable=1");
        run(&f);
        expect(&f.rep, "device:0000:01:00.0", CHECK_WARN, "not bound this boot", NULL);
        assert_int_equal(get(&f.rep, "cmdline")->status, CHECK_WARN);
        assert_true(f.rep.ready);
        fx_done(&f);
}

static void test_iommu_off_devices(void **state)
{
        struct fx f;

        fx_init(&f);
        no_groups(&f);
        run(&f);
        expect(&f.rep, "device:0000:01:00.0", CHECK_FAIL, "not bound: no IOMMU group", "see iommu-enabled");
        assert_false(has(&f.rep, "group:1"));
        assert_false(f.rep.ready);
        assert_false(f.rep.iommu.enabled);
        fx_done(&f);
}

static void test_sriov_devices(void **state)
{
        struct fx f;

        fx_init(&f);
        size_t pf = model_add_dev(&f.mo, "0000:06:00.0", 0x8086, 0x1521, 0x020000, "igb");
        size_t vf = model_add_dev(&f.mo, "0000:06:10.0", 0x8086, 0x1520, 0x020000, NULL);
        size_t g5 = model_add_group(&f.mo, 20), g6 = model_add_group(&f.mo, 21);
        model_put(&f.mo, pf, g5);
        model_put(&f.mo, vf, g6);
        f.mo.d[pf].sriov_totalvfs = 7;
        f.mo.d[pf].sriov_numvfs = 0;
        f.mo.d[vf].physfn = pf;
        f.conf[1] = (struct device_conf){
                .text = (char *)"06:00.0", .origin = (char *)"/etc/vfio-prep.conf:6", .from_file = true, .vfs = 4
        };
        f.sel.n_items = 0;
        pick(&f, pf, &f.conf[1], SELECTED_BY_SELECTOR, NONE);
        pick(&f, vf, &f.conf[1], SELECTED_AS_VF, pf);
        analysed(&f, g5, true);
        analysed(&f, g6, true);
        run(&f);
        expect(&f.rep, "device:0000:06:00.0", CHECK_PASS, "4 VFs will be created at boot (now 0)", NULL);
        expect(&f.rep, "device:0000:06:10.0", CHECK_PASS, "a VF of 0000:06:00.0 (vfs=4)", NULL);

        f.mo.d[pf].sriov_numvfs = 4;
        run(&f);
        expect(&f.rep, "device:0000:06:00.0", CHECK_PASS, "SR-IOV PF with its 4 VFs; the PF stays with igb", NULL);

        f.mo.d[pf].sriov_totalvfs = 2;
        run(&f);
        expect(&f.rep, "device:0000:06:00.0", CHECK_FAIL, "it supports at most 2 VFs", "fix or remove vfs=");

        f.mo.d[pf].sriov_totalvfs = -1;
        run(&f);
        expect(&f.rep, "device:0000:06:00.0", CHECK_FAIL, "it is not an SR-IOV physical function",
               "fix or remove vfs=");
        fx_done(&f);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_ready_machine),
                cmocka_unit_test(test_strings),
                cmocka_unit_test(test_summarize),
                cmocka_unit_test(test_iommu_hardware),
                cmocka_unit_test(test_iommu_enabled),
                cmocka_unit_test(test_iommu_mode),
                cmocka_unit_test(test_interrupt_remapping),
                cmocka_unit_test(test_cmdline_lint),
                cmocka_unit_test(test_vfio_driver),
                cmocka_unit_test(test_config),
                cmocka_unit_test(test_root_device),
                cmocka_unit_test(test_device_boot_vga),
                cmocka_unit_test(test_device_root),
                cmocka_unit_test(test_device_not_isolated),
                cmocka_unit_test(test_not_isolated_without_config),
                cmocka_unit_test(test_group_explanations),
                cmocka_unit_test(test_device_pin_mismatch),
                cmocka_unit_test(test_device_builtin_driver),
                cmocka_unit_test(test_device_boot_record),
                cmocka_unit_test(test_device_reset),
                cmocka_unit_test(test_device_direct_region),
                cmocka_unit_test(test_unmatched),
                cmocka_unit_test(test_damaged_and_sysfs),
                cmocka_unit_test(test_disabled),
                cmocka_unit_test(test_iommu_off_devices),
                cmocka_unit_test(test_sriov_devices),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
