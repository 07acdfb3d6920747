#!/bin/bash
# sup_tty.sh BUILD — jobshim on a terminal: the tree gets the terminal, ^C and ^Z/fg work, the shell gets it back; a shell inside runs its own jobs.
set -u
B=$(cd "${1:-build}" && pwd)
if [ "${SUP_IN_NS:-}" != 1 ]; then
	# pidpush: real pids far from the virtual ones (lib/common.sh).
	SUP_IN_NS=1 exec timeout 120 unshare --pid --fork --kill-child --mount-proc \
		"$B/itest/pidpush" "$0" "$B"
fi
J="$B/jobshim"
fail=0
ok() { echo "ok - $*"; }
bad() { echo "not ok - $*"; fail=1; }
[ -x "$J" ] || { echo "not ok - $J missing"; exit 1; }
command -v python3 >/dev/null && command -v bash >/dev/null || { echo "not ok - python3 or bash missing (scripts/deps.sh installs python3)"; exit 1; }

# An interactive bash on a pty runs jobshim as a job; we type at it.
out=$(timeout 60 python3 - "$J" "$(dirname "$0")/lib" <<'EOF'
import signal, sys
J = sys.argv[1]
sys.path.insert(0, sys.argv[2])
from ptyshell import PtyShell
sh = PtyShell(["bash", "--norc", "--noprofile", "-i"])
sh.guard(55)
until, send = sh.until, sh.send
send("PS1='%s$ '\n" % "P")
until("P$ ")
until("P$ ")
# The command is in the terminal's foreground group.
send(J + " run -- sh -c 'test $(cut -d\" \" -f5 /proc/self/stat) = $(cut -d\" \" -f8 /proc/self/stat) && echo IS_FG; exit 6'; echo rc1=$?\n")
until("rc1=6")
until("P$ ")
# ^Z stops the job (jobshim with it), fg resumes it.
# Each ^Z and ^C is typed once the tree holds the terminal (a fixed sleep
# only guessed it; on a loaded machine `sleep 3` could even end first),
# ^Z once the job's sleep runs: typed while dash vforks it, it hangs the
# job natively too (ptyshell.until_fg_has).
send(J + " run -- sh -c 'sleep 3; echo FINISHED; exit 7'\n")
ready = sh.until_fg_has("sleep", 30)
send("\x1a")
until("Stopped")
until("P$ ")
send("fg\n")
until("FINISHED")
send("echo rc2=$?\n")
until("rc2=7")
until("P$ ")
# ^C reaches the tree, not jobshim; 128+2.
send(J + " run -- sh -c 'sleep 10'\n")
ready = sh.until_fg_ready(("sh", "sleep"), signal.SIGINT, 30) and ready
send("\x03")
until("P$ ")
send("echo rc3=$?\n")
until("rc3=130")
until("P$ ")
send("exit\n")
print(sh.text())
print("fg-ready=%s" % ready)
print("waited in vain for %r" % sh.misses)
EOF
)
echo "$out" | grep -q "fg-ready=True" && ok "the tree's sh took the terminal before each ^Z, ^C" || bad "never ready: $out"
echo "$out" | grep -q "IS_FG" && ok "command owns the terminal" || bad "not foreground: $out"
echo "$out" | grep -q "rc1=6" && ok "status through the terminal hand-off" || bad "rc1: $out"
echo "$out" | grep -q "Stopped" && ok "^Z stops the job" || bad "no stop: $out"
echo "$out" | grep -q "rc2=7" && ok "fg resumes it to the end" || bad "rc2: $out"
echo "$out" | grep -q "rc3=130" && ok "^C: exit 130" || bad "rc3: $out"

# jobshim ps shows the terminal and its foreground group, as ps -o tty,tpgid
# does: the shell (pid 2) and its background job (3) are on the terminal,
# whose foreground group is the job running `jobshim ps` (4).
out=$(timeout 60 python3 - "$J" "$(dirname "$0")/lib" <<'EOF'
import sys
J = sys.argv[1]
sys.path.insert(0, sys.argv[2])
from ptyshell import PtyShell
sh = PtyShell([J, "run", "--", "bash", "--norc", "--noprofile", "-i"])
sh.guard(55)
sh.send("PS1='P$ '\n")
sh.until("P$ ")
sh.send("sleep 100 & " + J + " ps; tty; echo T$((1+1))\n")
sh.until("T2")
sh.send("kill %1; exit\n")
sh.until("\0", 2)
print(sh.text().replace("\r", ""))
EOF
)
tty=$(echo "$out" | sed -n 's|^/dev/\(pts/[0-9]*\)$|\1|p' | head -n 1)
row2=$(echo "$out" | awk '$1 == 2 && $8 == "bash" {print $5, $6}')
row3=$(echo "$out" | awk '$1 == 3 {print $5, $6}')
[ -n "$tty" ] && [ "$row2" = "$tty 4" ] && ok "ps: the shell on $tty, group 4 in front" || bad "ps TTY/TPGID of pid 2: '$row2' (tty '$tty'): $out"
[ -n "$tty" ] && [ "$row3" = "$tty 4" ] && ok "ps: its background job on $tty, group 4 in front" || bad "ps TTY/TPGID of pid 3: '$row3': $out"

# Foreground changes are in the trace: `fg` of a job and back.
t=$(mktemp)
timeout 60 script -qc "$J run --trace $t -- bash -c 'set -m; sleep 0.1 & fg %1 >/dev/null'" /dev/null </dev/null >/dev/null 2>&1
fgs=$(grep '"ev":"foreground"' "$t" | sed 's/.*"vpid":\([0-9]*\),.*"sid":\([0-9]*\),"from":\([0-9]*\),"pgid":\([0-9]*\)}/\1:\2:\3->\4/' | tr '\n' ' ')
[ "$fgs" = "2:2:2->3 2:2:3->2 " ] && ok "trace: foreground 2->3 and back" || bad "trace foreground events: '$fgs': $(cat "$t")"
rm -f "$t"

# An interactive shell inside jobshim runs its own jobs on the terminal:
# real process groups mirror the virtual ones, so ^Z and ^C reach the
# foreground job only, and a background job that reads the terminal gets
# SIGTTIN.  The same keystrokes natively and under jobshim (lib/tty_jobs.py),
# in bash, dash, zsh and mksh.
jobs_py="$(dirname "$0")/lib/tty_jobs.py"
all_true="bg-runs-after-^Z=True fg-only-^C=True ttin=True"
for sh in bash dash zsh mksh; do
	command -v $sh >/dev/null || { bad "$sh missing"; continue; }
	want=$(timeout 60 python3 "$jobs_py" native $sh 2>/tmp/tty_jobs.$$.err)
	[ "$want" = "$all_true" ] && ok "$sh -i natively: $want" ||
		{ bad "$sh -i natively: $want"; head -c 3000 /tmp/tty_jobs.$$.err; }
	got=$(timeout 60 python3 "$jobs_py" "$J" $sh 2>/tmp/tty_jobs.$$.err)
	[ "$got" = "$want" ] && ok "$sh -i inside jobshim: $got" ||
		{ bad "$sh -i inside jobshim: $got"; head -c 3000 /tmp/tty_jobs.$$.err; }
	rm -f /tmp/tty_jobs.$$.err
done
exit $fail
