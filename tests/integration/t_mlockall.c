/* t_mlockall.c — mlockall(2)/munlockall(2), RLIMIT_AS: what a program locks, and the address space it may use, is its own memory; the ids still answer. */
#include "lib/itest.h"

#include <grp.h>
#include <sys/syscall.h>

/*
 * The shim maps a 144 MiB model view into every process (shim/mview.c);
 * mlockall must neither lock it (a small program would lock 150 MiB, and
 * fault in the supervisor's whole file) nor count it against an
 * unprivileged caller's RLIMIT_MEMLOCK (ENOMEM where Linux succeeds).  A
 * process here locks a few MiB natively: "under 32 MiB" is the same
 * answer on both sides.  While MCL_FUTURE holds, the shim's reads ask the
 * supervisor instead of the view: the ids must not change.
 */

static long status_kb(const char *field)
{
	char line[256];
	long v = -1;
	size_t n = strlen(field);
	FILE *f = fopen("/proc/self/status", "r");

	if (f == NULL)
		it_die("fopen /proc/self/status");
	while (fgets(line, sizeof line, f))
		if (strncmp(line, field, n) == 0 && line[n] == ':')
			v = atol(line + n + 1);
	fclose(f);
	return v;
}

static void locked(const char *who)
{
	long kb = status_kb("VmLck");
	it_out("%s: VmLck %s", who, kb < 0 ? "missing" : kb == 0 ? "0" : kb < 32 * 1024 ? "under 32 MiB" : "32 MiB or more");
}

static void ids(const char *who)
{
	char b[64];
	snprintf(b, sizeof b, "%s: getpgrp()", who);
	IT_PID(b, getpgrp());
	snprintf(b, sizeof b, "%s: getsid(0)", who);
	IT_PID(b, getsid(0));
	snprintf(b, sizeof b, "%s: getppid()", who);
	IT_PID(b, getppid());
}

static void as_root(void)
{
	it_out("-- root");
	ids("main");
	IT_RC("mlockall(MCL_CURRENT | MCL_FUTURE)", mlockall(MCL_CURRENT | MCL_FUTURE));
	locked("main");
	ids("main");
	pid_t c = it_fork("c1");
	if (c == 0) {
		ids("c1");
		locked("c1 (locks are not inherited)");
		_exit(0);
	}
	it_out("c1: %s", it_status(it_reap(c)));
	IT_PID("getpgid(c1) after its reap", getpgid(c));
	IT_RC("munlockall()", munlockall());
	locked("main");
	ids("main");
	IT_RC("syscall(SYS_mlockall, MCL_CURRENT)", syscall(SYS_mlockall, MCL_CURRENT));
	locked("main");
	IT_RC("syscall(SYS_munlockall)", syscall(SYS_munlockall));
	IT_RC("mlockall(0)", mlockall(0));
	IT_RC("mlockall(MCL_ONFAULT)", mlockall(MCL_ONFAULT));
	IT_RC("mlockall(0x100)", mlockall(0x100));
	locked("main");
}

static void unprivileged(void)
{
	it_out("-- uid 65534, RLIMIT_MEMLOCK at most 16 MiB");
	pid_t c = it_fork("c2");
	if (c == 0) {
		/* At most 16 MiB (a user namespace cannot raise the limit). */
		struct rlimit r;
		if (getrlimit(RLIMIT_MEMLOCK, &r) < 0)
			it_die("getrlimit");
		if (r.rlim_max == RLIM_INFINITY || r.rlim_max > (16 << 20))
			r.rlim_max = 16 << 20;
		r.rlim_cur = r.rlim_max;
		if (setrlimit(RLIMIT_MEMLOCK, &r) < 0 || setgroups(0, NULL) < 0 ||
		    setresgid(65534, 65534, 65534) < 0 || setresuid(65534, 65534, 65534) < 0)
			it_die("drop");
		IT_RC("c2: mlockall(MCL_CURRENT)", mlockall(MCL_CURRENT));
		locked("c2");
		ids("c2");
		IT_RC("c2: mlockall(MCL_CURRENT | MCL_FUTURE)", mlockall(MCL_CURRENT | MCL_FUTURE));
		/* A mapping larger than the limit: refused under MCL_FUTURE. */
		void *p = mmap(NULL, 32 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		it_out("c2: mmap of 32 MiB under MCL_FUTURE: %s", p == MAP_FAILED ? it_errname(errno) : "mapped");
		ids("c2");
		IT_RC("c2: munlockall()", munlockall());
		_exit(0);
	}
	it_out("c2: %s", it_status(it_reap(c)));
}

/* The image exec'd under RLIMIT_AS: 100 MiB of heap, then its ids and
 * the verdict through the inherited pipe. */
static void as_probe(int fd)
{
	struct { struct it_ids id; int ok; } r;

	r.id = it_my_ids(); /* first: a shim maps its view at its first read */
	char *p = malloc(100 << 20);
	r.ok = p != NULL;
	if (p != NULL)
		memset(p, 1, 100 << 20);
	it_put_rec(fd, &r, sizeof r);
	_exit(0);
}

/* `ulimit -v`: the shim's 144 MiB view must not come out of the limit
 * (an image started under it reads by asking instead). */
static void address_space(void)
{
	int fd[2];
	char fdarg[16];

	it_out("-- an image started under RLIMIT_AS 200 MiB");
	if (pipe(fd) < 0)
		it_die("pipe");
	snprintf(fdarg, sizeof fdarg, "%d", fd[1]);
	pid_t c = it_fork("c3");
	if (c == 0) {
		struct rlimit r = { 200 << 20, 200 << 20 };
		if (setrlimit(RLIMIT_AS, &r) < 0)
			it_die("setrlimit");
		it_exec_self("--as-probe", fdarg, NULL);
	}
	close(fd[1]);
	struct { struct it_ids id; int ok; } r;
	if (it_get_rec(fd[0], &r, sizeof r) == 0) {
		it_out("c3: malloc of 100 MiB: %s", r.ok ? "ok" : "failed");
		it_show_ids("c3", r.id);
	}
	close(fd[0]);
	it_out("c3: %s", it_status(it_reap(c)));
}

static void try_heap(const char *who)
{
	char *p = malloc(100 << 20);

	it_out("%s: malloc of 100 MiB: %s", who, p != NULL ? "ok" : "failed");
	if (p != NULL)
		memset(p, 1, 100 << 20);
	free(p);
}

/* A process that lowers its own limit after its first read (the view is
 * mapped by then): the view leaves, the ids still answer; lifting the
 * limit brings the view back.  Every form of the call, and its errors. */
static void own_limit(void)
{
	struct rlimit lim = { 200 << 20, RLIM_INFINITY }, inf = { RLIM_INFINITY, RLIM_INFINITY };
	struct rlimit bad = { RLIM_INFINITY, 100 << 20 };

	it_out("-- a process setting RLIMIT_AS 200 MiB on itself");
	pid_t c = it_fork("c4");
	if (c == 0) {
		ids("c4");
		IT_RC("c4: prlimit(getpid(), RLIMIT_AS, 200 MiB)", prlimit(getpid(), RLIMIT_AS, &lim, NULL));
		try_heap("c4");
		ids("c4");
		IT_RC("c4: setrlimit(RLIMIT_AS, infinity)", setrlimit(RLIMIT_AS, &inf));
		ids("c4");
		IT_RC("c4: syscall(SYS_setrlimit, RLIMIT_AS, 200 MiB)",
		      syscall(SYS_setrlimit, RLIMIT_AS, &lim));
		try_heap("c4");
		IT_RC("c4: setrlimit(RLIMIT_AS, soft above hard)", setrlimit(RLIMIT_AS, &bad));
		IT_RC("c4: setrlimit(RLIMIT_AS, bad pointer)",
		      setrlimit(RLIMIT_AS, (struct rlimit *)8));
		try_heap("c4");
		IT_RC("c4: syscall(SYS_prlimit64, 0, RLIMIT_AS, infinity)",
		      syscall(SYS_prlimit64, 0, RLIMIT_AS, &inf, NULL));
		ids("c4");
		IT_RC("c4: setrlimit64(RLIMIT_AS, 200 MiB)",
		      setrlimit64(RLIMIT_AS, (struct rlimit64 *)&lim));
		try_heap("c4");
		ids("c4");
		_exit(0);
	}
	it_out("c4: %s", it_status(it_reap(c)));
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "--as-probe") == 0)
		as_probe(atoi(argv[2]));
	it_child_modes(argc, argv);
	it_init();
	as_root();
	unprivileged();
	address_space();
	own_limit();
	return 0;
}
