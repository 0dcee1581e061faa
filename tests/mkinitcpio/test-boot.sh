#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Boot tests of the mkinitcpio runtime hook. An image is built by tests/mkinitcpio/mkinitcpio.sh
# from HOOKS=(testbase vfio-prep udev testdrivers) and MODULES=(xhci_pci): the real build hook
# and runtime hook, a stand-in for udev's early hook (where udevd starts), a test /init that
# runs them as mkinitcpio's /init does (early hooks in HOOKS order, then MODULES=, then a driver
# per device by modalias, as udev's coldplug, then root= mounted at /new_root and the late
# hooks), and the host drivers. It boots Debian's kernel under QEMU
# (tests/vm/qemu.sh, topology "intel-storage": the xHCI controller at 0000:01:00.0 is alone in
# its group; three NVMe controllers of one ID, 1b36:0010: 03:00.0 holds the ext4 root, 05:00.0
# is blank, 06:00.0 is an SR-IOV PF) and the console says where every device ended.
#
#   test-boot.sh BINARY        KVER, KROOT, VMLINUZ from tests/vm/kernel.sh (run when unset)
#
# Prints "ok NAME" or "FAIL NAME: reason" per boot; exits 1 when one failed.
# Environment: VM_TIMEOUT (seconds per boot, 120), VM_WORKDIR (logs, build/vm).
# The checks are shell code run by run_boot's eval, which shellcheck cannot follow.
# shellcheck disable=SC2317,SC2016
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
BINARY=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
if [ -z "${KVER:-}" ] || [ -z "${KROOT:-}" ] || [ -z "${VMLINUZ:-}" ]; then
	eval "$(sh "$top/tests/vm/kernel.sh")" || exit 1
fi
WORK=${VM_WORKDIR:-$top/build/vm}/mkinitcpio
TIMEOUT=${VM_TIMEOUT:-120}
MARK=@@MKINITCPIO-TEST@@
ROOT_UUID=6a1f0e2d-4c3b-4a59-9687-b5c4d3e2f101
mkdir -p "$WORK"
scratch=$(mktemp -d "${TMPDIR:-/tmp}/vfio-prep-mkinitcpio-boot.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
failed=0

# image NAME CONFIG: build $WORK/NAME.img with CONFIG as /etc/vfio-prep.conf.
image() {
	sys=$scratch/$1.sys
	mkdir -p "$sys/usr/bin" "$sys/etc"
	cp "$BINARY" "$sys/usr/bin/vfio-prep"
	printf '%s\n' "$2" >"$sys/etc/vfio-prep.conf"
	chmod 644 "$sys/etc/vfio-prep.conf"
	rm -f "$WORK/$1.img"
	MKINITCPIO_INSTALL="$here/install:$top/mkinitcpio/install" MKINITCPIO_HOOKS="$here/hooks:$top/mkinitcpio/hooks" \
		VFIO_PREP_SYSROOT=$sys \
		bash "$here/mkinitcpio.sh" -k "$KVER" -r "$KROOT" -d "$scratch/$1.root" -o "$WORK/$1.img" \
		-m xhci_pci testbase vfio-prep udev testdrivers >"$WORK/$1.build" 2>&1
}

# The root file system on 03:00.0: ext4 with a known UUID, made without root privileges. qemu.sh
# takes its NVMe images from VFIO_PREP_CACHE, hence the private cache directory.
rootfs() {
	rm -rf "$WORK/qemu-cache" "$scratch/rootfs"
	mkdir -p "$WORK/qemu-cache" "$scratch/rootfs/etc"
	echo 'vfio-prep mkinitcpio test root' >"$scratch/rootfs/etc/vfio-prep-test-root"
	mke2fs -q -t ext4 -U "$ROOT_UUID" -d "$scratch/rootfs" "$WORK/qemu-cache/nvme.img" 16M >/dev/null
}

# boot NAME IMAGE APPEND: the console log in $WORK/NAME.log (carriage returns removed).
boot() {
	rc=0
	VFIO_PREP_CACHE=$WORK/qemu-cache sh "$top/tests/vm/qemu.sh" -t intel-storage -k "$VMLINUZ" \
		-i "$WORK/$2.img" -a "$3" -l "$WORK/$1.raw" -T "$TIMEOUT" 2>"$WORK/$1.stderr" || rc=$?
	tr -d '\r' <"$WORK/$1.raw" >"$WORK/$1.log" 2>/dev/null
	return "$rc"
}

# The driver of device $2 at the end of boot $1 ("none" when unbound, "" when not reported).
driver_of() {
	sed -n "s/^$MARK dev $2 driver=//p" "$WORK/$1.log" | tail -n 1
}

# expect NAME ADDR=DRIVER...: prints what differs.
expect_drivers() {
	name=$1
	shift
	for want in "$@"; do
		got=$(driver_of "$name" "${want%%=*}")
		[ "$got" = "${want#*=}" ] || echo "${want%%=*} is on '${got:-not reported}', expected ${want#*=}"
	done
}

# first_before NAME A B: the first line matching A comes before the first matching B.
first_before() {
	a=$(grep -n "$2" "$WORK/$1.log" | head -n 1 | cut -d: -f1)
	b=$(grep -n "$3" "$WORK/$1.log" | head -n 1 | cut -d: -f1)
	if [ -z "$a" ] || [ -z "$b" ] || [ "$a" -ge "$b" ]; then
		echo "'$2' is not before '$3'"
	fi
}

has_line() {
	grep -q "$2" "$WORK/$1.log" || echo "the console does not say '$2'"
}

lacks_line() {
	! grep -q "$2" "$WORK/$1.log" || echo "the console says '$2'"
}

# verdict NAME PROBLEMS: ok when PROBLEMS is empty.
verdict() {
	if [ -z "$2" ]; then
		echo "ok $1"
	else
		echo "FAIL $1: $(echo "$2" | head -n 3 | tr '\n' ';') (log: $WORK/$1.log)"
		failed=1
	fi
}

# run_boot NAME IMAGE APPEND CHECKS: boot, then run the checks (shell code printing problems).
run_boot() {
	if ! boot "$1" "$2" "$3"; then
		verdict "$1" "QEMU failed or timed out ($(tail -n 3 "$WORK/$1.stderr" | tr '\n' ' '))"
		return
	fi
	if ! grep -q "^$MARK end" "$WORK/$1.log"; then
		verdict "$1" "the guest did not reach the end of /init"
		return
	fi
	verdict "$1" "$(eval "$4")"
}

rootfs || { verdict boot-rootfs "mke2fs could not make the root file system"; exit 1; }
# The VFs entry comes first, so that the PF is its (the ID selector below would name it too).
if ! image bind 'device 0000:01:00.0
device 0000:06:00.0 vfs=2
device 1b36:0010'; then
	verdict boot-image "building the image failed: $(tail -n 5 "$WORK/bind.build" | tr '\n' ' ')"
	exit 1
fi

# The configured xHCI ends on vfio-pci although xhci_pci is in MODULES= and coldplug asks for
# it (the early hook, the first pass). Every NVMe drive is named by ID: the late hook (the
# second pass, root mounted) binds the one that does not hold root, creates the PF's two VFs
# and binds them; the root's controller and the PF stay on nvme, the host drivers take the rest.
# The root's controller is selected and refused, so the second pass exits 1: the hook says so
# and returns 0.
run_boot boot-bind bind "root=UUID=$ROOT_UUID" '
	has_line boot-bind "^$MARK run run_earlyhook vfio-prep"
	first_before boot-bind "^$MARK returned vfio-prep rc=0" "^$MARK run run_earlyhook udev"
	has_line boot-bind "^$MARK root /dev/nvme[0-9]*n1 mounted"
	has_line boot-bind "^$MARK run run_latehook vfio-prep"
	has_line boot-bind "^vfio-prep: --apply --sysroot exited with status 1; booting on"
	has_line boot-bind "^$MARK returned vfio-prep rc=0"
	expect_drivers boot-bind 0000:01:00.0=vfio-pci 0000:00:02.0=e1000e 0000:03:00.0=nvme \
		0000:04:01.0=e1000 0000:04:02.0=e1000 0000:05:00.0=vfio-pci 0000:06:00.0=nvme \
		0000:06:00.1=vfio-pci 0000:06:00.2=vfio-pci
	has_line boot-bind "^$MARK state .*0000:01:00\.0"
	has_line boot-bind "^$MARK state .*\"pass\": 2"
	has_line boot-bind "^$MARK kmsg .*vfio-prep: 0000:06:00.0: 2 virtual functions deferred to the second pass"
	has_line boot-bind "^$MARK kmsg .*vfio-prep: second pass: the real root is mounted at /new_root"
	has_line boot-bind "^$MARK kmsg .*vfio-prep: 0000:03:00.0: left to the host: root device"'

# disablehooks=vfio-prep, mkinitcpio's own way out: neither hook runs, the host keeps them.
run_boot boot-disablehooks bind "root=UUID=$ROOT_UUID disablehooks=vfio-prep" '
	lacks_line boot-disablehooks "^$MARK run run_earlyhook vfio-prep"
	lacks_line boot-disablehooks "^$MARK run run_latehook vfio-prep"
	expect_drivers boot-disablehooks 0000:01:00.0=xhci_hcd 0000:03:00.0=nvme 0000:05:00.0=nvme \
		0000:06:00.0=nvme'

# A configuration vfio-prep refuses (exit 2): the hook says so, returns 0, and the boot goes
# on with the device on its host driver.
if image badconf 'device 0000:01:00.0 no-such-option'; then
	run_boot boot-bad-config badconf '' '
		has_line boot-bad-config "^$MARK returned vfio-prep rc=0"
		has_line boot-bad-config "exited with status 2; booting on"
		expect_drivers boot-bad-config 0000:01:00.0=xhci_hcd 0000:03:00.0=nvme'
else
	verdict boot-bad-config "building the image failed: $(tail -n 5 "$WORK/badconf.build" | tr '\n' ' ')"
fi

exit "$failed"
