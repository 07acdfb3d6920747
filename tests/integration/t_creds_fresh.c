/* t_creds_fresh.c — the credentials of a process forked a moment ago, received by a third process: SCM_CREDENTIALS and SO_PEERCRED name it before its parent's fork has returned. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

/*
 * Chromium's way of learning a zygote child's pid: the browser (here the
 * main process) enables SO_PASSCRED on a socket, a zygote (its child)
 * forks, and the zygote's child sends a message at once -- the kernel
 * attaches its pid -- while its own parent has not seen its fork return
 * yet.  The zygote is held there by its pthread_atfork parent handler,
 * which glibc runs inside fork, until the main process has read the
 * child's pid (the zygote's wrappers have told nobody about the child
 * yet); the main process then compares it with the one the zygote
 * reports.  The same with a connection's SO_PEERCRED and the sender of a
 * signal (sigwaitinfo's si_pid).  Under
 * jobshim the pid was 0 (unknown) until the parent's fork wrapper had
 * written its record, and Chromium's zygote child aborted ("Invalid pid
 * from parent zygote").
 */

#define ROUNDS 20

static int ack[2];

/* In the zygote, inside fork, after the child is made: wait for the main
 * process to have read the child's credentials. */
static void hold_parent(void)
{
	char c;

	if (read(ack[0], &c, 1) != 1)
		_exit(1);
}

static pid_t recv_pid(int fd)
{
	char data[8], ctl[CMSG_SPACE(sizeof(struct ucred))];
	struct iovec iov = {data, sizeof(data)};
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof(ctl)};
	struct cmsghdr *c;
	struct ucred cr;

	if (recvmsg(fd, &m, 0) <= 0)
		return -1;
	for (c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS) {
			memcpy(&cr, CMSG_DATA(c), sizeof(cr));
			return cr.pid;
		}
	return -2;
}

int main(void)
{
	int sv[2], rep[2], one = 1, bad_creds = 0, bad_peer = 0, bad_sig = 0;
	pid_t main_pid = getpid();
	sigset_t usr1;
	char path[108];
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	pid_t zygote;
	int lfd;

	snprintf(path, sizeof(path), "/tmp/t_creds_fresh.%d", (int)getpid());
	unlink(path);
	strcpy(a.sun_path, path);
	lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(lfd, ROUNDS) < 0 ||
	    socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) < 0 || pipe(rep) < 0 || pipe(ack) < 0 ||
	    setsockopt(sv[0], SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) < 0) {
		perror("setup");
		return 1;
	}
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, NULL);
	zygote = fork();
	if (zygote == 0) {
		close(sv[0]);
		pthread_atfork(NULL, hold_parent, NULL);
		for (int i = 0; i < ROUNDS; i++) {
			pid_t kid = fork();
			if (kid == 0) {
				int cfd = socket(AF_UNIX, SOCK_STREAM, 0);
				if (send(sv[1], "ping", 4, 0) != 4 || cfd < 0 || kill(main_pid, SIGUSR1) < 0 ||
				    connect(cfd, (struct sockaddr *)&a, sizeof(a)) < 0)
					_exit(1);
				_exit(0);
			}
			if (kid < 0 || write(rep[1], &kid, sizeof(kid)) != sizeof(kid))
				_exit(1);
			waitpid(kid, NULL, 0);
		}
		_exit(0);
	}
	for (int i = 0; i < ROUNDS; i++) {
		pid_t got = recv_pid(sv[0]), peer = -1, kid = -1;
		int cfd = accept(lfd, NULL, NULL);
		struct ucred cr;
		socklen_t len = sizeof(cr);

		if (cfd >= 0 && getsockopt(cfd, SOL_SOCKET, SO_PEERCRED, &cr, &len) == 0)
			peer = cr.pid;
		if (cfd >= 0)
			close(cfd);
		siginfo_t si = {0};
		if (sigwaitinfo(&usr1, &si) < 0)
			si.si_pid = -1;
		if (write(ack[1], "a", 1) != 1 || read(rep[0], &kid, sizeof(kid)) != sizeof(kid))
			break;
		bad_creds += got != kid;
		bad_peer += peer != kid;
		bad_sig += si.si_pid != kid;
	}
	waitpid(zygote, NULL, 0);
	unlink(path);
	printf("%d children: SCM_CREDENTIALS named %d wrongly, SO_PEERCRED %d, si_pid %d\n", ROUNDS,
	       bad_creds, bad_peer, bad_sig);
	return 0;
}
