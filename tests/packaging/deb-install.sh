#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# deb-install.sh PKGDIR (make deb-install-check; root)
#
# The .deb as a user installs it: in a clean Debian 12 root (scripts/fresh-root.sh, run in with
# scripts/fresh-run.sh), apt-get installs linux-image-amd64 and initramfs-tools, then
# ./vfio-prep_*.deb. initramfs-tools' trigger must leave an initrd whose lsinitramfs lists
# vfio-prep (program, boot script, configuration); `apt-get remove` must leave one without it,
# and the user's configuration in place. The kernel package is downloaded into the root
# (apt takes it from the vfio-prep cache when the same one is there). 2 to 10 minutes.
# Prints "deb-install: N passed, N failed".
set -u

TOP=$(cd "$(dirname "$0")/../.." && pwd)
top=$TOP
# shellcheck source=tests/lib.sh
. "$TOP/tests/lib.sh"
t_begin deb-install
pkgdir=${1:?usage: deb-install.sh PKGDIR}
version=$(cat "$top/VERSION")
deb=
for f in "$pkgdir"/vfio-prep_"$version"_*.deb; do [ -f "$f" ] && deb=$f; done
ok() { t_pass; }
bad() {
	t_failed
	echo "FAIL $*" >&2
}
finish() {
	t_end
	exit
}

[ -n "$deb" ] || { bad "no vfio-prep_${version}_*.deb in $pkgdir (make deb)"; finish; }
[ "$(id -u)" = 0 ] || { bad "needs root (chroot)"; finish; }
root=$(mktemp -d "${TMPDIR:-/var/tmp}/vfio-prep-deb-install.XXXXXX") || exit 1
log=$root.log
trap 'rm -rf "$root" "$log" "$root.initrd"' EXIT INT TERM

sh "$top/scripts/fresh-root.sh" "$root" || { bad "scripts/fresh-root.sh $root"; finish; }
cp "$deb" "$root/root/"
cache=${VFIO_PREP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vfio-prep}/kernel
for k in "$cache"/linux-image-*.deb; do
	[ -f "$k" ] && cp "$k" "$root/var/cache/apt/archives/"
done

# in_root SCRIPT: runs SCRIPT with sh in the root, its output in $log.
in_root() {
	sh "$top/scripts/fresh-run.sh" "$root" sh -ec "$1" >"$log" 2>&1
}
show_log() { tail -n 30 "$log" | sed 's/^/  /' >&2; }
# initrd_list: the files of the root's initrd, in $root.initrd.
initrd_list() {
	# shellcheck disable=SC2016 # expanded in the root
	in_root 'for i in /boot/initrd.img-*; do lsinitramfs "$i"; done' && cp "$log" "$root.initrd"
}
has() { grep -Eq "$1" "$root.initrd"; }

apt='DEBIAN_FRONTEND=noninteractive apt-get -y -q -o Dpkg::Use-Pty=0'
echo "deb-install: apt-get install linux-image-amd64 initramfs-tools (several minutes)"
if in_root "apt-get -q update && $apt install --no-install-recommends linux-image-amd64 initramfs-tools"; then ok; else
	bad "apt-get install linux-image-amd64 initramfs-tools"
	show_log
	finish
fi
if initrd_list && ! has vfio-prep; then ok; else bad "the kernel's initrd before vfio-prep has no vfio-prep"; fi

if in_root "cd /root && $apt install ./$(basename "$deb")"; then ok; else
	bad "apt-get install ./$(basename "$deb")"
	show_log
	finish
fi
if grep -q 'update-initramfs' "$log"; then ok; else bad "apt-get install ran update-initramfs (trigger)" && show_log; fi
initrd_list || bad "lsinitramfs after install"
for f in 'usr/bin/vfio-prep$' 'scripts/init-top/00vfio-prep$' 'etc/vfio-prep.conf$' 'vfio-pci.ko'; do
	if has "$f"; then ok; else bad "after install, lsinitramfs lists $f"; fi
done
if in_root "test -x /usr/bin/vfio-prep && vfio-prep --version"; then ok; else bad "vfio-prep --version in the root" && show_log; fi

if in_root "echo '# mine' >>/etc/vfio-prep.conf && $apt remove vfio-prep"; then ok; else
	bad "apt-get remove vfio-prep"
	show_log
	finish
fi
if grep -q 'update-initramfs' "$log"; then ok; else bad "apt-get remove ran update-initramfs (trigger)" && show_log; fi
initrd_list || bad "lsinitramfs after removal"
if ! has vfio-prep; then ok; else bad "after removal, lsinitramfs lists no vfio-prep" && grep vfio-prep "$root.initrd" >&2; fi
if in_root "grep -qx '# mine' /etc/vfio-prep.conf"; then ok; else bad "apt-get remove keeps the user's /etc/vfio-prep.conf"; fi
finish
