#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# fresh-root.sh DIR
#
# Makes DIR a clean Debian 12 root, as a new machine has it: mmdebstrap's minbase with git, make
# and ca-certificates, the apt sources of this machine (/etc/apt/sources.list.d/debian.sources,
# or FRESH_SOURCES) and its /etc/resolv.conf. Nothing else: no package lists, no caches, no
# vfio-prep cache. Run commands in it with scripts/fresh-run.sh. Needs root (device nodes,
# ownership).
#
# The root comes from a tarball that mmdebstrap (from the mmdebstrap package) builds on first
# use, in about a minute, and that later calls extract in seconds:
#   ${VFIO_PREP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vfio-prep}/fresh/bookworm-minbase.tar
# FRESH_REBUILD=1 builds it again (to pick up newer packages); deleting it does the same.
# DIR must not exist or be empty.
set -eu

SUITE=bookworm
INCLUDE=git,make,ca-certificates
SOURCES=${FRESH_SOURCES:-/etc/apt/sources.list.d/debian.sources}
CACHE=${VFIO_PREP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vfio-prep}/fresh
TARBALL=$CACHE/$SUITE-minbase.tar

log() { printf 'fresh-root: %s\n' "$*" >&2; }
die() {
	log "$*"
	exit 1
}

# What the tarball is made of: a different answer makes a new one.
recipe() {
	echo "mmdebstrap --variant=minbase --include=$INCLUDE $SUITE"
	cat "$SOURCES"
}

make_tarball() {
	command -v mmdebstrap >/dev/null ||
		die "mmdebstrap not found: install it (apt-get install mmdebstrap)"
	mkdir -p "$CACHE"
	log "building a clean Debian 12 root with mmdebstrap into $TARBALL (about a minute)"
	start=$(date +%s)
	rm -f "$TARBALL.tmp"
	# The archives of this machine, so that the root sees the same packages; stdin closed,
	# since mmdebstrap reads extra sources from it when it is not a terminal.
	if ! mmdebstrap --quiet --variant=minbase --include="$INCLUDE" --format=tar \
		"$SUITE" "$TARBALL.tmp" "$SOURCES" </dev/null >&2; then
		rm -f "$TARBALL.tmp"
		die "mmdebstrap failed (see above); the archives come from $SOURCES"
	fi
	mv "$TARBALL.tmp" "$TARBALL"
	recipe >"$TARBALL.recipe"
	log "built $TARBALL in $(($(date +%s) - start)) s"
}

tarball_current() {
	[ -z "${FRESH_REBUILD:-}" ] && [ -s "$TARBALL" ] && [ -s "$TARBALL.recipe" ] &&
		recipe | cmp -s - "$TARBALL.recipe"
}

main() {
	[ $# = 1 ] || {
		echo "usage: sh scripts/fresh-root.sh DIR" >&2
		exit 2
	}
	dir=$1
	[ "$(id -u)" = 0 ] || die "needs root (the root holds device nodes and files of other owners)"
	[ -r "$SOURCES" ] || die "no apt sources at $SOURCES (set FRESH_SOURCES to a deb822 .sources file)"
	if [ -e "$dir" ] && [ -n "$(ls -A "$dir")" ]; then
		die "$dir is not empty: remove it first"
	fi
	mkdir -p "$dir"
	mkdir -p "$CACHE"
	# One builder at a time; others wait for its tarball.
	if command -v flock >/dev/null; then
		exec 9>"$CACHE/.lock"
		flock 9 || die "cannot lock $CACHE/.lock"
	fi
	tarball_current || make_tarball
	exec 9>&-
	tar -C "$dir" -xpf "$TARBALL" || die "cannot extract $TARBALL into $dir"
	# Exactly the machine's archive list, as a new Debian 12 has it.
	rm -f "$dir/etc/apt/sources.list"
	find "$dir/etc/apt/sources.list.d" -mindepth 1 -delete
	cp "$SOURCES" "$dir/etc/apt/sources.list.d/debian.sources"
	rm -f "$dir/etc/resolv.conf"
	cp -L /etc/resolv.conf "$dir/etc/resolv.conf"
	log "clean Debian 12 root in $dir"
}

main "$@"
