/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "macro.h"
#include "rootrecord.h"
#include "support/model-literal.h"

static void test_parse(void **state)
{
        struct root_record rec;

        assert_int_equal(root_record_parse("# comment\n\nnetwork no\r\ncontroller class=010802 path=0000:00:1d.0/00.0\n"
                                           "  controller class=0c0330 path=0000:00:14.0\n",
                                           &rec),
                         0);
        assert_true(rec.found);
        assert_null(rec.problem);
        assert_true(root_record_usable(&rec));
        assert_false(rec.network);
        assert_int_equal(rec.n_controllers, 2);
        assert_int_equal(rec.controllers[0].class, 0x010802);
        assert_string_equal(rec.controllers[0].path, "0000:00:1d.0/00.0");
        assert_int_equal(rec.controllers[1].class, 0x0c0330);
        root_record_done(&rec);

        assert_int_equal(root_record_parse("network yes\n", &rec), 0);
        assert_true(root_record_usable(&rec));
        assert_true(rec.network);
        root_record_done(&rec);
}

static const struct {
        const char *text, *problem;
} malformed[] = {
        { "", "no 'network yes|no' line" },
        { "controller class=010802 path=0000:00:1d.0/00.0\n", "no 'network yes|no' line" },
        { "network no\n", "names no controller and not the network" },
        { "network maybe\n", "line 1: unknown line (expected 'network yes|no' or 'controller ...')" },
        { "network no\nnetwork yes\n", "line 2: 'network' given twice" },
        { "network no\ncontroller class=01080 path=0000:00:1d.0\n",
          "line 2: expected 'controller class=CCCCCC path=DDDD:BB:DD.F[/DD.F]...'" },
        { "network no\ncontroller class=010802 path=0000:00:1d.0/20.0\n",
          "line 2: expected 'controller class=CCCCCC path=DDDD:BB:DD.F[/DD.F]...'" },
        { "network no\ncontroller class=010802 path=0000:00:1d.0/00.8\n",
          "line 2: expected 'controller class=CCCCCC path=DDDD:BB:DD.F[/DD.F]...'" },
        { "network no\ncontroller class=010802 path=zz\n",
          "line 2: expected 'controller class=CCCCCC path=DDDD:BB:DD.F[/DD.F]...'" },
        { "network no\ncontroller class=010802 path=0000:00:1d.0 extra\n",
          "line 2: expected 'controller class=CCCCCC path=DDDD:BB:DD.F[/DD.F]...'" },
        { "network no\ncontroller class=010802\n",
          "line 2: expected 'controller class=CCCCCC path=DDDD:BB:DD.F[/DD.F]...'" },
};

static void test_malformed(void **state)
{
        for (size_t i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++) {
                struct root_record rec;
                assert_int_equal(root_record_parse(malformed[i].text, &rec), 0);
                if (!rec.problem || strcmp(rec.problem, malformed[i].problem) != 0)
                        fail_msg("case %zu: problem '%s'", i, rec.problem ? rec.problem : "(none)");
                /* Nothing of a malformed record may be used. */
                assert_false(root_record_usable(&rec));
                assert_int_equal(rec.n_controllers, 0);
                assert_false(rec.network);
                root_record_done(&rec);
        }
}

/* The slot path and the text the hooks store, parsed back. */
static void test_format_roundtrip(void **state)
{
        struct model mo;
        struct root_record rec;
        char path[64];
        _cleanup_free_ char *text = NULL;

        model_init(&mo);
        size_t port = model_add_dev(&mo, "0000:00:1d.0", 0x8086, 0xa330, 0x060400, "pcieport");
        size_t sw = model_add_dev(&mo, "0000:05:00.0", 0x1234, 0x0001, 0x060400, "pcieport");
        size_t nvme = model_add_dev(&mo, "0000:06:03.0", 0x1b36, 0x0010, 0x010802, "nvme");
        mo.d[sw].parent = port;
        mo.d[nvme].parent = sw;
        assert_int_equal(pci_slot_path(&mo.m, nvme, path, sizeof(path)), 0);
        assert_string_equal(path, "0000:00:1d.0/00.0/03.0");
        assert_int_equal(pci_slot_path(&mo.m, port, path, sizeof(path)), 0);
        assert_string_equal(path, "0000:00:1d.0");

        size_t ctl[] = { nvme, nvme };
        assert_int_equal(root_record_format(&mo.m, false, ctl, 2, &text), 0);
        assert_non_null(strstr(text, "\nnetwork no\ncontroller class=010802 path=0000:00:1d.0/00.0/03.0\n"));
        /* Each controller once. */
        assert_null(strstr(strstr(text, "\ncontroller ") + 1, "\ncontroller "));
        assert_int_equal(root_record_parse(text, &rec), 0);
        assert_true(root_record_usable(&rec));
        assert_int_equal(rec.n_controllers, 1);
        root_record_done(&rec);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse),
                cmocka_unit_test(test_malformed),
                cmocka_unit_test(test_format_roundtrip),
        };
        return cmocka_run_group_tests_name("rootrecord", tests, NULL, NULL);
}
