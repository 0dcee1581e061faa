#!/bin/sh
# Fetch Debian's current kernel for the boot tests, extract it into the cache and index its
# modules. Prints shell assignments (KVER=, VMLINUZ=, MODDIR=, KROOT=) for eval.
#
#   eval "$(sh tests/vm/kernel.sh)"
#
# Cache: ${VFIO_PREP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vfio-prep}/kernel. A second run
# only asks apt's local cache which package is current and finds it already extracted.
# Without a usable apt cache, the newest kernel extracted before is used (and said so).
set -eu

. "$(dirname "$0")/lib.sh"

META=${VFIO_PREP_KERNEL_META:-linux-image-amd64}
KCACHE=$VM_CACHE/kernel
APT_LISTS=/var/lib/apt/lists

# "PACKAGE VERSION" of the kernel the meta package depends on, e.g.
# "linux-image-6.1.0-56-amd64 6.1.192-2". The meta package pins it exactly ("(= VERSION)"), so
# one apt-cache call (about 0.6 s without a pkgcache.bin) answers both.
resolve_package() {
	apt-cache show --no-all-versions "$META" 2>/dev/null |
		sed -n 's/^Depends:.*\(linux-image-[^ ,]*\) (= \([^)]*\)).*/\1 \2/p' | head -n 1
}

# The answer of the last resolution, while apt's lists have not changed since.
memo_valid() {
	[ -s "$KCACHE/resolved" ] && [ -d "$APT_LISTS" ] &&
		[ -z "$(find "$APT_LISTS" -maxdepth 1 -newer "$KCACHE/resolved" 2>/dev/null | head -n 1)" ]
}

# apt-get update needs root; only run it when apt knows nothing about the meta package.
refresh_apt() {
	if [ "$(id -u)" != 0 ]; then
		vm_log "apt knows no '$META' and refreshing its lists needs root: run 'sudo apt-get update'"
		return 1
	fi
	vm_log "apt cache has no '$META': running apt-get update"
	apt-get update -qq >&2
}

# The newest tree extracted by an earlier run, for machines where apt cannot answer.
newest_cached() {
	# Directory names are PACKAGE_VERSION; version order is good enough here.
	for d in "$KCACHE"/*/.done; do
		[ -e "$d" ] && dirname "$d"
	done | sort -V | tail -n 1
}

extract() {
	pkg=$1 ver=$2 dest=$3
	tmp=$KCACHE/.tmp.$$
	rm -rf "$tmp"
	mkdir -p "$tmp"
	vm_log "downloading $pkg $ver (about 70 MB, once) with apt-get download into $KCACHE"
	# apt-get download writes into the current directory; as root it warns that the _apt
	# user cannot write there, which is harmless.
	(cd "$tmp" && apt-get download -q "$pkg=$ver" >&2 2>"$tmp/apt.err") || {
		cat "$tmp/apt.err" >&2
		rm -rf "$tmp"
		vm_die "apt-get download $pkg=$ver failed"
	}
	deb=$(ls "$tmp"/*.deb)
	mkdir "$tmp/root"
	dpkg -x "$deb" "$tmp/root"
	kver=$(ls "$tmp/root/lib/modules")
	depmod -b "$tmp/root" "$kver"
	mv "$deb" "$KCACHE/"
	rm -rf "$dest"
	mv "$tmp/root" "$dest"
	rm -rf "$tmp"
	touch "$dest/.done"
}

main() {
	mkdir -p "$KCACHE"
	if memo_valid; then
		resolved=$(cat "$KCACHE/resolved")
	else
		resolved=$(resolve_package)
		if [ -z "$resolved" ] && refresh_apt; then
			resolved=$(resolve_package)
		fi
	fi
	if [ -n "$resolved" ]; then
		pkg=${resolved% *} ver=${resolved#* }
		dest=$KCACHE/${pkg}_$ver
		[ -e "$dest/.done" ] || extract "$pkg" "$ver" "$dest"
		echo "$resolved" >"$KCACHE/resolved"
	else
		dest=$(newest_cached)
		[ -n "$dest" ] || vm_die "cannot resolve '$META' with apt-cache and no kernel is cached in $KCACHE"
		vm_log "apt cannot resolve '$META'; using the cached ${dest##*/}"
	fi
	kver=$(ls "$dest/lib/modules")
	vmlinuz=$dest/boot/vmlinuz-$kver
	[ -r "$vmlinuz" ] || vm_die "no readable kernel image at $vmlinuz"
	echo "KVER=$(vm_shquote "$kver")"
	echo "VMLINUZ=$(vm_shquote "$vmlinuz")"
	echo "MODDIR=$(vm_shquote "$dest/lib/modules/$kver")"
	echo "KROOT=$(vm_shquote "$dest")"
}

main "$@"
