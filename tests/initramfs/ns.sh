#!/bin/sh
# Run COMMAND on this machine as if vfio-prep were installed (`make install PREFIX=/usr`) with
# the test's configuration and the test kernel, without changing the machine: run it in a
# private mount namespace (unshare -m) where /usr and /etc are overlays whose writes land in
# STATE, the extracted kernel's modules are /lib/modules/KVER and its config is in /boot.
#
#   unshare -m sh ns.sh STATE KROOT KVER BUILD CONFIG_DIR COMMAND [ARG]...
#
# CONFIG_DIR holds vfio-prep.conf and optionally vfio-prep.d/*.conf (the machine's own
# /etc/vfio-prep.conf and /etc/vfio-prep.d are hidden) and modprobe.d/*.conf (added to
# /etc/modprobe.d). STATE must be empty or absent.
# The generators look in fixed places (dracut: its own modules.d; mkinitramfs:
# /usr/share/initramfs-tools, /lib/modules/KVER, /boot/config-KVER), so the overlays are what
# lets the distribution's tools run unmodified on files installed by the project's Makefile.
set -eu

[ $# -ge 6 ] || {
	echo "usage: ns.sh STATE KROOT KVER BUILD CONFIG_DIR COMMAND [ARG]..." >&2
	exit 2
}
STATE=$1 KROOT=$2 KVER=$3 BUILD=$4 CONFIG_DIR=$5
shift 5
TOP=$(cd "$(dirname "$0")/../.." && pwd)

overlay() {
	mkdir -p "$STATE/$2.upper" "$STATE/$2.work"
	mount -t overlay "vfio-prep-$2" \
		-o "lowerdir=$1,upperdir=$STATE/$2.upper,workdir=$STATE/$2.work" "$1" || {
		echo "ns.sh: cannot mount an overlay on $1 (needs root and overlayfs)" >&2
		exit 1
	}
}

# Only this namespace sees the mounts; nothing propagates back to the machine.
mount --make-rprivate /
overlay /usr usr
overlay /etc etc
# Debian 12 has /lib -> usr/lib; elsewhere /lib/modules needs an overlay of its own.
[ -L /lib ] || overlay /lib lib

rm -rf /etc/vfio-prep.conf /etc/vfio-prep.d
make -s -C "$TOP" -o all install PREFIX=/usr BUILD="$BUILD" >"$STATE/install.log" 2>&1 || {
	cat "$STATE/install.log" >&2
	echo "ns.sh: make install failed" >&2
	exit 1
}
rm -rf /etc/vfio-prep.conf /etc/vfio-prep.d
install -m 644 "$CONFIG_DIR/vfio-prep.conf" /etc/vfio-prep.conf
if [ -d "$CONFIG_DIR/vfio-prep.d" ]; then
	mkdir -m 755 /etc/vfio-prep.d
	for f in "$CONFIG_DIR"/vfio-prep.d/*.conf; do
		install -m 644 "$f" /etc/vfio-prep.d/
	done
fi
for f in "$CONFIG_DIR"/modprobe.d/*.conf; do
	[ -f "$f" ] && install -D -m 644 "$f" "/etc/modprobe.d/${f##*/}"
done

mkdir -p "/lib/modules/$KVER"
mount --bind "$KROOT/lib/modules/$KVER" "/lib/modules/$KVER"
[ -d /boot ] || {
	echo "ns.sh: no /boot to mount the kernel's config on" >&2
	exit 1
}
mount --bind "$KROOT/boot" /boot

exec "$@"
