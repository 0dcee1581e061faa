#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# mkinitcpio tests: the build hook against a re-implementation of mkinitcpio's functions
# (test-build.sh), then boots of the runtime hook under QEMU (test-boot.sh).
#
#   run.sh BINARY            BINARY: the vfio-prep to put in the images (build/vfio-prep)
#   run.sh -n BINARY         build tests only (says so: no boot is skipped silently)
#
# Prints "ok NAME" / "FAIL NAME: reason" per case, then "mkinitcpio: N passed, N failed";
# exits 1 on any failure, a missing kernel or QEMU included.
set -u

here=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$here/../.." && pwd)
top=$TOP
# shellcheck source=SCRIPTDIR/../lib.sh
. "$TOP/tests/lib.sh"
t_begin mkinitcpio
boots=1
if [ "${1:-}" = -n ]; then
	boots=0
	shift
fi
[ $# -eq 1 ] || { echo "usage: ${0##*/} [-n] BINARY" >&2; exit 2; }

[ -x "$1" ] || t_abort "$1 is not an executable file (run make first)"
kernel=$(sh "$top/tests/vm/kernel.sh") || t_abort "cannot get the test kernel (tests/vm/kernel.sh)"
eval "$kernel"
export KVER KROOT MODDIR VMLINUZ

out=$(mktemp "${TMPDIR:-/tmp}/vfio-prep-mkinitcpio-run.XXXXXX")
trap 'rm -f "$out"' EXIT
crashed=0
bash "$here/test-build.sh" "$1" | tee "$out" || crashed=1
if [ "$boots" = 1 ]; then
	sh "$here/test-boot.sh" "$1" | tee -a "$out" || crashed=1
else
	echo "mkinitcpio: boot tests not run (-n)"
fi
T_PASSED=$(grep -c '^ok ' "$out")
T_FAILED=$(grep -c '^FAIL ' "$out")
T_SKIPPED=$(grep -c '^skip ' "$out")
# A script that failed without saying which case counts as one failure.
[ "$crashed" = 1 ] && [ "$T_FAILED" = 0 ] && T_FAILED=1
t_end
