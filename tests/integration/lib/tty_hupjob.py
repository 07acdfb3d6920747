"""tty_hupjob.py NAME LOG READY — a job that logs NAME to LOG on its first SIGHUP (once) and exits 0 (tty_leader.py).

No shell: a shell's job forks (`sleep 60 & wait`), and a SIGHUP that comes
while the fork's child has not yet dropped the shell's trap runs the trap
in both, natively too.  READY (a file) is made once the handler is set.
"""
import os
import signal
import sys

name, log, ready = sys.argv[1:4]


done = False


def hup(_sig, _frame):
    # A job in front gets two SIGHUPs at a hangup (its shell's and the
    # kernel's), and Python may run this handler again, nested, at any
    # bytecode boundary inside it: natively too, under load, it logged
    # twice.  The flag is set before anything is written.
    global done
    if done:
        return
    done = True
    with open(log, "a") as f:
        f.write(name + "\n")
    os._exit(0)


signal.signal(signal.SIGHUP, hup)
open(ready, "w").close()
while True:
    signal.pause()
