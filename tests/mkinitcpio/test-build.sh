#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Build tests of mkinitcpio/install/vfio-prep: run it through tests/mkinitcpio/mkinitcpio.sh
# (mkinitcpio's functions, re-implemented) against module trees cut from the test kernel, and
# look at what lands in the image. Also checks the runtime hook and the unit on their own.
#
#   test-build.sh BINARY        KVER and MODDIR from tests/vm/kernel.sh (run when unset)
#
# Prints "ok NAME" or "FAIL NAME: reason" per case; exits 1 when a case failed.
# Assertions are called through check's eval, which shellcheck cannot see.
# shellcheck disable=SC2317,SC2031,SC2016
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
BINARY=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
if [[ -z "${KVER:-}" || -z "${MODDIR:-}" ]]; then
	eval "$(sh "$top/tests/vm/kernel.sh")" || exit 1
fi
scratch=$(mktemp -d "${TMPDIR:-/tmp}/vfio-prep-mkinitcpio.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
failed=0

ok() {
	echo "ok $1"
}

fail() {
	echo "FAIL $1: $2"
	failed=1
}

# --- fixtures ---------------------------------------------------------------------------------

VFIO_MODULES=(vfio vfio_iommu_type1 vfio_virqfd vfio-pci-core vfio-pci irqbypass)

# A module tree for $KVER at $1 with the vfio modules of the test kernel; then each of
# "drop:NAME" (the module does not exist) or "builtin:NAME" (it is built in) in $2...
modtree() {
	local dir=$1 dest=$1/lib/modules/$KVER m rel kind name
	shift
	mkdir -p "$dest"
	for m in "${VFIO_MODULES[@]}"; do
		rel=$(grep -o "^kernel/[^:]*/$m\.ko[^:]*" "$MODDIR/modules.dep") || return 1
		mkdir -p "$dest/${rel%/*}"
		cp "$MODDIR/$rel" "$dest/$rel"
	done
	cp "$MODDIR/modules.builtin" "$MODDIR/modules.builtin.modinfo" "$MODDIR/modules.order" "$dest/"
	for m in "$@"; do
		kind=${m%%:*} name=${m#*:}
		rel=$(cd "$dest" && find kernel -name "$name.ko*")
		rm -f "$dest/$rel"
		[[ "$kind" == builtin ]] && echo "$rel" >>"$dest/modules.builtin"
	done
	depmod -b "$dir" "$KVER" 2>/dev/null
}

# The files the hook reads, below a sysroot $1: the binary (static: "static"; "record": a script
# standing in for it that prints a root record), the config and a drop-in (unless "noconf"),
# the units.
sysroot() {
	local dir=$1 what
	shift
	install -Dm755 "$BINARY" "$dir/usr/bin/vfio-prep"
	install -Dm644 "$top/mkinitcpio/vfio-prep.service" "$dir/usr/lib/systemd/system/vfio-prep.service"
	install -Dm644 "$top/mkinitcpio/vfio-prep-sysroot.service" \
		"$dir/usr/lib/systemd/system/vfio-prep-sysroot.service"
	printf 'device 0000:01:00.0\n' | install -Dm640 /dev/stdin "$dir/etc/vfio-prep.conf"
	printf 'device 8086:a36d\n' | install -Dm644 /dev/stdin "$dir/etc/vfio-prep.d/50-usb.conf"
	for what in "$@"; do
		case $what in
		# Any static program will do: the test only needs to tell which one was taken.
		static) install -Dm755 "$(type -P busybox)" "$dir/usr/lib/vfio-prep/vfio-prep.static" ;;
		noconf) rm -rf "$dir/etc/vfio-prep.conf" "$dir/etc/vfio-prep.d" ;;
		local) install -Dm755 "$BINARY" "$dir/usr/local/bin/vfio-prep" && rm "$dir/usr/bin/vfio-prep" ;;
		nobinary) rm "$dir/usr/bin/vfio-prep" ;;
		record)
			printf '%s\n' '#!/bin/sh' '[ "$1" = --root-record ] || exit 2' \
				'printf "root-record test\nclass 0x010802\n"' >"$dir/usr/bin/vfio-prep"
			;;
		esac
	done
}

# build NAME SYSROOT MODROOT HOOK...: stage an image into $scratch/NAME.root; the exit status,
# stdout and stderr are in $scratch/NAME.{rc,out,err}.
build() {
	local name=$1 sys=$2 mods=$3 rc=0
	shift 3
	MKINITCPIO_INSTALL="$here/install:$top/mkinitcpio/install" MKINITCPIO_HOOKS="$here/hooks:$top/mkinitcpio/hooks" \
		VFIO_PREP_SYSROOT=$sys _d_units=$sys/usr/lib/systemd/system \
		bash "$here/mkinitcpio.sh" -k "$KVER" -r "$mods" -d "$scratch/$name.root" "$@" \
		>"$scratch/$name.out" 2>"$scratch/$name.err" || rc=$?
	echo "$rc" >"$scratch/$name.rc"
	ROOT=$scratch/$name.root
}

# --- assertions: each prints nothing and succeeds, or says what is wrong ---------------------

same() {
	[[ -f "$ROOT$1" ]] || { echo "$1 is not in the image"; return 1; }
	cmp -s "$2" "$ROOT$1" || { echo "$1 in the image differs from $2"; return 1; }
}

present() {
	[[ -e "$ROOT$1" ]] || { echo "$1 is not in the image"; return 1; }
}

absent() {
	[[ ! -e "$ROOT$1" && ! -L "$ROOT$1" ]] || { echo "$1 should not be in the image"; return 1; }
}

mode_is() {
	local m
	m=$(stat -c %a "$ROOT$1") || return 1
	[[ "$m" == "$2" ]] || { echo "$1 has mode $m, not $2"; return 1; }
}

built_clean() {
	local name=$1
	[[ "$(cat "$scratch/$name.rc")" == 0 ]] || { echo "the build failed: $(cat "$scratch/$name.err")"; return 1; }
	! grep -q -e ERROR -e WARNING "$scratch/$name.err" || { echo "the build complained: $(cat "$scratch/$name.err")"; return 1; }
}

config_has() {
	grep -qx "$1" "$ROOT/config" || { echo "/config lacks $1: $(tr '\n' ' ' <"$ROOT/config")"; return 1; }
}

has_modules() {
	local m f
	for m in "$@"; do
		f=$(cd "$ROOT/usr/lib/modules/$KVER" 2>/dev/null && find kernel -name "$m.ko*" | head -n 1)
		[[ -n "$f" ]] || { echo "module $m is not in the image"; return 1; }
		grep -q "^$f:" "$ROOT/usr/lib/modules/$KVER/modules.dep" || { echo "$f is not indexed"; return 1; }
	done
}

# check NAME ASSERTION...: each assertion is one string, run with eval; the first failure wins.
check() {
	local name=$1 a why
	shift
	for a in "$@"; do
		if ! why=$(eval "$a" 2>&1); then
			fail "$name" "${why:-$a}"
			return
		fi
	done
	ok "$name"
}

# --- cases ------------------------------------------------------------------------------------

modtree "$scratch/mods-6.1" || { fail modtree "no vfio modules in $MODDIR"; exit 1; }
modtree "$scratch/mods-builtin" builtin:vfio-pci
modtree "$scratch/mods-no-type1" drop:vfio_iommu_type1

sysroot "$scratch/sys-static" static
sysroot "$scratch/sys-dynamic"
sysroot "$scratch/sys-noconf" noconf

build busybox-static "$scratch/sys-static" "$scratch/mods-6.1" vfio-prep
check busybox-static "built_clean busybox-static" \
	"same /usr/bin/vfio-prep $scratch/sys-static/usr/lib/vfio-prep/vfio-prep.static" \
	"mode_is /usr/bin/vfio-prep 755" \
	"same /etc/vfio-prep.conf $scratch/sys-static/etc/vfio-prep.conf" \
	"mode_is /etc/vfio-prep.conf 640" \
	"same /etc/vfio-prep.d/50-usb.conf $scratch/sys-static/etc/vfio-prep.d/50-usb.conf" \
	"has_modules ${VFIO_MODULES[*]}" \
	"same /hooks/vfio-prep $top/mkinitcpio/hooks/vfio-prep" \
	"mode_is /hooks/vfio-prep 755" \
	"config_has 'EARLYHOOKS=\"vfio-prep\"'" \
	"config_has 'LATEHOOKS=\"vfio-prep\"'" \
	"absent /usr/lib/systemd/system/vfio-prep.service" \
	"absent /usr/lib/systemd/system/vfio-prep-sysroot.service" \
	"absent /etc/vfio-prep/root-record" \
	"absent /usr/lib/x86_64-linux-gnu/libc.so.6"

# The build-time root record: what `vfio-prep --root-record` prints goes into the image; when
# it fails (the busybox standing in for the binary above exits 1), nothing does.
record_is() {
	[[ "$(cat "$ROOT/etc/vfio-prep/root-record" 2>/dev/null)" == "$1" ]] ||
		{ echo "the root record is '$(cat "$ROOT/etc/vfio-prep/root-record" 2>&1)', not '$1'"; return 1; }
}
sysroot "$scratch/sys-record" record
build root-record "$scratch/sys-record" "$scratch/mods-6.1" vfio-prep
check root-record "built_clean root-record" \
	"record_is 'root-record test
class 0x010802'" \
	"mode_is /etc/vfio-prep/root-record 644"

sysroot "$scratch/sys-local" local
build usr-local "$scratch/sys-local" "$scratch/mods-6.1" vfio-prep
check usr-local "built_clean usr-local" "same /usr/bin/vfio-prep $BINARY"

no_binary() {
	[[ "$(cat "$scratch/no-binary.rc")" != 0 ]] || { echo "the build succeeded"; return 1; }
	grep -q "ERROR: vfio-prep: no vfio-prep binary installed" "$scratch/no-binary.err" ||
		{ echo "unexpected errors: $(cat "$scratch/no-binary.err")"; return 1; }
}
sysroot "$scratch/sys-nobinary" nobinary
build no-binary "$scratch/sys-nobinary" "$scratch/mods-6.1" vfio-prep
check no-binary no_binary "absent /usr/bin/vfio-prep"

# The dynamic binary brings what ldd lists (libkmod, libblkid, libc, the loader).
libs_present() {
	local lib n=0
	while read -r lib; do
		present "$lib" || return 1
		n=$((n + 1))
	done < <(ldd "$BINARY" | grep -o '/[^ ]*')
	((n > 0)) || { echo "ldd lists no libraries for $BINARY"; return 1; }
}
build busybox-dynamic "$scratch/sys-dynamic" "$scratch/mods-6.1" vfio-prep
check busybox-dynamic "built_clean busybox-dynamic" \
	"same /usr/bin/vfio-prep $BINARY" \
	"libs_present" \
	"has_modules ${VFIO_MODULES[*]}" \
	"present /hooks/vfio-prep"

build systemd "$scratch/sys-static" "$scratch/mods-6.1" systemd vfio-prep
wants=/usr/lib/systemd/system/sysinit.target.wants/vfio-prep.service
wants2=/usr/lib/systemd/system/initrd.target.wants/vfio-prep-sysroot.service
link_is() {
	[[ -L "$ROOT$1" && "$(readlink "$ROOT$1")" == "$2" ]] || { echo "$1 is not a link to $2"; return 1; }
}
check systemd "built_clean systemd" \
	"same /usr/lib/systemd/system/vfio-prep.service $top/mkinitcpio/vfio-prep.service" \
	"link_is $wants /usr/lib/systemd/system/vfio-prep.service" \
	"same /usr/lib/systemd/system/vfio-prep-sysroot.service $top/mkinitcpio/vfio-prep-sysroot.service" \
	"link_is $wants2 /usr/lib/systemd/system/vfio-prep-sysroot.service" \
	"same /usr/bin/vfio-prep $scratch/sys-static/usr/lib/vfio-prep/vfio-prep.static" \
	"same /etc/vfio-prep.conf $scratch/sys-static/etc/vfio-prep.conf" \
	"has_modules ${VFIO_MODULES[*]}" \
	"absent /hooks/vfio-prep" \
	"config_has 'EARLYHOOKS=\"\"'"

# 'systemd' after vfio-prep in HOOKS: add_systemd_unit does not exist yet, HOOKS tells.
build systemd-later "$scratch/sys-static" "$scratch/mods-6.1" vfio-prep systemd
check systemd-later "built_clean systemd-later" \
	"same /usr/lib/systemd/system/vfio-prep.service $top/mkinitcpio/vfio-prep.service" \
	"link_is $wants /usr/lib/systemd/system/vfio-prep.service" \
	"link_is $wants2 /usr/lib/systemd/system/vfio-prep-sysroot.service" \
	"absent /hooks/vfio-prep"

# Before 'udev' in HOOKS (as the help and --check say): the early hooks run in HOOKS order, so
# vfio-prep's runs before udev's starts udevd.
build before-udev "$scratch/sys-static" "$scratch/mods-6.1" vfio-prep udev
check before-udev "built_clean before-udev" \
	"config_has 'EARLYHOOKS=\"vfio-prep udev\"'" \
	"config_has 'LATEHOOKS=\"vfio-prep\"'" \
	"present /hooks/udev" \
	"absent /usr/lib/systemd/system/vfio-prep.service"

# The hint of vfio-prep --check comes from the same place as the help: they must agree.
check_hint_agrees() {
	local hint
	hint=$(grep -o "add vfio-prep to HOOKS= [^\"]*" "$top/src/core/generators.c") || { echo "no mkinitcpio hint in generators.c"; return 1; }
	grep -q "right after 'base', before 'udev'" <<<"$hint" || { echo "--check says: $hint"; return 1; }
}
check check-hint check_hint_agrees

no_config_warning() {
	[[ "$(cat "$scratch/no-config.rc")" == 0 ]] || { echo "the build failed: $(cat "$scratch/no-config.err")"; return 1; }
	grep -q 'WARNING: vfio-prep: no /etc/vfio-prep.conf' "$scratch/no-config.err" ||
		{ echo "no warning about the missing config: $(cat "$scratch/no-config.err")"; return 1; }
}
build no-config "$scratch/sys-noconf" "$scratch/mods-6.1" vfio-prep
check no-config "no_config_warning" \
	"absent /etc/vfio-prep.conf" \
	"absent /etc/vfio-prep.d" \
	"present /usr/bin/vfio-prep" \
	"present /hooks/vfio-prep"

build builtin-vfio-pci "$scratch/sys-static" "$scratch/mods-builtin" vfio-prep
check builtin-vfio-pci "built_clean builtin-vfio-pci" \
	"has_modules vfio vfio_iommu_type1 vfio-pci-core" \
	"absent /usr/lib/modules/$KVER/kernel/drivers/vfio/pci/vfio-pci.ko"

# A required module that does not exist is mkinitcpio's "module not found" error.
missing_type1() {
	[[ "$(cat "$scratch/missing-type1.rc")" != 0 ]] || { echo "the build succeeded"; return 1; }
	grep -q "ERROR: module not found: 'vfio_iommu_type1'" "$scratch/missing-type1.err" ||
		{ echo "unexpected errors: $(cat "$scratch/missing-type1.err")"; return 1; }
}
build missing-type1 "$scratch/sys-static" "$scratch/mods-no-type1" vfio-prep
check missing-type1 missing_type1

# Which modules the hook asks for, and which of them it lets be absent.
module_requests() {
	local got want="vfio vfio_iommu_type1 vfio-pci vfio-pci-core? vfio_virqfd? irqbypass?"
	got=$(
		# shellcheck source=functions.sh
		. "$here/functions.sh"
		add_module() { printf '%s ' "$1"; }
		add_binary() { :; }
		add_file() { :; }
		add_runscript() { :; }
		warning() { :; }
		HOOKS=(base udev vfio-prep)
		# shellcheck source=../../mkinitcpio/install/vfio-prep
		. "$top/mkinitcpio/install/vfio-prep"
		build
	)
	[[ "${got% }" == "$want" ]] || { echo "asked for '$got', expected '$want'"; return 1; }
}
check module-requests module_requests

help_text() {
	local text
	text=$(bash -c '. "$1"; help' _ "$top/mkinitcpio/install/vfio-prep") || return 1
	grep -q 'HOOKS=(base vfio-prep udev' <<<"$text" || { echo "help does not say where it goes in HOOKS"; return 1; }
	grep -q 'mkinitcpio -P' <<<"$text" || { echo "help does not say how to rebuild"; return 1; }
}
check help help_text

# --- the unit, on its own -----------------------------------------------------------------------

unit=$top/mkinitcpio/vfio-prep.service
unit2=$top/mkinitcpio/vfio-prep-sysroot.service
unit_has() {
	grep -qx "$1" "$unit" || { echo "the unit lacks '$1'"; return 1; }
}
unit_verify() {
	command -v systemd-analyze >/dev/null || return 0
	systemd-analyze verify --man=no "$unit"
}
check unit "unit_has DefaultDependencies=no" \
	"unit_has 'Before=systemd-udevd.service systemd-modules-load.service systemd-udev-trigger.service sysinit.target'" \
	"unit_has ConditionPathExists=/etc/initrd-release" \
	"unit_has 'ExecStart=-/usr/bin/vfio-prep --apply -q'" \
	"unit_has Type=oneshot" \
	"unit_verify"
# The second pass: root mounted, the switch to it not begun, udevd still running.
check unit-sysroot "unit=$unit2 unit_has DefaultDependencies=no" \
	"unit=$unit2 unit_has 'After=sysroot.mount initrd-root-fs.target vfio-prep.service'" \
	"unit=$unit2 unit_has 'Before=initrd.target initrd-cleanup.service initrd-switch-root.target'" \
	"unit=$unit2 unit_has ConditionPathExists=/etc/initrd-release" \
	"unit=$unit2 unit_has 'ExecStart=-/usr/bin/vfio-prep --apply --sysroot /sysroot -q'" \
	"unit=$unit2 unit_verify"

# --- the runtime hook, under busybox's ash as in the image ---------------------------------------

hook=$top/mkinitcpio/hooks/vfio-prep
busybox=$(type -P busybox) || busybox=busybox
# Sourcing defines run_earlyhook and does nothing else.
hook_sources_quietly() {
	local out
	out=$("$busybox" sh -c '. "$1" && type run_earlyhook' _ "$hook" 2>&1) || { echo "$out"; return 1; }
	[[ "$out" == "run_earlyhook is a function" ]] || { echo "sourcing printed: $out"; return 1; }
}
# run_earlyhook runs "vfio-prep --apply -q" (kmsg carries every line to the console) and returns 0 whatever it exits with.
hook_never_fails() {
	local bin=$scratch/fakebin out rc
	mkdir -p "$bin"
	for rc in 0 1 2; do
		printf '#!/bin/sh\necho "args: $*" >%s/args\nexit %s\n' "$scratch" "$rc" >"$bin/vfio-prep"
		chmod 755 "$bin/vfio-prep"
		out=$(PATH=$bin:/usr/bin:/bin "$busybox" sh -c '. "$1"; run_earlyhook; echo "hook rc=$?"' _ "$hook" 2>&1)
		grep -q 'hook rc=0' <<<"$out" || { echo "with vfio-prep exiting $rc: $out"; return 1; }
		grep -qx 'args: --apply -q' "$scratch/args" || { echo "vfio-prep was run as: $(cat "$scratch/args")"; return 1; }
	done
	grep -q 'status 2; booting on' <<<"$out" || { echo "a failure is not reported: $out"; return 1; }
	rm "$bin/vfio-prep"
	out=$(PATH=$bin "$busybox" sh -c '. "$1"; run_earlyhook; echo "hook rc=$?"' _ "$hook" 2>&1)
	grep -q 'hook rc=0' <<<"$out" || { echo "without vfio-prep: $out"; return 1; }
}
# run_latehook runs the second pass on /new_root, where mkinitcpio's /init mounted the root,
# and returns 0 whatever it exits with.
latehook_never_fails() {
	local bin=$scratch/fakebin out rc
	mkdir -p "$bin"
	for rc in 0 1; do
		printf '#!/bin/sh\necho "args: $*" >%s/args\nexit %s\n' "$scratch" "$rc" >"$bin/vfio-prep"
		chmod 755 "$bin/vfio-prep"
		out=$(PATH=$bin:/usr/bin:/bin "$busybox" sh -c '. "$1"; run_latehook; echo "hook rc=$?"' _ "$hook" 2>&1)
		grep -q 'hook rc=0' <<<"$out" || { echo "with vfio-prep exiting $rc: $out"; return 1; }
		grep -qx 'args: --apply --sysroot /new_root -q' "$scratch/args" ||
			{ echo "vfio-prep was run as: $(cat "$scratch/args")"; return 1; }
	done
	grep -q 'status 1; booting on' <<<"$out" || { echo "a failure is not reported: $out"; return 1; }
	rm "$bin/vfio-prep"
}
check runtime-hook hook_sources_quietly hook_never_fails latehook_never_fails

# --- shellcheck ---------------------------------------------------------------------------------

lint() {
	command -v shellcheck >/dev/null || { echo "shellcheck not found (install shellcheck)"; return 1; }
	shellcheck -s bash "$top/mkinitcpio/install/vfio-prep" &&
		shellcheck "$top/mkinitcpio/hooks/vfio-prep" &&
		(cd "$here" && shellcheck -x functions.sh mkinitcpio.sh test-build.sh test-boot.sh run.sh init install/*)
}
check shellcheck lint

exit "$failed"
