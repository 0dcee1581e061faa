# Hostile sysfs trees, sourced by tests/hostile/run.sh: garbage and empty attributes, FIFOs,
# dangling, looping and escaping links, huge files, missing groups, thousands of entries. Each
# tree gets every read-only mode; all must finish, say what they could not read (the 'sysfs'
# finding of --check) and stay inside the root.
# shellcheck shell=sh disable=SC2154 # scratch, top, T and the helpers come from run.sh

have_python=0
command -v python3 >/dev/null 2>&1 && have_python=1

want_json() {
	[ "$have_python" = 1 ] || return 0
	python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$OUT" 2>/dev/null || bad "$1: not valid JSON"
}

# verdicts [ARGS...]: --check (text and JSON), --list (text and JSON), --apply --dry-run,
# --capture and --apply on T, with ARGS; the check must carry a 'sysfs' warning.
verdicts() {
	traced --check --root "$T" "$@"
	want_rc 0 1
	want_out '^WARN  sysfs '
	want_out '^(ready|not ready)'
	cp "$OUT" "$scratch/check.out"
	cp "$STRACE" "$scratch/strace.all"
	traced --check --json --root "$T" "$@"
	want_rc 0 1
	want_json "--check --json"
	want_out '"id": "sysfs",'
	cat "$STRACE" >>"$scratch/strace.all"
	traced --list --root "$T" "$@"
	want_rc 0
	# What is intact is still listed: the NVMe controller is never damaged here.
	want_out '^ +[-0-9]+  0000:05:00.0  [-0-9a-f:./]+ +Non-Volatile memory controller'
	cat "$STRACE" >>"$scratch/strace.all"
	traced --list --json --root "$T" "$@"
	want_rc 0
	want_json "--list --json"
	cat "$STRACE" >>"$scratch/strace.all"
	snapshot "$T" "$scratch/tree.before"
	traced --apply --dry-run --root "$T" "$@"
	want_rc 0 1
	snapshot "$T" "$scratch/tree.after"
	cmp -s "$scratch/tree.before" "$scratch/tree.after" || bad "--apply --dry-run wrote to the tree"
	cat "$STRACE" >>"$scratch/strace.all"
	rm -rf "$scratch/capture"
	traced --capture "$scratch/capture" --root "$T" "$@"
	want_rc 0
	cat "$STRACE" >>"$scratch/strace.all"
	# And for real: whatever it manages to do, it ends, and reports.
	traced --apply --root "$T" "$@"
	want_rc 0 1
	cat "$STRACE" >>"$scratch/strace.all"
	mv "$scratch/strace.all" "$STRACE"
}

# want_check PATTERN: the text of --check (from verdicts) says PATTERN.
want_check() {
	grep -qE -- "$1" "$scratch/check.out" || bad "--check lacks /$1/"
}

# The selected device and the usual configuration: the GPU at 01:00.0 and its HDMI audio.
gpu_tree() {
	new_tree "$1" || return 1
	conf "device 01:00.0"
}

t_garbage() {
	gpu_tree garbage
	d=$(dev 0000:01:00.0)
	# Config space garbage too (short): the ID files below are read only without a header.
	head -c 40 /dev/urandom >"$d/config"
	printf 'zz10\n' >"$d/vendor"
	head -c 100 /dev/urandom >"$d/device"
	printf '\000\033[31m\000' >>"$d/device"
	printf '0x0300000\n' >"$d/class"
	printf -- '-1\n' >"$d/subsystem_vendor"
	printf '0x\n' >"$d/subsystem_device"
	printf '2\n' >"$d/boot_vga"
	printf '\033[2J\033]0;pwned\007vfio-pci\n' >"$d/driver_override"
	printf 'flr \033[31mbus\n' >"$d/reset_method"
	printf 'lots\n' >"$d/sriov_totalvfs"
	printf '18446744073709551616\n' >"$d/sriov_numvfs"
	printf '\033[5mDMA\n' >"$T/sys/kernel/iommu_groups/1/type"
	printf 'garbage\n0xfee00000 0xfeefffff\n0x2 0x1 msi\n0x0 0x1 msi extra\n' \
		>"$T/sys/kernel/iommu_groups/1/reserved_regions"
	printf 'root=/dev/nvme0n1p2 \033[31m intel_iommu=\001 iommu=pt\n' >"$T/proc/cmdline"
	printf '\033[31m6.1.0\n' >"$T/proc/sys/kernel/osrelease"
	verdicts
	want_check 'malformed vendor'
}
run_case hostile-tree-garbage-attributes t_garbage

t_empty() {
	gpu_tree empty
	for a in vendor device class subsystem_vendor subsystem_device config driver_override boot_vga \
		reset_method; do
		: >"$(dev 0000:01:00.0)/$a"
	done
	: >"$T/sys/kernel/iommu_groups/1/type"
	: >"$T/sys/kernel/iommu_groups/1/reserved_regions"
	: >"$T/proc/cmdline"
	: >"$T/proc/cpuinfo"
	: >"$T/proc/interrupts"
	: >"$T/proc/sys/kernel/osrelease"
	for f in "$T"/boot/config-*; do : >"$f"; done
	verdicts
}
run_case hostile-tree-empty-files t_empty

t_dangling() {
	gpu_tree dangling
	d=$(dev 0000:01:00.0)
	rm "$d/driver"
	ln -s ../../../../bus/pci/drivers/ghost "$d/driver"
	rm "$(dev 0000:01:00.1)/iommu_group"
	ln -s ../../../../kernel/iommu_groups/99 "$(dev 0000:01:00.1)/iommu_group"
	ln -s ../../../devices/pci0000:00/0000:00:1f.0 "$T/sys/bus/pci/devices/0000:00:1f.0"
	ln -s ../../../../devices/pci0000:00/0000:00:1f.0 "$T/sys/kernel/iommu_groups/1/devices/0000:00:1f.0"
	rm "$T/sys/class/block/nvme0n1p2"
	ln -s ../../devices/nowhere/nvme0n1p2 "$T/sys/class/block/nvme0n1p2"
	rm "$T/sys/class/iommu/dmar1"
	ln -s ../../devices/virtual/iommu/dmar9 "$T/sys/class/iommu/dmar1"
	verdicts
}
run_case hostile-tree-dangling-links t_dangling

t_looping() {
	gpu_tree looping
	d=$(dev 0000:01:00.0)
	ln -s 0000:00:1f.0 "$T/sys/bus/pci/devices/0000:00:1f.0"
	ln -s a "$T/sys/bus/pci/devices/0000:00:1f.1"
	ln -s 0000:00:1f.1 "$T/sys/bus/pci/devices/a"
	rm "$d/driver"
	ln -s driver "$d/driver"
	rm "$(dev 0000:01:00.1)/iommu_group"
	ln -s iommu_group "$(dev 0000:01:00.1)/iommu_group"
	ln -s . "$d/self"
	ln -s .. "$d/up"
	rm "$d/config"
	ln -s self/self/self/self/config "$d/config"
	rm "$T/sys/class/iommu/dmar0"
	ln -s dmar0 "$T/sys/class/iommu/dmar0"
	rm "$T/sys/class/block/nvme0n1p2"
	ln -s nvme0n1p2 "$T/sys/class/block/nvme0n1p2"
	verdicts
}
run_case hostile-tree-looping-links t_looping

# Links that leave the root, relative and absolute, to files that would read as a device: not
# one of them may be followed (the strace check in run_case looks at every file access).
t_escaping() {
	gpu_tree escaping
	d=$(dev 0000:01:00.0)
	ln -s "$(up "$T/sys/bus/pci/devices/x")OUTSIDE-CANARY/device" "$T/sys/bus/pci/devices/0000:00:1f.0"
	ln -s "$outside/device" "$T/sys/bus/pci/devices/0000:00:1f.1"
	rm "$d/vendor" "$d/config" "$d/driver"
	ln -s "$(up "$d/vendor")OUTSIDE-CANARY/device/vendor" "$d/vendor"
	ln -s "$outside/device/config" "$d/config"
	ln -s "$(up "$d/driver")OUTSIDE-CANARY" "$d/driver"
	rm "$(dev 0000:01:00.1)/iommu_group"
	ln -s "$(up "$(dev 0000:01:00.1)/iommu_group")OUTSIDE-CANARY" "$(dev 0000:01:00.1)/iommu_group"
	ln -s "$(up "$T/sys/kernel/iommu_groups/1/devices/x")OUTSIDE-CANARY/device" \
		"$T/sys/kernel/iommu_groups/1/devices/0000:00:1f.0"
	rm "$T/proc/cmdline"
	ln -s "$(up "$T/proc/cmdline")OUTSIDE-CANARY/canary" "$T/proc/cmdline"
	rm "$T/sys/class/block/nvme0n1p2"
	ln -s "$outside" "$T/sys/class/block/nvme0n1p2"
	mkdir -p "$T/run/vfio-prep"
	ln -s "$(up "$T/run/vfio-prep/state.json")OUTSIDE-CANARY/canary" "$T/run/vfio-prep/state.json"
	verdicts
	want_check 'Invalid cross-device link'
	# The root itself, climbing out through "..": nothing above it is reachable.
	traced --check --root "$T" --device 01:00.0 --cmdline "root=/dev/../../../../../../OUTSIDE-CANARY/canary"
	want_rc 0 1
}
run_case hostile-tree-links-out-of-root t_escaping

t_huge() {
	gpu_tree huge
	d=$(dev 0000:01:00.0)
	truncate -s 1M "$d/vendor"
	truncate -s 10M "$d/config"
	yes 'flr' | head -c 5000 >"$d/reset_method"
	# Exactly the most an attribute may hold, and one byte more.
	{ printf '0x10de'; yes ' ' | tr -d '\n' | head -c 4090; } >"$(dev 0000:01:00.1)/vendor"
	{ printf '0x228b'; yes ' ' | tr -d '\n' | head -c 4091; } >"$(dev 0000:01:00.1)/device"
	yes 'BOOT_IMAGE=/vmlinuz' | tr '\n' ' ' | head -c 1048576 >"$T/proc/cmdline"
	yes ' 24:   0  IR-PCI-MSI 1-edge  dev1' | head -c 2097152 >>"$T/proc/interrupts"
	yes 'flags : fpu vme' | head -c 9437184 >"$T/proc/cpuinfo"
	yes '0x00000000fee00000 0x00000000feefffff msi' | head -c 100000 >"$T/sys/kernel/iommu_groups/1/reserved_regions"
	mkdir -p "$T/run/vfio-prep"
	truncate -s 2M "$T/run/vfio-prep/state.json"
	verdicts
	want_check 'File too large'
}
run_case hostile-tree-huge-attributes t_huge

t_zero_node() {
	gpu_tree zero-node
	d=$(dev 0000:01:00.0)
	rm "$d/config" "$d/vendor"
	mknod "$d/config" c 1 5
	mknod "$d/vendor" c 1 5
	rm "$T/proc/cmdline"
	mknod "$T/proc/cmdline" c 1 5
	verdicts
}
if [ "$can_mknod" = 1 ]; then
	run_case hostile-tree-dev-zero-attributes t_zero_node
else
	skip hostile-tree-dev-zero-attributes "mknod not permitted"
fi

# Every file vfio-prep reads, made a FIFO: opening one must not wait for a writer.
t_fifos() {
	gpu_tree fifos
	d=$(dev 0000:01:00.0)
	for f in "$d/vendor" "$d/config" "$d/driver_override" "$d/boot_vga" "$(dev 0000:01:00.1)/class" \
		"$T/sys/kernel/iommu_groups/1/type" "$T/sys/kernel/iommu_groups/1/reserved_regions" \
		"$T/proc/cmdline" "$T/proc/interrupts" "$T/proc/cpuinfo" "$T/proc/sys/kernel/osrelease" \
		"$T/sys/class/block/nvme0n1p2/dev"; do
		rm -f "$f"
		mkfifo "$f"
	done
	mkdir -p "$T/run/vfio-prep"
	mkfifo "$T/run/vfio-prep/state.json"
	verdicts
}
run_case hostile-tree-fifo-attributes t_fifos

t_missing_groups() {
	gpu_tree missing-groups
	rm -rf "$T/sys/kernel/iommu_groups/1"
	rm -rf "$T/sys/kernel/iommu_groups/3/devices"
	rm -f "$T/sys/kernel/iommu_groups/4/type"
	mkdir -p "$T/sys/kernel/iommu_groups/not-a-number/devices" "$T/sys/kernel/iommu_groups/007/devices"
	ln -s ../../../../devices/pci0000:00/0000:00:1f.7 "$T/sys/kernel/iommu_groups/5/devices/0000:00:1f.7"
	# One device in two groups.
	ln -s ../../../../devices/pci0000:00/0000:00:02.0 "$T/sys/kernel/iommu_groups/0/devices/0000:00:02.0"
	verdicts
	want_check 'FAIL  device:0000:01:00.0 +not bound'
}
run_case hostile-tree-missing-groups t_missing_groups

t_groups_file() {
	gpu_tree groups-file
	rm -rf "$T/sys/kernel/iommu_groups"
	printf 'not a directory\n' >"$T/sys/kernel/iommu_groups"
	verdicts
}
run_case hostile-tree-groups-dir-is-file t_groups_file

t_device_file() {
	gpu_tree device-file
	d=$(dev 0000:00:14.0)
	rm -rf "$d"
	printf 'I am not a device\n' >"$d"
	d=$(dev 0000:01:00.1)
	rm -rf "$d"
	mkfifo "$d"
	verdicts --device 00:14.0
}
run_case hostile-tree-device-dir-is-file t_device_file

# Names that are not what they should be: terminal escapes, newlines, overlong.
t_names() {
	gpu_tree names
	d=$(dev 0000:01:00.0)
	ln -s ../../../devices/pci0000:00/0000:00:14.0 "$T/sys/bus/pci/devices/$(printf '\033[31m0000:00:1f.0')"
	ln -s ../../../devices/pci0000:00/0000:00:14.0 "$T/sys/bus/pci/devices/$(printf '0000:00:1f.0\nFAKE')"
	ln -s ../../../devices/pci0000:00/0000:00:14.0 "$T/sys/bus/pci/devices/$(printf '%0200d' 0)"
	mkdir -p "$T/sys/kernel/iommu_groups/$(printf '1\033]0;x\007')/devices"
	mkdir -p "$T/sys/bus/pci/drivers/$(printf 'evil\033[2J')"
	rm "$d/driver"
	ln -s "../../../../bus/pci/drivers/$(printf 'evil\033[2J')" "$d/driver"
	: >"$T/dev/kmsg"
	verdicts
	traced --release 01:00.0 --root "$T"
	want_rc 1
	want_err 'not bound to vfio-pci \(driver: evil\\x1b\[2J\)'
	# The --apply of verdicts logged the unbind from that driver to /dev/kmsg too.
	want_grep 'evil\\x1b\[2J' "$T/dev/kmsg"
	if LC_ALL=C grep -q "$(printf '[\001-\010\013-\037\177]')" "$T/dev/kmsg"; then
		bad "control bytes in /dev/kmsg"
	fi
}
run_case hostile-tree-hostile-names t_names

t_many() {
	gpu_tree many
	# Made with one process per kind, not per entry: thousands of forks take a while.
	(cd "$T/sys/bus/pci/devices" && awk 'BEGIN { for (i = 0; i < 3000; i++) print "junk" i }' | xargs touch)
	(cd "$T/sys/kernel/iommu_groups" &&
		awk 'BEGIN { for (i = 100; i < 1100; i++) print i "/devices" }' | xargs mkdir -p)
	# 2000 dangling device links in one group, named after their (missing) targets.
	(cd "$T/sys/kernel/iommu_groups/1/devices" &&
		awk 'BEGIN { for (i = 0; i < 2000; i++)
			printf "../../../../devices/pci0000:00/nothing/0000:%02x:%02x.7\n", int(i / 32) % 256, i % 32 }' |
		xargs ln -s -t .)
	verdicts
	want_check 'and [0-9]+ more'
}
run_case hostile-tree-thousands-of-entries t_many

t_records() {
	gpu_tree records
	mkdir -p "$T/run/vfio-prep"
	yes '[' | head -n 100000 | tr -d '\n' >"$T/run/vfio-prep/state.json"
	verdicts
	printf '{"version":1,"devices":[{"address":"0000:01:00.0","bound":true}]}\000garbage' \
		>"$T/run/vfio-prep/state.json"
	verdicts
	# Valid, but about devices this machine does not have.
	printf '{"version":1,"devices":[{"address":"0000:ff:1f.7","bound":false,"reason":"\\u001b[31mred"}]}' \
		>"$T/run/vfio-prep/state.json"
	traced --check --root "$T"
	want_rc 0 1
}
run_case hostile-tree-garbage-boot-record t_records

# No devices directory at all, or one that cannot be listed: not a tree vfio-prep can describe.
t_no_devices() {
	new_tree no-devices
	rm -rf "$T/sys/bus/pci/devices"
	ln -s devices "$T/sys/bus/pci/devices"
	traced --check --root "$T"
	want_rc 2
	want_err '^vfio-prep: cannot read PCI devices below .*: Too many levels of symbolic links'
	traced --list --root "$T"
	want_rc 2
	mkdir -p "$scratch/empty-root"
	traced --check --root "$scratch/empty-root"
	want_rc 2
	want_err '^vfio-prep: cannot read PCI devices below .*: No such file or directory'
}
run_case hostile-tree-no-devices-directory t_no_devices
