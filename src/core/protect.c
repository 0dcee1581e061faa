/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "protect.h"

#include <stdio.h>
#include <string.h>

#include "macro.h"

static bool source_holds(const struct machine *m, const struct rootdisk *rd, size_t device)
{
        const struct pci_device *d = &m->devices[device];

        for (size_t i = 0; rd && i < rd->n_devices; i++) {
                size_t o = rd->devices[i];
                if (o == device)
                        return true;
                if (o < m->n_devices && d->group != NONE && m->devices[o].group == d->group)
                        return true;
        }
        return false;
}

/* The protected source DEVICE backs (or shares a group with), or NULL. */
static const struct rootdisk *source_of(const struct rootinfo *ri, const struct machine *m, size_t device)
{
        if (source_holds(m, &ri->root, device))
                return &ri->root;
        for (size_t i = 0; i < ri->n_extra; i++)
                if (source_holds(m, &ri->extra[i], device))
                        return &ri->extra[i];
        return NULL;
}

bool protect_is_root_device(const struct rootinfo *ri, const struct machine *m, size_t device)
{
        return ri && m && device < m->n_devices && source_of(ri, m, device);
}

static bool is_nic(uint32_t class)
{
        /* Ethernet and every other network controller, and InfiniBand (NVMe-oF over RDMA). */
        return pci_class_base(class) == 0x02 || class >> 8 == 0x0c06;
}

static bool path_is(const struct machine *m, size_t dev, const char *path)
{
        char buf[256];
        return pci_slot_path(m, dev, buf, sizeof(buf)) >= 0 && strcmp(buf, path) == 0;
}

/* The recorded controller at PATH is still there with the same class. */
static bool record_slot_present(const struct machine *m, const struct root_record_controller *c)
{
        for (size_t i = 0; i < m->n_devices; i++)
                if (m->devices[i].class >> 8 == c->class >> 8 && path_is(m, i, c->path))
                        return true;
        return false;
}

/*
 * With a usable record: what it names is held. A USB disk may be plugged into any port of any
 * controller next boot, so every USB controller is held; an SD/eMMC controller whose recorded
 * slot holds the same kind of controller is held alone; any other kind, all of its class.
 */
static bool held_by_record(const struct root_record *rec, const struct machine *m, size_t dev)
{
        uint32_t cls = m->devices[dev].class;

        if (rec->network && is_nic(cls))
                return true;
        for (size_t i = 0; i < rec->n_controllers; i++) {
                const struct root_record_controller *c = &rec->controllers[i];
                if (c->class >> 8 != cls >> 8)
                        continue;
                if (cls >> 8 != 0x0805 || !record_slot_present(m, c) || path_is(m, dev, c->path))
                        return true;
        }
        return false;
}

/* Whether DEV could hold root while root is not identified; KIND says what it is. */
static bool could_hold_root(const struct rootinfo *ri, const struct machine *m, size_t dev, const char **ret_kind,
                            bool *ret_by_record)
{
        uint32_t cls = m->devices[dev].class;

        *ret_by_record = false;
        *ret_kind = pci_class_base(cls) == 0x01 ? "a storage controller"
                    : cls >> 8 == 0x0c03        ? "a USB controller"
                    : cls >> 8 == 0x0805        ? "an SD/eMMC controller"
                    : is_nic(cls)               ? "a network controller"
                                                : "a controller of the kind the root record names";
        /* Storage: two identical drives swapped between slots keep IDs and paths. Never recorded away. */
        if (pci_class_base(cls) == 0x01)
                return true;
        if (ri->network && is_nic(cls))
                return true;
        if (root_record_usable(&ri->record)) {
                *ret_by_record = true;
                return held_by_record(&ri->record, m, dev);
        }
        return cls >> 8 == 0x0c03 || cls >> 8 == 0x0805;
}

/* DEVICE, or a device of its group, could hold root: the first such one. */
static size_t group_could_hold(const struct rootinfo *ri, const struct machine *m, size_t device, const char **ret_kind,
                               bool *ret_by_record)
{
        const struct pci_device *d = &m->devices[device];

        if (could_hold_root(ri, m, device, ret_kind, ret_by_record))
                return device;
        if (d->group == NONE || d->group >= m->n_groups)
                return NONE;
        const struct iommu_group *g = &m->groups[d->group];
        for (size_t i = 0; i < g->n_devices; i++)
                if (g->devices[i] != device && g->devices[i] < m->n_devices &&
                    could_hold_root(ri, m, g->devices[i], ret_kind, ret_by_record))
                        return g->devices[i];
        return NONE;
}

static const struct rootdisk_leaf *leaf_through(const struct rootdisk *rd, size_t device)
{
        for (size_t i = 0; i < rd->n_leaves; i++)
                if (rd->leaves[i].controller == device)
                        return &rd->leaves[i];
        return NULL;
}

static size_t peer_in(const struct machine *m, const struct rootdisk *rd, size_t device)
{
        for (size_t i = 0; i < rd->n_devices; i++)
                if (rd->devices[i] == device)
                        return device;
        for (size_t i = 0; i < rd->n_devices; i++)
                if (rd->devices[i] < m->n_devices && m->devices[rd->devices[i]].group == m->devices[device].group)
                        return rd->devices[i];
        return device;
}

/*
 * The rule (vfio-prep(8), ROOT PROTECTION): a device backing root, /boot, resume or swap, or in
 * the IOMMU group of one, is never bound. While they are not all identified, every controller
 * that could hold root stays with the host; storage always, whatever a record says. A device
 * with a mounted, swapped-on or held block device beneath is never unbound.
 */
void protect_decide(const struct rootinfo *ri, const struct machine *m, size_t device, struct protect_reason *ret)
{
        static const struct rootinfo nothing_known = { 0 };
        struct protect_reason reason = { .verdict = PROTECT_NONE, .holder = NONE };
        const char *busy;

        if (!ri)
                ri = &nothing_known;
        if (m && device < m->n_devices) {
                reason.source = source_of(ri, m, device);
                if (reason.source) {
                        reason.verdict = PROTECT_ROOT_DEVICE;
                        reason.leaf = leaf_through(reason.source, device);
                        reason.holder = peer_in(m, reason.source, device);
                } else if (!rootinfo_identified(ri) &&
                           (reason.holder = group_could_hold(ri, m, device, &reason.kind, &reason.by_record)) != NONE)
                        reason.verdict = PROTECT_ROOT_UNKNOWN;
                else if ((busy = rootinfo_busy(ri, device))) {
                        reason.verdict = PROTECT_BUSY;
                        reason.busy = busy;
                }
        }
        *ret = reason;
}

static bool starts(const char *s, const char *prefix)
{
        return s && strncmp(s, prefix, strlen(prefix)) == 0;
}

/* root= values of dracut, initramfs-tools and the kernel that put root on the network. */
static bool network_root_value(const char *v)
{
        static const char *const prefixes[] = { "nfs:", "nfs4:", "iscsi:", "nbd:", "cifs:", "nvmf:", "nvme-of:" };

        if (!v)
                return false;
        if (strcmp(v, "/dev/nfs") == 0 || strcmp(v, "dhcp") == 0 || strcmp(v, "dhcp6") == 0)
                return true;
        for (size_t i = 0; i < ARRAY_SIZE(prefixes); i++)
                if (starts(v, prefixes[i]))
                        return true;
        return false;
}

static bool network_key(const struct cmdline_param *p)
{
        static const char *const keys[] = { "nfsroot", "netroot", "iscsi_target_name", "iscsi_target_ip", "nbdroot" };
        static const char *const prefixes[] = { "rd.iscsi.", "rd.nvmf.", "rd.iscsi_", "rd.nvmf_" };

        for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
                if (cmdline_key_eq(p->key, keys[i]))
                        return true;
        for (size_t i = 0; i < ARRAY_SIZE(prefixes); i++)
                if (starts(p->key, prefixes[i]))
                        return true;
        /* ip= configures the network in the initramfs, which only a network root needs there. */
        return cmdline_key_eq(p->key, "ip") && p->value && strcmp(p->value, "off") != 0 &&
               strcmp(p->value, "none") != 0;
}

const char *protect_network_root(const struct cmdline *c, char *buf, size_t size)
{
        const char *root = c ? cmdline_value(c, "root") : NULL;

        if (network_root_value(root)) {
                snprintf(buf, size, "root=%s", root);
                return buf;
        }
        for (size_t i = 0; c && i < c->n_params; i++)
                if (network_key(&c->params[i])) {
                        snprintf(buf, size, "%s%s%s", c->params[i].key, c->params[i].value ? "=" : "",
                                 c->params[i].value ? c->params[i].value : "");
                        return buf;
                }
        return NULL;
}
