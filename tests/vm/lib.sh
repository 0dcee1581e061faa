# shellcheck shell=sh
# Helpers shared by the boot-test scripts; sourced, never run. POSIX sh.
# The VM_* variables are for the scripts that source this file.
# shellcheck disable=SC2034

# The directory of the boot-test scripts and the project root, from the sourcing script.
VM_DIR=${VM_DIR:-$(cd "$(dirname "$0")" && pwd)}
VM_TOP=${VM_TOP:-$(cd "$VM_DIR/../.." && pwd)}
VM_CACHE=${VFIO_PREP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vfio-prep}
# depmod lives in /sbin, which is not in an ordinary user's PATH on Debian.
PATH=$PATH:/usr/sbin:/sbin

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

# Unpack into directory $2 the base64 tar that vm_send_tar (init.sh) wrote into capture file $1.
# Fails when nothing arrived, the stream does not decode or tar failed in the guest.
vm_decode_tar() {
	[ -s "$1" ] || { vm_log "nothing arrived on the capture port ($1)"; return 1; }
	tr -d '\r' <"$1" | grep -q '^@@VFIO-PREP-TAR-END@@ rc=0$' ||
		{ vm_log "the capture in $1 is incomplete or tar failed in the guest"; return 1; }
	mkdir -p "$2" || return
	tr -d '\r' <"$1" |
		awk '/^@@VFIO-PREP-TAR-END@@/ { exit } go { print } /^@@VFIO-PREP-TAR-BEGIN@@$/ { go = 1 }' |
		base64 -d | tar -x -C "$2" --no-same-owner -f -
}
