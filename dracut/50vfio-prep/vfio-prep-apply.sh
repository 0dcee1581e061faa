#!/bin/sh
# dracut pre-udev hook of vfio-prep: bind the configured devices to vfio-pci before udev's
# coldplug loads their host drivers. dracut's init (or dracut-pre-udev.service) sources this
# file: no exit, no shell options, variables unset afterwards, and whatever vfio-prep says,
# the boot goes on. vfio-prep logs each decision to /dev/kmsg and writes
# /run/vfio-prep/state.json; -q limits its stderr to errors, so that the console, which shows
# kmsg by log level, does not get every line twice.

if command -v vfio-prep >/dev/null 2>&1; then
	vfio_prep_rc=0
	vfio-prep --apply -q </dev/null || vfio_prep_rc=$?
	if [ "$vfio_prep_rc" -ne 0 ]; then
		warn "vfio-prep: --apply exited with status $vfio_prep_rc; see /run/vfio-prep/state.json"
	fi
	unset vfio_prep_rc
else
	warn "vfio-prep: not in this initramfs; no device bound"
fi
