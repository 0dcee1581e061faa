# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A stand-in for mkinitcpio's `functions` library (v41), for testing install hooks on machines
# without mkinitcpio (it is not packaged for Debian). Written from mkinitcpio's documented and
# observed behaviour, not copied: every add_* function puts what it adds below $BUILDROOT the
# way mkinitcpio does, so a test can look at the staged tree afterwards.
#
# What mkinitcpio sets up before a build hook runs, and this file expects:
#   BUILDROOT         the staging tree (see initialize_buildroot)
#   KERNELVERSION     the kernel release; 'none' skips modules
#   _optmoduleroot    the directory holding lib/modules/$KERNELVERSION ('' for /)
#   _d_hooks, _d_install   ':'-separated runtime-hook and build-hook directories
# Sourced by tests/mkinitcpio/mkinitcpio.sh; bash, as mkinitcpio itself.

declare -A _addedmodules=() _modpaths=() _runhooks=()
declare -i _builderrors=0 _optquiet=${_optquiet:-1}
_d_hooks=${_d_hooks:-} _d_install=${_d_install:-}

# --- messages: stdout for progress, stderr for warnings and errors --------------------------

plain() {
	local mesg=$1
	shift
	# shellcheck disable=SC2059 # the message is a format, as in mkinitcpio
	printf "    $mesg\n" "$@"
}

quiet() {
	((_optquiet)) || plain "$@"
}

msg() {
	local mesg=$1
	shift
	# shellcheck disable=SC2059
	printf "==> $mesg\n" "$@"
}

msg2() {
	local mesg=$1
	shift
	# shellcheck disable=SC2059
	printf "  -> $mesg\n" "$@"
}

warning() {
	local mesg=$1
	shift
	# shellcheck disable=SC2059
	printf "==> WARNING: $mesg\n" "$@" >&2
}

# Counted, so that the driver can report a build with errors as mkinitcpio does.
error() {
	local mesg=$1
	shift
	# shellcheck disable=SC2059
	printf "==> ERROR: $mesg\n" "$@" >&2
	_builderrors+=1
	return 1
}

die() {
	error "$@"
	exit 1
}

# --- small helpers ---------------------------------------------------------------------------

# Call FUNC once per remaining argument; the status counts the failures (1 past 255 of them).
map() {
	local fn=$1 arg
	local -i failed=0
	shift
	for arg in "$@"; do
		"$fn" "$arg" || failed+=1
	done
	((failed > 255)) && failed=1
	return "$failed"
}

in_array() {
	local needle=$1 item
	shift
	for item in "$@"; do
		[[ "$item" == "$needle" ]] && return 0
	done
	return 1
}

# The names of the run_* functions a runtime hook defines, one per line.
_hook_functions() {
	sed -n 's/^[[:space:]]*\(run_[[:alnum:]_]*\)[[:space:]]*()[[:space:]]*{\{0,1\}.*$/\1/p' "$1"
}

# --- the staging tree -------------------------------------------------------------------------

# The usr-merged layout mkinitcpio starts every image with.
initialize_buildroot() {
	local root=$1
	install -dm755 "$root"/{new_root,proc,sys,dev,run,tmp,var,etc} \
		"$root"/usr/{bin,lib} "$root"/usr/local/{bin,sbin,lib}
	ln -s usr/lib "$root/lib"
	ln -s usr/bin "$root/bin"
	ln -s usr/bin "$root/sbin"
	ln -s bin "$root/usr/sbin"
	ln -s lib "$root/usr/lib64"
	ln -s usr/lib "$root/lib64"
	ln -s ../run "$root/var/run"
	: >"$root/etc/fstab"
	: >"$root/etc/initrd-release"
	[[ "$KERNELVERSION" == none ]] || install -dm755 "$root/usr/lib/modules/$KERNELVERSION/kernel"
}

# add_dir PATH [MODE]: a directory and its parents in the image.
add_dir() {
	local path=$1 mode=${2:-755}
	[[ -n "$path" && "$path" == /?* ]] || return 1
	[[ -d "$BUILDROOT$path" ]] && return 0
	quiet 'adding dir: %s' "$path"
	install -dm"$mode" "$BUILDROOT$path"
}

# add_symlink NAME [TARGET]: without TARGET, NAME is a link on the host and is copied as one.
add_symlink() {
	local name=$1 target=${2:-$1}
	(($# == 1 || $# == 2)) || return 1
	if [[ "$name" == "$target" ]]; then
		target=$(readlink -- "$name") || target=
	elif [[ -L "$target" ]]; then
		target=$(realpath -eq -- "$target") || target=
	fi
	if [[ -z "$target" ]]; then
		error "invalid symlink: '%s'" "$name"
		return 1
	fi
	add_dir "${name%/*}"
	quiet 'adding symlink: %s -> %s' "$name" "$target"
	ln -sfn "$target" "$BUILDROOT$name"
}

# add_file SRC [DEST] [MODE]: one file; '-' reads standard input (DEST and MODE required then).
# Without MODE the file keeps its mode and owner; a link is added with its target.
add_file() {
	local src=$1 dest=${2:-$1} mode=${3:-} real
	[[ "$src" == - ]] && src=/dev/stdin
	[[ -n "$dest" ]] || dest=$src
	if [[ -c "$src" || -p "$src" ]]; then
		if [[ "$src" == "$dest" || -z "$mode" ]]; then
			error "no destination file or mode specified for: '%s'" "$src"
			return 1
		fi
	elif [[ ! -f "$src" ]]; then
		error "file not found: '%s'" "$src"
		return 1
	fi
	if [[ -L "$src" ]]; then
		real=$(realpath -- "$src")
		if [[ "$real" != "$dest" ]]; then
			add_file "$real" "$real" "$mode" || return
			add_symlink "$dest" "$src"
			return
		fi
	fi
	[[ -e "$BUILDROOT${dest%/*}" ]] || add_dir "${dest%/*}"
	quiet 'adding file: %s' "$dest"
	if [[ -z "$mode" ]]; then
		cp --remove-destination --preserve=mode,ownership "$src" "$BUILDROOT$dest"
	else
		install -Dm"$mode" "$src" "$BUILDROOT$dest"
	fi
}

# add_binary PATH|NAME [DEST] [MODE]: a program and the shared libraries ldd names for it.
add_binary() {
	local binary=$1 dest mode=${3:-} line lib lddout
	local re='^(|.+ )(/.+) \(0x[a-fA-F0-9]+\)'
	if [[ "$binary" != /* ]]; then
		binary=$(type -P "$1") || {
			error "binary not found: '%s'" "$1"
			return 1
		}
	fi
	dest=${2:-$binary}
	add_file "$binary" "$dest" ${mode:+"$mode"} || return 1
	# Static programs and scripts: ldd refuses them and there is nothing more to add.
	lddout=$(ldd "$binary" 2>/dev/null) || return 0
	while read -r line; do
		if [[ "$line" =~ $re ]]; then
			lib=${BASH_REMATCH[2]}
		elif [[ "$line" == *'not found' ]]; then
			error "binary dependency '%s' not found for '%s'" "${line%% *}" "$1"
			continue
		else
			continue
		fi
		[[ -f "$lib" && ! -e "$BUILDROOT$lib" ]] && add_file "$lib" "$lib"
	done <<<"$lddout"
	return 0
}

# add_module NAME[?]: a module and its dependencies (and soft dependencies, optionally), as
# modinfo reports them for $KERNELVERSION below $_optmoduleroot. A trailing '?' makes a
# module that does not exist acceptable; a built-in one always is.
add_module() {
	local name=$1 target field value dep soft
	local -i optional=0 found=0
	local -a deps softdeps
	[[ "$KERNELVERSION" == none ]] && return 0
	if [[ "$name" == *\? ]]; then
		optional=1
		name=${name%\?}
	fi
	target=${name%.ko*}
	target=${target//-/_}
	[[ "${_addedmodules[$target]:-}" == 1 ]] && return 0
	while IFS=':= ' read -r -d '' field value; do
		case $field in
		filename)
			# "(builtin)" for built-in modules: nothing to copy.
			[[ "$value" == /* ]] || continue
			found=1
			_modpaths[$value]=1
			dep=${value##*/}
			dep=${dep%.ko*}
			_addedmodules[${dep//-/_}]=1
			quiet 'adding module: %s (%s)' "$dep" "$value"
			;;
		depends)
			IFS=, read -r -a deps <<<"$value"
			map add_module "${deps[@]}"
			;;
		softdep)
			read -r -a softdeps <<<"$value"
			for soft in "${softdeps[@]}"; do
				[[ "$soft" == *: ]] || add_module "$soft?"
			done
			;;
		esac
	done < <(modinfo -b "${_optmoduleroot:-/}" -k "$KERNELVERSION" -0 "$target" 2>/dev/null)
	if ((!found)); then
		((optional)) && return 0
		[[ -n "${_addedmodules[$target]:-}" ]] && return 0
		error "module not found: '%s'" "$target"
		return 1
	fi
	return 0
}

# add_runscript: the runtime hook named as the calling build hook, as /hooks/NAME, and the
# hook points (run_earlyhook, ...) it defines.
add_runscript() {
	local name=${BASH_SOURCE[1]##*/} script fn
	script=$(PATH=$_d_hooks type -P "$name") || {
		error "runtime script for '%s' not found" "$name"
		return
	}
	[[ -L "$script" ]] && script=$(realpath -- "$script")
	add_binary "$script" "/hooks/$name" 755
	while read -r fn; do
		case $fn in
		run_earlyhook) _runhooks[early]+=" $name" ;;
		run_hook) _runhooks[hooks]+=" $name" ;;
		run_latehook) _runhooks[late]+=" $name" ;;
		run_cleanuphook) _runhooks[cleanup]="$name ${_runhooks[cleanup]:-}" ;;
		run_emergencyhook) _runhooks[emergency]="$name ${_runhooks[emergency]:-}" ;;
		esac
	done < <(_hook_functions "$script")
}

# --- what mkinitcpio does around the hooks ----------------------------------------------------

# Source build hook NAME from $_d_install and run its build().
run_build_hook() {
	local hook=$1 script
	script=$(PATH=$_d_install type -P "$hook") || {
		error "Hook '%s' cannot be found" "$hook"
		return 1
	}
	unset -f build
	# shellcheck disable=SC1090
	. "$script" || {
		error 'Failed to read %s' "$script"
		return 1
	}
	declare -F build >/dev/null || {
		error "Hook '%s' has no build function" "$script"
		return 1
	}
	msg2 'Running build hook: [%s]' "$hook"
	build
	return 0
}

# Built-in modules count as added, so that asking for one is not an error.
preload_builtin_modules() {
	local f=${_optmoduleroot%/}/lib/modules/$KERNELVERSION/modules.builtin path name
	[[ -r "$f" ]] || return 0
	while IFS= read -r path; do
		name=${path##*/}
		name=${name%.ko*}
		_addedmodules[${name//-/_}]=2
	done <"$f"
}

# Copy the collected modules into the image and index them.
install_modules() {
	local dest=/usr/lib/modules/$KERNELVERSION src=${_optmoduleroot%/}/lib/modules/$KERNELVERSION m f
	[[ "$KERNELVERSION" == none ]] && return 0
	if ((${#_modpaths[@]} == 0)); then
		warning 'No modules were added to the image. This is probably not what you want.'
		return 0
	fi
	for m in "${!_modpaths[@]}"; do
		add_file "$m" "$dest${m#"$src"}" 644
	done
	for f in modules.builtin modules.builtin.modinfo modules.order; do
		[[ -f "$src/$f" ]] && add_file "$src/$f" "$dest/$f" 644
	done
	depmod -b "$BUILDROOT" "$KERNELVERSION"
}

# The /config the image's /init sources: which hooks run at which point.
write_config() {
	local point var v
	{
		printf 'MODULES="%s"\n' "${MODULES[*]}"
		for point in early:EARLYHOOKS hooks:HOOKS late:LATEHOOKS cleanup:CLEANUPHOOKS \
			emergency:EMERGENCYHOOKS; do
			var=${point#*:}
			v=${_runhooks[${point%%:*}]:-}
			v=${v# }
			printf '%s="%s"\n' "$var" "${v% }"
		done
	} >"$BUILDROOT/config"
}
