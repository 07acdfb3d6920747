#!/bin/bash
# sup_rundir_prune.sh BUILD — a supervisor killed by SIGKILL with its guard leaves its run directory; the next
# run in the same TMPDIR removes it (supervisor/rundir_prune.c), and never a live run's, a fresh
# one's, another version's (no lock file) or anything that is not a run directory.
# Runs in a private pid namespace: supervisors are killed with SIGKILL, their commands by pid.
set -u
. "$(dirname "$0")/lib/sup.sh" "${1:-build}" 120
[ -x "$J" ] || { echo "not ok - $J missing"; exit 1; }
TMP="$T/tmp"
mkdir -m 711 "$TMP"
mkdir "$T/victim" && : >"$T/victim/keep"

# start_run NAME SCRIPT: jobshim run -- sh -c SCRIPT in the background, in
# TMP; sets NAME_sup (supervisor pid) and NAME_top once its socket exists.
start_run() {
	local p s i
	TMPDIR="$TMP" "$J" run -- sh -c "$2" >"$T/$1.out" 2>"$T/$1.err" &
	p=$!
	for i in $(seq 200); do s=$(ls "$TMP"/jobshim-$p.*/*/sock 2>/dev/null) && break; sleep 0.05; done
	eval "$1_sup=$p; $1_top=$(dirname "$(dirname "${s:-x/x/x}")")"
}
# the command's real pid: the supervisor's child that is not its guard
cmd_of() {
	local k
	for k in $(cat /proc/"$1"/task/*/children 2>/dev/null); do
		[ "$(cat /proc/"$k"/comm 2>/dev/null)" != jobshim-guard ] && { echo "$k"; return; }
	done
}
# kill_both SUP: SIGKILL the supervisor's guard (supervisor/guard.c, which
# would remove the run directory), then the supervisor: as `pkill -9 jobshim`.
kill_both() {
	local k
	for k in $(cat /proc/"$1"/task/*/children 2>/dev/null); do
		[ "$(cat /proc/"$k"/comm 2>/dev/null)" = jobshim-guard ] && kill -KILL "$k"
	done
	kill -KILL "$1"
}
aged() { touch -h -d '1 minute ago' "$@"; }

# 1. a killed run, aged: pruned by the next run
start_run dead 'exec sleep 60'
dc=$(cmd_of "$dead_sup")
kill_both "$dead_sup"; wait "$dead_sup" 2>/dev/null
[ -n "$dc" ] && kill -KILL "$dc" 2>/dev/null
[ -d "$dead_top" ] && [ -e "$dead_top/lock" ] && ok "SIGKILL leaves the run directory (with its lock file)" ||
	bad "no leftover to prune: '$dead_top'"
# what a tree process may have left in its DIR: directories, files, a symlink out
dd=$(ls -d "$dead_top"/*/) && mkdir -p "$dd/junk/deeper" && : >"$dd/junk/deeper/f" && ln -s "$T/victim" "$dd/out" ||
	bad "could not fill the dead run's directory"
aged "$dead_top"

# 2. a killed run, fresh: kept (a supervisor just starting looks the same)
start_run fresh 'exec sleep 60'
fc=$(cmd_of "$fresh_sup")
kill_both "$fresh_sup"; wait "$fresh_sup" 2>/dev/null
[ -n "$fc" ] && kill -KILL "$fc" 2>/dev/null

# 3. a live run, aged: kept, and still works afterwards
mkfifo "$T/go"
start_run live "read x <'$T/go'; sh -c 'echo alive \$(ps -o pid= -p \$\$ | wc -l)'"
aged "$live_top"

# 4. not ours to remove: no lock file (another version), a symlink, a file
mkdir -m 711 "$TMP/jobshim-1.oldver" "$TMP/jobshim-1.oldver/0123"
: >"$TMP/jobshim-1.oldver/0123/sock"
ln -s "$T/victim" "$TMP/jobshim-2.symlnk"
: >"$TMP/jobshim-3.afile"
aged "$TMP/jobshim-1.oldver" "$TMP/jobshim-2.symlnk" "$TMP/jobshim-3.afile"

TMPDIR="$TMP" timeout 60 "$J" run -- true >"$T/next.out" 2>"$T/next.err"
rc=$?
[ $rc -eq 0 ] && [ ! -s "$T/next.err" ] && ok "the next run: exit 0, nothing on stderr" ||
	{ bad "the next run: exit $rc"; sed 's/^/#   /' "$T/next.err" | head -5; }
[ ! -e "$dead_top" ] && ok "a dead run's aged directory is removed" || bad "dead run's directory left: $(ls -R "$dead_top" | head -5)"
[ -d "$fresh_top" ] && ok "a dead run's fresh directory is kept (age guard)" || bad "fresh directory removed"
[ -S "$(ls "$live_top"/*/sock 2>/dev/null)" ] && ok "a live run's directory is kept" || bad "live run's socket removed"
[ -f "$TMP/jobshim-1.oldver/0123/sock" ] && ok "a directory without a lock file is kept" || bad "lockless directory removed"
[ -L "$TMP/jobshim-2.symlnk" ] && [ -f "$T/victim/keep" ] && ok "a symlink is neither followed nor removed" ||
	bad "symlink or its target touched"
[ -f "$TMP/jobshim-3.afile" ] && ok "a plain file is kept" || bad "plain file removed"

echo go >"$T/go"
wait "$live_sup"
rc=$?
[ $rc -eq 0 ] && grep -q '^alive 1$' "$T/live.out" && ! grep -q '^jobshim' "$T/live.err" &&
	ok "the live run still works after the prune" ||
	{ bad "live run: exit $rc, out '$(cat "$T/live.out")'"; sed 's/^/#   /' "$T/live.err" | head -5; }
[ ! -e "$live_top" ] && ok "a run that ends removes its own directory" || bad "live run's directory left"

# 5. a run whose tree filled its DIR (a directory where a shared file was, a
# tree of directories, a symlink out) still removes all of it at the end
TMPDIR="$TMP" timeout 60 "$J" run -- sh -c 'd=$(dirname "$JOBSHIM_SOCKET"); rm "$d/shared"; mkdir "$d/shared";
	mkdir -p "$d/a/b/c"; : >"$d/a/b/c/f"; ln -s "$1" "$d/out"; echo "$d"' sh "$T/victim" >"$T/fill.out" 2>"$T/fill.err"
rc=$?
fill=$(cat "$T/fill.out")
[ $rc -eq 0 ] && [ -n "$fill" ] && [ ! -e "$(dirname "$fill")" ] && [ -f "$T/victim/keep" ] &&
	ok "a run removes what its tree left in its directory, without following a symlink" ||
	bad "filled run: exit $rc, '$fill' left: $(ls -R "$(dirname "${fill:-/nonexistent}")" 2>&1 | head -5)"

# 6. the fresh leftover, once aged, goes at the next run too
aged "$fresh_top"
TMPDIR="$TMP" timeout 60 "$J" run -- true
[ ! -e "$fresh_top" ] && ok "the other leftover, aged, is removed by a later run" || bad "fresh leftover never removed"
left=$(cd "$TMP" && ls | sort | tr '\n' ' ')
[ "$left" = "jobshim-1.oldver jobshim-2.symlnk jobshim-3.afile " ] && ok "only the foreign entries remain" ||
	bad "left in TMPDIR: $left"
exit $fail
