#!/bin/sh
# hot-text.sh [--update] -- list the shim functions that fork children run
# between the fork and their exec: the list in shim/hot_text.ld, which
# --update rewrites (between its two marker comments).
#
# Builds the shim again with -finstrument-functions in a scratch copy of
# the working tree (each function entry appends "pid offset" to a log),
# runs bash, dash, make and python3 job launches under that jobshim, and
# prints every function that two or more children ran before their exec
# (a child is a process whose first call is not the constructor; its
# part ends at the constructor of the image it execs).  Children that
# scanned an image (the tree's image cache was cold) are left out: the
# list is for the steady state.  Needs gcc, make, nm, bash, dash, make,
# python3.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
update=false
[ "${1:-}" = --update ] && update=true
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
(cd "$top" && git ls-files -z -co --exclude-standard | xargs -0 cp --parents -t "$tmp")
log=$tmp/calls.log
# The instrumented code is larger: the first window's limit is not its.
sed -i '/ASSERT(\. <= 0x10000/d' "$tmp/shim/hot_text.ld"
cat >"$tmp/shim/zz_instr.c" <<EOC
/* Written by scripts/hot-text.sh: the instrumentation hook (raw system
 * calls, no instrumentation of its own). */
#define NOI __attribute__((no_instrument_function))
NOI static long rs(long nr, long a, long b, long c)
{
	long r;
	__asm__ volatile("syscall" : "=a"(r) : "a"(nr), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
	return r;
}
NOI static int put(char *b, int n, long v)
{
	char t[24];
	int k = 0;
	if (v < 0) { b[n++] = '-'; v = -v; }
	do t[k++] = (char)('0' + v % 10); while ((v /= 10) != 0);
	while (k) b[n++] = t[--k];
	return n;
}
NOI __attribute__((visibility("default"))) void __cyg_profile_func_enter(void *fn, void *site)
{
	char b[64];
	int n = put(b, 0, rs(39, 0, 0, 0)); /* getpid */
	(void)site;
	b[n++] = ' ';
	n = put(b, n, (char *)fn - (char *)&__cyg_profile_func_enter);
	b[n++] = '\n';
	int fd = (int)rs(2, (long)"$log", 02000 | 01 | 0100 | 02000000, 0600); /* O_APPEND|O_WRONLY|O_CREAT|O_CLOEXEC */
	if (fd >= 0) { rs(1, fd, (long)b, n); rs(3, fd, 0, 0); }
}
NOI __attribute__((visibility("default"))) void __cyg_profile_func_exit(void *fn, void *site)
{
	(void)fn; (void)site;
}
EOC
make -C "$tmp" -s -j2 CFLAGS="-O2 -g -finstrument-functions" build/libjobshim.so build/jobshim >&2
J=$tmp/build/jobshim
cat >"$tmp/jobs.sh" <<'EOS'
for i in 1 2 3 4 5 6; do /bin/true; /bin/true >/dev/null 2>&1; echo x | cat >/dev/null; (exit 0); x=$(echo hi); done
set -m 2>/dev/null; for i in 1 2 3; do /bin/true & wait $!; sleep 0 & wait; done
EOS
printf 'all: a b c d\na:\n\t@/bin/true\nb:\n\t@echo hi >/dev/null; /bin/true\nc:\n\t@cat /dev/null | /bin/true\nd:\n\t@/bin/true\n' >"$tmp/jobs.mk"
"$J" run -- bash "$tmp/jobs.sh" >/dev/null 2>&1
"$J" run -- dash "$tmp/jobs.sh" >/dev/null 2>&1
"$J" run -- make -s -j2 -f "$tmp/jobs.mk" >/dev/null 2>&1
"$J" run -- python3 -c 'import subprocess
for i in range(6): subprocess.run(["/bin/true"]); subprocess.run("echo hi >/dev/null", shell=True); subprocess.check_output(["echo"])' >/dev/null 2>&1
nm "$tmp/build/libjobshim.so" | awk -v logf="$log" '
	function is(names, n) { return index("," names ",", "," n ",") > 0 }
	function hex(s,   i, v) { v = 0; s = tolower(s); for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1; return v }
	# An exported wrapper and its alias (setpgid, shim_setpgid) share an
	# address, and the section is named after the one that defines it:
	# keep every name, comma-separated, and list them all.
	NF == 3 && $2 ~ /^[tTwW]$/ { a = hex($1); if (a in sym) sym[a] = sym[a] "," $3; else sym[a] = $3; if ($3 == "__cyg_profile_func_enter") base = a }
	END {
		while ((getline line < logf) > 0) {
			split(line, f, " ")
			p = f[1]; fn = sym[base + f[2]]
			if (!(p in first)) first[p] = fn
			if (is(first[p], "shim_ctor") || done[p]) continue
			if (is(fn, "shim_ctor")) { done[p] = 1; continue }
			if (is(fn, "scan_open")) scanned[p] = 1
			if (!((p SUBSEP fn) in ran)) { ran[p, fn] = 1; order[++n] = p SUBSEP fn }
		}
		for (i = 1; i <= n; i++) {
			split(order[i], k, SUBSEP)
			if (!(k[1] in scanned)) count[k[2]]++
		}
		for (fn in count) if (count[fn] >= 2 && fn != "") print count[fn], fn
	}' | sort -k1,1nr -k2 | tee "$tmp/counted" | awk '{ print $2 }' | tr , '\n' >"$tmp/names"
if ! $update; then
	cat "$tmp/names"
	exit 0
fi
ld=$top/shim/hot_text.ld
awk -v names="$tmp/names" '
	/hot-text.sh --update: from here/ { print; while ((getline n < names) > 0) printf "\t\t*(.text.%s)\n", n; skip = 1; next }
	/\/\* to here \*\// { skip = 0 }
	!skip { print }' "$ld" >"$tmp/hot_text.ld"
grep -q 'to here' "$tmp/hot_text.ld" || { echo "hot-text.sh: markers missing in $ld" >&2; exit 1; }
cp "$tmp/hot_text.ld" "$ld"
echo "hot-text.sh: $(wc -l <"$tmp/names") names written to $ld" >&2
