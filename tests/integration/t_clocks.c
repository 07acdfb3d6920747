/* t_clocks.c — pids inside clock ids and timers: clock_getcpuclockid, timer_create with SIGEV_THREAD_ID (libc and raw). */
#include "lib/itest.h"

#include <pthread.h>
#include <stdbool.h>
#include <sys/syscall.h>
#include <time.h>

static void cpuclock(void)
{
	clockid_t clk;
	struct timespec ts;

	it_out("-- clock_getcpuclockid");
	int r = clock_getcpuclockid(getpid(), &clk);
	it_out("clock_getcpuclockid(getpid()): %d", r);
	IT_RC("clock_gettime on it", clock_gettime(clk, &ts));
	it_out("clock_getcpuclockid(0): %d", clock_getcpuclockid(0, &clk));
	it_out("clock_getcpuclockid(1): %d", clock_getcpuclockid(1, &clk));

	struct it_chan rel = it_chan();
	pid_t c = it_fork("c");
	if (c == 0) {
		it_get(rel);
		_exit(0);
	}
	r = clock_getcpuclockid(c, &clk);
	it_out("clock_getcpuclockid(c): %d", r);
	IT_RC("clock_gettime on c's clock", clock_gettime(clk, &ts));
	it_put(rel, 'x');
	it_out("c: %s", it_status(it_reap(c)));
	r = clock_getcpuclockid(c, &clk);
	it_out("clock_getcpuclockid(c reaped): %s", r ? it_errname(r) : "0");
	r = clock_getcpuclockid(4194305, &clk);
	it_out("clock_getcpuclockid(4194305): %s", r ? it_errname(r) : "0");
	r = clock_getcpuclockid(-2, &clk);
	it_out("clock_getcpuclockid(-2): %s", r ? it_errname(r) : "0");
}

/* Arm a 1 ms one-shot timer that signals thread tid with SIGALRM (blocked),
 * then wait for it: "0 delivered" or the error. */
static void thread_timer(const char *what, pid_t tid, bool raw)
{
	struct sigevent sev = { .sigev_notify = SIGEV_THREAD_ID, .sigev_signo = SIGALRM };
	sev._sigev_un._tid = tid;
	timer_t t;
	int kt = -1;
	long r;

	errno = 0;
	if (raw)
		r = syscall(SYS_timer_create, CLOCK_MONOTONIC, &sev, &kt);
	else
		r = timer_create(CLOCK_MONOTONIC, &sev, &t);
	if (r != 0) {
		it_out("%s: -1 %s", what, it_errname(errno));
		return;
	}
	struct itimerspec its = { .it_value = { 0, 1000000 } };
	if (raw)
		r = syscall(SYS_timer_settime, kt, 0, &its, NULL);
	else
		r = timer_settime(t, 0, &its, NULL);
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGALRM);
	int sig = 0;
	if (r == 0 && tid == (pid_t)syscall(SYS_gettid))
		sigwait(&set, &sig);
	it_out("%s: 0, %s", what, sig == SIGALRM ? "delivered" : "armed");
	if (raw)
		syscall(SYS_timer_delete, kt);
	else
		timer_delete(t);
}

static struct it_chan to_thread, from_thread;

static void *other_thread(void *arg)
{
	(void)arg;
	pid_t tid = (pid_t)syscall(SYS_gettid);
	if (write(from_thread.w, &tid, sizeof(tid)) != sizeof(tid))
		it_die("write");
	it_get(to_thread);
	return NULL;
}

static void timers(void)
{
	sigset_t set;

	it_out("-- timer_create with SIGEV_THREAD_ID");
	sigemptyset(&set);
	sigaddset(&set, SIGALRM);
	sigprocmask(SIG_BLOCK, &set, NULL);
	thread_timer("timer_create(gettid())", (pid_t)syscall(SYS_gettid), false);
	thread_timer("timer_create(getpid())", getpid(), false);
	thread_timer("syscall(timer_create, gettid())", (pid_t)syscall(SYS_gettid), true);
	thread_timer("timer_create(4194305)", 4194305, false);
	thread_timer("timer_create(-1)", -1, false);
	thread_timer("syscall(timer_create, 0)", 0, true);

	struct it_chan rel = it_chan();
	pid_t c = it_fork("c2");
	if (c == 0) {
		it_get(rel);
		_exit(0);
	}
	thread_timer("timer_create(child)", c, false);
	thread_timer("syscall(timer_create, child)", c, true);
	it_put(rel, 'x');
	it_out("c2: %s", it_status(it_reap(c)));

	pthread_t th;
	pid_t tid;
	to_thread = it_chan();
	from_thread = it_chan();
	if (pthread_create(&th, NULL, other_thread, NULL) != 0)
		it_die("pthread_create");
	if (read(from_thread.r, &tid, sizeof(tid)) != sizeof(tid))
		it_die("read");
	thread_timer("timer_create(another thread)", tid, false);
	it_put(to_thread, 'x');
	pthread_join(th, NULL);

	/* (glibc's timer_create reads the sigevent itself: a bad one is a
	 * crash natively, so only the raw form is asked.) */
	IT_RC("syscall(timer_create, bad sigevent pointer)",
	      syscall(SYS_timer_create, CLOCK_MONOTONIC, (void *)8, &(int){ 0 }));
}

int main(int argc, char **argv)
{
	it_child_modes(argc, argv);
	it_init();
	cpuclock();
	timers();
	return 0;
}
