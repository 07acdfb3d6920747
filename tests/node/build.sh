#!/bin/sh
# build.sh BUILD — fetch Node.js's own tests (Debian 12's nodejs 18.20.4 sources) for tests/node/run.sh.
#
# Debian's original tarball, from deb.debian.org (or the file
# $NODE_SRC_TARBALL), checked against the sha256 of Debian 12's nodejs
# 18.20.4+dfsg-1~deb12u2 .dsc (tests/fetch.sh); only test/common, test/fixtures,
# test/parallel and test/sequential are unpacked, into BUILD/node-src.
# Nothing is built: the tests run with the installed node (nodejs,
# scripts/deps.sh: NODE=1).
set -eu
B=${1:-build}
mkdir -p "$B"
B=$(cd "$B" && pwd)
S=$B/node-src
NAME=nodejs_18.20.4+dfsg.orig.tar.xz
URL=http://deb.debian.org/debian/pool/main/n/nodejs/$NAME
SHA=6ce58062c71eae37d9c5ac31eeaeff9c2d48561d21c2849179d056c9c1bd9ebc
[ -d "$S/test/parallel" ] && { echo "node-suite: tests in $S"; exit 0; }
T=${NODE_SRC_TARBALL:-$B/$NAME}
sh "$(dirname "$0")/../fetch.sh" node-suite "$URL" "$SHA" "$T"
rm -rf "$S.part" && mkdir -p "$S.part"
tar -xJf "$T" -C "$S.part" --strip-components=1 --wildcards \
	'*/test/common/*' '*/test/fixtures/*' '*/test/parallel/*' '*/test/sequential/*'
mv "$S.part" "$S"
set -- "$S"/test/parallel/*.js "$S"/test/sequential/*.js
echo "node-suite: tests in $S ($# files; node $(node --version 2>/dev/null || echo missing))"
