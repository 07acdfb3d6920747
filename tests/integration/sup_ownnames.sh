#!/bin/bash
# sup_ownnames.sh BUILD — the interposed-name table compiled into the shim (BUILD/gen/own_names.h,
# generated from shim/libjobshim.map) is exactly the set of functions the built library exports.
set -u
. "$(dirname "$0")/lib/sup.sh" "${1:-build}"
R=$(cd "$(dirname "$0")/../.." && pwd)
H="$B/gen/own_names.h"
L="$B/libjobshim.so"
[ -f "$H" ] && [ -f "$L" ] || { echo "not ok - $H or $L missing"; exit 1; }

# "name", lines of the generated header, in their order.
sed -n 's/^\t"\([^"]*\)",.*/\1/p' "$H" >"$T/gen"
[ -s "$T/gen" ] && ok "header lists $(wc -l <"$T/gen") names" || bad "no names in $H"
LC_ALL=C sort -c "$T/gen" 2>/dev/null && ok "header sorted in strcmp order (binary search)" ||
	bad "header not sorted"

# Every defined dynamic symbol, and which of them are functions (T).
nm -D --defined-only "$L" | awk '{ print $3 }' | sed 's/@.*//' | LC_ALL=C sort -u >"$T/all"
nm -D --defined-only "$L" | awk '$2 == "T" { print $3 }' | sed 's/@.*//' | LC_ALL=C sort -u >"$T/func"
if cmp -s "$T/all" "$T/func"; then ok "every export is a function"; else
	bad "exports that are not functions:"; comm -23 "$T/all" "$T/func" | sed 's/^/#   /'; fi
if cmp -s "$T/gen" "$T/func"; then ok "table equals the library's exported functions"; else
	bad "table and exports differ (< table only, > exports only):"
	diff "$T/gen" "$T/func" | grep '^[<>]' | sed 's/^/#   /'
fi

# The generator follows the map, comments and all: a name added to a copy
# of the map shows up, one inside a comment does not.
sed 's/global:/global:\n\t\tjobshim_probe_name; \/* jobshim_commented_name; *\//' "$R/shim/libjobshim.map" >"$T/map"
sh "$R/scripts/ownnames.sh" "$T/map" | sed -n 's/^\t"\([^"]*\)",.*/\1/p' >"$T/gen2"
grep -qx jobshim_probe_name "$T/gen2" && ! grep -q jobshim_commented_name "$T/gen2" &&
	[ "$(grep -vx jobshim_probe_name "$T/gen2")" = "$(cat "$T/gen")" ] &&
	ok "generator follows the map" || bad "generator: $(diff "$T/gen" "$T/gen2" | head -5)"

exit $fail
