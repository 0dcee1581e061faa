# Unusable configuration files, sourced by tests/hostile/run.sh. Each one is refused with exit
# status 2 and a message naming the file, at once (never a hang on a FIFO or /dev/zero), and
# --apply writes nothing: not the tree, not /dev/kmsg, not the boot record.
# shellcheck shell=sh disable=SC2154 # scratch, top, T and the helpers come from run.sh

# A tree for --apply whose writes would show: /dev/kmsg exists, vfio-pci is "in the kernel".
config_tree() {
	new_tree "$1" || return 1
	: >"$T/dev/kmsg"
	mkdir -p "$T/sys/module/vfio_pci"
}

# refused PATTERN ARGS...: --apply on T with ARGS is refused with PATTERN on stderr, T unchanged.
refused() {
	pattern=$1
	shift
	snapshot "$T" "$scratch/tree.before"
	traced --apply --root "$T" "$@"
	want_rc 2
	want_err "^vfio-prep: .*$pattern"
	snapshot "$T" "$scratch/tree.after"
	cmp -s "$scratch/tree.before" "$scratch/tree.after" || bad "the tree was written to"
	[ -s "$OUT" ] && bad "stdout not empty: $(head -c 200 "$OUT")"
	return 0
}

c_group_writable() {
	config_tree cf-group-writable
	conf "device 01:00.0"
	chmod 664 "$T/etc/vfio-prep.conf"
	refused "$T/etc/vfio-prep.conf: refusing a config file writable by group or others \(mode 0664\)"
}
run_case hostile-config-group-writable c_group_writable

c_others_writable() {
	config_tree cf-others-writable
	conf "device 01:00.0"
	chmod 606 "$T/etc/vfio-prep.conf"
	refused "$T/etc/vfio-prep.conf: refusing a config file writable by group or others \(mode 0606\)"
}
run_case hostile-config-others-writable c_others_writable

c_dropin_writable() {
	config_tree cf-dropin-writable
	conf "device 01:00.0"
	mkdir -p "$T/etc/vfio-prep.d"
	printf 'device 00:14.0\n' >"$T/etc/vfio-prep.d/usb.conf"
	chmod 666 "$T/etc/vfio-prep.d/usb.conf"
	refused "$T/etc/vfio-prep.d/usb.conf: refusing a config file writable by group or others"
}
run_case hostile-config-dropin-writable c_dropin_writable

c_explicit_writable() {
	config_tree cf-explicit-writable
	printf 'device 01:00.0\n' >"$scratch/writable.conf"
	chmod 666 "$scratch/writable.conf"
	refused "$scratch/writable.conf: refusing a config file writable by group or others" --config "$scratch/writable.conf"
}
run_case hostile-config-explicit-writable c_explicit_writable

c_foreign_owner() {
	config_tree cf-foreign-owner
	conf "device 01:00.0"
	if [ "$(id -u)" != 0 ]; then
		refused "refusing a config file owned by uid"
		return
	fi
	chown 4242 "$T/etc/vfio-prep.conf"
	refused "$T/etc/vfio-prep.conf: refusing a config file owned by uid 4242"
}
run_case hostile-config-foreign-owner c_foreign_owner

c_directory() {
	config_tree cf-directory
	mkdir -p "$T/etc/vfio-prep.conf"
	refused "$T/etc/vfio-prep.conf: is a directory, not a config file"
}
run_case hostile-config-directory c_directory

c_explicit_directory() {
	config_tree cf-explicit-directory
	mkdir -p "$T/etc/vfio-prep.d"
	refused "$T/etc/vfio-prep.d: is a directory, not a config file" --config "$T/etc/vfio-prep.d"
}
run_case hostile-config-explicit-directory c_explicit_directory

c_explicit_missing() {
	config_tree cf-explicit-missing
	refused "$scratch/missing.conf: cannot read config file: No such file or directory" --config "$scratch/missing.conf"
}
run_case hostile-config-explicit-missing c_explicit_missing

# Endless: /dev/zero never ends, a FIFO never answers.
c_explicit_dev_zero() {
	config_tree cf-explicit-dev-zero
	ln -s /dev/zero "$scratch/zero.conf"
	refused "$scratch/zero.conf: not a regular file" --config "$scratch/zero.conf"
}
run_case hostile-config-explicit-dev-zero c_explicit_dev_zero

c_explicit_fifo() {
	config_tree cf-explicit-fifo
	rm -f "$scratch/fifo.conf"
	mkfifo "$scratch/fifo.conf"
	refused "$scratch/fifo.conf: not a regular file" --config "$scratch/fifo.conf"
}
run_case hostile-config-explicit-fifo c_explicit_fifo

c_explicit_fifo_link() {
	config_tree cf-explicit-fifo-link
	rm -f "$scratch/fifo2" "$scratch/fifo-link.conf"
	mkfifo "$scratch/fifo2"
	ln -s fifo2 "$scratch/fifo-link.conf"
	refused "$scratch/fifo-link.conf: not a regular file" --config "$scratch/fifo-link.conf"
}
run_case hostile-config-explicit-fifo-link c_explicit_fifo_link

c_below_fifo() {
	config_tree cf-below-fifo
	mkdir -p "$T/etc"
	mkfifo "$T/etc/vfio-prep.conf"
	refused "$T/etc/vfio-prep.conf: not a regular file"
}
run_case hostile-config-below-root-fifo c_below_fifo

c_below_dev_zero_link() {
	config_tree cf-below-dev-zero
	mkdir -p "$T/etc"
	ln -s /dev/zero "$T/etc/vfio-prep.conf"
	refused "$T/etc/vfio-prep.conf: cannot read config file: a link leads outside the root"
}
run_case hostile-config-below-root-dev-zero-link c_below_dev_zero_link

# A relative link that climbs out of the root to a file that would parse: still refused.
c_below_escape() {
	config_tree cf-below-escape
	mkdir -p "$T/etc"
	ln -s "$(up "$T/etc/vfio-prep.conf")OUTSIDE-CANARY/canary.conf" "$T/etc/vfio-prep.conf"
	refused "$T/etc/vfio-prep.conf: cannot read config file: a link leads outside the root"
}
run_case hostile-config-below-root-link-escapes c_below_escape

c_below_dev_zero_node() {
	config_tree cf-below-zero-node
	mkdir -p "$T/etc"
	mknod "$T/etc/vfio-prep.conf" c 1 5
	refused "$T/etc/vfio-prep.conf: not a regular file"
}
if [ "$can_mknod" = 1 ]; then
	run_case hostile-config-below-root-dev-zero-node c_below_dev_zero_node
else
	skip hostile-config-below-root-dev-zero-node "mknod not permitted"
fi

c_below_loop() {
	config_tree cf-below-loop
	mkdir -p "$T/etc"
	ln -s vfio-prep.conf "$T/etc/vfio-prep.conf"
	refused "$T/etc/vfio-prep.conf: cannot read config file: Too many levels of symbolic links"
}
run_case hostile-config-below-root-link-loop c_below_loop

c_dropin_fifo() {
	config_tree cf-dropin-fifo
	conf "device 01:00.0"
	mkdir -p "$T/etc/vfio-prep.d"
	mkfifo "$T/etc/vfio-prep.d/gpu.conf"
	refused "$T/etc/vfio-prep.d/gpu.conf: not a regular file"
}
run_case hostile-config-dropin-fifo c_dropin_fifo

c_dropin_directory() {
	config_tree cf-dropin-directory
	mkdir -p "$T/etc/vfio-prep.d/gpu.conf"
	refused "$T/etc/vfio-prep.d/gpu.conf: is a directory, not a config file"
}
run_case hostile-config-dropin-directory c_dropin_directory

# The drop-in directory itself is a FIFO: listing it must not block either.
c_dropin_dir_fifo() {
	config_tree cf-dropin-dir-fifo
	mkdir -p "$T/etc"
	mkfifo "$T/etc/vfio-prep.d"
	refused "$T/etc/vfio-prep.d: cannot list config directory: Not a directory"
}
run_case hostile-config-dropin-dir-is-fifo c_dropin_dir_fifo

# Hidden names are editor droppings, never read: a FIFO there must not even be opened.
c_dropin_hidden_fifo() {
	config_tree cf-dropin-hidden
	conf "device 01:00.0"
	mkdir -p "$T/etc/vfio-prep.d"
	mkfifo "$T/etc/vfio-prep.d/.#gpu.conf"
	vp --check --root "$T"
	want_rc 0
}
run_case hostile-config-dropin-hidden-fifo-ignored c_dropin_hidden_fifo

c_huge() {
	config_tree cf-huge
	mkdir -p "$T/etc"
	# 2 MiB of comment lines: valid text, too much of it.
	yes '# padding padding padding padding padding padding padding padding' | head -c 2097152 >"$T/etc/vfio-prep.conf"
	chmod 644 "$T/etc/vfio-prep.conf"
	refused "$T/etc/vfio-prep.conf: config file larger than 1 MiB"
}
run_case hostile-config-huge c_huge

c_explicit_huge() {
	config_tree cf-explicit-huge
	truncate -s 100M "$scratch/sparse.conf"
	chmod 644 "$scratch/sparse.conf"
	refused "$scratch/sparse.conf: config file larger than 1 MiB" --config "$scratch/sparse.conf"
}
run_case hostile-config-explicit-huge c_explicit_huge

# A config error on the kernel command line is a configuration error too.
c_cmdline_path() {
	config_tree cf-cmdline-path
	refused "kernel command line \(vfio-prep.devices=\): invalid selector '\.\./\.\./etc/passwd'" \
		--cmdline "root=/dev/nvme0n1p2 vfio-prep.devices=01:00.0,../../etc/passwd"
}
run_case hostile-config-cmdline-path-selector c_cmdline_path
