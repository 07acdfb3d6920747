# common.sh — sourced by run.sh and prog_*.sh: build paths, the private pid namespace, shim runs.
# shellcheck shell=bash
# Usage: B=<build dir>; . tests/integration/lib/common.sh

# Every run under jobshim happens in a private pid namespace: if the shim
# were broken, kill(-1) or a group signal with a virtual id taken as a real
# one would otherwise reach processes of the machine (the CI runner itself).
# IT_NS is the unshare prefix ("" when no namespace can be made).
IT_NS=""
if unshare --pid --fork --kill-child --mount-proc true 2>/dev/null; then
	IT_NS="unshare --pid --fork --kill-child --mount-proc"
elif unshare --map-root-user --pid --fork --kill-child --mount-proc true 2>/dev/null; then
	IT_NS="unshare --map-root-user --pid --fork --kill-child --mount-proc"
fi

JOBSHIM="$B/jobshim"
SHIMLIB="$B/libjobshim.so"
NATIVE_INIT="$B/itest/native_init"
# Shim runs start with pidpush as the namespace's pid 1: it moves the real
# pids to 10000 and more before anything is forked, so that real pids never
# equal the virtual ones (1, 2, 3, ...) and a missing translation shows.
# Native runs keep the kernel's small numbers: they are the expected truth.
PIDPUSH="$B/itest/pidpush"
# IT_PIDPUSH=0 (the third-party suites, run by hand): no push, real ids from
# 1 as in a container's fresh pid namespace, where they meet the vpids.
[ "${IT_PIDPUSH:-1}" = 0 ] && PIDPUSH=

# Why the shim cannot be run, or "" when it can.
it_shim_missing() {
	if [ ! -x "$JOBSHIM" ]; then echo "$JOBSHIM missing"
	elif [ ! -f "$SHIMLIB" ]; then echo "$SHIMLIB missing"
	elif [ ! -x "$NATIVE_INIT" ]; then echo "$NATIVE_INIT missing"
	elif [ -n "$PIDPUSH" ] && [ ! -x "$PIDPUSH" ]; then echo "$PIDPUSH missing"
	elif [ -z "$IT_NS" ]; then echo "no private pid namespace (unshare --pid) for shim runs"
	fi
}

# it_shim [jobshim run options] -- CMD ARGS...: run under jobshim, in a fresh
# pid namespace whose pid 1 is native_init (jobshim is then an ordinary
# process, as when started from a shell or a CI job) and whose real pids
# are pushed away from the virtual ones (pidpush), 60 s at most.
it_shim() {
	# shellcheck disable=SC2086
	timeout -k 5 60 $IT_NS ${PIDPUSH:+"$PIDPUSH"} "$NATIVE_INIT" "$JOBSHIM" run "$@" </dev/null
}

# it_native CMD ARGS...: the same shape natively (native_init is the init).
it_native() {
	# shellcheck disable=SC2086
	timeout -k 5 60 $IT_NS "$NATIVE_INIT" "$@" </dev/null
}

# it_expect WHAT GOT WANT: compare, print a one-line verdict, count failures.
it_failures=0
it_expect() {
	if [ "$2" = "$3" ]; then
		echo "  ok   $1"
	else
		echo "  FAIL $1"
		echo "       got:  $(printf '%s' "$2" | head -c 600 | tr '\n' '|')"
		echo "       want: $(printf '%s' "$3" | tr '\n' '|')"
		it_failures=$((it_failures + 1))
	fi
}

# it_both WHAT WANT CMD ARGS...: run CMD natively (pid namespace: CMD is
# pid 2, its children 3, 4, ... as under jobshim) and under jobshim; each
# stdout must equal WANT, and jobshim must not have warned on stderr.
it_both() {
	local what=$1 want=$2 n s err
	shift 2
	err=$(mktemp)
	n=$(it_native "$@" 2>/dev/null)
	s=$(it_shim -- "$@" 2>"$err")
	it_expect "$what (native)" "$n" "$want"
	it_expect "$what (jobshim)" "$s" "$want"
	if grep -q '^jobshim' "$err"; then
		it_expect "$what (jobshim stderr)" "$(grep '^jobshim' "$err")" ""
	fi
	rm -f "$err"
}
