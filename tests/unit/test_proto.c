/* test_proto.c — check suite for core/proto.c: round trips and malformed messages. */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"

static struct proto_req sample_req(uint16_t op)
{
	struct proto_req r;
	memset(&r, 0, sizeof(r));
	r.op = op;
	r.seq = 0xdeadbeef;
	r.a = 3;
	r.b = 4;
	r.c = 0;
	r.d = -7;
	memcpy(r.text, "/bin/sh", 8);
	return r;
}

START_TEST(req_round_trip)
{
	uint8_t buf[PROTO_REQ_SIZE];
	for (uint16_t op = 1; op < PROTO_OP_END_; op++) {
		struct proto_req in = sample_req(op), out;
		if (op == PROTO_OP_HELLO || op == PROTO_OP_STATE || op == PROTO_OP_XLATE)
			in.b = 1;
		if (op == PROTO_OP_FORK)
			in.a = PROTO_FORK_SETSID;
		if (op == PROTO_OP_XLATE)
			in.a = PROTO_XLATE_V2R;
		if (op == PROTO_OP_SUBREAPER || op == PROTO_OP_AUTOREAP)
			in.a = 1;
		if (op == PROTO_OP_CTTY) {
			in.a = 1;
			in.b = PROTO_CTTY_TIOCSCTTY;
		}
		if (op == PROTO_OP_BIND)
			in.d = PROTO_BIND_COUNTED;
		if (op == PROTO_OP_KILL)
			in.d = PROTO_KILL_REAL_OK;
		if (op == PROTO_OP_WAIT_SELECT)
			in.d = PROTO_WAIT_SETTLE;
		proto_pack_req(&in, buf);
		ck_assert_msg(proto_unpack_req(buf, sizeof(buf), &out) == 0, "op %s", proto_op_name(op));
		ck_assert_uint_eq(out.op, op);
		ck_assert_uint_eq(out.seq, in.seq);
		ck_assert_int_eq(out.a, in.a);
		ck_assert_int_eq(out.b, in.b);
		ck_assert_int_eq(out.d, in.d);
		ck_assert_mem_eq(out.text, in.text, PROTO_TEXT_REQ);
	}
}
END_TEST

START_TEST(rep_round_trip)
{
	uint8_t buf[PROTO_REP_SIZE];
	struct proto_rep in, out;
	memset(&in, 0, sizeof(in));
	in.op = PROTO_OP_KILL;
	in.seq = 42;
	in.err = -ESRCH;
	for (int i = 0; i < PROTO_NVAL; i++)
		in.v[i] = -i * 1000;
	in.n = PROTO_MAX_IDS;
	for (int i = 0; i < PROTO_MAX_IDS; i++)
		in.ids[i] = i * 7919;
	memcpy(in.text, "sleep", 6);
	proto_pack_rep(&in, buf);
	ck_assert_int_eq(proto_unpack_rep(buf, sizeof(buf), &out), 0);
	ck_assert_mem_eq(&in, &out, sizeof(in));
}
END_TEST

/* Malformed requests: each row corrupts a packed valid message. */
struct bad_row {
	const char *what;
	size_t off;       /* byte to overwrite, or SIZE_MAX for none */
	uint8_t byte;
	size_t len;       /* length passed to unpack */
	int want;
};

START_TEST(req_malformed)
{
	static const struct bad_row rows[] = {
		{"empty", SIZE_MAX, 0, 0, -EMSGSIZE},
		{"truncated", SIZE_MAX, 0, PROTO_REQ_SIZE - 1, -EMSGSIZE},
		{"oversized", SIZE_MAX, 0, PROTO_REQ_SIZE + 1, -EMSGSIZE},
		{"bad magic", 0, 0x00, PROTO_REQ_SIZE, -EBADMSG},
		{"bad magic high byte", 3, 0x00, PROTO_REQ_SIZE, -EBADMSG},
		{"version 2", 4, 2, PROTO_REQ_SIZE, -EPROTO},
		{"version 0", 4, 0, PROTO_REQ_SIZE, -EPROTO},
		{"op 0", 6, 0, PROTO_REQ_SIZE, -EOPNOTSUPP},
		{"op past the end", 6, PROTO_OP_END_, PROTO_REQ_SIZE, -EOPNOTSUPP},
		{"op high byte", 7, 1, PROTO_REQ_SIZE, -EOPNOTSUPP},
	};
	uint8_t buf[PROTO_REQ_SIZE + 8];
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct proto_req in = sample_req(PROTO_OP_GETPGID), out;
		memset(buf, 0xa5, sizeof(buf));
		proto_pack_req(&in, buf);
		if (rows[i].off != SIZE_MAX)
			buf[rows[i].off] = rows[i].byte;
		int rc = proto_unpack_req(rows[i].len ? buf : NULL, rows[i].len, &out);
		ck_assert_msg(rc == rows[i].want, "%s: got %d want %d", rows[i].what, rc, rows[i].want);
		ck_assert_msg(out.op == 0 || rc == -EINVAL, "%s: output not cleared", rows[i].what);
	}
}
END_TEST

/* Field rules per op: ids out of range are refused. */
struct field_row {
	const char *what;
	uint16_t op;
	int32_t a, b, c;
	int want;
	int32_t d; /* after want: the rows that leave it 0 stay short */
};

START_TEST(req_fields)
{
	static const struct field_row rows[] = {
		{"hello: negative claim", PROTO_OP_HELLO, -1, 0, 0, -EINVAL, 0},
		{"hello: claim past pid max", PROTO_OP_HELLO, PROTO_PID_MAX + 1, 0, 0, -EINVAL, 0},
		{"hello: ps flag 2", PROTO_OP_HELLO, 0, 2, 0, -EINVAL, 0},
		{"hello: ok", PROTO_OP_HELLO, 5, 1, 0, 0, 0},
		{"fork: unknown flag", PROTO_OP_FORK, 0x4, 0, 0, -EINVAL, 0},
		{"fork: negative pgid", PROTO_OP_FORK, PROTO_FORK_SETPGROUP, -3, 0, -EINVAL, 0},
		{"fork: setpgroup", PROTO_OP_FORK, PROTO_FORK_SETPGROUP, 9, 0, 0, 0},
		{"bind: vpid 1", PROTO_OP_BIND, 1, 100, 0, -EINVAL, 0},
		{"bind: negative rpid", PROTO_OP_BIND, 5, -1, 0, -EINVAL, 0},
		{"bind: failed fork", PROTO_OP_BIND, 5, 0, 0, 0, 0},
		{"bind: counted", PROTO_OP_BIND, 5, 100, 0, 0, PROTO_BIND_COUNTED},
		{"bind: counted, no rpid", PROTO_OP_BIND, 5, 0, 0, -EINVAL, PROTO_BIND_COUNTED},
		{"bind: counted, vpid 1", PROTO_OP_BIND, 1, 100, 0, -EINVAL, PROTO_BIND_COUNTED},
		{"bind: autoreap", PROTO_OP_BIND, 5, 100, 0, 0, PROTO_BIND_AUTOREAP},
		{"bind: counted, autoreap", PROTO_OP_BIND, 5, 100, 0, 0, PROTO_BIND_COUNTED | PROTO_BIND_AUTOREAP},
		{"bind: autoreap, no rpid", PROTO_OP_BIND, 5, 0, 0, 0, PROTO_BIND_AUTOREAP},
		{"bind: d 4", PROTO_OP_BIND, 5, 100, 0, -EINVAL, 4},
		{"bind: negative d", PROTO_OP_BIND, 5, 100, 0, -EINVAL, -1},
		{"kill: negative offset", PROTO_OP_KILL, 3, 9, -1, -EINVAL, 0},
		{"kill: real group ok", PROTO_OP_KILL, -3, 15, 0, 0, PROTO_KILL_REAL_OK},
		{"kill: real kill(0) sent", PROTO_OP_KILL, 0, 15, 0, 0, PROTO_KILL_REAL_SENT},
		{"kill: note", PROTO_OP_KILL, 0, 15, 0, 0, PROTO_KILL_NOTE},
		{"kill: d 4", PROTO_OP_KILL, -3, 15, 0, -EINVAL, 4},
		{"kill: negative d", PROTO_OP_KILL, -3, 15, 0, -EINVAL, -1},
		{"wait_select: negative offset", PROTO_OP_WAIT_SELECT, 0, 0, -1, -EINVAL, 0},
		{"wait_select: any selector and options pass", PROTO_OP_WAIT_SELECT, INT32_MIN, -1, 0, 0, 0},
		{"wait_select: settle", PROTO_OP_WAIT_SELECT, -1, 1, 0, 0, PROTO_WAIT_SETTLE},
		{"wait_select: d 2", PROTO_OP_WAIT_SELECT, -1, 1, 0, -EINVAL, 2},
		{"kill: any pid and sig pass (Linux judges)", PROTO_OP_KILL, INT32_MIN, 999, 0, 0, 0},
		{"setpgid: negative values pass (engine judges)", PROTO_OP_SETPGID, -5, -5, 0, 0, 0},
		{"reaped: rpid 0", PROTO_OP_REAPED, 3, 0, 0, -EINVAL, 0},
		{"state: b 2", PROTO_OP_STATE, 10, 2, 0, -EINVAL, 0},
		{"xlate: direction 2", PROTO_OP_XLATE, 2, 10, 0, -EINVAL, 0},
		{"info: negative start", PROTO_OP_INFO, -1, 0, 0, -EINVAL, 0},
		{"subreaper: a 2", PROTO_OP_SUBREAPER, 2, 0, 0, -EINVAL, 0},
		{"subreaper: negative", PROTO_OP_SUBREAPER, -1, 0, 0, -EINVAL, 0},
		{"subreaper: on", PROTO_OP_SUBREAPER, 1, 0, 0, 0, 0},
		{"subreaper: off", PROTO_OP_SUBREAPER, 0, 0, 0, 0, 0},
		{"autoreap: on", PROTO_OP_AUTOREAP, 1, 0, 0, 0, 0},
		{"autoreap: off", PROTO_OP_AUTOREAP, 0, 0, 0, 0, 0},
		{"autoreap: a 2", PROTO_OP_AUTOREAP, 2, 0, 0, -EINVAL, 0},
		{"pgrp_rpids: negative group", PROTO_OP_PGRP_RPIDS, -2, 0, 0, -EINVAL, 0},
		{"pgrp_rpids: negative offset", PROTO_OP_PGRP_RPIDS, 5, 0, -1, -EINVAL, 0},
		{"pgrp_rpids: own group", PROTO_OP_PGRP_RPIDS, 0, 0, 0, 0, 0},
		{"pgrp_rpids: group, page 2", PROTO_OP_PGRP_RPIDS, 7, 0, 64, 0, 0},
		{"procids: vpid 0", PROTO_OP_PROCIDS, 0, -1, 0, -EINVAL, 0},
		{"procids: tpgid -2", PROTO_OP_PROCIDS, 5, -2, 0, -EINVAL, 0},
		{"procids: no tty", PROTO_OP_PROCIDS, 5, -1, 0, 0, 0},
		{"procids: init", PROTO_OP_PROCIDS, 1, 4321, 0, 0, 0},
		{"proclist: negative start", PROTO_OP_PROCLIST, -1, 0, 0, -EINVAL, 0},
		{"proclist: from 0", PROTO_OP_PROCLIST, 0, 0, 0, 0, 0},
		{"ctty: a 2", PROTO_OP_CTTY, 2, 0, 0, -EINVAL, 0},
		{"ctty: how past the last", PROTO_OP_CTTY, 1, PROTO_CTTY_LOGIN_TTY + 1, 0, -EINVAL, 0},
		{"ctty: acquired by open", PROTO_OP_CTTY, 1, PROTO_CTTY_OPEN, 0, 0, 0},
		{"lastpid: negative", PROTO_OP_LASTPID, -1, 0, 0, -EINVAL, 0},
		{"lastpid: past the pid bound", PROTO_OP_LASTPID, PROTO_PID_MAX + 1, 0, 0, -EINVAL, 0},
		{"lastpid: 0", PROTO_OP_LASTPID, 0, 0, 0, 0, 0},
	};
	uint8_t buf[PROTO_REQ_SIZE];
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct proto_req in, out;
		memset(&in, 0, sizeof(in));
		in.op = rows[i].op;
		in.a = rows[i].a;
		in.b = rows[i].b;
		in.c = rows[i].c;
		in.d = rows[i].d;
		proto_pack_req(&in, buf);
		int rc = proto_unpack_req(buf, sizeof(buf), &out);
		ck_assert_msg(rc == rows[i].want, "%s: got %d want %d", rows[i].what, rc, rows[i].want);
	}
}
END_TEST

START_TEST(rep_malformed)
{
	uint8_t buf[PROTO_REP_SIZE];
	struct proto_rep in, out;
	memset(&in, 0, sizeof(in));
	in.op = PROTO_OP_WAIT_SELECT;
	proto_pack_rep(&in, buf);
	ck_assert_int_eq(proto_unpack_rep(buf, PROTO_REQ_SIZE, &out), -EMSGSIZE);
	/* n past PROTO_MAX_IDS: would overflow ids[] if trusted. */
	buf[12 + 4 + 4 * PROTO_NVAL] = PROTO_MAX_IDS + 1;
	ck_assert_int_eq(proto_unpack_rep(buf, sizeof(buf), &out), -EINVAL);
	ck_assert_uint_eq(out.n, 0);
	/* A positive err is not an errno. */
	proto_pack_rep(&in, buf);
	buf[12] = 5;
	ck_assert_int_eq(proto_unpack_rep(buf, sizeof(buf), &out), -EINVAL);
}
END_TEST

/* Fill buf with xorshift32 bytes; the state is kept in *x. */
static void random_fill(uint8_t *buf, size_t len, uint32_t *x)
{
	for (size_t i = 0; i < len; i++) {
		*x ^= *x << 13;
		*x ^= *x >> 17;
		*x ^= *x << 5;
		buf[i] = (uint8_t)*x;
	}
}

/* Random bytes never crash the decoder and never yield an op out of range. */
START_TEST(req_random_bytes)
{
	uint8_t buf[PROTO_REQ_SIZE];
	uint32_t x = 2463534242u;
	for (int iter = 0; iter < 200000; iter++) {
		random_fill(buf, sizeof(buf), &x);
		if (iter & 1) { /* keep a valid header half the time to reach the field checks */
			struct proto_req h;
			memset(&h, 0, sizeof(h));
			h.op = (uint16_t)(1 + x % (PROTO_OP_END_ - 1));
			uint8_t hdr[PROTO_REQ_SIZE];
			proto_pack_req(&h, hdr);
			memcpy(buf, hdr, 8);
		}
		struct proto_req out;
		int rc = proto_unpack_req(buf, sizeof(buf), &out);
		if (rc == 0)
			ck_assert(out.op > 0 && out.op < PROTO_OP_END_);
	}
}
END_TEST

static struct proto_evt sample_evt(uint16_t op)
{
	struct proto_evt e = {.op = op, .sender_v = 7, .sender_r = 4242, .parent_v = 3,
			      .parent_r = 4000, .at = 0x0123456789abcdefull};

	if (op == PROTO_OP_BIND) {
		e.a = 9;
		e.b = 4300;
		e.d = PROTO_BIND_COUNTED;
	} else if (op == PROTO_OP_REAPED) {
		e.a = 9;
		e.b = 4300;
		e.c = 0x0100;
	} else if (op == PROTO_OP_STATE) {
		e.a = 4300;
		e.b = 1;
	} else {
		memset(e.text, 'x', sizeof(e.text)); /* no NUL needed */
	}
	return e;
}

START_TEST(evt_round_trip)
{
	const uint16_t ops[] = {PROTO_OP_BIND, PROTO_OP_REAPED, PROTO_OP_STATE, PROTO_OP_EXEC};

	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		struct proto_evt in = sample_evt(ops[i]), out;
		uint8_t buf[PROTO_EVT_SIZE];
		proto_pack_evt(&in, buf);
		ck_assert_int_eq(proto_unpack_evt(buf, sizeof(buf), &out), 0);
		ck_assert(in.op == out.op && in.sender_v == out.sender_v &&
			  in.sender_r == out.sender_r && in.parent_v == out.parent_v &&
			  in.parent_r == out.parent_r && in.a == out.a && in.b == out.b &&
			  in.c == out.c && in.d == out.d && in.at == out.at &&
			  memcmp(in.text, out.text, sizeof(in.text)) == 0);
		struct proto_req q = proto_evt_req(&out);
		ck_assert_int_eq(q.op, ops[i]);
		ck_assert_int_eq(q.a, in.a);
		ck_assert_int_eq(q.c, in.c);
	}
}
END_TEST

/* Every way an event record can be wrong is refused with its own errno. */
START_TEST(evt_malformed)
{
	struct proto_evt e = sample_evt(PROTO_OP_BIND), out;
	uint8_t buf[PROTO_EVT_SIZE];
	proto_pack_evt(&e, buf);
	ck_assert_int_eq(proto_unpack_evt(buf, sizeof(buf) - 1, &out), -EMSGSIZE);
	ck_assert_int_eq(proto_unpack_evt(NULL, 0, &out), -EMSGSIZE);
	buf[0] ^= 1;
	ck_assert_int_eq(proto_unpack_evt(buf, sizeof(buf), &out), -EBADMSG);
	buf[0] ^= 1;
	buf[4] = 9; /* version */
	ck_assert_int_eq(proto_unpack_evt(buf, sizeof(buf), &out), -EPROTO);

	/* Ops that are not events, and per-field rules. */
	struct proto_evt bad = e;
	bad.op = PROTO_OP_WAIT_SELECT;
	proto_pack_evt(&bad, buf);
	ck_assert_int_eq(proto_unpack_evt(buf, sizeof(buf), &out), -EOPNOTSUPP);
	struct proto_evt edits[8];
	for (int i = 0; i < 8; i++)
		edits[i] = e;
	edits[0].sender_v = 1;      /* init never writes */
	edits[1].sender_r = 0;
	edits[2].parent_v = 0;      /* half a parent */
	edits[3].parent_r = -5;
	edits[4].d = 4;             /* BIND d: PROTO_BIND_FLAGS bits only */
	edits[5].a = 1;             /* BIND of init */
	edits[6].b = 0;             /* counted BIND without an rpid */
	edits[7].sender_r = PROTO_PID_MAX + 1;
	for (int i = 0; i < 8; i++) {
		proto_pack_evt(&edits[i], buf);
		ck_assert_msg(proto_unpack_evt(buf, sizeof(buf), &out) == -EINVAL, "edit %d", i);
		ck_assert_int_eq(out.op, edits[i].op);
	}
	struct proto_evt none = e;
	none.parent_v = 0;
	none.parent_r = 0;          /* no parent known: fine */
	proto_pack_evt(&none, buf);
	ck_assert_int_eq(proto_unpack_evt(buf, sizeof(buf), &out), 0);
}
END_TEST

START_TEST(evt_random_bytes)
{
	uint8_t buf[PROTO_EVT_SIZE];
	uint32_t x = 88172645u;

	for (int iter = 0; iter < 200000; iter++) {
		random_fill(buf, sizeof(buf), &x);
		if (iter & 1) { /* a valid header half the time */
			struct proto_evt h = sample_evt(PROTO_OP_BIND);
			uint8_t hdr[PROTO_EVT_SIZE];
			h.op = (uint16_t)(x % 3 == 0 ? PROTO_OP_BIND : x % 3 == 1 ? PROTO_OP_REAPED
										   : PROTO_OP_STATE);
			proto_pack_evt(&h, hdr);
			memcpy(buf, hdr, 8);
		}
		struct proto_evt out;
		if (proto_unpack_evt(buf, sizeof(buf), &out) == 0)
			ck_assert(out.sender_v >= 2 && out.sender_r >= 1 &&
				  proto_is_event(out.op));
	}
}
END_TEST

static bool no_thread(int32_t v)
{
	(void)v;
	return false;
}

static bool thread_at_5(int32_t v)
{
	return v == 5;
}

/* The vpid counter's run (proto_vpids.run): takes go through it in
 * order, skip the ids a thread holds, stop at its end; a give-back
 * returns only the last id taken, and never into a run armed since. */
START_TEST(vpids_run)
{
	struct proto_vpids vc;

	memset(&vc, 0, sizeof(vc));
	ck_assert_int_eq(proto_vpids_take(&vc), 0); /* no run */
	atomic_store(&vc.run, proto_vpids_pack(3, 6));
	ck_assert_int_eq(proto_vpids_next(atomic_load(&vc.run)), 3);
	ck_assert_int_eq(proto_vpids_max(atomic_load(&vc.run)), 6);
	ck_assert_int_eq(proto_vpids_take(&vc), 3);
	ck_assert_int_eq(proto_vpids_take_free(&vc, thread_at_5), 4);
	proto_vpids_give_back(&vc, 3); /* not the last one taken: stays a gap */
	ck_assert_int_eq(proto_vpids_next(atomic_load(&vc.run)), 5);
	proto_vpids_give_back(&vc, 4);
	ck_assert_int_eq(proto_vpids_take_free(&vc, thread_at_5), 4);
	ck_assert_int_eq(proto_vpids_take_free(&vc, thread_at_5), 6); /* 5: a thread's */
	ck_assert_int_eq(proto_vpids_take(&vc), 0);                  /* used up */
	ck_assert_int_eq(proto_vpids_take(&vc), 0);
	ck_assert(!proto_vpids_left(atomic_load(&vc.run)));
	proto_vpids_give_back(&vc, 6);
	ck_assert_int_eq(proto_vpids_take_free(&vc, no_thread), 6);
	/* A new run, [300, 301]: a late give-back of 6 does not touch it. */
	atomic_store(&vc.run, proto_vpids_pack(300, 301));
	proto_vpids_give_back(&vc, 6);
	ck_assert_int_eq(proto_vpids_take(&vc), 300);
	proto_vpids_give_back(&vc, 299);
	ck_assert_int_eq(proto_vpids_take(&vc), 301);
	ck_assert_int_eq(proto_vpids_take(&vc), 0);
	/* Emptied (max 0, as LASTPID leaves it): next stays readable. */
	atomic_store(&vc.run, proto_vpids_pack(42, 0));
	ck_assert_int_eq(proto_vpids_take(&vc), 0);
	ck_assert_int_eq(proto_vpids_next(atomic_load(&vc.run)), 42);
}
END_TEST

START_TEST(op_names)
{
	ck_assert_str_eq(proto_op_name(PROTO_OP_SETPGID), "setpgid");
	ck_assert_str_eq(proto_op_name(PROTO_OP_SUBREAPER), "subreaper");
	ck_assert_str_eq(proto_op_name(PROTO_OP_AUTOREAP), "autoreap");
	ck_assert_str_eq(proto_op_name(PROTO_OP_PGRP_RPIDS), "pgrp_rpids");
	ck_assert_str_eq(proto_op_name(PROTO_OP_PROCIDS), "procids");
	ck_assert_str_eq(proto_op_name(PROTO_OP_PROCLIST), "proclist");
	ck_assert(!proto_is_oneway(PROTO_OP_PROCLIST));
	ck_assert_str_eq(proto_op_name(PROTO_OP_CTTY), "ctty");
	ck_assert_str_eq(proto_op_name(PROTO_OP_LASTPID), "lastpid");
	ck_assert(!proto_is_oneway(PROTO_OP_LASTPID));
	ck_assert(!proto_is_oneway(PROTO_OP_SUBREAPER));
	ck_assert_str_eq(proto_op_name(0), "?");
	ck_assert_str_eq(proto_op_name(PROTO_OP_END_), "?");
	ck_assert(proto_is_oneway(PROTO_OP_BIND));
	ck_assert(!proto_is_oneway(PROTO_OP_KILL));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("proto");
	TCase *tc = tcase_create("round trips");
	tcase_add_test(tc, req_round_trip);
	tcase_add_test(tc, rep_round_trip);
	tcase_add_test(tc, op_names);
	tcase_add_test(tc, vpids_run);
	tcase_add_test(tc, evt_round_trip);
	suite_add_tcase(s, tc);
	tc = tcase_create("malformed messages");
	tcase_add_test(tc, req_malformed);
	tcase_add_test(tc, req_fields);
	tcase_add_test(tc, rep_malformed);
	tcase_add_test(tc, req_random_bytes);
	tcase_add_test(tc, evt_malformed);
	tcase_add_test(tc, evt_random_bytes);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
