/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "macro.h"

#define CONF "/etc/vfio-prep.conf"

static void expect_str(const char *what, const char *got, const char *want)
{
        if (!got || strcmp(got, want) != 0)
                fail_msg("%s: got '%s', want '%s'", what, got ? got : "(null)", want);
}

/* A fresh ERR each time: errors accumulate over one load. */
static int parse_str(struct config *cfg, const char *text, struct config_error *err)
{
        if (err)
                *err = (struct config_error){ 0 };
        return config_parse(cfg, CONF, text, strlen(text), err);
}

/* ---- selectors ---- */

static const struct {
        const char *in;
        int ret;
        enum selector_kind kind;
        struct pci_addr addr;
        uint16_t vendor, device;
        bool has_subsys;
        uint16_t sv, sd;
} selector_cases[] = {
#define ADDR(s, d, b, dv, f)                                                                                           \
        {                                                                                                              \
                .in = s, .kind = SELECTOR_ADDRESS, .addr = { d, b, dv, f }                                             \
        }
#define ID2(s, v, dv)                                                                                                  \
        {                                                                                                              \
                .in = s, .kind = SELECTOR_ID, .vendor = v, .device = dv                                                \
        }
#define ID4(s, v, dv, sv_, sd_)                                                                                        \
        {                                                                                                              \
                .in = s, .kind = SELECTOR_ID, .vendor = v, .device = dv, .has_subsys = true, .sv = sv_, .sd = sd_      \
        }
#define BAD(s)                                                                                                         \
        {                                                                                                              \
                .in = s, .ret = -EINVAL                                                                                \
        }
#define RANGE(s)                                                                                                       \
        {                                                                                                              \
                .in = s, .ret = -ERANGE                                                                                \
        }
        ADDR("0000:01:00.0", 0, 0x01, 0, 0),
        ADDR("01:00.0", 0, 0x01, 0, 0),
        ADDR("0001:ab:1f.7", 1, 0xab, 0x1f, 7),
        ADDR("0000:AB:1F.7", 0, 0xab, 0x1f, 7),
        ADDR("10000:00:02.0", 0x10000, 0, 2, 0),
        ID2("10de:2484", 0x10de, 0x2484),
        ID2("10DE:248F", 0x10de, 0x248f),
        ID4("10de:2484:1458:4037", 0x10de, 0x2484, 0x1458, 0x4037),
        ID4("ffff:0000:FFFF:0000", 0xffff, 0, 0xffff, 0),
        BAD(""),
        BAD(":"),
        BAD("01:00"),
        BAD("1:00.0"),
        RANGE("01:00.8"),
        RANGE("01:20.0"),
        RANGE("10000000:00:00.0"),
        BAD("01:0.0"),
        BAD("000:01:00.0"),
        BAD("0000:01:00.0.1"),
        BAD("0000:01:00.0 "),
        BAD("10de:248"),
        BAD("10de:24845"),
        BAD("10de:2484:"),
        BAD("10de:2484:1458"),
        BAD("10de:2484:1458:4037:1"),
        BAD("10de:2484:1458:4037:"),
        BAD("g0de:2484"),
        BAD("0x10:2484"),
        BAD("10de 2484"),
        BAD("10de"),
};

static void test_selector_parse(void **state)
{
        for (size_t i = 0; i < ARRAY_SIZE(selector_cases); i++) {
                struct selector s = { .kind = 99 };
                int k = selector_parse(selector_cases[i].in, &s);
                if (k != selector_cases[i].ret)
                        fail_msg("case %zu '%s': returned %d, want %d", i, selector_cases[i].in, k,
                                 selector_cases[i].ret);
                if (k < 0) {
                        assert_int_equal(s.kind, 99); /* untouched on failure */
                        continue;
                }
                assert_int_equal(s.kind, selector_cases[i].kind);
                if (s.kind == SELECTOR_ADDRESS) {
                        assert_int_equal(pci_addr_cmp(&s.addr, &selector_cases[i].addr), 0);
                        continue;
                }
                assert_int_equal(s.vendor, selector_cases[i].vendor);
                assert_int_equal(s.device, selector_cases[i].device);
                assert_int_equal(s.has_subsys, selector_cases[i].has_subsys);
                assert_int_equal(s.subsys_vendor, selector_cases[i].sv);
                assert_int_equal(s.subsys_device, selector_cases[i].sd);
        }
        struct selector s;
        assert_int_equal(selector_parse(NULL, &s), -EINVAL);
}

/* vfio-prep.conf(5), path=: the root-bus address and device.function hops, made canonical. */
static void test_selector_path(void **state)
{
        static const struct {
                const char *in, *canon;
                int ret;
        } cases[] = {
                { "path=0000:00:1c.4/00.0", "0000:00:1c.4/00.0", 0 },
                { "path=00:1C.4/00.0/1f.7", "0000:00:1c.4/00.0/1f.7", 0 },
                { "path=10000:e0:1d.0/00.0", "10000:e0:1d.0/00.0", 0 },
                { "path=0000:00:03.0", "0000:00:03.0", 0 },
                { "path=", NULL, -EINVAL },
                { "path=/00.0", NULL, -EINVAL },
                { "path=0000:00:1c.4/", NULL, -EINVAL },
                { "path=0000:00:1c.4//00.0", NULL, -EINVAL },
                { "path=0000:00:1c.4/01:00.0", NULL, -EINVAL },
                { "path=0000:00:1c.4/0.0", NULL, -EINVAL },
                { "path=0000:00:1c.4/00.8", NULL, -ERANGE },
                { "path=0000:00:1c.4/20.0", NULL, -ERANGE },
                { "path=0000:00:1c.4/00.0 ", NULL, -EINVAL },
                { "PATH=0000:00:1c.4", NULL, -EINVAL },
        };
        char longest[256] = "path=0000:00:00.0";

        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                struct selector s = { .kind = 99 };
                int k = selector_parse(cases[i].in, &s);
                if (k != cases[i].ret)
                        fail_msg("'%s': returned %d, want %d", cases[i].in, k, cases[i].ret);
                if (k < 0) {
                        assert_int_equal(s.kind, 99);
                        continue;
                }
                assert_int_equal(s.kind, SELECTOR_PATH);
                assert_string_equal(s.path, cases[i].canon);
        }
        /* Deeper than any machine: refused, not cut. */
        for (int i = 0; i < 40; i++)
                strcat(longest, "/00.0");
        struct selector s;
        assert_int_equal(selector_parse(longest, &s), -EINVAL);
        /* The same slot written two ways is one entry; id= pins a path like an address. */
        static const char twice[] = "device path=00:1c.4/00.0 id=8086:15bc\ndevice path=0000:00:1C.4/00.0\n";
        struct config cfg = { 0 };
        struct config_error err = { 0 };
        assert_int_equal(config_parse(&cfg, "t.conf", twice, strlen(twice), &err), -EINVAL);
        assert_string_equal(err.message, "device path=0000:00:1c.4/00.0 already configured at t.conf:1");
        config_done(&cfg);
}

static void test_selector_matches(void **state)
{
        struct pci_device d = {
                .addr = { 0, 1, 0, 0 },
                .vendor = 0x10de,
                .device = 0x2484,
                .subsys_vendor = 0x1458,
                .subsys_device = 0x4037,
        };
        static const struct {
                const char *sel;
                bool match;
        } cases[] = {
                { "01:00.0", true },
                { "0000:01:00.0", true },
                { "01:00.1", false },
                { "0001:01:00.0", false },
                { "10de:2484", true },
                { "10DE:2484", true },
                { "10de:2485", false },
                { "10df:2484", false },
                { "10de:2484:1458:4037", true },
                { "10de:2484:1458:4038", false },
                { "10de:2484:1459:4037", false },
                { "10de:2485:1458:4037", false },
        };

        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                struct selector s;
                assert_int_equal(selector_parse(cases[i].sel, &s), 0);
                if (selector_matches(&s, &d) != cases[i].match)
                        fail_msg("'%s' should %smatch", cases[i].sel, cases[i].match ? "" : "not ");
        }
}

/* ---- grammar: errors ---- */

static const struct {
        const char *text;
        const char *origin, *message;
} error_cases[] = {
        { "devcie 01:00.0\n", CONF ":1", "unknown keyword 'devcie': did you mean 'device'?" },
        { "\n# c\ndevice 01:00.0 alow-boot-vga\n", CONF ":3",
          "unknown option 'alow-boot-vga': did you mean 'allow-boot-vga'?" },
        { "device 01:00.0 colour=red", CONF ":1", "unknown option 'colour'" },
        { "device 01:00", CONF ":1", "invalid selector '01:00'" },
        { "device 10de:248", CONF ":1", "invalid selector '10de:248'" },
        { "device 01:20.0", CONF ":1",
          "PCI address '01:20.0' out of range (domain up to fffffff, device 00-1f, function 0-7)" },
        { "device 0000:01:00.8", CONF ":1",
          "PCI address '0000:01:00.8' out of range (domain up to fffffff, device 00-1f, function 0-7)" },
        { "device\n", CONF ":1", "'device' needs a selector" },
        { "device   # a comment", CONF ":1", "'device' needs a selector" },
        { "Device 01:00.0", CONF ":1", "unknown keyword 'Device': did you mean 'device'?" },
        { "isolation loose", CONF ":1", "'isolation' takes strict or warn, not 'loose'" },
        { "isolation Strict", CONF ":1", "'isolation' takes strict or warn, not 'Strict': did you mean 'strict'?" },
        { "isolation", CONF ":1", "'isolation' needs a value: strict or warn" },
        { "isolation #strict", CONF ":1", "'isolation' needs a value: strict or warn" },
        { "isolation strict warn", CONF ":1", "unexpected 'warn' after 'isolation strict'" },
        { "isolation=strict", CONF ":1", "unknown keyword 'isolation=strict'" },
        { "device 01:00.0 optional=1", CONF ":1", "option 'optional' takes no value" },
        { "device 01:00.0 optional=", CONF ":1", "option 'optional' takes no value" },
        { "device 01:00.0 allow-boot-vga=yes", CONF ":1", "option 'allow-boot-vga' takes no value" },
        { "device 01:00.0 functions=one functions=all", CONF ":1", "duplicate option 'functions'" },
        { "device 01:00.0 optional optional", CONF ":1", "duplicate option 'optional'" },
        { "device 01:00.0 vfs=2 vfs=2", CONF ":1", "duplicate option 'vfs'" },
        { "device 01:00.0 id=10de:2484 id=10de:2484", CONF ":1", "duplicate option 'id'" },
        { "device 01:00.0 functions=some", CONF ":1", "'functions' takes auto, all or one, not 'some'" },
        { "device 01:00.0 functions=ALL", CONF ":1",
          "'functions' takes auto, all or one, not 'ALL': did you mean 'all'?" },
        { "device 01:00.0 functions", CONF ":1", "option 'functions' needs a value" },
        { "device 01:00.0 functions=", CONF ":1", "option 'functions' needs a value" },
        { "device 01:00.0 vfs", CONF ":1", "option 'vfs' needs a value" },
        { "device 01:00.0 vfs=0", CONF ":1", "'vfs' takes a number from 1 to 65535, not '0'" },
        { "device 01:00.0 vfs=65536", CONF ":1", "'vfs' takes a number from 1 to 65535, not '65536'" },
        { "device 01:00.0 vfs=-1", CONF ":1", "'vfs' takes a number from 1 to 65535, not '-1'" },
        { "device 01:00.0 vfs=+1", CONF ":1", "'vfs' takes a number from 1 to 65535, not '+1'" },
        { "device 01:00.0 vfs=0x10", CONF ":1", "'vfs' takes a number from 1 to 65535, not '0x10'" },
        { "device 01:00.0 vfs=four", CONF ":1", "'vfs' takes a number from 1 to 65535, not 'four'" },
        { "device 01:00.0 vfs=99999999999999999999999", CONF ":1",
          "'vfs' takes a number from 1 to 65535, not '99999999999999999999999'" },
        { "device 10de:2484 id=10de:2484", CONF ":1", "option 'id' needs an address or path selector" },
        { "device 01:00.0 id=10de", CONF ":1", "'id' takes a vendor:device ID such as 10de:2484, not '10de'" },
        { "device 01:00.0 id=10de:2484:1458:4037", CONF ":1",
          "'id' takes a vendor:device ID such as 10de:2484, not '10de:2484:1458:4037'" },
        { "device 01:00.0 id=01:00.0", CONF ":1", "'id' takes a vendor:device ID such as 10de:2484, not '01:00.0'" },
        { "device 01:00.0 id", CONF ":1", "option 'id' needs a value" },
        /* a '#' glued to a word is part of it */
        { "device 01:00.0 optional#x", CONF ":1", "unknown option 'optional#x': did you mean 'optional'?" },
        { "device 01:00.0#x", CONF ":1", "invalid selector '01:00.0#x'" },
        { "device# 01:00.0", CONF ":1", "unknown keyword 'device#': did you mean 'device'?" },
        /* the same device twice */
        { "device 01:00.0\ndevice 0000:01:00.0 optional\n", CONF ":2",
          "device 0000:01:00.0 already configured at " CONF ":1" },
        { "device 10DE:2484\n\ndevice 10de:2484 functions=one", CONF ":3",
          "device 10de:2484 already configured at " CONF ":1" },
        { "device 10de:2484:1458:4037\ndevice 10de:2484:1458:4037", CONF ":2",
          "device 10de:2484:1458:4037 already configured at " CONF ":1" },
        /* the first error is the one returned; the others are listed (test_all_errors) */
        { "device 01:00.0\nisolation warn\nbogus\ndevice 02:00.0\n", CONF ":3", "unknown keyword 'bogus'" },
        /* untrusted text is made printable */
        { "dev\x1bice", CONF ":1", "unknown keyword 'dev\\x1bice': did you mean 'device'?" },
        { "device 01:00.0 \x7f", CONF ":1", "unknown option '\\x7f'" },
        { "device 01:00.0\r\nx\r\n", CONF ":2", "unknown keyword 'x'" },
};

static void test_parse_errors(void **state)
{
        for (size_t i = 0; i < ARRAY_SIZE(error_cases); i++) {
                struct config cfg = { 0 };
                struct config_error err = { .origin = "" };
                char what[64];

                int k = parse_str(&cfg, error_cases[i].text, &err);
                if (k != -EINVAL)
                        fail_msg("case %zu ('%s'): returned %d, want -EINVAL", i, error_cases[i].text, k);
                snprintf(what, sizeof(what), "case %zu origin", i);
                expect_str(what, err.origin, error_cases[i].origin);
                snprintf(what, sizeof(what), "case %zu message", i);
                expect_str(what, err.message, error_cases[i].message);
                /* a failed parse adds nothing */
                assert_int_equal(cfg.n_devices, 0);
                assert_int_equal(cfg.isolation, ISOLATION_STRICT);
                config_done(&cfg);
        }
}

static void test_error_without_err(void **state)
{
        struct config cfg = { 0 };

        assert_int_equal(parse_str(&cfg, "bogus", NULL), -EINVAL);
        assert_int_equal(config_add_selectors(&cfg, "--device", "bogus", NULL), -EINVAL);
        config_done(&cfg);
}

static void test_long_token_bounded(void **state)
{
        struct config cfg = { 0 };
        struct config_error err = { 0 };
        char line[300], want[128];

        /* 64 bytes shown, then "…" */
        memset(line, 'x', sizeof(line));
        memcpy(line, "devcie", 6);
        line[sizeof(line) - 1] = '\0';
        assert_int_equal(parse_str(&cfg, line, &err), -EINVAL);
        snprintf(want, sizeof(want), "unknown keyword '%.64s…'", line);
        assert_string_equal(err.message, want);

        /* a cut never splits a UTF-8 character: 63 x then a 2-byte 'é' straddling byte 64 */
        char utf[200];
        memset(utf, 'x', 63);
        strcpy(utf + 63, "\xc3\xa9tail and more text");
        assert_int_equal(parse_str(&cfg, utf, &err), -EINVAL);
        snprintf(want, sizeof(want), "unknown keyword '%.63s…'", utf);
        assert_string_equal(err.message, want);

        /* escapes do not overflow the message either */
        char ctl[300];
        memset(ctl, '\x01', sizeof(ctl) - 1);
        ctl[sizeof(ctl) - 1] = '\0';
        assert_int_equal(parse_str(&cfg, ctl, &err), -EINVAL);
        assert_true(strlen(err.message) < 300);
        assert_non_null(strstr(err.message, "\\x01\\x01"));
        assert_non_null(strstr(err.message, "…'"));
        assert_int_equal(cfg.n_devices, 0);
        config_done(&cfg);
}

static void test_line_limits(void **state)
{
        struct config cfg = { 0 };
        struct config_error err = { 0 };
        static char text[3 * 4200];

        /* exactly 4096 bytes is fine (a comment), 4097 is not */
        memset(text, ' ', sizeof(text));
        text[0] = '#';
        text[4096] = '\n';
        memcpy(text + 4097, "device 01:00.0\n", 15);
        assert_int_equal(config_parse(&cfg, CONF, text, 4097 + 15, &err), 0);
        assert_int_equal(cfg.n_devices, 1);
        expect_str("origin", cfg.devices[0].origin, CONF ":2");
        config_done(&cfg);

        memset(text, ' ', sizeof(text));
        memcpy(text, "device 02:00.0\n", 15);
        text[15] = '#';
        text[15 + 4097] = '\n';
        assert_int_equal(config_parse(&cfg, CONF, text, 15 + 4098, &err), -EINVAL);
        expect_str("origin", err.origin, CONF ":2");
        expect_str("message", err.message, "line too long");
        assert_int_equal(cfg.n_devices, 0);

        /* a long final line without a newline */
        err = (struct config_error){ 0 };
        assert_int_equal(config_parse(&cfg, CONF, text, sizeof(text), &err), -EINVAL);
        expect_str("message", err.message, "line too long");
        config_done(&cfg);
}

static void test_nul_byte(void **state)
{
        struct config cfg = { 0 };
        struct config_error err = { 0 };
        static const char text[] = "device 01:00.0\ndevice 02:00.0\0 optional\n";

        assert_int_equal(config_parse(&cfg, CONF, text, sizeof(text) - 1, &err), -EINVAL);
        expect_str("origin", err.origin, CONF ":2");
        expect_str("message", err.message, "NUL byte in line");
        assert_int_equal(cfg.n_devices, 0);
        /* the same text cut before the NUL is fine */
        assert_int_equal(config_parse(&cfg, CONF, text, 29, &err), 0);
        assert_int_equal(cfg.n_devices, 2);
        config_done(&cfg);
}

/* ---- grammar: what a good file yields ---- */

static void test_parse_full(void **state)
{
        struct config cfg = { 0 };
        struct config_error err = { 0 };
        static const char text[] = "# GPU and its audio\n"
                                   "   # indented comment\n"
                                   "\n"
                                   "device 0000:01:00.0 id=10DE:2484 functions=all allow-boot-vga optional # trailing\n"
                                   "\tdevice\t10de:228b:1458:4037\tfunctions=one\r\n"
                                   "device 03:00.0 vfs=4\n"
                                   "isolation warn   \n"
                                   "device 0001:02:1f.7";

        assert_int_equal(parse_str(&cfg, text, &err), 0);
        assert_int_equal(cfg.n_devices, 4);
        assert_int_equal(cfg.isolation, ISOLATION_WARN);

        const struct device_conf *d = &cfg.devices[0];
        assert_int_equal(d->sel.kind, SELECTOR_ADDRESS);
        assert_int_equal(pci_addr_cmp(&d->sel.addr, &(struct pci_addr){ 0, 1, 0, 0 }), 0);
        expect_str("text", d->text, "0000:01:00.0");
        expect_str("origin", d->origin, CONF ":4");
        assert_true(d->has_pin);
        assert_int_equal(d->pin_vendor, 0x10de);
        assert_int_equal(d->pin_device, 0x2484);
        assert_int_equal(d->functions, FUNCTIONS_ALL);
        assert_int_equal(d->vfs, -1);
        assert_true(d->allow_boot_vga);
        assert_true(d->optional);

        d = &cfg.devices[1];
        assert_int_equal(d->sel.kind, SELECTOR_ID);
        assert_int_equal(d->sel.vendor, 0x10de);
        assert_int_equal(d->sel.device, 0x228b);
        assert_true(d->sel.has_subsys);
        assert_int_equal(d->sel.subsys_vendor, 0x1458);
        assert_int_equal(d->sel.subsys_device, 0x4037);
        expect_str("text", d->text, "10de:228b:1458:4037");
        expect_str("origin", d->origin, CONF ":5");
        assert_false(d->has_pin);
        assert_int_equal(d->functions, FUNCTIONS_ONE);
        assert_false(d->allow_boot_vga);
        assert_false(d->optional);

        d = &cfg.devices[2];
        assert_int_equal(d->vfs, 4);
        assert_int_equal(d->functions, FUNCTIONS_AUTO);
        expect_str("origin", d->origin, CONF ":6");

        d = &cfg.devices[3];
        assert_int_equal(pci_addr_cmp(&d->sel.addr, &(struct pci_addr){ 1, 2, 0x1f, 7 }), 0);
        expect_str("origin", d->origin, CONF ":8");
        expect_str("text", d->text, "0001:02:1f.7");
        config_done(&cfg);
        assert_null(cfg.devices);
        assert_int_equal(cfg.n_devices, 0);
}

static void test_parse_defaults(void **state)
{
        struct config cfg = { 0 };
        struct config_error err = { 0 };

        assert_int_equal(parse_str(&cfg, "device 01:00.0", &err), 0);
        assert_int_equal(cfg.n_devices, 1);
        assert_false(cfg.devices[0].has_pin);
        assert_int_equal(cfg.devices[0].functions, FUNCTIONS_AUTO);
        assert_int_equal(cfg.devices[0].vfs, -1);
        assert_false(cfg.devices[0].allow_boot_vga);
        assert_false(cfg.devices[0].optional);
        assert_int_equal(cfg.isolation, ISOLATION_STRICT);
        config_done(&cfg);

        /* vfs bounds, leading zeros */
        assert_int_equal(
                parse_str(&cfg, "device 01:00.0 vfs=1\ndevice 02:00.0 vfs=65535\ndevice 03:00.0 vfs=007", &err), 0);
        assert_int_equal(cfg.devices[0].vfs, 1);
        assert_int_equal(cfg.devices[1].vfs, 65535);
        assert_int_equal(cfg.devices[2].vfs, 7);
        config_done(&cfg);
}

static void test_parse_empty(void **state)
{
        static const char *const texts[] = { "", "\n", "\n\n\n", "# only a comment", "  \t \r\n# x\n   #\n" };
        struct config_error err = { 0 };

        for (size_t i = 0; i < ARRAY_SIZE(texts); i++) {
                struct config cfg = { 0 };
                assert_int_equal(parse_str(&cfg, texts[i], &err), 0);
                assert_int_equal(cfg.n_devices, 0);
                assert_int_equal(cfg.isolation, ISOLATION_STRICT);
                config_done(&cfg);
        }
        struct config cfg = { 0 };
        assert_int_equal(config_parse(&cfg, CONF, NULL, 0, &err), 0);
        config_done(&cfg);
}

static void test_isolation_last_wins(void **state)
{
        struct config cfg = { 0 };
        struct config_error err = { 0 };

        assert_int_equal(parse_str(&cfg, "isolation warn\nisolation strict\n", &err), 0);
        assert_int_equal(cfg.isolation, ISOLATION_STRICT);
        assert_int_equal(parse_str(&cfg, "isolation warn # relaxed", &err), 0);
        assert_int_equal(cfg.isolation, ISOLATION_WARN);
        /* a failing file leaves the earlier value */
        assert_int_equal(parse_str(&cfg, "isolation strict\nbogus", &err), -EINVAL);
        assert_int_equal(cfg.isolation, ISOLATION_WARN);
        config_done(&cfg);
}

static void test_parse_appends_and_rolls_back(void **state)
{
        struct config cfg = { 0 };
        struct config_error err = { 0 };

        assert_int_equal(config_parse(&cfg, "a.conf", "device 01:00.0", 14, &err), 0);
        assert_int_equal(parse_str(&cfg, "device 02:00.0\ndevice 03:00.0\n", &err), 0);
        assert_int_equal(cfg.n_devices, 3);
        /* a duplicate across files names the first file */
        assert_int_equal(parse_str(&cfg, "device 04:00.0\ndevice 0000:01:00.0\n", &err), -EINVAL);
        expect_str("origin", err.origin, CONF ":2");
        expect_str("message", err.message, "device 0000:01:00.0 already configured at a.conf:1");
        assert_int_equal(cfg.n_devices, 3);
        expect_str("origin", cfg.devices[2].origin, CONF ":2");
        config_done(&cfg);
}

/* ---- --device and vfio-prep.devices= ---- */

static void test_add_selectors(void **state)
{
        struct config cfg = { 0 };
        struct config_error err = { 0 };

        assert_int_equal(config_add_selectors(&cfg, "--device", "01:00.0", &err), 0);
        assert_int_equal(config_add_selectors(&cfg, "kernel command line", "10de:2484, 0000:02:00.0 ,03:00.0", &err),
                         0);
        assert_int_equal(cfg.n_devices, 4);
        expect_str("text", cfg.devices[0].text, "01:00.0");
        expect_str("origin", cfg.devices[0].origin, "--device");
        expect_str("text", cfg.devices[1].text, "10de:2484");
        expect_str("origin", cfg.devices[1].origin, "kernel command line");
        assert_int_equal(cfg.devices[1].sel.kind, SELECTOR_ID);
        expect_str("text", cfg.devices[2].text, "0000:02:00.0");
        expect_str("text", cfg.devices[3].text, "03:00.0");
        for (size_t i = 0; i < cfg.n_devices; i++) {
                assert_int_equal(cfg.devices[i].functions, FUNCTIONS_AUTO);
                assert_int_equal(cfg.devices[i].vfs, -1);
                assert_false(cfg.devices[i].has_pin);
                assert_false(cfg.devices[i].optional);
                assert_false(cfg.devices[i].allow_boot_vga);
        }
        config_done(&cfg);
}

static void test_add_selectors_duplicates_skipped(void **state)
{
        struct config cfg = { 0 };
        struct config_error err = { 0 };

        assert_int_equal(parse_str(&cfg, "device 01:00.0 optional functions=one", &err), 0);
        assert_int_equal(
                config_add_selectors(&cfg, "--device", "0000:01:00.0,02:00.0,02:00.0,10de:2484,10DE:2484", &err), 0);
        assert_int_equal(cfg.n_devices, 3);
        /* the configured entry keeps its options and origin */
        expect_str("origin", cfg.devices[0].origin, CONF ":1");
        assert_true(cfg.devices[0].optional);
        assert_int_equal(cfg.devices[0].functions, FUNCTIONS_ONE);
        expect_str("text", cfg.devices[1].text, "02:00.0");
        expect_str("text", cfg.devices[2].text, "10de:2484");
        config_done(&cfg);
}

static const struct {
        const char *list, *message;
} add_error_cases[] = {
        { "", "empty entry in selector list ''" },
        { " ", "empty entry in selector list ' '" },
        { "01:00.0,", "empty entry in selector list '01:00.0,'" },
        { ",01:00.0", "empty entry in selector list ',01:00.0'" },
        { "01:00.0,,02:00.0", "empty entry in selector list '01:00.0,,02:00.0'" },
        { "01:00.0,xx", "invalid selector 'xx'" },
        { "01:1f.9", "PCI address '01:1f.9' out of range (domain up to fffffff, device 00-1f, function 0-7)" },
        { "01:00.0 02:00.0", "invalid selector '01:00.0 02:00.0'" },
        { "01:00.0,02:00.0 optional", "invalid selector '02:00.0 optional'" },
        { "01:00.0;02:00.0", "invalid selector '01:00.0;02:00.0'" },
};

static void test_add_selectors_errors(void **state)
{
        for (size_t i = 0; i < ARRAY_SIZE(add_error_cases); i++) {
                struct config cfg = { 0 };
                struct config_error err = { .origin = "" };
                char what[64];

                assert_int_equal(parse_str(&cfg, "device 05:00.0", &err), 0);
                int k = config_add_selectors(&cfg, "kernel command line", add_error_cases[i].list, &err);
                if (k != -EINVAL)
                        fail_msg("case %zu ('%s'): returned %d", i, add_error_cases[i].list, k);
                expect_str("origin", err.origin, "kernel command line");
                snprintf(what, sizeof(what), "case %zu message", i);
                expect_str(what, err.message, add_error_cases[i].message);
                /* all or nothing */
                assert_int_equal(cfg.n_devices, 1);
                config_done(&cfg);
        }
        struct config cfg = { 0 };
        struct config_error err = { 0 };
        assert_int_equal(config_add_selectors(&cfg, "--device", NULL, &err), -EINVAL);
        config_done(&cfg);
}

/* ---- ownership ---- */

static const struct {
        uid_t owner;
        mode_t mode;
        uid_t uid;
        int ret;
        const char *message;
} owner_cases[] = {
        { 0, S_IFREG | 0644, 0, 0, NULL },
        { 0, S_IFREG | 0600, 0, 0, NULL },
        { 0, S_IFREG | 0640, 1000, 0, NULL },
        { 0, S_IFREG | 0444, 1000, 0, NULL },
        { 1000, S_IFREG | 0644, 1000, 0, NULL },
        { 0, S_IFREG | 02644, 0, 0, NULL },
        { 1000, S_IFREG | 0644, 0, -EPERM, "refusing a config file owned by uid 1000" },
        { 1001, S_IFREG | 0600, 1000, -EPERM, "refusing a config file owned by uid 1001" },
        { 0, S_IFREG | 0664, 0, -EPERM, "refusing a config file writable by group or others (mode 0664)" },
        { 0, S_IFREG | 0646, 0, -EPERM, "refusing a config file writable by group or others (mode 0646)" },
        { 0, S_IFREG | 0622, 1000, -EPERM, "refusing a config file writable by group or others (mode 0622)" },
        { 1000, S_IFREG | 0666, 1000, -EPERM, "refusing a config file writable by group or others (mode 0666)" },
        { 0, S_IFREG | 02664, 0, -EPERM, "refusing a config file writable by group or others (mode 2664)" },
};

static void test_check_owner(void **state)
{
        for (size_t i = 0; i < ARRAY_SIZE(owner_cases); i++) {
                struct config_error err = { .origin = "" };
                int k = config_check_owner(CONF, owner_cases[i].owner, owner_cases[i].mode, owner_cases[i].uid, &err);
                if (k != owner_cases[i].ret)
                        fail_msg("case %zu: returned %d, want %d", i, k, owner_cases[i].ret);
                if (!owner_cases[i].message) {
                        assert_string_equal(err.message, "");
                        continue;
                }
                expect_str("origin", err.origin, CONF);
                /* the refusal, then the command that fixes it */
                if (strncmp(err.message, owner_cases[i].message, strlen(owner_cases[i].message)) != 0 ||
                    !strstr(err.message, ": fix it with 'chown root:root " CONF " && chmod 644 " CONF "'"))
                        fail_msg("case %zu: got '%s'", i, err.message);
        }
}

/* ---- mistakes explained (vfio-prep.conf(5), DIAGNOSTICS) ---- */

/* Five lines, three of them wrong. */
static const char five_lines[] = "device 01:00.0 funtions=one\n"
                                 "isolation warn\n"
                                 "devcie 02:00.0\n"
                                 "device 03:00.0\n"
                                 "device 04:00.0 allow_boot_vga\n";

/* Every line is parsed: each error listed with its line, the first also in origin/message. */
static void test_all_errors(void **state)
{
        struct config cfg = { 0 };
        struct config_error err = { 0 };

        assert_int_equal(parse_str(&cfg, five_lines, &err), -EINVAL);
        assert_int_equal(err.n, 3);
        assert_int_equal(err.n_more, 0);
        expect_str("first", err.message, "unknown option 'funtions': did you mean 'functions'?");
        expect_str("origin 0", err.list[0].origin, CONF ":1");
        expect_str("origin 1", err.list[1].origin, CONF ":3");
        expect_str("message 1", err.list[1].message, "unknown keyword 'devcie': did you mean 'device'?");
        expect_str("origin 2", err.list[2].origin, CONF ":5");
        expect_str("message 2", err.list[2].message, "unknown option 'allow_boot_vga': did you mean 'allow-boot-vga'?");
        /* nothing of the file is kept */
        assert_int_equal(cfg.n_devices, 0);
        assert_int_equal(cfg.isolation, ISOLATION_STRICT);

        /* past the cap, errors are only counted */
        char many[64 * 30] = "";
        for (int i = 0; i < 30; i++)
                strcat(many, "bogus\n");
        assert_int_equal(parse_str(&cfg, many, &err), -EINVAL);
        assert_int_equal(err.n, CONFIG_ERRORS_MAX);
        assert_int_equal(err.n_more, 30 - CONFIG_ERRORS_MAX);
        expect_str("last listed", err.list[CONFIG_ERRORS_MAX - 1].origin, CONF ":20");
        config_done(&cfg);
}

/* Files saved on Windows: a byte-order mark and CRLF line ends are fine. */
static void test_bom_crlf(void **state)
{
        struct config cfg = { 0 };
        struct config_error err = { 0 };

        assert_int_equal(
                parse_str(&cfg, "\xef\xbb\xbf# from notepad\r\ndevice 01:00.0 optional\r\nisolation warn\r\n", &err),
                0);
        assert_int_equal(cfg.n_devices, 1);
        assert_true(cfg.devices[0].optional);
        assert_true(cfg.devices[0].from_file);
        assert_int_equal(cfg.isolation, ISOLATION_WARN);
        config_done(&cfg);

        /* a BOM only counts at the start */
        assert_int_equal(parse_str(&cfg,
                                   "device 01:00.0\n\xef\xbb\xbf"
                                   "device 02:00.0\n",
                                   &err),
                         -EINVAL);
        expect_str("message", err.message, "unknown keyword '\\ufeffdevice': did you mean 'device'?");
        config_done(&cfg);
}

/* Invisible characters are shown escaped, so that the user can find them. */
static void test_invisible_escaped(void **state)
{
        struct config cfg = { 0 };
        struct config_error err = { 0 };

        assert_int_equal(parse_str(&cfg,
                                   "device\xc2\xa0"
                                   "01:00.0\n",
                                   &err),
                         -EINVAL);
        expect_str("nbsp", err.message, "unknown keyword 'device\\u00a001:00.0'");
        assert_int_equal(parse_str(&cfg, "device 01:00.0 optional\xe2\x80\x8b\n", &err), -EINVAL);
        expect_str("zero width", err.message, "unknown option 'optional\\u200b': did you mean 'optional'?");
        assert_int_equal(parse_str(&cfg, "device 01:00.0 \xff\n", &err), -EINVAL);
        expect_str("not utf-8", err.message, "unknown option '\\xff'");
        config_done(&cfg);
}

/* A machine with a graphics card (two functions) for the translations. */
static struct pci_device paste_devices[] = {
        { .name = "0000:01:00.0", .addr = { 0, 1, 0, 0 }, .vendor = 0x10de, .device = 0x2484 },
        { .name = "0000:01:00.1", .addr = { 0, 1, 0, 1 }, .vendor = 0x10de, .device = 0x228b },
};
static const struct machine paste_machine = { .devices = paste_devices, .n_devices = ARRAY_SIZE(paste_devices) };

static void test_pasted_lines(void **state)
{
        struct config cfg = { .machine = &paste_machine };
        struct config_error err = { 0 };

        assert_int_equal(parse_str(&cfg, "options vfio-pci ids=10de:2484,10de:228b disable_vga=1\n", &err), -EINVAL);
        expect_str("options", err.message,
                   "'options vfio-pci ids=' is a modprobe.d(5) line, and vfio-pci's ids= binds every device with "
                   "these IDs, identical host devices included: replace it with 'device 0000:01:00.0 id=10de:2484', "
                   "'device 0000:01:00.1 id=10de:228b'");
        /* IDs this machine does not have: the id= form */
        assert_int_equal(parse_str(&cfg, "options vfio_pci ids=1002:67df\n", &err), -EINVAL);
        assert_non_null(strstr(err.message, "replace it with 'device 1002:67df'"));
        assert_int_equal(parse_str(&cfg, "softdep nvidia pre: vfio-pci\n", &err), -EINVAL);
        assert_non_null(strstr(err.message, "'softdep ... pre: vfio-pci' is a modprobe.d(5) line"));
        assert_int_equal(parse_str(&cfg, "blacklist nouveau\n", &err), -EINVAL);
        expect_str("blacklist", err.message,
                   "'blacklist' starts a modprobe.d(5) line: it belongs in /etc/modprobe.d/, not in vfio-prep.conf");
        /* a comma list in a device line */
        assert_int_equal(parse_str(&cfg, "device 10de:2484,01:00.1 optional\n", &err), -EINVAL);
        expect_str("list", err.message,
                   "one selector per 'device' line: replace this line with 'device 0000:01:00.0 id=10de:2484', "
                   "'device 0000:01:00.1 id=10de:228b'");
        /* without a machine: as written */
        cfg.machine = NULL;
        assert_int_equal(parse_str(&cfg, "device 10de:2484,10de:228b\n", &err), -EINVAL);
        expect_str("no machine", err.message,
                   "one selector per 'device' line: replace this line with 'device 10de:2484', 'device 10de:228b'");
        assert_int_equal(cfg.n_devices, 0);
        config_done(&cfg);
}

/* --check --json gives a configuration error's file and line as fields of their own. */
static void test_origin_split(void **state)
{
        char file[64];
        unsigned line = 0;

        assert_true(config_origin_split("/etc/vfio-prep.d/gpu.conf:12", file, sizeof(file), &line));
        assert_string_equal(file, "/etc/vfio-prep.d/gpu.conf");
        assert_int_equal(line, 12);
        /* A colon in the path: the line is after the last one. */
        assert_true(config_origin_split("/tmp/a:b.conf:3", file, sizeof(file), &line));
        assert_string_equal(file, "/tmp/a:b.conf");
        assert_int_equal(line, 3);
        assert_false(config_origin_split("--device", file, sizeof(file), &line));
        assert_false(config_origin_split("kernel command line (vfio-prep.devices=)", file, sizeof(file), &line));
        assert_false(config_origin_split("/etc/vfio-prep.conf:0", file, sizeof(file), &line));
        assert_false(config_origin_split("/etc/vfio-prep.conf:", file, sizeof(file), &line));
        assert_false(config_origin_split(":7", file, sizeof(file), &line));
        /* A file name longer than the buffer is not cut. */
        assert_false(config_origin_split("/a/very/long/path/that/does/not/fit/in/sixty-four/bytes/at/all.conf:1", file,
                                         sizeof(file), &line));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_selector_parse),
                cmocka_unit_test(test_selector_path),
                cmocka_unit_test(test_selector_matches),
                cmocka_unit_test(test_parse_errors),
                cmocka_unit_test(test_error_without_err),
                cmocka_unit_test(test_long_token_bounded),
                cmocka_unit_test(test_line_limits),
                cmocka_unit_test(test_nul_byte),
                cmocka_unit_test(test_parse_full),
                cmocka_unit_test(test_parse_defaults),
                cmocka_unit_test(test_parse_empty),
                cmocka_unit_test(test_isolation_last_wins),
                cmocka_unit_test(test_parse_appends_and_rolls_back),
                cmocka_unit_test(test_add_selectors),
                cmocka_unit_test(test_add_selectors_duplicates_skipped),
                cmocka_unit_test(test_add_selectors_errors),
                cmocka_unit_test(test_check_owner),
                cmocka_unit_test(test_all_errors),
                cmocka_unit_test(test_bom_crlf),
                cmocka_unit_test(test_invisible_escaped),
                cmocka_unit_test(test_pasted_lines),
                cmocka_unit_test(test_origin_split),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
