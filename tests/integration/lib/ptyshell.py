"""ptyshell.py — a program on a pseudo-terminal, typed at and read from (sup_tty.sh's helpers)."""
import os
import pty
import select
import signal
import sys
import time


class PtyShell:
    """Run argv on a new pty (the child's controlling terminal)."""

    def __init__(self, argv):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.execvp(argv[0], argv)
        self.out = b""
        self.pos = 0
        self.misses = []

    def guard(self, sec):
        """A hang guard that keeps what was read: after `sec`, print the
        terminal's text and every pattern waited for in vain, then exit 1
        (an outer `timeout` would kill us with the dialogue unprinted)."""
        def fire(_sig, _frame):
            print(self.text())
            print("guard: %d s passed; waited in vain for %r" % (sec, self.misses))
            # Who is stopped or blocked where (the test's pid namespace).
            os.system("ps -eo pid,ppid,pgid,sid,tpgid,stat,wchan:24,args")
            sys.stdout.flush()
            os._exit(1)
        signal.signal(signal.SIGALRM, fire)
        signal.alarm(sec)

    def until(self, pattern, sec=10):
        """Read until `pattern` appears after the previous match (or `sec` pass)."""
        end = time.time() + sec
        while time.time() < end:
            i = self.out.find(pattern.encode(), self.pos)
            if i >= 0:
                self.pos = i + len(pattern)
                return True
            r, _, _ = select.select([self.fd], [], [], 0.05)
            if r:
                try:
                    self.out += os.read(self.fd, 4096)
                except OSError:
                    break
        self.misses.append(pattern)
        return False

    def foreground(self):
        """The terminal's foreground process group (real id), read on the master."""
        return os.tcgetpgrp(self.fd)

    def fg_ready(self, comm, sig):
        """Does the terminal's foreground group lead with a process named
        `comm` that does not ignore `sig`?  (A shell's child takes the
        terminal before it execs and before it drops the shell's SIG_IGN
        for SIGTSTP and SIGINT: ^Z or ^C typed then is lost, natively too.)"""
        try:
            pg = self.foreground()
            with open("/proc/%d/comm" % pg) as f:
                if f.read().strip() not in ((comm,) if isinstance(comm, str) else comm):
                    return False
            with open("/proc/%d/status" % pg) as f:
                for line in f:
                    if line.startswith("SigIgn:"):
                        return not (int(line.split()[1], 16) >> (sig - 1)) & 1
        except OSError:
            pass
        return False

    def until_fg_ready(self, comm, sig, sec=120):
        """Read on until fg_ready(comm, sig); False after `sec`, a hang guard."""
        end = time.time() + sec
        while time.time() < end:
            if self.fg_ready(comm, sig):
                return True
            r, _, _ = select.select([self.fd], [], [], 0.02)
            if r:
                try:
                    self.out += os.read(self.fd, 4096)
                except OSError:
                    break
        self.misses.append("fg-ready %r" % (comm,))
        return False

    def fg_has(self, comm):
        """Is a process named `comm` in the terminal's foreground group?"""
        try:
            pg = self.foreground()
        except OSError:
            return False
        for d in os.listdir("/proc"):
            if not d.isdigit():
                continue
            try:
                with open("/proc/%s/stat" % d) as f:
                    st = f.read()
            except OSError:
                continue
            name = st[st.find("(") + 1:st.rfind(")")]
            fields = st[st.rfind(")") + 2:].split()
            if name == comm and len(fields) > 2 and int(fields[2]) == pg:
                return True
        return False

    def until_fg_has(self, comm, sec=120):
        """Read on until fg_has(comm); False after `sec`, a hang guard.
        A job's shell that vforks a command holds ^Z off until the child
        has exec'd: a ^Z typed before that stops the child before its exec
        and the job hangs, natively too (dash; 10 of 25 tries on a loaded
        machine).  So ^Z waits for the command itself."""
        end = time.time() + sec
        while time.time() < end:
            if self.fg_has(comm):
                return True
            r, _, _ = select.select([self.fd], [], [], 0.02)
            if r:
                try:
                    self.out += os.read(self.fd, 4096)
                except OSError:
                    break
        self.misses.append("fg-has %r" % (comm,))
        return False

    def send(self, s):
        os.write(self.fd, s.encode())

    def interrupt(self, prompt, sec=10):
        """Type ^C, then wait for its echo and for the shell's next `prompt`.
        What is typed before the shell reads again can be lost when ^C ends
        its foreground job: sup_tty_progs' tmux dialogue lost the line typed
        right after ^C once in four runs, natively."""
        self.send("\x03")
        return self.until("^C", sec) and self.until(prompt, sec)

    def text(self):
        return self.out.decode(errors="replace")
