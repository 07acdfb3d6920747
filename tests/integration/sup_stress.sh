#!/bin/bash
# sup_stress.sh BUILD — load on the supervisor: 2,000 processes in waves, make -j on 500 targets,
# random SIGKILLs during job control; after each, nothing leaked (processes, table entries, fds).
#
# build/itest/stress_tree is the command of each run (see its header): it
# measures the supervisor before the load, runs it, then waits until CHECK
# says only init and itself are alive, the supervisor has no other child,
# its fd count is back and its VmRSS is bounded; it prints the figures.
set -u
# The namespace's 600 s is a backstop; hangs are caught by progress_guard
# (30 s without a new process), which a slow machine never trips.
. "$(dirname "$0")/lib/sup.sh" "${1:-build}" 600
S="$B/itest/stress_tree"
for f in "$J" "$S"; do [ -x "$f" ] || { echo "not ok - $f missing"; exit 1; }; done


# run NAME ARGS...: stress_tree under jobshim; its own lines, then jobshim's verdict.
run() {
	local name=$1 rc t0 t1
	shift
	t0=$(date +%s.%N)
	progress_guard 30 "$J" run -- "$S" "$@" >"$T/out" 2>"$T/err"
	rc=$?
	t1=$(date +%s.%N)
	sed 's/^/  /' "$T/out"
	grep -q '^not ok' "$T/out" && fail=1
	[ "$rc" -eq 0 ] && ok "$name: exit 0 ($(awk "BEGIN { printf \"%.1f\", $t1 - $t0 }") s)" || bad "$name: exit $rc"
	if grep -q . "$T/err"; then
		bad "$name: jobshim said something (leftovers, warnings)"
		head -n 10 "$T/err" | sed 's/^/#   /'
	else
		ok "$name: no leftover, no warning"
	fi
}

# 1. 2,000 processes: 10 waves of 200 alive at once, each making a round trip.
run "waves" waves 10 200

# 2. make -j8 on 500 trivial targets: half exec'd directly (posix_spawn), half through sh.
{
	echo 'N := $(shell seq 250)'
	echo 'all: $(addprefix t,$(N)) $(addprefix s,$(N))'
	printf 't%%:\n\t@true $@\n'
	printf 's%%:\n\t@echo $@ >/dev/null\n'
} >"$T/Makefile"
cd "$T" || exit 1
run "make -j8, 500 targets" run make -s -j8 -f "$T/Makefile"
cd / || exit 1

# 3. SIGKILLs of random tree members in the middle of setpgid / kill / wait loops.
run "chaos" chaos 8 300

exit $fail
