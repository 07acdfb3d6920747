/* proto.c — pack and validate the fixed-size wire messages (pure, signal-safe). */
#include "proto.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

/* Offsets inside a message.  The header is common to both directions. */
enum {
	OFF_MAGIC = 0,
	OFF_VERSION = 4,
	OFF_OP = 6,
	OFF_SEQ = 8,
	OFF_BODY = 12,
};

static void put_u16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put_u32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint16_t get_u16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t get_u32(const uint8_t *p)
{
	uint32_t v = 0;
	for (int i = 0; i < 4; i++)
		v |= (uint32_t)p[i] << (8 * i);
	return v;
}

static void put_header(uint8_t *buf, uint16_t op, uint32_t seq)
{
	put_u32(buf + OFF_MAGIC, PROTO_MAGIC);
	put_u16(buf + OFF_VERSION, PROTO_VERSION);
	put_u16(buf + OFF_OP, op);
	put_u32(buf + OFF_SEQ, seq);
}

/* Common header checks; on success *op and *seq are set. */
static int get_header(const uint8_t *buf, size_t len, size_t want, uint16_t *op, uint32_t *seq)
{
	if (buf == NULL || len != want)
		return -EMSGSIZE;
	if (get_u32(buf + OFF_MAGIC) != PROTO_MAGIC)
		return -EBADMSG;
	if (get_u16(buf + OFF_VERSION) != PROTO_VERSION)
		return -EPROTO;
	*op = get_u16(buf + OFF_OP);
	*seq = get_u32(buf + OFF_SEQ);
	if (*op == 0 || *op >= PROTO_OP_END_)
		return -EOPNOTSUPP;
	return 0;
}

/* Request body: a b c d (4 x i32) then text. */
#define REQ_OFF_TEXT (OFF_BODY + 16)
_Static_assert(REQ_OFF_TEXT + PROTO_TEXT_REQ <= PROTO_REQ_SIZE, "request layout");

/* Reply body: err, v[6], n, ids[64], text. */
#define REP_OFF_ERR OFF_BODY
#define REP_OFF_V (REP_OFF_ERR + 4)
#define REP_OFF_N (REP_OFF_V + 4 * PROTO_NVAL)
#define REP_OFF_IDS (REP_OFF_N + 4)
#define REP_OFF_TEXT (REP_OFF_IDS + 4 * PROTO_MAX_IDS)
_Static_assert(REP_OFF_TEXT + PROTO_TEXT_REP <= PROTO_REP_SIZE, "reply layout");

void proto_pack_req(const struct proto_req *req, uint8_t *buf)
{
	memset(buf, 0, PROTO_REQ_SIZE);
	put_header(buf, req->op, req->seq);
	put_u32(buf + OFF_BODY + 0, (uint32_t)req->a);
	put_u32(buf + OFF_BODY + 4, (uint32_t)req->b);
	put_u32(buf + OFF_BODY + 8, (uint32_t)req->c);
	put_u32(buf + OFF_BODY + 12, (uint32_t)req->d);
	memcpy(buf + REQ_OFF_TEXT, req->text, PROTO_TEXT_REQ);
}

void proto_pack_rep(const struct proto_rep *rep, uint8_t *buf)
{
	uint32_t n = rep->n <= PROTO_MAX_IDS ? rep->n : PROTO_MAX_IDS;

	memset(buf, 0, PROTO_REP_SIZE);
	put_header(buf, rep->op, rep->seq);
	put_u32(buf + REP_OFF_ERR, (uint32_t)rep->err);
	for (int i = 0; i < PROTO_NVAL; i++)
		put_u32(buf + REP_OFF_V + 4 * i, (uint32_t)rep->v[i]);
	put_u32(buf + REP_OFF_N, n);
	for (uint32_t i = 0; i < n; i++)
		put_u32(buf + REP_OFF_IDS + 4 * i, (uint32_t)rep->ids[i]);
	memcpy(buf + REP_OFF_TEXT, rep->text, PROTO_TEXT_REP);
}

static int in_range(int32_t v, int32_t lo, int32_t hi)
{
	return v >= lo && v <= hi;
}

/* Per-op field rules.  Fields the engine must judge (setpgid's pid and pgid,
 * kill's pid and sig, wait's selector and options) are passed through
 * untouched: their errors are Linux's, and the engine gives them. */
static int req_fields_ok(const struct proto_req *r)
{
	switch (r->op) {
	case PROTO_OP_HELLO:
		return in_range(r->a, 0, PROTO_PID_MAX) && in_range(r->b, 0, 1);
	case PROTO_OP_FORK:
		return ((uint32_t)r->a & ~PROTO_FORK_FLAGS) == 0 && in_range(r->b, 0, PROTO_PID_MAX);
	case PROTO_OP_BIND:
		return in_range(r->a, 2, PROTO_PID_MAX) && in_range(r->b, 0, PROTO_PID_MAX) &&
		       ((uint32_t)r->d & ~PROTO_BIND_FLAGS) == 0 &&
		       (!(r->d & PROTO_BIND_COUNTED) || r->b >= 1);
	case PROTO_OP_KILL:
		return in_range(r->c, 0, PROTO_PID_MAX) && in_range(r->d, 0, PROTO_KILL_NOTE);
	case PROTO_OP_WAIT_SELECT:
		return in_range(r->c, 0, PROTO_PID_MAX) && in_range(r->d, 0, PROTO_WAIT_SETTLE);
	case PROTO_OP_REAPED:
		return in_range(r->a, 0, PROTO_PID_MAX) && in_range(r->b, 1, PROTO_PID_MAX);
	case PROTO_OP_STATE:
		return in_range(r->a, 1, PROTO_PID_MAX) && in_range(r->b, 0, 1);
	case PROTO_OP_XLATE:
		return in_range(r->a, PROTO_XLATE_R2V, PROTO_XLATE_V2R);
	case PROTO_OP_SUBREAPER:
	case PROTO_OP_AUTOREAP:
		return in_range(r->a, 0, 1);
	case PROTO_OP_PGRP_RPIDS:
		return in_range(r->a, 0, PROTO_PID_MAX) && in_range(r->c, 0, PROTO_PID_MAX);
	case PROTO_OP_INFO:
	case PROTO_OP_PROCLIST:
		return in_range(r->a, 0, PROTO_PID_MAX);
	case PROTO_OP_PROCIDS:
		return in_range(r->a, 1, PROTO_PID_MAX) && in_range(r->b, -1, PROTO_PID_MAX);
	case PROTO_OP_NOTIF:
		return in_range(r->a, -1, 1 << 20); /* -1: seize only */
	case PROTO_OP_LASTPID:
		return in_range(r->a, 0, PROTO_PID_MAX);
	case PROTO_OP_CTTY:
		return in_range(r->a, 0, 1) && in_range(r->b, PROTO_CTTY_OPEN, PROTO_CTTY_LOGIN_TTY) &&
		       in_range(r->c, 0, 1);
	default:
		return 1;
	}
}

int proto_unpack_req(const uint8_t *buf, size_t len, struct proto_req *out)
{
	uint16_t op;
	uint32_t seq;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = get_header(buf, len, PROTO_REQ_SIZE, &op, &seq);
	if (rc < 0)
		return rc;
	out->op = op;
	out->seq = seq;
	out->a = (int32_t)get_u32(buf + OFF_BODY + 0);
	out->b = (int32_t)get_u32(buf + OFF_BODY + 4);
	out->c = (int32_t)get_u32(buf + OFF_BODY + 8);
	out->d = (int32_t)get_u32(buf + OFF_BODY + 12);
	memcpy(out->text, buf + REQ_OFF_TEXT, PROTO_TEXT_REQ);
	return req_fields_ok(out) ? 0 : -EINVAL;
}

int proto_unpack_rep(const uint8_t *buf, size_t len, struct proto_rep *out)
{
	uint16_t op;
	uint32_t seq;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = get_header(buf, len, PROTO_REP_SIZE, &op, &seq);
	if (rc < 0)
		return rc;
	out->op = op;
	out->seq = seq;
	out->err = (int32_t)get_u32(buf + REP_OFF_ERR);
	for (int i = 0; i < PROTO_NVAL; i++)
		out->v[i] = (int32_t)get_u32(buf + REP_OFF_V + 4 * i);
	out->n = get_u32(buf + REP_OFF_N);
	/* err is 0 or a negated errno (Linux errnos are below 4096). */
	if (out->n > PROTO_MAX_IDS || out->err > 0 || out->err < -4095) {
		out->n = 0;
		return -EINVAL;
	}
	for (uint32_t i = 0; i < out->n; i++)
		out->ids[i] = (int32_t)get_u32(buf + REP_OFF_IDS + 4 * i);
	memcpy(out->text, buf + REP_OFF_TEXT, PROTO_TEXT_REP);
	return 0;
}

/* Event body after magic, version, op: 8 x i32, at (u64), text. */
enum {
	EVT_OFF_IDS = 8,
	EVT_OFF_AT = EVT_OFF_IDS + 4 * 8,
	EVT_OFF_TEXT = EVT_OFF_AT + 8,
};
_Static_assert(EVT_OFF_TEXT + PROTO_TEXT_EVT == PROTO_EVT_SIZE, "event layout");

void proto_pack_evt(const struct proto_evt *e, uint8_t *buf)
{
	const int32_t ids[8] = {e->sender_v, e->sender_r, e->parent_v, e->parent_r,
				e->a, e->b, e->c, e->d};

	memset(buf, 0, PROTO_EVT_SIZE);
	put_u32(buf + OFF_MAGIC, PROTO_EVT_MAGIC);
	put_u16(buf + OFF_VERSION, PROTO_VERSION);
	put_u16(buf + OFF_OP, e->op);
	for (int i = 0; i < 8; i++)
		put_u32(buf + EVT_OFF_IDS + 4 * i, (uint32_t)ids[i]);
	put_u32(buf + EVT_OFF_AT, (uint32_t)e->at);
	put_u32(buf + EVT_OFF_AT + 4, (uint32_t)(e->at >> 32));
	memcpy(buf + EVT_OFF_TEXT, e->text, PROTO_TEXT_EVT);
}

struct proto_req proto_evt_req(const struct proto_evt *e)
{
	struct proto_req q;

	memset(&q, 0, sizeof(q));
	q.op = e->op;
	q.a = e->a;
	q.b = e->b;
	q.c = e->c;
	q.d = e->d;
	memcpy(q.text, e->text, PROTO_TEXT_EVT < PROTO_TEXT_REQ ? PROTO_TEXT_EVT : PROTO_TEXT_REQ);
	return q;
}

int proto_unpack_evt(const uint8_t *buf, size_t len, struct proto_evt *out)
{
	int32_t ids[8];

	memset(out, 0, sizeof(*out));
	if (buf == NULL || len != PROTO_EVT_SIZE)
		return -EMSGSIZE;
	if (get_u32(buf + OFF_MAGIC) != PROTO_EVT_MAGIC)
		return -EBADMSG;
	if (get_u16(buf + OFF_VERSION) != PROTO_VERSION)
		return -EPROTO;
	out->op = get_u16(buf + OFF_OP);
	if (!proto_is_event(out->op))
		return -EOPNOTSUPP;
	for (int i = 0; i < 8; i++)
		ids[i] = (int32_t)get_u32(buf + EVT_OFF_IDS + 4 * i);
	out->sender_v = ids[0];
	out->sender_r = ids[1];
	out->parent_v = ids[2];
	out->parent_r = ids[3];
	out->a = ids[4];
	out->b = ids[5];
	out->c = ids[6];
	out->d = ids[7];
	out->at = get_u32(buf + EVT_OFF_AT) | (uint64_t)get_u32(buf + EVT_OFF_AT + 4) << 32;
	memcpy(out->text, buf + EVT_OFF_TEXT, PROTO_TEXT_EVT);
	struct proto_req q = proto_evt_req(out);
	/* The sender is a process of the tree (never init); a parent is
	 * either fully known or not at all. */
	if (!in_range(out->sender_v, 2, PROTO_PID_MAX) || !in_range(out->sender_r, 1, PROTO_PID_MAX) ||
	    !in_range(out->parent_v, 0, PROTO_PID_MAX) || !in_range(out->parent_r, 0, PROTO_PID_MAX) ||
	    (out->parent_v == 0) != (out->parent_r == 0) || !req_fields_ok(&q))
		return -EINVAL;
	return 0;
}

int proto_is_event(uint16_t op)
{
	/* SETPGID: only setpgid(0, 0) of a fork child and a parent's
	 * setpgid(child, child), made and answered by the shim
	 * (shim/viewwrite.c); KILL: only the note of a kill(0) about to be
	 * sent for real (PROTO_KILL_NOTE, shim/kill.c); the supervisor
	 * refuses any other form. */
	return proto_is_oneway(op) || op == PROTO_OP_HELLO || op == PROTO_OP_SETPGID || op == PROTO_OP_KILL;
}

int proto_is_oneway(uint16_t op)
{
	return op == PROTO_OP_BIND || op == PROTO_OP_EXEC || op == PROTO_OP_REAPED ||
	       op == PROTO_OP_STATE;
}

const char *proto_op_name(uint16_t op)
{
	static const char *const names[PROTO_OP_END_] = {
		[PROTO_OP_HELLO] = "hello",
		[PROTO_OP_FORK] = "fork",
		[PROTO_OP_BIND] = "bind",
		[PROTO_OP_EXEC] = "exec",
		[PROTO_OP_SETSID] = "setsid",
		[PROTO_OP_SETPGID] = "setpgid",
		[PROTO_OP_GETPGID] = "getpgid",
		[PROTO_OP_GETSID] = "getsid",
		[PROTO_OP_GETPPID] = "getppid",
		[PROTO_OP_KILL] = "kill",
		[PROTO_OP_WAIT_SELECT] = "wait_select",
		[PROTO_OP_REAPED] = "reaped",
		[PROTO_OP_STATE] = "state",
		[PROTO_OP_XLATE] = "xlate",
		[PROTO_OP_TCGETPGRP] = "tcgetpgrp",
		[PROTO_OP_TCSETPGRP] = "tcsetpgrp",
		[PROTO_OP_INFO] = "info",
		[PROTO_OP_CHECK] = "check",
		[PROTO_OP_SUBREAPER] = "subreaper",
		[PROTO_OP_PGRP_RPIDS] = "pgrp_rpids",
		[PROTO_OP_PROCIDS] = "procids",
		[PROTO_OP_PROCLIST] = "proclist",
		[PROTO_OP_NOTIF] = "notif",
		[PROTO_OP_CTTY] = "ctty",
		[PROTO_OP_LASTPID] = "lastpid",
		[PROTO_OP_INITPROXY] = "initproxy",
		[PROTO_OP_AUTOREAP] = "autoreap",
	};
	if (op == 0 || op >= PROTO_OP_END_)
		return "?";
	return names[op];
}

bool proto_evt_write(int fd, const struct proto_evt *e)
{
	uint8_t buf[PROTO_EVT_SIZE];
	ssize_t n;

	proto_pack_evt(e, buf);
	do
		n = write(fd, buf, sizeof(buf));
	while (n < 0 && errno == EINTR);
	return n == (ssize_t)sizeof(buf);
}
