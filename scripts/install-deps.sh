#!/bin/sh
# Install what building and testing vfio-prep needs on Debian/Ubuntu, or say how.
set -eu

# Build and unit tests; command-line and boot tests; hardening (fuzzing, sanitizers, strace);
# the static build (musl, and what building libkmod and libblkid from source needs); the
# initramfs generators the hook tests run.
pkgs="build-essential pkg-config libkmod-dev libblkid-dev libpci-dev libcmocka-dev \
kmod cpio busybox-static qemu-system-x86 pciutils man-db groff-base shellcheck file \
xz-utils zstd gzip e2fsprogs \
clang libclang-rt-dev valgrind strace \
musl-tools autoconf automake libtool dpkg-dev liblzma-dev libzstd-dev \
dracut-core initramfs-tools-core"

missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
	echo "vfio-prep: missing build dependencies:$missing (install them with your package manager)" >&2
	exit 1
fi
if [ "$(id -u)" != 0 ]; then
	echo "vfio-prep: missing packages:$missing" >&2
	echo "run: sudo apt-get install -y$missing" >&2
	exit 1
fi
echo "installing:$missing"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
