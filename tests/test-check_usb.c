/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "check_diag.h"
#include "check_usb.h"
#include "macro.h"

/* Two USB controllers and a GPU; a keyboard and a mouse on the first, a stick on the second. */
struct fx {
        struct pci_device d[3];
        struct usb_device usb[3];
        struct machine m;
        struct rootdisk_leaf leaf;
        struct rootinfo ri;
};

static void fx_init(struct fx *f, const char *root_chain, bool encrypted)
{
        *f = (struct fx){
                .d = { { .name = "0000:00:14.0", .class = 0x0c0330 },
                       { .name = "0000:01:00.0", .class = 0x030000 },
                       { .name = "0000:04:00.0", .class = 0x0c0330 } },
                .usb = { { .name = (char *)"1-2", .controller = 0, .product = (char *)"KB216", .kinds = USB_KEYBOARD },
                         { .name = (char *)"1-4", .controller = 0, .kinds = USB_MOUSE },
                         { .name = (char *)"3-1",
                           .controller = 2,
                           .product = (char *)"Cruzer",
                           .kinds = USB_STORAGE } },
        };
        f->m = (struct machine){ .devices = f->d, .n_devices = 3, .usb = f->usb, .n_usb = 3, .usb_listed = true };
        f->leaf = (struct rootdisk_leaf){ .controller = 1, .chain = (char *)root_chain, .encrypted = encrypted };
        f->ri.root = (struct rootdisk){ .block = (char *)"dm-0", .leaves = &f->leaf, .n_leaves = 1 };
}

static void test_encrypted(void **state)
{
        struct fx f;

        (void)state;
        fx_init(&f, "dm-0 (LUKS) -> nvme0n1p2", true);
        assert_string_equal(rootinfo_encrypted(&f.ri), "dm-0 (LUKS) -> nvme0n1p2");
        fx_init(&f, "dm-1 (LVM) -> dm-0 (dm-crypt) -> sda2", true);
        assert_non_null(rootinfo_encrypted(&f.ri));
        fx_init(&f, "dm-1 (LVM) -> nvme0n1p2", false);
        assert_null(rootinfo_encrypted(&f.ri));
        /* What the resolver found decides, not the words of the chain (a name is only a name). */
        fx_init(&f, "dm-7 (LUKS) -> sdb1", false);
        assert_null(rootinfo_encrypted(&f.ri));
        assert_null(rootinfo_encrypted(NULL));

        /* An encrypted swap (resume=) needs the passphrase at boot as well. */
        struct rootdisk_leaf swap_leaf = { .controller = 1,
                                           .chain = (char *)"dm-2 (LUKS) -> nvme0n1p3",
                                           .encrypted = true };
        struct rootdisk swap = { .what = (char *)"swap", .leaves = &swap_leaf, .n_leaves = 1 };
        f.ri.extra = &swap, f.ri.n_extra = 1;
        assert_string_equal(rootinfo_encrypted(&f.ri), "dm-2 (LUKS) -> nvme0n1p3");
}

static void test_verdict(void **state)
{
        struct fx f;

        (void)state;
        fx_init(&f, "dm-0 (LUKS) -> nvme0n1p2", true);
        assert_int_equal(usb_kinds_below(&f.m, 0), USB_KEYBOARD | USB_MOUSE);
        assert_int_equal(usb_keyboard_verdict(&f.m, &f.ri, 0), USB_KEYBOARD_REFUSE);
        assert_int_equal(usb_keyboard_verdict(&f.m, &f.ri, 2), USB_KEYBOARD_NONE);
        assert_int_equal(usb_keyboard_verdict(&f.m, &f.ri, 1), USB_KEYBOARD_NONE); /* not USB */
        assert_int_equal(usb_keyboard_verdict(&f.m, &f.ri, 7), USB_KEYBOARD_NONE); /* no such device */
        fx_init(&f, "nvme0n1p2", false);
        assert_int_equal(usb_keyboard_verdict(&f.m, &f.ri, 0), USB_KEYBOARD_WARN);
        assert_int_equal(usb_keyboard_verdict(&f.m, NULL, 0), USB_KEYBOARD_WARN);
}

static const struct finding *run(struct fx *f, size_t device, struct report *r)
{
        static struct plan plan;
        static struct check_input in;
        in = (struct check_input){ .machine = &f->m, .rootinfo = &f->ri, .plan = &plan };
        struct ctx x = { .in = &in, .m = &f->m, .plan = &plan };
        struct selected it = { .device = device };

        *r = (struct report){ 0 };
        assert_int_equal(check_usb(&x, &it, r), 0);
        return r->n_findings ? &r->findings[0] : NULL;
}

static void test_finding(void **state)
{
        struct fx f;
        struct report r;
        const struct finding *x;

        (void)state;
        fx_init(&f, "dm-0 (LUKS) -> nvme0n1p2", true);
        x = run(&f, 0, &r);
        assert_string_equal(x->id, "usb:0000:00:14.0");
        assert_int_equal(x->status, CHECK_FAIL);
        assert_non_null(strstr(x->message, "KB216 (keyboard, 1-2), unnamed device (mouse, 1-4)"));
        assert_non_null(strstr(x->message, "passphrase cannot be typed"));
        /* The other controller stays with the host: the keyboard can go there. */
        assert_non_null(strstr(x->hint, "a USB controller the host keeps (0000:04:00.0)"));
        assert_non_null(strstr(x->hint, "vfio-prep.disable"));
        report_done(&r);

        x = run(&f, 2, &r);
        assert_int_equal(x->status, CHECK_INFO);
        assert_non_null(strstr(x->message, "Cruzer (storage, 3-1)"));
        assert_null(x->hint);
        report_done(&r);

        fx_init(&f, "nvme0n1p2", false);
        x = run(&f, 0, &r);
        assert_int_equal(x->status, CHECK_WARN);
        assert_non_null(strstr(x->message, "no console login"));
        report_done(&r);

        f.m.n_usb = 0;
        x = run(&f, 0, &r);
        assert_string_equal(x->message, "nothing is attached now");
        report_done(&r);

        /* No USB listing (a captured tree without one), or not a USB controller: nothing to say. */
        f.m.usb_listed = false;
        assert_null(run(&f, 0, &r));
        f.m.usb_listed = true;
        assert_null(run(&f, 1, &r));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_encrypted),
                cmocka_unit_test(test_verdict),
                cmocka_unit_test(test_finding),
        };
        return cmocka_run_group_tests_name("check_usb", tests, NULL, NULL);
}
