/* args.h — jserrno's argument classes (what a generated case may pass) and its call table. */
#ifndef JSERRNO_ARGS_H
#define JSERRNO_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Kinds of argument; each kind has a table of value classes (args.c),
 * class 0 being the valid base value the other arguments take while one
 * argument is varied. */
enum kind {
	K_PID,   /* a pid or pgid: roles of the case's fixtures and boundary numbers */
	K_SIG,   /* a signal number */
	K_IN,    /* a pointer the call reads (a struct, a set, an iovec) */
	K_OUT,   /* a pointer the call writes */
	K_PATH,  /* a path: /proc/<role>/..., odd strings, bad pointers */
	K_WOPT,  /* wait options (WNOHANG in the base) */
	K_INT,   /* a plain int: flags, sizes, resources, policies */
	K_FD,    /* a file descriptor */
	K_ARGV,  /* an argv or envp array */
	K_KINDS
};

/* The processes a case sees, made fresh for each case (main.c). */
struct roles {
	pid_t self, parent, child, zombie, reaped, sibling;
	int fd_file, fd_dir; /* an open regular file (/bin/true), a directory (/) */
};

/* One resolved value: the machine word passed and a pointer (paths,
 * structs) when the class is a buffer. */
struct val {
	long n;
	void *p;
	bool valid; /* the kind's valid class: fn may fill the buffer first */
};

size_t args_count(enum kind k);
const char *args_name(enum kind k, size_t cls);
/* The value of class cls for the current case (roles filled in). */
struct val args_value(enum kind k, size_t cls, const struct roles *r);
/* Set up the pages the pointer classes use (once, before any case). */
void args_init(void);

#define CALL_MAXARG 6

/* What a call's return value is, for printing it the same way natively and
 * under jobshim: pids by role, pointers as null/non-null. */
enum ret { R_INT, R_PID, R_PTR };

struct call {
	const char *name;
	int nargs;
	enum kind kinds[CALL_MAXARG];
	const char *argn[CALL_MAXARG];
	enum ret ret;
	int base[CALL_MAXARG]; /* class of each argument when it is not the one varied */
	/* Make the call; errno is read right after. */
	long (*fn)(const struct val *v);
	/* Changes nothing a later case could see (beyond signals left
	 * pending and fds left open): cases of it share one case process. */
	bool pure;
};

extern const struct call calls[];
extern const size_t ncalls;

#endif
