/* scale.c — cost per process with many sequential or concurrent processes; the parent's RSS per live child. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "../tests/integration/lib/rawstat.h"

/*
 * usage: scale seq N    fork + _exit + waitpid N times: "seq N us_per_process"
 *        scale conc N   N children alive at once (blocked on a pipe), then
 *                       released and reaped: "conc N us_per_process", and
 *                       "rss N bytes_per_live_process" — the growth of our
 *                       real parent's VmRSS (the supervisor under jobshim)
 *                       while the N children are alive.
 */

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}


/* Real parent pid from /proc (getppid may be virtual). */
static long real_ppid(void)
{
	char buf[512];
	FILE *f = raw_self_stat();
	long ppid = -1;

	if (f && fgets(buf, sizeof(buf), f)) {
		char *p = strrchr(buf, ')');
		if (p)
			sscanf(p + 2, "%*c %ld", &ppid);
	}
	if (f)
		fclose(f);
	return ppid;
}

/* VmRSS of a real pid.  Under jobshim the shim reads /proc/<pid> paths as
 * virtual pids: opened by a raw system call (rawstat.h). */
static long rss_kb(long pid)
{
	char path[64], line[256];
	long kb = -1;
	int fd;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/status", pid);
	fd = raw_open(path, O_RDONLY);
	f = fd >= 0 ? fdopen(fd, "r") : NULL;
	if (!f) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

static int run_seq(long n)
{
	double t0 = now_us();

	for (long i = 0; i < n; i++) {
		pid_t c = fork();
		if (c == 0)
			_exit(0);
		if (c < 0 || waitpid(c, NULL, 0) != c)
			return 1;
	}
	printf("seq %ld %.1f\n", n, (now_us() - t0) / (double)n);
	return 0;
}

static int run_conc(long n)
{
	long sup = real_ppid(), rss0 = rss_kb(sup), rss1;
	int pfd[2];
	double t0 = now_us();

	if (pipe(pfd) != 0)
		return 1;
	pid_t last = 0;
	for (long i = 0; i < n; i++) {
		pid_t c = last = fork();
		if (c == 0) {
			char ch;
			close(pfd[1]);
			while (read(pfd[0], &ch, 1) < 0)
				;
			_exit(0);
		}
		if (c < 0)
			return 1;
	}
	/* The BINDs of the forks above are one-way messages on our connection;
	 * a question on that same connection is answered only after the
	 * supervisor has handled them all, so its RSS then holds every child
	 * (a fixed sleep only hoped so). */
	if (n > 0 && getpgid(last) < 0)
		return 1;
	rss1 = rss_kb(sup);
	close(pfd[1]);
	close(pfd[0]);
	for (long i = 0; i < n; i++)
		if (wait(NULL) < 0)
			return 1;
	printf("conc %ld %.1f\n", n, (now_us() - t0) / (double)n);
	if (rss0 > 0 && rss1 > 0)
		printf("rss %ld %.0f\n", n, (double)(rss1 - rss0) * 1024.0 / (double)n);
	return 0;
}

int main(int argc, char **argv)
{
	long n = argc > 2 ? atol(argv[2]) : 1000;

	if (argc > 1 && strcmp(argv[1], "seq") == 0)
		return run_seq(n);
	if (argc > 1 && strcmp(argv[1], "conc") == 0)
		return run_conc(n);
	fprintf(stderr, "usage: scale seq|conc N\n");
	return 2;
}
