# Command-line cases, sourced by tests/cli/run.sh.
#   check NAME EXIT FIXTURE ARGS...   vfio-prep --root FIXTURE ARGS...
#   run NAME EXIT ARGS...             vfio-prep ARGS...
#   tree_unchanged NAME FIXTURE       the fixture copy was not written to
# shellcheck shell=sh

# Usage errors: exit 2, a message naming what is wrong.
run usage-none 2
run usage-two-modes 2 --check --list
run usage-unknown-option 2 --check --frobnicate
run usage-json-with-apply 2 --apply --json
run usage-dry-run-with-check 2 --check --dry-run
run usage-bad-color 2 --check --color=sometimes
run usage-release-bad-address 2 --release 1:2:3 --root /nonexistent
run usage-extra-argument 2 --check extra
run usage-missing-root 2 --check --root /nonexistent/root
run help 0 --help
run usage-sysroot-with-list 2 --list --sysroot /sysroot
run usage-sysroot-empty 2 --apply --sysroot ''

# --list on each kind of machine.
check list-intel 0 desktop-intel --list
check list-intel-json 0 desktop-intel --list --json
check list-amd 0 desktop-amd --list
check list-no-iommu 0 no-iommu --list
check list-no-iommu-json 0 no-iommu --list --json

# --check: what a user with each setup is told.
check check-intel-noconfig 0 desktop-intel --check
check check-intel-gpu 0 desktop-intel@gpu --check
# Colour on request: each status word in its colour.
check check-intel-gpu-color 0 desktop-intel@gpu --check --color=always
check check-intel-gpu-json 0 desktop-intel@gpu --check --json
check check-intel-boot-vga 1 desktop-intel@boot-vga --check
check check-intel-root-nvme 1 desktop-intel@root-nvme --check
check check-intel-chipset-usb 1 desktop-intel@chipset-usb --check --verbose
check check-intel-chipset-usb-json 1 desktop-intel@chipset-usb --check --json
check check-intel-chipset-usb-warn 0 desktop-intel@chipset-usb-warn --check
check check-intel-wrong-pin 1 desktop-intel@wrong-pin --check
check check-amd-translated 1 desktop-amd --check --device 03:00.0
check check-amd-usb 0 desktop-amd --check --device 06:00.0 --json
check check-intel-off 1 intel-off --check --device 01:00.0
check check-no-iommu 1 no-iommu --check --device 00:14.0
check check-no-iommu-json 1 no-iommu --check --device 00:14.0 --json
check check-cmdline-override 0 desktop-intel --check --cmdline "root=/dev/nvme0n1p2 amd_iommu=on" --device 01:00.0
check check-devices-on-cmdline 0 desktop-intel --check --cmdline "root=/dev/nvme0n1p2 vfio-prep.devices=01:00.0,00:14.0"

# Configuration errors: exit 2 naming file and line, and nothing written.
check config-bad-option 2 desktop-intel@bad-option --check
check config-bad-device-option 2 desktop-intel --check --device 01:00.0,zz:00.0
check apply-bad-option 2 desktop-intel@bad-option --apply
tree_unchanged apply-bad-option-wrote-nothing desktop-intel@bad-option

# --apply --dry-run: the plan and every write, and nothing written.
check apply-dry-run-gpu 0 desktop-intel@gpu --apply --dry-run
tree_unchanged apply-dry-run-gpu-wrote-nothing desktop-intel@gpu
check apply-dry-run-refused 1 desktop-intel@chipset-usb --apply --dry-run
check apply-disabled 0 desktop-intel@gpu --apply --cmdline "root=/dev/nvme0n1p2 vfio-prep.disable"
check release-not-bound 1 desktop-intel --release 01:00.0 --dry-run
check apply-sysroot-not-a-directory 2 desktop-intel@gpu --apply --dry-run --sysroot /no/such/dir
# vfs=N on a PF no driver holds: the first pass defers the VFs (exit 0), the second creates them.
check apply-dry-run-sriov-deferred 0 sriov-nvme@sriov --apply --dry-run
check apply-dry-run-sriov-second-pass 0 sriov-nvme@sriov --apply --dry-run --sysroot /

# --capture DIR, then --root DIR: the same verdicts.
capture_roundtrip capture-intel desktop-intel@gpu
capture_roundtrip capture-amd desktop-amd --device 03:00.0
capture_roundtrip capture-intel-off intel-off --device 01:00.0
check capture-into-nonempty 2 desktop-intel --capture /

# Hostile input
# Malformed configuration, one construct per file (conf/hostile-NAME.conf): --apply refuses it
# with exit 2 and a file:line message that shows the offending bytes escaped, and writes nothing.
for c in selector-short-bus selector-no-function selector-not-hex selector-half-id selector-long-id \
	selector-three-ids selector-extra-part selector-missing device-out-of-range function-out-of-range \
	domain-too-wide unknown-keyword keyword-case unknown-option option-bad-value vfs-out-of-range \
	id-on-id-selector id-malformed option-twice isolation-value isolation-extra isolation-missing \
	flag-with-value flag-with-value-boot-vga value-missing value-empty nul-byte nul-in-comment \
	overlong-line overlong-selector path-dotdot path-sysfs path-trailing escape-sequence escape-in-option \
	error-on-line-7 duplicate-address duplicate-id invalid-utf8; do
	check "hostile-conf-$c" 2 "desktop-intel@hostile-$c" --apply
	tree_unchanged "hostile-conf-$c-wrote-nothing" "desktop-intel@hostile-$c"
done
# The same for selectors given with --device and on the kernel command line.
check hostile-device-path 2 desktop-intel --apply --device ../../etc/passwd
check hostile-device-empty 2 desktop-intel --apply --device ''
check hostile-device-empty-entry 2 desktop-intel --apply --device 01:00.0,,00:14.0
check hostile-device-out-of-range 2 desktop-intel --apply --device 01:00.8
check hostile-cmdline-out-of-range 2 desktop-intel --apply --cmdline "root=/dev/nvme0n1p2 vfio-prep.devices=01:20.0"
check hostile-cmdline-escape 2 desktop-intel --apply --cmdline "$(printf 'vfio-prep.devices=01:00.0,\033[2J')"
tree_unchanged hostile-device-wrote-nothing desktop-intel
capture_roundtrip capture-with-cmdline desktop-intel --cmdline "root=/dev/nvme0n1p2 intel_iommu=on" --device 01:00.0

# Trees captured from QEMU machines booted with Debian's kernel (tests/vm/capture.sh):
# q35 with an emulated Intel or AMD IOMMU; addresses in tests/vm/README.md.
check vm-intel-list 0 vm/intel --list
check vm-amd-list-json 0 vm/amd --list --json
check vm-intel-xhci-root-port 0 vm/intel --check --device 01:00.0
check vm-intel-gpu-audio 0 vm/intel --check --device 02:00.0 --json
check vm-intel-bridge-blocker 1 vm/intel --check --device 04:01.0
check vm-intel-boot-vga 1 vm/intel --check --device 00:01.0
check vm-intel-root-nvme 1 vm/intel --check --device 03:00.0
check vm-intel-pt-passthrough 0 vm/intel-pt --check --device 01:00.0 --json
check vm-intel-off-disabled 1 vm/intel-off --check --device 01:00.0
# root= names no block device of the capture and there is no root record: the xHCI may hold
# root, so it stays with the host (vfio-prep(8), ROOT PROTECTION).
check vm-amd-translated 1 vm/amd --check --device 01:00.0
check vm-noiommu-no-hardware 1 vm/noiommu --check --device 01:00.0 --json
check vm-intel-apply-dry-run 0 vm/intel --apply --dry-run --device 01:00.0 --device 02:00.0
tree_unchanged vm-intel-apply-dry-run-wrote-nothing vm/intel
capture_roundtrip vm-intel-recapture vm/intel --device 02:00.0

# Root protection (vfio-prep(8), ROOT PROTECTION): root from the mounted root, else root=, else
# the ESP that systemd-boot names; storage is never bound while root is not identified, and
# --check says exactly what --apply --dry-run does.
# No root= (a unified kernel image): nothing identifies root, the NVMe that holds it stays.
check root-none-apply 1 vm/intel --apply --dry-run --device 1b36:0010 --cmdline 'intel_iommu=on quiet rw'
check root-none-check 1 vm/intel --check --device 1b36:0010 --cmdline 'intel_iommu=on quiet rw'
check root-none-devices-on-cmdline 1 vm/intel --apply --dry-run --cmdline 'intel_iommu=on quiet rw vfio-prep.devices=1b36:0010'
tree_unchanged root-none-wrote-nothing vm/intel
# Three identical NVMe drives named by ID; root found through each kind of root=.
check root-partlabel 1 storage --check --device 1b36:0010 --cmdline 'root=PARTLABEL=rootfs ro intel_iommu=on'
check root-dev-path 1 storage --apply --dry-run --device 1b36:0010 --cmdline 'root=/dev/nvme0n1p2 ro intel_iommu=on'
check root-uuid-unresolvable 1 storage --apply --dry-run --device 1b36:0010 --device 00:14.0 --device 05:00.0 --cmdline 'root=UUID=deadbeef-0000-0000-0000-000000000000 ro intel_iommu=on'
check root-uuid-unresolvable-check 1 storage --check --device 02:00.0 --device 00:14.0 --device 00:1a.0 --cmdline 'root=UUID=deadbeef-0000-0000-0000-000000000000 ro intel_iommu=on'
check root-usb 1 storage --apply --dry-run --device 00:14.0 --device 02:00.0 --cmdline 'root=LABEL=usbroot ro intel_iommu=on'
check root-emmc 1 storage --check --device 00:1a.0 --device 00:14.0 --cmdline 'root=/dev/mmcblk0p1 ro intel_iommu=on'
check root-nfs 1 storage --apply --dry-run --device 00:1f.6 --device 05:00.0 --cmdline 'root=/dev/nfs nfsroot=10.0.0.1:/srv/root ip=dhcp intel_iommu=on'
check root-nfs-check 1 storage --check --device 00:1f.6 --device 05:00.0 --cmdline 'root=/dev/nfs nfsroot=10.0.0.1:/srv/root ip=dhcp intel_iommu=on'
check root-iscsi 1 storage --check --device 00:1f.6 --device 00:14.0 --cmdline 'root=UUID=11111111-0000-0000-0000-000000000009 rd.iscsi.initiator=iqn.2024-01.org.example:host rd.iscsi.firmware intel_iommu=on'
check root-esp 1 storage-esp --check --device 1b36:0010
check root-esp-apply 1 storage-esp --apply --dry-run --device 1b36:0010
# A btrfs root on two of them: both stay.
check root-btrfs-two-disks 1 storage-btrfs --apply --dry-run --device 1b36:0010
check root-btrfs-two-disks-check 1 storage-btrfs --check --device 1b36:0010
# NVMe native multipath: the head is followed to its path below the controller.
check root-multipath 1 storage-multipath --apply --dry-run --device 0000:05:00.0 --cmdline 'root=/dev/nvme0n1p2 ro'
check root-multipath-check 1 storage-multipath --check --device 1b36:0010
# A dm root whose second slave does not resolve: root is not identified, all storage stays.
check root-dm-partial 1 storage-dm-partial --apply --dry-run --device 1b36:0010
check root-dm-partial-check 1 storage-dm-partial --check --device 1b36:0010
check root-luks-check 1 storage-luks --check --device 1b36:0010
# Running with no root=: the mounted root decides; the other two drives are bound.
check root-mounted-apply 1 storage-booted --apply --dry-run --device 1b36:0010
check root-mounted-check 0 storage-booted --check --device 02:00.0 --device 03:00.0
tree_unchanged root-mounted-wrote-nothing storage-booted
# Busy: a mounted partition, an md member: never unbound, and the holder is named.
check busy-nvme 1 storage-mounted --apply --dry-run --device 1b36:0010
check busy-nvme-check 1 storage-mounted --check --device 1b36:0010 --device 00:14.0
# --root-record: what the hooks store in the image; exit 1 when root cannot be identified.
check root-record-mounted 0 storage-mounted --root-record
check root-record-btrfs 0 storage-btrfs --root-record
check root-record-usb 0 storage --root-record --cmdline 'root=LABEL=usbroot ro'
check root-record-nfs 0 storage --root-record --cmdline 'root=/dev/nfs nfsroot=10.0.0.1:/srv/root ip=dhcp'
check root-record-unknown 1 storage-dm-partial --root-record
check root-record-with-apply 2 storage --root-record --apply
# The first pass with a root record: root on storage lets USB, SD and the NIC bind (storage
# never); root on USB holds the USB controllers only; a malformed record counts for nothing.
check record-storage-first-pass 1 storage-record-nvme --apply --dry-run --device 1b36:0010 --device 00:14.0 --device 00:1a.0 --device 00:1f.6
check record-storage-first-pass-check 1 storage-record-nvme --check --device 02:00.0 --device 00:14.0
check record-usb-first-pass 1 storage-record-usb --apply --dry-run --device 00:14.0 --device 00:1a.0 --device 00:1f.6
check record-malformed 1 storage-record-bad --check --device 00:14.0 --device 00:1f.6
# vfio-pci's ids= in modprobe.d and on the command line (vfio-prep(8), MODULE OPTIONS): a
# failure naming file and line, with the device lines that replace it.
check vfio-ids-check 1 vfio-ids --check
check vfio-ids-apply 0 vfio-ids --apply --dry-run
check vfio-ids-builtin 1 vfio-ids-builtin --check
# --list helps choose (vfio-prep(8), --list): slot paths, the boot VGA, what root protection
# keeps, devices on vfio-pci, and which groups are isolated; path= selectors.
check list-intel-storage 0 storage-booted --list
check list-intel-storage-json 0 storage-booted --list --json
check list-storage-luks 0 storage-luks --list
check list-storage-busy 0 storage-mounted --list
check list-amd-json 0 desktop-amd --list --json
check list-sriov-nvme 0 sriov-nvme --list
check list-vfio-bound 0 list-bound --list
check list-vfio-bound-json 0 list-bound --list --json
check path-selector-check 0 desktop-intel --check --device path=0000:00:01.0/00.0
check path-selector-apply 1 desktop-intel --apply --dry-run --device path=00:1c.4/00.0 --device path=0000:00:1d.0/00.0
check path-selector-nothing 1 desktop-intel --check --device path=0000:00:01.0/00.7
check path-selector-bad 2 desktop-intel --check --device path=0000:00:01.0/1:00.0
# --capture FILE.tar.gz (vfio-prep(8), --capture): the same tree as --capture DIR, and what it
# says it holds; an existing file is never replaced. $scratch is run.sh's scratch directory.
capture_archive_roundtrip capture-tgz-intel desktop-intel@gpu
capture_archive_roundtrip capture-tgz-storage storage-luks --device 1b36:0010
capture_archive_roundtrip capture-tgz-vm-amd vm/amd --cmdline "root=/dev/nvme0n1p2 amd_iommu=on" --device 02:00.0
# shellcheck disable=SC2154
{
	check capture-tgz-says 0 desktop-intel --capture "$scratch/says.tar.gz"
	: >"$scratch/exists.tar.gz"
	check capture-tgz-exists 2 desktop-intel --capture "$scratch/exists.tar.gz"
	check capture-tgz-bad-name 2 desktop-intel --capture "$scratch/.tar.gz"
}
# The kernel configuration from /proc/config.gz alone (vfio-prep(8), FILES): vfio-pci built in
# and the IOMMU on by default are known there too, and a capture keeps the file.
check kconfig-gz-check 0 kconfig-gz --check --device 01:00.0
capture_roundtrip kconfig-gz-capture kconfig-gz --device 01:00.0

# Editing the configuration: --add and --remove (vfio-prep(8), MODES). What --apply would refuse
# is refused with exit 1 and nothing written; the rest edits a writable copy, every other line kept.
check edit-add-boot-vga 1 desktop-intel@edit-base --add 00:02.0
check edit-add-root-disk 1 desktop-intel@edit-base --add 05:00.0
check edit-add-shared-group 1 desktop-intel@edit-base --add 04:00.0
check edit-add-no-such-device 1 desktop-intel@edit-base --add 09:00.0 functions=one
check edit-add-already-there 1 desktop-intel@edit-base --add 01:00.0
check edit-add-selected-by-another 1 desktop-intel@edit-base --add 10de:2484
check edit-add-bad-option 2 desktop-intel@edit-base --add 03:00.0 funtions=one
check edit-add-bad-selector 2 desktop-intel@edit-base --add 01:00
check edit-add-option-with-space 2 desktop-intel@edit-base --add 00:14.0 'functions=one # x'
check edit-remove-not-there 1 desktop-intel@edit-base --remove 00:14.0
check edit-add-dry-run 0 desktop-intel@edit-base --add 00:14.0 --dry-run
check edit-remove-dry-run 0 desktop-intel@edit-base --remove 01:00.0 --dry-run
# A slot path (vfio-prep.conf(5), path=) is written as given, with the pin read from the device.
check edit-add-path-dry-run 0 desktop-intel@edit-base --add path=0000:00:14.0 --dry-run
tree_unchanged edit-add-refused-wrote-nothing desktop-intel@edit-base
check edit-add-usb 0 desktop-intel@edit-base --add 00:14.0 optional
file_is edit-add-usb-conf desktop-intel@edit-base:/etc/vfio-prep.conf
# Each --remove starts from what the --add before it wrote, its golden file, put in place again:
# the same file when the whole list runs, and the right one when CLI_FILTER picks the --remove.
# shellcheck disable=SC2154 # golden: the golden files' directory of tests/cli/run.sh
edit_from() {
	case $1 in *"${CLI_FILTER:-}"*) cp "$golden/$2.file" "$3" ;; esac
}
edit_from edit-remove-gpu edit-add-usb-conf "$(fixture desktop-intel@edit-base)/etc/vfio-prep.conf"
check edit-remove-gpu 0 desktop-intel@edit-base --remove 0000:01:00.0
file_is edit-remove-gpu-conf desktop-intel@edit-base:/etc/vfio-prep.conf
# shellcheck disable=SC2154 # scratch: the scratch directory of tests/cli/run.sh
edit_tmp=$scratch
# --config naming a file that is not there yet: created, with a header comment.
check edit-add-new-file 0 desktop-intel --config "$edit_tmp/edit-new.conf" --add 01:00.0
file_is edit-add-new-file-conf "$edit_tmp/edit-new.conf"
# Saved on Windows, without a final line end: CRLF kept, the line end added.
printf '# from Windows\r\ndevice 00:14.0 functions=one' >"$edit_tmp/edit-crlf.conf"
check edit-add-crlf 0 desktop-intel --config "$edit_tmp/edit-crlf.conf" --add 01:00.0
file_is edit-add-crlf-conf "$edit_tmp/edit-crlf.conf"
edit_from edit-remove-crlf edit-add-crlf-conf "$edit_tmp/edit-crlf.conf"
check edit-remove-crlf 0 desktop-intel --config "$edit_tmp/edit-crlf.conf" --remove 0000:00:14.0
file_is edit-remove-crlf-conf "$edit_tmp/edit-crlf.conf"

# --release of a GPU gives back what functions=auto took with it, its audio first (vfio-prep(8)).
check release-gpu-functions-dry-run 0 gpu-on-vfio --release 0000:01:00.0 --dry-run
tree_unchanged release-gpu-functions-wrote-nothing gpu-on-vfio
check release-audio-alone-dry-run 0 gpu-on-vfio --release 0000:01:00.1 --dry-run

# Option errors name the option as typed (vfio-prep(8), OPTIONS).
run usage-short-needs-value 2 --check -d
run usage-long-needs-value 2 --check --device
run usage-abbreviation-needs-value 2 --check --dev
run usage-ambiguous-option 2 --check --co=x
run usage-takes-no-value 2 --check=yes
run usage-unknown-short-option 2 --check -vx

# Config mistakes (vfio-prep.conf(5), DIAGNOSTICS): every error in one run with its line and a
# "did you mean"; lines pasted from modprobe.d translated into device lines; files saved on
# Windows accepted and invisible characters shown; --check --json still one document; --list
# and --capture go on without a broken configuration; the fix for a refused file.
check config-every-error 2 desktop-intel@config-errors --check
check config-every-error-json 2 desktop-intel@config-errors --check --json
tree_unchanged config-every-error-wrote-nothing desktop-intel@config-errors
check config-every-error-apply 2 desktop-intel@config-errors --apply --dry-run
check config-every-error-list 0 desktop-intel@config-errors --list
check config-every-error-capture 0 desktop-intel@config-errors --capture "$T_SCRATCH/capture-config-errors"
check config-pasted 2 desktop-intel@config-pasted --check
check config-windows 0 desktop-intel@config-windows --check
check config-invisible 2 desktop-intel@config-invisible --check
check config-device-list 2 desktop-intel --check --device 01:00.0,zz:00.0 --device 00:14.0,,00:14.2
# A file of the drop-in directory that is not NAME.conf is mentioned, not read.
if dir=$(fixture desktop-intel@config-dropin); then
	mkdir -p "$dir/etc/vfio-prep.d"
	printf 'device 04:00.0\n' >"$dir/etc/vfio-prep.d/usb.cfg"
	chmod -R go-w "$dir/etc/vfio-prep.d"
fi
check config-dropin-skipped 0 desktop-intel@config-dropin --check
# A file writable by its group: refused, with the command that fixes it.
if dir=$(fixture desktop-intel@config-mode); then chmod 664 "$dir/etc/vfio-prep.conf"; fi
check config-mode 2 desktop-intel@config-mode --check
# A relative --root and --config: the entries are still the file's, not the command line's.
if dir=$(fixture desktop-intel@gpu); then
	cd "$dir" && run config-relative-paths 0 --check --root . --config etc/vfio-prep.conf
	cd "$TOP" || exit 1
fi
# intel_iommu=off: cmdline and iommu-enabled say the same (warn here, as groups exist anyway).
check config-cmdline-intel-off 0 desktop-intel --check --cmdline 'root=/dev/nvme0n1p2 intel_iommu=off' --device 01:00.0
# vfio-pci.ids= on the kernel command line: the device lines that replace it.
check config-cmdline-vfio-pci-ids 1 desktop-intel --check --cmdline 'root=/dev/nvme0n1p2 intel_iommu=on vfio-pci.ids=10de:2484,10de:228b'
# An ID selector that matches the boot VGA: an address, never allow-boot-vga for the ID.
check config-boot-vga-by-id 1 desktop-intel --check --device 8086:3e92
# Diagnostics (vfio-prep(8), CHECKS): a QEMU guest whose virtual IOMMU lacks interrupt
# remapping is told what the host must add, not what to change in a firmware it lacks.
check diag-guest-intremap 0 guest-q35 --check --device 01:00.0
check diag-guest-intremap-json 0 guest-q35 --check --device 01:00.0 --json
# Reset trouble: an RX 580 needs vendor-reset; a NIC with every reset method disabled.
check diag-reset-polaris 0 desktop-diag --check --device 03:00.0 --device 04:00.0
check diag-reset-polaris-json 0 desktop-diag --check --device 03:00.0 --json
# What is plugged into a selected USB controller: a keyboard with root on LUKS fails (the
# passphrase prompt comes after the bind); a stick and a hub are listed.
check diag-usb-keyboard-luks 1 desktop-diag --check --device 06:00.0 --device 08:00.0
check diag-usb-keyboard-luks-json 1 desktop-diag --check --device 06:00.0 --json
check diag-usb-keyboard-plain 0 guest-q35 --check --device 01:00.0
# --capture records the USB devices, DMI names and cpuinfo these findings read.
capture_roundtrip capture-diag desktop-diag --device 06:00.0 --device 03:00.0
capture_roundtrip capture-guest guest-q35 --device 01:00.0
# The firmware framebuffer in a GPU's BAR: vfio-pci removes it since Linux 6.0; before, the
# hint says how to release it.
check diag-fb-removed 0 desktop-diag --check --device 03:00.0
check diag-fb-515 0 desktop-diag-515 --check --device 03:00.0
check diag-fb-515-json 0 desktop-diag-515 --check --device 03:00.0 --json
# Captured from QEMU (tests/vm/capture.sh intel-usb): QEMU's USB keyboard, mouse and stick on
# the xHCI at 01:00.0, DMI naming QEMU; the kernel wrote the USB tree.
check vm-intel-usb-keyboard 0 vm/intel-usb --check --device 01:00.0
check vm-intel-usb-keyboard-json 0 vm/intel-usb --check --device 01:00.0 --json
# Captured from QEMU (capture.sh intel-vesa): vesafb holds the boot VGA's BAR 0; Debian's 6.1
# vfio-pci removes it when it takes the GPU.
check vm-intel-vesa-framebuffer 1 vm/intel-vesa --check --device 00:01.0
# --add refuses a USB controller with a keyboard while root is encrypted, as --check fails it.
check diag-add-keyboard-luks 1 desktop-diag --add 06:00.0 --dry-run
check diag-add-stick 0 desktop-diag --add 08:00.0 --dry-run
# Unified kernel images and ostree (vfio-prep(8), the initramfs finding): generated images with
# a real newc cpio (tests/gen-tree.sh: initrd, uki). Which lister reads them shows in the
# findings ("by size and date" with lsinitramfs): these goldens are lsinitrd's (dracut-core,
# installed by scripts/install-deps.sh), the first lister tried when no generator is detected;
# the "missing" findings name no lister.
name=uki-lister
case $name in *"${CLI_FILTER:-}"*)
	if command -v lsinitrd >/dev/null; then t_ok $name; else t_fail "$name: lsinitrd (dracut-core) is not installed"; fi
	;;
esac
check uki-boot-current 0 uki-boot --check
# The same image with its .initrd gzip-compressed, as mkinitcpio and dracut embed theirs.
check uki-boot-gzip 0 uki-gzip --check
check uki-boot-current-json 0 uki-boot --check --json
check uki-esp-missing 1 uki-esp --check
check uki-efi-stale 0 uki-efi-stale --check
check uki-ostree-missing 1 ostree --check
check uki-ostree-current 0 ostree-current --check
check uki-ostree-noimage 0 ostree-noimage --check
