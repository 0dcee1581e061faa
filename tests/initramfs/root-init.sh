#!/bin/sh
# /sbin/init of the boot tests' root file system (busybox sh). Reaching it means the initramfs
# mounted the ext4 root on NVMe and switched to it. Reports, as lines the host parses:
#   @@ROOT@@ init pid=N
#   @@ROOT@@ dev ADDRESS driver=NAME|none class=0xCCCCCC
#   @@ROOT@@ root source=DEV dev=MAJ:MIN chain=NAME(SLAVE(...) ...)   what / is mounted from
#   @@ROOT@@ param vfio_pci.disable_idle_d3=Y|N|none   (set through modprobe.d in the image)
#   @@ROOT@@ state LINE            /run/vfio-prep/state.json (or "@@ROOT@@ no-state")
#   @@ROOT@@ kmsg LINE             kernel log lines that mention vfio-prep
#   @@ROOT@@ end
# then powers the machine off.

PATH=/bin
export PATH
MARK=@@ROOT@@

# The initramfs moved these here; mount them when it did not.
mountpoint -q /proc || mount -t proc proc /proc
mountpoint -q /sys || mount -t sysfs sysfs /sys
mountpoint -q /dev || mount -t devtmpfs devtmpfs /dev
# Kernel lines on the console would split ours.
dmesg -n 1

echo "$MARK init pid=$$"
for d in /sys/bus/pci/devices/*; do
	drv=none
	[ -e "$d/driver" ] && drv=$(basename "$(readlink "$d/driver")")
	echo "$MARK dev ${d##*/} driver=$drv class=$(cat "$d/class")"
done
# A block device and what it is built on, from sysfs: "dm-0(md127(nvme0n1 nvme1n1))".
blk_chain() {
	printf '%s' "${1##*/}"
	set -- "$1"/slaves/*
	[ -e "$1" ] || return 0
	printf '('
	sep=
	for s in "$@"; do
		printf '%s' "$sep"
		blk_chain "$(cd -P "$s" && pwd)"
		sep=' '
	done
	printf ')'
}
src=$(awk '$2 == "/" { s = $1 } END { print s }' /proc/mounts)
majmin=$(awk '$5 == "/" { d = $3 } END { print d }' /proc/self/mountinfo)
echo "$MARK root source=$src dev=$majmin chain=$(blk_chain "$(cd -P "/sys/dev/block/$majmin" && pwd)")"
p=/sys/module/vfio_pci/parameters/disable_idle_d3
echo "$MARK param vfio_pci.disable_idle_d3=$(cat "$p" 2>/dev/null || echo none)"
if [ -r /run/vfio-prep/state.json ]; then
	sed "s/^/$MARK state /" /run/vfio-prep/state.json
	echo
else
	echo "$MARK no-state"
fi
dmesg | grep 'vfio-prep' | sed "s/^/$MARK kmsg /"
echo "$MARK end"
poweroff -f
