#!/bin/sh
# Boot tests of the dracut module dracut/50vfio-prep with Debian's dracut-core: a non-systemd
# and a systemd image, each built for Debian's kernel and booted under QEMU to an ext4 root on
# NVMe (see lib.sh). Also: the module's check() and a host-only build.
#
#   dracut.sh [BUILD_DIR]     (default build/; needs root)
#
# Prints "ok NAME" or "FAIL NAME: reason" per check, "time ..." lines, then
# "dracut.sh: N passed, N failed".
#
# dracut runs unmodified in a private mount namespace where the module is installed under its
# own modules.d by `make install` (ns.sh): dracut finds modules only there, and this also
# tests the Makefile. Options keep the machine out of the image: --no-hostonly, --conf and
# --confdir on empty files (the machine's /etc/dracut.conf.d stays out), --kmoddir on the
# extracted kernel (depmod'ed by tests/vm/kernel.sh), and -m with what an ext4 root on NVMe
# needs. Not "kernel-modules": it scans every module of the kernel for block-device symbols
# (close to 2 minutes on a busy 2-core machine); --add-drivers names the drivers this machine
# needs instead.
set -u

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

# shellcheck disable=SC2034 # read by lib.sh
IT_BUILD=${1:-$IT_TOP/build}

BASE_MODULES='bash base udev-rules rootfs-block fs-lib'
SYSTEMD_MODULES='systemd systemd-initrd systemd-udevd dracut-systemd'
MODULE_DIR=/usr/lib/dracut/modules.d/50vfio-prep

# build NAME CONFIG_DIR DRACUT_OPTION...: build $IT_WORK/NAME.img; the log goes beside it.
build() {
	name=$1 conf=$2
	shift 2
	# Not "dracut.conf.d": the Makefile reads $(BUILD)/*/*.d as dependency files.
	mkdir -p "$IT_WORK/dracut-confdir"
	: >"$IT_WORK/dracut.conf"
	it_build "$name" "$conf" dracut --force --kver "$KVER" --kmoddir "$MODDIR" \
		--conf "$IT_WORK/dracut.conf" --confdir "$IT_WORK/dracut-confdir" --tmpdir "$IT_WORK" \
		--no-early-microcode --no-compress "$@" "$IT_WORK/$name.img"
}

# has LISTING PATH...: every PATH (a regular expression on lsinitrd's last column) is there.
has() {
	listing=$1
	shift
	IT_WHY=
	for p in "$@"; do
		grep -Eq " $p\$" "$listing" || IT_WHY="${IT_WHY:+$IT_WHY, }no $p"
	done
	[ -z "$IT_WHY" ]
}

lacks() {
	IT_WHY="has $2"
	! grep -Eq " $2\$" "$1"
}

KO='usr/lib/modules/[^/]+/kernel'
VFIO_FILES="usr/bin/vfio-prep etc/vfio-prep.conf etc/vfio-prep.d/50-root.conf
usr/lib/dracut/hooks/pre-udev/00-vfio-prep-apply.sh usr/lib/dracut/hooks/pre-pivot/10-vfio-prep-sysroot.sh
etc/modprobe.d/vfio-prep-test.conf
$KO/drivers/vfio/vfio.ko $KO/drivers/vfio/vfio_iommu_type1.ko $KO/drivers/vfio/vfio_virqfd.ko
$KO/drivers/vfio/pci/vfio-pci.ko $KO/drivers/vfio/pci/vfio-pci-core.ko $KO/virt/lib/irqbypass.ko"
HOST_DRIVER_FILES="$KO/drivers/usb/host/xhci-pci.ko $KO/sound/pci/hda/snd-hda-intel.ko
$KO/drivers/gpu/drm/tiny/bochs.ko"

# What image $1 (test $2) must and must not carry.
check_image() {
	lsinitrd "$IT_WORK/$2.img" >"$IT_WORK/$2.lsinitrd" 2>&1
	# shellcheck disable=SC2086 # lists of paths
	it_expect "$2: the image has vfio-prep, its config, hook and modules" \
		has "$IT_WORK/$2.lsinitrd" $VFIO_FILES
	# shellcheck disable=SC2086
	it_expect "$2: the image has the host drivers vfio-prep must beat" \
		has "$IT_WORK/$2.lsinitrd" $HOST_DRIVER_FILES
	it_expect "$2: modprobe.d files unrelated to vfio stay out" \
		lacks "$IT_WORK/$2.lsinitrd" etc/modprobe.d/unrelated-test.conf
	it_expect "$2: the image's root record is what vfio-prep --root-record says (none when it fails)" \
		it_equals "$(root_record "$2")" "$(it_root_record_want)"
}

# /etc/vfio-prep/root-record in image $1, "(none)" when absent.
root_record() {
	if grep -Eq ' etc/vfio-prep/root-record$' "$IT_WORK/$1.lsinitrd"; then
		lsinitrd -f etc/vfio-prep/root-record "$IT_WORK/$1.img"
	else
		echo '(none)'
	fi
}

# scenario NAME DRACUT_MODULES [APPEND]: build, check, boot with the config (and APPEND), boot
# with vfio-prep.disable.
scenario() {
	if ! build "$1" "$IT_CONF" --no-hostonly -m "$2 vfio-prep" --add-drivers "$IT_DRIVERS"; then
		it_fail "$1: dracut builds the image" "see $IT_WORK/$1.build.log"
		return
	fi
	it_ok "$1: dracut builds the image"
	check_image "$1" "$1"
	case " $2 " in
	*" systemd "*)
		it_expect "$1: dracut-pre-udev.service is ordered before systemd-modules-load" \
			has "$IT_WORK/$1.lsinitrd" \
			'usr/lib/systemd/system/dracut-pre-udev.service.d/50-vfio-prep.conf'
		it_expect "$1: dracut-pre-pivot.service runs the second pass's hook directory" \
			has "$IT_WORK/$1.lsinitrd" 'usr/lib/systemd/system/dracut-pre-pivot.service'
		;;
	esac
	[ "${IT_BOOT:-1}" = 1 ] || return 0
	it_boot "$1" "$IT_WORK/$1.img" "${3-}"
	it_check_apply "$1" "$IT_WORK/$1.log"
	if [ "${IT_CONTROL:-1}" = 1 ]; then
		it_boot "$1-disabled" "$IT_WORK/$1.img" vfio-prep.disable
		it_check_disabled "$1" "$IT_WORK/$1-disabled.log"
	fi
}

# check() of the installed module, run by bash as dracut does, with the config of dir $2.
check_result() {
	it_ns "dracut-check-$1" "$2" bash -c ". $MODULE_DIR/module-setup.sh; check; echo \$?" \
		2>"$IT_WORK/dracut-check-$1.err"
}

check_function() {
	got=$(check_result configured "$IT_CONF")
	it_expect "dracut check(): a config with device lines includes the module (0)" \
		it_equals "$got" 0
	mkdir -p "$IT_WORK/example-config"
	cp "$IT_TOP/examples/vfio-prep.conf" "$IT_WORK/example-config/vfio-prep.conf"
	got=$(check_result example "$IT_WORK/example-config")
	it_expect "dracut check(): the example config (no device) includes it only on request (255)" \
		it_equals "$got" 255
}

# hook_sourced_by SHELL WHAT ARGS HOOK: the hooks are sourced by dracut's init (bash) or by
# dracut-pre-udev / dracut-pre-pivot (sh): with vfio-prep failing, HOOK runs vfio-prep ARGS,
# warns, returns to the sourcing shell even under set -e, and leaves no variable. NEWROOT is
# unset, as in dracut's init before it sets it, so the hook's default shows.
hook_sourced_by() {
	fake=$(it_fake_binary)
	VFIO_PREP_FAKE_LOG=$IT_WORK/dracut-hook.calls
	: >"$VFIO_PREP_FAKE_LOG"
	# shellcheck disable=SC2016 # for the inner shell
	got=$(VFIO_PREP_FAKE_LOG=$VFIO_PREP_FAKE_LOG VFIO_PREP_FAKE_RC=3 PATH="$fake:$PATH" "$1" -c '
		warn() { echo "warn: $*"; }
		set -e
		. "$1"
		echo "returned; leftovers: $(set | grep -c "^vfio_prep" || :)"' \
		sh "$IT_TOP/dracut/50vfio-prep/$4" 2>&1 | tr '\n' '|')
	calls=$(tr '\n' '|' <"$VFIO_PREP_FAKE_LOG")
	want="warn: vfio-prep: $2 exited with status 3; see /run/vfio-prep/state.json|returned; leftovers: 0|"
	IT_WHY="ran '$calls', printed '$got'"
	[ "$got" = "$want" ] && [ "$calls" = "vfio-prep $3|" ]
}

# A host-only image leaves out modules the build machine has not loaded, unless the module
# says otherwise: the vfio modules must be there all the same.
hostonly() {
	if ! build dracut-hostonly "$IT_CONF" --hostonly -m "base vfio-prep"; then
		it_fail "dracut-hostonly: dracut builds the image" "see $IT_WORK/dracut-hostonly.build.log"
		return
	fi
	lsinitrd "$IT_WORK/dracut-hostonly.img" >"$IT_WORK/dracut-hostonly.lsinitrd" 2>&1
	rm -f "$IT_WORK/dracut-hostonly.img"
	# shellcheck disable=SC2086
	it_expect "dracut-hostonly: a host-only image has the vfio modules" \
		has "$IT_WORK/dracut-hostonly.lsinitrd" $VFIO_FILES
}

main() {
	it_setup
	start=$(it_now)
	check_function
	for sh in sh bash; do
		it_expect "dracut hook: sourced by $sh, a failing vfio-prep only warns" \
			hook_sourced_by "$sh" --apply '--apply -q' vfio-prep-apply.sh
		it_expect "dracut pre-pivot hook: sourced by $sh, a failing second pass only warns" \
			hook_sourced_by "$sh" '--apply --sysroot' '--apply --sysroot /sysroot -q' vfio-prep-sysroot.sh
	done
	hostonly
	scenario dracut "$BASE_MODULES"
	# systemd-modules-load.service loads these as early as it can: the module orders
	# vfio-prep's hook before it (without that, vfio-prep has to take the devices back).
	scenario dracut-systemd "$SYSTEMD_MODULES $BASE_MODULES" rd.modules-load=xhci_pci,snd_hda_intel
	echo "time dracut.sh: $(it_since "$start") s"
	it_summary
}

main "$@"
