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
# builds them, BUILD_DIR/bench/bare, the reads of a whole machine and nothing else, printed for
# scale, and BUILD_DIR/bench/deadline, one write with a deadline); BUILD_DIR/vfio-prep.static is
# measured too when it exists. lspci (pciutils), strip, cpio, gzip and zstd are used when
# present; a missing one leaves its cells empty.
#
#   BENCH_RUNS=N            timed runs per vfio-prep measurement (default 21)
#   BENCH_ROW_BUDGET_MS=M   fewer runs when a row takes longer than this (default 10000)
#   BENCH_SIZES="50 500"    generated tree sizes (default "50 500 2000")
#   BENCH_LOOP_BUDGET_MS=M  time for the runs of one lspci loop (default 10000; at least 1 run)
#   BENCH_LOOP_SAMPLE=K     on trees with more grouped devices, time the loop over the first K
#                           and scale to all of them (default 200; 0: always the whole loop)
#   BENCH_NO_LOOP=1         skip the lspci loops (they take most of the time)
#   BENCH_NO_HOST=1         skip the rows of this machine's own /sys (read-only --check, --list)
#   BENCH_NO_VM=1           skip the QEMU boots (what --apply adds to a boot, from the guest's
#                           kernel log; tests/vm/scenarios/bench-apply*.conf)
#   BENCH_VM_RUNS=N         boots per lookup path (default 3)
#
# After the main table, "near the floor": system calls per device (perf stat, else strace -c),
# --check --json at 2000 devices, desktop trees against the floor, the lspci loop against
# --list, growth and peak RSS, each on both lookup paths of the root layer (openat2(2), and the
# walk that VFIO_PREP_NO_OPENAT2=1 forces), with the goals met or not.
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
bare=$build/bench/bare
deadline=$build/bench/deadline
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
TOP=$top
# shellcheck source=tests/lib.sh
. "$top/tests/lib.sh"

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
		# As the tests build it: "include NAME" lines expanded (t_tree of tests/lib.sh).
		t_tree "$name" "$scratch/t/$name" </dev/null || { echo "bench: cannot build $name" >&2; continue; }
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
	RF=0
	row "$name" "$(count "$root/sys/bus/pci/devices")" "$(count "$root/sys/kernel/iommu_groups")" sh "$label"
	[ "$label" = "lspci loop" ] || printf '  %s of %s calls, scaled' "$loop_sample" "$#"
	# A capture holds only what vfio-prep read (no vendor files where the config header
	# said it): lspci fails there early, and a failed loop is no yardstick.
	if [ "$STATUS" != 0 ]; then
		printf '  lspci failed on this tree: not compared'
		echo
		return 0
	fi
	LOOP=$MEDIAN
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

# ---- Near the floor: system calls, and the same measures on both lookup paths ---------------
# The root layer looks paths up with openat2(2) where the kernel has it and with its own walk
# otherwise (VFIO_PREP_NO_OPENAT2=1 forces the walk): each row is measured on both, with the
# preferred binary (the static one when built). System calls are counted by perf stat (the
# raw_syscalls tracepoint) or else strace -c -f, in a run of their own: both count exactly,
# and the timed runs go untraced.

# use_path PATH: the environment every later run inherits, for lookup path PATH.
use_path() {
	case $1 in
	walk) VFIO_PREP_NO_OPENAT2=1 ;;
	*) VFIO_PREP_NO_OPENAT2=0 ;;
	esac
	export VFIO_PREP_NO_OPENAT2
}

# syscalls BIN ROOT ARGS...: sets CALLS, the system calls of one run, and CALLS_BY, how they
# were counted: perf's raw_syscalls tracepoint (no ptrace), else strace -c -f; 0 without either.
syscalls() {
	CALLS=0 CALLS_BY=-
	if have perf && perf stat -x, -e raw_syscalls:sys_enter -o "$scratch/perf.c" "$@" >/dev/null 2>&1; then
		CALLS=$(awk -F, '$3 == "raw_syscalls:sys_enter" && $1 ~ /^[0-9]+$/ { print $1 }' "$scratch/perf.c")
		CALLS_BY=perf
	fi
	if [ -z "$CALLS" ] || [ "$CALLS" = 0 ]; then
		CALLS=0 CALLS_BY=-
		have strace || return 0
		strace -f -c -o "$scratch/strace.c" "$@" >/dev/null 2>&1
		# "% time, seconds, usecs/call, calls, [errors,] total": calls is third or second from last.
		CALLS=$(awk '$NF == "total" { print NF >= 6 ? $(NF - 2) : $(NF - 1) }' "$scratch/strace.c")
		CALLS_BY=strace
	fi
	[ -n "$CALLS" ] || CALLS=0
}

# tree_dir NAME: the directory of tree NAME, empty when it was not built.
tree_dir() {
	awk -v n="$1" '$1 == n { print $2 }' "$scratch/trees"
}

# floor_measure PATH: the rows of one lookup path into $scratch/floor (KEY VALUE lines).
floor_measure() {
	_p=$1 _bin=$scratch/bin/$floor_bin
	use_path "$_p"
	g2000=$(tree_dir gen-2000)
	if [ -n "$g2000" ]; then
		syscalls "$_bin" --list --json --root "$g2000"
		echo "$_p calls $CALLS $(count "$g2000/sys/bus/pci/devices") $CALLS_BY" >>"$scratch/floor"
		run_measure "$runs" 2 "$row_budget" "$_bin" --check --json --root "$g2000"
		echo "$_p check2000 $MEDIAN $CPU" >>"$scratch/floor"
		syscalls "$_bin" --check --json --root "$g2000"
		echo "$_p checkcalls $CALLS" >>"$scratch/floor"
		run_measure "$runs" 2 "$row_budget" "$_bin" --list --json --root "$g2000"
		echo "$_p rss2000 $RSS" >>"$scratch/floor"
	fi
	# (run_measure sets _n, _w and _t: other names here.)
	while read -r fl_name fl_root; do
		case $fl_name in desktop* | vm-* | gen-500 | gen-2000) ;; *) continue ;; esac
		run_measure "$runs" 2 0 "$noop"
		fl_floor=$MEDIAN fl_floor_cpu=$CPU
		run_measure "$runs" 2 "$row_budget" "$_bin" --check --json --root "$fl_root"
		echo "$_p desk $fl_name $MEDIAN $fl_floor $CPU $fl_floor_cpu" >>"$scratch/floor"
		run_measure "$runs" 2 "$row_budget" "$_bin" --list --root "$fl_root"
		echo "$_p list $fl_name $MEDIAN $CPU" >>"$scratch/floor"
	done <"$scratch/trees"
	unset VFIO_PREP_NO_OPENAT2
}

# bare_measure: bench/bare on the 2000-device tree, for scale beside --check (one path: it
# confines nothing).
bare_measure() {
	g2000=$(tree_dir gen-2000)
	[ -n "$g2000" ] && [ -x "$bare" ] || return 0
	run_measure "$runs" 2 "$row_budget" "$bare" "$g2000" || return 0
	_bm=$MEDIAN _bc=$CPU
	syscalls "$bare" "$g2000"
	echo "bare $_bm $_bc $CALLS" >>"$scratch/floor"
}

# floor_report: the table, both paths side by side, and whether each goal is met.
floor_report() {
	awk -v bin="$bdir/$floor_bin" '
	function yn(ok) { return ok ? "met" : "NOT met" }
	function row(what, a, b, goal, oka, okb) {
		printf "  %-58s %-16s %-16s %-10s %s | %s\n", what, a, b, goal, yn(oka), yn(okb) }
	$1 == "sh" { loop[$2] = $3; next }
	$2 == "calls" { calls[$1] = $3; devs[$1] = $4; by = $5 }
	$2 == "check2000" { chk[$1] = $3; chkc[$1] = $4 }
	$2 == "checkcalls" { chkn[$1] = $3 }
	$1 == "bare" { bare = $2; barec = $3; baren = $4 }
	$2 == "rss2000" { rss[$1] = $3 }
	$2 == "desk" && $3 ~ /^(desktop|vm-)/ && $5 > 0 {
		x = $4 / $5; if (x > desk[$1]) { desk[$1] = x; deskc[$1] = $6 / $7; deskt[$1] = $3 } }
	$2 == "list" { list[$1, $3] = $4 }
	END {
		printf "\nnear the floor, %s: openat2(2) | the walk (VFIO_PREP_NO_OPENAT2=1)\n", bin
		printf "  %-58s %-16s %-16s %-10s %s\n", "measure", "openat2", "walk", "goal", "openat2 | walk"
		if (devs["openat2"] > 0 && calls["openat2"] > 0)
			row(sprintf("system calls per device, --list --json, %d devices (%s)", devs["openat2"], by),
				sprintf("%.1f", calls["openat2"] / devs["openat2"]), sprintf("%.1f", calls["walk"] / devs["walk"]),
				"<= 10", calls["openat2"] / devs["openat2"] <= 10, calls["walk"] / devs["walk"] <= 10)
		if (chk["openat2"] > 0)
			row("--check --json at 2000 devices, median wall (cpu)",
				sprintf("%.1f (%.1f) ms", chk["openat2"] / 1000, chkc["openat2"] / 1000),
				sprintf("%.1f (%.1f) ms", chk["walk"] / 1000, chkc["walk"] / 1000), "<= 25 ms",
				chk["openat2"] <= 25000, chk["walk"] <= 25000)
		if (desk["openat2"] > 0)
			row(sprintf("--check --json, desktop and VM trees / no-op (worst: %s)", deskt["openat2"]),
				sprintf("%.1fx (%.1fx)", desk["openat2"], deskc["openat2"]),
				sprintf("%.1fx (%.1fx)", desk["walk"], deskc["walk"]), "<= 3x", desk["openat2"] <= 3, desk["walk"] <= 3)
		for (p in calls) {
			least[p] = -1
			for (k in list) { split(k, f, SUBSEP)
				if (f[1] == p && (f[2] in loop) && list[k] > 0) {
					x = loop[f[2]] / list[k]; if (least[p] < 0 || x < least[p]) { least[p] = x; lt[p] = f[2] } } }
		}
		if (least["openat2"] > 0)
			row(sprintf("lspci shell loop / --list (least, %s)", lt["openat2"]),
				sprintf("%.0fx", least["openat2"]), sprintf("%.0fx", least["walk"]), ">= 50x",
				least["openat2"] >= 50, least["walk"] >= 50)
		if (list["openat2", "gen-500"] > 0 && list["openat2", "gen-2000"] > 0)
			row("growth, --list 2000 devices / 500 devices",
				sprintf("%.2f", list["openat2", "gen-2000"] / list["openat2", "gen-500"]),
				sprintf("%.2f", list["walk", "gen-2000"] / list["walk", "gen-500"]), "<= 4.4",
				list["openat2", "gen-2000"] / list["openat2", "gen-500"] <= 4.4,
				list["walk", "gen-2000"] / list["walk", "gen-500"] <= 4.4)
		if (rss["openat2"] > 0)
			row("peak RSS, --list --json, 2000 devices", sprintf("%.1f MiB", rss["openat2"] / 1024),
				sprintf("%.1f MiB", rss["walk"] / 1024), "<= 4 MiB", rss["openat2"] <= 4096, rss["walk"] <= 4096)
		if (bare > 0 && chk["openat2"] > 0) {
			printf "  for scale, at 2000 devices: --check --json makes %d | %d system calls; bench/bare, which\n", chkn["openat2"], chkn["walk"]
			printf "  only reads each config header, driver and group link and group type (plain openat(2),\n"
			printf "  nothing checked), makes %d and takes %.1f ms (cpu %.1f): --check is %.1fx | %.1fx of it\n",
				baren, bare / 1000, barec / 1000, chk["openat2"] / bare, chk["walk"] / bare
			# What one call costs on this machine says how far an absolute goal is from it.
			if (baren > 0)
				printf "  (%.2f us a call here: at that cost, 25 ms is %d calls, bench/bare itself %s)\n",
					bare / baren, 25000 * baren / bare, bare <= 25000 ? "fits" : "does not fit"
		}
	}' "$scratch/floor"
}

# ---- One sysfs write with a deadline ------------------------------------------------------
# --apply makes each unbind and drivers_probe write in a forked child and waits for it
# (vfio-prep(8), BINDING). bench/deadline times that through the root layer on a regular file:
# the child and the wait, woken by pidfd_open(2) or napping 2 ms at a time (VFIO_PREP_NO_PIDFD=1).
bench_deadline() {
	if [ ! -x "$deadline" ]; then
		echo "bench: $deadline is missing (run make bench)" >&2
		return 0
	fi
	: >"$scratch/attr"
	echo
	echo "one sysfs write with a deadline (a forked child writes, the parent waits), 200 writes:"
	for how in pidfd naps; do
		case $how in
		pidfd) out=$(VFIO_PREP_NO_PIDFD=0 "$deadline" "$scratch" 200) ;;
		*) out=$(VFIO_PREP_NO_PIDFD=1 "$deadline" "$scratch" 200) ;;
		esac || { printf '  %s: bench/deadline failed\n' "$how"; continue; }
		# shellcheck disable=SC2086 # two numbers
		set -- $out
		label="woken by pidfd_open(2)"
		[ "$how" = pidfd ] || label="napping 2 ms (VFIO_PREP_NO_PIDFD=1)"
		printf '  %-38s median %s ms, least %s ms\n' "$label" "$(us_ms "$1")" "$(us_ms "$2")"
	done
}

# ---- What --apply adds to a boot, from the guest's kernel log ------------------------------
# tests/vm boots the guest (tests/vm/scenarios/bench-apply*.conf); the guest writes a line to
# /dev/kmsg before and after `vfio-prep --apply` (and before and after a program that does
# nothing), and the difference of the kernel's timestamps is the time it took there.
#   BENCH_NO_VM=1 skips this; BENCH_VM_RUNS boots per path (default 3).

# kmsg_span LOG WHAT: microseconds between "vfio-prep-bench: WHAT begin" and "... end" in LOG.
kmsg_span() {
	tr -d '\r' <"$1" | awk -v w="$2" '
	function ts(line) { sub(/^[^[]*\[ */, "", line); sub(/\].*/, "", line); return line + 0 }
	!/\[ *[0-9]+\.[0-9]+\] vfio-prep-bench: / { next }
	index($0, "vfio-prep-bench: " w " begin") && !b { b = ts($0) }
	index($0, "vfio-prep-bench: " w " end") && !e { e = ts($0) }
	END { if (b > 0 && e >= b) printf "%d\n", (e - b) * 1000000 }'
}

# median of the numbers on standard input (the lower middle of an even count).
median() {
	sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'
}

bench_vm() {
	[ -z "${BENCH_NO_VM:-}" ] || return 0
	vm_runs=${BENCH_VM_RUNS:-3}
	echo
	printf 'what --apply adds to a QEMU boot (TCG), from kernel log timestamps in the guest, %s/%s, median of %s boots:\n' \
		"$bdir" "$floor_bin" "$vm_runs"
	for scen in bench-apply bench-apply-walk; do
		: >"$scratch/vm.apply" && : >"$scratch/vm.noop"
		i=0
		while [ "$i" -lt "$vm_runs" ]; do
			i=$((i + 1))
			if ! VM_WORKDIR="$scratch/vm" sh "$top/tests/vm/run.sh" "$scratch/bin/$floor_bin" "$scen" \
				>"$scratch/vm.out" 2>&1 || ! grep -q "^ok $scen" "$scratch/vm.out"; then
				printf '  %s: the boot failed: %s\n' "$scen" "$(grep -m 1 -E '^(FAIL|vm:)' "$scratch/vm.out")"
				continue
			fi
			kmsg_span "$scratch/vm/$scen.log" apply >>"$scratch/vm.apply"
			kmsg_span "$scratch/vm/$scen.log" noop >>"$scratch/vm.noop"
		done
		a=$(median <"$scratch/vm.apply") n=$(median <"$scratch/vm.noop")
		[ -n "$a" ] || continue
		label=openat2
		[ "$scen" = bench-apply ] || label="walk (VFIO_PREP_NO_OPENAT2=1)"
		n=${n:-0}
		printf '  %-32s --apply %s ms, a no-op program %s ms: --apply adds %s ms (%s boots)\n' "$label" \
			"$(us_ms "$a")" "$(us_ms "$n")" "$(us_ms $((a > n ? a - n : 0)))" "$(wc -l <"$scratch/vm.apply")"
	done
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

floor_bin=${bins%% *}
: >"$scratch/floor"
awk '$2 == "sh" && $3 == "loop" { print "sh", $1, $4 }' "$scratch/results" >>"$scratch/floor"
floor_measure openat2
floor_measure walk
bare_measure
floor_report
bench_deadline
bench_vm
