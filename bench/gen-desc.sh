#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# gen-desc.sh N: print a tests/gen-tree.sh description of a machine with about N PCI devices
# (at least N, rounded up to a whole unit below), for the benchmarks.
#
# The machine is an Intel host with VT-d on, translated mode, and interrupt remapping. Each
# PCI domain has a host bridge, and domain 0000 also a chipset (boot VGA iGPU, xHCI, ISA/audio/
# SMBus in one group). Below the root buses, units repeat in this order, each behind its own
# root port (with ACS, so every port and endpoint has its own group, as on servers):
#   gpu     a discrete GPU and its HDMI audio function, one group       3 devices, 1 bus
#   nic     an SR-IOV NIC with 8 virtual functions, a group each        10 devices, 1 bus
#   usb     an xHCI controller                                           2 devices, 1 bus
#   nvme    an NVMe controller (the first one holds the root disk)       2 devices, 1 bus
#   switch  a switch: upstream port, 4 downstream ports, and NVMe and
#           NIC endpoints below them                                     10 devices, 6 buses
# A domain takes new units until its 255 buses run out; then the next domain starts.
# The first GPU is always 0000:01:00.0, so a fixed selector works on every size.
set -eu

if [ $# -ne 1 ]; then
	echo "usage: gen-desc.sh N" >&2
	exit 2
fi
case $1 in
'' | *[!0-9]*)
	echo "gen-desc.sh: N must be a number" >&2
	exit 2
	;;
esac
want=$1

count=0  # devices so far
group=0  # next IOMMU group
dom=0    # current domain
bus=1    # next free bus in the current domain
slot=8   # next root port position on the root bus: device * 8 + function
nvme=0   # NVMe controllers so far
ROOT_UUID=0a1b2c3d-1111-2222-3333-444455556666

# REPLY = a new group number.
new_group() {
	REPLY=$group
	group=$((group + 1))
}

# ADDR of function FN of device DEV on bus BUS of the current domain.
addr() {
	ADDR=$(printf '%04x:%02x:%02x.%x' "$dom" "$1" "$2" "$3")
}

# pci ADDR OPTIONS...: one device line.
pci() {
	echo "pci $*"
	count=$((count + 1))
}

host_bridge() {
	addr 0 0 0
	new_group
	pci "$ADDR" vendor=8086 device=2020 class=060000 group=$REPLY
}

chipset() {
	new_group
	pci 0000:00:02.0 vendor=8086 device=3e92 class=030000 group=$REPLY driver=i915 module=i915 boot_vga=1
	new_group
	pci 0000:00:14.0 vendor=8086 device=a36d class=0c0330 group=$REPLY driver=xhci_hcd module=xhci_pci
	new_group
	pci 0000:00:1f.0 vendor=8086 device=a306 class=060100 multifunction group=$REPLY
	pci 0000:00:1f.3 vendor=8086 device=a348 class=040300 group=$REPLY driver=snd_hda_intel module=snd_hda_intel
	pci 0000:00:1f.4 vendor=8086 device=a323 class=0c0500 group=$REPLY driver=i801_smbus module=i2c_i801
}

# Make room for a unit that needs $1 buses; start a new domain when this one is full.
reserve_buses() {
	if [ $((bus + $1)) -gt 255 ] || [ "$slot" -ge 248 ]; then
		dom=$((dom + 1))
		bus=1
		slot=8
		host_bridge
	fi
	# Slots the chipset of domain 0 uses: 00:02, 00:14, 00:1f.
	while [ "$dom" -eq 0 ] && { [ $((slot / 8)) -eq 2 ] || [ $((slot / 8)) -eq 20 ]; }; do
		slot=$((slot + 8))
	done
}

# A root port for a unit of $1 buses; RP is its address, SEC its secondary bus.
root_port() {
	reserve_buses "$1"
	addr 0 $((slot / 8)) $((slot % 8))
	RP=$ADDR
	SEC=$bus
	slot=$((slot + 1))
	bus=$((bus + $1))
	new_group
	pci "$RP" vendor=8086 device=2030 class=060400 pcie=rootport acs=1d multifunction group=$REPLY driver=pcieport builtin
}

unit_gpu() {
	root_port 1
	new_group
	addr "$SEC" 0 0
	pci "$ADDR" parent="$RP" vendor=10de device=2484 class=030000 subsys=1458:4037 pcie=endpoint multifunction \
		group=$REPLY driver=nvidia module=nvidia boot_vga=0 reset=flr,bus
	addr "$SEC" 0 1
	pci "$ADDR" parent="$RP" vendor=10de device=228b class=040300 subsys=1458:4037 pcie=endpoint \
		group=$REPLY driver=snd_hda_intel module=snd_hda_intel
}

unit_nic() {
	root_port 1
	new_group
	addr "$SEC" 0 0
	pf=$ADDR
	pci "$pf" parent="$RP" vendor=8086 device=1528 class=020000 pcie=endpoint acs=1d sriov=8 \
		group=$REPLY driver=ixgbe module=ixgbe reset=flr
	for fn in 0 1 2 3 4 5 6 7; do
		new_group
		addr "$SEC" 16 $fn
		pci "$ADDR" parent="$RP" vendor=8086 device=1515 class=020000 pcie=endpoint physfn="$pf" \
			group=$REPLY driver=ixgbevf module=ixgbevf reset=flr
	done
}

unit_usb() {
	root_port 1
	new_group
	addr "$SEC" 0 0
	pci "$ADDR" parent="$RP" vendor=1912 device=0015 class=0c0330 pcie=endpoint group=$REPLY \
		driver=xhci_hcd module=xhci_pci
}

# An NVMe controller at $1 below bridge $2; the first one gets the root disk.
nvme_ctrl() {
	new_group
	pci "$1" parent="$2" vendor=144d device=a808 class=010802 pcie=endpoint group=$REPLY driver=nvme module=nvme
	if [ "$nvme" -eq 0 ]; then
		echo "block nvme0n1 pci=$1"
		echo "block nvme0n1p1 partition=nvme0n1"
		echo "block nvme0n1p2 partition=nvme0n1 uuid=$ROOT_UUID"
	fi
	nvme=$((nvme + 1))
}

unit_nvme() {
	root_port 1
	addr "$SEC" 0 0
	nvme_ctrl "$ADDR" "$RP"
}

unit_switch() {
	root_port 6
	new_group
	addr "$SEC" 0 0
	up=$ADDR
	pci "$up" parent="$RP" vendor=10b5 device=8747 class=060400 pcie=upstream group=$REPLY driver=pcieport builtin
	for d in 1 2 3 4; do
		new_group
		addr $((SEC + 1)) $((d + 7)) 0
		down=$ADDR
		pci "$down" parent="$up" vendor=10b5 device=8747 class=060400 pcie=downstream acs=1d group=$REPLY \
			driver=pcieport builtin
		addr $((SEC + 1 + d)) 0 0
		if [ $((d % 2)) -eq 1 ]; then
			nvme_ctrl "$ADDR" "$down"
		else
			new_group
			pci "$ADDR" parent="$down" vendor=8086 device=1533 class=020000 pcie=endpoint group=$REPLY \
				driver=igb module=igb
		fi
	done
}

cat <<EOF
# Generated by bench/gen-desc.sh $want.
cpu intel
acpi DMAR
iommu-unit dmar0
iommu-unit dmar1
release 6.1.0-28-amd64
cmdline BOOT_IMAGE=/vmlinuz-6.1.0-28-amd64 root=UUID=$ROOT_UUID ro quiet intel_iommu=on
kconfig CONFIG_IRQ_REMAP=y
kconfig CONFIG_VFIO_PCI=m
interrupts IR-PCI-MSI
EOF
host_bridge
chipset
while [ "$count" -lt "$want" ]; do
	for u in gpu nic usb nvme switch; do
		[ "$count" -lt "$want" ] || break
		unit_$u
	done
done
