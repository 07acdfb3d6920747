#!/bin/bash
# sup_preload_chain.sh BUILD — another LD_PRELOAD library after the shim still gets the calls the
# shim passes on (the shim's "real" functions are RTLD_NEXT's: shim/nextsym.c), as fakeroot needs.
set -u
. "$(dirname "$0")/lib/sup.sh" "${1:-build}" 120
[ -x "$J" ] || { echo "not ok - $J missing"; exit 1; }
command -v cc >/dev/null 2>&1 || { echo "not ok - no cc to build the test library"; exit 1; }

# The library answers access(MAGIC) with EXDEV and passes every other call on.
cat >"$T/next.c" <<'C'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <string.h>
int access(const char *path, int mode)
{
	int (*next)(const char *, int) = (int (*)(const char *, int))dlsym(RTLD_NEXT, "access");
	if (path != NULL && strcmp(path, "/nonexistent/jobshim-chain") == 0) {
		errno = EXDEV;
		return -1;
	}
	return next(path, mode);
}
C
cat >"$T/prog.c" <<'C'
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
int main(void)
{
	int r = access("/nonexistent/jobshim-chain", F_OK), e = errno;
	printf("%d %s %s pid %d\n", r, r < 0 && e == EXDEV ? "EXDEV" : strerror(e),
	       access("/", F_OK) == 0 ? "root-ok" : "root-bad", (int)getpid());
	/* stdio flushed before the run ends */
	return 0;
}
C
cc -shared -fPIC -o "$T/libnext.so" "$T/next.c" -ldl && cc -o "$T/prog" "$T/prog.c" ||
	{ echo "not ok - building the test library"; exit 1; }
chmod 755 "$T/libnext.so" "$T/prog"

out=$(LD_PRELOAD="$T/libnext.so" "$T/prog")
case "$out" in "-1 EXDEV root-ok pid "*) ok "natively, the library answers" ;; *) bad "native: '$out'" ;; esac
out=$(LD_PRELOAD="$T/libnext.so" timeout 60 "$J" run -- "$T/prog" 2>"$T/err")
[ "$out" = "-1 EXDEV root-ok pid 2" ] &&
	ok "under jobshim the call goes through the shim (vpid 2) to the library after it" ||
	{ bad "under jobshim: '$out'"; sed 's/^/#   /' "$T/err" | head -5; }
exit $fail
