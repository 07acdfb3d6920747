#!/bin/sh
# build.sh BUILD — fetch and build GNU coreutils 9.1 (Debian 12's upstream tarball) for tests/coreutils/run.sh.
#
# The original tarball from deb.debian.org (or the file $COREUTILS_TARBALL),
# checked against the sha256 in Debian 12's coreutils_9.1-1.dsc (tests/fetch.sh), unpacked
# into BUILD/coreutils-src and built there (configure --disable-nls,
# nice, -j2): the suite tests the programs of that tree, not the installed
# ones.
set -eu
B=${1:-build}
mkdir -p "$B"
B=$(cd "$B" && pwd)
S=$B/coreutils-src
NAME=coreutils_9.1.orig.tar.xz
URL=http://deb.debian.org/debian/pool/main/c/coreutils/$NAME
SHA=61a1f410d78ba7e7f37a5a4f50e6d1320aca33375484a3255eddf17a38580423
if [ ! -x "$S/src/ls" ]; then
	if [ ! -f "$S/configure" ]; then
		T=${COREUTILS_TARBALL:-$B/$NAME}
		sh "$(dirname "$0")/../fetch.sh" coreutils-suite "$URL" "$SHA" "$T"
		rm -rf "$S" && mkdir -p "$S"
		tar -xJf "$T" -C "$S" --strip-components=1
	fi
	cd "$S"
	# configure refuses to run as root without this (it creates files as root).
	FORCE_UNSAFE_CONFIGURE=1 nice -n 10 ./configure -q --disable-nls >"$B/coreutils-configure.log" 2>&1 ||
		{ echo "coreutils-suite: configure failed: $B/coreutils-configure.log"; exit 1; }
	nice -n 10 make -j2 >"$B/coreutils-build.log" 2>&1 ||
		{ echo "coreutils-suite: build failed: $B/coreutils-build.log"; exit 1; }
fi
echo "coreutils-suite: built $S ($("$S/src/ls" --version | head -1))"
