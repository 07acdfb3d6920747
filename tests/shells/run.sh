#!/bin/bash
# run.sh [-j N] [UNIT...] — the test suites of zsh, mksh, ksh93, yash, fish and GNU make natively and under `jobshim run`, each in a private pid namespace; agree/disagree.
#
# Needs tests/shells/build.sh first (BUILD/shells-src).  A UNIT is one test
# file of a suite, named SUITE:NAME (zsh:W02jobs, ksh93:sigchld,
# yash:sigtstp3-p, fish:checks/jobs, fish:pexpects/fg), or a whole suite
# that has no files of its own (mksh, make); a bare SUITE selects all of
# its units.  Default: every unit of every suite fetched.  Each unit runs
# twice, each time in a fresh working directory (its own TMPDIR) and in its
# own pid namespace with its own /proc (tests/integration/lib/common.sh):
# natively under native_init, and under jobshim (pidpush, native_init,
# jobshim run).  The outcome compared is the suite's own verdict for the
# unit: the exit status and the result lines (ztst's, check.pl's pass/FAIL
# lines, shtests' error count, yash's PASSED/FAILED/SKIPPED counts,
# littlecheck's and pexpect's ok/failure, run_make_tests' per-test
# results), numbers and the working directory masked.  Units run side by
# side (-j) get pid ranges of their own (--first-pid, from the unit's
# name): every run starting at pid 2, two at once would share $$, and these
# suites name files in /tmp after it (zsh's comptest, ksh93's shtests).
# Logs: BUILD/shells-out/UNIT.{native,shim}.  Exit 0 when every unit agreed.
# SHELLS_TIMEOUT: backstop per run, 600 s.
#
# A unit that fails natively (some do as root, on a machine without some
# locale, or because the installed shell's build options differ from the
# suite's defaults) agrees when it fails the same way under jobshim.
# shellcheck source=../suite.sh
. "$(dirname "$0")/../suite.sh" shells "$@"
D=$B/shells-src
OUT=$B/shells-out
[ -d "$D" ] || { echo "shells: not fetched (sh tests/shells/build.sh $B)"; exit 2; }
mkdir -p "$OUT"

# Each run's own /tmp (a tmpfs in its mount namespace): the native runs,
# side by side, all number their shell alike, and zsh's comptest names
# /tmp/comptest.$$ (Y01completion and Y02compmatch removed each other's).
PRIVTMP=()
[ -n "$IT_NS" ] && PRIVTMP=(sh -c 'mount -t tmpfs -o mode=1777 jobshim-tmp /tmp && exec "$@"' privtmp)

# run MODE WORKDIR CMD...: CMD natively (MODE n) or under jobshim (s), in
# WORKDIR (or RUN_CWD) with TMPDIR under WORKDIR, in a private pid
# namespace; its output on stdout, its status returned.
run() {
	local mode=$1 wd=$2 fp
	shift 2
	mkdir -p "$wd/tmp"
	if [ "$mode" = n ]; then
		# shellcheck disable=SC2086
		(cd "${RUN_CWD:-$wd}" && TMPDIR=$wd/tmp timeout -k 5 "${SHELLS_TIMEOUT:-600}" \
			$IT_NS "${PRIVTMP[@]}" "$NATIVE_INIT" "$@" </dev/null 2>&1)
	else
		fp=$((($(printf '%s' "$UNIT" | cksum | cut -d' ' -f1) % 40) * 100000 + 2))
		# shellcheck disable=SC2086
		(cd "${RUN_CWD:-$wd}" && TMPDIR=$wd/tmp timeout -k 5 "${SHELLS_TIMEOUT:-600}" \
			$IT_NS "${PRIVTMP[@]}" ${PIDPUSH:+"$PIDPUSH"} "$NATIVE_INIT" "$JOBSHIM" run --first-pid "$fp" -- "$@" </dev/null 2>&1)
	fi
}

# outcome UNIT LOG WORKDIR: the lines compared, from a run's log.
outcome() {
	local unit=$1 log=$2 wd=$3
	case "$unit" in
	zsh:*) grep -a -e 'test failed' -e 'failed:' -e 'skipped' -e 'successful' "$log" ;;
	mksh) grep -a -E '^(pass|FAIL) ' "$log" ;;
	ksh93:*) grep -a -E 'FAIL|tests? .* errors?' "$log" ;;
	yash:*) grep -a -h '^%%% ' "$wd"/*.trs 2>/dev/null | awk '{ n[$2]++ } END { for (k in n) print k, n[k] }' | sort ;;
	fish:*) grep -a -E '^Testing file|Failure|ok \(|SKIPPED' "$log" ;;
	make) grep -a -E '\.\.\.\.\. |Tests in' "$log" ;;
	esac | grep -av -e '^jobshim: leftover: ' -e '^native_init: leftover ' |
		sed -e "s|$wd|DIR|g" -e 's/[0-9][0-9]*/N/g'
}

# side MODE UNIT WORKDIR: one run of UNIT; its log on stdout, status returned.
side() {
	local mode=$1 unit=$2 wd=$3 name=${2#*:}
	case "$unit" in
	zsh:*)
		mkdir -p "$wd/Src" && ln -s "$(command -v zsh)" "$wd/Src/zsh"
		mkdir -p "$wd/t" && cd "$wd/t" || return 99
		run "$mode" "$wd/t" env TMPPREFIX="$wd/tmp/zsh" ZTST_srcdir="$D/zsh/Test" ZTST_exe="$(command -v zsh)" \
			zsh +Z -f "$D/zsh/Test/ztst.zsh" "$D/zsh/Test/$name.ztst" ;;
	mksh)
		run "$mode" "$wd" perl "$D/mksh/check.pl" -s "$D/mksh/check.t" -p "$(command -v mksh)" \
			-C shell:legacy-no,int:32,shell:textmode-no,shell:binmode-yes -T "$wd/tmp" ;;
	ksh93:*)
		cp -r "$D/ksh93/src" "$wd/" && cd "$wd/src/cmd/ksh93/tests" || return 99
		if [ "$name" = pty ]; then
			# pty.sh drives ksh on a pseudo-terminal and wants one of its own
			# (and finds ksh93's pty tool through INSTALLROOT/bin).
			local pty
			pty=$(command -v pty)
			run "$mode" "$wd/src/cmd/ksh93/tests" env SHELL="$(command -v ksh93)" INSTALLROOT="${pty%/bin/pty}" \
				script -qec "ksh93 shtests -p pty.sh" /dev/null
		else
			run "$mode" "$wd/src/cmd/ksh93/tests" env SHELL="$(command -v ksh93)" ksh93 shtests -p "$name.sh"
		fi ;;
	yash:*)
		cp -r "$D/yash/tests/." "$wd/" && cd "$wd" || return 99
		local cmd=(./resetsig "$(command -v yash)" ./run-test.sh "$(command -v yash)" "$name.tst")
		grep -q %REQUIRETTY% "$name.tst" && cmd=(./ptwrap "${cmd[@]}")
		run "$mode" "$wd" "${cmd[@]}" ;;
	fish:checks/*)
		RUN_CWD=$D/fish/tests run "$mode" "$wd" env PATH=/usr/bin:/bin sh "$D/fish/tests/test_driver.sh" "$D/fish/tests/test.fish" "${name#checks/}" ;;
	fish:pexpects/*)
		RUN_CWD=$D/fish/tests run "$mode" "$wd" env PATH=/usr/bin:/bin sh "$D/fish/tests/test_driver.sh" "$D/fish/tests/interactive.fish" "${name#pexpects/}.py" ;;
	make)
		cp -r "$D/make/." "$wd/" && cd "$wd/tests" || return 99
		run "$mode" "$wd/tests" perl run_make_tests.pl -srcdir "$wd" -make "$(command -v make)" ;;
	*) echo "shells: unknown unit $unit"; return 99 ;;
	esac
}

one() {
	local unit=$1 tmp rcn rcs left log=${1//\//_}
	tmp=$(mktemp -d)
	mkdir -p "$tmp/n" "$tmp/s"
	chmod -R a+rwX "$tmp"
	UNIT=$unit side n "$unit" "$tmp/n" >"$OUT/$log.native"
	rcn=$?
	outcome "$unit" "$OUT/$log.native" "$tmp/n" >"$tmp/on"
	UNIT=$unit side s "$unit" "$tmp/s" >"$OUT/$log.shim"
	rcs=$?
	outcome "$unit" "$OUT/$log.shim" "$tmp/s" >"$tmp/os"
	left=$(grep -ac '^jobshim: leftover: ' "$OUT/$log.shim")
	if [ ! -s "$tmp/on" ]; then
		# no result lines: the suite did not run (a missing file, a
		# changed output format); never a vacuous agreement
		echo "DISAGREE $unit native: exit $rcn, no result lines (see $OUT/$log.native)"
	elif [ "$rcn" = "$rcs" ] && cmp -s "$tmp/on" "$tmp/os"; then
		echo "agree $unit exit $rcn$([ "$left" -gt 0 ] && echo " ($left leftover processes named by jobshim)")"
	else
		echo "DISAGREE $unit native: exit $rcn; jobshim: exit $rcs (diff $OUT/$log.native $OUT/$log.shim)"
	fi
	rm -rf "$tmp"
}
export -f one side run outcome
export D OUT IT_NS NATIVE_INIT PIDPUSH JOBSHIM

# units [SUITE]: every unit of SUITE (or of every suite fetched).
units() {
	local s=${1:-}
	{ [ -z "$s" ] || [ "$s" = zsh ]; } && [ -d "$D/zsh" ] &&
		for f in "$D"/zsh/Test/*.ztst; do f=${f##*/}; echo "zsh:${f%.ztst}"; done
	{ [ -z "$s" ] || [ "$s" = mksh ]; } && [ -d "$D/mksh" ] && echo mksh
	{ [ -z "$s" ] || [ "$s" = ksh93 ]; } && [ -d "$D/ksh93" ] &&
		for f in "$D"/ksh93/src/cmd/ksh93/tests/*.sh; do
			f=${f##*/}
			# pty.sh needs ksh93's own pty tool (it skips itself without)
			[ "$f" = pty.sh ] && ! command -v pty >/dev/null && continue
			echo "ksh93:${f%.sh}"
		done
	{ [ -z "$s" ] || [ "$s" = yash ]; } && [ -d "$D/yash" ] &&
		awk '/^(POSIX|YASH)(_SIGNAL)?_TEST_SOURCES/ { for (i = 3; i <= NF; i++) if ($i ~ /\.tst$/) { sub(/\.tst$/, "", $i); print "yash:" $i } }' "$D/yash/tests/Makefile.in"
	{ [ -z "$s" ] || [ "$s" = fish ]; } && [ -d "$D/fish" ] && {
		for f in "$D"/fish/tests/checks/*.fish; do f=${f##*/}; echo "fish:checks/${f%.fish}"; done
		for f in "$D"/fish/tests/pexpects/*.py; do f=${f##*/}; echo "fish:pexpects/${f%.py}"; done
	}
	{ [ -z "$s" ] || [ "$s" = make ]; } && [ -d "$D/make" ] && echo make
	return 0
}

list() {
	if [ $# -eq 0 ]; then units; return; fi
	for u in "$@"; do
		case "$u" in
		zsh | ksh93 | yash | fish) units "$u" ;;
		*) echo "$u" ;;
		esac
	done
}
# shellcheck disable=SC2154 # names: suite.sh
list "${names[@]}" | suite_run "$OUT"
