#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# completions.sh BINARY: the shell completions of completions/, driven for real.
#   bash  sourced, `complete -p` checked, _vfio_prep called with COMP_WORDS/COMP_CWORD set
#   fish  `fish -n`, then `complete -C` on command lines
#   zsh   `zsh -n`, then completion run in an interactive zsh under zsh/zpty
# Every option of BINARY --help must be offered; addresses and IDs come from a generated tree
# (--root) and from this machine's /sys. Prints "completions: N passed, N failed".
set -u

TOP=$(cd "$(dirname "$0")/../.." && pwd)
top=$TOP
# shellcheck source=tests/lib.sh
. "$TOP/tests/lib.sh"
t_begin completions
bin=${1:?usage: completions.sh BINARY}
t_scratch comp
scratch=$T_SCRATCH

for t in bash zsh fish cpio; do
	command -v "$t" >/dev/null 2>&1 || t_abort "$t not found (apt-get install $t)"
done

tree=$scratch/tree
t_tree desktop-amd "$tree" || exit 1
devs=$tree/sys/bus/pci/devices
ls "$devs" >"$scratch/addresses"
for d in "$devs"/*; do
	printf '%s:%s\n' "$(sed 's/^0x//' "$d/vendor")" "$(sed 's/^0x//' "$d/device")"
done | sort -u >"$scratch/ids"
ls /sys/bus/pci/devices >"$scratch/host-addresses" 2>/dev/null || : >"$scratch/host-addresses"
# The options of --help: every --long and -s it names.
"$bin" --help >"$scratch/help" || exit 1
grep -Eo -- '(^|[ ,])--?[a-zA-Z][a-zA-Z-]*' "$scratch/help" | sed 's/^[ ,]//' | sort -u >"$scratch/options"
[ -s "$scratch/options" ] || { echo "completions: no option found in $bin --help" >&2; exit 1; }

# expect NAME GOT_FILE WANT_FILE: every line of WANT_FILE is a line of GOT_FILE.
expect() {
	missing=$(sort -u "$3" | comm -23 - "$(sort -u "$2" >"$2.s" && echo "$2.s")")
	if [ -z "$missing" ] && [ -s "$3" ]; then
		t_pass
	else
		t_failed
		echo "FAIL $1: missing: $(echo "$missing" | tr '\n' ' ')" >&2
		sed 's/^/  got: /' "$2" | head -20 >&2
	fi
}

# expect_only NAME GOT_FILE WANT...: GOT_FILE is exactly the words WANT (in any order).
expect_only() {
	name=$1 got=$2
	shift 2
	printf '%s\n' "$@" | sort -u >"$scratch/want"
	if sort -u "$got" | cmp -s - "$scratch/want"; then
		t_pass
	else
		t_failed
		echo "FAIL $name: want '$*', got '$(tr '\n' ' ' <"$got")'" >&2
	fi
}

# same NAME GOT_FILE WANT_FILE: GOT_FILE has exactly the lines of WANT_FILE (in any order).
same() {
	if sort -u "$2" | cmp -s - "$(sort -u "$3" >"$3.s" && echo "$3.s")"; then
		t_pass
	else
		t_failed
		echo "FAIL $1: want '$(tr '\n' ' ' <"$3")', got '$(tr '\n' ' ' <"$2")'" >&2
	fi
}

# ---- bash -------------------------------------------------------------------------------
# bash_complete WORD...: the candidates for the last WORD, with bash's split at '=' done by
# the caller (as COMP_WORDBREAKS does it: "--color" "=" "al").
bash_complete() {
	bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"
		_vfio_prep; printf "%s\n" "${COMPREPLY[@]}"' bash "$top/completions/vfio-prep.bash" "$@"
}

out=$scratch/out
bash -c '. "$1"; complete -p vfio-prep' bash "$top/completions/vfio-prep.bash" >"$out" 2>&1
expect_only "bash: complete -p" "$out" "complete -F _vfio_prep vfio-prep"
bash_complete vfio-prep - | sed 's/=$//' >"$out"
expect "bash: options of --help" "$out" "$scratch/options"
bash_complete vfio-prep --root "$tree" --release "" >"$out"
same "bash: --release addresses (--root)" "$out" "$scratch/addresses"
bash_complete vfio-prep -r "$tree" --device "" >"$out"
cat "$scratch/addresses" "$scratch/ids" >"$scratch/selectors"
expect "bash: --device addresses and ids" "$out" "$scratch/selectors"
bash_complete vfio-prep --root "$tree" -d 10 >"$out"
grep '^10' "$scratch/ids" >"$scratch/ids10"
expect "bash: -d 10 ids" "$out" "$scratch/ids10"
bash_complete vfio-prep -d "" >"$out"
expect "bash: -d from /sys" "$out" "$scratch/host-addresses"
bash_complete vfio-prep --root "$tree" --add 0000:03:00.0 "" >"$out"
expect_only "bash: --add SELECTOR options" "$out" id= functions= vfs= allow-boot-vga optional
bash_complete vfio-prep --add 0000:03:00.0 fun >"$out"
expect_only "bash: --add SELECTOR fun" "$out" functions=
bash_complete vfio-prep --add 0000:03:00.0 functions = "" >"$out"
expect_only "bash: functions=" "$out" auto all one
bash_complete vfio-prep --root "$tree" --add 0000:03:00.0 id = "" >"$out"
same "bash: id=" "$out" "$scratch/ids"
bash_complete vfio-prep --check --color = al >"$out"
expect_only "bash: --color=al" "$out" always
bash_complete vfio-prep --check 0000 >"$out"
expect_only "bash: no device options without --add" "$out"

# ---- fish -------------------------------------------------------------------------------
fish_complete() {
	# shellcheck disable=SC2016 # fish's $argv, not the shell's
	fish -c 'source $argv[1]; complete -C $argv[2]' "$top/completions/vfio-prep.fish" "$1" | cut -f1
}
if fish -n "$top/completions/vfio-prep.fish"; then t_pass; else t_failed && echo "FAIL fish -n" >&2; fi
fish_complete "vfio-prep -" >"$out"
expect "fish: options of --help" "$out" "$scratch/options"
fish_complete "vfio-prep --root $tree --release " >"$out"
same "fish: --release addresses (--root)" "$out" "$scratch/addresses"
fish_complete "vfio-prep -r $tree -d " >"$out"
expect "fish: -d addresses and ids" "$out" "$scratch/selectors"
fish_complete "vfio-prep -d " >"$out"
expect "fish: -d from /sys" "$out" "$scratch/host-addresses"
fish_complete "vfio-prep --add 0000:03:00.0 " >"$out"
expect_only "fish: --add SELECTOR options" "$out" id= functions= vfs= allow-boot-vga optional
fish_complete "vfio-prep --add 0000:03:00.0 functions=" >"$out"
expect_only "fish: functions=" "$out" functions=auto functions=all functions=one
fish_complete "vfio-prep --root=$tree --add 0000:03:00.0 id=" >"$out"
sed 's/^/id=/' "$scratch/ids" >"$scratch/idopts"
expect "fish: id=" "$out" "$scratch/idopts"
fish_complete "vfio-prep --check --color=al" >"$out"
expect_only "fish: --color=al" "$out" --color=always

# ---- zsh --------------------------------------------------------------------------------
if zsh -n "$top/completions/_vfio-prep"; then t_pass; else t_failed && echo "FAIL zsh -n" >&2; fi
zsh_complete() {
	timeout 60 zsh -f "$top/tests/packaging/zsh-complete.zsh" "$top/completions" "$1" 2>"$scratch/zsh-err" |
		tr -d '\r' || cat "$scratch/zsh-err" >&2
}
zsh_complete "vfio-prep --" >"$out"
grep -- '^--' "$scratch/options" >"$scratch/long-options"
expect "zsh: options of --help" "$out" "$scratch/long-options"
zsh_complete "vfio-prep --root $tree --release " >"$out"
same "zsh: --release addresses (--root)" "$out" "$scratch/addresses"
zsh_complete "vfio-prep -r $tree -d " >"$out"
expect "zsh: -d addresses and ids" "$out" "$scratch/selectors"
zsh_complete "vfio-prep --add 0000:03:00.0 " >"$out"
expect_only "zsh: --add SELECTOR options" "$out" id= functions= vfs= allow-boot-vga optional
zsh_complete "vfio-prep --add 0000:03:00.0 functions=" >"$out"
expect_only "zsh: functions=" "$out" auto all one
zsh_complete "vfio-prep --check --color=" >"$out"
expect_only "zsh: --color=" "$out" auto always never

t_end
