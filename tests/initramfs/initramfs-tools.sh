#!/bin/sh
# Boot test of the initramfs-tools hook and init-top script (initramfs-tools/) with Debian's
# initramfs-tools-core: mkinitramfs builds an image for Debian's kernel, booted under QEMU to an
# ext4 root on NVMe (see lib.sh).
#
#   initramfs-tools.sh [BUILD_DIR]     (default build/; needs root)
#
# Prints "ok NAME" or "FAIL NAME: reason" per check, "time ..." lines, then
# "initramfs-tools.sh: N passed, N failed".
#
# mkinitramfs reads /lib/modules/KVER, /boot/config-KVER and /usr/share/initramfs-tools with no
# option to look elsewhere, so it runs in a private mount namespace (ns.sh) where those hold the
# extracted kernel and the files `make install PREFIX=/usr` installed. Its configuration comes
# from a directory of the test's own (-d): Debian's defaults but MODULES=list with the drivers
# this machine needs; MODULES=most works too but takes about a minute here instead of seconds.
set -u

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

# shellcheck disable=SC2034 # read by lib.sh
IT_BUILD=${1:-$IT_TOP/build}
NAME=initramfs-tools

# The -d directory of mkinitramfs.
confdir() {
	d=$IT_WORK/initramfs-tools.conf
	rm -rf "$d"
	mkdir -p "$d/conf.d" "$d/hooks" "$d/scripts"
	printf '%s\n' MODULES=list BUSYBOX=auto COMPRESS=zstd >"$d/initramfs.conf"
	# shellcheck disable=SC2086 # one module per line
	printf '%s\n' $IT_DRIVERS >"$d/modules"
	echo "$d"
}

build() {
	conf=$(confdir)
	it_build "$NAME" "$IT_CONF" mkinitramfs -d "$conf" -o "$IT_WORK/$NAME.img" "$KVER"
}

# has PATH...: every PATH (a regular expression on a whole line of the listing) is there.
has() {
	IT_WHY=
	for p in "$@"; do
		grep -Eq "^$p\$" "$IT_WORK/$NAME.list" || IT_WHY="${IT_WHY:+$IT_WHY, }no $p"
	done
	[ -z "$IT_WHY" ]
}

KO='usr/lib/modules/[^/]+/kernel'

unpack() {
	rm -rf "$IT_WORK/$NAME.unpacked"
	unmkinitramfs "$IT_WORK/$NAME.img" "$IT_WORK/$NAME.unpacked"
}

# The image's scripts of boot stage $1 in the order the boot runs them (scripts/$1/ORDER).
stage_order() {
	order=$(find "$IT_WORK/$NAME.unpacked" -path "*/scripts/$1/ORDER" | head -n 1)
	[ -n "$order" ] && sed -n "s|^/scripts/$1/\([^ ]*\) .*|\1|p" "$order" | tr '\n' ' '
}

# 00vfio-prep runs before udev in stage $1: in init-top, the script that starts udevd and its
# coldplug; in init-bottom, the one that stops udevd and moves /dev to the root.
runs_before_udev() {
	order=$(stage_order "$1")
	IT_WHY="$1 order: ${order:-unknown}"
	case " $order " in
	*" 00vfio-prep "*) ;;
	*) return 1 ;;
	esac
	case " ${order#*00vfio-prep } " in
	*" udev "*) return 0 ;;
	esac
	return 1
}

# /etc/vfio-prep/root-record in the unpacked image, "(none)" when absent.
root_record() {
	f=$(find "$IT_WORK/$NAME.unpacked" -path '*/etc/vfio-prep/root-record' | head -n 1)
	if [ -n "$f" ]; then cat "$f"; else echo '(none)'; fi
}

check_image() {
	lsinitramfs "$IT_WORK/$NAME.img" >"$IT_WORK/$NAME.list" 2>&1
	it_expect "$NAME: the image has vfio-prep, its config, scripts and modules" has \
		usr/bin/vfio-prep etc/vfio-prep.conf etc/vfio-prep.d/50-root.conf \
		scripts/init-top/00vfio-prep scripts/init-bottom/00vfio-prep etc/modprobe.d/vfio-prep-test.conf \
		"$KO/drivers/vfio/vfio.ko" "$KO/drivers/vfio/vfio_iommu_type1.ko" \
		"$KO/drivers/vfio/vfio_virqfd.ko" "$KO/drivers/vfio/pci/vfio-pci.ko" \
		"$KO/drivers/vfio/pci/vfio-pci-core.ko" "$KO/virt/lib/irqbypass.ko"
	it_expect "$NAME: the image has udev and the host drivers vfio-prep must beat" has \
		scripts/init-top/udev "$KO/drivers/usb/host/xhci-pci.ko" \
		"$KO/sound/pci/hda/snd-hda-intel.ko" "$KO/drivers/gpu/drm/tiny/bochs.ko"
	unpack || IT_WHY="unmkinitramfs failed"
	it_expect "$NAME: init-top runs 00vfio-prep before udev" runs_before_udev init-top
	it_expect "$NAME: init-bottom runs 00vfio-prep before udev" runs_before_udev init-bottom
	it_expect "$NAME: the image's root record is what vfio-prep --root-record says (none when it fails)" \
		it_equals "$(root_record)" "$(it_root_record_want)"
	rm -rf "$IT_WORK/$NAME.unpacked"
}

# Run the installed script of stage $STAGE (init-top by default) as the initramfs would (in
# ns.sh, configuration of dir $2, kernel command line $3, a failing stand-in for vfio-prep);
# prints "rc=N calls=ARGS|...". rootmnt is /root, as initramfs-tools' init exports it.
init_top_with() {
	fake=$(it_fake_binary)
	export VFIO_PREP_FAKE_LOG="$IT_WORK/$1.calls" VFIO_PREP_FAKE_RC=1
	: >"$VFIO_PREP_FAKE_LOG"
	printf '%s\n' "$3" >"$IT_WORK/$1.cmdline"
	# shellcheck disable=SC2016 # for the inner shell
	rc=$(it_ns "$1" "$2" sh -c 'mount --bind "$1" /proc/cmdline || exit 99
		PATH="$2:$PATH" rootmnt=/root sh "/usr/share/initramfs-tools/scripts/$3/00vfio-prep"
		echo $?' sh "$IT_WORK/$1.cmdline" "$fake" "${STAGE:-init-top}" 2>"$IT_WORK/$1.err")
	echo "rc=$rc calls=$(tr '\n' '|' <"$VFIO_PREP_FAKE_LOG")"
}

# init_top_runs NAME CONFIG_DIR CMDLINE WANT: the script did WANT ("rc=0 calls=...").
init_top_runs() {
	got=$(init_top_with "$1" "$2" "$3")
	IT_WHY="$got, want $4"
	[ "$got" = "$4" ]
}

init_bottom_runs() {
	STAGE=init-bottom
	init_top_runs "$@"
	ibr=$?
	STAGE=
	return "$ibr"
}

init_top() {
	mkdir -p "$IT_WORK/example-config"
	cp "$IT_TOP/examples/vfio-prep.conf" "$IT_WORK/example-config/vfio-prep.conf"
	it_expect "$NAME: init-top runs vfio-prep --apply when configured; its failure does not count" \
		init_top_runs init-top-configured "$IT_CONF" 'root=/dev/nvme0n1 quiet' \
		'rc=0 calls=vfio-prep --apply -q|'
	# vfio-prep decides, as in the dracut and mkinitcpio hooks: the script does not look at the
	# configuration or the command line, whose spellings (vfio_prep.devices=, quoted values)
	# only vfio-prep knows all of.
	it_expect "$NAME: init-top runs vfio-prep, which decides, when no device is configured" \
		init_top_runs init-top-example "$IT_WORK/example-config" 'root=/dev/nvme0n1' \
		'rc=0 calls=vfio-prep --apply -q|'
	it_expect "$NAME: init-top runs vfio-prep for vfio-prep.devices= alone" \
		init_top_runs init-top-cmdline "$IT_WORK/example-config" \
		'root=/dev/nvme0n1 vfio-prep.devices=0000:01:00.0' 'rc=0 calls=vfio-prep --apply -q|'
	it_expect "$NAME: init-top runs vfio-prep for a quoted vfio_prep.devices= alone" \
		init_top_runs init-top-cmdline-spelling "$IT_WORK/example-config" \
		'root=/dev/nvme0n1 "vfio_prep.devices=0000:01:00.0"' 'rc=0 calls=vfio-prep --apply -q|'
	it_expect "$NAME: init-bottom runs the second pass on \${rootmnt}; its failure does not count" \
		init_bottom_runs init-bottom-configured "$IT_CONF" 'root=/dev/nvme0n1 quiet' \
		'rc=0 calls=vfio-prep --apply --sysroot /root -q|'
	it_expect "$NAME: init-bottom runs vfio-prep, which decides, when no device is configured" \
		init_bottom_runs init-bottom-example "$IT_WORK/example-config" 'root=/dev/nvme0n1' \
		'rc=0 calls=vfio-prep --apply --sysroot /root -q|'
}

# Boot the image with the configuration, then with vfio-prep.disable.
boots() {
	[ "${IT_BOOT:-1}" = 1 ] || return 0
	it_boot "$NAME" "$IT_WORK/$NAME.img"
	it_check_apply "$NAME" "$IT_WORK/$NAME.log"
	[ "${IT_CONTROL:-1}" = 1 ] || return 0
	it_boot "$NAME-disabled" "$IT_WORK/$NAME.img" vfio-prep.disable
	it_check_disabled "$NAME" "$IT_WORK/$NAME-disabled.log"
}

main() {
	it_setup
	start=$(it_now)
	init_top
	if build; then
		it_ok "$NAME: mkinitramfs builds the image"
		check_image
		boots
	else
		it_fail "$NAME: mkinitramfs builds the image" "see $IT_WORK/$NAME.build.log"
	fi
	echo "time initramfs-tools.sh: $(it_since "$start") s"
	it_summary
}

main "$@"
