/* scn.h — the scenario format: the parsed form of a corpus .scn file. */
#ifndef JSDIFF_SCN_H
#define JSDIFF_SCN_H

/*
 * A scenario is a list of processes, each with a list of steps (see
 * README.md for the text format).  The first process is the initial one
 * (conventionally P0); every other process is created by exactly one fork
 * step naming it.  Steps are either calls of the signature table
 * (calls.h) or executor directives (exec, exit, barriers, syncs).
 */

#define SCN_MAX_PROCS 8
#define SCN_MAX_STEPS 160
#define SCN_MAX_ARGS 6
#define SCN_MAX_BARRIERS 24
#define SCN_NAMELEN 16
#define SCN_TOKLEN 64

enum scn_op {
	SCN_CALL = 1, /* a row of the call table; call = row index */
	SCN_EXEC,     /* re-exec the executor, resuming at the next step */
	SCN_EXIT,     /* log pending signals, then _exit(arg 0) */
	SCN_SIGNAL,   /* write one token into barrier arg 0 */
	SCN_AWAIT,    /* read one token from barrier arg 0 */
	SCN_GONE,     /* wait until process arg 0 has exited (then quiesce) */
	SCN_STOPPED,  /* wait until process arg 0 is in a stopped state (arg 1:
	                 the stop, counted from 1, that must have happened) */
	SCN_SIGS,     /* log (and clear) the signals received so far */
	SCN_HANG,     /* block forever: the end of a process that is killed */
	SCN_SIGCHLD,  /* SIGCHLD's disposition: arg 0 ign (SIG_IGN), nocldwait
	                 (SIG_DFL with SA_NOCLDWAIT) or dfl */
	SCN_SUBREAPER, /* prctl(PR_SET_CHILD_SUBREAPER, arg 0: 1 or 0) */
	SCN_RAWREAP,  /* wait4(arg 0's kernel pid, or -1, WNOHANG) by a system call
	                 instruction: a reap no shim sees (proc = -1 for "-1") */
};

struct scn_step {
	enum scn_op op;
	int call;                          /* SCN_CALL: row in the call table */
	int argc;
	char argv[SCN_MAX_ARGS][SCN_TOKLEN]; /* the text tokens after the op */
	int barrier;                       /* SCN_SIGNAL/AWAIT: barrier index */
	int proc;                          /* SCN_GONE/STOPPED: process index;
	                                      fork rows: the child's index */
	int nth;                           /* SCN_STOPPED: wait for proc's nth
	                                      stop (1-based); 0: any stop */
	int stops;                         /* calls: the process this step sends
	                                      SIGSTOP to (`raise STOP`, `kill
	                                      NAME|self STOP`), or -1 */
	int line;                          /* line number in the file */
};

struct scn_proc {
	char name[SCN_NAMELEN];
	int nsteps;
	struct scn_step steps[SCN_MAX_STEPS];
};

struct scn {
	int nprocs; /* procs[0] is the initial process */
	struct scn_proc procs[SCN_MAX_PROCS];
	int nbarriers;
	char barriers[SCN_MAX_BARRIERS][SCN_TOKLEN]; /* in order of first use */
};

/* Parse and validate `path` into *s.  Returns 0, or -1 with a message
 * "file:line: why" in err. */
int scn_load(const char *path, struct scn *s, char *err, int errlen);

/* Index of the process called `name`, or -1. */
int scn_proc_index(const struct scn *s, const char *name);

#endif
