/* calls.h — the signature table: libc calls the executor can make via libffi. */
#ifndef JSDIFF_CALLS_H
#define JSDIFF_CALLS_H

#include <stdbool.h>

/*
 * Each row names a libc function, its return kind and its argument kinds;
 * the executor resolves the name with dlsym(RTLD_DEFAULT) (so a preloaded
 * shim's interposer wins, exactly as for a normal program) and calls it
 * with ffi_call.  Adding a call is adding a row to calls.c.
 *
 * Argument kinds say both the C type and how the scenario text is read:
 * "text" kinds take one token from the step line, "out" kinds are implicit
 * buffers the executor supplies and logs, "meta" kinds are text that is not
 * passed to the function.
 */

enum calls_kind {
	CALLS_END = 0,
	CALLS_PID,     /* text, pid_t: NAME, -NAME, self, init, or an integer */
	CALLS_SIG,     /* text, int: HUP, USR1, ..., 0, or an integer */
	CALLS_WOPT,    /* text, int: WNOHANG|WUNTRACED|..., 0, or an integer */
	CALLS_IDTYPE,  /* text, idtype_t: P_ALL, P_PID, P_PGID, or an integer */
	CALLS_INT,     /* text, int: an integer */
	CALLS_CHILD,   /* meta: the name of the process a fork creates */
	CALLS_STATUS,  /* out, int *: a wait status, logged when ret > 0 */
	CALLS_RUSAGE,  /* out, struct rusage *: logged as filled or not */
	CALLS_SIGINFO, /* out, siginfo_t *: logged when ret == 0 */
	CALLS_SPAWNF,  /* text, short: posix_spawn flags, 0 or SETPGROUP|SETSID */
};

enum calls_ret {
	CALLS_RET_PID = 1, /* pid_t; a value > 0 is logged as a process label */
	CALLS_RET_INT,     /* int; logged as a number */
};

#define CALLS_MAX_ARGS 6
#define CALLS_FORK 1u /* the call forks: the child runs the CALLS_CHILD process */
#define CALLS_SPAWN 2u /* made by spawn.c, not libffi: the child execs the executor (vfork, posix_spawn) */

struct calls_row {
	const char *name;
	enum calls_ret ret;
	enum calls_kind args[CALLS_MAX_ARGS]; /* CALLS_END-terminated */
	unsigned flags;
};

/* Row index of `name`, or -1. */
int calls_find(const char *name);
const struct calls_row *calls_row(int i);
/* Number of text (and meta) tokens a row takes on a scenario line. */
int calls_ntext(int i);
/* True when `kind` reads a token from the step line. */
bool calls_is_text(enum calls_kind kind);

struct scn;
struct scn_step;
struct jsd;
/* Resolve the arguments, make the call through libffi, and log one line
 * (log.h).  For a CALLS_FORK row, returns the call's return value (0 in the
 * child); otherwise 0. */
long calls_run(struct jsd *j, const struct scn_step *st, int idx);

#endif
