"""tracecheck.py TRACE ASSERTION... — check a `jobshim run --trace` JSON Lines file.

Every line must be a JSON object with "t" and "ev", times monotonic; each
ASSERTION is a Python expression over `evs` (the events) and `find(ev, **kw)`
(the events named ev whose fields equal kw).  Exit 1 naming the first false one.
"""
import json
import sys

evs = []
for n, line in enumerate(open(sys.argv[1]), 1):
    e = json.loads(line)
    assert isinstance(e, dict) and "t" in e and "ev" in e, "line %d: %s" % (n, line)
    evs.append(e)
ts = [e["t"] for e in evs]
assert ts == sorted(ts), "times not monotonic"


def find(ev, **kw):
    return [e for e in evs if e["ev"] == ev and all(e.get(k) == v for k, v in kw.items())]


for a in sys.argv[2:]:
    if not eval(a):
        print("assertion failed: " + a)
        sys.exit(1)
