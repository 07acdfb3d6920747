#!/bin/bash
# run.sh [-j N] [NAME...] — bash's own test suite natively and under `jobshim run`, each in a private pid namespace; agree/disagree.
#
# Needs `make bash-suite` first (tests/bash/build.sh: BUILD/bash-src).
# Tests: bash's tests/run-* scripts (all but run-all and run-minimal), or
# the NAMEs given (run-NAME).  Each runs twice, each time in a fresh copy of
# bash's tests directory and its own pid namespace with its own /proc
# (tests/integration/lib/common.sh): natively under native_init, and under
# jobshim (pidpush, native_init, jobshim run), as run-all would run it
# (THIS_SH, BASH_TSTOUT, the helpers first in PATH).  A run-* script
# prints the diff of the test's output against bash's expected output, so
# the outcome compared is the exit status and that output, with every
# number masked (process ids: the shim's are virtual, the native ones the
# kernel's) and the "leftover" lines taken out (processes a test leaves
# running: natively the namespace's init reaps them, under jobshim the
# supervisor names them first; jobshim's are counted in the verdict line).
# Logs: BUILD/bash-out/NAME.{native,shim}.  Prints one line per test, then
# the tally; exit 0 when every test agreed.  BASH_TIMEOUT: backstop per
# run, 300 s; IT_PIDPUSH=0: no pidpush (lib/common.sh).  Tests that fail the same way on both sides agree: as root,
# or without some locales, a few of bash's tests fail natively too.
# shellcheck source=../suite.sh
. "$(dirname "$0")/../suite.sh" bash-suite "$@"
S=$B/bash-src
OUT=$B/bash-out
[ -x "$S/bash" ] && [ -x "$S/recho" ] || { echo "bash-suite: not built (make bash-suite)"; exit 2; }
mkdir -p "$OUT"
# shellcheck disable=SC2154 # names: suite.sh
for n in "${names[@]}"; do
	[ -f "$S/tests/run-$n" ] || { echo "bash-suite: no test $n (no $S/tests/run-$n)"; exit 2; }
done

# norm LOG DIR: the output compared: the copy's path (DIR) and numbers
# masked, the leftover lines of jobshim and of native_init (the native
# namespace's init, which reaps them) out.
norm() {
	grep -av -e '^jobshim: leftover: ' -e '^native_init: leftover ' "$1" |
		sed -e "s|$2|DIR|g" -e 's/[0-9][0-9]*/N/g'
}

# one NAME: both runs, one verdict line.
one() {
	local name=$1 tmp rcn rcs left
	tmp=$(mktemp -d)
	cp -r "$S/tests" "$tmp/n"
	cp -r "$S/tests" "$tmp/s"
	for h in recho zecho printenv xcase; do cp "$S/$h" "$tmp/n/"; cp "$S/$h" "$tmp/s/"; done
	mkdir -p "$tmp/n/tmp" "$tmp/s/tmp"
	chmod -R a+rwX "$tmp"
	# shellcheck disable=SC2086
	(cd "$tmp/n" && TMPDIR=$tmp/n/tmp BASH_TSTOUT=$tmp/n/tmp/bashtst THIS_SH=$S/bash BUILD_DIR=$S \
		PATH=$tmp/n:$PATH timeout -k 5 "${BASH_TIMEOUT:-300}" \
		$IT_NS "$NATIVE_INIT" sh "run-$name" </dev/null >"$OUT/$name.native" 2>&1)
	rcn=$?
	# shellcheck disable=SC2086
	(cd "$tmp/s" && TMPDIR=$tmp/s/tmp BASH_TSTOUT=$tmp/s/tmp/bashtst THIS_SH=$S/bash BUILD_DIR=$S \
		PATH=$tmp/s:$PATH timeout -k 5 "${BASH_TIMEOUT:-300}" \
		$IT_NS ${PIDPUSH:+"$PIDPUSH"} "$NATIVE_INIT" "$JOBSHIM" run -- sh "run-$name" </dev/null >"$OUT/$name.shim" 2>&1)
	rcs=$?
	rm -rf "$tmp"
	left=$(grep -ac '^jobshim: leftover: ' "$OUT/$name.shim")
	if [ "$rcn" = "$rcs" ] && cmp -s <(norm "$OUT/$name.native" "$tmp/n") <(norm "$OUT/$name.shim" "$tmp/s"); then
		if [ "$left" -gt 0 ]; then
			echo "agree $name exit $rcn ($left leftover processes named by jobshim)"
		else
			echo "agree $name exit $rcn"
		fi
	else
		echo "DISAGREE $name native: exit $rcn; jobshim: exit $rcs (diff $OUT/$name.native $OUT/$name.shim)"
	fi
}
export -f one norm
export S OUT IT_NS NATIVE_INIT PIDPUSH JOBSHIM

list() {
	if [ $# -gt 0 ]; then printf '%s\n' "$@"; return; fi
	for f in "$S"/tests/run-*; do
		n=${f##*/run-}
		case "$n" in all|minimal) ;; *) echo "$n" ;; esac
	done
}
# shellcheck disable=SC2154 # names: suite.sh
list "${names[@]}" | suite_run "$OUT"
