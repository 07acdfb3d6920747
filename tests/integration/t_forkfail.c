/* t_forkfail.c — a fork refused for RLIMIT_NPROC uses no pid: the next fork gets the number it would have had. */
#include <sys/resource.h>
#include <sys/syscall.h>

#include "lib/itest.h"

/*
 * Linux checks RLIMIT_NPROC (and most of what makes a fork fail ENOMEM)
 * before it allocates the child's pid, so a refused fork leaves the
 * numbering as it was.  jobshim's shim takes a vpid from the shared
 * counter before the real fork; a failed one left a gap (the next child
 * was a + 2 where Linux gives a + 1), so deterministic pids stopped being
 * Linux's after any EAGAIN a shell retries.  Now the vpid is given back
 * (core/proto.h, proto_vpids_give_back).
 *
 * The limit binds only a process that is not root (root's user is
 * exempt): u leaves uid 0 for good, and its limit is 1, below the one
 * process it is.  fork and vfork both; the pid namespace is the suite's
 * own, so nothing else takes a number meanwhile.
 */

#define NOBODY 65534

static pid_t quick_child(void)
{
	pid_t p = fork();
	if (p == 0)
		_exit(0);
	if (p > 0)
		it_reap(p);
	return p;
}

int main(void)
{
	it_init();
	pid_t u = it_fork("u");
	if (u == 0) {
		struct rlimit rl, one;
		IT_RC("u: setresuid(nobody)", setresuid(NOBODY, NOBODY, NOBODY));
		if (getrlimit(RLIMIT_NPROC, &rl) < 0)
			it_die("getrlimit");
		pid_t a = quick_child();
		one = rl;
		one.rlim_cur = 1;
		IT_RC("u: RLIMIT_NPROC 1", setrlimit(RLIMIT_NPROC, &one));
		for (int i = 0; i < 3; i++)
			IT_RC("u: fork", fork());
		IT_RC("u: RLIMIT_NPROC back", setrlimit(RLIMIT_NPROC, &rl));
		pid_t b = quick_child();
		it_out("u: the fork after them: %s", b == a + 1 ? "the next number" : b > a + 1 ? "A GAP" : "?");
		/* A vfork refused, then one made: no gap either. */
		IT_RC("u: RLIMIT_NPROC 1", setrlimit(RLIMIT_NPROC, &one));
		pid_t v = vfork();
		if (v == 0)
			_exit(0);
		it_out("u: vfork: %s", v < 0 ? it_errname(errno) : "made");
		IT_RC("u: RLIMIT_NPROC back", setrlimit(RLIMIT_NPROC, &rl));
		v = vfork();
		if (v == 0)
			_exit(0);
		if (v > 0)
			it_reap(v);
		it_out("u: the vfork after it: %s", v == b + 1 ? "the next number" : v > b + 1 ? "A GAP" : "?");
		_exit(0);
	}
	it_out("u: %s", it_status(it_reap(u)));
	return 0;
}
