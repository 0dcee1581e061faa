#!/bin/sh
# Install what building and testing vfio-prep needs on Debian/Ubuntu, or say how.
#
#   install-deps.sh [--build | --demo | --all] [--missing]
#
#   --build    what `make` needs: a compiler, pkg-config and the -dev libraries
#   --demo     what `make demo` needs: the above, and QEMU, busybox-static, cpio, kmod
#   --all      (the default) what `make check` needs: the above, and the test tools, the static
#              build's, the initramfs generators the hook tests run, mmdebstrap (make fresh-check)
#   --missing  only print the packages of the set that are not installed, one line
#
# As root, the missing packages are installed with apt-get; otherwise the exact
# `sudo apt-get install` command is printed and the script fails.
set -eu

# Build: the compiler, pkg-config and the libraries the binary links (zlib1g-dev also holds the
# libz.a that make static links).
build="build-essential pkg-config libkmod-dev libblkid-dev libpci-dev zlib1g-dev"
# The demo: boots Debian's kernel under QEMU with a busybox initramfs (tests/vm/), and indexes
# the kernel's modules with depmod.
demo="$build kmod cpio busybox-static qemu-system-x86"
# Unit, command-line and boot tests; hardening (fuzzing, sanitizers, strace); the static build
# (musl, and what building libkmod and libblkid from source needs); the initramfs generators
# the hook tests run; a clean Debian root for make fresh-check; the package builders and the
# shells whose completions are tested (make packages-check, completions-check); mdadm and lvm2
# for the initramfs images of a root on LVM over md RAID1 (tests/initramfs/md-lvm.sh).
all="$demo libcmocka-dev pciutils man-db groff-base shellcheck file \
xz-utils zstd gzip e2fsprogs \
clang libclang-rt-dev valgrind strace \
musl-tools autoconf automake libtool dpkg-dev liblzma-dev libzstd-dev \
dracut-core initramfs-tools-core mmdebstrap \
debhelper rpm makepkg pacman-package-manager libarchive-tools lintian zsh fish \
mdadm lvm2"

pkgs=$all
only_list=
for arg in "$@"; do
	case $arg in
	--build) pkgs=$build ;;
	--demo) pkgs=$demo ;;
	--all) pkgs=$all ;;
	--missing) only_list=1 ;;
	*)
		echo "usage: install-deps.sh [--build | --demo | --all] [--missing]" >&2
		exit 2
		;;
	esac
done

missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' ||
		missing="$missing $p"
done
if [ -n "$only_list" ]; then
	echo "${missing# }"
	exit 0
fi
[ -z "$missing" ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
	echo "vfio-prep: missing build dependencies:$missing (install them with your package manager)" >&2
	exit 1
fi
if [ "$(id -u)" != 0 ]; then
	echo "vfio-prep: missing packages:$missing" >&2
	echo "run: sudo apt-get install -y --no-install-recommends$missing" >&2
	exit 1
fi
echo "installing:$missing"
apt-get update -qq
# shellcheck disable=SC2086 # a list of package names
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
