#!/bin/sh
# tty_tmux.sh DIR — tmux with a private socket in DIR runs bash -i; a job is stopped with ^Z, listed, resumed with fg and ended with ^C (sup_tty_progs.sh).
d=$1
S="$d/tmux.sock"
t() { tmux -S "$S" "$@"; }
# Wait for a marker on the pane: polling tmux's screen (no other signal
# tells us the shell has drawn it), bounded.
wait_for() {
	i=0
	while [ $i -lt 300 ]; do
		t capture-pane -p | grep -q -- "$1" && return 0
		sleep 0.05
		i=$((i + 1))
	done
	echo "tmux=failed at $2"
	t capture-pane -p | sed 's/^/#   /'
	t kill-server
	exit 0
}
wait_for_n() {
	i=0
	while [ $i -lt 300 ]; do
		[ "$(t capture-pane -p | grep -c -- "$1")" -ge "$2" ] && return 0
		sleep 0.05
		i=$((i + 1))
	done
	echo "tmux=failed at $3"
	t kill-server
	exit 0
}
t -f /dev/null new-session -d -x 100 -y 30 "bash --norc --noprofile -i" || { echo "tmux=failed to start"; exit 0; }
t send-keys "PS1='@''@> '" Enter
wait_for '^@@>' prompt
t send-keys "sh -c 'echo sta''rted; exec cat'" Enter
wait_for '^started$' "job started"
t send-keys C-z
wait_for 'Stopped' stopped
t send-keys "jobs" Enter
wait_for '^\[1\]+ *Stopped *sh -c' jobs
t send-keys "fg" Enter
wait_for "^sh -c 'echo sta''rted; exec cat'\$" fg
# cat's copy of a line (after the terminal's echo) shows it holds the terminal.
t send-keys ping Enter
wait_for_n '^ping$' 2 "cat reads in front"
t send-keys C-c
# The next line only once the shell prompts again (its fourth prompt):
# typed while ^C was ending the job, it was lost once in four runs, natively.
wait_for_n '^@@>' 4 "prompt after ^C"
t send-keys 'echo rc=$?' Enter
wait_for '^rc=130$' rc
t send-keys 'echo ids: $(ps -o pgid=,sid=,tty= -p $$)' Enter
wait_for '^ids: ' ids
line=$(t capture-pane -p | grep '^ids: ' | tail -n 1)
# The shell leads its session, whose terminal is tmux's pty.
set -- $line
[ "$2" = "$3" ] && case $4 in pts/*) true;; *) false;; esac && ok=yes || ok="no ($line)"
t kill-server
echo "tmux=ok shell-leads-session-on-pty=$ok"
