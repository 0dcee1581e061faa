/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_diag.h"
#include "gzip.h"
#include "machine.h"
#include "macro.h"
#include "root.h"

/* The kernel's own limit is a page or two; anything far beyond is not a command line. */
#define CMDLINE_MAX (64 * 1024)
/* cpuinfo repeats per CPU; only the first block is used, but the file is read whole. */
#define CPUINFO_MAX (8 * 1024 * 1024)
#define KCONFIG_MAX (4 * 1024 * 1024)

static void load_release(struct root *r, struct machine *m)
{
        int k = root_read_attr(r, "/proc/sys/kernel/osrelease", &m->release);
        if (k < 0) {
                m->release = NULL;
                machine_add_problem(m, "/proc/sys/kernel/osrelease", "cannot read the kernel release: %s",
                                    strerror(-k));
                return;
        }
        /* It names a file below /boot: refuse what could leave that directory. */
        if (!*m->release || strchr(m->release, '/')) {
                machine_add_problem(m, "/proc/sys/kernel/osrelease", "malformed kernel release '%.60s'", m->release);
                free(m->release);
                m->release = NULL;
        }
}

static void strip_trailing_space(char *s, size_t len)
{
        while (len > 0 && (s[len - 1] == '\n' || s[len - 1] == ' ' || s[len - 1] == '\t'))
                s[--len] = '\0';
}

static int load_cmdline(struct root *r, struct machine *m)
{
        size_t len;
        int k;

        if (m->cmdline)
                return 0;
        k = root_read_file(r, "/proc/cmdline", CMDLINE_MAX, &m->cmdline, &len);
        if (k < 0) {
                machine_add_problem(m, "/proc/cmdline", "cannot read the kernel command line: %s", strerror(-k));
                m->cmdline = strdup("");
                return m->cmdline ? 0 : -ENOMEM;
        }
        strip_trailing_space(m->cmdline, len);
        return 0;
}

/* "vendor_id\t: GenuineIntel" → key "vendor_id", value "GenuineIntel". */
static bool split_line(char *line, char **ret_key, char **ret_value)
{
        char *colon = strchr(line, ':');
        if (!colon)
                return false;
        char *end = colon;
        while (end > line && (end[-1] == ' ' || end[-1] == '\t'))
                end--;
        *end = '\0';
        char *v = colon + 1;
        v += strspn(v, " \t");
        strip_trailing_space(v, strlen(v));
        *ret_key = line;
        *ret_value = v;
        return true;
}

static enum cpu_vendor x86_vendor(const char *id)
{
        if (strcmp(id, "GenuineIntel") == 0)
                return CPU_INTEL;
        /* Hygon's Dhyana is a Zen derivative with an AMD-Vi IOMMU. */
        if (strcmp(id, "AuthenticAMD") == 0 || strcmp(id, "HygonGenuine") == 0)
                return CPU_AMD;
        return CPU_OTHER;
}

static void parse_cpuinfo(struct machine *m, char *text)
{
        bool vendor_id = false, flags = false, arm = false;
        enum cpu_vendor v = CPU_OTHER;
        char *key, *value;
        size_t fields = 0;

        for (char *save = NULL, *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                if (!split_line(line, &key, &value))
                        continue;
                fields++;
                if (strcmp(key, "vendor_id") == 0 && !vendor_id) {
                        vendor_id = true;
                        v = x86_vendor(value);
                } else if (strcmp(key, "flags") == 0)
                        flags = true;
                else if (strcmp(key, "CPU implementer") == 0)
                        arm = true;
        }
        if (arm) {
                m->cpu = CPU_ARM;
                m->x86 = false;
                return;
        }
        /* Nothing at all to go by (an empty file in a captured tree): say so. */
        m->cpu = fields > 0 ? v : CPU_UNKNOWN;
        /* s390 has a vendor_id too ("IBM/S390"), but no "flags" line. */
        m->x86 = vendor_id && (v != CPU_OTHER || flags);
}

static void load_cpu(struct root *r, struct machine *m)
{
        _cleanup_free_ char *text = NULL;
        int k;

        m->cpu = CPU_UNKNOWN;
        m->x86 = false;
        k = root_read_file(r, "/proc/cpuinfo", CPUINFO_MAX, &text, NULL);
        if (k < 0) {
                machine_add_problem(m, "/proc/cpuinfo", "cannot read: %s", strerror(-k));
                return;
        }
        m->cpuinfo_read = true;
        m->cpu_hypervisor_flag = cpuinfo_hypervisor(text);
        parse_cpuinfo(m, text);
}

struct kconfig_option {
        const char *name;
        size_t yes; /* field set by =y */
        size_t mod; /* field set by =m, or (size_t)-1 */
};

#define KC(f) offsetof(struct kernel_config, f)
static const struct kconfig_option kconfig_options[] = {
        { "CONFIG_INTEL_IOMMU_DEFAULT_ON", KC(intel_iommu_default_on), (size_t)-1 },
        { "CONFIG_INTEL_IOMMU_DEFAULT_ON_INTGPU_OFF", KC(intel_iommu_default_on_intgpu_off), (size_t)-1 },
        { "CONFIG_IOMMU_DEFAULT_PASSTHROUGH", KC(iommu_default_passthrough), (size_t)-1 },
        { "CONFIG_IRQ_REMAP", KC(irq_remap), (size_t)-1 },
        { "CONFIG_VFIO_PCI", KC(vfio_pci_builtin), KC(vfio_pci_module) },
};

static enum tristate *kc_field(struct kernel_config *c, size_t off)
{
        return (enum tristate *)((char *)c + off);
}

static void parse_kconfig_line(struct kernel_config *c, const char *line)
{
        for (size_t i = 0; i < ARRAY_SIZE(kconfig_options); i++) {
                const struct kconfig_option *o = &kconfig_options[i];
                size_t n = strlen(o->name);
                if (strncmp(line, o->name, n) != 0 || line[n] != '=')
                        continue;
                /* "# CONFIG_X is not set" and absence both leave the preset TRI_NO. */
                if (strcmp(line + n + 1, "y") == 0)
                        *kc_field(c, o->yes) = TRI_YES;
                else if (strcmp(line + n + 1, "m") == 0 && o->mod != (size_t)-1)
                        *kc_field(c, o->mod) = TRI_YES;
                return;
        }
}

static void parse_kconfig(struct kernel_config *c, char *text)
{
        for (size_t i = 0; i < ARRAY_SIZE(kconfig_options); i++) {
                *kc_field(c, kconfig_options[i].yes) = TRI_NO;
                if (kconfig_options[i].mod != (size_t)-1)
                        *kc_field(c, kconfig_options[i].mod) = TRI_NO;
        }
        for (char *save = NULL, *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
                if (strncmp(line, "CONFIG_", 7) == 0)
                        parse_kconfig_line(c, line);
}

static void kconfig_unknown(struct kernel_config *c)
{
        *c = (struct kernel_config){ 0 };
        for (size_t i = 0; i < ARRAY_SIZE(kconfig_options); i++) {
                *kc_field(c, kconfig_options[i].yes) = TRI_UNKNOWN;
                if (kconfig_options[i].mod != (size_t)-1)
                        *kc_field(c, kconfig_options[i].mod) = TRI_UNKNOWN;
        }
}

/* /proc/config.gz (CONFIG_IKCONFIG_PROC), for kernels that install no /boot/config-RELEASE
 * (Arch and others): its text, or -ENOENT. -EOPNOTSUPP in a build without zlib. */
static int read_config_gz(struct root *r, char **ret)
{
        _cleanup_free_ char *gz = NULL;
        size_t len, n;

        int k = root_read_file(r, "/proc/config.gz", KCONFIG_MAX, &gz, &len);
        if (k < 0)
                return k;
        return gzip_decompress(gz, len, KCONFIG_MAX, ret, &n);
}

/* /boot/config-RELEASE, else /proc/config.gz: the running kernel's, when the release is known. */
static int load_kconfig(struct root *r, struct machine *m)
{
        _cleanup_free_ char *text = NULL;
        char path[PATH_MAX];
        int k;

        kconfig_unknown(&m->kconfig);
        if (!m->release)
                return 0;
        snprintf(path, sizeof(path), "/boot/config-%s", m->release);
        k = root_read_file(r, path, KCONFIG_MAX, &text, NULL);
        if (k == -ENOENT) {
                snprintf(path, sizeof(path), "/proc/config.gz");
                k = read_config_gz(r, &text);
        }
        /* A build without zlib cannot read it: as unknown as a kernel without either file. */
        if (k == -ENOENT || k == -EOPNOTSUPP)
                return 0;
        if (k < 0) {
                machine_add_problem(m, path, "cannot read the kernel configuration: %s", strerror(-k));
                return 0;
        }
        m->kconfig.source = strdup(path);
        if (!m->kconfig.source)
                return -ENOMEM;
        m->kconfig.found = true;
        parse_kconfig(&m->kconfig, text);
        return 0;
}

int kernel_load(struct root *r, struct machine *m)
{
        int k;

        load_release(r, m);
        k = load_cmdline(r, m);
        if (k < 0)
                return k;
        load_cpu(r, m);
        return load_kconfig(r, m);
}
