#!/bin/bash
# sup_view_large.sh BUILD — the timeline page of a 10,000-process trace in headless Chromium: laid out, drawn lazily, timed.
set -u
. "$(dirname "$0")/lib/sup.sh" "${1:-build}" 300
[ -x "$J" ] || { echo "not ok - $J missing"; exit 1; }
. "$(dirname "$0")/lib/view.sh"

# --- a large trace: 10,000 processes (synthetic, tests/integration/lib/gentrace.py).
python3 "$L/gentrace.py" 10000 >"$T/big.jsonl"
"$J" view "$T/big.jsonl" -o "$T/big.html"
echo "# 10,000-process trace: $(wc -l <"$T/big.jsonl") events, page $(stat -c %s "$T/big.html") bytes"
# Opened at its 200th orphaning, zoomed in (the address asks for it).
rm -f "$shots/big.png"
if chrome "$T/big.html#orphan=200&zoom=400" "$T/big.dom" "$shots/big.png"; then
	dom "10,000 processes: every process laid out, only the visible lanes drawn" "$T/big.dom" \
		'S["processes"] == "10000" and int(S["lanes"]) >= 10000 and int(S["orphans"]) > 400 and int(S["bands"]) > 4000 and int(S["sessions"]) > 500' \
		'0 < int(S["drawn-lanes"]) < 200 and int(S["drawn-lanes"]) == n("g", "lane")' \
		'S["errors"] == ""'
	dom "10,000 processes: the orphaning asked for is on screen, with its SIGHUP arrow" "$T/big.dom" \
		'S["drawn-orphans"] == "1" and n("g", "orphan") == 1 and n("path", "arrow", data_sig="SIGHUP") >= 1'
	echo "# 10,000-process page: first draw $(sed -n 's/.*data-first-draw-ms="\([0-9]*\)".*/\1/p' "$T/big.dom") ms after navigation start (script: $(sed -n 's/.*data-build-ms="\([0-9]*\)".*/\1/p' "$T/big.dom") ms)"
	png_ok "$shots/big.png" && ok "10,000-process page screenshot ($shots/big.png)" || bad "10,000-process page screenshot"
fi

exit $fail
