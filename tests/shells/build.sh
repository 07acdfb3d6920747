#!/bin/sh
# build.sh BUILD — fetch the test suites of zsh, mksh, ksh93, yash, fish and GNU make (the versions Debian 12 installs) for tests/shells/run.sh.
#
# Each suite comes from its project's repository at the tag of Debian 12's
# package: from a local mirror (/work/.mirror/OWNER+NAME/repo) when there
# is one, else github (shallow).  Only the test files are kept, in
# BUILD/shells-src/SUITE; the shells themselves are the installed ones
# (scripts/deps.sh SHELLS=1 installs zsh mksh ksh93u+m yash fish).  Built
# here: yash's helpers (ptwrap runs its %REQUIRETTY% tests on a pty) and
# fish's fish_test_helper.  A suite whose shell is not installed is
# skipped.  Needs git, cc, c++.
set -eu
B=${1:-build}
mkdir -p "$B"
B=$(cd "$B" && pwd)
D=$B/shells-src
mkdir -p "$D"

# get SUITE OWNER/NAME TAG PATH...: the PATHs of OWNER/NAME at TAG into D/SUITE.
get() {
	suite=$1 repo=$2 tag=$3
	shift 3
	[ -f "$D/$suite/.tag" ] && [ "$(cat "$D/$suite/.tag")" = "$tag" ] && return 0
	rm -rf "${D:?}/$suite" "$D/.git-$suite"
	mirror=/work/.mirror/$(echo "$repo" | tr / +)/repo
	if [ -d "$mirror" ]; then
		git clone -q --no-checkout "$mirror" "$D/.git-$suite"
	else
		git clone -q --no-checkout --depth 1 --branch "$tag" "https://github.com/$repo" "$D/.git-$suite"
	fi
	mkdir -p "$D/$suite"
	git -C "$D/.git-$suite" archive "$tag" "$@" | tar -x -C "$D/$suite"
	rm -rf "$D/.git-$suite"
	echo "$tag" >"$D/$suite/.tag"
}

have() { command -v "$1" >/dev/null 2>&1; }

if have zsh; then get zsh zsh-users/zsh zsh-5.9 Test Functions Completion; fi
if have mksh; then get mksh MirBSD/mksh mksh-R59c check.pl check.t; fi
if have ksh93; then
	get ksh93 ksh93/ksh v1.0.4 src/cmd/ksh93/tests src/cmd/ksh93/SHOPT.sh
fi
if have yash; then
	get yash magicant/yash 2.52 tests siglist.h
	(cd "$D/yash/tests" && for h in ptwrap checkfg resetsig; do
		[ -x "$h" ] || cc -O2 -D_GNU_SOURCE -o "$h" "$h.c"
	done)
fi
if have fish; then
	get fish fish-shell/fish-shell 3.6.0 tests share build_tools/littlecheck.py \
		build_tools/pexpect_helper.py src/fish_test_helper.cpp
	(cd "$D/fish" && mkdir -p test/root/bin &&
		cp build_tools/littlecheck.py build_tools/pexpect_helper.py . &&
		ln -sf "$(command -v fish)" test/root/bin/fish &&
		ln -sf "$(command -v fish_key_reader)" test/root/bin/fish_key_reader &&
		{ [ -x test/root/bin/fish_test_helper ] ||
			c++ -O2 -o test/root/bin/fish_test_helper src/fish_test_helper.cpp; })
fi
if have make; then
	get make mirror/make 4.3 tests
	# run_make_tests.pl wants a source tree (-srcdir: src/gnumake.h) and
	# the flags configure would write.
	(cd "$D/make" && mkdir -p src && touch src/gnumake.h &&
		sed -e 's/@CC@/cc/' -e 's/@[A-Z_]*@//g' tests/config-flags.pm.in >tests/config-flags.pm)
fi
echo "shells: suites in $D"
