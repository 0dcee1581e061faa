# Fault injection at the command level, sourced by tests/hostile/run.sh: --apply and --release on
# a generated tree where one of the files they write to fails the way a real file fails (a
# directory, a missing file, a FIFO nobody reads, a device that refuses data, a link out of the
# root). No kernel answers in such a tree: the driver links never move, so even an --apply whose
# every write succeeds ends in "verify driver" failing, and must roll back like any other.
#
# Each --apply must end with exit status 1, every driver_override it wrote cleared again ("\n"),
# ROOT/run/vfio-prep/state.json saying why for every device of the group, and the same reason
# in ROOT/dev/kmsg as a "vfio-prep: " line. A file that cannot even be read (a driver_override
# that is a directory, or a link out of the root) is seen when the tree is loaded: the group is
# refused before anything is written. --release keeps no record; it says why on stderr.
# shellcheck shell=sh disable=SC2154 # scratch, top, T and the helpers come from run.sh

G0=0000:01:00.0 # the GPU (nvidia)
G1=0000:01:00.1 # its HDMI audio (snd_hda_intel), added by functions=auto

# A tree where vfio-pci is "in the kernel" (so that loading it succeeds), with /dev/kmsg.
apply_tree() {
	new_tree "$1" || return 1
	conf "device 01:00.0"
	: >"$T/dev/kmsg"
	mkdir -p "$T/sys/module/vfio_pci"
}

# fault_apply REASON [CLEARED...]: --apply fails with REASON (an ERE) in every record of the
# group, in /dev/kmsg and on stderr; each CLEARED device's driver_override ends as "\n".
fault_apply() {
	reason=$1
	shift
	traced --apply --root "$T"
	want_rc 1
	want_err "^vfio-prep: $reason; the group (was|could not be fully) rolled back"
	want_grep "^<3>vfio-prep: $reason; the group (was|could not be fully) rolled back" "$T/dev/kmsg"
	for a in $G0 $G1; do
		want_grep "\"address\": \"$a\",\$" "$T/run/vfio-prep/state.json"
	done
	n=$(grep -cE "^ *\"reason\": \"$reason\"\$" "$T/run/vfio-prep/state.json" 2>/dev/null)
	[ "${n:-0}" -eq 2 ] || bad "state.json gives the reason for ${n:-0} devices, expected 2"
	[ "$(grep -c '"bound": false' "$T/run/vfio-prep/state.json" 2>/dev/null)" = 2 ] ||
		bad "state.json does not record both devices as not bound"
	for a in "$@"; do
		want_file "$(dev "$a")/driver_override" '\n'
	done
}

# Everything succeeds, but no kernel moves the driver link: verify fails, all is undone.
f_verify() {
	apply_tree fault-verify
	fault_apply "$G0: verify driver failed: Device or resource busy: bound to nvidia instead" $G0 $G1
	want_err 'the group was rolled back'
	# The rollback re-probed both devices, last one first.
	want_file "$T/sys/bus/pci/drivers_probe" "$G0"
	want_file "$T/sys/bus/pci/drivers/nvidia/unbind" "$G0"
	want_file "$T/sys/bus/pci/drivers/snd_hda_intel/unbind" "$G1"
}
run_case hostile-fault-verify-driver f_verify

# refused_apply: --apply left the group alone before writing anything (the tree showed a problem
# when it was read), and says so in state.json and /dev/kmsg.
refused_apply() {
	traced --apply --root "$T"
	want_rc 1
	want_err "^vfio-prep: $G1: left to the host: unreadable sysfs attributes"
	want_err "^vfio-prep: $G0: left to the host: another device of its group was refused"
	want_grep "^<4>vfio-prep: $G1: left to the host: unreadable sysfs attributes" "$T/dev/kmsg"
	want_grep '"reason": "unreadable sysfs attributes"' "$T/run/vfio-prep/state.json"
	want_grep '"reason": "another device of its group was refused"' "$T/run/vfio-prep/state.json"
	want_file "$(dev $G0)/driver_override" '(null)\n'
	want_file "$T/sys/bus/pci/drivers/nvidia/unbind" ''
	want_file "$T/sys/bus/pci/drivers_probe" ''
}

# An override that cannot even be read is seen when the tree is loaded: nothing is written.
f_override_dir() {
	apply_tree fault-override-dir
	rm "$(dev $G1)/driver_override"
	mkdir "$(dev $G1)/driver_override"
	refused_apply
}
run_case hostile-fault-override-is-directory f_override_dir

f_override_escapes() {
	apply_tree fault-override-escapes
	rm "$(dev $G1)/driver_override"
	ln -s "$(up "$(dev $G1)/driver_override")OUTSIDE-CANARY/device/driver_override" "$(dev $G1)/driver_override"
	refused_apply
}
run_case hostile-fault-override-link-out-of-root f_override_escapes

# A FIFO nobody writes reads as empty (no override), but a write to it fails at once (ENXIO)
# instead of blocking the boot: the first device's override is cleared again.
f_override_fifo() {
	apply_tree fault-override-fifo
	rm "$(dev $G1)/driver_override"
	mkfifo "$(dev $G1)/driver_override"
	fault_apply "$G1: set driver_override failed: No such device or address" $G0
	want_file "$T/sys/bus/pci/drivers/nvidia/unbind" ''
	want_file "$T/sys/bus/pci/drivers_probe" ''
}
run_case hostile-fault-override-is-fifo f_override_fifo

f_unbind_dir() {
	apply_tree fault-unbind-dir
	rm "$T/sys/bus/pci/drivers/nvidia/unbind"
	mkdir "$T/sys/bus/pci/drivers/nvidia/unbind"
	fault_apply "$G0: unbind from host driver failed: Is a directory: nvidia" $G0 $G1
	want_err 'the group was rolled back'
	want_file "$T/sys/bus/pci/drivers_probe" ''
}
run_case hostile-fault-unbind-is-directory f_unbind_dir

f_unbind_missing() {
	apply_tree fault-unbind-missing
	rm "$T/sys/bus/pci/drivers/snd_hda_intel/unbind"
	fault_apply "$G1: unbind from host driver failed: No such file or directory: snd_hda_intel" $G0 $G1
	want_err 'the group was rolled back'
	# The GPU was unbound before the failure: it is probed again, so nvidia takes it back.
	want_file "$T/sys/bus/pci/drivers/nvidia/unbind" "$G0"
	want_file "$T/sys/bus/pci/drivers_probe" "$G0"
}
run_case hostile-fault-unbind-missing f_unbind_missing

# The unbind never returns (a wedged GPU's remove()): the deadline ends it, the run goes on.
f_unbind_fifo() {
	apply_tree fault-unbind-fifo
	rm "$T/sys/bus/pci/drivers/nvidia/unbind"
	mkfifo "$T/sys/bus/pci/drivers/nvidia/unbind"
	t0=$(date +%s)
	fault_apply "$G0: unbind from host driver failed: Connection timed out: nvidia" $G0 $G1
	[ $(($(date +%s) - t0)) -ge 4 ] || bad "the unbind ended before its deadline"
	want_file "$T/sys/bus/pci/drivers_probe" ''
}
run_case hostile-fault-unbind-blocks f_unbind_fifo

# A device that refuses the data: a real errno from a real write.
f_unbind_full() {
	apply_tree fault-unbind-full
	rm "$T/sys/bus/pci/drivers/snd_hda_intel/unbind"
	mknod "$T/sys/bus/pci/drivers/snd_hda_intel/unbind" c 1 7
	fault_apply "$G1: unbind from host driver failed: No space left on device: snd_hda_intel" $G0 $G1
	want_file "$T/sys/bus/pci/drivers_probe" "$G0"
}
if [ "$can_mknod" = 1 ]; then
	run_case hostile-fault-unbind-refuses f_unbind_full
else
	skip hostile-fault-unbind-refuses "mknod not permitted"
fi

# Without drivers_probe the devices cannot be given back either: said so.
f_probe_missing() {
	apply_tree fault-probe-missing
	rm "$T/sys/bus/pci/drivers_probe"
	fault_apply "$G0: probe failed: No such file or directory" $G0 $G1
	want_err 'the group could not be fully rolled back'
}
run_case hostile-fault-probe-missing f_probe_missing

# A probe that never returns: every later probe of the rollback waits its own deadline
# (5 s each), so this run takes (1 + devices) deadlines.
f_probe_fifo() {
	apply_tree fault-probe-fifo
	rm "$T/sys/bus/pci/drivers_probe"
	mkfifo "$T/sys/bus/pci/drivers_probe"
	_limit=$limit
	limit=$((limit + 15))
	fault_apply "$G0: probe failed: Connection timed out" $G0 $G1
	limit=$_limit
	want_err 'the group could not be fully rolled back'
}
run_case hostile-fault-probe-blocks f_probe_fifo

# /dev/kmsg that cannot take the lines: the boot log is best effort, the run is not held up.
f_kmsg_fifo() {
	apply_tree fault-kmsg-fifo
	rm "$T/dev/kmsg"
	mkfifo "$T/dev/kmsg"
	traced --apply --root "$T"
	want_rc 1
	want_err "verify driver failed"
	want_grep '"reason": ".*verify driver failed' "$T/run/vfio-prep/state.json"
	want_file "$(dev $G0)/driver_override" '\n'
}
run_case hostile-fault-kmsg-is-fifo f_kmsg_fifo

f_record_blocked() {
	apply_tree fault-record-blocked
	printf 'not a directory\n' >"$T/run/vfio-prep"
	traced --apply --root "$T"
	want_rc 1
	want_err '^vfio-prep: cannot write the boot record /run/vfio-prep/state.json'
	want_grep '^<3>vfio-prep: .*verify driver failed' "$T/dev/kmsg"
	want_file "$(dev $G0)/driver_override" '\n'
}
run_case hostile-fault-record-unwritable f_record_blocked

# ---- --release --------------------------------------------------------------------------------

# A tree where the GPU is on vfio-pci, its override saying so, as after a successful --apply.
release_tree() {
	new_tree "$1" released-gpu || return 1
	printf 'vfio-pci\n' >"$(dev $G0)/driver_override"
	: >"$T/dev/kmsg"
}

# The released-gpu tree description: desktop-intel with the GPU bound to vfio-pci. The cases
# below mean something only if it was made and its GPU is on vfio-pci: that is checked first.
pristine released-gpu <<EOF
$(sed 's/driver=nvidia module=nvidia/driver=vfio-pci module=vfio_pci/' "$top/tests/fixtures/desktop-intel.desc")
EOF
r_tree() {
	p=$scratch/pristine/released-gpu
	[ -d "$p/sys" ] || { bad "the released-gpu tree was not made"; return; }
	drv=$(readlink "$p/sys/bus/pci/devices/$G0/driver")
	[ "${drv##*/}" = vfio-pci ] || bad "the released-gpu tree has $G0 on '${drv##*/}', expected vfio-pci"
}
run_case hostile-fault-release-tree-gpu-on-vfio-pci r_tree

# Every write succeeds, but the link still says vfio-pci afterwards: reported as such.
r_verify() {
	release_tree release-verify
	traced --release 01:00.0 --root "$T"
	want_rc 1
	want_err "^vfio-prep: $G0: release from vfio-pci failed: Device or resource busy"
	want_file "$(dev $G0)/driver_override" '\n'
	want_file "$T/sys/bus/pci/drivers/vfio-pci/unbind" "$G0"
	want_file "$T/sys/bus/pci/drivers_probe" "$G0"
}
run_case hostile-fault-release-verify r_verify

r_override_dir() {
	release_tree release-override-dir
	rm "$(dev $G0)/driver_override"
	mkdir "$(dev $G0)/driver_override"
	traced --release 01:00.0 --root "$T"
	want_rc 1
	want_err "^vfio-prep: $G0: release from vfio-pci failed: Is a directory"
	want_file "$T/sys/bus/pci/drivers/vfio-pci/unbind" ''
	want_file "$T/sys/bus/pci/drivers_probe" ''
}
run_case hostile-fault-release-override-is-directory r_override_dir

# The unbind fails: the device stays on vfio-pci, and its override says so again.
r_unbind_missing() {
	release_tree release-unbind-missing
	rm "$T/sys/bus/pci/drivers/vfio-pci/unbind"
	traced --release 01:00.0 --root "$T"
	want_rc 1
	want_err "^vfio-prep: $G0: release from vfio-pci failed: No such file or directory"
	want_file "$(dev $G0)/driver_override" 'vfio-pci'
	want_file "$T/sys/bus/pci/drivers_probe" ''
}
run_case hostile-fault-release-unbind-missing r_unbind_missing

r_unbind_fifo() {
	release_tree release-unbind-fifo
	rm "$T/sys/bus/pci/drivers/vfio-pci/unbind"
	mkfifo "$T/sys/bus/pci/drivers/vfio-pci/unbind"
	traced --release 01:00.0 --root "$T"
	want_rc 1
	want_err "^vfio-prep: $G0: release from vfio-pci failed: Connection timed out"
	want_file "$(dev $G0)/driver_override" 'vfio-pci'
}
run_case hostile-fault-release-unbind-blocks r_unbind_fifo

r_probe_missing() {
	release_tree release-probe-missing
	rm "$T/sys/bus/pci/drivers_probe"
	traced --release 01:00.0 --root "$T"
	want_rc 1
	want_err "^vfio-prep: $G0: release from vfio-pci failed: No such file or directory"
	want_file "$T/sys/bus/pci/drivers/vfio-pci/unbind" "$G0"
}
run_case hostile-fault-release-probe-missing r_probe_missing
