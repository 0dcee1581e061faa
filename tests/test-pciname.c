/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "macro.h"
#include "pciname.h"

static void test_class_names(void **state)
{
        static const struct {
                uint32_t class;
                const char *name;
        } table[] = {
                { 0x000000, "Non-VGA unclassified device" },
                { 0x010601, "SATA controller" },
                { 0x010802, "Non-Volatile memory controller" },
                { 0x020000, "Ethernet controller" },
                { 0x030000, "VGA compatible controller" },
                { 0x030200, "3D controller" },
                { 0x038000, "Display controller" },
                { 0x040300, "Audio device" },
                { 0x060000, "Host bridge" },
                { 0x060100, "ISA bridge" },
                { 0x060400, "PCI bridge" },
                { 0x060401, "PCI bridge" }, /* the programming interface does not matter */
                { 0x0c0330, "USB controller" },
                { 0x0c0500, "SMBus" },
                { 0x088000, "System peripheral" },
                /* Unknown subclass: the base class. */
                { 0x037700, "Display controller" },
                { 0x0c7f00, "Serial bus controller" },
                { 0x130000, "Non-essential instrumentation" },
                /* Unknown base class. */
                { 0x7f0000, "Unassigned class" },
                { 0xff0000, "Unassigned class" },
                /* Bits above the 24-bit class code are ignored. */
                { 0xff030000, "VGA compatible controller" },
        };

        for (size_t i = 0; i < ARRAY_SIZE(table); i++)
                assert_string_equal(pci_class_name(table[i].class), table[i].name);
}

static void test_every_class_has_a_name(void **state)
{
        for (uint32_t c = 0; c <= 0xffff; c++) {
                const char *n = pci_class_name(c << 8);
                assert_non_null(n);
                assert_true(*n);
        }
}

#ifdef HAVE_LIBPCI
/* A pci.ids-format file in /tmp; the name is written into PATH. */
static void write_ids(char path[static 64], const char *text)
{
        int fd;

        strcpy(path, "/tmp/test-pciname-XXXXXX");
        fd = mkstemp(path);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
        close(fd);
}

static const char ids[] = "# test list\n"
                          "10de  NVIDIA Corporation\n"
                          "\t2484  GA104 [GeForce RTX 3060 Ti]\n"
                          "\t\t10de 146b  GA104 [GeForce RTX 3060 Ti Founders Edition]\n"
                          "\t228b  GA104 High Definition Audio Controller\n"
                          "C 03  Display controller\n"
                          "\t00  VGA compatible controller\n";
#endif

static void test_unknown_falls_back_to_class(void **state)
{
        char buf[128];

        pciname_set_ids_file("/nonexistent/pci.ids");
        assert_ptr_equal(pci_device_name(0x10de, 0x2484, 0x030000, buf, sizeof(buf)), pci_class_name(0x030000));
        assert_string_equal(pci_device_name(0x10de, 0x2484, 0x030000, buf, sizeof(buf)), "VGA compatible controller");
        assert_string_equal(pci_device_name(0x10de, 0x2484, 0x030000, NULL, 0), "VGA compatible controller");
        assert_string_equal(pci_device_name(0x10de, 0x2484, 0x040300, buf, 0), "Audio device");
        pciname_set_ids_file(NULL);
}

#ifdef HAVE_LIBPCI
static void test_names_from_ids_file(void **state)
{
        char path[64], buf[128], small[8];

        write_ids(path, ids);
        pciname_set_ids_file(path);
        assert_string_equal(pci_device_name(0x10de, 0x2484, 0x030000, buf, sizeof(buf)), "GA104 [GeForce RTX 3060 Ti]");
        assert_string_equal(pci_device_name(0x10de, 0x228b, 0x040300, buf, sizeof(buf)),
                            "GA104 High Definition Audio Controller");
        /* Unknown device of a known vendor, and an unknown vendor. */
        assert_string_equal(pci_device_name(0x10de, 0xffff, 0x030200, buf, sizeof(buf)), "3D controller");
        assert_string_equal(pci_device_name(0x1234, 0x2484, 0x0c0330, buf, sizeof(buf)), "USB controller");
        /* A short buffer holds a shortened name, never an overflow. */
        const char *s = pci_device_name(0x10de, 0x2484, 0x030000, small, sizeof(small));
        assert_ptr_equal(s, small);
        assert_true(strlen(s) < sizeof(small));
        assert_memory_equal(s, "GA10", 4);
        pciname_set_ids_file(NULL);
        unlink(path);
}

/* libpci calls its error hook on a malformed list; that must not end the process. */
static void test_malformed_ids_file(void **state)
{
        char path[64], buf[128];

        write_ids(path, "10de  NVIDIA Corporation\n\tzz  broken\n");
        pciname_set_ids_file(path);
        assert_string_equal(pci_device_name(0x10de, 0x2484, 0x030000, buf, sizeof(buf)), "VGA compatible controller");
        assert_string_equal(pci_device_name(0x10de, 0x2484, 0x040300, buf, sizeof(buf)), "Audio device");
        unlink(path);

        /* A fresh start reads a good file again. */
        write_ids(path, ids);
        pciname_set_ids_file(path);
        assert_string_equal(pci_device_name(0x10de, 0x2484, 0x030000, buf, sizeof(buf)), "GA104 [GeForce RTX 3060 Ti]");
        pciname_done();
        pciname_set_ids_file(NULL);
        unlink(path);
}
#endif

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_class_names),
                cmocka_unit_test(test_every_class_has_a_name),
                cmocka_unit_test(test_unknown_falls_back_to_class),
#ifdef HAVE_LIBPCI
                cmocka_unit_test(test_names_from_ids_file),
                cmocka_unit_test(test_malformed_ids_file),
#endif
        };
        int r = cmocka_run_group_tests(tests, NULL, NULL);

        pciname_done();
        return r;
}
