#!/bin/bash
# run.sh [-j N] [FILE...] — Node.js's own tests natively and under `jobshim run`, each file in a private pid namespace; agree/disagree.
#
# Needs tests/node/build.sh first (BUILD/node-src) and the installed node.
# A FILE is a test file as parallel/test-NAME.js or sequential/test-NAME.js
# (or a substring of such names: child-process selects every file with it);
# default: the files of processes, signals, terminals, pipes, sockets,
# workers and the file system (about 1,050: child-process, process,
# cluster, worker, stdio, tty, pipe, net, dgram, os, fs, repl, readline,
# signal, spawn, kill, domain, abort, exception, ...); `all`: every file
# (about 3,300: http's and others' tests wait for the timeout here).
# Each file runs twice, as node's own runner runs it (its `// Flags:` line on node's command line),
# from the test directory with NODE_TEST_DIR (its temporary files) and
# NODE_COMMON_PORT (the port of tests that need a fixed one) of its own,
# each time in its own pid namespace (tests/integration/lib/common.sh):
# natively under native_init, and under jobshim (pidpush, native_init,
# jobshim run).  Node's tests say pass or fail with their exit status: the
# outcome compared.  A file that fails natively (a test of node 18 that
# node 20 no longer passes, a test that needs the network) agrees when it
# fails the same way under jobshim.  Logs: BUILD/node-out/FILE.{native,shim}.
# Exit 0 when every file agreed.  NODE_TIMEOUT: backstop per run, 120 s.
# shellcheck source=../suite.sh
. "$(dirname "$0")/../suite.sh" node-suite "$@"
S=$B/node-src
OUT=$B/node-out
[ -d "$S/test/parallel" ] || { echo "node-suite: not fetched (sh tests/node/build.sh $B)"; exit 2; }
command -v node >/dev/null || { echo "node-suite: node missing (NODE=1 sh scripts/deps.sh)"; exit 2; }
mkdir -p "$OUT"

# side MODE FILE: one run of FILE, its output on stdout, its status returned.
side() {
	local mode=$1 file=$2 wd flags h rc
	wd=$(mktemp -d)
	chmod a+rwx "$wd"
	h=$(printf '%s' "$file" | cksum | cut -d' ' -f1)
	flags=$(grep -m 1 '^// Flags:' "$S/test/$file" | sed 's|^// Flags:||')
	cd "$S" || return 99
	# shellcheck disable=SC2086 # IT_NS and the flags are words
	if [ "$mode" = n ]; then
		NODE_TEST_DIR=$wd NODE_COMMON_PORT=$((20000 + h % 20000)) TMPDIR=$wd \
			timeout -k 5 "${NODE_TIMEOUT:-120}" $IT_NS "$NATIVE_INIT" \
			node $flags "test/$file" </dev/null 2>&1
	else
		NODE_TEST_DIR=$wd NODE_COMMON_PORT=$((40000 + h % 20000)) TMPDIR=$wd \
			timeout -k 5 "${NODE_TIMEOUT:-120}" $IT_NS ${PIDPUSH:+"$PIDPUSH"} "$NATIVE_INIT" \
			"$JOBSHIM" run --first-pid $((h % 40 * 100000 + 2)) -- node $flags "test/$file" </dev/null 2>&1
	fi
	rc=$?
	rm -rf "$wd"
	return $rc
}

one() {
	local file=$1 log=${1//\//_} rcn rcs left
	side n "$file" >"$OUT/$log.native"
	rcn=$?
	side s "$file" >"$OUT/$log.shim"
	rcs=$?
	left=$(grep -ac '^jobshim: leftover: ' "$OUT/$log.shim")
	if [ "$rcn" = "$rcs" ]; then
		echo "agree $file exit $rcn$([ "$left" -gt 0 ] && echo " ($left leftover processes named by jobshim)")"
	else
		echo "DISAGREE $file native: exit $rcn; jobshim: exit $rcs (diff $OUT/$log.native $OUT/$log.shim)"
	fi
}
export -f one side
export S OUT IT_NS NATIVE_INIT PIDPUSH JOBSHIM

# files [SEL]: test files (parallel/..., sequential/...), all or by SEL.
AREAS='child-process|process|cluster|worker|stdio|stdout|stdin|stderr|tty|pipe|net|dgram|os|fs|repl|readline|signal|spawn|kill|setproctitle|listen|domain|uv|pending|bash|shell|abort|exception'
files() {
	(cd "$S/test" && ls parallel/test-*.js sequential/test-*.js) |
		case "${1:-}" in
		"") grep -E "/test-($AREAS)" ;;
		all) cat ;;
		*) grep -F -- "$1" ;;
		esac
}

list() {
	if [ $# -eq 0 ]; then files; return; fi
	for f in "$@"; do
		if [ -f "$S/test/$f" ]; then echo "$f"; else files "$f"; fi
	done
}
# shellcheck disable=SC2154 # names: suite.sh
# sequential/ tests bind fixed ports (common.PORT) and expect to run alone:
# one at a time, after the parallel/ ones (at -j 2 two of them collided on
# a port once: EADDRINUSE in test-net-listen-shared-ports.js).
list "${names[@]}" | SUITE_SERIAL='^sequential/' suite_run "$OUT"
