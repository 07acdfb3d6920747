/* token.c — scenario argument tokens: parse, check, resolve. */
#include "token.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <spawn.h>
#include <sys/wait.h>

#include "scn.h"
#include "shared.h"

bool token_is_name(const char *t)
{
	if (!isalpha((unsigned char)*t))
		return false;
	for (; *t; t++)
		if (!isalnum((unsigned char)*t) && *t != '_')
			return false;
	return true;
}

bool token_int(const char *t, long *v)
{
	char *end;
	errno = 0;
	*v = strtol(t, &end, 0);
	return *t && !*end && errno == 0;
}

static const struct {
	const char *name;
	long value;
} token_flags[] = {
	{"WNOHANG", WNOHANG},       {"WUNTRACED", WUNTRACED}, {"WSTOPPED", WSTOPPED},
	{"WEXITED", WEXITED},       {"WCONTINUED", WCONTINUED}, {"WNOWAIT", WNOWAIT},
	{"__WNOTHREAD", __WNOTHREAD}, {"__WALL", __WALL},       {"__WCLONE", __WCLONE},
	{"P_ALL", P_ALL},           {"P_PID", P_PID},         {"P_PGID", P_PGID},
	{"P_PIDFD", P_PIDFD},       {"SETPGROUP", POSIX_SPAWN_SETPGROUP},
	{"SETSID", POSIX_SPAWN_SETSID},
};

static bool token_flag(const char *t, size_t len, long *v)
{
	for (size_t i = 0; i < sizeof token_flags / sizeof token_flags[0]; i++)
		if (strlen(token_flags[i].name) == len && strncmp(t, token_flags[i].name, len) == 0) {
			*v = token_flags[i].value;
			return true;
		}
	return false;
}

/* WNOHANG|WUNTRACED, or an integer. */
static bool token_wopt(const char *t, long *v)
{
	if (token_int(t, v))
		return true;
	*v = 0;
	for (;;) {
		const char *bar = strchr(t, '|');
		size_t len = bar ? (size_t)(bar - t) : strlen(t);
		long f;
		char part[SCN_TOKLEN];
		snprintf(part, sizeof part, "%.*s", (int)len, t);
		if (!token_flag(t, len, &f) && !token_int(part, &f))
			return false;
		*v |= f;
		if (!bar)
			return true;
		t = bar + 1;
	}
}

static bool token_sig(const char *t, long *v)
{
	if (token_int(t, v))
		return true;
	if (strncmp(t, "SIG", 3) == 0)
		t += 3;
	for (int s = 1; s < 32; s++) {
		const char *abbrev = sigabbrev_np(s);
		if (abbrev && strcmp(abbrev, t) == 0) {
			*v = s;
			return true;
		}
	}
	return false;
}

const char *token_check(enum calls_kind kind, const char *t, const struct scn *s)
{
	long v;
	switch (kind) {
	case CALLS_PID:
		if (strcmp(t, "self") == 0 || strcmp(t, "init") == 0 || token_int(t, &v))
			return NULL;
		if (*t == '-')
			t++;
		return scn_proc_index(s, t) >= 0 ? NULL : "not a process, self, init or integer";
	case CALLS_SIG:
		return token_sig(t, &v) ? NULL : "not a signal name or number";
	case CALLS_WOPT:
		return token_wopt(t, &v) ? NULL : "not FLAG|FLAG... or an integer";
	case CALLS_SPAWNF:
		return token_wopt(t, &v) ? NULL : "not 0, SETPGROUP, SETSID or SETPGROUP|SETSID";
	case CALLS_IDTYPE:
		return token_int(t, &v) || token_flag(t, strlen(t), &v) ? NULL
									 : "not P_ALL/P_PID/P_PGID or an integer";
	case CALLS_INT:
		return token_int(t, &v) ? NULL : "not an integer";
	default:
		return "not a text argument";
	}
}

long token_value(enum calls_kind kind, const char *t, const struct scn *s,
		 const struct shared *sh, int self, bool *unresolved)
{
	long v = 0;
	switch (kind) {
	case CALLS_PID:
		if (token_int(t, &v))
			return v;
		if (strcmp(t, "init") == 0)
			return 1;
		if (strcmp(t, "self") == 0)
			return shared_vpid(sh, self);
		bool neg = *t == '-';
		int pid = shared_vpid(sh, scn_proc_index(s, t + neg));
		if (!pid) {
			*unresolved = true;
			pid = TOKEN_NOPID;
		}
		return neg ? -pid : pid;
	case CALLS_SIG:
		token_sig(t, &v);
		return v;
	case CALLS_WOPT:
	case CALLS_SPAWNF:
		token_wopt(t, &v);
		return v;
	case CALLS_IDTYPE:
		if (!token_int(t, &v))
			token_flag(t, strlen(t), &v);
		return v;
	default:
		token_int(t, &v);
		return v;
	}
}
