/* t_pidfd_init.c — pid 1 through a pidfd: signals are checked as init's and dropped, never delivered. */
#include <sys/pidfd.h>
#include <sys/syscall.h>

#include "lib/itest.h"

/*
 * A namespace's init ignores every signal sent from inside it that it has
 * no handler for, SIGKILL and SIGSTOP included; Linux still checks the
 * arguments and the permission first.  The same through a pidfd (from
 * pidfd_open(1), or an fd of the /proc/1 directory) as through kill(1).
 * Under jobshim pid 1 is the supervisor, a real process that such a
 * signal would end.
 */

static long psig(int fd, int sig, const siginfo_t *info, unsigned int flags)
{
	return syscall(SYS_pidfd_send_signal, fd, sig, info, flags);
}

static void sends(const char *who, int fd)
{
	char what[96];
	const int sigs[] = { 0, SIGTERM, SIGSTOP, SIGKILL, SIGCONT, 65, -1 };
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
		snprintf(what, sizeof what, "%s: pidfd_send_signal(%d)", who, sigs[i]);
		IT_RC(what, psig(fd, sigs[i], NULL, 0));
	}
	siginfo_t si;
	memset(&si, 0, sizeof si);
	si.si_signo = SIGTERM;
	si.si_code = SI_QUEUE;
	snprintf(what, sizeof what, "%s: ... SIGTERM, SI_QUEUE info", who);
	IT_RC(what, psig(fd, SIGTERM, &si, 0));
	snprintf(what, sizeof what, "%s: ... SIGKILL, info for SIGTERM", who);
	IT_RC(what, psig(fd, SIGKILL, &si, 0));
	si.si_code = SI_USER;
	snprintf(what, sizeof what, "%s: ... SIGTERM, SI_USER info", who);
	IT_RC(what, psig(fd, SIGTERM, &si, 0));
	snprintf(what, sizeof what, "%s: ... SIGKILL, info (void *)8", who);
	IT_RC(what, psig(fd, SIGKILL, (siginfo_t *)8, 0));
	snprintf(what, sizeof what, "%s: ... SIGKILL, flags 8", who);
	IT_RC(what, psig(fd, SIGKILL, NULL, 8));
	snprintf(what, sizeof what, "%s: ... SIGKILL, flags 3", who);
	IT_RC(what, psig(fd, SIGKILL, NULL, 3));
	/* PIDFD_SIGNAL_THREAD (1), _THREAD_GROUP (2): init's thread or
	 * process, checked and dropped.  _PROCESS_GROUP (4) signals the group
	 * whose id is init's pid: none here (native_init keeps the group it
	 * had outside the namespace), so ESRCH, after the flags and the
	 * siginfo but before the signal number.  Bits above 31 are not seen
	 * (the flags are an unsigned int). */
	const int sigs2[] = { 0, SIGKILL, 65, -1 };
	const unsigned long flags[] = { 1, 2, 4, 0x100000000ul, 0x100000004ul };
	for (size_t i = 0; i < sizeof sigs2 / sizeof sigs2[0]; i++)
		for (size_t j = 0; j < sizeof flags / sizeof flags[0]; j++) {
			snprintf(what, sizeof what, "%s: ... %d, flags %#lx", who, sigs2[i], flags[j]);
			IT_RC(what, syscall(SYS_pidfd_send_signal, fd, sigs2[i], NULL, flags[j]));
		}
	si.si_code = SI_QUEUE;
	snprintf(what, sizeof what, "%s: ... SIGTERM, SI_QUEUE info, flags 4", who);
	IT_RC(what, psig(fd, SIGTERM, &si, 4));
	si.si_code = SI_USER;
	snprintf(what, sizeof what, "%s: ... SIGTERM, SI_USER info, flags 4", who);
	IT_RC(what, psig(fd, SIGTERM, &si, 4));
	snprintf(what, sizeof what, "%s: ... SIGKILL, info for SIGTERM, flags 4", who);
	IT_RC(what, psig(fd, SIGKILL, &si, 4));
	snprintf(what, sizeof what, "%s: ... SIGKILL, info (void *)8, flags 4", who);
	IT_RC(what, psig(fd, SIGKILL, (siginfo_t *)8, 4));
}

int main(int argc, char **argv)
{
	it_child_modes(argc, argv);
	it_init();
	int pfd = (int)syscall(SYS_pidfd_open, 1, 0);
	if (pfd < 0)
		it_die("pidfd_open(1)");
	int dfd = open("/proc/1", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		it_die("open /proc/1");
	sends("root, pidfd", pfd);
	sends("root, /proc/1 fd", dfd);
	/* glibc's own wrapper too (not only syscall()). */
	IT_RC("root: pidfd_send_signal() (glibc), SIGKILL", pidfd_send_signal(pfd, SIGKILL, NULL, 0));
	pid_t c = it_fork("u");
	if (c == 0) {
		if (setresuid(65534, 65534, 65534) != 0)
			it_die("setresuid");
		sends("uid 65534, pidfd", pfd);
		int p2 = (int)syscall(SYS_pidfd_open, 1, 0);
		IT_RC("uid 65534: pidfd_open(1) >= 0", p2 >= 0 ? 0 : -1);
		IT_RC("uid 65534: its pidfd, SIGKILL", psig(p2, SIGKILL, NULL, 0));
		_exit(0);
	}
	int st = 0;
	waitpid(c, &st, 0);
	it_out("u: %s", it_status(st));
	/* pid 1 is still there and still our parent. */
	IT_RC("kill(1, 0)", kill(1, 0));
	IT_PID("getppid()", getppid());
	return 0;
}
