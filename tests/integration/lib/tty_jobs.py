"""tty_jobs.py JOBSHIM|native SHELL — an interactive shell's own job control on a pty.

Types at `SHELL -i` (run natively, or inside `JOBSHIM run --`) and prints one
line of facts, the same natively and under jobshim when the kernel's
terminal job control follows the shell's process groups:
  bg-runs-after-^Z   ^Z stops the foreground job only: a background job runs on
  fg-only-^C         ^C ends the foreground job only: the other job survives
  ttin               a background job reading the terminal is stopped (SIGTTIN)
On a failure the whole transcript goes to stderr.
"""
import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ptyshell import PtyShell  # noqa: E402

J, SH = sys.argv[1], sys.argv[2]
# Each shell without its start-up files; zsh words job states its own way.
args = {"dash": [SH, "-i"], "mksh": [SH, "-i"], "zsh": [SH, "-f", "-i"]}.get(
    SH, [SH, "--norc", "--noprofile", "-i"])
STOPPED, RUNNING = ("suspended", "running") if SH == "zsh" else ("Stopped", "Running")
if J != "native":
    args = [J, "run", "--"] + args
sh = PtyShell(args)
until, send = sh.until, sh.send


def mark(n):
    """Wait until the shell has run everything typed so far: it prints Mn
    (computed, so that the echo of the typed line does not match)."""
    send("echo M$((%d+1))\n" % (n - 1))
    until("M%d\r" % n)


def between(a, b):
    text = sh.text().replace("\r", "")
    return text[text.rfind(a + "\n"):text.rfind(b + "\n")]


send("PS1='P$ '\n")
mark(1)
send("sleep 100 &\n")
mark(2)
send("sleep 30\n")
sh.until_fg_ready("sleep", signal.SIGTSTP)  # ^Z once the job can take it
send("\x1a")
until(STOPPED)
mark(3)
send("jobs; echo J$((0+1))\n")
until("J1\r")
send("bg %2\n")
mark(4)
send("fg %1\n")
sh.until_fg_ready("sleep", signal.SIGINT)
sh.interrupt("P$ ")
mark(5)
send("jobs; echo J$((1+1))\n")
until("J2\r")
send("kill %2\n")
mark(6)
send("cat &\n")
mark(7)
# Ask for the job table until cat shows as stopped (its read may come
# late on a loaded machine); a cat that keeps running is the failure.
give_up = time.time() + 40  # a hang guard: sup_tty.sh allows 60 s in all
for k in range(200):
    if time.time() > give_up:
        break
    send("jobs; echo K$((%d+1))\n" % k)
    until("K%d\r" % (k + 1))
    if any("cat" in l and STOPPED in l for l in between("M7", "K%d" % (k + 1)).splitlines()):
        break
    time.sleep(0.1)
# What a background cat that never showed as stopped was doing (a native
# run once listed it "Running" through every poll, under load): its real
# state and where it sleeps, read before it is killed, told on failure.
cat_seen = ""
for pid in os.listdir("/proc"):
    try:
        with open("/proc/%s/comm" % pid) as f:
            if f.read().strip() != "cat":
                continue
        with open("/proc/%s/stat" % pid) as f:
            stat = f.read().strip()
        with open("/proc/%s/wchan" % pid) as f:
            cat_seen += "cat %s: stat %s; wchan %s\n" % (pid, stat, f.read())
    except OSError:
        pass
send("jobs; echo J$((2+1))\n")
until("J3\r")
send("kill %cat; kill -CONT %cat\n")
mark(8)
send("exit\n")
until("\0", 2)  # let it finish

j1, j2 = between("M3", "J1"), between("M5", "J2")
text = sh.text().replace("\r", "")
j3 = text[text.rfind("J$((2+1))"):text.rfind("J3\n")]  # the last jobs listing
bg_line = [l for l in j1.splitlines() if "sleep 100" in l]
fg_line = [l for l in j1.splitlines() if "sleep 30" in l]
facts = {
    "bg-runs-after-^Z": bool(bg_line and RUNNING in bg_line[0] and fg_line and STOPPED in fg_line[0]),
    "fg-only-^C": "sleep 30" in j2 and "sleep 100" not in j2,
    "ttin": any("cat" in l and STOPPED in l for l in j3.splitlines()),
}
print(" ".join("%s=%s" % kv for kv in facts.items()))
if not all(facts.values()):
    sys.stderr.write(cat_seen + sh.text())
