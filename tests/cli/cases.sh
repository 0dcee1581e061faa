# Command-line cases, sourced by tests/cli/run.sh.
#   check NAME EXIT FIXTURE ARGS...   vfio-prep --root FIXTURE ARGS...
#   run NAME EXIT ARGS...             vfio-prep ARGS...
#   tree_unchanged NAME FIXTURE       the fixture copy was not written to
# shellcheck shell=sh

# Usage errors: exit 2, a message naming what is wrong.
run usage-none 2
run usage-two-modes 2 --check --list
run usage-unknown-option 2 --check --frobnicate
run usage-json-with-apply 2 --apply --json
run usage-dry-run-with-check 2 --check --dry-run
run usage-bad-color 2 --check --color=sometimes
run usage-release-bad-address 2 --release 1:2:3 --root /nonexistent
run usage-extra-argument 2 --check extra
run usage-missing-root 2 --check --root /nonexistent/root
run help 0 --help
