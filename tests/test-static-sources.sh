#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# How scripts/build-static-deps.sh chooses and keeps its source packages, offline: apt-get,
# apt-cache, dpkg-query and dpkg-source are stubs on PATH. The security archive lists libzstd
# 1.5.4+dfsg2-5+deb12u1 (the installed revision) but answers 404 for it, the main archive serves
# 1.5.4+dfsg2-5; a newer upstream version (1.5.5) is listed too and must never be taken.
set -eu

TOP=$(cd "$(dirname "$0")/.." && pwd)
top=$TOP
# shellcheck source=tests/lib.sh
. "$TOP/tests/lib.sh"
t_begin static-sources
t_scratch static-sources
script=$top/scripts/build-static-deps.sh
tmp=$T_SCRATCH

ok() {
	t_ok "$1"
}
fail() {
	t_fail "$1"
	[ ! -s "$tmp/err" ] || sed 's/^/    /' "$tmp/err"
}
check() {
	name=$1
	shift
	if "$@"; then ok "$name"; else fail "$name"; fi
}

stubs() {
	mkdir -p "$tmp/bin"
	cat >"$tmp/bin/dpkg-query" <<'EOF'
#!/bin/sh
# -W -f=FORMAT PACKAGE: every package is installed; versions as on Debian 12.
case $3 in
kmod) v=30+20221128-1 ;;
libblkid1) v=2.38.1-5+deb12u3 ;;
liblzma5) v=5.4.1-1 ;;
libzstd1) v=1.5.4+dfsg2-5+deb12u1 ;;
*) v=1.0-1 ;;
esac
case $2 in
*Status-Abbrev*) echo "ii  $v" ;;
*Status*) echo "install ok installed" ;;
esac
EOF
	cat >"$tmp/bin/apt-cache" <<'EOF'
#!/bin/sh
for a in "$@"; do last=$a; done
case " $* " in
*" policy "*)
	echo "     500 http://deb.debian.org/debian bookworm/main amd64 Packages"
	echo "     500 http://deb.debian.org/debian-security bookworm-security/main amd64 Packages" ;;
*" showsrc "*)
	case $last in
	kmod) vs="30+20221128-1" ;;
	util-linux) vs="2.38.1-5+deb12u3 2.38.1-5" ;;
	xz-utils) vs="5.4.1-1" ;;
	libzstd) vs="1.5.4+dfsg2-5+deb12u1 1.5.5+dfsg2-2 1.5.4+dfsg2-5" ;;
	esac
	for v in $vs; do printf 'Package: %s\nBinary: %s\nVersion: %s\n\n' "$last" "$last" "$v"; done ;;
esac
EOF
	cat >"$tmp/bin/apt-get" <<'EOF'
#!/bin/sh
for a in "$@"; do last=$a; done
echo "$*" >>"$STUB_LOG"
case " $* " in
*" update "*) exit 0 ;;
*" source "*)
	[ -z "${STUB_OFFLINE:-}" ] || { echo "E: network used" >&2; exit 100; }
	name=${last%%=*} ver=${last#*=}
	for bad in $STUB_404; do
		if [ "$bad" = "$last" ]; then
			echo "Err:1 http://deb.debian.org/debian-security bookworm-security/main ${name}_$ver.dsc"
			echo "  404  Not Found [IP: 151.101.2.132 80]"
			echo "E: Failed to fetch http://deb.debian.org/debian-security/pool/updates/main/${name}_$ver.dsc  404  Not Found" >&2
			exit 100
		fi
	done
	printf 'Format: 3.0 (quilt)\nSource: %s\nVersion: %s\n' "$name" "$ver" >"${name}_$ver.dsc"
	echo tarball >"${name}_${ver%-*}.orig.tar.xz"
	exit 0 ;;
esac
exit 0
EOF
	cat >"$tmp/bin/dpkg-source" <<'EOF'
#!/bin/sh
# -x DSC DEST
[ "$1" = -x ] && [ -f "$2" ] && ls "${2%/*}"/*.orig.tar.xz >/dev/null || exit 2
mkdir -p "$3" && cp "$2" "$3/from.dsc"
EOF
	chmod +x "$tmp/bin"/*
}

# Runs the script with the stubs; stdout in $tmp/out, stderr in $tmp/err.
run() {
	PATH=$tmp/bin:$PATH VFIO_PREP_CACHE=$tmp/cache STUB_LOG=$tmp/apt.log \
		sh "$script" --libc musl --sources-only >"$tmp/out" 2>"$tmp/err"
}

run_fails() {
	! run
}

stubs
src=$tmp/cache/static-deps/src

# 1. The installed revision 404s: the other revision of the same upstream version is used.
: >"$tmp/apt.log"
export STUB_404="libzstd=1.5.4+dfsg2-5+deb12u1"
check "fallback: the script succeeds" run
check "fallback: libzstd 1.5.4+dfsg2-5 is used" grep -qx "$src/libzstd_1.5.4+dfsg2-5" "$tmp/out"
check "fallback: the revision used is said" \
	grep -q 'libzstd: using source revision 1.5.4+dfsg2-5 (the installed 1.5.4+dfsg2-5+deb12u1 could not be fetched)' "$tmp/err"
check "fallback: the installed revision is tried first" \
	sh -c "grep -o 'libzstd=[^ ]*' '$tmp/apt.log' | head -n 2 | tr '\n' ' ' | grep -qx 'libzstd=1.5.4+dfsg2-5+deb12u1 libzstd=1.5.4+dfsg2-5 '"
check "fallback: another upstream version is never tried" sh -c "! grep -q 'libzstd=1.5.5' '$tmp/apt.log'"
check "fallback: the installed revision is used when served" \
	grep -q 'util-linux: using source revision 2.38.1-5+deb12u3 (the installed one)' "$tmp/err"
check "fallback: the .dsc and tarball are kept in the cache" \
	test -f "$src/dl/libzstd/libzstd_1.5.4+dfsg2-5.dsc" -a -f "$src/dl/libzstd/libzstd_1.5.4+dfsg2.orig.tar.xz"

# 2. Extracted trees deleted, no network: they are made again from the cached sources.
rm -rf "$src"/*_* "$src"/*.dir
: >"$tmp/apt.log"
export STUB_OFFLINE=1
check "offline: the script succeeds from the cache" run
check "offline: apt-get source is not run" sh -c "! grep -q source '$tmp/apt.log'"
check "offline: libzstd comes from the cached .dsc" grep -q "libzstd: source from the cache" "$tmp/err"
check "offline: the same directories" grep -qx "$src/libzstd_1.5.4+dfsg2-5" "$tmp/out"
unset STUB_OFFLINE

# 3. No revision of the upstream version can be had: a failure that says what to do.
rm -rf "$tmp/cache"
export STUB_404="libzstd=1.5.4+dfsg2-5+deb12u1 libzstd=1.5.4+dfsg2-5"
check "no revision: the script fails" run_fails
check "no revision: the revisions tried are named" \
	grep -q 'no source of libzstd 1.5.4+dfsg2 could be fetched (tried: 1.5.4+dfsg2-5+deb12u1 1.5.4+dfsg2-5)' "$tmp/err"
check "no revision: VFIO_PREP_DEB_SRC is suggested" grep -q "VFIO_PREP_DEB_SRC='deb-src " "$tmp/err"
check "no revision: the cache directory for a hand-made copy is named" grep -q "$tmp/cache/static-deps/src/dl/libzstd/" "$tmp/err"

# 4. VFIO_PREP_DEB_SRC replaces the archives found by apt-cache policy.
rm -rf "$tmp/cache"
export STUB_404=
export VFIO_PREP_DEB_SRC="deb-src http://snapshot.example/debian bookworm main"
check "VFIO_PREP_DEB_SRC: the script succeeds" run
check "VFIO_PREP_DEB_SRC: it is the only deb-src line" \
	sh -c "printf '%s\n' '$VFIO_PREP_DEB_SRC' | cmp -s - '$tmp/cache/static-deps/apt/sources.list'"
unset VFIO_PREP_DEB_SRC

t_end
