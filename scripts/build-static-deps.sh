#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# build-static-deps.sh [--libc glibc|musl] [--no-xz] [--no-zstd] [--sources-only]
#
# Prepares the static libraries that `make static` links into build/vfio-prep.static and prints
# the prefix that holds them (include/, lib/) on stdout; progress goes to stderr.
# --sources-only fetches the source packages into the cache and prints their directories.
#
# Debian ships no libkmod.a, and kmod's configure refuses --enable-static, so libkmod is built
# from Debian's own kmod source package: kmod's build defines an internal static library
# (libkmod/libkmod-internal.la) that holds all of libkmod. It is built with xz and zstd support
# so that .ko.xz (Fedora) and .ko.zst (Arch, Ubuntu) modules load, and without openssl (only
# modinfo's signature display uses it; loading a module does not).
#
#   glibc  libkmod from source; libblkid.a, liblzma.a and libzstd.a from the -dev packages
#   musl   (musl-gcc, from musl-tools) every library from its Debian source package: libkmod,
#          libblkid (util-linux), liblzma (xz-utils, decoders only), libzstd (decompression
#          only); Debian's own .a files are built against glibc and do not link with musl
#
# Sources come from apt (`apt-get source`), with a deb-src entry kept in a private APT
# configuration under the cache, so /etc/apt is never edited and no root is needed for that
# step: the deb-src lines name the archives that serve the installed packages (see
# `apt-cache policy kmod`); VFIO_PREP_DEB_SRC replaces them (one or more "deb-src URI SUITE
# COMPONENT" lines, e.g. a snapshot.debian.org archive). The upstream version is the installed
# one (of kmod, libblkid1, liblzma5, libzstd1; the newest served when not installed), but not
# necessarily its Debian revision: an archive may list a source it does not serve (the security
# archive answered 404 for a revision whose binaries it ships). The installed revision is tried
# first, then every other revision of the same upstream version the archives list
# (`apt-cache showsrc`), newest first; the one used is said. Build dependencies are installed
# with apt-get when run as root; otherwise the exact command is printed.
#
# Cache: ${VFIO_PREP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vfio-prep}/static-deps
#   apt/              the private APT configuration, lists and package cache
#   src/dl/NAME/      the fetched source package: .dsc and tarballs (kept: a rebuild needs no
#                     network; a .dsc with its files put here by hand is used as it is)
#   src/NAME_VERSION/ extracted source packages (made again from src/dl/ when deleted)
#   LIBC[-FEATURES]/  the prefix printed on stdout; .done records what it was built from
# Delete a prefix (or the whole directory) to rebuild; a change of this recipe rebuilds by
# itself. Sources are fetched once: delete src/ to pick up a newer Debian revision.
set -eu

RECIPE=2
LIBC=glibc
WITH_XZ=1
WITH_ZSTD=1
SOURCES_ONLY=0

CACHE=${VFIO_PREP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vfio-prep}/static-deps
APTDIR=$CACHE/apt
SRCDIR=$CACHE/src
# Small code first: the static binary goes into every initramfs.
DEP_CFLAGS="-Os -ffunction-sections -fdata-sections -fno-asynchronous-unwind-tables -fno-unwind-tables"

log() { printf 'build-static-deps: %s\n' "$*" >&2; }
die() {
	log "$*"
	exit 1
}

usage() {
	sed -n '3,4p' "$0" | sed 's/^# //' >&2
	exit 2
}

parse_args() {
	while [ $# -gt 0 ]; do
		case $1 in
		--libc)
			[ $# -ge 2 ] || usage
			LIBC=$2
			shift
			;;
		--libc=*) LIBC=${1#--libc=} ;;
		--no-xz) WITH_XZ=0 ;;
		--no-zstd) WITH_ZSTD=0 ;;
		--sources-only) SOURCES_ONLY=1 ;;
		*) usage ;;
		esac
		shift
	done
	case $LIBC in
	glibc | musl) ;;
	*) die "unknown libc '$LIBC' (glibc or musl)" ;;
	esac
}

# ---- build dependencies ---------------------------------------------------------------------

build_packages() {
	echo "autoconf automake libtool pkg-config make gcc dpkg-dev"
	if [ "$LIBC" = musl ]; then
		echo "musl-tools linux-libc-dev"
	else
		echo "libblkid-dev"
		[ "$WITH_XZ" = 0 ] || echo "liblzma-dev"
		[ "$WITH_ZSTD" = 0 ] || echo "libzstd-dev"
	fi
}

missing_packages() {
	for p in $(build_packages); do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q ' installed$' || echo "$p"
	done
}

install_build_deps() {
	command -v dpkg-query >/dev/null || die "not a Debian-like system: install $(build_packages | tr '\n' ' ')by hand"
	missing=$(missing_packages | tr '\n' ' ')
	[ -n "$missing" ] || return 0
	if [ "$(id -u)" != 0 ]; then
		die "missing build dependencies; run: sudo apt-get install --no-install-recommends ${missing% }"
	fi
	log "installing ${missing% }"
	# A fresh system has no package lists yet.
	apt-get update -qq >&2 || die "apt-get update failed"
	# shellcheck disable=SC2086 # a list of package names
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing >&2
}

# ---- sources, through a private APT configuration --------------------------------------------

apt_private() {
	# As root, apt hands downloads to its _apt user, who cannot enter a home directory's
	# cache: say so once here instead of a warning per file (apt verifies what it fetches).
	sandbox=
	[ "$(id -u)" != 0 ] || sandbox="-o APT::Sandbox::User=root"
	# shellcheck disable=SC2086 # empty or one option pair
	apt-get -q $sandbox -o Dir::Etc::SourceList="$APTDIR/sources.list" -o Dir::Etc::SourceParts="$APTDIR/sources.list.d" \
		-o Dir::State::Lists="$APTDIR/lists" -o Dir::Cache="$APTDIR/cache" "$@"
}

apt_cache_private() {
	apt-cache -o Dir::Etc::SourceList="$APTDIR/sources.list" -o Dir::Etc::SourceParts="$APTDIR/sources.list.d" \
		-o Dir::State::Lists="$APTDIR/lists" -o Dir::Cache="$APTDIR/cache" "$@"
}

# "deb-src URI SUITE COMPONENT" for every archive that serves one of these binary packages.
deb_src_lines() {
	if [ -n "${VFIO_PREP_DEB_SRC:-}" ]; then
		printf '%s\n' "$VFIO_PREP_DEB_SRC"
		return
	fi
	for p in kmod libblkid1 liblzma5 libzstd1; do
		apt-cache policy "$p" 2>/dev/null
	done | awk '$NF == "Packages" && $2 ~ /:\/\// && $3 ~ /\// {
		split($3, s, "/"); print "deb-src " $2 " " s[1] " " s[2] }' | sort -u
}

apt_update_once() {
	[ -z "${APT_UPDATED:-}" ] || return 0
	mkdir -p "$APTDIR/sources.list.d" "$APTDIR/lists/partial" "$APTDIR/cache/archives/partial"
	deb_src_lines >"$APTDIR/sources.list.new"
	[ -s "$APTDIR/sources.list.new" ] ||
		die "no archive found for deb-src (apt-cache policy kmod names none); set VFIO_PREP_DEB_SRC"
	mv "$APTDIR/sources.list.new" "$APTDIR/sources.list"
	log "apt-get update with $(tr '\n' ';' <"$APTDIR/sources.list")"
	apt_private update >&2 || die "apt-get update (private deb-src list in $APTDIR) failed"
	APT_UPDATED=1
}

# The installed binary package whose version names the upstream version wanted of source $1.
binary_of() {
	case $1 in
	kmod) echo kmod ;;
	util-linux) echo libblkid1 ;;
	xz-utils) echo liblzma5 ;;
	libzstd) echo libzstd1 ;;
	*) die "no binary package known for source $1" ;;
	esac
}

# The source version (without a binNMU suffix) of installed binary package $1, or nothing.
installed_source_version() {
	dpkg-query -W -f='${db:Status-Abbrev} ${source:Version}\n' "$1" 2>/dev/null |
		awk '$1 == "ii" { print $2 }'
}

# Version $1 without its epoch and Debian revision.
upstream_of() {
	v=${1#*:}
	echo "${v%-*}"
}

# Every version of source $1 that the private deb-src archives list, newest first.
listed_versions() {
	apt_cache_private showsrc "$1" 2>/dev/null |
		awk -v name="$1" '/^Package: / { p = $2 } /^Version: / && p == name { print $2 }' |
		sort -u | sort -r -V
}

# The revisions to try for source $1, one a line: the installed one first, then the others
# of the same upstream version (newest first).
candidate_versions() {
	want=$(installed_source_version "$(binary_of "$1")")
	listed=$(listed_versions "$1")
	[ -n "$want" ] || want=$(echo "$listed" | head -n 1)
	[ -n "$want" ] || return 0
	up=$(upstream_of "$want")
	echo "$want"
	for v in $listed; do
		[ "$v" = "$want" ] || [ "$(upstream_of "$v")" != "$up" ] || echo "$v"
	done
}

# Fetches (does not unpack) a revision of source $1 into directory $2, trying each candidate
# in turn; says which one it took.
download_source() {
	name=$1 dl=$2
	apt_update_once
	versions=$(candidate_versions "$name")
	[ -n "$versions" ] || no_source "$name" "" "none listed"
	installed=$(echo "$versions" | head -n 1)
	tried=
	tmp=$SRCDIR/.dl.$name.$$
	for v in $versions; do
		rm -rf "$tmp"
		mkdir -p "$tmp"
		log "$name: fetching source $v"
		if (cd "$tmp" && apt_private source --download-only "$name=$v" >"$tmp.log" 2>&1); then
			rm -rf "$dl"
			mkdir -p "$(dirname "$dl")"
			mv "$tmp" "$dl"
			rm -f "$tmp.log"
			if [ "$v" = "$installed" ]; then
				log "$name: using source revision $v (the installed one)"
			else
				log "$name: using source revision $v (the installed $installed could not be fetched)"
			fi
			return 0
		fi
		log "$name: source $v not available: $({ grep '^E:' "$tmp.log" || cat "$tmp.log"; } | head -n 1)"
		tried="$tried $v"
		rm -rf "$tmp" "$tmp.log"
	done
	no_source "$name" "$(upstream_of "$installed")" "${tried# }"
}

no_source() {
	log "no source of $1 ${2:+$2 }could be fetched (tried: $3) from:"
	sed 's/^/    /' "$APTDIR/sources.list" >&2
	log "either name an archive that serves one, as deb-src lines in VFIO_PREP_DEB_SRC, e.g."
	log "    VFIO_PREP_DEB_SRC='deb-src http://snapshot.debian.org/archive/debian/20250101T000000Z bookworm main'"
	log "or put its .dsc and tarballs into $SRCDIR/dl/$1/, then run make static again"
	exit 1
}

first_dsc() {
	for f in "$1"/*.dsc; do
		[ -e "$f" ] && echo "$f" && return
	done
	return 0
}

# The directory of source package NAME, fetched and extracted once; prints it.
fetch_source() {
	name=$1
	if [ -s "$SRCDIR/$name.dir" ] && [ -d "$(cat "$SRCDIR/$name.dir")" ]; then
		cat "$SRCDIR/$name.dir"
		return
	fi
	dl=$SRCDIR/dl/$name
	dsc=$(first_dsc "$dl")
	if [ -z "$dsc" ]; then
		download_source "$name" "$dl"
		dsc=$(first_dsc "$dl")
		[ -n "$dsc" ] || die "apt-get source left no .dsc in $dl"
	else
		log "$name: source from the cache, $dsc"
	fi
	ver=$(sed -n 's/^Version: //p' "$dsc" | head -n 1)
	dest=$SRCDIR/${name}_$ver
	tmp=$SRCDIR/.tmp.$name.$$
	rm -rf "$tmp" "$dest"
	dpkg-source -x "$dsc" "$tmp" >"$tmp.log" 2>&1 || {
		cat "$tmp.log" >&2
		rm -rf "$tmp" "$tmp.log"
		die "dpkg-source -x $dsc failed (delete $dl to fetch it again)"
	}
	rm -f "$tmp.log"
	mv "$tmp" "$dest"
	echo "$dest" >"$SRCDIR/$name.dir"
	echo "$dest"
}

# ---- building -------------------------------------------------------------------------------

# Runs a build step quietly; on failure shows the end of its output.
run() {
	what=$1
	shift
	log "$what"
	if ! "$@" >"$BUILDDIR/step.log" 2>&1; then
		tail -n 40 "$BUILDDIR/step.log" >&2 || true
		die "$what failed (whole output: $BUILDDIR/step.log)"
	fi
}

# A fresh copy of source package NAME in the build directory; prints it.
work_copy() {
	src=$(fetch_source "$1")
	rm -rf "${BUILDDIR:?}/$1"
	cp -a "$src" "$BUILDDIR/$1"
	echo "$BUILDDIR/$1"
}

# musl's headers do not include the kernel's; libblkid needs <linux/...>.
musl_kernel_headers() {
	d=$BUILDDIR/kernel-headers
	multiarch=$(gcc -print-multiarch)
	mkdir -p "$d"
	for h in linux asm-generic mtd; do
		[ ! -d "/usr/include/$h" ] || ln -sfn "/usr/include/$h" "$d/$h"
	done
	ln -sfn "/usr/include/$multiarch/asm" "$d/asm"
	[ -e "$d/linux/fs.h" ] || die "no kernel headers in /usr/include/linux: install linux-libc-dev"
	echo "$d"
}

# xz's liblzma with decoders only, small code, no threads: libkmod only decompresses modules
# (the kernel writes them with xz --check=crc32 --lzma2; lzma1, delta and x86 are cheap extras).
build_xz() {
	dir=$(work_copy xz-utils)
	cd "$dir"
	run "configure liblzma" ./configure --prefix="$PREFIX" --disable-shared --enable-static \
		--disable-encoders --enable-decoders=lzma1,lzma2,delta,x86 --enable-small --disable-threads \
		--disable-microlzma --disable-lzip-decoder --disable-xz --disable-xzdec --disable-lzmadec \
		--disable-lzmainfo --disable-lzma-links --disable-scripts --disable-doc --disable-nls \
		CC="$CC" CFLAGS="$CFLAGS"
	run "build liblzma" make -C src/liblzma
	run "install liblzma" make -C src/liblzma install
}

# zstd's libzstd.a with decompression only, minified (no inlining, one Huffman decoder).
build_zstd() {
	dir=$(work_copy libzstd)
	cd "$dir/lib"
	set -- CC="$CC" CFLAGS="$CFLAGS" ZSTD_LIB_COMPRESSION=0 ZSTD_LIB_DICTBUILDER=0 \
		ZSTD_LIB_DEPRECATED=0 ZSTD_LEGACY_SUPPORT=0 ZSTD_LIB_MINIFY=1 PREFIX="$PREFIX"
	run "build libzstd" make libzstd.a "$@"
	run "install libzstd" make install-static install-includes install-pc "$@"
}

# libblkid alone from util-linux.
build_blkid() {
	dir=$(work_copy util-linux)
	cd "$dir"
	run "configure libblkid" ./configure --prefix="$PREFIX" --disable-shared --enable-static \
		--disable-all-programs --enable-libblkid --disable-libuuid --disable-libmount \
		--disable-libsmartcols --disable-libfdisk --disable-nls --disable-bash-completion \
		--without-udev --without-systemd --without-python --without-readline --without-ncursesw \
		--without-ncurses --without-tinfo --without-cap-ng --without-selinux --without-audit \
		CC="$CC" CFLAGS="$CFLAGS"
	run "build libblkid" make libblkid.la
	mkdir -p "$PREFIX/lib" "$PREFIX/include"
	cp .libs/libblkid.a "$PREFIX/lib/"
	cp libblkid/src/blkid.h "$PREFIX/include/"
}

# libkmod-internal.a: every libkmod object, as kmod's own test suite links it.
build_kmod() {
	dir=$(work_copy kmod)
	cd "$dir"
	with_xz=--without-xz with_zstd=--without-zstd
	[ "$WITH_XZ" = 0 ] || with_xz=--with-xz
	[ "$WITH_ZSTD" = 0 ] || with_zstd=--with-zstd
	# gtk-doc is not needed: an empty make fragment satisfies automake.
	touch libkmod/docs/gtk-doc.make
	run "autoreconf kmod" autoreconf -fi
	run "configure kmod" ./configure --disable-manpages --disable-tools --disable-test-modules \
		--disable-python "$with_xz" "$with_zstd" --without-zlib --without-openssl \
		CC="$CC" CFLAGS="$CFLAGS"
	run "build libkmod" make libkmod/libkmod-internal.la
	mkdir -p "$PREFIX/lib" "$PREFIX/include"
	cp libkmod/.libs/libkmod-internal.a "$PREFIX/lib/libkmod.a"
	cp libkmod/libkmod.h "$PREFIX/include/"
}

# glibc: Debian's own archives from the -dev packages, linked into the prefix.
link_system_archives() {
	for a in "$@"; do
		path=$($CC -print-file-name="$a")
		[ "$path" != "$a" ] || die "no $a for $CC: install its -dev package"
		ln -sfn "$path" "$PREFIX/lib/$a"
	done
}

# What the prefix is built from: a different answer rebuilds it.
build_key() {
	echo "recipe=$RECIPE libc=$LIBC xz=$WITH_XZ zstd=$WITH_ZSTD cflags=$DEP_CFLAGS"
	for p in $SOURCES; do
		echo "$p=$(fetch_source "$p")"
	done
}

build_all() {
	mkdir -p "$PREFIX/lib" "$PREFIX/include"
	libs="-lkmod -lblkid"
	if [ "$LIBC" = musl ]; then
		[ "$WITH_XZ" = 0 ] || build_xz
		[ "$WITH_ZSTD" = 0 ] || build_zstd
		build_kmod
		build_blkid
	else
		build_kmod
		link_system_archives libblkid.a
		# pkg-config's -I.../blkid, flattened: the prefix is the only -I the build needs.
		ln -sfn "$(pkg-config --variable=includedir blkid)/blkid/blkid.h" "$PREFIX/include/blkid.h"
		[ "$WITH_XZ" = 0 ] || link_system_archives liblzma.a
		[ "$WITH_ZSTD" = 0 ] || link_system_archives libzstd.a
	fi
	[ "$WITH_ZSTD" = 0 ] || libs="$libs -lzstd"
	[ "$WITH_XZ" = 0 ] || libs="$libs -llzma"
	echo "$libs" >"$PREFIX/libs"
}

main() {
	parse_args "$@"
	variant=$LIBC
	[ "$WITH_XZ" = 0 ] || variant=$variant-xz
	[ "$WITH_ZSTD" = 0 ] || variant=$variant-zstd
	PREFIX=$CACHE/$variant
	BUILDDIR=$CACHE/build/$variant
	SOURCES=kmod
	CC=${STATIC_DEPS_CC:-gcc}
	CFLAGS=$DEP_CFLAGS
	if [ "$LIBC" = musl ]; then
		SOURCES="kmod util-linux"
		[ "$WITH_XZ" = 0 ] || SOURCES="$SOURCES xz-utils"
		[ "$WITH_ZSTD" = 0 ] || SOURCES="$SOURCES libzstd"
		CC=${STATIC_DEPS_CC:-musl-gcc}
	fi

	install_build_deps
	mkdir -p "$SRCDIR"
	# One run at a time per cache: builds share the sources and remove what they rebuild.
	if command -v flock >/dev/null; then
		exec 9>"$CACHE/.lock"
		flock 9 || die "cannot lock $CACHE/.lock"
	fi
	# In this shell, so that apt-get update runs at most once.
	for p in $SOURCES; do
		fetch_source "$p" >/dev/null
	done
	if [ "$SOURCES_ONLY" = 1 ]; then
		for p in $SOURCES; do
			fetch_source "$p"
		done
		return
	fi
	key=$(build_key)
	if [ -e "$PREFIX/.done" ] && [ "$(cat "$PREFIX/.done")" = "$key" ]; then
		log "static libraries (cached) in $PREFIX"
		echo "$PREFIX"
		return
	fi
	start=$(date +%s)
	rm -rf "$PREFIX" "$BUILDDIR"
	mkdir -p "$BUILDDIR"
	if [ "$LIBC" = musl ]; then
		# What is built first is found by what follows (kmod's build ignores pkg-config's -I).
		CFLAGS="$CFLAGS -I$PREFIX/include -idirafter $(musl_kernel_headers)"
		# Only what is built here: no host .pc file may point musl at glibc's archives.
		PKG_CONFIG_LIBDIR=$PREFIX/lib/pkgconfig
		export PKG_CONFIG_LIBDIR
	fi
	build_all
	echo "$key" >"$PREFIX/.done"
	rm -rf "$BUILDDIR"
	log "static libraries built in $(($(date +%s) - start)) s, in $PREFIX"
	echo "$PREFIX"
}

main "$@"
