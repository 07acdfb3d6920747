/* jsdiff.c — the differential executor: runs one scenario, logs every outcome. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "calls.h"
#include "jsd.h"
#include "log.h"
#include "scn.h"
#include "shared.h"
#include "sigrec.h"
#include "sync.h"

/* The scenario is large; one per process image, never on the stack. */
static struct jsd jsd_main = {.logfd = -1};

_Noreturn void jsd_die(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	dprintf(2, "jsdiff: %s\n", buf);
	_exit(90);
}

static void jsd_usage(void)
{
	fprintf(stderr,
		"usage: jsdiff init SCN LOGDIR    native run: be the pid namespace's init, start P0\n"
		"       jsdiff run SCN LOGDIR     be P0 (under jobshim: the command)\n"
		"       jsdiff merge SCN LOGDIR   print the merged log\n"
		"       (jsdiff start SCN LOGDIR NAME and resume ...: the images of spawn and exec steps)\n"
		"       jsdiff check SCN...       parse and validate scenarios\n");
	exit(2);
}

static void jsd_load(struct jsd *j, const char *path)
{
	char err[512];
	if (scn_load(path, &j->scn, err, sizeof err) < 0)
		jsd_die("%s", err);
	j->scn_path = path;
	ssize_t n = readlink("/proc/self/exe", j->exe, sizeof j->exe - 1);
	if (n <= 0)
		jsd_die("readlink /proc/self/exe: %s", strerror(errno));
	j->exe[n] = '\0';
}

/* kill(-1) and group signals must never reach the host: refuse to run
 * unless pid 1 of our pid namespace is this executor or jobshim, which
 * is only the case inside `unshare --pid --fork --mount-proc`. */
static void jsd_require_private_ns(void)
{
	char comm[64] = "";
	int fd = open("/proc/1/comm", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, comm, sizeof comm - 1) : -1;
	if (fd >= 0)
		close(fd);
	if (n > 0 && comm[n - 1] == '\n')
		comm[n - 1] = '\0';
	if (n <= 0 || (strcmp(comm, "jsdiff") != 0 && strcmp(comm, "jobshim") != 0))
		jsd_die("pid 1 is '%s': run inside unshare --pid --fork --mount-proc (run.sh)",
			comm);
}

void jsd_child_start(struct jsd *j, int proc)
{
	j->self = proc;
	sigrec_take(); /* what the parent received is the parent's */
	/* The log exists before the parent can go on (it waits for the pids),
	 * so that a child killed at once still has its (empty) log. */
	j->logfd = -1;
	log_open(j);
	shared_set(j->sh, proc, getpid(), sync_kernel_pid());
}

static void jsd_log_sigs(struct jsd *j, int idx, bool always)
{
	char buf[256];
	unsigned long long bits = sigrec_take();
	if (!bits && !always)
		return;
	sigrec_format(bits, buf, sizeof buf);
	log_line(j, idx, "sigs: %s", buf);
}

static _Noreturn void jsd_exit(struct jsd *j, int idx, int status)
{
	/* The supervisor may tear the tree down when its command ends, so P0
	 * ends last, in both runs alike. */
	if (j->self == 0)
		sync_all_gone(j);
	sigset_t old;
	sigrec_block(&old);
	jsd_log_sigs(j, idx, false);
	log_line(j, idx, "exit(%d)", status);
	_exit(status);
}

static void jsd_exec(struct jsd *j, int idx)
{
	char sidx[16], sbits[32];
	sigset_t old;
	log_line(j, idx, "exec");
	/* Blocked across exec: a signal arriving before the new image has its
	 * handlers would take the default action (terminate). */
	sigrec_block(&old);
	snprintf(sidx, sizeof sidx, "%d", idx + 1);
	snprintf(sbits, sizeof sbits, "%llu", sigrec_take());
	char *argv[] = {j->exe, "resume", (char *)j->scn_path, (char *)j->logdir,
			j->scn.procs[j->self].name, sidx, sbits, NULL};
	execv(j->exe, argv);
	int err = errno;
	sigrec_add(strtoull(sbits, NULL, 10));
	sigrec_restore(&old);
	log_line(j, idx, "exec failed: %s", strerrorname_np(err));
}

/* wait4(rpid, WNOHANG) by a system call instruction of our own: the
 * shim never sees it, so jobshim hears of the reap from no REAPED (the
 * supervisor finds the zombie gone: supervisor/procs.c, reap_unseen).
 * proc -1: any child.  Logged as the waitpid steps are, by label. */
static void jsd_rawreap(struct jsd *j, int idx, int proc)
{
	int st = 0, rpid = -1;
	long r;
	char lab[32], sbuf[64];

	if (proc >= 0 && (rpid = shared_vpid(j->sh, proc) ? shared_rpid_wait(j->sh, proc) : 0) <= 0) {
		log_line(j, idx, "rawreap %s: never created", j->scn.procs[proc].name);
		return;
	}
#if defined(__x86_64__)
	register long r10 __asm__("r10") = 0;
	__asm__ volatile("syscall" : "=a"(r) : "a"((long)SYS_wait4), "D"((long)rpid), "S"((long)&st), "d"((long)WNOHANG), "r"(r10)
			 : "rcx", "r11", "memory");
#else
	r = syscall(SYS_wait4, rpid, &st, WNOHANG, NULL);
	if (r < 0)
		r = -errno;
#endif
	if (r < 0) {
		log_line(j, idx, "rawreap %s = -1 %s", proc >= 0 ? j->scn.procs[proc].name : "-1",
			 strerrorname_np((int)-r));
		return;
	}
	lab[0] = '\0';
	if (r == 0)
		snprintf(lab, sizeof lab, "0");
	for (int k = 0; r > 0 && k < j->scn.nprocs; k++)
		if (j->sh->slot[k].rpid == (int)r)
			snprintf(lab, sizeof lab, "%s", j->scn.procs[k].name);
	if (lab[0] == '\0')
		snprintf(lab, sizeof lab, "?");
	log_status(st, sbuf, sizeof sbuf);
	log_line(j, idx, "rawreap %s = %s%s%s", proc >= 0 ? j->scn.procs[proc].name : "-1", lab,
		 r > 0 ? " status=" : "", r > 0 ? sbuf : "");
}

static const char *jsd_sync_name(enum sync_result r)
{
	return r == SYNC_DEAD ? "dead" : r == SYNC_NEVER ? "never created" : "timeout";
}

static _Noreturn void jsd_steps(struct jsd *j, int start)
{
	for (int i = start; i < j->scn.procs[j->self].nsteps; i++) {
		const struct scn_step *st = &j->scn.procs[j->self].steps[i];
		enum sync_result r = SYNC_OK;
		switch (st->op) {
		case SCN_CALL:
			if (st->stops >= 0)
				shared_stop_count(j->sh, st->stops); /* for `stopped X N` */
			if ((calls_row(st->call)->flags & CALLS_FORK) && calls_run(j, st, i) == 0)
				i = -1; /* now the child: its own list from step 0 */
			else if (!(calls_row(st->call)->flags & CALLS_FORK))
				calls_run(j, st, i);
			break;
		case SCN_EXEC:
			jsd_exec(j, i);
			break;
		case SCN_EXIT:
			jsd_exit(j, i, st->argc ? atoi(st->argv[0]) : 0);
		case SCN_SIGNAL:
			sync_signal(st->barrier);
			break;
		case SCN_AWAIT:
			sync_await(st->barrier);
			break;
		case SCN_GONE:
			r = sync_gone(j, st->proc);
			break;
		case SCN_STOPPED:
			r = sync_stopped(j, st->proc, st->nth);
			break;
		case SCN_SIGS:
			jsd_log_sigs(j, i, true);
			break;
		case SCN_HANG:
			for (;;) /* until killed: no condition to miss a signal for */
				pause();
		case SCN_SIGCHLD: {
			/* ign and nocldwait: the kernel reaps the children as they
			 * exit (no zombie; a wait with none alive is ECHILD). */
			struct sigaction sa = {.sa_handler = strcmp(st->argv[0], "ign") == 0 ? SIG_IGN : SIG_DFL,
					       .sa_flags = strcmp(st->argv[0], "nocldwait") == 0 ? SA_NOCLDWAIT : 0};
			int rc = sigaction(SIGCHLD, &sa, NULL);
			log_line(j, i, "sigchld %s = %d", st->argv[0], rc);
			break;
		}
		case SCN_RAWREAP:
			jsd_rawreap(j, i, st->proc);
			break;
		case SCN_SUBREAPER: {
			/* Orphans below it come to it, not to init (the shim tells
			 * the supervisor: shim/prctl.c). */
			int rc = prctl(PR_SET_CHILD_SUBREAPER, st->argv[0][0] == '1' ? 1L : 0L, 0L, 0L, 0L);
			log_line(j, i, "subreaper %s = %d", st->argv[0], rc);
			break;
		}
		}
		if (r != SYNC_OK)
			log_line(j, i, "%s %s: %s", st->op == SCN_GONE ? "gone" : "stopped",
				 st->argv[0], jsd_sync_name(r));
	}
	jsd_exit(j, j->scn.procs[j->self].nsteps, 0);
}

/* Native only: pid 1 of the private namespace.  P0 runs as its child, as
 * the command runs as a child of the supervisor (vpid 1) under jobshim, so
 * that reparented processes see the same parent ("init") in both runs. */
static int jsd_init(struct jsd *j)
{
	if (getpid() != 1)
		jsd_die("init mode must be pid 1 of a new pid namespace");
	/* Like vpid 1 under jobshim: session 1, group 1.  Otherwise init's
	 * session and group are outside the namespace and getsid(1) says 0. */
	if (setsid() < 0)
		jsd_die("init setsid: %s", strerror(errno));
	pid_t p0 = fork();
	if (p0 < 0)
		jsd_die("fork: %s", strerror(errno));
	if (p0 == 0) {
		/* Like jobshim's command: leader of its own session and group. */
		if (setsid() < 0)
			jsd_die("setsid: %s", strerror(errno));
		char *argv[] = {j->exe, "run", (char *)j->scn_path, (char *)j->logdir, NULL};
		execv(j->exe, argv);
		jsd_die("exec: %s", strerror(errno));
	}
	int p0status = 0, st;
	for (;;) {
		pid_t r = wait(&st);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			break;
		if (r == p0)
			p0status = st;
	}
	return WIFEXITED(p0status) ? WEXITSTATUS(p0status) : 128 + WTERMSIG(p0status);
}

static int jsd_merge(struct jsd *j)
{
	for (int i = 0; i < j->scn.nprocs; i++) {
		char path[PATH_MAX], buf[4096];
		snprintf(path, sizeof path, "%s/%s.log", j->logdir, j->scn.procs[i].name);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			printf("%s: no log\n", j->scn.procs[i].name);
			continue;
		}
		fflush(stdout);
		ssize_t n;
		while ((n = read(fd, buf, sizeof buf)) > 0)
			fwrite(buf, 1, n, stdout);
		close(fd);
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct jsd *j = &jsd_main;
	if (argc >= 3 && strcmp(argv[1], "check") == 0) {
		char err[512];
		int bad = 0;
		for (int i = 2; i < argc; i++)
			if (scn_load(argv[i], &j->scn, err, sizeof err) < 0) {
				fprintf(stderr, "%s\n", err);
				bad = 1;
			}
		return bad;
	}
	if (argc < 4)
		jsd_usage();
	jsd_load(j, argv[2]);
	j->logdir = argv[3];
	if (strcmp(argv[1], "merge") == 0)
		return jsd_merge(j);
	if (strcmp(argv[1], "init") == 0) {
		jsd_require_private_ns();
		return jsd_init(j);
	}
	if (strcmp(argv[1], "run") == 0 && argc == 4) {
		jsd_require_private_ns();
		j->sh = shared_create(j->logdir);
		if (!j->sh)
			jsd_die("cannot create %s/shared: %s", j->logdir, strerror(errno));
		j->self = 0;
		shared_set(j->sh, 0, getpid(), sync_kernel_pid());
		log_open(j);
		sync_barriers_create(&j->scn);
		sigrec_install(j->sh);
		jsd_steps(j, 0);
	}
	if (strcmp(argv[1], "start") == 0 && argc == 5) {
		/* A process made by a vfork or posix_spawn step (spawn.c): as a
		 * fork child, from step 0, handled signals still blocked. */
		j->sh = shared_open(j->logdir);
		int self = scn_proc_index(&j->scn, argv[4]);
		if (!j->sh || self <= 0)
			jsd_die("start: bad shared region or process '%s'", argv[4]);
		jsd_child_start(j, self);
		sigrec_install(j->sh);
		sigset_t none;
		sigemptyset(&none);
		sigrec_restore(&none);
		jsd_steps(j, 0);
	}
	if (strcmp(argv[1], "resume") == 0 && argc == 7) {
		/* After an exec step: handled signals are still blocked. */
		j->sh = shared_open(j->logdir);
		j->self = scn_proc_index(&j->scn, argv[4]);
		if (!j->sh || j->self < 0)
			jsd_die("resume: bad shared region or process '%s'", argv[4]);
		log_open(j);
		sigrec_add(strtoull(argv[6], NULL, 10));
		sigrec_install(j->sh);
		sigset_t none;
		sigemptyset(&none);
		sigrec_restore(&none);
		jsd_steps(j, atoi(argv[5]));
	}
	jsd_usage();
}
