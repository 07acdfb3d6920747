"""tty_progs.py PREFIX... — programs that need a terminal, each on a pty of its own, run with PREFIX (nothing, or `jobshim run --`); prints one fact per line (sup_tty_progs.sh)."""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ptyshell import PtyShell  # noqa: E402

PFX = sys.argv[1:]


def finish(sh):
    """Read to the hangup, then wait: the exit status."""
    sh.until("\x00never", sec=15)
    _, st = os.waitpid(sh.pid, 0)
    return os.waitstatus_to_exitcode(st)


def flags_of(argv, name):
    """Does bash -i, started by argv on its own pty, have job control ($- has m)?"""
    sh = PtyShell(PFX + argv)
    ok = sh.until("flags=", sec=15) and sh.until("\n", sec=5)
    m = re.search(r"flags=(\w+)", sh.text())
    rc = finish(sh)
    print("%s=%s rc=%d" % (name, "job-control" if ok and m and "m" in m.group(1) else "none: " + repr(sh.text()[-300:]), rc))


BASH_FLAGS = "bash --norc --noprofile -i -c 'echo flags=$-'"
flags_of(["script", "-qc", BASH_FLAGS, "/dev/null"], "script")
flags_of(["python3", "-c", "import pty; pty.spawn(['bash', '--norc', '--noprofile', '-i', '-c', 'echo flags=$-'])"], "pty.spawn")


def interactive():
    """An outer bash -i runs PREFIX bash -i as a job: suspend, jobs, fg, exit."""
    sh = PtyShell(["bash", "--norc", "--noprofile", "-i"])
    steps = [
        ("PS1='O@''@> '\n", "O@@> "),
        (" ".join(PFX + ["bash", "--norc", "--noprofile", "-i"]) + "\n", None),
        ("PS1='I@''@> '\n", "I@@> "),
        ("suspend\n", "Stopped"),
        ("", "O@@> "),
        ("jobs\n", "Stopped"),
        ("", "O@@> "),
        ("fg\n", "noprofile -i"),
        ("echo in''side\n", "inside"),
        ("", "I@@> "),
        ("exit 3\n", "O@@> "),
        ("echo rc=$?\n", "rc=3"),
    ]
    for text, want in steps:
        if text:
            sh.send(text)
        if want and not sh.until(want, sec=15):
            print("interactive=failed waiting for %r after %r: %r" % (want, text, sh.text()[-400:]))
            break
    else:
        print("interactive=ok")
    sh.send("exit\n")
    finish(sh)


interactive()
