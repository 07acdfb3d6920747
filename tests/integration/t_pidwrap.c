/* t_pidwrap.c — pids stay below pid_max and wrap there to 300 (Linux's RESERVED_PIDS), skipping the ids in use; pid_max itself names no process (LTP's tst_get_unused_pid). */
#include "lib/itest.h"

#include <stdbool.h>

/*
 * Natively this runs in a pid namespace of its own (as the tree is one
 * under jobshim), where ns_last_pid moves the numbering: 299 written, the
 * next child is 300 and stays alive; pid_max - 2 written, the next is
 * pid_max - 1; the one after wraps past pid_max to 300, which is in use,
 * so it is 301, and then 302.  Pids are compared, never printed (pid_max
 * differs between machines).  Without the right to write ns_last_pid
 * (not root) the write is EPERM on both sides; the test prints what it
 * would have.
 */

static const char *const LAST = "/proc/sys/kernel/ns_last_pid";

static bool set_last(long v)
{
	FILE *f = fopen(LAST, "w");

	if (f == NULL)
		return false;
	fprintf(f, "%ld", v);
	return fclose(f) == 0;
}

static long pid_max(void)
{
	FILE *f = fopen("/proc/sys/kernel/pid_max", "r");
	long v = -1;

	if (f == NULL || fscanf(f, "%ld", &v) != 1)
		it_die("pid_max");
	fclose(f);
	return v;
}

static const char *is(pid_t got, long want)
{
	return got == want ? "yes" : "no";
}

int main(int argc, char **argv)
{
	long max;
	pid_t a, b, c, d;
	int rc;
	struct it_chan ch;

	it_child_modes(argc, argv);
	it_init();
	max = pid_max();
	if (!set_last(299)) {
		if (errno != EPERM && errno != EACCES)
			it_die("ns_last_pid");
		it_out("the child after 299: 300 yes");
		it_out("the child after pid_max - 2: pid_max - 1 yes");
		it_out("the next wraps, 300 in use: 301 yes");
		it_out("then: 302 yes");
		it_out("kill(pid_max, 0): -1 ESRCH");
		it_out("getpgid(pid_max): -1 ESRCH");
		return 0;
	}
	ch = it_chan();
	a = fork();
	if (a < 0)
		it_die("fork");
	if (a == 0) {
		it_get(ch); /* alive until the parent is done */
		_exit(0);
	}
	it_out("the child after 299: 300 %s", is(a, 300));
	if (!set_last(max - 2))
		it_die("ns_last_pid");
	b = it_dead_pid();
	it_out("the child after pid_max - 2: pid_max - 1 %s", is(b, max - 1));
	c = it_dead_pid();
	it_out("the next wraps, 300 in use: 301 %s", is(c, 301));
	d = it_dead_pid();
	it_out("then: 302 %s", is(d, 302));
	errno = 0;
	rc = kill((pid_t)max, 0);
	it_out("kill(pid_max, 0): %d %s", rc, it_errname(errno));
	errno = 0;
	rc = getpgid((pid_t)max);
	it_out("getpgid(pid_max): %d %s", rc, it_errname(errno));
	it_put(ch, 'x');
	it_reap(a);
	return 0;
}
