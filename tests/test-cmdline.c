/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "cmdline.h"
#include "macro.h"

/*
 * Each case renders the parsed command line as "key=value" lines ("key" alone for a bare flag,
 * so that NULL and "" differ), joined by '|'.
 */
static char *render(const struct cmdline *c)
{
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);

        assert_non_null(f);
        for (size_t i = 0; i < c->n_params; i++) {
                fprintf(f, "%s%s", i ? "|" : "", c->params[i].key);
                if (c->params[i].value)
                        fprintf(f, "=%s", c->params[i].value);
        }
        assert_int_equal(fclose(f), 0);
        return buf;
}

static const struct {
        const char *in;
        const char *want;
} parse_cases[] = {
        { "", "" },
        { "   \n", "" },
        { "quiet", "quiet" },
        { "root=/dev/sda1 quiet\n", "root=/dev/sda1|quiet" },
        { "BOOT_IMAGE=/vmlinuz-6.1 ro  intel_iommu=on\tiommu=pt\n",
          "BOOT_IMAGE=/vmlinuz-6.1|ro|intel_iommu=on|iommu=pt" },
        { "a= b", "a=|b" },
        { "k=v=w", "k=v=w" },
        /* quotes around the value, around the whole parameter */
        { "key=\"a b\" c", "key=a b|c" },
        { "\"key=a b\" c", "key=a b|c" },
        { "k=\"\" x", "k=|x" },
        { "k=\"", "k=" },
        { "\"\" x", "x" },
        { "\"", "" },
        /* quotes inside a word stay, but still protect spaces */
        { "a\"b c\"d e", "a\"b c\"d|e" },
        { "k=\"a\"b\" c", "k=a\"b\" c" },
        { "\"k\"=v", "k\"=v" },
        { "k=a\"b c\"", "k=a\"b c\"" },
        /* unterminated quote: the rest of the line, without /proc/cmdline's newline */
        { "x key=\"a b", "x|key=a b" },
        { "x key=\"a b\n", "x|key=a b" },
        { "\"unterminated rest of line", "unterminated rest of line" },
        /* "--" ends the kernel's part, quoted or not; "--=x" is an ordinary parameter */
        { "a -- b=c", "a" },
        { "a \"--\" b", "a" },
        { "a --=x b", "a|--=x|b" },
        { "-- a", "" },
        { "a --x b", "a|--x|b" },
        /* a leading '=' is part of the name, as in the kernel */
        { "=x y", "=x|y" },
        { "==x", "==x" },
        { "a==", "a==" },
        /* the kernel's whitespace: \t \n \v \f \r and 0xa0 */
        { "\t a\tb \r\n", "a|b" },
        { "a\vb\fc", "a|b|c" },
        { "a\xa0"
          "b",
          "a|b" },
        { "vfio-prep.devices=01:00.0,10de:2484 vfio-prep.disable",
          "vfio-prep.devices=01:00.0,10de:2484|vfio-prep.disable" },
        { "a=1 a=2", "a=1|a=2" },
};

static void test_parse(void **state)
{
        for (size_t i = 0; i < ARRAY_SIZE(parse_cases); i++) {
                struct cmdline c = { 0 };
                assert_int_equal(cmdline_parse(parse_cases[i].in, &c), 0);
                _cleanup_free_ char *got = render(&c);
                if (strcmp(got, parse_cases[i].want) != 0)
                        fail_msg("case %zu: '%s' parsed as '%s', want '%s'", i, parse_cases[i].in, got,
                                 parse_cases[i].want);
                cmdline_done(&c);
                assert_null(c.params);
                assert_int_equal(c.n_params, 0);
        }
}

static void test_parse_null_and_long(void **state)
{
        struct cmdline c = { 0 };
        char big[20000];

        assert_int_equal(cmdline_parse(NULL, &c), 0);
        assert_int_equal(c.n_params, 0);
        cmdline_done(&c);

        /* 2000 parameters, then a huge unterminated quoted value */
        size_t o = 0;
        for (int i = 0; i < 2000; i++)
                o += (size_t)snprintf(big + o, sizeof(big) - o, "p%d ", i);
        memset(big + o, 'v', sizeof(big) - o - 1);
        memcpy(big + o, "last=\"", 6);
        big[sizeof(big) - 1] = '\0';
        assert_int_equal(cmdline_parse(big, &c), 0);
        assert_int_equal(c.n_params, 2001);
        assert_string_equal(c.params[1999].key, "p1999");
        assert_string_equal(c.params[2000].key, "last");
        assert_int_equal(strlen(c.params[2000].value), sizeof(big) - 1 - o - 6);
        cmdline_done(&c);
        cmdline_done(&c); /* idempotent */
}

static const struct {
        const char *a, *b;
        bool eq;
} key_cases[] = {
        { "vfio-prep.disable", "vfio_prep.disable", true },
        { "vfio_prep.disable", "vfio-prep.disable", true },
        { "a-b_c", "a_b-c", true },
        { "quiet", "quiet", true },
        { "", "", true },
        { "ab", "a_b", false },
        { "a", "ab", false },
        { "ab", "a", false },
        { "Quiet", "quiet", false },
        { "a.b", "a-b", false },
        { "vfio-prep.devices", "vfio-prep.device", false },
};

static void test_key_eq(void **state)
{
        for (size_t i = 0; i < ARRAY_SIZE(key_cases); i++)
                if (cmdline_key_eq(key_cases[i].a, key_cases[i].b) != key_cases[i].eq)
                        fail_msg("case %zu: '%s' vs '%s' should be %s", i, key_cases[i].a, key_cases[i].b,
                                 key_cases[i].eq ? "equal" : "different");
        assert_false(cmdline_key_eq(NULL, "a"));
        assert_false(cmdline_key_eq("a", NULL));
}

static const struct {
        const char *line, *key;
        bool found;
        const char *value; /* NULL: absent or bare */
} get_cases[] = {
        { "a=1 a=2", "a", true, "2" },
        { "a=1 a", "a", true, NULL },
        { "a a=1", "a", true, "1" },
        { "a=1 a=", "a", true, "" },
        { "vfio_prep.devices=x vfio-prep.devices=y", "vfio-prep.devices", true, "y" },
        { "vfio-prep.devices=x vfio_prep.devices=y", "vfio_prep.devices", true, "y" },
        { "vfio-prep.devices=x", "vfio_prep_devices", false, NULL },
        { "root=/dev/sda1 -- root=/dev/sdb1", "root", true, "/dev/sda1" },
        { "quiet", "root", false, NULL },
        { "", "root", false, NULL },
        { "\"root=/dev/disk/by-label/My Disk\"", "root", true, "/dev/disk/by-label/My Disk" },
};

static void test_get_value(void **state)
{
        for (size_t i = 0; i < ARRAY_SIZE(get_cases); i++) {
                struct cmdline c = { 0 };
                assert_int_equal(cmdline_parse(get_cases[i].line, &c), 0);
                const struct cmdline_param *p = cmdline_get(&c, get_cases[i].key);
                const char *v = cmdline_value(&c, get_cases[i].key);
                if ((p != NULL) != get_cases[i].found)
                        fail_msg("case %zu: '%s' in '%s': found %d", i, get_cases[i].key, get_cases[i].line, p != NULL);
                if (get_cases[i].value)
                        assert_string_equal(v, get_cases[i].value);
                else
                        assert_null(v);
                if (p)
                        assert_ptr_equal(p->value, v);
                cmdline_done(&c);
        }
        assert_null(cmdline_get(NULL, "a"));
        assert_null(cmdline_value(NULL, "a"));
        assert_false(cmdline_flag(NULL, "a"));
}

static const struct {
        const char *line;
        bool want;
} flag_cases[] = {
        { "vfio-prep.disable", true },
        { "vfio_prep.disable", true },
        { "vfio-prep.disable=1", true },
        { "vfio-prep.disable=y", true },
        { "vfio-prep.disable=Y", true },
        { "vfio-prep.disable=yes", true },
        { "vfio-prep.disable=YES", true },
        { "vfio-prep.disable=on", true },
        { "vfio-prep.disable=true", true },
        { "vfio-prep.disable=\"yes\"", true },
        { "vfio-prep.disable=0", false },
        { "vfio-prep.disable=n", false },
        { "vfio-prep.disable=N", false },
        { "vfio-prep.disable=no", false },
        { "vfio-prep.disable=off", false },
        { "vfio-prep.disable=false", false },
        { "vfio-prep.disable=", false },
        { "vfio-prep.disable=maybe", false },
        { "", false },
        { "quiet", false },
        { "vfio-prep.disabled", false },
        { "vfio-prep.disable=1 vfio-prep.disable=0", false },
        { "vfio-prep.disable=0 vfio-prep.disable", true },
        { "-- vfio-prep.disable", false },
};

static void test_flag(void **state)
{
        for (size_t i = 0; i < ARRAY_SIZE(flag_cases); i++) {
                struct cmdline c = { 0 };
                assert_int_equal(cmdline_parse(flag_cases[i].line, &c), 0);
                if (cmdline_flag(&c, "vfio-prep.disable") != flag_cases[i].want)
                        fail_msg("case %zu: '%s' should be %s", i, flag_cases[i].line,
                                 flag_cases[i].want ? "true" : "false");
                cmdline_done(&c);
        }
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse),  cmocka_unit_test(test_parse_null_and_long),
                cmocka_unit_test(test_key_eq), cmocka_unit_test(test_get_value),
                cmocka_unit_test(test_flag),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
