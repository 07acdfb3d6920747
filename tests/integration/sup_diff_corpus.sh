#!/usr/bin/env bash
# sup_diff_corpus.sh BUILD — every differential scenario of tests/diff/corpus, natively and under jobshim.
# (tests/diff/run.sh runs both sides inside private pid namespaces and diffs the logs.)
set -euo pipefail
B=${1:-build}
cd "$(dirname "$0")/../.."
[ -x "$B/diff/jsdiff" ] || { echo "FAIL: $B/diff/jsdiff is missing (make)"; exit 1; }
B=$B timeout 300 tests/diff/run.sh tests/diff/corpus/*.scn
