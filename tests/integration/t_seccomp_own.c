/* t_seccomp_own.c — a program's own seccomp filter (LTP seccomp01): it forks and waits after allowing only the calls it makes itself. */
#include "lib/itest.h"

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

/* Allowed: what fork (set_robust_list in the child), _exit, waitpid and
 * write need, as glibc makes them;
 * any other call kills the process (SIGSYS). */
static const struct sock_filter allow_list[] = {
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_clone, 9, 0),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_set_robust_list, 8, 0),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_wait4, 7, 0),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_write, 6, 0),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_exit_group, 5, 0),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_exit, 4, 0),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_rt_sigprocmask, 3, 0),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_rt_sigreturn, 2, 0),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_close, 1, 0),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
};

static const struct sock_fprog prog = {
	.len = sizeof(allow_list) / sizeof(allow_list[0]),
	.filter = (struct sock_filter *)allow_list,
};

static const struct sock_filter allow_all[] = {
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
};

static const struct sock_fprog allow_all_prog = {
	.len = 1,
	.filter = (struct sock_filter *)allow_all,
};

static volatile sig_atomic_t got_usr1;
static void on_usr1(int sig) { (void)sig; got_usr1 = 1; }

/* A confined process keeps its ids: Firefox's sandboxed children name
 * themselves by getpid() once their filter is in, in messages to a
 * parent that knows them by the pid fork gave it.  Under jobshim the
 * shim leaves the supervisor alone from the filter on (it cannot read
 * the filter), and getpid() turned into the real pid. */
static void identity(void)
{
	pid_t pid = getpid();

	signal(SIGUSR1, on_usr1);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &allow_all_prog) < 0)
		_exit(91);
	/* getppid asked only now: the shim cached it as the filter went in. */
	it_out("  confined: getpid %s (%s), getppid %s, gettid %s", it_l(getpid()),
	       getpid() == pid ? "as before" : "changed", it_l(getppid()),
	       syscall(SYS_gettid) == getpid() ? "= getpid" : "differs");
	int k0 = kill(getpid(), 0);
	int k1 = kill(getpid(), SIGUSR1);
	int kp = kill(getppid(), 0);
	it_out("  confined: kill(getpid(), 0) %d, kill(getpid(), SIGUSR1) %d, %s, kill(getppid(), 0) %d", k0, k1,
	       got_usr1 ? "received" : "not received", kp);
	pid_t c = fork();
	if (c == 0)
		_exit(getppid() == getpid() ? 1 : 0);
	int st;
	it_out("  confined: its child %s", waitpid(c, &st, 0) == c ? it_status(st) : "not waited for");
	_exit(0);
}

/* In a child of main: confine, fork, wait, report through write. */
static void sandbox(bool raw)
{
	char line[64];
	int st, n;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		_exit(90);
	if (raw ? syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0
		: prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0)
		_exit(91);
	pid_t c = fork();
	if (c < 0)
		_exit(92);
	if (c == 0)
		_exit(7);
	if (waitpid(c, &st, 0) != c)
		_exit(93);
	n = snprintf(line, sizeof line, "  its child: %s\n", it_status(st));
	if (write(1, line, (size_t)n) != n)
		_exit(94);
	_exit(0);
}

int main(int argc, char **argv)
{
	it_child_modes(argc, argv);
	it_init();
	for (int raw = 0; raw < 2; raw++) {
		it_out(raw ? "-- syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER)"
			   : "-- prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER)");
		pid_t s = it_fork("sandbox");
		if (s == 0)
			sandbox(raw);
		it_out("sandbox: %s", it_status(it_reap(s)));
	}
	it_out("-- an allow-all filter: the ids stay");
	pid_t s = it_fork("confined");
	if (s == 0)
		identity();
	it_out("confined: %s", it_status(it_reap(s)));
	return 0;
}
