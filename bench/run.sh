#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# bench/run.sh BUILD_DIR: what `make bench` prints. Times vfio-prep --check, --list and
# --apply --dry-run on the committed fixture trees and on generated trees of about 50, 500 and
# 2000 devices, beside a static no-op process (the floor) and the shell loop over
# /sys/kernel/iommu_groups + lspci -nns that users run today; then the binary's size and what
# it adds to an initramfs. It prints numbers and never fails on them: no timing is asserted.
#
# Needs BUILD_DIR/vfio-prep, BUILD_DIR/bench/measure and BUILD_DIR/bench/noop (make bench
# builds them); BUILD_DIR/vfio-prep.static is measured too when it exists. lspci (pciutils),
# strip, cpio, gzip and zstd are used when present; a missing one leaves its cells empty.
#
#   BENCH_RUNS=N            timed runs per vfio-prep measurement (default 21)
#   BENCH_ROW_BUDGET_MS=M   fewer runs when a row takes longer than this (default 10000)
#   BENCH_SIZES="50 500"    generated tree sizes (default "50 500 2000")
#   BENCH_LOOP_BUDGET_MS=M  time for the runs of one lspci loop (default 10000; at least 1 run)
#   BENCH_LOOP_SAMPLE=K     on trees with more grouped devices, time the loop over the first K
#                           and scale to all of them (default 200; 0: always the whole loop)
#   BENCH_NO_LOOP=1         skip the lspci loops (they take most of the time)
#   BENCH_NO_HOST=1         skip the rows of this machine's own /sys (read-only --check, --list)
set -u

if [ $# -ne 1 ]; then
	echo "usage: bench/run.sh BUILD_DIR" >&2
	exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
build=$(cd "$1" && pwd)
bdir=$(basename "$build")
measure=$build/bench/measure
noop=$build/bench/noop
runs=${BENCH_RUNS:-21}
sizes=${BENCH_SIZES:-50 500 2000}
loop_budget=${BENCH_LOOP_BUDGET_MS:-10000}
loop_sample=${BENCH_LOOP_SAMPLE:-200}
row_budget=${BENCH_ROW_BUDGET_MS:-10000}
for f in "$build/vfio-prep" "$measure" "$noop"; do
	[ -x "$f" ] || { echo "bench: $f is missing (run make bench)" >&2; exit 2; }
done
scratch=$(mktemp -d "${TMPDIR:-/tmp}/vfio-prep-bench.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
trap 'exit 130' INT TERM
LC_ALL=C
export LC_ALL

have() {
	command -v "$1" >/dev/null 2>&1
}

# us_ms US: microseconds as milliseconds with two decimals.
us_ms() {
	printf '%d.%02d' $(($1 / 1000)) $(($1 % 1000 / 10))
}

# ratio A B: A/B with one decimal ("-" when B is 0).
ratio() {
	if [ "$2" -gt 0 ]; then
		printf '%d.%d' $(($1 / $2)) $(($1 * 10 / $2 % 10))
	else
		printf '%s' -
	fi
}

# kib BYTES, mib KB
kib() {
	printf '%d.%d KiB' $(($1 / 1024)) $(($1 * 10 / 1024 % 10))
}
mib() {
	printf '%d.%d MiB' $(($1 / 1024)) $(($1 * 10 / 1024 % 10))
}

# run_measure RUNS WARMUP BUDGET_MS CMD...: sets RUNS_DONE MEDIAN CPU RSS STATUS.
run_measure() {
	_n=$1 _w=$2 _t=$3
	shift 3
	# shellcheck disable=SC2046 # the helper prints seven numbers
	set -- $("$measure" -n "$_n" -w "$_w" -t "$_t" -- "$@")
	if [ $# -ne 7 ]; then
		RUNS_DONE=0 MEDIAN=0 CPU=0 RSS=0 STATUS=-
		return 1
	fi
	RUNS_DONE=$1 MEDIAN=$2 RSS=$5 STATUS=$6 CPU=$7
}

# The trees: NAME DIR lines in $scratch/trees.
make_trees() {
	: >"$scratch/trees"
	for f in "$top"/tests/fixtures/*.desc; do
		[ -f "$f" ] || continue
		name=$(basename "$f" .desc)
		sh "$top/tests/gen-tree.sh" "$scratch/t/$name" <"$f" || { echo "bench: cannot build $name" >&2; continue; }
		echo "$name $scratch/t/$name" >>"$scratch/trees"
	done
	for f in "$top"/tests/fixtures/*/*.tar.gz; do
		[ -f "$f" ] || continue
		name=$(basename "$(dirname "$f")")-$(basename "$f" .tar.gz)
		mkdir -p "$scratch/t/$name" && tar -xzf "$f" -C "$scratch/t/$name" &&
			echo "$name $scratch/t/$name" >>"$scratch/trees"
	done
	for n in $sizes; do
		if ! sh "$here/gen-desc.sh" "$n" >"$scratch/gen-$n.desc" ||
			! sh "$top/tests/gen-tree.sh" "$scratch/t/gen-$n" <"$scratch/gen-$n.desc"; then
			echo "bench: cannot build gen-$n" >&2
			continue
		fi
		echo "gen-$n $scratch/t/gen-$n" >>"$scratch/trees"
	done
}

count() {
	set -- "$1"/*
	[ -e "$1" ] || set --
	echo $#
}

# SELECT = -d options for --apply: the first display device that is not the boot VGA and the
# first USB controller (what people pass through), or else the first device.
pick_devices() {
	SELECT=
	_gpu='' _usb='' _first=''
	for _d in "$1"/sys/bus/pci/devices/*; do
		[ -e "$_d/class" ] || continue
		_a=${_d##*/}
		[ -n "$_first" ] || _first=$_a
		read -r _c <"$_d/class" || continue
		_v=0
		[ ! -e "$_d/boot_vga" ] || read -r _v <"$_d/boot_vga" || _v=0
		case $_c in
		0x03*) [ -n "$_gpu" ] || [ "$_v" = 1 ] || _gpu=$_a ;;
		0x0c03*) [ -n "$_usb" ] || _usb=$_a ;;
		esac
		[ -z "$_gpu" ] || [ -z "$_usb" ] || break
	done
	for _a in $_gpu $_usb; do
		SELECT="$SELECT -d $_a"
	done
	[ -n "$SELECT" ] || [ -z "$_first" ] || SELECT="-d $_first"
}

# row TREE DEVS GROUPS BINARY COMMAND: one table line (no newline) from the last measurement.
# The summary reads $scratch/results: TREE BINARY MODE WALL_US RSS_KB CPU_US [FLOOR_WALL FLOOR_CPU].
FORMAT='%-14s %5s %6s  %-6s  %-18s %4s %11s %10s %12s %9s %4s'
row() {
	_x=-
	[ "$RF" -eq 0 ] || _x="$(ratio "$MEDIAN" "$RF") / $(ratio "$CPU" "$RFC")"
	# shellcheck disable=SC2059 # the format is the table's
	printf "$FORMAT" "$1" "$2" "$3" "$4" "$5" "$RUNS_DONE" "$(us_ms "$MEDIAN") ms" "$(us_ms "$CPU") ms" \
		"$_x" "$(mib "$RSS")" "$STATUS"
}

# shellcheck disable=SC2016 # expanded by the sh that runs it
loop_script='for g in "$1"/sys/kernel/iommu_groups/*; do for d in "$g"/devices/*; do
lspci -A linux-sysfs -O sysfs.path="$1"/sys/bus/pci -nns "${d##*/}"; done; done'
# The same, stopping after $2 lspci calls: each call costs the same whatever the tree's size
# (it is mostly the parsing of pci.ids), so a sample scales.
# shellcheck disable=SC2016
sample_script='n=0; for g in "$1"/sys/kernel/iommu_groups/*; do for d in "$g"/devices/*; do
[ "$n" -lt "$2" ] || exit 0; n=$((n + 1))
lspci -A linux-sysfs -O sysfs.path="$1"/sys/bus/pci -nns "${d##*/}"; done; done'

lspci_usable() {
	have lspci && lspci -O help 2>&1 | grep -q 'sysfs.path'
}

bench_tree() {
	name=$1 root=$2
	devs=$(count "$root/sys/bus/pci/devices")
	groups=$(count "$root/sys/kernel/iommu_groups")
	pick_devices "$root"
	for b in $bins; do
		bin=$scratch/bin/$b
		tag=dyn
		[ "$b" = vfio-prep ] || tag=static
		for mode in check list apply; do
			# shellcheck disable=SC2086 # SELECT holds words
			case $mode in
			check) set -- --check ;;
			list) set -- --list ;;
			apply) set -- --apply --dry-run $SELECT ;;
			esac
			# The floor again, just before: on a busy machine it moves with the load.
			run_measure "$runs" 2 0 "$noop"
			RF=$MEDIAN RFC=$CPU
			run_measure "$runs" 2 "$row_budget" "$bin" "$@" --root "$root"
			label=$*
			[ "$mode" != apply ] || label="--apply --dry-run"
			line=$(row "$name" "$devs" "$groups" "$tag" "$label")
			if [ "$STATUS" = 127 ] || [ "$STATUS" = 126 ] || [ "$STATUS" -gt 128 ] 2>/dev/null; then
				printf '%s  (did not run: binary missing or crashed)\n' "$line"
				continue
			fi
			echo "$name $tag $mode $MEDIAN $RSS $CPU $RF $RFC" >>"$scratch/results"
			if [ "$mode" = list ] && [ -n "$LOOP" ]; then
				line="$line  $(ratio "$LOOP" "$MEDIAN")x faster"
			fi
			printf '%s\n' "$line"
		done
	done
}

bench_loop() {
	LOOP=
	lspci_usable && [ -z "${BENCH_NO_LOOP:-}" ] || return 0
	name=$1 root=$2
	# Without groups the loop lists nothing useful (its glob stays unexpanded): no comparison.
	[ "$(count "$root/sys/kernel/iommu_groups")" -gt 0 ] || return 0
	set -- "$root"/sys/kernel/iommu_groups/*/devices/*
	label="lspci loop"
	if [ "$loop_sample" -gt 0 ] && [ $# -gt "$loop_sample" ]; then
		run_measure 21 0 "$loop_budget" sh -c "$sample_script" sh "$root" "$loop_sample" || return 0
		MEDIAN=$((MEDIAN * $# / loop_sample)) CPU=$((CPU * $# / loop_sample))
		label="lspci loop (est.)"
	else
		run_measure 21 0 "$loop_budget" sh -c "$loop_script" sh "$root" || return 0
	fi
	LOOP=$MEDIAN
	RF=0
	row "$name" "$(count "$root/sys/bus/pci/devices")" "$(count "$root/sys/kernel/iommu_groups")" sh "$label"
	[ "$label" = "lspci loop" ] || printf '  %s of %s calls, scaled' "$loop_sample" "$#"
	echo
	echo "$name sh loop $MEDIAN $RSS $CPU" >>"$scratch/results"
}

# This machine's own /sys, read-only: real sysfs costs what a fake tree cannot show (config
# space reads reach the hardware, or the hypervisor). At most 5 s of runs per row.
bench_host() {
	[ -z "${BENCH_NO_HOST:-}" ] && [ -d /sys/bus/pci/devices ] || return 0
	echo
	devs=$(count /sys/bus/pci/devices)
	groups=$(count /sys/kernel/iommu_groups)
	for b in $bins; do
		tag=dyn
		[ "$b" = vfio-prep ] || tag=static
		for mode in check list; do
			run_measure "$runs" 2 0 "$noop"
			RF=$MEDIAN RFC=$CPU
			run_measure "$runs" 1 5000 "$scratch/bin/$b" "--$mode"
			row "this host" "$devs" "$groups" "$tag" "--$mode"
			echo
		done
	done
}

# growth TAG: how wall and CPU time grow from gen-500 to gen-2000, per command.
growth() {
	awk -v b="$1" '$2 == b && ($1 == "gen-500" || $1 == "gen-2000") { w[$1, $3] = $4; c[$1, $3] = $6 }
	END { split("check list apply", m, " ")
		for (i = 1; i <= 3; i++) if (w["gen-500", m[i]] > 0 && w["gen-2000", m[i]] > 0)
			printf "  --%s %.1fx (cpu %.1fx)", m[i], w["gen-2000", m[i]] / w["gen-500", m[i]],
				c["gen-2000", m[i]] / c["gen-500", m[i]] }' "$scratch/results"
}

sizes_report() {
	echo
	for b in $bins; do
		bin=$scratch/bin/$b
		if have strip && strip -o "$scratch/$b.stripped" "$bin" 2>/dev/null; then
			size=$(wc -c <"$scratch/$b.stripped")
			kind="fully static"
			[ "$b" = vfio-prep.static ] || kind="dynamic: libraries below not counted"
			printf 'binary %-28s stripped %s (%s)\n' "$bdir/$b" "$(kib "$size")" "$kind"
			initramfs_report "$b"
		fi
	done
	if [ "$bins" = vfio-prep ]; then
		echo "  (no $bdir/vfio-prep.static: sizes are of the dynamic binary)"
		if have ldd; then
			libs=$(ldd "$scratch/bin/vfio-prep" 2>/dev/null | awk '$3 ~ /^\// && $1 !~ /^(libc|ld-linux)/ { print $3 }')
			# shellcheck disable=SC2086 # one path per word
			[ -z "$libs" ] || printf '  its shared libraries except libc: %s\n' \
				"$(kib "$(cat $libs | wc -c)")"
		fi
	fi
}

# The bytes a stripped binary and the example config add to an initramfs image.
initramfs_report() {
	d=$scratch/initramfs-$1
	mkdir -p "$d/usr/bin" "$d/etc"
	cp "$scratch/$1.stripped" "$d/usr/bin/vfio-prep"
	[ ! -f "$top/examples/vfio-prep.conf" ] || cp "$top/examples/vfio-prep.conf" "$d/etc/vfio-prep.conf"
	have cpio || return 0
	(cd "$d" && find usr etc | cpio -o -H newc --quiet >"$scratch/$1.cpio") || return 0
	printf '  initramfs: cpio newc (binary + config) %s' "$(kib "$(wc -c <"$scratch/$1.cpio")")"
	! have gzip || printf ', gzip -9 %s' "$(kib "$(gzip -9 -c "$scratch/$1.cpio" | wc -c)")"
	! have zstd || printf ', zstd -19 %s' "$(kib "$(zstd -q -19 -c "$scratch/$1.cpio" | wc -c)")"
	echo
}

# targets TAG SIZE_BYTES STATIC(0|1): the issue's targets, from the results; wall time decides,
# CPU time is shown beside it because a busy machine inflates wall time.
targets() {
	awk -v b="$1" -v size="$2" -v static="$3" '
	function yn(ok) { return ok ? "yes" : "NO" }
	function line(what, measured, ok_wall, ok_cpu) {
		printf "  %-44s %-36s %s | %s\n", what, measured, yn(ok_wall), yn(ok_cpu) }
	{ w[$1, $2, $3] = $4; r[$1, $2, $3] = $5; c[$1, $2, $3] = $6; fw[$1, $2, $3] = $7; fc[$1, $2, $3] = $8
	  trees[$1] = 1 }
	END {
		printf "  %-44s %-36s %s\n", "target", "measured: wall | cpu", "met: wall | cpu"
		split("check list apply", m, " ")
		for (t in trees) if (t ~ /^desktop/ && (t, b, "check") in w) {
			x = w[t, b, "check"] / fw[t, b, "check"]; y = c[t, b, "check"] / fc[t, b, "check"]
			if (x > dw) { dw = x; dc = y; dt = t } }
		if (dt != "")
			line("--check on a desktop tree within 3x no-op", sprintf("%.1fx | %.1fx (%s)", dw, dc, dt),
				dw <= 3, dc <= 3)
		lw = -1
		for (t in trees) if ((t, "sh", "loop") in w && (t, b, "list") in w) {
			x = w[t, "sh", "loop"] / w[t, b, "list"]; y = c[t, "sh", "loop"] / c[t, b, "list"]
			if (lw < 0 || x < lw) { lw = x; lc = y; lt = t } }
		if (lw >= 0)
			line("--list at least 50x faster than lspci loop", sprintf("%.0fx | %.0fx (%s, least)", lw, lc, lt),
				lw >= 50, lc >= 50)
		for (i = 1; i <= 3; i++) if (("gen-2000", b, m[i]) in w && w["gen-2000", b, m[i]] > gw) {
			gw = w["gen-2000", b, m[i]]; gc = c["gen-2000", b, m[i]]; gm = m[i] }
		if (gm != "")
			line("2000 devices under 25 ms", sprintf("%.1f | %.1f ms (--%s)", gw / 1000, gc / 1000, gm),
				gw < 25000, gc < 25000)
		for (i = 1; i <= 3; i++) if (("gen-500", b, m[i]) in w && ("gen-2000", b, m[i]) in w) {
			x = w["gen-2000", b, m[i]] / w["gen-500", b, m[i]]
			if (x > xw) { xw = x; xc = c["gen-2000", b, m[i]] / c["gen-500", b, m[i]]; xm = m[i] } }
		if (xm != "")
			line("growth 500 -> 2000 devices at most 4x", sprintf("%.2fx | %.2fx (--%s)", xw, xc, xm),
				xw <= 4, xc <= 4)
		for (k in r) { split(k, f, SUBSEP); if (f[2] == b && r[k] > rr) { rr = r[k]; rt = f[1] } }
		if (rt != "")
			line("peak RSS under 4 MiB", sprintf("%.1f MiB (%s)", rr / 1024, rt), rr < 4096, rr < 4096)
		if (size > 0 && static)
			line("static binary under 640 KiB stripped", sprintf("%.1f KiB", size / 1024), size < 655360,
				size < 655360)
		else if (size > 0)
			printf "  %-44s %-36s %s\n", "static binary under 640 KiB stripped",
				sprintf("%.1f KiB, dynamic", size / 1024), "not measurable"
	}' "$scratch/results"
}

# A static binary built before the latest change to src/ measures old code: say so.
stale_note() {
	[ -x "$build/vfio-prep.static" ] || return 0
	newer=$(find "$top/src" -name '*.[ch]' -newer "$build/vfio-prep.static" 2>/dev/null | head -1)
	[ -z "$newer" ] || printf 'NOTE: %s/vfio-prep.static is older than %s (run make static)\n' "$bdir" "${newer#"$top"/}"
}

bins=vfio-prep
[ ! -x "$build/vfio-prep.static" ] || bins="vfio-prep.static vfio-prep"
# Private copies: others may rebuild build/ while this runs.
mkdir -p "$scratch/bin"
for b in $bins; do
	cp "$build/$b" "$scratch/bin/$b" || exit 2
done

echo "building trees..."
make_trees
: >"$scratch/results"
run_measure "$runs" 2 0 "$noop"
RF=$MEDIAN RFC=$CPU
echo
printf 'vfio-prep benchmark: %s timed runs per vfio-prep row; median wall time, median CPU time\n' "$runs"
printf '(user + system), both over the floor'"'"'s (measured again just before each row), largest peak
RSS, last exit status.\n'
printf '%s CPUs, load average %s. The lspci loop: as many runs as fit in %s ms (at least one).\n' \
	"$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo '?')" "$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')" \
	"$loop_budget"
stale_note
echo
# shellcheck disable=SC2059
printf "$FORMAT\n" tree devs groups binary command runs "wall" "cpu" "x floor w/c" "peak RSS" exit
row floor - - static "no-op process"
echo
while read -r name root; do
	echo
	bench_loop "$name" "$root"
	bench_tree "$name" "$root"
done <"$scratch/trees"
bench_host

for b in $bins; do
	tag=dyn
	[ "$b" = vfio-prep ] || tag=static
	line=$(growth "$tag")
	[ -z "$line" ] || printf '\ngrowth from 500 to 2000 devices, %s/%s (linear: 4.0x):\n%s\n' "$bdir" "$b" "$line"
done
sizes_report
for b in $bins; do
	tag=dyn static=0
	[ "$b" = vfio-prep ] || tag=static static=1
	size=0
	[ ! -f "$scratch/$b.stripped" ] || size=$(wc -c <"$scratch/$b.stripped")
	printf '\ntargets (issue 5), %s/%s:\n' "$bdir" "$b"
	targets "$tag" "$size" "$static"
done
