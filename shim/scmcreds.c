/* scmcreds.c — SCM_CREDENTIALS: the pid a process sends in a control message, and the one it receives, in the namespace. */
#include "shim.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

/*
 * A Unix socket carries credentials as a control message (SCM_CREDENTIALS,
 * struct ucred): the sender names its own pid (the kernel checks it is
 * the sender's, unless the sender has CAP_SYS_ADMIN, which may name any
 * live process), and a receiver with SO_PASSCRED gets the sender's pid
 * (filled in by the kernel when the sender sent none).  A program takes
 * the pid from getpid(), a vpid, and compares what it receives with pids
 * it knows, vpids: going out the pid is made real by shim_xlate_tid's rule
 * (a pid nobody has stays one: the kernel's EPERM or ESRCH, as natively),
 * coming in it is made virtual as SO_PEERCRED's (fdowner.c: 0 for a
 * process outside the tree).  Messages without credentials pass untouched;
 * a control area larger than CREDS_BUF is sent as it is.  sendmmsg and
 * recvmmsg: each message as these.
 */

#define CREDS_BUF 1024

static bool is_creds(const struct cmsghdr *c)
{
	return c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS &&
	       c->cmsg_len >= CMSG_LEN(sizeof(struct ucred));
}

static bool has_creds(const struct msghdr *m)
{
	struct cmsghdr *c;

	if (m == NULL || m->msg_control == NULL || m->msg_controllen < CMSG_LEN(sizeof(struct ucred)))
		return false;
	for (c = CMSG_FIRSTHDR((struct msghdr *)m); c; c = CMSG_NXTHDR((struct msghdr *)m, c))
		if (is_creds(c))
			return true;
	return false;
}

union creds_buf {
	char buf[CREDS_BUF];
	struct cmsghdr align;
};

/* A copy of the program's message *msg in *m, its control area in *u,
 * when it carries credentials.  Unreadable memory is the kernel's EFAULT:
 * only what can be read is looked into, and in a copy. */
static bool creds_out_copy(const struct msghdr *msg, struct msghdr *m, union creds_buf *u)
{
	if (msg == NULL || !shim_peek(m, msg, sizeof(*m)) || m->msg_control == NULL ||
	    m->msg_controllen < CMSG_LEN(sizeof(struct ucred)) || m->msg_controllen > sizeof(u->buf) ||
	    !shim_peek(u->buf, m->msg_control, m->msg_controllen))
		return false;
	m->msg_control = u->buf;
	return has_creds(m);
}

SHIM_EXPORT ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
	union creds_buf u;
	struct msghdr m;
	struct cmsghdr *c;

	if (!creds_out_copy(msg, &m, &u))
		return REAL(sendmsg)(fd, msg, flags);
	shim_init();
	if (shim_offline())
		return REAL(sendmsg)(fd, msg, flags);
	for (c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
		if (is_creds(c)) {
			struct ucred cr;
			memcpy(&cr, CMSG_DATA(c), sizeof(cr));
			cr.pid = shim_xlate_tid(cr.pid);
			memcpy(CMSG_DATA(c), &cr, sizeof(cr));
		}
	}
	return REAL(sendmsg)(fd, &m, flags);
}

/* The received credentials in msg made virtual. */
static void creds_in(struct msghdr *msg)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
		if (is_creds(c)) {
			struct ucred cr;
			memcpy(&cr, CMSG_DATA(c), sizeof(cr));
			if (cr.pid > 0)
				cr.pid = shim_r2v_acting(cr.pid);
			memcpy(CMSG_DATA(c), &cr, sizeof(cr));
		}
	}
}

SHIM_EXPORT ssize_t recvmsg(int fd, struct msghdr *msg, int flags)
{
	ssize_t n;
	int saved;

	n = REAL(recvmsg)(fd, msg, flags);
	if (n < 0 || !has_creds(msg))
		return n;
	shim_init();
	if (shim_offline())
		return n;
	saved = errno;
	creds_in(msg);
	errno = saved;
	return n;
}

/* recvmmsg: each message received, as recvmsg's. */
SHIM_EXPORT int recvmmsg(int fd, struct mmsghdr *vec, unsigned int vlen, int flags,
			 struct timespec *timeout)
{
	int n = REAL(recvmmsg)(fd, vec, vlen, flags, timeout), saved;

	if (n <= 0)
		return n;
	shim_init();
	if (shim_offline())
		return n;
	saved = errno;
	for (int i = 0; i < n; i++)
		if (has_creds(&vec[i].msg_hdr))
			creds_in(&vec[i].msg_hdr);
	errno = saved;
	return n;
}

/*
 * sendmmsg: when a message carries credentials, the messages go one by
 * one through sendmsg above, as the kernel sends them (each a sendmsg of
 * its own: the count of those sent, or -1 with the first one's error; an
 * error after the first is not reported, as the man page says).  Without
 * credentials: the real call.
 */
SHIM_EXPORT int sendmmsg(int fd, struct mmsghdr *vec, unsigned int vlen, int flags)
{
	union creds_buf u;
	struct msghdr m;
	bool any = false;
	unsigned int i;

	if (vlen > 1024)
		vlen = 1024; /* UIO_MAXIOV: the kernel's bound too */
	for (i = 0; i < vlen && !any && vec != NULL; i++)
		any = creds_out_copy(&vec[i].msg_hdr, &m, &u);
	shim_init();
	if (!any || shim_offline())
		return REAL(sendmmsg)(fd, vec, vlen, flags);
	for (i = 0; i < vlen; i++) {
		ssize_t r = sendmsg(fd, &vec[i].msg_hdr, flags);
		if (r < 0) {
			if (i == 0)
				return -1;
			break;
		}
		unsigned int len = (unsigned int)r;
		if (!shim_poke(&vec[i].msg_len, &len, sizeof(len))) {
			errno = EFAULT;
			return i == 0 ? -1 : (int)i;
		}
	}
	return (int)i;
}
