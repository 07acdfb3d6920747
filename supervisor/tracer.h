/* tracer.h — messages between the supervisor and its ptrace tracer process (fork and wait of filtered images). */
#ifndef JOBSHIM_TRACER_H
#define JOBSHIM_TRACER_H

#include "../core/proto.h"

#include <stdint.h>
#include <sys/types.h>

/*
 * One SOCK_SEQPACKET socketpair.  The tracer asks, the supervisor answers
 * at once from its loop (it never waits for the tracer there); the one
 * question the supervisor asks (SEIZE) it waits for, answering the
 * tracer's own questions meanwhile, and the tracer answers SEIZE even
 * while it waits for an answer itself: neither side can deadlock.
 */
enum trc_op {
	TRC_SEIZE = 1, /* sup -> tracer: a = rpid, b = its vpid (0 unknown).  reply err. */
	TRC_FORK,      /* tracer -> sup: tid forked a (rpid).  reply v[0] = the child's vpid. */
	TRC_SELECT,    /* tracer -> sup: tid's wait4 selector a, options b.
			* reply: err, n ids = (vpid, rpid) pairs, v[0..n). */
	TRC_ALL,       /* as TRC_SELECT with a = -1: every child of tid. */
	TRC_DONE,      /* tracer -> sup: tid's wait returned rpid a with wait
			* status b (c = 1: WNOWAIT, not reaped).  reply v[0] = a's vpid, 0 unknown. */
	TRC_SETPGID,   /* tracer -> sup: tid's setpgid(a, b), the engine's operation.
			* reply err; v[0] = the target's rpid (0: the caller itself,
			* -1: unknown), v[1] = the group's real mirror (0: none). */
	TRC_SETSID,    /* tracer -> sup: tid's setsid.  reply err, v[0] = the new sid. */
	TRC_XLATE,     /* tracer -> sup: an id tid hands the kernel: a = id, b = 0 a
			* process or thread, 1 a process group, 2 a thread (the
			* caller's real pid too: its main thread's real tid, which libc
			* keeps).  reply v[0] = the real id (shim_xlate_tid's rule;
			* TRC_PID_NONE: nobody). */
	TRC_SUBREAPER, /* tracer -> sup: tid's prctl(PR_SET_CHILD_SUBREAPER, a) succeeded. */
	TRC_R2V,       /* tracer -> sup: an id the kernel gave tid back: a = the real id,
			* b = 0 a process or thread, 1 a process group, 2 a session.
			* reply v[0] = the virtual id (fdowner.c's and tty.c's rule), 0: none
			* of the tree's (a session: err -ENOTTY). */
	TRC_TCPGRP,    /* tracer -> sup: tid's terminal foreground group.  a = 0: the
			* kernel said real group b; reply v[0] = the virtual one.  a = 1:
			* the real tcsetpgrp to virtual group b succeeded: the engine records it. */
	TRC_BELL,      /* tracer -> sup, its first message: a = the doorbell's
			* rpid (0: none).  No reply.  After each message it sends,
			* the supervisor rings the doorbell (SIGUSR1): tracer.c. */
	TRC_REPLY,     /* an answer */
};

#define TRC_NV PROTO_MAX_IDS
#define TRC_PID_NONE 0x7fffffff /* a pid no process has (as SHIM_PID_NONE) */

struct trc_msg {
	int32_t op;
	int32_t tid;
	int32_t a, b, c;
	int32_t err;
	int32_t n;
	int32_t v[TRC_NV];
};

/* tracer.c: the tracer process's main loop on fd (never returns); vc:
 * the shared vpid counter (NULL: none), fifo: the event FIFO (-1: none). */
void tracer_main(int fd, struct proto_vpids *vc, int fifo) __attribute__((noreturn));

#endif
