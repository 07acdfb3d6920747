#!/usr/bin/env python3
# domcheck.py DOM ASSERTION... — check the DOM Chromium dumped of a timeline page; exit 1 on the first failure.
"""Each assertion is a Python expression over:
  els      every element as (tag, attrs) — attrs a dict, class split into a set under "cls";
  S        the page's structural summary (#summary's data-* attributes, as strings);
  find(tag=None, cls=None, **attrs)  elements matching (attrs compared as strings;
           use data_vpid for data-vpid);
  n(...)   len(find(...)).
"""
import sys
from html.parser import HTMLParser


class Dom(HTMLParser):
    def __init__(self):
        super().__init__()
        self.els = []

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        a["cls"] = set(a.get("class", "").split())
        self.els.append((tag, a))

    handle_startendtag = handle_starttag


d = Dom()
d.feed(open(sys.argv[1], encoding="utf-8", errors="replace").read())
els = d.els


def find(tag=None, cls=None, **attrs):
    out = []
    for t, a in els:
        if tag and t != tag:
            continue
        if cls and cls not in a["cls"]:
            continue
        if all(a.get(k.replace("_", "-")) == str(v) for k, v in attrs.items()):
            out.append((t, a))
    return out


def n(*args, **kw):
    return len(find(*args, **kw))


summ = find(id="summary")
if not summ:
    print("no #summary element: the page's script did not run")
    sys.exit(1)
S = {k[5:]: v for k, v in summ[0][1].items() if k.startswith("data-")}
for a in sys.argv[2:]:
    try:
        ok = eval(a)
    except Exception as e:  # a broken assertion is a failure, said plainly
        ok = False
        print("assertion raised %r: %s" % (e, a))
    if not ok:
        print("assertion failed: " + a)
        print("summary: " + " ".join("%s=%s" % kv for kv in sorted(S.items())))
        sys.exit(1)
