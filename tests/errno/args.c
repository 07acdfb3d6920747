/* args.c — jserrno's argument classes: valid values, boundary numbers, bad pointers, per kind. */
#include "args.h"

#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

/*
 * Every class is a name (printed in the case line, so both runs name the
 * same thing) and a rule to compute the value in the case process: pids by
 * role (the numbers differ natively and under jobshim, the roles do not),
 * pointers into pages set up once by args_init.  The unmapped page is
 * reserved and then unmapped, so nothing else is mapped there later.
 */

static char *page_unmapped;  /* PROT_NONE after args_init: reads and writes fault */
static char *page_readonly;  /* readable, not writable */
static char inbuf[4096] __attribute__((aligned(64)));   /* valid in-argument */
static char outbuf[4096] __attribute__((aligned(64)));  /* valid out-argument */
static char pathbuf[256];

void args_init(void)
{
	page_unmapped = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	page_readonly = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

/* ---- pids ---------------------------------------------------------------- */

enum pidc { P_SELF, P_ZERO, P_MINUS1, P_INTMIN, P_INTMAX, P_HUGE, P_CHILD, P_ZOMBIE,
	    P_REAPED, P_SIBLING, P_PARENT, P_INIT, P_NEGSELF, P_MINUS13, P_NEGCHILD, P_N };
static const char *const pid_names[P_N] = {
	"self", "0", "-1", "INT_MIN", "INT_MAX", "4194305", "child", "zombie",
	"reaped", "sibling", "parent", "1", "-self", "-13", "-child",
};

static long pid_value(size_t c, const struct roles *r)
{
	switch ((enum pidc)c) {
	case P_SELF: return r->self;
	case P_ZERO: return 0;
	case P_MINUS1: return -1;
	case P_INTMIN: return INT_MIN;
	case P_INTMAX: return INT_MAX;
	case P_HUGE: return 4194305; /* above PID_MAX_LIMIT */
	case P_CHILD: return r->child;
	case P_ZOMBIE: return r->zombie;
	case P_REAPED: return r->reaped;
	case P_SIBLING: return r->sibling;
	case P_PARENT: return r->parent;
	case P_INIT: return 1;
	case P_NEGSELF: return -(long)r->self;
	case P_MINUS13: return -13;
	case P_NEGCHILD: return -(long)r->child;
	case P_N: break;
	}
	return 0;
}

/* ---- signals ------------------------------------------------------------- */

/* Every process of a run blocks every signal, so a signal sent anywhere
 * stays pending and changes nothing that a later case could see. */
static const int sig_values[] = { SIGURG, 0, -1, 64, 65, INT_MAX, 32, SIGCONT, SIGCHLD };
static const char *const sig_names[] = { "SIGURG", "0", "-1", "64", "65", "INT_MAX", "32",
					 "SIGCONT", "SIGCHLD" };

/* ---- pointers ------------------------------------------------------------- */

static const char *const in_names[] = { "valid", "NULL", "(void*)1", "unmapped" };
static const char *const out_names[] = { "valid", "NULL", "(void*)1", "unmapped", "readonly" };

static void *ptr_value(size_t c, void *valid)
{
	switch (c) {
	case 0: return valid;
	case 1: return NULL;
	case 2: return (void *)1;
	case 3: return page_unmapped;
	default: return page_readonly;
	}
}

/* ---- paths ------------------------------------------------------------------ */

/* "/proc/%d%s" with a pid class, or a fixed string, or a bad pointer. */
static const struct {
	const char *name;
	int pidc;          /* -1: fixed */
	const char *tail;  /* after the pid, or the fixed path */
} paths[] = {
	{ "/proc/<self>/exe", P_SELF, "/exe" },
	{ "/proc/<self>", P_SELF, "" },
	{ "/proc/<child>/exe", P_CHILD, "/exe" },
	{ "/proc/<child>/stat", P_CHILD, "/stat" },
	{ "/proc/<child>/sched", P_CHILD, "/sched" },
	{ "/proc/<zombie>/exe", P_ZOMBIE, "/exe" },
	{ "/proc/<zombie>", P_ZOMBIE, "" },
	{ "/proc/<reaped>", P_REAPED, "" },
	{ "/proc/<sibling>/exe", P_SIBLING, "/exe" },
	{ "/proc/<parent>/cwd", P_PARENT, "/cwd" },
	{ "/proc/1/stat", P_INIT, "/stat" },
	{ "/proc/-1", P_MINUS1, "" },
	{ "/proc/0", P_ZERO, "" },
	{ "/proc/2147483647", P_INTMAX, "" },
	{ "/proc/<self>/task/<self>", -2, "" },
	{ "/proc/self/exe", -1, "/proc/self/exe" },
	{ "/proc/self", -1, "/proc/self" },
	{ "/proc/thread-self", -1, "/proc/thread-self" },
	{ "/proc/locks", -1, "/proc/locks" },
	{ "/sys/nonexistent", -1, "/sys/nonexistent" }, /* no user can create it (nobody's home /nonexistent could be) */
	{ "\"\"", -1, "" },
	{ "/", -1, "/" },
	{ "NULL", -3, NULL },
	{ "(char*)1", -4, NULL },
	{ "unmapped", -5, NULL },
	{ "/bin/true", -1, "/bin/true" },
	{ "\"true\"", -1, "true" },
	{ "\"r\"", -1, "r" },
};

static void *path_value(size_t c, const struct roles *r)
{
	int pc = paths[c].pidc;

	if (pc >= 0) {
		snprintf(pathbuf, sizeof(pathbuf), "/proc/%ld%s", pid_value((size_t)pc, r),
			 paths[c].tail);
		return pathbuf;
	}
	switch (pc) {
	case -1: return (void *)paths[c].tail;
	case -2:
		snprintf(pathbuf, sizeof(pathbuf), "/proc/%d/task/%d", (int)r->self, (int)r->self);
		return pathbuf;
	case -3: return NULL;
	case -4: return (void *)1;
	default: return page_unmapped;
	}
}

/* ---- options, ints, fds, argv ------------------------------------------------- */

static const int wopt_values[] = {
	WNOHANG, WEXITED | WNOHANG, WNOHANG | WUNTRACED | WCONTINUED, WNOHANG | __WALL,
	WNOHANG | __WCLONE, WNOHANG | 0x1000, -1, WEXITED | WNOWAIT | WNOHANG,
	WSTOPPED | WNOHANG, WNOHANG | __WNOTHREAD, 0,
};
static const char *const wopt_names[] = {
	"WNOHANG", "WEXITED|WNOHANG", "WNOHANG|WUNTRACED|WCONTINUED", "WNOHANG|__WALL",
	"WNOHANG|__WCLONE", "WNOHANG|0x1000", "-1", "WEXITED|WNOWAIT|WNOHANG",
	"WSTOPPED|WNOHANG", "WNOHANG|__WNOTHREAD", "0",
};

static const long int_values[] = { 0, 1, -1, INT_MAX, INT_MIN, 64, 65536, 2 };
static const char *const int_names[] = { "0", "1", "-1", "INT_MAX", "INT_MIN", "64", "65536", "2" };

static const char *const fd_names[] = { "file", "dir", "-1", "9999", "AT_FDCWD" };

static const char *const argv_names[] = { "{\"true\"}", "NULL", "(char**)1", "unmapped",
					  "{(char*)1}", "{unmapped}" };
static char *argv_ok[] = { "true", NULL };
static char *argv_bad1[] = { (char *)1, NULL };
static char *argv_badpage[2];

#define N(a) (sizeof(a) / sizeof((a)[0]))

size_t args_count(enum kind k)
{
	switch (k) {
	case K_PID: return P_N;
	case K_SIG: return N(sig_values);
	case K_IN: return N(in_names);
	case K_OUT: return N(out_names);
	case K_PATH: return N(paths);
	case K_WOPT: return N(wopt_values);
	case K_INT: return N(int_values);
	case K_FD: return N(fd_names);
	case K_ARGV: return N(argv_names);
	case K_KINDS: break;
	}
	return 0;
}

const char *args_name(enum kind k, size_t c)
{
	switch (k) {
	case K_PID: return pid_names[c];
	case K_SIG: return sig_names[c];
	case K_IN: return in_names[c];
	case K_OUT: return out_names[c];
	case K_PATH: return paths[c].name;
	case K_WOPT: return wopt_names[c];
	case K_INT: return int_names[c];
	case K_FD: return fd_names[c];
	case K_ARGV: return argv_names[c];
	case K_KINDS: break;
	}
	return "?";
}

struct val args_value(enum kind k, size_t c, const struct roles *r)
{
	struct val v = { .valid = c == 0 };

	switch (k) {
	case K_PID: v.n = pid_value(c, r); break;
	case K_SIG: v.n = sig_values[c]; break;
	case K_IN: memset(inbuf, 0, sizeof(inbuf)); v.p = ptr_value(c, inbuf); break;
	case K_OUT: v.p = ptr_value(c, outbuf); break;
	case K_PATH: v.p = path_value(c, r); break;
	case K_WOPT: v.n = wopt_values[c]; break;
	case K_INT: v.n = int_values[c]; break;
	case K_FD: {
		static const long fixed[] = { 0, 0, -1, 9999, AT_FDCWD };
		v.n = c == 0 ? r->fd_file : c == 1 ? r->fd_dir : fixed[c];
		break;
	}
	case K_ARGV:
		argv_badpage[0] = page_unmapped;
		switch (c) {
		case 0: v.p = argv_ok; break;
		case 1: v.p = NULL; break;
		case 2: v.p = (void *)1; break;
		case 3: v.p = page_unmapped; break;
		case 4: v.p = argv_bad1; break;
		default: v.p = argv_badpage; break;
		}
		break;
	case K_KINDS: break;
	}
	if (v.p != NULL && k != K_PID && k != K_SIG && k != K_WOPT && k != K_INT && k != K_FD)
		v.n = (long)v.p;
	return v;
}
