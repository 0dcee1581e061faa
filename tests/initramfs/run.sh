#!/bin/sh
# The initramfs boot tests: shellcheck on the hooks, then dracut.sh (non-systemd and systemd
# images), initramfs-tools.sh and md-lvm.sh (a root on LVM over md RAID1 on two NVMe drives),
# each building real images with the distribution's generator and booting them under QEMU.
# Needs root (private mount namespaces; apt-get installs dracut-core and initramfs-tools-core
# when they are missing; md-lvm.sh needs mdadm and lvm2 installed and fails without them).
#
#   run.sh [BUILD_DIR]      (default build/: vfio-prep.static when built, else vfio-prep)
#
# Prints every check as "ok NAME" or "FAIL NAME: reason", timings as "time ...", then
# "initramfs: N passed, N failed"; exits 1 on any failure. A test script that stops before its
# checks counts as one failure.
#
# Environment: IT_WORKDIR (images and logs, build/initramfs), IT_TIMEOUT (seconds per boot,
# 240), IT_CONTROL=0 (skip the boots with vfio-prep.disable), IT_BOOT=0 (build and inspect
# the images, boot none), VFIO_PREP_CACHE (kernel cache).
set -u

DIR=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$DIR/../.." && pwd)
# shellcheck source=tests/lib.sh
. "$TOP/tests/lib.sh"
BUILD=${1:-$TOP/build}
case $BUILD in
/*) ;;
*) BUILD=$TOP/$BUILD ;;
esac
WORK=${IT_WORKDIR:-$TOP/build/initramfs}
mkdir -p "$WORK"
OUT=$WORK/run.out
: >"$OUT"

now() {
	date +%s.%N | cut -c1-13
}

shellcheck_hooks() {
	if ! command -v shellcheck >/dev/null 2>&1; then
		echo "FAIL hooks pass shellcheck: shellcheck is not installed"
	elif (cd "$TOP" && shellcheck -x -s sh dracut/50vfio-prep/*.sh initramfs-tools/hooks/vfio-prep \
		initramfs-tools/scripts/init-top/00vfio-prep \
		initramfs-tools/scripts/init-bottom/00vfio-prep tests/initramfs/*.sh); then
		echo "ok hooks pass shellcheck"
	else
		echo "FAIL hooks pass shellcheck: see above"
	fi
}

# Run test script $1, its output shown and kept; a non-zero exit without any FAIL line is a
# failure of its own.
run_script() {
	rcfile=$WORK/run.rc
	{
		sh "$DIR/$1" "$BUILD" 2>&1
		echo $? >"$rcfile"
	} | tee "$WORK/run.$1.out"
	cat "$WORK/run.$1.out" >>"$OUT"
	if [ "$(cat "$rcfile")" != 0 ] && ! grep -q '^FAIL ' "$WORK/run.$1.out"; then
		echo "FAIL $1: stopped before its checks (exit $(cat "$rcfile"))" | tee -a "$OUT"
	fi
}

start=$(now)
shellcheck_hooks | tee -a "$OUT"
for t in dracut.sh initramfs-tools.sh md-lvm.sh; do
	run_script "$t"
done
echo "time initramfs: $(awk -v a="$start" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }') s"
t_begin initramfs
T_PASSED=$(grep -c '^ok ' "$OUT")
T_FAILED=$(grep -c '^FAIL ' "$OUT")
T_SKIPPED=$(grep -c '^skip ' "$OUT")
t_end
