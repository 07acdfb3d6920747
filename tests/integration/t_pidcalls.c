/* t_pidcalls.c — calls that take a pid: sched_*, priorities (process and group), prlimit, ioprio, process_vm_*, kcmp, pidfds. */
#include "lib/itest.h"

#include <linux/kcmp.h>
#include <stdint.h>
#include <sys/pidfd.h>
#include <sys/syscall.h>
#include <sys/uio.h>

/*
 * Two children C and D (C's group, which D joins) wait for main; every
 * call names them by the pid fork returned, or names a reaped child's pid
 * (ESRCH).  Nice values only go up (no privilege needed for that).
 */

#define IOPRIO_WHO_PROCESS 1
#define IOPRIO_WHO_PGRP 2
#define IOPRIO_CLASS_BE 2
#define IOPRIO_VALUE(cls, data) (((cls) << 13) | (data))

struct sched_attr_v0 {
	uint32_t size, sched_policy;
	uint64_t sched_flags;
	int32_t sched_nice;
	uint32_t sched_priority;
	uint64_t sched_runtime, sched_deadline, sched_period;
};

static volatile int secret = 1;

static pid_t waiter(const char *name, struct it_chan ready, struct it_chan go, int value)
{
	pid_t p = it_fork(name);
	if (p == 0) {
		secret = value;
		it_put(ready, 'r');
		it_get(go);
		_exit(0);
	}
	it_expect(ready, 'r');
	return p;
}

static void sched_calls(pid_t c, pid_t dead)
{
	cpu_set_t mine, its;
	struct sched_param sp;
	struct timespec ts;
	struct sched_attr_v0 at;

	it_out("== sched_*");
	CPU_ZERO(&mine);
	CPU_ZERO(&its);
	sched_getaffinity(0, sizeof mine, &mine);
	IT_RC("sched_getaffinity(C)", sched_getaffinity(c, sizeof its, &its));
	it_out("  C's mask is mine: %s", CPU_EQUAL(&mine, &its) ? "yes" : "no");
	IT_RC("sched_setaffinity(C, my mask)", sched_setaffinity(c, sizeof mine, &mine));
	IT_RC("syscall(SYS_sched_getaffinity, C) > 0",
	      syscall(SYS_sched_getaffinity, c, sizeof its, &its) > 0 ? 0 : -1);
	IT_RC("sched_getscheduler(C)", sched_getscheduler(c));
	IT_RC("sched_getparam(C)", sched_getparam(c, &sp));
	it_out("  priority %d", sp.sched_priority);
	IT_RC("sched_setscheduler(C, SCHED_OTHER)", sched_setscheduler(c, SCHED_OTHER, &sp));
	IT_RC("sched_setparam(C)", sched_setparam(c, &sp));
	IT_RC("sched_rr_get_interval(C)", sched_rr_get_interval(c, &ts));
	memset(&at, 0, sizeof at);
	IT_RC("syscall(SYS_sched_getattr, C)", syscall(SYS_sched_getattr, c, &at, sizeof at, 0));
	it_out("  policy %u nice %d", at.sched_policy, at.sched_nice);
	IT_RC("sched_getaffinity(dead)", sched_getaffinity(dead, sizeof its, &its));
	IT_RC("sched_getscheduler(dead)", sched_getscheduler(dead));
	IT_RC("syscall(SYS_sched_getattr, dead)", syscall(SYS_sched_getattr, dead, &at, sizeof at, 0));
}

static void priorities(pid_t c, pid_t d, pid_t dead)
{
	it_out("== getpriority / setpriority");
	IT_RC("getpriority(PRIO_PROCESS, C)", getpriority(PRIO_PROCESS, (id_t)c));
	IT_RC("setpriority(PRIO_PROCESS, C, 2)", setpriority(PRIO_PROCESS, (id_t)c, 2));
	IT_RC("getpriority(PRIO_PROCESS, C)", getpriority(PRIO_PROCESS, (id_t)c));
	IT_RC("syscall(SYS_getpriority, PRIO_PROCESS, C) (20 - nice)",
	      syscall(SYS_getpriority, PRIO_PROCESS, c));
	IT_RC("setpriority(PRIO_PGRP, C's group, 5)", setpriority(PRIO_PGRP, (id_t)c, 5));
	IT_RC("  getpriority(PRIO_PROCESS, C)", getpriority(PRIO_PROCESS, (id_t)c));
	IT_RC("  getpriority(PRIO_PROCESS, D)", getpriority(PRIO_PROCESS, (id_t)d));
	IT_RC("setpriority(PRIO_PROCESS, D, 7)", setpriority(PRIO_PROCESS, (id_t)d, 7));
	IT_RC("getpriority(PRIO_PGRP, C's group) (the highest priority)",
	      getpriority(PRIO_PGRP, (id_t)c));
	IT_RC("syscall(SYS_getpriority, PRIO_PGRP, C's group)", syscall(SYS_getpriority, PRIO_PGRP, c));
	IT_RC("syscall(SYS_setpriority, PRIO_PGRP, C's group, 9)",
	      syscall(SYS_setpriority, PRIO_PGRP, c, 9));
	IT_RC("  getpriority(PRIO_PROCESS, D)", getpriority(PRIO_PROCESS, (id_t)d));
	IT_RC("getpriority(PRIO_PGRP, 0) (my group)", getpriority(PRIO_PGRP, 0));
	IT_RC("getpriority(PRIO_PROCESS, dead)", getpriority(PRIO_PROCESS, (id_t)dead));
	IT_RC("setpriority(PRIO_PROCESS, dead, 1)", setpriority(PRIO_PROCESS, (id_t)dead, 1));
	IT_RC("getpriority(PRIO_PGRP, dead)", getpriority(PRIO_PGRP, (id_t)dead));
	IT_RC("setpriority(PRIO_PGRP, dead, 1)", setpriority(PRIO_PGRP, (id_t)dead, 1));
}

static void limits(pid_t c, pid_t dead)
{
	struct rlimit old, lim;

	it_out("== prlimit");
	IT_RC("prlimit(C, RLIMIT_NOFILE, get)", prlimit(c, RLIMIT_NOFILE, NULL, &old));
	lim = old;
	lim.rlim_cur = old.rlim_cur > 64 ? 64 : old.rlim_cur;
	IT_RC("prlimit(C, RLIMIT_NOFILE, set soft 64)", prlimit(c, RLIMIT_NOFILE, &lim, NULL));
	IT_RC("prlimit(C, RLIMIT_NOFILE, get)", prlimit(c, RLIMIT_NOFILE, NULL, &old));
	it_out("  soft limit %llu", (unsigned long long)old.rlim_cur);
	IT_RC("syscall(SYS_prlimit64, C, RLIMIT_NOFILE, get)",
	      syscall(SYS_prlimit64, c, RLIMIT_NOFILE, NULL, &old));
	it_out("  soft limit %llu", (unsigned long long)old.rlim_cur);
	IT_RC("prlimit(dead)", prlimit(dead, RLIMIT_NOFILE, NULL, &old));
}

static void ioprio(pid_t c, pid_t d, pid_t dead)
{
	it_out("== ioprio (syscall only)");
	long before = syscall(SYS_ioprio_get, IOPRIO_WHO_PROCESS, c);
	it_out("ioprio_get(C) == ioprio_get(0): %s",
	       before == syscall(SYS_ioprio_get, IOPRIO_WHO_PROCESS, 0) ? "yes" : "no");
	IT_RC("ioprio_set(C, BE 6)",
	      syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, c, IOPRIO_VALUE(IOPRIO_CLASS_BE, 6)));
	it_out("ioprio_get(C) is BE 6: %s",
	       syscall(SYS_ioprio_get, IOPRIO_WHO_PROCESS, c) == IOPRIO_VALUE(IOPRIO_CLASS_BE, 6)
		       ? "yes" : "no");
	IT_RC("ioprio_set(PGRP C's group, BE 7)",
	      syscall(SYS_ioprio_set, IOPRIO_WHO_PGRP, c, IOPRIO_VALUE(IOPRIO_CLASS_BE, 7)));
	it_out("ioprio_get(D) is BE 7: %s",
	       syscall(SYS_ioprio_get, IOPRIO_WHO_PROCESS, d) == IOPRIO_VALUE(IOPRIO_CLASS_BE, 7)
		       ? "yes" : "no");
	IT_RC("ioprio_set(C, BE 3)",
	      syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, c, IOPRIO_VALUE(IOPRIO_CLASS_BE, 3)));
	it_out("ioprio_get(PGRP C's group) is BE 3 (the best): %s",
	       syscall(SYS_ioprio_get, IOPRIO_WHO_PGRP, c) == IOPRIO_VALUE(IOPRIO_CLASS_BE, 3)
		       ? "yes" : "no");
	IT_RC("ioprio_get(dead)", syscall(SYS_ioprio_get, IOPRIO_WHO_PROCESS, dead));
	IT_RC("ioprio_get(PGRP dead)", syscall(SYS_ioprio_get, IOPRIO_WHO_PGRP, dead));
}

static void memory(pid_t c, pid_t dead)
{
	int got = 0, put = 99;
	struct iovec local = { &got, sizeof got }, remote = { (void *)&secret, sizeof secret };

	it_out("== process_vm_*, kcmp");
	errno = 0;
	ssize_t n = process_vm_readv(c, &local, 1, &remote, 1, 0);
	if (n < 0)
		it_out("process_vm_readv(C): -1 %s", it_errname(errno));
	else
		it_out("process_vm_readv(C): %zd bytes, C's secret %d", n, got);
	local.iov_base = &put;
	errno = 0;
	n = process_vm_writev(c, &local, 1, &remote, 1, 0);
	if (n < 0)
		it_out("process_vm_writev(C): -1 %s", it_errname(errno));
	else
		it_out("process_vm_writev(C): %zd bytes", n);
	local.iov_base = &got;
	got = 0;
	n = syscall(SYS_process_vm_readv, c, &local, 1, &remote, 1, 0);
	it_out("syscall(SYS_process_vm_readv, C): %zd, C's secret now %d", n, got);
	IT_RC("process_vm_readv(dead)", process_vm_readv(dead, &local, 1, &remote, 1, 0));
	IT_RC("kcmp(me, C, KCMP_FILE, 1, 1) (inherited stdout)",
	      syscall(SYS_kcmp, getpid(), c, KCMP_FILE, 1, 1));
	IT_RC("kcmp(me, dead, KCMP_FILE, 1, 1)", syscall(SYS_kcmp, getpid(), dead, KCMP_FILE, 1, 1));
}

static void pidfds(pid_t c, pid_t d, pid_t dead)
{
	siginfo_t si;

	it_out("== pidfds");
	int fc = pidfd_open(c, 0);
	it_out("pidfd_open(C): %s", fc >= 0 ? "a pidfd" : it_errname(errno));
	IT_RC("pidfd_send_signal(C's pidfd, SIGTERM)", syscall(SYS_pidfd_send_signal, fc, SIGTERM, NULL, 0));
	it_out("C: %s", it_status(it_reap(c)));
	int fd = (int)syscall(SYS_pidfd_open, d, 0);
	it_out("syscall(SYS_pidfd_open, D): %s", fd >= 0 ? "a pidfd" : it_errname(errno));
	IT_RC("pidfd_send_signal(D's pidfd, SIGKILL)", syscall(SYS_pidfd_send_signal, fd, SIGKILL, NULL, 0));
	memset(&si, 0, sizeof si);
	IT_RC("waitid(P_PIDFD, D's pidfd)", waitid(P_PIDFD, (id_t)fd, &si, WEXITED));
	IT_PID("  si_pid", si.si_pid);
	it_out("  si_code CLD_KILLED: %s, si_status SIGKILL: %s", si.si_code == CLD_KILLED ? "yes" : "no",
	       si.si_status == SIGKILL ? "yes" : "no");
	IT_RC("pidfd_open(dead)", pidfd_open(dead, 0));
	IT_RC("syscall(SYS_pidfd_open, dead)", syscall(SYS_pidfd_open, dead, 0));
	close(fc);
	close(fd);
}

int main(int argc, char **argv)
{
	it_child_modes(argc, argv);
	it_init();
	pid_t dead = it_dead_pid();
	struct it_chan ready = it_chan(), go = it_chan();
	pid_t c = waiter("C", ready, go, 4242);
	pid_t d = waiter("D", ready, go, 17);
	IT_RC("setpgid(C, C)", setpgid(c, c));
	IT_RC("setpgid(D, C)", setpgid(d, c));
	sched_calls(c, dead);
	priorities(c, d, dead);
	limits(c, dead);
	ioprio(c, d, dead);
	memory(c, dead);
	pidfds(c, d, dead);
	return 0;
}
