#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# gen-tree.sh DIR < DESCRIPTION
#
# Writes a fake kernel tree (/sys, /proc, /boot, /dev) into DIR, as vfio-prep --root DIR reads
# it: plain files and relative links only, nothing that needs privileges. DIR should be new or
# empty. Used by command-line tests and benchmarks, so it stays fast for thousands of devices:
# a first pass over the description makes every directory with one mkdir, the second writes
# each file with one printf (a shell builtin) and every link as an entry of a cpio archive
# (portable ASCII format, also one printf), which one cpio -i unpacks at the end. No process
# is started per device. Needs cpio (GNU or busybox) besides POSIX utilities.
#
# DESCRIPTION has one item per line; '#' starts a comment line, blank lines are ignored.
# Devices, blocks and physfn= may only name things declared on earlier lines.
#
#   cpu intel|amd|arm [hypervisor]  /proc/cpuinfo for one CPU of that kind; with hypervisor,
#                                   its x86 flags include "hypervisor" (a virtual machine)
#   acpi DMAR|IVRS|IORT             /sys/firmware/acpi/tables/NAME
#   iommu-unit NAME                 /sys/class/iommu/NAME (dmar0, ivhd0, ...)
#   cmdline TEXT...                 /proc/cmdline (default: an empty line)
#   release VERSION                 /proc/sys/kernel/osrelease (default 6.1.0-fake)
#   kconfig LINE                    a line of /boot/config-VERSION ("CONFIG_X=y",
#                                   "# CONFIG_X is not set"); the file exists only with one
#   kconfig-gz LINE                 the same into /proc/config.gz (gzip), as on kernels that
#                                   install no /boot/config-VERSION
#   interrupts CHIP                 a /proc/interrupts line on that chip (IR-PCI-MSI, PCI-MSI,
#                                   IR-IO-APIC, ...); the file exists only with one
#   pci ADDR [OPTION]...            a PCI device DDDD:BB:DD.F (lower-case hex)
#       parent=ADDR                 below that bridge (default: on root bus pciDDDD:BB)
#       vendor=HHHH device=HHHH     IDs (required)
#       class=HHHHHH                class code (required)
#       subsys=HHHH:HHHH            subsystem vendor and device (default 0000:0000)
#       group=N                     IOMMU group N (created with type DMA-FQ if new)
#       driver=NAME                 bound to NAME (/sys/bus/pci/drivers/NAME with bind, unbind,
#                                   new_id, remove_id)
#       module=NAME                 the driver's module link; /sys/module/NAME/initstate "live"
#       builtin                     the driver is built in: /sys/module/NAME without initstate
#                                   (with module=), or no module link at all (without)
#       boot_vga=0|1                boot_vga attribute (class 03xxxx devices get 0 by default)
#       bridge                      header type 1 (implied by class 0604xx)
#       multifunction               header type bit 7
#       pcie=TYPE                   PCI Express capability at 0x40: rootport, downstream,
#                                   upstream, endpoint, legacy, pcie2pci
#       acs=CTRL[/CAP]              ACS extended capability at 0x100 with these control and
#                                   capability registers (hex; CAP defaults to CTRL)
#       cfg=64|256|4096             config size (default 4096 with acs=, 256 with pcie=, else 64)
#       sriov=TOTAL                 SR-IOV physical function (sriov_totalvfs, sriov_numvfs)
#       physfn=ADDR                 a virtual function of that PF (physfn and virtfnN links)
#       reset=METHODS               reset_method, commas for spaces (reset=flr,bus); "none": empty
#   group N [type=TYPE] [region=START-END-TYPE]...
#                                   group type (DMA, DMA-FQ, identity, ...) and reserved_regions
#                                   (hex addresses: region=fee00000-feefffff-msi)
#   block NAME [pci=ADDR | partition=DISK | slaves=A,B,... | virtual | head=S] [dmname=NAME]
#         [dmuuid=U] [uuid=U] [partuuid=U] [label=L] [partlabel=L] [ctrl=nvmeC subsys=S]
#                                   a block device: a disk below PCI device ADDR, a partition of
#                                   DISK, a virtual (dm, md) device over the listed slaves, a
#                                   virtual device with none (loop, nbd, zram), or the NVMe
#                                   multipath head of subsystem S; /sys/class/block,
#                                   /sys/dev/block, /dev/NAME and /dev/disk/by-{uuid,partuuid,
#                                   label,partlabel} links. With pci= and ctrl=: an NVMe path
#                                   device below controller nvmeC of that PCI device, linked
#                                   from the subsystem's directory (nvme-subsysS/nvmeC)
#   mount MOUNTPOINT FSTYPE SOURCE [BLOCK]
#                                   a /proc/self/mountinfo line; the device number is BLOCK's
#                                   (declared above), else anonymous (0:N)
#   swap DEVICE                     a /proc/swaps line of type partition
#   btrfs UUID BLOCK,BLOCK,...      /sys/fs/btrfs/UUID/devices with a link to each block device
#   loader-partuuid UUID            systemd-boot's LoaderDevicePartUUID EFI variable
#   usb NAME ADDR IF[,IF]... PRODUCT...
#                                   a USB device NAME ("1-3") below USB controller ADDR, with
#                                   the product string PRODUCT and one interface per IF, each
#                                   CC/SS/PP (class, subclass, protocol in hex: 03/01/01 is a
#                                   boot keyboard, 08/06/50 mass storage); linked from
#                                   /sys/bus/usb/devices with its interfaces (NAME:1.N)
#   link PATH TARGET                a relative link at PATH to TARGET (absolute inside the tree;
#                                   it need not exist: a dangling link)
#   file PATH TEXT...               append the line TEXT to PATH (any file: a root record,
#                                   modprobe.d); "file PATH" alone makes it empty
#   initrd PATH [vfio-prep]         an uncompressed newc cpio initramfs at PATH holding /init;
#                                   with vfio-prep also /usr/bin/vfio-prep and a copy of the
#                                   tree's /etc/vfio-prep.conf (from a "file" line above)
#   uki PATH RELEASE|- [vfio-prep] [gzip]
#                                   a unified kernel image at PATH: a PE file whose .uname
#                                   section holds RELEASE (none for -) and whose .initrd section
#                                   is such an initramfs, compressed with gzip -9 with gzip (as
#                                   mkinitcpio and dracut embed a compressed one)
#
# Example:
#   cpu intel
#   acpi DMAR
#   pci 0000:00:01.0 vendor=8086 device=1901 class=060400 pcie=rootport acs=1d group=1 driver=pcieport builtin
#   pci 0000:01:00.0 parent=0000:00:01.0 vendor=10de device=2484 class=030000 group=1 boot_vga=0
set -eu

if [ $# -ne 1 ]; then
	echo "usage: gen-tree.sh DIR < DESCRIPTION" >&2
	exit 2
fi
out=$1
lineno=0
release=6.1.0-fake
cmdline=
kconfig=
kconfig_gz=
interrupts=
n_irq=0
n_block=0
n_links=0
n_mounts=0
n_cpio=0
NL='
'
ZERO='\000'

die() {
	printf 'gen-tree.sh: line %s: %s\n' "$lineno" "$*" >&2
	exit 1
}

# REPLY = N octal zero escapes for printf, by doubling.
zeros() {
	_z_n=$1
	_z_chunk=$ZERO
	REPLY=
	while [ "$_z_n" -gt 0 ]; do
		if [ $((_z_n % 2)) -eq 1 ]; then
			REPLY=$REPLY$_z_chunk
		fi
		_z_chunk=$_z_chunk$_z_chunk
		_z_n=$((_z_n / 2))
	done
}
zeros 4
Z4=$REPLY
zeros 11
Z11=$REPLY
zeros 28
Z28=$REPLY
zeros 188
Z188=$REPLY
zeros 192
Z192=$REPLY
zeros 3832
Z3832=$REPLY
zeros 3840
Z3840=$REPLY

# Append the printf escape of byte value $1 to CFG.
byte() {
	CFG="$CFG\\$(($1 / 64))$(($1 / 8 % 8))$(($1 % 8))"
}

# Little-endian 16-bit value.
word() {
	byte $(($1 & 255))
	byte $(($1 >> 8 & 255))
}

# REPLY = TARGET ($1) relative to the directory of LINK ($2), both absolute inside the tree;
# like the kernel's links, it climbs only to the directory the two paths share.
rel() {
	_t=${1#/}/
	_l=${2#/}
	_l=${_l%/*}/
	while [ "${_t%%/*}" = "${_l%%/*}" ] && [ -n "${_l%%/*}" ]; do
		_t=${_t#*/}
		_l=${_l#*/}
	done
	REPLY=
	while [ -n "$_l" ]; do
		REPLY=../$REPLY
		_l=${_l#*/}
	done
	REPLY=$REPLY$_t
	REPLY=${REPLY%/}
}

# mklink TARGET LINK: a relative link, as an entry of the archive on fd 3 (magic 070707, then
# dev ino mode uid gid nlink rdev mtime namesize filesize in octal, the name, its NUL, the target).
mklink() {
	rel "$1" "$2"
	n_links=$((n_links + 1))
	_name=${2#/}
	printf '070707%06o%06o%06o%06o%06o%06o%06o%011o%06o%011o%s\000%s' 0 "$n_links" $((0120777)) 0 0 1 0 0 \
		$((${#_name} + 1)) ${#REPLY} "$_name" "$REPLY" >&3
}

put() { # put PATH TEXT: a file holding TEXT and a newline
	printf '%s\n' "$2" >"$out$1"
}

is_hex() { # is_hex LEN VALUE
	case $2 in
	*[!0-9a-f]* | '') return 1 ;;
	esac
	[ ${#2} -eq "$1" ]
}

# KEY = ADDR as a variable-name suffix, once ADDR is checked.
addr_key() {
	case $1 in
	[0-9a-f][0-9a-f][0-9a-f][0-9a-f]:[0-9a-f][0-9a-f]:[01][0-9a-f].[0-7]) ;;
	[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]:[0-9a-f][0-9a-f]:[01][0-9a-f].[0-7]) ;;
	*) die "malformed PCI address '$1'" ;;
	esac
	_a_rest=${1#*:}
	KEY=${1%%:*}_${_a_rest%%:*}_${_a_rest#*:}
	KEY=${KEY%.*}_${KEY##*.}
}

dev_path() { # REPLY = sysfs directory of a declared device
	addr_key "$1"
	eval "REPLY=\${path_$KEY-}"
	[ -n "$REPLY" ] || die "device $1 is not declared above"
}

# NKEY = a name (block device, driver, module) as a variable-name suffix, '-' as '_'.
name_key() {
	case $1 in
	'' | *[!A-Za-z0-9_-]*) die "malformed name '$1'" ;;
	esac
	_b_rest=$1
	NKEY=
	while :; do
		case $_b_rest in
		*-*)
			NKEY=$NKEY${_b_rest%%-*}_
			_b_rest=${_b_rest#*-}
			;;
		*)
			NKEY=$NKEY$_b_rest
			break
			;;
		esac
	done
}

block_path() { # REPLY = sysfs directory of a declared block device
	name_key "$1"
	eval "REPLY=\${bpath_$NKEY-}"
	[ -n "$REPLY" ] || die "block device $1 is not declared above"
}

want_dir() { # made by the single mkdir between the passes (the list is on fd 4)
	printf '%s\n' "${1#/}" >&4
}

ensure_dir() {
	[ -d "$out$1" ] || mkdir -p "$out$1"
}

pcie_type() {
	case $1 in
	endpoint) REPLY=0 ;;
	legacy) REPLY=1 ;;
	rootport) REPLY=4 ;;
	upstream) REPLY=5 ;;
	downstream) REPLY=6 ;;
	pcie2pci) REPLY=7 ;;
	*) die "unknown pcie type '$1'" ;;
	esac
}

# The config space file of the device being declared (variables of pci_line).
write_config() {
	_ht=0
	case $class in 0604* | 0609*) _ht=1 ;; esac
	[ -z "$bridge" ] || _ht=1
	[ -z "$mf" ] || _ht=$((_ht | 128))
	_status=0
	_capptr=0
	if [ -n "$pcie" ]; then
		_status=16
		_capptr=64
	fi
	_c=$((0x$class))
	CFG=
	word $((0x$vendor))
	word $((0x$device))
	word 0
	word $_status
	byte 0
	byte $((_c & 255))
	byte $((_c >> 8 & 255))
	byte $((_c >> 16))
	byte 0
	byte 0
	byte $_ht
	byte 0
	CFG=$CFG$Z28
	if [ $((_ht & 127)) -eq 0 ]; then
		word $((0x${subsys%:*}))
		word $((0x${subsys#*:}))
	else
		CFG=$CFG$Z4
	fi
	CFG=$CFG$Z4
	byte $_capptr
	CFG=$CFG$Z11
	if [ "$cfg" -ge 256 ]; then
		if [ -n "$pcie" ]; then
			pcie_type "$pcie"
			byte 16
			byte 0
			byte $((2 | REPLY << 4))
			byte 0
			CFG=$CFG$Z188
		else
			CFG=$CFG$Z192
		fi
	fi
	if [ "$cfg" -ge 4096 ]; then
		if [ -n "$acs" ]; then
			word 13
			word 1
			word $((0x${acs#*/}))
			word $((0x${acs%/*}))
			CFG=$CFG$Z3832
		else
			CFG=$CFG$Z3840
		fi
	fi
	# shellcheck disable=SC2059 # the format is nothing but octal escapes built above
	printf "$CFG" >"$out$dir/config"
}

pci_options() {
	parent='' vendor='' device='' class='' subsys=0000:0000 group='' driver='' module='' builtin=''
	boot_vga='' bridge='' mf='' pcie='' acs='' cfg='' sriov='' physfn='' reset=''
	for _o in "$@"; do
		case $_o in
		parent=*) parent=${_o#*=} ;;
		vendor=*) vendor=${_o#*=} ;;
		device=*) device=${_o#*=} ;;
		class=*) class=${_o#*=} ;;
		subsys=*) subsys=${_o#*=} ;;
		group=*) group=${_o#*=} ;;
		driver=*) driver=${_o#*=} ;;
		module=*) module=${_o#*=} ;;
		builtin) builtin=1 ;;
		boot_vga=*) boot_vga=${_o#*=} ;;
		bridge) bridge=1 ;;
		multifunction) mf=1 ;;
		pcie=*) pcie=${_o#*=} ;;
		acs=*) acs=${_o#*=} ;;
		cfg=*) cfg=${_o#*=} ;;
		sriov=*) sriov=${_o#*=} ;;
		physfn=*) physfn=${_o#*=} ;;
		reset=*) reset=${_o#*=} ;;
		*) die "unknown pci option '$_o'" ;;
		esac
	done
}

check_pci_options() {
	is_hex 4 "$vendor" || die "vendor= needs 4 hex digits"
	is_hex 4 "$device" || die "device= needs 4 hex digits"
	is_hex 6 "$class" || die "class= needs 6 hex digits"
	if ! is_hex 4 "${subsys%:*}" || ! is_hex 4 "${subsys#*:}"; then
		die "malformed subsys= '$subsys'"
	fi
	case $acs in */*) ;; ?*) acs=$acs/$acs ;; esac
	case $acs in
	'') ;;
	*/*/* | */ | /* | *[!0-9a-f/]*) die "malformed acs= '$acs'" ;;
	?????*/* | */?????*) die "acs= registers are 16 bits" ;;
	esac
	case $group in *[!0-9]*) die "malformed group= '$group'" ;; esac
	case $sriov in *[!0-9]*) die "malformed sriov= '$sriov'" ;; esac
	case $boot_vga in '' | 0 | 1) ;; *) die "boot_vga= takes 0 or 1" ;; esac
	[ -z "$driver" ] || name_key "$driver"
	[ -z "$module" ] || name_key "$module"
	if [ -z "$cfg" ]; then
		cfg=64
		[ -z "$pcie" ] || cfg=256
		[ -z "$acs" ] || cfg=4096
	fi
	case $cfg in 64 | 256 | 4096) ;; *) die "cfg= takes 64, 256 or 4096" ;; esac
}

# First pass: where the device lives, and the directories it needs.
pci_declare() {
	addr=$1
	shift
	pci_options "$@"
	check_pci_options
	if [ -n "$parent" ]; then
		dev_path "$parent"
		dir=$REPLY/$addr
	else
		_bus=${addr#*:}
		dir=/sys/devices/pci${addr%%:*}:${_bus%%:*}/$addr
	fi
	addr_key "$addr"
	eval "[ -z \"\${path_$KEY-}\" ]" || die "device $addr declared twice"
	eval "path_$KEY=\$dir"
	want_dir "$dir"
	[ -z "$group" ] || want_dir "/sys/kernel/iommu_groups/$group/devices"
	[ -z "$driver" ] || want_dir "/sys/bus/pci/drivers/$driver"
	[ -z "$module" ] || want_dir "/sys/module/$module"
}

new_group() {
	if ! [ -e "$out/sys/kernel/iommu_groups/$1/type" ]; then
		put "/sys/kernel/iommu_groups/$1/type" DMA-FQ
		: >"$out/sys/kernel/iommu_groups/$1/reserved_regions"
	fi
}

pci_driver() {
	name_key "$driver"
	_d=/sys/bus/pci/drivers/$driver
	if ! [ -e "$out$_d/bind" ]; then
		: >"$out$_d/bind"
		: >"$out$_d/unbind"
		: >"$out$_d/new_id"
		: >"$out$_d/remove_id"
	fi
	mklink "$_d" "$dir/driver"
	mklink "$dir" "$_d/$addr"
	if [ -n "$module" ]; then
		eval "_seen=\${modl_$NKEY-}"
		if [ -z "$_seen" ]; then
			mklink "/sys/module/$module" "$_d/module"
			eval "modl_$NKEY=1"
		fi
		[ -n "$builtin" ] || put "/sys/module/$module/initstate" live
	fi
}

pci_sriov() {
	if [ -n "$sriov" ]; then
		put "$dir/sriov_totalvfs" "$sriov"
		put "$dir/sriov_numvfs" 0
		put "$dir/sriov_drivers_autoprobe" 1
		addr_key "$addr"
		eval "nvf_$KEY=0"
	fi
	if [ -n "$physfn" ]; then
		dev_path "$physfn"
		_pf=$REPLY
		eval "_n=\${nvf_$KEY-}"
		[ -n "$_n" ] || die "physfn $physfn has no sriov="
		mklink "$_pf" "$dir/physfn"
		mklink "$dir" "$_pf/virtfn$_n"
		eval "nvf_$KEY=$((_n + 1))"
		put "$_pf/sriov_numvfs" $((_n + 1))
	fi
}

pci_reset() {
	case $reset in
	'') ;;
	none) : >"$out$dir/reset_method" ;;
	*)
		_m=
		_rest=$reset,
		while [ -n "$_rest" ]; do
			_m="$_m${_m:+ }${_rest%%,*}"
			_rest=${_rest#*,}
		done
		put "$dir/reset_method" "$_m"
		;;
	esac
}

# Second pass: the device's files and links.
pci_build() {
	addr=$1
	shift
	pci_options "$@"
	check_pci_options
	dev_path "$addr"
	dir=$REPLY
	put "$dir/vendor" "0x$vendor"
	put "$dir/device" "0x$device"
	put "$dir/subsystem_vendor" "0x${subsys%:*}"
	put "$dir/subsystem_device" "0x${subsys#*:}"
	put "$dir/class" "0x$class"
	put "$dir/driver_override" "(null)"
	write_config
	mklink "$dir" "/sys/bus/pci/devices/$addr"
	case $class in 0300*) [ -n "$boot_vga" ] || boot_vga=0 ;; esac
	[ -z "$boot_vga" ] || put "$dir/boot_vga" "$boot_vga"
	if [ -n "$group" ]; then
		new_group "$group"
		mklink "/sys/kernel/iommu_groups/$group" "$dir/iommu_group"
		mklink "$dir" "/sys/kernel/iommu_groups/$group/devices/$addr"
	fi
	[ -z "$driver" ] || pci_driver
	pci_reset
	pci_sriov
}

group_build() {
	_g=$1
	shift
	case $_g in '' | *[!0-9]*) die "malformed group number '$_g'" ;; esac
	ensure_dir "/sys/kernel/iommu_groups/$_g/devices"
	new_group "$_g"
	_regions=
	for _o in "$@"; do
		case $_o in
		type=*) put "/sys/kernel/iommu_groups/$_g/type" "${_o#type=}" ;;
		region=*-*-*)
			_r=${_o#region=}
			_s=${_r%%-*}
			_r=${_r#*-}
			_e=${_r%%-*}
			if ! is_hex "${#_s}" "$_s" || ! is_hex "${#_e}" "$_e"; then
				die "malformed region '$_o'"
			fi
			_regions=$_regions$(printf '0x%016x 0x%016x %s' "$((0x$_s))" "$((0x$_e))" "${_r#*-}")$NL
			;;
		*) die "unknown group option '$_o'" ;;
		esac
	done
	[ -z "$_regions" ] || printf '%s' "$_regions" >"$out/sys/kernel/iommu_groups/$_g/reserved_regions"
}

block_options() {
	pci='' partition='' slaves='' dmname='' dmuuid='' uuid='' partuuid='' label='' partlabel='' virtual=''
	head='' ctrl='' subsys=''
	for _o in "$@"; do
		case $_o in
		pci=*) pci=${_o#*=} ;;
		partition=*) partition=${_o#*=} ;;
		slaves=*) slaves=${_o#*=} ;;
		dmname=*) dmname=${_o#*=} ;;
		dmuuid=*) dmuuid=${_o#*=} ;;
		uuid=*) uuid=${_o#*=} ;;
		partuuid=*) partuuid=${_o#*=} ;;
		label=*) label=${_o#*=} ;;
		partlabel=*) partlabel=${_o#*=} ;;
		virtual) virtual=1 ;;
		head=*) head=${_o#*=} ;;
		ctrl=*) ctrl=${_o#*=} ;;
		subsys=*) subsys=${_o#*=} ;;
		*) die "unknown block option '$_o'" ;;
		esac
	done
	case $head$subsys in *[!0-9]*) die "head= and subsys= take a number" ;; esac
	[ -z "$ctrl" ] || name_key "$ctrl"
	if [ -n "$ctrl" ] && { [ -z "$pci" ] || [ -z "$subsys" ]; }; then
		die "ctrl= needs pci= and subsys="
	fi
}

# First pass: the block device's directory, device number and partition number.
block_declare() {
	name=$1
	shift
	block_options "$@"
	n_block=$((n_block + 1))
	_major=259
	_partno=
	if [ -n "$partition" ]; then
		block_path "$partition"
		dir=$REPLY/$name
		eval "_partno=\$((\${nparts_$NKEY-0} + 1))"
		eval "nparts_$NKEY=$_partno"
	elif [ -n "$pci" ] && [ -n "$ctrl" ]; then
		dev_path "$pci"
		dir=$REPLY/nvme/$ctrl/$name
	elif [ -n "$pci" ]; then
		dev_path "$pci"
		dir=$REPLY/block/$name
	elif [ -n "$head" ]; then
		dir=/sys/devices/virtual/nvme-subsystem/nvme-subsys$head/$name
	elif [ -n "$slaves" ] || [ -n "$dmname" ] || [ -n "$virtual" ]; then
		dir=/sys/devices/virtual/block/$name
		_major=253
	else
		die "block $name needs pci=, partition=, slaves=, virtual or head="
	fi
	name_key "$name"
	eval "[ -z \"\${bpath_$NKEY-}\" ]" || die "block device $name declared twice"
	eval "bpath_$NKEY=\$dir bdev_$NKEY=$_major:$n_block bpart_$NKEY=$_partno"
	want_dir "$dir"
	[ -z "$slaves" ] || want_dir "$dir/slaves"
	[ -z "$dmname$dmuuid" ] || want_dir "$dir/dm"
	[ -z "$ctrl" ] || want_dir "/sys/devices/virtual/nvme-subsystem/nvme-subsys$subsys"
}

# by-* links for the block device being built.
block_links() {
	if [ -n "$uuid" ]; then
		ensure_dir /dev/disk/by-uuid
		mklink "/dev/$name" "/dev/disk/by-uuid/$uuid"
	fi
	if [ -n "$partuuid" ]; then
		ensure_dir /dev/disk/by-partuuid
		mklink "/dev/$name" "/dev/disk/by-partuuid/$partuuid"
	fi
	if [ -n "$label" ]; then
		ensure_dir /dev/disk/by-label
		mklink "/dev/$name" "/dev/disk/by-label/$label"
	fi
	if [ -n "$partlabel" ]; then
		ensure_dir /dev/disk/by-partlabel
		mklink "/dev/$name" "/dev/disk/by-partlabel/$partlabel"
	fi
}

# The subsystem's link to the controller of an NVMe path device, once per controller.
block_ctrl() {
	_cd=${dir%/*}
	_sl=/sys/devices/virtual/nvme-subsystem/nvme-subsys$subsys/$ctrl
	name_key "$ctrl"
	eval "_seen=\${ctrl_$NKEY-}"
	[ -n "$_seen" ] || mklink "$_cd" "$_sl"
	eval "ctrl_$NKEY=1"
}

block_slaves() {
	_rest=$slaves,
	while [ -n "$_rest" ]; do
		_s=${_rest%%,*}
		_rest=${_rest#*,}
		block_path "$_s"
		_sp=$REPLY
		ensure_dir "$_sp/holders"
		mklink "$_sp" "$dir/slaves/$_s"
		mklink "$dir" "$_sp/holders/$name"
	done
}

block_build() {
	name=$1
	shift
	block_options "$@"
	block_path "$name"
	dir=$REPLY
	_dev='' _partno=''
	eval "_dev=\$bdev_$NKEY _partno=\$bpart_$NKEY"
	put "$dir/dev" "$_dev"
	[ -z "$_partno" ] || put "$dir/partition" "$_partno"
	[ -z "$dmname" ] || put "$dir/dm/name" "$dmname"
	[ -z "$dmuuid" ] || put "$dir/dm/uuid" "$dmuuid"
	[ -z "$slaves" ] || block_slaves
	[ -z "$ctrl" ] || block_ctrl
	mklink "$dir" "/sys/class/block/$name"
	[ -n "$partition" ] || mklink "$dir" "/sys/block/$name"
	mklink "$dir" "/sys/dev/block/$_dev"
	: >"$out/dev/$name"
	block_links
}

# mount MOUNTPOINT FSTYPE SOURCE [BLOCK]: one mountinfo line, fields as proc(5) shows them.
mount_line() {
	[ $# -ge 3 ] || die "mount needs MOUNTPOINT FSTYPE SOURCE [BLOCK]"
	n_mounts=$((n_mounts + 1))
	_dev=0:$((n_mounts + 20))
	if [ -n "${4-}" ]; then
		block_path "$4"
		eval "_dev=\$bdev_$NKEY"
	fi
	ensure_dir /proc/self
	printf '%d 1 %s / %s rw,relatime shared:%d - %s %s rw\n' $((n_mounts + 20)) "$_dev" "$1" "$n_mounts" "$2" "$3" \
		>>"$out/proc/self/mountinfo"
}

btrfs_build() {
	_u=${1:?btrfs needs a UUID}
	_rest=${2:?btrfs needs block devices},
	ensure_dir "/sys/fs/btrfs/$_u/devices"
	while [ -n "$_rest" ]; do
		block_path "${_rest%%,*}"
		mklink "$REPLY" "/sys/fs/btrfs/$_u/devices/${_rest%%,*}"
		_rest=${_rest#*,}
	done
}

# efivarfs: four bytes of attributes, then the UUID as UTF-16LE text and its NUL.
loader_partuuid() {
	_u=${1:?loader-partuuid needs a UUID}
	_esc='\007\000\000\000'
	while [ -n "$_u" ]; do
		_rest=${_u#?}
		_esc="$_esc${_u%"$_rest"}\000"
		_u=$_rest
	done
	ensure_dir /sys/firmware/efi/efivars
	# shellcheck disable=SC2059 # the format is the UUID's characters and octal escapes built above
	printf "$_esc\000\000" >"$out/sys/firmware/efi/efivars/LoaderDevicePartUUID-4a67b082-0a4c-41cf-b6c7-440b29bb8c4f"
}

file_line() {
	_p=${1:?file needs a path}
	case $_p in /*) ;; *) die "file needs an absolute path" ;; esac
	ensure_dir "${_p%/*}"
	shift
	if [ $# -eq 0 ]; then
		: >>"$out$_p"
	else
		printf '%s\n' "$*" >>"$out$_p"
	fi
}

usb_build() {
	[ $# -ge 4 ] || die "usb needs NAME, ADDR, interfaces and a product"
	_u_name=$1 _u_ifs=$3
	dev_path "$2"
	_u_dir=$REPLY/usb${1%%-*}/$1
	shift 3
	ensure_dir "$_u_dir"
	ensure_dir /sys/bus/usb/devices
	put "$_u_dir/product" "$*"
	mklink "$_u_dir" "/sys/bus/usb/devices/$_u_name"
	_u_n=0
	while [ -n "$_u_ifs" ]; do
		_u_if=${_u_ifs%%,*}
		case $_u_ifs in *,*) _u_ifs=${_u_ifs#*,} ;; *) _u_ifs= ;; esac
		case $_u_if in
		[0-9a-f][0-9a-f]/[0-9a-f][0-9a-f]/[0-9a-f][0-9a-f]) ;;
		*) die "malformed USB interface '$_u_if' (CC/SS/PP)" ;;
		esac
		ensure_dir "$_u_dir/$_u_name:1.$_u_n"
		put "$_u_dir/$_u_name:1.$_u_n/bInterfaceClass" "${_u_if%%/*}"
		_u_rest=${_u_if#*/}
		put "$_u_dir/$_u_name:1.$_u_n/bInterfaceSubClass" "${_u_rest%%/*}"
		put "$_u_dir/$_u_name:1.$_u_n/bInterfaceProtocol" "${_u_if##*/}"
		mklink "$_u_dir/$_u_name:1.$_u_n" "/sys/bus/usb/devices/$_u_name:1.$_u_n"
		_u_n=$((_u_n + 1))
	done
}

cpuinfo() {
	extra=
	[ "${2-}" = hypervisor ] && extra=' hypervisor'
	case $1 in
	intel) printf 'processor\t: 0\nvendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel name\t: Fake Intel CPU\nflags\t\t: fpu vme pse msr pae vmx%s\n\n' "$extra" ;;
	amd) printf 'processor\t: 0\nvendor_id\t: AuthenticAMD\ncpu family\t: 25\nmodel name\t: Fake AMD CPU\nflags\t\t: fpu vme pse msr pae svm%s\n\n' "$extra" ;;
	arm) printf 'processor\t: 0\nBogoMIPS\t: 50.00\nFeatures\t: fp asimd evtstrm\nCPU implementer\t: 0x41\nCPU architecture: 8\nCPU part\t: 0xd0c\n\n' ;;
	*) die "cpu takes intel, amd or arm" ;;
	esac >"$out/proc/cpuinfo"
}

# ---- initramfs images and unified kernel images -------------------------------------------------

# REPLY = the printf escapes of 32-bit value $1, little-endian.
le32() {
	CFG=
	word $(($1 & 65535))
	word $(($1 >> 16 & 65535))
	REPLY=$CFG
}

# One newc cpio entry on stdout (magic 070701, then ino mode uid gid nlink mtime filesize
# devmajor devminor rdevmajor rdevminor namesize check in hex; the name, its NUL and the data
# each padded to 4 bytes): NAME MODE, the data from file $3 (none without one).
newc_entry() {
	_c_size=0
	[ -z "${3-}" ] || _c_size=$(wc -c <"$3" | tr -d ' ')
	n_cpio=$((n_cpio + 1))
	printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%s\000' "$n_cpio" "$2" 0 0 1 1700000000 \
		"$_c_size" 0 0 0 0 $((${#1} + 1)) 0 "$1"
	zeros $(((4 - (110 + ${#1} + 1) % 4) % 4))
	# shellcheck disable=SC2059 # octal zero escapes
	printf "$REPLY"
	[ -z "${3-}" ] || cat "$3"
	zeros $(((4 - _c_size % 4) % 4))
	# shellcheck disable=SC2059 # octal zero escapes
	printf "$REPLY"
}

# An uncompressed newc initramfs at PATH ($1): /init, and with "vfio-prep" ($2) also
# /usr/bin/vfio-prep and a copy of the tree's /etc/vfio-prep.conf when it has one.
initrd_build() {
	_i_path=${1:?initrd needs a path}
	case $_i_path in /*) ;; *) die "initrd needs an absolute path" ;; esac
	case ${2-} in '' | vfio-prep) ;; *) die "initrd takes only vfio-prep after the path" ;; esac
	ensure_dir "${_i_path%/*}"
	n_cpio=0
	printf '#!/bin/sh\nexec /sbin/init\n' >"$out/.gen-tree-data"
	{
		newc_entry init $((0100755)) "$out/.gen-tree-data"
		if [ "${2-}" = vfio-prep ]; then
			printf '\177ELF vfio-prep\n' >"$out/.gen-tree-data"
			newc_entry usr $((040755))
			newc_entry usr/bin $((040755))
			newc_entry usr/bin/vfio-prep $((0100755)) "$out/.gen-tree-data"
			if [ -f "$out/etc/vfio-prep.conf" ]; then
				newc_entry etc $((040755))
				newc_entry etc/vfio-prep.conf $((0100644)) "$out/etc/vfio-prep.conf"
			fi
		fi
		newc_entry TRAILER!!! 0
	} >"$out$_i_path"
	# Padded to 512-byte blocks, as cpio -o writes (GNU cpio -i wants whole blocks).
	_i_size=$(wc -c <"$out$_i_path" | tr -d ' ')
	zeros $(((512 - _i_size % 512) % 512))
	# shellcheck disable=SC2059 # octal zero escapes
	printf "$REPLY" >>"$out$_i_path"
	rm -f "$out/.gen-tree-data"
}

# A unified kernel image at PATH ($1): a PE head whose sections are .uname (RELEASE, $2; none
# for "-") at 0x200 and .initrd at 0x400, an initramfs as initrd_build writes (vfio-prep among
# the words after RELEASE), gzip-compressed with gzip among them.
uki_build() {
	[ $# -ge 2 ] || die "uki needs PATH and RELEASE"
	case $1 in /*) ;; *) die "uki needs an absolute path" ;; esac
	[ ${#2} -lt 512 ] || die "uki: the release is too long"
	_k_with='' _k_gzip=''
	_k_path=$1 _k_release=$2
	shift 2
	for _k_word; do
		case $_k_word in
		vfio-prep) _k_with=vfio-prep ;;
		gzip) _k_gzip=1 ;;
		*) die "uki takes only vfio-prep and gzip after the release" ;;
		esac
	done
	set -- "$_k_path" "$_k_release"
	initrd_build /.gen-tree-initrd $_k_with
	if [ -n "$_k_gzip" ]; then
		gzip -9 -n -c "$out/.gen-tree-initrd" >"$out/.gen-tree-initrd.gz" || die "uki: gzip failed"
		mv "$out/.gen-tree-initrd.gz" "$out/.gen-tree-initrd"
	fi
	_k_size=$(wc -c <"$out/.gen-tree-initrd" | tr -d ' ')
	_k_n=1
	[ "$2" = - ] || _k_n=2
	ensure_dir "${1%/*}"
	{
		# The DOS head: MZ, and at 0x3c the offset of the PE signature.
		zeros $((0x3c - 2))
		_k_head=MZ$REPLY
		le32 $((0x80))
		_k_head=$_k_head$REPLY
		zeros $((0x80 - 0x40))
		_k_head=$_k_head$REPLY
		# The signature and the COFF header: machine x86-64, the section count, 12 bytes of
		# zeros, the size of the optional header (240 bytes of zeros), no characteristics.
		CFG='PE\000\000'
		word $((0x8664))
		word "$_k_n"
		_k_head=$_k_head$CFG
		zeros 12
		CFG=$REPLY
		word 240
		word 0
		_k_head=$_k_head$CFG
		zeros 240
		# shellcheck disable=SC2059 # octal escapes
		printf "$_k_head$REPLY"
		[ "$2" = - ] || section .uname ${#2} $((0x200)) $((0x200))
		section .initrd "$_k_size" $(((_k_size + 511) / 512 * 512)) $((0x400))
		zeros $((0x200 - 0x188 - 40 * _k_n))
		# shellcheck disable=SC2059 # octal zero escapes
		printf "$REPLY"
		_k_uname=
		[ "$2" = - ] || _k_uname=$2
		printf '%s' "$_k_uname"
		zeros $((0x200 - ${#_k_uname}))
		# shellcheck disable=SC2059 # octal zero escapes
		printf "$REPLY"
		cat "$out/.gen-tree-initrd"
	} >"$out$1"
	rm -f "$out/.gen-tree-initrd"
}

# One 40-byte PE section header: NAME VIRTUALSIZE RAWSIZE RAWOFFSET, the rest zero.
section() {
	zeros $((8 - ${#1}))
	_s=$REPLY
	le32 "$2"
	_s=$_s$REPLY$Z4
	le32 "$3"
	_s=$_s$REPLY
	le32 "$4"
	_s=$_s$REPLY
	zeros 16
	# shellcheck disable=SC2059 # octal escapes after the name
	printf "%s$_s$REPLY" "$1"
}

# KIND and ARGS ($@) of the description line LINE.
split_line() {
	kind=${line%%[	 ]*}
	rest=
	[ "$kind" = "$line" ] || rest=${line#*[	 ]}
}

build_line() {
	case $kind in
	cpu) cpuinfo "${1-}" "${2-}" ;;
	acpi)
		ensure_dir /sys/firmware/acpi/tables
		put "/sys/firmware/acpi/tables/${1:?acpi needs a table name}" "$1"
		;;
	iommu-unit)
		ensure_dir "/sys/devices/virtual/iommu/${1:?iommu-unit needs a name}"
		ensure_dir /sys/class/iommu
		mklink "/sys/devices/virtual/iommu/$1" "/sys/class/iommu/$1"
		;;
	cmdline) cmdline=$rest ;;
	release) release=${1:?release needs a version} ;;
	kconfig) kconfig="$kconfig$rest$NL" ;;
	kconfig-gz) kconfig_gz="$kconfig_gz$rest$NL" ;;
	interrupts)
		n_irq=$((n_irq + 1))
		interrupts="$interrupts$(printf '%4d: %10d  %s %d-edge      dev%d' "$((n_irq + 23))" 0 "${1:?interrupts needs a chip}" "$n_irq" "$n_irq")$NL"
		;;
	pci) pci_build "$@" ;;
	group) group_build "$@" ;;
	block) block_build "$@" ;;
	mount) mount_line "$@" ;;
	swap)
		[ -e "$out/proc/swaps" ] || printf 'Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n' >"$out/proc/swaps"
		printf '%s\t\t\t\tpartition\t1048572\t\t0\t\t-2\n' "${1:?swap needs a device}" >>"$out/proc/swaps"
		;;
	btrfs) btrfs_build "$@" ;;
	loader-partuuid) loader_partuuid "$@" ;;
	file) file_line "$@" ;;
	usb) usb_build "$@" ;;
	initrd) initrd_build "$@" ;;
	uki) uki_build "$@" ;;
	link)
		[ $# -eq 2 ] || die "link needs PATH and TARGET"
		ensure_dir "${1%/*}"
		mklink "$2" "$1"
		;;
	*) die "unknown item '$kind'" ;;
	esac
}

# Unpack the links, with cpio's end-of-archive entry.
unpack_links() {
	printf '070707%06o%06o%06o%06o%06o%06o%06o%011o%06o%011o%s\000' 0 0 0 0 0 1 0 0 11 0 TRAILER!!! >&3
	exec 3>&-
	(cd "$out" && cpio -i -d --quiet --no-preserve-owner <.gen-tree-links.cpio)
	rm -f "$out/.gen-tree-links.cpio"
}

finish() {
	unpack_links
	put /proc/sys/kernel/osrelease "$release"
	put /proc/cmdline "$cmdline"
	if [ -n "$kconfig" ]; then
		ensure_dir /boot
		printf '%s' "$kconfig" >"$out/boot/config-$release"
	fi
	if [ -n "$kconfig_gz" ]; then
		ensure_dir /proc
		printf '%s' "$kconfig_gz" | gzip -9n >"$out/proc/config.gz"
	fi
	if [ -n "$interrupts" ]; then
		printf '           CPU0\n%s' "$interrupts" >"$out/proc/interrupts"
	fi
}

set -f
# Lengths in the archive headers count bytes.
LC_ALL=C
export LC_ALL
mkdir -p "$out"
cd "$out"
out=$(pwd)
trap 'rm -f "$out/.gen-tree-desc" "$out/.gen-tree-dirs" "$out/.gen-tree-links.cpio"' EXIT
exec 3>"$out/.gen-tree-links.cpio" 4>"$out/.gen-tree-dirs"
# Read twice, so kept in a file (a growing shell variable would cost quadratic time).
cat >"$out/.gen-tree-desc"
mkdir -p sys/bus/pci/devices sys/bus/pci/drivers sys/devices sys/class/block sys/block \
	sys/dev/block sys/module sys/kernel proc/sys/kernel dev run
: >"$out/sys/bus/pci/drivers_probe"

# First pass: place every device and block device, list the directories they need.
while IFS= read -r line || [ -n "$line" ]; do
	lineno=$((lineno + 1))
	case $line in '' | '#'*) continue ;; esac
	split_line
	# shellcheck disable=SC2086 # options are words: split them, globbing is off
	set -- $rest
	case $kind in
	pci) pci_declare "$@" ;;
	block) block_declare "$@" ;;
	esac
done <"$out/.gen-tree-desc"
exec 4>&-
[ ! -s "$out/.gen-tree-dirs" ] || xargs mkdir -p -- <"$out/.gen-tree-dirs"

# Second pass: every file and link.
lineno=0
while IFS= read -r line || [ -n "$line" ]; do
	lineno=$((lineno + 1))
	case $line in '' | '#'*) continue ;; esac
	split_line
	# shellcheck disable=SC2086 # options are words: split them, globbing is off
	set -- $rest
	build_line "$@"
done <"$out/.gen-tree-desc"
finish
