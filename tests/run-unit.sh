#!/bin/sh
# Run each unit-test binary; print one summary line that CI can read. A binary whose cmocka
# tests skipped some (skip()) counts as a skip, which fails the run unless ALLOW_SKIP=1.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=tests/lib.sh
. "$TOP/tests/lib.sh"
t_begin unit
t_scratch unit
for t in "$@"; do
	if "$t" >"$T_SCRATCH/out" 2>&1; then
		cat "$T_SCRATCH/out"
		skipped=$(sed -n 's/^\[  SKIPPED \] \([0-9]*\) test(s), listed below:$/\1/p' "$T_SCRATCH/out")
		if [ -n "$skipped" ]; then
			t_skip "$t: $skipped cmocka test(s) skipped"
		else
			t_pass
		fi
	else
		cat "$T_SCRATCH/out"
		t_failed
		echo "FAILED: $t" >&2
	fi
done
t_end
