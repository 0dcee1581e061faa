#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# fresh-run.sh DIR CMD [ARG]...
#
# Runs CMD as root chrooted into DIR (a root made by scripts/fresh-root.sh), itself a mount
# point as / is, with /proc, /sys and /dev mounted, and exits with CMD's status. The mounts live in a private mount namespace
# (unshare -m): this machine never sees them, and they are unmounted when CMD ends, whatever
# happens. CMD starts with the environment of a root login (HOME=/root, the usual PATH,
# LANG=C.UTF-8, TERM), nothing of the caller's; cd inside CMD, e.g.
#   sh scripts/fresh-run.sh DIR sh -c 'cd /root/src && make demo'
set -eu

log() { printf 'fresh-run: %s\n' "$*" >&2; }

# Inside the namespace: mount, run, unmount. $1 is the root, the rest the command.
inner() {
	root=$1
	shift
	# The root a mount point of its own, as / is on a machine: otherwise unshare -m, or any
	# mount --make-rprivate /, fails inside with EINVAL.
	mount --bind "$root" "$root"
	mount -t proc proc "$root/proc"
	mount -t sysfs sysfs "$root/sys"
	mount --rbind /dev "$root/dev"
	rc=0
	env -i HOME=/root LOGNAME=root USER=root SHELL=/bin/sh LANG=C.UTF-8 TERM="${TERM:-dumb}" \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		chroot "$root" "$@" || rc=$?
	umount -R "$root/dev" || log "umount $root/dev failed"
	umount "$root/sys" || log "umount $root/sys failed"
	umount "$root/proc" || log "umount $root/proc failed"
	umount "$root" || log "umount $root failed"
	exit "$rc"
}

main() {
	if [ "${1:-}" = --inner ]; then
		shift
		inner "$@"
	fi
	[ $# -ge 2 ] || {
		echo "usage: sh scripts/fresh-run.sh DIR CMD [ARG]..." >&2
		exit 2
	}
	[ "$(id -u)" = 0 ] || {
		log "needs root (chroot and mounts)"
		exit 1
	}
	if ! [ -d "$1/proc" ] || ! [ -d "$1/sys" ] || ! [ -d "$1/dev" ] || ! [ -x "$1/bin/sh" ]; then
		log "$1 is not a root file system (make one with scripts/fresh-root.sh)"
		exit 1
	fi
	root=$(cd "$1" && pwd)
	shift
	# --propagation private: nothing mounted here reaches the machine's mount table. The
	# namespace, and with it every mount, ends with its last process.
	exec unshare -m --propagation private sh "$0" --inner "$root" "$@"
}

main "$@"
