#!/bin/bash
# sup_leak_mp.sh BUILD — Python multiprocessing (spawn, forkserver) under --fail-on-leak: never a false leak.
# Runs itself inside a private pid namespace: the supervisor sends group signals.
#
# The spawn and forkserver start methods leave helpers (resource_tracker,
# the fork server) that exit by themselves once the parent is gone: ~20 ms
# natively, a few hundred under jobshim on a loaded machine, well within
# the settle time (sup_leak.sh has the definition).  A pool runs a few
# tasks and the program exits cleanly: exit 0 and no report, 20 runs of
# each, one of each at a time side by side.
set -u
. "$(dirname "$0")/lib/sup.sh" "${1:-build}" 140
[ -x "$J" ] || { echo "not ok - $J missing"; exit 1; }

# Debian's python3 (scripts/deps.sh installs it): a quick start-up.
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3)

cat >"$T/mp.py" <<'PYEOF'
import multiprocessing as mp, sys
def square(x):
    return x * x
if __name__ == '__main__':
    with mp.get_context(sys.argv[1]).Pool(2) as pool:
        print(sum(pool.map(square, range(8))))
PYEOF

# one METHOD I: a run; "METHOD I rc out" on a line of $T/res.
one() {
	local out rc
	out=$(timeout 60 "$J" run --fail-on-leak -- "$PY" "$T/mp.py" "$1" 2>"$T/err.$1.$2")
	rc=$?
	echo "$1 $2 $rc $out" >>"$T/res"
}

: >"$T/res"
for i in $(seq 20); do
	one spawn "$i" &
	one forkserver "$i" &
	wait
done
for m in spawn forkserver; do
	wrong=$(grep "^$m " "$T/res" | grep -cv "^$m [0-9]* 0 140$")
	total=$(grep -c "^$m " "$T/res")
	first=$(grep "^$m " "$T/res" | grep -v "^$m [0-9]* 0 140$" | head -n 1)
	if [ "$total" -eq 20 ] && [ "$wrong" -eq 0 ]; then
		ok "multiprocessing $m: 20 of 20 exit 0, no leftover"
	else
		i=$(echo "$first" | cut -d' ' -f2)
		bad "multiprocessing $m: $wrong of $total wrong; first: $first: $(tr '\n' '|' <"$T/err.$m.$i" 2>/dev/null)"
	fi
done
leftovers=$(cat "$T"/err.* | grep -c leftover)
[ "$leftovers" -eq 0 ] && ok "no leftover reported" || bad "$leftovers leftover lines"

exit $fail
