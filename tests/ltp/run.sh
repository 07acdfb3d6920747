#!/bin/bash
# run.sh [-j N] [NAME...] — the LTP subset natively and under `jobshim run`, each in a private pid namespace; agree/disagree.
#
# Needs `make ltp` first (tests/ltp/build.sh: BUILD/ltp-src, BUILD/ltp-posix).
# Tests: the runtest/syscalls entries whose program was built (the process
# and signal calls, build.sh's SYSCALLS) and every open_posix binary.  Each
# runs twice, each time in its own pid namespace with its own /proc
# (tests/integration/lib/common.sh): natively under native_init, and under
# jobshim (pidpush, native_init, jobshim run), with a fresh TMPDIR and the
# test's directory first in PATH (helpers it execs).  The outcome compared:
# the exit status and the number of each LTP result (TPASS TFAIL TBROK
# TCONF TWARN lines); for open_posix the exit status (0 PASS, 1 FAIL,
# 2 UNRESOLVED, 4 UNSUPPORTED, 5 UNTESTED).  Logs: BUILD/ltp-out/NAME.{native,shim}.
# Prints one line per test ("agree NAME OUTCOME" or "DISAGREE NAME native:
# ... jobshim: ..."), then the tally; exit 0 when every test agreed.
# Environment: B (build dir, default build), LTP_TIMEOUT (backstop per run,
# 600 s; LTP's own per-test timeouts come first), LTP_RUNTIME_MUL (LTP's
# factor for the tests that run for a set time rather than to an end:
# 0.1 here, on both sides alike; fork13 forks for 600 s -- never its
# million iterations on this machine -- so it would outlast the backstop
# natively too and give no verdict; 0.1 makes it 60 s each side),
# IT_PIDPUSH=0 (jobshim runs without pidpush: real ids start at 1, as in
# a container's fresh pid namespace, where they meet the vpids).
# shellcheck source=../suite.sh
. "$(dirname "$0")/../suite.sh" ltp "$@"
S=$B/ltp-src
P=$B/ltp-posix
# LTP_POSIX=DIR: only the open_posix binaries of DIR (e.g. BUILD/ltp-posix-static).
[ -n "${LTP_POSIX:-}" ] && P=$(cd "$LTP_POSIX" && pwd)
OUT=$B/ltp-out
[ -d "$S/testcases" ] && [ -d "$P" ] || { echo "ltp: not built (make ltp)"; exit 2; }
mkdir -p "$OUT"

# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

# one "NAME DIR CMD ARGS...": both runs, one verdict line.
one() {
	local name=$1 dir=$2 kind=ltp rcn rcs on os tmp lk
	shift 2
	case "$name" in posix-*) kind=posix ;; esac
	tmp=$(mktemp -d)
	mkdir -p "$tmp/n" "$tmp/s"
	ltp_root "$tmp" "$dir" "$1"
	chmod 755 "$tmp/n" "$tmp/s"
	# LTP's cgroup library names its group after getpid() (ltp/test-<pid>):
	# two such tests at once, each pid 2 of its own namespace, shared it
	# and removed it under each other (-j 2: thousands of TBROK, then SEGV,
	# natively too).  They run one at a time; the lock goes with this
	# function's process.
	if grep -q needs_cgroup_ctrls "$dir/$1.c" 2>/dev/null; then
		exec {lk}>>"$OUT/.cgroup.lock"
		flock "$lk"
	fi
	# shellcheck disable=SC2086
	(cd "$tmp/n" && TMPDIR=$tmp/n PATH=$dir:$PATH LTPROOT=$tmp/root timeout -k 5 "${LTP_TIMEOUT:-600}" \
		$IT_NS "$NATIVE_INIT" "$@" </dev/null >"$OUT/$name.native" 2>&1)
	rcn=$?
	# shellcheck disable=SC2086
	(cd "$tmp/s" && TMPDIR=$tmp/s PATH=$dir:$PATH LTPROOT=$tmp/root timeout -k 5 "${LTP_TIMEOUT:-600}" \
		$IT_NS ${PIDPUSH:+"$PIDPUSH"} "$NATIVE_INIT" "$JOBSHIM" run -- "$@" </dev/null >"$OUT/$name.shim" 2>&1)
	rcs=$?
	rm -rf "$tmp"
	on=$(outcome "$kind" "$rcn" "$OUT/$name.native")
	os=$(outcome "$kind" "$rcs" "$OUT/$name.shim")
	if [ "$on" = "$os" ]; then echo "agree $name $on"; else echo "DISAGREE $name native: $on; jobshim: $os"; fi
}
export -f one outcome ltp_root
export S OUT IT_NS NATIVE_INIT PIDPUSH JOBSHIM
export LTP_RUNTIME_MUL=${LTP_RUNTIME_MUL:-0.1}

# shellcheck disable=SC2154 # names: suite.sh
list | sel "${names[@]}" | suite_run "$OUT"
