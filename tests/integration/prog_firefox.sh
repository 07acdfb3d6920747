#!/bin/bash
# prog_firefox.sh BUILD — headless Firefox with its sandboxes on takes a page's screenshot under jobshim as natively, its log as clean, and its whole tree (fork server, content, socket and media processes, crash helper) ends on its own.
#
# Firefox found two differences (session 57): its fork server's sandboxed
# children mend glibc's cached tid by hand with syscall(SYS_gettid), which
# gave the vpid, and glibc's pthread_getattr_np then asked the kernel
# about the vpid (ESRCH: every child crashed at its start; shim/tidword.c);
# and a child that installs its own seccomp filter got its real pid from
# getpid() from then on, which failed an IPC assertion against the pid its
# parent knew (shim/self.c, shim_self_sandboxed).
# `--wait`: the run ends only when every process has ended by itself.
# Skipped (passing) without firefox-esr: scripts/deps.sh installs it.
B=$(cd "${1:-build}" && pwd) || exit 1
# shellcheck source=lib/common.sh
. "$(dirname "$0")/lib/common.sh"
why=$(it_shim_missing); [ -n "$why" ] && { echo "FAIL: $why"; exit 1; }
command -v firefox-esr >/dev/null || { echo "skip: no firefox-esr"; exit 0; }

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cat >"$dir/page.html" <<'HTML'
<html><body style="background:#fff"><p id="x">static</p><script>document.getElementById("x").textContent = "script ran"</script></body></html>
HTML
fox=(env HOME="$dir/home" MOZ_CRASHREPORTER_DISABLE=1 firefox-esr --headless --no-remote --profile "$dir/profile"
	--screenshot "$dir/shot.png" "file://$dir/page.html")
mkdir -p "$dir/home"
fail=0
for side in native shim; do
	rm -rf "$dir/profile" "$dir/shot.png"
	mkdir "$dir/profile"
	if [ $side = native ]; then
		timeout -k 5 120 $IT_NS "$NATIVE_INIT" "${fox[@]}" >"$dir/out" 2>&1 </dev/null
	else
		timeout -k 5 120 $IT_NS ${PIDPUSH:+"$PIDPUSH"} "$NATIVE_INIT" "$JOBSHIM" run --wait -- "${fox[@]}" \
			>"$dir/out" 2>&1 </dev/null
	fi
	rc=$?
	# Natively it prints one line, "*** You are running in headless mode."
	# (native_init, the pid namespace's init, reaps what Firefox left.)
	other=$(grep -a -v -e '^\*\*\* You are running in headless mode\.$' -e '^$' -e '^native_init: leftover pid [0-9]* reaped$' "$dir/out" | head -n 5)
	if [ $rc -ne 0 ] || [ ! -s "$dir/shot.png" ]; then
		echo "FAIL: $side: exit $rc, screenshot: $(stat -c %s "$dir/shot.png" 2>/dev/null || echo none)"
		printf '%s\n' "$other" | sed 's/^/    /'
		fail=1
	elif [ -n "$other" ]; then
		echo "FAIL: $side: its log says more than natively:"
		printf '%s\n' "$other" | cut -c1-300 | sed 's/^/    /'
		fail=1
	fi
done
exit $fail
