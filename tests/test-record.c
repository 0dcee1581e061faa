/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "machine.h"
#include "macro.h"
#include "record.h"
#include "root.h"
#include "support/tree.h"

static void record_free(struct boot_record *rec)
{
        for (size_t i = 0; i < rec->n_entries; i++)
                free(rec->entries[i].reason);
        free(rec->entries);
        *rec = (struct boot_record){ 0 };
}

static const struct record_entry sample[] = {
        { "0000:01:00.0", true, NULL, 1 },
        { "0000:01:00.1", true, "already on vfio-pci", 1 },
        { "0000:02:00.0", false, "not isolated", 1 },
        { "10000:e1:00.3", false, "0000:02:00.0: probe failed: \"quoted\"\n\ttab \\ caf\xc3\xa9 \x01", 1 },
};

static void test_round_trip(void **state)
{
        _cleanup_free_ char *text = NULL;
        struct boot_record rec;

        assert_int_equal(record_format(sample, ARRAY_SIZE(sample), &text), 0);
        assert_non_null(strstr(text, "\"version\": 1"));
        assert_int_equal(record_parse(text, &rec), 0);
        assert_true(rec.found);
        assert_int_equal(rec.n_entries, ARRAY_SIZE(sample));
        for (size_t i = 0; i < ARRAY_SIZE(sample); i++) {
                assert_string_equal(rec.entries[i].name, sample[i].name);
                assert_int_equal(rec.entries[i].bound, sample[i].bound);
                if (sample[i].reason)
                        assert_string_equal(rec.entries[i].reason, sample[i].reason);
                else
                        assert_null(rec.entries[i].reason);
        }
        record_free(&rec);
}

/* The pass is written for every entry; a record without one (older vfio-prep) reads as pass 1. */
static void test_pass(void **state)
{
        const struct record_entry e[] = {
                { "0000:01:00.0", true, NULL, 0 },
                { "0000:05:00.0", true, NULL, 2 },
        };
        _cleanup_free_ char *text = NULL;
        struct boot_record rec;

        assert_int_equal(record_format(e, ARRAY_SIZE(e), &text), 0);
        assert_non_null(strstr(text, "\"pass\": 1"));
        assert_non_null(strstr(text, "\"pass\": 2"));
        assert_int_equal(record_parse(text, &rec), 0);
        assert_int_equal(rec.entries[0].pass, 1);
        assert_int_equal(rec.entries[1].pass, 2);
        record_free(&rec);
        assert_int_equal(record_parse("{\"version\": 1, \"devices\": [{\"address\": \"0000:01:00.0\", "
                                      "\"bound\": true}]}",
                                      &rec),
                         0);
        assert_int_equal(rec.entries[0].pass, 1);
        record_free(&rec);
        assert_int_equal(record_parse("{\"version\": 1, \"devices\": [{\"address\": \"0000:01:00.0\", "
                                      "\"bound\": true, \"pass\": 3}]}",
                                      &rec),
                         -EINVAL);
        assert_int_equal(record_parse("{\"version\": 1, \"devices\": [{\"address\": \"0000:01:00.0\", "
                                      "\"bound\": true, \"pass\": 1.5}]}",
                                      &rec),
                         -EINVAL);
}

/* The second pass keeps what the first bound, replaces what it deferred, adds what is new. */
static void test_merge(void **state)
{
        struct boot_record_entry first[] = {
                { .name = "0000:01:00.0", .bound = true, .pass = 1 },
                { .name = "0000:03:00.0", .bound = false, .reason = (char *)"deferred", .pass = 1 },
                { .name = "0000:05:00.0", .bound = false, .reason = (char *)"deferred", .pass = 1 },
                { .name = "0000:06:00.0", .bound = false, .reason = (char *)"vfs deferred", .pass = 1 },
        };
        const struct boot_record old = { .found = true, .entries = first, .n_entries = ARRAY_SIZE(first) };
        const struct record_entry second[] = {
                { "0000:01:00.0", true, NULL, 2 },
                { "0000:03:00.0", false, "root device", 2 },
                { "0000:05:00.0", true, NULL, 2 },
                { "0000:06:00.1", true, NULL, 2 },
        };
        struct record_entry *out;
        size_t n;

        assert_int_equal(record_merge(&old, second, ARRAY_SIZE(second), &out, &n), 0);
        assert_int_equal(n, 5);
        assert_string_equal(out[0].name, "0000:01:00.0");
        assert_int_equal(out[0].pass, 1);
        assert_true(out[0].bound);
        assert_string_equal(out[1].name, "0000:03:00.0");
        assert_int_equal(out[1].pass, 2);
        assert_string_equal(out[1].reason, "root device");
        assert_string_equal(out[2].name, "0000:05:00.0");
        assert_true(out[2].bound);
        assert_int_equal(out[2].pass, 2);
        assert_string_equal(out[3].name, "0000:06:00.0");
        assert_string_equal(out[3].reason, "vfs deferred");
        assert_int_equal(out[3].pass, 1);
        assert_string_equal(out[4].name, "0000:06:00.1");
        assert_int_equal(out[4].pass, 2);
        free(out);

        /* No first record: the second pass's entries alone. */
        assert_int_equal(record_merge(&(struct boot_record){ 0 }, second, ARRAY_SIZE(second), &out, &n), 0);
        assert_int_equal(n, ARRAY_SIZE(second));
        free(out);
}

static void test_empty(void **state)
{
        _cleanup_free_ char *text = NULL;
        struct boot_record rec;

        assert_int_equal(record_format(NULL, 0, &text), 0);
        assert_int_equal(record_parse(text, &rec), 0);
        assert_true(rec.found);
        assert_int_equal(rec.n_entries, 0);
        record_free(&rec);
}

/* What other writers may produce: any key order, unknown keys, escapes, short addresses. */
static void test_tolerant(void **state)
{
        struct boot_record rec;
        const char *text = " {\"extra\": {\"a\": [1, -2.5e+3, 0, true, false, null, \"x\", {}, []]},\n"
                           "  \"devices\": [{\"reason\": \"caf\\u00e9 \\ud83d\\ude00 \\/\\b\\f\\r\", \"bound\": false,"
                           " \"address\": \"01:00.0\", \"since\": 12},"
                           " {\"address\": \"0000:0A:1f.7\", \"bound\": true}],\r\n"
                           "  \"version\": 1, \"written-by\": \"vfio-prep 2\"}\n";

        assert_int_equal(record_parse(text, &rec), 0);
        assert_int_equal(rec.n_entries, 2);
        assert_string_equal(rec.entries[0].name, "0000:01:00.0");
        assert_false(rec.entries[0].bound);
        assert_string_equal(rec.entries[0].reason, "caf\xc3\xa9 \xf0\x9f\x98\x80 /\b\f\r");
        assert_string_equal(rec.entries[1].name, "0000:0a:1f.7");
        assert_true(rec.entries[1].bound);
        assert_null(rec.entries[1].reason);
        record_free(&rec);
}

/* Nesting up to the bound is fine; one more level is refused. */
static void test_depth(void **state)
{
        struct boot_record rec;
        char text[512];
        int n;

        /* The document and 31 levels inside one unknown key: 32 in all. */
        n = snprintf(text, sizeof(text), "{\"version\":1,\"devices\":[],\"x\":");
        for (int i = 0; i < 31; i++)
                text[n++] = '[';
        for (int i = 0; i < 31; i++)
                text[n++] = ']';
        snprintf(text + n, sizeof(text) - (size_t)n, "}");
        assert_int_equal(record_parse(text, &rec), 0);
        record_free(&rec);

        n = snprintf(text, sizeof(text), "{\"version\":1,\"devices\":[],\"x\":");
        for (int i = 0; i < 32; i++)
                text[n++] = '[';
        for (int i = 0; i < 32; i++)
                text[n++] = ']';
        snprintf(text + n, sizeof(text) - (size_t)n, "}");
        assert_int_equal(record_parse(text, &rec), -EINVAL);
}

#define DOC(devices) "{\"version\":1,\"devices\":[" devices "]}"
#define DEV(rest) "{\"address\":\"0000:01:00.0\"," rest "}"

static const char *const malformed[] = {
        "",
        " ",
        "{",
        "{}",
        "[]",
        "null",
        "{\"version\":1}",
        "{\"devices\":[]}",
        "{\"version\":2,\"devices\":[]}",
        "{\"version\":1.0,\"devices\":[]}",
        "{\"version\":1e0,\"devices\":[]}",
        "{\"version\":\"1\",\"devices\":[]}",
        "{\"version\":01,\"devices\":[]}",
        "{\"version\":-1,\"devices\":[]}",
        "{\"version\":99999999999999999999999,\"devices\":[]}",
        "{\"version\":1,\"devices\":{}}",
        "{\"version\":1,\"devices\":null}",
        "{\"version\":1,\"devices\":[],\"devices\":[]}",
        "{\"version\":1,\"devices\":[]} x",
        "{\"version\":1,\"devices\":[]}}",
        "{\"version\":1,\"devices\":[],}",
        "{\"version\":1,,\"devices\":[]}",
        "{\"version\" 1,\"devices\":[]}",
        "{version:1,\"devices\":[]}",
        "{'version':1,\"devices\":[]}",
        "{\"version\":1,\"devices\":[]} // comment",
        DOC("1"),
        DOC("\"0000:01:00.0\""),
        DOC("{}"),
        DOC(DEV("\"bound\":true") ","),
        DOC(DEV("\"bound\":true") DEV("\"bound\":true")),
        DOC("{\"bound\":true}"),
        DOC(DEV("\"reason\":null")),
        DOC(DEV("\"bound\":\"true\"")),
        DOC(DEV("\"bound\":1")),
        DOC(DEV("\"bound\":tru")),
        DOC(DEV("\"bound\":True")),
        DOC(DEV("\"bound\":true,\"reason\":5")),
        DOC(DEV("\"bound\":true,\"reason\":nul")),
        DOC(DEV("\"bound\":true,\"reason\":[]")),
        DOC("{\"address\":\"zz:00.0\",\"bound\":true}"),
        DOC("{\"address\":\"0000:01:20.0\",\"bound\":true}"),
        DOC("{\"address\":\"00000000:01:00.0\",\"bound\":true}"),
        DOC("{\"address\":\"0000:01:00.0 \",\"bound\":true}"),
        DOC("{\"address\":1,\"bound\":true}"),
        DOC("{\"address\":null,\"bound\":true}"),
        /* Strings. */
        DOC(DEV("\"bound\":true,\"reason\":\"unterminated")),
        DOC(DEV("\"bound\":true,\"reason\":\"raw\nnewline\"")),
        DOC(DEV("\"bound\":true,\"reason\":\"tab\there\"")),
        DOC(DEV("\"bound\":true,\"reason\":\"bad \\x escape\"")),
        DOC(DEV("\"bound\":true,\"reason\":\"nul \\u0000 inside\"")),
        DOC(DEV("\"bound\":true,\"reason\":\"short \\u12\"")),
        DOC(DEV("\"bound\":true,\"reason\":\"lone \\ud800 high\"")),
        DOC(DEV("\"bound\":true,\"reason\":\"lone \\udc00 low\"")),
        DOC(DEV("\"bound\":true,\"reason\":\"pair \\ud800\\u0041\"")),
        DOC(DEV("\"bound\":true,\"reason\":\"bytes \xff\"")),
        DOC(DEV("\"bound\":true,\"reason\":\"overlong \xc0\x80\"")),
        DOC(DEV("\"bound\":true,\"reason\":\"surrogate \xed\xa0\x80\"")),
        DOC(DEV("\"bound\":true,\"reason\":\"cut \xe2\x82\"")),
        DOC(DEV("\"bound\":true,\"reason\":\"trailing backslash\\")),
        /* Numbers in skipped values are checked too. */
        "{\"version\":1,\"devices\":[],\"x\":1.}",
        "{\"version\":1,\"devices\":[],\"x\":.5}",
        "{\"version\":1,\"devices\":[],\"x\":1e}",
        "{\"version\":1,\"devices\":[],\"x\":+1}",
        "{\"version\":1,\"devices\":[],\"x\":-}",
        "{\"version\":1,\"devices\":[],\"x\":0x10}",
        "{\"version\":1,\"devices\":[],\"x\":NaN}",
        "{\"version\":1,\"devices\":[],\"x\":[1 2]}",
        "{\"version\":1,\"devices\":[],\"x\":[,]}",
        "{\"version\":1,\"devices\":[],\"x\":{\"a\"}}",
        "{\"version\":1,\"devices\":[],\"x\":{1:2}}",
};

static void test_malformed(void **state)
{
        for (size_t i = 0; i < ARRAY_SIZE(malformed); i++) {
                struct boot_record rec = { .n_entries = 12345 };
                int k = record_parse(malformed[i], &rec);
                if (k != -EINVAL)
                        fail_msg("case %zu '%s': got %d", i, malformed[i], k);
                assert_int_equal(rec.n_entries, 12345); /* untouched on failure */
        }
        assert_int_equal(record_parse(NULL, &(struct boot_record){ 0 }), -EINVAL);
}

/* A string beyond the bound is refused, wherever it is. */
static void test_huge_strings(void **state)
{
        struct boot_record rec;
        size_t n = 5000;
        char *big = malloc(n + 1);
        char *text = malloc(n + 256);

        assert_non_null(big);
        assert_non_null(text);
        memset(big, 'a', n);
        big[n] = '\0';
        snprintf(text, n + 256, DOC(DEV("\"bound\":false,\"reason\":\"%s\"")), big);
        assert_int_equal(record_parse(text, &rec), -EINVAL);
        snprintf(text, n + 256, "{\"%s\":1,\"version\":1,\"devices\":[]}", big);
        assert_int_equal(record_parse(text, &rec), -EINVAL);
        /* At the bound it is accepted. */
        big[4096] = '\0';
        snprintf(text, n + 256, DOC(DEV("\"bound\":false,\"reason\":\"%s\"")), big);
        assert_int_equal(record_parse(text, &rec), 0);
        assert_int_equal(strlen(rec.entries[0].reason), 4096);
        record_free(&rec);
        free(big);
        free(text);
}

/* Every prefix of a valid document is malformed; no mutation of one crashes the reader. */
static void test_truncated_and_mutated(void **state)
{
        _cleanup_free_ char *text = NULL;
        static const char repl[] = "\"\\{}[],:0-.eu\x80\xff tn";
        struct boot_record rec;

        assert_int_equal(record_format(sample, ARRAY_SIZE(sample), &text), 0);
        size_t len = strlen(text);
        for (size_t cut = 0; cut < len; cut++) {
                char *t = strndup(text, cut);
                assert_non_null(t);
                int k = record_parse(t, &rec);
                /* Only trailing whitespace may go. */
                if (strspn(text + cut, " \n") == len - cut) {
                        assert_int_equal(k, 0);
                        record_free(&rec);
                } else if (k != -EINVAL)
                        fail_msg("prefix of %zu bytes: got %d", cut, k);
                free(t);
        }
        for (size_t i = 0; i < len; i++)
                for (size_t r = 0; r < sizeof(repl) - 1; r++) {
                        char saved = text[i];
                        text[i] = repl[r];
                        int k = record_parse(text, &rec);
                        assert_true(k == 0 || k == -EINVAL);
                        if (k == 0)
                                record_free(&rec);
                        text[i] = saved;
                }
}

static void test_write_and_load(void **state)
{
        struct tree t;
        _cleanup_root_ struct root *r = NULL;
        struct machine m = { 0 };

        tree_new(&t);
        tree_mkdir(&t, "/run");
        assert_int_equal(root_new(t.dir, &r), 0);
        assert_int_equal(boot_record_load(r, &m), 0);
        assert_false(m.record.found);
        assert_int_equal(record_write(r, sample, ARRAY_SIZE(sample)), 0);
        /* Written again over the first one. */
        assert_int_equal(record_write(r, sample, 3), 0);
        assert_int_equal(boot_record_load(r, &m), 0);
        assert_true(m.record.found);
        assert_int_equal(m.record.n_entries, 3);
        assert_string_equal(m.record.entries[2].name, "0000:02:00.0");
        assert_false(m.record.entries[2].bound);
        assert_string_equal(m.record.entries[2].reason, "not isolated");
        machine_done(&m);
        tree_free(&t);
}

static void test_load_malformed(void **state)
{
        struct tree t;
        _cleanup_root_ struct root *r = NULL;
        struct machine m = { 0 };
        static const char nul[] = "{\"version\":1,\"devices\":[]}\0 ";

        tree_new(&t);
        assert_int_equal(root_new(t.dir, &r), 0);
        tree_file(&t, "/run/vfio-prep/state.json", "{\"version\":1,");
        assert_int_equal(boot_record_load(r, &m), -EINVAL);
        tree_bytes(&t, "/run/vfio-prep/state.json", nul, sizeof(nul) - 1);
        assert_int_equal(boot_record_load(r, &m), -EINVAL);
        assert_false(m.record.found);

        size_t n = 1024 * 1024 + 1;
        char *big = malloc(n);
        assert_non_null(big);
        memset(big, ' ', n);
        tree_bytes(&t, "/run/vfio-prep/state.json", big, n);
        free(big);
        assert_int_equal(boot_record_load(r, &m), -EFBIG);
        assert_false(m.record.found);
        assert_int_equal(m.record.n_entries, 0);
        tree_free(&t);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_round_trip),
                cmocka_unit_test(test_empty),
                cmocka_unit_test(test_pass),
                cmocka_unit_test(test_merge),
                cmocka_unit_test(test_tolerant),
                cmocka_unit_test(test_depth),
                cmocka_unit_test(test_malformed),
                cmocka_unit_test(test_huge_strings),
                cmocka_unit_test(test_truncated_and_mutated),
                cmocka_unit_test(test_write_and_load),
                cmocka_unit_test(test_load_malformed),
        };
        return cmocka_run_group_tests_name("record", tests, NULL, NULL);
}
