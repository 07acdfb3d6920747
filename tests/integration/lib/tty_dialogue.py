"""tty_dialogue.py — pexpect drives bash -i through a job-control dialogue: ^Z, jobs, bg, fg, ^C (sup_tty_progs.sh)."""
import sys

import pexpect

# The prompt and the job's marker are split in what is typed, so that the
# echo of a command line never matches them.  The job is cat: after fg, a
# line comes back twice (the terminal's echo, then cat's copy) only once cat
# holds the terminal and reads, so ^C is typed when it reaches the job.
PROMPT = "@@> "
JOB = "sh -c 'echo sta''rted; exec cat'"


def step(b, what, pattern):
    try:
        b.expect(pattern)
    except (pexpect.TIMEOUT, pexpect.EOF):
        print("pexpect-dialogue=failed at " + what)
        sys.exit(0)


b = pexpect.spawn("bash", ["--norc", "--noprofile", "-i"], encoding="utf-8", timeout=15)
b.sendline("PS1='@''@> '")
step(b, "prompt", PROMPT)
b.sendline(JOB)
step(b, "job started", "started")
b.sendcontrol("z")
step(b, "stopped", r"Stopped")
step(b, "prompt after ^Z", PROMPT)
b.sendline("jobs")
step(b, "jobs", r"\[1\]\+\s+Stopped\s+sh -c")
step(b, "prompt after jobs", PROMPT)
b.sendline("bg")
step(b, "bg", r"\[1\]\+ sh -c .* &")
step(b, "prompt after bg", PROMPT)
b.sendline("fg")
step(b, "fg", r"sh -c '")
b.sendline("ping")
step(b, "cat reads in front", r"ping\r\nping\r\n")
b.sendcontrol("c")
step(b, "prompt after ^C", PROMPT)
b.sendline("echo rc=$?")
step(b, "rc", r"rc=130")
b.sendline("exit")
step(b, "exit", pexpect.EOF)
b.close()
print("pexpect-dialogue=ok exit=%s" % b.exitstatus)
