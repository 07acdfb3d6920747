"""tty_outer.py JOBSHIM|native DIR — jobshim as a job of the user's interactive shell.

Types at `bash -i` on a pty the same keystrokes for `CMD` run natively and
for `JOBSHIM run -- CMD`, and prints one line of facts that must be the same
both ways (sup_tty_job.sh compares them):
  bg-then-end       ^Z, `bg`, and the job's end leave the shell its terminal
  cat-bg-stops      `cat`, ^Z, `bg`: the job stops again on reading (SIGTTIN)
  cat-bg-fg-reads   ... and `fg` gives it the terminal: typed text comes back
  amp-cat-stops     `cat &`: the job stops on reading
  amp-cat-fg-reads  ... and `fg` gives it the terminal
  loop-stops        ^C in `for ...; do CMD; done` ends the loop
  hup-count         how many times a HUP trap in a foreground job runs when
                    the terminal goes away (the shell resends SIGHUP to its
                    jobs and exits, then the kernel signals the foreground
                    group: natively 1 or 2, see sup_tty_job.sh)
DIR is a scratch directory.  On a failure the transcript goes to stderr.
"""
import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ptyshell import PtyShell  # noqa: E402

J, DIR = sys.argv[1], sys.argv[2]
TRACE = os.path.join(DIR, "hup.jsonl")
X = "" if J == "native" else J + " run -- "
XT = "" if J == "native" else "%s run --trace %s -- " % (J, TRACE)
BASH = ["bash", "--norc", "--noprofile", "-i"]
facts = {}
transcripts = []


def shell():
    sh = PtyShell(BASH)
    sh.n = 0
    sh.send("PS1='P$ '\n")
    return sh


def mark(sh, sec=10):
    """Wait until the shell has run everything typed so far (it prints Mn,
    computed so that the echo of the typed line does not match)."""
    sh.n += 1
    sh.send("echo M$((%d+1))\n" % (sh.n - 1))
    return sh.until("M%d\r" % sh.n, sec)


def jobs_text(sh):
    sh.n += 1
    sh.send("jobs; echo J$((%d+1))\n" % (sh.n - 1))
    start = len(sh.out)
    sh.until("J%d\r" % sh.n)
    return sh.out[start:].decode(errors="replace")


def reads_back(sh):
    """The foreground job is cat: typed text comes back twice (echo + cat)."""
    start = len(sh.out)
    sh.send("abc" + "def\n")
    sh.until("abcdef", 5)
    ok = sh.until("abcdef", 5)
    sh.send("\x04")
    return ok and start >= 0


def finish(sh):
    sh.send("exit\n")
    sh.until("\0", 2)
    transcripts.append(sh.text())


# jobshim stopped and continued in the background must not take the
# terminal when its command ends.
sh = shell()
mark(sh)
sh.send(X + "sleep 2\n")
sh.until_fg_ready("sleep", signal.SIGTSTP)  # ^Z once the job can take it
sh.send("\x1a")
sh.until("Stopped")
mark(sh)
sh.send("bg\n")
mark(sh)
# Sit at the prompt until the shell has collected the job (a taken
# terminal makes the shell's read fail: it exits and marks stop coming).
end = time.time() + 20
alive = True
while alive and time.time() < end and "sleep" in jobs_text(sh):
    alive = mark(sh)
    time.sleep(0.1)
facts["bg-then-end"] = alive and mark(sh) and mark(sh)
finish(sh)

# A reader continued in the background stops again; fg lets it read.
def cat_in_background(prefix, how):
    """Put `cat` in the background (`how`: ^Z then bg, or &); the facts
    PREFIX-stops (it stops on reading) and PREFIX-fg-reads (fg lets it)."""
    sh = shell()
    mark(sh)
    if how == "^Z":
        sh.send(X + "cat\n")
        sh.until_fg_ready("cat", signal.SIGTSTP)
        sh.send("\x1a")
        sh.until("Stopped")
        mark(sh)
        sh.send("bg\n")
    else:
        sh.send(X + "cat &\n")
    mark(sh)
    # Its read may come late on a loaded machine: ask until it shows as
    # stopped (a cat that keeps running is the failure; 40 s hang guard).
    end, stopped = time.time() + 40, False
    while not stopped and time.time() < end:
        stopped = any("cat" in l and "Stopped" in l for l in jobs_text(sh).splitlines())
        if not stopped:
            time.sleep(0.1)
    facts[prefix + "-stops"] = stopped
    sh.send("fg\n")
    sh.until_fg_ready("cat", signal.SIGTTIN)
    facts[prefix + "-fg-reads"] = reads_back(sh) and mark(sh)
    finish(sh)


cat_in_background("cat-bg", "^Z")
# Started in the background: the same.
cat_in_background("amp-cat", "&")

# ^C ends a loop of jobs: the shell sees its job die of SIGINT.
sh = shell()
mark(sh)
sh.send("for i in 1 2 3; do " + X + "sleep 10; echo I$((i*11)); done\n")
sh.until_fg_ready("sleep", signal.SIGINT)
sh.interrupt("P$ ")
mark(sh)
facts["loop-stops"] = "I11" not in sh.text() and mark(sh)
finish(sh)

# Hangup: a foreground job with a HUP trap, then the terminal goes away.
flag, stop = os.path.join(DIR, "hup.count"), os.path.join(DIR, "hup.stop")
sh = shell()
mark(sh)
sh.send(XT + "bash -c 'trap \"echo H >>%s\" HUP; echo R$((1+1)); "
        "while [ ! -e %s ]; do sleep 0.05; done; echo done >>%s'\n" % (flag, stop, flag))
sh.until("R2\r")
time.sleep(0.3)
transcripts.append(sh.text())
os.close(sh.fd)
os.waitpid(sh.pid, 0)
if J != "native":
    # jobshim got the shell's SIGHUP: wait until it has dealt with it.
    end = time.time() + 30
    while time.time() < end:
        if os.path.exists(TRACE) and '"ev":"hangup"' in open(TRACE).read():
            break
        time.sleep(0.05)
open(stop, "w").close()
end = time.time() + 30
while time.time() < end and not (os.path.exists(flag) and "done" in open(flag).read()):
    time.sleep(0.05)
text = open(flag).read() if os.path.exists(flag) else ""
facts["hup-count"] = text.count("H\n") if "done" in text else "no-end"

print(" ".join("%s=%s" % kv for kv in facts.items()))
if not all(v is True or v == 1 for v in facts.values()):
    sys.stderr.write("\n----\n".join(transcripts))
    if os.path.exists(TRACE):
        sys.stderr.write(open(TRACE).read())
