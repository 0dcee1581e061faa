#!/bin/sh
# dracut pre-pivot hook of vfio-prep, the second pass: the real root is mounted at $NEWROOT and
# not yet switched to, and udev has loaded the storage drivers. `vfio-prep --apply --sysroot`
# binds the configured storage controllers that do not hold the root file system, and creates
# and binds the VFs of vfs=N devices, whose PF's driver is loaded by now; what the first pass
# (the pre-udev hook) bound stays. dracut's init (or dracut-pre-pivot.service) sources this
# file: no exit, no shell options, variables unset afterwards, and whatever vfio-prep says,
# the boot goes on. The record in /run/vfio-prep/state.json covers both passes.

if command -v vfio-prep >/dev/null 2>&1; then
	vfio_prep_rc=0
	vfio-prep --apply --sysroot "${NEWROOT:-/sysroot}" -q </dev/null || vfio_prep_rc=$?
	if [ "$vfio_prep_rc" -ne 0 ]; then
		warn "vfio-prep: --apply --sysroot exited with status $vfio_prep_rc; see /run/vfio-prep/state.json"
	fi
	unset vfio_prep_rc
fi
