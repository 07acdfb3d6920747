/* t_nofile.c — a low RLIMIT_NOFILE: every descriptor below it is the program's, under jobshim as natively; the ids still answer when all are in use. */
#include "lib/itest.h"

#include <sys/resource.h>
#include <sys/syscall.h>

/*
 * The shim keeps descriptors of its own (the connection, the event FIFO)
 * and opens files it maps.  Under `ulimit -Sn 8` they took the lowest free
 * numbers, so the program could open fewer files than natively, bash's job
 * control failed (a pipe: EMFILE), and a program that had used all its
 * descriptors went on without the supervisor.  Here the soft limit is 8
 * (the hard one unchanged, so that any process may lift the soft one for a
 * moment: shim/fdroom.c) and descriptors 3 and up are closed first, so
 * that both sides start alike.
 *
 * c4: a higher limit, used up (a server at its 1,024 descriptors): the
 * shim's descriptors then sit below the limit, among the program's, so
 * the count differs and is not shown; what must not differ is that the
 * calls needing a connection made after it still answer in virtual ids
 * (they went on with real ids for good: "supervisor unreachable").
 */

#define LIMIT 8
#define LIMIT_HIGH 100 /* above SHIM_FD_MIN (shim.h) */

/* Open /dev/null until EMFILE: how many, and the first; kept open. */
static int fill(const char *who)
{
	int n = 0, first = -1, fd, e;

	while ((fd = open("/dev/null", O_RDONLY)) >= 0) {
		if (first < 0)
			first = fd;
		n++;
	}
	e = errno;
	it_out("%s: opened %d (first %d), then %s", who, n, first, it_errname(e));
	return first;
}

static void unfill(int first)
{
	for (int fd = first; fd >= 3 && fd < LIMIT; fd++)
		close(fd);
}

static void ids(const char *who)
{
	it_show_ids(who, it_my_ids());
}

/* With every descriptor in use (first: the lowest of those we opened):
 * calls that need the shim's own, then a pipe, before and after two are
 * closed.  Ends the process. */
static void __attribute__((noreturn)) calls_when_full(const char *who, const char *kid, int code, int first)
{
	char what[64];
	int p[2];

	snprintf(what, sizeof what, "%s: setpgid(0, 0)", who);
	IT_RC(what, setpgid(0, 0));
	ids(who);
	snprintf(what, sizeof what, "%s: kill(getppid(), 0)", who);
	IT_RC(what, kill(getppid(), 0));
	snprintf(what, sizeof what, "%s: kill(0, 0)", who);
	IT_RC(what, kill(0, 0));
	pid_t g = it_fork(kid);
	if (g == 0)
		_exit(code);
	it_out("%s: %s", kid, it_status(it_reap(g)));
	ids(who);
	snprintf(what, sizeof what, "%s: pipe, all in use", who);
	IT_RC(what, pipe(p));
	close(first);
	close(first + 1);
	snprintf(what, sizeof what, "%s: pipe, two closed", who);
	IT_RC(what, pipe(p));
	_exit(0);
}

/* An exec'd image, started under the limit: report through fd. */
static void probe(int fd)
{
	struct { struct it_ids id; int n, first; } r;
	int f;

	r.id = it_my_ids();
	r.n = 0;
	r.first = -1;
	while ((f = open("/dev/null", O_RDONLY)) >= 0) {
		if (r.first < 0)
			r.first = f;
		r.n++;
	}
	if (r.first >= 0)
		close(r.first); /* room for the report */
	it_put_rec(fd, &r, sizeof r);
	_exit(0);
}

int main(int argc, char **argv)
{
	struct rlimit rl;

	if (argc == 3 && strcmp(argv[1], "--probe") == 0)
		probe(atoi(argv[2]));
	syscall(SYS_close_range, 3, ~0U, 0);
	it_init();
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		it_die("getrlimit");
	rl.rlim_cur = LIMIT;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
		it_die("setrlimit");
	it_out("soft RLIMIT_NOFILE %d", LIMIT);

	/* After a round trip and a fork: the shim's descriptors are made. */
	pid_t c1 = it_fork("c1");
	if (c1 == 0) {
		IT_RC("c1: setpgid(0, 0)", setpgid(0, 0));
		pid_t g = it_fork("g1");
		if (g == 0)
			_exit(4);
		it_out("g1: %s", it_status(it_reap(g)));
		unfill(fill("c1"));
		int p[2];
		IT_RC("c1: pipe", pipe(p));
		ids("c1");
		_exit(0);
	}
	it_out("c1: %s", it_status(it_reap(c1)));

	/* Every descriptor in use first, then calls that need the shim's. */
	pid_t c2 = it_fork("c2");
	if (c2 == 0)
		calls_when_full("c2", "g2", 5, fill("c2"));
	it_out("c2: %s", it_status(it_reap(c2)));

	/* A higher limit used up, then calls that need a connection. */
	pid_t c4 = it_fork("c4");
	if (c4 == 0) {
		rl.rlim_cur = LIMIT_HIGH;
		IT_RC("c4: soft RLIMIT_NOFILE " "100", setrlimit(RLIMIT_NOFILE, &rl));
		int n = 0, first = -1, f;
		while ((f = open("/dev/null", O_RDONLY)) >= 0) {
			if (first < 0)
				first = f;
			n++;
		}
		it_out("c4: opened %s, then %s", n > LIMIT_HIGH - 10 ? "nearly all" : "FEW", it_errname(errno));
		calls_when_full("c4", "g4", 6, first);
	}
	it_out("c4: %s", it_status(it_reap(c4)));

	/* An image started under the limit. */
	int fd[2];
	char arg[16];
	if (pipe(fd) < 0)
		it_die("pipe");
	snprintf(arg, sizeof arg, "%d", fd[1]);
	pid_t c3 = it_fork("c3");
	if (c3 == 0) {
		close(fd[0]);
		it_inherit(fd[1]);
		it_exec_self("--probe", arg, NULL);
	}
	close(fd[1]);
	struct { struct it_ids id; int n, first; } r;
	if (it_get_rec(fd[0], &r, sizeof r) == 0) {
		it_out("c3 (exec'd): opened %d (first %d)", r.n, r.first);
		it_show_ids("c3", r.id);
	}
	close(fd[0]);
	it_out("c3: %s", it_status(it_reap(c3)));
	return 0;
}
