/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "analyse.h"
#include "check.h"
#include "macro.h"
#include "model.h"
#include "output.h"
#include "pciname.h"
#include "rootdisk.h"
#include "select.h"

/*
 * One small machine, built from literals:
 *   group 0  0000:00:00.0  host bridge, no driver
 *   group 1  0000:00:01.0  root port (bridge)   0000:01:00.0 GPU (selected)   0000:01:00.1 its audio
 *   group 2  0000:02:00.0  NVMe (selected, the root device)
 *   -        0000:03:00.0  USB controller (selected), no IOMMU group, a hostile driver name
 */
#define DEV(n, b, d, f, v, i, c, h, drv, iog, gi)                                                                      \
        {                                                                                                              \
                .addr = { 0, b, d, f }, .name = n, .vendor = v, .device = i, .class = c, .header = h, .driver = drv,   \
                .boot_vga = TRI_NO, .iommu_group = iog, .group = gi, .parent = NONE, .physfn = NONE,                   \
                .sriov_totalvfs = -1, .sriov_numvfs = -1,                                                              \
        }

static struct pci_device devices[] = {
        DEV("0000:00:00.0", 0, 0, 0, 0x8086, 0x29c0, 0x060000, PCI_HEADER_NORMAL, NULL, 0, 0),
        DEV("0000:00:01.0", 0, 1, 0, 0x8086, 0x1901, 0x060400, PCI_HEADER_BRIDGE, "pcieport", 1, 1),
        DEV("0000:01:00.0", 1, 0, 0, 0x10de, 0x2484, 0x030000, PCI_HEADER_NORMAL, "nvidia", 1, 1),
        DEV("0000:01:00.1", 1, 0, 1, 0x10de, 0x228b, 0x040300, PCI_HEADER_NORMAL, "snd_hda_intel", 1, 1),
        DEV("0000:02:00.0", 2, 0, 0, 0x144d, 0xa808, 0x010802, PCI_HEADER_NORMAL, "nvme", 2, 2),
        DEV("0000:03:00.0", 3, 0, 0, 0x1b21, 0x2142, 0x0c0330, PCI_HEADER_NORMAL, "xhci\033[31m\"hcd", -1, NONE),
};

static size_t group0[] = { 0 }, group1[] = { 1, 2, 3 }, group2[] = { 4 };

static struct iommu_group groups[] = {
        { .id = 0, .type = "identity", .devices = group0, .n_devices = 1 },
        { .id = 1, .type = "DMA-FQ", .devices = group1, .n_devices = 3 },
        { .id = 2, .type = NULL, .devices = group2, .n_devices = 1 },
};

static struct machine machine = {
        .devices = devices,
        .n_devices = ARRAY_SIZE(devices),
        .groups = groups,
        .n_groups = ARRAY_SIZE(groups),
};

static struct selected items[] = {
        { .device = 2, .why = SELECTED_BY_SELECTOR, .pulled_by = NONE },
        { .device = 4, .why = SELECTED_BY_SELECTOR, .pulled_by = NONE },
        { .device = 5, .why = SELECTED_BY_SELECTOR, .pulled_by = NONE },
};

static struct selection selection = { .items = items, .n_items = ARRAY_SIZE(items) };

static size_t blockers1[] = { 3 };
static struct explanation why1[] = { { .why = WHY_MULTIFUNCTION_NO_ACS, .device = 2 } };

static struct group_analysis analysed[] = {
        { .group = 1, .isolated = false, .blockers = blockers1, .n_blockers = 1, .why = why1, .n_why = 1 },
        { .group = 2, .isolated = true },
};

static struct analysis analysis = { .groups = analysed, .n_groups = ARRAY_SIZE(analysed) };

static size_t root_devices[] = { 4 };
static struct rootinfo rootinfo = {
        .root = { .spec = "/dev/nvme0n1p2", .block = "nvme0n1p2", .devices = root_devices, .n_devices = 1 },
};

static const struct check_input input = {
        .machine = &machine,
        .selection = &selection,
        .analysis = &analysis,
        .rootinfo = &rootinfo,
};

static struct finding findings[] = {
        { .status = CHECK_PASS, .id = "iommu-hardware", .message = "Intel VT-d (DMAR table, 1 unit)" },
        { .status = CHECK_PASS, .id = "iommu-enabled", .message = "the IOMMU is on: 3 groups" },
        { .status = CHECK_WARN,
          .id = "iommu-mode",
          .message = "DMA translation for every device (iommu.passthrough not set)",
          .hint = "add iommu=pt to the kernel command line for host devices to run without translation; it does not "
                  "change what the guest gets" },
        { .status = CHECK_FAIL,
          .id = "group:1",
          .message = "group 1 is not isolated: 0000:01:00.1 is not selected",
          .hint = "select 0000:01:00.1 too (functions=auto) or\nmove the card" },
        { .status = CHECK_INFO, .id = "device:0000:03:00.0", .message = "bound to xhci\033[2J_hcd" },
};

static struct report report = {
        .findings = findings,
        .n_findings = ARRAY_SIZE(findings),
        .iommu = { IOMMU_VENDOR_INTEL, true, true, IOMMU_MODE_TRANSLATED },
        .ready = false,
};

/* Run CALL, which writes to f, and keep its output in OUT (caller frees). */
#define CAPTURE(out, call)                                                                                             \
        do {                                                                                                           \
                size_t _len = 0;                                                                                       \
                FILE *f = open_memstream(&(out), &_len);                                                               \
                assert_non_null(f);                                                                                    \
                assert_int_equal((call), 0);                                                                           \
                assert_int_equal(fclose(f), 0);                                                                        \
        } while (0)

static int setup(void **state)
{
        /* Golden strings must not depend on the pci.ids installed here: no names, class names only. */
        pciname_set_ids_file("/nonexistent/pci.ids");
        return 0;
}

static int teardown(void **state)
{
        pciname_set_ids_file(NULL);
        pciname_done();
        return 0;
}

static const char check_json[] =
        "{\n"
        "  \"version\": 1,\n"
        "  \"ready\": false,\n"
        "  \"iommu\": {\n"
        "    \"vendor\": \"intel\",\n"
        "    \"hardware\": true,\n"
        "    \"enabled\": true,\n"
        "    \"mode\": \"translated\"\n"
        "  },\n"
        "  \"checks\": [\n"
        "    {\n"
        "      \"id\": \"iommu-hardware\",\n"
        "      \"status\": \"pass\",\n"
        "      \"message\": \"Intel VT-d (DMAR table, 1 unit)\",\n"
        "      \"hint\": null\n"
        "    },\n"
        "    {\n"
        "      \"id\": \"iommu-enabled\",\n"
        "      \"status\": \"pass\",\n"
        "      \"message\": \"the IOMMU is on: 3 groups\",\n"
        "      \"hint\": null\n"
        "    },\n"
        "    {\n"
        "      \"id\": \"iommu-mode\",\n"
        "      \"status\": \"warn\",\n"
        "      \"message\": \"DMA translation for every device (iommu.passthrough not set)\",\n"
        "      \"hint\": \"add iommu=pt to the kernel command line for host devices to run without translation; it "
        "does not change what the guest gets\"\n"
        "    },\n"
        "    {\n"
        "      \"id\": \"group:1\",\n"
        "      \"status\": \"fail\",\n"
        "      \"message\": \"group 1 is not isolated: 0000:01:00.1 is not selected\",\n"
        "      \"hint\": \"select 0000:01:00.1 too (functions=auto) or\\u000amove the card\"\n"
        "    },\n"
        "    {\n"
        "      \"id\": \"device:0000:03:00.0\",\n"
        "      \"status\": \"info\",\n"
        "      \"message\": \"bound to xhci\\u001b[2J_hcd\",\n"
        "      \"hint\": null\n"
        "    }\n"
        "  ],\n"
        "  \"devices\": [\n"
        "    {\n"
        "      \"address\": \"0000:01:00.0\",\n"
        "      \"vendor\": \"10de\",\n"
        "      \"device\": \"2484\",\n"
        "      \"class\": \"030000\",\n"
        "      \"driver\": \"nvidia\",\n"
        "      \"group\": 1,\n"
        "      \"boot_vga\": false,\n"
        "      \"root_device\": false\n"
        "    },\n"
        "    {\n"
        "      \"address\": \"0000:02:00.0\",\n"
        "      \"vendor\": \"144d\",\n"
        "      \"device\": \"a808\",\n"
        "      \"class\": \"010802\",\n"
        "      \"driver\": \"nvme\",\n"
        "      \"group\": 2,\n"
        "      \"boot_vga\": false,\n"
        "      \"root_device\": true\n"
        "    },\n"
        "    {\n"
        "      \"address\": \"0000:03:00.0\",\n"
        "      \"vendor\": \"1b21\",\n"
        "      \"device\": \"2142\",\n"
        "      \"class\": \"0c0330\",\n"
        "      \"driver\": \"xhci\\u001b[31m\\\"hcd\",\n"
        "      \"group\": null,\n"
        "      \"boot_vga\": false,\n"
        "      \"root_device\": false\n"
        "    }\n"
        "  ],\n"
        "  \"groups\": [\n"
        "    {\n"
        "      \"id\": 1,\n"
        "      \"isolated\": false,\n"
        "      \"devices\": [\n"
        "        \"0000:00:01.0\",\n"
        "        \"0000:01:00.0\",\n"
        "        \"0000:01:00.1\"\n"
        "      ],\n"
        "      \"blockers\": [\n"
        "        \"0000:01:00.1\"\n"
        "      ]\n"
        "    },\n"
        "    {\n"
        "      \"id\": 2,\n"
        "      \"isolated\": true,\n"
        "      \"devices\": [\n"
        "        \"0000:02:00.0\"\n"
        "      ],\n"
        "      \"blockers\": []\n"
        "    }\n"
        "  ]\n"
        "}\n";

static void test_check_json(void **state)
{
        _cleanup_free_ char *s = NULL;

        CAPTURE(s, output_check_json(f, &input, &report));
        assert_string_equal(s, check_json);
}

/* Without a selection or an analysis (a configuration that selects nothing). */
static void test_check_json_empty(void **state)
{
        _cleanup_free_ char *s = NULL;
        const struct check_input none = { .machine = &machine };
        const struct report rep = { .iommu = { IOMMU_VENDOR_AMD, true, false, IOMMU_MODE_UNKNOWN }, .ready = true };

        CAPTURE(s, output_check_json(f, &none, &rep));
        assert_string_equal(s, "{\n"
                               "  \"version\": 1,\n"
                               "  \"ready\": true,\n"
                               "  \"iommu\": {\n"
                               "    \"vendor\": \"amd\",\n"
                               "    \"hardware\": true,\n"
                               "    \"enabled\": false,\n"
                               "    \"mode\": \"unknown\"\n"
                               "  },\n"
                               "  \"checks\": [],\n"
                               "  \"devices\": [],\n"
                               "  \"groups\": []\n"
                               "}\n");
}

static const char check_text[] = "PASS  iommu-hardware       Intel VT-d (DMAR table, 1 unit)\n"
                                 "PASS  iommu-enabled        the IOMMU is on: 3 groups\n"
                                 "WARN  iommu-mode           DMA translation for every device (iommu.passthrough\n"
                                 "                           not set)\n"
                                 "      hint: add iommu=pt to the kernel command line for host devices to run\n"
                                 "            without translation; it does not change what the guest gets\n"
                                 "FAIL  group:1              group 1 is not isolated: 0000:01:00.1 is not\n"
                                 "                           selected\n"
                                 "      hint: select 0000:01:00.1 too (functions=auto) or\n"
                                 "            move the card\n"
                                 "INFO  device:0000:03:00.0  bound to xhci\\x1b[2J_hcd\n"
                                 "\n"
                                 "not ready: 1 check failed\n";

static void test_check_text(void **state)
{
        _cleanup_free_ char *s = NULL;
        const struct output_style st = { .color = false, .verbose = false };

        CAPTURE(s, output_check_text(f, &input, &report, &st));
        assert_string_equal(s, check_text);
}

static const char check_text_verbose_color[] =
        "\033[32mPASS\033[0m  iommu-hardware       Intel VT-d (DMAR table, 1 unit)\n"
        "\033[32mPASS\033[0m  iommu-enabled        the IOMMU is on: 3 groups\n"
        "\033[33mWARN\033[0m  iommu-mode           DMA translation for every device (iommu.passthrough\n"
        "                           not set)\n"
        "      hint: add iommu=pt to the kernel command line for host devices to run\n"
        "            without translation; it does not change what the guest gets\n"
        "\033[31mFAIL\033[0m  group:1              group 1 is not isolated: 0000:01:00.1 is not\n"
        "                           selected\n"
        "      hint: select 0000:01:00.1 too (functions=auto) or\n"
        "            move the card\n"
        "\033[34mINFO\033[0m  device:0000:03:00.0  bound to xhci\\x1b[2J_hcd\n"
        "\n"
        "group 1: not isolated, 1 blocker\n"
        "  0000:00:01.0  PCI bridge                 pcieport       bridge\n"
        "  0000:01:00.0  VGA compatible controller  nvidia         selected\n"
        "  0000:01:00.1  Audio device               snd_hda_intel  blocker\n"
        "\n"
        "group 2: isolated\n"
        "  0000:02:00.0  Non-Volatile memory controller  nvme  selected\n"
        "\n"
        "not ready: 1 check failed\n";

static void test_check_text_verbose_color(void **state)
{
        _cleanup_free_ char *s = NULL;
        const struct output_style st = { .color = true, .verbose = true };

        CAPTURE(s, output_check_text(f, &input, &report, &st));
        assert_string_equal(s, check_text_verbose_color);
}

static const char *last_line(char *s)
{
        size_t n = strlen(s);

        assert_true(n > 0 && s[n - 1] == '\n');
        s[n - 1] = '\0';
        char *p = strrchr(s, '\n');
        return p ? p + 1 : s;
}

static void test_summary_line(void **state)
{
        static const struct {
                enum check_status st[3];
                size_t n;
                bool ready;
                const char *summary;
        } table[] = {
                { { CHECK_PASS, CHECK_INFO }, 2, true, "ready: every check passed" },
                { { 0 }, 0, true, "ready: every check passed" },
                { { CHECK_PASS, CHECK_WARN }, 2, true, "ready, with 1 warning" },
                { { CHECK_WARN, CHECK_WARN, CHECK_PASS }, 3, true, "ready, with 2 warnings" },
                { { CHECK_FAIL, CHECK_WARN }, 2, false, "not ready: 1 check failed" },
                { { CHECK_FAIL, CHECK_FAIL, CHECK_WARN }, 3, false, "not ready: 2 checks failed" },
        };

        for (size_t i = 0; i < ARRAY_SIZE(table); i++) {
                _cleanup_free_ char *s = NULL;
                struct finding x[3];
                const struct output_style st = { 0 };
                for (size_t k = 0; k < table[i].n; k++)
                        x[k] = (struct finding){ .status = table[i].st[k], .id = "config", .message = "fine" };
                const struct report rep = { .findings = x, .n_findings = table[i].n, .ready = table[i].ready };
                CAPTURE(s, output_check_text(f, &input, &rep, &st));
                assert_string_equal(last_line(s), table[i].summary);
        }
}

/* A word longer than a line stays whole on its own line; no line ends in a space. */
static void test_wrap_long_word(void **state)
{
        _cleanup_free_ char *s = NULL;
        const struct output_style st = { 0 };
        struct finding x = {
                .status = CHECK_WARN,
                .id = "cmdline",
                .message = "ok",
                .hint = "see https://example.org/a/very/long/path/that/does/not/fit/on/one/line/at/all/anywhere "
                        "for more"
        };
        const struct report rep = { .findings = &x, .n_findings = 1, .ready = true };

        CAPTURE(s, output_check_text(f, &input, &rep, &st));
        assert_string_equal(
                s, "WARN  cmdline  ok\n"
                   "      hint: see\n"
                   "            https://example.org/a/very/long/path/that/does/not/fit/on/one/line/at/all/anywhere\n"
                   "            for more\n"
                   "\n"
                   "ready, with 1 warning\n");
}

static const char list_text[] =
        "  GROUP  ADDRESS       PATH          CLASS                           ID           DRIVER            NAME\n"
        "      0  0000:00:00.0  0000:00:00.0  Host bridge                     [8086:29c0]  -\n"
        "      1  0000:00:01.0  0000:00:01.0  PCI bridge                      [8086:1901]  pcieport          (bridge)\n"
        "      1  0000:01:00.0  0000:01:00.0  VGA compatible controller       [10de:2484]  nvidia\n"
        "      1  0000:01:00.1  0000:01:00.1  Audio device                    [10de:228b]  snd_hda_intel\n"
        "      2  0000:02:00.0  0000:02:00.0  Non-Volatile memory controller  [144d:a808]  nvme              (may hold "
        "root)\n"
        "      -  0000:03:00.0  0000:03:00.0  USB controller                  [1b21:2142]  xhci\\x1b[31m\"hcd  (may "
        "hold "
        "root)\n"
        "isolated groups: 1, 2\n";

static void test_list_text(void **state)
{
        _cleanup_free_ char *s = NULL;
        const struct output_style st = { 0 };

        CAPTURE(s, output_list_text(f, &(const struct check_input){ .machine = &machine }, &st));
        assert_string_equal(s, list_text);
}

/* IOMMU off: no groups at all, the devices are listed anyway. */
static void test_list_text_no_groups(void **state)
{
        _cleanup_free_ char *s = NULL;
        const struct output_style st = { 0 };
        struct pci_device devs[3];
        struct machine m = { .devices = devs, .n_devices = ARRAY_SIZE(devs) };

        memcpy(devs, devices + 1, sizeof(devs));
        for (size_t i = 0; i < ARRAY_SIZE(devs); i++) {
                devs[i].group = NONE;
                devs[i].iommu_group = -1;
        }
        CAPTURE(s, output_list_text(f, &(const struct check_input){ .machine = &m }, &st));
        assert_string_equal(
                s,
                "  GROUP  ADDRESS       PATH          CLASS                      ID           DRIVER         NAME\n"
                "      -  0000:00:01.0  0000:00:01.0  PCI bridge                 [8086:1901]  pcieport       (bridge)\n"
                "      -  0000:01:00.0  0000:01:00.0  VGA compatible controller  [10de:2484]  nvidia\n"
                "      -  0000:01:00.1  0000:01:00.1  Audio device               [10de:228b]  snd_hda_intel\n"
                "the IOMMU is off: there are no IOMMU groups, so no device can be passed through\n");
}

/* A damaged tree: the table is followed by a pointer to the findings. */
static void test_list_text_problems(void **state)
{
        _cleanup_free_ char *s = NULL;
        const struct output_style st = { 0 };
        struct pci_device devs[1];
        struct load_problem problems[2] = {
                { .path = (char *)"/sys/devices/pci0000:00/0000:00:01.0/vendor",
                  .message = (char *)"malformed vendor" },
                { .path = (char *)"/sys/devices/pci0000:00/0000:00:01.0/class", .message = (char *)"malformed class" },
        };
        struct machine m = { .devices = devs, .n_devices = 1, .problems = problems, .n_problems = 2 };

        memcpy(devs, devices + 1, sizeof(devs));
        devs[0].group = NONE;
        devs[0].iommu_group = -1;
        CAPTURE(s, output_list_text(f, &(const struct check_input){ .machine = &m }, &st));
        assert_non_null(strstr(s, "no device can be passed through\n"
                                  "2 sysfs attributes could not be read or made no sense: "
                                  "'vfio-prep --check' lists them\n"));
}

static void test_list_text_empty(void **state)
{
        _cleanup_free_ char *s = NULL;
        const struct output_style st = { 0 };
        const struct machine m = { 0 };

        CAPTURE(s, output_list_text(f, &(const struct check_input){ .machine = &m }, &st));
        assert_string_equal(s, "no PCI devices found\n"
                               "the IOMMU is off: there are no IOMMU groups, so no device can be passed through\n");
}

#ifdef HAVE_LIBPCI
/* With a pci.ids, the last column names the device. */
static void test_list_text_names(void **state)
{
        _cleanup_free_ char *s = NULL;
        const struct output_style st = { 0 };
        static const char ids[] = "10de  NVIDIA Corporation\n"
                                  "\t2484  GA104 [GeForce RTX 3060 Ti]\n"
                                  "8086  Intel Corporation\n"
                                  "\t1901  6th-10th Gen Core Processor PCIe Controller (x16)\n";
        char path[] = "/tmp/test-output-XXXXXX";
        int fd = mkstemp(path);

        assert_true(fd >= 0);
        assert_int_equal(write(fd, ids, strlen(ids)), (ssize_t)strlen(ids));
        close(fd);
        pciname_set_ids_file(path);
        CAPTURE(s, output_list_text(f, &(const struct check_input){ .machine = &machine }, &st));
        pciname_set_ids_file("/nonexistent/pci.ids");
        unlink(path);
        assert_non_null(strstr(
                s,
                "\n      1  0000:00:01.0  0000:00:01.0  PCI bridge                      [8086:1901]  pcieport          "
                "6th-10th Gen Core Processor PCIe Controller (x16)  (bridge)\n"));
        assert_non_null(strstr(
                s,
                "\n      1  0000:01:00.0  0000:01:00.0  VGA compatible controller       [10de:2484]  nvidia            "
                "GA104 [GeForce RTX 3060 Ti]\n"));
        assert_non_null(strstr(
                s,
                "\n      1  0000:01:00.1  0000:01:00.1  Audio device                    [10de:228b]  snd_hda_intel\n"));
}
#endif

static const char list_json[] = "{\n"
                                "  \"version\": 1,\n"
                                "  \"iommu\": {\n"
                                "    \"vendor\": \"unknown\",\n"
                                "    \"hardware\": false,\n"
                                "    \"enabled\": true,\n"
                                "    \"mode\": \"translated\"\n"
                                "  },\n"
                                "  \"groups\": [\n"
                                "    {\n"
                                "      \"id\": 0,\n"
                                "      \"type\": \"identity\",\n"
                                "      \"isolated\": true,\n"
                                "      \"blockers\": [],\n"
                                "      \"devices\": [\n"
                                "        {\n"
                                "          \"address\": \"0000:00:00.0\",\n"
                                "          \"vendor\": \"8086\",\n"
                                "          \"device\": \"29c0\",\n"
                                "          \"class\": \"060000\",\n"
                                "          \"driver\": null,\n"
                                "          \"bridge\": false,\n"
                                "          \"path\": \"0000:00:00.0\",\n"
                                "          \"boot_vga\": false,\n"
                                "          \"on_vfio\": false,\n"
                                "          \"root_device\": false,\n"
                                "          \"backs\": null\n"
                                "        }\n"
                                "      ]\n"
                                "    },\n"
                                "    {\n"
                                "      \"id\": 1,\n"
                                "      \"type\": \"DMA-FQ\",\n"
                                "      \"isolated\": true,\n"
                                "      \"blockers\": [],\n"
                                "      \"devices\": [\n"
                                "        {\n"
                                "          \"address\": \"0000:00:01.0\",\n"
                                "          \"vendor\": \"8086\",\n"
                                "          \"device\": \"1901\",\n"
                                "          \"class\": \"060400\",\n"
                                "          \"driver\": \"pcieport\",\n"
                                "          \"bridge\": true,\n"
                                "          \"path\": \"0000:00:01.0\",\n"
                                "          \"boot_vga\": false,\n"
                                "          \"on_vfio\": false,\n"
                                "          \"root_device\": false,\n"
                                "          \"backs\": null\n"
                                "        },\n"
                                "        {\n"
                                "          \"address\": \"0000:01:00.0\",\n"
                                "          \"vendor\": \"10de\",\n"
                                "          \"device\": \"2484\",\n"
                                "          \"class\": \"030000\",\n"
                                "          \"driver\": \"nvidia\",\n"
                                "          \"bridge\": false,\n"
                                "          \"path\": \"0000:01:00.0\",\n"
                                "          \"boot_vga\": false,\n"
                                "          \"on_vfio\": false,\n"
                                "          \"root_device\": false,\n"
                                "          \"backs\": null\n"
                                "        },\n"
                                "        {\n"
                                "          \"address\": \"0000:01:00.1\",\n"
                                "          \"vendor\": \"10de\",\n"
                                "          \"device\": \"228b\",\n"
                                "          \"class\": \"040300\",\n"
                                "          \"driver\": \"snd_hda_intel\",\n"
                                "          \"bridge\": false,\n"
                                "          \"path\": \"0000:01:00.1\",\n"
                                "          \"boot_vga\": false,\n"
                                "          \"on_vfio\": false,\n"
                                "          \"root_device\": false,\n"
                                "          \"backs\": null\n"
                                "        }\n"
                                "      ]\n"
                                "    },\n"
                                "    {\n"
                                "      \"id\": 2,\n"
                                "      \"type\": null,\n"
                                "      \"isolated\": true,\n"
                                "      \"blockers\": [],\n"
                                "      \"devices\": [\n"
                                "        {\n"
                                "          \"address\": \"0000:02:00.0\",\n"
                                "          \"vendor\": \"144d\",\n"
                                "          \"device\": \"a808\",\n"
                                "          \"class\": \"010802\",\n"
                                "          \"driver\": \"nvme\",\n"
                                "          \"bridge\": false,\n"
                                "          \"path\": \"0000:02:00.0\",\n"
                                "          \"boot_vga\": false,\n"
                                "          \"on_vfio\": false,\n"
                                "          \"root_device\": true,\n"
                                "          \"backs\": null\n"
                                "        }\n"
                                "      ]\n"
                                "    }\n"
                                "  ],\n"
                                "  \"ungrouped_devices\": [\n"
                                "    {\n"
                                "      \"address\": \"0000:03:00.0\",\n"
                                "      \"vendor\": \"1b21\",\n"
                                "      \"device\": \"2142\",\n"
                                "      \"class\": \"0c0330\",\n"
                                "      \"driver\": \"xhci\\u001b[31m\\\"hcd\",\n"
                                "      \"bridge\": false,\n"
                                "      \"path\": \"0000:03:00.0\",\n"
                                "      \"boot_vga\": false,\n"
                                "      \"on_vfio\": false,\n"
                                "      \"root_device\": false,\n"
                                "      \"backs\": null\n"
                                "    }\n"
                                "  ]\n"
                                "}\n";

static void test_list_json(void **state)
{
        _cleanup_free_ char *s = NULL;

        CAPTURE(s, output_list_json(f, &input));
        assert_string_equal(s, list_json);
}

static void test_list_json_empty(void **state)
{
        _cleanup_free_ char *s = NULL;
        const struct machine m = { 0 };

        CAPTURE(s, output_list_json(f, &(const struct check_input){ .machine = &m }));
        assert_string_equal(s, "{\n"
                               "  \"version\": 1,\n"
                               "  \"iommu\": {\n"
                               "    \"vendor\": \"unknown\",\n"
                               "    \"hardware\": false,\n"
                               "    \"enabled\": false,\n"
                               "    \"mode\": \"unknown\"\n"
                               "  },\n"
                               "  \"groups\": [],\n"
                               "  \"ungrouped_devices\": []\n"
                               "}\n");
}

/* A stream that cannot be written is an error, not silence. */
static void test_write_error(void **state)
{
        char buf[16] = "";
        const struct output_style st = { 0 };
        FILE *f;

        f = fmemopen(buf, sizeof(buf), "r");
        assert_non_null(f);
        assert_int_equal(output_list_json(f, &(const struct check_input){ .machine = &machine }), -EIO);
        fclose(f);
        f = fmemopen(buf, sizeof(buf), "r");
        assert_non_null(f);
        assert_int_equal(output_check_text(f, &input, &report, &st), -EIO);
        fclose(f);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_check_json),         cmocka_unit_test(test_check_json_empty),
                cmocka_unit_test(test_check_text),         cmocka_unit_test(test_check_text_verbose_color),
                cmocka_unit_test(test_summary_line),       cmocka_unit_test(test_wrap_long_word),
                cmocka_unit_test(test_list_text),          cmocka_unit_test(test_list_text_no_groups),
                cmocka_unit_test(test_list_text_problems), cmocka_unit_test(test_list_text_empty),
#ifdef HAVE_LIBPCI
                cmocka_unit_test(test_list_text_names),
#endif
                cmocka_unit_test(test_list_json),          cmocka_unit_test(test_list_json_empty),
                cmocka_unit_test(test_write_error),
        };

        return cmocka_run_group_tests(tests, setup, teardown);
}
