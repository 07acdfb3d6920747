/* fuzz_dispatch.c — libFuzzer target: requests and process events through the supervisor's handlers. */
#include "../../supervisor/sup.h"
#include "fake.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/*
 * A real engine and the supervisor's own request path (clients.c framing
 * and HELLO, ops.c handlers, procs.c, effects.c, term.c, trace.c) over real
 * socketpairs and a real epoll set; only supervisor/sysio.c is replaced by
 * the fake kernel of fake_sysio.c.  The input is a sequence of steps:
 *
 *   byte 0: bit 0 trace on (to /dev/null; FUZZ_VERBOSE=1: text on stderr),
 *   bit 1 text trace;  byte 1: vpid_max - 16
 *   then per step one selector byte, high nibble = action, low = slot k
 *   (slot 15 = a process outside the tree):
 *     0-4  message from k, 6 bytes: op, a, b, c, d (see val()), text;
 *          handled at once          5  the same, only queued
 *     6    raw message from k: a length byte, then that many bytes
 *     7    fake fork: a child of k (15: of the outsider) in the next free slot
 *     8    k exits; 1 byte status      9  k's real parent reaps it
 *     10   one pass of the event loop (client sockets and pidfds)
 *     11   SIGCHLD: the supervisor reaps its children
 *     12   sweep (k odd: as if the stale reservations had aged)
 *     13   k stops / continues         14  k closes its connection
 *     15   k forgets its connection (it stays open) and opens a new one
 * After every step: eng_check() == 0, the supervisor's records agree with
 * the engine, no effect is left over, every reply has the reply size.
 */

#define FZ_NCLIENT (FAKE_NSLOT + 1)
#define FZ_MAXFD 4096

struct fz_conn {
	uint64_t id; /* the supervisor's client id, 0 = none */
	int peer;    /* our end of the socketpair, -1 = none */
};

static struct fz_conn fz_conn[FZ_NCLIENT];
static int fz_orphan_fds[64];  /* peers of forgotten connections */
static size_t fz_norphan;
static uint32_t fz_seq;

/* A failed invariant: say which, then abort (libFuzzer saves the input). */
static void fz_check(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fz_check(bool ok, const char *fmt, ...)
{
	va_list ap;

	if (ok)
		return;
	fputs("fuzz_dispatch: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

static const int32_t fz_special[] = {
	INT32_MIN, INT32_MIN + 1, -INT32_MAX, -65536, -1000, -257, -65, -2, INT32_MAX,
	INT32_MAX - 1, PROTO_PID_MAX, PROTO_PID_MAX + 1, 64, 65, 128, 255, 256, 4096,
	WNOHANG | WUNTRACED | WCONTINUED, __WALL, __WCLONE, __WCLONE | __WALL, 0x40000000,
	0x137f, 0xffff, 0x7f, 0x80, 0x8b, 9, 3, 4, 0x4000000};

/* A field from one input byte: mostly small ids, the fake rpids, extremes. */
static int32_t val(uint8_t x)
{
	int slot = x & 15;

	if (x < 0x60)
		return (int32_t)x - 0x10;
	if (x < 0xa0) {
		switch ((x >> 4) & 3) {
		case 2:
			return slot == FAKE_NSLOT ? FAKE_OUTSIDE_RPID : fake_slot_rpid(slot, 0);
		case 3:
			return slot == FAKE_NSLOT ? FAKE_SUP_RPID : fake_slot_rpid(slot, 1);
		default:
			return (int32_t)(x - 0x60) << 8; /* exit statuses, signals << 8 */
		}
	}
	return fz_special[(x - 0xa0) % (sizeof(fz_special) / sizeof(fz_special[0]))];
}

static pid_t slot_rpid(int k)
{
	return k == FAKE_NSLOT ? FAKE_OUTSIDE_RPID : fake.p[k].rpid;
}

static struct sup_client *client_of(struct sup *s, uint64_t id)
{
	struct sup_client *c;

	HASH_FIND(hh, s->clients, &id, sizeof(id), c);
	return c;
}

/* Read every reply; forget connections the supervisor closed. */
static void drain(struct sup *s)
{
	for (int k = 0; k < FZ_NCLIENT; k++) {
		struct fz_conn *fc = &fz_conn[k];
		uint8_t buf[PROTO_REP_SIZE + 16];
		ssize_t n;

		if (fc->peer < 0)
			continue;
		while ((n = recv(fc->peer, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
			struct proto_rep r;
			int rc = proto_unpack_rep(buf, (size_t)n, &r);
			fz_check(n == PROTO_REP_SIZE, "reply of %zd bytes", n);
			/* A reply to a message without a valid header carries its op 0. */
			fz_check(rc == 0 || rc == -EOPNOTSUPP, "reply unpacks to %d", rc);
		}
		if (!client_of(s, fc->id)) {
			close(fc->peer);
			fc->peer = -1;
			fc->id = 0;
		}
	}
}

static struct fz_conn *connect_slot(struct sup *s, int k)
{
	struct fz_conn *fc = &fz_conn[k];
	struct fake_proc *p = k < FAKE_NSLOT ? &fake.p[k] : NULL;
	struct sup_client *c;
	int sv[2];

	if (fc->peer >= 0)
		return fc;
	if (k < FAKE_NSLOT && (!p->rpid || p->state == 'Z'))
		return NULL; /* a dead process opens nothing */
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, sv) < 0)
		return NULL;
	c = clients_add(s, sv[0], slot_rpid(k));
	if (!c) {
		close(sv[1]);
		return NULL;
	}
	fc->id = c->id;
	fc->peer = sv[1];
	return fc;
}

static void deliver(struct sup *s, struct fz_conn *fc)
{
	if (client_of(s, fc->id))
		clients_ready(s, fc->id, EPOLLIN);
}

static void event_pass(struct sup *s)
{
	struct epoll_event evs[64];
	int n = epoll_wait(s->epfd, evs, 64, 0);

	for (int i = 0; i < n; i++) {
		uint64_t key = evs[i].data.u64;
		if (SUP_KEY_KIND(key) == SUP_W_CLIENT)
			clients_ready(s, SUP_KEY_ID(key), evs[i].events);
		else if (SUP_KEY_KIND(key) == SUP_W_PIDFD)
			procs_pidfd_ready(s, (int32_t)SUP_KEY_ID(key));
	}
}

/* The supervisor's records against the engine. */
static void check_state(struct sup *s)
{
	char why[256] = "";
	struct sup_proc *p, *tmp;
	size_t nstale = 0, nrec = 0;
	struct eng_stats st;
	int rc = eng_check(s->eng, why, sizeof(why));

	fz_check(rc == 0, "eng_check: %s", why);
	fz_check(s->fx.n == 0 && s->fx.nids == 0, "%zu effects left over", s->fx.n);
	HASH_ITER(hh, s->procs, p, tmp) {
		struct eng_pinfo pi;
		fz_check(p->vpid > 1 && eng_info(s->eng, p->vpid, &pi) == 0,
			 "record of vpid %d unknown to the engine", (int)p->vpid);
		fz_check(p->rpid == pi.rpid,
			 "vpid %d: record says rpid %lld, engine %lld", (int)p->vpid,
			 (long long)p->rpid, (long long)pi.rpid);
		fz_check(p->pidfd < 0 || (!p->exited && pi.state != ENG_P_ZOMBIE),
			 "vpid %d: pidfd open after its exit", (int)p->vpid);
		fz_check(!p->exited || pi.state == ENG_P_ZOMBIE, "vpid %d exited but not a zombie",
			 (int)p->vpid);
		nstale += p->stale_since != 0;
		nrec++;
	}
	fz_check(nstale == s->nstale, "nstale %zu, counted %zu", s->nstale, nstale);
	eng_stats(s->eng, &st);
	fz_check(st.nproc == nrec + 1, "engine has %zu processes, %zu records", st.nproc, nrec);
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)) != NULL)
		n += de->d_name[0] != '.';
	closedir(d);
	return n;
}

static int setup(struct sup *s, uint8_t flags, uint8_t vmax)
{
	struct eng_config cfg = {.vpid_max = 16 + vmax % 64, .is_stopped = procs_is_stopped, .ctx = s};
	int32_t v;

	memset(s, 0, sizeof(*s));
	s->self_rpid = FAKE_SUP_RPID;
	s->euid = geteuid();
	s->lfd = s->sigfd = s->tfd = s->tty_fd = s->evfd = -1;
	s->next_client_id = 1;
	s->exit_code = -1;
	s->how_status = -1;
	eng_fx_init(&s->fx);
	s->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (getenv("FUZZ_VERBOSE")) { /* replay with FUZZ_VERBOSE=1: readable trace */
		s->trace.f = fdopen(dup(2), "w");
		setvbuf(s->trace.f, NULL, _IOLBF, 0);
		s->trace.text = true;
	} else if (flags & 1) {
		s->trace.f = fopen("/dev/null", "we");
		s->trace.text = flags & 2;
	}
	s->trace.first = true;
	fz_check(s->epfd >= 0 && eng_new(&s->eng, &cfg) == 0, "set-up");
	fz_check(eng_bind(s->eng, 1, FAKE_SUP_RPID) == 0, "bind init");
	/* The command, as run.c's spawn_command makes it. */
	fake_reset();
	fake_fork(0, FAKE_SUP_RPID);
	fz_check(eng_fork(s->eng, 1, &v, &s->fx) == 0 && procs_add(s, v) &&
			 eng_setsid(s->eng, v, &s->fx) == 2, "command");
	effects_apply(s, 0);
	s->cmd_rpid = fake.p[0].rpid;
	procs_bind(s, 2, s->cmd_rpid);
	for (int k = 0; k < FZ_NCLIENT; k++)
		fz_conn[k] = (struct fz_conn){0, -1};
	fz_norphan = 0;
	fz_seq = 0;
	return 0;
}

static void teardown(struct sup *s)
{
	for (int k = 0; k < FZ_NCLIENT; k++)
		if (fz_conn[k].peer >= 0)
			close(fz_conn[k].peer);
	for (size_t i = 0; i < fz_norphan; i++)
		close(fz_orphan_fds[i]);
	clients_close_all(s);
	procs_free_all(s);
	term_free(s);
	close(s->epfd);
	eng_fx_free(&s->fx);
	eng_free(s->eng);
	trace_close(&s->trace);
}

/* One message from slot k: 6 structured bytes, or raw bytes. */
static size_t message(struct sup *s, int k, int action, const uint8_t *d, size_t n)
{
	static const size_t lens[16] = {0, 1, 4, 6, 8, 16, 24, 32, 127, 129, 130, 160, 200, 255, 256, 300};
	uint8_t buf[300];
	size_t used, len;
	struct fz_conn *fc = connect_slot(s, k);

	memset(buf, 0, sizeof(buf));
	if (action == 6) {
		size_t take;
		len = n == 0 || d[0] < 0xc0 ? PROTO_REQ_SIZE : lens[d[0] & 15];
		used = n ? 1 : 0;
		take = len < n - used ? len : n - used;
		memcpy(buf, d + used, take);
		used += take;
	} else {
		struct proto_req q = {0};
		uint8_t f[6] = {0};
		used = n < 6 ? n : 6;
		memcpy(f, d, used);
		q.op = f[0] % (PROTO_OP_END_ + 1);
		q.seq = ++fz_seq;
		q.a = val(f[1]);
		q.b = val(f[2]);
		q.c = val(f[3]);
		q.d = val(f[4]);
		if (f[5] == 1)
			snprintf(q.text, sizeof(q.text), "/bin/sh");
		else if (f[5] == 2)
			snprintf(q.text, sizeof(q.text), "dir/");
		else if (f[5] > 2)
			memset(q.text, 'a' + f[5] % 26, f[5] % (PROTO_TEXT_REQ + 1));
		proto_pack_req(&q, buf);
		len = PROTO_REQ_SIZE;
	}
	if (!fc)
		return used;
	if (send(fc->peer, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL) < 0 && errno != EAGAIN)
		return used;
	if (action != 5)
		deliver(s, fc);
	return used;
}

static size_t step(struct sup *s, uint8_t sel, const uint8_t *d, size_t n)
{
	int action = sel >> 4, k = sel & 15;
	struct fake_proc *p = k < FAKE_NSLOT ? &fake.p[k] : NULL;
	size_t used = 0;

	switch (action) {
	case 7:
		if (k < FAKE_NSLOT && (!p->rpid || p->state == 'Z'))
			break;
		for (int j = 0; j < FAKE_NSLOT; j++)
			if (fake_fork(j, slot_rpid(k)) == 0)
				break;
		break;
	case 8:
		used = n ? 1 : 0;
		if (p && p->rpid)
			fake_exit(p, used ? (d[0] & 0x80 ? d[0] & 0x7f : d[0] << 8) : 0);
		break;
	case 9:
		if (p && p->rpid && p->state == 'Z' && p->ppid != FAKE_SUP_RPID)
			fake_gone(p);
		break;
	case 10:
		event_pass(s);
		break;
	case 11:
		procs_reap_children(s);
		break;
	case 12:
		if (k & 1) {
			struct sup_proc *sp, *tmp;
			HASH_ITER(hh, s->procs, sp, tmp)
				if (sp->stale_since)
					sp->stale_since = 1;
		}
		procs_sweep(s);
		break;
	case 13:
		if (p && p->rpid && p->state != 'Z')
			p->state = p->state == 'T' ? 'R' : 'T';
		break;
	case 14:
		if (fz_conn[k].peer >= 0) {
			close(fz_conn[k].peer);
			fz_conn[k] = (struct fz_conn){0, -1};
		}
		break;
	case 15:
		if (fz_conn[k].peer >= 0 && fz_norphan < sizeof(fz_orphan_fds) / sizeof(int)) {
			fz_orphan_fds[fz_norphan++] = fz_conn[k].peer;
			fz_conn[k] = (struct fz_conn){0, -1};
		}
		break;
	default:
		used = message(s, k, action, d, n);
		break;
	}
	return used;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sup s;
	int fds0 = count_fds();
	size_t i = 2;

	if (size < 2)
		return 0;
	setup(&s, data[0], data[1]);
	check_state(&s);
	while (i < size) {
		uint8_t sel = data[i++];
		i += step(&s, sel, data + i, size - i);
		drain(&s);
		check_state(&s);
	}
	teardown(&s);
	fz_check(count_fds() == fds0, "fds %d -> %d", fds0, count_fds());
	return 0;
}
