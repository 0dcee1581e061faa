#!/bin/sh
# make demo: vfio-prep's main job, shown on an emulated machine (no VFIO hardware needed).
#   1. what vfio-prep sees: --list and --check on a tree captured from that machine;
#   2. the same machine booted three times under QEMU: without binding, with vfio-prep in its
#      initramfs, and with a device whose IOMMU group is shared.
# Usage: scripts/demo.sh BINARY
#        scripts/demo.sh --plan     what the first run will download and how long it takes
#                                   (make demo says it before installing anything)
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
work=${VM_WORKDIR:-$top/build/vm}
cache=${VFIO_PREP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vfio-prep}
mark='@@VFIO-PREP-RESULT@@'
out='@@VFIO-PREP-OUT@@'

say() {
	if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then
		printf '\n\033[1m== %s\033[0m\n' "$*"
	else
		printf '\n== %s\n' "$*"
	fi
}

explain() {
	fmt -w 88 | sed 's/^/   /'
}

# The tree to inspect (sets tree and kind): the one captured from the QEMU machine, or a
# generated desktop.
pick_tree() {
	tree=$(mktemp -d)
	if [ -f "$top/tests/fixtures/vm/intel.tar.gz" ]; then
		tar -xzf "$top/tests/fixtures/vm/intel.tar.gz" -C "$tree"
		kind=captured
	else
		sh "$top/tests/gen-tree.sh" "$tree" <"$top/tests/fixtures/desktop-intel.desc"
		kind=generated
	fi
}

part_one() {
	pick_tree
	say "1. What vfio-prep sees ($kind tree of a q35 machine with an emulated IOMMU)"
	echo "The IOMMU groups, as the kernel made them (vfio-prep --list):" | explain
	"$bin" --list --root "$tree"
	say "vfio-prep --check, with the xHCI controller and the graphics card selected"
	echo "Each finding has a stable id; warnings and failures carry a hint for this machine. The
graphics card's audio function is added by functions=auto, the groups are checked for
isolation, and the boot disk and the boot console are protected." | explain
	echo
	"$bin" --check --root "$tree" --device 01:00.0 --device 02:00.0 || true
	say "A device whose group is shared: one NIC of two behind a PCIe-to-PCI bridge"
	"$bin" --check --root "$tree" --device 04:01.0 2>&1 | sed -n '/device:/,$p' || true
	rm -rf "$tree"
}

# Drivers per device at the end of a boot ("final") from a scenario's serial log.
drivers() {
	grep "^$mark dev final " "$work/$1.log" | sed 's/.* dev final \([^ ]*\) driver=\([^ ]*\).*class=0x\([0-9a-f]*\).*/\1 \2 \3/'
}

boot() {
	if ! sh "$top/tests/vm/run.sh" "$bin" "$@" >"$work/demo-run.txt" 2>&1; then
		cat "$work/demo-run.txt"
		echo "demo: the boot of $* failed; its serial log is in $work/" >&2
		exit 1
	fi
}

part_two() {
	say "2. Booting the machine under QEMU (Debian's kernel, TCG, an emulated Intel IOMMU)"
	echo "Three boots of the same machine, about half a minute each. In each, the initramfs runs
'vfio-prep --apply' before any host driver is loaded, the way the dracut, mkinitcpio and
initramfs-tools hooks do, then loads the host drivers (xhci_pci, snd_hda_intel, bochs, e1000,
e1000e, nvme)." | explain
	mkdir -p "$work"
	boot disable apply-xhci-gpu bridge-strict
	drivers disable >"$work/demo-before"
	drivers apply-xhci-gpu >"$work/demo-after"
	say "Which driver holds each device"
	printf '   %-13s %-7s %-22s %s\n' ADDRESS CLASS "vfio-prep.disable" "with vfio-prep"
	join "$work/demo-before" "$work/demo-after" |
		awk '{ printf "   %-13s %-7s %-22s %s%s\n", $1, $3, $2, $4, ($4 != $2 ? "   <-" : "") }'
	say "What vfio-prep said at boot (also in dmesg, and in /run/vfio-prep/state.json)"
	grep "^$out " "$work/apply-xhci-gpu.log" | sed 's/^[^ ]* [0-9]* /   /'
	say "A shared IOMMU group at boot: the NIC stays with its host driver, and why"
	grep "^$out " "$work/bridge-strict.log" | sed 's/^[^ ]* [0-9]* /   /'
	echo
	echo "Serial logs of the three boots: $work/{disable,apply-xhci-gpu,bridge-strict}.log" | explain
}

# Said before anything is installed or downloaded, only for what is still missing.
plan() {
	missing=$(sh "$top/scripts/install-deps.sh" --demo --missing)
	kernel=
	for d in "$cache"/kernel/*/.done; do
		[ -e "$d" ] && kernel=cached
	done
	[ -n "$missing" ] || [ -z "$kernel" ] || return 0
	{
		echo "make demo: the first run downloads what the demo needs, then builds and boots:"
		[ -z "$missing" ] ||
			echo "- with apt-get install: $missing (about 95 MB, most of it QEMU and the compiler);"
		[ -n "$kernel" ] ||
			echo "- with apt-get download: Debian's kernel package (linux-image-amd64, about 70 MB), extracted into $cache/kernel;"
		echo "- then builds vfio-prep and boots the kernel three times under QEMU (TCG)."
		echo "That takes about 2 minutes with a fast mirror on a quiet 2-core machine (the boots run under TCG: more on a busy one); later runs take about 2 minutes."
	} | fmt -s -w 96
}

if [ "${1:-}" = --plan ]; then
	plan
	exit 0
fi
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
part_one
part_two
