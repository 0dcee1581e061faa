# shellcheck shell=sh
# Shared by the initramfs boot tests (dracut.sh, initramfs-tools.sh); sourced, never run.
#
# Every test builds a real image with the distribution's generator for Debian's kernel
# (tests/vm/kernel.sh), with the hooks as `make install PREFIX=/usr` puts them (ns.sh), and boots
# it under QEMU (tests/vm/qemu.sh, topology "intel-storage") to an ext4 root (by UUID) on the
# emulated NVMe disk 03:00.0, whose /sbin/init (root-init.sh) reports where every PCI device
# ended up.
#
# The topology's addresses (tests/vm/qemu.sh):
#   00:01.0 VGA (boot VGA)   00:02.0 e1000e   00:03.0 -> 01:00.0 qemu-xhci
#   00:04.0 -> 02:00.0 VGA + 02:00.1 intel-hda   00:05.0 -> 03:00.0 NVMe (the root disk)
#   00:06.0 pcie-pci-bridge -> 04:01.0, 04:02.0 e1000   00:1f.0/.2/.3 ICH9
#   00:08.0 -> 05:00.0 NVMe, the same ID as 03:00.0 (blank)
#   00:09.0 -> 06:00.0 NVMe, SR-IOV PF (VFs 06:00.1 and 06:00.2 once created)
# shellcheck disable=SC2034 # IT_* variables are for the scripts that source this file

IT_DIR=${IT_DIR:-$(cd "$(dirname "$0")" && pwd)}
IT_TOP=${IT_TOP:-$(cd "$IT_DIR/../.." && pwd)}
IT_WORK=${IT_WORKDIR:-$IT_TOP/build/initramfs}
IT_TIMEOUT=${IT_TIMEOUT:-240}
MARK=@@ROOT@@
TOP=$IT_TOP
# shellcheck source=tests/lib.sh
. "$IT_TOP/tests/lib.sh"

# What the config selects (the GPU brings its HDA function through functions=auto; the drop-in
# names every NVMe drive by its ID, 1b36:0010, which the VFs have too), the root disk's
# controller (selected by that ID; must stay on nvme), the SR-IOV PF (vfs=2: stays on nvme),
# and the host drivers that must hold the rest after udev's coldplug. The first pass binds
# IT_FIRST before udev; the second, once root is mounted, IT_SECOND.
IT_FIRST='0000:01:00.0 0000:02:00.0 0000:02:00.1'
IT_SECOND='0000:05:00.0 0000:06:00.1 0000:06:00.2'
IT_SELECTED="$IT_FIRST $IT_SECOND"
IT_ROOTCTL=0000:03:00.0
IT_PF=0000:06:00.0
IT_HOST='0000:00:01.0=bochs-drm 0000:00:02.0=e1000e 0000:00:03.0=pcieport
0000:00:04.0=pcieport 0000:00:05.0=pcieport 0000:00:08.0=pcieport 0000:00:09.0=pcieport
0000:00:1f.2=ahci 0000:03:00.0=nvme 0000:04:01.0=e1000 0000:04:02.0=e1000 0000:06:00.0=nvme'
# Where the selected devices go when vfio-prep stands aside (vfio-prep.disable).
IT_HOST_SELECTED='0000:01:00.0=xhci_hcd 0000:02:00.0=bochs-drm 0000:02:00.1=snd_hda_intel
0000:05:00.0=nvme 0000:06:00.0=nvme'
# Drivers the images carry besides what the root needs: the ones vfio-prep must beat.
IT_DRIVERS='nvme ext4 ahci xhci_pci snd_hda_intel bochs e1000 e1000e'
# The root file system's UUID: nvme names its controllers in probe order, which a test must
# not depend on.
IT_ROOT_UUID=5f0e1d2c-3b4a-4958-8776-a5b4c3d2e1f0
IT_APPEND="root=UUID=$IT_ROOT_UUID rootfstype=ext4 rw"

it_log() {
	printf '%s: %s\n' "${0##*/}" "$*" >&2
}

it_die() {
	it_log "$*"
	exit 1
}

it_now() {
	date +%s.%N | cut -c1-13
}

it_since() {
	awk -v a="$1" -v b="$(it_now)" 'BEGIN { printf "%.1f", b - a }'
}

it_ok() {
	t_ok "$1"
}

it_fail() {
	t_fail "$1: $2"
}

# it_expect NAME COMMAND...: ok when COMMAND succeeds, else FAIL with the reason COMMAND left
# in IT_WHY.
it_expect() {
	name=$1
	shift
	IT_WHY=
	if "$@"; then it_ok "$name"; else it_fail "$name" "${IT_WHY:-$* failed}"; fi
}

# --- setup ----------------------------------------------------------------------------------

IT_PACKAGES='dracut-core initramfs-tools-core udev systemd zstd kmod cpio e2fsprogs
busybox-static qemu-system-x86'

# Install the generators (and what the boots need) when root, or say how.
it_packages() {
	missing=
	for p in $IT_PACKAGES; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' ||
			missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	if [ "$(id -u)" != 0 ]; then
		it_log "missing packages:$missing"
		it_log "run: sudo apt-get install -y --no-install-recommends$missing"
		return 1
	fi
	it_log "installing:$missing"
	# shellcheck disable=SC2086 # a list of package names
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing \
		>"$IT_WORK/apt.log" 2>&1 || {
		apt-get update -qq >/dev/null 2>&1
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
			$missing >"$IT_WORK/apt.log" 2>&1
	} || {
		cat "$IT_WORK/apt.log" >&2
		return 1
	}
}

# The root file system of every boot: busybox and root-init.sh as /sbin/init, made without
# root privileges or loop mounts. qemu.sh attaches $VM_CACHE/nvme.img (snapshot=on, so one
# image serves every boot), hence the private cache directory.
it_rootfs() {
	dir=$IT_WORK/rootfs
	rm -rf "$dir" "$IT_WORK/qemu-cache"
	mkdir -p "$dir/bin" "$dir/sbin" "$dir/etc" "$dir/proc" "$dir/sys" "$dir/dev" "$dir/run" \
		"$dir/tmp" "$IT_WORK/qemu-cache"
	bb=$(command -v busybox) || return 1
	cp -L "$bb" "$dir/bin/busybox"
	for applet in $("$dir/bin/busybox" --list); do
		[ -e "$dir/bin/$applet" ] || ln -s busybox "$dir/bin/$applet"
	done
	install -m 755 "$IT_DIR/root-init.sh" "$dir/sbin/init"
	# systemd's initrd refuses to switch to a root without one.
	printf '%s\n' 'NAME="vfio-prep test root"' 'ID=vfio-prep-test' >"$dir/etc/os-release"
	mke2fs -q -t ext4 -L vfio-root -U "$IT_ROOT_UUID" -d "$dir" "$IT_WORK/qemu-cache/nvme.img" 32M \
		>/dev/null
}

# The configuration every image carries, in directory $1 (read by ns.sh): the USB controller,
# the graphics card and the SR-IOV PF's VFs in the main file, every NVMe drive by ID in a
# drop-in (the root disk's among them); a modprobe.d file with an option for vfio-pci and one
# that has nothing to do with vfio.
it_config() {
	mkdir -p "$1/vfio-prep.d" "$1/modprobe.d"
	cat >"$1/vfio-prep.conf" <<-EOF
		# tests/initramfs: the USB controller behind root port 00:03.0, the graphics card
		# behind 00:04.0 (its HDA function follows through functions=auto), two VFs of the
		# NVMe behind 00:09.0 (the PF keeps nvme; this entry comes first, so it is the PF's)
		device 0000:01:00.0
		device 0000:02:00.0
		device $IT_PF vfs=2
	EOF
	cat >"$1/vfio-prep.d/50-root.conf" <<-EOF
		# every NVMe drive by ID, the root disk's too: vfio-prep must leave that one to nvme
		device 1b36:0010
	EOF
	echo 'options vfio-pci disable_idle_d3=1' >"$1/modprobe.d/vfio-prep-test.conf"
	echo 'options e1000 TxDescriptors=128' >"$1/modprobe.d/unrelated-test.conf"
}

# Everything the tests share; sets KVER, VMLINUZ, MODDIR, KROOT and IT_CONF.
it_setup() {
	[ "$(id -u)" = 0 ] ||
		it_die "needs root: the generators run in a private mount namespace (unshare -m)"
	mkdir -p "$IT_WORK"
	it_packages || it_die "cannot install the packages the boot tests need"
	[ -x "$IT_BUILD/vfio-prep" ] || it_die "no $IT_BUILD/vfio-prep: run make first"
	KVER='' VMLINUZ='' MODDIR='' KROOT=''
	eval "$(sh "$IT_TOP/tests/vm/kernel.sh")"
	[ -n "$KVER" ] || it_die "tests/vm/kernel.sh gave no kernel"
	it_rootfs || it_die "cannot make the root file system"
	IT_CONF=$IT_WORK/config
	rm -rf "$IT_CONF"
	it_config "$IT_CONF"
	if [ -e "$IT_BUILD/vfio-prep.static" ]; then
		it_log "binary: $IT_BUILD/vfio-prep.static (the hooks prefer it)"
	else
		it_log "binary: $IT_BUILD/vfio-prep (dynamic)"
	fi
}

# it_ns NAME CONFIG_DIR COMMAND...: run COMMAND with vfio-prep installed (ns.sh); the overlay
# state goes to $IT_WORK/NAME.ns.
it_ns() {
	state=$IT_WORK/$1.ns conf=$2
	shift 2
	rm -rf "$state"
	unshare -m sh "$IT_DIR/ns.sh" "$state" "$KROOT" "$KVER" "$IT_BUILD" "$conf" "$@"
}

# it_build NAME CONFIG_DIR GENERATOR ARG...: run the generator (in it_ns) to build
# $IT_WORK/NAME.img, its log in $IT_WORK/NAME.build.log; say how long it took and how large the
# image is, and show the end of the log when it failed.
it_build() {
	_name=$1 _conf=$2
	shift 2
	_t0=$(it_now)
	_rc=0
	it_ns "$_name" "$_conf" "$@" >"$IT_WORK/$_name.build.log" 2>&1 || _rc=$?
	echo "time $_name: $1 $(it_since "$_t0") s," \
		"$(du -m "$IT_WORK/$_name.img" 2>/dev/null | cut -f1) MB"
	[ "$_rc" = 0 ] || tail -n 20 "$IT_WORK/$_name.build.log" >&2
	return "$_rc"
}

# A stand-in for vfio-prep in directory $IT_WORK/fake-bin: appends its arguments to
# $VFIO_PREP_FAKE_LOG and exits with $VFIO_PREP_FAKE_RC (the hooks must not care).
it_fake_binary() {
	mkdir -p "$IT_WORK/fake-bin"
	# shellcheck disable=SC2016 # for the inner shell
	printf '%s\n' '#!/bin/sh' 'echo "vfio-prep $*" >>"$VFIO_PREP_FAKE_LOG"' \
		'exit "${VFIO_PREP_FAKE_RC:-0}"' >"$IT_WORK/fake-bin/vfio-prep"
	chmod 755 "$IT_WORK/fake-bin/vfio-prep"
	echo "$IT_WORK/fake-bin"
}

# --- booting ----------------------------------------------------------------------------------

# it_boot NAME IMAGE [APPEND]: boot IMAGE, serial console to $IT_WORK/NAME.log (CRs removed).
it_boot() {
	log=$IT_WORK/$1.log
	t0=$(it_now)
	rc=0
	VFIO_PREP_CACHE=$IT_WORK/qemu-cache sh "$IT_TOP/tests/vm/qemu.sh" -t intel-storage -k "$VMLINUZ" \
		-i "$2" -a "$IT_APPEND${3:+ $3}" -l "$log.raw" -T "$IT_TIMEOUT" || rc=$?
	tr -d '\r' <"$log.raw" >"$log"
	rm -f "$log.raw"
	echo "time $1: boot $(it_since "$t0") s$([ "$rc" = 0 ] || echo " (qemu.sh exited $rc)")"
	return "$rc"
}

# The driver of device $2 as the root's init saw it in log $1.
it_driver() {
	sed -n "s/^$MARK dev $2 driver=\([^ ]*\) .*/\1/p" "$1" | head -n 1
}

# Log $1 shows the root's init as PID 1 and its report complete.
it_reached_root() {
	grep -q "^$MARK init pid=1\$" "$1" && grep -q "^$MARK end\$" "$1"
}

# Every ADDR=DRIVER pair of $2 holds in log $1; mismatches go to $IT_WHY.
it_drivers_are() {
	IT_WHY=
	for pair in $2; do
		got=$(it_driver "$1" "${pair%%=*}")
		[ "$got" = "${pair#*=}" ] || IT_WHY="$IT_WHY ${pair%%=*} on ${got:-?} (want ${pair#*=})"
	done
	[ -z "$IT_WHY" ]
}

# Only the devices in $2 are on vfio-pci in log $1.
it_vfio_only() {
	got=$(sed -n "s/^$MARK dev \([^ ]*\) driver=vfio-pci .*/\1/p" "$1" | tr '\n' ' ')
	IT_WHY="on vfio-pci: ${got:-nothing}"
	[ "$got" = "${2:+$2 }" ]
}

# The state.json entry of device $2 in log $1, as "bound=B reason=R pass=P".
it_state_of() {
	sed -n "s/^$MARK state //p" "$1" | awk -v want="\"$2\"" '
		/"address":/ { cur = $2; sub(/,$/, "", cur) }
		cur == want && /"bound":/ { b = $2; sub(/,$/, "", b) }
		cur == want && /"reason":/ { sub(/.*"reason": */, ""); sub(/,$/, ""); r = $0 }
		cur == want && /"pass":/ { p = $2; sub(/,$/, "", p) }
		END { if (b != "") printf "bound=%s reason=%s pass=%s\n", b, r, p }'
}

# it_bound_by_pass LOG PASS DEVICES: the boot record says pass PASS bound each of DEVICES.
it_bound_by_pass() {
	IT_WHY=
	for d in $3; do
		st=$(it_state_of "$1" "$d")
		case $st in
		"bound=true reason=null pass=$2") ;;
		*) IT_WHY="$IT_WHY $d: ${st:-no entry}" ;;
		esac
	done
	[ -z "$IT_WHY" ]
}

# Module parameter $2 ("vfio_pci.disable_idle_d3") had value $3 when the root's init ran.
it_param_is() {
	got=$(sed -n "s/^$MARK param $2=//p" "$1" | head -n 1)
	IT_WHY="$2=${got:-?}, want $3"
	[ "$got" = "$3" ]
}

# Kernel timestamp of the first console line matching ERE $2 in log $1.
it_stamp() {
	grep -E -m1 "^\[ *[0-9]+\.[0-9]+\] ($2)" "$1" | sed 's/^\[ *\([0-9.]*\)\].*/\1/'
}

# vfio-prep spoke before any host driver that udev's coldplug loads had probed a device.
it_before_udev() {
	tv=$(it_stamp "$1" 'vfio-prep: ')
	th=$(it_stamp "$1" 'nvme nvme0: pci function|e1000e 0000|e1000 0000|bochs-drm 0000|ahci 0000')
	IT_WHY="vfio-prep at ${tv:-never}, first host driver at ${th:-never}"
	[ -n "$tv" ] && [ -n "$th" ] && awk -v a="$tv" -v b="$th" 'BEGIN { exit !(a < b) }'
}

# No device of the first pass had to be taken from a host driver: vfio-prep came first
# (log $1). The second pass takes the non-root NVMe from nvme, which udev loaded.
it_no_takeover() {
	IT_WHY=
	for d in $IT_FIRST; do
		IT_WHY="$IT_WHY$(sed -n "s/^$MARK kmsg .*vfio-prep: \($d: .*taken from.*\)/\1 /p" "$1")"
	done
	[ -z "$IT_WHY" ]
}

# The SR-IOV PF's record: the first pass deferred its VFs, the second created them (log $1).
it_pf_ok() {
	st=$(it_state_of "$1" "$IT_PF")
	IT_WHY="state.json says '${st:-nothing}'; kmsg: $(grep -c "vfio-prep: $IT_PF: 2 virtual functions deferred" "$1") deferral line(s)"
	case $st in
	'bound=false reason="SR-IOV PF: 2 virtual functions created; the PF stays with nvme" pass=2') ;;
	*) return 1 ;;
	esac
	grep -q "^$MARK kmsg .*vfio-prep: $IT_PF: 2 virtual functions deferred to the second pass" "$1"
}

# The assertions on a boot that applied the configuration (log $2), named after $1.
it_check_apply() {
	log=$2
	if ! it_reached_root "$log"; then
		it_fail "$1: boots to the root's init" "no report from /sbin/init on the NVMe root (see $log)"
		return
	fi
	it_ok "$1: boots to the root's init"
	it_expect "$1: the configured devices are on vfio-pci, nothing else" it_vfio_only "$log" "$IT_SELECTED"
	it_expect "$1: host drivers hold everything else" it_drivers_are "$log" "$IT_HOST"
	st=$(it_state_of "$log" "$IT_ROOTCTL")
	case $st in
	'bound=false reason="'*root*'" pass=2') it_ok "$1: the root disk's controller stays on nvme: $st" ;;
	*) it_fail "$1: the root disk's controller stays on nvme" "state.json says '${st:-nothing}'" ;;
	esac
	it_expect "$1: the first pass bound the GPU and the USB controller" it_bound_by_pass "$log" 1 "$IT_FIRST"
	it_expect "$1: the second pass bound the other NVMe and the two VFs" it_bound_by_pass "$log" 2 "$IT_SECOND"
	it_expect "$1: the first pass deferred the VFs, the second created them; the PF stays on nvme" \
		it_pf_ok "$log"
	it_expect "$1: vfio-prep ran before udev's coldplug" it_before_udev "$log"
	it_expect "$1: no device of the first pass had a host driver to take it from" it_no_takeover "$log"
	it_expect "$1: modprobe.d options reach vfio-pci" it_param_is "$log" vfio_pci.disable_idle_d3 Y
}

it_disabled_ok() {
	IT_WHY="no report from /sbin/init on the NVMe root (see $1)"
	it_reached_root "$1" && it_vfio_only "$1" '' && it_drivers_are "$1" "$IT_HOST_SELECTED"
}

# The assertions on a boot with vfio-prep.disable (log $2): host drivers take every device.
it_check_disabled() {
	it_expect "$1: with vfio-prep.disable the host drivers take the configured devices" \
		it_disabled_ok "$2"
}

# The root record a build hook stores: what `vfio-prep --root-record` prints on this machine,
# or nothing when it fails (exit 1, or a vfio-prep without that option).
it_root_record_want() {
	bin=$IT_BUILD/vfio-prep
	[ -x "$IT_BUILD/vfio-prep.static" ] && bin=$IT_BUILD/vfio-prep.static
	"$bin" --root-record 2>/dev/null || echo '(none)'
}

it_equals() {
	IT_WHY="got '$1', want '$2'"
	[ "$1" = "$2" ]
}

it_summary() {
	t_end
}
