#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# install-notice.sh PREFIX FISHCOMPDIR
#
# The end of `make install`: below any PREFIX but /usr, says which installed files the
# initramfs generators (and fish) will not find, and how to install where they look.
set -eu

prefix=${1%/}
fishdir=$2
[ "$prefix" != /usr ] || exit 0

cat >&2 <<EOT

vfio-prep: installed below $prefix, where no initramfs generator looks:
  dracut           reads modules only from /usr/lib/dracut/modules.d:
                   $prefix/lib/dracut/modules.d/50vfio-prep/ will not be found
  initramfs-tools  reads hooks only from /usr/share/initramfs-tools and /etc/initramfs-tools:
                   $prefix/share/initramfs-tools/ will not be found
  mkinitcpio       reads hooks only from /usr/lib/initcpio and /etc/initcpio, the unit only
                   from /usr/lib/systemd/system: $prefix/lib/initcpio/ will not be found
So no initramfs will run vfio-prep at boot, and no device will be bound to vfio-pci there.
EOT
case $fishdir in
/usr/share/* | /etc/*) ;;
*) echo "fish finds $fishdir/vfio-prep.fish only when XDG_DATA_DIRS names ${fishdir%/fish/*}." >&2 ;;
esac
cat >&2 <<EOT
To install where they look: make uninstall PREFIX=$prefix && make install PREFIX=/usr
EOT
