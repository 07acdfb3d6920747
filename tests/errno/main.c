/* main.c — jserrno: generate bad-input cases for every interposed call, run each in its own process, print one line each. */
#include "args.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/*
 * usage: jserrno [-u UIDS] [-c CALL] [-x CALL]... check
 *        jserrno [-u UIDS] [-c CALL] [-x CALL]... random SEED N
 *        jserrno list
 *        jserrno init [-p] CMD...   (pid 1 of a run's namespace; -p: real pids from 20001)
 *
 * check: for each call and uid mode, the base case (every argument its
 * valid class) and every case that varies one argument over all its
 * classes: deterministic, the make check subset.  random: N cases from
 * SEED (printed), every argument of a random call taking a random class.
 * Cases are generated from the tables (args.c, calls.c), never listed.
 *
 * Uid modes (-u, comma separated; default root,drop,euid): root; drop =
 * setresuid(65534) in the case process after its fixtures are made (they
 * stay root: EPERM territory); euid = seteuid(65534) around the call only.
 *
 * Each case runs in a fresh process (K) with fresh fixtures: a live child,
 * a zombie, a reaped child's pid, a sibling (the runner's child); every
 * process blocks every signal, so the signals a case sends stay pending.
 * A crash (SIGSEGV from a bad pointer) or a hang (killed after 5 s) is part
 * of the printed outcome.  Output names pids by role, so the native run and
 * the jobshim run print the same lines exactly when they agree.
 */

enum uidm { U_ROOT, U_DROP, U_EUID, U_N };
static const char *const uid_names[U_N] = { "root", "drop", "euid" };
static bool uid_on[U_N];
static const char *only_calls[64];      /* -c: these calls only */
static int nonly;
static const char *skip_calls[32];      /* -x: not these */
static int nskip;
static unsigned long ncase, nfail_run;

#define CASE_TIMEOUT_MS 5000

static bool call_selected(const struct call *c)
{
	bool listed = nonly == 0;

	for (int i = 0; i < nonly; i++)
		listed |= strcmp(only_calls[i], c->name) == 0;
	if (!listed)
		return false;
	for (int i = 0; i < nskip; i++)
		if (strcmp(skip_calls[i], c->name) == 0)
			return false;
	return true;
}

/* ---- one case, in its own process ----------------------------------------- */

static void idle_forever(void)
{
	for (;;)
		pause(); /* every signal is blocked: only SIGKILL ends it */
}

static const char *pid_role(long n, const struct roles *r)
{
	static char buf[24];

	if (n == r->self) return "self";
	if (n == r->parent) return "parent";
	if (n == r->child) return "child";
	if (n == r->zombie) return "zombie";
	if (n == r->reaped) return "reaped";
	if (n == r->sibling) return "sibling";
	if (n > 1) return "other";
	snprintf(buf, sizeof(buf), "%ld", n);
	return buf;
}

#define BATCH_MAX 64

/* The cases of one batch: one call, one uid mode.  A pure call's cases
 * share a case process; any other call's case has one of its own. */
struct batch {
	const struct call *c;
	enum uidm u;
	int n;
	size_t cls[BATCH_MAX][CALL_MAXARG];
};

static struct batch cur;

/* Make the fixtures, take the uid, make the calls of cases [from, n);
 * "<index> <result>" lines go to fd out.  Never returns. */
static void run_batch(int out, const struct batch *bt, int from, pid_t sibling)
{
	const struct call *c = bt->c;
	struct roles r = { .sibling = sibling };
	struct val v[CALL_MAXARG];
	char line[256];

	/* The call's own output (an exec'd program, a shell) is not ours. */
	{
		int nul = open("/dev/null", O_RDWR);
		dup2(nul, 0);
		dup2(nul, 1);
		dup2(nul, 2);
		if (nul > 2)
			close(nul);
	}
	r.self = getpid();
	r.parent = getppid();
	/* The live child leaves when K does: it reads a pipe only K writes to
	 * (a parent-death signal would not do: a K that took uid 65534 may
	 * not signal it). */
	int life[2];
	if (pipe2(life, O_CLOEXEC) < 0)
		_exit(91);
	r.child = fork();
	if (r.child == 0) {
		char b;
		close(out);
		close(life[1]);
		while (read(life[0], &b, 1) != 0)
			;
		_exit(0);
	}
	close(life[0]);
	r.zombie = fork();
	if (r.zombie == 0)
		_exit(0);
	r.reaped = fork();
	if (r.reaped == 0)
		_exit(0);
	waitpid(r.reaped, NULL, 0);
	{
		siginfo_t si;
		waitid(P_PID, (id_t)r.zombie, &si, WEXITED | WNOWAIT); /* a zombie now */
	}
	r.fd_file = open("/bin/true", O_RDONLY | O_CLOEXEC);
	r.fd_dir = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	raise(SIGURG); /* pending (blocked): sigwaitinfo's valid set returns at once */
	if (bt->u == U_DROP && setresuid(65534, 65534, 65534) < 0)
		_exit(91);
	for (int k = from; k < bt->n; k++) {
		long ret;
		int err, n;

		for (int i = 0; i < c->nargs; i++)
			v[i] = args_value(c->kinds[i], bt->cls[k][i], &r);
		if (bt->u == U_EUID && seteuid(65534) < 0)
			_exit(91);
		errno = 0;
		ret = c->fn(v);
		err = errno;
		if (getpid() != r.self)
			_exit(0); /* a process the call made (fork, vfork, daemon) */
		if (bt->u == U_EUID && seteuid(0) < 0)
			_exit(91);
		if (ret < 0)
			n = snprintf(line, sizeof(line), "%d %ld %s\n", k, ret, strerrorname_np(err) ?: "0");
		else if (c->ret == R_PID)
			n = snprintf(line, sizeof(line), "%d %s\n", k, pid_role(ret, &r));
		else
			n = snprintf(line, sizeof(line), "%d %ld\n", k, ret);
		if (write(out, line, (size_t)n) != n)
			_exit(92);
	}
	_exit(0);
}

/* ---- the runner ------------------------------------------------------------- */

static void print_head(const struct call *c, const size_t *cls, enum uidm u)
{
	printf("%s(", c->name);
	for (int i = 0; i < c->nargs; i++)
		printf("%s%s=%s", i ? ", " : "", c->argn[i], args_name(c->kinds[i], cls[i]));
	printf(") [%s]: ", uid_names[u]);
}

/* Run cases [from, n) of the batch in one case process with its own
 * sibling; print each case's line.  Returns the index after the last case
 * accounted for: a case process that dies (a crash is an outcome) or
 * hangs takes its current case with it, and the rest goes on in a new one. */
static int run_from(const struct batch *bt, int from)
{
	static char buf[BATCH_MAX * 160];
	char *res[BATCH_MAX] = { NULL };
	int p[2], st = 0, k, end;
	pid_t sib, kp;
	size_t got = 0;
	bool timed_out = false;

	if (pipe2(p, O_CLOEXEC) < 0) {
		perror("jserrno: pipe2");
		exit(2);
	}
	fflush(stdout);
	sib = fork();
	if (sib == 0) {
		close(p[0]);
		close(p[1]);
		idle_forever();
	}
	kp = fork();
	if (kp == 0) {
		close(p[0]);
		run_batch(p[1], bt, from, sib);
	}
	close(p[1]);
	for (;;) {
		struct pollfd pf = { .fd = p[0], .events = POLLIN };
		ssize_t n;

		if (poll(&pf, 1, CASE_TIMEOUT_MS) == 0) {
			timed_out = true;
			kill(kp, SIGKILL);
			break;
		}
		n = read(p[0], buf + got, sizeof(buf) - 1 - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(p[0]);
	buf[got] = '\0';
	waitpid(kp, &st, 0);
	kill(sib, SIGKILL);
	waitpid(sib, NULL, 0);
	for (char *line = buf, *nl; (nl = strchr(line, '\n')) != NULL; line = nl + 1) {
		char *sp = strchr(line, ' ');
		*nl = '\0';
		k = atoi(line);
		if (sp != NULL && k >= from && k < bt->n)
			res[k] = sp + 1;
	}
	for (k = from, end = bt->n; k < bt->n; k++) {
		ncase++;
		print_head(bt->c, bt->cls[k], bt->u);
		if (res[k] != NULL) {
			printf("%s\n", res[k]);
			continue;
		}
		if (timed_out)
			printf("hangs\n");
		else if (WIFSIGNALED(st))
			printf("killed by %s\n", sigabbrev_np(WTERMSIG(st)) ?: "?");
		else
			printf("no result, exit %d\n", WEXITSTATUS(st));
		if (WIFEXITED(st) && (WEXITSTATUS(st) == 91 || WEXITSTATUS(st) == 92))
			nfail_run++; /* the case could not be set up: a bug of the generator */
		end = k + 1;
		break;
	}
	return end;
}

static void flush(void)
{
	for (int from = 0; from < cur.n;)
		from = run_from(&cur, from);
	cur.n = 0;
}

/* Add a case; batches are run as they fill or change call or uid. */
static void one(const struct call *c, const size_t *cls, enum uidm u)
{
	if (cur.n > 0 && (cur.c != c || cur.u != u || !c->pure || cur.n == BATCH_MAX))
		flush();
	cur.c = c;
	cur.u = u;
	memcpy(cur.cls[cur.n++], cls, sizeof(cur.cls[0]));
}

static void check_all(void)
{
	for (size_t ci = 0; ci < ncalls; ci++) {
		const struct call *c = &calls[ci];
		size_t cls[CALL_MAXARG];

		if (!call_selected(c))
			continue;
		for (int u = 0; u < U_N; u++) {
			if (!uid_on[u])
				continue;
			for (int i = 0; i < c->nargs; i++)
				cls[i] = (size_t)c->base[i];
			one(c, cls, (enum uidm)u);
			for (int i = 0; i < c->nargs; i++) {
				for (size_t k = 0; k < args_count(c->kinds[i]); k++) {
					if (k == (size_t)c->base[i])
						continue;
					cls[i] = k;
					one(c, cls, (enum uidm)u);
				}
				cls[i] = (size_t)c->base[i];
			}
		}
	}
}

static uint64_t rng;

static uint64_t next(void)
{
	rng ^= rng << 13; /* xorshift64: the same cases on every machine */
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void random_cases(uint64_t seed, unsigned long n)
{
	size_t sel[256], nsel = 0;
	int uids[U_N], nu = 0;

	for (size_t ci = 0; ci < ncalls && nsel < 256; ci++)
		if (call_selected(&calls[ci]))
			sel[nsel++] = ci;
	for (int u = 0; u < U_N; u++)
		if (uid_on[u])
			uids[nu++] = u;
	if (nsel == 0 || nu == 0)
		return;
	printf("# seed %llu, %lu cases\n", (unsigned long long)seed, n);
	rng = seed * 2654435761u + 88172645463325252ull;
	for (unsigned long i = 0; i < n; i++) {
		const struct call *c = &calls[sel[next() % nsel]];
		enum uidm u = (enum uidm)uids[next() % (uint64_t)nu];
		size_t cls[CALL_MAXARG];

		for (int a = 0; a < c->nargs; a++)
			cls[a] = next() % 2 ? (size_t)c->base[a] : next() % args_count(c->kinds[a]);
		one(c, cls, u);
	}
}

static int usage(void);

/* jserrno init CMD...: pid 1 of the native run's namespace, shaped as
 * jobshim's vpid 1 (session 1, group 1; tests/diff's init does the same):
 * CMD runs as the leader of session 2; every orphan is reaped. */
static int init_main(char **cmd)
{
	int st = 0, cmd_st = 0;
	pid_t c, w;

	if (cmd[0] != NULL && strcmp(cmd[0], "-p") == 0) {
		/* Real pids far from virtual ones (issue 13 item 10): a call
		 * that forgets to translate then names nothing, or a stranger. */
		int fd = open("/proc/sys/kernel/ns_last_pid", O_WRONLY);
		if (fd >= 0) {
			if (write(fd, "20000", 5) != 5)
				perror("jserrno: ns_last_pid");
			close(fd);
		}
		cmd++;
	}
	if (cmd[0] == NULL)
		return usage();
	setsid();
	c = fork();
	if (c == 0) {
		setsid();
		execv(cmd[0], cmd);
		_exit(127);
	}
	while ((w = wait(&st)) > 0 || errno == EINTR)
		if (w == c)
			cmd_st = st;
	return WIFEXITED(cmd_st) ? WEXITSTATUS(cmd_st) : 128 + WTERMSIG(cmd_st);
}

static int usage(void)
{
	fprintf(stderr, "usage: jserrno [-u root,drop,euid] [-c CALL] [-x CALL]... check|list|random SEED N\n");
	return 2;
}

int main(int argc, char **argv)
{
	sigset_t all;
	int opt;
	char *uids = NULL;

	while ((opt = getopt(argc, argv, "+u:c:x:")) != -1) {
		switch (opt) {
		case 'u': uids = optarg; break;
		case 'c':
			if (nonly < 64)
				only_calls[nonly++] = optarg;
			break;
		case 'x':
			if (nskip < 32)
				skip_calls[nskip++] = optarg;
			break;
		default: return usage();
		}
	}
	for (int u = 0; u < U_N; u++)
		uid_on[u] = uids == NULL || strstr(uids, uid_names[u]) != NULL;
	if (optind >= argc)
		return usage();
	if (strcmp(argv[optind], "init") == 0)
		return init_main(argv + optind + 1);
	if (strcmp(argv[optind], "list") == 0) {
		for (size_t i = 0; i < ncalls; i++)
			printf("%s\n", calls[i].name);
		return 0;
	}
	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	/* Every signal, 32 and 33 too (glibc's sigprocmask leaves those out,
	 * and kill(0, 32) from a case would end the runner).  Left at their
	 * default actions: a shim that unblocked them for a round trip would
	 * be caught by a case's kill(0, 32) (t_sigmask checks it directly). */
	memset(&all, 0xff, sizeof(all));
	syscall(SYS_rt_sigprocmask, SIG_BLOCK, &all, NULL, 8);
	args_init();
	if (strcmp(argv[optind], "check") == 0)
		check_all();
	else if (strcmp(argv[optind], "random") == 0 && optind + 2 < argc)
		random_cases(strtoull(argv[optind + 1], NULL, 0), strtoul(argv[optind + 2], NULL, 0));
	else
		return usage();
	flush();
	printf("# %lu cases\n", ncase);
	fflush(stdout);
	return nfail_run ? 1 : 0;
}
