# lib.sh — sourced by tests/ltp/run.sh and tests/ltp/tree.sh: the list of tests, a test's LTPROOT, its outcome.
# shellcheck shell=bash
# Needs S (the built LTP source tree) and P (the open_posix binaries).

# The list: "NAME DIR CMD ARGS..." lines.  Programs are looked up among the
# built directories' executables (one find, not a glob per runtest line).
list() {
	local name cmd args
	declare -A where
	while read -r f; do
		where[$(basename "$f")]=$(dirname "$f")
	done < <(find "$S"/testcases/kernel/syscalls -mindepth 2 -maxdepth 2 -type f -perm -u+x ! -name '*.sh')
	while [ -z "${LTP_POSIX:-}" ] && read -r name cmd args; do
		case "$name" in ''|'#'*) continue ;; esac
		[ -n "${where[$cmd]:-}" ] && echo "$name ${where[$cmd]} $cmd${args:+ $args}"
	done <"$S/runtest/syscalls"
	for bin in "$P"/*; do
		[ -x "$bin" ] && echo "posix-$(basename "$bin") $P $(basename "$bin")"
	done
}

# sel [REGEX...]: the list lines whose name matches one (all without).
sel() {
	[ $# -eq 0 ] && { cat; return; }
	local re
	re="^($(printf '%s|' "$@" | sed 's/|$//')) "
	grep -E "$re"
}

# outcome KIND RC LOG
outcome() {
	local o="exit $2"
	[ "$2" -gt 128 ] && [ "$2" -lt 160 ] && o="killed by $(kill -l $(($2 - 128)) 2>/dev/null || echo $(($2 - 128)))"
	if [ "$1" = ltp ]; then
		for r in TPASS TFAIL TBROK TCONF TWARN; do
			o="$o $r=$(grep -c "$r" "$3")"
		done
	fi
	echo "$o"
}

# ltp_root TMP DIR CMD: TMP (made readable by every uid) gets the LTPROOT
# a test of DIR expects, TMP/root.  LTP finds a test's resource files (the
# child programs it copies into its temporary directory: execve_child,
# execveat_child, ...) in $LTPROOT/testcases/bin and its data in
# $LTPROOT/testcases/data/TCID, where an install puts them; this tree is
# not installed, so both point into the test's build directory (without
# them those tests broke on both sides, TBROK "Failed to copy resource").
# Other uids must reach into TMP: the tests that drop privileges, and
# under jobshim their way to the supervisor (its run directory is made in
# TMPDIR; mktemp's 0700 cut them off: "supervisor unreachable").
ltp_root() {
	mkdir -p "$1/root/testcases/data"
	ln -s "$2" "$1/root/testcases/bin"
	[ -d "$2/datafiles" ] && ln -s "$2/datafiles" "$1/root/testcases/data/$(basename "$3")"
	chmod 755 "$1"
}
