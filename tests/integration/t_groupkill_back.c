/* t_groupkill_back.c — two group kills in a row: the second is sent before the first group's process has run (`kill %1 %2`). */
#include "lib/itest.h"
#include "lib/rawstat.h"

#include <sched.h>
#include <stdbool.h>
#include <sys/mman.h>
#include <time.h>

/*
 * Natively kill(-pgid) costs a microsecond, so a shell's `kill %1 %2`
 * signals the second job before the first has died: the shell then
 * handles both deaths together.  Under jobshim each group kill made a
 * round trip to the supervisor, tens of µs in which the first job died
 * and its SIGCHLD reached the shell before the second kill; bash then
 * reported the jobs' ends differently (now the view answers a group kill
 * when the group's real mirror holds its members: shim/viewwrite.c,
 * shim_view_kill_group).
 *
 * Made deterministic: main and the two jobs are pinned to one CPU, and
 * main runs SCHED_FIFO while it sends the two kills, so a job can run
 * only if main sleeps between its calls.  Every other CPU is held by a
 * SCHED_FIFO spinner meanwhile, so that no other process (the supervisor
 * answering a round trip) can run anywhere but on that one either: a kill
 * that waits for an answer sleeps, and the job it signalled runs and dies.
 * Right after the second kill, neither job may be a zombie yet (read from
 * /proc/<real pid>/stat, opened beforehand by a raw openat: shim/procfs.c
 * would give a snapshot taken at open).  Needs root (SCHED_FIFO), as the
 * suite does.  A spinner stops when main says so, or after 200 ms.
 */

#define MAX_SPIN 16
static volatile int *spin_stop; /* shared: main sets it after the kills */
static cpu_set_t allowed;        /* the CPUs we may run on */
static int home;                 /* the one main and the jobs run on */

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* One SCHED_FIFO spinner on CPU cpu, ready once it spins. */
static pid_t spinner(int cpu, struct it_chan ready)
{
	pid_t p = it_fork("spinner");

	if (p == 0) {
		struct sched_param fifo = {.sched_priority = 1};
		long long end = now_ms() + 200;
		it_pin_cpu(cpu);
		if (sched_setscheduler(0, SCHED_FIFO, &fifo) < 0)
			_exit(1);
		it_put(ready, 's');
		while (!*spin_stop && now_ms() < end)
			;
		_exit(0);
	}
	return p;
}

/* The state letter of the stat file open at fd ('?' if unreadable). */
static char state_of(int fd)
{
	char buf[512];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	char *p;

	if (n <= 0)
		return '?';
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p != NULL && p[1] == ' ' ? p[2] : '?';
}

/* A job: a group of its own, its real pid sent when ready, then waits. */
static pid_t job(const char *name, struct it_chan ready)
{
	pid_t p = it_fork(name);

	if (p == 0) {
		if (setpgid(0, 0) < 0)
			it_die("setpgid");
		pid_t rpid = (pid_t)raw_syscall5(SYS_getpid, 0, 0, 0, 0, 0);
		it_write_all(ready.w, &rpid, sizeof(rpid));
		for (;;)
			pause();
	}
	setpgid(p, p); /* also the parent's, as a shell does */
	return p;
}

static int stat_of(struct it_chan ready)
{
	char path[64];
	pid_t rpid;
	int fd;

	if (read(ready.r, &rpid, sizeof(rpid)) != sizeof(rpid) || rpid <= 0)
		it_die("a job's real pid");
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)rpid);
	if ((fd = raw_open(path, O_RDONLY)) < 0)
		it_die("open stat");
	return fd;
}

static void run_round(int round)
{
	struct it_chan ready = it_chan();
	struct sched_param fifo = {.sched_priority = 1}, other = {.sched_priority = 0};
	pid_t a = job("a", ready);
	int fa = stat_of(ready);
	pid_t b = job("b", ready);
	int fb = stat_of(ready);
	pid_t spin[MAX_SPIN];
	int nspin = 0;

	*spin_stop = 0;
	for (int cpu = 0; cpu < CPU_SETSIZE && nspin < MAX_SPIN; cpu++)
		if (cpu != home && CPU_ISSET(cpu, &allowed))
			spin[nspin++] = spinner(cpu, ready);
	for (int i = 0; i < nspin; i++)
		it_expect(ready, 's');

	/* Both in their groups, as the shell's view of its jobs says. */
	if (getpgid(a) != a || getpgid(b) != b)
		it_out("round %d: getpgid: a %s, b %s", round, it_l(getpgid(a)), it_l(getpgid(b)));
	if (sched_setscheduler(0, SCHED_FIFO, &fifo) < 0)
		it_die("sched_setscheduler");
	int ka = kill(-a, SIGTERM), kb = kill(-b, SIGTERM);
	char sa = state_of(fa), sb = state_of(fb);
	*spin_stop = 1;
	if (sched_setscheduler(0, SCHED_OTHER, &other) < 0)
		it_die("sched_setscheduler");
	for (int i = 0; i < nspin; i++) {
		int sst = it_reap(spin[i]);
		if (!WIFEXITED(sst) || WEXITSTATUS(sst) != 0)
			it_out("spinner: %s", it_status(sst));
	}
	bool ran = sa == 'Z' || sa == 'X' || sb == 'Z' || sb == 'X';
	if (round == 0 || ran || ka != 0 || kb != 0)
		it_out("round %d: kill(-a) = %d, kill(-b) = %d; right after, a had ended: %s, b: %s", round, ka, kb,
		       sa == 'Z' || sa == 'X' ? "yes" : "no", sb == 'Z' || sb == 'X' ? "yes" : "no");
	int st = it_reap(a);
	if (!WIFSIGNALED(st) || WTERMSIG(st) != SIGTERM)
		it_out("a: %s", it_status(st));
	st = it_reap(b);
	if (!WIFSIGNALED(st) || WTERMSIG(st) != SIGTERM)
		it_out("b: %s", it_status(st));
	close(fa);
	close(fb);
	close(ready.r);
	close(ready.w);
}

int main(void)
{
	it_init();
	spin_stop = mmap(NULL, sizeof(*spin_stop), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (spin_stop == MAP_FAILED)
		it_die("mmap");
	if (sched_getaffinity(0, sizeof(allowed), &allowed) < 0)
		it_die("sched_getaffinity");
	while (home < CPU_SETSIZE - 1 && !CPU_ISSET(home, &allowed))
		home++;
	it_pin_cpu(home);
	for (int round = 0; round < 10; round++)
		run_round(round);
	it_out("10 rounds");
	return 0;
}
