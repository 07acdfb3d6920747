#!/bin/bash
# sup_tty_progs.sh BUILD — real programs driving a pty, natively and under jobshim with the same facts: script -qc, python pty.spawn, pexpect and expect job-control dialogues with bash -i, tmux running bash -i with a stopped and resumed job, and an interactive `jobshim run -- bash -i` suspended and resumed by the outer shell; the trace's ctty events.
set -u
B=$(cd "${1:-build}" && pwd)
if [ "${SUP_IN_NS:-}" != 1 ]; then
	# Group signals (^C, ^Z) inside a private pid namespace.
	SUP_IN_NS=1 exec timeout 300 unshare --pid --fork --kill-child --mount-proc "$0" "$B"
fi
J="$B/jobshim"
L="$(cd "$(dirname "$0")" && pwd)/lib"
fail=0
[ -x "$J" ] || { echo "not ok - $J missing"; exit 1; }
for p in python3 bash script expect tmux; do
	command -v $p >/dev/null || { echo "not ok - $p missing (scripts/deps.sh installs it)"; exit 1; }
done
python3 -c 'import pexpect' 2>/dev/null || { echo "not ok - python3-pexpect missing (scripts/deps.sh installs it)"; exit 1; }

want="script=job-control rc=0
pty.spawn=job-control rc=0
interactive=ok
pexpect-dialogue=ok exit=0
expect-dialogue=ok exit=0
tmux=ok shell-leads-session-on-pty=yes"

for how in native jobshim; do
	d=$(mktemp -d)
	if [ $how = native ]; then pfx=(); else pfx=("$J" run --); fi
	got=$(
		cd "$d" || exit 1
		timeout 120 python3 "$L/tty_progs.py" "${pfx[@]}"
		timeout 60 "${pfx[@]}" python3 "$L/tty_dialogue.py" </dev/null
		timeout 60 "${pfx[@]}" expect -f "$L/tty_dialogue.exp" </dev/null
		timeout 60 "${pfx[@]}" sh "$L/tty_tmux.sh" "$d" </dev/null
	) 2>"$d/err"
	if [ "$got" = "$want" ]; then
		echo "ok - $how: $(echo "$got" | tr '\n' ' ')"
	else
		echo "not ok - $how"
		diff <(echo "$want") <(echo "$got") | sed 's/^/    /'
		tail -c 2000 "$d/err" | sed 's/^/    /'
		fail=1
	fi
	rm -rf "$d"
done

# The trace tells when a session of the tree acquired or dropped a terminal.
tr=$(mktemp)
"$J" run --trace "$tr" -- "$B/itest/t_tty" >"$tr.out" 2>&1
rc=$?
[ $rc -eq 0 ] && echo "ok - t_tty under --trace" ||
	{ echo "not ok - t_tty under --trace: rc $rc"; tail -n 30 "$tr.out" | sed 's/^/    /'; fail=1; }
for ev in '"acquired":true,"how":"open"' '"acquired":false,"how":"TIOCNOTTY"' \
	'"acquired":true,"how":"TIOCSCTTY"' '"acquired":true,"how":"login_tty"'; do
	if grep -q "\"ev\":\"ctty\".*$ev,\"sid\":[0-9]*,\"leader\":true,\"tty\":\"/dev/pts/" "$tr"; then
		echo "ok - trace: ctty $ev"
	else
		echo "not ok - trace: ctty $ev"
		grep '"ctty"' "$tr" | head -n 8 | sed 's/^/    /'
		fail=1
	fi
done
rm -f "$tr" "$tr.out"
exit $fail
