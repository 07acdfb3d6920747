#!/bin/bash
# prog_chromium.sh BUILD — headless Chromium dumps a page's DOM under jobshim as natively, and its whole tree (zygotes, renderers, the crashpad handler) ends on its own.
#
# Chromium found four differences (session 56): its zygote's child learns
# its pid from the browser, which reads it from SCM_CREDENTIALS of a
# message the child sends before its parent's fork has returned (it was
# 0: "Invalid pid from parent zygote"); the browser sets each renderer's
# /proc/<pid>/oom_score_adj with creat (which went to the real
# /proc/<vpid>); it CHECKs that /proc/<pid>/stat opened for reading is
# O_RDONLY (the shim's copy was a read-write memfd: the browser died of
# SIGTRAP); and its crashpad handler defines close(), which the shim
# called from inside the handler's own static initialisation (it hung).
# `--wait`: the run ends only when every process has ended by itself.
# As nobody with its sandbox (session 57): see below.
# Skipped (passing) without chromium: scripts/deps.sh installs it.
B=$(cd "${1:-build}" && pwd) || exit 1
# shellcheck source=lib/common.sh
. "$(dirname "$0")/lib/common.sh"
why=$(it_shim_missing); [ -n "$why" ] && { echo "FAIL: $why"; exit 1; }
command -v chromium >/dev/null || { echo "skip: no chromium"; exit 0; }

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cat >"$dir/page.html" <<'HTML'
<html><body><p id="x">static</p><script>document.getElementById("x").textContent = "script ran"</script></body></html>
HTML
# As root with --no-sandbox; then as nobody with Chromium's own sandbox:
# its zygote is pid 1 of a new pid namespace, and the renderers it forks
# there name themselves to the browser by SCM_CREDENTIALS (the supervisor
# registers such a process when asked: supervisor/ops.c, op_xlate; before,
# the browser died of SIGTRAP at once).
chmod 755 "$dir"
mkdir -p "$dir/home"
chmod 777 "$dir/home"
fail=0
for who in root nobody; do
	if [ $who = root ]; then
		chrome=(env HOME="$dir/home" chromium --headless --no-sandbox --disable-gpu --user-data-dir="$dir/profile"
			--dump-dom "file://$dir/page.html")
	else
		chrome=(setpriv --reuid=65534 --regid=65534 --clear-groups env HOME="$dir/home" chromium --headless
			--disable-gpu --user-data-dir="$dir/home/profile" --dump-dom "file://$dir/page.html")
	fi
	for side in native shim; do
		rm -rf "$dir/profile" "$dir/home/profile"
		if [ $side = native ]; then
			timeout -k 5 120 $IT_NS "$NATIVE_INIT" "${chrome[@]}" >"$dir/out" 2>"$dir/err" </dev/null
		else
			timeout -k 5 120 $IT_NS ${PIDPUSH:+"$PIDPUSH"} "$NATIVE_INIT" "$JOBSHIM" run --wait -- "${chrome[@]}" \
				>"$dir/out" 2>"$dir/err" </dev/null
		fi
		rc=$?
		if [ $side = native ] && [ $who = nobody ] && [ $rc -ne 0 ]; then
			echo "skip: as nobody natively: exit $rc (no user namespaces for its sandbox?)"
			break
		fi
		if [ $rc -ne 0 ] || ! grep -q '<p id="x">script ran</p>' "$dir/out"; then
			echo "FAIL: $who, $side: exit $rc, the DOM dumped: $(head -c 300 "$dir/out")"
			grep -a -e FATAL -e jobshim -e native_init "$dir/err" | head -n 5 | sed 's/^/    /'
			fail=1
		elif grep -a -q -e '^jobshim' -e FATAL "$dir/err"; then
			echo "FAIL: $who, $side: $(grep -a -e '^jobshim' -e FATAL "$dir/err" | head -n 3)"
			fail=1
		fi
	done
done
exit $fail
