/* t_fdowner.c — pids through descriptors: F_SETOWN/F_GETOWN(_EX) and SIGIO, F_GETLK's l_pid, FIOSETOWN/SIOCGPGRP, SO_PEERCRED, SCM_CREDENTIALS (also through sendmmsg/recvmmsg). */
#include "lib/itest.h"

#include <fcntl.h>
#include <limits.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <string.h>

static volatile sig_atomic_t sigio_seen;

static void on_sigio(int sig)
{
	(void)sig;
	sigio_seen++;
}

/* An owner as the test prints it: a label, "-label" for a group. */
static const char *owner_l(long v)
{
	char *b = it_tmpbuf();
	if (v < -1)
		snprintf(b, 48, "-%s", it_l((pid_t)-v));
	else
		snprintf(b, 48, "%s", it_l((pid_t)v));
	return b;
}

static const char *ex_type(int t)
{
	return t == F_OWNER_TID ? "TID" : t == F_OWNER_PID ? "PID" : t == F_OWNER_PGRP ? "PGRP" : "?";
}

static void show_getown(const char *what, int fd)
{
	errno = 0;
	long r = fcntl(fd, F_GETOWN);
	if (r == -1 && errno != 0)
		it_out("%s: -1 %s", what, it_errname(errno));
	else
		it_out("%s: %s", what, owner_l(r));
}

static void show_getown_ex(const char *what, int fd)
{
	struct f_owner_ex ex = { -1, -1 };
	if (fcntl(fd, F_GETOWN_EX, &ex) < 0)
		it_out("%s: -1 %s", what, it_errname(errno));
	else
		it_out("%s: %s %s", what, ex_type(ex.type), it_l(ex.pid));
}

/* One byte written to the other end of the async socket; wait for the
 * SIGIO it brings (blocked until sigsuspend): how many arrived. */
static int sigio_after_write(int wfd)
{
	sigset_t io, old;

	sigemptyset(&io);
	sigaddset(&io, SIGIO);
	sigprocmask(SIG_BLOCK, &io, &old);
	sigio_seen = 0;
	if (write(wfd, "x", 1) != 1)
		it_die("write");
	sigsuspend(&old);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return (int)sigio_seen;
}

/* SIGIO reaches the owner: one byte written to the other end. */
static void owner_and_sigio(void)
{
	int sv[2];

	it_out("-- F_SETOWN / F_GETOWN on a socket, and the SIGIO it brings");
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		it_die("socketpair");
	signal(SIGIO, on_sigio);
	show_getown("F_GETOWN (none yet)", sv[0]);
	IT_RC("F_SETOWN getpid()", fcntl(sv[0], F_SETOWN, getpid()));
	show_getown("F_GETOWN", sv[0]);
	show_getown_ex("F_GETOWN_EX", sv[0]);
	IT_RC("F_SETFL O_ASYNC", fcntl(sv[0], F_SETFL, O_ASYNC | O_NONBLOCK));
	it_out("SIGIO after a write: %d", sigio_after_write(sv[1]));

	IT_RC("F_SETOWN -getpgrp()", fcntl(sv[0], F_SETOWN, -getpgrp()));
	show_getown("F_GETOWN (group)", sv[0]);
	show_getown_ex("F_GETOWN_EX (group)", sv[0]);
	char byte;
	if (read(sv[0], &byte, 1) != 1)
		it_die("read");
	it_out("SIGIO to the group after a write: %d", sigio_after_write(sv[1]));
	signal(SIGIO, SIG_IGN);

	struct it_chan ready = it_chan(), rel = it_chan();
	pid_t c = it_fork("c");
	if (c == 0) {
		IT_RC("c: setpgid(0, 0)", setpgid(0, 0));
		it_put(ready, 'r');
		it_get(rel);
		_exit(0);
	}
	it_expect(ready, 'r');
	IT_RC("F_SETOWN c", fcntl(sv[0], F_SETOWN, c));
	show_getown("F_GETOWN", sv[0]);
	IT_RC("F_SETOWN -c (c's group)", fcntl(sv[0], F_SETOWN, -c));
	show_getown("F_GETOWN", sv[0]);
	struct f_owner_ex ex = { F_OWNER_PGRP, c };
	IT_RC("F_SETOWN_EX PGRP c", fcntl(sv[0], F_SETOWN_EX, &ex));
	show_getown_ex("F_GETOWN_EX", sv[0]);
	ex = (struct f_owner_ex){ F_OWNER_PID, c };
	IT_RC("F_SETOWN_EX PID c", fcntl(sv[0], F_SETOWN_EX, &ex));
	show_getown_ex("F_GETOWN_EX", sv[0]);
	ex = (struct f_owner_ex){ F_OWNER_TID, (pid_t)syscall(SYS_gettid) };
	IT_RC("F_SETOWN_EX TID gettid()", fcntl(sv[0], F_SETOWN_EX, &ex));
	show_getown_ex("F_GETOWN_EX", sv[0]);
	it_put(rel, 'x');
	it_out("c: %s", it_status(it_reap(c)));
	/* The owner gone: the kernel reports none. */
	IT_RC("F_SETOWN c again (a reaped pid)", fcntl(sv[0], F_SETOWN, c));

	IT_RC("ioctl FIOSETOWN getpid()", ioctl(sv[0], FIOSETOWN, &(int){ getpid() }));
	int got = -7;
	IT_RC("ioctl FIOGETOWN", ioctl(sv[0], FIOGETOWN, &got));
	it_out("FIOGETOWN owner: %s", owner_l(got));
	IT_RC("ioctl SIOCSPGRP -getpgrp()", ioctl(sv[0], SIOCSPGRP, &(int){ -getpgrp() }));
	IT_RC("ioctl SIOCGPGRP", ioctl(sv[0], SIOCGPGRP, &got));
	it_out("SIOCGPGRP owner: %s", owner_l(got));
	show_getown("F_GETOWN", sv[0]);
	close(sv[0]);
	close(sv[1]);
}

/* Bad input: the kernel's errno, in the kernel's order. */
static void bad_input(void)
{
	int sv[2];
	int fd = open("/dev/null", O_RDONLY);

	it_out("-- bad owners");
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		it_die("socketpair");
	long ids[] = { INT_MIN, INT_MIN + 1, -1, 0x7ffffff0, -0x7ffffff0, 4194305 };
	for (unsigned i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		char what[64];
		snprintf(what, sizeof what, "F_SETOWN %ld", ids[i]);
		IT_RC(what, fcntl(sv[0], F_SETOWN, ids[i]));
	}
	IT_RC("F_SETOWN on a closed fd", fcntl(999, F_SETOWN, getpid()));
	IT_RC("F_GETOWN on a closed fd", fcntl(999, F_GETOWN));
	IT_RC("F_SETOWN_EX NULL", fcntl(sv[0], F_SETOWN_EX, NULL));
	IT_RC("F_SETOWN_EX bad pointer", fcntl(sv[0], F_SETOWN_EX, (void *)8));
	IT_RC("F_GETOWN_EX bad pointer", fcntl(sv[0], F_GETOWN_EX, (void *)8));
	struct f_owner_ex ex = { 7, getpid() };
	IT_RC("F_SETOWN_EX type 7", fcntl(sv[0], F_SETOWN_EX, &ex));
	ex = (struct f_owner_ex){ F_OWNER_PID, 0x7ffffff0 };
	IT_RC("F_SETOWN_EX PID huge", fcntl(sv[0], F_SETOWN_EX, &ex));
	ex = (struct f_owner_ex){ F_OWNER_PGRP, -5 };
	IT_RC("F_SETOWN_EX PGRP -5", fcntl(sv[0], F_SETOWN_EX, &ex));
	IT_RC("F_GETLK bad pointer", fcntl(fd, F_GETLK, (void *)8));
	IT_RC("ioctl FIOSETOWN bad pointer", ioctl(sv[0], FIOSETOWN, (void *)8));
	IT_RC("ioctl FIOGETOWN bad pointer", ioctl(sv[0], FIOGETOWN, (void *)8));
	IT_RC("ioctl FIOSETOWN on /dev/null", ioctl(fd, FIOSETOWN, &(int){ getpid() }));
	IT_RC("raw syscall F_SETOWN getpid()", syscall(SYS_fcntl, sv[0], F_SETOWN, getpid()));
	long r = syscall(SYS_fcntl, sv[0], F_GETOWN);
	it_out("raw syscall F_GETOWN: %s", owner_l(r));
	close(fd);
	close(sv[0]);
	close(sv[1]);
}

/* A conflicting lock names its holder. */
static void lock_holder(void)
{
	char path[] = "/tmp/t_fdowner.XXXXXX";
	int fd = mkstemp(path);

	it_out("-- F_GETLK names the holder");
	if (fd < 0)
		it_die("mkstemp");
	struct it_chan ready = it_chan(), rel = it_chan();
	pid_t c = it_fork("locker");
	if (c == 0) {
		struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 10 };
		IT_RC("locker: F_SETLK 0..10", fcntl(fd, F_SETLK, &fl));
		/* An open file description of its own: OFD locks belong to it. */
		int own = open(path, O_RDWR);
		struct flock ofd = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 20, .l_len = 10 };
		IT_RC("locker: F_OFD_SETLK 20..30", fcntl(own, F_OFD_SETLK, &ofd));
		it_put(ready, 'r');
		it_get(rel);
		_exit(0);
	}
	it_expect(ready, 'r');
	struct flock q = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 5 };
	IT_RC("F_GETLK 0..5", fcntl(fd, F_GETLK, &q));
	it_out("holder: type %s, pid %s", q.l_type == F_WRLCK ? "WR" : "?", it_l(q.l_pid));
	q = (struct flock){ .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 40, .l_len = 5 };
	IT_RC("F_GETLK 40..45", fcntl(fd, F_GETLK, &q));
	it_out("free: %s", q.l_type == F_UNLCK ? "UNLCK" : "locked");
	q = (struct flock){ .l_type = F_RDLCK, .l_whence = SEEK_SET, .l_start = 20, .l_len = 5 };
	IT_RC("F_OFD_GETLK 20..25", fcntl(fd, F_OFD_GETLK, &q));
	it_out("OFD holder: pid %d", (int)q.l_pid);
	q = (struct flock){ .l_type = F_RDLCK, .l_whence = SEEK_SET, .l_start = 20, .l_len = 5 };
	IT_RC("F_GETLK 20..25", fcntl(fd, F_GETLK, &q));
	it_out("OFD holder seen by F_GETLK: pid %d", (int)q.l_pid);
	it_put(rel, 'x');
	it_out("locker: %s", it_status(it_reap(c)));
	unlink(path);
	close(fd);
}

/* SO_PEERCRED: the connecting child's pid. */
static void peercred(void)
{
	char dir[] = "/tmp/t_fdowner.XXXXXX";
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct ucred cr;
	socklen_t len = sizeof(cr);
	int sv[2];

	it_out("-- SO_PEERCRED");
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		it_die("socketpair");
	IT_RC("socketpair SO_PEERCRED", getsockopt(sv[0], SOL_SOCKET, SO_PEERCRED, &cr, &len));
	it_out("peer: %s", it_l(cr.pid));
	close(sv[0]);
	close(sv[1]);
	if (!mkdtemp(dir))
		it_die("mkdtemp");
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s/s", dir);
	int l = socket(AF_UNIX, SOCK_STREAM, 0);
	if (l < 0 || bind(l, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(l, 1) < 0)
		it_die("listen");
	pid_t c = it_fork("client");
	if (c == 0) {
		int s = socket(AF_UNIX, SOCK_STREAM, 0);
		if (s < 0 || connect(s, (struct sockaddr *)&sa, sizeof sa) < 0)
			_exit(1);
		char b;
		(void)read(s, &b, 1);
		_exit(0);
	}
	int a = accept(l, NULL, NULL);
	if (a < 0)
		it_die("accept");
	len = sizeof(cr);
	IT_RC("accepted SO_PEERCRED", getsockopt(a, SOL_SOCKET, SO_PEERCRED, &cr, &len));
	it_out("peer: %s", it_l(cr.pid));
	len = 2;
	IT_RC("SO_PEERCRED into 2 bytes", getsockopt(a, SOL_SOCKET, SO_PEERCRED, &cr, &len));
	IT_RC("SO_PEERCRED bad pointer", getsockopt(a, SOL_SOCKET, SO_PEERCRED, (void *)8, &(socklen_t){ sizeof(cr) }));
	close(a);
	it_out("client: %s", it_status(it_reap(c)));
	close(l);
	unlink(sa.sun_path);
	rmdir(dir);
}

/* Send one byte with credentials naming pid (0: none, the kernel fills
 * them in for a receiver with SO_PASSCRED). */
static long send_creds(int fd, pid_t pid)
{
	union {
		char buf[CMSG_SPACE(sizeof(struct ucred))];
		struct cmsghdr align;
	} u;
	struct ucred cr = { .pid = pid, .uid = getuid(), .gid = getgid() };
	struct iovec iov = { .iov_base = "x", .iov_len = 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (pid != 0) {
		m.msg_control = u.buf;
		m.msg_controllen = sizeof(u.buf);
		struct cmsghdr *c = CMSG_FIRSTHDR(&m);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_CREDENTIALS;
		c->cmsg_len = CMSG_LEN(sizeof(cr));
		memcpy(CMSG_DATA(c), &cr, sizeof(cr));
	}
	return sendmsg(fd, &m, 0);
}

/* The pid of the credentials in the next message on fd, -1 none. */
static pid_t recv_creds(int fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(struct ucred))];
		struct cmsghdr align;
	} u;
	char b;
	struct iovec iov = { .iov_base = &b, .iov_len = 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
			    .msg_controllen = sizeof(u.buf) };
	struct ucred cr;

	if (recvmsg(fd, &m, 0) != 1)
		return -1;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS) {
			memcpy(&cr, CMSG_DATA(c), sizeof(cr));
			return cr.pid;
		}
	}
	return -1;
}

/* SCM_CREDENTIALS: a child sends its getpid() (and nothing, for the kernel
 * to fill in), the parent receives the child's pid; a pid nobody has. */
static void scm_creds(void)
{
	int sv[2], on = 1;

	it_out("-- SCM_CREDENTIALS");
	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) < 0)
		it_die("socketpair");
	IT_RC("SO_PASSCRED", setsockopt(sv[0], SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)));
	pid_t c = it_fork("sender");
	if (c == 0) {
		close(sv[0]);
		_exit(send_creds(sv[1], getpid()) == 1 && send_creds(sv[1], 0) == 1 ? 0 : 1);
	}
	close(sv[1]);
	it_out("getpid() sent, received: %s", it_l(recv_creds(sv[0])));
	it_out("none sent, received: %s", it_l(recv_creds(sv[0])));
	it_out("sender: %s", it_status(it_reap(c)));
	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) < 0)
		it_die("socketpair");
	IT_RC("SO_PASSCRED", setsockopt(sv[0], SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)));
	IT_RC("send own pid", send_creds(sv[1], getpid()));
	it_out("received: %s", it_l(recv_creds(sv[0])));
	/* No process has it: EPERM for a plain user, ESRCH for root. */
	errno = 0;
	long r = send_creds(sv[1], 4194303);
	it_out("send a pid nobody has: %s", r == -1 && (errno == EPERM || errno == ESRCH) ? "refused" : "sent");
	struct iovec iov = { .iov_base = "x", .iov_len = 1 };
	struct msghdr bad = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = (void *)8,
			      .msg_controllen = CMSG_SPACE(sizeof(struct ucred)) };
	IT_RC("sendmsg, control at a bad address", sendmsg(sv[1], &bad, 0));
	IT_RC("sendmsg, message at a bad address", sendmsg(sv[1], (struct msghdr *)8, 0));
	close(sv[0]);
	close(sv[1]);
}

/* Owner 1 (init; under jobshim the supervisor) and group 1: init ignores
 * what it has no handler for, so the signal is lost and the tree goes on. */
static void owner_init(void)
{
	int sv[2];

	it_out("-- owner init, with F_SETSIG");
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		it_die("socketpair");
	IT_RC("F_SETOWN 1", fcntl(sv[0], F_SETOWN, 1));
	show_getown("F_GETOWN", sv[0]);
	IT_RC("F_SETSIG SIGUSR1", fcntl(sv[0], F_SETSIG, SIGUSR1));
	IT_RC("F_SETFL O_ASYNC", fcntl(sv[0], F_SETFL, O_ASYNC | O_NONBLOCK));
	if (write(sv[1], "x", 1) != 1)
		it_die("write");
	IT_RC("F_SETOWN -1 (group 1)", fcntl(sv[0], F_SETOWN, -1));
	IT_RC("F_SETSIG SIGIO", fcntl(sv[0], F_SETSIG, SIGIO));
	if (write(sv[1], "y", 1) != 1)
		it_die("write");
	/* init's answer to anything: it is there (the supervisor too). */
	IT_RC("kill(1, 0)", kill(1, 0));
	close(sv[0]);
	close(sv[1]);
}

/* The same through sendmmsg and recvmmsg: two messages, the first with
 * the sender's getpid(), the second with none. */
static void scm_creds_mmsg(void)
{
	int sv[2], on = 1;
	union {
		char buf[CMSG_SPACE(sizeof(struct ucred))];
		struct cmsghdr align;
	} out, in[2];
	struct iovec iov[2] = { { "a", 1 }, { "b", 1 } };
	char rb[2];
	struct iovec riov[2] = { { &rb[0], 1 }, { &rb[1], 1 } };
	struct mmsghdr send[2], recv[2];

	it_out("-- SCM_CREDENTIALS through sendmmsg and recvmmsg");
	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) < 0)
		it_die("socketpair");
	IT_RC("SO_PASSCRED", setsockopt(sv[0], SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)));
	pid_t c = it_fork("msender");
	if (c == 0) {
		struct ucred cr = { .pid = getpid(), .uid = getuid(), .gid = getgid() };
		memset(send, 0, sizeof(send));
		send[0].msg_hdr = (struct msghdr){ .msg_iov = &iov[0], .msg_iovlen = 1,
						   .msg_control = out.buf, .msg_controllen = sizeof(out.buf) };
		struct cmsghdr *h = CMSG_FIRSTHDR(&send[0].msg_hdr);
		h->cmsg_level = SOL_SOCKET;
		h->cmsg_type = SCM_CREDENTIALS;
		h->cmsg_len = CMSG_LEN(sizeof(cr));
		memcpy(CMSG_DATA(h), &cr, sizeof(cr));
		send[1].msg_hdr = (struct msghdr){ .msg_iov = &iov[1], .msg_iovlen = 1 };
		int n = sendmmsg(sv[1], send, 2, 0);
		_exit(n == 2 && send[0].msg_len == 1 && send[1].msg_len == 1 ? 0 : 1);
	}
	memset(recv, 0, sizeof(recv));
	for (int i = 0; i < 2; i++)
		recv[i].msg_hdr = (struct msghdr){ .msg_iov = &riov[i], .msg_iovlen = 1,
						   .msg_control = in[i].buf,
						   .msg_controllen = sizeof(in[i].buf) };
	it_out("msender: %s", it_status(it_reap(c)));
	IT_RC("recvmmsg", recvmmsg(sv[0], recv, 2, MSG_DONTWAIT, NULL));
	for (int i = 0; i < 2; i++) {
		struct cmsghdr *h = CMSG_FIRSTHDR(&recv[i].msg_hdr);
		struct ucred cr = { .pid = -1 };
		if (h && h->cmsg_type == SCM_CREDENTIALS)
			memcpy(&cr, CMSG_DATA(h), sizeof(cr));
		it_out("message %d received from: %s", i + 1, it_l(cr.pid));
	}
	close(sv[0]);
	close(sv[1]);
}

int main(int argc, char **argv)
{
	it_child_modes(argc, argv);
	it_init();
	owner_and_sigio();
	owner_init();
	bad_input();
	lock_holder();
	peercred();
	scm_creds();
	scm_creds_mmsg();
	return 0;
}
