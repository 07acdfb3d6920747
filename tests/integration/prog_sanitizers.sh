#!/bin/bash
# prog_sanitizers.sh BUILD — programs built with -fsanitize (gcc and clang: ASan, TSan, UBSan, LSan) run under jobshim in virtual ids, and their reports and exit statuses are Linux's.
# shellcheck disable=SC2016  # single-quoted scripts expand in the shell under test
#
# Three ways a sanitizer met the preload, each a program a CI job builds:
# gcc's libasan.so refused to start ("ASan runtime does not come first in
# initial library list"); clang's ASan (linked into the executable) and
# gcc's libtsan start from the executable's preinit_array, before libc sets
# `environ`, and a call of ours made from there (setrlimit, sigaction)
# decided the process was not under jobshim: real ids.
B=$(cd "${1:-build}" && pwd) || exit 1
# shellcheck source=lib/common.sh
. "$(dirname "$0")/lib/common.sh"
why=$(it_shim_missing); [ -n "$why" ] && { echo "FAIL: $why"; exit 1; }

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
src=$(cd "$(dirname "$0")" && pwd)/lib/launches.c
# compiler:sanitizer[:one more flag]; gcc's -static-libasan links its ASan
# into the executable, as clang does.
variants="gcc:address gcc:address:-static-libasan gcc:thread gcc:undefined gcc:leak clang:address clang:thread clang:undefined clang:memory"
for v in $variants; do
	IFS=: read -r cc san extra <<<"$v"
	command -v "$cc" >/dev/null || { echo "FAIL: $cc missing (scripts/deps.sh installs clang)"; exit 1; }
	# shellcheck disable=SC2086  # $extra: one flag or none
	"$cc" -g -O0 -fsanitize="$san" $extra -fno-omit-frame-pointer -o "$dir/$cc-$san$extra" \
		"$src" 2>"$dir/$cc-$san$extra.err" &
done
wait
for v in $variants; do
	IFS=: read -r cc san extra <<<"$v"
	if [ ! -x "$dir/$cc-$san$extra" ]; then
		echo "FAIL: $cc -fsanitize=$san $extra did not build (its runtime comes with gcc-12 / clang):"
		cat "$dir/$cc-$san$extra.err"
		exit 1
	fi
	it_both "$cc -fsanitize=$san $extra: fork, vfork, posix_spawn, system, setpgid in virtual ids" \
		$'spawned by 2\nsystem 2\npid 2 ppid 1 pgrp 2 children in order: 3 4 0 system 0' \
		"$dir/$cc-$san$extra"
done

# What a sanitizer reports, and the status it exits with: the first
# SUMMARY line (its kind) and the status, the same both ways.
report() {
	local out
	out=$("$@" 2>&1 >/dev/null; echo "rc $?")
	printf '%s\n' "$out" | sed -n 's/^SUMMARY: \([A-Za-z]*Sanitizer\): \([0-9]* byte(s) leaked\|[a-z-]*\).*/\1 \2/p' | head -1
	printf '%s\n' "$out" | tail -1
}
for c in "gcc-address overflow" "gcc-address leak" "clang-address overflow" "clang-address leak" "gcc-leak leak"; do
	set -- $c
	n=$(report it_native "$dir/$1" "$2")
	s=$(report it_shim -- "$dir/$1" "$2")
	case "$1 $2" in
	*overflow) want=$'AddressSanitizer heap-buffer-overflow\nrc 1' ;;
	gcc-leak*) want=$'LeakSanitizer 77 byte(s) leaked\nrc 23' ;;
	*) want=$'AddressSanitizer 77 byte(s) leaked\nrc 1' ;;
	esac
	it_expect "$1 $2: report and status (native)" "$n" "$want"
	it_expect "$1 $2: report and status (jobshim)" "$s" "$want"
done
exit "$it_failures"
