#!/bin/sh
# Capture real kernel-written sysfs trees as test fixtures: boot each topology with the host
# drivers loaded, run "vfio-prep --capture" in the guest (with --cmdline set to the boot's
# own command line minus this harness's parameters), and unpack what comes out of the second
# serial port into OUTDIR/NAME.tar.gz.
#
#   capture.sh [-b BINARY] [-m auto|vfio-prep|plain] OUTDIR [NAME...]
#
# NAME: intel, amd, noiommu, intel-pt (intel booted with iommu=pt), intel-off (intel with
# intel_iommu=off: the DMAR table stays, the groups go), intel-usb (intel with a keyboard, a
# mouse and a USB stick on the xHCI controller), intel-vesa (intel booted with vga=0x317 and
# without bochs-drm: vesafb keeps the firmware framebuffer in the boot VGA's BAR 0); all seven
# by default.
# Every boot has root=/dev/nvme0n1 on its command line, the NVMe controller at 03:00.0 (on
# amd, nvme is not loaded, see qemu.sh, so the root device does not resolve there).
# -m plain (the default when BINARY's --help does not list --capture) copies only
# /proc/cmdline and /sys/kernel/iommu_groups, which checks the transport, not vfio-prep.
set -eu

. "$(dirname "$0")/lib.sh"

ALL="intel amd noiommu intel-pt intel-off intel-usb intel-vesa"

usage() {
	echo "usage: ${0##*/} [-b BINARY] [-m auto|vfio-prep|plain] OUTDIR [intel|amd|noiommu|intel-pt|intel-off|intel-usb|intel-vesa]..." >&2
	exit 2
}

# "TOPOLOGY APPEND" of capture NAME.
capture_boot() {
	case $1 in
	intel) echo "intel" ;;
	amd) echo "amd" ;;
	noiommu) echo "noiommu" ;;
	intel-pt) echo "intel iommu=pt" ;;
	intel-off) echo "intel intel_iommu=off" ;;
	intel-usb) echo "intel-usb" ;;
	intel-vesa) echo "intel vga=0x317 vfio_test.skip=bochs" ;;
	*) return 1 ;;
	esac
}

capture_one() {
	name=$1
	boot=$(capture_boot "$name") || vm_die "unknown capture '$name' (one of: $ALL)"
	topo=${boot%% *} extra=
	[ "$topo" = "$boot" ] || extra=" ${boot#* }"
	log=$WORK/capture-$name.log cap=$WORK/capture-$name.cap
	rm -f "$log" "$cap"
	start=$(vm_now)
	sh "$VM_DIR/qemu.sh" -t "$topo" -k "$VMLINUZ" -i "$INITRD" -l "$log" -c "$cap" \
		-T "${VM_TIMEOUT:-120}" \
		-a "vfio_test.scenario=capture vfio_test.capture=$MODE root=/dev/nvme0n1 ro$extra" || {
		vm_log "$name: the boot failed or timed out (log: $log)"
		return 1
	}
	rc=$(tr -d '\r' <"$log" | sed -n 's/^.*@@VFIO-PREP-RESULT@@ step 1 rc=\([^ ]*\).*/\1/p')
	if [ "$rc" != 0 ]; then
		vm_log "$name: capture in the guest failed (rc=${rc:-none}); it said:"
		tr -d '\r' <"$log" | sed -n 's/^.*@@VFIO-PREP-OUT@@ 1 /  /p' >&2
		return 1
	fi
	dest=$OUTDIR/$name
	rm -rf "$dest.new"
	vm_decode_tar "$cap" "$dest.new" || return 1
	# A tarball, not a directory: git keeps no empty directories, and a capture has
	# meaningful ones (a driver's directory, an empty slaves/). Reproducible bytes, so that
	# a capture of the same machine changes nothing in git.
	(cd "$dest.new" && tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf - .) |
		gzip -9n >"$dest.tar.gz"
	echo "$name: $(find "$dest.new" | wc -l) entries in $dest.tar.gz ($(vm_elapsed "$start") s)"
	rm -rf "$dest.new"
}

main() {
	BINARY=$VM_TOP/build/vfio-prep MODE=auto
	while getopts b:m:h opt; do
		case $opt in
		b) BINARY=$OPTARG ;;
		m) MODE=$OPTARG ;;
		*) usage ;;
		esac
	done
	shift $((OPTIND - 1))
	[ $# -ge 1 ] || usage
	OUTDIR=$1
	shift
	# shellcheck disable=SC2086 # a list of words
	[ $# -gt 0 ] || set -- $ALL
	[ -x "$BINARY" ] || vm_die "no executable $BINARY (build it first: make)"
	case $MODE in
	auto)
		if "$BINARY" --help 2>&1 | grep -q -- '--capture'; then
			MODE=vfio-prep
		else
			MODE=plain
			vm_log "vfio-prep --capture not implemented: capturing /proc/cmdline and the IOMMU groups only"
		fi
		;;
	vfio-prep | plain) ;;
	*) usage ;;
	esac

	WORK=${VM_WORKDIR:-$VM_TOP/build/vm}
	mkdir -p "$WORK" "$OUTDIR"
	KVER='' VMLINUZ='' MODDIR=''
	eval "$(sh "$VM_DIR/kernel.sh")"
	INITRD=$WORK/initramfs-capture.cpio.gz
	KVER=$KVER MODDIR=$MODDIR sh "$VM_DIR/initramfs.sh" -o "$INITRD" -b "$BINARY"
	failed=0
	for name in "$@"; do
		capture_one "$name" || failed=$((failed + 1))
	done
	[ "$failed" -eq 0 ] || vm_die "$failed of $# captures failed"
}

main "$@"
