#!/bin/sh
# make lint: the rules of the tree that a reader cannot see in one file (README, "Architecture").
#   one-door   only the root layer (src/sys/root.c, src/sys/root_*.c) opens, lists, stats or reads
#              links of files
#   layers     src/util includes only util; core only util and core; sys anything but cli
#   circles    no two object files need each other, directly or around a circle (nm)
#   size       no source file over 700 lines
#   shell      shellcheck on every shell file of the repository
#   format     clang-format --dry-run -Werror with the committed .clang-format
# Usage: sh tests/lint.sh BUILD_DIR   (the objects of `make all` are read for the circles)
# Prints "lint: N passed, N failed"; a missing tool is a failure.
set -u
cd "$(dirname "$0")/.." || exit 1
build=${1:-build}
pass=0
fail=0
ok() {
	pass=$((pass + 1))
	echo "ok   $1"
}
# Violations that existed when the rule was written and are being removed, one per line as the
# check prints it. The list only shrinks; it is empty when the tree keeps every rule.
PENDING=''
bad() {
	if [ -n "${2:-}" ]; then
		left=$(printf '%s\n' "$2" | sed 's/: [0-9]* lines$/: LINES/' | grep -vxF "$PENDING")
		if [ -z "$left" ]; then
			pass=$((pass + 1))
			echo "ok   ${1%%:*} ($(printf '%s\n' "$2" | grep -c .) pending)"
			return 0
		fi
	fi
	fail=$((fail + 1))
	echo "FAIL $1"
	[ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/     /'
	return 0
}
need() {
	command -v "$1" >/dev/null 2>&1 && return 0
	bad "$2: $1 is not installed (scripts/install-deps.sh installs it)"
	return 1
}

one_door() {
	out=$(grep -nE '\b(fopen|open|openat|opendir|fdopendir|stat|lstat|fstatat|readlink|readlinkat|access|faccessat|mkdir|mkdirat|unlink|rename|symlink|chdir)[[:space:]]*\(' src/*/*.c |
		grep -vE '^src/sys/root(_[a-z]+)?\.c:')
	if [ -n "$out" ]; then bad "one-door: file access outside src/sys/root.c and src/sys/root_*.c" "$out"; else ok one-door; fi
}

# The layer of the project header NAME.h, or nothing for a system header.
layer_of() {
	for l in util core sys cli; do
		[ -f "src/$l/$1" ] && echo "$l" && return
	done
}

allowed() { # FROM TO: may a file in layer FROM include a header of layer TO?
	case "$1:$2" in
	util:util | core:util | core:core | sys:util | sys:core | sys:sys | cli:*) return 0 ;;
	*) return 1 ;;
	esac
}

layers() {
	out=""
	for f in src/*/*.[ch]; do
		from=${f#src/}
		from=${from%%/*}
		# shellcheck disable=SC2013 # header names have no spaces
		for h in $(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f"); do
			to=$(layer_of "$h")
			[ -n "$to" ] || continue
			allowed "$from" "$to" || out="$out$f includes $to/$h
"
		done
	done
	if [ -n "$out" ]; then bad "layers: an include against util <- core <- sys <- cli" "$out"; else ok layers; fi
}

# The graph "object A uses a symbol that object B defines": an edge A -> B lies on a circle when
# B reaches A again.
circles() {
	need nm circles || return
	# The objects of today's sources only: a file moved or removed leaves a stale object behind.
	set --
	for f in src/*/*.c; do
		o=$build/${f#src/}
		o=${o%.c}.o
		if [ ! -f "$o" ]; then
			bad "circles: no object $o (run make all first)"
			return
		fi
		set -- "$@" "$o"
	done
	out=$(nm -A "$@" 2>/dev/null | awk '
		{ split($1, p, ":"); o = p[1]; sub(/.*\//, "", o); sub(/\.o$/, "", o) }
		$2 ~ /^[TDBR]$/ { def[$3] = o; next }
		$2 == "U" { use[o, $3] = 1 }
		function reaches(from, to,    k, q) {
			if (from == to) return 1
			if (from in seen) return 0
			seen[from] = 1
			for (k in edge) {
				split(k, q, SUBSEP)
				if (q[1] == from && reaches(q[2], to)) return 1
			}
			return 0
		}
		END {
			for (k in use) {
				split(k, q, SUBSEP)
				d = def[q[2]]
				if (d != "" && d != q[1]) edge[q[1], d] = 1
			}
			for (k in edge) {
				split(k, q, SUBSEP)
				delete seen
				if (reaches(q[2], q[1])) print q[1] " -> " q[2]
			}
		}' | sort)
	if [ -n "$out" ]; then bad "circles: objects that need each other (nm)" "$out"; else ok circles; fi
}

size() {
	out=$(wc -l src/*/*.[ch] | awk '$2 != "total" && $1 > 700 { print $2 ": " $1 " lines" }')
	if [ -n "$out" ]; then bad "size: source files over 700 lines" "$out"; else ok size; fi
}

shell_files() {
	git ls-files | grep -v '^tests/fixtures/' | while read -r f; do
		[ -f "$f" ] || continue
		case "$f" in
		*.sh | *.bash) echo "$f" ;;
		*.zsh | *.fish | *.c | *.h | *.md | *.[0-9]) ;;
		*) head -n 1 "$f" | grep -qE '^#! *(/usr)?/bin/(env +)?(ba|a|da)?sh\b' && echo "$f" ;;
		esac
	done
}

shell() {
	need shellcheck shell || return
	need git shell || return
	files=$(shell_files)
	# shellcheck disable=SC2086 # one file name per word
	if out=$(shellcheck -x -f gcc $files 2>&1); then
		ok "shell ($(echo "$files" | wc -l) files)"
	else
		bad "shell: shellcheck" "$out"
	fi
}

format() {
	need clang-format format || return
	# shellcheck disable=SC2046 # one file name per word
	if out=$(clang-format --dry-run -Werror $(git ls-files 'src/*.[ch]' 'tests/*.[ch]') 2>&1); then
		ok format
	else
		bad "format: clang-format --dry-run -Werror (clang-format -i FILE applies .clang-format)" \
			"$(printf '%s\n' "$out" | grep -E '^[^ ]+:[0-9]+:[0-9]+:' | head -n 20)"
	fi
}

one_door
layers
circles
size
shell
format
echo "lint: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
