#!/bin/bash
# sup_view_ui.sh BUILD — the timeline page used as a person would, in headless Chromium driven over the DevTools pipe.
set -u
. "$(dirname "$0")/lib/sup.sh" "${1:-build}" 300
[ -x "$J" ] || { echo "not ok - $J missing"; exit 1; }
. "$(dirname "$0")/lib/view.sh"

# A real trace: make demo's orphaned stopped group.
timeout 60 "$J" run --trace-html "$T/demo.html" -- "$B/itest/demo_orphan" >/dev/null 2>&1
[ -s "$T/demo.html" ] || { bad "no page"; exit 1; }

# Hover, click, type, zoom; every check reads the page's own DOM.  The
# steps are written by Python, which quotes the JavaScript in them.
python3 - "$T/steps.json" <<'EOF'
import json, sys
tip = 'document.getElementById("tip")'
det = 'document.getElementById("details").textContent'
S = 'document.getElementById("summary").dataset'
spw = 'parseFloat(document.getElementById("spacer").style.width)'
clear = ('(() => { const f = document.getElementById("filter"); f.value = "";'
         ' f.dispatchEvent(new Event("input")); return 1; })()')
seq = ('(() => { const m = document.getElementById("mode"); m.value = "seq";'
       ' m.dispatchEvent(new Event("change")); return document.querySelector(".axisname").textContent; })()')
steps = [
    ["eval", S + ".processes", "3"],
    # The axis's tick lines cross every lane: a click on a mark or an
    # orphan column under one must reach the mark (a trace whose tick fell
    # on the orphan column's middle lost the click below).
    ["eval", 'getComputedStyle(document.querySelector("line.tick")).pointerEvents', "none"],
    ["hover", 'path.arrow[data-sig="SIGHUP"]'],
    ["eval_true", "!%s.hidden && %s.textContent.includes('group 4 orphaned when pid 3 exited')" % (tip, tip)],
    ["click", "g.orphan rect"],
    ["eval_true", "%s.includes('group 4 orphaned') && %s.includes('\"ev\": \"orphan\"')" % (det, det)],
    ["click", 'text.lname[data-vpid="3"]'],
    ["eval_true", "%s.startsWith('pid 3 demo_orphan') && %s.includes('reaped by 2')" % (det, det)],
    ["type", "#filter", "g4"],
    ["eval", "[%s.filter, %s.drawnLanes]" % (S, S), ["group 4", "1"]],
    ["eval", clear, 1],
    ["type", "#filter", "session 2"],
    ["eval", "[%s.filter, %s.drawnLanes, %s.drawnSessions]" % (S, S, S), ["session 2", "4", "1"]],
    ["eval", clear, 1],
    ["type", "#filter", "pid 4"],
    ["eval", "[%s.filter, %s.drawnLanes]" % (S, S), ["pid 4", "2"]],
    ["eval", clear, 1],
    ["eval", S + ".drawnLanes", "5"],
    ["eval", "window.w0 = %s, 1" % spw, 1],
    ["click", "#zin"],
    ["eval_true", "%s > window.w0 * 1.5" % spw],
    ["eval", "window.w1 = %s, 1" % spw, 1],
    ["wheel", "#tl", -200, True],
    ["eval_true", "%s > window.w1" % spw],
    ["click", "#zfit"],
    ["eval_true", "Math.abs(%s - window.w0) < 2" % spw],
    ["eval", seq, "event order"],
    ["click", "#orphans button.orphan-item"],
    ["eval_true", "%s.drawnOrphans === '1' && %s.includes('group 4 orphaned')" % (S, det)],
]
json.dump(steps, open(sys.argv[1], "w"), indent=1)
EOF
if out=$(CDP_USER_DIR="$T/chrome" timeout 120 python3 "$L/cdp.py" "file://$T/demo.html" "$T/steps.json" 2>&1); then
	ok "hover shows the orphaning in words; clicks fill the details; the filter narrows to a group, a session, a pid; zoom in/out/fit; event-order axis; the orphan list jumps"
else
	bad "page interaction: $out"
fi
exit $fail
