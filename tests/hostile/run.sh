#!/bin/sh
# Hostile input: vfio-prep runs as root at boot on a tree it does not control. Every case here
# builds a tree with tests/gen-tree.sh, breaks it on purpose with a few shell commands, runs
# vfio-prep on it and asserts what must hold whatever the tree holds: no crash or sanitizer
# report, no hang (each run is killed after HOSTILE_TIMEOUT seconds, 30 by default: a hang
# never ends, while a loaded machine takes 10 s and more over the largest tree), nothing read
# or written outside --root, a sensible verdict and exit status.
#
# Usage: tests/hostile/run.sh BINARY
#   HOSTILE_FILTER=WORD   run only the cases whose name contains WORD
#   CLI_WRAPPER=CMD       run the binary under CMD (valgrind, say)
# Whether a run reads outside the root is checked with strace (not under a wrapper or with a
# sanitizer build, whose runs check the rest). Without strace a case that would be traced is
# reported as a skip, which fails the run unless ALLOW_SKIP=1 (tests/lib.sh).
#
# The cases are in config-files.sh (unusable configuration files), trees.sh (broken sysfs trees)
# and faults.sh (--apply and --release when a write fails).
set -u

if [ $# -ne 1 ]; then
	echo "usage: tests/hostile/run.sh BINARY" >&2
	exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$here/../.." && pwd)
top=$TOP # used by the cases
# shellcheck source=tests/lib.sh
. "$TOP/tests/lib.sh"
t_begin hostile
t_scratch hostile
scratch=$T_SCRATCH
# A copy: the build directory may be relinked while the cases run.
bin=$scratch/vfio-prep
cp "$1" "$bin" || exit 2
limit=${HOSTILE_TIMEOUT:-30}
wrapper=${CLI_WRAPPER:-}

# ---- trees ----------------------------------------------------------------------------------

# pristine DESC: a tree made once from fixture DESC (or from the description on stdin when DESC
# names no fixture: t_tree in tests/lib.sh), copied by new_tree.
pristine() {
	p=$scratch/pristine/$1
	[ -d "$p" ] || t_tree "$1" "$p"
}

# new_tree NAME [DESC]: T = a fresh copy of the DESC tree (default desktop-intel) for one case.
new_tree() {
	pristine "${2:-desktop-intel}" </dev/null || return 1
	T=$scratch/t/$1
	rm -rf "$T"
	mkdir -p "$scratch/t"
	cp -a "$scratch/pristine/${2:-desktop-intel}" "$T"
}

# conf TEXT: T's /etc/vfio-prep.conf, owned and mode as the rule wants.
conf() {
	mkdir -p "$T/etc"
	printf '%s\n' "$1" >"$T/etc/vfio-prep.conf"
	chmod 644 "$T/etc/vfio-prep.conf"
}

# dev ADDR: the sysfs directory of a device in T.
dev() {
	readlink -f "$T/sys/bus/pci/devices/$1"
}

# up PATH: the "../" that lead from PATH's directory in T up to the scratch directory, where
# OUTSIDE-CANARY lies: the start of a link that escapes the root.
up() {
	_rel=${1#"$T"/}
	_u=../../
	while case $_rel in */*) true ;; *) false ;; esac; do
		_u=../$_u
		_rel=${_rel#*/}
	done
	printf '%s' "$_u"
}

# Files outside every root that a hostile tree links to: any access to them is a failure.
outside=$scratch/OUTSIDE-CANARY
mkdir -p "$outside/device"
printf '0x10de\n' >"$outside/device/vendor"
printf '0x2484\n' >"$outside/device/device"
printf '0x030000\n' >"$outside/device/class"
printf '(null)\n' >"$outside/device/driver_override"
printf 'canary\n' >"$outside/canary"
printf 'device 01:00.0\n' >"$outside/canary.conf"
head -c 4096 /dev/zero >"$outside/device/config"

# snapshot DIR FILE: every path, type, size and checksum below DIR.
snapshot() {
	(cd "$1" && find . -printf '%p %y %l\n' | sort && find . -type f -exec cksum {} + | sort) >"$2"
}

# ---- running --------------------------------------------------------------------------------

# vp ARGS...: run vfio-prep with a time limit; RC, OUT and ERR (files) hold what it did.
OUT=$scratch/out
ERR=$scratch/err
vp() {
	# shellcheck disable=SC2086 # the wrapper is a command line on purpose
	NO_COLOR=1 timeout -k 2 "$limit" $wrapper "$bin" "$@" >"$OUT" 2>"$ERR" </dev/null
	RC=$?
	check_run
}

# traced ARGS...: as vp, under strace: STRACE lists every file-related system call with its
# first path argument. Not with a wrapper, nor with a sanitizer build, whose leak checker cannot
# work under ptrace: those runs check the rest, plain runs check the accesses. A plain run
# without strace checks less than the case asks: UNTRACED makes the case a skip.
STRACE=$scratch/strace
sanitized=0
grep -q __asan_init "$bin" && sanitized=1
traced() {
	if [ -n "$wrapper" ] || [ "$sanitized" = 1 ] || ! command -v strace >/dev/null 2>&1; then
		[ -n "$wrapper" ] || [ "$sanitized" = 1 ] || UNTRACED=1
		: >"$STRACE"
		vp "$@"
		return
	fi
	NO_COLOR=1 timeout -k 2 "$limit" strace -f -qq -e trace=%file -o "$STRACE.raw" "$bin" "$@" \
		>"$OUT" 2>"$ERR" </dev/null
	RC=$?
	# Keep each call's name and first string argument: a link's target is not an access.
	sed -n 's/^[0-9]* *\([a-z0-9_]*\)([^"]*"\([^"]*\)".*/\1 \2/p' "$STRACE.raw" >"$STRACE"
	check_run
}

bad() {
	ok=0
	why="$why
  $*"
}

# What must hold after every run, whatever the case.
check_run() {
	case $RC in
	124 | 137) bad "no result after $limit s: killed (a hang)" ;;
	13[0-9] | 14[0-9]) bad "killed by signal $((RC - 128))" ;;
	esac
	if grep -qE 'Sanitizer|runtime error:|^==[0-9]+==' "$ERR"; then
		bad "sanitizer or valgrind report:"
		why="$why
$(grep -E -m 5 'Sanitizer|runtime error:|^==[0-9]+==' "$ERR" | sed 's/^/    /')"
	fi
	# Bytes from the tree are shown escaped: no terminal control sequence gets through.
	if LC_ALL=C grep -q "$(printf '[\001-\010\013-\037\177]')" "$OUT" "$ERR"; then
		bad "control bytes in the output"
	fi
}

want_rc() {
	case " $* " in *" $RC "*) ;; *) bad "exit status $RC, expected $*"; show_err ;; esac
}

show_err() {
	[ -s "$ERR" ] || return 0
	why="$why
$(head -5 "$ERR" | sed 's/^/    stderr: /')"
}

want_err() {
	grep -qE -- "$1" "$ERR" || { bad "stderr lacks /$1/"; show_err; }
}

want_out() {
	grep -qE -- "$1" "$OUT" || bad "stdout lacks /$1/"
}

# want_file PATH TEXT: PATH holds exactly TEXT (printf format: "\n" is a newline).
want_file() {
	# shellcheck disable=SC2059 # TEXT is a format on purpose
	printf "$2" >"$scratch/want"
	if ! cmp -s "$scratch/want" "$1"; then
		bad "${1#"$scratch"/} holds '$(od -An -c "$1" 2>&1 | tr -s ' ' | head -c 80)', expected '$2'"
	fi
}

want_grep() { # want_grep PATTERN FILE
	grep -qE -- "$1" "$2" 2>/dev/null || bad "${2#"$scratch"/} lacks /$1/"
}

# The outside files were neither read nor written.
want_outside_untouched() {
	snapshot "$outside" "$scratch/outside.now"
	cmp -s "$scratch/outside.snap" "$scratch/outside.now" || bad "a file outside the root changed"
	if grep -q OUTSIDE-CANARY "$STRACE" 2>/dev/null; then
		bad "accessed outside the root:"
		why="$why
$(grep -m 5 OUTSIDE-CANARY "$STRACE" | sed 's/^/    /')"
	fi
}

# ---- cases ----------------------------------------------------------------------------------

# run_case NAME FUNCTION: run one case, print its verdict.
run_case() {
	case $1 in *"${HOSTILE_FILTER:-}"*) ;; *) return 0 ;; esac
	ok=1 why='' UNTRACED=0
	: >"$STRACE"
	snapshot "$outside" "$scratch/outside.snap"
	"$2"
	want_outside_untouched
	if [ $ok = 0 ]; then
		t_fail "$1$why"
	elif [ "$UNTRACED" = 1 ]; then
		t_skip "$1: accesses outside the root not checked: no strace (install strace)"
	else
		t_ok "$1"
	fi
}

# skip NAME REASON: a case this machine cannot run.
skip() {
	case $1 in *"${HOSTILE_FILTER:-}"*) ;; *) return 0 ;; esac
	t_skip "$1: $2"
}

# Device nodes need CAP_MKNOD; without it those cases are skipped.
can_mknod=0 # used by the cases
if mknod "$scratch/null" c 1 3 2>/dev/null; then
	can_mknod=1
	rm -f "$scratch/null"
fi

# shellcheck source=tests/hostile/config-files.sh
. "$here/config-files.sh"
# shellcheck source=tests/hostile/trees.sh
. "$here/trees.sh"
# shellcheck source=tests/hostile/faults.sh
. "$here/faults.sh"

t_end
