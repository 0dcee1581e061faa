/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The USB devices below each PCI USB controller, from /sys/bus/usb/devices (vfio-prep(8),
 * CHECKS, usb:ADDRESS): their product strings and what their interfaces are. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "machine.h"
#include "macro.h"
#include "root.h"
#include "strv.h"

#define USB_DEVICES "/sys/bus/usb/devices"

/* The PCI device whose directory holds PATH: the longest match, as bridges hold their devices. */
static size_t controller_of(const struct machine *m, const char *path)
{
        size_t best = NONE, best_len = 0;

        for (size_t i = 0; i < m->n_devices; i++) {
                const char *p = m->devices[i].path;
                size_t len = p ? strlen(p) : 0;
                if (len > best_len && strncmp(path, p, len) == 0 && path[len] == '/') {
                        best = i;
                        best_len = len;
                }
        }
        return best;
}

static int add_device(struct root *r, struct machine *m, const char *name)
{
        _cleanup_free_ char *path = NULL, *link = NULL;
        char attr[PATH_MAX];
        size_t c;

        snprintf(attr, sizeof(attr), USB_DEVICES "/%s", name);
        if (root_resolve(r, attr, &path) < 0 || (c = controller_of(m, path)) == NONE)
                return 0; /* a gadget or a host controller that is not PCI */
        if (array_grow(&m->usb, m->n_usb) < 0)
                return -ENOMEM;
        struct usb_device *u = &m->usb[m->n_usb];
        *u = (struct usb_device){ .controller = c, .name = strdup(name) };
        if (!u->name)
                return -ENOMEM;
        snprintf(attr, sizeof(attr), USB_DEVICES "/%s/product", name);
        if (root_read_attr(r, attr, &u->product) < 0)
                u->product = NULL;
        m->n_usb++;
        return 0;
}

static unsigned interface_kinds(struct root *r, const char *name)
{
        char attr[PATH_MAX];
        uint64_t cls, proto;

        snprintf(attr, sizeof(attr), USB_DEVICES "/%s/bInterfaceClass", name);
        if (root_read_u64(r, attr, 16, 0xff, &cls) < 0)
                return 0;
        if (cls == 0x08)
                return USB_STORAGE;
        if (cls == 0x09)
                return USB_HUB;
        snprintf(attr, sizeof(attr), USB_DEVICES "/%s/bInterfaceProtocol", name);
        if (cls != 0x03 || root_read_u64(r, attr, 16, 0xff, &proto) < 0)
                return 0;
        return proto == 1 ? USB_KEYBOARD : proto == 2 ? USB_MOUSE : 0;
}

/* Interfaces are named DEVICE:CONFIG.INTERFACE ("1-3:1.0"). */
static void add_interface(struct root *r, struct machine *m, const char *name)
{
        size_t len = strcspn(name, ":");

        for (size_t i = 0; i < m->n_usb; i++)
                if (strlen(m->usb[i].name) == len && strncmp(m->usb[i].name, name, len) == 0) {
                        m->usb[i].kinds |= interface_kinds(r, name);
                        return;
                }
}

static int cmp_name(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

int usb_load(struct root *r, struct machine *m)
{
        _cleanup_strv_ char **names = NULL;
        size_t n = 0;
        int k;

        k = root_list(r, USB_DEVICES, &names, &n);
        if (k == -ENOENT)
                return 0;
        if (k < 0)
                return k;
        m->usb_listed = true;
        qsort(names, n, sizeof(*names), cmp_name);
        /* Root hubs ("usb1") stand for the controller itself. */
        for (size_t i = 0; i < n; i++)
                if (!strchr(names[i], ':') && strncmp(names[i], "usb", 3) != 0 && (k = add_device(r, m, names[i])) < 0)
                        return k;
        for (size_t i = 0; i < n; i++)
                if (strchr(names[i], ':'))
                        add_interface(r, m, names[i]);
        return 0;
}
