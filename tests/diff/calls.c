/* calls.c — the signature table and the libffi call path. */
#include "calls.h"

#include <dlfcn.h>
#include <errno.h>
#include <ffi.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "jsd.h"
#include "log.h"
#include "scn.h"
#include "shared.h"
#include "sigrec.h"
#include "spawn.h"
#include "token.h"

/* One row per call; the scenario names a call by its libc name. */
static const struct calls_row calls_rows[] = {
	{"fork", CALLS_RET_PID, {CALLS_CHILD}, CALLS_FORK},
	{"_Fork", CALLS_RET_PID, {CALLS_CHILD}, CALLS_FORK},
	{"vfork", CALLS_RET_PID, {CALLS_CHILD}, CALLS_FORK | CALLS_SPAWN},
	{"posix_spawn", CALLS_RET_INT, {CALLS_CHILD, CALLS_SPAWNF, CALLS_PID}, CALLS_FORK | CALLS_SPAWN},
	{"getpid", CALLS_RET_PID, {0}, 0},
	{"getppid", CALLS_RET_PID, {0}, 0},
	{"getpgrp", CALLS_RET_PID, {0}, 0},
	{"getpgid", CALLS_RET_PID, {CALLS_PID}, 0},
	{"getsid", CALLS_RET_PID, {CALLS_PID}, 0},
	{"setsid", CALLS_RET_PID, {0}, 0},
	{"setpgid", CALLS_RET_INT, {CALLS_PID, CALLS_PID}, 0},
	{"setpgrp", CALLS_RET_INT, {0}, 0},
	{"kill", CALLS_RET_INT, {CALLS_PID, CALLS_SIG}, 0},
	{"killpg", CALLS_RET_INT, {CALLS_PID, CALLS_SIG}, 0},
	{"raise", CALLS_RET_INT, {CALLS_SIG}, 0},
	{"wait", CALLS_RET_PID, {CALLS_STATUS}, 0},
	{"waitpid", CALLS_RET_PID, {CALLS_PID, CALLS_STATUS, CALLS_WOPT}, 0},
	{"wait3", CALLS_RET_PID, {CALLS_STATUS, CALLS_WOPT, CALLS_RUSAGE}, 0},
	{"wait4", CALLS_RET_PID, {CALLS_PID, CALLS_STATUS, CALLS_WOPT, CALLS_RUSAGE}, 0},
	{"waitid", CALLS_RET_INT, {CALLS_IDTYPE, CALLS_PID, CALLS_SIGINFO, CALLS_WOPT}, 0},
};
#define CALLS_NROWS ((int)(sizeof calls_rows / sizeof calls_rows[0]))

int calls_find(const char *name)
{
	for (int i = 0; i < CALLS_NROWS; i++)
		if (strcmp(calls_rows[i].name, name) == 0)
			return i;
	return -1;
}

const struct calls_row *calls_row(int i)
{
	return &calls_rows[i];
}

bool calls_is_text(enum calls_kind kind)
{
	return kind != CALLS_END && kind != CALLS_STATUS && kind != CALLS_RUSAGE &&
	       kind != CALLS_SIGINFO;
}

int calls_ntext(int i)
{
	int n = 0;
	for (int a = 0; calls_rows[i].args[a] != CALLS_END; a++)
		n += calls_is_text(calls_rows[i].args[a]);
	return n;
}

/* The out buffers of one call, pre-filled so that "not written" shows. */
struct calls_out {
	int status;
	struct rusage ru;
	siginfo_t si;
};

static ffi_type *calls_ffi_type(enum calls_kind kind)
{
	switch (kind) {
	case CALLS_IDTYPE:
		return &ffi_type_uint; /* idtype_t is an enum of small values */
	case CALLS_STATUS:
	case CALLS_RUSAGE:
	case CALLS_SIGINFO:
		return &ffi_type_pointer;
	default:
		return &ffi_type_sint; /* pid_t, int */
	}
}

/* The " status=... ru=... si_..." tail of a line. */
static void calls_format_out(struct jsd *j, const struct calls_row *row, long ret,
			     const struct calls_out *o, char *out, int outlen)
{
	int n = 0;
	char a[64], b[32];
	out[0] = '\0';
	for (int i = 0; row->args[i] != CALLS_END && n < outlen; i++) {
		switch (row->args[i]) {
		case CALLS_STATUS:
			if (ret > 0) {
				log_status(o->status, a, sizeof a);
				n += snprintf(out + n, outlen - n, " status=%s", a);
			}
			break;
		case CALLS_RUSAGE:
			if (ret > 0)
				n += snprintf(out + n, outlen - n, " ru=%s",
					      o->ru.ru_maxrss == -1 ? "untouched"
					      : o->ru.ru_maxrss > 0 ? "filled"
								    : "zero");
			break;
		case CALLS_SIGINFO:
			if (ret != 0)
				break;
			log_pid(j, o->si.si_pid, a, sizeof a);
			n += snprintf(out + n, outlen - n, " si_pid=%s", a);
			if (o->si.si_pid == 0 && o->si.si_signo == 0)
				break;
			const char *code = o->si.si_code == CLD_EXITED      ? "CLD_EXITED"
					   : o->si.si_code == CLD_KILLED    ? "CLD_KILLED"
					   : o->si.si_code == CLD_DUMPED    ? "CLD_DUMPED"
					   : o->si.si_code == CLD_STOPPED   ? "CLD_STOPPED"
					   : o->si.si_code == CLD_CONTINUED ? "CLD_CONTINUED"
									    : "?";
			if (o->si.si_code == CLD_EXITED)
				snprintf(b, sizeof b, "%d", o->si.si_status);
			else
				log_signame(o->si.si_status, b, sizeof b);
			n += snprintf(out + n, outlen - n, " si_signo=%s si_code=%s si_status=%s",
				      log_signame(o->si.si_signo, a, sizeof a), code, b);
			break;
		default:
			break;
		}
	}
}

long calls_run(struct jsd *j, const struct scn_step *st, int idx)
{
	const struct calls_row *row = &calls_rows[st->call];
	ffi_type *types[CALLS_MAX_ARGS];
	void *values[CALLS_MAX_ARGS];
	int ints[CALLS_MAX_ARGS];
	void *ptrs[CALLS_MAX_ARGS];
	struct calls_out o;
	char args[256] = "";
	int nargs = 0, t = 0, alen = 0;
	bool unresolved = false;

	if (row->flags & CALLS_SPAWN)
		return spawn_run(j, st, idx);
	memset(&o, 0, sizeof o);
	o.status = 0x5a5a;
	memset(&o.ru, 0xff, sizeof o.ru);
	for (int a = 0; row->args[a] != CALLS_END; a++) {
		enum calls_kind kind = row->args[a];
		if (calls_is_text(kind))
			alen += snprintf(args + alen, sizeof args - alen, "%s%s", t ? ", " : "",
					 st->argv[t]);
		if (kind == CALLS_CHILD) {
			t++;
			continue;
		}
		types[nargs] = calls_ffi_type(kind);
		if (kind == CALLS_STATUS || kind == CALLS_RUSAGE || kind == CALLS_SIGINFO) {
			ptrs[nargs] = kind == CALLS_STATUS ? (void *)&o.status
				      : kind == CALLS_RUSAGE ? (void *)&o.ru
							     : (void *)&o.si;
			values[nargs] = &ptrs[nargs];
		} else {
			ints[nargs] = (int)token_value(kind, st->argv[t++], &j->scn, j->sh, j->self,
						       &unresolved);
			values[nargs] = &ints[nargs];
		}
		nargs++;
	}

	/* dlsym(RTLD_DEFAULT): the first definition in the global scope, i.e.
	 * the shim's interposer when it is preloaded. */
	void *fn = dlsym(RTLD_DEFAULT, row->name);
	if (!fn)
		jsd_die("dlsym(%s): %s", row->name, dlerror());
	ffi_cif cif;
	if (ffi_prep_cif(&cif, FFI_DEFAULT_ABI, nargs, &ffi_type_sint, types) != FFI_OK)
		jsd_die("ffi_prep_cif(%s) failed", row->name);

	sigset_t old;
	if (row->flags & CALLS_FORK)
		sigrec_block(&old); /* the child clears its record before any delivery */
	ffi_arg rc = 0;
	errno = 0;
	ffi_call(&cif, FFI_FN(fn), &rc, values);
	int err = errno;
	long ret = (int)(ffi_sarg)rc;
	if ((row->flags & CALLS_FORK) && ret == 0) {
		jsd_child_start(j, st->proc);
		sigrec_restore(&old);
		return 0;
	}
	if ((row->flags & CALLS_FORK) && ret > 0) {
		shared_set(j->sh, st->proc, (int)ret, 0);
		/* Wait for the child to register its real pid: a later step may
		 * stop it before it has run a single instruction, and syncs on
		 * it (/proc, pidfd) need that pid. */
		shared_rpid_wait(j->sh, st->proc);
	}

	char res[64], tail[256];
	if (row->ret == CALLS_RET_PID && ret > 0)
		log_pid(j, (int)ret, res, sizeof res);
	else if (ret == -1)
		snprintf(res, sizeof res, "-1 %s", strerrorname_np(err) ? strerrorname_np(err) : "E?");
	else
		snprintf(res, sizeof res, "%ld", ret);
	calls_format_out(j, row, ret, &o, tail, sizeof tail);
	log_line(j, idx, "%s(%s) = %s%s%s", row->name, args, res, tail,
		 unresolved ? " (unresolved name)" : "");
	if (row->flags & CALLS_FORK)
		sigrec_restore(&old);
	return ret;
}
