/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The machine as vfio-prep sees it, loaded once (machine_load() in machine.c) and then only
 * read: selection, analysis, checks and planning are pure functions over this model.
 * Cross references are indices into machine.devices / machine.groups, never pointers, so
 * that tests can build a model from literals.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NONE ((size_t)-1)

struct pci_addr {
        uint32_t domain; /* 16 bits on most machines; VMD domains reach 0x10000 and above */
        uint8_t bus;
        uint8_t dev; /* 0..31 */
        uint8_t fn;  /* 0..7 */
};

/* "0000:01:00.0", or "10000:01:00.0" for a wide domain. */
#define PCI_ADDR_STRLEN 16

enum tristate {
        TRI_UNKNOWN = -1,
        TRI_NO = 0,
        TRI_YES = 1,
};

/* PCI header types (config space offset 0x0e, low 7 bits). */
enum pci_header {
        PCI_HEADER_UNKNOWN = -1,
        PCI_HEADER_NORMAL = 0,
        PCI_HEADER_BRIDGE = 1,
        PCI_HEADER_CARDBUS = 2,
};

struct pci_device {
        struct pci_addr addr;
        char name[PCI_ADDR_STRLEN]; /* the sysfs name, "0000:01:00.0" */
        char *path;                 /* resolved sysfs directory, "/sys/devices/pci0000:00/..." */

        uint16_t vendor, device;
        uint16_t subsys_vendor, subsys_device; /* 0 when absent */
        uint32_t class;                        /* 24 bits: base, sub, prog-if */
        enum pci_header header;                /* from config space; from class when unreadable */
        bool multifunction;                    /* header type bit 7, when config space was read */

        char *driver;                 /* NULL when unbound */
        char *driver_module;          /* module behind the driver (driver/module link), NULL if none */
        enum tristate driver_builtin; /* the driver is built into the kernel (no initstate) */
        char *driver_override;        /* NULL when unset ("(null)") or absent */
        enum tristate boot_vga;
        long iommu_group; /* -1 when the device has no group */
        size_t group;     /* index into machine.groups, NONE without */
        size_t parent;    /* upstream PCI bridge or port, NONE on a root bus */

        size_t physfn;       /* SR-IOV: index of the PF of this VF, NONE otherwise */
        long sriov_totalvfs; /* -1 when not an SR-IOV PF */
        long sriov_numvfs;   /* -1 when not an SR-IOV PF */
        char *reset_method;  /* NULL when the attribute is absent; "" when empty (no method) */

        uint8_t *config; /* config space as readable: 64 bytes unprivileged, 256 or 4096 as root */
        size_t config_len;
        bool damaged; /* an attribute was unreadable or malformed: see machine.problems */
};

/* Something in the tree that could not be read or made no sense; reported, never fatal. */
struct load_problem {
        char *path;
        char *message; /* "malformed vendor 'zz10'" */
};

struct reserved_region {
        uint64_t start, end;
        char *type; /* "direct", "direct-relaxable", "reserved", "msi" */
};

/* What a USB device's interfaces say it is (bInterfaceClass 3 with boot protocol 1 or 2; 8; 9). */
enum {
        USB_KEYBOARD = 1 << 0,
        USB_MOUSE = 1 << 1,
        USB_STORAGE = 1 << 2,
        USB_HUB = 1 << 3,
};

struct usb_device {
        char *name;        /* "1-3", "3-1.2" */
        size_t controller; /* index into machine.devices of the PCI controller above it */
        char *product;     /* the product string, NULL when the device gives none */
        unsigned kinds;    /* USB_KEYBOARD | ... */
};

/* A range of /proc/iomem named after a firmware framebuffer ("BOOTFB", "efifb", "simpledrm"). */
struct fb_region {
        uint64_t start, end;
        char *name;
};

/* The memory BARs 0-5 of a device, from its sysfs resource file; end == 0 where unused. */
struct device_bars {
        size_t device;
        struct {
                uint64_t start, end;
        } bar[6];
};

struct iommu_group {
        long id;
        char *type;      /* "DMA", "DMA-FQ", "identity", "blocked", "unmanaged"; NULL when absent */
        size_t *devices; /* indices into machine.devices, in address order */
        size_t n_devices;
        struct reserved_region *regions;
        size_t n_regions;
};

enum cpu_vendor {
        CPU_UNKNOWN,
        CPU_INTEL,
        CPU_AMD,
        CPU_ARM,
        CPU_OTHER,
};

/* Kernel build options that change IOMMU defaults; TRI_UNKNOWN when no config was found. */
struct kernel_config {
        bool found;
        char *source;                                    /* "/proc/config.gz" or "/boot/config-RELEASE" */
        enum tristate intel_iommu_default_on;            /* CONFIG_INTEL_IOMMU_DEFAULT_ON */
        enum tristate intel_iommu_default_on_intgpu_off; /* ..._DEFAULT_ON_INTGPU_OFF */
        enum tristate iommu_default_passthrough;         /* CONFIG_IOMMU_DEFAULT_PASSTHROUGH */
        enum tristate irq_remap;                         /* CONFIG_IRQ_REMAP */
        enum tristate vfio_pci_builtin;                  /* CONFIG_VFIO_PCI=y */
        enum tristate vfio_pci_module;                   /* CONFIG_VFIO_PCI=m */
};

struct iommu_info {
        bool acpi_dmar, acpi_ivrs, acpi_iort; /* firmware tables in /sys/firmware/acpi/tables */
        char **units;                         /* /sys/class/iommu entries: "dmar0", "ivhd0", ... (NULL-terminated) */
        size_t n_units;
        enum tristate interrupt_remapping; /* "IR-" chips in /proc/interrupts */
};

/* What `--apply` recorded at boot in /run/vfio-prep/state.json, when present. */
struct boot_record_entry {
        char name[PCI_ADDR_STRLEN];
        bool bound;
        char *reason; /* why it was refused; NULL when bound */
        int pass;     /* 1: the first pass (or a run outside the initramfs), 2: the second */
};

struct boot_record {
        bool found;
        struct boot_record_entry *entries;
        size_t n_entries;
};

struct machine {
        char *release; /* /proc/sys/kernel/osrelease, NULL when unreadable */
        char *cmdline; /* /proc/cmdline as read (or --cmdline), never NULL once loaded */
        enum cpu_vendor cpu;
        bool x86; /* from /proc/cpuinfo; iommu=pt means nothing elsewhere */
        /* The "hypervisor" flag in the cpuinfo that kernel.c read (cpuinfo_hypervisor()), so
         * that virt_load.c need not read the file again; cpuinfo_read is false when it could not. */
        enum tristate cpu_hypervisor_flag;
        bool cpuinfo_read;

        struct pci_device *devices; /* sorted by address */
        size_t n_devices;
        struct iommu_group *groups; /* sorted by id */
        size_t n_groups;

        struct iommu_info iommu;
        struct kernel_config kconfig;
        struct boot_record record;

        struct load_problem *problems;
        size_t n_problems;

        /* Config space was read only as far as its 64-byte header (MACHINE_LOAD_HEADER_ONLY):
         * enough to tell bridges and multifunction devices, not ACS. */
        bool config_header_only;

        /* Whether this machine is itself a virtual machine (virt_load.c): the x86 "hypervisor"
         * CPU flag (TRI_UNKNOWN without an x86 flags line) and the DMI names, NULL when absent. */
        enum tristate hypervisor;
        char *dmi_vendor;  /* /sys/class/dmi/id/sys_vendor: "QEMU" */
        char *dmi_product; /* /sys/class/dmi/id/product_name: "Standard PC (Q35 + ICH9, 2009)" */

        /* USB devices below PCI USB controllers (usb_load.c), sorted by name; usb_listed is
         * false when /sys/bus/usb/devices could not be listed (a captured tree without it). */
        struct usb_device *usb;
        size_t n_usb;
        bool usb_listed;

        /* Firmware framebuffers in /proc/iomem and the BARs of display devices (iomem_load.c). */
        struct fb_region *fbs;
        size_t n_fbs;
        enum tristate iomem_addresses; /* TRI_NO: /proc/iomem shows zeros (not root); TRI_UNKNOWN: unread */
        struct device_bars *bars;      /* display controllers (class 0x03) only */
        size_t n_bars;
};

/* Accessors shared by every pure module (model.c). */
size_t machine_find_device(const struct machine *m, const struct pci_addr *addr);
size_t machine_find_device_name(const struct machine *m, const char *name);
size_t machine_find_group(const struct machine *m, long id);
void machine_done(struct machine *m);
/* A problem with one of D's own attributes: recorded, and D is marked damaged. */
void machine_damage(struct machine *m, struct pci_device *d, const char *path, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
/* Record a problem; never fails the load (an allocation failure just loses the entry). */
void machine_add_problem(struct machine *m, const char *path, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

int pci_addr_parse(const char *s, struct pci_addr *ret);
void pci_addr_format(const struct pci_addr *a, char buf[static PCI_ADDR_STRLEN]);
int pci_addr_cmp(const struct pci_addr *a, const struct pci_addr *b);
bool pci_same_slot(const struct pci_addr *a, const struct pci_addr *b);

static inline unsigned pci_class_base(uint32_t class)
{
        return class >> 16;
}
/* Bridges and host bridges may share a group without blocking it (vfio-prep(8), MODES, "blocker"). */
bool pci_device_is_bridge(const struct pci_device *d);
bool pci_device_is_host_bridge(const struct pci_device *d);
