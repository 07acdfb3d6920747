#!/bin/bash
# prog_make.sh BUILD — GNU make -j2 under jobshim: parallel jobs, a recursive make, a failing recipe.
# shellcheck disable=SC2016  # single-quoted scripts expand in the shell under test
B=$(cd "${1:-build}" && pwd) || exit 1
# shellcheck source=lib/common.sh
. "$(dirname "$0")/lib/common.sh"
why=$(it_shim_missing); [ -n "$why" ] && { echo "FAIL: $why"; exit 1; }
command -v make >/dev/null || { echo "FAIL: no make"; exit 1; }

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mkdir "$dir/sub"
cat >"$dir/Makefile" <<'MK'
.PHONY: all sub fail
all: a b c sub
	@echo all done
a b c:
	@sh -c 'echo $$PPID' >$@.out
sub:
	@$(MAKE) -s -C sub
fail:
	@exit 3
MK
printf 'all:\n\t@echo sub ok\n' >"$dir/sub/Makefile"

it_both 'make -s -j2' $'sub ok\nall done\n3 outputs' \
	sh -c 'make -s -j2 -C "$1" && ls "$1"/*.out | wc -l | sed "s/$/ outputs/"' _ "$dir"
it_both 'make fail: exit 2' '2' sh -c 'make -s -C "$1" fail 2>/dev/null; echo $?' _ "$dir"
[ "$it_failures" -eq 0 ]
