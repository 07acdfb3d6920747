/* itest.h — helpers shared by the integration test programs: labels, output, sync, hang guard. */
#ifndef ITEST_H
#define ITEST_H

/*
 * Every semantic test runs twice, natively and under jobshim, and must print
 * the same bytes.  So:
 * - pids are printed only as labels ("main", "init", "c1", or "pN" in
 *   first-seen order); the label table lives in MAP_SHARED memory created
 *   before the first fork, so every process of a test names a pid alike;
 * - output goes through write(2), one whole line per call: no stdio buffer
 *   is ever duplicated by fork, and lines from several processes never mix;
 * - processes order themselves through pipes (it_chan), never sleeps;
 * - every process arms alarm(IT_GUARD_SECS): a hang is a failure, not a
 *   stuck CI job.
 */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define IT_GUARD_SECS 20
#define IT_MAX_LABELS 128
#define IT_UNUSED __attribute__((unused))

struct it_label {
	pid_t pid;      /* the id as this process tree sees it */
	char name[24];  /* printed instead of the id */
	int automatic;  /* 1: "pN" given on first sight; an explicit name wins */
};

/* One per test, shared by all its processes through fork (not exec). */
struct it_shared {
	int lock;                   /* spin lock over n, autos and lab[] */
	int n;                      /* entries used in lab[] */
	int autos;                  /* next N of an automatic "pN" label */
	volatile sig_atomic_t step; /* scenario step, read by signal handlers */
	struct it_label lab[IT_MAX_LABELS];
};

static struct it_shared *it_sh IT_UNUSED;

static inline void it_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		p += n;
		len -= (size_t)n;
	}
}

/* One output line, written with a single write(2). */
__attribute__((format(printf, 1, 2)))
static inline void it_out(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof buf - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n > (int)sizeof buf - 2)
		n = (int)sizeof buf - 2;
	buf[n++] = '\n';
	it_write_all(1, buf, (size_t)n);
}

/* A broken set-up is reported on stdout so that it shows in the diff. */
static inline void it_die(const char *what)
{
	int e = errno;
	it_out("FATAL %s: %s", what, strerrorname_np(e) ? strerrorname_np(e) : "?");
	_exit(99);
}

static inline const char *it_errname(int e)
{
	const char *s = strerrorname_np(e);
	return s ? s : "E?";
}

/* Small rotating buffers so that several results fit in one it_out(). */
static inline char *it_tmpbuf(void)
{
	static char bufs[8][48];
	static unsigned next;
	return bufs[next++ % 8];
}

static inline void it_lock(void)
{
	while (__atomic_exchange_n(&it_sh->lock, 1, __ATOMIC_ACQUIRE))
		sched_yield();
}

static inline void it_unlock(void)
{
	__atomic_store_n(&it_sh->lock, 0, __ATOMIC_RELEASE);
}

static inline struct it_label *it_find(pid_t pid)
{
	for (int i = 0; i < it_sh->n; i++)
		if (it_sh->lab[i].pid == pid)
			return &it_sh->lab[i];
	return NULL;
}

static inline struct it_label *it_add(pid_t pid)
{
	if (it_sh->n == IT_MAX_LABELS)
		return NULL;
	struct it_label *l = &it_sh->lab[it_sh->n++];
	l->pid = pid;
	return l;
}

/* Name a pid (both sides of a fork do it: either may print first). */
static inline void it_name(pid_t pid, const char *name)
{
	it_lock();
	struct it_label *l = it_find(pid);
	if (!l || l->automatic) {
		if (!l)
			l = it_add(pid);
		if (l) {
			snprintf(l->name, sizeof l->name, "%s", name);
			l->automatic = 0;
		}
	}
	it_unlock();
}

/* The label of an id; ids <= 0 are results, not pids, and print as numbers. */
static inline const char *it_l(pid_t pid)
{
	if (pid <= 0) {
		char *b = it_tmpbuf();
		snprintf(b, 48, "%d", (int)pid);
		return b;
	}
	it_lock();
	struct it_label *l = it_find(pid);
	if (!l && (l = it_add(pid)) != NULL) {
		snprintf(l->name, sizeof l->name, "p%d", it_sh->autos++);
		l->automatic = 1;
	}
	it_unlock();
	return l ? l->name : "overflow";
}

static inline void it_guard(void)
{
	signal(SIGALRM, SIG_DFL);
	alarm(IT_GUARD_SECS);
}

/* Run on CPU cpu only (a test that orders processes by priority on one CPU). */
static inline void it_pin_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) < 0)
		it_die("sched_setaffinity");
}

/* Call first in main (after it_child_modes): the table, "main", "init", the guard. */
static inline void it_init(void)
{
	it_sh = mmap(NULL, sizeof *it_sh, PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (it_sh == MAP_FAILED)
		it_die("mmap");
	/* The reparenting target: native_init (a subreaper, or pid 1 of a
	 * private pid namespace) natively, vpid 1 under jobshim. */
	it_name(getppid(), "init");
	it_name(getpid(), "main");
	it_guard();
}

/* fork, naming the child on both sides; the child gets its own guard. */
static inline pid_t it_fork(const char *name)
{
	pid_t p = fork();
	if (p < 0)
		it_die("fork");
	if (p == 0) {
		it_name(getpid(), name);
		it_guard();
	} else {
		it_name(p, name);
	}
	return p;
}

/* A fresh executable copy of `from` at `to` (0755): a file the shim's
 * image decision cache, which keeps only settled files, never answers
 * for, so an exec wrapper's scan opens it (t_fanexec, t_vfork_stop). */
static inline void it_copy_exe(const char *from, const char *to)
{
	char buf[65536];
	int in = open(from, O_RDONLY), out;
	ssize_t n;

	unlink(to);
	out = open(to, O_CREAT | O_WRONLY | O_TRUNC, 0755);
	if (in < 0 || out < 0)
		it_die("copy an executable");
	while ((n = read(in, buf, sizeof buf)) > 0)
		if (write(out, buf, (size_t)n) != n)
			it_die("write");
	close(in);
	close(out);
}

/* ---- results ----------------------------------------------------------- */

static inline void it_show(const char *what, long r, int e, int is_pid)
{
	if (r == -1)
		it_out("%s: -1 %s", what, it_errname(e));
	else if (is_pid)
		it_out("%s: %s", what, it_l((pid_t)r));
	else
		it_out("%s: %ld", what, r);
}

/* "what: 0" or "what: -1 EPERM"; IT_PID prints a successful result as a label. */
#define IT_RC(what, expr) do { errno = 0; long it_r_ = (long)(expr); \
	it_show((what), it_r_, errno, 0); } while (0)
#define IT_PID(what, expr) do { errno = 0; long it_r_ = (long)(expr); \
	it_show((what), it_r_, errno, 1); } while (0)

static inline void it_signame_to(char *b, size_t len, int sig)
{
	const char *s = sigabbrev_np(sig);
	if (s)
		snprintf(b, len, "SIG%s", s);
	else
		snprintf(b, len, "signal %d", sig);
}

static inline const char *it_signame(int sig)
{
	char *b = it_tmpbuf();
	it_signame_to(b, 48, sig);
	return b;
}

/* A wait status in words, with the raw value to pin the encoding. */
static inline const char *it_status(int st)
{
	char *b = it_tmpbuf(), sig[24];
	if (WIFEXITED(st)) {
		snprintf(b, 48, "exit %d (0x%x)", WEXITSTATUS(st), st);
	} else if (WIFSIGNALED(st)) {
		it_signame_to(sig, sizeof sig, WTERMSIG(st));
		snprintf(b, 48, "killed by %s%s (0x%x)", sig,
			 WCOREDUMP(st) ? " core" : "", st);
	} else if (WIFSTOPPED(st)) {
		it_signame_to(sig, sizeof sig, WSTOPSIG(st));
		snprintf(b, 48, "stopped by %s (0x%x)", sig, st);
	} else if (WIFCONTINUED(st)) {
		snprintf(b, 48, "continued (0x%x)", st);
	} else {
		snprintf(b, 48, "? (0x%x)", st);
	}
	return b;
}

/* waitpid that survives handlers; dies on error (a lost child is a set-up bug). */
static inline int it_reap(pid_t pid)
{
	int st;
	pid_t r;
	while ((r = waitpid(pid, &st, 0)) < 0 && errno == EINTR)
		;
	if (r != pid)
		it_die("it_reap");
	return st;
}

/* Wait until a child is a zombie without reaping it. */
static inline void it_await_zombie(pid_t pid)
{
	siginfo_t si;
	while (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT) < 0)
		if (errno != EINTR)
			it_die("waitid WNOWAIT");
}

/* Until a process that is not our child (an orphan, reaped by init) is
 * gone, so that the test never leaves a process behind; 5 s at most. */
static inline int it_await_gone(pid_t pid)
{
	struct timespec ts = { 0, 1000000 };
	for (int i = 0; i < 5000 && kill(pid, 0) == 0; i++)
		nanosleep(&ts, NULL);
	return kill(pid, 0) < 0 && errno == ESRCH;
}

/* A pid that surely names no process: a reaped child's (ids are not
 * reused this soon, natively in a fresh namespace or under jobshim). */
static inline pid_t it_dead_pid(void)
{
	pid_t p = fork();
	if (p < 0)
		it_die("fork");
	if (p == 0)
		_exit(0);
	it_reap(p);
	return p;
}

/* ---- pipes -------------------------------------------------------------- */

struct it_chan {
	int r, w;  /* read and write ends, close-on-exec */
};

static inline struct it_chan it_chan(void)
{
	int fd[2];
	if (pipe2(fd, O_CLOEXEC) < 0)
		it_die("pipe2");
	return (struct it_chan){ fd[0], fd[1] };
}

static inline void it_put(struct it_chan c, char b)
{
	it_write_all(c.w, &b, 1);
}

/* One byte, or -1 at EOF; EINTR from handlers is retried. */
static inline int it_get(struct it_chan c)
{
	unsigned char b;
	for (;;) {
		ssize_t n = read(c.r, &b, 1);
		if (n == 1)
			return b;
		if (n < 0 && errno == EINTR)
			continue;
		return -1;
	}
}

static inline void it_expect(struct it_chan c, char b)
{
	int got = it_get(c);
	if (got != (unsigned char)b) {
		errno = 0;
		it_die("sync byte");
	}
}

/* Fixed-size records (a pipe write up to PIPE_BUF is atomic). */
static inline void it_put_rec(int fd, const void *rec, size_t len)
{
	it_write_all(fd, rec, len);
}

static inline int it_get_rec(int fd, void *rec, size_t len)
{
	char *p = rec;
	size_t got = 0;
	while (got < len) {
		ssize_t n = read(fd, p + got, len - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	return 0;
}

/* ---- ids reported by a child (survives exec, unlike the label table) --- */

struct it_ids {
	int pid, ppid, pgid, sid;
};

static inline struct it_ids it_my_ids(void)
{
	return (struct it_ids){ getpid(), getppid(), getpgrp(), getsid(0) };
}

static inline void it_show_ids(const char *who, struct it_ids id)
{
	it_out("%s: pid %s ppid %s pgid %s sid %s", who, it_l(id.pid),
	       it_l(id.ppid), it_l(id.pgid), it_l(id.sid));
}

static inline struct it_ids it_read_ids(int fd)
{
	struct it_ids id;
	if (it_get_rec(fd, &id, sizeof id) < 0)
		it_die("read ids");
	return id;
}

/* Keep an fd open across exec (it_chan ends are close-on-exec). */
static inline void it_inherit(int fd)
{
	int fl = fcntl(fd, F_GETFD);
	if (fl < 0 || fcntl(fd, F_SETFD, fl & ~FD_CLOEXEC) < 0)
		it_die("fcntl");
}

static inline const char *it_self_exe(void)
{
	static char path[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
	if (n < 0)
		it_die("readlink /proc/self/exe");
	path[n] = '\0';
	return path;
}

/*
 * Roles a test program plays when it execs itself (the label table does
 * not survive exec, so an exec'd child reports raw ids through an fd):
 *   --report FD        write it_ids to FD, exit 0
 *   --report-out       print raw ids on stdout (for popen), exit 0
 *   --hold RFD WFD     write 'r' to WFD, wait for a byte on RFD, exit 0
 * Returns only when argv asks for none of them.
 */
static inline void it_child_modes(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "--report") == 0) {
		struct it_ids id = it_my_ids();
		it_put_rec(atoi(argv[2]), &id, sizeof id);
		_exit(0);
	}
	if (argc == 2 && strcmp(argv[1], "--report-out") == 0) {
		struct it_ids id = it_my_ids();
		printf("%d %d %d %d\n", id.pid, id.ppid, id.pgid, id.sid);
		exit(0);
	}
	if (argc == 4 && strcmp(argv[1], "--hold") == 0) {
		struct it_chan c = { atoi(argv[2]), atoi(argv[3]) };
		it_guard();
		it_put(c, 'r');
		it_get(c);
		_exit(0);
	}
}

/* exec this program in one of the roles above; never returns. */
static inline void it_exec_self(const char *a1, const char *a2, const char *a3)
{
	const char *exe = it_self_exe();
	char *argv[] = { (char *)exe, (char *)a1, (char *)a2, (char *)a3, NULL };
	execv(exe, argv);
	it_die("execv self");
}

static inline const char *it_itoa(int v)
{
	char *b = it_tmpbuf();
	snprintf(b, 48, "%d", v);
	return b;
}

/* ---- signal records: handlers write (kind, step) pairs to a pipe ------- */

static int it_rec_fd IT_UNUSED = -1;

static inline char it_sigkind(int sig)
{
	switch (sig) {
	case SIGHUP: return 'H';
	case SIGCONT: return 'C';
	case SIGUSR1: return '1';
	case SIGUSR2: return '2';
	case SIGTERM: return 'T';
	default: return '?';
	}
}

IT_UNUSED static void it_rec_handler(int sig)
{
	int e = errno;
	char b[2] = { it_sigkind(sig), (char)('0' + it_sh->step) };
	it_write_all(it_rec_fd, b, 2);
	errno = e;
}

/* Record every delivery of sig (SA_RESTART: sync reads are not disturbed). */
static inline void it_rec_install(int fd, int sig)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = it_rec_handler;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	it_rec_fd = fd;
	if (sigaction(sig, &sa, NULL) < 0)
		it_die("sigaction");
}

/* The end of one process's records. */
static inline void it_rec_end(int fd)
{
	char b[2] = { 'E', '0' };
	it_write_all(fd, b, 2);
}

/* Records read so far from one process. */
struct it_recs {
	int n;           /* records in r[] */
	int ended;       /* the end mark was read */
	char r[64][2];   /* (kind, step) pairs in arrival order */
};

/* Read one record, waiting at most timeout_ms (-1: no limit).
 * Returns 1 (a record or the end mark), 0 on timeout, -1 at EOF. */
static inline int it_recs_read1(int fd, struct it_recs *rs, int timeout_ms)
{
	struct pollfd p = { fd, POLLIN, 0 };
	int r;
	while ((r = poll(&p, 1, timeout_ms)) < 0 && errno == EINTR)
		;
	if (r == 0)
		return 0;
	char b[2];
	if (it_get_rec(fd, b, 2) < 0)
		return -1;
	if (b[0] == 'E')
		rs->ended = 1;
	else if (rs->n < 64)
		memcpy(rs->r[rs->n++], b, 2);
	return 1;
}

static inline int it_recs_has(const struct it_recs *rs, char kind)
{
	for (int i = 0; i < rs->n; i++)
		if (rs->r[i][0] == kind)
			return 1;
	return 0;
}

/*
 * Print records in a fixed order: the kernel may run the SIGCONT handler
 * before the SIGHUP one, so tests assert what arrived and when (step,
 * shown unless 0), never the order.
 */
static inline void it_recs_print(const char *who, const struct it_recs *rs)
{
	static const char order[] = "HC12T?";
	char line[400];
	int len = snprintf(line, sizeof line, "%s got", who);
	if (rs->n == 0)
		len += snprintf(line + len, sizeof line - (size_t)len, " nothing");
	for (const char *k = order; *k; k++)
		for (char s = '0'; s <= '9'; s++)
			for (int i = 0; i < rs->n; i++) {
				if (rs->r[i][0] != *k || rs->r[i][1] != s ||
				    len > (int)sizeof line - 40)
					continue;
				int sig = *k == 'H' ? SIGHUP : *k == 'C' ? SIGCONT :
					  *k == '1' ? SIGUSR1 : *k == '2' ? SIGUSR2 :
					  *k == 'T' ? SIGTERM : 0;
				len += snprintf(line + len, sizeof line - (size_t)len,
						" %s", it_signame(sig));
				if (s != '0')
					len += snprintf(line + len, sizeof line - (size_t)len,
							"@step%c", s);
			}
	it_out("%s", line);
}

/* Read records up to the end mark and print them. */
static inline void it_rec_report(const char *who, int fd)
{
	struct it_recs rs = { 0 };
	while (!rs.ended)
		if (it_recs_read1(fd, &rs, -1) < 0)
			it_die("read records");
	it_recs_print(who, &rs);
}

#endif
