/* chroot_fork.c — `chroot_fork ROOT PROG [ARG...]`: chroot, then fork a child that execs PROG inside the new root; its status. */
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

/* For sup_chroot.sh: the chrooting process keeps the shim, so its fork
 * child reaches the supervisor only through the run directory kept open
 * (shim/chroot.c) -- to hand over the filter's listener of the static
 * image it execs. */
int main(int argc, char **argv)
{
	pid_t pid;
	int st;

	if (argc < 3) {
		fprintf(stderr, "usage: chroot_fork ROOT PROG [ARG...]\n");
		return 2;
	}
	if (chroot(argv[1]) < 0 || chdir("/") < 0) {
		perror("chroot_fork: chroot");
		return 2;
	}
	printf("pid %d ppid %d\n", (int)getpid(), (int)getppid());
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		perror("chroot_fork: fork");
		return 2;
	}
	if (pid == 0) {
		execv(argv[2], argv + 2);
		perror("chroot_fork: exec");
		_exit(127);
	}
	if (waitpid(pid, &st, 0) != pid) {
		perror("chroot_fork: waitpid");
		return 2;
	}
	printf("child %d status %d\n", (int)pid, WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
	return 0;
}
