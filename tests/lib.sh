# shellcheck shell=sh
# What every test runner under tests/ shares, sourced after setting TOP (the repository):
# counters, the closing line, skips, a scratch directory and the fixture trees.
#
#   t_begin NAME        the suite's name in its closing line; resets the counters
#   t_ok TEXT           "ok   TEXT", one pass          t_pass: one pass, nothing printed
#   t_fail TEXT         "FAIL TEXT", one failure       t_failed: one failure, nothing printed
#   t_skip TEXT         "skip TEXT", one skip: a check this machine cannot run
#   t_check TEXT CMD... CMD's exit status decides between t_ok and t_fail
#   t_end               "NAME: N passed, N failed" (", N skipped" appended when there were
#                       skips); returns 1 on a failure, and on a skip unless ALLOW_SKIP=1
#   t_abort TEXT        "NAME: TEXT", one failure, the closing line, exit 1
#
# A skip fails the run: a check that did not run did not pass. ALLOW_SKIP=1 lets a developer
# whose machine lacks a tool see the rest pass; CI never sets it (.ci/run).
T_NAME=${0##*/}
T_PASSED=0
T_FAILED=0
T_SKIPPED=0

t_begin() {
	T_NAME=$1
	T_PASSED=0
	T_FAILED=0
	T_SKIPPED=0
}

t_pass() { T_PASSED=$((T_PASSED + 1)); }
t_failed() { T_FAILED=$((T_FAILED + 1)); }

t_ok() {
	t_pass
	printf 'ok   %s\n' "$*"
}

t_fail() {
	t_failed
	printf 'FAIL %s\n' "$*"
}

t_skip() {
	T_SKIPPED=$((T_SKIPPED + 1))
	printf 'skip %s\n' "$*"
}

t_check() {
	_t_what=$1
	shift
	if "$@"; then t_ok "$_t_what"; else t_fail "$_t_what"; fi
}

t_end() {
	if [ "$T_SKIPPED" -gt 0 ]; then
		echo "$T_NAME: $T_PASSED passed, $T_FAILED failed, $T_SKIPPED skipped"
		if [ "${ALLOW_SKIP:-}" != 1 ]; then
			echo "$T_NAME: a skipped check fails the run (ALLOW_SKIP=1 accepts skips)" >&2
			return 1
		fi
	else
		echo "$T_NAME: $T_PASSED passed, $T_FAILED failed"
	fi
	[ "$T_FAILED" -eq 0 ]
}

t_abort() {
	echo "$T_NAME: $*"
	t_failed
	t_end
	exit 1
}

# t_scratch WHAT: T_SCRATCH = a new temporary directory, removed on exit.
t_scratch() {
	T_SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/vfio-prep-$1.XXXXXX") || exit 2
	trap 'rm -rf "$T_SCRATCH"' EXIT
	trap 'exit 1' INT TERM
}

# ---- fixture trees --------------------------------------------------------------------------

# The lines of a description on stdin, each "include NAME" replaced by tests/fixtures/NAME.desc.
t_desc_text() {
	while IFS= read -r _t_l || [ -n "$_t_l" ]; do
		case $_t_l in
		'include '*) t_desc_text <"$TOP/tests/fixtures/${_t_l#include }.desc" ;;
		*) printf '%s\n' "$_t_l" ;;
		esac
	done
}

# t_tree NAME DIR: DIR becomes fixture NAME: a tree captured from a machine,
# tests/fixtures/NAME.tar.gz (a tarball because git keeps no empty directories), or one
# generated from tests/fixtures/NAME.desc by tests/gen-tree.sh. When no fixture has that name
# the description is read from stdin.
t_tree() {
	mkdir -p "$2" || return 1
	if [ -f "$TOP/tests/fixtures/$1.tar.gz" ]; then
		tar -xzf "$TOP/tests/fixtures/$1.tar.gz" -C "$2"
	elif [ -f "$TOP/tests/fixtures/$1.desc" ]; then
		t_desc_text <"$TOP/tests/fixtures/$1.desc" | sh "$TOP/tests/gen-tree.sh" "$2"
	else
		t_desc_text | sh "$TOP/tests/gen-tree.sh" "$2"
	fi
}

# t_conf TREE FILE: FILE becomes TREE's /etc/vfio-prep.conf, with the modes the ownership rule
# wants (git does not keep them).
t_conf() {
	mkdir -p "$1/etc" &&
		cp "$2" "$1/etc/vfio-prep.conf" &&
		chmod -R go-w "$1/etc"
}
