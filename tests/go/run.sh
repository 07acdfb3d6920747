#!/bin/bash
# run.sh [-j N] [UNIT...] — the Go standard library's process and signal tests natively and under `jobshim run`, each in a private pid namespace; agree/disagree.
#
# Needs tests/go/build.sh first (BUILD/go-suite).  A UNIT is MODE:PKG, MODE
# cgo or static (the two builds of PKG's test binary), alone or on a
# terminal of its own (cgo+tty, static+tty: under `script`, so that the
# tests of Foreground, Setctty and /dev/tty run rather than skip), e.g.
# static+tty:syscall; a bare MODE or PKG selects its units.  Default:
# every binary built, in all four modes.  Each
# unit runs twice, from PKG's source directory (its testdata) with a TMPDIR
# of its own, each in its own pid namespace with its own /proc
# (tests/integration/lib/common.sh): natively under native_init, and under
# jobshim (pidpush, native_init, jobshim run).  The outcome compared is the
# test binary's verdict for each test (`-test.v`: its PASS/FAIL/SKIP
# lines, times masked) and whether the binary passed as a
# whole; tests listed in tests/go/known are left out of both and named in
# the verdict line.  Logs: BUILD/go-out/UNIT.{native,shim}.  Exit 0 when
# every unit agreed.  GO_TIMEOUT: backstop per run, 600 s.
# shellcheck source=../suite.sh
. "$(dirname "$0")/../suite.sh" go-suite "$@"
G=$B/go-suite
OUT=$B/go-out
KNOWN=$(cd "$(dirname "$0")" && pwd)/known
[ -d "$G/cgo" ] || { echo "go-suite: not built (sh tests/go/build.sh $B)"; exit 2; }
# runtime's tests build their helper programs with the go command (run in
# the tree under jobshim too): the cache of build.sh, not one in $HOME.
export GOCACHE="$G/cache" GOPATH="$G/gopath"
GOROOT_SRC=$(go env GOROOT)/src
mkdir -p "$OUT"

# known UNIT: the names of UNIT's known differences, one per line.
known() {
	local unit=$1
	grep -v '^#' "$KNOWN" | awk -v u="$unit" -v any="*:${unit#*:}" 'NF >= 2 && ($1 == u || $1 == any) { print $2 }'
}

# outcome LOG KNOWN...: "STATUS NAME" for each test but the known ones,
# sorted; last ("~" sorts after letters), the whole run's verdict.  Not
# subtests: a failed one fails its test, and some are reported or not by
# chance (os/signal's TestNohup starts its subtests with `go t.Run`, and
# natively one of their verdict lines is missing now and then)
# (PASS only when the binary ran tests, none of the others failed and it
# neither panicked nor timed out).
outcome() {
	local log=$1
	shift
	awk -v skip="$*" '
		BEGIN { n = split(skip, k, " "); for (i = 1; i <= n; i++) known[k[i]] = 1 }
		{ sub(/\r$/, "") }
		/^--- (PASS|FAIL|SKIP): / {
			name = $3
			if (name in known) next
			print $2, name; ran++
			if ($2 == "FAIL:") failed++
		}
		/^panic: |^FAIL\t.*\[build failed\]|test timed out/ { broke++ }
		END { print "~ whole run:", (ran > 0 && !failed && !broke) ? "PASS" : "FAIL" }' "$log" | LC_ALL=C sort
}

# side MODE UNIT: one run of UNIT, its log on stdout, its status returned.
side() {
	local mode=$1 unit=$2 lm=${2%%:*} pkg=${2#*:} bin wd fp cmd
	# This script's functions stay out of the tests' environment (os's
	# TestEnvironment round-trips every variable; BASH_FUNC_x%% fails it).
	export -n -f one side outcome known
	bin=$G/${lm%+tty}/$(echo "$pkg" | tr / _).test
	cmd=("$bin" -test.v -test.count=1 -test.timeout 500s)
	# runtime's whole suite is long; -test.short keeps its signal, crash,
	# fork and exec tests (half a minute).
	[ "$pkg" = runtime ] && cmd+=(-test.short)
	# On a terminal: script makes one, its session's controlling terminal.
	[ "$lm" != "${lm%+tty}" ] && cmd=(script -qec "$(printf '%q ' "${cmd[@]}")" /dev/null)
	wd=$(mktemp -d)
	chmod a+rwx "$wd"
	cd "$GOROOT_SRC/$pkg" || return 99
	if [ "$mode" = n ]; then
		# shellcheck disable=SC2086
		TMPDIR=$wd timeout -k 5 "${GO_TIMEOUT:-600}" $IT_NS "$NATIVE_INIT" "${cmd[@]}" </dev/null 2>&1
	else
		fp=$((($(printf '%s' "$unit" | cksum | cut -d' ' -f1) % 40) * 100000 + 2))
		# shellcheck disable=SC2086
		TMPDIR=$wd timeout -k 5 "${GO_TIMEOUT:-600}" $IT_NS ${PIDPUSH:+"$PIDPUSH"} "$NATIVE_INIT" \
			"$JOBSHIM" run --first-pid "$fp" -- "${cmd[@]}" </dev/null 2>&1
	fi
	local rc=$?
	rm -rf "$wd"
	return $rc
}

one() {
	local unit=$1 log=${1//\//_} tmp k note=""
	tmp=$(mktemp -d)
	# shellcheck disable=SC2046 # one name per word
	set -- $(known "$unit")
	[ $# -gt 0 ] && note=" (known, left out: $*)"
	side n "$unit" >"$OUT/$log.native"
	outcome "$OUT/$log.native" "$@" >"$tmp/on"
	side s "$unit" >"$OUT/$log.shim"
	outcome "$OUT/$log.shim" "$@" >"$tmp/os"
	k=$(grep -c -v '^~' "$tmp/on")
	if [ "$k" -eq 0 ]; then
		# no test ran natively: never a vacuous agreement
		echo "DISAGREE $unit native: no test lines (see $OUT/$log.native)"
	elif cmp -s "$tmp/on" "$tmp/os"; then
		echo "agree $unit: $k tests, $(tail -n 1 "$tmp/on" | sed 's/^~ //')$note"
	else
		diff "$tmp/on" "$tmp/os" >"$OUT/$log.diff"
		echo "DISAGREE $unit: $(grep -c '^[<>]' "$OUT/$log.diff") lines differ ($OUT/$log.diff; logs $OUT/$log.{native,shim})$note"
	fi
	rm -rf "$tmp"
}
export -f one side outcome known
export G OUT KNOWN GOROOT_SRC IT_NS NATIVE_INIT PIDPUSH JOBSHIM

# units [SEL]: every unit built, or those of mode or package SEL.
units() {
	local f lm pkg
	for lm in cgo static cgo+tty static+tty; do
		for f in "$G/${lm%+tty}"/*.test; do
			[ -x "$f" ] || continue
			pkg=${f##*/}
			pkg=${pkg%.test}
			pkg=${pkg//_//}
			case "${1:-}" in
			"" | "$lm" | "$pkg") echo "$lm:$pkg" ;;
			esac
		done
	done
}

list() {
	if [ $# -eq 0 ]; then units; return; fi
	for u in "$@"; do
		case "$u" in
		*:*) echo "$u" ;;
		*) units "$u" ;;
		esac
	done
}
# shellcheck disable=SC2154 # names: suite.sh
list "${names[@]}" | suite_run "$OUT"
