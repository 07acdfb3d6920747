/* t_pidwrap_conc.c — four processes fork at once across the wrap at pid_max: every child's pid below pid_max, none handed out twice, the numbering going on from 300. */
#include "lib/itest.h"

#include <stdbool.h>
#include <stdlib.h>

/*
 * ns_last_pid is set just below pid_max (natively in this test's own pid
 * namespace; under jobshim the tree's), then four forkers make CHILDREN
 * children each, one after another, all at the same time: the numbering
 * passes pid_max while they race.  Under jobshim that is the shared
 * counter's run running out under concurrent takes and the next run armed
 * (supervisor/procs.c, procs_vc_rearm).  Each child reports its pid
 * through a pipe.  Without the right to write ns_last_pid (not root) the
 * test prints what it would have.
 */

#define FORKERS 4
#define CHILDREN 150
#define BELOW 200 /* ns_last_pid = pid_max - BELOW */

static int cmp_pid(const void *a, const void *b)
{
	return *(const pid_t *)a - *(const pid_t *)b;
}

int main(int argc, char **argv)
{
	static pid_t got[FORKERS * CHILDREN];
	long max = -1;
	int fd[2], n = 0, failed = 0, below = 0, wrapped = 0, dup = 0;
	FILE *f;

	it_child_modes(argc, argv);
	it_init();
	f = fopen("/proc/sys/kernel/pid_max", "r");
	if (f == NULL || fscanf(f, "%ld", &max) != 1)
		it_die("pid_max");
	fclose(f);
	f = fopen("/proc/sys/kernel/ns_last_pid", "w");
	if (f == NULL || fprintf(f, "%ld", max - BELOW) < 0 || fclose(f) != 0) {
		if (errno != EPERM && errno != EACCES)
			it_die("ns_last_pid");
		it_out("children: %d", FORKERS * CHILDREN);
		it_out("forkers failed: 0");
		it_out("below pid_max: all");
		it_out("handed out twice: none");
		it_out("past the wrap, from 300: yes");
		return 0;
	}
	if (pipe(fd) < 0)
		it_die("pipe");
	for (int j = 0; j < FORKERS; j++) {
		pid_t w = fork();
		if (w < 0)
			it_die("fork");
		if (w == 0) {
			for (int i = 0; i < CHILDREN; i++) {
				pid_t p = fork();
				if (p < 0)
					_exit(1);
				if (p == 0) {
					pid_t me = getpid();
					_exit(write(fd[1], &me, sizeof(me)) == sizeof(me) ? 0 : 1);
				}
				if (it_reap(p) != 0)
					_exit(1);
			}
			_exit(0);
		}
	}
	close(fd[1]);
	for (int j = 0; j < FORKERS; j++) {
		int st;
		if (wait(&st) < 0)
			it_die("wait");
		if (st != 0)
			failed++;
	}
	while (n < FORKERS * CHILDREN && read(fd[0], &got[n], sizeof(got[n])) == (ssize_t)sizeof(got[n]))
		n++;
	qsort(got, (size_t)n, sizeof(got[0]), cmp_pid);
	for (int i = 0; i < n; i++) {
		below += got[i] < max;
		wrapped += got[i] >= 300 && got[i] < max - BELOW;
		dup += i > 0 && got[i] == got[i - 1];
	}
	it_out("children: %d", n);
	it_out("forkers failed: %d", failed);
	it_out("below pid_max: %s", below == n ? "all" : "not all");
	it_out("handed out twice: %s", dup == 0 ? "none" : "some");
	it_out("past the wrap, from 300: %s", n > 0 && got[0] == 300 && wrapped > 0 ? "yes" : "no");
	return 0;
}
