#!/bin/bash
# sup_run.sh BUILD — `jobshim run` basics: exit codes, environment, vpids, CLI, clean-up.
set -u
. "$(dirname "$0")/lib/sup.sh" "${1:-build}"

# expect_rc WANT DESCRIPTION CMD... : run with a timeout, compare the exit code
expect_rc() {
	local want=$1 what=$2
	shift 2
	timeout 60 "$@" >"$T/out" 2>"$T/err"
	local rc=$?
	if [ "$rc" -eq "$want" ]; then ok "$what (exit $rc)"; else
		bad "$what: exit $rc, want $want"; sed 's/^/#   /' "$T/err" | head -5; fi
}

[ -x "$J" ] || { echo "not ok - $J missing"; exit 1; }

expect_rc 0 "run true" "$J" run -- true
expect_rc 1 "run false" "$J" run -- false
expect_rc 7 "exit code passed through" "$J" run -- sh -c 'exit 7'
expect_rc 137 "death by SIGKILL is 128+9" "$J" run -- sh -c 'kill -KILL $$'
expect_rc 127 "command not found" "$J" run -- /nonexistent/command
grep -q "jobshim: /nonexistent/command: No such file or directory" "$T/err" &&
	ok "not-found message" || bad "not-found message: $(cat "$T/err")"
expect_rc 127 "command not found in PATH" "$J" run -- jobshim-no-such-command-xyz
expect_rc 126 "command not executable" "$J" run -- /etc/passwd
expect_rc 125 "unknown option" "$J" run --no-such-option -- true
grep -q "^jobshim: run: unrecognized option '--no-such-option'" "$T/err" &&
	ok "unknown option message" || bad "unknown option message: $(cat "$T/err")"
expect_rc 125 "missing command" "$J" run
expect_rc 125 "bad duration" "$J" run --timeout 10x -- true
for v in 1 0 -5 x 2x 4194303 4194304 99999999999 ''; do
	expect_rc 125 "--first-pid '$v' refused" "$J" run --first-pid "$v" -- true
done
grep -q "^jobshim: run: invalid pid for --first-pid: '' (2 to 4194302)" "$T/err" &&
	ok "--first-pid message" || bad "--first-pid message: $(cat "$T/err")"
expect_rc 125 "missing library" "$J" run --lib /nonexistent/libjobshim.so -- true
grep -q "^jobshim: --lib" "$T/err" && ok "missing library message" || bad "missing library message"
expect_rc 125 "unknown subcommand" "$J" frobnicate
# A read-only /dev/shm (a mount namespace of our own): the run directory
# goes to /tmp instead of failing.
if unshare -m true 2>/dev/null; then
	expect_rc 0 "read-only /dev/shm" unshare -m sh -c 'mount -t tmpfs -o ro tmpfs /dev/shm && exec env -u TMPDIR "$@"' sh \
		"$J" run -- sh -c 'test "$JOBSHIM_SOCKET" != "${JOBSHIM_SOCKET#/tmp/}"'
else
	ok "# SKIP read-only /dev/shm: no mount namespace"
fi
# A hard descriptor limit too low for the supervisor's own descriptors:
# a clear failure naming the limit, at each place setup runs out.
for n in 6 10 14; do
	expect_rc 125 "ulimit -n $n" bash -c "ulimit -n $n && exec \"\$@\"" sh "$J" run -- true
	grep -q "^jobshim: the descriptor limit (ulimit -Hn) is $n: " "$T/err" &&
		ok "ulimit -n $n message" || bad "ulimit -n $n message: $(cat "$T/err")"
done
expect_rc 0 "--help" "$J" --help
grep -q "^Usage: jobshim run" "$T/out" && ok "--help text" || bad "--help text"
expect_rc 0 "run --help" "$J" run --help
grep -q -- "--timeout DURATION" "$T/out" && ok "run --help text" || bad "run --help text"
expect_rc 0 "--version" "$J" --version
[ "$(cat "$T/out")" = "jobshim 0.1.0" ] && ok "version string" || bad "version string: $(cat "$T/out")"

# Identity and environment inside the tree.
out=$(timeout 60 "$J" run -- sh -c 'echo $$ $PPID' 2>/dev/null)
[ "$out" = "2 1" ] && ok "command is vpid 2, child of 1" || bad "ids: '$out'"
# --first-pid: the command is that pid, leader of that session, and its
# descendants follow it.  vpids stay below the machine's pid_max and wrap
# there to 300, as Linux's pids do (RESERVED_PIDS); a --first-pid above
# pid_max widens the range to Linux's largest pid, 4194303.
out=$(timeout 60 "$J" run --first-pid 70000 -- sh -c 'echo $$ $PPID $(ps -o pgid= -o sid= -p $$); sh -c "echo \$\$ \$PPID"; kill -0 70000 && echo ok' 2>/dev/null)
[ "$(echo $out)" = "70000 1 70000 70000 70002 70000 ok" ] && ok "--first-pid 70000: the command is 70000, its children 70001, ..." ||
	bad "--first-pid 70000: '$(echo $out)'"
out=$(timeout 60 "$J" run --first-pid 4194302 -- sh -c 'echo $$; sh -c "echo \$\$"; sh -c "echo \$\$"' 2>/dev/null)
[ "$(echo $out)" = "4194302 4194303 300" ] && ok "--first-pid 4194302: the numbering wraps to 300 past 4194303" ||
	bad "--first-pid wrap: '$(echo $out)'"
# At the machine's pid_max: no vpid reaches it (LTP's tst_get_unused_pid
# answers pid_max as a pid nobody has), the next one is 300.
pmax=$(cat /proc/sys/kernel/pid_max)
out=$(timeout 60 "$J" run --first-pid $((pmax - 2)) -- sh -c 'echo $$; sh -c "echo \$\$"; sh -c "echo \$\$"; kill -0 '$pmax' 2>/dev/null || echo ESRCH' 2>/dev/null)
[ "$(echo $out)" = "$((pmax - 2)) $((pmax - 1)) 300 ESRCH" ] && ok "pid_max $pmax: vpids stay below it and wrap to 300" ||
	bad "pid_max $pmax wrap: '$(echo $out)'"
out=$(LD_PRELOAD=/lib/x86_64-linux-gnu/libc.so.6 timeout 60 "$J" run -- sh -c 'echo "$LD_PRELOAD"' 2>/dev/null)
[ "$out" = "$(readlink -f "$B/libjobshim.so"):/lib/x86_64-linux-gnu/libc.so.6" ] &&
	ok "LD_PRELOAD prepended" || bad "LD_PRELOAD: '$out'"
out=$(timeout 60 "$J" run -- sh -c 'echo "$JOBSHIM_LIB|${JOBSHIM_SELF-unset}|$JOBSHIM_SOCKET"' 2>/dev/null)
case "$out" in
"$(readlink -f "$B/libjobshim.so")|unset|"/*/sock) ok "JOBSHIM_LIB and JOBSHIM_SOCKET set, JOBSHIM_SELF read and hidden" ;;
*) bad "JOBSHIM_*: '$out'" ;;
esac
sockdir=$(dirname "${out##*|}")
[ ! -e "$sockdir" ] && [ ! -e "$(dirname "$sockdir")" ] && ok "run directories removed at the end" ||
	bad "$sockdir or its parent left behind"
# The identity a new image is handed (JOBSHIM_SELF, different in every
# process) is in its kernel environment, not in environ: the environment a
# program sees is the same in every process of the tree, as natively
# (mksh's check.t xxx-exec-environment-2 compares two runs of a script).
out=$(timeout 60 "$J" run -- sh -c 'a=$(env); b=$(sh -c env); c=$(exec env); [ "$a" = "$b" ] && [ "$a" = "$c" ] && echo same
	cat /proc/self/environ | tr "\0" "\n" | grep -c "^JOBSHIM_SELF=[0-9]"' 2>/dev/null)
[ "$(echo $out)" = "same 1" ] && ok "environment the same in every process; JOBSHIM_SELF only in /proc/PID/environ" ||
	bad "environment differs between processes: '$(echo $out)'"
# TOP 0711 (no one else may list it), TOP/<secret> 0711, the socket 0666:
# every uid of the tree reaches it by the secret path (supervisor/rundir.c).
out=$(timeout 60 "$J" run -- sh -c 's=$JOBSHIM_SOCKET; d=${s%/sock}; stat -c %a "${d%/*}" "$d" "$s" "$d/shared" "$d/events"; echo "${d##*/}"' 2>/dev/null)
case "$(echo $out)" in
"711 711 666 666 666 "[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f])
	ok "run directory 0711, secret 24-hex subdirectory 0711, socket and shared files 0666" ;;
*) bad "run directory modes: '$(echo $out)'" ;;
esac
out=$(TMPDIR="$T" timeout 60 "$J" run -- sh -c 'echo "$JOBSHIM_SOCKET"' 2>/dev/null)
case "$out" in "$T"/jobshim-*/sock) ok "socket under \$TMPDIR" ;; *) bad "TMPDIR ignored: '$out'" ;; esac
# No $TMPDIR: the run directory goes to /dev/shm when that is a tmpfs every
# uid may write with 16 MiB free (the shared maps then live in memory, not on
# a disk), else to /tmp (supervisor/rundir.c, run_base).
want=/tmp
if [ "$(stat -f -c %T /dev/shm 2>/dev/null)" = tmpfs ] && [ "$(stat -c %a /dev/shm)" = 1777 ] &&
	[ "$(df -k --output=avail /dev/shm | tail -1)" -ge 16384 ]; then
	want=/dev/shm
fi
out=$(env -u TMPDIR timeout 60 "$J" run -- sh -c 'echo "$JOBSHIM_SOCKET"' 2>/dev/null)
case "$out" in "$want"/jobshim-*/sock) ok "no \$TMPDIR: run directory in $want" ;; *) bad "no TMPDIR: '$out', expected under $want" ;; esac
# A $TMPDIR that other uids cannot pass (mktemp -d makes 0700): the run
# directory goes where it would without one, so that a process that takes
# another uid still reaches the supervisor.
mkdir -m 700 "$T/priv"
out=$(TMPDIR="$T/priv" timeout 60 "$J" run -- sh -c 'echo "$JOBSHIM_SOCKET"; exec setpriv --reuid 65534 --regid 65534 --clear-groups sh -c "sleep 0 & wait; echo \$!"' 2>"$T/err")
case "$(echo $out)" in "$want/jobshim-"*"/sock 3") ok "private \$TMPDIR: run directory in $want, a uid change keeps the tree" ;;
*) bad "private TMPDIR: '$(echo $out)' $(head -c 300 "$T/err")" ;; esac
# A $TMPDIR where nothing can be made (/proc): said, and passed over.
out=$(TMPDIR=/proc timeout 60 "$J" run -- sh -c 'echo "$JOBSHIM_SOCKET"' 2>"$T/err")
case "$out" in "$want"/jobshim-*/sock) ok "unusable \$TMPDIR: run directory in $want" ;; *) bad "TMPDIR=/proc: '$out' $(head -c 300 "$T/err")" ;; esac
grep -q '^jobshim: \$TMPDIR (/proc): .*; using ' "$T/err" && ok "unusable \$TMPDIR said" || bad "unusable TMPDIR not said: $(cat "$T/err")"

# Children get vpids 3, 4, ... and see their parent.
out=$(timeout 60 "$J" run -- sh -c 'sh -c "echo \$\$ \$PPID"; sh -c "echo \$\$ \$PPID"' 2>/dev/null)
[ "$(echo $out)" = "3 2 4 2" ] && ok "children numbered 3, 4" || bad "children: '$(echo $out)'"

# The command's real process group is its own, and stdin/stdout pass through.
out=$(echo hello | timeout 60 "$J" run -- cat 2>/dev/null)
[ "$out" = "hello" ] && ok "stdin and stdout pass through" || bad "cat: '$out'"
mypg=$(ps -o pgid= $$ | tr -d ' ')
# (the real group: /proc/self/stat read with a raw openat; through libc it holds vpids)
out=$(timeout 60 "$J" run -- python3 -c 'import ctypes, os
fd = ctypes.CDLL(None).syscall(257, -100, b"/proc/self/stat", 0)
print(os.read(fd, 512).decode().rsplit(")", 1)[1].split()[2])' 2>/dev/null)
[ -n "$out" ] && [ "$out" != "$mypg" ] && ok "command in its own real group" || bad "real group '$out'"

# A library other uids cannot read (in a 0700 directory) is copied into the
# run directory: an image exec'd under uid 65534 still loads the shim ($$ is
# the vpid, not the real pid).  A readable one is used where it is.
mkdir -p -m 700 "$T/priv"
cp "$B/libjobshim.so" "$T/priv/priv.so"
out=$(timeout 60 "$J" run --lib "$T/priv/priv.so" -- setpriv --reuid=65534 --regid=65534 --clear-groups \
	sh -c 'echo $$ $PPID; [ "$JOBSHIM_LIB" = "${JOBSHIM_SOCKET%/sock}/libjobshim.so" ] && echo copied; stat -c %a "$JOBSHIM_LIB"' 2>&1)
[ "$(echo $out)" = "2 1 copied 644" ] && ok "private library copied into the run directory: uid 65534 keeps the shim" ||
	bad "private library: '$(echo $out)'"
out=$(timeout 60 "$J" run -- sh -c 'echo "$JOBSHIM_LIB"' 2>&1)
[ "$out" = "$(readlink -f "$B/libjobshim.so")" ] && ok "readable library used in place" || bad "library: '$out'"

# Signals to vpid 1 (the supervisor) from inside are checked and dropped,
# never sent: a real SIGKILL or SIGSTOP would reach it (the kernel protects
# only a namespace's init).  tkill, tgkill and sigqueue from root.
case $(uname -m) in
x86_64) nr="200 234" ;;
aarch64) nr="130 131" ;;
*) nr="" ;;
esac
if [ -n "$nr" ]; then
	set -- $nr
	out=$(timeout 60 "$J" run -- python3 -c "
import ctypes, signal, os
libc = ctypes.CDLL(None, use_errno=True)
print(libc.syscall($1, 1, signal.SIGKILL), libc.syscall($2, 1, 1, signal.SIGSTOP))
os.kill(1, signal.SIGKILL)
print('alive')" 2>&1; echo "rc=$?")
	[ "$(echo $out)" = "0 0 alive rc=0" ] && ok "tkill/tgkill/kill of vpid 1 with SIGKILL/SIGSTOP: 0, supervisor unharmed" ||
		bad "signals to vpid 1: '$(echo $out)'"
fi

# Nothing is left running by a clean run.
out=$(timeout 60 "$J" run -- sh -c 'sleep 0.1 & wait; echo done' 2>&1)
[ "$out" = "done" ] && ok "no leftovers, no noise" || bad "output: '$out'"

exit $fail
