#!/bin/sh
# Boot tests of a root on LVM over md RAID1 across two NVMe drives of the same ID, both named in
# the configuration (by ID `device 1b36:0010` in vfio-prep.conf, by address in a drop-in):
# neither controller may be bound, the machine must boot to the real root's init with / mounted
# from /dev/mapper/..., and state.json and the kernel log must say why vfio-prep left them.
# Images from dracut (non-systemd and systemd, with dm, mdraid and lvm) and initramfs-tools
# (with the mdadm and lvm2 hooks), each booted once on tests/vm/qemu.sh's intel topology with
# -N (the second NVMe drive at 05:00.0; the first is 03:00.0).
#
#   md-lvm.sh [BUILD_DIR [TEST...]]   (default build/ and every test: dracut dracut-systemd
#                             initramfs-tools; needs root, and mdadm and lvm2 installed: the
#                             generators' md and LVM support copies them into the images)
#
# Environment: IT_MD_TIMEOUT (seconds per boot, 480), IT_BOOT=0 (build and inspect the images,
# boot nothing, the builder included), and lib.sh's.
#
# Prints "ok NAME" or "FAIL NAME: reason" per check, "time ..." lines, then
# "md-lvm.sh: N passed, N failed".
#
# The disks: this machine's kernel has neither md nor device-mapper, so a guest running the
# Debian kernel (raid1 and dm-mod are modules there) builds them, with Debian's mdadm and lvm
# (`apt-get download` + `dpkg -x` into the cache, copied into a busybox initramfs with their
# libraries; md-lvm-init.sh is its /init). It makes the array (metadata 1.2, fixed UUID), the
# volume group "vfioprep" and the volume "root", and marks where the volume starts. The two
# drives are cached under $VFIO_PREP_CACHE/md-lvm/disks-KEY, KEY a hash of the packages, the
# kernel and the builder: later runs boot no builder. Each run then writes the ext4 root (made
# on the host with mke2fs -d) at the marked offset of both drives, as RAID1 keeps it.
set -u

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

# shellcheck disable=SC2034 # read by lib.sh
IT_BUILD=${1:-$IT_TOP/build}
[ $# -gt 0 ] && shift
MD_TESTS=${*:-dracut dracut-systemd initramfs-tools}

MD_UUID=76666970:72657072:6f6f746d:64726169
MD_DEBS='mdadm lvm2 libdevmapper1.02.1 libdevmapper-event1.02.1 libaio1 libedit2'
MD_CACHE=${VFIO_PREP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vfio-prep}/md-lvm
MD_WORK=$IT_WORK/md-lvm
MD_SIZE=64M
MD_CONTROLLERS='0000:03:00.0 0000:05:00.0'
MD_APPEND="root=/dev/mapper/vfioprep-root rootfstype=ext4 rw"
# Seconds per boot: these take longer than the others (one at load average 8 reached the root's
# init after 164 s of guest time, 200 s of ours).
MD_TIMEOUT=${IT_MD_TIMEOUT:-480}
# Why vfio-prep may leave the root's controllers to nvme. The first pass (before udev, root
# not yet assembled) refuses every storage controller while the root device is unknown: the
# reason while there is no second pass ("storage controller while the root device is unknown",
# worded "the root device is not known yet, and it may hold the root file system" since the
# root-identification change). Once the second pass runs in the initramfs (after the root is
# assembled, before the switch to it), it follows / of the new root through dm-0 -> md127 ->
# both drives and refuses them as "root device": the reason expected then, the last one in
# state.json. Any other reason is a failure.
MD_REASONS='root device|storage controller while the root device is unknown|the root device is not known yet'

# --- Debian's mdadm and lvm, and the guest that builds the disks --------------------------------

# The downloaded .deb of package $1 (the last one in name order), or nothing.
md_deb() {
	found=
	for f in "$MD_CACHE/debs/${1}_"*.deb; do
		[ -e "$f" ] && found=$f
	done
	[ -n "$found" ] && echo "$found"
}

# The .deb files of MD_DEBS in $MD_CACHE/debs, downloaded once.
md_fetch_debs() {
	debdir=$MD_CACHE/debs
	mkdir -p "$debdir"
	for p in $MD_DEBS; do
		md_deb "$p" >/dev/null && continue
		(cd "$debdir" && apt-get download "$p") >"$MD_WORK/apt.log" 2>&1 || {
			tail -n 5 "$MD_WORK/apt.log" >&2
			it_log "apt-get download $p failed"
			return 1
		}
	done
}

# The cache key: the packages, the kernel, the builder and what it is told.
md_key() {
	{
		for p in $MD_DEBS; do
			md_deb "$p" | sed 's|.*/||'
		done
		echo "$KVER $MD_UUID $MD_SIZE"
		cat "$IT_DIR/md-lvm-init.sh"
	} | md5sum | cut -c1-12
}

# Copy binary $1 of the extracted packages (root $2) into the image $3 with every library
# ldd finds for it, the packages' own before the machine's, and the dynamic loader.
md_install_binary() {
	bin=$1 xroot=$2 stage=$3
	mkdir -p "$stage/sbin" "$stage/lib/x86_64-linux-gnu" "$stage/lib64"
	cp "$bin" "$stage/sbin/"
	libs=$(LD_LIBRARY_PATH="$xroot/lib/x86_64-linux-gnu:$xroot/usr/lib/x86_64-linux-gnu" ldd "$bin") ||
		{ it_log "ldd $bin failed"; return 1; }
	if echo "$libs" | grep -q 'not found'; then
		it_log "$bin: libraries not found: $(echo "$libs" | grep 'not found' | tr -s ' \t\n' ' ')"
		return 1
	fi
	echo "$libs" | sed -n 's/.*=> \(\/[^ ]*\) .*/\1/p' | while read -r lib; do
		cp -L "$lib" "$stage/lib/x86_64-linux-gnu/" || exit 1
	done || return 1
	cp -L /lib64/ld-linux-x86-64.so.2 "$stage/lib64/"
}

# The builder's initramfs, $1: busybox, mdadm, lvm, the modules for NVMe, md RAID1 and dm.
md_builder_image() {
	xroot=$MD_CACHE/tools-$KEY
	if [ ! -e "$xroot/.done" ]; then
		rm -rf "$xroot"
		mkdir -p "$xroot"
		for p in $MD_DEBS; do
			dpkg -x "$(md_deb "$p")" "$xroot" || return
		done
		touch "$xroot/.done"
	fi
	stage=$MD_WORK/builder.stage
	rm -rf "$stage"
	mkdir -p "$stage/bin" "$stage/sbin" "$stage/usr/bin" "$stage/usr/sbin" "$stage/proc" "$stage/sys" "$stage/dev" "$stage/run" "$stage/etc" \
		"$stage/lib/modules"
	cp -L "$(command -v busybox)" "$stage/bin/busybox"
	ln -s busybox "$stage/bin/sh"
	for b in mdadm lvm; do
		f=$(find "$xroot/sbin" "$xroot/usr/sbin" -name "$b" -type f 2>/dev/null | head -n 1)
		[ -n "$f" ] || { it_log "no $b in the extracted packages ($xroot)"; return 1; }
		md_install_binary "$f" "$xroot" "$stage" || return
	done
	# modprobe's own configuration stays out (-C /dev/null): mdadm's sets md_mod start_ro=1.
	for m in nvme raid1 dm_mod; do
		modprobe -C /dev/null -d "$KROOT" -S "$KVER" --show-depends "$m" || return
	done | awk '$1 == "insmod" && !seen[$2]++ { print $2 }' | while read -r path; do
		rel=${path#"$MODDIR"/}
		mkdir -p "$stage/lib/modules/${rel%/*}"
		cp "$path" "$stage/lib/modules/$rel" || exit 1
		echo "$rel" >>"$stage/modules.list"
	done || return 1
	install -m 755 "$IT_DIR/md-lvm-init.sh" "$stage/init"
	(cd "$stage" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | gzip -1 >"$1"
}

# Boot the builder on two blank drives in directory $1; writes $1/layout ("OFFSET SIZE": where
# the volume starts inside each drive, and its size, in bytes).
md_run_builder() {
	dir=$1
	truncate -s "$MD_SIZE" "$dir/a.img" "$dir/b.img"
	md_builder_image "$dir/builder.cpio.gz" || return
	t0=$(it_now)
	timeout -k 5 "$IT_TIMEOUT" qemu-system-x86_64 -accel tcg -m 1024 -smp 1 -nographic \
		-no-reboot -nodefaults -machine q35 -kernel "$VMLINUZ" -initrd "$dir/builder.cpio.gz" \
		-append "console=ttyS0 panic=-1 no_timer_check mdlvm.uuid=$MD_UUID" \
		-drive "file=$dir/a.img,if=none,id=d0,format=raw" -device nvme,drive=d0,serial=mdlvm0 \
		-drive "file=$dir/b.img,if=none,id=d1,format=raw" -device nvme,drive=d1,serial=mdlvm1 \
		-serial "file:$dir/builder.log" -monitor none </dev/null || {
		it_log "the builder's QEMU failed or timed out (log: $dir/builder.log)"
		return 1
	}
	echo "time md-lvm: disks built in a guest in $(it_since "$t0") s"
	tr -d '\r' <"$dir/builder.log" >"$dir/builder.txt"
	grep -q '^@@MDLVM@@ done rc=0$' "$dir/builder.txt" || {
		grep '^@@MDLVM@@' "$dir/builder.txt" | tail -n 5 >&2
		it_log "building the md/LVM disks failed in the guest (log: $dir/builder.txt)"
		return 1
	}
	size=$(sed -n 's/^@@MDLVM@@ lv-size \([0-9]*\)$/\1/p' "$dir/builder.txt")
	oa=$(grep -obUaF VFIOPREP-LV-START "$dir/a.img" | head -n 1 | cut -d: -f1)
	ob=$(grep -obUaF VFIOPREP-LV-START "$dir/b.img" | head -n 1 | cut -d: -f1)
	if [ -z "$size" ] || [ -z "$oa" ] || [ "$oa" != "$ob" ] || [ $((oa % 4096)) != 0 ]; then
		it_log "the volume's start differs or is missing: size=${size:-?} a=${oa:-?} b=${ob:-?}"
		return 1
	fi
	echo "$oa $size" >"$dir/layout"
}

# The two drives, built once per KEY: sets MD_DISKS to their cache directory.
md_disks() {
	md_fetch_debs || return
	KEY=$(md_key)
	MD_DISKS=$MD_CACHE/disks-$KEY
	if [ -s "$MD_DISKS/layout" ]; then
		it_log "md/LVM disks from the cache: $MD_DISKS"
		return 0
	fi
	tmp=$MD_CACHE/building-$KEY.$$
	rm -rf "$tmp"
	mkdir -p "$tmp"
	if ! md_run_builder "$tmp"; then
		rm -rf "$MD_WORK/builder.failed"
		mv "$tmp" "$MD_WORK/builder.failed"
		return 1
	fi
	rm -f "$tmp/builder.cpio.gz"
	rm -rf "$MD_DISKS"
	mv "$tmp" "$MD_DISKS"
}

# This run's copies of the drives with the root file system written into the volume:
# $MD_WORK/qemu-cache/nvme.img (03:00.0, where qemu.sh looks) and $MD_WORK/nvme-b.img (-N).
md_root_disks() {
	read -r off size <"$MD_DISKS/layout"
	mkdir -p "$MD_WORK/qemu-cache"
	cp "$MD_DISKS/a.img" "$MD_WORK/qemu-cache/nvme.img" || return
	cp "$MD_DISKS/b.img" "$MD_WORK/nvme-b.img" || return
	rm -f "$MD_WORK/root.ext4"
	truncate -s "$size" "$MD_WORK/root.ext4"
	mke2fs -q -F -t ext4 -L vfio-root -d "$IT_WORK/rootfs" "$MD_WORK/root.ext4" >/dev/null || return
	for img in "$MD_WORK/qemu-cache/nvme.img" "$MD_WORK/nvme-b.img"; do
		dd if="$MD_WORK/root.ext4" of="$img" bs=4096 seek=$((off / 4096)) conv=notrunc \
			status=none || return
	done
}

# --- the configuration and the images ---------------------------------------------------------

md_config() {
	rm -rf "$1"
	mkdir -p "$1/vfio-prep.d"
	cat >"$1/vfio-prep.conf" <<-EOF
		# tests/initramfs md-lvm: both NVMe drives by their ID; they hold the root together
		device 1b36:0010
	EOF
	cat >"$1/vfio-prep.d/50-nvme.conf" <<-EOF
		# the same two drives by address: vfio-prep must leave both to nvme
		device 0000:03:00.0
		device 0000:05:00.0
	EOF
}

MD_DRACUT_BASE='bash base udev-rules rootfs-block fs-lib dm mdraid lvm vfio-prep'
MD_DRACUT_SYSTEMD='systemd systemd-initrd systemd-udevd dracut-systemd'

# md_dracut_image NAME MODULES: $MD_WORK/NAME.img and its listing NAME.list.
md_dracut_image() {
	mkdir -p "$MD_WORK/dracut.conf.d"
	: >"$MD_WORK/dracut.conf"
	t0=$(it_now)
	it_ns "md-$1" "$MD_CONF" dracut --force --kver "$KVER" --kmoddir "$MODDIR" \
		--conf "$MD_WORK/dracut.conf" --confdir "$MD_WORK/dracut.conf.d" --tmpdir "$IT_WORK" \
		--no-early-microcode --no-compress --no-hostonly -m "$2" \
		--add-drivers "$IT_DRIVERS raid1 dm_mod" "$MD_WORK/$1.img" \
		>"$MD_WORK/$1.build.log" 2>&1
	rc=$?
	echo "time md-lvm-$1: dracut $(it_since "$t0") s"
	[ "$rc" = 0 ] || return "$rc"
	lsinitrd "$MD_WORK/$1.img" | awk '{ print $NF }' >"$MD_WORK/$1.list"
}

md_dracut() {
	md_dracut_image dracut "$MD_DRACUT_BASE"
}

md_dracut_systemd() {
	md_dracut_image dracut-systemd "$MD_DRACUT_SYSTEMD $MD_DRACUT_BASE"
}

md_itools() {
	d=$MD_WORK/initramfs-tools.conf
	rm -rf "$d"
	mkdir -p "$d/conf.d" "$d/hooks" "$d/scripts"
	printf '%s\n' MODULES=list BUSYBOX=auto COMPRESS=zstd >"$d/initramfs.conf"
	# shellcheck disable=SC2086 # one module per line
	printf '%s\n' $IT_DRIVERS raid1 dm_mod >"$d/modules"
	t0=$(it_now)
	# mdadm's hook copies /etc/mdadm/mdadm.conf (of the namespace) into the image.
	# shellcheck disable=SC2016 # for the inner shell
	it_ns md-initramfs-tools "$MD_CONF" sh -c 'mkdir -p /etc/mdadm &&
		printf "%s\n" "HOMEHOST <system>" "ARRAY /dev/md/root metadata=1.2 UUID=$1" \
			>/etc/mdadm/mdadm.conf && shift && exec "$@"' sh "$MD_UUID" \
		mkinitramfs -d "$d" -o "$MD_WORK/initramfs-tools.img" "$KVER" \
		>"$MD_WORK/initramfs-tools.build.log" 2>&1
	rc=$?
	echo "time md-lvm-initramfs-tools: mkinitramfs $(it_since "$t0") s"
	[ "$rc" = 0 ] || return "$rc"
	lsinitramfs "$MD_WORK/initramfs-tools.img" >"$MD_WORK/initramfs-tools.list"
}

# The image listing $1 has every path in $2 (regular expressions on a whole path).
md_image_has() {
	IT_WHY=
	for p in $2; do
		grep -Eq "(^| )$p\$" "$1" || IT_WHY="${IT_WHY:+$IT_WHY, }no $p"
	done
	[ -z "$IT_WHY" ]
}

MD_KO='usr/lib/modules/[^/]+/kernel/drivers/md'
MD_IMAGE_FILES="usr/s?bin/mdadm usr/s?bin/lvm $MD_KO/raid1.ko $MD_KO/dm-mod.ko usr/bin/vfio-prep
etc/vfio-prep.conf etc/vfio-prep.d/50-nvme.conf"

# --- booting and checking ---------------------------------------------------------------------

md_boot() {
	log=$MD_WORK/$1.log
	t0=$(it_now)
	rc=0
	VFIO_PREP_CACHE=$MD_WORK/qemu-cache sh "$IT_TOP/tests/vm/qemu.sh" -t intel -k "$VMLINUZ" \
		-i "$2" -a "$MD_APPEND $3" -N "$MD_WORK/nvme-b.img" -l "$log.raw" -T "$MD_TIMEOUT" || rc=$?
	tr -d '\r' <"$log.raw" >"$log"
	rm -f "$log.raw"
	echo "time $1: boot $(it_since "$t0") s$([ "$rc" = 0 ] || echo " (qemu.sh exited $rc)")"
}

# / came from /dev/mapper/... on a dm device over one md array over both NVMe drives (log $1).
md_root_stacked() {
	line=$(sed -n "s/^$MARK root //p" "$1" | head -n 1)
	IT_WHY="root: ${line:-not reported}"
	echo "$line" | grep -Eq \
		'^source=/dev/mapper/[^ ]+ dev=[0-9]+:[0-9]+ chain=dm-[0-9]+\(md[0-9]+\((nvme0n1 nvme1n1|nvme1n1 nvme0n1)\)\)$'
}

# state.json leaves controller $2 to the host for one of MD_REASONS, and the kernel log says so.
md_left_for_reason() {
	st=$(it_state_of "$1" "$2")
	kmsg=$(sed -n "s/^$MARK kmsg .*vfio-prep: $2: //p" "$1" | head -n 1)
	IT_WHY="state.json: '${st:-nothing}'; kernel log: '${kmsg:-nothing}'"
	echo "$st" | grep -Eq "^bound=false reason=\"($MD_REASONS)" &&
		echo "$kmsg" | grep -Eq "(^|: )($MD_REASONS)"
}

md_check() {
	mdn=$1 log=$MD_WORK/$1.log
	if ! it_reached_root "$log"; then
		it_fail "$mdn: boots to the root's init" "no report from /sbin/init on the md/LVM root (see $log)"
		return
	fi
	it_ok "$mdn: boots to the root's init"
	it_expect "$mdn: / is mounted from /dev/mapper/ over md RAID1 over both NVMe drives" \
		md_root_stacked "$log"
	it_expect "$mdn: both NVMe controllers stay on nvme" it_drivers_are "$log" \
		"0000:03:00.0=nvme 0000:05:00.0=nvme"
	it_expect "$mdn: nothing is on vfio-pci" it_vfio_only "$log" ''
	for c in $MD_CONTROLLERS; do
		it_expect "$mdn: state.json and the kernel log say why $c was left" \
			md_left_for_reason "$log" "$c"
	done
}

md_tools() {
	missing=
	for t in mdadm lvm; do
		command -v "$t" >/dev/null 2>&1 || missing="$missing $t"
	done
	[ -z "$missing" ] && return 0
	IT_WHY="not installed:$missing; the generators' md and LVM support needs them (apt-get install mdadm lvm2)"
	return 1
}

# md_test NAME BUILD_FUNCTION APPEND: build the image, check what it carries, boot it (when
# MD_TESTS names it).
md_test() {
	case " $MD_TESTS " in
	*" ${1#md-lvm-} "*) ;;
	*) return 0 ;;
	esac
	img=$MD_WORK/${1#md-lvm-}.img
	if ! "$2"; then
		it_fail "$1: the generator builds the image with md and LVM support" \
			"see $MD_WORK/${1#md-lvm-}.build.log"
		return
	fi
	it_ok "$1: the generator builds the image with md and LVM support"
	it_expect "$1: the image has mdadm, lvm, raid1, dm-mod and vfio-prep with its config" \
		md_image_has "$MD_WORK/${1#md-lvm-}.list" "$MD_IMAGE_FILES"
	[ "${IT_BOOT:-1}" = 1 ] || return 0
	md_boot "$1" "$img" "$3"
	md_check "$1"
}

main() {
	it_setup
	start=$(it_now)
	mkdir -p "$MD_WORK"
	if ! md_tools; then
		it_fail "md-lvm: mdadm and lvm2 are installed" "$IT_WHY"
		it_summary
		exit
	fi
	it_ok "md-lvm: mdadm and lvm2 are installed"
	MD_CONF=$MD_WORK/config
	md_config "$MD_CONF"
	if [ "${IT_BOOT:-1}" = 1 ]; then
		# The disks need a boot of their own (once; cached).
		if ! md_disks; then
			it_fail "md-lvm: the md RAID1 + LVM disks are built" "see above and $MD_WORK/builder.failed"
			it_summary
			exit
		fi
		if ! md_root_disks; then
			it_fail "md-lvm: the root file system is written into the logical volume" "see above"
			it_summary
			exit
		fi
		it_ok "md-lvm: the md RAID1 + LVM disks are ready ($MD_DISKS)"
	fi
	md_test md-lvm-dracut md_dracut "rd.md.uuid=$MD_UUID rd.lvm.lv=vfioprep/root"
	md_test md-lvm-dracut-systemd md_dracut_systemd "rd.md.uuid=$MD_UUID rd.lvm.lv=vfioprep/root"
	md_test md-lvm-initramfs-tools md_itools ""
	echo "time md-lvm.sh: $(it_since "$start") s"
	it_summary
}

main "$@"
