#!/bin/sh
# Boot tests: boot Debian's kernel under QEMU once per scenario (tests/vm/scenarios/NAME.conf)
# with BINARY as /bin/vfio-prep in the initramfs, and check what the guest reports.
#
#   run.sh BINARY [SCENARIO...]     run all (or the named) scenarios
#   run.sh --list                   scenarios, their topology and the vfio-prep mode they need
#
# Prints "ok NAME" or "FAIL NAME: reason" per scenario, then "vm: N passed, N failed"; exits 1
# on any failure, including a missing QEMU or kernel (nothing is skipped silently).
#
# Scenarios that test vfio-prep itself say so with NEEDS=apply (or release, capture) in their
# file. When BINARY's --help does not list that mode they fail at once with "vfio-prep --apply
# not implemented" instead of booting; they switch on by themselves once --help lists --apply
# (VM_FORCE=1 boots them regardless). The harness-* and transport scenarios need nothing.
#
# Environment: VM_TIMEOUT (seconds per boot, 120), VM_JOBS (boots at once, 1),
# VM_WORKDIR (logs and images, build/vm), VFIO_PREP_CACHE (kernel cache, see kernel.sh).
set -u

. "$(dirname "$0")/lib.sh"
TOP=$VM_TOP
# shellcheck source=tests/lib.sh
. "$VM_TOP/tests/lib.sh"
t_begin vm

WORK=${VM_WORKDIR:-$VM_TOP/build/vm}
TIMEOUT=${VM_TIMEOUT:-120}
JOBS=${VM_JOBS:-1}
MARK='@@VFIO-PREP-RESULT@@'
OUTMARK='@@VFIO-PREP-OUT@@'

usage() {
	echo "usage: ${0##*/} BINARY [SCENARIO...] | --list" >&2
	exit 2
}

# Fail the whole run before any scenario could start.
abort() {
	t_abort "$*"
}

# --- scenario files -------------------------------------------------------------------------

# Clear what a scenario file may set, then read it.
load_scenario() {
	MANUAL='' NEEDS='' TOPOLOGY=intel APPEND='' CAPTURE='' MODULES_COMPRESS=''
	# Read in the guest only; cleared so that one scenario cannot inherit another's.
	# shellcheck disable=SC2034
	CONFIG='' MODPROBE='' PRE_MODULES='' BOOT='' HOST_MODULES='' LATE=''
	EXPECT_RC='' EXPECT_PRE='' EXPECT='' EXPECT_UNCHANGED='' EXPECT_KMSG='' EXPECT_STATE=''
	EXPECT_TAR=''
	for n in 1 2 3 4 5 6 7 8 9; do
		eval "EXPECT_$n='' EXPECT_OUT_$n=''"
	done
	# shellcheck source=/dev/null
	. "$VM_DIR/scenarios/$1.conf"
}

all_scenarios() {
	for f in "$VM_DIR"/scenarios/*.conf; do
		name=${f##*/}
		name=${name%.conf}
		(load_scenario "$name" && [ -z "$MANUAL" ]) && echo "$name"
	done
}

list_scenarios() {
	for f in "$VM_DIR"/scenarios/*.conf; do
		name=${f##*/}
		name=${name%.conf}
		(
			load_scenario "$name"
			printf '%-18s %-8s %-8s %s\n' "$name" "$TOPOLOGY" "${NEEDS:--}" "${MANUAL:+(manual)}"
		)
	done
}

# Whether BINARY's --help lists the mode --$1 (never runs a mode on the host).
supports() {
	case " $FEATURES " in
	*" $1 "*) return 0 ;;
	esac
	[ "${VM_FORCE:-}" = 1 ]
}

detect_features() {
	help=$("$BINARY" --help 2>&1) || :
	FEATURES=
	for mode in apply release capture check list; do
		case $help in
		*"--$mode"*) FEATURES="$FEATURES $mode" ;;
		esac
	done
}

# --- checks on what the guest printed -------------------------------------------------------

# The last non-empty console line: where a guest that did not finish stopped.
last_line() {
	tr -cd '[:print:]\n' <"$LOG" 2>/dev/null | grep -v '^[[:space:]]*$' | tail -n 1 | cut -c1-160
}

fail() {
	reasons="${reasons:+$reasons; }$*"
}

dev_line() {
	grep -m1 "^$MARK dev $1 $2 " "$RES"
}

field() {
	printf '%s\n' "$1" | sed -n "s/.* $2=\([^ ]*\).*/\1/p"
}

# $1: report tag (pre, N, final); $2: "ADDR=DRIVER ..." (DRIVER "none" for unbound).
check_devs() {
	for pair in $2; do
		addr=${pair%%=*} want=${pair#*=}
		line=$(dev_line "$1" "$addr")
		if [ -z "$line" ]; then
			fail "no report of $addr at '$1'"
			continue
		fi
		got=$(field "$line" driver)
		if [ "$got" != "$want" ]; then
			fail "$addr on $got at '$1', expected $want"
		elif [ "$want" = vfio-pci ] && [ "$(field "$line" vfio)" = no ]; then
			fail "$addr on vfio-pci but no /dev/vfio/$(field "$line" group) at '$1'"
		fi
	done
}

step_cmd() {
	sed -n "s/^$MARK step $1 begin //p" "$RES"
}

check_rcs() {
	for pair in $EXPECT_RC; do
		n=${pair%%=*} want=${pair#*=}
		got=$(sed -n "s/^$MARK step $n rc=\([^ ]*\).*/\1/p" "$RES")
		if [ -z "$got" ]; then
			fail "step $n did not run"
		elif [ "$got" != "$want" ]; then
			fail "'$(step_cmd "$n")' exited $got, expected $want"
		fi
	done
}

check_outputs() {
	for n in 1 2 3 4 5 6 7 8 9; do
		eval "pat=\$EXPECT_OUT_$n want=\$EXPECT_$n"
		[ -z "$want" ] || check_devs "$n" "$want"
		[ -n "$pat" ] || continue
		sed -n "s/^$OUTMARK $n //p" "$RES" | grep -Eiq -- "$pat" ||
			fail "output of '$(step_cmd "$n")' does not match /$pat/"
	done
	# An old binary tells us what it does not know; say it plainly.
	unknown=$(grep -m1 -Ei "^$OUTMARK [0-9]+ .*(unrecognized|unknown|invalid) option" "$RES")
	[ -z "$unknown" ] || fail "vfio-prep rejected an option: ${unknown#"$OUTMARK" }"
}

check_unchanged() {
	for addr in $EXPECT_UNCHANGED; do
		first=$(dev_line 1 "$addr")
		last=$(dev_line final "$addr")
		if [ -z "$first" ] || [ "${first#* dev 1 }" != "${last#* dev final }" ]; then
			fail "$addr changed after step 1: '${first#* dev 1 }' became '${last#* dev final }'"
		fi
	done
}

check_marked() {
	[ -z "$2" ] && return
	sed -n "s/^$1 //p" "$RES" | grep -Eq -- "$2" || fail "no $3 line matches /$2/"
}

check_tar() {
	tree=$WORK/$NAME.tree
	rm -rf "$tree"
	vm_decode_tar "$CAP" "$tree" 2>"$WORK/$NAME.decode" ||
		{ fail "capture: $(tail -n 1 "$WORK/$NAME.decode")"; return; }
	for p in $EXPECT_TAR; do
		[ -e "$tree/$p" ] || [ -L "$tree/$p" ] || fail "capture lacks $p"
	done
}

check_results() {
	reasons=
	if ! grep -q "^$MARK end" "$RES"; then
		err=$(sed -n "s/^$MARK error //p" "$RES")
		fail "guest did not finish: ${err:-last console line: $(last_line)}"
	fi
	check_rcs
	check_outputs
	[ -z "$EXPECT_PRE" ] || check_devs pre "$EXPECT_PRE"
	[ -z "$EXPECT" ] || check_devs final "$EXPECT"
	check_unchanged
	check_marked @@VFIO-PREP-KMSG@@ "$EXPECT_KMSG" "kernel log"
	check_marked @@VFIO-PREP-STATE@@ "$EXPECT_STATE" "state.json"
	[ -z "$CAPTURE" ] || check_tar
}

# --- running ------------------------------------------------------------------------------

boot() {
	rm -f "$LOG" "$CAP"
	sh "$VM_DIR/qemu.sh" "$@" 2>"$WORK/$NAME.stderr"
	rc=$?
}

# Boot scenario $1; write its result line into $WORK/NAME.result.
run_one() {
	NAME=$1
	out=$WORK/$NAME.result
	if [ ! -r "$VM_DIR/scenarios/$NAME.conf" ]; then
		echo "FAIL $NAME: no scenario file scenarios/$NAME.conf" >"$out"
		return
	fi
	load_scenario "$NAME"
	for mode in $NEEDS; do
		if ! supports "$mode"; then
			echo "FAIL $NAME: vfio-prep --$mode not implemented (its --help does not list --$mode)" >"$out"
			return
		fi
	done
	LOG=$WORK/$NAME.log CAP=$WORK/$NAME.cap RES=$WORK/$NAME.res
	rm -f "$LOG" "$CAP" "$RES"
	initrd=$INITRD
	[ -z "$MODULES_COMPRESS" ] || initrd=$WORK/initramfs-$MODULES_COMPRESS.cpio.gz
	set -- -t "$TOPOLOGY" -k "$VMLINUZ" -i "$initrd" -l "$LOG" -T "$TIMEOUT" \
		-a "vfio_test.scenario=$NAME${APPEND:+ $APPEND}"
	[ -z "$CAPTURE" ] || set -- "$@" -c "$CAP"
	start=$(vm_now)
	boot "$@"
	# A guest that never reached /init failed before anything under test ran (a kernel
	# panic at boot on an overloaded host): boot once more.
	if [ "$rc" != 2 ] && ! grep -q "$MARK scenario" "$LOG" 2>/dev/null; then
		vm_log "$NAME: the guest did not reach /init ($(last_line)); booting again"
		boot "$@"
	fi
	echo "$NAME $(vm_elapsed "$start")" >"$WORK/$NAME.time"
	tr -d '\r' <"$LOG" 2>/dev/null | sed -n 's/^.*\(@@VFIO-PREP-[A-Z-]*@@\)/\1/p' >"$RES"
	case $rc in
	0) check_results ;;
	124) reasons="timed out after $TIMEOUT s; last console line: $(last_line)" ;;
	*) reasons="qemu exited $rc: $(head -n 1 "$WORK/$NAME.stderr")" ;;
	esac
	if [ -z "$reasons" ]; then
		echo "ok $NAME" >"$out"
	else
		echo "FAIL $NAME: $reasons (log: $LOG)" >"$out"
	fi
}

# The images with compressed vfio modules the scenarios $@ ask for (MODULES_COMPRESS), one
# per compression.
prepare_compressed() {
	built=
	for name in "$@"; do
		[ -r "$VM_DIR/scenarios/$name.conf" ] || continue
		c=$(load_scenario "$name" && echo "$MODULES_COMPRESS")
		[ -n "$c" ] || continue
		case " $built " in
		*" $c "*) continue ;;
		esac
		KVER=$KVER MODDIR=$MODDIR sh "$VM_DIR/initramfs.sh" -o "$WORK/initramfs-$c.cpio.gz" \
			-b "$BINARY" -z "$c" ||
			abort "cannot build the initramfs with .ko.$c modules (initramfs.sh -z $c failed, see above)"
		built="$built $c"
	done
}

prepare() {
	[ -x "$BINARY" ] || abort "no executable $BINARY (build it first: make)"
	command -v qemu-system-x86_64 >/dev/null ||
		abort "qemu-system-x86_64 not found: install it (apt-get install qemu-system-x86)"
	kout=$(sh "$VM_DIR/kernel.sh") || abort "cannot obtain a Debian kernel (kernel.sh failed, see above)"
	KVER='' VMLINUZ='' MODDIR=''
	eval "$kout"
	mkdir -p "$WORK"
	INITRD=$WORK/initramfs.cpio.gz
	start=$(vm_now)
	KVER=$KVER MODDIR=$MODDIR sh "$VM_DIR/initramfs.sh" -o "$INITRD" -b "$BINARY" ||
		abort "cannot build the initramfs (initramfs.sh failed, see above)"
	prepare_compressed "$@"
	detect_features
	vm_log "kernel $KVER; initramfs built in $(vm_elapsed "$start") s; $BINARY lists:${FEATURES:- no modes}"
	supports apply || vm_log "vfio-prep --apply not implemented: the scenarios with NEEDS=apply will fail"
}

main() {
	[ $# -ge 1 ] || usage
	case $1 in
	--list) list_scenarios; exit 0 ;;
	-*) usage ;;
	esac
	BINARY=$1
	shift
	case $BINARY in
	/*) ;;
	*) BINARY=$PWD/$BINARY ;;
	esac
	[ $# -gt 0 ] || set -- "$(all_scenarios)"
	# shellcheck disable=SC2068 # single-word names, split on purpose
	prepare $@
	total=$(vm_now)
	batch='' running=0 ran=
	# Scenario names are single words; the list from all_scenarios is split here on purpose.
	# shellcheck disable=SC2068
	for name in $@ ''; do
		if [ -n "$name" ]; then
			rm -f "$WORK/$name.result" "$WORK/$name.time"
			ran="$ran $name"
			(run_one "$name") &
			batch="$batch $name"
			running=$((running + 1))
			[ "$running" -lt "$JOBS" ] && continue
		fi
		wait
		running=0
		for b in $batch; do
			line=$(cat "$WORK/$b.result" 2>/dev/null || echo "FAIL $b: no result")
			echo "$line"
			case $line in
			ok*) t_pass ;;
			*) t_failed ;;
			esac
		done
		batch=''
	done
	for name in $ran; do
		cat "$WORK/$name.time" 2>/dev/null
	done >"$WORK/timings"
	vm_log "$((T_PASSED + T_FAILED)) scenarios in $(vm_elapsed "$total") s (per boot: $WORK/timings)"
	t_end
}

main "$@"
