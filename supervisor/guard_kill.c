/* guard_kill.c — what a guard does once its supervisor died: find the run's processes in /proc and SIGKILL them. */
#include "sup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

/*
 * A process is of this run (MINE) when its exec-time environment -- what
 * the kernel keeps and /proc/PID/environ shows, untouched by setenv --
 * holds this run's "JOBSHIM_SOCKET=<socket>": every image of the tree gets
 * it (the command from child_exec, every other from the shim's exec
 * wrappers, which put it back where a program dropped it; static and Go
 * images inherit it).  A process whose environment names no run at all (a
 * program that wrote its title over the strings, as postgres does) is
 * MINE when its maps name a file of the run's directory.  And, as the
 * processes of a pid namespace include those of the namespaces below it,
 * every real descendant of a MINE process is killed too: a child a Go or
 * static program started with an environment of its own, a nested run's
 * tree.  Never a guard (GUARD_MARK: a nested run's guard must outlive its
 * supervisor to end its own tree).
 *
 * Each process is signalled through a pidfd opened before anything was
 * read of it: if it died and its pid was reused meanwhile, what was read
 * was the new process's, and the signal goes to nobody.  Rounds follow
 * each other GUARD_ROUND_NS apart, for at most GUARD_MAX_NS, until one is
 * *quiet*: it signalled no process of the run, saw no process in the
 * middle of an exec, and no process was created while it ran.  Why each:
 *
 *  - a process of the run forked before the round began is in the round's
 *    listing (with the run's environment, inherited), unless it died: the
 *    listing of /proc holds every process that lives through it;
 *  - one forked while the round ran may be missing from it (its pid was
 *    passed already), and its parent need not be there to be signalled
 *    either: `sh -c "cmd & exit"` forks, exits and is reaped within the
 *    round.  The namespace's last pid (ns_last_pid, the cursor of pid
 *    allocation, which a fork in a namespace below moves as well) read
 *    before and after the round tells that some fork happened; the next
 *    round finds the child;
 *  - an image between the two halves of execve, whose new memory is in
 *    place but whose arguments and environment are not yet written
 *    (mm->env_end is 0: /proc shows both empty), cannot be told; it is
 *    UNSETTLED, and the next round reads it again.  Before these two
 *    rules, a loaded CI machine saw 1 in 100 SIGKILLed runs of a tree of
 *    `sh -c "sleep 300 & exit 0"` loops leave a sleep behind.
 */

#define GUARD_MAX_NS (5LL * 1000000000LL) /* rounds of kills, at most */
#define GUARD_ROUND_NS (2 * 1000000L)      /* between two rounds */
#define GUARD_READ_MAX (4u << 20)           /* an environment is at most ARG_MAX-sized */
#define GUARD_CHAIN_MAX 4096                /* ancestors followed, at most */

enum gcls { G_UNKNOWN, G_MINE, G_GUARD, G_OTHER_RUN, G_DESC, G_NOT };

#define PF_KTHREAD_FLAG 0x00200000u /* field 9 of /proc/PID/stat: a kernel thread */

struct gproc {
	pid_t pid, ppid;
	int pidfd;
	enum gcls cls;
	bool unsettled; /* between the halves of an execve: undecided */
};

struct gscan {
	const char *var, *dir;
	size_t vlen;
	char *buf; /* a read of /proc/PID/environ or maps */
	size_t cap;
	struct gproc *p;
	size_t n, pcap;
	pid_t *seen; /* every pid signalled alive, sorted: the count said at the end */
	size_t nseen, scap;
};

/* The whole of /proc/REL into g->buf: its length, or -1. */
static ssize_t read_rel(struct gscan *g, int proc, const char *rel)
{
	size_t len = 0;
	ssize_t n;
	int fd = openat(proc, rel, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	for (;;) {
		if (len + 4096 > g->cap) {
			size_t ncap = g->cap ? 2 * g->cap : 65536;
			char *nb = ncap <= GUARD_READ_MAX ? realloc(g->buf, ncap) : NULL;
			if (!nb)
				break;
			g->buf = nb;
			g->cap = ncap;
		}
		n = read(fd, g->buf + len, g->cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	if (g->buf)
		g->buf[len] = '\0';
	return (ssize_t)len;
}

/* The whole of /proc/PID/NAME into g->buf: its length, or -1. */
static ssize_t read_all(struct gscan *g, int proc, pid_t pid, const char *name)
{
	char rel[48];

	snprintf(rel, sizeof(rel), "%d/%s", (int)pid, name);
	return read_rel(g, proc, rel);
}

/* The state (field 3), ppid (4) and flags (9) of /proc/PID/stat: false
 * when it cannot be read. */
static bool read_stat(struct gscan *g, int proc, pid_t pid, char *state, pid_t *ppid, unsigned *flags)
{
	char *p;
	int pp;

	if (read_all(g, proc, pid, "stat") <= 0 || !(p = strrchr(g->buf, ')')) ||
	    sscanf(p + 1, " %c %d %*d %*d %*d %*d %u", state, &pp, flags) != 3)
		return false;
	*ppid = (pid_t)pp;
	return true;
}

/* Is this a process between the two halves of an execve?  Its new memory
 * is in place, its arguments and environment not yet (both read empty),
 * and it is neither a kernel thread (no memory) nor dead (none either). */
static bool unsettled(struct gscan *g, int proc, pid_t pid, char state, unsigned flags)
{
	return state != 'Z' && state != 'X' && !(flags & PF_KTHREAD_FLAG) && read_all(g, proc, pid, "cmdline") == 0;
}

static enum gcls classify(struct gscan *g, int proc, struct gproc *p, char state, unsigned flags)
{
	ssize_t n = read_all(g, proc, p->pid, "environ");

	if (n == 0 && unsettled(g, proc, p->pid, state, flags))
		p->unsettled = true; /* may be MINE still, through an ancestor */
	for (ssize_t i = 0; n > 0 && i < n; i += (ssize_t)strlen(g->buf + i) + 1) {
		const char *e = g->buf + i;

		if ((size_t)(n - i) > g->vlen && !memcmp(e, g->var, g->vlen) && e[g->vlen] == '\0')
			return G_MINE;
		if (!strncmp(e, GUARD_MARK "=", sizeof(GUARD_MARK)))
			return G_GUARD;
		if (!strncmp(e, "JOBSHIM_SOCKET=", 15))
			return G_OTHER_RUN;
	}
	n = read_all(g, proc, p->pid, "maps");
	return n > 0 && strstr(g->buf, g->dir) ? G_MINE : G_UNKNOWN;
}

static int by_pid(const void *a, const void *b)
{
	pid_t x = ((const struct gproc *)a)->pid, y = ((const struct gproc *)b)->pid;

	return (x > y) - (x < y);
}

static struct gproc *find(struct gscan *g, pid_t pid)
{
	struct gproc key = {.pid = pid};

	return g->n ? bsearch(&key, g->p, g->n, sizeof(*g->p), by_pid) : NULL;
}

/* Has p a MINE ancestor (through no guard)?  Settles every process on the
 * way (G_DESC or G_NOT), so each chain is walked once. */
static bool descends(struct gscan *g, struct gproc *p)
{
	struct gproc *chain[64], *a = p;
	size_t n = 0;
	bool mine = false;

	for (int depth = 0; a && depth < GUARD_CHAIN_MAX; depth++) {
		if (a->cls == G_MINE || a->cls == G_DESC) {
			mine = true;
			break;
		}
		if (a->cls == G_GUARD || a->cls == G_NOT || a->ppid <= 1)
			break;
		if (n < sizeof(chain) / sizeof(chain[0]))
			chain[n++] = a;
		a = find(g, a->ppid);
	}
	for (size_t i = 0; i < n; i++)
		if (chain[i]->cls == G_UNKNOWN || chain[i]->cls == G_OTHER_RUN)
			chain[i]->cls = mine ? G_DESC : G_NOT;
	return mine;
}

static void seen_add(struct gscan *g, pid_t pid)
{
	size_t lo = 0, hi = g->nseen;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (g->seen[mid] == pid)
			return;
		if (g->seen[mid] < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (g->nseen == g->scap) {
		size_t ncap = g->scap ? 2 * g->scap : 256;
		pid_t *ns = realloc(g->seen, ncap * sizeof(*ns));
		if (!ns)
			return;
		g->seen = ns;
		g->scap = ncap;
	}
	memmove(g->seen + lo + 1, g->seen + lo, (g->nseen - lo) * sizeof(*g->seen));
	g->seen[lo] = pid;
	g->nseen++;
}

/* The namespace's last pid: sys/kernel/ns_last_pid, else the last field
 * of loadavg (the same cursor); -1 when neither can be read. */
static long last_pid(struct gscan *g, int proc)
{
	char *sp;

	if (read_rel(g, proc, "sys/kernel/ns_last_pid") > 0)
		return strtol(g->buf, NULL, 10);
	if (read_rel(g, proc, "loadavg") > 0 && (sp = strrchr(g->buf, ' ')) != NULL)
		return strtol(sp + 1, NULL, 10);
	return -1;
}

/* One snapshot of /proc, then SIGKILL to every process of the run in it.
 * How many were alive to be signalled (already dying ones too), plus the
 * unsettled ones, plus one if a process was created meanwhile: 0 when
 * the round was quiet (above). */
static int kill_round(struct gscan *g, int proc)
{
	int dfd = dup(proc), alive = 0;
	long before = last_pid(g, proc);
	DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
	struct dirent *de;
	pid_t self = getpid();

	if (!d) {
		if (dfd >= 0)
			close(dfd);
		return 0;
	}
	g->n = 0;
	rewinddir(d);
	while ((de = readdir(d)) != NULL) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);
		struct gproc *p;

		if (*end || pid <= 1 || pid == self)
			continue;
		if (g->n == g->pcap) {
			size_t ncap = g->pcap ? 2 * g->pcap : 1024;
			struct gproc *np = realloc(g->p, ncap * sizeof(*np));
			if (!np)
				break;
			g->p = np;
			g->pcap = ncap;
		}
		p = &g->p[g->n];
		p->pid = (pid_t)pid;
		p->pidfd = sysio_pidfd_open(p->pid);
		if (p->pidfd < 0)
			continue;
		char state = '?';
		unsigned flags = 0;

		p->unsettled = false;
		if (!read_stat(g, proc, p->pid, &state, &p->ppid, &flags))
			p->ppid = -1;
		p->cls = classify(g, proc, p, state, flags);
		g->n++;
	}
	closedir(d);
	qsort(g->p, g->n, sizeof(*g->p), by_pid);
	for (size_t i = 0; i < g->n; i++) {
		struct gproc *p = &g->p[i];

		if ((p->cls == G_MINE || descends(g, p)) && sysio_pidfd_signal(p->pidfd, SIGKILL) == 0) {
			alive++;
			seen_add(g, p->pid);
		} else if (p->unsettled) {
			alive++; /* not signalled: read again in the next round */
		}
	}
	for (size_t i = 0; i < g->n; i++)
		close(g->p[i].pidfd);
	return alive + (last_pid(g, proc) != before);
}

size_t guard_kill_tree(const char *var, const char *dir)
{
	struct gscan g = {.var = var, .dir = dir, .vlen = strlen(var)};
	struct timespec gap = {0, GUARD_ROUND_NS};
	int64_t until = sup_now() + GUARD_MAX_NS;
	int proc = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct rlimit rl;

	/* A pidfd per process of the machine, for the length of a round. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	while (proc >= 0 && kill_round(&g, proc) > 0 && sup_now() < until)
		nanosleep(&gap, NULL);
	if (proc >= 0)
		close(proc);
	free(g.buf);
	free(g.p);
	free(g.seen);
	return g.nseen;
}
