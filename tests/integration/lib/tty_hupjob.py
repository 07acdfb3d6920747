"""tty_hupjob.py NAME LOG READY — a job that logs NAME to LOG on its first SIGHUP and exits 0 (tty_leader.py).

No shell: a shell's job forks (`sleep 60 & wait`), and a SIGHUP that comes
while the fork's child has not yet dropped the shell's trap runs the trap
in both, natively too.  READY (a file) is made once the handler is set.
"""
import os
import signal
import sys

name, log, ready = sys.argv[1:4]


def hup(_sig, _frame):
    with open(log, "a") as f:
        f.write(name + "\n")
    os._exit(0)


signal.signal(signal.SIGHUP, hup)
open(ready, "w").close()
while True:
    signal.pause()
