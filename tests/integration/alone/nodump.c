/* nodump.c — exec argv[1..] after prctl(PR_SET_DUMPABLE, 0): a process a non-root tracer cannot seize (prog_fork_guard.sh). */
#include <stdio.h>
#include <sys/prctl.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 2 || prctl(PR_SET_DUMPABLE, 0) != 0)
		return 2;
	execv(argv[1], argv + 1);
	perror("nodump: execv");
	return 127;
}
