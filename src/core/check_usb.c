/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The finding usb:ADDRESS (vfio-prep(8), CHECKS): what is plugged into a selected USB controller. */
#include "check_usb.h"

#include <stdio.h>
#include <string.h>

#include "check_diag.h"

bool pci_device_is_usb_controller(const struct pci_device *d)
{
        return (d->class >> 8) == 0x0c03;
}

unsigned usb_kinds_below(const struct machine *m, size_t controller)
{
        unsigned kinds = 0;

        for (size_t i = 0; i < m->n_usb; i++)
                if (m->usb[i].controller == controller)
                        kinds |= m->usb[i].kinds;
        return kinds;
}

static const char *encrypted_leaf(const struct rootdisk *rd)
{
        for (size_t i = 0; rd && i < rd->n_leaves; i++)
                if (rd->leaves[i].encrypted)
                        return rd->leaves[i].chain;
        return NULL;
}

const char *rootinfo_encrypted(const struct rootinfo *ri)
{
        const char *chain;

        if (!ri)
                return NULL;
        if ((chain = encrypted_leaf(&ri->root)))
                return chain;
        for (size_t i = 0; i < ri->n_extra; i++)
                if ((chain = encrypted_leaf(&ri->extra[i])))
                        return chain;
        return NULL;
}

enum usb_keyboard_verdict usb_keyboard_verdict(const struct machine *m, const struct rootinfo *ri, size_t controller)
{
        if (controller >= m->n_devices || !pci_device_is_usb_controller(&m->devices[controller]) ||
            !(usb_kinds_below(m, controller) & USB_KEYBOARD))
                return USB_KEYBOARD_NONE;
        return rootinfo_encrypted(ri) ? USB_KEYBOARD_REFUSE : USB_KEYBOARD_WARN;
}

static const char *kind_label(unsigned kinds)
{
        if (kinds & USB_KEYBOARD)
                return kinds & USB_MOUSE ? "keyboard and mouse" : "keyboard";
        if (kinds & USB_MOUSE)
                return "mouse";
        if (kinds & USB_STORAGE)
                return "storage";
        return kinds & USB_HUB ? "hub" : NULL;
}

/* "Dell KB216 (keyboard, 1-3), SanDisk Cruzer (storage, 1-4)" */
static void list_attached(const struct machine *m, size_t controller, struct sbuf *out)
{
        for (size_t i = 0; i < m->n_usb; i++) {
                const struct usb_device *u = &m->usb[i];
                const char *kind = kind_label(u->kinds);
                if (u->controller != controller)
                        continue;
                sbuf_appendf(out, "%s%s (%s%s%s)", out->len ? ", " : "", u->product ? u->product : "unnamed device",
                             kind ? kind : "", kind ? ", " : "", u->name);
        }
}

/* The USB controllers that stay with the host: where the keyboard can go instead. */
static void other_controllers(const struct ctx *x, size_t controller, struct sbuf *out)
{
        for (size_t i = 0; i < x->m->n_devices; i++) {
                const struct pci_device *d = &x->m->devices[i];
                const struct plan_group *pg;
                const struct plan_device *pd = plan_find_device(x->plan, i, &pg);
                if (i == controller || !pci_device_is_usb_controller(d) || (pd && pd->refusal == REFUSE_NONE))
                        continue;
                sbuf_appendf(out, "%s%s", out->len ? ", " : "", d->name);
        }
}

static void keyboard_advice(const struct ctx *x, size_t controller, struct fb *f)
{
        const char *name = x->m->devices[controller].name;
        struct sbuf others = { 0 };

        other_controllers(x, controller, &others);
        if (others.len)
                fb_hint(f,
                        "plug the keyboard into a port of a USB controller the host keeps (%s), or leave %s to the "
                        "host (remove it from the configuration)",
                        others.s, name);
        else
                fb_hint(f,
                        "leave %s to the host (remove it from the configuration): no other USB controller stays "
                        "with the host for the keyboard",
                        name);
        fb_hint(f, "to boot once without binding, add vfio-prep.disable to the kernel command line in the boot "
                   "loader's menu");
        sbuf_done(&others);
}

int check_usb(const struct ctx *x, const struct selected *it, struct report *rep)
{
        const struct machine *m = x->m;
        struct sbuf list = { 0 };
        struct fb f = { 0 };
        char id[PCI_ADDR_STRLEN + 8];

        if (!m->usb_listed || !pci_device_is_usb_controller(&m->devices[it->device]))
                return 0;
        list_attached(m, it->device, &list);
        switch (usb_keyboard_verdict(m, x->in->rootinfo, it->device)) {
        case USB_KEYBOARD_REFUSE:
                fb_msg(&f, CHECK_FAIL,
                       "attached: %s; root is encrypted (%s): once vfio-prep takes this controller at boot, before "
                       "udev, the host has no keyboard there and the passphrase cannot be typed",
                       list.s, rootinfo_encrypted(x->in->rootinfo));
                keyboard_advice(x, it->device, &f);
                break;
        case USB_KEYBOARD_WARN:
                fb_msg(&f, CHECK_WARN,
                       "attached: %s: once vfio-prep takes this controller at boot, before udev, the host has no "
                       "keyboard there (no console login, no recovery shell)",
                       list.s);
                keyboard_advice(x, it->device, &f);
                break;
        default:
                if (list.len)
                        fb_msg(&f, CHECK_INFO, "attached, and given to the VM with the controller: %s", list.s);
                else
                        fb_msg(&f, CHECK_INFO, "nothing is attached now");
                break;
        }
        sbuf_done(&list);
        snprintf(id, sizeof(id), "usb:%s", m->devices[it->device].name);
        return fb_emit(rep, id, &f);
}
