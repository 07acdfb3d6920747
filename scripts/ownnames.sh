#!/bin/sh
# ownnames.sh MAP — the C header of the names libjobshim.map exports (shim/elfscan.c).
# The names are sorted in strcmp order (binary search), one per line as
#	"name", \
# (tests/integration/sup_ownnames.sh reads them back and compares them with
# the library's own dynamic symbols).  OWN_NAMES_SUM (cksum of the list) ties
# the image decision cache to this set: a shim with another set never trusts
# the entries of this one (shim/imgcache.c).
set -eu
map=${1:?usage: ownnames.sh MAP}
# The names between "global:" and "local:", comments dropped (the file
# joined into one line first: a comment may span lines).
names=$(tr '\n' ' ' <"$map" |
	sed -e 's,/\*[^*]*\*\**\([^/*][^*]*\*\**\)*/, ,g' \
	    -e 's/.*global://' -e 's/local:.*//' |
	tr ' \t;' '\n\n\n' |
	grep -E '^[A-Za-z_][A-Za-z0-9_]*$' |
	LC_ALL=C sort -u)
[ -n "$names" ] || { echo "ownnames.sh: no names in $map" >&2; exit 1; }
sum=$(printf '%s\n' "$names" | cksum | cut -d' ' -f1)
max=$(printf '%s\n' "$names" | awk '{ if (length($0) > m) m = length($0) } END { print m + 1 }')
echo "/* own_names.h — generated from $map by scripts/ownnames.sh: do not edit. */"
echo "#define OWN_NAMES_SUM ${sum}u"
echo "#define OWN_NAME_MAX $max"
echo "#define OWN_NAMES \\"
printf '%s\n' "$names" | sed 's/.*/\t"&", \\/'
echo "	/* end */"
