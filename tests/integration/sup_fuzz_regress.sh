#!/bin/bash
# sup_fuzz_regress.sh BUILD — replay the fuzz target's saved inputs (tests/fuzz/regress: every crash
# the fuzzer found; tests/fuzz/seeds) through the supervisor's handlers, without libFuzzer.
# build/fuzz/fuzz_replay is built by `make` (tests/fuzz/fuzz.mk); it aborts on the first
# failed check, naming the input.  No real process is involved (a fake kernel), so no namespace.
set -u
B=$(cd "${1:-build}" && pwd)
F=$(cd "$(dirname "$0")/../fuzz" && pwd)
R="$B/fuzz/fuzz_replay"
[ -x "$R" ] || { echo "not ok - $R missing (is tests/fuzz/fuzz.mk included by the Makefile?)"; exit 1; }
if out=$(timeout 120 "$R" "$F/regress" "$F/seeds" 2>"$B/fuzz/replay.log"); then
	echo "ok - $out"
	exit 0
fi
echo "not ok - fuzz replay failed:"
tail -n 20 "$B/fuzz/replay.log" | sed 's/^/#   /'
exit 1
