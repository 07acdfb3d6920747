#!/bin/bash
# leak_mp.sh BUILD — Python multiprocessing (start method $MP_METHOD) under --fail-on-leak: never a false leak.
# Run by sup_leak_spawn.sh and sup_leak_forkserver.sh (one method each: a
# script's time limit holds 20 runs on a loaded machine).  Runs itself
# inside a private pid namespace: the supervisor sends group signals.
#
# The spawn and forkserver start methods leave helpers (resource_tracker,
# the fork server) that exit by themselves once the parent is gone: ~20 ms
# natively, a few hundred ms under jobshim on a loaded machine, within
# the settle time, which a busy tree extends (sup_leak.sh has the
# definition).  A pool runs a few tasks and the program exits cleanly: exit
# 0 and no report, 20 runs, four at a time side by side (a loaded machine
# is where the helpers are slow).
set -u
. "$(dirname "$0")/sup.sh" "${1:-build}" 140
m=${MP_METHOD:?spawn or forkserver}
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

# one I: run I; "I rc out" on a line of $T/res, its stderr in $T/err.I.
one() {
	local out rc
	out=$(timeout 60 "$J" run --fail-on-leak -- "$PY" "$T/mp.py" "$m" 2>"$T/err.$1")
	rc=$?
	echo "$1 $rc $out" >>"$T/res"
}

: >"$T/res"
for i in $(seq 1 4 20); do
	one "$i" &
	one $((i + 1)) &
	one $((i + 2)) &
	one $((i + 3)) &
	wait
done
wrong=$(grep -cv "^[0-9]* 0 140$" "$T/res")
total=$(grep -c . "$T/res")
first=$(grep -v "^[0-9]* 0 140$" "$T/res" | head -n 1)
if [ "$total" -eq 20 ] && [ "$wrong" -eq 0 ]; then
	ok "multiprocessing $m: 20 of 20 exit 0"
else
	bad "multiprocessing $m: $wrong of $total wrong; first: $first: $(tr '\n' '|' <"$T/err.${first%% *}" 2>/dev/null)"
fi
leftovers=$(cat "$T"/err.* | grep -c leftover)
[ "$leftovers" -eq 0 ] && ok "multiprocessing $m: no leftover reported" || bad "$leftovers leftover lines"

exit $fail
