#!/bin/sh
# /init of the boot-test initramfs; runs inside the VM under busybox sh.
#
# Kernel command line:
#   vfio_test.scenario=NAME   run /scenarios/NAME.conf (the format: tests/vm/README.md)
#   vfio_test.shell           afterwards (or instead, without a scenario) open a shell on the console
#   vfio_test.capture=MODE    for vm_capture: "vfio-prep" (vfio-prep --capture) or "plain"
#   vfio_test.skip=MOD,...    modules never to load (qemu.sh: nvme behind a translating amd-iommu)
#
# The flow of a scenario mirrors a boot: PRE_MODULES (host drivers that are already bound in
# some scenarios), the BOOT commands (what an initramfs hook runs, by default
# "vfio-prep --apply"), then the host drivers (HOST_MODULES, as udev would load them), then the
# LATE commands. Results go to the console as lines the host parses:
#   @@VFIO-PREP-RESULT@@ scenario NAME t=UPTIME | step N begin CMD | step N rc=RC t=UPTIME
#   @@VFIO-PREP-RESULT@@ modprobe M rc=RC t=UPTIME | skip M
#   @@VFIO-PREP-RESULT@@ dev TAG ADDR driver=D group=G vfio=INODE|no id=V:D class=C boot_vga=B
#     (TAG: start, pre after PRE_MODULES, N after step N, final)
#   @@VFIO-PREP-OUT@@ N LINE        output of step N
#   @@VFIO-PREP-KMSG@@ LINE         kernel log lines that mention vfio-prep
#   @@VFIO-PREP-STATE@@ LINE        /run/vfio-prep/state.json
#   @@VFIO-PREP-RESULT@@ end t=UPTIME
# Captured trees travel as base64 of a tar on the second serial port (/dev/ttyS1).

PATH=/bin:/sbin:/usr/bin:/usr/sbin
export PATH
MARK=@@VFIO-PREP-RESULT@@

# Defaults a scenario file overrides.
CONFIG=
MODPROBE=
PRE_MODULES=
BOOT='vfio-prep --apply'
HOST_MODULES='xhci_pci e1000 e1000e nvme snd_hda_intel bochs'
LATE=

cmdline=
scenario=
shell=
skip=
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
		vfio_test.skip=*) skip=$(echo "${arg#*=}" | tr , ' ') ;;
		esac
	done
}

# Seconds since the guest booted, for the timings in the results.
uptime_s() {
	read -r up _ </proc/uptime
	echo "$up"
}

# Forks are expensive under TCG (a report of 17 devices cost seconds), so the report helpers
# are builtins only and leave their answer in REPLY.

# REPLY: the first line of attribute $1, or "none".
attr() {
	{ read -r REPLY <"$1"; } 2>/dev/null || REPLY=none
}

# REPLY: the name the link $1 points to (cd -P resolves it), or "none".
link_name() {
	REPLY=none
	[ -e "$1" ] && cd -P "$1" 2>/dev/null || return 0
	REPLY=${PWD##*/}
	cd /
}

# One line per PCI device: where it is after step TAG. vfio= is the inode of /dev/vfio/GROUP:
# a device unbound and bound again gets a new node.
report() {
	nodes=" $(stat -c '%n=%i' /dev/vfio/[0-9]* 2>/dev/null | tr '\n' ' ')"
	for d in /sys/bus/pci/devices/*; do
		link_name "$d/iommu_group"
		group=$REPLY vfio=no
		case $nodes in
		*" /dev/vfio/$group="*)
			vfio=${nodes#* /dev/vfio/"$group"=}
			vfio=${vfio%% *}
			;;
		esac
		link_name "$d/driver"
		line="$MARK dev $1 ${d##*/} driver=$REPLY group=$group vfio=$vfio"
		attr "$d/vendor"
		line="$line id=${REPLY#0x}"
		attr "$d/device"
		line="$line:${REPLY#0x}"
		attr "$d/class"
		line="$line class=$REPLY"
		attr "$d/boot_vga"
		echo "$line boot_vga=$REPLY"
	done
}

load_modules() {
	for m in $1; do
		case " $skip " in
		*" $m "*)
			echo "$MARK skip $m"
			continue
			;;
		esac
		modprobe "$m" </dev/null >/tmp/modprobe.out 2>&1
		rc=$?
		echo "$MARK modprobe $m rc=$rc t=$(uptime_s)"
		[ "$rc" = 0 ] || sed "s/^/@@VFIO-PREP-OUT@@ modprobe /" /tmp/modprobe.out
	done
}

run_step() {
	step=$((step + 1))
	echo "$MARK step $step begin $1"
	eval "$1" </dev/null >/tmp/step.out 2>&1
	rc=$?
	sed "s/^/@@VFIO-PREP-OUT@@ $step /" /tmp/step.out
	echo "$MARK step $step rc=$rc t=$(uptime_s)"
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

# For each module named: the file modules.dep gives for it, the format its first bytes say
# (xz fd377a585a00, zstd 28b52ffd, elf 7f454c46) and whether it is loaded; then one summary line
# "summary formats=F,... suffixes=S,... loaded=N/M" (distinct values, sorted).
vm_module_files() {
	dir=/lib/modules/$(uname -r)
	n=0 nloaded=0
	: >/tmp/modfmt
	for m in "$@"; do
		f=$(sed -n "s|^\([^:]*/$m\.ko[.a-z]*\):.*|\1|p" "$dir/modules.dep")
		[ -n "$f" ] || { echo "$m: not in modules.dep"; return 1; }
		magic=$(head -c 6 "$dir/$f" | od -An -tx1 | tr -d ' \n')
		case $magic in
		fd377a585a00) format=xz ;;
		28b52ffd*) format=zstd ;;
		7f454c46*) format=elf ;;
		*) format=unknown ;;
		esac
		loaded=no
		[ -d "/sys/module/$(echo "$m" | tr - _)" ] && loaded=yes && nloaded=$((nloaded + 1))
		n=$((n + 1))
		echo "$m: $f magic=$magic format=$format loaded=$loaded"
		echo "$format .ko${f##*.ko}" >>/tmp/modfmt
	done
	formats=$(cut -d' ' -f1 /tmp/modfmt | sort -u | tr '\n' , | sed 's/,$//')
	suffixes=$(cut -d' ' -f2 /tmp/modfmt | sort -u | tr '\n' , | sed 's/,$//')
	echo "summary formats=$formats suffixes=$suffixes loaded=$nloaded/$n"
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
	echo "$MARK end t=$(uptime_s)"
}

run_scenario() {
	if [ ! -r "/scenarios/$scenario.conf" ]; then
		echo "$MARK error no scenario '$scenario'"
		return
	fi
	# shellcheck source=/dev/null
	. "/scenarios/$scenario.conf"
	echo "$MARK scenario $scenario t=$(uptime_s)"
	if [ -n "$CONFIG" ]; then
		printf '%s\n' "$CONFIG" >/etc/vfio-prep.conf
		chmod 644 /etc/vfio-prep.conf
	fi
	if [ -n "$MODPROBE" ]; then
		mkdir -p /etc/modprobe.d
		printf '%s\n' "$MODPROBE" >/etc/modprobe.d/vfio.conf
	fi
	report start
	if [ -n "$PRE_MODULES" ]; then
		load_modules "$PRE_MODULES"
		report pre
	fi
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
