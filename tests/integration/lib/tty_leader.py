"""tty_leader.py PREFIX... — the command as its terminal's controlling process (prints one fact per line; sup_tty_leader.sh).

Each case runs PREFIX (nothing, or `jobshim run --wait --`) followed by a
command on a fresh pty whose session the child leads, as tmux, `ssh -t`,
`script -c` and `docker run -t` start their commands: natively the command
is the terminal's controlling process; under jobshim, jobshim is for real
and the command is in the model.  What is compared: the HUP traps that ran
and the exit status (128+N and "killed by N" both print as sigN).
TTY_LEADER_CASES picks the cases (names as printed).
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ptyshell import PtyShell  # noqa: E402

ARGS = sys.argv[1:]


def pfx(case):
    """The prefix, "{case}" in its words (a trace file's name) replaced by the case's name."""
    return [a.replace("{case}", case) for a in ARGS]

LOG = os.path.abspath("hup.log")
BASH = ["bash", "--norc", "--noprofile", "-i"]
HUPJOB = os.path.join(os.path.dirname(os.path.abspath(__file__)), "tty_hupjob.py")


def status(st):
    rc = os.waitstatus_to_exitcode(st)
    return "sig%d" % -rc if rc < 0 else "sig%d" % (rc - 128) if rc > 128 else str(rc)


def traps(want, sec=30):
    """The HUP traps logged, once `want` of them are there (or `sec` passed):
    a trap can run after the command is gone, natively (nobody waits for
    those processes)."""
    end = time.time() + sec
    while True:
        text = open(LOG).read() if os.path.exists(LOG) else ""
        if len(text.split()) >= want or time.time() > end:
            return ",".join(sorted(text.split())) or "none"
        time.sleep(0.05)


def hangup(name, fg, want):
    """bash -i at its prompt (or waiting for a foreground job), a background
    job that logs its first SIGHUP; then the terminal hangs up (the master
    closed).  Natively bash, the controlling process, gets SIGHUP, passes
    it on to its jobs and dies of it; the foreground group gets SIGHUP
    again when bash exits."""
    for f in (LOG, LOG + ".bg", LOG + ".fg"):
        if os.path.exists(f):
            os.unlink(f)
    sh = PtyShell(pfx(name) + BASH)
    sh.send("PS1='L@''@> '\n")
    ok = sh.until("L@@> ")
    sh.send("python3 %s bg %s %s.bg &\n" % (HUPJOB, LOG, LOG))
    ok = ok and sh.until("L@@> ")
    if fg:
        sh.send("python3 %s fg %s %s.fg\n" % (HUPJOB, LOG, LOG))
    # The jobs' handlers are set.
    end = time.time() + 30
    while time.time() < end and not all(os.path.exists(LOG + s) for s in ([".bg", ".fg"] if fg else [".bg"])):
        time.sleep(0.02)
    ok = ok and time.time() < end
    os.close(sh.fd)
    _, st = os.waitpid(sh.pid, 0)
    print("%s: %s status=%s traps=%s" % (name, "ready" if ok else "NOT READY " + repr(sh.text()[-200:]),
                                          status(st), traps(want)))


def suspend():
    """^Z typed while the command, the session's leader, reads: its group is
    orphaned, so the kernel discards the stop signal and the read goes on."""
    sh = PtyShell(pfx("suspend") + ["sh", "-c", "echo R$((1+1)); read x; echo got-$x"])
    ok = sh.until("R2\r")
    sh.send("\x1a")
    time.sleep(0.3)
    sh.send("line\n")
    ok = ok and sh.until("got-line", sec=20)
    sh.until("\x00never", sec=5 if ok else 1)
    if not ok:
        os.kill(sh.pid, 9)
    _, st = os.waitpid(sh.pid, 0)
    print("suspend: %s status=%s" % ("read-on" if ok else "STUCK " + repr(sh.text()[-200:]), status(st)))


def leader_exit():
    """The command exits, its terminal not hung up, while a member of its
    group (the foreground group) runs: the kernel sends that group SIGHUP."""
    if os.path.exists(LOG):
        os.unlink(LOG)
    ready = LOG + ".ready"
    if os.path.exists(ready):
        os.unlink(ready)
    sh = PtyShell(pfx("leader-exit") + ["sh", "-c", "python3 %s exit %s %s & while [ ! -e %s ]; do sleep 0.05; done" %
                                        (HUPJOB, LOG, ready, ready)])
    sh.until("\x00never", sec=30)
    _, st = os.waitpid(sh.pid, 0)
    print("leader-exit: status=%s traps=%s" % (status(st), traps(1)))


CASES = os.environ.get("TTY_LEADER_CASES", "hangup-at-prompt hangup-fg-job suspend leader-exit").split()
for case in CASES:
    if case == "hangup-at-prompt":
        hangup(case, False, 1)
    elif case == "hangup-fg-job":
        hangup(case, True, 2)
    elif case == "suspend":
        suspend()
    elif case == "leader-exit":
        leader_exit()
