/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "pciname.h"

#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"

#ifdef HAVE_LIBPCI
#include <pci/pci.h>
#include <setjmp.h>
#endif

struct class_name {
        uint16_t code;
        const char *name;
};

/* Base classes, from the PCI Code and ID Assignment Specification. */
static const struct class_name base_classes[] = {
        { 0x00, "Unclassified device" },
        { 0x01, "Mass storage controller" },
        { 0x02, "Network controller" },
        { 0x03, "Display controller" },
        { 0x04, "Multimedia controller" },
        { 0x05, "Memory controller" },
        { 0x06, "Bridge" },
        { 0x07, "Communication controller" },
        { 0x08, "Generic system peripheral" },
        { 0x09, "Input device controller" },
        { 0x0a, "Docking station" },
        { 0x0b, "Processor" },
        { 0x0c, "Serial bus controller" },
        { 0x0d, "Wireless controller" },
        { 0x0e, "Intelligent controller" },
        { 0x0f, "Satellite communications controller" },
        { 0x10, "Encryption controller" },
        { 0x11, "Signal processing controller" },
        { 0x12, "Processing accelerator" },
        { 0x13, "Non-essential instrumentation" },
        { 0x40, "Coprocessor" },
        { 0xff, "Unassigned class" },
};

/* Base class and subclass; a subclass missing here falls back to its base class name. */
static const struct class_name subclasses[] = {
        { 0x0000, "Non-VGA unclassified device" },
        { 0x0001, "VGA compatible unclassified device" },
        { 0x0005, "Image coprocessor" },
        { 0x0100, "SCSI storage controller" },
        { 0x0101, "IDE interface" },
        { 0x0102, "Floppy disk controller" },
        { 0x0103, "IPI bus controller" },
        { 0x0104, "RAID bus controller" },
        { 0x0105, "ATA controller" },
        { 0x0106, "SATA controller" },
        { 0x0107, "Serial Attached SCSI controller" },
        { 0x0108, "Non-Volatile memory controller" },
        { 0x0109, "Universal Flash Storage controller" },
        { 0x0180, "Mass storage controller" },
        { 0x0200, "Ethernet controller" },
        { 0x0201, "Token ring network controller" },
        { 0x0202, "FDDI network controller" },
        { 0x0203, "ATM network controller" },
        { 0x0204, "ISDN controller" },
        { 0x0205, "WorldFip controller" },
        { 0x0206, "PICMG controller" },
        { 0x0207, "Infiniband controller" },
        { 0x0208, "Fabric controller" },
        { 0x0280, "Network controller" },
        { 0x0300, "VGA compatible controller" },
        { 0x0301, "XGA compatible controller" },
        { 0x0302, "3D controller" },
        { 0x0380, "Display controller" },
        { 0x0400, "Multimedia video controller" },
        { 0x0401, "Multimedia audio controller" },
        { 0x0402, "Computer telephony device" },
        { 0x0403, "Audio device" },
        { 0x0480, "Multimedia controller" },
        { 0x0500, "RAM memory" },
        { 0x0501, "FLASH memory" },
        { 0x0502, "CXL memory device" },
        { 0x0580, "Memory controller" },
        { 0x0600, "Host bridge" },
        { 0x0601, "ISA bridge" },
        { 0x0602, "EISA bridge" },
        { 0x0603, "MicroChannel bridge" },
        { 0x0604, "PCI bridge" },
        { 0x0605, "PCMCIA bridge" },
        { 0x0606, "NuBus bridge" },
        { 0x0607, "CardBus bridge" },
        { 0x0608, "RACEway bridge" },
        { 0x0609, "Semi-transparent PCI-to-PCI bridge" },
        { 0x060a, "InfiniBand to PCI host bridge" },
        { 0x0680, "Bridge" },
        { 0x0700, "Serial controller" },
        { 0x0701, "Parallel controller" },
        { 0x0702, "Multiport serial controller" },
        { 0x0703, "Modem" },
        { 0x0704, "GPIB controller" },
        { 0x0705, "Smart card controller" },
        { 0x0780, "Communication controller" },
        { 0x0800, "PIC" },
        { 0x0801, "DMA controller" },
        { 0x0802, "Timer" },
        { 0x0803, "RTC" },
        { 0x0804, "PCI hot-plug controller" },
        { 0x0805, "SD host controller" },
        { 0x0806, "IOMMU" },
        { 0x0807, "Root complex event collector" },
        { 0x0880, "System peripheral" },
        { 0x0900, "Keyboard controller" },
        { 0x0901, "Digitizer pen" },
        { 0x0902, "Mouse controller" },
        { 0x0903, "Scanner controller" },
        { 0x0904, "Gameport controller" },
        { 0x0980, "Input device controller" },
        { 0x0a00, "Generic docking station" },
        { 0x0a80, "Docking station" },
        { 0x0b00, "386" },
        { 0x0b01, "486" },
        { 0x0b02, "Pentium" },
        { 0x0b10, "Alpha" },
        { 0x0b20, "Power PC" },
        { 0x0b30, "MIPS" },
        { 0x0b40, "Co-processor" },
        { 0x0b80, "Processor" },
        { 0x0c00, "FireWire (IEEE 1394)" },
        { 0x0c01, "ACCESS Bus" },
        { 0x0c02, "SSA" },
        { 0x0c03, "USB controller" },
        { 0x0c04, "Fibre Channel" },
        { 0x0c05, "SMBus" },
        { 0x0c06, "InfiniBand" },
        { 0x0c07, "IPMI interface" },
        { 0x0c08, "SERCOS interface" },
        { 0x0c09, "CANBUS" },
        { 0x0c0a, "MIPI I3C host controller" },
        { 0x0c80, "Serial bus controller" },
        { 0x0d00, "IRDA controller" },
        { 0x0d01, "Consumer IR controller" },
        { 0x0d10, "RF controller" },
        { 0x0d11, "Bluetooth" },
        { 0x0d12, "Broadband" },
        { 0x0d20, "802.11a controller" },
        { 0x0d21, "802.11b controller" },
        { 0x0d40, "Cellular controller/modem" },
        { 0x0d41, "Cellular controller/modem plus Ethernet" },
        { 0x0d80, "Wireless controller" },
        { 0x0e00, "I2O" },
        { 0x0f01, "Satellite TV controller" },
        { 0x0f02, "Satellite audio communication controller" },
        { 0x0f03, "Satellite voice communication controller" },
        { 0x0f04, "Satellite data communication controller" },
        { 0x1000, "Network and computing encryption device" },
        { 0x1010, "Entertainment encryption device" },
        { 0x1080, "Encryption controller" },
        { 0x1100, "DPIO module" },
        { 0x1101, "Performance counters" },
        { 0x1110, "Communication synchronizer" },
        { 0x1120, "Signal processing management" },
        { 0x1180, "Signal processing controller" },
        { 0x1200, "Processing accelerator" },
        { 0x1201, "SDXI controller" },
};

static const char *class_table_find(const struct class_name *t, size_t n, uint16_t code)
{
        for (size_t i = 0; i < n; i++)
                if (t[i].code == code)
                        return t[i].name;
        return NULL;
}

/* CLASS is the 24-bit class code: base, subclass, programming interface. */
const char *pci_class_name(uint32_t class)
{
        const char *name;

        name = class_table_find(subclasses, ARRAY_SIZE(subclasses), (class >> 8) & 0xffff);
        if (!name)
                name = class_table_find(base_classes, ARRAY_SIZE(base_classes), (class >> 16) & 0xff);
        return name ? name : "Unassigned class";
}

#ifdef HAVE_LIBPCI

/*
 * Only the name list of libpci is used: pci_init() is never called, because it probes access
 * methods in /sys and /proc. Without it the error hooks are unset, so we set our own. libpci
 * expects its error hook not to return (a malformed pci.ids): we jump back out and stop using
 * the library for the rest of the run, rather than let it exit the process.
 */
static struct pci_access *pacc;
static bool pacc_broken;
static const char *ids_file;
static jmp_buf pacc_escape;

static __attribute__((noreturn)) void pacc_error(char *msg, ...)
{
        longjmp(pacc_escape, 1);
}

static void pacc_quiet(char *msg, ...)
{
}

static struct pci_access *pacc_get(void)
{
        if (pacc || pacc_broken)
                return pacc_broken ? NULL : pacc;
        pacc = pci_alloc();
        if (!pacc) {
                pacc_broken = true;
                return NULL;
        }
        pacc->error = pacc_error;
        pacc->warning = pacc_quiet;
        pacc->debug = pacc_quiet;
        /* No ~/.cache lookups, no DNS: the local pci.ids only. */
        pacc->id_lookup_mode = 0;
        if (ids_file)
                pci_set_name_list_path(pacc, (char *)ids_file, 0);
        return pacc;
}

static const char *lookup_device(uint16_t vendor, uint16_t device, char *buf, size_t size)
{
        struct pci_access *a = pacc_get();
        const char *name;

        if (!a)
                return NULL;
        if (setjmp(pacc_escape)) {
                pacc_broken = true;
                return NULL;
        }
        name = pci_lookup_name(a, buf, (int)size, PCI_LOOKUP_DEVICE | PCI_LOOKUP_NO_NUMBERS | PCI_LOOKUP_NO_HWDB,
                               (int)vendor, (int)device);
        /* Anything but BUF is libpci's own complaint ("buffer too small"), not a name. */
        return name == buf && *buf ? buf : NULL;
}

void pciname_done(void)
{
        if (pacc)
                pci_cleanup(pacc);
        pacc = NULL;
        pacc_broken = false;
}

void pciname_set_ids_file(const char *path)
{
        pciname_done();
        ids_file = path;
}

#else

static const char *lookup_device(uint16_t vendor, uint16_t device, char *buf, size_t size)
{
        return NULL;
}

void pciname_done(void)
{
}

void pciname_set_ids_file(const char *path)
{
}

#endif

const char *pci_device_name(uint16_t vendor, uint16_t device, uint32_t class, char *buf, size_t size)
{
        const char *name = NULL;

        if (buf && size >= 2 && size <= INT_MAX)
                name = lookup_device(vendor, device, buf, size);
        return name ? name : pci_class_name(class);
}
