/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* The files vfio-prep reads by default, below the root (vfio-prep(8), FILES). */

#define VFIO_PREP_CONF "/etc/vfio-prep.conf"
#define VFIO_PREP_CONF_DIR "/etc/vfio-prep.d"
#define VFIO_PREP_ROOT_RECORD "/etc/vfio-prep/root-record"
