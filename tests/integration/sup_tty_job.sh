#!/bin/bash
# sup_tty_job.sh BUILD — jobshim as a job of the user's interactive shell: ^Z/bg/fg, SIGTTIN, ^C in a loop, hangup; the same facts natively and under jobshim.
set -u
B=$(cd "${1:-build}" && pwd)
if [ "${SUP_IN_NS:-}" != 1 ]; then
	SUP_IN_NS=1 exec timeout 200 unshare --pid --fork --kill-child --mount-proc "$0" "$B"
fi
J="$B/jobshim"
fail=0
[ -x "$J" ] || { echo "not ok - $J missing"; exit 1; }
command -v python3 >/dev/null && command -v bash >/dev/null || { echo "not ok - python3 or bash missing"; exit 1; }
py="$(dirname "$0")/lib/tty_outer.py"
want="bg-then-end=True cat-bg-stops=True cat-bg-fg-reads=True amp-cat-stops=True amp-cat-fg-reads=True loop-stops=True hup-count=1"
for how in native "$J"; do
	d=$(mktemp -d)
	got=$(timeout 150 python3 "$py" "$how" "$d" 2>"$d/err")
	# Natively the trap runs once or twice: the shell resends SIGHUP to its
	# job and exits, and the kernel then signals the foreground group; the
	# two arrive microseconds apart, and the trap may run between them.
	# Under jobshim the kernel's is the only one (the shell's resend to
	# jobshim is not passed on): exactly once, never more than natively.
	[ "$how" = native ] && got=${got/hup-count=2/hup-count=1}
	label=$([ "$how" = native ] && echo natively || echo "under jobshim")
	if [ "$got" = "$want" ]; then
		echo "ok - $label: $got"
	else
		echo "not ok - $label: $got"
		echo "  want: $want"
		tail -c 4000 "$d/err" | sed 's/^/    /'
		fail=1
	fi
	rm -rf "$d"
done
exit $fail
