/* shim.h — internal interface shared by the shim's interposer files. */
#ifndef JOBSHIM_SHIM_H
#define JOBSHIM_SHIM_H

/*
 * The shim is thin: each wrapper packs a request, sends it over the
 * process's own connection, unpacks the reply and sets errno (last line,
 * failure only).  Everything here is async-signal-safe: no malloc, stdio,
 * getenv or dlsym on a wrapper path.  Real libc entry points are resolved
 * once (constructor or first use) into real_* pointers; the shim never calls
 * an interposed name itself.
 *
 * Environment (set by the supervisor, copied at init because programs clear
 * their environment):
 *   JOBSHIM_SOCKET  path of the supervisor's SOCK_SEQPACKET socket
 *   JOBSHIM_LIB     absolute path of libjobshim.so (re-inserted into
 *                   LD_PRELOAD by the exec wrappers)
 *   JOBSHIM_SELF    "VPID:RPID" — the identity handed to a new image by the
 *                   exec wrappers; trusted only when RPID is the real pid.
 */

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "../core/proto.h"

#define SHIM_EXPORT __attribute__((visibility("default")))

/* ---- real functions (shim/real.c) ------------------------------------ */

struct rusage;
struct shim_real {
	pid_t (*fork)(void);
	pid_t (*vfork)(void);
	pid_t (*_Fork)(void);
	int (*execve)(const char *, char *const[], char *const[]);
	int (*execvpe)(const char *, char *const[], char *const[]);
	int (*fexecve)(int, char *const[], char *const[]);
	int (*posix_spawn)(pid_t *, const char *, const void *, const void *,
			   char *const[], char *const[]);
	int (*posix_spawnp)(pid_t *, const char *, const void *, const void *,
			    char *const[], char *const[]);
	pid_t (*getpid)(void);
	pid_t (*getppid)(void);
	pid_t (*getpgid)(pid_t);
	pid_t (*getsid)(pid_t);
	pid_t (*setsid)(void);
	int (*setpgid)(pid_t, pid_t);
	int (*kill)(pid_t, int);
	int (*sigqueue)(pid_t, int, const union sigval);
	pid_t (*wait4)(pid_t, int *, int, struct rusage *);
	int (*waitid)(idtype_t, id_t, siginfo_t *, int);
	int (*sigaction)(int, const struct sigaction *, struct sigaction *);
	int (*sigwaitinfo)(const sigset_t *, siginfo_t *);
	int (*sigtimedwait)(const sigset_t *, siginfo_t *, const struct timespec *);
	pid_t (*tcgetpgrp)(int);
	int (*tcsetpgrp)(int, pid_t);
	pid_t (*tcgetsid)(int);
};
extern struct shim_real real;

/* ---- state and connection (shim/conn.c) -------------------------------- */

/* Resolve real_*, copy the environment; idempotent and safe to call from
 * any wrapper (a library constructor may run before ours). */
void shim_init(void);

/* This process's vpid (cached, no system call after the first call);
 * falls back to the real pid when there is no supervisor. */
pid_t shim_self_vpid(void);

/* One synchronous round trip: signals blocked, connection lock held, one
 * send, one receive with the same seq (EINTR retried).  Connects lazily
 * (HELLO first).  Returns 0 with *rep filled (rep->err is the call's own
 * result), or -errno when the supervisor is unreachable — then the caller
 * falls back to the real libc call (shim_offline() is true afterwards and a
 * warning has been printed once). */
int shim_call(struct proto_req *req, struct proto_rep *rep);

/* One-way message (BIND, EXEC, REAPED, STATE); errors ignored. */
void shim_send(struct proto_req *req);

/* True once the supervisor was found unreachable (or was never set). */
bool shim_offline(void);

/* Translate ids through the supervisor (local child table first).
 * vpid -> rpid: returns > 0, or -ESRCH.  rpid -> vpid: returns > 0, or 0
 * for a process outside the tree. */
pid_t shim_v2r(pid_t vpid);
pid_t shim_r2v(pid_t rpid);

/* Fork bookkeeping used by every fork-like wrapper: the lock is held and
 * signals blocked across the real fork, so the child never inherits a
 * half-used connection.
 *   prepare: ask for the child's vpid (FORK with flags/pgid); 0 or -errno
 *   child:   called in the child right after the real fork (resets the lock,
 *            drops the parent's connection, installs vpid)
 *   parent:  called in the parent (BIND vpid to rpid, or abort if rpid<0) */
int shim_fork_prepare(uint32_t flags, pid_t pgid, pid_t *child_vpid);
void shim_fork_child(pid_t child_vpid);
void shim_fork_parent(pid_t child_vpid, pid_t child_rpid);

/* ---- local child table (shim/children.c) ------------------------------- */
/* A small fixed table of this image's children: vpid <-> rpid, so that
 * wait and kill on one's own children need no round trip.  Lock-free for
 * the signal-handler case (atomic slots); full table -> supervisor lookup. */
void shim_child_add(pid_t vpid, pid_t rpid);
void shim_child_del(pid_t rpid);
pid_t shim_child_v2r(pid_t vpid); /* 0 when unknown */
pid_t shim_child_r2v(pid_t rpid); /* 0 when unknown */
void shim_child_reset(void);      /* in a new child */

/* ---- environment for exec (shim/env.c) --------------------------------- */
/* Build into `out` (capacity `cap` pointers, strings in `buf`) a copy of
 * envp with JOBSHIM_SELF set to "vpid:rpid" (rpid 0: unknown, verify with
 * the supervisor), and LD_PRELOAD / JOBSHIM_SOCKET / JOBSHIM_LIB put back
 * when missing.  Returns 0 or -E2BIG/-ENOMEM when it does not fit. */
int shim_env_build(char *const envp[], pid_t vpid, pid_t rpid, char **out, size_t cap,
		   char *buf, size_t buflen);

/* ---- small signal-safe helpers (shim/util.c) ---------------------------- */
void shim_warn(const char *msg);            /* "jobshim: msg\n" on fd 2 */
size_t shim_fmt_int(char *buf, long v);     /* decimal, returns length */

#endif
