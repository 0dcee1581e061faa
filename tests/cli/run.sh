#!/bin/sh
# Command-line tests: run vfio-prep against fixture trees and compare what it prints, and its
# exit status, with golden files. Usage: tests/cli/run.sh BINARY
#   UPDATE_GOLDEN=1   rewrite the golden files from the current output (review the diff!)
#   CLI_FILTER=WORD   run only the cases whose name contains WORD
#   CLI_WRAPPER=CMD   run the binary under CMD (e.g. "valgrind -q --error-exitcode=99 --leak-check=full")
set -u

bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
here=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$here/../.." && pwd)
# shellcheck source=tests/lib.sh
. "$TOP/tests/lib.sh"
t_begin cli
t_scratch cli
golden=$here/golden
scratch=$T_SCRATCH
# Names from the tests' own pci.ids, not the system's, whose version varies.
VFIO_PREP_PCI_IDS=$TOP/tests/fixtures/pci.ids
export VFIO_PREP_PCI_IDS

# A writable copy of fixture NAME (t_tree in tests/lib.sh). NAME@CONF also installs
# tests/cli/conf/CONF.conf as the tree's /etc/vfio-prep.conf.
fixture() {
	dir=$scratch/trees/$(echo "$1" | tr '@/' '--')
	base=${1%@*}
	if [ ! -d "$dir" ]; then
		if [ ! -f "$TOP/tests/fixtures/$base.tar.gz" ] && [ ! -f "$TOP/tests/fixtures/$base.desc" ]; then
			echo "no fixture $base" >&2
			return 1
		fi
		t_tree "$base" "$dir" </dev/null || return 1
		case $1 in *@*) t_conf "$dir" "$here/conf/${1#*@}.conf" || return 1 ;; esac
		# git does not keep modes that the ownership rule looks at.
		[ -d "$dir/etc" ] && chmod -R go-w "$dir/etc"
	fi
	printf '%s\n' "$dir"
}

# Replace the scratch directory in output so that golden files are stable.
normalize() {
	sed -e "s|$scratch/trees/[^/ ]*|ROOT|g" -e "s|$scratch|SCRATCH|g"
}

compare() {
	name=$1 what=$2 file=$3
	if [ "${UPDATE_GOLDEN:-}" = 1 ]; then
		cp "$file" "$golden/$name.$what"
		return 0
	fi
	if [ ! -f "$golden/$name.$what" ]; then
		echo "  missing golden file $golden/$name.$what (run with UPDATE_GOLDEN=1)"
		return 1
	fi
	if ! diff -u "$golden/$name.$what" "$file" >"$scratch/diff"; then
		sed 's/^/  /' "$scratch/diff" | head -40
		return 1
	fi
}

# check NAME EXPECTED_EXIT FIXTURE [ARGS...]: run with --root at the fixture.
check() {
	name=$1 want=$2 fix=$3
	shift 3
	case $name in *"${CLI_FILTER:-}"*) ;; *) return 0 ;; esac
	root=$(fixture "$fix") || { t_fail "$name: fixture"; return; }
	run_case "$name" "$want" --root "$root" "$@"
}

# run NAME EXPECTED_EXIT [ARGS...]: run without an implied --root.
run() {
	name=$1 want=$2
	shift 2
	case $name in *"${CLI_FILTER:-}"*) ;; *) return 0 ;; esac
	run_case "$name" "$want" "$@"
}

run_case() {
	name=$1 want=$2
	shift 2
	out=$scratch/out err=$scratch/err
	# shellcheck disable=SC2086 # CLI_WRAPPER is a command line on purpose
	NO_COLOR=1 ${CLI_WRAPPER:-} "$bin" "$@" >"$scratch/out.raw" 2>"$scratch/err.raw"
	got=$?
	normalize <"$scratch/out.raw" >"$out"
	normalize <"$scratch/err.raw" >"$err"
	ok=1
	if [ "$got" != "$want" ]; then
		echo "  exit status $got, expected $want"
		sed 's/^/  stderr: /' "$err" | head -10
		ok=0
	fi
	compare "$name" out "$out" || ok=0
	compare "$name" err "$err" || ok=0
	if [ $ok = 1 ]; then t_ok "$name"; else t_fail "$name"; fi
}

# tree_unchanged NAME FIXTURE: the fixture's files are as before (nothing written).
tree_unchanged() {
	name=$1 fix=$2
	case $name in *"${CLI_FILTER:-}"*) ;; *) return 0 ;; esac
	src=$scratch/pristine-$(echo "$fix" | tr '@/' '--')
	if [ ! -d "$src" ]; then
		mv "$scratch/trees" "$scratch/trees.keep"
		fixture "$fix" >/dev/null
		mv "$scratch/trees/$(echo "$fix" | tr '@/' '--')" "$src"
		rmdir "$scratch/trees"
		mv "$scratch/trees.keep" "$scratch/trees"
	fi
	if diff -r --no-dereference "$src" "$scratch/trees/$(echo "$fix" | tr '@/' '--')" >"$scratch/diff" 2>&1; then
		t_ok "$name"
	else
		t_fail "$name: the tree was written to"
		sed 's/^/  /' "$scratch/diff" | head -20
	fi
}

# file_is NAME FILE: FILE (a path, or a fixture's PATH as FIXTURE:PATH) is golden NAME.file.
file_is() {
	name=$1 file=$2
	case $name in *"${CLI_FILTER:-}"*) ;; *) return 0 ;; esac
	case $file in /*) ;; *) file=$(fixture "${file%%:*}")${file#*:} ;; esac
	if [ ! -f "$file" ]; then
		t_fail "$name: no file $file"
		return
	fi
	if compare "$name" file "$file"; then t_ok "$name"; else t_fail "$name"; fi
}

# capture_roundtrip NAME FIXTURE ARGS...: --capture the fixture into a new directory, then
# --check --json and --list --json must say the same from the capture as from the original.
capture_roundtrip() {
	name=$1 fix=$2
	shift 2
	case $name in *"${CLI_FILTER:-}"*) ;; *) return 0 ;; esac
	root=$(fixture "$fix") || { t_fail "$name: fixture"; return; }
	cap=$scratch/capture-$name
	ok=1
	# shellcheck disable=SC2086 # CLI_WRAPPER is a command line on purpose
	if ! ${CLI_WRAPPER:-} "$bin" --capture "$cap" --root "$root" "$@" 2>"$scratch/err"; then
		echo "  --capture failed:"; sed 's/^/  /' "$scratch/err"; ok=0
	fi
	# The replay goes without --cmdline: the capture must have recorded the one used.
	replay=''
	skip=0
	for a in "$@"; do
		if [ $skip = 1 ]; then skip=0; continue; fi
		if [ "$a" = --cmdline ]; then skip=1; continue; fi
		replay="$replay '$a'"
	done
	# Each mode says the same, and exits the same, from the capture as from the original; a
	# status other than 0 or 1 (bad input, a crash) fails even when both agree.
	for mode in "--check --json" "--list --json"; do
		# shellcheck disable=SC2086 # word splitting of $mode is wanted
		"$bin" $mode --root "$root" "$@" >"$scratch/a.raw" 2>&1
		rc_a=$?
		# shellcheck disable=SC2086
		eval "\"\$bin\" $mode --root \"\$cap\" $replay" >"$scratch/b.raw" 2>&1
		rc_b=$?
		normalize <"$scratch/a.raw" >"$scratch/a"
		sed "s|$cap|ROOT|g" "$scratch/b.raw" | normalize >"$scratch/b"
		if ! diff -u "$scratch/a" "$scratch/b" >"$scratch/diff"; then
			echo "  $mode differs after replay:"; sed 's/^/  /' "$scratch/diff" | head -30; ok=0
		fi
		if [ "$rc_a" != "$rc_b" ]; then
			echo "  $mode exits $rc_b after replay, $rc_a on the original"; ok=0
		fi
		case $rc_a in 0 | 1) ;; *) echo "  $mode exits $rc_a on the original"; ok=0 ;; esac
		case $rc_b in 0 | 1) ;; *) echo "  $mode exits $rc_b after replay"; ok=0 ;; esac
	done
	if [ $ok = 1 ]; then t_ok "$name"; else t_fail "$name"; fi
}

# capture_archive_roundtrip NAME FIXTURE ARGS...: --capture into a directory and into NAME.tar.gz;
# the archive, extracted with tar, holds the same tree, and --check says the same from both.
capture_archive_roundtrip() {
	name=$1 fix=$2
	shift 2
	case $name in *"${CLI_FILTER:-}"*) ;; *) return 0 ;; esac
	command -v tar >/dev/null || { t_fail "$name: tar is missing (apt-get install tar)"; return; }
	root=$(fixture "$fix") || { t_fail "$name: fixture"; return; }
	work=$scratch/archive-$name
	rm -rf "$work"
	if ! mkdir -p "$work/x"; then t_fail "$name: scratch"; return; fi
	ok=1
	# shellcheck disable=SC2086 # CLI_WRAPPER is a command line on purpose
	${CLI_WRAPPER:-} "$bin" --capture "$work/dir" --root "$root" "$@" 2>"$work/err.dir" || ok=0
	# shellcheck disable=SC2086
	${CLI_WRAPPER:-} "$bin" --capture "$work/$name.tar.gz" --root "$root" "$@" 2>"$work/err.tgz" || ok=0
	[ $ok = 1 ] || { echo "  --capture failed:"; sed 's/^/  /' "$work"/err.*; }
	if ! tar -xzf "$work/$name.tar.gz" -C "$work/x"; then
		echo "  tar cannot extract $name.tar.gz"; ok=0
	elif ! diff -r --no-dereference "$work/dir" "$work/x/$name" >"$scratch/diff" 2>&1; then
		echo "  the archive holds another tree than the directory:"; sed 's/^/  /' "$scratch/diff" | head -20; ok=0
	fi
	"$bin" --check --root "$work/dir" >"$work/a" 2>&1
	rc_a=$?
	"$bin" --check --root "$work/x/$name" >"$work/b" 2>&1
	rc_b=$?
	sed -i "s|$work/dir|CAPTURE|g" "$work/a"
	sed -i "s|$work/x/$name|CAPTURE|g" "$work/b"
	if [ "$rc_a" != "$rc_b" ] || ! diff -u "$work/a" "$work/b" >"$scratch/diff"; then
		echo "  --check differs (exit $rc_a, $rc_b):"; sed 's/^/  /' "$scratch/diff" | head -20; ok=0
	fi
	case $rc_a in 0 | 1) ;; *) echo "  --check exits $rc_a on the capture"; ok=0 ;; esac
	if [ $ok = 1 ]; then t_ok "$name"; else t_fail "$name"; fi
}

# shellcheck source=tests/cli/cases.sh disable=SC1091 # the cases, next to this script
. "$here/cases.sh"

t_end
