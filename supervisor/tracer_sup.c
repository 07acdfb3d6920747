/* tracer_sup.c — the supervisor's side of the tracer process: starting it, SEIZE, and answering its questions from the engine. */
#include "notif.h"
#include "tracer.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/*
 * The tracer (tracer.c) is our child, forked when the first image is
 * filtered, so that a tree without one pays nothing.  It is no process of
 * the tree: the teardown neither registers nor waits for it
 * (teardown.c asks tracer_pid()).  Its questions are answered at once,
 * from our loop, as requests of the tracee they name (notif_caller: the
 * same identification as a seccomp notification).
 */

static int tfd = -1;
static pid_t tpid;
static int bellfd = -1; /* the tracer's doorbell (tracer.c), by pidfd; -1 none */

/* After a message to the tracer, which sleeps in waitpid: wake it. */
static void ring(void)
{
	if (bellfd >= 0 && sysio_pidfd_signal(bellfd, SIGUSR1) < 0) {
		close(bellfd); /* gone: the tracer polls its socket now */
		bellfd = -1;
	}
}

bool tracer_enabled(void)
{
	const char *e = getenv("JOBSHIM_NOTRACE");

	return e == NULL || *e == '\0' || strcmp(e, "0") == 0;
}

pid_t tracer_pid(void)
{
	return tfd >= 0 ? tpid : 0;
}

static int start(struct sup *s)
{
	int sv[2];
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		close(sv[0]);
		close(sv[1]);
		return -errno;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);
		/* The counter is shared only when it is the mapped file. */
		struct proto_vpids *vc = s->vc != &s->vc_local ? s->vc : NULL;
		int fifo = -1;
		/* Nothing of ours stays open in it but the event FIFO (its
		 * news, tracer_local.c): client sockets held by the tracer
		 * would hide our death from the shims. */
		if (dup2(sv[1], 3) < 0 || null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 ||
		    dup2(null, 2) < 0)
			_exit(1);
		if (s->evfd >= 0 && dup2(s->evfd, 4) == 4)
			fifo = 4;
		syscall(SYS_close_range, fifo < 0 ? 4 : 5, ~0U, 0);
		tracer_main(3, vc, fifo);
	}
	close(sv[1]);
	tfd = sv[0];
	tpid = pid;
	/* Its first message names its doorbell (tracer.c). */
	{
		struct trc_msg b;
		ssize_t n;
		while ((n = recv(tfd, &b, sizeof(b), 0)) < 0 && errno == EINTR)
			;
		if (n != (ssize_t)sizeof(b) || b.op != TRC_BELL) {
			tracer_stop(s);
			return -ECHILD;
		}
		if (b.a > 0 && (bellfd = sysio_pidfd_open(b.a)) < 0)
			bellfd = -1;
	}
	if (sup_watch(s, tfd, SUP_W_NOTIF, 0) < 0) {
		tracer_stop(s);
		return -ENOMEM;
	}
	return 0;
}

/* Does the caller have a thread with id tid (its gettid is real)? */
static bool own_thread(const struct call *k, int32_t tid)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d/task/%d", (int)k->c.rpid, (int)tid);
	return tid != k->c.rpid && stat(path, &st) == 0;
}

/*
 * An id a filtered caller hands the kernel, by the shim's rule
 * (shim_xlate_tid, shim/thread.c): 0 and negative ids keep the kernel's
 * meaning; the caller's vpid is its rpid; a real id of one of the
 * caller's own threads stays (their gettid is real); another vpid is its
 * process's rpid, a virtual group its real mirror; anything else is a pid
 * no process has, so that the kernel checks the call's other arguments in
 * its own order and fails the lookup itself.
 */
static int32_t xlate_id(struct sup *s, const struct call *k, int32_t id, int32_t kind)
{
	int64_t r;

	if (id <= 0)
		return id;
	if (kind == 1) {
		pid_t g = procs_group_rpgid(s, id, 0);
		return g > 0 ? (int32_t)g : TRC_PID_NONE;
	}
	if (id == k->c.vpid)
		return (int32_t)k->c.rpid;
	if (own_thread(k, id) || (kind == 2 && id == k->c.rpid))
		return id;
	r = eng_vpid_to_rpid(s->eng, id);
	return r > 0 ? (int32_t)r : TRC_PID_NONE;
}

/*
 * An id the kernel handed the caller back (an owner, a lock's holder, a
 * terminal's group or session), made virtual by the shim's rules
 * (shim/fdowner.c, shim/tty.c): the caller itself and its own groups and
 * session by the engine's ids; another thread of the caller stays real;
 * another tree process, or a group named after its leader, by the model;
 * anything outside the tree is 0, as a pid namespace shows what it cannot
 * see (a session outside it: ENOTTY, as tcgetsid).
 */
static int r2v_id(struct sup *s, const struct call *k, int32_t id, int32_t kind, int32_t *out)
{
	int32_t v;

	*out = 0;
	if (id <= 0)
		return 0;
	if (kind == 0) {
		if (id == k->c.rpid) {
			*out = k->c.vpid;
			return 0;
		}
		if (own_thread(k, id)) {
			*out = id;
			return 0;
		}
	} else if (kind == 1 && id == getpgid(k->c.rpid)) {
		*out = eng_getpgid(s->eng, k->c.vpid, 0);
		return 0;
	} else if (kind == 2 && id == getsid(k->c.rpid)) {
		*out = eng_getsid(s->eng, k->c.vpid, 0);
		return 0;
	}
	v = eng_rpid_to_vpid(s->eng, id);
	if (v > 1)
		*out = v;
	return kind == 2 && *out <= 0 ? -ENOTTY : 0;
}

/* One question of the tracer, answered for the tracee it names. */
static void answer(struct sup *s, const struct trc_msg *q)
{
	struct trc_msg r = {.op = TRC_REPLY};
	struct proto_rep pr;
	struct call k;
	int rc;

	notif_caller(s, q->tid, &k);
	if (k.c.vpid <= 1) {
		r.err = -ESRCH;
		goto send;
	}
	switch (q->op) {
	case TRC_FORK:
		/* As a preloaded fork: FORK, then BIND of the real child. */
		rc = notif_run_op(&k, PROTO_OP_FORK, 0, 0, 0, &pr);
		if (rc == 0) {
			r.v[0] = pr.v[0];
			struct proto_rep br;
			if (notif_run_op(&k, PROTO_OP_BIND, pr.v[0], q->a, 0, &br) < 0)
				r.v[0] = 0;
		}
		r.err = rc;
		break;
	case TRC_SELECT:
	case TRC_ALL:
		rc = notif_run_op(&k, PROTO_OP_WAIT_SELECT, q->op == TRC_ALL ? -1 : q->a,
				  q->op == TRC_ALL ? 0 : q->b, 0, &pr);
		r.err = rc;
		if (rc == 0) {
			r.n = (int32_t)pr.n;
			memcpy(r.v, pr.ids, (size_t)pr.n * sizeof(r.v[0]));
			/* more than a reply holds: the tracer says ENOSYS for a group */
			if (pr.v[0] * 2 > r.n)
				r.n = TRC_NV;
		}
		break;
	case TRC_SETPGID: {
		/* As the shim's setpgid (shim/ids.c): the engine decides, the
		 * real call the tracer then lets run is only its mirror. */
		int32_t target = q->a == 0 ? k.c.vpid : q->a;
		rc = notif_run_op(&k, PROTO_OP_SETPGID, q->a, q->b, 0, &pr);
		r.err = rc;
		if (rc == 0) {
			r.v[0] = target == k.c.vpid ? 0 : (int32_t)eng_vpid_to_rpid(s->eng, target);
			if (r.v[0] <= 0 && target != k.c.vpid)
				r.v[0] = -1;
			r.v[1] = pr.v[1];
		}
		break;
	}
	case TRC_SETSID:
		/* The engine marks the session real (the tracer lets the real
		 * setsid run): the kernel applies the orphan rule in it. */
		rc = notif_run_op(&k, PROTO_OP_SETSID, 0, 0, 0, &pr);
		r.err = rc;
		r.v[0] = pr.v[0];
		break;
	case TRC_XLATE:
		r.v[0] = xlate_id(s, &k, q->a, q->b);
		break;
	case TRC_R2V:
		r.err = r2v_id(s, &k, q->a, q->b, &r.v[0]);
		break;
	case TRC_TCPGRP:
		if (q->a == 1) {
			/* The kernel took the group's mirror: the engine records
			 * the virtual group (session 2's foreground: tty.c). */
			r.err = notif_run_op(&k, PROTO_OP_TCSETPGRP, q->b, 0, 0, &pr);
			break;
		}
		/* A real group of the tree is named after its leader; another
		 * (jobshim's, the user's shell's) holds session 2's terminal
		 * while the engine's record names the tree's foreground. */
		r.v[0] = eng_rpid_to_vpid(s->eng, q->b);
		if (r.v[0] <= 1) {
			r.v[0] = q->b;
			if (notif_run_op(&k, PROTO_OP_TCGETPGRP, 0, 0, 0, &pr) == 0)
				r.v[0] = pr.v[0];
		}
		break;
	case TRC_SUBREAPER:
		/* The real flag is set: the engine's exit rule follows it. */
		r.err = notif_run_op(&k, PROTO_OP_SUBREAPER, q->a, 0, 0, &pr);
		break;
	case TRC_DONE: {
		int st = q->b;
		r.v[0] = eng_rpid_to_vpid(s->eng, q->a);
		if (r.v[0] <= 1) {
			r.v[0] = 0;
			break;
		}
		if ((WIFEXITED(st) || WIFSIGNALED(st)) && !q->c)
			notif_run_op(&k, PROTO_OP_REAPED, r.v[0], q->a, st, &pr);
		else if (WIFSTOPPED(st))
			notif_run_op(&k, PROTO_OP_STATE, q->a, 1, 0, &pr);
		else if (WIFCONTINUED(st))
			notif_run_op(&k, PROTO_OP_STATE, q->a, 0, 0, &pr);
		break;
	}
	default:
		r.err = -EINVAL;
		break;
	}
send:
	while (send(tfd, &r, sizeof(r), MSG_NOSIGNAL) < 0 && errno == EINTR)
		;
}

void tracer_ready(struct sup *s, uint32_t events)
{
	struct trc_msg q;

	(void)events;
	while (tfd >= 0) {
		ssize_t n = recv(tfd, &q, sizeof(q), MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n != (ssize_t)sizeof(q)) {
			/* It died: its tracees were detached by the kernel;
			 * their traced calls fail with ENOSYS from now on. */
			fprintf(stderr, "jobshim: the tracer is gone\n");
			tracer_stop(s);
			return;
		}
		if (q.op != TRC_REPLY)
			answer(s, &q);
	}
}

int tracer_seize(struct sup *s, pid_t rpid, int32_t vpid)
{
	struct trc_msg q = {.op = TRC_SEIZE, .a = rpid, .b = vpid}, r;
	int rc;

	if (tfd < 0 && (rc = start(s)) < 0)
		return rc;
	while (send(tfd, &q, sizeof(q), MSG_NOSIGNAL) < 0)
		if (errno != EINTR)
			return -errno;
	ring();
	/* Its questions may cross ours: answer them meanwhile. */
	for (;;) {
		ssize_t n = recv(tfd, &r, sizeof(r), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n != (ssize_t)sizeof(r)) {
			tracer_stop(s);
			return -ECHILD;
		}
		if (r.op == TRC_REPLY)
			return r.err;
		answer(s, &r);
	}
}

void tracer_stop(struct sup *s)
{
	if (tfd < 0)
		return;
	sup_unwatch(s, tfd);
	close(tfd); /* it sees the end and leaves; the kernel detaches its tracees */
	tfd = -1;
	ring();
	if (bellfd >= 0)
		close(bellfd);
	bellfd = -1;
	while (waitpid(tpid, NULL, 0) < 0 && errno == EINTR)
		;
	tpid = 0;
}
