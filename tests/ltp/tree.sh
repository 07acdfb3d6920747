#!/bin/bash
# tree.sh [-j N] [NAME...] — LTP as a harness runs it: the tests one after another in one process tree, natively and under one `jobshim run`; agree/disagree per test.
#
# run.sh gives every test a pid namespace and a `jobshim run` of its own.
# A harness (runltp, kirk, a CI job's loop) runs the whole list in one
# tree instead, and so do users: one supervisor then meets tens of
# thousands of processes, its vpids wrap at pid_max (LTP takes pid_max
# itself as a pid nobody has), and what one test leaves behind meets the
# next.  Here the list (run.sh's, NAME... regexes as there) runs in turn
# inside one private pid namespace natively (native_init its init, the
# runner pid 2) and inside one `jobshim run` in another namespace (pidpush
# first, as run.sh), both trees at once with -j 2 or more (SysV IPC keys
# and cgroups are the machine's: a test that fails beside another agrees
# when run.sh runs it alone), else one after the other.  Each test's
# outcome is compared as run.sh compares it.  Logs: BUILD/ltp-tree/
# {native,shim}/NAME; each tree's last line is the last pid it handed out
# (ns_last_pid), how far its numbering went.  Exit 0 when every test agreed.
# Environment as run.sh: B, LTP_TIMEOUT (per test, 600 s), LTP_RUNTIME_MUL.

# Inside a tree: tree.sh --seq LIST OUTDIR runs each test of LIST in turn.
if [ "${1:-}" = --seq ]; then
	# shellcheck source=lib.sh
	. "$(dirname "$0")/lib.sh"
	while read -r name dir cmd args; do
		tmp=$(mktemp -d)
		ltp_root "$tmp" "$dir" "$cmd"
		# shellcheck disable=SC2086
		(cd "$tmp" && TMPDIR=$tmp PATH=$dir:$PATH LTPROOT=$tmp/root \
			timeout -k 5 "${LTP_TIMEOUT:-600}" "$cmd" $args </dev/null >"$3/$name" 2>&1)
		echo "$name $?"
		rm -rf "$tmp"
	done <"$2"
	echo "ns_last_pid $(cat /proc/sys/kernel/ns_last_pid)"
	exit 0
fi

# shellcheck source=../suite.sh
. "$(dirname "$0")/../suite.sh" ltp "$@"
S=$B/ltp-src
P=$B/ltp-posix
[ -d "$S/testcases" ] && [ -d "$P" ] || { echo "ltp: not built (make ltp)"; exit 2; }
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
OUT=$B/ltp-tree
rm -rf "$OUT"
mkdir -p "$OUT/native" "$OUT/shim"
export LTP_RUNTIME_MUL=${LTP_RUNTIME_MUL:-0.1}
SELF=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")

# shellcheck disable=SC2154 # names: suite.sh
list | sel "${names[@]}" >"$OUT/list"
[ -s "$OUT/list" ] || { echo "ltp: no test ran (a name that matches none?)"; exit 2; }
native() {
	# shellcheck disable=SC2086
	$IT_NS "$NATIVE_INIT" bash "$SELF" --seq "$OUT/list" "$OUT/native" >"$OUT/native.rc" 2>"$OUT/native.err"
}
shim() {
	# shellcheck disable=SC2086
	$IT_NS ${PIDPUSH:+"$PIDPUSH"} "$NATIVE_INIT" "$JOBSHIM" run -- bash "$SELF" --seq "$OUT/list" "$OUT/shim" \
		>"$OUT/shim.rc" 2>"$OUT/shim.err"
}
if [ "$jobs" -ge 2 ]; then
	native &
	shim
	wait
else
	native
	shim
fi

total=0
agree=0
while read -r name _; do
	kind=ltp
	case "$name" in posix-*) kind=posix ;; esac
	rcn=$(awk -v n="$name" '$1 == n { print $2 }' "$OUT/native.rc")
	rcs=$(awk -v n="$name" '$1 == n { print $2 }' "$OUT/shim.rc")
	on=$(outcome "$kind" "${rcn:-255}" "$OUT/native/$name" 2>/dev/null)
	os=$(outcome "$kind" "${rcs:-255}" "$OUT/shim/$name" 2>/dev/null)
	[ -n "$rcn" ] || on="not run ($on)"
	[ -n "$rcs" ] || os="not run ($os)"
	total=$((total + 1))
	if [ "$on" = "$os" ]; then
		agree=$((agree + 1))
		echo "agree $name $on"
	else
		echo "DISAGREE $name native: $on; jobshim: $os"
	fi
done <"$OUT/list"
echo "ltp tree: last pid natively $(awk '$1 == "ns_last_pid" { print $2 }' "$OUT/native.rc"), under jobshim $(awk '$1 == "ns_last_pid" { print $2 }' "$OUT/shim.rc")"
echo "ltp tree: $total tests, $agree agree, $((total - agree)) disagree (logs: $OUT)"
[ "$agree" -eq "$total" ]
