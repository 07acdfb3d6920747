"""ptyshell.py — a program on a pseudo-terminal, typed at and read from (sup_tty.sh's helpers)."""
import os
import pty
import select
import time


class PtyShell:
    """Run argv on a new pty (the child's controlling terminal)."""

    def __init__(self, argv):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.execvp(argv[0], argv)
        self.out = b""
        self.pos = 0

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
                    return False
        return False

    def foreground(self):
        """The terminal's foreground process group (real id), read on the master."""
        return os.tcgetpgrp(self.fd)

    def until_fg_leaves(self, pgid, sec=120):
        """Read on until the foreground group is no longer `pgid` (a job the
        shell just started has the terminal); False after `sec`, a hang guard."""
        end = time.time() + sec
        while time.time() < end:
            try:
                if self.foreground() != pgid:
                    return True
            except OSError:
                return False
            r, _, _ = select.select([self.fd], [], [], 0.02)
            if r:
                try:
                    self.out += os.read(self.fd, 4096)
                except OSError:
                    return False
        return False

    def send(self, s):
        os.write(self.fd, s.encode())

    def text(self):
        return self.out.decode(errors="replace")
