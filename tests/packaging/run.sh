#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# run.sh BUILD: `make install`/`make uninstall`, and the three distribution packages built
# and inspected (make packages-check). Needs BUILD/vfio-prep and BUILD/vfio-prep.static.
#   install    every installed file is named in vfio-prep(8) FILES; below /usr/local the end
#              of the output says no generator looks there, below /usr it does not; a user's
#              /etc/vfio-prep.conf is kept; uninstall removes the directories install created
#              and no others
#   packages   make deb, rpm, arch: each holds every file `make install PREFIX=/usr` installs
#              (less the hooks of generators that distribution lacks) with the same modes, owned
#              by root, and nothing else; the static binary; the configuration as a conffile,
#              %config(noreplace) or backup=; the initramfs regenerated (Debian's
#              update-initramfs trigger, RPM's dracut -f) or the command to run named (Arch);
#              maintainer scripts shellcheck clean; lintian clean
# Prints "packages: N passed, N failed".
set -u

TOP=$(cd "$(dirname "$0")/../.." && pwd)
top=$TOP
# shellcheck source=tests/lib.sh
. "$TOP/tests/lib.sh"
t_begin packages
build=${1:?usage: run.sh BUILD}
case $build in /*) ;; *) build=$top/$build ;; esac
t_scratch pkg
scratch=$T_SCRATCH
version=$(cat "$top/VERSION")

ok() { t_pass; }
bad() {
	t_failed
	echo "FAIL $*" >&2
}
# check NAME COMMAND...: the command succeeds.
check() {
	name=$1
	shift
	if "$@" >"$scratch/check.out" 2>&1; then ok; else
		bad "$name"
		sed 's/^/  /' "$scratch/check.out" | head -20 >&2
	fi
}
# same NAME GOT WANT: two files with the same sorted lines.
same() {
	sort "$2" >"$scratch/got.s"
	sort "$3" >"$scratch/want.s"
	if cmp -s "$scratch/got.s" "$scratch/want.s"; then ok; else
		bad "$1 (< want, > got)"
		diff "$scratch/want.s" "$scratch/got.s" | grep '^[<>]' | head -20 >&2
	fi
}

for t in dpkg-buildpackage dh rpmbuild rpm2cpio makepkg pacman lintian shellcheck zstd cpio file man; do
	command -v "$t" >/dev/null 2>&1 && continue
	bad "$t not found (see the packages listed in README.md, Packages)"
done
[ "$T_FAILED" -eq 0 ] || { t_end; exit 1; }

# Small predicates for check.
lacks() { ! grep -q -- "$1" "$2"; }
all_root() { ! awk '$2 != "root/root"' "$1" | grep -q .; }
is_static() { file "$1" | grep -q "statically linked"; }
says_version() { "$1" --version | grep -qx "vfio-prep $2"; }
# install_says FILE FUNCTION TEXT: the pacman install script's FUNCTION prints TEXT.
# shellcheck source=/dev/null
install_says() { (. "$1" && "$2") | grep -qF -- "$3"; }
# first GLOB...: the first existing file of GLOB, or nothing.
first() { for f in "$@"; do [ -e "$f" ] && echo "$f" && return; done; }

mk() { make -s -C "$top" BUILD="$build" INSTALL_DIRS_LOG="$scratch/dirs.log" "$@"; }

# ---- make install and uninstall -----------------------------------------------------------
usr=$scratch/usr
mk install DESTDIR="$usr" PREFIX=/usr >"$scratch/usr.out" 2>&1 || { cat "$scratch/usr.out" >&2; bad "make install PREFIX=/usr"; }
check "PREFIX=/usr: no notice" lacks "no initramfs generator" "$scratch/usr.out"
# The FILES section, as man renders it, with line-break hyphens joined.
MANWIDTH=300 man -l "$top/man/vfio-prep.8" 2>/dev/null | sed -n '/^FILES/,/^[A-Z]/p' |
	tr -d '\342\200\220' >"$scratch/files-section"
(cd "$usr" && find . -type f | sed 's|^\.||') | sort >"$scratch/usr.files"
while read -r f; do
	check "vfio-prep(8) FILES names $f" grep -qF -- "$f" "$scratch/files-section"
done <"$scratch/usr.files"
check "make install PREFIX=/usr installs the static build" test -x "$usr/usr/lib/vfio-prep/vfio-prep.static"
for f in /usr/share/bash-completion/completions/vfio-prep /usr/share/zsh/site-functions/_vfio-prep \
	/usr/share/fish/vendor_completions.d/vfio-prep.fish; do
	check "make install installs $f" test -f "$usr$f"
done

local=$scratch/local
mkdir -p "$local/usr/local/bin" "$local/usr/local/share/man/man8" "$local/etc"
echo "device 0000:01:00.0" >"$local/etc/vfio-prep.conf"
find "$local" -type d | sort >"$scratch/local.before"
mk install DESTDIR="$local" >"$scratch/local.out" 2>&1 || { cat "$scratch/local.out" >&2; bad "make install"; }
tail -n 12 "$scratch/local.out" >"$scratch/local.tail"
check "/usr/local: the end says no generator looks there" grep -q "installed below /usr/local, where no initramfs generator looks" "$scratch/local.tail"
for what in /usr/local/lib/dracut/modules.d/50vfio-prep /usr/local/share/initramfs-tools /usr/local/lib/initcpio \
	"make install PREFIX=/usr"; do
	check "/usr/local: the end names $what" grep -qF -- "$what" "$scratch/local.tail"
done
check "a user's /etc/vfio-prep.conf is kept" grep -qx "device 0000:01:00.0" "$local/etc/vfio-prep.conf"
mk uninstall DESTDIR="$local" >"$scratch/uninstall.out" 2>&1 || { cat "$scratch/uninstall.out" >&2; bad "make uninstall"; }
(cd "$local" && find . ! -type d) >"$scratch/local.left"
echo ./etc/vfio-prep.conf >"$scratch/want"
same "make uninstall leaves only the user's configuration" "$scratch/local.left" "$scratch/want"
find "$local" -type d | sort >"$scratch/local.after"
same "make uninstall removes the directories install created, and only those" "$scratch/local.after" "$scratch/local.before"

# ---- the packages -------------------------------------------------------------------------
pkgdir=$build/packages
for f in deb rpm arch; do
	check "make $f" sh "$top/packaging/build.sh" "$f" "$pkgdir"
done
deb=$(first "$pkgdir"/vfio-prep_"$version"_*.deb)
rpm=$(first "$pkgdir"/vfio-prep-"$version"-*.rpm)
arch=$(first "$pkgdir"/vfio-prep-"$version"-*.pkg.tar.zst)
if [ -z "$deb" ] || [ -z "$rpm" ] || [ -z "$arch" ]; then
	t_abort "a package is missing in $pkgdir"
fi

# What `make install` installs for a package: the static build in /usr/bin, no copy of it.
pkgroot=$scratch/pkgroot
mk install DESTDIR="$pkgroot" PREFIX=/usr PROGRAM="$build/vfio-prep.static" >/dev/null 2>&1 ||
	bad "make install PROGRAM=vfio-prep.static"
# "MODE PATH" of every file below DIR.
modes_of_tree() { (cd "$1" && find . -type f -printf '%M %P\n'); }
modes_of_tree "$pkgroot" >"$scratch/install.modes"
check "make install for packages has no vfio-prep.static" lacks vfio-prep.static "$scratch/install.modes"

# want FORMAT: the files FORMAT's package must hold, as "MODE PATH".
want() {
	case $1 in
	deb) sed -e '\| usr/lib/initcpio/|d' -e 's|usr/share/zsh/site-functions/|usr/share/zsh/vendor-completions/|' \
		-e 's|\(usr/share/man/man./.*\)$|\1.gz|' "$scratch/install.modes"
		printf '%s\n' '-rw-r--r-- usr/share/doc/vfio-prep/changelog.gz' \
			'-rw-r--r-- usr/share/doc/vfio-prep/copyright' '-rw-r--r-- usr/share/lintian/overrides/vfio-prep' ;;
	rpm) sed -e '\| usr/lib/initcpio/|d' -e '\| usr/share/initramfs-tools/|d' "$scratch/install.modes" ;;
	arch) sed -e '\| usr/share/initramfs-tools/|d' -e 's|\(usr/share/man/man./.*\)$|\1.gz|' "$scratch/install.modes" ;;
	esac
}

# "MODE OWNER PATH" of every file in each package.
dpkg-deb -c "$deb" | awk '$1 !~ /^d/ { sub(/^\.\//, "", $6); print $1, $2, $6 }' >"$scratch/deb.list"
rpm -qlpv "$rpm" 2>/dev/null | awk '$1 !~ /^d/ { print $1, $3 "/" $4, substr($9, 2) }' >"$scratch/rpm.list"
tar -tvf "$arch" | awk '$1 !~ /^d/ && $6 !~ /^\./ { print $1, $2, $6 }' >"$scratch/arch.list"
for f in deb rpm arch; do
	want "$f" >"$scratch/$f.want"
	awk '{ print $1, $3 }' "$scratch/$f.list" >"$scratch/$f.got"
	same "$f: every file of make install (less other generators' hooks), with its mode, and nothing else" \
		"$scratch/$f.got" "$scratch/$f.want"
	check "$f: every file owned by root" all_root "$scratch/$f.list"
done
# The hooks of each distribution's generators, named.
check "deb: initramfs-tools hook" grep -q ' usr/share/initramfs-tools/hooks/vfio-prep$' "$scratch/deb.got"
check "deb: initramfs-tools init-top script" grep -q '^-rwxr-xr-x usr/share/initramfs-tools/scripts/init-top/00vfio-prep$' "$scratch/deb.got"
for f in deb rpm arch; do
	check "$f: dracut module" grep -q ' usr/lib/dracut/modules.d/50vfio-prep/module-setup.sh$' "$scratch/$f.got"
	check "$f: program" grep -q '^-rwxr-xr-x usr/bin/vfio-prep$' "$scratch/$f.got"
	check "$f: unit" grep -q '^-rw-r--r-- usr/lib/systemd/system/vfio-prep.service$' "$scratch/$f.got"
	check "$f: bash completion" grep -q ' usr/share/bash-completion/completions/vfio-prep$' "$scratch/$f.got"
	check "$f: fish completion" grep -q ' usr/share/fish/vendor_completions.d/vfio-prep.fish$' "$scratch/$f.got"
	check "$f: zsh completion" grep -Eq ' usr/share/zsh/(vendor-completions|site-functions)/_vfio-prep$' "$scratch/$f.got"
	check "$f: man pages" grep -Eq ' usr/share/man/man8/vfio-prep.8(.gz)?$' "$scratch/$f.got"
	check "$f: configuration" grep -q '^-rw-r--r-- etc/vfio-prep.conf$' "$scratch/$f.got"
done
check "arch: mkinitcpio hooks" grep -q ' usr/lib/initcpio/install/vfio-prep$' "$scratch/arch.got"

# The program in each is the static build.
dpkg-deb --fsys-tarfile "$deb" | tar -xOf - ./usr/bin/vfio-prep >"$scratch/deb.bin"
rpm2cpio "$rpm" | (cd "$scratch" && cpio -i --quiet --to-stdout ./usr/bin/vfio-prep) >"$scratch/rpm.bin"
tar -xOf "$arch" usr/bin/vfio-prep >"$scratch/arch.bin"
for f in deb rpm arch; do
	check "$f: /usr/bin/vfio-prep is statically linked" is_static "$scratch/$f.bin"
	chmod +x "$scratch/$f.bin"
	check "$f: /usr/bin/vfio-prep runs" says_version "$scratch/$f.bin" "$version"
done

# The configuration is the user's.
dpkg-deb -e "$deb" "$scratch/deb.control"
check "deb: /etc/vfio-prep.conf is a conffile" grep -qx /etc/vfio-prep.conf "$scratch/deb.control/conffiles"
rpm -qp --qf '[%{FILEFLAGS:fflags} %{FILENAMES}\n]' "$rpm" >"$scratch/rpm.flags" 2>/dev/null
check "rpm: /etc/vfio-prep.conf is %config(noreplace)" grep -qx 'cn /etc/vfio-prep.conf' "$scratch/rpm.flags"
tar -xOf "$arch" .PKGINFO >"$scratch/arch.pkginfo"
check "arch: backup = etc/vfio-prep.conf" grep -qx 'backup = etc/vfio-prep.conf' "$scratch/arch.pkginfo"

# The initramfs, regenerated or the command named.
check "deb: update-initramfs trigger" grep -qx 'activate-noawait update-initramfs' "$scratch/deb.control/triggers"
for s in preinst postinst prerm postrm; do
	[ -f "$scratch/deb.control/$s" ] || continue
	check "deb: $s passes shellcheck" shellcheck "$scratch/deb.control/$s"
done
for s in POSTTRANS POSTUN; do
	rpm -qp --qf "%{$s}\n" "$rpm" 2>/dev/null >"$scratch/rpm.$s"
	check "rpm: %${s} runs dracut -f" grep -q 'dracut -f' "$scratch/rpm.$s"
	check "rpm: %${s} passes shellcheck" shellcheck -s sh "$scratch/rpm.$s"
done
tar -xOf "$arch" .INSTALL >"$scratch/arch.install"
for fn in post_install post_upgrade post_remove; do
	check "arch: .INSTALL $fn says to run mkinitcpio -P" install_says "$scratch/arch.install" "$fn" "mkinitcpio -P"
done
check "arch: .INSTALL post_install says to add vfio-prep to HOOKS" \
	install_says "$scratch/arch.install" post_install "add 'vfio-prep' to HOOKS"
check "arch: .INSTALL passes shellcheck" shellcheck -s bash "$scratch/arch.install"

check "lintian: the .deb is clean" lintian --fail-on error,warning "$deb"

t_end
