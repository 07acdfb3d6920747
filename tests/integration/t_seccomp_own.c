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
	return 0;
}
