#!/bin/sh
# /init of the guest that builds the disks of the md/LVM root test (md-lvm.sh), under busybox
# sh with Debian's mdadm and lvm copied in: this machine's own kernel has no md and no
# device-mapper, the Debian kernel has both as modules. On the two blank NVMe drives it makes
# an md RAID1 (metadata 1.2, so the members carry no LVM label of their own), on it the
# volume group vfioprep with one logical volume "root" over all of it, and writes a marker at
# the start of that volume so that the host finds where the volume begins inside each drive.
# Results on the console:
#   @@MDLVM@@ lv-size BYTES
#   @@MDLVM@@ done rc=N
# then it powers off. Kernel command line: mdlvm.uuid=MD_UUID (mdadm's form).

PATH=/bin:/sbin:/usr/bin:/usr/sbin
export PATH
MARK=@@MDLVM@@
VG=vfioprep
# lvm without udev: it makes its own /dev nodes and waits for no one.
LVMCONF='activation { udev_sync = 0 udev_rules = 0 monitoring = 0 } devices { obtain_device_list_from_udev = 0 }'

step() {
	echo "$MARK step $*"
	"$@"
}

lvm_() {
	step lvm "$@" --config "$LVMCONF"
}

build() {
	uuid=
	read -r cmdline </proc/cmdline
	for arg in $cmdline; do
		case $arg in
		mdlvm.uuid=*) uuid=${arg#*=} ;;
		esac
	done
	[ -n "$uuid" ] || { echo "$MARK no mdlvm.uuid= on the command line"; return 1; }
	# Some fail and need not work (crct10dif-pclmul: TCG has no PCLMULQDQ); what is needed
	# shows below when the drives or the array do not appear.
	while read -r mod; do
		insmod "/lib/modules/$mod" || echo "$MARK insmod $mod failed"
	done </modules.list
	n=0
	while ! [ -b /dev/nvme0n1 ] || ! [ -b /dev/nvme1n1 ]; do
		n=$((n + 1))
		[ "$n" -lt 300 ] || { echo "$MARK no /dev/nvme0n1 and /dev/nvme1n1 after 30 s"; return 1; }
		sleep 0.1
	done
	mkdir -p /run/mdadm /run/lvm /etc/lvm
	# Both members are zeros, hence already in sync: --assume-clean skips the resync.
	step mdadm --create /dev/md/root --run --level=1 --raid-devices=2 --metadata=1.2 \
		--uuid="$uuid" --homehost=vfio-prep --name=root --assume-clean --bitmap=none \
		/dev/nvme0n1 /dev/nvme1n1 || return
	md=$(readlink -f /dev/md/root)
	lvm_ pvcreate -y "$md" || return
	lvm_ vgcreate -y "$VG" "$md" || return
	lvm_ lvcreate -y -Zn -Wn -n root -l 100%FREE "$VG" || return
	lv=/dev/$VG/root
	[ -b "$lv" ] || lv=/dev/mapper/$VG-root
	printf 'VFIOPREP-LV-START' | dd of="$lv" conv=notrunc 2>/dev/null || return
	echo "$MARK lv-size $(blockdev --getsize64 "$lv")"
	sync
	lvm_ vgchange -an "$VG" || return
	step mdadm --stop "$md" || return
	step mdadm --examine /dev/nvme0n1
}

/bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /run
build
echo "$MARK done rc=$?"
sync
poweroff -f
