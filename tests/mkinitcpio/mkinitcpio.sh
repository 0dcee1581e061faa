#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Build an initramfs the way mkinitcpio does, with tests/mkinitcpio/functions.sh standing in for
# mkinitcpio's library: run each build hook in order, install the modules they asked for,
# write /config, and optionally pack the tree.
#
#   mkinitcpio.sh -k KVER -r MODROOT -d BUILDROOT [-o IMAGE] [-m MODULE]... HOOK...
#
# Build hooks are looked up in $MKINITCPIO_INSTALL, runtime hooks in $MKINITCPIO_HOOKS (both
# ':'-separated, as mkinitcpio's -D gives them). -m adds to MODULES= (loaded by /init right
# after the early hooks). Exit status 1 when a hook reported an error, as mkinitcpio does.
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=functions.sh
. "$here/functions.sh"

usage() {
	echo "usage: ${0##*/} -k KVER -r MODROOT -d BUILDROOT [-o IMAGE] [-m MODULE]... HOOK..." >&2
	exit 2
}

main() {
	local out='' opt hook
	KERNELVERSION='' _optmoduleroot='' BUILDROOT=''
	MODULES=()
	while getopts k:r:d:o:m:vh opt; do
		case $opt in
		k) KERNELVERSION=$OPTARG ;;
		r) _optmoduleroot=$OPTARG ;;
		d) BUILDROOT=$OPTARG ;;
		o) out=$OPTARG ;;
		m) MODULES+=("$OPTARG") ;;
		v) _optquiet=0 ;;
		*) usage ;;
		esac
	done
	shift $((OPTIND - 1))
	[[ -n "$KERNELVERSION" && -n "$BUILDROOT" && $# -gt 0 ]] || usage
	[[ ! -e "$BUILDROOT" ]] || die "build root '$BUILDROOT' exists"
	_d_install=${MKINITCPIO_INSTALL:?} _d_hooks=${MKINITCPIO_HOOKS:?}
	HOOKS=("$@")
	export BUILDROOT KERNELVERSION

	initialize_buildroot "$BUILDROOT"
	preload_builtin_modules
	for hook in "${HOOKS[@]}"; do
		run_build_hook "$hook"
	done
	map add_module "${MODULES[@]}"
	install_modules
	write_config
	if [[ -n "$out" ]]; then
		# Owned by root inside, whoever builds it: vfio-prep refuses a config it cannot trust.
		(cd "$BUILDROOT" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) |
			gzip -1 -n >"$out" || die "cannot write '$out'"
	fi
	if ((_builderrors)); then
		warning 'Build completed with %d error(s)' "$_builderrors"
		exit 1
	fi
	msg 'Build complete.'
}

main "$@"
