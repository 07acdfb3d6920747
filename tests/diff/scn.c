/* scn.c — parse and validate a scenario file (format: README.md). */
#include "scn.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calls.h"
#include "token.h"

struct scn_parse {
	const char *path;
	int line;
	char *err;
	int errlen;
};

__attribute__((format(printf, 2, 3)))
static int scn_fail(struct scn_parse *p, const char *fmt, ...)
{
	int n = snprintf(p->err, p->errlen, "%s:%d: ", p->path, p->line);
	if (n < 0 || n >= p->errlen)
		return -1;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(p->err + n, p->errlen - n, fmt, ap);
	va_end(ap);
	return -1;
}

int scn_proc_index(const struct scn *s, const char *name)
{
	for (int i = 0; i < s->nprocs; i++)
		if (strcmp(s->procs[i].name, name) == 0)
			return i;
	return -1;
}

static int scn_barrier(struct scn *s, const char *name)
{
	for (int i = 0; i < s->nbarriers; i++)
		if (strcmp(s->barriers[i], name) == 0)
			return i;
	if (s->nbarriers == SCN_MAX_BARRIERS)
		return -1;
	snprintf(s->barriers[s->nbarriers], SCN_TOKLEN, "%s", name);
	return s->nbarriers++;
}

/* Split a line into tokens (whitespace separated, '#' starts a comment). */
static int scn_split(char *line, char *tok[], int max)
{
	char *hash = strchr(line, '#');
	if (hash)
		*hash = '\0';
	int n = 0;
	for (char *save = NULL, *t = strtok_r(line, " \t\r\n", &save); t;
	     t = strtok_r(NULL, " \t\r\n", &save)) {
		if (n == max)
			return -1;
		tok[n++] = t;
	}
	return n;
}

static const struct {
	const char *name;
	enum scn_op op;
	int minargs, maxargs;
} scn_directives[] = {
	{"exec", SCN_EXEC, 0, 0},     {"exit", SCN_EXIT, 0, 1},
	{"signal", SCN_SIGNAL, 1, 1}, {"await", SCN_AWAIT, 1, 1},
	{"gone", SCN_GONE, 1, 1},     {"stopped", SCN_STOPPED, 1, 2},
	{"sigs", SCN_SIGS, 0, 0},     {"hang", SCN_HANG, 0, 0},
	{"sigchld", SCN_SIGCHLD, 1, 1}, {"subreaper", SCN_SUBREAPER, 1, 1},
	{"rawreap", SCN_RAWREAP, 1, 1},
};

/* First pass: process headers only, so that steps may name any process. */
static int scn_headers(FILE *f, struct scn *s, struct scn_parse *p)
{
	char buf[512], *tok[SCN_MAX_ARGS + 2];
	for (p->line = 1; fgets(buf, sizeof buf, f); p->line++) {
		int n = scn_split(buf, tok, SCN_MAX_ARGS + 2);
		if (n < 1 || strcmp(tok[0], "proc") != 0)
			continue;
		if (n != 2 || strlen(tok[1]) >= SCN_NAMELEN)
			return scn_fail(p, "expected: proc NAME (name < %d chars)", SCN_NAMELEN);
		if (!token_is_name(tok[1]))
			return scn_fail(p, "bad process name '%s'", tok[1]);
		if (scn_proc_index(s, tok[1]) >= 0)
			return scn_fail(p, "process %s defined twice", tok[1]);
		if (s->nprocs == SCN_MAX_PROCS)
			return scn_fail(p, "more than %d processes", SCN_MAX_PROCS);
		snprintf(s->procs[s->nprocs++].name, SCN_NAMELEN, "%s", tok[1]);
	}
	return s->nprocs ? 0 : scn_fail(p, "no process (expected: proc P0)");
}

/* The process a call step stops: `raise STOP` stops its own process,
 * `kill NAME STOP` or `kill self STOP` the named one (the executor counts
 * these stops for `stopped X N`).  Group and numeric targets are not
 * counted.  -1 when the step stops no scenario process. */
static int scn_stop_target(const struct scn *s, const struct scn_step *st, int self)
{
	const char *name = calls_row(st->call)->name, *sig;
	int target;
	if (strcmp(name, "raise") == 0) {
		sig = st->argv[0];
		target = self;
	} else if (strcmp(name, "kill") == 0) {
		sig = st->argv[1];
		target = strcmp(st->argv[0], "self") == 0 ? self : scn_proc_index(s, st->argv[0]);
	} else {
		return -1;
	}
	bool unresolved = false;
	return token_value(CALLS_SIG, sig, s, NULL, self, &unresolved) == SIGSTOP ? target : -1;
}

static int scn_step(struct scn *s, int self, struct scn_step *st, char *tok[], int n,
		    struct scn_parse *p, int forked[])
{
	memset(st, 0, sizeof *st);
	st->line = p->line;
	st->proc = -1;
	st->stops = -1;
	st->barrier = -1;
	st->argc = n - 1;
	for (int i = 1; i < n; i++) {
		if (strlen(tok[i]) >= SCN_TOKLEN)
			return scn_fail(p, "token too long: %s", tok[i]);
		snprintf(st->argv[i - 1], SCN_TOKLEN, "%s", tok[i]);
	}
	for (size_t d = 0; d < sizeof scn_directives / sizeof scn_directives[0]; d++) {
		if (strcmp(tok[0], scn_directives[d].name) != 0)
			continue;
		st->op = scn_directives[d].op;
		if (st->argc < scn_directives[d].minargs || st->argc > scn_directives[d].maxargs)
			return scn_fail(p, "%s: wrong number of arguments", tok[0]);
		if (st->op == SCN_SIGNAL || st->op == SCN_AWAIT) {
			if (!token_is_name(st->argv[0]))
				return scn_fail(p, "bad barrier name '%s'", st->argv[0]);
			st->barrier = scn_barrier(s, st->argv[0]);
			if (st->barrier < 0)
				return scn_fail(p, "more than %d barriers", SCN_MAX_BARRIERS);
		}
		if (st->op == SCN_GONE || st->op == SCN_STOPPED) {
			st->proc = scn_proc_index(s, st->argv[0]);
			if (st->proc < 0)
				return scn_fail(p, "unknown process '%s'", st->argv[0]);
		}
		long v;
		if (st->op == SCN_STOPPED && st->argc == 2) {
			if (!token_int(st->argv[1], &v) || v < 1 || v > SCN_MAX_PROCS * SCN_MAX_STEPS)
				return scn_fail(p, "stopped: N (the stop to wait for) 1.. expected");
			st->nth = (int)v;
		}
		if (st->op == SCN_SIGCHLD && strcmp(st->argv[0], "ign") != 0 &&
		    strcmp(st->argv[0], "nocldwait") != 0 && strcmp(st->argv[0], "dfl") != 0)
			return scn_fail(p, "sigchld: ign, nocldwait or dfl expected");
		if (st->op == SCN_SUBREAPER && strcmp(st->argv[0], "1") != 0 && strcmp(st->argv[0], "0") != 0)
			return scn_fail(p, "subreaper: 1 or 0 expected");
		if (st->op == SCN_RAWREAP) {
			st->proc = strcmp(st->argv[0], "-1") == 0 ? -1 : scn_proc_index(s, st->argv[0]);
			if (st->proc < 0 && strcmp(st->argv[0], "-1") != 0)
				return scn_fail(p, "rawreap: a process name or -1 expected");
		}
		if (st->op == SCN_EXIT && st->argc == 1 &&
		    (!token_int(st->argv[0], &v) || v < 0 || v > 255))
			return scn_fail(p, "exit: status 0..255 expected");
		return 0;
	}
	st->op = SCN_CALL;
	st->call = calls_find(tok[0]);
	if (st->call < 0)
		return scn_fail(p, "unknown step '%s'", tok[0]);
	if (st->argc != calls_ntext(st->call))
		return scn_fail(p, "%s takes %d arguments", tok[0], calls_ntext(st->call));
	const struct calls_row *row = calls_row(st->call);
	for (int a = 0, t = 0; row->args[a] != CALLS_END; a++) {
		if (!calls_is_text(row->args[a]))
			continue;
		const char *arg = st->argv[t++];
		if (row->args[a] == CALLS_CHILD) {
			st->proc = scn_proc_index(s, arg);
			if (st->proc <= 0)
				return scn_fail(p, "fork: '%s' is not a non-initial process", arg);
			if (forked[st->proc]++)
				return scn_fail(p, "process %s forked twice", arg);
			continue;
		}
		const char *why = token_check(row->args[a], arg, s);
		if (why)
			return scn_fail(p, "%s: argument '%s': %s", tok[0], arg, why);
	}
	st->stops = scn_stop_target(s, st, self);
	return 0;
}

/* `stopped X N` must name a stop that some step can make. */
static int scn_check_stops(const struct scn *s, struct scn_parse *p)
{
	for (int i = 0; i < s->nprocs; i++)
		for (int k = 0; k < s->procs[i].nsteps; k++) {
			const struct scn_step *st = &s->procs[i].steps[k];
			if (st->op != SCN_STOPPED || st->nth == 0)
				continue;
			int n = 0;
			for (int a = 0; a < s->nprocs; a++)
				for (int b = 0; b < s->procs[a].nsteps; b++)
					n += s->procs[a].steps[b].op == SCN_CALL &&
					     s->procs[a].steps[b].stops == st->proc;
			if (st->nth > n) {
				p->line = st->line;
				return scn_fail(p, "stopped %s %d: only %d steps stop %s", st->argv[0],
						st->nth, n, st->argv[0]);
			}
		}
	return 0;
}

int scn_load(const char *path, struct scn *s, char *err, int errlen)
{
	struct scn_parse p = {path, 0, err, errlen};
	memset(s, 0, sizeof *s);
	FILE *f = fopen(path, "r");
	if (!f)
		return scn_fail(&p, "cannot open");
	int rc = scn_headers(f, s, &p);
	int forked[SCN_MAX_PROCS] = {0};
	struct scn_proc *cur = NULL;
	char buf[512], *tok[SCN_MAX_ARGS + 2];
	rewind(f);
	for (p.line = 1; rc == 0 && fgets(buf, sizeof buf, f); p.line++) {
		int n = scn_split(buf, tok, SCN_MAX_ARGS + 2);
		if (n < 0)
			rc = scn_fail(&p, "too many tokens");
		if (n <= 0)
			continue;
		if (strcmp(tok[0], "proc") == 0) {
			cur = &s->procs[scn_proc_index(s, tok[1])];
			continue;
		}
		if (!cur)
			rc = scn_fail(&p, "step before the first 'proc' line");
		else if (cur->nsteps == SCN_MAX_STEPS)
			rc = scn_fail(&p, "more than %d steps in %s", SCN_MAX_STEPS, cur->name);
		else
			rc = scn_step(s, (int)(cur - s->procs), &cur->steps[cur->nsteps++], tok, n, &p,
				      forked);
	}
	fclose(f);
	for (int i = 1; rc == 0 && i < s->nprocs; i++)
		if (!forked[i]) {
			p.line = 0;
			rc = scn_fail(&p, "process %s is never forked", s->procs[i].name);
		}
	if (rc == 0)
		rc = scn_check_stops(s, &p);
	return rc;
}
