#!/bin/sh
# Run the libFuzzer harnesses. Usage: tests/fuzz/run.sh fuzz|check SECONDS BINARY...
#   fuzz    each harness for SECONDS; what it finds new is kept in DIR/corpus/NAME (DIR being
#           the binaries' directory) and used again next time
#   check   replay tests/fuzz/regressions/NAME/*, then each harness for SECONDS from the
#           committed seeds only (what CI runs)
# A crash, a sanitizer report, a violated property, a timeout (10 s on one input) or running
# out of memory fails the harness; the input is left in DIR/crashes/NAME-*. Make it a
# regression: fix the bug, then copy the file to tests/fuzz/regressions/NAME/.
set -u

if [ $# -lt 3 ]; then
	echo "usage: tests/fuzz/run.sh fuzz|check SECONDS BINARY..." >&2
	exit 2
fi
mode=$1 seconds=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$here/../.." && pwd)
# shellcheck source=tests/lib.sh
. "$TOP/tests/lib.sh"
t_begin fuzz

# Longest input tried: a config line beyond the 4096-byte limit, a whole 4 KiB config space.
max_len() {
	case $1 in
	config) echo 9000 ;;
	pcicfg) echo 4200 ;;
	*) echo 4096 ;;
	esac
}

replay() { # replay NAME BINARY LOG: the committed crash inputs, once each
	set -- "$1" "$2" "$3" "$here/regressions/$1"/*
	name=$1 bin=$2 log=$3
	shift 3
	[ -f "$1" ] || return 0
	if ! "$bin" -runs=1 "$@" >"$log" 2>&1; then
		echo "FAIL fuzz-$name: a committed regression input crashes again"
		grep -E 'ERROR|runtime error|property violated|Running: ' "$log" | tail -5 | sed 's/^/  /'
		return 1
	fi
}

fuzz_one() { # fuzz_one BINARY
	bin=$1
	name=${bin##*/fuzz-}
	dir=$(cd "$(dirname "$bin")" && pwd)
	log=$dir/logs/$name.log
	mkdir -p "$dir/logs" "$dir/crashes"
	replay "$name" "$bin" "$log" || return 1
	if [ "$mode" = fuzz ]; then
		work=$dir/corpus/$name
		mkdir -p "$work"
	else
		work=$(mktemp -d "${TMPDIR:-/tmp}/vfio-prep-fuzz.XXXXXX")
	fi
	dict=
	[ ! -f "$here/$name.dict" ] || dict=-dict=$here/$name.dict
	# shellcheck disable=SC2086 # $dict is one word or none
	"$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len="$(max_len "$name")" \
		-artifact_prefix="$dir/crashes/$name-" -print_final_stats=1 $dict \
		"$work" "$here/corpus/$name" >"$log" 2>&1
	rc=$?
	[ "$mode" = fuzz ] || rm -rf "$work"
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	if [ "$rc" -ne 0 ]; then
		echo "FAIL fuzz-$name (exit $rc after ${runs:-?} runs; log $log)"
		grep -E 'ERROR|runtime error|property violated|Test unit written|SUMMARY' "$log" | head -8 | sed 's/^/  /'
		return 1
	fi
	echo "ok   fuzz-$name: ${runs:-?} runs in $seconds s"
}

for bin in "$@"; do
	if fuzz_one "$bin"; then t_pass; else t_failed; fi
done
t_end
