# SPDX-License-Identifier: GPL-2.0-or-later
# timeout 30 zsh -f zsh-complete.zsh COMPLETIONS_DIR LINE
# Prints, one per line, the candidates zsh's completion system offers for the end of LINE:
# an interactive zsh on a pseudo-terminal (zsh/zpty) loads COMPLETIONS_DIR through compinit,
# LINE is typed followed by TAB, and a wrapper around compadd prints what each call adds.
zmodload zsh/zpty || exit 2
dir=$1 line=$2

zpty vp zsh -f -i || exit 2
zpty -w vp "PS1='' RPS1='' PROMPT_EOL_MARK=''; unsetopt beep"
zpty -w vp "fpath=(${(q)dir} \$fpath); autoload -Uz compinit; compinit -u -D"
# Calls that only compute (-O, -A, -D) pass through; the others are printed, then made.
zpty -w vp 'compadd() { local -a got; if [[ ${@[1,(i)--]} != *-[OAD]* ]]; then builtin compadd -O got "$@"; print -rl -- ${got/#/@@:}; fi; builtin compadd "$@"; }'
zpty -w vp "_vp_done() { print -r -- @@END; }; comppostfuncs=(_vp_done); bindkey '^I' complete-word"
zpty -w vp "zstyle ':completion:*' list-grouped false; zstyle ':completion:*' insert-tab false"
zpty -w vp "print -r -- @@READY"
zpty -n -w vp "$line"$'\t'

# Blocking reads: the caller bounds the time (timeout(1)).
typeset -i ready=0
while zpty -r vp out; do
	out=${${out//$'\r'/}%$'\n'}
	if [[ $out == @@READY ]]; then
		ready=1
	elif (( ready )) && [[ $out == *@@END* ]]; then
		zpty -d vp
		exit 0
	elif (( ready )) && [[ $out == *@@:* ]]; then
		print -r -- ${out#*@@:}
	fi
done
zpty -d vp
print -u2 "zsh-complete: no completion for: $line"
exit 1
