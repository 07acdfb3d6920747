#!/usr/bin/env bash
# bench.sh BUILD — engine bench, then micro and macro benchmarks native vs jobshim (ratios, same run).
# Each figure is the median of ROUNDS runs; native and jobshim runs alternate so that
# machine noise hits both sides alike.
set -euo pipefail
B=${1:-build}
ROUNDS=${ROUNDS:-5}
J="$B/jobshim"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

median() { sort -g | awk '{a[NR]=$1} END {if (NR==0) print "nan"; else if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a > 0) printf "%.2f", b / a; else print "n/a" }'; }

echo "## Engine (core/, in-process)"
echo
"$B/bench/bench_eng"
echo

echo "## Micro benchmarks (ns/op, median of $ROUNDS)"
echo
echo "| call | native | jobshim | ratio |"
echo "|---|---:|---:|---:|"
cases="getpid getppid getpgrp getsid kill0 setpgid fork vfork_exec posix_spawn system"
for r in $(seq "$ROUNDS"); do
	"$B/bench/micro" all 0.5 >>"$tmp/native" 2>>"$tmp/err" || echo "native micro failed" >&2
	"$J" run -- "$B/bench/micro" all 0.5 >>"$tmp/shim" 2>>"$tmp/err" || echo "jobshim micro failed" >&2
done
for c in $cases; do
	n=$(awk -v c="$c" '$1 == c {print $2}' "$tmp/native" | median)
	s=$(awk -v c="$c" '$1 == c {print $2}' "$tmp/shim" | median)
	echo "| $c | $n | $s | $(ratio "$n" "$s") |"
done
echo

# Macro: whole commands, wall time in ms.
time_ms() { local t0 t1; t0=$(date +%s%N); "$@" >/dev/null 2>&1 || true; t1=$(date +%s%N); echo $(((t1 - t0) / 1000000)); }

mkdir -p "$tmp/mk"
{
	printf 'all:'
	for i in $(seq 300); do printf ' t%d' "$i"; done
	printf '\n'
	for i in $(seq 300); do printf 't%d:\n\t@true\n' "$i"; done
} >"$tmp/mk/Makefile"

macro_names=("bash loop 1000 /bin/true" "dash loop 1000 /bin/true" "python3 subprocess.run x300" "make -j2, 300 targets")
macro_cmds=(
	"bash -c 'for i in \$(seq 1000); do /bin/true; done'"
	"dash -c 'i=0; while [ \$i -lt 1000 ]; do /bin/true; i=\$((i+1)); done'"
	"python3 -c 'import subprocess
for _ in range(300): subprocess.run([\"/bin/true\"])'"
	"make -s -j2 -C $tmp/mk"
)

echo "## Macro benchmarks (ms, median of $ROUNDS)"
echo
echo "| run | native | jobshim | ratio | jobshim --trace | ratio |"
echo "|---|---:|---:|---:|---:|---:|"
for i in "${!macro_cmds[@]}"; do
	cmd=${macro_cmds[$i]}
	: >"$tmp/n"; : >"$tmp/s"; : >"$tmp/t"
	for r in $(seq "$ROUNDS"); do
		time_ms sh -c "$cmd" >>"$tmp/n"
		time_ms "$J" run -- sh -c "$cmd" >>"$tmp/s"
		time_ms "$J" run --trace "$tmp/trace.jsonl" -- sh -c "$cmd" >>"$tmp/t"
	done
	n=$(median <"$tmp/n"); s=$(median <"$tmp/s"); t=$(median <"$tmp/t")
	echo "| ${macro_names[$i]} | $n | $s | $(ratio "$n" "$s") | $t | $(ratio "$n" "$t") |"
done
