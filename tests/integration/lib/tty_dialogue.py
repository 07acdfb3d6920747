"""tty_dialogue.py — pexpect drives bash -i through a job-control dialogue: ^Z, jobs, bg, fg, ^C (sup_tty_progs.sh)."""
import sys
import time

import pexpect

# The prompt and the job's marker are split in what is typed, so that the
# echo of a command line never matches them.  The job is cat: after fg, a
# line comes back twice (the terminal's echo, then cat's copy) only once cat
# holds the terminal and reads with echo on, so ^C is typed when it reaches
# the job.
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
# "started" comes from sh before it execs cat: a ^Z now could stop sh on
# its way to cat, and after bg cat would start, read and stop on its own
# time.  A line that comes back twice (the terminal's echo, cat's copy)
# shows cat is running and reading.
b.sendline("ready")
step(b, "cat reads", r"ready\r\nready\r\n")
b.sendcontrol("z")
step(b, "stopped", r"Stopped")
step(b, "prompt after ^Z", PROMPT)
b.sendline("jobs")
step(b, "jobs", r"\[1\]\+\s+Stopped\s+sh -c")
step(b, "prompt after jobs", PROMPT)
b.sendline("bg")
step(b, "bg", r"\[1\]\+ sh -c .* &")
step(b, "prompt after bg", PROMPT)
# cat, continued in the background, reads the terminal: SIGTTIN stops it.
# bash's fg sends SIGCONT only to a job it knows is stopped, so wait until
# `jobs` says so (waiting for a state, not retrying a failure): an fg
# typed before bash has seen the stop would leave cat stopped, natively too.
stopped = False
for n in range(1, 31):
    b.sendline("jobs")
    try:
        i = b.expect([r"\[1\]\+\s+Stopped\s+sh -c", r"\[1\]\+\s+Running\s+sh -c"])
    except (pexpect.TIMEOUT, pexpect.EOF):
        break
    step(b, "prompt after jobs (%d)" % n, PROMPT)
    if i == 0:
        stopped = True
        break
    time.sleep(0.2)
if not stopped:
    print("pexpect-dialogue=failed at SIGTTIN after bg")
    sys.exit(0)
b.sendline("fg")
step(b, "fg", r"sh -c '")
# A line typed before bash has handed the terminal over (its readline mode
# has echo off) comes back once, from cat; so type numbered lines until one
# comes back twice.  Waiting for a state, not retrying a failure.
held = False
for n in range(1, 31):
    b.sendline("ping%d" % n)
    try:
        b.expect(r"(ping\d+)\r\n\1\r\n", timeout=1)
        held = True
        break
    except pexpect.TIMEOUT:
        continue
    except pexpect.EOF:
        break
if not held:
    print("pexpect-dialogue=failed at cat reads in front")
    sys.exit(0)
b.sendcontrol("c")
step(b, "prompt after ^C", PROMPT)
b.sendline("echo rc=$?")
step(b, "rc", r"rc=130")
b.sendline("exit")
step(b, "exit", pexpect.EOF)
b.close()
print("pexpect-dialogue=ok exit=%s" % b.exitstatus)
