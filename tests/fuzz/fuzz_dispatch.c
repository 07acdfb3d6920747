/* fuzz_dispatch.c — libFuzzer target: requests and process events through the supervisor's handlers. */
#include "../../supervisor/sup.h"
#include "fake.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/*
 * A real engine and the supervisor's own request path (clients.c framing
 * and HELLO, ops.c handlers, procs.c, effects.c, term.c, trace.c) and its
 * event FIFO reader (events.c, on a real FIFO in a fresh temporary
 * directory) over real socketpairs and a real epoll set; only
 * supervisor/sysio.c is replaced by the fake kernel of fake_sysio.c.  The
 * input is a sequence of steps:
 *
 *   byte 0: bit 0 trace on (to /dev/null; FUZZ_VERBOSE=1: text on stderr),
 *   bit 1 text trace;  byte 1: vpid_max - 16
 *   then per step one selector byte, high nibble = action, low = slot k
 *   (slot 15 = a process outside the tree):
 *     0-4  message from k, 6 bytes: op, a, b, c, d (see val()), text;
 *          handled at once          5  the same, only queued
 *     6    raw message from k: a length byte L, then
 *            L < 0xc0: 128 bytes;  0xc0-0xdf: lens[L & 15] bytes
 *            (message()), sent on k's connection and handled at once;
 *            L >= 0xe0: the event FIFO instead, see below
 *     7    fake fork: a child of k (15: of the outsider) in the next free slot
 *     8    k exits; 1 byte status      9  k's real parent reaps it
 *     10   one pass of the event loop as run.c's loop makes it: the event
 *          FIFO is drained first, then client sockets and pidfds; k odd:
 *          then the timer's look at the FIFO is due (events_tick)
 *     11   SIGCHLD: the supervisor reaps its children
 *     12   sweep (k odd: as if the stale reservations had aged)
 *     13   k stops / continues         14  k closes its connection
 *     15   k forgets its connection (it stays open) and opens a new one
 *
 * The event FIFO (action 6, L >= 0xe0).  What is written waits in the FIFO
 * until the supervisor drains it, as in a real run: before each request it
 * handles, when it learns of an exit, and at the top of a loop pass (10).
 *     0xe0-0xee  raw bytes: fifo_lens[L & 15] bytes of the input
 *                (zero-padded): garbage, partial or byte-level records
 *     0xef       the last record written, again FZ_REPEAT times (more than
 *                events.c reads at once)
 *     0xf0-0xf7  a record from k, as its shim writes it, 6 bytes: op (< 0xe0:
 *                BIND REAPED STATE EXEC HELLO by x % 5; else op x - 0xe0),
 *                a, b, c, d (evval()), text (as in a message).  Sender: k's
 *                real pid and the vpid its shim believes it has (belief());
 *                parent: k's real parent, if its vpid is known; written now.
 *                L bit 0: 1 more byte, the sender vpid (evval()); bit 1:
 *                2 more bytes, parent vpid and rpid (evval()); bit 2: 1 more
 *                byte, the write time (fz_at[]: 0, 1, a second ago, in an
 *                hour, INT64_MAX, UINT64_MAX, 1 << 63, now)
 *     0xf8-0xff  counted fork: k (alive) takes a vpid from the shared
 *                counter as a forking shim does (vc_take in shim/fork.c);
 *                its child in the next free slot believes it is that vpid.
 *                L odd: the real fork fails (the vpid is never used).
 * At most FZ_FIFO_BUDGET bytes are written per input.
 *
 * After every step: eng_check() == 0, the supervisor's records agree with
 * the engine (and a bound live process has a pidfd), no effect is left
 * over, every reply has the reply size, the FIFO is still open and empty
 * after every drain (a request handled, a loop pass), no drain is left
 * half done.  After every input: the FIFO is
 * unlinked and no fd leaked.
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

/* The event FIFO, from the shims' side. */
#define FZ_REPEAT 1100               /* > EVENTS_BATCH (events.c) */
#define FZ_FIFO_BUDGET (1 << 20)     /* bytes written per input at most */
static int fz_evw = -1;              /* our write end */
static int fz_evfd = -1;             /* the supervisor's read end, as opened */
static size_t fz_fifo_left;          /* budget left */
static uint64_t fz_nevbad;           /* s->nevbad after the last step */
static int32_t fz_claim[FZ_NCLIENT]; /* the vpid k's shim believes it has, 0 = its binding */
static int32_t fz_last_v;            /* the last vpid taken from the counter */
static pid_t fz_last_child;          /* its child's rpid, 0 = the fork failed */
static uint8_t fz_last_rec[PROTO_EVT_SIZE];
static bool fz_have_rec;
static struct sup *fz_sup;           /* the input's, for clean-up on abort */

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
	/* Leave no FIFO behind in the temporary directory. */
	if (fz_sup && fz_sup->evpath[0])
		unlink(fz_sup->evpath);
	if (fz_sup && fz_sup->dir[0])
		rmdir(fz_sup->dir);
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
			/* The shim takes the vpid HELLO answers (shim/conn.c). */
			if (rc == 0 && r.op == PROTO_OP_HELLO && r.err == 0 && r.v[0] > 0)
				fz_claim[k] = r.v[0];
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

/* Bytes waiting in the event FIFO. */
static int fifo_pending(struct sup *s)
{
	int n = -1;

	fz_check(s->evfd >= 0 && ioctl(s->evfd, FIONREAD, &n) == 0, "FIFO: %s", strerror(errno));
	return n;
}

/* run.c's loop, one iteration: the records already in the FIFO came before
 * whatever woke us, and are handled first (with the batch known, as there). */
static void event_pass(struct sup *s, bool timer)
{
	struct epoll_event evs[64];
	int n = epoll_wait(s->epfd, evs, 64, 0);

	if (n < 0)
		n = 0;
	s->batch = evs;
	s->nbatch = n;
	events_drain(s);
	fz_check(fifo_pending(s) == 0, "%d bytes left in the FIFO after a drain", fifo_pending(s));
	for (int i = 0; i < n; i++) {
		uint64_t key = evs[i].data.u64;
		if (SUP_KEY_KIND(key) == SUP_W_CLIENT)
			clients_ready(s, SUP_KEY_ID(key), evs[i].events);
		else if (SUP_KEY_KIND(key) == SUP_W_PIDFD)
			procs_pidfd_ready(s, (int32_t)SUP_KEY_ID(key));
	}
	/* The timer fired for a look at the FIFO (run.c's on_timer). */
	if (timer && s->ev_tick_at)
		events_tick(s, s->ev_tick_at);
	s->batch = NULL;
	s->nbatch = 0;
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
		/* Bound and alive: its exit is watched (a BIND read with its
		 * REAPED skips the pidfd only while the batch is handled). */
		fz_check(p->rpid <= 0 || p->exited || p->pidfd >= 0, "vpid %d (rpid %lld) unwatched",
			 (int)p->vpid, (long long)p->rpid);
		nstale += p->stale_since != 0;
		nrec++;
	}
	fz_check(nstale == s->nstale, "nstale %zu, counted %zu", s->nstale, nstale);
	eng_stats(s->eng, &st);
	fz_check(st.nproc == nrec + 1, "engine has %zu processes, %zu records", st.nproc, nrec);
	/* The event FIFO: still the one opened, no drain half done, nothing
	 * of a record's handling left behind. */
	fz_check(s->evfd == fz_evfd && s->evpath[0], "FIFO fd %d, opened as %d", s->evfd, fz_evfd);
	fz_check(!s->ev_draining && !s->defer_watch && s->trace.at == 0,
		 "drain state left over (draining %d, nowatch %d, at %lld)", s->ev_draining,
		 s->defer_watch, (long long)s->trace.at);
	fz_check(s->nevbad >= fz_nevbad, "nevbad went back");
	fz_nevbad = s->nevbad;
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
	/* The private directory and the event FIFO, as run.c's setup makes
	 * them; our write end stands for every shim's. */
	snprintf(s->dir, sizeof(s->dir), "%s/jobshim-fuzz.XXXXXX",
		 getenv("TMPDIR") && strlen(getenv("TMPDIR")) < 100 ? getenv("TMPDIR") : "/tmp");
	fz_check(mkdtemp(s->dir) != NULL, "mkdtemp %s: %s", s->dir, strerror(errno));
	fz_sup = s;
	events_open(s);
	fz_check(s->evfd >= 0, "events_open in %s failed", s->dir);
	fz_evfd = s->evfd;
	fz_evw = open(s->evpath, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	fz_check(fz_evw >= 0, "open %s: %s", s->evpath, strerror(errno));
	fz_fifo_left = FZ_FIFO_BUDGET;
	fz_nevbad = 0;
	memset(fz_claim, 0, sizeof(fz_claim));
	fz_last_v = 0;
	fz_last_child = 0;
	fz_have_rec = false;
	fz_check(eng_bind(s->eng, 1, FAKE_SUP_RPID) == 0, "bind init");
	/* The command, as run.c's spawn_command makes it (its vpid from the
	 * shared counter, like every other). */
	fake_reset();
	fake_fork(0, FAKE_SUP_RPID);
	fz_check(procs_fork(s, 1, &v) == 0 && v == 2 && eng_setsid(s->eng, v, &s->fx) == 2,
		 "command");
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
	if (getenv("FUZZ_VERBOSE"))
		fprintf(stderr, "fuzz_dispatch: %llu event records refused\n",
			(unsigned long long)s->nevbad);
	close(fz_evw);
	fz_evw = -1;
	events_close(s);
	/* events_close unlinked the FIFO: the directory is empty. */
	fz_check(rmdir(s->dir) == 0, "rmdir %s: %s", s->dir, strerror(errno));
	fz_sup = NULL;
	close(s->epfd);
	eng_fx_free(&s->fx);
	eng_free(s->eng);
	trace_close(&s->trace);
}

/* ---- the event FIFO ----------------------------------------------------------- */

/* The vpid real pid rpid's shim believes it has: the one it was forked
 * with (a counted vpid) or answered by HELLO, else its binding. */
static int32_t belief(struct sup *s, pid_t rpid)
{
	int32_t v;

	if (rpid <= 0)
		return 0;
	for (int j = 0; j < FZ_NCLIENT; j++)
		if (slot_rpid(j) == rpid && fz_claim[j] > 0)
			return fz_claim[j];
	v = eng_rpid_to_vpid(s->eng, rpid);
	return v > 0 ? v : 0;
}

/* A record field from one input byte: val(), but 0xe0-0xef is the vpid
 * slot x & 15 believes it has, 0xf0 the last counted vpid, 0xf1 its
 * child's rpid, 0xf2 the counter's next vpid. */
static int32_t evval(struct sup *s, uint8_t x)
{
	if (x >= 0xe0 && x < 0xf0)
		return belief(s, slot_rpid(x & 15));
	if (x == 0xf0)
		return fz_last_v;
	if (x == 0xf1)
		return fz_last_child;
	if (x == 0xf2)
		return proto_vpids_next(atomic_load(&procs_vc(s)->run));
	return val(x);
}

static void fifo_write(const uint8_t *buf, size_t len)
{
	ssize_t n;

	if (len > fz_fifo_left)
		return;
	fz_fifo_left -= len;
	/* Full (the supervisor is not reading): the shim falls back to its
	 * connection; a partial write is garbage, as a short write would be. */
	do
		n = write(fz_evw, buf, len);
	while (n < 0 && errno == EINTR);
}

static uint8_t next_byte(const uint8_t *d, size_t n, size_t *used)
{
	return *used < n ? d[(*used)++] : 0;
}

/* One record from slot k, the way shim/events.c writes it, with fuzzed
 * fields (mode: L & 7, see the header). */
static size_t fifo_record(struct sup *s, int k, unsigned mode, const uint8_t *d, size_t n)
{
	static const uint16_t ops[5] = {PROTO_OP_BIND, PROTO_OP_REAPED, PROTO_OP_STATE,
					PROTO_OP_EXEC, PROTO_OP_HELLO};
	const int64_t now = sup_now();
	const uint64_t fz_at[8] = {0, 1, (uint64_t)(now - 1000000000LL), (uint64_t)now + 3600000000000ULL,
				INT64_MAX, UINT64_MAX, 1ULL << 63, (uint64_t)now};
	struct proto_evt e;
	uint8_t f[6] = {0};
	size_t used = n < 6 ? n : 6;
	pid_t pr = k < FAKE_NSLOT ? fake.p[k].ppid : 1;

	memcpy(f, d, used);
	memset(&e, 0, sizeof(e));
	e.op = f[0] >= 0xe0 ? (uint16_t)(f[0] - 0xe0) : ops[f[0] % 5];
	e.sender_r = slot_rpid(k);
	e.sender_v = belief(s, e.sender_r);
	/* The shim's cached parent: known only with its vpid. */
	e.parent_v = pr > 0 && pr != FAKE_SUP_RPID ? belief(s, pr) : 0;
	e.parent_r = e.parent_v > 1 ? pr : 0;
	if (e.parent_v <= 1)
		e.parent_v = 0;
	e.a = evval(s, f[1]);
	e.b = evval(s, f[2]);
	e.c = evval(s, f[3]);
	e.d = evval(s, f[4]);
	if (f[5] == 1)
		snprintf(e.text, sizeof(e.text), "/bin/sh");
	else if (f[5] == 2)
		snprintf(e.text, sizeof(e.text), "dir/");
	else if (f[5] > 2)
		memset(e.text, 'a' + f[5] % 26, f[5] % (PROTO_TEXT_EVT + 1));
	e.at = (uint64_t)now;
	if (mode & 1)
		e.sender_v = evval(s, next_byte(d, n, &used));
	if (mode & 2) {
		e.parent_v = evval(s, next_byte(d, n, &used));
		e.parent_r = evval(s, next_byte(d, n, &used));
	}
	if (mode & 4)
		e.at = fz_at[next_byte(d, n, &used) & 7];
	proto_pack_evt(&e, fz_last_rec);
	fz_have_rec = true;
	fifo_write(fz_last_rec, sizeof(fz_last_rec));
	return used;
}

/* A shim's fork with a vpid from the shared counter (shim/fork.c vc_take):
 * the child believes it is that vpid; nobody has told the supervisor. */
static void counted_fork(struct sup *s, int k, bool fails)
{
	struct proto_vpids *vc = procs_vc(s);
	int32_t v;

	if (k < FAKE_NSLOT && (!fake.p[k].rpid || fake.p[k].state == 'Z'))
		return;
	v = proto_vpids_take(vc);
	if (v == 0)
		return; /* used up or retired: the shim asks with FORK */
	fz_last_v = v;
	fz_last_child = 0;
	if (fails)
		return;
	for (int j = 0; j < FAKE_NSLOT; j++) {
		if (fake_fork(j, slot_rpid(k)) == 0) {
			fz_claim[j] = v;
			fz_last_child = fake.p[j].rpid;
			return;
		}
	}
}

/* Action 6 with a length byte L >= 0xe0: the event FIFO. */
static size_t fifo_step(struct sup *s, int k, uint8_t L, const uint8_t *d, size_t n)
{
	static const size_t fifo_lens[15] = {1,   2,   8,   16,  32,  64,  100, 127,
					     128, 129, 200, 255, 256, 384, 512};
	static uint8_t buf[FZ_REPEAT * PROTO_EVT_SIZE];
	size_t len, take;

	if (L >= 0xf8) {
		counted_fork(s, k, L & 1);
		return 0;
	}
	if (L >= 0xf0)
		return fifo_record(s, k, L & 7, d, n);
	if (L == 0xef) {
		if (!fz_have_rec)
			return 0;
		for (size_t i = 0; i < FZ_REPEAT; i++)
			memcpy(buf + i * PROTO_EVT_SIZE, fz_last_rec, PROTO_EVT_SIZE);
		fifo_write(buf, sizeof(buf));
		return 0;
	}
	len = fifo_lens[L & 15];
	take = len < n ? len : n;
	memset(buf, 0, len);
	memcpy(buf, d, take);
	fifo_write(buf, len);
	return take;
}

/* One message from slot k: 6 structured bytes, or raw bytes. */
static size_t message(struct sup *s, int k, int action, const uint8_t *d, size_t n)
{
	static const size_t lens[16] = {0, 1, 4, 6, 8, 16, 24, 32, 127, 129, 130, 160, 200, 255, 256, 300};
	uint8_t buf[300];
	size_t used, len;
	struct fz_conn *fc;

	if (action == 6 && n > 0 && d[0] >= 0xe0)
		return 1 + fifo_step(s, k, d[0], d + 1, n - 1);
	fc = connect_slot(s, k);
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
	if (action != 5) {
		/* A request handled: the records written before it were first.
		 * (An empty message reads as the peer's close: nothing handled.) */
		bool live = len > 0 && client_of(s, fc->id) != NULL;
		deliver(s, fc);
		fz_check(!live || fifo_pending(s) == 0, "%d bytes left in the FIFO after a request",
			 fifo_pending(s));
	}
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
		for (int j = 0; j < FAKE_NSLOT; j++) {
			if (fake_fork(j, slot_rpid(k)) == 0) {
				fz_claim[j] = 0; /* it learns its vpid from the FORK reply */
				break;
			}
		}
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
		event_pass(s, k & 1);
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
