/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * --check loads whole config spaces, --apply only their headers (MACHINE_LOAD_HEADER_ONLY): both
 * must still see the same device, so that the plan --check renders is the one --apply executes.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "machine.h"
#include "macro.h"
#include "root.h"
#include "support/tree.h"

#define GPU "0000:01:00.0"

static struct tree t;

static int setup(void **state)
{
        tree_new(&t);
        tree_pci_device(&t, GPU, NULL, 0x10de, 0x2484, 0x030000, 0x80);
        tree_iommu_group(&t, GPU, 1);
        return 0;
}

static int teardown(void **state)
{
        tree_free(&t);
        return 0;
}

/* GPU's config file: a multifunction header (so that --check reads on), LEN bytes in all. */
static void write_config(size_t len)
{
        static uint8_t cfg[16384];
        char path[1024];

        memset(cfg, 0, sizeof(cfg));
        assert_true(len <= sizeof(cfg));
        cfg[0] = 0xde, cfg[1] = 0x10, cfg[2] = 0x84, cfg[3] = 0x24;
        cfg[0x0b] = 0x03;
        cfg[0x0e] = 0x80;
        snprintf(path, sizeof(path), "%s/config", tree_dev_path(&t, GPU));
        tree_bytes(&t, path, cfg, len);
}

static void load(unsigned flags, struct machine *ret)
{
        _cleanup_root_ struct root *r = NULL;

        assert_int_equal(root_new(t.dir, &r), 0);
        assert_int_equal(machine_load(r, flags, ret), 0);
}

static void same_device(size_t len)
{
        struct machine full = { 0 }, head = { 0 };

        write_config(len);
        load(0, &full);
        load(MACHINE_LOAD_HEADER_ONLY, &head);
        size_t a = machine_find_device_name(&full, GPU), b = machine_find_device_name(&head, GPU);
        assert_int_not_equal(a, NONE);
        assert_int_not_equal(b, NONE);
        const struct pci_device *x = &full.devices[a], *y = &head.devices[b];
        if (x->damaged || y->damaged)
                fail_msg("config of %zu bytes: damaged for --check %d, for --apply %d", len, x->damaged, y->damaged);
        assert_int_equal(full.n_problems, head.n_problems);
        assert_int_equal(x->vendor, 0x10de);
        assert_int_equal(y->vendor, 0x10de);
        assert_int_equal(x->device, y->device);
        assert_int_equal(x->class, y->class);
        assert_int_equal(x->header, y->header);
        assert_int_equal(x->group, y->group);
        machine_done(&full);
        machine_done(&head);
}

/* As sysfs shows it: 64 bytes without root, 256 or 4096 with. */
static void test_usual_sizes(void **state)
{
        same_device(64);
        same_device(256);
        same_device(4096);
}

/* A config file longer than any device's 4 KiB: read that far, in both modes. */
static void test_longer_than_4096(void **state)
{
        same_device(4097);
        same_device(16384);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_usual_sizes, setup, teardown),
                cmocka_unit_test_setup_teardown(test_longer_than_4096, setup, teardown),
        };
        return cmocka_run_group_tests_name("same-facts", tests, NULL, NULL);
}
