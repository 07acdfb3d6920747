#!/bin/bash
# sup_view.sh BUILD — `jobshim view` of real traces in headless Chromium (DOM + screenshot), `jobshim why`, --trace-html.
set -u
. "$(dirname "$0")/lib/sup.sh" "${1:-build}" 300
[ -x "$J" ] || { echo "not ok - $J missing"; exit 1; }
. "$(dirname "$0")/lib/view.sh"

# The page's own script and style go into <script> and <style> verbatim.
src="$(dirname "$0")/../../supervisor/view"
if grep -qiE '</(script|style)|<!--' "$src"/timeline_*.js "$src"/timeline.css; then
	bad "the page sources hold a sequence that would end their element early"
else
	ok "page sources: no </script, </style or <!-- inside"
fi

# --- the demo (make demo): the orphaned stopped group gets SIGHUP+SIGCONT.
TMPDIR="$T/tmpdir" && mkdir -p "$TMPDIR" && export TMPDIR
timeout 60 "$J" run --trace "$T/demo.jsonl" --trace-html "$T/demo.html" -- "$B/itest/demo_orphan" >/dev/null 2>&1
[ -s "$T/demo.html" ] && grep -q '"ev":"orphan"' "$T/demo.html" && ok "--trace-html writes the page with the trace in it" ||
	bad "--trace-html: no page"
"$J" view "$T/demo.jsonl" -o "$T/demo2.html" && cmp -s "$T/demo.html" "$T/demo2.html" &&
	ok "jobshim view makes the same page" || bad "jobshim view differs from --trace-html"
# A page that cannot be written: said before the command runs.
out=$(timeout 60 "$J" run --trace-html "$T/nodir/x.html" -- echo ran 2>&1); rc=$?
[ $rc = 125 ] && [ "$out" = "jobshim: --trace-html $T/nodir/x.html: No such file or directory" ] &&
	ok "--trace-html to a missing directory: exit 125 before the command runs" ||
	bad "--trace-html to a missing directory: exit $rc, said: $out"
timeout 60 "$J" run --trace-html "$T/own.html" -- true >/dev/null 2>&1
[ -s "$T/own.html" ] && [ -z "$(ls -A "$TMPDIR")" ] && ok "--trace-html alone: page written, temporary trace removed" ||
	bad "--trace-html alone: page $(ls -la "$T/own.html" 2>&1), tmp: $(ls "$TMPDIR")"
unset TMPDIR

rm -f "$shots/demo.png"
if chrome "$T/demo.html#mode=seq" "$T/demo.dom" "$shots/demo.png"; then
	dom "demo page: lanes per process, labelled; bands per group; session boundaries" "$T/demo.dom" \
		'S["processes"] == "3" and S["errors"] == "" and S["bad-lines"] == "0"' \
		'n("g", "lane", data_vpid=2) == 1 and n("g", "lane", data_vpid=3) == 1 and n("g", "lane", data_vpid=4) == 2' \
		'n("rect", "band", data_pgid=2, data_sid=2) == 1 and n("rect", "band", data_pgid=4, data_sid=2) == 1' \
		'n("g", "session", data_sid=2) == 1' \
		'n("g", "lane", data_vpid=2, data_cmd="demo_orphan") == 1 and n("g", "lane", data_vpid=1, data_cmd="jobshim (init)") == 1' \
		'n("text", "lname", data_vpid=4) == 2'
	dom "demo page: forks, the group change, stop/zombie states" "$T/demo.dom" \
		'n("path", "fork", data_from=2, data_to=3) == 1 and n("path", "fork", data_from=3, data_to=4) == 1' \
		'n("path", "move", data_to=4) == 1' \
		'n(data_state="stop") >= 1 and n(data_state="zombie") >= 1 and n(data_state="run") >= 3'
	dom "demo page: the orphaning highlighted, SIGHUP and SIGCONT arrows from the exited parent" "$T/demo.dom" \
		'n("g", "orphan", data_pgid=4, data_exited=3) == 1 and S["drawn-orphans"] == "1"' \
		'n("path", "arrow", data_sig="SIGHUP", data_from=3, data_to=4) == 1' \
		'n("path", "arrow", data_sig="SIGCONT", data_from=3, data_to=4) == 1' \
		'n("button", "orphan-item", data_pgid=4) == 1'
	png_ok "$shots/demo.png" && ok "demo page screenshot ($shots/demo.png)" || bad "demo page screenshot"
fi

# The filter box (set through the address), and a page whose trace holds
# "</script>" in a string and a cut last line: escaped, and the cut line
# reported, not fatal.
{ cat "$T/demo.jsonl"; printf '%s\n' '{"t":9,"ev":"leftover","vpid":4,"pgid":4,"sid":2,"ppid":1,"cmdline":"</script><b id=\"inj\">x</b><!--"}'; printf '{"t":9.5,"ev":"exi'; } >"$T/odd.jsonl"
"$J" view "$T/odd.jsonl" -o "$T/odd.html"
if chrome "$T/odd.html#filter=group%204" "$T/odd.dom"; then
	dom "filter 'group 4': only the lane in group 4" "$T/odd.dom" \
		'S["filter"] == "group 4" and S["drawn-lanes"] == "1" and n("g", "lane", data_vpid=4, data_pgid=4) == 1' \
		'n("g", "lane", data_vpid=2) == 0'
	dom "</script> in the trace stays data; the cut line is counted" "$T/odd.dom" \
		'n(id="inj") == 0 and S["bad-lines"] == "1" and S["events"] == str(sum(1 for _ in open("'"$T"'/demo.jsonl")) + 1)'
fi

# --- jobshim why.
"$J" why 4 "$T/demo.jsonl" >"$T/why4" 2>&1
if grep -q '^ *[0-9.]* \* SIGHUP: its group 4 became orphaned when pid 3 (demo_orphan) exited' "$T/why4" &&
	grep -q '^ *[0-9.]* \* SIGCONT: its group 4' "$T/why4" && grep -q '^3 signals received' "$T/why4" &&
	grep -q '^ *[0-9.]* \* SIGSTOP from itself: kill(4, SIGSTOP), sent to itself' "$T/why4" &&
	[ "$(grep -n '\* SIGHUP' "$T/why4" | cut -d: -f1)" -lt "$(grep -n '\* SIGCONT' "$T/why4" | cut -d: -f1)" ]; then
	ok "why 4 (demo): its own SIGSTOP, then SIGHUP and SIGCONT because of the orphaning by pid 3's exit"
else
	bad "why 4 (demo):"; sed 's/^/#   /' "$T/why4"
fi
"$J" why 3 "$T/demo.jsonl" | grep -q '^0 signals received' && ok "why 3 (demo): no signal" || bad "why 3 (demo)"

job='set -m; sleep 100 & kill -STOP %1
for i in $(seq 250); do s=$(jobs -l); case $s in *Stopped*) break;; esac; sleep 0.02; done
kill %1; kill -CONT %1; wait %1'
timeout 60 "$J" run --trace "$T/bash.jsonl" -- bash -c "$job" >/dev/null 2>&1
"$J" why 3 "$T/bash.jsonl" >"$T/why3" 2>&1
# The job script of prog_bash.sh.  bash's kill of a stopped job is SIGTERM
# then SIGCONT; the `kill -CONT` after it reaches the job or finds it gone
# (ESRCH: no kill event), a race natively too, so only the first three
# are counted.  (A bare `wait` instead of `wait %1` returns at once for a
# job bash still thinks stopped, and bash's exit sends SIGTERM+SIGCONT to
# it again: terminate_stopped_jobs.)
if [ "$(grep -c '^ *[0-9.]* \* ' "$T/why3")" -ge 3 ] &&
	grep '^ *[0-9.]* \* ' "$T/why3" | sed -n 1p | grep -q 'SIGSTOP from pid 2 (bash): kill(-3, SIGSTOP), sent to group 3' &&
	grep '^ *[0-9.]* \* ' "$T/why3" | sed -n 2p | grep -q 'SIGTERM from pid 2 (bash): kill(-3, SIGTERM)' &&
	grep '^ *[0-9.]* \* ' "$T/why3" | sed -n 3p | grep -q 'SIGCONT from pid 2 (bash): kill(-3, SIGCONT)' &&
	[ "$(grep '^ *[0-9.]* \* ' "$T/why3" | grep -vc 'from pid 2 (bash): kill(-3, SIG[A-Z]*), sent to group 3')" = 0 ] &&
	grep -q 'reaped by pid 2 (bash): killed by SIGTERM' "$T/why3"; then
	ok "why 3 (bash job control): SIGSTOP, SIGTERM, SIGCONT from bash's group kills, in order"
else
	bad "why 3 (bash):"; sed 's/^/#   /' "$T/why3"
fi
python3 -c '
import json, sys
ks = [json.loads(l) for l in open(sys.argv[1]) if "\"kill\"" in l]
ks = [e for e in ks if e["ev"] == "kill"]
assert len(ks) >= 3 and all(e["to"] == [3] and e["targets"] == 1 for e in ks), ks
' "$T/bash.jsonl" && ok "kill events list their targets (to)" || bad "kill events: no to"
# Without "to" (a capped list, or an older trace) the targets are worked out from the groups.
python3 -c '
import json, sys
for l in open(sys.argv[1]):
    e = json.loads(l); e.pop("to", None); print(json.dumps(e))
' "$T/bash.jsonl" >"$T/noto.jsonl"
"$J" why 3 "$T/noto.jsonl" | sed 1d >"$T/why3b"
sed 1d "$T/why3" | cmp -s - "$T/why3b" && ok "why without the to lists: same answer" ||
	{ bad "why without to differs"; diff "$T/why3" "$T/why3b" | sed 's/^/#   /'; }

timeout 60 "$J" run --grace 1s --trace "$T/td.jsonl" -- sh -c 'sleep 100 & exit 0' >/dev/null 2>&1
"$J" why 3 "$T/td.jsonl" >"$T/why-td" 2>&1
grep -q '\* SIGTERM from jobshim (teardown): the command had exited and it was still running' "$T/why-td" &&
	ok "why: the teardown's SIGTERM" || { bad "why (teardown):"; sed 's/^/#   /' "$T/why-td"; }

# The line reader: escapes in strings, fields it does not know, lines it cannot read.
cat >"$T/esc.jsonl" <<'END'
{"t":0.1,"ev":"fork","vpid":2,"rpid":null,"parent":1,"pgid":2,"sid":2,"via":"command","path":"/bin/sh","new":{"a":1}}
{"t":0.15,"ev":"setpgid","vpid":2,"rpid":7,"from":2,"pgid":2,"by":2,"x":[[1],{"y":"]"}]}
{"t":0.2,"ev":"exec","vpid":2,"rpid":7,"path":"/x/\u00e9t\u00e9 \"q\"\\\ud83d\ude00","later":[1,"x"]}
not json
{"t":0.3,"ev":"kill","vpid":2,"rpid":7,"pid":0,"sig":"SIGUSR1","targets":1,"to":[2]}
{"t":0.4,"ev":"exit","vpid":2,"rpid":7,"status":256,"code":1,"status_known":true
END
"$J" why 2 "$T/esc.jsonl" >"$T/why-esc" 2>"$T/why-esc.err"
if grep -qF 'exec /x/été "q"\😀' "$T/why-esc" &&
	grep -q '\* SIGUSR1 from itself: kill(0, SIGUSR1), sent to the sender.s own group 2' "$T/why-esc" &&
	grep -q 'esc.jsonl:4: not a trace event' "$T/why-esc.err" && grep -q '2 lines skipped' "$T/why-esc.err"; then
	ok "why: JSON escapes, unknown fields, unreadable lines skipped and reported"
else
	bad "why on odd lines:"; sed 's/^/#   /' "$T/why-esc" "$T/why-esc.err"
fi

# --- the terminal: a job brought to the foreground and back (foreground
# events), then a SIGHUP from outside passed on to group 2 (a hangup event):
# both drawn as marks, and `why` tells the SIGHUP of the command.
timeout 60 script -qc "$J run --trace $T/tty.jsonl -- bash -c 'set -m; sleep 0.1 & fg %1 >/dev/null; trap \"\" HUP; touch $T/tty.ready; while [ ! -e $T/tty.go ]; do sleep 0.05; done'" /dev/null </dev/null >/dev/null 2>&1 &
sp=$!
for _ in $(seq 600); do [ -e "$T/tty.ready" ] && break; sleep 0.05; done
jp=$(pgrep -f -x "$J run --trace $T/tty.jsonl -- bash -c .*" | head -n 1)
[ -n "$jp" ] && kill -HUP "$jp"
for _ in $(seq 600); do grep -q '"ev":"hangup"' "$T/tty.jsonl" 2>/dev/null && break; sleep 0.05; done
touch "$T/tty.go"
wait $sp
"$J" view "$T/tty.jsonl" -o "$T/tty.html"
if chrome "$T/tty.html#mode=seq" "$T/tty.dom"; then
	dom "terminal page: foreground changes on the caller's lane, the hangup on jobshim's" "$T/tty.dom" \
		'S["errors"] == "" and n("g", "fg", data_vpid=2) >= 2' \
		'n("g", "hangup", data_vpid=1) == 1'
fi
"$J" why 2 "$T/tty.jsonl" >"$T/why-tty" 2>&1
grep -q 'SIGHUP from jobshim: it got SIGHUP from real pid [0-9]*, outside the tree.*group 2' "$T/why-tty" &&
	ok "why: the SIGHUP passed on to the command's group" || { bad "why of the hangup:"; sed 's/^/#   /' "$T/why-tty"; }

"$J" why 77 "$T/demo.jsonl" >/dev/null 2>&1; rc1=$?
"$J" why x "$T/demo.jsonl" >/dev/null 2>&1; rc2=$?
"$J" view >/dev/null 2>&1; rc3=$?
"$J" view "$T/nonexistent" -o "$T/x.html" >/dev/null 2>&1; rc4=$?
[ "$rc1$rc2$rc3$rc4" = 11251251 ] && ok "why/view errors: unknown pid 1, bad usage 125, missing file 1" ||
	bad "why/view exit codes: $rc1 $rc2 $rc3 $rc4"

# A file that is no trace, and a trace with a broken line (a run still
# writing it ends on a partial one): said on the terminal, as why says it.
"$J" view /etc/passwd -o "$T/passwd.html" >/dev/null 2>"$T/view-err"; rc=$?
[ $rc = 1 ] && grep -q "^jobshim: view: /etc/passwd:1: not a trace event (skipped)" "$T/view-err" &&
	grep -q "^jobshim: view: /etc/passwd: no trace events in it" "$T/view-err" &&
	ok "view of a file that is no trace: exit 1, said why" ||
	{ bad "view of /etc/passwd: exit $rc"; sed 's/^/#   /' "$T/view-err"; }
{ head -n 2 "$T/demo.jsonl"; echo '{"t":0.5,"ev":"fork","vp'; } >"$T/cut.jsonl"
"$J" view "$T/cut.jsonl" -o "$T/cut.html" >/dev/null 2>"$T/view-err"; rc=$?
[ $rc = 0 ] && [ "$(cat "$T/view-err")" = "jobshim: view: $T/cut.jsonl:3: not a trace event (skipped)" ] &&
	ok "view of a trace cut short: the page, and the broken line named" ||
	{ bad "view of a cut trace: exit $rc"; sed 's/^/#   /' "$T/view-err"; }
exit $fail
