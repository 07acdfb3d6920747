/* t_nestpid_creds.c — a process of a pid namespace nested in the tree names itself by SCM_CREDENTIALS: the receiver gets a pid it can read in /proc and signal, as natively. */
#include "lib/itest.h"

#include <sched.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>

/*
 * Chromium's sandbox, as a user without root: its zygote is pid 1 of a new
 * pid namespace, forks the renderers there, and each renderer's messages
 * carry its credentials to the browser, which the kernel gives with the
 * pid the browser's namespace sees.  The shim makes such a pid virtual;
 * these processes run no shim of ours (shim/nest.c), so the supervisor
 * did not know them, the pid was unknown, and the browser died of a
 * failed CHECK (SIGTRAP).  Now the supervisor registers such a process
 * when asked (supervisor/ops.c, op_xlate).
 *
 * main <- (SCM_CREDENTIALS) <- grandchild, pid 2 of the namespace that
 * the child unshared.  main reads /proc/<pid>/comm and sends SIGTERM to
 * the pid; the namespace's init reports how its child ended.
 */

static void grandchild(int sock)
{
	char b = 'x';

	prctl(PR_SET_NAME, "nsgrandkid");
	if (write(sock, &b, 1) != 1)
		_exit(1);
	pause();
	_exit(0);
}

/* Pid 1 of the new namespace: fork the grandchild, report its end. */
static void ns_init(int sock)
{
	pid_t g = fork();
	int st;

	if (g < 0)
		_exit(2);
	if (g == 0)
		grandchild(sock);
	if (waitpid(g, &st, 0) != g)
		_exit(3);
	_exit(WIFSIGNALED(st) ? 100 + WTERMSIG(st) : 4);
}

static pid_t peer_pid(int sock)
{
	char b, ctl[CMSG_SPACE(sizeof(struct ucred))];
	struct iovec io = { .iov_base = &b, .iov_len = 1 };
	struct msghdr m = { .msg_iov = &io, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof(ctl) };
	struct ucred uc;

	if (recvmsg(sock, &m, 0) != 1)
		it_die("recvmsg");
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c != NULL; c = CMSG_NXTHDR(&m, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS) {
			memcpy(&uc, CMSG_DATA(c), sizeof(uc));
			return uc.pid;
		}
	return -1;
}

int main(void)
{
	int sv[2], one = 1, st;

	it_init();
	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) < 0 ||
	    setsockopt(sv[0], SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) < 0)
		it_die("socketpair");
	pid_t c = it_fork("child");
	if (c == 0) {
		close(sv[0]);
		if (unshare(CLONE_NEWPID) < 0) {
			it_out("unshare(CLONE_NEWPID): %s", it_errname(errno));
			_exit(9);
		}
		pid_t i = fork();
		if (i < 0)
			_exit(8);
		if (i == 0)
			ns_init(sv[1]);
		_exit(waitpid(i, &st, 0) == i && WIFEXITED(st) ? WEXITSTATUS(st) : 7);
	}
	close(sv[1]);
	pid_t p = peer_pid(sv[0]);
	char path[64], comm[32] = "";
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)p);
	int fd = open(path, O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, comm, sizeof(comm) - 1) : -1;
	if (n > 0 && comm[n - 1] == '\n')
		comm[n - 1] = '\0';
	if (fd >= 0)
		close(fd);
	it_out("peer: pid %s, /proc/<pid>/comm %s", p > 0 ? "given" : "missing", n > 0 ? comm : "unreadable");
	/* Never 0 or -1 (a whole group, every process). */
	if (p > 1)
		it_out("kill(pid, SIGTERM): %s", kill(p, SIGTERM) == 0 ? "sent" : it_errname(errno));
	else
		kill(c, SIGKILL);
	st = it_reap(c);
	it_out("child: %s (100 + the grandchild's signal)", it_status(st));
	return 0;
}
