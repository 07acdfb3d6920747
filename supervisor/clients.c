/* clients.c — connections: accept with SO_PEERCRED, HELLO identification, framing, replies. */
#include "sup.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

/*
 * One SOCK_SEQPACKET connection per process (or per ps tool).  The peer's
 * identity is the pid SO_PEERCRED gave at accept, never anything in a
 * message.  The first message must be HELLO; a malformed message gets an
 * error reply (none for a one-way op: the shim reads no reply to those) and
 * a peer that keeps sending garbage is disconnected.
 */

#define CLIENTS_BATCH 32 /* messages handled per readiness, for fairness */

static struct sup_client *client_find(struct sup *s, uint64_t id)
{
	struct sup_client *c;

	HASH_FIND(hh, s->clients, &id, sizeof(id), c);
	return c;
}

/*
 * The connections of one real pid, so that an exit finds its process's
 * queued messages without a look at every connection (drain_rpid: with
 * thousands connected, each exit scanned them all).  Usually one.
 */
struct sup_rpid_ix {
	pid_t rpid;
	struct sup_client *first;
	UT_hash_handle hh;
};

static bool rpid_ix_add(struct sup *s, struct sup_client *c)
{
	struct sup_rpid_ix *x;

	HASH_FIND(hh, s->clients_by_rpid, &c->rpid, sizeof(c->rpid), x);
	if (!x) {
		if (!(x = calloc(1, sizeof(*x))))
			return false;
		x->rpid = c->rpid;
		HASH_ADD(hh, s->clients_by_rpid, rpid, sizeof(x->rpid), x);
		if (x->hh.tbl == NULL) {
			free(x);
			return false;
		}
	}
	c->rpid_next = x->first;
	x->first = c;
	return true;
}

static void rpid_ix_del(struct sup *s, struct sup_client *c)
{
	struct sup_rpid_ix *x;
	struct sup_client **pp;

	HASH_FIND(hh, s->clients_by_rpid, &c->rpid, sizeof(c->rpid), x);
	if (!x)
		return;
	for (pp = &x->first; *pp; pp = &(*pp)->rpid_next) {
		if (*pp == c) {
			*pp = c->rpid_next;
			break;
		}
	}
	if (!x->first) {
		HASH_DEL(s->clients_by_rpid, x);
		free(x);
	}
}

static void client_close(struct sup *s, struct sup_client *c)
{
	sup_unwatch(s, c->fd);
	close(c->fd);
	rpid_ix_del(s, c);
	HASH_DEL(s->clients, c);
	free(c->kill_rpids);
	free(c);
	if (s->listen_paused && sup_watch(s, s->lfd, SUP_W_LISTEN, 0) == 0)
		s->listen_paused = false;
}

void clients_close_all(struct sup *s)
{
	struct sup_client *c, *tmp;

	HASH_ITER(hh, s->clients, c, tmp)
		client_close(s, c);
}

/* A new connection from real process `rpid` (its SO_PEERCRED pid); the fd
 * is ours from now on, closed on failure.  Also the fuzz target's way in. */
struct sup_client *clients_add(struct sup *s, int fd, pid_t rpid)
{
	struct sup_client *c = calloc(1, sizeof(*c));

	if (!c) {
		close(fd);
		return NULL;
	}
	c->id = s->next_client_id++;
	c->fd = fd;
	c->rpid = rpid;
	if (!rpid_ix_add(s, c)) {
		close(fd);
		free(c);
		return NULL;
	}
	HASH_ADD(hh, s->clients, id, sizeof(c->id), c);
	if (c->hh.tbl == NULL) {
		rpid_ix_del(s, c);
		close(fd);
		free(c);
		return NULL;
	}
	if (sup_watch(s, fd, SUP_W_CLIENT, c->id) < 0) {
		client_close(s, c);
		return NULL;
	}
	return c;
}

void clients_accept(struct sup *s)
{
	for (int i = 0; i < CLIENTS_BATCH; i++) {
		struct ucred cred;
		socklen_t len = sizeof(cred);
		int fd = accept4(s->lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				s->listen_ready = false;
			if (errno == EMFILE || errno == ENFILE) {
				/* Out of fds: stop listening until a client goes away
				 * rather than spin on a readable listener.  Said once:
				 * every client's exit resumes and may pause again. */
				if (!s->accept_short_said)
					fprintf(stderr,
						"jobshim: accept: %s: more connected processes than"
						" descriptors (ulimit -Hn); new ones wait for one, then"
						" fall back to real calls\n",
						strerror(errno));
				s->accept_short_said = true;
				sup_unwatch(s, s->lfd);
				s->listen_paused = true;
			}
			return;
		}
		/* Any uid: a tree process stays in the tree whatever uid it
		 * takes.  Membership is decided by pid at HELLO (identify). */
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 || cred.pid <= 0) {
			close(fd);
			continue;
		}
		struct sup_client *c = clients_add(s, fd, cred.pid);
		if (c)
			c->stranger = cred.uid != s->euid && cred.uid != 0;
	}
}

/* false: the peer is gone or misbehaves; the caller closes it. */
static bool send_reply(struct sup_client *c, const struct proto_rep *r)
{
	uint8_t buf[PROTO_REP_SIZE];
	ssize_t n;

	proto_pack_rep(r, buf);
	do
		n = send(c->fd, buf, sizeof(buf), MSG_NOSIGNAL | MSG_DONTWAIT);
	while (n < 0 && errno == EINTR);
	/* EAGAIN: a synchronous client cannot have filled its receive buffer
	 * unless it stopped reading replies: drop it. */
	return n == (ssize_t)sizeof(buf);
}

static void drain_rpid(struct sup *s, pid_t rpid, bool news_only);
static void clients_serve(struct sup *s, uint64_t id, uint32_t events, bool news_only);
static bool backlog_maybe(struct sup *s, bool before_batch);

/* HELLO with a claim the model does not know, taken from the shared counter
 * by the peer's parent, whose BIND has not been handled yet.  Handle the
 * real parent's queued messages first: its BIND creates the child at the
 * right point of the parent's history (what the parent did after the fork
 * comes after it).  Still unknown: create it here, as a child of the real
 * parent, whose model state is then still the one at the fork.  The
 * parent's BIND later finds it bound and accepts. */
static int identify_counted(struct sup *s, struct sup_client *c, int32_t claim)
{
	struct eng_pinfo pi;
	struct sysio_stat st;
	int32_t v, pv;

	pid_t chain[8], r;
	size_t n = 0;

	if (sysio_stat(c->rpid, &st) < 0 || st.ppid <= 0)
		return -ESRCH;
	/* The real parent may be unknown too (its own parent's BIND is
	 * queued as well): drain from the nearest known real ancestor down. */
	for (r = st.ppid; n < sizeof(chain) / sizeof(chain[0]);) {
		struct sysio_stat ast;
		chain[n++] = r;
		if (eng_rpid_to_vpid(s->eng, r) > 0 || sysio_stat(r, &ast) < 0 || ast.ppid <= 0)
			break;
		r = ast.ppid;
	}
	if (backlog_maybe(s, false))
		clients_accept(s);
	/* Only the news on those connections (their BINDs, HELLOs): a
	 * request found there may have been sent after records not read
	 * yet -- the rest of the pipe when a record of an unknown sender
	 * brought us here, inside a drain of the event FIFO; records written
	 * since the drain that came before this HELLO otherwise -- and must
	 * be answered after them, from the event loop (drain_rpid). */
	while (n > 0)
		drain_rpid(s, chain[--n], true);
	v = eng_rpid_to_vpid(s->eng, c->rpid);
	if (v == claim)
		return 0;
	if (v > 0 || eng_info(s->eng, claim, &pi) == 0)
		return -ESRCH;
	pv = eng_rpid_to_vpid(s->eng, st.ppid);
	/* Not under init: a real parent that is the supervisor means the
	 * forking parent is gone; lazy registration handles the orphan. */
	if (pv <= 1 || eng_info(s->eng, pv, &pi) < 0 || pi.state == ENG_P_ZOMBIE)
		return -ESRCH;
	if (procs_fork_at(s, pv, claim) < 0) {
		eng_fx_clear(&s->fx);
		return -ESRCH;
	}
	if (procs_bind(s, claim, c->rpid) < 0) {
		eng_fx_clear(&s->fx);
		sup_fork_abort(s, claim);
		procs_forget(s, claim);
		return -ESRCH;
	}
	effects_apply(s, 0);
	return 0;
}

/* HELLO: who is this peer?  0 with c->vpid set, or -EPERM (not in the tree).
 * Decided by the peer's pid alone, never its uid: a process that changed
 * uid (setuid, a set-uid image) is still the same tree member. */
static int identify(struct sup *s, struct sup_client *c, int32_t claim)
{
	struct eng_pinfo pi;
	int32_t v = eng_rpid_to_vpid(s->eng, c->rpid);

	/* 1. already bound.  A model zombie holding the pid is either this very
	 * process speaking after its death was seen (its messages were queued:
	 * it is still dead or a zombie for real) or a stale binding (the kernel
	 * reused the pid for a live process: register that one anew). */
	if (v > 1 && eng_info(s->eng, v, &pi) == 0) {
		struct sysio_stat st;
		if (pi.state != ENG_P_ZOMBIE || sysio_stat(c->rpid, &st) < 0 || st.state == 'Z' ||
		    st.state == 'X') {
			c->vpid = v;
			return 0;
		}
	}
	if (v == 1)
		return -EPERM; /* ourselves */
	/* 2. a pending reservation whose parent is our real parent. */
	if (claim > 1 && eng_info(s->eng, claim, &pi) == 0 && pi.rpid == 0 &&
	    pi.state != ENG_P_ZOMBIE) {
		struct sysio_stat st;
		int64_t parent_rpid = eng_vpid_to_rpid(s->eng, pi.ppid);
		if (sysio_stat(c->rpid, &st) == 0 && parent_rpid > 0 && st.ppid == parent_rpid &&
		    procs_bind(s, claim, c->rpid) == 0) {
			c->vpid = claim;
			return 0;
		}
	}
	/* 2b. a counter-allocated vpid whose parent's BIND is still queued. */
	if (claim > 1 && eng_info(s->eng, claim, &pi) < 0 && procs_vpid_handed(s, claim) &&
	    identify_counted(s, c, claim) == 0) {
		c->vpid = claim;
		return 0;
	}
	/* 3. lazy registration under the nearest known ancestor. */
	v = procs_register(s, c->rpid);
	if (v <= 1)
		return -EPERM;
	c->vpid = v;
	return 0;
}

int32_t clients_identify(struct sup *s, pid_t rpid, int32_t claim)
{
	struct sup_client tmp = {.rpid = rpid};

	return identify(s, &tmp, claim) == 0 ? tmp.vpid : 0;
}

static bool hello(struct sup *s, struct sup_client *c, const struct proto_req *q,
		  struct proto_rep *r)
{
	int rc = 0;

	if (q->b == 1) {
		/* A ps tool of another uid sees the tree only from inside it. */
		if (c->stranger && eng_rpid_to_vpid(s->eng, c->rpid) <= 1) {
			r->err = -EPERM;
			return false;
		}
		c->ps = true;
		c->hello = true;
		r->v[0] = 0;
		return true;
	}
	if (!c->vpid)
		rc = identify(s, c, q->a);
	if (rc < 0) {
		r->err = rc;
		if (trace_on(&s->trace)) {
			trace_begin(&s->trace, "call", 0, c->rpid);
			trace_str(&s->trace, "op", "hello");
			trace_int(&s->trace, "claim", q->a);
			trace_str(&s->trace, "errno", trace_errno(rc));
			trace_end(&s->trace, "call: real pid %d hello(claim %d) refused: not in the tree",
				  (int)c->rpid, (int)q->a);
		}
		return false;
	}
	c->hello = true;
	/* The shim caches the ppid answered here with the real parent it saw
	 * before sending: a parent already dead for the kernel (the peer was
	 * reparented) must be dead for the model too. */
	ops_settle_parents(s, c->vpid);
	r->v[0] = c->vpid;
	r->v[1] = eng_getppid(s->eng, c->vpid);
	r->v[2] = eng_getpgid(s->eng, c->vpid, 0);
	r->v[3] = eng_getsid(s->eng, c->vpid, 0);
	return true;
}

/* Handle what every connection of rpid has queued (a connection being
 * handled further up the stack is skipped by clients_ready).
 * `news_only`: stop at a connection's first message that asks for an
 * answer (HELLO and one-way messages are news), leaving it queued for
 * the event loop (level-triggered), which drains the event FIFO before
 * each request.  Identifying a process (identify_counted) drains its
 * real ancestors' connections for their news; a request found there
 * may have been sent after records not read yet (when a record of an
 * unknown sender brought us there, inside a drain, the rest of the
 * pipe): answered then, it came from a model without them -- a
 * getpgid(child) right after the fork failing with ESRCH because the
 * child's BIND was unread (sup_drainorder). */
static void drain_rpid(struct sup *s, pid_t rpid, bool news_only)
{
	uint64_t ids[8];
	size_t n = 0;
	struct sup_rpid_ix *x;

	HASH_FIND(hh, s->clients_by_rpid, &rpid, sizeof(rpid), x);
	for (struct sup_client *c = x ? x->first : NULL; c && n < sizeof(ids) / sizeof(ids[0]);
	     c = c->rpid_next)
		ids[n++] = c->id;
	/* Oldest first, as the scan of the table found them. */
	for (size_t i = 0; i < n / 2; i++) {
		uint64_t t = ids[i];
		ids[i] = ids[n - 1 - i];
		ids[n - 1 - i] = t;
	}
	for (size_t i = 0; i < n; i++)
		clients_serve(s, ids[i], 0, news_only);
}

static bool handle(struct sup *s, struct sup_client *c, const uint8_t *buf, size_t len)
{
	struct proto_req q;
	struct proto_rep r;
	int rc = proto_unpack_req(buf, len, &q);
	bool keep = true, reply = true;

	/* News from the event FIFO written before this message was sent
	 * comes first (events.c). */
	events_drain(s);
	memset(&r, 0, sizeof(r));
	r.op = q.op;
	r.seq = q.seq;
	if (rc < 0) {
		if (++c->nbad > SUP_CLIENT_MAX_BAD)
			return false;
		r.err = rc;
		/* A one-way op with a bad field: the shim waits for no reply. */
		if (!(rc == -EINVAL && proto_is_oneway(q.op)) && !c->mute && !send_reply(c, &r))
			c->mute = true;
		return true;
	}
	if (q.op == PROTO_OP_HELLO) {
		/* After an exec, the old image's connection may still hold
		 * messages it sent before exec'ing (BIND of a child it forked,
		 * EXEC): handle them first, so the new image is answered from a
		 * model that has seen them.  News only: a request of that
		 * image was answered before it exec'd (the shim waits for each
		 * answer), so one found there is not its (drain_rpid). */
		drain_rpid(s, c->rpid, true);
		keep = hello(s, c, &q, &r);
	} else if (!c->hello) {
		if (++c->nbad > SUP_CLIENT_MAX_BAD)
			return false;
		r.err = -EPROTO;
		reply = !proto_is_oneway(q.op);
	} else {
		reply = ops_dispatch(s, c, &q, &r);
	}
	/* A read the view could not answer yet may be what brought it. */
	events_check(s);
	/* A peer that sent HELLO without waiting and exec'd at once has closed
	 * its end: the reply fails, but what it sent after HELLO (EXEC, BIND)
	 * is still queued and still true. */
	if (reply && !c->mute && !send_reply(c, &r))
		c->mute = true;
	return keep;
}

/* Might the listen backlog hold a connection made before an exit?  A
 * failing accept4 costs ≈ 6 µs (it allocates a socket first), paid on
 * every exit, so look before accepting.  An exit seen before the current
 * batch was collected (`before_batch`: its pidfd is in the batch) happened
 * after any connect of that process, which left the listener readable at
 * collection: run.c's listen_ready tells without a system call.  An exit
 * learnt since (waitid, poll, a message) may follow a later connect: ask
 * poll, still far cheaper than accept4. */
static bool backlog_maybe(struct sup *s, bool before_batch)
{
	struct pollfd pfd = {.fd = s->lfd, .events = POLLIN};

	if (s->listen_ready)
		return true;
	if (before_batch || s->lfd < 0)
		return false;
	return poll(&pfd, 1, 0) > 0;
}

/* Handle what process `rpid` sent before it died, before the model sees its
 * exit: its BINDs and REAPEDs are still true (a parent that forks and exits
 * at once).  Connections still in the listen backlog are accepted first.
 * Ids are collected before draining: handling may close other clients. */
void clients_flush_rpid(struct sup *s, pid_t rpid, bool before_batch)
{
	events_drain(s);
	if (backlog_maybe(s, before_batch))
		clients_accept(s);
	drain_rpid(s, rpid, false);
}

/* Is the next message queued on c one that asks for an answer (not HELLO,
 * not one-way)?  Read without taking it. */
static bool next_is_request(const struct sup_client *c)
{
	uint8_t buf[PROTO_REQ_SIZE + 1];
	struct proto_req q;
	ssize_t n;

	do
		n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT | MSG_PEEK);
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		return false;
	(void)proto_unpack_req(buf, (size_t)n, &q);
	return q.op != PROTO_OP_HELLO && !proto_is_oneway(q.op);
}

static void clients_serve(struct sup *s, uint64_t id, uint32_t events, bool news_only)
{
	struct sup_client *c = client_find(s, id);
	uint8_t buf[PROTO_REQ_SIZE + 1];

	if (!c || c->busy)
		return; /* closed earlier in this batch, or handled further up the stack */
	c->busy = true;
	for (int i = 0; i < CLIENTS_BATCH; i++) {
		if (news_only && next_is_request(c)) {
			c->busy = false;
			return;
		}
		ssize_t n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT);
		/* ECONNRESET: the peer closed with our reply unread (HELLO sent
		 * without waiting, then exec).  The error is reported once, before
		 * the messages still queued: read on. */
		if (n < 0 && (errno == EINTR || errno == ECONNRESET))
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (events & (EPOLLHUP | EPOLLERR))
				break;
			c->busy = false;
			return;
		}
		if (n <= 0)
			break;
		if (!handle(s, c, buf, (size_t)n))
			break;
		if (i == CLIENTS_BATCH - 1) {
			c->busy = false;
			return; /* more later: level-triggered */
		}
	}
	client_close(s, c);
}

void clients_ready(struct sup *s, uint64_t id, uint32_t events)
{
	clients_serve(s, id, events, false);
}
