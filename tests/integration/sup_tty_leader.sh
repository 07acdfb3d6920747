#!/bin/bash
# sup_tty_leader.sh BUILD — jobshim as its terminal's controlling process (tmux, ssh -t, script -c, docker run -t start it so): the command takes the terminal and leads its real session, so a hangup reaches it as natively (bash passes it on to its jobs and dies of it), its exit sends the foreground group SIGHUP, and a ^Z is discarded for its orphaned group instead of stopping the run for good; and when someone else shares jobshim's session (no hand-over), the supervisor plays those rules.
set -u
# Hangups and ^Z reach groups: inside a private pid namespace.
. "$(dirname "$0")/lib/sup.sh" "${1:-build}" 300
L="$(cd "$(dirname "$0")" && pwd)/lib"
[ -x "$J" ] || { echo "not ok - $J missing"; exit 1; }

# Linux's answer, written down so that every side is held to it.
want="hangup-at-prompt: ready status=sig1 traps=bg
hangup-fg-job: ready status=sig1 traps=bg,fg
suspend: read-on status=0
leader-exit: status=0 traps=exit"

# run NAME CASES PREFIX...: the cases with PREFIX; their lines of $want.
run() {
	local name=$1 cases=$2 got exp
	shift 2
	exp=$(echo "$want" | grep -E "^(${cases// /|}):")
	got=$(cd "$d" && TTY_LEADER_CASES=$cases timeout 200 python3 "$L/tty_leader.py" "$@" </dev/null 2>"$d/err")
	if [ "$got" = "$exp" ]; then
		echo "ok - $name: $(echo "$got" | tr '\n' ' ')"
	else
		echo "not ok - $name"
		diff <(echo "$exp") <(echo "$got") | sed 's/^/    /'
		tail -c 2000 "$d/err" | sed 's/^/    /'
		fail=1
	fi
}

# trace FILE WHAT PATTERN: the trace shows how it was done.
trace() {
	if grep -q "$3" "$d/$1.jsonl" 2>/dev/null; then
		echo "ok - trace of $1: $2"
	else
		echo "not ok - trace of $1: $2 ($3) missing"
		fail=1
	fi
}

all="hangup-at-prompt hangup-fg-job suspend leader-exit"
d=$T
run native "$all"
run "jobshim, the terminal handed over" "$all" "$J" run --wait --trace "$d/{case}.jsonl" --
for c in $all; do
	trace "$c" "the command took the terminal" '"ev":"ctty".*"acquired":true,"how":"handed","sid":2,"leader":true,"tty":"/dev/pts/'
done
rm -f "$d"/*.jsonl

# Another process in jobshim's session: the terminal stays jobshim's and
# the supervisor plays the kernel's part (term.c).  Not the hangup at the
# prompt: there bash reads end of file before a SIGHUP from the supervisor
# can reach it (the kernel signals first, then wakes readers).
run "jobshim, someone else in its session" "hangup-fg-job suspend leader-exit" \
	sh -c '(sleep 120 &); exec "$@"' sh "$J" run --wait --trace "$d/{case}.jsonl" --
trace hangup-fg-job "SIGHUP and SIGCONT to the command" '"ev":"hangup".*"how":"leader"'
trace suspend "the ^Z undone" '"ev":"tty_stop_discarded"'
trace leader-exit "SIGHUP to the foreground group" '"ev":"hangup".*"how":"exit"'
for c in hangup-fg-job suspend leader-exit; do
	grep -q '"how":"handed"' "$d/$c.jsonl" && { echo "not ok - $c: handed over with someone else in the session"; fail=1; }
done
rm -f "$d"/*.jsonl

# A child of jobshim's earlier image in its session (and group): the
# hand-over's TIOCNOTTY would hang it up, so the terminal stays jobshim's.
run "jobshim, its earlier image's child in its group" "suspend" \
	sh -c 'sleep 120 & exec "$@"' sh "$J" run --trace "$d/{case}.jsonl" --
grep -q '"how":"handed"' "$d/suspend.jsonl" &&
	{ echo "not ok - suspend: handed over with a child of the earlier image in the session"; fail=1; }
exit $fail
