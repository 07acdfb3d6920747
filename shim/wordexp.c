/* wordexp.c — wordexp: glibc starts and reaps its `$(...)` shell through calls of its own. */
#include "shim.h"

#include <stdatomic.h>
#include <string.h>
#include <wordexp.h>

/*
 * glibc's wordexp runs each command substitution in /bin/sh, started with
 * its internal posix_spawn and reaped with its internal waitpid, which no
 * interposer sees.  The shell (with the shim) registers itself, then is
 * reaped with no REAPED: the model kept it as our zombie until the sweep,
 * and getpgid(its $$) answered for up to half a second where Linux says
 * ESRCH.  After a wordexp that may have run one, the supervisor settles
 * our children (shim_settle_children): the exits the kernel reports, and
 * the zombies it no longer has, reaped by us (supervisor/procs.c,
 * reap_unseen).  One round trip, beside a shell's start and exit.
 */
SHIM_EXPORT int wordexp(const char *words, wordexp_t *we, int flags)
{
	/* Not in struct shim_real: its page is full (hot.ld), and few
	 * programs call this. */
	static _Atomic(int (*)(const char *, wordexp_t *, int)) real_wordexp;
	int (*fn)(const char *, wordexp_t *, int);
	int rc;

	shim_init();
	fn = atomic_load(&real_wordexp);
	if (fn == NULL) {
		fn = (int (*)(const char *, wordexp_t *, int))shim_next_sym("wordexp");
		if (fn == NULL)
			return WRDE_NOSPACE;
		atomic_store(&real_wordexp, fn);
	}
	rc = fn(words, we, flags);
	if (!(flags & WRDE_NOCMD) && words != NULL && shim_mode() != SHIM_MODE_NONE &&
	    (strchr(words, '`') != NULL || strstr(words, "$(") != NULL))
		shim_settle_children();
	return rc;
}
