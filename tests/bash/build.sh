#!/bin/sh
# build.sh BUILD — fetch and build bash and its test helpers for tests/bash/run.sh.
#
# Source: $BASH_SRC when set (a checkout), else a local mirror
# (/work/.mirror/bminor+bash/repo) when there is one, else
# github.com/bminor/bash (shallow; a mirror of savannah's bash.git).  Into
# BUILD/bash-src, built in place without bash's own malloc (nice, -j2),
# then recho, zecho, printenv and xcase, which the tests run from PATH.
# Needs gcc, make, bison, git (scripts/deps.sh: LTP=1 adds them).
set -eu
B=${1:-build}
mkdir -p "$B"
B=$(cd "$B" && pwd)
S=$B/bash-src
MIRROR=/work/.mirror/bminor+bash/repo

if [ ! -f "$S/configure" ]; then
	rm -rf "$S"
	if [ -n "${BASH_SRC:-}" ]; then git clone -q "$BASH_SRC" "$S"
	elif [ -d "$MIRROR" ]; then git clone -q "$MIRROR" "$S"
	else git clone -q --depth 1 https://github.com/bminor/bash "$S"
	fi
fi
cd "$S"
if [ ! -f Makefile ]; then
	nice -n 10 ./configure --without-bash-malloc >"$B/bash-configure.log" 2>&1 ||
		{ echo "bash: configure failed: $B/bash-configure.log"; exit 1; }
fi
nice -n 10 make -j2 >"$B/bash-build.log" 2>&1 &&
	nice -n 10 make recho zecho printenv xcase >>"$B/bash-build.log" 2>&1 ||
	{ echo "bash: build failed: $B/bash-build.log"; exit 1; }
echo "bash: built $S/bash ($(./bash -c 'echo $BASH_VERSION'))"
