#!/bin/sh
# check.sh BUILD [unit|integration] — run the test suites, print one tally, fail on any failure.
set -u
B=${1:-build}
what=${2:-all}
passed=0
failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

if [ "$what" != integration ]; then
	for t in "$B"/tests/test_*; do
		[ -x "$t" ] || continue
		echo "== unit: $(basename "$t")"
		if timeout 600 "$t" >"$log" 2>&1; then rc=0; else rc=$?; fi
		grep -E '^[0-9]+%: Checks' "$log" || true
		grep -E ':[EF]:' "$log" | head -20 || true
		# "N%: Checks: C, Failures: F, Errors: E"
		line=$(grep -E '^[0-9]+%: Checks' "$log" | tail -1)
		c=$(echo "$line" | sed -n 's/.*Checks: \([0-9]*\).*/\1/p')
		f=$(echo "$line" | sed -n 's/.*Failures: \([0-9]*\).*/\1/p')
		e=$(echo "$line" | sed -n 's/.*Errors: \([0-9]*\).*/\1/p')
		if [ -z "$c" ]; then
			echo "   $(basename "$t"): no result (exit $rc)"; tail -5 "$log"
			failed=$((failed + 1)); continue
		fi
		passed=$((passed + c - f - e))
		failed=$((failed + f + e))
		if [ "$rc" -ne 0 ] && [ $((f + e)) -eq 0 ]; then failed=$((failed + 1)); fi
	done
fi

if [ "$what" != unit ] && [ -x tests/integration/run.sh ]; then
	echo "== integration"
	if tests/integration/run.sh "$B" >"$log" 2>&1; then :; fi
	cat "$log"
	p=$(sed -n 's/^integration: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p' "$log" | tail -1)
	f=$(sed -n 's/^integration: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p' "$log" | tail -1)
	if [ -z "$p" ]; then echo "integration: runner gave no tally"; failed=$((failed + 1)); else
		passed=$((passed + p)); failed=$((failed + f)); fi
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
