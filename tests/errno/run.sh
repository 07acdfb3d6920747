#!/bin/sh
# run.sh — jserrno natively and under jobshim, each in a private pid namespace; the outputs must be identical.
#
# usage: run.sh [jserrno options] check | random SEED N
# Environment: B (build dir, default build), ERRNO_OUT (where both
# outputs are kept, default $B/errno: native.out, shim.out); prints the differing cases (at most 60
# lines) and a tally; exit status 0 when every case agreed, or gave the
# jobshim answer that tests/errno/known documents for it.
set -u
B=${B:-build}
B=$(cd "$B" && pwd) || exit 2
T=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=../integration/lib/common.sh
. "$T/integration/lib/common.sh"
J=$B/errno/jserrno
[ -x "$J" ] && [ -x "$JOBSHIM" ] && [ -f "$SHIMLIB" ] || { echo "errno: build first (make)"; exit 2; }
[ -n "$IT_NS" ] || { echo "errno: no private pid namespace (unshare --pid): not run"; exit 2; }
out=${ERRNO_OUT:-$B/errno}
mkdir -p "$out"
# 600 s: a hard bound for the biggest randomized runs, never reached by make check's subset.
# shellcheck disable=SC2086
timeout -k 5 600 $IT_NS "$J" init "$J" "$@" </dev/null >"$out/native.out" 2>"$out/native.err"
nrc=$?
# shellcheck disable=SC2086
timeout -k 5 600 $IT_NS "$J" init -p "$JOBSHIM" run -- "$J" "$@" </dev/null >"$out/shim.out" 2>"$out/shim.err"
src=$?
n=$(grep -c '^# [0-9]* cases$' "$out/native.out")
total=$(sed -n 's/^# \([0-9]*\) cases$/\1/p' "$out/native.out")
if [ "$nrc" -ne 0 ] || [ "$n" -ne 1 ]; then
	echo "errno: the native run failed (exit $nrc)"; tail -5 "$out/native.err"; exit 1
fi
# The documented differences (tests/errno/known): a known jobshim line
# counts as its native line, in shim.cmp; any other answer still differs.
awk -v known="$T/errno/known" '
	BEGIN {
		while ((getline l < known) > 0) {
			if (l ~ /^#/ || (i = index(l, " => ")) == 0)
				continue
			to[substr(l, i + 4)] = substr(l, 1, i - 1)
		}
	}
	{ if ($0 in to) { print to[$0]; n++ } else print }
	END { print n + 0 > "/dev/stderr" }' "$out/shim.out" >"$out/shim.cmp" 2>"$out/known.n"
kn=$(cat "$out/known.n")
if cmp -s "$out/native.out" "$out/shim.cmp" && [ "$src" -eq 0 ]; then
	if [ "$kn" -gt 0 ]; then
		echo "errno: $total cases, native and jobshim agree ($kn of them as tests/errno/known documents)"
	else
		echo "errno: $total cases, native and jobshim agree"
	fi
	exit 0
fi
echo "errno: native and jobshim differ (jobshim run exit $src):"
diff "$out/native.out" "$out/shim.cmp" | sed -n '1,60p'
echo "errno: $(diff "$out/native.out" "$out/shim.cmp" | grep -c '^>') of $total cases differ"
exit 1
