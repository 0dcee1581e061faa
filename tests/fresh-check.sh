#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# fresh-check.sh DIR    (make fresh-check)
#
# The README's commands on a new machine: DIR becomes a clean Debian 12 root
# (scripts/fresh-root.sh), the committed HEAD of this repository is cloned into /root/vfio-prep
# there, and `make demo` then `make static` run in it as root (scripts/fresh-run.sh), each on its
# first try, with empty apt lists and an empty vfio-prep cache. FRESH_FULL=1 runs `make check`
# after them. Each command's output goes to DIR.logs/NAME.log; a failure shows its end.
# Uncommitted changes are not tested (a new user clones). Needs root.
set -eu

TOP=$(cd "$(dirname "$0")/.." && pwd)
top=$TOP
# shellcheck source=tests/lib.sh
. "$TOP/tests/lib.sh"
t_begin fresh-check

log() { printf 'fresh-check: %s\n' "$*" >&2; }
die() {
	log "$*"
	t_failed
	t_end
	exit 1
}

# Runs "make TARGET" in the root, timed, its output in the log directory.
step() {
	name=$1
	shift
	out=$logs/$name.log
	log "$* (log: $out)"
	start=$(date +%s)
	if sh "$top/scripts/fresh-run.sh" "$dir" sh -c 'cd /root/vfio-prep && exec "$@"' sh "$@" >"$out" 2>&1; then
		t_pass
		log "PASS $*: $(($(date +%s) - start)) s"
	else
		rc=$?
		t_failed
		tail -n 40 "$out" >&2
		log "FAIL $*: exit $rc after $(($(date +%s) - start)) s (whole output: $out)"
	fi
}

main() {
	[ $# = 1 ] || {
		echo "usage: sh tests/fresh-check.sh DIR" >&2
		exit 2
	}
	[ "$(id -u)" = 0 ] || die "needs root (it builds and enters a chroot)"
	dir=$1
	case $dir in
	/*) ;;
	*) dir=$(pwd)/$dir ;;
	esac
	logs=$dir.logs
	commit=$(git -C "$top" rev-parse HEAD) || die "$top is not a git checkout"
	[ -z "$(git -C "$top" status --porcelain --untracked-files=no)" ] ||
		log "uncommitted changes in $top are not tested: HEAD ${commit%"${commit#????????????}"} is"
	# fresh-run.sh mounts only in its own mount namespace: nothing of DIR is mounted here.
	if grep -q " $dir/" /proc/self/mountinfo; then
		die "something is mounted under $dir: unmount it first"
	fi
	rm -rf "$dir" "$logs"
	mkdir -p "$logs"
	begin=$(date +%s)
	sh "$top/scripts/fresh-root.sh" "$dir" || die "cannot make a clean root in $dir"
	git clone -q --no-hardlinks "$top" "$dir/root/vfio-prep" ||
		die "git clone of $top into $dir/root/vfio-prep failed"
	git -C "$dir/root/vfio-prep" checkout -q --detach "$commit" || die "cannot check out $commit"
	# The point: nothing downloaded before, nothing installed but the minimal system.
	[ ! -e "$dir/root/.cache/vfio-prep" ] || die "$dir/root/.cache/vfio-prep exists in a fresh root"
	log "clean root with $commit in $dir after $(($(date +%s) - begin)) s"

	step make-demo make demo
	step make-static make static
	[ -z "${FRESH_FULL:-}" ] || step make-check make check

	log "done in $(($(date +%s) - begin)) s"
	t_end
}

main "$@"
