/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "macro.h"
#include "fixture.h"

struct tree t;
struct machine m;

int fixture_setup(void **state)
{
        tree_new(&t);
        m = (struct machine){ 0 };
        return 0;
}

int fixture_teardown(void **state)
{
        machine_done(&m);
        tree_free(&t);
        return 0;
}

void fixture_load(int (*load)(struct root *, struct machine *))
{
        _cleanup_root_ struct root *r = NULL;

        assert_int_equal(root_new(t.dir, &r), 0);
        assert_int_equal(load(r, &m), 0);
}
