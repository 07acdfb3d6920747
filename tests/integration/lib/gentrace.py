#!/usr/bin/env python3
# gentrace.py N — a synthetic, schema-valid jobshim trace (docs/trace.md) of N processes, on stdout.
"""A job-control shell (pid 2) runs jobs: pipelines in groups of their own,
stopped, continued and killed by group; plain children; and, every tenth job,
a daemon that starts a session whose stopped grandchild is orphaned when the
daemon exits.  Leftovers get torn down at the end.  Deterministic (no
randomness), so that a page drawn from it is the same on every run.  Used by
sup_view.sh to load the timeline page with 10,000 processes; the events
follow the engine's order (a real run would take minutes on a loaded
machine; the real traces of the test cover the real event order)."""
import json
import sys

n_want = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
out = sys.stdout
t = 0.0
nxt = 3
rp = 50000
alive = {}  # vpid -> (pgid, sid)


def ev(name, vpid=None, **kw):
    global t
    t += 0.0001
    e = {"t": round(t, 6), "ev": name}
    if vpid is not None:
        e["vpid"] = vpid
        e["rpid"] = rp + vpid
    e.update(kw)
    out.write(json.dumps(e, separators=(",", ":")) + "\n")


def call(vpid, op, args, result, pgid, sid):
    ev("call", vpid, op=op, args=args, result=result, pgid=pgid, sid=sid)


def fork(parent, pgid, sid):
    global nxt
    v = nxt
    nxt += 1
    ev("fork", v, parent=parent, pgid=pgid, sid=sid)
    call(parent, "fork", [0, 0], v, *alive[parent])
    alive[v] = (pgid, sid)
    return v


def die(v, reaper, code=None, sig=None):
    if sig:
        st = {"SIGTERM": 15, "SIGHUP": 1, "SIGKILL": 9}[sig]
        ev("exit", v, status=st, signal=sig, core=False, status_known=True, via="pidfd")
    else:
        st = code << 8
        ev("exit", v, status=st, code=code, status_known=True, via="pidfd")
    del alive[v]
    ev("reap", v, parent=reaper, via="wait" if reaper != 1 else "reaped by init",
       **({"status": st} if reaper != 1 else {}))


def kill(sender, pid, sig, to):
    ev("kill", sender, pid=pid, sig=sig, targets=len(to), to=to)
    call(sender, "kill", [pid, 0], len(to), *alive[sender])


ev("fork", 2, parent=1, pgid=2, sid=2, via="command", path="/bin/bash")
ev("setsid", 2, sid=2, pgid=2)
alive[2] = (2, 2)
job = 0
cmds = ["/bin/sleep", "/usr/bin/cat", "/usr/bin/grep", "/usr/bin/sort"]
while nxt < n_want + 2:
    job += 1
    room = n_want + 2 - nxt
    if job % 10 == 0 and room >= 2:
        # A daemon: its own session; its child stops in a group of its own
        # and is orphaned when the daemon exits.
        d = fork(2, 2, 2)
        ev("setsid", d, sid=d, pgid=d)
        alive[d] = (d, d)
        c = fork(d, d, d)
        ev("setpgid", c, **{"from": d, "pgid": c, "by": c})
        alive[c] = (c, d)
        ev("kill", c, pid=c, sig="SIGSTOP", targets=1, to=[c])
        ev("stop", c)
        ev("exit", d, status=0, code=0, status_known=True, via="pidfd")
        ev("reparent", c, **{"from": d, "to": 1})
        ev("orphan", pgid=c, cause="parent_exit", exited=d, stopped=[c],
           signals=["SIGHUP", "SIGCONT"], members=[c])
        del alive[d]
        ev("reap", d, parent=2, via="wait", status=0)
        die(c, 1, sig="SIGHUP")
    elif job % 3 == 0:
        v = fork(2, 2, 2)
        ev("exec", v, path="/bin/true")
        die(v, 2, code=0)
    else:
        k = min(1 + job % 3, room)
        members = []
        for i in range(k):
            v = fork(2, 2, 2)
            leader = members[0] if members else v
            ev("setpgid", v, **{"from": 2, "pgid": leader, "by": 2})
            alive[v] = (leader, 2)
            ev("exec", v, path=cmds[(job + i) % len(cmds)])
            members.append(v)
        g = members[0]
        if job % 4 == 1:
            kill(2, -g, "SIGSTOP", members)
            for v in members:
                ev("stop", v)
            kill(2, -g, "SIGCONT", members)
            for v in members:
                ev("cont", v)
        if job % 2 == 0 and nxt < n_want - 20:
            kill(2, -g, "SIGTERM", members)
            for v in members:
                die(v, 2, sig="SIGTERM")
        elif nxt < n_want - 20:
            for v in members:
                die(v, 2, code=0)
# The command exits; what is left over is torn down.
ev("exit", 2, status=0, code=0, status_known=True, via="pidfd")
for v in sorted(alive):
    if v != 2:
        ev("reparent", v, **{"from": 2, "to": 1})
ev("reap", 2, parent=1, via="reaped by init")
del alive[2]
for v, (pg, sd) in sorted(alive.items()):
    ev("leftover", v, pgid=pg, sid=sd, ppid=1, cmdline="sleep 100")
ev("teardown", reason="exit", signal="SIGTERM", processes=len(alive))
for v in sorted(alive):
    ev("exit", v, status=15, signal="SIGTERM", core=False, status_known=True, via="pidfd")
    ev("reap", v, parent=1, via="reaped by init")
