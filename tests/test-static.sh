#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test-static.sh [STATIC [DYNAMIC]]
#
# Checks build/vfio-prep.static (from `make static`; this script builds nothing): that it is
# fully static, that it answers --version, --list and --check on generated machines exactly as
# build/vfio-prep does (names from pci.ids off in both: the static binary has no libpci), and
# that its libkmod finds vfio-pci in a module directory of Debian's kernel (tests/vm/kernel.sh)
# as .ko, .ko.xz and .ko.zst, indexed by depmod. A tree whose index lacks vfio-pci must be
# told apart. The module checks are skipped, and said so, when no kernel can be had: a skip
# fails the run unless ALLOW_SKIP=1 (tests/lib.sh).
# Then two boots (tests/vm, scenarios modules-xz and modules-zst): Debian's kernel under QEMU
# with the vfio modules recompressed as .ko.xz and as .ko.zst in the initramfs; the static
# binary's --apply loads them at boot and the configured device ends on vfio-pci. A missing
# xz, zstd or QEMU, or no kernel, is a failure there.
#
# Prints one line per check and "static: N passed, N failed"; exits 1 on any failure.
set -u

TOP=$(cd "$(dirname "$0")/.." && pwd)
STATIC=${1:-$TOP/build/vfio-prep.static}
DYNAMIC=${2:-$TOP/build/vfio-prep}
FIXTURES="desktop-intel desktop-amd intel-off no-iommu kconfig-gz"
# vfio-pci and what it needs (vfio_virqfd merged into vfio in 6.2: copied when it exists).
MODULES="vfio vfio_iommu_type1 vfio-pci vfio-pci-core vfio_virqfd irqbypass"

# shellcheck source=tests/lib.sh
. "$TOP/tests/lib.sh"
t_begin static

ok() { t_ok "$1"; }
fail() { t_fail "$1"; }
skip() { t_skip "$1"; }

finish() {
	t_end
	exit
}

# ---- the binary itself ----------------------------------------------------------------------

check_static() {
	desc=$(file -L "$STATIC" 2>&1)
	case $desc in
	*"statically linked"* | *"static-pie linked"*) ok "file: ${desc#*: }" ;;
	*) fail "file does not call it static: $desc" ;;
	esac
	# ldd says so and exits 1 for a static executable.
	out=$(ldd "$STATIC" 2>&1)
	case $out in
	*"not a dynamic executable"* | *"statically linked"*) ok "ldd: $(echo "$out" | sed 's/^[[:space:]]*//')" ;;
	*) fail "ldd lists libraries: $(echo "$out" | tr '\n' ' ')" ;;
	esac
	if readelf -l "$STATIC" 2>/dev/null | grep -q 'INTERP'; then
		fail "the binary asks for a program interpreter"
	else
		ok "no program interpreter"
	fi
}

check_version() {
	v=$("$STATIC" --version 2>&1)
	rc=$?
	want="vfio-prep $(cat "$TOP/VERSION")"
	if [ "$rc" = 0 ] && [ "$v" = "$want" ]; then
		ok "--version: $v"
	else
		fail "--version: rc=$rc, '$v' (want '$want')"
	fi
}

# ---- the same answers as the dynamic build -----------------------------------------------------

# Runs both binaries with ARGS; the outputs and exit statuses must be equal.
compare() {
	what=$1
	shift
	VFIO_PREP_PCI_IDS=/dev/null "$DYNAMIC" "$@" >"$WORK/dyn" 2>&1
	rc_d=$?
	"$STATIC" "$@" >"$WORK/sta" 2>&1
	rc_s=$?
	if [ "$rc_d" != "$rc_s" ]; then
		fail "$what: exit status $rc_s, dynamic build $rc_d"
	elif ! [ -s "$WORK/sta" ]; then
		fail "$what: no output"
	elif ! cmp -s "$WORK/dyn" "$WORK/sta"; then
		fail "$what: output differs from the dynamic build"
		diff "$WORK/dyn" "$WORK/sta" | head -n 10 | sed 's/^/    /'
	else
		ok "$what: same as the dynamic build ($(wc -l <"$WORK/sta") lines, exit $rc_s)"
	fi
}

check_fixtures() {
	if ! [ -x "$DYNAMIC" ]; then
		fail "no dynamic build at $DYNAMIC to compare with (make)"
		return
	fi
	for f in $FIXTURES; do
		tree=$WORK/$f
		if ! t_tree "$f" "$tree"; then
			fail "$f: gen-tree.sh failed"
			continue
		fi
		compare "$f --list" --list --root "$tree"
		compare "$f --list --json" --list --json --root "$tree"
		compare "$f --check" --check --root "$tree"
	done
	# zlib is linked in (README, "The static binary"): kconfig-gz's /proc/config.gz is read
	# above, and a capture can be a .tar.gz.
	if "$STATIC" --capture "$WORK/static.tar.gz" --root "$WORK/kconfig-gz" 2>"$WORK/capture.err" &&
		tar -tzf "$WORK/static.tar.gz" | grep -qx 'static/proc/config.gz'; then
		ok "--capture FILE.tar.gz"
	else
		fail "--capture FILE.tar.gz: $(cat "$WORK/capture.err")"
	fi
}

# ---- libkmod inside the static binary -----------------------------------------------------------

# The kernel of the boot tests; KVER and MODDIR, or nothing.
find_kernel() {
	if [ -n "${KVER:-}" ] && [ -n "${MODDIR:-}" ]; then
		return 0
	fi
	out=$(sh "$TOP/tests/vm/kernel.sh" 2>"$WORK/kernel.err") || return 1
	eval "$out"
}

# A machine whose release is KVER, with vfio-pci's modules under lib/modules/KVER compressed
# by COMMAND (none for plain .ko), indexed by depmod. A subset, so nothing leaves the root.
make_module_tree() {
	tree=$1 compress=$2
	dest=$tree/lib/modules/$KVER
	sed "s/^release .*/release $KVER/" "$TOP/tests/fixtures/desktop-intel.desc" |
		sh "$TOP/tests/gen-tree.sh" "$tree" || return 1
	mkdir -p "$dest"
	for m in $MODULES; do
		rel=$(cd "$MODDIR" && find kernel -name "$m.ko" | head -n 1)
		[ -n "$rel" ] || continue
		mkdir -p "$dest/${rel%/*}"
		cp "$MODDIR/$rel" "$dest/$rel" || return 1
		[ "$compress" = none ] || $compress "$dest/$rel" || return 1
	done
	for f in modules.builtin modules.builtin.modinfo modules.order; do
		[ ! -e "$MODDIR/$f" ] || cp "$MODDIR/$f" "$dest/"
	done
	depmod -b "$tree" "$KVER" 2>"$WORK/depmod.err"
}

# vfio-driver of --check: libkmod looked vfio-pci up in modules.dep of the tree.
vfio_driver_line() {
	"$STATIC" --check --root "$1" 2>&1 | grep '^[A-Z]*  *vfio-driver ' | head -n 1
}

check_module_format() {
	name=$1 compress=$2 suffix=$3
	tree=$WORK/modules-$name
	if ! make_module_tree "$tree" "$compress"; then
		fail "$name: cannot prepare the module tree ($(tr '\n' ' ' <"$WORK/depmod.err"))"
		return
	fi
	path=$(grep -o "[^ ]*/vfio-pci\.ko$suffix:" "$tree/lib/modules/$KVER/modules.dep")
	if [ -z "$path" ]; then
		fail "$name: depmod did not index vfio-pci.ko$suffix"
		return
	fi
	line=$(vfio_driver_line "$tree")
	case $line in
	PASS*"vfio-pci module available for $KVER"*) ok "$name: ${path%:} -> $(echo "$line" | tr -s ' ')" ;;
	*) fail "$name: vfio-driver says '$line'" ;;
	esac
}

# The negative: vfio-pci absent from the index must read as missing, not as available.
check_module_missing() {
	tree=$WORK/modules-missing
	make_module_tree "$tree" none || {
		fail "missing: cannot prepare the module tree"
		return
	}
	find "$tree/lib/modules/$KVER" -name 'vfio-pci.ko' -delete
	depmod -b "$tree" "$KVER" 2>/dev/null
	line=$(vfio_driver_line "$tree")
	case $line in
	FAIL*"no vfio-pci module for $KVER"*) ok "without vfio-pci.ko: $(echo "$line" | tr -s ' ')" ;;
	*) fail "without vfio-pci.ko: vfio-driver says '$line'" ;;
	esac
}

check_modules() {
	if ! command -v depmod >/dev/null; then
		skip "module checks: no depmod (install kmod)"
		return
	fi
	if ! find_kernel; then
		skip "module checks: no kernel ($(tail -n 1 "$WORK/kernel.err"))"
		return
	fi
	check_module_format ko none ""
	if command -v xz >/dev/null; then
		# As the kernel's own modules_install compresses them.
		check_module_format ko.xz "xz --check=crc32 --lzma2=dict=1MiB" .xz
	else
		fail "ko.xz: no xz (install xz-utils)"
	fi
	if command -v zstd >/dev/null; then
		check_module_format ko.zst "zstd -q -T0 --rm" .zst
	else
		fail "ko.zst: no zstd (install zstd)"
	fi
	check_module_missing
}

# ---- compressed modules loaded at boot -------------------------------------------------------

# The boot tests' runner on the scenarios that recompress the vfio modules; each of its
# "ok NAME" / "FAIL NAME: reason" lines counts here. It builds its images in build/vm-static.
check_boot_compressed() {
	for pair in xz:xz-utils zstd:zstd; do
		command -v "${pair%%:*}" >/dev/null ||
			fail "boot with compressed modules: no ${pair%%:*} (install ${pair#*:})"
	done
	VM_WORKDIR=${VM_WORKDIR:-$TOP/build/vm-static} sh "$TOP/tests/vm/run.sh" "$STATIC" \
		modules-xz modules-zst >"$WORK/vm.out" 2>"$WORK/vm.err"
	rc=$?
	n=0
	while IFS= read -r line; do
		case $line in
		"ok "*) ok "boot: ${line#ok } (vfio modules compressed, loaded by $STATIC)"; n=$((n + 1)) ;;
		"FAIL "*) fail "boot: ${line#FAIL }"; n=$((n + 1)) ;;
		"vm: "*" passed, "*) ;;
		"vm: "*) fail "boot: ${line#vm: }" ;;
		esac
	done <"$WORK/vm.out"
	if [ "$n" != 2 ]; then
		fail "boot: tests/vm/run.sh reported $n of 2 scenarios (exit $rc): $(tail -n 3 "$WORK/vm.err" | tr '\n' ' ')"
	fi
}

main() {
	if ! [ -x "$STATIC" ]; then
		fail "no static binary at $STATIC (make static)"
		finish
	fi
	WORK=$(mktemp -d "${TMPDIR:-/tmp}/vfio-prep-static.XXXXXX") || exit 1
	trap 'rm -rf "$WORK"' EXIT
	check_static
	check_version
	check_fixtures
	check_modules
	check_boot_compressed
	finish
}

main "$@"
