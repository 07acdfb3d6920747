# suite.sh — sourced by the runners of third-party suites (tests/ltp/run.sh, tests/bash/run.sh): the build, -j N, the shim's helpers, the verdicts and the tally.
# shellcheck shell=bash
#
# Usage: . "$(dirname "$0")/../suite.sh" NAME "$@"
# Sets B (the build directory, absolute; from $B, default build), jobs (-j N
# first among the arguments, default 1) and names (the other arguments: the
# tests asked for), sources integration/lib/common.sh (IT_NS, NATIVE_INIT,
# PIDPUSH, JOBSHIM: each run in a private pid namespace) and stops with
# status 2 when the shim cannot be run.  The runner then defines and
# exports `one`, which runs one test both ways and prints its verdict line
# ("agree ..." or "DISAGREE ..."), and pipes its list of tests to suite_run.
set -u
SUITE=$1
shift
B=${B:-build}
B=$(cd "$B" && pwd) || exit 2
jobs=1
if [ "${1:-}" = -j ]; then
	jobs=$2
	shift 2
fi
# shellcheck disable=SC2034 # read by the runner
names=("$@")
# shellcheck source=integration/lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/integration/lib/common.sh"
missing=$(it_shim_missing)
[ -z "$missing" ] || { echo "$SUITE: $missing"; exit 2; }

# suite_run OUT: `one` for each line of the input, $jobs at a time (those
# matching SUITE_SERIAL one at a time, after the rest), each
# verdict also in OUT/results (this run's, moved there at the end: two runs
# at once sharing OUT each count their own); then the tally.  Status 0
# when every test agreed, 2 when none ran.
suite_run() {
	local res total agree in
	res=$(mktemp "$1/.results.XXXXXX") || return 2
	in=$(mktemp "$1/.list.XXXXXX") || return 2
	cat >"$in"
	# Tests matching SUITE_SERIAL (an extended regex: node's sequential/
	# tests, which assume the machine to themselves, fixed ports and all)
	# run one at a time, after the others.
	# shellcheck disable=SC2016
	if [ -n "${SUITE_SERIAL:-}" ]; then
		grep -v -E -- "$SUITE_SERIAL" "$in" | xargs -r -d '\n' -n 1 -P "$jobs" bash -c 'one $1' one | tee "$res"
		grep -E -- "$SUITE_SERIAL" "$in" | xargs -r -d '\n' -n 1 -P 1 bash -c 'one $1' one | tee -a "$res"
	else
		xargs -r -d '\n' -n 1 -P "$jobs" bash -c 'one $1' one <"$in" | tee "$res"
	fi
	rm -f "$in"
	total=$(grep -c . "$res")
	agree=$(grep -c '^agree ' "$res")
	mv -f "$res" "$1/results"
	echo "$SUITE: $total tests, $agree agree, $((total - agree)) disagree (logs: $1)"
	[ "$total" -gt 0 ] || { echo "$SUITE: no test ran (a name that matches none?)"; return 2; }
	[ "$agree" -eq "$total" ]
}
