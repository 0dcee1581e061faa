# shellcheck shell=sh
# Helpers shared by the boot-test scripts; sourced, never run. POSIX sh.
# The VM_* variables are for the scripts that source this file.
# shellcheck disable=SC2034

# The directory of the boot-test scripts and the project root, from the sourcing script.
VM_DIR=${VM_DIR:-$(cd "$(dirname "$0")" && pwd)}
VM_TOP=${VM_TOP:-$(cd "$VM_DIR/../.." && pwd)}
VM_CACHE=${VFIO_PREP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vfio-prep}

vm_log() {
	printf '%s: %s\n' "${0##*/}" "$*" >&2
}

vm_die() {
	vm_log "$*"
	exit 1
}

# Quote a value so that eval gives it back unchanged.
vm_shquote() {
	printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"
}

# Seconds since the epoch with two decimals, for timings.
vm_now() {
	date +%s.%N | cut -c1-13
}

vm_elapsed() {
	awk -v a="$1" -v b="$(vm_now)" 'BEGIN { printf "%.1f", b - a }'
}
