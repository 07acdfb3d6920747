/* stress_tree.c — load for the supervisor, run as the command of `jobshim run`; checks it settles. */

/*
 * Usage (as the command itself, vpid 2, so that its real parent is the
 * supervisor):
 *   stress_tree waves W N        W waves of N children alive at once (each
 *                                makes a round trip: setpgid), all reaped
 *   stress_tree chaos WORKERS K  workers loop fork / setpgid / kill -STOP /
 *                                wait / kill -CONT / kill -9 / wait on a
 *                                grandchild while we SIGKILL K random workers
 *   stress_tree run CMD ARG...   run CMD as a child and wait for it
 * Before the load it measures the supervisor (its fd count and VmRSS, from
 * /proc/<real ppid>, the real ppid read with a raw openat); after it,
 * it waits (8 s at most) until the supervisor is back where it started:
 * CHECK says 2 live processes (init and us), the engine is consistent, the
 * supervisor has one child (us) and the same fds, we have no child.  Prints
 * "ok - ..." / "not ok - ..." lines and "# ..." figures; exit 0 when all ok.
 *
 * Built alone like every tests/integration program: the protocol code is
 * included, not linked.
 */
#include "../../core/proto.c"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "lib/rawstat.h"

static int st_fail;

static void st_ok(int ok, const char *what)
{
	printf("%s - %s\n", ok ? "ok" : "not ok", what);
	fflush(stdout);
	st_fail |= !ok;
}


static pid_t real_ppid(void)
{
	char buf[512], *p;
	FILE *f = raw_self_stat();
	int ppid = -1;

	if (!f)
		return -1;
	if (fgets(buf, sizeof(buf), f) && (p = strrchr(buf, ')')) != NULL)
		sscanf(p + 1, " %*c %d", &ppid);
	fclose(f);
	return ppid;
}

/* /proc/<real pid>/...: the shim translates /proc/<pid> paths as virtual
 * pids (a real pid outside the tree is ENOENT), so these are opened by a
 * raw system call (lib/rawstat.h). */
static int real_proc_open(const char *path, int flags)
{
	return raw_open(path, flags);
}

static FILE *real_proc_fopen(const char *path)
{
	int fd = real_proc_open(path, O_RDONLY);
	FILE *f = fd >= 0 ? fdopen(fd, "r") : NULL;

	if (fd >= 0 && !f)
		close(fd);
	return f;
}

static int count_fds(pid_t pid)
{
	char path[64];
	DIR *d;
	struct dirent *de;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	int fd = real_proc_open(path, O_RDONLY | O_DIRECTORY);
	d = fd >= 0 ? fdopendir(fd) : NULL;
	if (fd >= 0 && !d)
		close(fd);
	if (!d)
		return -1;
	while ((de = readdir(d)) != NULL)
		n += de->d_name[0] != '.';
	closedir(d);
	return n;
}

static long vmrss_kb(pid_t pid)
{
	char path[64], line[256];
	FILE *f;
	long kb = -1;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = real_proc_fopen(path);
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

/* Real children of pid (0: of this thread, whose real pid the shim hides),
 * from /proc/<pid>/task/<pid>/children. */
static int children(pid_t pid, char *buf, size_t len)
{
	char path[96];
	FILE *f;
	int n = 0;
	size_t got;

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)pid, (int)pid);
	else
		snprintf(path, sizeof(path), "/proc/thread-self/children");
	buf[0] = '\0';
	f = real_proc_fopen(path);
	if (!f)
		return -1;
	got = fread(buf, 1, len - 1, f);
	buf[got] = '\0';
	fclose(f);
	for (char *p = buf; *p; p++)
		n += (p == buf || p[-1] == ' ') && *p != ' ' && *p != '\n';
	return n;
}

/* A ps-mode connection (no registration) to ask CHECK. */
static int ps_connect(void)
{
	const char *path = getenv("JOBSHIM_SOCKET");
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd;

	if (!path || strlen(path) >= sizeof(sa.sun_path))
		return -1;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

static int call(int fd, uint16_t op, int32_t a, int32_t b, struct proto_rep *r)
{
	static uint32_t seq;
	struct proto_req q = {.op = op, .seq = ++seq, .a = a, .b = b};
	uint8_t buf[PROTO_REP_SIZE];
	ssize_t n;

	proto_pack_req(&q, buf);
	if (send(fd, buf, PROTO_REQ_SIZE, MSG_NOSIGNAL) != PROTO_REQ_SIZE)
		return -1;
	do
		n = recv(fd, buf, sizeof(buf), 0);
	while (n < 0 && errno == EINTR);
	return n > 0 && proto_unpack_rep(buf, (size_t)n, r) == 0 ? 0 : -1;
}

struct st_mark {
	pid_t sup;
	int fds;
	int kids; /* the supervisor's children at the start: us, its guard */
	long rss;
	struct timespec t0;
};

static void mark(int ps, struct st_mark *m)
{
	struct proto_rep r;
	char kids[4096];

	m->sup = real_ppid();
	call(ps, PROTO_OP_CHECK, 0, 0, &r); /* our connection is accepted by now */
	m->fds = count_fds(m->sup);
	m->kids = children(m->sup, kids, sizeof(kids));
	m->rss = vmrss_kb(m->sup);
	clock_gettime(CLOCK_MONOTONIC, &m->t0);
	printf("# supervisor real pid %d: %d fds, VmRSS %ld kB at start\n", (int)m->sup, m->fds, m->rss);
}

/* Wait until the supervisor is back to its starting state; report. */
static void settle(int ps, const struct st_mark *m, const char *what)
{
	struct proto_rep r = {0};
	char kids[4096], mine[4096], msg[256];
	int fds = -1, nk = -1, nm = -1, rc = -1;
	struct timespec t1;
	long rss;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("# %s: load done in %.2f s\n", what,
	       (double)(t1.tv_sec - m->t0.tv_sec) + (double)(t1.tv_nsec - m->t0.tv_nsec) / 1e9);
	for (int i = 0; i < 160; i++) {
		rc = call(ps, PROTO_OP_CHECK, 0, 0, &r);
		fds = count_fds(m->sup);
		nk = children(m->sup, kids, sizeof(kids));
		nm = children(0, mine, sizeof(mine));
		if (rc == 0 && r.err == 0 && r.v[0] == 2 && fds == m->fds && nk == m->kids && nm == 0)
			break;
		usleep(50000);
	}
	rss = vmrss_kb(m->sup);
	snprintf(msg, sizeof(msg), "%s: engine consistent (%.*s)", what, PROTO_TEXT_REP, r.text);
	st_ok(rc == 0 && r.err == 0, msg);
	snprintf(msg, sizeof(msg), "%s: no table entry leaked (CHECK: %d live, want 2)", what, r.v[0]);
	st_ok(r.v[0] == 2, msg);
	snprintf(msg, sizeof(msg), "%s: every process reaped (supervisor's children: %d, at the start %d; ours: %d)",
		 what, nk, m->kids, nm);
	st_ok(nk == m->kids && nm == 0, msg);
	snprintf(msg, sizeof(msg), "%s: supervisor fds back to start (%d -> %d)", what, m->fds, fds);
	st_ok(fds == m->fds, msg);
	snprintf(msg, sizeof(msg), "%s: supervisor VmRSS bounded (%ld kB -> %ld kB)", what, m->rss, rss);
	st_ok(rss > 0 && rss < m->rss + 32768, msg);
}

/* ---- loads -------------------------------------------------------------------- */

static int waves(int nwaves, int n)
{
	pid_t *pids = calloc((size_t)n, sizeof(*pids));
	int total = 0, bad = 0;

	for (int w = 0; w < nwaves && pids; w++) {
		int p[2];
		char c;
		if (pipe(p) < 0)
			return -1;
		for (int i = 0; i < n; i++) {
			pids[i] = fork();
			if (pids[i] == 0) {
				close(p[1]);
				if (setpgid(0, 0) < 0)
					_exit(3);
				while (read(p[0], &c, 1) < 0 && errno == EINTR)
					;
				_exit(0);
			}
			if (pids[i] < 0) {
				perror("fork");
				bad++;
			}
		}
		close(p[0]);
		close(p[1]); /* all N are alive until now: let them go */
		for (int i = 0; i < n; i++) {
			int st;
			if (pids[i] > 0 && (waitpid(pids[i], &st, 0) != pids[i] || st != 0))
				bad++;
			total += pids[i] > 0;
		}
	}
	free(pids);
	printf("# waves: %d processes in %d waves of %d, %d failures\n", total, nwaves, n, bad);
	return bad;
}

static void xsleep_us(long us)
{
	struct timespec ts = {.tv_sec = us / 1000000, .tv_nsec = (us % 1000000) * 1000};

	nanosleep(&ts, NULL);
}

/* One worker: job control on its own grandchildren, forever.  The
 * grandchild says when its parent-death signal is armed: only then may it
 * be stopped (a stop before that, then our death, would leave it stopped
 * for good when the stop completes after the orphan check, natively too). */
static void worker(unsigned seed)
{
	for (;;) {
		int p[2], ready[2], st;
		pid_t gc;
		char c;

		if (pipe(p) < 0 || pipe(ready) < 0)
			_exit(1);
		gc = fork();
		if (gc == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			close(p[1]);
			close(ready[0]);
			setpgid(0, 0);
			(void)!write(ready[1], "r", 1);
			while (read(p[0], &c, 1) < 0 && errno == EINTR)
				;
			_exit(0);
		}
		close(p[0]);
		close(ready[1]);
		if (gc < 0)
			_exit(1);
		setpgid(gc, gc); /* races the child's own: both fine */
		if (read(ready[0], &c, 1) == 1 && kill(-gc, SIGSTOP) == 0)
			waitpid(gc, &st, WUNTRACED);
		close(ready[0]);
		if (kill(-gc, SIGCONT) == 0)
			waitpid(gc, &st, WCONTINUED | WNOHANG);
		kill(0, 0);
		if (rand_r(&seed) % 2)
			kill(gc, SIGKILL);
		close(p[1]);
		while (waitpid(gc, &st, 0) < 0 && errno == EINTR)
			;
	}
}

static int chaos(int nworkers, int nkills)
{
	pid_t w[64];
	unsigned seed = 12345;
	int kills = 0, spawned = 0;

	if (nworkers > 64)
		nworkers = 64;
	for (int i = 0; i < nworkers; i++) {
		w[i] = fork();
		if (w[i] == 0)
			worker((unsigned)i * 7919u + 1);
		spawned++;
	}
	while (kills < nkills) {
		int i = (int)(rand_r(&seed) % (unsigned)nworkers);
		xsleep_us(rand_r(&seed) % 4000);
		if (w[i] > 0 && kill(w[i], SIGKILL) == 0)
			kills++;
		if (w[i] > 0)
			while (waitpid(w[i], NULL, 0) < 0 && errno == EINTR)
				;
		w[i] = fork();
		if (w[i] == 0)
			worker(seed + (unsigned)kills);
		spawned++;
	}
	for (int i = 0; i < nworkers; i++) {
		if (w[i] <= 0)
			continue;
		kill(w[i], SIGKILL);
		while (waitpid(w[i], NULL, 0) < 0 && errno == EINTR)
			;
	}
	printf("# chaos: %d workers spawned, %d SIGKILLed mid-operation\n", spawned, kills + nworkers);
	return 0;
}

static int run(char **argv)
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		execvp(argv[0], argv);
		perror(argv[0]);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return -1;
	printf("# run: %s exited with status %d\n", argv[0], WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
	struct st_mark m;
	int ps, rc;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 3) {
		fprintf(stderr, "usage: stress_tree waves W N | chaos WORKERS KILLS | run CMD...\n");
		return 2;
	}
	kill(0, 0); /* our own shim connection exists from now on (counted at the start) */
	ps = ps_connect();
	if (ps < 0) {
		fprintf(stderr, "stress_tree: not under jobshim (JOBSHIM_SOCKET)\n");
		return 2;
	}
	if (call(ps, PROTO_OP_HELLO, 0, 1, &(struct proto_rep){0}) < 0)
		return 2;
	mark(ps, &m);
	if (strcmp(argv[1], "waves") == 0 && argc == 4)
		rc = waves(atoi(argv[2]), atoi(argv[3]));
	else if (strcmp(argv[1], "chaos") == 0 && argc == 4)
		rc = chaos(atoi(argv[2]), atoi(argv[3]));
	else if (strcmp(argv[1], "run") == 0)
		rc = run(argv + 2);
	else
		return 2;
	st_ok(rc == 0, argv[1]);
	settle(ps, &m, argv[1]);
	close(ps);
	return st_fail;
}
