#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# build.sh deb|rpm|arch OUTDIR
#
# Builds one distribution package from this checkout into OUTDIR, with that distribution's
# own tool: dpkg-buildpackage (packaging/debian), rpmbuild (packaging/rpm/vfio-prep.spec) or
# makepkg (packaging/arch/PKGBUILD). Each builds in a copy of the checkout (its tracked and
# new files, and build/static and build/vfio-prep.static, times kept, so that the package's
# own `make static` finds them up to date) and installs through `make install`.
# makepkg refuses to run as root: as root it runs as the user vfio-prep-build, created when
# missing (a system user without a home or a login shell).
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
format=${1:?usage: build.sh deb|rpm|arch OUTDIR}
out=${2:?usage: build.sh deb|rpm|arch OUTDIR}
version=$(cat "$top/VERSION")
BUILD_USER=vfio-prep-build

die() {
	echo "build.sh: $*" >&2
	exit 1
}

need() {
	command -v "$1" >/dev/null 2>&1 || die "$1 not found (apt-get install $2)"
}

[ -x "$top/build/vfio-prep.static" ] || die "build/vfio-prep.static is missing: run make static first"
mkdir -p "$out"
out=$(cd "$out" && pwd)

# stage DIR: a copy of the checkout in DIR, with the static build.
stage() {
	rm -rf "$1"
	mkdir -p "$1"
	(cd "$top" && git ls-files -co --exclude-standard -z | cpio -0 -pdm --quiet "$1") ||
		die "cannot copy the checkout (git ls-files) to $1"
	mkdir -p "$1/build"
	cp -a "$top/build/static" "$top/build/vfio-prep.static" "$1/build/"
	# The objects' header dependencies name the static libraries' prefix in the builder's
	# cache, which makepkg's user cannot read: the copy is up to date without them.
	find "$1/build/static" -name '*.d' -exec rm -f {} +
}

# The date of the last commit, for the package's changelog (the build time outside git).
commit_date() {
	git -C "$top" log -1 --format="$1" 2>/dev/null || date "$2"
}

build_deb() {
	need dpkg-buildpackage dpkg-dev
	need dh debhelper
	work=$out/deb-build
	src=$work/vfio-prep-$version
	stage "$src"
	cp -a "$top/packaging/debian" "$src/debian"
	maint=$(sed -n 's/^Maintainer: //p' "$src/debian/control")
	cat >"$src/debian/changelog" <<EOT
vfio-prep ($version) unstable; urgency=medium

  * Upstream version $version.

 -- $maint  $(commit_date %aD -R)
EOT
	(cd "$src" && dpkg-buildpackage -b -us -uc) >"$work/build.log" 2>&1 ||
		{ tail -n 40 "$work/build.log" >&2; die "dpkg-buildpackage failed (log: $work/build.log)"; }
	mv "$work"/vfio-prep_"$version"_*.deb "$out/"
	ls "$out"/vfio-prep_"$version"_*.deb
}

build_rpm() {
	need rpmbuild rpm
	work=$out/rpm-build
	stage "$work/vfio-prep-$version"
	(cd "$work/vfio-prep-$version" && rpmbuild -bb --build-in-place --nodeps \
		--define "_topdir $work/rpmbuild" --define "vfio_prep_version $version" \
		packaging/rpm/vfio-prep.spec) >"$work/build.log" 2>&1 ||
		{ tail -n 40 "$work/build.log" >&2; die "rpmbuild failed (log: $work/build.log)"; }
	mv "$work"/rpmbuild/RPMS/*/vfio-prep-"$version"-*.rpm "$out/"
	ls "$out"/vfio-prep-"$version"-*.rpm
}

# build_user: the user makepkg runs as (created when missing).
build_user() {
	if ! id "$BUILD_USER" >/dev/null 2>&1; then
		useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin \
			"$BUILD_USER" || die "cannot create the user $BUILD_USER (useradd)"
	fi
}

build_arch() {
	need makepkg makepkg
	need bsdtar libarchive-tools
	need zstd zstd
	# A directory every user can reach: the checkout may be below a private home.
	work=$(mktemp -d "${TMPDIR:-/tmp}/vfio-prep-arch.XXXXXX")
	trap 'rm -rf "$work"' EXIT
	stage "$work/src"
	mkdir -p "$work/pkg" "$work/home"
	run=
	if [ "$(id -u)" = 0 ]; then
		build_user
		chown -R "$BUILD_USER:" "$work"
		run="setpriv --reuid=$BUILD_USER --regid=$(id -g "$BUILD_USER") --clear-groups --"
	fi
	# --nodeps: the dependencies are Arch's package names, not this system's.
	(cd "$work/src/packaging/arch" && HOME=$work/home PKGDEST=$work/pkg SRCDEST=$work/pkg \
		BUILDDIR=$work/makepkg PKGEXT=.pkg.tar.zst $run makepkg --nodeps --noconfirm --force) \
		>"$out/arch-build.log" 2>&1 ||
		{ tail -n 40 "$out/arch-build.log" >&2; die "makepkg failed (log: $out/arch-build.log)"; }
	cp "$work"/pkg/vfio-prep-"$version"-*.pkg.tar.zst "$out/"
	ls "$out"/vfio-prep-"$version"-*.pkg.tar.zst
}

case $format in
deb | rpm | arch) "build_$format" ;;
*) die "unknown format '$format' (deb, rpm or arch)" ;;
esac
