# shellcheck shell=sh
# dracut module vfio-prep: binds the PCI devices named in /etc/vfio-prep.conf to vfio-pci
# before udev's coldplug loads their host drivers (the pre-udev hook, the first pass), and
# binds storage controllers and SR-IOV VFs once the real root is mounted (the pre-pivot hook,
# the second pass; see vfio-prep(8)).
#
# dracut (bash) sources this file; it is written in POSIX sh all the same. Helpers and
# variables carry a vfio_prep prefix because they live on in dracut's shell.
# shellcheck disable=SC2154 # dracut sets moddir, initdir, systemdsystemunitdir

# Where `make install` puts the binaries, the static one first within each prefix: it needs
# no libraries in the image. Prints the first that exists.
vfio_prep_binary() {
	for vfio_prep_f in /usr/lib/vfio-prep/vfio-prep.static /usr/bin/vfio-prep \
		/usr/local/lib/vfio-prep/vfio-prep.static /usr/local/bin/vfio-prep; do
		if [ -x "${dracutsysrootdir-}$vfio_prep_f" ]; then
			echo "$vfio_prep_f"
			return 0
		fi
	done
	return 1
}

# True when a configuration file has a "device" line; vfio-prep --check judges the rest.
vfio_prep_configured() {
	for vfio_prep_f in "${dracutsysrootdir-}"/etc/vfio-prep.conf \
		"${dracutsysrootdir-}"/etc/vfio-prep.d/*.conf; do
		[ -f "$vfio_prep_f" ] || continue
		grep -Eq '^[[:space:]]*device[[:space:]]+[^[:space:]#]' "$vfio_prep_f" && return 0
	done
	return 1
}

# Included in every image once a device is configured; otherwise only on request
# (--add vfio-prep), e.g. for vfio-prep.devices= on the kernel command line alone.
check() {
	vfio_prep_binary >/dev/null || return 1
	vfio_prep_configured && return 0
	return 255
}

depends() {
	return 0
}

# hostonly='': the vfio modules are rarely loaded while the image is built, and a host-only
# image would otherwise leave out every module that is not. vfio_virqfd is a module of its own
# only before 6.2 (then it joined vfio); instmods passes over names the kernel lacks.
installkernel() {
	hostonly='' instmods vfio vfio_iommu_type1 vfio-pci vfio-pci-core vfio_virqfd irqbypass
}

install() {
	vfio_prep_bin=$(vfio_prep_binary) || {
		derror "vfio-prep: no vfio-prep binary installed"
		return 1
	}
	case $vfio_prep_bin in
	*.static) inst_simple "$vfio_prep_bin" /usr/bin/vfio-prep ;;
	*) inst_binary "$vfio_prep_bin" /usr/bin/vfio-prep ;;
	esac || return 1

	for vfio_prep_f in "${dracutsysrootdir-}"/etc/vfio-prep.conf \
		"${dracutsysrootdir-}"/etc/vfio-prep.d/*.conf; do
		[ -f "$vfio_prep_f" ] || continue
		inst_simple "${vfio_prep_f#"${dracutsysrootdir-}"}" || return 1
	done
	vfio_prep_install_modprobe_d
	vfio_prep_install_root_record
	inst_hook pre-udev 00 "$moddir/vfio-prep-apply.sh"
	# pre-pivot: root mounted at $NEWROOT, not yet switched to; udev still runs. In systemd
	# images dracut-pre-pivot.service runs the same hook directory (after sysroot.mount and
	# initrd.target, before initrd-cleanup.service).
	inst_hook pre-pivot 10 "$moddir/vfio-prep-sysroot.sh"
	vfio_prep_install_systemd_order
	unset vfio_prep_bin vfio_prep_f
}

# What kind of controller holds this machine's root, as `vfio-prep --root-record` describes it
# now, for the first pass (see vfio-prep(8)). When it fails (or this vfio-prep has no such
# option) the image goes without: the boot then decides from what it sees alone.
vfio_prep_install_root_record() {
	vfio_prep_rr=$(mktemp) || return 0
	if "${dracutsysrootdir-}$vfio_prep_bin" --root-record >"$vfio_prep_rr" 2>/dev/null; then
		mkdir -p "$initdir/etc/vfio-prep"
		cp "$vfio_prep_rr" "$initdir/etc/vfio-prep/root-record"
		chmod 644 "$initdir/etc/vfio-prep/root-record"
	fi
	rm -f "$vfio_prep_rr"
	unset vfio_prep_rr
}

# Options for the vfio modules (vfio-pci ids=, disable_vga=, allow_unsafe_interrupts=) and
# softdeps that name them must be in the image, where those modules load. dracut copies
# /etc/modprobe.d only into host-only images; in a generic image the host's other modprobe
# settings (blacklists meant for this machine) stay out, so only files that mention vfio go in.
vfio_prep_install_modprobe_d() {
	for vfio_prep_f in "${dracutsysrootdir-}"/etc/modprobe.d/*.conf; do
		[ -f "$vfio_prep_f" ] || continue
		grep -Eqs 'vfio|irqbypass' "$vfio_prep_f" || continue
		inst_simple "${vfio_prep_f#"${dracutsysrootdir-}"}"
	done
}

# In a systemd image the pre-udev hook runs in dracut-pre-udev.service, which is ordered before
# udevd but not before systemd-modules-load.service: modules named by rd.modules-load= or
# modules-load.d (an early GPU driver, for one) could bind first. Order it before that too.
vfio_prep_install_systemd_order() {
	dracut_module_included systemd || return 0
	vfio_prep_dropin=$initdir$systemdsystemunitdir/dracut-pre-udev.service.d
	mkdir -p "$vfio_prep_dropin"
	printf '%s\n' '[Unit]' 'Before=systemd-modules-load.service' \
		>"$vfio_prep_dropin/50-vfio-prep.conf"
	unset vfio_prep_dropin
}
