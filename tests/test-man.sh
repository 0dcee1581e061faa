#!/bin/sh
# Man page checks: both pages render without a single warning, vfio-prep(8) names every long
# option of src/cli/main.c's option table and gives an entry to the same options as --help, and
# vfio-prep.conf(5) names every keyword of the
# configuration grammar (each of which must still be a string in src/core/config.c).
# Usage: tests/test-man.sh            prints "man: N passed, N failed"; exit 1 on any failure
set -u

TOP=$(cd "$(dirname "$0")/.." && pwd)
top=$TOP
# shellcheck source=tests/lib.sh
. "$TOP/tests/lib.sh"
t_begin man
t_scratch man
page8=$top/man/vfio-prep.8
page5=$top/man/vfio-prep.conf.5
scratch=$T_SCRATCH

# The grammar of vfio-prep.conf(5): keywords, option names and option values.
CONF_WORDS="device isolation strict warn id functions auto all one vfs allow-boot-vga optional"

ok() {
	t_pass
}

bad() {
	t_failed
	echo "FAIL $*" >&2
}

need() {
	if ! command -v "$1" >/dev/null 2>&1; then
		echo "test-man: '$1' not found (apt-get install $2)" >&2
		bad "$1 is missing"
		return 1
	fi
}

# run_quiet NAME COMMAND...: the command must succeed and print nothing on stderr.
run_quiet() {
	name=$1
	shift
	if ! "$@" >/dev/null 2>"$scratch/err"; then
		bad "$name: exit status $?"
		sed 's/^/  /' "$scratch/err" >&2
	elif [ -s "$scratch/err" ]; then
		bad "$name: warnings"
		sed 's/^/  /' "$scratch/err" >&2
	else
		ok
	fi
}

# The page source with font changes and escapes removed, so that "\-\-dry\-run" and
# "\fB\-\-json\fR" read as "--dry-run" and "--json".
plain() {
	sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/\\f(..//g' -e 's/\\&//g' -e 's/\\%//g' "$1"
}

# has_word FILE WORD: WORD occurs in FILE, not as part of a longer word or option.
has_word() {
	grep -Eq -- "(^|[^A-Za-z0-9_-])$2([^A-Za-z0-9_-]|\$)" "$1"
}

check_render() {
	for page in "$page8" "$page5"; do
		base=$(basename "$page")
		run_quiet "$base: man --warnings -Tutf8" man --warnings -l -Tutf8 "$page"
		run_quiet "$base: man --warnings=all" env MANWIDTH=80 man --warnings=all -l "$page"
		run_quiet "$base: groff -ww" groff -ww -man -z "$page"
	done
}

# The long options of main.c: the lines of the getopt_long table, { "name", ..._argument, ... }.
main_options() {
	sed -n 's/^[[:space:]]*{ *"\([a-z][a-z-]*\)", *[a-z]*_argument.*/\1/p' "$top/src/cli/main.c"
}

check_options() {
	plain "$page8" >"$scratch/page8"
	main_options >"$scratch/options"
	if [ ! -s "$scratch/options" ]; then
		bad "no long options found in src/cli/main.c (has the option table changed shape?)"
		return
	fi
	while read -r opt; do
		if has_word "$scratch/page8" "--$opt"; then
			ok
		else
			bad "vfio-prep.8 does not mention --$opt"
		fi
	done <"$scratch/options"
}

# The options --help describes (the usage() text of main.c) and those vfio-prep(8) gives an entry
# of their own (the tag of a .TP paragraph) are the same set.
help_options() {
	sed -n '/^static void usage/,/^}/p' "$top/src/cli/main.c" | grep -o -- '--[a-z][a-z-]*' | sort -u
}

man_entry_options() {
	awk 'prev == ".TP" { print } { prev = $0 }' "$page8" | sed 's/\\-/-/g' |
		grep -o -- '--[a-z][a-z-]*' | sort -u
}

check_help_man_same() {
	help_options >"$scratch/help-options"
	man_entry_options >"$scratch/man-options"
	if [ ! -s "$scratch/help-options" ] || [ ! -s "$scratch/man-options" ]; then
		bad "no options found in --help or vfio-prep.8 (has the shape of either changed?)"
		return
	fi
	if diff "$scratch/help-options" "$scratch/man-options" >"$scratch/diff"; then
		ok
	else
		bad "--help and vfio-prep.8 describe different options (< --help only, > man page only):"
		grep '^[<>]' "$scratch/diff" | sed 's/^/  /' >&2
	fi
}

check_config_words() {
	plain "$page5" >"$scratch/page5"
	for w in $CONF_WORDS; do
		if ! has_word "$scratch/page5" "$w"; then
			bad "vfio-prep.conf.5 does not mention '$w'"
		elif [ -f "$top/src/core/config.c" ] && ! grep -q "\"${w}[\"=]" "$top/src/core/config.c"; then
			bad "'$w' is no longer a string in src/core/config.c: update CONF_WORDS and the page"
		else
			ok
		fi
	done
	# The reverse direction: every option name in config.c's table is documented.
	[ -f "$top/src/core/config.c" ] || return
	sed -n 's/^[[:space:]]*{ *"\([a-z][a-z-]*\)", *[a-z]*, *option_.*/\1/p' \
		"$top/src/core/config.c" >"$scratch/conf-options"
	while read -r opt; do
		case " $CONF_WORDS " in
		*" $opt "*) ok ;;
		*) bad "option '$opt' of src/core/config.c is missing from CONF_WORDS and maybe the page" ;;
		esac
	done <"$scratch/conf-options"
}

if need man man-db && need groff groff-base; then
	check_render
fi
check_options
check_help_man_same
check_config_words

t_end
