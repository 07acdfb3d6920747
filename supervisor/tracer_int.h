/* tracer_int.h — inside the tracer process: a traced task, and the calls it rewrites (tracer_calls.c). */
#ifndef JOBSHIM_TRACER_INT_H
#define JOBSHIM_TRACER_INT_H

#include "tracer.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/user.h>

enum disp { D_UNKNOWN, D_KEEP, D_DETACH };

/* One traced task (thread) and the call it is in. */
struct tracee {
	pid_t tid;
	pid_t tgid;          /* its process (0 unknown) */
	int32_t vpid;        /* its process's vpid (0 unknown: the tracer asks) */
	bool started;        /* its first stop seen (or seized) */
	bool exec_quiet;     /* PTRACE_O_TRACEEXEC off until its next stop (tracer.c, release) */
	enum disp disp;      /* what its first stop does */
	long nr;             /* the traced call it is in, -1 none */
	int32_t vchild;      /* fork: the child's vpid */
	unsigned long long cflags; /* fork: clone's flags (0 for fork, vfork) */
	pid_t child;         /* fork: the child's rpid */
	unsigned long addr;  /* wait4 status / waitid siginfo */
	int32_t wvpid;       /* the child a wait names (> 0), whose rpid it waits for */
	bool nowait;
	long ret;            /* setpgid/setsid: the engine's answer */
	bool subreaper;      /* prctl(PR_SET_CHILD_SUBREAPER): tell the engine if it succeeds */
	unsigned long poke_addr; /* a pid word we rewrote in the caller's memory (capget's
				  * header, F_SETOWN_EX's struct, an ioctl's int), 0 none */
	int32_t poke_val;     /* ... and the caller's value, put back at the exit */
	unsigned long sub;    /* fcntl's command, ioctl's request */
	int32_t want;         /* TIOCSPGRP: the virtual group asked for (> 0: tell the engine) */
	bool none;            /* ... whose real mirror is unknown: the kernel said ESRCH */
	struct user_regs_struct orig; /* registers at the seccomp stop */
	bool restore;        /* argument registers changed: put them back */
};

/* tracer.c: ask the supervisor about tid, and wait for the answer (a
 * SEIZE that crosses it is answered meanwhile); the answer's err. */
int trc_ask(int op, pid_t tid, int32_t a, int32_t b, int32_t c, struct trc_msg *r);

/* tracer_local.c: what the tracer answers without asking.  The shared
 * vpid counter (NULL: none) and the event FIFO (-1: none). */
void trc_local_init(struct proto_vpids *vc, int fifo);
/* Process tgid's children: add one, look one up by vpid or by rpid (0:
 * not known here), forget one reaped, forget all of an exited process. */
void trc_kid_add(pid_t tgid, int32_t vpid, pid_t rpid);
pid_t trc_kid_rpid(pid_t tgid, int32_t vpid);
int32_t trc_kid_vpid(pid_t tgid, pid_t rpid);
void trc_kid_gone(pid_t tgid, pid_t rpid);
void trc_kids_forget(pid_t tgid);
/* t forked child (rpid): a vpid from the counter, its BIND written to the
 * FIFO; 0 when the tracer must ask (TRC_FORK). */
int32_t trc_local_fork(const struct tracee *t, pid_t child);
/* procs.c: is id a live thread leading no process (the counter skips it)? */
bool procs_id_is_thread(int32_t id);
/* t's wait returned child vpid/rpid with status: the reap, stop or
 * continue written to the FIFO (nothing for a WNOWAIT exit); false when
 * the tracer must tell with TRC_DONE. */
bool trc_local_done(const struct tracee *t, int32_t vpid, pid_t rpid, int status, bool nowait);

/* tracer_calls.c */
bool trc_is_fork_nr(long nr);
/* A traced call other than the fork family at its seccomp stop (r: its
 * registers): translated, skipped with an errno, or let through; true
 * when its syscall-exit stop is wanted (trc_call_exit). */
bool trc_call_enter(struct tracee *t, struct user_regs_struct *r);
/* At the syscall-exit stop of a traced call (the fork family included). */
void trc_call_exit(struct tracee *t);

#endif
