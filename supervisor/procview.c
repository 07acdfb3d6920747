/* procview.c — PROCIDS and PROCLIST: the model's ids for the shim's virtual view of /proc. */
#include "sup.h"

#include <errno.h>

/*
 * The shim rewrites what a tree process reads in /proc (shim/procfs.c,
 * shim/procdir.c): the listing and the ids inside stat and status.  Both
 * questions are answered from the model alone, one round trip each (a
 * listing page holds PROTO_MAX_IDS / 2 processes).  Init (vpid 1) is the
 * supervisor itself, whose real pid the model does not hold.
 */

/* The real pid behind vpid: 0 when unbound or unknown. */
static int64_t procview_rpid(struct sup *s, int32_t vpid)
{
	int64_t r;

	if (vpid == 1)
		return s->self_rpid;
	r = eng_vpid_to_rpid(s->eng, vpid);
	return r > 0 ? r : 0;
}

/* PROCIDS: the ids /proc/<a>/stat shows inside the tree.  The parent of
 * the topmost process is init (1); a process whose parent is no tree
 * process has none (0), as across a pid namespace.  tpgid: the real file
 * says whether there is a controlling terminal (b <= 0 passes through);
 * when there is one, its real foreground group names the virtual one (a
 * real group id is its creator's rpid), as tcgetpgrp and `jobshim ps`
 * answer: the kernel knows of every change, glibc's spawn child's
 * tcsetpgrp (posix_spawn_file_actions_addtcsetpgrp_np) included.  A group
 * outside the tree (the user's terminal held by jobshim's group or the
 * user's shell) or whose creator is gone: the session's virtual record
 * (term.c). */
int procview_ids(struct sup *s, const struct proto_req *q, struct proto_rep *r)
{
	struct eng_pinfo pi;
	int64_t rpid = procview_rpid(s, q->a);
	int32_t fg = 0, who = q->a;

	/* /proc/<tid>/stat of a tree process's other thread (its id is real:
	 * shim/thread.c): its process's ids. */
	if (rpid <= 0 && q->a > 1 && (who = ops_thread_owner(s, q->a)) > 0)
		rpid = q->a;
	if (rpid <= 0)
		return -ESRCH;
	ops_settle_parents(s, who);
	if (eng_info(s->eng, who, &pi) < 0)
		return -ESRCH;
	r->v[0] = pi.ppid > 0 ? pi.ppid : 0;
	r->v[1] = pi.pgid;
	r->v[2] = pi.sid;
	if (q->b <= 0)
		r->v[3] = q->b;
	else if ((fg = eng_rpid_to_vpid(s->eng, q->b)) <= 1)
		r->v[3] = term_getpgrp(s, who, &fg) == 0 ? fg : 0;
	else
		r->v[3] = fg;
	r->v[4] = (int32_t)rpid;
	return 0;
}

/* PROCLIST: (vpid, rpid) pairs from vpid a on; unbound processes (a
 * reservation whose fork has not happened) have no /proc entry yet. */
int procview_list(struct sup *s, const struct proto_req *q, struct proto_rep *r)
{
	int32_t v;
	uint32_t n = 0;

	if (q->a <= 2)
		procs_adopt_orphans(s); /* the first page: what ps would list natively */
	v = eng_next(s->eng, q->a);

	for (; v > 0; v = eng_next(s->eng, v + 1)) {
		int64_t rpid = procview_rpid(s, v);

		if (rpid <= 0)
			continue;
		if (n + 2 > PROTO_MAX_IDS) {
			r->v[0] = v;
			break;
		}
		r->ids[n++] = v;
		r->ids[n++] = (int32_t)rpid;
	}
	r->n = n;
	return 0;
}
