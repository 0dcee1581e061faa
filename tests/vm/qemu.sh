#!/bin/sh
# Boot the test kernel and initramfs under QEMU (TCG: KVM hangs on the project's machines) on a
# named PCI topology, serial console to a log file, killed after a timeout.
#
#   qemu.sh -t TOPOLOGY -i INITRD [-k VMLINUZ] [-a APPEND] [-l LOG] [-c CAPFILE] [-T SECONDS]
#           [-N IMAGE]
#   qemu.sh -t TOPOLOGY -i INITRD -I        interactive: console on this terminal, shell in /init
#   qemu.sh -t TOPOLOGY -n ...              print the QEMU command line and exit
#
# TOPOLOGY: intel, amd or noiommu, or intel-storage: intel plus two NVMe controllers (one of
# them an SR-IOV PF) on slots of their own (the addresses are listed in README.md), or
# intel-usb: intel with a keyboard, a mouse and a USB stick on the xHCI controller. -c adds a second
# serial port (ISA, so the PCI topology does not change) that writes into CAPFILE. -N IMAGE
# puts IMAGE (snapshot=on) behind the second NVMe drive at 05:00.0, and adds that drive alone to
# the other topologies (it moves no other device).
# Exit status: QEMU's (0 after the guest powered off), 124 when the timeout killed it.
set -eu

. "$(dirname "$0")/lib.sh"

usage() {
	echo "usage: ${0##*/} -t intel|intel-storage|intel-usb|amd|noiommu -i INITRD [-k VMLINUZ] [-a APPEND] [-l LOG] [-c CAPFILE] [-T SECONDS] [-N IMAGE] [-I] [-n]" >&2
	exit 2
}

# --- topologies: one QEMU argument per line ------------------------------------------------

# Every topology has the same devices at the same addresses; only the IOMMU differs.
#   00:01.0 VGA (the boot VGA: the passthrough one below must not be it)
#   00:02.0 e1000e (where q35 would put its default NIC, which -nic none removes)
#   00:03.0 root port, chassis 1 -> 01:00.0 qemu-xhci
#   00:04.0 root port, chassis 2 -> 02:00.0 VGA + 02:00.1 intel-hda (one multifunction card)
#   00:05.0 root port, chassis 3 -> 03:00.0 NVMe
#   00:06.0 pcie-pci-bridge     -> 04:01.0 e1000, 04:02.0 e1000
#   00:1f.0/.2/.3 q35's ICH9 LPC, SATA and SMBus
topo_devices() {
	cat <<EOF
-vga
none
-nic
none
-device
VGA,bus=pcie.0,addr=0x1,id=vga0
-device
e1000e,bus=pcie.0,addr=0x2,id=nic0,mac=52:54:00:12:34:02
-device
pcie-root-port,bus=pcie.0,addr=0x3,chassis=1,slot=1,id=rp1
-device
qemu-xhci,bus=rp1,addr=0x0,id=xhci1
-device
pcie-root-port,bus=pcie.0,addr=0x4,chassis=2,slot=2,id=rp2
-device
VGA,bus=rp2,addr=0x0.0x0,multifunction=on,id=gpu2
-audiodev
none,id=snd0
-device
intel-hda,bus=rp2,addr=0x0.0x1,id=hda2
-device
hda-duplex,bus=hda2.0,audiodev=snd0
-device
pcie-root-port,bus=pcie.0,addr=0x5,chassis=3,slot=3,id=rp3
-drive
file=$NVME_IMG,if=none,id=nvm3,format=raw,snapshot=on
-device
nvme,bus=rp3,addr=0x0,drive=nvm3,serial=vfioprep3
-device
pcie-pci-bridge,bus=pcie.0,addr=0x6,id=br4
-device
e1000,bus=br4,addr=0x1,id=nic41,mac=52:54:00:12:34:41
-device
e1000,bus=br4,addr=0x2,id=nic42,mac=52:54:00:12:34:42
EOF
}

# intel-storage adds, on slots the other topologies leave free (00:07.0 stays free for amd-iommu):
#   00:08.0 root port, chassis 4 -> 05:00.0 NVMe, the same ID 1b36:0010 as 03:00.0 (a blank
#                                  disk, or -N IMAGE; -N adds this drive to any topology)
#   00:09.0 root port, chassis 5 -> 06:00.0 NVMe in an NVM subsystem, an SR-IOV PF with
#                                  sriov_totalvfs 2 (its VFs appear at 06:00.1 and 06:00.2)
# QEMU 7.2 refuses drive= on an nvme with subsys=, hence the nvme-ns; max_ioqpairs minus
# sriov_vq_flexible must be at least 2.
topo_second_nvme() {
	cat <<EOF
-device
pcie-root-port,bus=pcie.0,addr=0x8,chassis=4,slot=4,id=rp5
-drive
file=$NVME2_IMG,if=none,id=nvm5,format=raw,snapshot=on
-device
nvme,bus=rp5,addr=0x0,drive=nvm5,serial=vfioprep5
EOF
}

topo_sriov_nvme() {
	cat <<EOF
-device
pcie-root-port,bus=pcie.0,addr=0x9,chassis=5,slot=5,id=rp6
-drive
file=$NVME_BLANK_IMG,if=none,id=nvm6,format=raw,snapshot=on
-device
nvme-subsys,id=subsys6
-device
nvme,id=nvme6,bus=rp6,addr=0x0,serial=vfioprep6,subsys=subsys6,sriov_max_vfs=2,sriov_vq_flexible=4,sriov_vi_flexible=2,max_ioqpairs=6,msix_qsize=6
-device
nvme-ns,drive=nvm6,bus=nvme6,nsid=1
EOF
}

# intel-usb plugs into the xHCI at 01:00.0 (ports 1-3): QEMU's USB keyboard and mouse (HID boot
# protocols 1 and 2) and a USB stick (mass storage) on the blank image; no PCI device moves.
topo_usb() {
	cat <<EOF
-drive
file=$NVME_BLANK_IMG,if=none,id=usbstick,format=raw,snapshot=on
-device
usb-kbd,bus=xhci1.0,port=1
-device
usb-mouse,bus=xhci1.0,port=2
-device
usb-storage,bus=xhci1.0,port=3,drive=usbstick
EOF
}

# Interrupt remapping (intremap=on) wants the split irqchip; under TCG it costs nothing.
topo_intel() {
	printf '%s\n' -machine q35,kernel-irqchip=split -device intel-iommu,intremap=on
	topo_devices
}

# amd-iommu also adds its own PCI function; it is placed after the fixed devices, so it takes
# the first free slot (00:07.0) and moves nothing else. Interrupt remapping works with or
# without the split irqchip; it is split here as for intel.
topo_amd() {
	printf '%s\n' -machine q35,kernel-irqchip=split
	topo_devices
	printf '%s\n' -device amd-iommu,intremap=on
}

# Measured with QEMU 7.2 and Debian's 6.1: behind amd-iommu with translated DMA (the kernel's
# default), the emulated NVMe controller never completes its first admin command; the probe
# gives up after 60 s. With iommu=pt it works. So /init leaves nvme alone there.
topo_amd_append() {
	case " $1 " in
	*" iommu=pt "*) ;;
	*) echo vfio_test.skip=nvme ;;
	esac
}

topo_noiommu() {
	printf '%s\n' -machine q35
	topo_devices
}

# QEMU arguments of topology $1, one per line.
topology_args() {
	case $1 in
	intel) topo_intel ;;
	intel-storage)
		topo_intel
		topo_second_nvme
		topo_sriov_nvme
		;;
	intel-usb)
		topo_intel
		topo_usb
		;;
	amd) topo_amd ;;
	noiommu) topo_noiommu ;;
	*) return 1 ;;
	esac
}

# Kernel parameters topology $1 needs, given the rest of the command line $2.
topology_append() {
	case $1 in
	amd) topo_amd_append "$2" ;;
	esac
}

# --- main -----------------------------------------------------------------------------------

nvme_image() {
	NVME_IMG=$VM_CACHE/nvme.img
	if [ ! -e "$NVME_IMG" ]; then
		mkdir -p "$VM_CACHE"
		truncate -s 64M "$NVME_IMG.tmp"
		mv "$NVME_IMG.tmp" "$NVME_IMG"
	fi
	# The extra controllers of intel-storage: one blank image serves both (snapshot=on).
	NVME_BLANK_IMG=$VM_CACHE/nvme-blank.img
	if [ ! -e "$NVME_BLANK_IMG" ]; then
		truncate -s 16M "$NVME_BLANK_IMG.tmp"
		mv "$NVME_BLANK_IMG.tmp" "$NVME_BLANK_IMG"
	fi
	NVME2_IMG=${nvme2:-$NVME_BLANK_IMG}
}

main() {
	topo='' initrd='' vmlinuz='' append='' log='' cap='' timeout=120 interactive='' dry='' nvme2=''
	while getopts t:i:k:a:l:c:T:N:Inh opt; do
		case $opt in
		t) topo=$OPTARG ;;
		i) initrd=$OPTARG ;;
		k) vmlinuz=$OPTARG ;;
		a) append=$OPTARG ;;
		l) log=$OPTARG ;;
		c) cap=$OPTARG ;;
		T) timeout=$OPTARG ;;
		N) nvme2=$OPTARG ;;
		I) interactive=1 ;;
		n) dry=1 ;;
		*) usage ;;
		esac
	done
	case $topo in
	intel | intel-storage | intel-usb | amd | noiommu) ;;
	*) usage ;;
	esac
	[ -n "$initrd" ] || usage
	[ -z "$nvme2" ] || [ -r "$nvme2" ] || vm_die "-N $nvme2: no such image"
	command -v qemu-system-x86_64 >/dev/null ||
		vm_die "qemu-system-x86_64 not found (install qemu-system-x86)"
	if [ -z "$vmlinuz" ]; then
		VMLINUZ=''
		eval "$(sh "$VM_DIR/kernel.sh")"
		vmlinuz=$VMLINUZ
	fi
	nvme_image

	# One argument per line, so that paths with spaces survive.
	old_ifs=$IFS
	IFS='
'
	set -f
	# shellcheck disable=SC2046 # split on newlines only, on purpose
	set -- $(topology_args "$topo")
	if [ -n "$nvme2" ] && [ "$topo" != intel-storage ]; then
		# shellcheck disable=SC2046 # split on newlines only, on purpose
		set -- "$@" $(topo_second_nvme)
	fi
	IFS=$old_ifs
	set +f
	if [ -n "$cap" ]; then
		set -- "$@" -chardev "file,id=cap,path=$cap" -device isa-serial,chardev=cap,index=1
	fi
	# no_timer_check: on a busy host the guest's early check that the timer interrupt arrives
	# through the (remapped) IO-APIC can time out under TCG, and the kernel panics.
	cmdline="console=ttyS0 panic=-1 no_timer_check${append:+ $append}"
	extra=$(topology_append "$topo" "$append")
	cmdline="$cmdline${extra:+ $extra}"
	if [ -n "$interactive" ]; then
		set -- "$@" -serial mon:stdio
		cmdline="$cmdline vfio_test.shell"
	else
		[ -n "$log" ] || log=/dev/null
		set -- "$@" -serial "file:$log" -monitor none
	fi
	set -- qemu-system-x86_64 -accel tcg -m 1024 -smp 1 -nographic -no-reboot -nodefaults \
		-kernel "$vmlinuz" -initrd "$initrd" -append "$cmdline" "$@"

	if [ -n "$dry" ]; then
		for a in "$@"; do printf '%s ' "$(vm_shquote "$a")"; done
		echo
		exit 0
	fi
	if [ -n "$interactive" ]; then
		exec "$@"
	fi
	# The NICs have no network behind them on purpose; QEMU says so for each one.
	err=$(mktemp)
	rc=0
	timeout -k 5 "$timeout" "$@" </dev/null 2>"$err" || rc=$?
	grep -v -e 'has no peer$' "$err" >&2 || :
	rm -f "$err"
	exit "$rc"
}

main "$@"
