#!/bin/sh
# /init of the boot-test initramfs; runs inside the VM under busybox sh.
#
# Kernel command line:
#   vfio_test.scenario=NAME   run /scenarios/NAME.conf (see scenarios/README in tests/vm/README.md)
#   vfio_test.shell           afterwards (or instead, without a scenario) open a shell on the console
#   vfio_test.capture=MODE    for vm_capture: "vfio-prep" (vfio-prep --capture) or "plain"
#
# The flow of a scenario mirrors a boot: PRE_MODULES (host drivers that are already bound in
# some scenarios), the BOOT commands (what an initramfs hook runs, by default
# "vfio-prep --apply"), then the host drivers (HOST_MODULES, as udev would load them), then the
# LATE commands. Results go to the console as lines the host parses:
#   @@VFIO-PREP-RESULT@@ step N begin CMD | step N rc=RC | dev TAG ADDR driver=.. group=.. vfio=..
#   @@VFIO-PREP-OUT@@ N LINE        output of step N
#   @@VFIO-PREP-KMSG@@ LINE         kernel log lines that mention vfio-prep
#   @@VFIO-PREP-STATE@@ LINE        /run/vfio-prep/state.json
#   @@VFIO-PREP-RESULT@@ end
# Captured trees travel as base64 of a tar on the second serial port (/dev/ttyS1).

PATH=/bin:/sbin:/usr/bin:/usr/sbin
export PATH
MARK=@@VFIO-PREP-RESULT@@

# Defaults a scenario file overrides.
CONFIG=
PRE_MODULES=
BOOT='vfio-prep --apply'
HOST_MODULES='xhci_pci e1000 e1000e nvme snd_hda_intel bochs'
LATE=

cmdline=
scenario=
shell=
capture_mode=plain
step=0

setup() {
	/bin/busybox --install -s
	mount -t proc proc /proc
	mount -t sysfs sysfs /sys
	mount -t devtmpfs devtmpfs /dev
	mount -t tmpfs -o mode=0755 tmpfs /run
	mount -t tmpfs tmpfs /tmp
	# Only errors on the console from now on, so that kernel lines do not split ours; the
	# whole log is printed at the end.
	dmesg -n 4
	read -r cmdline </proc/cmdline
	for arg in $cmdline; do
		case $arg in
		vfio_test.scenario=*) scenario=${arg#*=} ;;
		vfio_test.shell | vfio_test.shell=1) shell=1 ;;
		vfio_test.capture=*) capture_mode=${arg#*=} ;;
		esac
	done
}

attr() {
	cat "$1" 2>/dev/null || echo none
}

link_name() {
	if [ -e "$1" ]; then
		basename "$(readlink "$1")"
	else
		echo none
	fi
}

# One line per PCI device: where it is after step TAG.
report() {
	for d in /sys/bus/pci/devices/*; do
		group=$(link_name "$d/iommu_group")
		vfio=no
		[ "$group" != none ] && [ -e "/dev/vfio/$group" ] && vfio=yes
		echo "$MARK dev $1 ${d##*/} driver=$(link_name "$d/driver") group=$group vfio=$vfio" \
			"id=$(attr "$d/vendor" | cut -c3-):$(attr "$d/device" | cut -c3-)" \
			"class=$(attr "$d/class")" "boot_vga=$(attr "$d/boot_vga")"
	done
}

load_modules() {
	for m in $1; do
		modprobe "$m" </dev/null >/tmp/modprobe.out 2>&1
		rc=$?
		echo "$MARK modprobe $m rc=$rc"
		[ "$rc" = 0 ] || sed "s/^/@@VFIO-PREP-OUT@@ modprobe /" /tmp/modprobe.out
	done
}

run_step() {
	step=$((step + 1))
	echo "$MARK step $step begin $1"
	eval "$1" </dev/null >/tmp/step.out 2>&1
	rc=$?
	sed "s/^/@@VFIO-PREP-OUT@@ $step /" /tmp/step.out
	echo "$MARK step $step rc=$rc"
	report "$step"
}

# Run each non-empty line of $1 as a step.
run_steps() {
	while IFS= read -r cmd; do
		[ -n "$cmd" ] && run_step "$cmd"
	done <<EOF
$1
EOF
}

# --- helpers the scenario files call --------------------------------------------------------

# What FACTS.md says works without vfio-prep: driver_override, then load vfio-pci (busybox
# modprobe ignores vfio's softdep, so vfio_iommu_type1 is named), then reprobe.
vm_override() {
	for a in "$@"; do
		echo vfio-pci >"/sys/bus/pci/devices/$a/driver_override" || return
		if [ -e "/sys/bus/pci/devices/$a/driver" ]; then
			echo "$a" >"/sys/bus/pci/devices/$a/driver/unbind" || return
		fi
	done
	modprobe vfio_iommu_type1 || return
	modprobe vfio_pci || return
	for a in "$@"; do
		[ -e "/sys/bus/pci/devices/$a/driver" ] || echo "$a" >/sys/bus/pci/drivers_probe
	done
	return 0
}

# The kernel command line without this harness's own parameters.
vm_boot_cmdline() {
	for arg in $cmdline; do
		case $arg in
		vfio_test.*) ;;
		*) printf '%s ' "$arg" ;;
		esac
	done | sed 's/ $//'
}

# Without vfio-prep --capture: the command line and the IOMMU groups, links kept as links.
vm_plain_capture() {
	mkdir -p "$1/proc" "$1/sys/kernel" || return
	cat /proc/cmdline >"$1/proc/cmdline" || return
	cp -a /sys/kernel/iommu_groups "$1/sys/kernel/"
}

vm_send_tar() {
	port=/dev/ttyS1
	[ -c "$port" ] || { echo "no $port"; return 1; }
	stty -F "$port" raw -echo 2>/dev/null
	{
		echo "@@VFIO-PREP-TAR-BEGIN@@"
		{ tar -c -C "$1" . ; echo $? >/tmp/tar.rc; } | base64
		echo "@@VFIO-PREP-TAR-END@@ rc=$(cat /tmp/tar.rc)"
	} >"$port"
	echo "sent $(find "$1" | wc -l) entries of $1 to $port"
	[ "$(cat /tmp/tar.rc)" = 0 ]
}

vm_capture() {
	rm -rf /tmp/cap
	case $capture_mode in
	vfio-prep) vfio-prep --capture /tmp/cap --cmdline "$(vm_boot_cmdline)" || return ;;
	plain) vm_plain_capture /tmp/cap || return ;;
	*) echo "unknown vfio_test.capture=$capture_mode"; return 1 ;;
	esac
	vm_send_tar /tmp/cap
}

# --- main -----------------------------------------------------------------------------------

finish() {
	[ -e /run/vfio-prep/state.json ] && sed 's/^/@@VFIO-PREP-STATE@@ /' /run/vfio-prep/state.json
	dmesg | grep 'vfio-prep' | sed 's/^/@@VFIO-PREP-KMSG@@ /'
	echo "@@VFIO-PREP-DMESG-BEGIN@@"
	dmesg
	echo "@@VFIO-PREP-DMESG-END@@"
	echo "$MARK end"
}

run_scenario() {
	if [ ! -r "/scenarios/$scenario.conf" ]; then
		echo "$MARK error no scenario '$scenario'"
		return
	fi
	# shellcheck source=/dev/null
	. "/scenarios/$scenario.conf"
	echo "$MARK scenario $scenario"
	if [ -n "$CONFIG" ]; then
		printf '%s\n' "$CONFIG" >/etc/vfio-prep.conf
		chmod 644 /etc/vfio-prep.conf
	fi
	report start
	load_modules "$PRE_MODULES"
	run_steps "$BOOT"
	load_modules "$HOST_MODULES"
	run_steps "$LATE"
	report final
	finish
}

setup
[ -n "$scenario" ] && run_scenario
if [ -n "$shell" ]; then
	echo "vfio_test: shell on the console; exit it to power off"
	setsid cttyhack sh
fi
poweroff -f
