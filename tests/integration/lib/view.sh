# view.sh — shared helpers of sup_view*.sh (sourced after lib/sup.sh): Chromium loads, DOM checks, PNG checks.
L=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
command -v python3 >/dev/null || { echo "not ok - python3 missing (scripts/deps.sh installs it)"; exit 1; }
command -v chromium >/dev/null || { echo "not ok - chromium missing (scripts/deps.sh installs it)"; exit 1; }
# Screenshots are kept in the build tree for a look after the run.
shots="$B/view"
mkdir -p "$shots"

# chrome FILE.html[#view] DOMOUT [PNGOUT]: headless Chromium (as root it
# needs --no-sandbox) dumps the DOM after the load event, and takes a
# screenshot in the same run (one browser start each: they are slow on a
# loaded machine).  The page draws synchronously while loading, so the
# dumped DOM is the drawn page.  Console messages (errors, uncaught
# exceptions) go to stderr with --enable-logging: a clean page has none.
# The timeout is a hang guard only.
chrome() {
	local url=$1 out=$2 shot=${3:-}
	timeout 120 chromium --headless --no-sandbox --disable-gpu --no-first-run --no-default-browser-check \
		--disable-extensions --disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$T/chrome" --enable-logging=stderr --v=0 --window-size=1400,900 \
		--dump-dom ${shot:+--screenshot="$shot"} "file://$url" >"$out" 2>"$T/chrome.err" </dev/null
	local rc=$?
	if grep -q 'CONSOLE' "$T/chrome.err"; then
		bad "console messages loading $url:"
		grep 'CONSOLE' "$T/chrome.err" | head -5 | sed 's/^/#   /'
		return 1
	fi
	[ "$rc" -eq 0 ] || { bad "chromium exit $rc on $url"; tail -5 "$T/chrome.err" | sed 's/^/#   /'; return 1; }
	return 0
}
dom() { # DESCRIPTION DOMFILE ASSERTION...
	local what=$1 f=$2
	shift 2
	if out=$(python3 "$L/domcheck.py" "$f" "$@" 2>&1); then ok "$what"; else bad "$what: $out"; fi
}
png_ok() { # FILE: a PNG of some substance (a blank page is a few KB)
	[ -s "$1" ] && [ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] &&
		[ "$(stat -c %s "$1")" -gt 15000 ]
}

