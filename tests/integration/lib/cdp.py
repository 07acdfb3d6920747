#!/usr/bin/env python3
# cdp.py URL SCRIPT.json — drive headless Chromium over --remote-debugging-pipe: load URL, then act and check.
"""The DevTools protocol over a pipe needs no websocket library: Chromium reads
NUL-terminated JSON commands on fd 3 and writes replies and events on fd 4.
SCRIPT is a JSON list of steps, run in order after the page has loaded:
  ["eval", EXPR, EXPECTED]      Runtime.evaluate; the value must equal EXPECTED
  ["eval_true", EXPR]           ... must be true
  ["type", SELECTOR, TEXT]      focus the element, insert TEXT (as typing does)
  ["hover", SELECTOR]           move the mouse to the middle of the element
  ["click", SELECTOR]           press and release the left button there
  ["wheel", SELECTOR, DY, CTRL] a wheel turn over the element (CTRL: zoom)
Exit 0 when every step passed and the page logged nothing on its console and
threw nothing; else a line saying what failed, and exit 1."""
import json
import os
import subprocess
import sys

url, steps = sys.argv[1], json.load(open(sys.argv[2]))
user_dir = os.environ.get("CDP_USER_DIR", "/tmp/cdp-profile")
r_cmd, w_cmd = os.pipe()  # we write commands to w_cmd; Chromium reads fd 3
r_ev, w_ev = os.pipe()    # Chromium writes fd 4; we read r_ev
# Chromium finds its ends at fds 3 and 4 in the child.
child_fds = {3: r_cmd, 4: w_ev}


def preexec():
    for target, fd in child_fds.items():
        os.dup2(fd, target)


proc = subprocess.Popen(
    ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
     "--no-default-browser-check", "--disable-extensions", "--disable-background-networking",
     "--disable-component-update", "--disable-sync", "--user-data-dir=" + user_dir,
     "--window-size=1400,900", "--remote-debugging-pipe", "about:blank"],
    pass_fds=(3, 4, r_cmd, w_ev), preexec_fn=preexec,
    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
os.close(r_cmd)
os.close(w_ev)
wf = os.fdopen(w_cmd, "wb")
rf = os.fdopen(r_ev, "rb")
buf = b""
next_id = 0
console = []


def read_msg():
    global buf
    while b"\0" not in buf:
        chunk = rf.read1(65536)
        if not chunk:
            raise SystemExit("chromium closed the pipe")
        buf += chunk
    msg, buf = buf.split(b"\0", 1)
    return json.loads(msg)


def note(m):
    if m.get("method") == "Runtime.consoleAPICalled":
        console.append("console.%s: %s" % (m["params"]["type"],
                       " ".join(str(a.get("value", a.get("description"))) for a in m["params"]["args"])))
    elif m.get("method") == "Runtime.exceptionThrown":
        d = m["params"]["exceptionDetails"]
        console.append("exception: " + d.get("exception", {}).get("description", d.get("text", "")))
    elif m.get("method") == "Log.entryAdded":
        console.append("log %s: %s" % (m["params"]["entry"]["level"], m["params"]["entry"]["text"]))


def call(method, params=None, session=None, wait_event=None):
    """Send a command; return its result (and wait for an event if asked)."""
    global next_id
    next_id += 1
    msg = {"id": next_id, "method": method, "params": params or {}}
    if session:
        msg["sessionId"] = session
    wf.write(json.dumps(msg).encode() + b"\0")
    wf.flush()
    result, seen = None, wait_event is None
    while result is None or not seen:
        m = read_msg()
        note(m)
        if m.get("id") == next_id:
            if "error" in m:
                raise SystemExit("%s: %s" % (method, m["error"]))
            result = m.get("result", {})
        elif wait_event and m.get("method") == wait_event:
            seen = True
    return result


def fail(why):
    print("FAIL: " + why)
    for c in console:
        print("  " + c)
    finish(1)


def finish(rc):
    try:
        call("Browser.close")
    except SystemExit:
        pass
    proc.wait(timeout=30)
    sys.exit(rc)


target = call("Target.createTarget", {"url": "about:blank"})["targetId"]
sess = call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
for domain in ("Page", "Runtime", "Log"):
    call(domain + ".enable", session=sess)
call("Page.navigate", {"url": url}, session=sess, wait_event="Page.loadEventFired")


def evaluate(expr):
    r = call("Runtime.evaluate", {"expression": expr, "returnByValue": True, "awaitPromise": True}, session=sess)
    if "exceptionDetails" in r:
        fail("evaluating %s: %s" % (expr, r["exceptionDetails"].get("text")))
    return r["result"].get("value")


def centre(sel):
    box = evaluate("(() => { const e = document.querySelector(%s); if (!e) return null;"
                   " const r = e.getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; })()"
                   % json.dumps(sel))
    if not box:
        fail("no element " + sel)
    return box


def mouse(kind, x, y, **kw):
    call("Input.dispatchMouseEvent", dict(type=kind, x=x, y=y, **kw), session=sess)


for step in steps:
    op = step[0]
    if op == "eval":
        got = evaluate(step[1])
        if got != step[2]:
            fail("%s = %r, want %r" % (step[1], got, step[2]))
    elif op == "eval_true":
        if evaluate(step[1]) is not True:
            fail("not true: " + step[1])
    elif op == "type":
        evaluate("document.querySelector(%s).focus()" % json.dumps(step[1]))
        call("Input.insertText", {"text": step[2]}, session=sess)
    elif op in ("hover", "click"):
        x, y = centre(step[1])
        mouse("mouseMoved", x, y)
        if op == "click":
            mouse("mousePressed", x, y, button="left", clickCount=1)
            mouse("mouseReleased", x, y, button="left", clickCount=1)
    elif op == "wheel":
        x, y = centre(step[1])
        mouse("mouseWheel", x, y, deltaX=0, deltaY=step[2], modifiers=2 if step[3] else 0)
    else:
        fail("unknown step " + op)
    # Let a frame go by (the page redraws on scroll in requestAnimationFrame).
    evaluate("new Promise(r => requestAnimationFrame(() => r(1)))")
if console:
    fail("the page logged on its console")
print("ok: %d steps" % len(steps))
finish(0)
