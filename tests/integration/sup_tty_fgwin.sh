#!/bin/bash
# sup_tty_fgwin.sh BUILD — a shell's tcsetpgrp hands the terminal to the job at once, even while the supervisor cannot answer (held stopped): the race that stalled the expect dialogue after `fg` under load, forced; natively and under jobshim, the same facts.
set -u
B=$(cd "${1:-build}" && pwd)
if [ "${SUP_IN_NS:-}" != 1 ]; then
	SUP_IN_NS=1 exec timeout 120 unshare --pid --fork --kill-child --mount-proc "$0" "$B"
fi
J="$B/jobshim"
P="$B/itest/tty_fgwin"
fail=0
[ -x "$J" ] && [ -x "$P" ] || { echo "not ok - $J or $P missing"; exit 1; }

# tty_fgwin.c says what runs inside.  The driver holds the fifos open
# read-write (so no open blocks) and, under jobshim, stops the supervisor
# between READY and GO: the job must read in front before it is continued.
want="job: setpgid(0, 0): 0
job: read from the background: -1 EIO
shell: tcgetpgrp before: shell
shell: tcsetpgrp(job): 0
job: reads in front: EAGAIN
shell: tcgetpgrp after: job
job: exit 0 (0x0)
shell: exit 0 (0x0)
front while the supervisor could not answer: yes"
for how in native jobshim; do
	d=$(mktemp -d)
	mkfifo "$d/ready" "$d/go" "$d/front"
	exec 3<>"$d/ready" 4<>"$d/go" 5<>"$d/front"
	if [ $how = native ]; then
		"$P" "$d/ready" "$d/go" "$d/front" </dev/null >"$d/out" 2>"$d/err" &
	else
		"$J" run -- "$P" "$d/ready" "$d/go" "$d/front" </dev/null >"$d/out" 2>"$d/err" &
	fi
	pid=$!
	front=no
	if read -r -t 30 -u 3 line && [ "$line" = ready ]; then
		[ $how = jobshim ] && kill -STOP $pid
		echo go >&4
		# Waiting for a state: natively at once; under jobshim the old
		# order (round trip, then the real move) never gets there while
		# the supervisor is stopped.
		read -r -t 10 -u 5 line && [ "$line" = front ] && front=yes
		[ $how = jobshim ] && kill -CONT $pid
	fi
	wait $pid
	rc=$?
	exec 3>&- 4>&- 5>&-
	# The job's and the shell's lines interleave as they run: compare sorted.
	got="$(sort "$d/out")
front while the supervisor could not answer: $front"
	want_sorted="$(echo "$want" | head -n -1 | sort)
$(echo "$want" | tail -n 1)"
	if [ "$got" = "$want_sorted" ] && [ $rc -eq 0 ]; then
		echo "ok - $how: the job reads in front while the shell's tcsetpgrp is under way"
	else
		echo "not ok - $how (rc $rc)"
		diff <(echo "$want_sorted") <(echo "$got") | sed 's/^/    /'
		tail -c 2000 "$d/err" | sed 's/^/    /'
		fail=1
	fi
	rm -rf "$d"
done
exit $fail
