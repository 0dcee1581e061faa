/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Human names for devices: from pci.ids through libpci when built with it, class names otherwise. */

#include <stddef.h>
#include <stdint.h>

const char *pci_class_name(uint32_t class); /* "VGA compatible controller", never NULL */
/* "GA104 [GeForce RTX 3060 Ti]" into BUF, or the class name when unknown. */
const char *pci_device_name(uint16_t vendor, uint16_t device, uint32_t class, char *buf, size_t size);
void pciname_done(void);
/* Read names from PATH instead of libpci's default pci.ids (tests; NULL for the default). */
void pciname_set_ids_file(const char *path);
