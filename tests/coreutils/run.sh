#!/bin/bash
# run.sh — GNU coreutils' own test suite (`make check`) natively and under `jobshim run`, each in a private pid namespace; the tests' results compared.
#
# Needs `make coreutils-suite` first (tests/coreutils/build.sh:
# BUILD/coreutils-src).  The whole suite runs twice, each time in a fresh
# copy of the built tree and its own pid namespace with its own /proc
# (tests/integration/lib/common.sh): natively under native_init, and under
# jobshim (pidpush, native_init, jobshim run -- make check).  Each test's
# result (PASS, SKIP, FAIL, XFAIL, ERROR: its .trs file) must be the same
# both ways.  COREUTILS_USER=nobody runs both as that user (runuser: the
# supervisor is not root then; the 41 tests that want a user without root
# run, the ones that want root are skipped); COREUTILS_JOBS: make -j
# (default 1: some tests time their sleeps); COREUTILS_EXPENSIVE=1 runs the
# expensive and very expensive tests too.  Logs: BUILD/coreutils-out/
# {native,shim}.log and .results; exit 0 when every result agreed.
set -u
B=${B:-build}
B=$(cd "$B" && pwd) || exit 2
# shellcheck source=../integration/lib/common.sh
. "$(dirname "$0")/../integration/lib/common.sh"
missing=$(it_shim_missing)
[ -z "$missing" ] || { echo "coreutils-suite: $missing"; exit 2; }
S=$B/coreutils-src
OUT=$B/coreutils-out
[ -x "$S/src/ls" ] || { echo "coreutils-suite: not built (make coreutils-suite)"; exit 2; }
U=${COREUTILS_USER:-}
[ -z "$U" ] || id -u "$U" >/dev/null 2>&1 || { echo "coreutils-suite: no user $U"; exit 2; }
mkdir -p "$OUT"
extra=()
[ "${COREUTILS_EXPENSIVE:-0}" = 1 ] && extra=(RUN_EXPENSIVE_TESTS=yes RUN_VERY_EXPENSIVE_TESTS=yes)
as=()
[ -n "$U" ] && as=(runuser -u "$U" --)

# side NAME PREFIX...: make check in a copy, under PREFIX; the results of
# the copy's .trs files, one "test result" line each, in OUT/NAME.results.
side() {
	local name=$1 tmp
	shift
	tmp=$(mktemp -d)
	cp -a "$S" "$tmp/t"
	[ -z "$U" ] || chown -R "$U" "$tmp"
	# shellcheck disable=SC2086
	# The tree's Makefile names its absolute paths (the tests' PATH):
	# the copy's instead.
	local t=$tmp/t
	(cd "$t" && timeout -k 10 7200 $IT_NS "$@" make -s check -j"${COREUTILS_JOBS:-1}" "${extra[@]}" \
		abs_aux_dir="$t/build-aux" abs_builddir="$t" abs_srcdir="$t" abs_top_builddir="$t" \
		abs_top_srcdir="$t" </dev/null >"$OUT/$name.log" 2>&1)
	echo "exit $?" >>"$OUT/$name.log"
	(cd "$tmp/t" && find tests -name '*.trs' | sort | while read -r f; do
		printf '%s %s\n' "${f%.trs}" "$(sed -n 's/^:test-result: //p' "$f" | head -1)"
	done) >"$OUT/$name.results"
	rm -rf "$tmp"
}

side native "$NATIVE_INIT" "${as[@]}" &
# shellcheck disable=SC2086
side shim ${PIDPUSH:+"$PIDPUSH"} "$NATIVE_INIT" "${as[@]}" "$JOBSHIM" run -- &
wait
total=$(grep -c . "$OUT/native.results")
diff "$OUT/native.results" "$OUT/shim.results" >"$OUT/diff"
bad=$(grep -c '^[<>]' "$OUT/diff")
sed -n 's/^> /DISAGREE (shim) /p; s/^< /         (native) /p' "$OUT/diff"
for r in PASS SKIP FAIL XFAIL ERROR; do
	printf '%s %s native, %s shim; ' "$r" "$(grep -c " $r$" "$OUT/native.results")" "$(grep -c " $r$" "$OUT/shim.results")"
done
echo
echo "coreutils-suite: $total tests${U:+ as $U}, $((total - $(grep -c '^<' "$OUT/diff"))) agree, $(grep -c '^<' "$OUT/diff") disagree (logs: $OUT)"
[ "$total" -gt 0 ] && [ "$bad" -eq 0 ]
