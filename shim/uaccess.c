/* uaccess.c — is a string or a string array the program handed us readable?  Asked before the shim reads one itself. */
#include "shim.h"
#include "wordscan.h"

#include <stdint.h>

/*
 * The kernel answers EFAULT for a path, argv or envp it cannot read; a
 * wrapper that reads them first (exec.c, spawn.c: the EXEC note, the image
 * scan, the environment copy) must not die of SIGSEGV instead.  It asks
 * here and, on false, leaves the pointers to the real call.
 *
 * Readability is a property of pages, so each page touched is asked of
 * the kernel (shim_page_readable: a futex read, EFAULT, never a fault),
 * and is then read directly.  Pages already proven are remembered for the
 * duration of one question: an environment of 50 strings usually lies on
 * a few pages (make's, each string malloc'd: about 20), so it costs a
 * system call per page, not per string.  Not longer: between two calls
 * the program may unmap what it showed us.
 */

#define UA_PAGE 4096u
#define UA_SEEN 32

struct ua {
	uintptr_t seen[UA_SEEN]; /* pages proven readable, 0 = free slot */
	unsigned next;           /* the slot to reuse when all are taken */
	uintptr_t last;          /* the page proven last asked of: most strings
				  * and pointers are on the one before them */
};

/* memchr(s, 0, n) != NULL without libc: a fork child about to exec would
 * fault libc's memchr page in for this alone (env.c).  s + n is at most
 * the end of s's page. */
static bool has_nul(const char *s, size_t n)
{
	return shim_memnul(s, n) != NULL;
}

static bool page_ok(struct ua *ua, uintptr_t addr)
{
	uintptr_t page = addr & ~(uintptr_t)(UA_PAGE - 1);

	if (page == 0)
		return false;
	if (page == ua->last)
		return true;
	for (unsigned i = 0; i < UA_SEEN; i++)
		if (ua->seen[i] == page) {
			ua->last = page;
			return true;
		}
	if (!shim_page_readable((const void *)page))
		return false;
	ua->seen[ua->next++ % UA_SEEN] = page;
	ua->last = page;
	return true;
}

static bool str_ok(struct ua *ua, const char *s)
{
	for (;;) {
		uintptr_t at = (uintptr_t)s;
		size_t left = UA_PAGE - (at & (UA_PAGE - 1));

		if (!page_ok(ua, at))
			return false;
		if (has_nul(s, left))
			return true;
		s += left;
	}
}

/* A NULL array is readable (the kernel takes it as empty; callers that
 * refuse it say so themselves). */
static bool strv_ok(struct ua *ua, char *const *v)
{
	if (v == NULL)
		return true;
	for (size_t i = 0;; i++) {
		if (!page_ok(ua, (uintptr_t)&v[i]) ||
		    !page_ok(ua, (uintptr_t)&v[i] + sizeof(v[i]) - 1))
			return false;
		if (v[i] == NULL)
			return true;
		if (!str_ok(ua, v[i]))
			return false;
	}
}

bool shim_user_str_ok(const char *s)
{
	struct ua ua = { { 0 }, 0, 0 };

	return s != NULL && str_ok(&ua, s);
}

bool shim_user_exec_ok(const char *path, char *const argv[], char *const envp[])
{
	struct ua ua = { { 0 }, 0, 0 };

	return (path == NULL || str_ok(&ua, path)) && strv_ok(&ua, argv) && strv_ok(&ua, envp);
}
