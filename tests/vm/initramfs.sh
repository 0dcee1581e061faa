#!/bin/sh
# Build the boot-test initramfs: static busybox, the binary under test as /bin/vfio-prep (with
# its shared libraries and the dynamic loader when it is dynamic), a set of kernel modules with
# everything they depend on in the standard /lib/modules/KVER layout (indexed by depmod, so
# that libkmod inside the VM finds them), the scenario files and tests/vm/init.sh as /init.
#
#   initramfs.sh -o OUT.cpio.gz -b BINARY [-m MODULE]... [-c CONFIG] [-s SCENARIO_DIR] [-z xz|zst]
#
# -z recompresses vfio-pci and every module it needs (VFIO_MODULES and their closure) as .ko.xz
# or .ko.zst, as Fedora and Arch ship them (Debian's are plain .ko), before depmod indexes the
# copy; the host drivers stay plain. A missing xz or zstd is an error, never a plain image.
#
# The kernel comes from kernel.sh unless KVER and MODDIR are set in the environment.
# Nothing in the image depends on the QEMU topology, so one image serves every boot.
set -eu

. "$(dirname "$0")/lib.sh"

# vfio-pci and what it needs; the host drivers the scenarios race against. Dependencies come
# from modules.dep, soft dependencies (vfio's "post: vfio_iommu_type1") from modules.softdep.
VFIO_MODULES="vfio vfio_iommu_type1 vfio_pci vfio_virqfd irqbypass"
DEFAULT_MODULES="$VFIO_MODULES
xhci_pci e1000 e1000e nvme snd_hda_intel bochs"

usage() {
	echo "usage: ${0##*/} -o OUT -b BINARY [-m MODULE]... [-c CONFIG] [-s SCENARIO_DIR] [-z xz|zst]" >&2
	exit 2
}

# Names as the kernel has them: '-' and '_' are the same character.
modname() {
	basename "$1" .ko | tr - _
}

# Print the modules.dep paths of the modules named in $1 and of everything they need, one per
# line. Names that are neither modules nor built in are reported (vfio_virqfd, for one, became
# part of vfio in 6.2).
module_closure() {
	awk -v want="$1" '
	function norm(p) { sub(/.*\//, "", p); sub(/\.ko(\.[a-z]+)?$/, "", p); gsub(/-/, "_", p); return p }
	FILENAME ~ /modules\.dep$/ {
		sub(/:$/, "", $1); n = norm($1); path[n] = $1
		for (i = 2; i <= NF; i++) deps[n] = deps[n] " " norm($i)
		next
	}
	FILENAME ~ /modules\.builtin$/ { builtin[norm($1)] = 1; next }
	$1 == "softdep" {
		# softdep MOD pre: A B post: C
		for (i = 3; i <= NF; i++) if ($i !~ /:$/) soft[norm($2)] = soft[norm($2)] " " norm($i)
	}
	function add(n,   i, k, list) {
		if (n in seen || !(n in path)) return
		seen[n] = 1; print path[n]
		k = split(deps[n] " " soft[n], list, " ")
		for (i = 1; i <= k; i++) add(list[i])
	}
	END {
		k = split(want, w, " ")
		for (i = 1; i <= k; i++) {
			if (!(w[i] in path) && !(w[i] in builtin)) printf "no module %s in this kernel\n", w[i] > "/dev/stderr"
			add(w[i])
		}
	}
	' "$MODDIR/modules.dep" "$MODDIR/modules.builtin" "$MODDIR/modules.softdep"
}

install_modules() {
	dest=$STAGE/lib/modules/$KVER
	mkdir -p "$dest"
	module_closure "$MODULES" >"$STAGE/.modules"
	while read -r rel; do
		mkdir -p "$dest/${rel%/*}"
		cp "$MODDIR/$rel" "$dest/$rel"
	done <"$STAGE/.modules"
	rm "$STAGE/.modules"
	[ -z "$COMPRESS" ] || compress_modules "$dest"
	for f in modules.builtin modules.builtin.modinfo modules.order; do
		[ -e "$MODDIR/$f" ] && cp "$MODDIR/$f" "$dest/"
	done
	depmod -b "$STAGE" "$KVER"
}

# Recompress, in the image's module tree $1, the vfio modules and everything they need, the
# way the kernel's modules_install does (xz: crc32 check, 1 MiB dictionary), and check that
# each file now is what its name says.
compress_modules() {
	tree=$1
	case $COMPRESS in
	xz)
		command -v xz >/dev/null || vm_die "-z xz: xz not found (install xz-utils)"
		set -- xz --check=crc32 --lzma2=dict=1MiB
		;;
	zst)
		command -v zstd >/dev/null || vm_die "-z zst: zstd not found (install zstd)"
		set -- zstd -q --rm
		;;
	*) vm_die "-z $COMPRESS: unknown compression (xz or zst)" ;;
	esac
	module_closure "$VFIO_MODULES" 2>/dev/null >"$STAGE/.compress"
	[ -s "$STAGE/.compress" ] || vm_die "-z $COMPRESS: no vfio module to compress"
	while read -r rel; do
		"$@" "$tree/$rel" || vm_die "-z $COMPRESS: cannot compress $rel"
		if [ ! -e "$tree/$rel.$COMPRESS" ] || [ -e "$tree/$rel" ]; then
			vm_die "-z $COMPRESS: $rel did not become $rel.$COMPRESS"
		fi
		case $COMPRESS in
		xz) xz -t "$tree/$rel.xz" ;;
		zst) zstd -q -t "$tree/$rel.zst" ;;
		esac || vm_die "-z $COMPRESS: $rel.$COMPRESS does not decompress"
	done <"$STAGE/.compress"
	rm "$STAGE/.compress"
}

# The binary and, when it is dynamic, what ldd says it loads (the loader included).
install_binary() {
	mkdir -p "$STAGE/bin"
	cp "$BINARY" "$STAGE/bin/vfio-prep"
	chmod 755 "$STAGE/bin/vfio-prep"
	ldd "$BINARY" 2>/dev/null | sed -n 's/.*=> \(\/[^ ]*\) .*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) .*/\1/p' |
		while read -r lib; do
			mkdir -p "$STAGE${lib%/*}"
			cp -L "$lib" "$STAGE$lib"
		done
}

install_busybox() {
	bb=$(command -v busybox) || vm_die "busybox not found (install busybox-static)"
	# The image has no C library of its own unless the binary under test brings one.
	ldd "$bb" >/dev/null 2>&1 && vm_die "$bb is not statically linked (install busybox-static)"
	mkdir -p "$STAGE/bin" "$STAGE/sbin" "$STAGE/usr/bin" "$STAGE/usr/sbin"
	cp -L "$bb" "$STAGE/bin/busybox"
	# /init runs busybox --install for the rest; the kernel needs /bin/sh to start /init.
	ln -s busybox "$STAGE/bin/sh"
}

main() {
	OUT='' BINARY='' CONFIG='' SCENARIOS=$VM_DIR/scenarios MODULES=$DEFAULT_MODULES COMPRESS=''
	while getopts o:b:m:c:s:z:h opt; do
		case $opt in
		o) OUT=$OPTARG ;;
		b) BINARY=$OPTARG ;;
		m) MODULES="$MODULES $(modname "$OPTARG")" ;;
		c) CONFIG=$OPTARG ;;
		s) SCENARIOS=$OPTARG ;;
		z) COMPRESS=$OPTARG ;;
		*) usage ;;
		esac
	done
	{ [ -n "$OUT" ] && [ -n "$BINARY" ]; } || usage
	[ -x "$BINARY" ] || vm_die "$BINARY is not an executable file"
	MODULES=$(echo "$MODULES" | tr '\n-' ' _')
	if [ -z "${KVER:-}" ] || [ -z "${MODDIR:-}" ]; then
		eval "$(sh "$VM_DIR/kernel.sh")"
	fi

	STAGE=$(mktemp -d "${TMPDIR:-/tmp}/vfio-prep-initramfs.XXXXXX")
	trap 'rm -rf "$STAGE"' EXIT
	mkdir -p "$STAGE/proc" "$STAGE/sys" "$STAGE/dev" "$STAGE/run" "$STAGE/tmp" \
		"$STAGE/etc" "$STAGE/scenarios"
	install_busybox
	install_binary
	install_modules
	cp "$VM_DIR/init.sh" "$STAGE/init"
	chmod 755 "$STAGE/init"
	cp "$SCENARIOS"/*.conf "$STAGE/scenarios/"
	[ -z "$CONFIG" ] || cp "$CONFIG" "$STAGE/etc/vfio-prep.conf"
	# The root record that vfio-prep's hooks store in a real image ('vfio-prep --root-record'
	# run on the installed system). This busybox image has no real root to run it against, so
	# it holds what the test machine's would say: root on the NVMe at 03:00.0 behind the root
	# port 00:05.0 (root=/dev/nvme0n1, tests/vm/README.md). With it the first pass binds the
	# qemu-xhci at 01:00.0; without it USB controllers wait for the root device
	# (vfio-prep(8), ROOT PROTECTION).
	mkdir -p "$STAGE/etc/vfio-prep"
	printf '# vfio-prep root record of the test machine (tests/vm/initramfs.sh)\nnetwork no\n%s\n' \
		'controller class=010802 path=0000:00:05.0/00.0' >"$STAGE/etc/vfio-prep/root-record"

	mkdir -p "$(dirname "$OUT")"
	# Owned by root in the image whoever builds it (vfio-prep refuses a config it does not trust).
	(cd "$STAGE" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | gzip -1 -n >"$OUT.tmp"
	mv "$OUT.tmp" "$OUT"
}

main "$@"
