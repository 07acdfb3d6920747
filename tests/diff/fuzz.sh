#!/bin/sh
# fuzz.sh — generate N random scenarios from SEED, run each natively and under jobshim.
#
# usage: fuzz.sh [N] [SEED]   (defaults 10000 and 1; B = build dir)
# Failing scenarios are kept in $B/diff/fail/ (scenario, both logs, the
# diff); the summary counts the differing lines by kind.
set -u
B=${B:-build}
N=${1:-10000}
SEED=${2:-1}
work=$B/diff/fuzz
fail=$B/diff/fail
rm -rf "$work" "$fail" && mkdir -p "$work/scn" "$work/reports" "$fail"
"$B/diff/jsgen" -o "$work/scn" "$SEED" "$N" || exit 2
jobs=$(nproc 2>/dev/null || echo 2)
# Each batch of 25 writes its own report, so parallel reports never interleave.
ls "$work/scn"/*.scn | xargs -P "$jobs" -n 25 sh -c \
	'w=$1; shift; B="$0" tests/diff/run.sh -q -c -o "$w/runs" "$@" >"$w/reports/$(basename "$1" .scn).txt" 2>&1' \
	"$B" "$work"
cat "$work/reports"/*.txt >"$work/report.txt"
nfail=$(grep -c '^FAIL' "$work/report.txt")
grep '^FAIL' "$work/report.txt" | sed 's/^FAIL \([^:]*\):.*/\1/' | while read -r name; do
	mkdir -p "$fail/$name"
	cp "$work/scn/$name.scn" "$fail/$name/"
	for k in native shim; do
		[ -f "$work/runs/$name/$k/log" ] && cp "$work/runs/$name/$k/log" "$fail/$name/$k.log"
	done
	diff -u "$fail/$name/native.log" "$fail/$name/shim.log" >"$fail/$name/diff" 2>/dev/null
done
# A scenario whose native (oracle) run itself hung or varied says nothing
# about jobshim: a generator gap, counted apart so it is not read as a
# disagreement (and still fails the run, to stay visible).
nnative=$(grep -c '^FAIL [^:]*: native run' "$work/report.txt")
echo "fuzz: $N scenarios (seeds $SEED..$((SEED + N - 1))), $nfail failed:" \
	"$((nfail - nnative)) native/jobshim disagreements, $nnative with no stable native run;" \
	"failures in $fail/"
if [ "$nfail" -gt 0 ]; then
	echo "differing lines (native -, jobshim +), by kind:"
	grep -h '^[-+][A-Za-z]' "$fail"/*/diff 2>/dev/null | grep -v '^[-+][-+]' |
		sed 's/^\([-+]\)[A-Za-z0-9_]* [0-9]*: /\1 /' | sort | uniq -c | sort -rn | head -40
fi
[ "$nfail" -eq 0 ]
