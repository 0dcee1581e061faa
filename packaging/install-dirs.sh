#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The directories of `make install`, so that `make uninstall` removes those it created and no
# others (as CMake's install_manifest.txt does for files).
#
#   install-dirs.sh record LOG DIR...   appends to LOG each DIR, and each parent of it, that does
#                                       not exist yet: run before installing
#   install-dirs.sh remove LOG BASE DIR...
#                                       removes, deepest first and only when empty, each DIR and
#                                       each directory in LOG below BASE; keeps in LOG those
#                                       that are still there
set -eu

record() {
	log=$1
	shift
	mkdir -p "$(dirname "$log")"
	{
		[ ! -f "$log" ] || cat "$log"
		for d in "$@"; do
			while [ -n "$d" ] && [ ! -d "$d" ]; do
				printf '%s\n' "$d"
				d=${d%/*}
			done
		done
	} | sort -u >"$log.new"
	mv "$log.new" "$log"
}

remove() {
	log=$1 base=$2
	shift 2
	{
		printf '%s\n' "$@"
		[ ! -f "$log" ] || awk -v b="$base" 'index($0, b "/") == 1' "$log"
	} | sort -u | awk '{ print length($0) " " $0 }' | sort -rn | cut -d' ' -f2- |
		while IFS= read -r d; do
			[ ! -d "$d" ] || rmdir "$d" 2>/dev/null || :
		done
	[ -f "$log" ] || return 0
	while IFS= read -r d; do
		[ ! -d "$d" ] || printf '%s\n' "$d"
	done <"$log" | sort -u >"$log.new"
	mv "$log.new" "$log"
}

case ${1-} in
record | remove)
	cmd=$1
	shift
	"$cmd" "$@"
	;;
*)
	echo "usage: install-dirs.sh record LOG DIR... | remove LOG BASE DIR..." >&2
	exit 2
	;;
esac
